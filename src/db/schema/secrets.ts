import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Server-wide secrets generated at first start (code HMAC key, admin key hash). */
export const serverSecrets = pgTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
