import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { PoolAttributeSettings } from '../../modules/attributes/attributes.types.ts';
import type { PoolLambdaConfig } from '../../modules/hooks/hooks.types.ts';
import type { AuthFlow, PoolMessageTemplates, PoolPolicies } from '../../modules/pools/pools.types.ts';
import type { DeviceConfiguration } from '../../modules/devices/devices.types.ts';
import type { MfaConfiguration, PoolMfaFactors } from '../../modules/mfa/mfa.types.ts';
import type { SignInPolicy } from '../../modules/sign-in/sign-in-policy.types.ts';
import type { ClientOAuthSettings } from '../../modules/oauth/oauth.types.ts';

export const pools = pgTable(
  'pools',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** The attribute schema and alias/verification settings, validated by the attribute engine. */
    attributeSettings: jsonb('attribute_settings').$type<PoolAttributeSettings>().notNull(),
    /** Password policy, code limits and token lifetimes. */
    policies: jsonb('policies').$type<PoolPolicies>().notNull(),
    /** Per-purpose message templates with translations by locale; `{}`: the built-in messages. */
    messageTemplates: jsonb('message_templates').$type<PoolMessageTemplates>().notNull().default({}),
    /** Cognito's LambdaConfig: the pool's hooks, as configured (docs/triggers.md). */
    lambdaConfig: jsonb('lambda_config').$type<PoolLambdaConfig>().notNull().default({}),
    usernameCaseSensitive: boolean('username_case_sensitive').notNull().default(false),
    /**
     * USER_SRP_AUTH (Amplify's default sign-in) needs a password verifier per user, a weaker
     * secret than the argon2 hash; kept only for pools that turn SRP on.
     */
    srpEnabled: boolean('srp_enabled').notNull().default(false),
    /** Cognito's MfaConfiguration (docs/mfa.md). */
    mfaConfiguration: text('mfa_configuration').$type<MfaConfiguration>().notNull().default('OFF'),
    /** The second factors the pool offers and their messages (docs/mfa.md). */
    mfaFactors: jsonb('mfa_factors').$type<PoolMfaFactors>().notNull().default({}),
    /** Cognito's DeviceConfiguration; null: devices are not tracked (docs/devices.md). */
    deviceConfiguration: jsonb('device_configuration').$type<DeviceConfiguration>(),
    /** Cognito's SignInPolicy: the first factors USER_AUTH offers (docs/passwordless.md). */
    signInPolicy: jsonb('sign_in_policy')
      .$type<SignInPolicy>()
      .notNull()
      .default({ allowedFirstAuthFactors: ['PASSWORD'] }),
    /** Cognito's UserPoolTags: the pool's cost-allocation tags, key to value (docs/pools.md). */
    tags: jsonb('tags').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('pools_id_format', sql`${t.id} ~ '^[a-z0-9-]{1,32}_[A-Za-z0-9]{9}$'`),
    index('pools_name_idx').on(t.name),
    check('pools_mfa_configuration_valid', sql`${t.mfaConfiguration} in ('OFF', 'ON', 'OPTIONAL')`),
  ],
);

export const clients = pgTable(
  'clients',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** null: no list (every attribute readable / every mutable attribute writable). */
    readAttributes: text('read_attributes').array(),
    writeAttributes: text('write_attributes').array(),
    preventUserExistenceErrors: boolean('prevent_user_existence_errors').notNull().default(true),
    /** Cognito's ExplicitAuthFlows (`ALLOW_USER_PASSWORD_AUTH`, …); null: every flow Cognate has. */
    explicitAuthFlows: text('explicit_auth_flows').array().$type<AuthFlow[]>(),
    /** Browser origins allowed to call Cognate for this client (CORS); null: none. */
    allowedOrigins: text('allowed_origins').array(),
    /** Cognito's AuthSessionValidity: minutes a challenge session lives (3 to 15, 3 by default). */
    authSessionValidity: integer('auth_session_validity').notNull().default(3),
    /** The client's OAuth 2.0 settings: flows, scopes, callback and logout URLs (docs/web-sign-in.md). */
    oauth: jsonb('oauth').$type<ClientOAuthSettings>().notNull().default({
      enabled: false,
      flows: [],
      scopes: [],
      callbackUrls: [],
      logoutUrls: [],
      defaultRedirectUri: null,
      identityProviders: [],
      requirePkce: false,
    }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('clients_id_format', sql`${t.id} ~ '^[a-z0-9]{26}$'`),
    check('clients_auth_session_validity_range', sql`${t.authSessionValidity} BETWEEN 3 AND 15`),
    index('clients_pool_idx').on(t.poolId),
  ],
);

/**
 * A confidential client's secrets (Cognito's GenerateSecret and AddUserPoolClientSecret): at most
 * two live at once, for rotation. Kept sealed, not hashed: SECRET_HASH is an HMAC keyed by the
 * secret, so the server needs the secret itself to check one (docs/client-secrets.md).
 */
export const clientSecrets = pgTable(
  'client_secrets',
  {
    /** Cognito's ClientSecretId: `<clientId>--<epoch milliseconds of creation>`. */
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** The secret, sealed with the server secret (src/lib/sealed-box.ts), the secret id as associated data. */
    sealedSecret: text('sealed_secret').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('client_secrets_client_idx').on(t.clientId)],
);
