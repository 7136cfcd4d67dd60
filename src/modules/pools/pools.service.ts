import { and, asc, eq, sql } from 'drizzle-orm';
import { clientSecrets, clients, pools } from '../../db/schema/pools.ts';
import { unnamedStatements, type Db, type Queryable, type StatementName } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { newClientId, newPoolId } from '../../lib/ids.ts';
import {
  addCustomAttributes,
  buildPoolAttributeSettings,
  validateClientPermissions,
  type SchemaAttributeInput,
} from '../attributes/index.ts';
import { checkAllowedOrigins, createOriginAllowList } from './allowed-origins.ts';
import type { MessageTemplates, Purpose } from '../courier/courier.types.ts';
import { chooseTemplates, validateMessageTemplates, type PoolMessageTemplates } from './message-templates.ts';
import { resolvePolicies } from './pool-settings.ts';
import { clearSrpCredentials, countUsers } from '../user-store/users.repository.ts';
import { createVersionedRows } from './versioned-rows.ts';
import { checkTags, createPoolUpdates } from './pool-update.ts';
import { checkLambdaConfig, type HookArns } from '../hooks/lambda-config.ts';
import type { PoolLambdaConfig } from '../hooks/hooks.types.ts';
import type { AppClient, AuthFlow, ClientInput, CreatePoolInput, Pool, SealedClientSecret } from './pools.types.ts';
import { createClientSecrets, type NewClientSecret } from './client-secrets.ts';
import { checkClientOAuth, OAUTH_OFF, REST_OAUTH_NAMES, withoutProvider, withoutScopes } from './client-oauth.ts';
import type { ClientOAuthSettings } from '../oauth/oauth.types.ts';
import type { SealedBox } from '../../lib/sealed-box.ts';
import type { FirstAuthFactor, SignInPolicy } from '../sign-in/sign-in-policy.types.ts';
import { checkPoolMfa } from '../mfa/mfa-config.ts';
import type { MfaConfiguration, PoolMfaFactors } from '../mfa/mfa.types.ts';
import type { DeviceConfiguration } from '../devices/devices.types.ts';

export type { AppClient, AuthFlow, ClientInput, CreatePoolInput, Pool } from './pools.types.ts';

/** Cognito's ExplicitAuthFlows values (the ALLOW_ form); Cognate runs the password, SRP and refresh flows. */
export const AUTH_FLOWS: readonly AuthFlow[] = [
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_AUTH',
];

function checkAuthFlows(flows: AuthFlow[] | null): AuthFlow[] | null {
  if (flows === null) return null;
  const unknown = flows.find((flow) => !AUTH_FLOWS.includes(flow));
  if (unknown !== undefined)
    throw invalidParameter(`Invalid auth flow ${unknown}; expected one of ${AUTH_FLOWS.join(', ')}.`);
  return [...new Set(flows)];
}

/**
 * A client without a list may use every flow; with one, only those (Cognito's ExplicitAuthFlows).
 * The pool's own SRP switch is checked apart: it decides whether SRP exists at all.
 */
export function assertAuthFlow(client: Pick<AppClient, 'explicitAuthFlows'>, flow: AuthFlow, name: string): void {
  if (client.explicitAuthFlows !== null && !client.explicitAuthFlows.includes(flow)) {
    throw invalidParameter(`${name} flow not enabled for this client`);
  }
}

/**
 * Cognito's SignInPolicy (docs/passwordless.md): PASSWORD must stay allowed, as Cognito requires;
 * WEB_AUTHN is refused naming it until passkeys come. Duplicates are dropped.
 */
export function checkSignInPolicy(policy: SignInPolicy): SignInPolicy {
  const factors = policy.allowedFirstAuthFactors;
  const known: readonly FirstAuthFactor[] = ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'];
  const unknown = factors.find((factor) => !known.includes(factor));
  if (unknown !== undefined) {
    throw invalidParameter(
      `Invalid first auth factor ${String(unknown).slice(0, 64)}; expected PASSWORD, EMAIL_OTP or SMS_OTP.`,
    );
  }
  if (factors.includes('WEB_AUTHN')) {
    throw invalidParameter(
      'AllowedFirstAuthFactors WEB_AUTHN is not supported by Cognate (yet): passkeys come with a later issue.',
    );
  }
  if (!factors.includes('PASSWORD')) {
    throw invalidParameter('AllowedFirstAuthFactors must include PASSWORD.');
  }
  return { allowedFirstAuthFactors: [...new Set(factors)] };
}

