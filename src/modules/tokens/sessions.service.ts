import { createHash, randomUUID } from 'node:crypto';
import { and, eq, getTableColumns, isNull, ne, sql } from 'drizzle-orm';
import { unnamedStatements, type Db, type Queryable, type StatementName } from '../../db/client.ts';
import { clients, pools } from '../../db/schema/pools.ts';
import { loginSessions, refreshTokens } from '../../db/schema/tokens.ts';
import { users } from '../../db/schema/user-store.ts';
import { CognitoError, forbidden } from '../../errors/cognito-error.ts';
import { idTokenAttributeClaims, readAttributes, type UserAttributeState } from '../attributes/index.ts';
import { IDENTITIES_ATTRIBUTE, identitiesClaim } from '../federation/identities.ts';
import type { NewDeviceMetadata } from '../devices/devices.types.ts';
import type { GroupClaims } from '../groups/groups.types.ts';
import type { Hooks } from '../hooks/hooks.types.ts';
import { assertAuthFlow, type AppClient, type Pool, type PoolsService } from '../pools/pools.service.ts';
import { attributesJson, attributeState, type UserRow } from '../user-store/users.repository.ts';
import {
  signAccessToken,
  signClientAccessToken,
  signIdToken,
  verifyAccessToken,
  type AccessTokenClaims,
  type VerificationKey,
  ACCESS_TOKEN_SCOPE,
} from './jwt.ts';
import type { SigningKeyStore } from './key-store.ts';
import { applyPreTokenResponse, preTokenEvent } from './pre-token-generation.ts';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens.ts';

/** Cognito's triggerSource of each token-issuing path (docs/groups.md, "PreTokenGeneration"). */
export type TokenTriggerSource =
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_RefreshTokens'
  | 'TokenGeneration_AuthenticateDevice'
  // The OAuth endpoints (docs/web-sign-in.md, "Tokens and scopes").
  | 'TokenGeneration_HostedAuth';

export interface StartOptions {
  /** Default TokenGeneration_Authentication. */
  triggerSource?: TokenTriggerSource;
  /** The request's ClientMetadata, passed to the PreTokenGeneration hook. */
  clientMetadata?: Record<string, string>;
  /**
   * The device the sign-in was made on (docs/devices.md): `device_key` in its access tokens, and
   * kept with the session, whose refresh must then name it.
   */
  deviceKey?: string;
  /**
   * The OAuth scopes granted (docs/web-sign-in.md, "Tokens and scopes"): the access token's
   * `scope`, kept with the session for its refreshes. Absent: aws.cognito.signin.user.admin, as
   * every sign-in through the API.
   */
  scopes?: string[];
  /** The authorization request's nonce: the ID token's `nonce`. */
  nonce?: string;
  /** When the user signed in (the managed login session's), if not now. */
  authTime?: Date;
  /** No PreTokenGeneration call: a session the managed login pages end at once (sign-in-finish.ts). */
  withoutHook?: boolean;
}

const NO_GROUPS: GroupClaims = { groups: [], roles: [] };

export interface TokenSet {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  expiresIn: number;
  tokenType: 'Bearer';
  /** A new device key for a sign-in not from a remembered device (docs/devices.md). */
  newDeviceMetadata?: NewDeviceMetadata;
}

export type CallerUser = Omit<UserRow, 'passwordHash' | 'srpSalt' | 'srpVerifier'>;
const { passwordHash: _hash, srpSalt: _salt, srpVerifier: _verifier, ...callerUserColumns } = getTableColumns(users);

/** Who a valid access token speaks for. */
export interface Caller {
  pool: Pool;
  client: AppClient;
  /** The user's row without its password hash and SRP verifier: a request never needs them at hand. */
  user: CallerUser;
  /** The user's attributes as read with the session; writes read them again under the user's lock. */
  attributes: UserAttributeState;
  claims: AccessTokenClaims;
}

const invalidRefreshToken = () => new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
const revoked = () => new CognitoError('NotAuthorizedException', 'Access Token has been revoked');
const missingScope = () => new CognitoError('NotAuthorizedException', 'Access Token does not have required scopes');

