import { and, count, eq, inArray, ne, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Queryable } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { signInNames, userAttributes, users, type UserStatus } from '../../db/schema/user-store.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import {
  classifyUsername,
  emailKey,
  type UpdatePlan,
  type UserAttributeState,
  type VerifiableAttribute,
} from '../attributes/index.ts';
import type { Pool } from '../pools/pools.types.ts';
import { srpCredentials } from './srp-credentials.ts';

export type UserRow = typeof users.$inferSelect;
/** Columns a flow may change on a user's row. */
export type UserPatch = Omit<PgUpdateSetSource<typeof users>, 'id' | 'poolId' | 'createdAt'>;

const VERIFIABLE = new Set(['email', 'phone_number']);

/**
 * A new user's username and attributes as the pool reads them: in username-attribute pools the
 * email or phone given as the username is the sign-in name (copied into its attribute), and the
 * stored username becomes the sub.
 */
export function newUserIdentity(pool: Pool, username: string, userAttributes: Record<string, string> = {}) {
  const kind = classifyUsername(pool.attributeSettings, username).kind;
  const attributes = { ...userAttributes };
  if (kind !== 'username') {
    if (attributes[kind] !== undefined && attributes[kind] !== username) {
      throw invalidParameter(`${kind} must match the username in a pool that signs in with ${kind}.`);
    }
    attributes[kind] = username;
  }
  return { kind, attributes, usernameFor: (sub: string) => (kind === 'username' ? username : sub) };
}

/** How a username is compared in this pool. */
export const usernameKey = (pool: Pool, username: string) =>
  pool.usernameCaseSensitive ? username : username.toLowerCase();

/** The row of a user given a password (signed up or created by an admin): its key, hash and SRP verifier. */
export function newUserRow(
  pool: Pool,
  user: { id: string; username: string; status: UserStatus; passwordHash: string; password: string },
) {
  const { password, ...row } = user;
  return {
    ...row,
    poolId: pool.id,
    usernameKey: usernameKey(pool, user.username),
    ...srpCredentials(pool, user.username, password),
  };
}

/**
 * The normalised sign-in value of an attribute, or null when it is not a sign-in alias now:
 * email and phone count once verified in alias pools, always in username-attribute pools;
 * preferred_username counts whenever it is an alias. Emails are keyed in their normal form
 * (docs/security.md, "One sign-in namespace"), so look-alike addresses are one name.
 */
export function aliasKeyOf(pool: Pool, name: string, value: string, verified: boolean): string | null {
  const { aliasAttributes, usernameAttributes } = pool.attributeSettings;
  const normalised =
    name === 'email'
      ? emailKey(value)
      : name === 'phone_number' || (name === 'preferred_username' && pool.usernameCaseSensitive)
        ? value
        : value.toLowerCase();
  if (VERIFIABLE.has(name) && usernameAttributes.includes(name as VerifiableAttribute)) return normalised;
  if (!aliasAttributes.includes(name as never)) return null;
  return name === 'preferred_username' || verified ? normalised : null;
}

export const aliasExists = (name: string) =>
  new CognitoError('AliasExistsException', `An account with the ${name === 'email' ? 'email' : name} already exists.`);

export async function findUserByUsername(q: Queryable, pool: Pool, username: string): Promise<UserRow | undefined> {
  const [user] = await q
    .select()
    .from(users)
    .where(and(eq(users.poolId, pool.id), eq(users.usernameKey, usernameKey(pool, username))));
  return user;
}

/** The keys a name given at sign-in is looked up by: as a username, and as each alias the pool has. */
function signInKeys(pool: Pool, login: string): string[] {
  const { aliasAttributes, usernameAttributes } = pool.attributeSettings;
  const keys = new Set([usernameKey(pool, login)]);
  for (const name of new Set<string>([...aliasAttributes, ...usernameAttributes])) {
    const key = aliasKeyOf(pool, name, login, true);
    if (key !== null) keys.add(key);
  }
  return [...keys];
}

