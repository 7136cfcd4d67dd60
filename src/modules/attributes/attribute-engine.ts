import { forbidden, invalidParameter } from '../../errors/cognito-error.ts';
import {
  checkAttributeName,
  checkValueLength,
  isEmailAddress,
  isPhoneNumber,
  normaliseValue,
} from './attribute-values.ts';
import type {
  Actor,
  AttributeDefinition,
  ClientAttributePermissions,
  NewUserAttributes,
  PoolAttributeSettings,
  StoredAttribute,
  UpdatePlan,
  UserAttributeState,
  VerifiableAttribute,
} from './attributes.types.ts';
import { canRead, canWrite } from './client-permissions.ts';
import {
  DERIVED_ATTRIBUTES,
  NEVER_CLIENT_WRITABLE,
  VERIFIABLE_ATTRIBUTES,
  VERIFIED_FLAGS,
  flagOwner,
} from './standard-attributes.ts';

const UNAUTHORIZED_WRITE = 'A client attempted to write unauthorized attribute';

type WriteContext = 'sign-up' | 'admin-create' | 'update';

interface CheckedWrite {
  name: string;
  definition: AttributeDefinition;
  /** Normalised value; `''` is blank (dropped at creation, a deletion on update). Flags hold `true`/`false`. */
  value: string;
}

const schemaError = (name: string, problem: string) => `Attributes did not conform to the schema: ${name}: ${problem}`;
const notUpdatable = (name: string) => `Invalid user attributes: user.${name}: Attribute cannot be updated.`;

function definitionOf(settings: PoolAttributeSettings, name: string): AttributeDefinition | undefined {
  return settings.schema.find((definition) => definition.name === name);
}

function unknownAttribute(name: string, context: WriteContext): string {
  if (context === 'update') return `user.${name}: Attribute does not exist in the schema.`;
  if (context === 'sign-up' && name.startsWith('custom:')) {
    return `Attributes did not conform to the schema: Type for attribute {${name}} could not be determined`;
  }
  return schemaError(name, 'Attribute does not exist in the schema.');
}

/**
 * The checks every write goes through. Each stage runs over all names before the next,
 * so when several rules break, the same one wins whatever the order of the names.
 * Cognito does not document the order (docs/cognito-attributes.md §4); Cognate's is: name shape → value length →
 * sub and verified flags → client write permission → schema existence and immutability
 * → value format → required.
 */
function checkWrites(
  settings: PoolAttributeSettings,
  actor: Actor,
  changes: Record<string, string>,
  context: WriteContext,
): CheckedWrite[] {
  const entries = Object.entries(changes);
  const creating = context !== 'update';
  for (const [name] of entries) checkAttributeName(name);
  for (const [name, value] of entries) checkValueLength(name, value);

  for (const [name, value] of entries) {
    if (!NEVER_CLIENT_WRITABLE.has(name)) continue;
    // docs/api.md, "Decisions": a user touching sub or a verified flag is an unauthorized write (403), whatever the value.
    if (actor.kind === 'user') throw forbidden(UNAUTHORIZED_WRITE);
    if (name === 'sub') {
      throw invalidParameter(
        creating ? schemaError('sub', 'Attribute is assigned by the service.') : notUpdatable('sub'),
      );
    }
    // Decision: flags live on their attribute, so an admin clears one with "false", not by deleting it.
    if (!creating && value === '') {
      throw invalidParameter(`user.${name}: A verified flag cannot be deleted; set it to "false" instead.`);
    }
  }

  if (actor.kind === 'user') {
    for (const [name] of entries) {
      // A write list authorises only what it names (so unknown names are unauthorized too);
      // without one, unknown names fall through to the schema check, which names the problem.
      const listed = actor.client.writeAttributes !== null;
      if ((listed || definitionOf(settings, name)) && !canWrite(settings, actor.client, name)) {
        throw forbidden(UNAUTHORIZED_WRITE);
      }
    }
  }

  const preferredUsernameIsAlias = settings.aliasAttributes.includes('preferred_username');
  const writes = entries.map(([name, value]): CheckedWrite => {
    const definition = definitionOf(settings, name);
    if (!definition) throw invalidParameter(unknownAttribute(name, context));
    // Immutable means "only at creation", even for a value that was never set (docs/cognito-attributes.md §2).
    if (context === 'update' && !definition.mutable) throw invalidParameter(notUpdatable(name));
    // An alias must be unique among verified users, so it can only be claimed once the account is confirmed (docs/cognito-attributes.md §1.5).
    if (context === 'sign-up' && name === 'preferred_username' && preferredUsernameIsAlias) {
      throw invalidParameter(schemaError(name, 'An alias cannot be given at sign-up; set it after confirmation.'));
    }
    return { name, definition, value };
  });

  for (const write of writes) {
    if (write.value !== '') write.value = normaliseValue(write.definition, write.value);
    // Newer pools refuse a blank phone at creation instead of dropping it (amplify-js #13391).
    else if (creating && write.name === 'phone_number') throw invalidParameter('Invalid phone number format.');
    // A preferred_username shaped like an email or phone could pass for another user's address
    // at sign-in; Cognito refuses it where it is an alias, as for usernames (docs/security.md).
    if (write.name === 'preferred_username' && preferredUsernameIsAlias && write.value !== '')
      checkPreferredUsernameShape(write.value);
  }

  if (context === 'update') {
    const deleted = writes.find((write) => write.value === '' && write.definition.required);
    if (deleted) throw invalidParameter(`user.${deleted.name}: The attribute is required and cannot be deleted.`);
  }
  if (context === 'sign-up') {
    const given = new Set(writes.filter((write) => write.value !== '').map((write) => write.name));
    const missing = settings.schema.filter((d) => d.required && d.name !== 'sub' && !given.has(d.name));
    if (missing.length > 0) {
      throw invalidParameter(
        `Attributes did not conform to the schema: ${missing.map((d) => `${d.name}: The attribute is required`).join('\n')}`,
      );
    }
  }
  return writes;
}

