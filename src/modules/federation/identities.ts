/**
 * Which user a provider's subject signs in as, and the `identities` attribute made from it
 * (docs/federation.md, "Users and linking"). The federated_identities rows are the one source;
 * the attribute is rewritten from them in the same transaction as every change to them, by
 * writeIdentitiesAttribute only.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { federatedIdentities } from '../../db/schema/federation.ts';
import { setDerivedAttribute } from '../user-store/users.repository.ts';
import type { IdentityEntry, IdentityProviderType } from './federation.types.ts';

export type FederatedIdentityRow = typeof federatedIdentities.$inferSelect;

/** The attribute's name, as Cognito's. Never written by a client or an admin. */
export const IDENTITIES_ATTRIBUTE = 'identities';

/** The social types, whose users' usernames start with the provider name in lower case. */
const SOCIAL_TYPES: ReadonlySet<IdentityProviderType> = new Set([
  'Google',
  'Facebook',
  'LoginWithAmazon',
  'SignInWithApple',
]);

/**
 * Cognito's username of a user a provider created: `<ProviderName>_<subject>`, the name in lower
 * case for the social types (`google_1173…`, `facebook_…`), as given for OIDC (`MyIdP_…`).
 */
export function federatedUsername(providerType: IdentityProviderType, providerName: string, subject: string): string {
  return `${SOCIAL_TYPES.has(providerType) ? providerName.toLowerCase() : providerName}_${subject}`;
}

/** The group every user of a provider is in, as in Cognito: `<poolId>_<ProviderName>`. */
export const providerGroupName = (poolId: string, providerName: string) => `${poolId}_${providerName}`;

/** The row of one provider's subject in a pool (the table's key). */
const subjectIs = (poolId: string, providerName: string, subject: string) =>
  and(
    eq(federatedIdentities.poolId, poolId),
    eq(federatedIdentities.providerName, providerName),
    eq(federatedIdentities.subject, subject),
  );

export async function findIdentity(
  q: Queryable,
  poolId: string,
  providerName: string,
  subject: string,
): Promise<FederatedIdentityRow | undefined> {
  const [row] = await q
    .select()
    .from(federatedIdentities)
    .where(subjectIs(poolId, providerName, subject))
    .limit(1);
  return row;
}

export async function identitiesOfUser(q: Queryable, userId: string): Promise<FederatedIdentityRow[]> {
  return q
    .select()
    .from(federatedIdentities)
    .where(eq(federatedIdentities.userId, userId))
    .orderBy(asc(federatedIdentities.createdAt), asc(federatedIdentities.providerName));
}

/** Many users' identities, oldest first (an export's page). */
export async function identitiesOfUsers(q: Queryable, userIds: string[]): Promise<FederatedIdentityRow[]> {
  if (userIds.length === 0) return [];
  return q
    .select()
    .from(federatedIdentities)
    .where(inArray(federatedIdentities.userId, userIds))
    .orderBy(asc(federatedIdentities.createdAt), asc(federatedIdentities.providerName));
}

/** Files many subjects at once (an import's batch); the primary key refuses one already filed. */
export async function insertIdentities(
  q: Queryable,
  rows: Array<typeof federatedIdentities.$inferInsert>,
): Promise<void> {
  if (rows.length > 0) await q.insert(federatedIdentities).values(rows);
}

/** Files a subject under a user; the primary key refuses a subject already filed (federated_identities_pkey). */
export async function insertIdentity(
  q: Queryable,
  row: Omit<typeof federatedIdentities.$inferInsert, 'createdAt'>,
): Promise<FederatedIdentityRow> {
  const [inserted] = await q.insert(federatedIdentities).values(row).returning();
  return inserted!;
}

export async function removeIdentity(
  q: Queryable,
  poolId: string,
  providerName: string,
  subject: string,
): Promise<FederatedIdentityRow | undefined> {
  const [removed] = await q
    .delete(federatedIdentities)
    .where(subjectIs(poolId, providerName, subject))
    .returning();
  return removed;
}

/** The attribute's entries, oldest first (Cognito's JSON: `primary` a boolean, `dateCreated` epoch ms). */
export const identityEntries = (rows: FederatedIdentityRow[]): IdentityEntry[] =>
  rows.map((row) => ({
    userId: row.subject,
    providerName: row.providerName,
    providerType: row.providerType,
    issuer: null,
    primary: row.primary,
    dateCreated: row.createdAt.getTime(),
  }));

/**
 * Rewrites the user's `identities` attribute from their rows (deleted when none are left). Call
 * it in the transaction that changed the rows, after the change.
 */
export async function writeIdentitiesAttribute(q: Queryable, user: { id: string; poolId: string }): Promise<void> {
  const rows = await identitiesOfUser(q, user.id);
  await setDerivedAttribute(
    q,
    user,
    IDENTITIES_ATTRIBUTE,
    rows.length === 0 ? null : JSON.stringify(identityEntries(rows)),
  );
}

/**
 * The ID token's `identities` claim from the attribute's value: an array whose `primary` and
 * `dateCreated` are strings, as Cognito's tokens carry them. Null when the value is not ours.
 */
export function identitiesClaim(value: string): Array<Record<string, unknown>> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  return parsed.map((entry: Record<string, unknown>) => ({
    ...entry,
    primary: String(entry.primary),
    dateCreated: String(entry.dateCreated),
  }));
}