/** Username first, then email, phone, preferred_username: the order a name's kinds are tried in. */
const SOURCE_ORDER = sql`case ${signInNames.source} when 'username' then 0 when 'email' then 1 when 'phone_number' then 2 else 3 end`;

/**
 * Sign-in lookup in the pool's one namespace of names (sign_in_names): each key belongs to at
 * most one user, so the answer is the database's, not a query plan's. One query for known and
 * unknown names alike, so the time taken does not tell which names exist.
 */
export async function findUserBySignInName(q: Queryable, pool: Pool, login: string): Promise<UserRow | undefined> {
  const [row] = await q
    .select({ user: users })
    .from(signInNames)
    .innerJoin(users, eq(users.id, signInNames.userId))
    .where(and(eq(signInNames.poolId, pool.id), inArray(signInNames.nameKey, signInKeys(pool, login))))
    .orderBy(SOURCE_ORDER)
    .limit(1);
  return row?.user;
}

/** Whether another user of the pool signs in with this value of `name` now. */
export async function aliasHeldByOther(
  q: Queryable,
  pool: Pool,
  name: string,
  value: string,
  userId: string,
): Promise<boolean> {
  const key = aliasKeyOf(pool, name, value, true);
  if (key === null) return false;
  const [held] = await q
    .select({ userId: signInNames.userId })
    .from(signInNames)
    .where(and(eq(signInNames.poolId, pool.id), eq(signInNames.nameKey, key), ne(signInNames.userId, userId)));
  return held !== undefined;
}

export async function insertUser(q: Queryable, row: typeof users.$inferInsert): Promise<UserRow> {
  const [user] = await q.insert(users).values(row).returning();
  return user!;
}

export async function findUserById(q: Queryable, userId: string): Promise<UserRow | undefined> {
  const [user] = await q.select().from(users).where(eq(users.id, userId));
  return user;
}

/** Changes a user's row; undefined when the user is gone. */
export async function updateUser(q: Queryable, userId: string, patch: UserPatch): Promise<UserRow | undefined> {
  const [user] = await q.update(users).set(patch).where(eq(users.id, userId)).returning();
  return user;
}

/** Replaces a password hash only if it is still `current` (a re-hash loses to any change meanwhile). */
export async function replacePasswordHash(
  q: Queryable,
  userId: string,
  current: string,
  passwordHash: string,
): Promise<void> {
  await q
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, userId), eq(users.passwordHash, current)));
}

/** Deletes the user (attributes, codes and sessions go with the row); false if it was gone. */
export async function deleteUser(q: Queryable, userId: string): Promise<boolean> {
  const deleted = await q.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
  return deleted.length > 0;
}

/** Deletes attribute rows by name, as a blank value on update does (the caller checked the schema). */
export async function deleteAttributeRows(q: Queryable, userId: string, names: string[]): Promise<void> {
  await q.delete(userAttributes).where(and(eq(userAttributes.userId, userId), inArray(userAttributes.name, names)));
}

/** Drops every SRP verifier of a pool (SRP turned off). */
export async function clearSrpCredentials(q: Queryable, poolId: string): Promise<void> {
  await q.update(users).set({ srpSalt: null, srpVerifier: null }).where(eq(users.poolId, poolId));
}

export async function countUsers(q: Queryable, poolId: string): Promise<number> {
  const [row] = await q.select({ n: count() }).from(users).where(eq(users.poolId, poolId));
  return row?.n ?? 0;
}

/** One attribute's current and pending value (the outbox checks an SMS still goes to one of them). */
export async function attributeValues(
  q: Queryable,
  userId: string,
  name: string,
): Promise<{ value: string; pendingValue: string | null } | undefined> {
  const [row] = await q
    .select({ value: userAttributes.value, pendingValue: userAttributes.pendingValue })
    .from(userAttributes)
    .where(and(eq(userAttributes.userId, userId), eq(userAttributes.name, name)));
  return row;
}

/**
 * forceAliasCreation moves an alias (docs/cognito-attributes.md §6), but in username-attribute pools the email or phone is
 * another user's sign-in name, unique outright: taking it would lock that user out of their account.
 */
