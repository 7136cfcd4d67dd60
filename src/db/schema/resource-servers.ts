import { jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { ResourceServerScope } from '../../modules/oauth/oauth.types.ts';
import { pools } from './pools.ts';

/** Cognito's resource servers: custom scopes `<identifier>/<scope>` (docs/web-sign-in.md, "Resource servers"). */
export const resourceServers = pgTable(
  'resource_servers',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    identifier: text('identifier').notNull(),
    name: text('name').notNull(),
    scopes: jsonb('scopes').$type<ResourceServerScope[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.identifier] })],
);
