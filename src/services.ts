import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import type { Logger } from './lib/logger.ts';
import { createCourierFromConfig, createCustomMessages, createOutbox, type Courier } from './modules/courier/index.ts';
import { createHooks, type HookCallPolicy } from './modules/hooks/hooks.ts';
import { createMetrics } from './modules/metrics/metrics.ts';
import { createPoolsService } from './modules/pools/pools.service.ts';
import { createPoolDomains } from './modules/pool-domains/pool-domains.service.ts';
import { createResourceServers } from './modules/resource-servers/resource-servers.service.ts';
import { createBranding } from './modules/branding/branding.service.ts';
import { createRateLimitCounters } from './modules/rate-limits/counters.ts';
import { createSignInLockout } from './modules/rate-limits/sign-in-lockout.ts';
import { loadAdminKey, loadCodeHmacSecret } from './modules/secrets/server-secrets.ts';
import { createSecretBlocks } from './modules/srp/index.ts';
import { createAccountService } from './modules/account/account.service.ts';
import { createGroupsService } from './modules/groups/groups.service.ts';
import { createHiddenExistence } from './modules/hidden-existence/hidden-existence.ts';
import { createRecoveryService } from './modules/recovery/recovery.service.ts';
import { createRegistrationService } from './modules/registration/registration.service.ts';
import { createSignInService } from './modules/sign-in/sign-in.service.ts';
import { createSignInFinish } from './modules/sign-in/sign-in-finish.ts';
import { createDevicesService } from './modules/devices/devices.service.ts';
import { createUserMigration } from './modules/user-migration/user-migration.ts';
import { createSigV4Verifier } from './modules/aws-auth/index.ts';
import { createSigningKeyStore, firstSigningKey } from './modules/tokens/key-store.ts';
import { createSessionsService } from './modules/tokens/sessions.service.ts';
import { createLoginSessions } from './modules/tokens/login-sessions.ts';
import { createOAuthService } from './modules/oauth/oauth.service.ts';
import { createAdminUsersService } from './modules/admin-users/admin-users.service.ts';
import { createChallengeSessions } from './modules/sign-in/challenge-sessions.ts';
import { createAuthSessions } from './modules/sign-in/auth-sessions.ts';
import { createAdminPasswordsService } from './modules/admin-users/admin-passwords.ts';
import { createCustomAuthService } from './modules/sign-in/custom-auth.ts';
import { createChoiceAuthService } from './modules/sign-in/choice-auth.ts';
import { createSignInCodes } from './modules/sign-in/sign-in-codes.ts';
import { createPasswordHasher } from './modules/user-store/passwords.ts';
import { createUserSearchService } from './modules/user-store/user-search.ts';
import { createUserTransferService } from './modules/user-store/user-transfer.ts';
import { createImportJobsService } from './modules/import-jobs/import-jobs.service.ts';
import { createSealedBox } from './lib/sealed-box.ts';
import { createMfaService } from './modules/mfa/mfa.service.ts';
import { createVerificationService } from './modules/verification/verification.service.ts';
import { createProviderLinks } from './modules/federation/provider-links.service.ts';
import { createIdentityProviders } from './modules/federation/identity-providers.service.ts';
import { createFederationService } from './modules/federation/federation.service.ts';
import { createFederatedUsers } from './modules/federation/federated-users.ts';
import { CognitoError } from './errors/cognito-error.ts';