export function mayForceAlias(pool: Pool, attributeName: VerifiableAttribute, requested: boolean | undefined): boolean {
  return requested === true && !pool.attributeSettings.usernameAttributes.includes(attributeName);
}

/**
 * A pending value in a username-attribute pool could never be verified if another user signs in
 * with it: refused now, as an immediate change would be, not after a code went out.
 */
export async function assertPendingNamesFree(
  q: Queryable,
  pool: Pool,
  plan: Pick<UpdatePlan, 'pending'>,
  userId: string,
) {
  for (const [name, value] of Object.entries(plan.pending)) {
    if (!pool.attributeSettings.usernameAttributes.includes(name as VerifiableAttribute)) continue;
    if (await aliasHeldByOther(q, pool, name, value, userId)) throw aliasExists(name);
  }
}

/** One attribute's current value, or null. */
export async function attributeValue(q: Queryable, userId: string, name: string): Promise<string | null> {
  const [row] = await q
    .select({ value: userAttributes.value })
    .from(userAttributes)
    .where(and(eq(userAttributes.userId, userId), eq(userAttributes.name, name)));
  return row?.value ?? null;
}

/** Locks the user's row for the rest of the transaction: one writer per user at a time. */
export async function lockUser(q: Queryable, userId: string): Promise<UserRow | undefined> {
  const [user] = await q.select().from(users).where(eq(users.id, userId)).for('update');
  return user;
}

/**
 * lockUser, then loadAttributes: most writes start with both. Two statements, not one: a
 * statement that waited for the row lock re-reads the locked row, but every other table as it was
 * when the statement began (READ COMMITTED), so attributes read beside the lock could be those
 * from before the writer it waited for, and a plan made from them would undo that writer's change.
 */
export async function lockUserWithAttributes(
  q: Queryable,
  userId: string,
): Promise<{ user: UserRow; state: UserAttributeState } | undefined> {
  const user = await lockUser(q, userId);
  return user && { user, state: await loadAttributes(q, user) };
}

export async function loadAttributes(q: Queryable, user: Pick<UserRow, 'id'>): Promise<UserAttributeState> {
  const rows = await q.select().from(userAttributes).where(eq(userAttributes.userId, user.id));
  return attributeState(user.id, rows);
}

type AttributeRow = Pick<typeof userAttributes.$inferSelect, 'name' | 'value' | 'verified' | 'pendingValue'>;

/**
 * The attribute rows of the user in `userId` (a column of the outer query) as one JSON array,
 * for queries that read a user and its attributes in one round trip; attributeState reads it.
 */
export const attributesJson = (userId: typeof users.id) =>
  sql<
    AttributeRow[]
  >`(select coalesce(json_agg(json_build_object('name', ${userAttributes.name}, 'value', ${userAttributes.value}, 'verified', ${userAttributes.verified}, 'pendingValue', ${userAttributes.pendingValue})), '[]') from ${userAttributes} where ${userAttributes.userId} = ${userId})`;

export function attributeState(userId: string, rows: AttributeRow[]): UserAttributeState {
  const state: UserAttributeState = { sub: { value: userId } };
  for (const row of rows) {
    state[row.name] = {
      value: row.value,
      ...(row.verified !== null && { verified: row.verified }),
      ...(row.pendingValue !== null && { pendingValue: row.pendingValue }),
    };
  }
  return state;
}

/**
 * Takes an alias from whoever holds it as the same attribute (forceAliasCreation): their value
 * stays, unverified. A name held as a username, or as another attribute, is never taken, nor a
 * preferred_username, nor an email or phone of a username-attribute pool (docs/security.md).
 */
async function releaseAlias(q: Queryable, pool: Pool, userId: string, name: string, key: string): Promise<void> {
  // Only an email or phone moves, and never one that is a sign-in name outright (mayForceAlias):
  // every caller, AdminCreateUser's forceAliasCreation included, gets this rule here.
  if (!VERIFIABLE.has(name) || !mayForceAlias(pool, name as VerifiableAttribute, true)) return;
  const holder = q
    .select({ userId: signInNames.userId })
    .from(signInNames)
    .where(
      and(
        eq(signInNames.poolId, pool.id),
        eq(signInNames.nameKey, key),
        eq(signInNames.source, name),
        ne(signInNames.userId, userId),
      ),
    );
  await q
    .update(userAttributes)
    .set({ aliasKey: null, ...(VERIFIABLE.has(name) && { verified: false }) })
    .where(and(eq(userAttributes.name, name), inArray(userAttributes.userId, holder)));
}