/**
 * SignUp / AdminCreateUser. Blank values are dropped; immutable attributes may be given;
 * required ones must be present at sign-up only (an admin-created user supplies them at
 * first sign-in). In username-attribute pools the caller copies the username into
 * `email`/`phone_number` before calling, so the required check sees it.
 */
export function prepareNewUser(
  settings: PoolAttributeSettings,
  actor: Actor,
  attributes: Record<string, string>,
  operation: 'sign-up' | 'admin-create',
): NewUserAttributes {
  const result: NewUserAttributes = { values: {}, verified: {} };
  for (const { name, value } of checkWrites(settings, actor, attributes, operation)) {
    if (value === '') continue;
    const owner = flagOwner(name);
    if (owner) result.verified[owner] = value === 'true';
    else result.values[name] = value;
  }
  // Decision: a flag with nothing to describe is a caller's mistake, refused rather than dropped.
  for (const attribute of VERIFIABLE_ATTRIBUTES) {
    if (result.verified[attribute] !== undefined && result.values[attribute] === undefined) {
      throw invalidParameter(schemaError(VERIFIED_FLAGS[attribute], `Cannot be set without a value for ${attribute}.`));
    }
  }
  return result;
}

/** A plan that changes nothing yet; writers that decide a change themselves fill in just that. */
export function emptyPlan(): UpdatePlan {
  return { set: {}, delete: [], pending: {}, clearPending: [], verified: {}, codesFor: [], unchanged: [] };
}

/** UpdateUserAttributes / AdminUpdateUserAttributes (docs/cognito-attributes.md §5.4; docs/api.md, "Decisions"). */
export function planUpdate(
  settings: PoolAttributeSettings,
  actor: Actor,
  current: UserAttributeState,
  changes: Record<string, string>,
): UpdatePlan {
  const plan = emptyPlan();
  const values = new Map<string, string>();
  const flags = new Map<VerifiableAttribute, boolean>();
  for (const { name, value } of checkWrites(settings, actor, changes, 'update')) {
    const owner = flagOwner(name);
    if (owner) flags.set(owner, value === 'true');
    else values.set(name, value);
  }

  for (const [name, value] of values) {
    if (name === 'email' || name === 'phone_number') continue;
    const stored = storedAttribute(current, name);
    if (value === '') (stored ? plan.delete : plan.unchanged).push(name);
    else if (stored?.value === value) plan.unchanged.push(name);
    else plan.set[name] = value;
  }
  // Email before phone_number, so codesFor comes out in that order.
  for (const attribute of VERIFIABLE_ATTRIBUTES) {
    planVerifiable(
      settings,
      attribute,
      storedAttribute(current, attribute),
      values.get(attribute),
      flags.get(attribute),
      plan,
    );
  }
  return plan;
}

/**
 * One verifiable attribute. `flag` comes only from administrators; sent with a value it
 * describes that value, sent alone it applies to the current one.
 */
function planVerifiable(
  settings: PoolAttributeSettings,
  attribute: VerifiableAttribute,
  stored: StoredAttribute | undefined,
  value: string | undefined,
  flag: boolean | undefined,
  plan: UpdatePlan,
): void {
  const pending = stored?.pendingValue ?? undefined;
  const clearPending = () => pending !== undefined && plan.clearPending.push(attribute);
  const setFlag = (verified: boolean) => {
    if (verified !== (stored?.verified ?? false)) plan.verified[attribute] = verified;
  };
  if (flag !== undefined && (value === '' || (value === undefined && !stored))) {
    throw invalidParameter(`user.${VERIFIED_FLAGS[attribute]}: Cannot be set without a value for ${attribute}.`);
  }

  if (value === undefined) {
    if (flag === undefined) return;
    // Verifying while a change is pending verifies the change: promote it.
    if (flag && pending !== undefined) {
      plan.set[attribute] = pending;
      plan.verified[attribute] = true;
      clearPending();
    } else setFlag(flag);
    return;
  }
  if (value === '') {
    // The flag and any pending value go with the attribute.
    (stored ? plan.delete : plan.unchanged).push(attribute);
    return;
  }
  if (value === stored?.value) {
    // Sending the current value again withdraws a pending change and sends nothing.
    plan.unchanged.push(attribute);
    clearPending();
    if (flag !== undefined) setFlag(flag);
    return;
  }
  if (flag === true) {
    // Admin shortcut: the new value is applied at once, already verified, with no message.
    plan.set[attribute] = value;
    plan.verified[attribute] = true;
    clearPending();
    return;
  }
  // Keep-original: the current value stays (and keeps signing in) until the new one is verified.
  if (stored && settings.keepOriginalAttributes.includes(attribute)) {
    if (value === pending) {
      plan.unchanged.push(attribute);
      return;
    }
    plan.pending[attribute] = value;
    // A pending value can only ever become current through a code, so one always goes out.
    plan.codesFor.push(attribute);
    return;
  }
  plan.set[attribute] = value;
  plan.verified[attribute] = false;
  clearPending();
  if (settings.autoVerifiedAttributes.includes(attribute)) plan.codesFor.push(attribute);
}

