import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';
import { users } from './user-store.ts';

/** Cognito's groups: a name per pool (case-sensitive, never renamed), precedence and an IAM role ARN. */
export const groups = pgTable(
  'groups',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    /** Lower wins for cognito:preferred_role; null ranks after every number (Cognito). */
    precedence: integer('precedence'),
    roleArn: text('role_arn'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.poolId, t.name] }),
    check('groups_precedence_range', sql`${t.precedence} IS NULL OR ${t.precedence} >= 0`),
  ],
);

/** Who is in which group; goes with the group and with the user. */
export const groupMembers = pgTable(
  'group_members',
  {
    poolId: text('pool_id').notNull(),
    groupName: text('group_name').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.poolId, t.groupName, t.userId] }),
    foreignKey({ columns: [t.poolId, t.groupName], foreignColumns: [groups.poolId, groups.name] }).onDelete('cascade'),
    index('group_members_user_idx').on(t.userId),
  ],
);
