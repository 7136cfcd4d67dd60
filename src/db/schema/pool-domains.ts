import { integer, pgTable, text, timestamp, uniqueIndex, boolean } from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';

/**
 * Cognito's user-pool domains (CreateUserPoolDomain): a request whose Host is one of these goes to
 * its pool (docs/web-sign-in.md, "Domains"). A pool has at most one prefix and one custom domain.
 */
export const poolDomains = pgTable(
  'pool_domains',
  {
    /** Lower-cased host name, no port. */
    domain: text('domain').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    custom: boolean('custom').notNull(),
    certificateArn: text('certificate_arn'),
    managedLoginVersion: integer('managed_login_version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('pool_domains_pool_kind_key').on(t.poolId, t.custom)],
);
