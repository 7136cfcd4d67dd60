import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './user-store.ts';

/**
 * Request rate limits shared by every Cognate process on the database: one fixed-window counter
 * per key (route and caller, or route and target address), reset when its window has passed.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').primaryKey(),
    hits: integer('hits').notNull(),
    resetsAt: timestamp('resets_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('rate_limit_counters_resets_idx').on(t.resetsAt),
    check('rate_limit_counters_hits_positive', sql`${t.hits} > 0`),
  ],
);

/**
 * Sign-in lockout, per user and per source address: consecutive failures, and the time before
 * which that source may not try again. Keyed by source so one address cannot lock a user out
 * everywhere.
 */
export const signInLockouts = pgTable(
  'sign_in_lockouts',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    failures: integer('failures').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'sign_in_lockouts_pkey', columns: [t.userId, t.source] }),
    check('sign_in_lockouts_failures_nonnegative', sql`${t.failures} >= 0`),
  ],
);