/** The advisory lock's key for one name of a pool's namespace (user-transfer takes it too). */
export const nameLockKey = (pool: Pool, key: string) => `${pool.id}\n${key}`;

/**
 * Queues the claimers of one name until their transactions end. sign_in_names' key alone keeps
 * one owner, but a forceAliasCreation taker releases the alias before a concurrent claim is
 * visible to it and then hits that claim: it must wait for it instead, and take the alias over.
 */
async function lockAlias(q: Queryable, pool: Pool, key: string): Promise<void> {
  await q.execute(sql`select pg_advisory_xact_lock(hashtextextended(${nameLockKey(pool, key)}, 0))`);
}

/** A name claimed twice in a pool: sign_in_names' key, filled by triggers (migration 0005). */
export const SIGN_IN_NAME_TAKEN = 'sign_in_names_pkey';

/** Runs a write that may claim an alias; sign_in_names' key decides races, mapped to AliasExistsException. */
async function claimingAlias<T>(names: string[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (uniqueViolation(error) === SIGN_IN_NAME_TAKEN) throw aliasExists(names[0] ?? 'email');
    throw error;
  }
}

export async function insertAttributes(
  q: Queryable,
  pool: Pool,
  userId: string,
  values: Record<string, string>,
  verified: Partial<Record<VerifiableAttribute, boolean>>,
  options: { forceAlias?: boolean } = {},
): Promise<UserAttributeState> {
  const rows = Object.entries(values).map(([name, value]) => {
    const isVerified = VERIFIABLE.has(name) ? (verified[name as VerifiableAttribute] ?? false) : null;
    return {
      userId,
      poolId: pool.id,
      name,
      value,
      verified: isVerified,
      aliasKey: aliasKeyOf(pool, name, value, isVerified ?? false),
    };
  });
  // What a new user's attributes are now: these rows and nothing else (`sub` included).
  const written = attributeState(
    userId,
    rows.map((row) => ({ ...row, pendingValue: null })),
  );
  if (rows.length === 0) return written;
  // Sorted, so two transactions claiming the same aliases take their locks in one order.
  for (const key of rows.flatMap((r) => (r.aliasKey ? [r.aliasKey] : [])).sort()) await lockAlias(q, pool, key);
  if (options.forceAlias) {
    for (const row of rows) if (row.aliasKey) await releaseAlias(q, pool, userId, row.name, row.aliasKey);
  }
  await claimingAlias(
    rows.filter((r) => r.aliasKey).map((r) => r.name),
    () => q.insert(userAttributes).values(rows),
  );
  return written;
}

/**
 * Carries out an update plan decided by the attribute engine, inside the caller's transaction,
 * and returns the user's attributes as it left them, so a writer that needs the
 * result (the audit record of what changed) need not read them back. Each write below updates
 * `after` the way its statement updates the rows (storage/apply-plan.test.ts holds the two
 * equal over generated plans).
 */
