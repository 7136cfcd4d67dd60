import type { AttributeDataType, AttributeDefinition, VerifiableAttribute } from './attributes.types.ts';

const string = (name: string, minLength = 0, maxLength = 2048): AttributeDefinition => ({
  name,
  attributeDataType: 'String',
  mutable: true,
  required: false,
  developerOnly: false,
  stringConstraints: { minLength, maxLength },
});

const other = (name: string, attributeDataType: AttributeDataType): AttributeDefinition => ({
  name,
  attributeDataType,
  mutable: true,
  required: false,
  developerOnly: false,
});

/** The schema of a new pool, exactly as DescribeUserPool lists it, in Cognito's order (docs/cognito-attributes.md §1.1). */
export const STANDARD_ATTRIBUTES: readonly Readonly<AttributeDefinition>[] = Object.freeze(
  [
    { ...string('sub', 1), mutable: false, required: true },
    string('name'),
    string('given_name'),
    string('family_name'),
    string('middle_name'),
    string('nickname'),
    string('preferred_username'),
    string('profile'),
    string('picture'),
    string('website'),
    string('email'),
    other('email_verified', 'Boolean'),
    string('gender'),
    string('birthdate', 10, 10),
    string('zoneinfo'),
    string('locale'),
    string('phone_number'),
    other('phone_number_verified', 'Boolean'),
    string('address'),
    { ...other('updated_at', 'Number'), numberConstraints: { minValue: 0 } },
  ].map((definition) => deepFreeze(definition)),
);

const STANDARD_NAMES = new Set(STANDARD_ATTRIBUTES.map((definition) => definition.name));

export function isStandardAttribute(name: string): boolean {
  return STANDARD_NAMES.has(name);
}

/** Only these two can be verified; codes go out in this order (email first). */
export const VERIFIABLE_ATTRIBUTES: readonly VerifiableAttribute[] = ['email', 'phone_number'];

/** The built-in flag of each verifiable attribute; stored on the attribute, shown as its own name. */
export const VERIFIED_FLAGS: Readonly<Record<VerifiableAttribute, string>> = {
  email: 'email_verified',
  phone_number: 'phone_number_verified',
};

/** The verifiable attribute a flag name belongs to, if it is one. */
export function flagOwner(name: string): VerifiableAttribute | undefined {
  return VERIFIABLE_ATTRIBUTES.find((attribute) => VERIFIED_FLAGS[attribute] === name);
}

/**
 * Attributes outside the schema that the service keeps from its own rows and every reader is
 * shown: `identities` (src/modules/federation/identities.ts). Never written by a client or an admin.
 */
export const DERIVED_ATTRIBUTES: readonly string[] = ['identities'];

/** Names no app client may ever write: the service assigns `sub`, only verification sets the flags. */
export const NEVER_CLIENT_WRITABLE: ReadonlySet<string> = new Set(['sub', ...Object.values(VERIFIED_FLAGS)]);

function deepFreeze(definition: AttributeDefinition): Readonly<AttributeDefinition> {
  if (definition.stringConstraints) Object.freeze(definition.stringConstraints);
  if (definition.numberConstraints) Object.freeze(definition.numberConstraints);
  return Object.freeze(definition);
}
