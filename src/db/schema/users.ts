import { sql } from 'drizzle-orm';
import { boolean, check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { clients, pools } from './pools.ts';

export const userStatuses = ['UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED'] as const;
export type UserStatus = (typeof userStatuses)[number];

export const users = pgTable(
  'users',
  {
    /** The user's `sub`. */
    id: uuid('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    username: text('username').notNull(),
    /** The username as compared: lower-cased unless the pool is case-sensitive. */
    usernameKey: text('username_key').notNull(),
    status: text('status').$type<UserStatus>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    passwordHash: text('password_hash'),
    /** SRP salt and verifier (hex), only while the pool has SRP on; see modules/srp. */
    srpSalt: text('srp_salt'),
    srpVerifier: text('srp_verifier'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_pool_username_key').on(t.poolId, t.usernameKey),
    // ListUsers (user-search.ts): keyset pages by username, by status and by enabled; "C" makes
    // a username prefix LIKE a range scan whatever the database locale.
    index('users_pool_username_search_idx').on(t.poolId, sql`(${t.usernameKey} collate "C")`, t.id),
    index('users_pool_status_idx').on(t.poolId, sql`(${t.status} collate "C")`, t.id),
    index('users_pool_enabled_idx').on(t.poolId, t.enabled, t.id),
    // The target of user_attributes' (user_id, pool_id) key.
    unique('users_id_pool_key').on(t.id, t.poolId),
    check('users_srp_pair', sql`(${t.srpSalt} is null) = (${t.srpVerifier} is null)`),
    check('users_status_valid', sql`${t.status} in ('UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED')`),
  ],
);

export const userAttributes = pgTable(
  'user_attributes',
  {
    userId: uuid('user_id').notNull(),
    /** Denormalised from users so the alias index can be per pool; user_attributes_user_fk keeps it the user's. */
    poolId: text('pool_id').notNull(),
    name: text('name').notNull(),
    value: text('value').notNull(),
    /** Only for email and phone_number. */
    verified: boolean('verified'),
    /** Keep-original mode: the new value awaiting its code. */
    pendingValue: text('pending_value'),
    /**
     * Set while this value is a sign-in alias of the user (a verified email or phone in an
     * alias pool, the email or phone of a username-attribute pool, preferred_username where it
     * is an alias): normalised for lookup. A trigger files it in sign_in_names, whose key is
     * what makes "one owner per name" hold under races (docs/security.md, "One sign-in namespace").
     */
    aliasKey: text('alias_key'),
  },
  (t) => [
    primaryKey({ name: 'user_attributes_pkey', columns: [t.userId, t.name] }),
    // (user, pool) rather than user alone: an attribute filed under another pool would escape
    // that pool's alias index and let two users share one verified alias.
    foreignKey({ name: 'user_attributes_user_fk', columns: [t.userId, t.poolId], foreignColumns: [users.id, users.poolId] }).onDelete('cascade'),
    foreignKey({ name: 'user_attributes_pool_fk', columns: [t.poolId], foreignColumns: [pools.id] }).onDelete('cascade'),
    check('user_attributes_value_length', sql`char_length(${t.value}) <= 2048`),
    // ListUsers filters (user-search.ts ATTRIBUTE_KEY, the same expression): prefix searches are
    // range scans in sort order. Cut to 256 characters so an entry always fits a btree page.
    index('user_attributes_search_idx').on(t.poolId, t.name, sql`(left(lower(${t.value}), 256) collate "C")`, t.userId),
  ],
);

/**
 * Every name a user signs in with, in one namespace per pool: the username and each alias
 * (user_attributes.alias_key). Written only by the triggers of migration 0005 from those two
 * columns, never by the code, so no writer can skip it; its primary key is what lets a name
 * resolve to at most one user (docs/security.md, "One sign-in namespace").
 */
export const signInNames = pgTable(
  'sign_in_names',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    nameKey: text('name_key').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `username`, or the attribute the alias is: email, phone_number, preferred_username. */
    source: text('source').notNull(),
  },
  (t) => [
    primaryKey({ name: 'sign_in_names_pkey', columns: [t.poolId, t.nameKey] }),
    index('sign_in_names_user_idx').on(t.userId),
    check('sign_in_names_source_valid', sql`${t.source} in ('username', 'email', 'phone_number', 'preferred_username')`),
  ],
);

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

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    /** The session id: access and ID tokens carry it as `origin_jti`. */
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** SHA-256 of the opaque token: only the holder knows the token itself. */
    tokenHash: text('token_hash').notNull(),
    authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash), index('refresh_tokens_user_idx').on(t.userId)],
);

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