/** Cognito's AuthSessionValidity bounds, in minutes (docs/custom-auth.md, "Sessions"). */
function checkAuthSessionValidity(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 3 || minutes > 15) {
    throw invalidParameter(`AuthSessionValidity must be a whole number of minutes from 3 to 15; ${minutes} was given.`);
  }
  return minutes;
}

/** A new client's row, its settings checked. */
function clientRow(
  poolId: string,
  input: ClientInput,
  perms: { readAttributes: string[] | null; writeAttributes: string[] | null },
) {
  return {
    id: input.clientId ?? newClientId(),
    poolId,
    name: input.name,
    ...perms,
    preventUserExistenceErrors: input.preventUserExistenceErrors ?? true,
    explicitAuthFlows: checkAuthFlows(input.explicitAuthFlows ?? null),
    allowedOrigins: checkAllowedOrigins(input.allowedOrigins ?? null),
    authSessionValidity: checkAuthSessionValidity(input.authSessionValidity ?? 3),
  };
}

export const poolNotFound = (poolId: string) =>
  new CognitoError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
const clientNotFound = (clientId: string) =>
  new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);

/** Stores a new pool's first signing key in the pool's own transaction (the tokens module makes it). */
export type FirstSigningKey = () => Promise<(tx: Queryable, poolId: string) => Promise<void>>;

/** Rewrites the OAuth settings of each client of a pool that `change` alters (null: left alone), rows locked. */
async function rewriteClientsOAuth(
  q: Queryable,
  poolId: string,
  change: (oauth: ClientOAuthSettings) => ClientOAuthSettings | null,
): Promise<void> {
  const rows = await q
    .select({ id: clients.id, oauth: clients.oauth })
    .from(clients)
    .where(eq(clients.poolId, poolId))
    .for('update');
  for (const row of rows) {
    const next = change(row.oauth);
    if (next === null) continue;
    await q.update(clients).set({ oauth: next, updatedAt: new Date() }).where(eq(clients.id, row.id));
  }
}

