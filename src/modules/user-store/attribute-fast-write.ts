import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { rows } from '../../db/results.ts';
import { userAttributes, users } from '../../db/schema/user-store.ts';
import {
  VERIFIABLE_ATTRIBUTES,
  VERIFIED_FLAGS,
  type UpdatePlan,
  type UserAttributeState,
} from '../attributes/index.ts';
import type { Pool } from '../pools/pools.types.ts';
import { aliasKeyOf } from './users.repository.ts';

/**
 * The common attribute update in one statement (docs/performance.md, "PATCH"): plain sets and
 * deletes planned against the state the caller already read, written only if that state still
 * holds under the user's lock. One statement is its own transaction, so it is safe behind a
 * transaction pooler, and costs one round trip instead of seven.
 */

/** email, phone_number and their verified flags. */
const VERIFIABLE = new Set<string>([...VERIFIABLE_ATTRIBUTES, ...Object.values(VERIFIED_FLAGS)]);

/**
 * Whether a plan may take the one-statement write: only sets and deletes of attributes other than
 * email and phone_number, and no set that makes a sign-in alias (preferred_username where it is
 * one), so no alias lock, pending value, verified flag or code is involved. Such a plan depends
 * only on the stored rows of the names it was given (attribute-engine.ts, planUpdate), which is
 * what writeAttributesIfUnchanged checks.
 */
export function fastWritable(pool: Pool, changes: Record<string, string>, plan: UpdatePlan): boolean {
  if (Object.keys(changes).some((name) => VERIFIABLE.has(name))) return false;
  if (Object.keys(plan.pending).length + plan.clearPending.length + plan.codesFor.length > 0) return false;
  if (Object.keys(plan.verified).length > 0) return false;
  return Object.entries(plan.set).every(([name, value]) => aliasKeyOf(pool, name, value, false) === null);
}

/** The attributes as a fast-writable plan leaves them (applyPlan's result for such a plan). */
export function stateAfter(state: UserAttributeState, plan: Pick<UpdatePlan, 'set' | 'delete'>): UserAttributeState {
  const after: UserAttributeState = { ...state };
  for (const name of plan.delete) delete after[name];
  for (const [name, value] of Object.entries(plan.set)) after[name] = { value };
  return after;
}

export interface FastAttributeWrite {
  pool: Pool;
  userId: string;
  /** The state the plan was made from; the rows of `names` must still hold it. */
  state: UserAttributeState;
  /** Every name the request gave (set, deleted or unchanged alike): the plan depends on their rows. */
  names: string[];
  plan: Pick<UpdatePlan, 'set' | 'delete'>;
  /** The audit record's INSERT, run only when `when` holds (audit.ts, auditInsertWhen). */
  audit?: (when: SQL) => SQL;
}

/** The stored row of a name as the check compares it: [value, verified, pending value]. */
const checkedRow = (stored: UserAttributeState[string]) => [
  stored.value,
  stored.verified ?? null,
  stored.pendingValue ?? null,
];

/**
 * Takes the user's row lock only if the given names' rows are still as `state` has them, and
 * then deletes, upserts, moves users.updated_at and records the audit row: all in one statement.
 * Returns false, having written nothing, when the user is gone or anything checked changed; the
 * caller then takes the transactional path.
 *
 * Every part of one statement reads the snapshot it began with, taken before any wait for the
 * lock; only the locked row is read again at its newest version (and its conditions re-checked).
 * So the lock's condition also asks for the row version of the snapshot (same xmin): if a writer
 * committed since, the row is not the snapshot's and the snapshot's attribute rows may be stale,
 * since every write of an attribute other than email and phone_number also writes the user's row
 * (updated_at: applyPlan, setDerivedAttribute, AdminDeleteUserAttributes). Every write below
 * depends on the lock's result, so nothing is written when it fails.
 */
export async function writeAttributesIfUnchanged(q: Queryable, write: FastAttributeWrite): Promise<boolean> {
  const { pool, userId, state, names, plan, audit } = write;
  const expected: Record<string, unknown[]> = {};
  for (const name of names) if (Object.hasOwn(state, name)) expected[name] = checkedRow(state[name]!);
  const sets = Object.entries(plan.set);
  const ua = userAttributes;
  const unchanged = sql`${users.id} = ${userId}
    and ${users}.xmin = (select ${users}.xmin from ${users} where ${users.id} = ${userId})
    and (
      select coalesce(jsonb_object_agg(${ua.name}, jsonb_build_array(${ua.value}, ${ua.verified}, ${ua.pendingValue})), '{}'::jsonb)
      from ${ua}
      where ${ua.userId} = ${userId} and ${ua.name} = any(${toTextArray(names)})
    ) = ${JSON.stringify(expected)}::jsonb`;
  // The lock: as applyPlan, updated_at moves only when a row changes; otherwise the row is only locked.
  const locked =
    sets.length + plan.delete.length > 0
      ? sql`update ${users} set updated_at = now() where ${unchanged} returning 1`
      : sql`select 1 from ${users} where ${unchanged} for update`;
  const when = sql`exists (select 1 from locked)`;
  // A blank value deletes; the rest are plain values: no alias key, flag or pending value (fastWritable).
  const deleted = sql`, deleted as (
      delete from ${ua}
      where ${ua.userId} = ${userId} and ${ua.name} = any(${toTextArray(plan.delete)}) and ${when}
    )`;
  const upserted = sql`, upserted as (
      insert into ${ua} (user_id, pool_id, name, value, verified, pending_value, alias_key)
      select ${userId}::uuid, ${pool.id}::text, s.key, s.value, null, null, null
      from jsonb_each_text(${JSON.stringify(plan.set)}::jsonb) s
      where ${when}
      on conflict (user_id, name) do update
        set value = excluded.value, verified = null, pending_value = null, alias_key = null
    )`;
  const result = await q.execute(sql`
    with locked as (${locked})${plan.delete.length > 0 ? deleted : sql``}${sets.length > 0 ? upserted : sql``}${
      audit ? sql`, audited as (${audit(when)})` : sql``
    }
    select ${when} as applied`);
  return rows(result)[0]?.applied === true;
}

/** Names as one text[] parameter (in a template, drizzle would spread the array into many). */
const toTextArray = (names: string[]) => sql`${sql.param(names)}::text[]`;
