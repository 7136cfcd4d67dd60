import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';

/**
 * The secrets a pool's hook calls are signed with (Standard Webhooks). Kept encrypted with the
 * server's key, since signing needs the secret itself; a rotation leaves the previous one live
 * until `retiresAt`, and calls carry a signature by each live secret.
 */
export const hookSecrets = pgTable(
  'hook_secrets',
  {
    id: uuid('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    sealedSecret: text('sealed_secret').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiresAt: timestamp('retires_at', { withTimezone: true }),
  },
  (t) => [index('hook_secrets_pool_idx').on(t.poolId)],
);
