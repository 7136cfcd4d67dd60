import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { clients, pools } from './pools.ts';
import { users } from './user-store.ts';

/**
 * Authorization codes of /oauth2/authorize (docs/web-sign-in.md): single-use (taken with a
 * DELETE … RETURNING), short-lived, bound to the client, the redirect URI and the PKCE challenge.
 * Found by the SHA-256 of the code: only its holder knows the code itself.
 */
export const oauthCodes = pgTable(
  'oauth_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    redirectUri: text('redirect_uri').notNull(),
    scopes: text('scopes').array().notNull(),
    nonce: text('nonce'),
    codeChallenge: text('code_challenge'),
    codeChallengeMethod: text('code_challenge_method'),
    /** When the user signed in on the managed login pages: the tokens' auth_time. */
    authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('oauth_codes_expires_idx').on(t.expiresAt), index('oauth_codes_user_idx').on(t.userId)],
);