export async function applyPlan(
  q: Queryable,
  pool: Pool,
  userId: string,
  current: UserAttributeState,
  plan: UpdatePlan,
  options: { forceAlias?: boolean } = {},
): Promise<UserAttributeState> {
  const after: UserAttributeState = { ...current };
  const stored = (name: string, row: { value: string; verified: boolean | null; pendingValue: string | null }) => {
    after[name] = {
      value: row.value,
      ...(row.verified !== null && { verified: row.verified }),
      ...(row.pendingValue !== null && { pendingValue: row.pendingValue }),
    };
  };
  // Take every alias lock this plan needs up front, in key order, so two plans that claim
  // the same email and phone cannot wait on each other (setAttribute's own lock is re-entrant).
  const claims = new Map<string, string>();
  for (const [name, value] of Object.entries(plan.set)) {
    const key = aliasKeyOf(pool, name, value, plan.verified[name as VerifiableAttribute] ?? false);
    if (key) claims.set(name, key);
  }
  for (const [name, verified] of Object.entries(plan.verified)) {
    const held = current[name];
    const key = held && !(name in plan.set) ? aliasKeyOf(pool, name, held.value, verified) : null;
    if (key) claims.set(name, key);
  }
  for (const key of [...claims.values()].sort()) await lockAlias(q, pool, key);

  if (plan.delete.length > 0) {
    await q
      .delete(userAttributes)
      .where(and(eq(userAttributes.userId, userId), inArray(userAttributes.name, plan.delete)));
    for (const name of plan.delete) delete after[name];
  }
  for (const [name, value] of Object.entries(plan.set)) {
    const verified = VERIFIABLE.has(name) ? (plan.verified[name as VerifiableAttribute] ?? false) : null;
    const row = { value, verified, pendingValue: null };
    await setAttribute(q, pool, userId, name, row, options);
    stored(name, row);
  }
  for (const [name, verified] of Object.entries(plan.verified)) {
    const held = current[name];
    if (name in plan.set || !held) continue;
    const row = { value: held.value, verified, pendingValue: held.pendingValue ?? null };
    await setAttribute(q, pool, userId, name, row, options);
    stored(name, row);
  }
  for (const [name, pendingValue] of Object.entries(plan.pending)) {
    await q
      .update(userAttributes)
      .set({ pendingValue })
      .where(and(eq(userAttributes.userId, userId), eq(userAttributes.name, name)));
    // An UPDATE: it changes a row that is there, and makes none.
    if (after[name]) after[name] = { ...after[name], pendingValue };
  }
  const clear = plan.clearPending.filter((name) => !(name in plan.set));
  if (clear.length > 0) {
    await q
      .update(userAttributes)
      .set({ pendingValue: null })
      .where(and(eq(userAttributes.userId, userId), inArray(userAttributes.name, clear)));
    for (const name of clear) {
      if (!after[name]) continue;
      const { pendingValue: _dropped, ...rest } = after[name];
      after[name] = rest;
    }
  }
  if (Object.keys(plan.set).length + plan.delete.length + Object.keys(plan.verified).length > 0) {
    await q
      .update(users)
      .set({ updatedAt: sql`now()` })
      .where(eq(users.id, userId));
  }
  return after;
}

export async function setAttribute(
  q: Queryable,
  pool: Pool,
  userId: string,
  name: string,
  row: { value: string; verified: boolean | null; pendingValue: string | null },
  options: { forceAlias?: boolean } = {},
): Promise<void> {
  const aliasKey = aliasKeyOf(pool, name, row.value, row.verified ?? false);
  if (aliasKey) await lockAlias(q, pool, aliasKey);
  if (aliasKey && options.forceAlias) await releaseAlias(q, pool, userId, name, aliasKey);
  await claimingAlias([name], () =>
    q
      .insert(userAttributes)
      .values({ userId, poolId: pool.id, name, ...row, aliasKey })
      .onConflictDoUpdate({ target: [userAttributes.userId, userAttributes.name], set: { ...row, aliasKey } }),
  );
}

/**
 * Writes (or, given null, deletes) an attribute no client or admin writes, kept by its owner
 * module from its own rows: `identities` (src/modules/federation/identities.ts). Never an alias.
 */
export async function setDerivedAttribute(
  q: Queryable,
  user: { id: string; poolId: string },
  name: string,
  value: string | null,
): Promise<void> {
  if (value === null) {
    await q.delete(userAttributes).where(and(eq(userAttributes.userId, user.id), eq(userAttributes.name, name)));
  } else {
    await q
      .insert(userAttributes)
      .values({ userId: user.id, poolId: user.poolId, name, value, verified: null })
      .onConflictDoUpdate({ target: [userAttributes.userId, userAttributes.name], set: { value } });
  }
  await q
    .update(users)
    .set({ updatedAt: sql`now()` })
    .where(eq(users.id, user.id));
}
