export * from './attributes.types.ts';
export {
  STANDARD_ATTRIBUTES,
  VERIFIABLE_ATTRIBUTES,
  VERIFIED_FLAGS,
  isStandardAttribute,
} from './standard-attributes.ts';
export { checkAttributeName, isEmailAddress, isPhoneNumber, normaliseValue } from './attribute-values.ts';
export { deliveryAddress, emailKey } from './email-address.ts';
export { MAX_CUSTOM_ATTRIBUTES, addCustomAttributes, buildPoolAttributeSettings } from './pool-schema.ts';
export { canRead, canWrite, validateClientPermissions } from './client-permissions.ts';
export {
  classifyUsername,
  emptyPlan,
  idTokenAttributeClaims,
  planDelete,
  planUpdate,
  prepareNewUser,
  readAttributes,
} from './attribute-engine.ts';
