/**
 * Cognito's user pool groups: a name per pool, a description, a precedence and an IAM role ARN,
 * and who is in each (docs/groups.md). Both faces call this service; tokens read a user's groups
 * through `claimsFor` only when they are signed.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { groupMembers, groups } from '../../db/schema/groups.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { recordAudit, recordAudits, auditRow } from '../audit/audit.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { Pool } from '../pools/pools.types.ts';
import { presentUsersByIds, usernamesByIds } from '../user-store/user-search.ts';
import { findUserBySignInName, type UserRow } from '../user-store/users.repository.ts';
import type { Group, GroupClaims, GroupInput, GroupPatch, GroupTransfer, PageInput } from './groups.types.ts';

/** Cognito's limits (API reference, CreateGroup and the List* actions). */
export const GROUP_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
export const ROLE_ARN_PATTERN =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;
export const MAX_PRECEDENCE = 2 ** 31 - 1;
export const MAX_GROUP_PAGE = 60;

const groupNotFound = () => new CognitoError('ResourceNotFoundException', 'Group not found.');
const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');
const admin = { kind: 'admin' } as const;

function checkName(name: string): void {
  if (name.length < 1 || name.length > 128 || !GROUP_NAME_PATTERN.test(name))
    throw invalidParameter(
      'groupName must be 1 to 128 letters, marks, symbols, numbers or punctuation (no spaces or control characters).',
    );
}

function checkSettings(input: GroupPatch): void {
  if (input.description != null && input.description.length > 2048)
    throw invalidParameter('description must be at most 2048 characters.');
  if (
    input.precedence != null &&
    (!Number.isInteger(input.precedence) || input.precedence < 0 || input.precedence > MAX_PRECEDENCE)
  )
    throw invalidParameter(`precedence must be an integer from 0 to ${MAX_PRECEDENCE}.`);
  if (
    input.roleArn != null &&
    (input.roleArn.length < 20 || input.roleArn.length > 2048 || !ROLE_ARN_PATTERN.test(input.roleArn))
  )
    throw invalidParameter(
      'roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), 20 to 2048 characters.',
    );
}

/** Opaque page tokens: the last key shown, so a listing goes on correctly after changes between pages. */
const pageToken = {
  issue: (kind: 'g' | 'u', key: string) => Buffer.from(JSON.stringify({ [kind]: key })).toString('base64url'),
  read(kind: 'g' | 'u', token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
      const key = parsed[kind];
      if (typeof key === 'string' && key !== '' && Object.keys(parsed).length === 1) return key;
    } catch {
      // fall through
    }
    throw invalidParameter('Invalid NextToken.');
  },
};

function pageSize(limit: number | undefined): number {
  // Cognito's Limit is 0 to 60; 0 and absent both mean the largest page.
  if (limit === undefined || limit === 0) return MAX_GROUP_PAGE;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_GROUP_PAGE)
    throw invalidParameter(`limit must be an integer from 0 to ${MAX_GROUP_PAGE}.`);
  return limit;
}

/** The group row of a pool, or ResourceNotFoundException. */
async function findGroup(q: Queryable, poolId: string, name: string): Promise<Group> {
  const [row] = await q
    .select()
    .from(groups)
    .where(and(eq(groups.poolId, poolId), eq(groups.name, name)));
  if (!row) throw groupNotFound();
  return row;
}

/** A foreign-key violation (23503): the row a membership points at went away meanwhile. */
function foreignKeyViolation(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === '23503') return typeof constraint === 'string' ? constraint : 'unknown';
  }
  return undefined;
}

/**
 * What tokens carry (docs/groups.md, "Tokens"): names by precedence (nulls last) then name; the
 * distinct roles in that order; the preferred role is the role of the lowest-precedence group
 * that has one, unset when groups tied at that precedence name different roles.
 */
