import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { userAttributes, userStatuses, users } from '../../db/schema/user-store.ts';
import { invalidParameter } from '../../errors/cognito-error.ts';
import type { UserAttributeState } from '../attributes/index.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { Pool } from '../pools/pools.types.ts';
import { presentUser } from './present-user.ts';
import { FilterSyntaxError, formatUserFilter, parseUserFilter, type UserFilter } from './user-filter.ts';
import { usernameKey } from './users.repository.ts';

export const MAX_PAGE_SIZE = 60;

/** Cognito's filterable standard attributes (docs/cognito-attributes.md §9), all compared case-insensitively. */
const STANDARD_SEARCHABLE = ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username'];

/**
 * The sort (and search) key of attribute values. The same expression backs
 * user_attributes_search_idx: lower-cased for case-insensitive search, "C" collation so that a
 * prefix LIKE is an index range scan and the order is the byte order whatever the database
 * locale, cut to 256 characters so the btree entry always fits (a filter is at most 256 long).
 */
const ATTRIBUTE_KEY = sql`(left(lower(a.value), 256) collate "C")`;
const USERNAME_KEY = sql`(u.username_key collate "C")`;
const STATUS_KEY = sql`(u.status collate "C")`;
const ENABLED_KEY = sql`u.enabled`;

export interface SearchUsersInput {
  filter?: string;
  limit?: number;
  paginationToken?: string;
  attributesToGet?: string[];
}

type CursorKey = string | boolean | null;
interface Cursor {
  /** The last returned user's sort key (null when the sort is by id alone). */
  k: CursorKey;
  /** The last returned user's id: the tie-breaker. */
  i: string;
}

