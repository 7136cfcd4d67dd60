import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { clients, pools } from './pools.ts';
import { users } from './user-store.ts';

export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    privateKeyPem: text('private_key_pem').notNull(),
    publicKeyPem: text('public_key_pem').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when a newer key replaced this one: it stays in the JWKS and verifies until then. */
    retiresAt: timestamp('retires_at', { withTimezone: true }),
  },
  (t) => [index('signing_keys_pool_idx').on(t.poolId, t.createdAt)],
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
    /** The remembered device the session was started on (docs/devices.md): `device_key` in its access tokens. */
    deviceKey: text('device_key'),
    /** The session's OAuth scopes (docs/web-sign-in.md); null: aws.cognito.signin.user.admin, as every API sign-in. */
    scopes: text('scopes').array(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash), index('refresh_tokens_user_idx').on(t.userId)],
);

/**
 * The managed login pages' session (docs/web-sign-in.md, "The login session"): after a sign-in on
 * the pages, /oauth2/authorize issues codes without asking again until it expires (one hour, as
 * Cognito's), /logout ends it, and so does anything that ends all of a user's sessions.
 */
export const loginSessions = pgTable(
  'login_sessions',
  {
    /** SHA-256 of the cookie's value. */
    tokenHash: text('token_hash').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_sessions_user_idx').on(t.userId), index('login_sessions_expires_idx').on(t.expiresAt)],
);
