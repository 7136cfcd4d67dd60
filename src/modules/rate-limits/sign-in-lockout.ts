import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import { rows } from '../../db/results.ts';
import { hashedName } from './policy.ts';

/**
 * Cognito's sign-in lockout: after `freeFailures` consecutive failed sign-ins, each further one
 * locks for 2^(n - freeFailures) seconds (1 s, 2 s, 4 s, ...) up to `maxWaitSeconds`; a success,
 * or `resetAfterSeconds` without a failure once any lock has passed, starts again from zero.
 */
export interface LockoutPolicy {
  enabled: boolean;
  freeFailures: number;
  maxWaitSeconds: number;
  resetAfterSeconds: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = {
  enabled: true,
  freeFailures: 5,
  maxWaitSeconds: 900,
  resetAfterSeconds: 900,
};

/** Who is locked: a user by id, or a name no user has (only when the client hides existence). */
export type LockoutSubject = { userId: string } | { poolId: string; unknownName: string };

export interface LockoutState {
  failures: number;
  lockedUntil: Date | null;
}

export const passwordAttemptsExceeded = () => new CognitoError('NotAuthorizedException', 'Password attempts exceeded');

/** The wait after the n-th consecutive failure, in milliseconds (0: no lock yet). */
export function lockoutWaitMs(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(1000 * 2 ** Math.min(failures - policy.freeFailures, 30), policy.maxWaitSeconds * 1000);
}

/**
 * Lockout state per user AND source address, so one address cannot lock a user out everywhere.
 * Known users live in `sign_in_lockouts`. A name no user has is counted the same way in
 * `rate_limit_counters` (failures as hits, `resets_at` as the time the state is forgotten), so
 * that a client that hides user existence answers `Password attempts exceeded` for it exactly
 * as for a real user. Time comes from `now` so tests can move it.
 */
export function createSignInLockout(deps: { db: Db; policy: LockoutPolicy; now?: () => Date }) {
  const { db, policy } = deps;
  const now = deps.now ?? (() => new Date());
  const resetMs = policy.resetAfterSeconds * 1000;

  const unknownKey = (subject: { poolId: string; unknownName: string }, source: string) =>
    `lockout:${hashedName(subject.poolId, subject.unknownName)}:${source}`;

  /** The state as of `at`, forgotten once idle long enough. */
  function current(failures: number, lockedUntil: Date | null, lastFailure: Date, at: Date): LockoutState {
    const quietSince = Math.max(lastFailure.getTime(), lockedUntil?.getTime() ?? 0);
    if (quietSince + resetMs <= at.getTime()) return { failures: 0, lockedUntil: null };
    return { failures, lockedUntil };
  }

  async function read(subject: LockoutSubject, source: string, at: Date): Promise<LockoutState> {
    if ('userId' in subject) {
      const [row] = rows(
        await db.execute(
          sql`select failures, locked_until, updated_at from sign_in_lockouts where user_id = ${subject.userId} and source = ${source}`,
        ),
      );
      if (!row) return { failures: 0, lockedUntil: null };
      return current(
        Number(row.failures),
        row.locked_until ? new Date(row.locked_until as string) : null,
        new Date(row.updated_at as string),
        at,
      );
    }
    const [row] = rows(
      await db.execute(sql`select hits, resets_at from rate_limit_counters where key = ${unknownKey(subject, source)}`),
    );
    if (!row) return { failures: 0, lockedUntil: null };
    const failures = Number(row.hits);
    const quietSince = new Date(new Date(row.resets_at as string).getTime() - resetMs);
    const lockedUntil = failures >= policy.freeFailures ? quietSince : null;
    return current(failures, lockedUntil, quietSince, at);
  }

  return {
    policy,

    /** Before the password is checked: a locked source is refused without checking it. Returns the state. */
    async check(subject: LockoutSubject, source: string): Promise<LockoutState> {
      if (!policy.enabled) return { failures: 0, lockedUntil: null };
      const at = now();
      const state = await read(subject, source, at);
      if (state.lockedUntil && state.lockedUntil.getTime() > at.getTime()) throw passwordAttemptsExceeded();
      return state;
    },

    /** A failed sign-in: one more consecutive failure, and the lock it earns (atomic). */
    async recordFailure(subject: LockoutSubject, source: string): Promise<LockoutState> {
      if (!policy.enabled) return { failures: 0, lockedUntil: null };
      const at = now();
      const atIso = at.toISOString();
      const free = policy.freeFailures;
      const maxMs = policy.maxWaitSeconds * 1000;
      // The wait after failure n, computed in the statement so concurrent failures each count.
      const lockAfter = (n: ReturnType<typeof sql>) =>
        sql`case when ${n} >= ${free}::int then ${atIso}::timestamptz + least(1000 * power(2, least(${n} - ${free}::int, 30)), ${maxMs}::float8) * interval '1 millisecond' end`;
      if ('userId' in subject) {
        const forgotten = sql`greatest(l.updated_at, coalesce(l.locked_until, l.updated_at)) + ${resetMs}::float8 * interval '1 millisecond' <= ${atIso}::timestamptz`;
        const next = sql`(case when ${forgotten} then 1 else l.failures + 1 end)`;
        const [row] = rows(
          await db.execute(sql`
            insert into sign_in_lockouts as l (user_id, source, failures, locked_until, updated_at)
            values (${subject.userId}, ${source}, 1, ${lockAfter(sql`1`)}, ${atIso}::timestamptz)
            on conflict (user_id, source) do update set
              failures = ${next}, locked_until = ${lockAfter(next)}, updated_at = ${atIso}::timestamptz
            returning failures, locked_until`),
        );
        return {
          failures: Number(row!.failures),
          lockedUntil: row!.locked_until ? new Date(row!.locked_until as string) : null,
        };
      }
      // resets_at = (the lock's end, or the failure's time) + the reset period.
      const forgotten = sql`c.resets_at <= ${atIso}::timestamptz`;
      const next = sql`(case when ${forgotten} then 1 else c.hits + 1 end)`;
      const resetsAt = (n: ReturnType<typeof sql>) =>
        sql`coalesce(${lockAfter(n)}, ${atIso}::timestamptz) + ${resetMs}::float8 * interval '1 millisecond'`;
      const [row] = rows(
        await db.execute(sql`
          insert into rate_limit_counters as c (key, hits, resets_at)
          values (${unknownKey(subject, source)}, 1, ${resetsAt(sql`1`)})
          on conflict (key) do update set hits = ${next}, resets_at = ${resetsAt(next)}
          returning hits, resets_at`),
      );
      const failures = Number(row!.hits);
      return {
        failures,
        lockedUntil: failures >= free ? new Date(new Date(row!.resets_at as string).getTime() - resetMs) : null,
      };
    },

    /** A successful sign-in from that source starts again from zero (other sources keep their state). */
    async reset(subject: LockoutSubject, source: string, state: LockoutState): Promise<void> {
      if (!policy.enabled || state.failures === 0 || !('userId' in subject)) return;
      await db.execute(sql`delete from sign_in_lockouts where user_id = ${subject.userId} and source = ${source}`);
    },

    /** Deletes states that are forgotten (known users; unknown names go with the rate-limit counters). */
    async sweep(): Promise<void> {
      const cutoff = new Date(now().getTime() - resetMs).toISOString();
      await db.execute(sql`
        delete from sign_in_lockouts where updated_at < ${cutoff}::timestamptz
          and (locked_until is null or locked_until < ${cutoff}::timestamptz)`);
    },
  };
}

export type SignInLockout = ReturnType<typeof createSignInLockout>;