export function groupClaims(memberOf: Array<Pick<Group, 'name' | 'precedence' | 'roleArn'>>): GroupClaims {
  const rank = (p: number | null) => (p === null ? Infinity : p);
  const sorted = [...memberOf].sort(
    (a, b) => rank(a.precedence) - rank(b.precedence) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const roles = [...new Set(sorted.flatMap((g) => (g.roleArn ? [g.roleArn] : [])))];
  const withRole = sorted.filter((g) => g.roleArn);
  let preferredRole: string | undefined;
  if (withRole.length > 0) {
    const best = rank(withRole[0]!.precedence);
    const tied = new Set(withRole.filter((g) => rank(g.precedence) === best).map((g) => g.roleArn!));
    if (tied.size === 1) preferredRole = [...tied][0];
  }
  return { groups: sorted.map((g) => g.name), roles, ...(preferredRole !== undefined && { preferredRole }) };
}

export function createGroupsService(deps: { db: Db; reader?: Db; pools: Pick<PoolsService, 'getPool'> }) {
  const { db } = deps;
  const reader = deps.reader ?? db;

  /** The user an admin call names: the username or a sign-in alias, as Cognito's admin actions accept. */
  async function targetUser(pool: Pool, username: string): Promise<UserRow> {
    const user = await findUserBySignInName(db, pool, username);
    if (!user) throw userNotFound();
    return user;
  }

  return {
    async createGroup(poolId: string, input: GroupInput): Promise<Group> {
      checkName(input.name);
      checkSettings(input);
      const pool = await deps.pools.getPool(poolId);
      try {
        const [row] = await db
          .insert(groups)
          .values({
            poolId: pool.id,
            name: input.name,
            description: input.description ?? null,
            precedence: input.precedence ?? null,
            roleArn: input.roleArn ?? null,
          })
          .returning();
        return row!;
      } catch (error) {
        if (uniqueViolation(error) !== undefined)
          throw new CognitoError('GroupExistsException', `A group with the name ${input.name} already exists.`);
        throw error;
      }
    },

    async getGroup(poolId: string, name: string): Promise<Group> {
      const pool = await deps.pools.getPool(poolId);
      return findGroup(db, pool.id, name);
    },

    /** ListGroups: by name, in keyset pages. */
    async listGroups(poolId: string, page: PageInput = {}) {
      const limit = pageSize(page.limit);
      const after = pageToken.read('g', page.nextToken);
      const pool = await deps.pools.getPool(poolId);
      const rows = await reader
        .select()
        .from(groups)
        .where(and(eq(groups.poolId, pool.id), after === undefined ? undefined : gt(groups.name, after)))
        .orderBy(sql`${groups.name} collate "C"`)
        .limit(limit + 1);
      const shown = rows.slice(0, limit);
      return {
        groups: shown,
        ...(rows.length > limit && { nextToken: pageToken.issue('g', shown.at(-1)!.name) }),
      };
    },

    /** UpdateGroup: an absent member keeps its value; null clears it (REST). */
    async updateGroup(poolId: string, name: string, patch: GroupPatch): Promise<Group> {
      checkSettings(patch);
      const pool = await deps.pools.getPool(poolId);
      const [row] = await db
        .update(groups)
        .set({
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.precedence !== undefined && { precedence: patch.precedence }),
          ...(patch.roleArn !== undefined && { roleArn: patch.roleArn }),
          updatedAt: sql`now()`,
        })
        .where(and(eq(groups.poolId, pool.id), eq(groups.name, name)))
        .returning();
      if (!row) throw groupNotFound();
      return row;
    },

    /** DeleteGroup: the memberships go with it (foreign key), each recorded on its user's audit trail. */
    async deleteGroup(poolId: string, name: string): Promise<void> {
      const pool = await deps.pools.getPool(poolId);
      await db.transaction(async (tx) => {
        // The row locked first: no membership can be added while its members are read.
        const [row] = await tx
          .select({ name: groups.name })
          .from(groups)
          .where(and(eq(groups.poolId, pool.id), eq(groups.name, name)))
          .for('update');
        if (!row) throw groupNotFound();
        const members = await tx
          .select({ userId: groupMembers.userId })
          .from(groupMembers)
          .where(and(eq(groupMembers.poolId, pool.id), eq(groupMembers.groupName, name)));
        const named = await usernamesByIds(
          tx,
          members.map((m) => m.userId),
        );
        await tx.delete(groups).where(and(eq(groups.poolId, pool.id), eq(groups.name, name)));
        await recordAudits(
          tx,
          named.map((user) =>
            auditRow({
              pool,
              user,
              actor: admin,
              action: 'DELETE_GROUP',
              details: { group: { name, change: 'removed' } },
            }),
          ),
        );
      });
    },

    async addUserToGroup(poolId: string, username: string, groupName: string): Promise<void> {
      const pool = await deps.pools.getPool(poolId);
      const user = await targetUser(pool, username);
      await db.transaction(async (tx) => {
        await findGroup(tx, pool.id, groupName);
        let added: unknown[];
        try {
          added = await tx
            .insert(groupMembers)
            .values({ poolId: pool.id, groupName, userId: user.id })
            .onConflictDoNothing()
            .returning({ userId: groupMembers.userId });
        } catch (error) {
          const fk = foreignKeyViolation(error);
          if (fk === undefined) throw error;
          throw fk === 'group_members_user_id_users_id_fk' ? userNotFound() : groupNotFound();
        }
        if (added.length > 0)
          await recordAudit(tx, {
            pool,
            user,
            actor: admin,
            action: 'ADMIN_ADD_USER_TO_GROUP',
            details: { group: { name: groupName, change: 'added' } },
          });
      });
    },

    async removeUserFromGroup(poolId: string, username: string, groupName: string): Promise<void> {
      const pool = await deps.pools.getPool(poolId);
      const user = await targetUser(pool, username);
      await db.transaction(async (tx) => {
        await findGroup(tx, pool.id, groupName);
        const removed = await tx
          .delete(groupMembers)
          .where(
            and(
              eq(groupMembers.poolId, pool.id),
              eq(groupMembers.groupName, groupName),
              eq(groupMembers.userId, user.id),
            ),
          )
          .returning({ userId: groupMembers.userId });
        if (removed.length > 0)
          await recordAudit(tx, {
            pool,
            user,
            actor: admin,
            action: 'ADMIN_REMOVE_USER_FROM_GROUP',
            details: { group: { name: groupName, change: 'removed' } },
          });
      });
    },

    /** AdminListGroupsForUser: the user's groups by name, in keyset pages. */
    async listGroupsForUser(poolId: string, username: string, page: PageInput = {}) {
      const limit = pageSize(page.limit);
      const after = pageToken.read('g', page.nextToken);
      const pool = await deps.pools.getPool(poolId);
      const user = await targetUser(pool, username);
      const rows = await reader
        .select({ group: groups })
        .from(groupMembers)
        .innerJoin(groups, and(eq(groups.poolId, groupMembers.poolId), eq(groups.name, groupMembers.groupName)))
        .where(
          and(
            eq(groupMembers.userId, user.id),
            eq(groupMembers.poolId, pool.id),
            after === undefined ? undefined : gt(groupMembers.groupName, after),
          ),
        )
        .orderBy(sql`${groupMembers.groupName} collate "C"`)
        .limit(limit + 1);
      const shown = rows.slice(0, limit).map((r) => r.group);
      return {
        groups: shown,
        ...(rows.length > limit && { nextToken: pageToken.issue('g', shown.at(-1)!.name) }),
      };
    },

    /** ListUsersInGroup: the members, presented whole, in keyset pages by user id. */
    async listUsersInGroup(poolId: string, groupName: string, page: PageInput = {}) {
      const limit = pageSize(page.limit);
      const after = pageToken.read('u', page.nextToken);
      if (after !== undefined && !/^[0-9a-f-]{36}$/.test(after)) throw invalidParameter('Invalid NextToken.');
      const pool = await deps.pools.getPool(poolId);
      await findGroup(reader, pool.id, groupName);
      const rows = await reader
        .select({ userId: groupMembers.userId })
        .from(groupMembers)
        .where(
          and(
            eq(groupMembers.poolId, pool.id),
            eq(groupMembers.groupName, groupName),
            after === undefined ? undefined : gt(groupMembers.userId, after),
          ),
        )
        .orderBy(asc(groupMembers.userId))
        .limit(limit + 1);
      const ids = rows.slice(0, limit).map((r) => r.userId);
      return {
        users: await presentUsersByIds(reader, pool, ids),
        ...(rows.length > limit && { nextToken: pageToken.issue('u', ids.at(-1)!) }),
      };
    },

    /**
     * What the tokens of a user carry: one query, run only when tokens are signed (sign-in,
     * refresh), never on an authenticated request (docs/groups.md, "Tokens").
     */
    async claimsFor(q: Queryable, poolId: string, userId: string): Promise<GroupClaims> {
      const rows = await q
        .select({ name: groups.name, precedence: groups.precedence, roleArn: groups.roleArn })
        .from(groupMembers)
        .innerJoin(groups, and(eq(groups.poolId, groupMembers.poolId), eq(groups.name, groupMembers.groupName)))
        .where(and(eq(groupMembers.userId, userId), eq(groupMembers.poolId, poolId)));
      return groupClaims(rows);
    },

    // ---- Export and import (user-store's user-transfer.ts gets these as its TransferGroupsPort) ----

    /** Every group of a pool, by name. */
    async listGroupsForTransfer(q: Queryable, poolId: string): Promise<GroupTransfer[]> {
      const all = await q.select().from(groups).where(eq(groups.poolId, poolId)).orderBy(asc(groups.name));
      return all.map((g) => ({
        name: g.name,
        description: g.description,
        precedence: g.precedence,
        roleArn: g.roleArn,
      }));
    },

    /** The groups of each of these users, by name. */
    async membershipsOf(q: Queryable, poolId: string, userIds: string[]): Promise<Map<string, string[]>> {
      const members = new Map<string, string[]>();
      if (userIds.length === 0) return members;
      const rows = await q
        .select({ userId: groupMembers.userId, groupName: groupMembers.groupName })
        .from(groupMembers)
        .where(and(eq(groupMembers.poolId, poolId), inArray(groupMembers.userId, userIds)))
        .orderBy(asc(groupMembers.groupName));
      for (const row of rows) members.set(row.userId, [...(members.get(row.userId) ?? []), row.groupName]);
      return members;
    },

    /** Which of these names are groups of the pool. */
    async existingGroups(q: Queryable, poolId: string, names: string[]): Promise<Set<string>> {
      if (names.length === 0) return new Set();
      const rows = await q
        .select({ name: groups.name })
        .from(groups)
        .where(and(eq(groups.poolId, poolId), inArray(groups.name, names)));
      return new Set(rows.map((r) => r.name));
    },

    /** Creates the groups an import names that the pool lacks (existing ones are left as they are). */
    async ensureGroups(q: Queryable, poolId: string, list: GroupTransfer[]): Promise<void> {
      for (const g of list) {
        checkName(g.name);
        checkSettings(g);
      }
      if (list.length === 0) return;
      await q
        .insert(groups)
        .values(
          list.map((g) => ({
            poolId,
            name: g.name,
            description: g.description,
            precedence: g.precedence,
            roleArn: g.roleArn,
          })),
        )
        .onConflictDoNothing();
    },

    /** Adds imported users to groups the caller checked exist (existingGroups), each on its audit trail. */
    async addMemberships(
      q: Queryable,
      pool: Pool,
      memberships: Array<{ userId: string; username: string; groups: string[] }>,
    ): Promise<void> {
      if (memberships.length === 0) return;
      const rows = memberships.flatMap((m) =>
        m.groups.map((groupName) => ({ poolId: pool.id, groupName, userId: m.userId })),
      );
      await q.insert(groupMembers).values(rows).onConflictDoNothing();
      await recordAudits(
        q,
        memberships.flatMap((m) =>
          m.groups.map((name) =>
            auditRow({
              pool,
              user: { id: m.userId, username: m.username },
              actor: admin,
              action: 'ADMIN_ADD_USER_TO_GROUP',
              details: { group: { name, change: 'added' } },
            }),
          ),
        ),
      );
    },
  };
}

export type GroupsService = ReturnType<typeof createGroupsService>;
