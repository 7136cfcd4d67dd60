import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { clients, pools } from './pools.ts';
import { users } from './user-store.ts';

/**
 * Sign-ins between challenges that must keep state the client may not see or replay (custom
 * authentication's challenge history and private parameters): one row per live session, found by
 * the hash of the opaque `Session` the client holds, replaced by a new one at every answer.
 */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: uuid('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** Null while the sign-in names no known user (a client that hides existence gets a stand-in). */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** What the flow needs to go on (challenges so far and their results, private parameters). */
    state: jsonb('state').$type<Record<string, unknown>>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('auth_sessions_expires_idx').on(t.expiresAt), index('auth_sessions_user_idx').on(t.userId)],
);