/** What a search asks of the database: where to look, how to match, how to order. */
type Plan =
  | { table: 'attributes'; name: string; match: SQL }
  | { table: 'users'; key: SQL | null; keyType: 'text' | 'boolean' | null; match: SQL | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOTHING = sql`false`;

/** The names a pool lets ListUsers filter on: Cognito's list, plus custom attributes marked searchable. */
export function searchableNames(pool: Pool): string[] {
  const custom = pool.attributeSettings.schema.filter((d) => d.searchable).map((d) => d.name);
  return ['username', ...STANDARD_SEARCHABLE, 'cognito:user_status', 'status', 'sub', ...custom];
}

function likePrefix(value: string): string {
  return `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Statuses and `Enabled`/`Disabled` are a handful of known words: match them here, search by the matches. */
function matchWords<T extends string>(words: readonly T[], filter: UserFilter, normalise: (s: string) => string): T[] {
  const value = normalise(filter.value);
  return words.filter((word) =>
    filter.operator === '=' ? normalise(word) === value : normalise(word).startsWith(value),
  );
}

/** sub ^= "3fa8": the range of uuids with that text prefix (padded with 0s, then with fs), or nothing. */
function subRange(prefix: string): [string, string] | null {
  const template = '00000000-0000-0000-0000-000000000000';
  const low = prefix + template.slice(prefix.length);
  const high = prefix + template.slice(prefix.length).replace(/0/g, 'f');
  return prefix.length <= template.length && UUID.test(low) && UUID.test(high) ? [low, high] : null;
}

export function planSearch(pool: Pool, filter: UserFilter | null): Plan {
  if (!filter) return { table: 'users', key: USERNAME_KEY, keyType: 'text', match: null };
  const { name, operator, value } = filter;
  switch (name) {
    case 'username': {
      // Cognito compares usernames case-sensitively; Cognate's usernames follow the pool's case rule.
      const key = usernameKey(pool, value);
      const match = operator === '=' ? sql`${USERNAME_KEY} = ${key}` : sql`${USERNAME_KEY} like ${likePrefix(key)}`;
      return { table: 'users', key: USERNAME_KEY, keyType: 'text', match };
    }
    case 'cognito:user_status': {
      const statuses = matchWords(userStatuses, filter, (s) => s.toUpperCase());
      const match = statuses.length
        ? sql`u.status in (${sql.join(
            statuses.map((s) => sql`${s}`),
            sql`, `,
          )})`
        : NOTHING;
      return { table: 'users', key: STATUS_KEY, keyType: 'text', match };
    }
    case 'status': {
      const words = matchWords(['Disabled', 'Enabled'] as const, filter, (s) => s);
      const match =
        words.length === 2 ? null : words.length === 1 ? sql`u.enabled = ${words[0] === 'Enabled'}` : NOTHING;
      return { table: 'users', key: ENABLED_KEY, keyType: 'boolean', match };
    }
    case 'sub': {
      const sub = value.toLowerCase();
      let match = NOTHING;
      if (operator === '=' && UUID.test(sub)) match = sql`u.id = ${sub}::uuid`;
      const range = operator === '^=' ? subRange(sub) : null;
      if (range) match = sql`u.id between ${range[0]}::uuid and ${range[1]}::uuid`;
      return { table: 'users', key: null, keyType: null, match };
    }
  }
  if (!searchableNames(pool).includes(name)) {
    const custom = /^(dev:)?custom:/.test(name) && pool.attributeSettings.schema.some((d) => d.name === name);
    throw invalidParameter(
      custom
        ? `Invalid search attribute: ${name} is not searchable; mark the custom attribute searchable to filter on it.`
        : `Invalid search attribute: ${name}. Searchable: ${searchableNames(pool).join(', ')}.`,
    );
  }
  // Both sides lower-cased by the database, so search and index agree whatever its locale does to case.
  const match =
    operator === '='
      ? sql`${ATTRIBUTE_KEY} = left(lower(${value}), 256) and lower(a.value) = lower(${value})`
      : sql`${ATTRIBUTE_KEY} like lower(${likePrefix(value)})`;
  return { table: 'attributes', name, match };
}

/** The ids (and sort keys) of one page plus one, in order: the extra row says whether more follow. */
export function pageQuery(pool: Pool, plan: Plan, cursor: Cursor | null, take: number): SQL {
  if (plan.table === 'attributes') {
    const after = cursor ? sql` and (${ATTRIBUTE_KEY}, a.user_id) > (${cursor.k}::text, ${cursor.i}::uuid)` : sql``;
    return sql`select a.user_id as id, ${ATTRIBUTE_KEY} as k from user_attributes a
      where a.pool_id = ${pool.id} and a.name = ${plan.name} and ${plan.match}${after}
      order by ${ATTRIBUTE_KEY}, a.user_id limit ${take}`;
  }
  const where = [sql`u.pool_id = ${pool.id}`];
  if (plan.match) where.push(plan.match);
  if (cursor && plan.key) {
    const k = plan.keyType === 'boolean' ? sql`${cursor.k}::boolean` : sql`${cursor.k}::text`;
    where.push(sql`(${plan.key}, u.id) > (${k}, ${cursor.i}::uuid)`);
  } else if (cursor) where.push(sql`u.id > ${cursor.i}::uuid`);
  const key = plan.key ?? sql`null`;
  const order = plan.key ? sql`${plan.key}, u.id` : sql`u.id`;
  return sql`select u.id, ${key} as k from users u where ${sql.join(where, sql` and `)} order by ${order} limit ${take}`;
}

/** Pagination tokens: the position after the last user returned, bound to the pool and filter, HMAC-signed. */
function createTokens(secret: string) {
  // A key of its own, derived from the server secret: tokens can never stand in for codes.
  const key = createHmac('sha256', secret).update('cognate:list-users:pagination-token').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  const bad = () => invalidParameter('Invalid pagination token.');
  return {
    issue(scope: string, cursor: Cursor): string {
      const payload = Buffer.from(JSON.stringify({ s: scope, k: cursor.k, i: cursor.i })).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    read(token: string, scope: string, keyType: 'text' | 'boolean' | null): Cursor {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined) throw bad();
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad();
      let data: { s?: unknown; k?: unknown; i?: unknown };
      try {
        data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw bad();
      }
      if (data.s !== scope) {
        throw invalidParameter(
          'The pagination token belongs to another search (another pool or filter): repeat the parameters that returned it.',
        );
      }
      const keyOk = keyType === null ? data.k === null : typeof data.k === (keyType === 'text' ? 'string' : 'boolean');
      if (!keyOk || typeof data.i !== 'string' || !UUID.test(data.i)) throw bad();
      return { k: data.k as CursorKey, i: data.i };
    },
  };
}

function checkAttributesToGet(pool: Pool, names: string[] | undefined): Set<string> | null {
  if (!names || names.length === 0) return null;
  const known = new Set(pool.attributeSettings.schema.map((d) => d.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length)
    throw invalidParameter(
      `attributesToGet: unknown attribute ${unknown.map((n) => `'${n}'`).join(', ')} in this pool.`,
    );
  return new Set(names);
}

/**
 * ListUsers: one page of a pool's users matching a filter, sorted by the filtered attribute then
 * by id (by username without a filter). Keyset pagination: the token holds the last position,
 * so users added or deleted between pages never make another user appear twice or go missing.
 */
export async function searchUsers(q: Queryable, pool: Pool, input: SearchUsersInput, secret: string) {
  const limit = input.limit ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalidParameter(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  let filter: UserFilter | null;
  try {
    filter = parseUserFilter(input.filter ?? '');
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw invalidParameter(error.message);
    throw error;
  }
  const wanted = checkAttributesToGet(pool, input.attributesToGet);
  const plan = planSearch(pool, filter);
  const tokens = createTokens(secret);
  const scope = createHash('sha256')
    .update(`${pool.id}\n${filter ? formatUserFilter(filter) : ''}`)
    .digest('base64url')
    .slice(0, 22);
  const keyType = plan.table === 'attributes' ? 'text' : plan.keyType;
  const cursor = input.paginationToken ? tokens.read(input.paginationToken, scope, keyType) : null;

  const result = await q.execute(pageQuery(pool, plan, cursor, limit + 1));
  const rows = (result as unknown as { rows: Array<{ id: string; k: CursorKey }> }).rows;
  const page = rows.slice(0, limit);
  const ids = page.map((row) => row.id);

  const presented = await presentUsersByIds(q, pool, ids);
  if (wanted)
    for (const shown of presented)
      shown.attributes = Object.fromEntries(Object.entries(shown.attributes).filter(([name]) => wanted.has(name)));
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  return {
    users: presented,
    ...(more && { paginationToken: tokens.issue(scope, { k: keyType === null ? null : last.k, i: last.id }) }),
  };
}

/**
 * Users of a pool by id, presented whole, in the order given (ListUsers' pages, ListUsersInGroup).
 * Two reads; a user deleted between them is simply left out.
 */
export async function presentUsersByIds(q: Queryable, pool: Pool, ids: string[]) {
  if (ids.length === 0) return [];
  const found = await q
    .select()
    .from(users)
    .where(and(inArray(users.id, ids), eq(users.poolId, pool.id)));
  const attributes = await q.select().from(userAttributes).where(inArray(userAttributes.userId, ids));
  const states = new Map<string, UserAttributeState>(ids.map((id) => [id, { sub: { value: id } }]));
  for (const row of attributes) {
    states.get(row.userId)![row.name] = {
      value: row.value,
      ...(row.verified !== null && { verified: row.verified }),
      ...(row.pendingValue !== null && { pendingValue: row.pendingValue }),
    };
  }
  const byId = new Map(found.map((user) => [user.id, user]));
  const presented = [];
  for (const id of ids) {
    const user = byId.get(id);
    if (user) presented.push(presentUser(pool, user, states.get(id)!));
  }
  return presented;
}

/** Users' ids and usernames (a deleted group's members, for their audit trails). */
export async function usernamesByIds(q: Queryable, ids: string[]): Promise<Array<{ id: string; username: string }>> {
  if (ids.length === 0) return [];
  return q.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, ids));
}

/** The service the routes use: resolves the pool (404 when unknown), then searches. */
export function createUserSearchService(deps: { db: Queryable; pools: Pick<PoolsService, 'getPool'>; secret: string }) {
  return {
    async listUsers(poolId: string, input: SearchUsersInput) {
      const pool = await deps.pools.getPool(poolId);
      return searchUsers(deps.db, pool, input, deps.secret);
    },
  };
}

export type UserSearchService = ReturnType<typeof createUserSearchService>;
