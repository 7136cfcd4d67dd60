import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';
import { users } from './user-store.ts';

import type { IdentityProviderType } from '../../modules/federation/federation.types.ts';

/**
 * A pool's external identity providers (Cognito's IdentityProviderType; docs/federation.md).
 * `details` holds ProviderDetails without its secrets, plus what discovery found; the secrets
 * (client_secret, private_key) are in `sealed_secrets`, each sealed with the server secret
 * (src/lib/sealed-box.ts) and `<pool>/<provider>/<key>` as associated data.
 */
export const identityProviders = pgTable(
  'identity_providers',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    providerName: text('provider_name').notNull(),
    providerType: text('provider_type').$type<IdentityProviderType>().notNull(),
    details: jsonb('details').$type<Record<string, string>>().notNull().default({}),
    sealedSecrets: jsonb('sealed_secrets').$type<Record<string, string>>().notNull().default({}),
    /** Cognito's AttributeMapping: user pool attribute → the provider's attribute (claim). */
    attributeMapping: jsonb('attribute_mapping').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'identity_providers_pkey', columns: [t.poolId, t.providerName] }),
    check(
      'identity_providers_type_valid',
      sql`${t.providerType} in ('OIDC', 'Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple')`,
    ),
  ],
);

/**
 * IdpIdentifiers: names that pick a provider at /oauth2/authorize?idp_identifier=…, one owner
 * per identifier in a pool (the key is what holds that under races). Kept in their order.
 */
export const identityProviderIdentifiers = pgTable(
  'identity_provider_identifiers',
  {
    poolId: text('pool_id').notNull(),
    identifier: text('identifier').notNull(),
    providerName: text('provider_name').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ name: 'identity_provider_identifiers_pkey', columns: [t.poolId, t.identifier] }),
    foreignKey({
      name: 'identity_provider_identifiers_provider_fk',
      columns: [t.poolId, t.providerName],
      foreignColumns: [identityProviders.poolId, identityProviders.providerName],
    })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

/**
 * Which user a provider's subject signs in as (docs/federation.md, "Users and linking"): the
 * user it created (EXTERNAL_PROVIDER, `primary`) or the user AdminLinkProviderForUser linked it
 * to. Not tied to identity_providers: a deleted and recreated provider finds its users again.
 * The `identities` attribute is written from these rows (src/modules/federation/identities.ts).
 */
export const federatedIdentities = pgTable(
  'federated_identities',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    providerName: text('provider_name').notNull(),
    /** The provider's user id: `sub` (OIDC, Google, Apple), `id` (Facebook), `user_id` (Amazon). */
    subject: text('subject').notNull(),
    providerType: text('provider_type').$type<IdentityProviderType>().notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The identity the user was created from (an EXTERNAL_PROVIDER user's own). */
    primary: boolean('primary').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'federated_identities_pkey', columns: [t.poolId, t.providerName, t.subject] }),
    index('federated_identities_user_idx').on(t.userId),
  ],
);

/**
 * A sign-in sent to an external provider, between /oauth2/authorize and /oauth2/idpresponse:
 * found by the SHA-256 of the `state` sent upstream, taken once, bound to the browser that
 * started it (the SHA-256 of a cookie's value), ten minutes (docs/federation.md, "Security").
 */
export const federationRequests = pgTable(
  'federation_requests',
  {
    stateHash: text('state_hash').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    providerName: text('provider_name').notNull(),
    /** The app's authorization request as /oauth2/authorize was asked it, to go back to. */
    authorizeQuery: text('authorize_query').notNull(),
    /** The redirect URI sent upstream (this server's /oauth2/idpresponse as the browser saw it). */
    redirectUri: text('redirect_uri').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    browserHash: text('browser_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('federation_requests_expires_idx').on(t.expiresAt)],
);