export function createPoolsService(deps: {
  db: Db;
  /** Pool and client listings are read here (the read replica, if any): they may lag a little. */
  reader?: Db;
  region: string;
  publicUrl: string;
  /** The tokens module's: a pool is created with its first signing key. */
  firstSigningKey: FirstSigningKey;
  /** Server-side statement names, when the connection keeps them (DATABASE_NAMED_STATEMENTS). */
  statementName?: StatementName;
  originCacheMs?: number;
  /** HOOK_ARNS_FILE: the ARNs a LambdaConfig may name (docs/triggers.md). */
  hookArns?: HookArns;
  /** Seals confidential clients' secrets (docs/client-secrets.md); without it none can be made or checked. */
  clientSecretBox?: SealedBox;
  /** The pool's custom scopes (`<resource server>/<scope>`), which a client's AllowedOAuthScopes may name. */
  customScopes?: (poolId: string) => Promise<ReadonlySet<string>>;
  /** The pool's identity provider names, which a client's SupportedIdentityProviders may name (docs/federation.md). */
  identityProviderNames?: (poolId: string) => Promise<ReadonlySet<string>>;
  /** What other modules keep for a client (its UI customization), removed with it in its transaction. */
  clientDeleted?: (q: Queryable, poolId: string, clientId: string) => Promise<void>;
}) {
  const { db } = deps;
  const secrets = createClientSecrets({ db, ...(deps.clientSecretBox && { box: deps.clientSecretBox }) });
  const readerDb = deps.reader ?? db;
  const allowedOrigins = createOriginAllowList(db, deps.originCacheMs);
  const issuerOf = (poolId: string) => `${deps.publicUrl}/${poolId}`;

  async function getPool(poolId: string): Promise<Pool> {
    const [pool] = await db.select().from(pools).where(eq(pools.id, poolId));
    if (!pool) throw poolNotFound(poolId);
    return pool;
  }

  /** xmin: the row's version (see versioned-rows.ts). */
  const rowVersion = (table: typeof pools | typeof clients) => sql<string>`${table}.xmin::text`;
  const poolsByVersion = createVersionedRows(async (id) => {
    const [found] = await db
      .select({ row: pools, version: rowVersion(pools) })
      .from(pools)
      .where(eq(pools.id, id));
    return found;
  });
  // With the client's sealed secrets: writing them touches the client row (client-secrets.ts), so
  // a cached client without a secret is proven public by its version alone, at no extra read.
  const clientsByVersion = createVersionedRows(async (id) => {
    const [found] = await db
      .select({
        row: clients,
        version: rowVersion(clients),
        secrets: sql<
          SealedClientSecret[]
        >`coalesce((select json_agg(json_build_object('id', s.id, 'sealedSecret', s.sealed_secret) order by s.created_at) from ${clientSecrets} s where s.client_id = ${clients}.id), '[]'::json)`,
      })
      .from(clients)
      .where(eq(clients.id, id));
    return found && { row: { ...found.row, secrets: found.secrets }, version: found.version };
  });

  const clientVersions = db
    .select({ poolId: clients.poolId, clientVersion: rowVersion(clients), poolVersion: rowVersion(pools) })
    .from(clients)
    .innerJoin(pools, eq(pools.id, clients.poolId))
    .where(eq(clients.id, sql.placeholder('id')))
    .prepare((deps.statementName ?? unnamedStatements)('cognate_client_versions'));

  /** What checkClientOAuth asks (client-oauth.ts); `face` names the members as the caller wrote them. */
  const oauthContext = (poolId: string, confidential: boolean, face: 'cognito' | 'rest') => ({
    confidential,
    poolId,
    customScopes: () => deps.customScopes?.(poolId) ?? Promise.resolve(new Set<string>()),
    identityProviders: () => deps.identityProviderNames?.(poolId) ?? Promise.resolve(new Set<string>()),
    ...(face === 'rest' && { names: REST_OAUTH_NAMES }),
  });

  async function getClient(poolId: string, clientId: string): Promise<AppClient> {
    const [client] = await db
      .select()
      .from(clients)
      .where(and(eq(clients.poolId, poolId), eq(clients.id, clientId)));
    if (!client) throw clientNotFound(clientId);
    return client;
  }

  return {
    // UpdateUserPool, the REST PATCH's settings, tags and deletion (docs/pools.md).
    ...createPoolUpdates({ db, hookArns: deps.hookArns, poolNotFound, invalidate: () => allowedOrigins.invalidate() }),
    issuerOf,
    getPool,
    getClient,
    /** The pool and client as of the row versions a query just read (authenticated requests). */
    poolAt: (poolId: string, version: string) => poolsByVersion.at(poolId, version),
    clientAt: (clientId: string, version: string) => clientsByVersion.at(clientId, version),
    rowVersion,

    async createPool(input: CreatePoolInput): Promise<Pool> {
      const attributeSettings = buildPoolAttributeSettings(input);
      const policies = resolvePolicies(input.policies);
      const messageTemplates = validateMessageTemplates(input.messageTemplates ?? {});
      const lambdaConfig = checkLambdaConfig(input.lambdaConfig, deps.hookArns ?? {});
      const signInPolicy = input.signInPolicy && checkSignInPolicy(input.signInPolicy);
      const mfa = checkPoolMfa(input.mfaConfiguration ?? 'OFF', input.mfaFactors ?? {});
      const tags = checkTags(input.tags ?? {});
      const storeKey = await deps.firstSigningKey();
      try {
        return await db.transaction(async (tx) => {
          const [pool] = await tx
            .insert(pools)
            .values({
              id: input.poolId ?? newPoolId(deps.region),
              name: input.name,
              attributeSettings,
              policies,
              messageTemplates,
              lambdaConfig,
              usernameCaseSensitive: input.usernameCaseSensitive ?? false,
              srpEnabled: input.srpEnabled ?? false,
              ...(signInPolicy && { signInPolicy }),
              mfaConfiguration: mfa.mode,
              mfaFactors: mfa.factors,
              deviceConfiguration: input.deviceConfiguration ?? null,
              tags,
            })
            .returning();
          await storeKey(tx, pool!.id);
          return pool!;
        });
      } catch (error) {
        if (uniqueViolation(error) === 'pools_pkey')
          throw invalidParameter(`User pool ${input.poolId} already exists.`);
        throw error;
      }
    },

    /**
     * Turns SRP sign-in on or off. Off drops every verifier of the pool at once: they are weaker
     * secrets than the argon2 hashes and nothing needs them any more. On keeps none yet: each
     * user gets one at their next password sign-in, reset or change.
     */
    async setSrpEnabled(poolId: string, enabled: boolean): Promise<Pool> {
      return db.transaction(async (tx) => {
        const [pool] = await tx
          .update(pools)
          .set({ srpEnabled: enabled, updatedAt: new Date() })
          .where(eq(pools.id, poolId))
          .returning();
        if (!pool) throw poolNotFound(poolId);
        if (!enabled) await clearSrpCredentials(tx, poolId);
        return pool;
      });
    },

    /**
     * Replaces the pool's hooks as a whole, as Cognito's UpdateUserPool replaces its LambdaConfig:
     * a trigger left out is removed, `{}` removes them all (docs/triggers.md).
     */
    async setLambdaConfig(poolId: string, input: unknown): Promise<Pool> {
      const lambdaConfig: PoolLambdaConfig = checkLambdaConfig(input, deps.hookArns ?? {});
      const [pool] = await db
        .update(pools)
        .set({ lambdaConfig, updatedAt: new Date() })
        .where(eq(pools.id, poolId))
        .returning();
      if (!pool) throw poolNotFound(poolId);
      return pool;
    },

    checkSignInPolicy,
    /** Replaces the pool's USER_AUTH first factors (docs/passwordless.md). */
    async setSignInPolicy(poolId: string, input: SignInPolicy): Promise<Pool> {
      const signInPolicy = checkSignInPolicy(input);
      const [pool] = await db
        .update(pools)
        .set({ signInPolicy, updatedAt: new Date() })
        .where(eq(pools.id, poolId))
        .returning();
      if (!pool) throw poolNotFound(poolId);
      return pool;
    },

    /**
     * Sets the pool's MFA setting and factors (docs/mfa.md), and in the same change the parts of
     * its AUTHENTICATION templates given (Cognito's SmsAuthenticationMessage, EmailMfaConfiguration's
     * Message and Subject: one source for both faces) and the SMS plumbing kept for DescribeUserPool.
     */
    async setMfaConfig(
      poolId: string,
      input: {
        mfaConfiguration: MfaConfiguration;
        mfaFactors: PoolMfaFactors;
        authenticationTemplates?: Partial<MessageTemplates>;
        smsConfiguration?: Record<string, unknown>;
      },
    ): Promise<Pool> {
      const mfa = checkPoolMfa(input.mfaConfiguration, input.mfaFactors);
      return db.transaction(async (tx) => {
        const [current] = await tx.select().from(pools).where(eq(pools.id, poolId)).for('update');
        if (!current) throw poolNotFound(poolId);
        let messageTemplates = current.messageTemplates;
        const given = Object.entries(input.authenticationTemplates ?? {}).filter(([, v]) => v !== undefined);
        if (given.length > 0) {
          const entry = current.messageTemplates.AUTHENTICATION ?? {};
          const base: MessageTemplates = { ...entry.default };
          // A new email text replaces the HTML too, which the text then makes (one message, one source).
          if (input.authenticationTemplates?.emailText !== undefined) delete base.emailHtml;
          messageTemplates = validateMessageTemplates({
            ...current.messageTemplates,
            AUTHENTICATION: { ...entry, default: { ...base, ...Object.fromEntries(given) } },
          });
        }
        const policies = input.smsConfiguration
          ? {
              ...current.policies,
              awsPlumbing: { ...current.policies.awsPlumbing, SmsConfiguration: input.smsConfiguration },
            }
          : current.policies;
        const [pool] = await tx
          .update(pools)
          .set({
            mfaConfiguration: mfa.mode,
            mfaFactors: mfa.factors,
            messageTemplates,
            policies,
            updatedAt: new Date(),
          })
          .where(eq(pools.id, poolId))
          .returning();
        return pool!;
      });
    },

    /** Turns device tracking on (a DeviceConfiguration) or off (null): docs/devices.md. */
    async setDeviceConfiguration(poolId: string, deviceConfiguration: DeviceConfiguration | null): Promise<Pool> {
      const [pool] = await db
        .update(pools)
        .set({ deviceConfiguration, updatedAt: new Date() })
        .where(eq(pools.id, poolId))
        .returning();
      if (!pool) throw poolNotFound(poolId);
      return pool;
    },

    /** DescribeUserPool's EstimatedNumberOfUsers. */
    async countUsers(poolId: string): Promise<number> {
      return countUsers(db, poolId);
    },

    /** `mayLag`: an operator's listing, which may come from the read replica; start-up bootstrap reads the primary. */
    listPools: (options: { mayLag?: boolean } = {}): Promise<Pool[]> =>
      (options.mayLag ? readerDb : db).select().from(pools).orderBy(asc(pools.createdAt), asc(pools.id)),

    async addCustomAttributes(poolId: string, inputs: SchemaAttributeInput[]): Promise<Pool> {
      return db.transaction(async (tx) => {
        // Lock the pool row so two concurrent additions cannot both pass the duplicate check.
        const [pool] = await tx.select().from(pools).where(eq(pools.id, poolId)).for('update');
        if (!pool) throw poolNotFound(poolId);
        const attributeSettings = addCustomAttributes(pool.attributeSettings, inputs);
        const [updated] = await tx
          .update(pools)
          .set({ attributeSettings, updatedAt: new Date() })
          .where(eq(pools.id, poolId))
          .returning();
        return updated!;
      });
    },

    async getMessageTemplates(poolId: string): Promise<PoolMessageTemplates> {
      const [row] = await db
        .select({ messageTemplates: pools.messageTemplates })
        .from(pools)
        .where(eq(pools.id, poolId));
      if (!row) throw poolNotFound(poolId);
      return row.messageTemplates;
    },

    /** Replaces the pool's whole set of templates, as UpdateUserPool replaces its message templates. */
    async setMessageTemplates(poolId: string, input: PoolMessageTemplates): Promise<PoolMessageTemplates> {
      const messageTemplates = validateMessageTemplates(input);
      const [row] = await db
        .update(pools)
        .set({ messageTemplates, updatedAt: new Date() })
        .where(eq(pools.id, poolId))
        .returning({ messageTemplates: pools.messageTemplates });
      if (!row) throw poolNotFound(poolId);
      return row.messageTemplates;
    },

    /**
     * The templates for one message to a user with this `locale` attribute: its translation
     * (exact tag, then its language), over the purpose's default; undefined means the built-in
     * messages. A pool deleted meanwhile gets the built-in messages rather than no message.
     */
    async messageTemplates(
      poolId: string,
      purpose: Purpose,
      locale?: string | null,
    ): Promise<MessageTemplates | undefined> {
      const [row] = await db
        .select({ messageTemplates: pools.messageTemplates })
        .from(pools)
        .where(eq(pools.id, poolId));
      return row ? chooseTemplates(row.messageTemplates, purpose, locale) : undefined;
    },

    /**
     * `secret`: a confidential client, with its first secret (generated, or `custom`) made in the
     * same transaction and returned once (docs/client-secrets.md).
     */
    async createClient(
      poolId: string,
      input: ClientInput,
      secret?: { custom?: string },
      face: 'cognito' | 'rest' = 'cognito',
    ): Promise<AppClient & { secret?: NewClientSecret }> {
      const pool = await getPool(poolId);
      const perms = { readAttributes: input.readAttributes ?? null, writeAttributes: input.writeAttributes ?? null };
      validateClientPermissions(pool.attributeSettings, perms, 'create');
      // OAuth settings (docs/web-sign-in.md, "Configuring a client"): off unless given.
      const oauth = await checkClientOAuth(
        OAUTH_OFF,
        input.oauth ?? {},
        oauthContext(poolId, secret !== undefined, face),
      );
      try {
        if (secret) {
          const created = await db.transaction(async (tx) => {
            const [client] = await tx
              .insert(clients)
              .values({ ...clientRow(poolId, input, perms), oauth })
              .returning();
            return { ...client!, secret: await secrets.createFirst(tx, client!.id, secret.custom) };
          });
          allowedOrigins.invalidate();
          return created;
        }
        const [client] = await db
          .insert(clients)
          .values({ ...clientRow(poolId, input, perms), oauth })
          .returning();
        allowedOrigins.invalidate();
        return client!;
      } catch (error) {
        if (uniqueViolation(error) === 'clients_pkey')
          throw invalidParameter(`User pool client ${input.clientId} already exists.`);
        throw error;
      }
    },

    async listClients(poolId: string, options: { mayLag?: boolean } = {}): Promise<AppClient[]> {
      await getPool(poolId);
      return (options.mayLag ? readerDb : db)
        .select()
        .from(clients)
        .where(eq(clients.poolId, poolId))
        .orderBy(asc(clients.createdAt), asc(clients.id));
    },

    /**
     * Changes the members given and keeps the rest; `null` removes a list. (The Cognito face
     * replaces the whole configuration, as UpdateUserPoolClient does, by passing every member.)
     */
    async updateClient(
      poolId: string,
      clientId: string,
      patch: Partial<Omit<ClientInput, 'clientId'>>,
      face: 'cognito' | 'rest' = 'cognito',
    ): Promise<AppClient> {
      const pool = await getPool(poolId);
      const current = await getClient(poolId, clientId);
      const oauth =
        patch.oauth === undefined
          ? current.oauth
          : await checkClientOAuth(
              current.oauth,
              patch.oauth,
              oauthContext(poolId, (await secrets.confidential([clientId])).has(clientId), face),
            );
      const next = {
        name: patch.name ?? current.name,
        readAttributes: patch.readAttributes === undefined ? current.readAttributes : patch.readAttributes,
        writeAttributes: patch.writeAttributes === undefined ? current.writeAttributes : patch.writeAttributes,
        preventUserExistenceErrors: patch.preventUserExistenceErrors ?? current.preventUserExistenceErrors,
        explicitAuthFlows:
          patch.explicitAuthFlows === undefined ? current.explicitAuthFlows : checkAuthFlows(patch.explicitAuthFlows),
        allowedOrigins:
          patch.allowedOrigins === undefined ? current.allowedOrigins : checkAllowedOrigins(patch.allowedOrigins),
        authSessionValidity:
          patch.authSessionValidity === undefined
            ? current.authSessionValidity
            : checkAuthSessionValidity(patch.authSessionValidity),
      };
      validateClientPermissions(pool.attributeSettings, next, 'update');
      const [client] = await db
        .update(clients)
        .set({ ...next, oauth, updatedAt: new Date() })
        .where(and(eq(clients.poolId, poolId), eq(clients.id, clientId)))
        .returning();
      if (!client) throw clientNotFound(clientId);
      allowedOrigins.invalidate();
      return client;
    },

    async deleteClient(poolId: string, clientId: string): Promise<void> {
      // As every other client operation: an unknown pool is named as such, not as an unknown client.
      await getPool(poolId);
      await db.transaction(async (tx) => {
        const deleted = await tx
          .delete(clients)
          .where(and(eq(clients.poolId, poolId), eq(clients.id, clientId)))
          .returning({ id: clients.id });
        if (deleted.length === 0) throw clientNotFound(clientId);
        await deps.clientDeleted?.(tx, poolId, clientId);
      });
      allowedOrigins.invalidate();
    },

    /**
     * A resource server's scopes are gone (DeleteResourceServer, UpdateResourceServer): no client
     * of the pool allows them any more, in the caller's transaction (docs/web-sign-in.md,
     * "Resource servers").
     */
    async removeClientScopes(q: Queryable, poolId: string, removed: ReadonlySet<string>): Promise<void> {
      if (removed.size === 0) return;
      await rewriteClientsOAuth(q, poolId, (oauth) =>
        oauth.scopes.some((scope) => removed.has(scope)) ? withoutScopes(oauth, removed) : null,
      );
    },

    /**
     * An identity provider is deleted: no client of the pool lists it in SupportedIdentityProviders
     * any more, in the caller's transaction (docs/federation.md, "Configuring providers").
     */
    async removeClientProvider(q: Queryable, poolId: string, providerName: string): Promise<void> {
      await rewriteClientsOAuth(q, poolId, (oauth) =>
        oauth.identityProviders.includes(providerName) ? withoutProvider(oauth, providerName) : null,
      );
    },

    /** CORS: whether some client of some pool allows this browser origin (cached briefly). */
    isAllowedOrigin: (origin: string): Promise<boolean> => allowedOrigins.has(origin),

    /**
     * The client and its pool, for every call that names a client (sign-up, sign-in, codes): their
     * versions read, the rows from memory. The request's proof of the client's secret is checked
     * here, before anything else is read (docs/client-secrets.md); within one request the client
     * is read once, however many steps ask for it.
     */
    clientWithPool(clientId: string): Promise<{ client: AppClient; pool: Pool }> {
      const scope = secrets.scope();
      const known = scope?.clients.get(clientId) as Promise<{ client: AppClient; pool: Pool }> | undefined;
      if (known) return known;
      const reading = (async () => {
        const [row] = await clientVersions.execute({ id: clientId });
        const [client, pool] = row
          ? await Promise.all([
              clientsByVersion.at(clientId, row.clientVersion),
              poolsByVersion.at(row.poolId, row.poolVersion),
            ])
          : [];
        if (!client || !pool) throw clientNotFound(clientId);
        secrets.prove(client, scope?.proof);
        return { client, pool };
      })();
      scope?.clients.set(clientId, reading);
      return reading;
    },

    /**
     * The OAuth endpoints (docs/web-sign-in.md): a client and its pool by the client's id, with its
     * sealed secrets and no proof checked (the token endpoint proves it, /oauth2/authorize takes
     * none); null for an unknown client.
     */
    async clientForOAuth(
      clientId: string,
    ): Promise<{ client: AppClient & { secrets: readonly SealedClientSecret[] }; pool: Pool } | null> {
      if (clientId.length === 0 || clientId.length > 128) return null;
      const [row] = await clientVersions.execute({ id: clientId });
      if (!row) return null;
      const [client, pool] = await Promise.all([
        clientsByVersion.at(clientId, row.clientVersion),
        poolsByVersion.at(row.poolId, row.poolVersion),
      ]);
      if (!client || !pool) return null;
      return { client: client as AppClient & { secrets: readonly SealedClientSecret[] }, pool };
    },

    /** Confidential clients' secrets: rotation, listing, the request's proof (docs/client-secrets.md). */
    clientSecrets: secrets,
    /**
     * The refresh path (its client read with the session): the request's proof, a SECRET_HASH
     * over the token's user's username or sub (docs/client-secrets.md).
     */
    proveRefresh(client: AppClient, usernames: readonly string[]): void {
      const withSecrets = client as AppClient & { secrets?: readonly SealedClientSecret[] };
      // A client read without its secrets cannot be proven public: refused, never waved through.
      if (!withSecrets.secrets)
        throw new CognitoError('InternalErrorException', 'The client was read without its secrets.');
      secrets.prove({ id: client.id, secrets: withSecrets.secrets }, secrets.scope()?.proof, usernames);
    },

    /** The pool's row, locked until the transaction ends (a signing-key rotation). */
    async lockPool(tx: Queryable, poolId: string): Promise<Pool> {
      const [pool] = await tx.select().from(pools).where(eq(pools.id, poolId)).for('update');
      if (!pool) throw poolNotFound(poolId);
      return pool;
    },
  };
}

export type PoolsService = ReturnType<typeof createPoolsService>;
