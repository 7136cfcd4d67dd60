import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';
import { users } from './user-store.ts';

export const outboxStatuses = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/**
 * Messages to deliver, written in the transaction of the change that caused them.
 * pending → sending (claimed; `next_attempt_at` is then the lease) → sent | failed | cancelled,
 * or back to pending with a later `next_attempt_at` after a transient failure.
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    medium: text('medium').$type<'EMAIL' | 'SMS'>().notNull(),
    destination: text('destination').notNull(),
    /** The attribute the destination came from (email, phone_number): SMS is checked against it at send time. */
    attributeName: text('attribute_name'),
    purpose: text('purpose').notNull(),
    locale: text('locale'),
    /** AES-256-GCM of the code (or temporary password) and username; cleared once the message is settled. */
    payload: text('payload'),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    /** Tries claimed so far (the immediate send is the first). */
    attempts: integer('attempts').notNull().default(0),
    /** When pending: the earliest next try. When sending: the end of the claim's lease. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    channel: text('channel'),
    providerMessageId: text('provider_message_id'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_messages_due_idx').on(t.status, t.nextAttemptAt),
    index('outbox_messages_user_idx').on(t.userId, t.createdAt),
    check('outbox_messages_status_valid', sql`${t.status} in ('pending', 'sending', 'sent', 'failed', 'cancelled')`),
    check('outbox_messages_medium_valid', sql`${t.medium} in ('EMAIL', 'SMS')`),
  ],
);

export const deliveryOutcomes = ['sent', 'transient_failure', 'permanent_failure'] as const;
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/** Every try at an outbox message, for operators: what was tried, when, and what the provider said. */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => outboxMessages.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    channel: text('channel'),
    outcome: text('outcome').$type<DeliveryOutcome>().notNull(),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
  },
  (t) => [
    index('delivery_attempts_message_idx').on(t.messageId, t.attempt),
    check('delivery_attempts_outcome_valid', sql`${t.outcome} in ('sent', 'transient_failure', 'permanent_failure')`),
  ],
);
