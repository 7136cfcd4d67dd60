import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { auditEvents, type AuditDetails } from '../../db/schema/audit.ts';
import { invalidParameter } from '../../errors/cognito-error.ts';
import type { UserAttributeState } from '../attributes/index.ts';
import type { Pool } from '../pools/pools.types.ts';

export type AuditActor = { kind: 'user'; clientId: string } | { kind: 'admin' };

export type AuditAction =
  | 'SIGN_UP'
  | 'CONFIRM_SIGN_UP'
  | 'UPDATE_ATTRIBUTES'
  | 'DELETE_ATTRIBUTES'
  | 'VERIFY_ATTRIBUTE'
  | 'CHANGE_PASSWORD'
  | 'RESET_PASSWORD'
  | 'SET_NEW_PASSWORD'
  | 'DELETE_USER'
  | 'ADMIN_CREATE_USER'
  | 'ADMIN_RESEND_INVITATION'
  | 'ADMIN_UPDATE_ATTRIBUTES'
  | 'ADMIN_DELETE_ATTRIBUTES'
  | 'ADMIN_CONFIRM_SIGN_UP'
  | 'ADMIN_DISABLE_USER'
  | 'ADMIN_ENABLE_USER'
  | 'ADMIN_DELETE_USER'
  | 'ADMIN_SET_USER_PASSWORD'
  | 'ADMIN_RESET_USER_PASSWORD'
  | 'IMPORT_USER'
  | 'MIGRATE_USER'
  | 'ADMIN_ADD_USER_TO_GROUP'
  | 'ADMIN_REMOVE_USER_FROM_GROUP'
  | 'DELETE_GROUP'
  | 'SET_MFA_PREFERENCE'
  | 'ADMIN_SET_MFA_PREFERENCE'
  | 'SET_UP_SOFTWARE_TOKEN'
  | 'ADMIN_LINK_PROVIDER_FOR_USER'
  | 'ADMIN_DISABLE_PROVIDER_FOR_USER';

/**
 * What changed between two states of a user's attributes: names, change kinds and verified
 * states always; values only when the pool's audit policy allows it.
 */
export function attributeChanges(
  pool: Pool,
  before: UserAttributeState,
  after: UserAttributeState,
): NonNullable<AuditDetails['attributes']> {
  const withValues = pool.policies.audit?.recordValues === true;
  const changes: NonNullable<AuditDetails['attributes']> = [];
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((n) => n !== 'sub').sort();
  for (const name of names) {
    const old = Object.hasOwn(before, name) ? before[name] : undefined;
    const now = Object.hasOwn(after, name) ? after[name] : undefined;
    const verified =
      old?.verified !== now?.verified ? { verified: { from: old?.verified ?? null, to: now?.verified ?? null } } : {};
    const value = (from?: string | null, to?: string | null) =>
      withValues ? { value: { from: from ?? null, to: to ?? null } } : {};
    if (old && !now) changes.push({ name, change: 'deleted', ...verified, ...value(old.value, null) });
    else if (now && (!old || old.value !== now.value))
      changes.push({ name, change: 'set', ...verified, ...value(old?.value, now.value) });
    else if (old && now && (old.pendingValue ?? null) !== (now.pendingValue ?? null)) {
      const pending = now.pendingValue ?? null;
      changes.push({
        name,
        change: pending === null ? 'pending_cleared' : 'pending',
        ...verified,
        ...value(old.pendingValue, pending),
      });
    } else if (Object.keys(verified).length > 0) changes.push({ name, change: 'verified', ...verified });
  }
  return changes;
}

type AuditEvent = {
  pool: Pool;
  user: { id: string; username: string };
  actor: AuditActor;
  action: AuditAction;
  details: AuditDetails;
};

/** The row of one event (bulk writers such as the import insert many at once). */
export function auditRow(event: AuditEvent): typeof auditEvents.$inferInsert {
  return {
    poolId: event.pool.id,
    userId: event.user.id,
    username: event.user.username,
    actorKind: event.actor.kind,
    clientId: event.actor.kind === 'user' ? event.actor.clientId : null,
    action: event.action,
    details: event.details,
  };
}

/** Many events in one statement (an import's users). */
export async function recordAudits(q: Queryable, rows: Array<typeof auditEvents.$inferInsert>): Promise<void> {
  if (rows.length > 0) await q.insert(auditEvents).values(rows);
}

/**
 * One event's INSERT as part of a larger statement, inserted only when `when` holds: for a writer
 * that makes its change and records it in one statement (user-store/attribute-fast-write.ts).
 * The row is auditRow's, as recordAudit's.
 */
export function auditInsertWhen(event: AuditEvent, when: SQL): SQL {
  const row = auditRow(event);
  const e = auditEvents;
  const columns = [e.poolId, e.userId, e.username, e.actorKind, e.clientId, e.action, e.details];
  return sql`insert into ${e} (${sql.join(
    columns.map((column) => sql.identifier(column.name)),
    sql`, `,
  )}) select ${row.poolId}::text, ${row.userId}::uuid, ${row.username}::text, ${row.actorKind}::text, ${row.clientId ?? null}::text, ${row.action}::text, ${JSON.stringify(row.details)}::jsonb where ${when}`;
}

export async function recordAudit(q: Queryable, event: AuditEvent): Promise<void> {
  await q.insert(auditEvents).values(auditRow(event));
}

/** A user's events, newest first, in keyset pages (stable while new events arrive). */
export async function listAudit(
  q: Queryable,
  pool: Pool,
  userId: string,
  options: { limit: number; paginationToken?: string },
) {
  let after: number | undefined;
  if (options.paginationToken) {
    after = Number(Buffer.from(options.paginationToken, 'base64url').toString('utf8'));
    if (!Number.isSafeInteger(after) || after < 1) throw invalidParameter('Invalid pagination token.');
  }
  const rows = await q
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.poolId, pool.id),
        eq(auditEvents.userId, userId),
        after === undefined ? undefined : lt(auditEvents.seq, after),
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    events: page.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      action: e.action,
      actor:
        e.actorKind === 'user'
          ? { kind: 'user' as const, clientId: e.clientId }
          : { kind: e.actorKind, clientId: null },
      details: e.details,
    })),
    ...(rows.length > options.limit && last
      ? { paginationToken: Buffer.from(String(last.seq)).toString('base64url') }
      : {}),
  };
}