/** OIDC's at_hash: the left half of the access token's SHA-256, base64url (OpenID Connect Core 3.1.3.6). */
const accessTokenHash = (accessToken: string) =>
  createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');

/** The ID token carries `identities` as an array, as Cognito's do (docs/federation.md, "Users and linking"). */
function withIdentitiesClaim(claims: Record<string, string | boolean>): Record<string, unknown> {
  const value = claims[IDENTITIES_ATTRIBUTE];
  if (typeof value !== 'string') return claims;
  const { [IDENTITIES_ATTRIBUTE]: _value, ...rest } = claims;
  const entries = identitiesClaim(value);
  return entries ? { ...rest, [IDENTITIES_ATTRIBUTE]: entries } : rest;
}

export function createSessionsService(deps: {
  db: Db;
  pools: PoolsService;
  signingKeys: SigningKeyStore;
  /** Server-side statement names, when the connection keeps them (DATABASE_NAMED_STATEMENTS). */
  statementName?: StatementName;
  /** How long a verification key is kept in memory; must stay below the shortest rotation overlap (300 s). */
  keyCacheMs?: number;
  /** A user's groups, read only when tokens are signed (never on an authenticated request). */
  groups?: { claimsFor(q: Queryable, poolId: string, userId: string): Promise<GroupClaims> };
  /** The PreTokenGeneration hook; called before a session row is written, never in a transaction. */
  hooks?: Hooks;
}) {
  const { db } = deps;
  const statementName = deps.statementName ?? unnamedStatements;
  const keyCacheMs = deps.keyCacheMs ?? 60_000;
  // A key may be retired by a rotation in any instance: entries expire after keyCacheMs, so every
  // instance sees a new retiresAt long before it arrives (overlaps are 305 s or more), and never
  // outlive a retiresAt they already know.
  const keyCache = new Map<string, { key: VerificationKey; until: number }>();

  /**
   * A session as every use of one reads it, in one round trip: the session, its user (without
   * secrets) and the user's attributes, and the row versions of the client and pool, whose parsed
   * rows come from the pools service's memory. Prepared once per lookup: building the query anew
   * was a fifth of an authenticated request's work.
   */
  const sessionQuery = () =>
    db
      .select({
        id: refreshTokens.id,
        authTime: refreshTokens.authTime,
        revokedAt: refreshTokens.revokedAt,
        clientId: refreshTokens.clientId,
        deviceKey: refreshTokens.deviceKey,
        scopes: refreshTokens.scopes,
        clientVersion: deps.pools.rowVersion(clients),
        poolVersion: deps.pools.rowVersion(pools),
        user: callerUserColumns,
        attributes: attributesJson(users.id),
      })
      .from(refreshTokens)
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .innerJoin(clients, eq(clients.id, refreshTokens.clientId))
      .innerJoin(pools, eq(pools.id, users.poolId));
  /** Authenticated requests: the session an access token was issued from. */
  const sessionById = sessionQuery()
    .where(eq(refreshTokens.id, sql.placeholder('id')))
    .prepare(statementName('cognate_session_by_id'));
  /** Refresh: a live session by its refresh token's hash. */
  const liveSessionByTokenHash = sessionQuery()
    .where(
      and(
        eq(refreshTokens.tokenHash, sql.placeholder('hash')),
        isNull(refreshTokens.revokedAt),
        sql`${refreshTokens.expiresAt} > now()`,
      ),
    )
    .prepare(statementName('cognate_live_session_by_token_hash'));

  /** A session row with its pool and client (undefined if either was deleted since the query). */
  async function withPoolAndClient(row: Awaited<ReturnType<typeof sessionById.execute>>[number]) {
    const [pool, client] = await Promise.all([
      deps.pools.poolAt(row.user.poolId, row.poolVersion),
      deps.pools.clientAt(row.clientId, row.clientVersion),
    ]);
    return pool && client
      ? { pool, client, user: row.user, attributes: attributeState(row.user.id, row.attributes) }
      : undefined;
  }

  /**
   * What the tokens carry beyond the fixed claims: the user's groups and roles, and what the pool's
   * PreTokenGeneration hook answers (docs/groups.md). Reads and calls happen before any write.
   */
  async function customise(
    pool: Pool,
    client: AppClient,
    user: Pick<UserRow, 'id' | 'username' | 'status'>,
    state: UserAttributeState,
    options: StartOptions & { triggerSource: TokenTriggerSource },
  ) {
    const groups = deps.groups ? await deps.groups.claimsFor(db, pool.id, user.id) : NO_GROUPS;
    const scopes = options.scopes ?? [ACCESS_TOKEN_SCOPE];
    const version = deps.hooks?.has(pool, 'PreTokenGeneration')
      ? deps.hooks.preTokenGenerationVersion(pool)
      : undefined;
    if (!deps.hooks || !version || options.withoutHook)
      return applyPreTokenResponse('V1_0', undefined, { groups, scopes });
    const event = preTokenEvent(version, {
      userAttributes: {
        ...readAttributes(pool.attributeSettings, null, state),
        'cognito:user_status': user.status,
      },
      groups,
      clientMetadata: options.clientMetadata ?? {},
      scopes,
    });
    const response = await deps.hooks.call(pool, {
      trigger: 'PreTokenGeneration',
      triggerSource: options.triggerSource,
      userName: user.username,
      clientId: client.id,
      request: event.request,
      response: event.response,
    });
    return applyPreTokenResponse(version, response, { groups, scopes });
  }

  function signTokens(
    pool: Pool,
    client: AppClient,
    user: Pick<UserRow, 'id' | 'username'>,
    state: UserAttributeState,
    session: { id: string; authTime: Date; deviceKey: string | null; scopes: string[] | null },
    key: Awaited<ReturnType<SigningKeyStore['currentSigningKey']>>,
    custom: Awaited<ReturnType<typeof customise>>,
    nonce?: string,
  ) {
    const common = {
      sub: user.id,
      clientId: client.id,
      issuer: deps.pools.issuerOf(pool.id),
      username: user.username,
      authTime: session.authTime,
      originJti: session.id,
      eventId: randomUUID(),
    };
    const { groups } = custom;
    // Cognito omits cognito:groups when the user is in no group (docs/groups.md, "Tokens").
    const groupClaim = groups.groups.length > 0 ? { 'cognito:groups': groups.groups } : {};
    const { tokens } = pool.policies;
    const accessToken = signAccessToken(
      key,
      {
        ...common,
        claims: { ...custom.accessClaims, ...groupClaim },
        suppress: custom.accessSuppress,
        scopes: custom.scopes,
        ...(session.deviceKey !== null && { deviceKey: session.deviceKey }),
      },
      tokens.accessTokenTtlSeconds,
    );
    return {
      accessToken,
      idToken: signIdToken(
        key,
        {
          ...common,
          attributes: withIdentitiesClaim(idTokenAttributeClaims(pool.attributeSettings, client, state)),
          claims: {
            ...custom.idClaims,
            ...groupClaim,
            ...(groups.roles.length > 0 && { 'cognito:roles': groups.roles }),
            ...(groups.preferredRole !== undefined && { 'cognito:preferred_role': groups.preferredRole }),
          },
          suppress: custom.idSuppress,
          // An OAuth session's ID tokens (docs/web-sign-in.md, "Tokens and scopes").
          ...(nonce !== undefined && { nonce }),
          ...(session.scopes !== null && { atHash: accessTokenHash(accessToken) }),
        },
        tokens.idTokenTtlSeconds,
      ),
      expiresIn: tokens.accessTokenTtlSeconds,
      tokenType: 'Bearer' as const,
    };
  }

  /** REFRESH_TOKEN_AUTH and the token endpoint's refresh_token grant: the same sessions. */
  async function refreshSession(
    clientId: string,
    refreshToken: string,
    deviceKey?: string,
  ): Promise<{ tokens: TokenSet; scopes: string[] | null }> {
    const [row] = await liveSessionByTokenHash.execute({ hash: hashRefreshToken(refreshToken) });
    const session = row && (await withPoolAndClient(row));
    // A token of another client is as good as no token.
    if (!row || !session || session.client.id !== clientId) throw invalidRefreshToken();
    if (row.deviceKey !== null && deviceKey !== row.deviceKey) throw invalidRefreshToken();
    // A confidential client's proof: SECRET_HASH over the user's username or sub, or ClientSecret (docs/client-secrets.md).
    deps.pools.proveRefresh(session.client, [session.user.username, session.user.id]);
    assertAuthFlow(session.client, 'ALLOW_REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN_AUTH');
    if (!session.user.enabled) throw forbidden('User is disabled.');
    // An OAuth session keeps its scopes (docs/web-sign-in.md, "Tokens and scopes").
    const custom = await customise(session.pool, session.client, session.user, session.attributes, {
      triggerSource: 'TokenGeneration_RefreshTokens',
      ...(row.scopes !== null && { scopes: row.scopes }),
    });
    const key = await deps.signingKeys.currentSigningKey(session.pool.id);
    return {
      tokens: signTokens(session.pool, session.client, session.user, session.attributes, row, key, custom),
      scopes: row.scopes,
    };
  }

  return {
    /** A new session (refresh token) and its first access and ID tokens. */
    async start(
      pool: Pool,
      client: AppClient,
      user: UserRow,
      state: UserAttributeState,
      options: StartOptions = {},
    ): Promise<TokenSet> {
      // The hook is called before anything is written: a refusal leaves no session behind.
      const custom = await customise(pool, client, user, state, {
        ...options,
        triggerSource: options.triggerSource ?? 'TokenGeneration_Authentication',
      });
      const key = await deps.signingKeys.currentSigningKey(pool.id);
      const { token, hash } = newRefreshToken();
      const session = {
        id: randomUUID(),
        authTime: options.authTime ?? new Date(),
        deviceKey: options.deviceKey ?? null,
        scopes: options.scopes ?? null,
      };
      await db.insert(refreshTokens).values({
        id: session.id,
        userId: user.id,
        clientId: client.id,
        tokenHash: hash,
        authTime: session.authTime,
        deviceKey: session.deviceKey,
        scopes: session.scopes,
        expiresAt: sql`now() + make_interval(secs => ${pool.policies.tokens.refreshTokenTtlSeconds})`,
      });
      return { ...signTokens(pool, client, user, state, session, key, custom, options.nonce), refreshToken: token };
    },

    /**
     * client_credentials (docs/web-sign-in.md, "Machine-to-machine"): an access token for the client
     * itself, no session and no refresh token. A PreTokenGeneration hook is asked only when it
     * speaks V3 (Cognito sends machine-to-machine events to V3 hooks only), with triggerSource
     * TokenGeneration_ClientCredentials and the client id as userName.
     */
    async clientCredentials(
      pool: Pool,
      client: AppClient,
      scopes: string[],
    ): Promise<{ accessToken: string; expiresIn: number; tokenType: 'Bearer' }> {
      let custom = applyPreTokenResponse('V2_0', undefined, { groups: NO_GROUPS, scopes });
      if (deps.hooks?.has(pool, 'PreTokenGeneration') && deps.hooks.preTokenGenerationVersion(pool) === 'V3_0') {
        const event = preTokenEvent('V3_0', { userAttributes: {}, groups: NO_GROUPS, clientMetadata: {}, scopes });
        const response = await deps.hooks.call(pool, {
          trigger: 'PreTokenGeneration',
          triggerSource: 'TokenGeneration_ClientCredentials',
          userName: client.id,
          clientId: client.id,
          request: event.request,
          response: event.response,
        });
        custom = applyPreTokenResponse('V3_0', response, { groups: NO_GROUPS, scopes });
      }
      const key = await deps.signingKeys.currentSigningKey(pool.id);
      const ttl = pool.policies.tokens.accessTokenTtlSeconds;
      const accessToken = signClientAccessToken(
        key,
        {
          clientId: client.id,
          issuer: deps.pools.issuerOf(pool.id),
          scopes: custom.scopes,
          claims: custom.accessClaims,
          suppress: custom.accessSuppress,
        },
        ttl,
      );
      return { accessToken, expiresIn: ttl, tokenType: 'Bearer' };
    },

    /** `deviceKey`: the client's DEVICE_KEY; a session started on a device must name it, as in Cognito (docs/devices.md). */
    async refresh(clientId: string, refreshToken: string, deviceKey?: string): Promise<TokenSet> {
      return (await refreshSession(clientId, refreshToken, deviceKey)).tokens;
    },

    /** The token endpoint's refresh: the tokens and the session's OAuth scopes (null: an API session). */
    refreshWithScopes: (clientId: string, refreshToken: string) => refreshSession(clientId, refreshToken),

    /**
     * Checks an access token and that its session, user and client still stand. `scope`: the scope
     * the token must carry: aws.cognito.signin.user.admin for the user-pool API, as Cognito
     * (docs/web-sign-in.md, "Tokens and scopes"); `openid` for /oauth2/userInfo.
     */
    async authenticate(accessToken: string, scope: string = ACCESS_TOKEN_SCOPE): Promise<Caller> {
      const claims = await verifyAccessToken(accessToken, {
        resolveKey: async (kid) => {
          const now = Date.now();
          const cached = keyCache.get(kid);
          if (cached && cached.until > now) return cached.key;
          const key = await deps.signingKeys.verificationKey(kid);
          if (key) keyCache.set(kid, { key, until: Math.min(now + keyCacheMs, key.retiresAt?.getTime() ?? Infinity) });
          else keyCache.delete(kid);
          return key;
        },
      });
      const [row] = await sessionById.execute({ id: claims.origin_jti });
      // Signing out revokes the session, and with it every access token issued from it.
      // The session must also belong to the pool whose key signed the token (its issuer).
      if (
        !row ||
        row.revokedAt !== null ||
        row.user.id !== claims.sub ||
        row.clientId !== claims.client_id ||
        deps.pools.issuerOf(row.user.poolId) !== claims.iss
      ) {
        throw revoked();
      }
      if (!row.user.enabled) throw forbidden('User is disabled.');
      const session = await withPoolAndClient(row);
      // Pool or client deleted since the query read them: as gone as the session.
      if (!session) throw revoked();
      if (!claims.scope.split(' ').includes(scope)) throw missingScope();
      return { ...session, claims };
    },

    /**
     * RevokeToken: one session, with the access tokens issued from it. An unknown or expired
     * token has nothing left to revoke (RFC 7009); another client's token is not this client's to end.
     */
    async revokeRefreshToken(clientId: string, refreshToken: string): Promise<void> {
      const [row] = await db
        .select({ id: refreshTokens.id, clientId: refreshTokens.clientId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashRefreshToken(refreshToken)));
      if (!row) return;
      if (row.clientId !== clientId)
        throw new CognitoError('NotAuthorizedException', 'The token was not issued to this client.');
      await db
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.revokedAt)));
    },

    /**
     * GlobalSignOut, and a completed password reset: every refresh token of the user, and the
     * access tokens issued from them. `except` keeps one session: a password change keeps the
     * caller's own and ends every other (docs/security.md, "Sessions").
     */
    /**
     * ForgetDevice: the sessions started on that device end with it (docs/devices.md, "Decisions");
     * `except` keeps the caller's own, as a password change does.
     */
    async revokeDevice(q: Queryable, userId: string, deviceKey: string, except?: string): Promise<void> {
      await q
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(
          and(
            eq(refreshTokens.userId, userId),
            eq(refreshTokens.deviceKey, deviceKey),
            isNull(refreshTokens.revokedAt),
            except === undefined ? undefined : ne(refreshTokens.id, except),
          ),
        );
    },

    async revokeAll(q: Queryable, userId: string, except?: string): Promise<void> {
      // The managed login pages' sessions end too, `except` or not (docs/web-sign-in.md, "The login session").
      await q.delete(loginSessions).where(eq(loginSessions.userId, userId));
      await q
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(
          and(
            eq(refreshTokens.userId, userId),
            isNull(refreshTokens.revokedAt),
            except === undefined ? undefined : ne(refreshTokens.id, except),
          ),
        );
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