/**
 * DeleteUserAttributes / AdminDeleteUserAttributes: the same rules as a blank value on
 * update. Returns the names to delete; names the user does not have are left out.
 */
export function planDelete(
  settings: PoolAttributeSettings,
  actor: Actor,
  current: UserAttributeState,
  names: string[],
): string[] {
  return planUpdate(settings, actor, current, Object.fromEntries(names.map((name) => [name, '']))).delete;
}

/**
 * What GetUser (perms of the client) or AdminGetUser (perms null) shows, in schema order:
 * `sub` always, verified flags as strings alongside their attribute, never a pending value.
 */
export function readAttributes(
  settings: PoolAttributeSettings,
  perms: ClientAttributePermissions | null,
  state: UserAttributeState,
): Record<string, string> {
  return visibleAttributes(settings, perms, state, String);
}

/** The attribute claims of an ID token: as `readAttributes`, with verified flags as JSON booleans. */
export function idTokenAttributeClaims(
  settings: PoolAttributeSettings,
  perms: ClientAttributePermissions,
  state: UserAttributeState,
): Record<string, string | boolean> {
  return visibleAttributes(settings, perms, state, Boolean);
}

function visibleAttributes<Flag>(
  settings: PoolAttributeSettings,
  perms: ClientAttributePermissions | null,
  state: UserAttributeState,
  showFlag: (verified: boolean) => Flag,
): Record<string, string | Flag> {
  const visible: Record<string, string | Flag> = {};
  for (const { name } of settings.schema) {
    if (perms !== null && !canRead(settings, perms, name)) continue;
    const owner = flagOwner(name);
    const stored = storedAttribute(state, owner ?? name);
    if (stored) visible[name] = owner ? showFlag(stored.verified ?? false) : stored.value;
  }
  // Not in the schema, so no client can list, write or hide it; every reader sees it, as in
  // Cognito (docs/federation.md, "Users and linking").
  for (const name of DERIVED_ATTRIBUTES) {
    const stored = storedAttribute(state, name);
    if (stored) visible[name] = stored.value;
  }
  return visible;
}

/**
 * What a username given at sign-up means (docs/cognito-attributes.md §3, §6): in alias pools it must not look like
 * an alias it could later collide with; in username-attribute pools it is the email or
 * phone number itself.
 */
export function classifyUsername(
  settings: PoolAttributeSettings,
  username: string,
): { kind: 'username' } | { kind: 'email' | 'phone_number' } {
  const { aliasAttributes, usernameAttributes } = settings;
  if (aliasAttributes.includes('email') && isEmailAddress(username)) {
    throw invalidParameter('Username cannot be of email format, since user pool is configured for email alias.');
  }
  if (aliasAttributes.includes('phone_number') && isPhoneNumber(username)) {
    throw invalidParameter(
      'Username cannot be of phone number format, since user pool is configured for phone_number alias.',
    );
  }
  if (usernameAttributes.length === 0) return { kind: 'username' };
  if (usernameAttributes.includes('email') && isEmailAddress(username)) return { kind: 'email' };
  if (usernameAttributes.includes('phone_number') && isPhoneNumber(username)) return { kind: 'phone_number' };
  if (usernameAttributes.length === 2) throw invalidParameter('Username should be either an email or a phone number.');
  throw invalidParameter(
    usernameAttributes[0] === 'email' ? 'Username should be an email.' : 'Username should be a phone number.',
  );
}

function checkPreferredUsernameShape(value: string): void {
  if (isEmailAddress(value))
    throw invalidParameter(
      'Preferred username cannot be of email format, since user pool is configured for preferred_username alias.',
    );
  if (isPhoneNumber(value))
    throw invalidParameter(
      'Preferred username cannot be of phone number format, since user pool is configured for preferred_username alias.',
    );
}

/** Own properties only: attribute names come from users and must not reach Object.prototype. */
function storedAttribute(state: UserAttributeState, name: string): StoredAttribute | undefined {
  return Object.hasOwn(state, name) ? state[name] : undefined;
}
