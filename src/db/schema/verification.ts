import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './user-store.ts';

export const codePurposes = ['SIGN_UP', 'VERIFY_ATTRIBUTE', 'FORGOT_PASSWORD'] as const;
export type CodePurpose = (typeof codePurposes)[number];

/** One live code per user, purpose and attribute: a new code replaces (supersedes) the row. */
export const verificationCodes = pgTable(
  'verification_codes',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose').$type<CodePurpose>().notNull(),
    attributeName: text('attribute_name').notNull(),
    /** The value the code was sent to; a code only proves ownership of that value. */
    destination: text('destination').notNull(),
    /** HMAC-SHA256 of the code under the server secret: a database leak reveals no code. */
    codeHmac: text('code_hmac').notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'verification_codes_pkey', columns: [t.userId, t.purpose, t.attributeName] }),
    check('verification_codes_purpose_valid', sql`${t.purpose} in ('SIGN_UP', 'VERIFY_ATTRIBUTE', 'FORGOT_PASSWORD')`),
  ],
);

/**
 * Code sends and confirmation attempts, counted for the per-user hourly limits. Cognito
 * limits each operation on its own (ResendConfirmationCode and GetUserAttributeVerificationCode
 * 5 an hour each, ConfirmSignUp and VerifyUserAttribute 15), so events carry their purpose.
 */
export const codeEvents = pgTable(
  'code_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'send' | 'confirm'>().notNull(),
    purpose: text('purpose').$type<CodePurpose>().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('code_events_user_kind_purpose_at_idx').on(t.userId, t.kind, t.purpose, t.at),
    check('code_events_kind_valid', sql`${t.kind} in ('send', 'confirm')`),
  ],
);
