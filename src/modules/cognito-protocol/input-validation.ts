import { Ajv, type ErrorObject } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';

/**
 * Operation inputs are checked against Cognito's own member constraints, and failures read as
 * Cognito writes them: `1 validation error detected: Value 'x' at 'userAttributes.1.member.value'
 * failed to satisfy constraint: Member must have length less than or equal to 2048`. A member
 * Cognito does not define is refused, naming it, never ignored (docs/cognito-settings.md).
 */
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });

/** Values never repeated in an error: secrets, and codes that would land in logs. */
const SENSITIVE = new Set([
  'password',
  'previousPassword',
  'proposedPassword',
  'temporaryPassword',
  'accessToken',
  'refreshToken',
  'token',
  'session',
  'confirmationCode',
  'code',
  'userCode',
  // A confidential client's secret, and SECRET_HASH, a lasting proof for its user (docs/client-secrets.md).
  'clientSecret',
  'secretHash',
  'sECRET_HASH',
]);

/** `['UserAttributes', '0', 'Value']` → `userAttributes.1.member.value`, Cognito's way of naming a member. */
export const memberName = (segments: string[]): string =>
  segments.map((s) => (/^\d+$/.test(s) ? `${Number(s) + 1}.member` : s.charAt(0).toLowerCase() + s.slice(1))).join('.');

/** `/UserAttributes/0/Value` → `userAttributes.1.member.value`. */
function memberPath(instancePath: string, missing?: string): string {
  const segments = instancePath.split('/').filter(Boolean);
  if (missing !== undefined) segments.push(missing);
  return memberName(segments);
}

function valueAt(input: unknown, instancePath: string): unknown {
  let value = input;
  for (const s of instancePath.split('/').filter(Boolean)) value = (value as Record<string, unknown> | undefined)?.[s];
  return value;
}

function constraintOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return `Member must have length less than or equal to ${String(p.limit)}`;
    case 'minLength':
    case 'minItems':
    case 'minProperties':
      return `Member must have length greater than or equal to ${String(p.limit)}`;
    case 'pattern':
      return `Member must satisfy regular expression pattern: ${String(p.pattern).replace(/^\^|\$$/g, '')}`;
    case 'maximum':
      return `Member must have value less than or equal to ${String(p.limit)}`;
    case 'minimum':
      return `Member must have value greater than or equal to ${String(p.limit)}`;
    case 'enum':
      return `Member must satisfy enum value set: [${(p.allowedValues as unknown[]).join(', ')}]`;
    default:
      return error.message ?? error.keyword;
  }
}

export function describe(errors: ErrorObject[], input: unknown): CognitoError {
  // A member of the wrong JSON type is a serialization failure in AWS protocols, not a constraint.
  const typeError = errors.find((e) => e.keyword === 'type');
  if (typeError) {
    return new CognitoError(
      'SerializationException',
      `Expected ${String((typeError.params as { type: string }).type)} at '${memberPath(typeError.instancePath) || 'body'}'.`,
    );
  }
  // Inside an honoured member (a schema attribute, a user attribute): refused by name, as settings-check.ts refuses the rest.
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const segments = [
      ...unknown.instancePath.split('/').filter(Boolean),
      String((unknown.params as { additionalProperty: string }).additionalProperty),
    ];
    const member = segments.map((s) => (/^\d+$/.test(s) ? String(Number(s) + 1) : s.slice(0, 64))).join('.');
    return invalidParameter(
      `${member} is not a member Cognito defines there: Cognate refuses it rather than ignore it.`,
    );
  }
  const described = errors
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if')
    .map((error) => {
      if (error.keyword === 'required') {
        const path = memberPath(
          error.instancePath,
          String((error.params as { missingProperty: string }).missingProperty),
        );
        return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
      }
      const path = memberPath(error.instancePath);
      const name = path.split('.').at(-1) ?? '';
      const value = valueAt(input, error.instancePath);
      const shown = SENSITIVE.has(name) || typeof value === 'object' ? '' : ` '${String(value)}'`;
      return `Value${shown} at '${path}' failed to satisfy constraint: ${constraintOf(error)}`;
    });
  const unique = [...new Set(described)];
  return invalidParameter(
    `${unique.length} validation error${unique.length === 1 ? '' : 's'} detected: ${unique.join('; ')}`,
  );
}

/** A checker for one operation's input: returns it typed, or throws Cognito's validation error. */
export function inputChecker<S extends TSchema>(schema: S): (input: unknown) => Static<S> {
  const validate = ajv.compile(schema);
  return (input) => {
    if (!validate(input)) throw describe(validate.errors ?? [], input);
    return input as Static<S>;
  };
}