/** The composition root: every module gets its dependencies here, and nowhere reads the environment. */
export async function createServices(
  config: Config,
  database: Database,
  logger: Logger,
  overrides: { courier?: Courier; now?: () => Date; hookPolicy?: Partial<HookCallPolicy> } = {},
) {
  // `reader`: the read replica if there is one; only reads that may lag a little use it.
  const { db, reader, statementName } = database;
  // The backlog is counted at scrape time; `outbox` exists by then.
  const metrics = createMetrics({ pendingMessages: () => outbox.backlog() });
  const courier =
    overrides.courier ??
    (await createCourierFromConfig({
      ...config,
      allowLogDelivery: !config.production || config.allowLogDelivery,
      logger,
    }));
  const secret = await loadCodeHmacSecret(db, config.codeHmacSecret);
  const pools = createPoolsService({
    db,
    reader,
    region: config.region,
    publicUrl: config.publicUrl,
    hookArns: config.hookArns,
    firstSigningKey,
    statementName,
    // Confidential clients' secrets, sealed at rest (docs/client-secrets.md).
    clientSecretBox: createSealedBox(secret, 'client secret v1'),
    // The scopes a client's AllowedOAuthScopes may name, besides the standard ones (docs/web-sign-in.md).
    customScopes: (poolId) => resourceServers.scopesOf(poolId),
    // A client's UI customization goes with it (docs/web-sign-in.md, "Branding").
    clientDeleted: (q, poolId, clientId) => branding.forgetClient(q, poolId, clientId),
    // The providers a client's SupportedIdentityProviders may name (docs/federation.md, "Configuring providers").
    identityProviderNames: (poolId) => identityProviders.namesOf(poolId),
  });
  // A pool's identity providers: details by type, OIDC discovery, secrets sealed (docs/federation.md, "Configuring providers").
  const identityProviders = createIdentityProviders({
    db,
    getPool: pools.getPool,
    box: createSealedBox(secret, 'identity-provider-secret v1'),
    removeClientProvider: pools.removeClientProvider,
  });
  // Resource servers' custom scopes; a scope that goes leaves every client (docs/web-sign-in.md, "Resource servers").
  const resourceServers = createResourceServers({
    db,
    assertPool: pools.getPool,
    removeClientScopes: pools.removeClientScopes,
  });
  // User-pool domains: the pool a request's Host names (docs/web-sign-in.md, "Domains").
  const poolDomains = createPoolDomains({ db, assertPool: pools.getPool, publicHost: new URL(config.publicUrl).host });
  // SetUICustomization's CSS and logo, for the managed login pages (docs/web-sign-in.md, "Branding").
  const branding = createBranding({
    db,
    assertPool: pools.getPool,
    assertClient: pools.getClient,
    hasDomain: async (poolId) => (await poolDomains.listForPool(poolId)).length > 0,
    publicUrl: config.publicUrl,
  });
  // Groups: names, precedence and roles; tokens read a user's groups when they are signed (docs/groups.md).
  const groups = createGroupsService({ db, reader, pools });
  const signingKeys = createSigningKeyStore({ db, pools, statementName });
  // Pools' triggers as signed HTTP hooks (docs/triggers.md); tests lower the timeout through hookPolicy.
  const hooks = createHooks({
    db,
    secret,
    region: config.region,
    arns: config.hookArns,
    logger,
    ...(overrides.hookPolicy && { policy: overrides.hookPolicy }),
  });
  const sessions = createSessionsService({ db, pools, signingKeys, statementName, groups, hooks });
  // Codes and invitations go through the outbox: written with the change, sent after commit, retried by the worker.
  const outbox = createOutbox({
    db,
    courier,
    secret,
    logger,
    metrics: metrics.delivery,
    templates: pools.messageTemplates,
    // The pools' CustomMessage hooks, asked after commit before each try (docs/trigger-events.md).
    customMessage: createCustomMessages({ db, hooks, pool: (id) => pools.getPool(id), logger }),
    policy: { baseDelayMs: config.deliveryRetryBaseMs, maxAttempts: config.deliveryMaxAttempts },
  });
  const verification = createVerificationService({ db, secret, outbox, logger });
  const passwords = createPasswordHasher({ ...config.passwordHashing, ...config.hashingThreads, logger });
  const challenges = createChallengeSessions(secret);
  // Lockout time can be moved by tests (`now`); rate-limit windows follow the database's clock.
  const lockout = createSignInLockout({
    db,
    policy: config.signInLockout,
    ...(overrides.now && { now: overrides.now }),
  });
  const srpSecretBlocks = createSecretBlocks(secret);
  // One for every flow that hides whether a user exists, so they share what real answers took.
  const hiding = createHiddenExistence({ verification, secret });
  const flow = { db, pools, verification, passwords, metrics: metrics.auth, hooks };
  // UserMigration: unknown names at sign-in and forgot password (docs/trigger-events.md).
  const migration = createUserMigration({ db, hooks, passwords, logger });
  const registration = createRegistrationService({ ...flow, hiding });
  // Stored single-use sessions of challenges that keep state: custom auth, MFA, USER_AUTH, devices.
  const authSessions = createAuthSessions({ db, ...(overrides.now && { now: overrides.now }) });
  // Remembered devices (docs/devices.md): new device keys, the device's proof, the users' devices.
  // A proven device's sign-in goes on through signIn's remaining steps, bound once signIn exists.
  const devices = createDevicesService({
    db,
    pools,
    authSessions,
    lockout,
    metrics: metrics.auth,
    revokeDeviceSessions: (q, userId, deviceKey, except) => sessions.revokeDevice(q, userId, deviceKey, except),
    continueSignIn: (proven, finishing) => signIn.afterFirstFactor(proven, finishing),
    finishSignIn: (proven, finishing) => finish.finish(proven, finishing),
  });
  // PostAuthentication and the tokens: the end of every sign-in path.
  const finish = createSignInFinish({ db, sessions, hooks, metrics: metrics.auth, devices });
  // One-time sign-in codes (MFA by SMS or email, passwordless EMAIL_OTP and SMS_OTP), kept in their sessions.
  const rateLimitCounters = createRateLimitCounters(db);
  const signInCodes = createSignInCodes({ db, secret, outbox, sendCounter: rateLimitCounters });
  // MFA (docs/mfa.md): the pool's setting, users' factors, TOTP sealed at rest, the second-factor step.
  const mfa = createMfaService({
    db,
    pools,
    sessions: authSessions,
    codes: signInCodes,
    totpBox: createSealedBox(secret, 'totp secret v1'),
    lockout,
    finish,
    ...(overrides.now && { now: overrides.now }),
  });
  const signIn = createSignInService({
    ...flow,
    finish,
    // The steps after the first factor, in order (docs/mfa.md, "Order"): the device's proof, then MFA.
    afterFirstFactor: [devices.step, mfa.step],
    sessions,
    challenges,
    srpSecretBlocks,
    secret,
    hiding,
    logger,
    lockout,
    migration,
  });
  // CUSTOM_AUTH, driven by the pool's auth-challenge hooks, in stored single-use sessions (docs/custom-auth.md).
  const customAuth = createCustomAuthService({
    db,
    pools,
    hooks,
    hiding,
    signIn,
    sessions: authSessions,
  });
  // USER_AUTH: choice-based and passwordless sign-in (docs/passwordless.md).
  const choiceAuth = createChoiceAuthService({
    db,
    pools,
    sessions: authSessions,
    codes: signInCodes,
    hiding,
    lockout,
    metrics: metrics.auth,
    signIn,
  });
  const recovery = createRecoveryService({ ...flow, sessions, hiding, logger, migration });
  const account = createAccountService({ db, sessions, verification, passwords, metrics: metrics.auth });
  const adminUsers = createAdminUsersService({ db, reader, pools, passwords, outbox, verification, sessions, hooks });
  // AdminSetUserPassword and AdminResetUserPassword end every session and pending sign-in (docs/admin-auth.md).
  const adminPasswords = createAdminPasswordsService({
    db,
    pools,
    passwords,
    sessions,
    verification,
    endSignIns: (q, userId) => authSessions.endAllFor(q, userId),
  });
  const adminKey = await loadAdminKey(db, config.adminApiKey);
  const userTransfer = createUserTransferService({
    db,
    reader,
    pools,
    passwordHashCeiling: passwords.ceiling,
    // TOTP secrets at rest, as src/modules/mfa seals them (label and key per docs/user-import.md, "MFA").
    totpBox: createSealedBox(secret, 'totp secret v1'),
    groups: {
      listGroups: groups.listGroupsForTransfer,
      membershipsOf: groups.membershipsOf,
      existingGroups: groups.existingGroups,
      ensureGroups: groups.ensureGroups,
      addMemberships: groups.addMemberships,
    },
  });
  const importJobs = createImportJobsService({
    db,
    pools,
    importUsers: userTransfer.importUsers,
    leaseMs: config.importJobLeaseMs,
    secret,
    publicUrl: config.publicUrl,
    logger,
    ...(overrides.now && { now: overrides.now }),
  });
  // The managed login pages' session cookie (docs/web-sign-in.md).
  const loginSessions = createLoginSessions({ db });
  const oauth = createOAuthService({
    db,
    pools,
    sessions,
    loginSessions,
    poolOfHost: (host) => poolDomains.poolOfHost(host),
    // idp_identifier at /oauth2/authorize (docs/federation.md, "Signing in").
    providerOfIdentifier: async (poolId, identifier) => {
      try {
        return (await identityProviders.byIdentifier(poolId, identifier)).providerName;
      } catch (error) {
        if (error instanceof CognitoError && error.name === 'ResourceNotFoundException') return null;
        throw error;
      }
    },
  });
  const federation = createFederationService({
    db,
    pools,
    oauth,
    loginSessions,
    identityProviders,
    // Found or created at each sign-in, in the provider's group (docs/federation.md, "Signing in").
    federatedUsers: createFederatedUsers({ db, hooks, groups }),
    logger,
  });
  return {
    database,
    pools,
    signingKeys,
    sessions,
    loginSessions,
    poolDomains,
    resourceServers,
    branding,
    identityProviders,
    // The OAuth 2.0 / OIDC endpoints: authorization requests, codes, the token endpoint (docs/web-sign-in.md).
    oauth,
    // The sign-in round trip through an external provider (docs/federation.md, "Signing in").
    federation,
    registration,
    signIn,
    devices,
    mfa,
    customAuth,
    choiceAuth,
    recovery,
    account,
    adminUsers,
    adminPasswords,
    hooks,
    userSearch: createUserSearchService({ db: reader, pools, secret }),
    // AdminLinkProviderForUser, AdminDisableProviderForUser (docs/federation.md, "Users and linking").
    providerLinks: createProviderLinks({ db, pools, sessions }),
    groups,
    userTransfer,
    // Cognito's import jobs over the CSV import, run in the background of this process (docs/user-import.md).
    importJobs,
    adminKey,
    /** Checks the SigV4 signature of Cognito-protocol admin calls against COGNITO_ACCESS_KEY_ID/SECRET. */
    awsSignatures: createSigV4Verifier(config.cognitoCredentials),
    metrics,
    outbox,
    rateLimits: { policy: config.rateLimits, counters: rateLimitCounters, lockout },
    async close() {
      await importJobs.close();
      await courier.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
