/**
 * The OAuth 2.0 / OpenID Connect server behind a Cognito domain's paths (docs/web-sign-in.md,
 * "Endpoints"): checks authorization requests, issues codes and implicit tokens after a sign-in
 * on the managed login pages, and answers the token and revocation endpoints. It knows nothing of
 * HTTP: the routes hand it the query or form and the client's Basic credentials.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { AppClient, Pool, PoolsService } from '../pools/pools.service.ts';
import type { SealedClientSecret } from '../pools/pools.types.ts';
import type { LoginSessions } from '../tokens/login-sessions.ts';
import type { SessionsService, TokenSet } from '../tokens/sessions.service.ts';
import { findUserById, loadAttributes } from '../user-store/users.repository.ts';
import { createOAuthCodes } from './oauth-codes.ts';
import { appendParams, OAuthError } from './oauth-errors.ts';
import type { AuthorizeRequest } from './oauth.types.ts';

/** The identity provider of the pool's own users. */
export const COGNITO_PROVIDER = 'COGNITO';
/** OpenID Connect's scopes that need `openid` with them, as Cognito (docs/web-sign-in.md, "Tokens and scopes"). */
const OIDC_SCOPES = new Set(['email', 'phone', 'profile']);
/** RFC 7636: a verifier and an S256 challenge are 43 to 128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export type OAuthClient = AppClient & { secrets: readonly SealedClientSecret[] };

/** Client credentials as the token and revocation endpoints read them. */
export interface ClientCredentials {
  /** HTTP Basic (client_secret_basic), already decoded; undefined when none was sent. */
  basic?: { clientId: string; clientSecret: string };
  /** The request's Host, when it may name a pool's domain. */
  host?: string;
}

/** The token endpoint's answer (RFC 6749, 5.1). */
export interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
}

type Params = Record<string, unknown>;

/** A parameter sent at most once: undefined when absent, an error when repeated or not text. */
function single(params: Params, name: string, fail: (description: string) => OAuthError): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw fail(`${name} must be sent once.`);
  return value;
}

/** application/x-www-form-urlencoded decoding of one value (the raw text when it is not valid). */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'ascii').digest();
const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** The space-separated scope list, deduplicated in order (a form's `+` is already a space). */
const scopeList = (text: string) => [...new Set(text.split(/\s+/).filter((s) => s !== ''))];

export function createOAuthService(deps: {
  db: Db;
  pools: PoolsService;
  sessions: SessionsService;
  loginSessions: LoginSessions;
  /** The pool a user-pool domain names (src/modules/pool-domains); null: not a pool's domain. */
  poolOfHost?: (host: string) => Promise<string | null>;
  /** The provider an IdpIdentifier names in a pool (docs/federation.md, "Signing in"); null: none. */
  providerOfIdentifier?: (poolId: string, identifier: string) => Promise<string | null>;
}) {
  const { pools, sessions } = deps;
  const codes = createOAuthCodes({ db: deps.db });

  /** The client the request names and its pool; null when unknown or of another domain's pool. */
  async function clientOf(clientId: string, host: string | undefined) {
    const found = await pools.clientForOAuth(clientId);
    if (!found) return null;
    if (host !== undefined && deps.poolOfHost) {
      const hostPool = await deps.poolOfHost(host);
      if (hostPool !== null && hostPool !== found.pool.id) return null;
    }
    return found;
  }

  /** The user of a login session or code, if they may still sign in; null otherwise. */
  async function signInUser(poolId: string, userId: string) {
    const user = await findUserById(deps.db, userId);
    if (!user || user.poolId !== poolId || !user.enabled) return null;
    return user;
  }

  /** Starts the OAuth session of a hosted sign-in (code exchange and implicit grant). */
  async function hostedTokens(
    pool: Pool,
    client: AppClient,
    grant: { userId: string; scopes: string[]; nonce?: string | null; authTime: Date },
    fail: () => OAuthError,
  ): Promise<TokenSet> {
    const user = await signInUser(pool.id, grant.userId);
    if (!user) throw fail();
    const state = await loadAttributes(deps.db, user);
    return sessions.start(pool, client, user, state, {
      triggerSource: 'TokenGeneration_HostedAuth',
      scopes: grant.scopes,
      authTime: grant.authTime,
      ...(grant.nonce != null && { nonce: grant.nonce }),
    });
  }

  /**
   * The token and revocation endpoints' client authentication (docs/web-sign-in.md, "Endpoints"):
   * HTTP Basic or client_id with client_secret in the form, exactly one of them, proven against
   * the client's secrets; a public client sends its client_id and no secret. A failure is
   * invalid_client: 401 when Basic was tried (RFC 6749, 5.2), 400 otherwise.
   */
  async function authenticateClient(form: Params, credentials: ClientCredentials) {
    const invalidRequest = (d: string) => new OAuthError('invalid_request', d);
    const bodyId = single(form, 'client_id', invalidRequest);
    const bodySecret = single(form, 'client_secret', invalidRequest);
    const status = credentials.basic ? 401 : 400;
    const invalidClient = (d: string) => new OAuthError('invalid_client', d, { status });
    if (credentials.basic && bodySecret !== undefined)
      throw invalidRequest('Send the client secret in the Authorization header or in the form, not both.');
    if (credentials.basic && bodyId !== undefined && bodyId !== credentials.basic.clientId)
      throw invalidClient('client_id does not match the Authorization header.');
    const clientId = credentials.basic?.clientId ?? bodyId;
    if (clientId === undefined || clientId === '') throw invalidClient('Client authentication failed: no client_id.');
    const found = await clientOf(clientId, credentials.host);
    if (!found) throw invalidClient('Client authentication failed.');
    const secret = credentials.basic?.clientSecret ?? bodySecret;
    const member = credentials.basic ? 'Authorization' : 'client_secret';
    // HTTP Basic's secret is form-encoded by RFC 6749 (2.3.1) but sent raw by many clients: a
    // secret with `+` or `%` is tried both ways.
    const tries = secret === undefined ? [undefined] : [...new Set([secret, formDecode(secret)])];
    let proven = false;
    let provenSecret: string | undefined;
    for (const clientSecret of tries) {
      try {
        pools.clientSecrets.prove(found.client, { kind: 'client-secret', clientSecret, member, clientId });
        proven = true;
        provenSecret = clientSecret;
        break;
      } catch (error) {
        if (!(error instanceof CognitoError)) throw error;
      }
    }
    if (!proven) throw invalidClient('Client authentication failed.');
    if (!found.client.oauth.enabled)
      throw new OAuthError('unauthorized_client', 'The client is not allowed to use the OAuth endpoints.');
    return { ...found, proof: { kind: 'client-secret' as const, clientSecret: provenSecret, member, clientId } };
  }

  /** A CognitoError from a token-issuing path as the token endpoint says it. */
  function asOAuthError(error: unknown): never {
    if (!(error instanceof CognitoError)) throw error;
    if (error.name === 'NotAuthorizedException')
      throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
    if (error.name === 'InvalidParameterException') throw new OAuthError('unauthorized_client', error.message);
    if (error.status >= 500) throw new OAuthError('server_error', error.message);
    throw new OAuthError('invalid_request', error.message);
  }

  const tokenResponse = (tokens: TokenSet, scopes: string[] | null, refreshToken?: string): TokenResponse => ({
    access_token: tokens.accessToken,
    // An ID token only for a session granted `openid` (or an API session, which has no scopes).
    ...((scopes === null || scopes.includes('openid')) && { id_token: tokens.idToken }),
    ...(refreshToken !== undefined && { refresh_token: refreshToken }),
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
  });

  /**
   * Checks an authorization request (docs/web-sign-in.md, "Endpoints"). Errors about the client
   * or the redirect URI carry no redirect (the browser gets Cognate's error page); every later
   * error goes to the checked redirect URI with `state`.
   */
  async function checkAuthorizeRequest(query: Params, host?: string): Promise<AuthorizeRequest> {
    const page = (
      d: string,
      error: 'invalid_request' | 'redirect_mismatch' | 'unauthorized_client' = 'invalid_request',
    ) => new OAuthError(error, d);
    const clientId = single(query, 'client_id', page);
    if (clientId === undefined || clientId === '') throw page('client_id is required.');
    const found = await clientOf(clientId, host);
    if (!found) throw page('The client does not exist.', 'invalid_request');
    const { client, pool } = found;
    const oauth = client.oauth;
    if (!oauth.enabled) throw page('The client is not allowed to use the OAuth endpoints.', 'unauthorized_client');
    const asked = single(query, 'redirect_uri', page);
    const redirectUri = asked ?? oauth.defaultRedirectUri ?? undefined;
    if (redirectUri === undefined) throw page('redirect_uri is required (the client has no default).');
    // Exact match against the allow-list: no prefix, no normalisation (no open redirect).
    if (!oauth.callbackUrls.includes(redirectUri))
      throw page('redirect_uri is not a callback URL of the client.', 'redirect_mismatch');

    const state = typeof query.state === 'string' ? query.state : undefined;
    const responseTypeRaw = typeof query.response_type === 'string' ? query.response_type : undefined;
    const fragment = responseTypeRaw === 'token';
    const redirect = { uri: redirectUri, fragment, ...(state !== undefined && { state }) };
    const fail = (
      d: string,
      error:
        'invalid_request' | 'unauthorized_client' | 'unsupported_response_type' | 'invalid_scope' = 'invalid_request',
    ) => new OAuthError(error, d, { redirect });
    single(query, 'state', fail);
    const responseType = single(query, 'response_type', fail);
    if (responseType === undefined) throw fail('response_type is required.');
    if (responseType !== 'code' && responseType !== 'token')
      throw fail('response_type must be code or token.', 'unsupported_response_type');
    if (responseType === 'code' && !oauth.flows.includes('code'))
      throw fail('The client does not allow the authorization code grant.', 'unauthorized_client');
    if (responseType === 'token' && !oauth.flows.includes('implicit'))
      throw fail('The client does not allow the implicit grant.', 'unauthorized_client');

    const scopeText = single(query, 'scope', fail);
    const asking = scopeText === undefined ? [] : scopeList(scopeText);
    const notAllowed = asking.find((s) => !oauth.scopes.includes(s));
    if (notAllowed !== undefined)
      throw fail(`The client does not allow the scope ${notAllowed.slice(0, 128)}.`, 'invalid_scope');
    // None asked: every scope the client allows, as Cognito.
    const scopes = asking.length > 0 ? asking : [...oauth.scopes];
    if (scopes.length === 0) throw fail('The client allows no scope.', 'invalid_scope');
    if (!scopes.includes('openid') && scopes.some((s) => OIDC_SCOPES.has(s)))
      throw fail('The email, phone and profile scopes need the openid scope.', 'invalid_scope');

    const nonce = single(query, 'nonce', fail);
    const codeChallenge = single(query, 'code_challenge', fail);
    const method = single(query, 'code_challenge_method', fail);
    if (responseType === 'code') {
      if (codeChallenge === undefined && method !== undefined)
        throw fail('code_challenge_method without code_challenge.');
      if (codeChallenge !== undefined) {
        if (method === undefined) throw fail('code_challenge_method is required with code_challenge (S256).');
        // Cognito takes S256 only (docs/web-sign-in.md, "Endpoints").
        if (method !== 'S256') throw fail('code_challenge_method must be S256.');
        if (!PKCE_VALUE.test(codeChallenge)) throw fail('code_challenge is not a PKCE S256 challenge.');
      } else if (oauth.requirePkce) {
        throw fail('The client requires PKCE: send code_challenge and code_challenge_method=S256.');
      }
    }

    // identity_provider, or idp_identifier resolved to its provider (docs/federation.md, "Signing in").
    const askedProvider = single(query, 'identity_provider', fail);
    const idpIdentifier = single(query, 'idp_identifier', fail);
    if (askedProvider !== undefined && idpIdentifier !== undefined)
      throw fail('Send identity_provider or idp_identifier, not both.');
    let identityProvider = askedProvider;
    if (idpIdentifier !== undefined) {
      const named = deps.providerOfIdentifier ? await deps.providerOfIdentifier(pool.id, idpIdentifier) : null;
      if (named === null) throw fail('idp_identifier names no identity provider of this pool.');
      identityProvider = named;
    }
    if (identityProvider !== undefined && !oauth.identityProviders.includes(identityProvider))
      throw fail(`The client does not support the identity provider ${identityProvider.slice(0, 128)}.`);
    if (oauth.identityProviders.length === 0)
      throw fail('The client supports no identity provider.', 'unauthorized_client');
    const lang = single(query, 'lang', fail);
    // OIDC's prompt and max_age (docs/web-sign-in.md, "Endpoints"); select_account and consent
    // ask for screens Cognate does not have, so they are refused rather than ignored.
    const prompt = single(query, 'prompt', fail);
    if (prompt !== undefined && prompt !== 'login' && prompt !== 'none')
      throw fail(`prompt=${prompt.slice(0, 64)} is not supported (login and none are).`);
    const maxAgeText = single(query, 'max_age', fail);
    if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText))
      throw fail('max_age must be a whole number of seconds.');

    return {
      poolId: pool.id,
      clientId: client.id,
      responseType,
      redirectUri,
      scopes,
      ...(state !== undefined && { state }),
      ...(nonce !== undefined && { nonce }),
      ...(responseType === 'code' &&
        codeChallenge !== undefined && { codeChallenge, codeChallengeMethod: 'S256' as const }),
      ...(identityProvider !== undefined && { identityProvider }),
      ...(idpIdentifier !== undefined && { idpIdentifier }),
      ...(lang !== undefined && lang !== '' && { lang }),
      ...(prompt !== undefined && { prompt }),
      ...(maxAgeText !== undefined && { maxAge: Number(maxAgeText) }),
    };
  }

  return {
    checkAuthorizeRequest,

    /**
     * The login session the cookie names, if it is live in the request's pool and its user may
     * still sign in (exists, enabled); null otherwise (sign in again).
     */
    async loginOf(poolId: string, cookie: string | undefined): Promise<{ userId: string; authTime: Date } | null> {
      if (cookie === undefined || cookie === '') return null;
      const session = await deps.loginSessions.find(poolId, cookie);
      if (!session) return null;
      const user = await signInUser(poolId, session.userId);
      return user ? { userId: user.id, authTime: session.authTime } : null;
    },

    /**
     * After a sign-in: the URL the browser goes to, the redirect URI with a code (single-use, five
     * minutes, bound to the client, the redirect URI and the PKCE challenge) or, for the implicit
     * grant, the tokens in its fragment.
     */
    /** prompt=none without a live login session: back to the app with OIDC's `login_required`. */
    loginRequired(request: AuthorizeRequest): string {
      return new OAuthError('login_required', 'The user is not signed in.', {
        redirect: {
          uri: request.redirectUri,
          fragment: request.responseType === 'token',
          ...(request.state !== undefined && { state: request.state }),
        },
      }).redirectUrl()!;
    },

    async issue(request: AuthorizeRequest, login: { userId: string; authTime: Date }): Promise<string> {
      const fragment = request.responseType === 'token';
      const redirect = {
        uri: request.redirectUri,
        fragment,
        ...(request.state !== undefined && { state: request.state }),
      };
      const params = new URLSearchParams();
      if (request.responseType === 'code') {
        // The user must still be able to sign in when the code is made, not only when it is used.
        if (!(await signInUser(request.poolId, login.userId)))
          throw new OAuthError('access_denied', 'The user may not sign in.', { redirect });
        const code = await codes.create({
          poolId: request.poolId,
          clientId: request.clientId,
          userId: login.userId,
          redirectUri: request.redirectUri,
          scopes: request.scopes,
          nonce: request.nonce ?? null,
          codeChallenge: request.codeChallenge ?? null,
          codeChallengeMethod: request.codeChallengeMethod ?? null,
          authTime: login.authTime,
        });
        params.set('code', code);
      } else {
        const found = await pools.clientForOAuth(request.clientId);
        if (!found) throw new OAuthError('invalid_request', 'The client does not exist.');
        let tokens: TokenSet;
        try {
          tokens = await hostedTokens(
            found.pool,
            found.client,
            { userId: login.userId, scopes: request.scopes, nonce: request.nonce ?? null, authTime: login.authTime },
            () => new OAuthError('access_denied', 'The user may not sign in.', { redirect }),
          );
        } catch (error) {
          if (error instanceof CognitoError) throw new OAuthError('access_denied', error.message, { redirect });
          throw error;
        }
        // Implicit: no refresh token (its session still backs the access token's revocation).
        params.set('access_token', tokens.accessToken);
        if (request.scopes.includes('openid')) params.set('id_token', tokens.idToken);
        params.set('token_type', 'Bearer');
        params.set('expires_in', String(tokens.expiresIn));
      }
      if (request.state !== undefined) params.set('state', request.state);
      return appendParams(request.redirectUri, params, fragment);
    },

    /** POST /oauth2/token (docs/web-sign-in.md, "Endpoints"). */
    async token(form: Params, credentials: ClientCredentials): Promise<TokenResponse> {
      const invalidRequest = (d: string) => new OAuthError('invalid_request', d);
      const grantType = single(form, 'grant_type', invalidRequest);
      if (grantType === undefined || grantType === '') throw invalidRequest('grant_type is required.');
      const { client, pool, proof } = await authenticateClient(form, credentials);
      const oauth = client.oauth;

      if (grantType === 'authorization_code') {
        if (!oauth.flows.includes('code'))
          throw new OAuthError('unauthorized_client', 'The client does not allow the authorization code grant.');
        const code = single(form, 'code', invalidRequest);
        const redirectUri = single(form, 'redirect_uri', invalidRequest);
        const verifier = single(form, 'code_verifier', invalidRequest);
        if (code === undefined || code === '') throw invalidRequest('code is required.');
        if (redirectUri === undefined || redirectUri === '') throw invalidRequest('redirect_uri is required.');
        // Taken (deleted) before any check: a code is never tried twice.
        const stored = await codes.take(code);
        const invalidGrant = () =>
          new OAuthError('invalid_grant', 'The authorization code is invalid, expired or spent.');
        if (!stored || stored.clientId !== client.id || stored.poolId !== pool.id) throw invalidGrant();
        if (stored.redirectUri !== redirectUri) throw invalidGrant();
        // A code dies with its login session: signed out, password reset or changed since.
        if (!(await deps.loginSessions.liveAt(stored.userId, stored.authTime))) throw invalidGrant();
        if (stored.codeChallenge !== null) {
          if (verifier === undefined || !PKCE_VALUE.test(verifier)) throw invalidGrant();
          const challenge = Buffer.from(stored.codeChallenge, 'ascii');
          if (!sameBytes(Buffer.from(sha256(verifier).toString('base64url'), 'ascii'), challenge)) throw invalidGrant();
        } else if (verifier !== undefined) {
          // A verifier for a code made without a challenge: the challenge was stripped on the way.
          throw invalidGrant();
        }
        let tokens: TokenSet;
        try {
          tokens = await hostedTokens(pool, client, stored, invalidGrant);
        } catch (error) {
          if (error instanceof OAuthError) throw error;
          asOAuthError(error);
        }
        return tokenResponse(tokens, stored.scopes, tokens.refreshToken);
      }

      if (grantType === 'refresh_token') {
        const refreshToken = single(form, 'refresh_token', invalidRequest);
        if (refreshToken === undefined || refreshToken === '') throw invalidRequest('refresh_token is required.');
        // The same sessions as the API's REFRESH_TOKEN_AUTH; the secret was proven above, and the
        // refresh path proves it again within this scope.
        const { tokens, scopes } = await pools.clientSecrets
          .withProof(proof, () => sessions.refreshWithScopes(client.id, refreshToken))
          .catch(asOAuthError);
        return tokenResponse(tokens, scopes);
      }

      if (grantType === 'client_credentials') {
        if (!oauth.flows.includes('client_credentials') || client.secrets.length === 0)
          throw new OAuthError('unauthorized_client', 'The client does not allow the client credentials grant.');
        const scopeText = single(form, 'scope', invalidRequest);
        // Only custom scopes (`<resource server>/<scope>`) go into a machine-to-machine token.
        const allowed = oauth.scopes.filter((s) => s.includes('/'));
        const asking = scopeText === undefined ? [] : scopeList(scopeText);
        const notAllowed = asking.find((s) => !allowed.includes(s));
        if (notAllowed !== undefined)
          throw new OAuthError('invalid_scope', `The client may not ask for the scope ${notAllowed.slice(0, 128)}.`);
        const scopes = asking.length > 0 ? asking : allowed;
        if (scopes.length === 0) throw new OAuthError('invalid_scope', 'The client allows no custom scope.');
        const tokens = await sessions.clientCredentials(pool, client, scopes).catch(asOAuthError);
        return { access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn };
      }

      throw new OAuthError('unsupported_grant_type', `grant_type ${grantType.slice(0, 64)} is not supported.`);
    },

    /**
     * POST /oauth2/revoke (RFC 7009; docs/web-sign-in.md, "Endpoints"): a refresh token and every
     * access token issued from it. An unknown token has nothing left to revoke (200); another
     * client's token is not this client's to end.
     */
    async revoke(form: Params, credentials: ClientCredentials): Promise<void> {
      const invalidRequest = (d: string) => new OAuthError('invalid_request', d);
      const token = single(form, 'token', invalidRequest);
      if (token === undefined || token === '') throw invalidRequest('token is required.');
      const { client } = await authenticateClient(form, credentials);
      await sessions.revokeRefreshToken(client.id, token).catch((error: unknown) => {
        if (error instanceof CognitoError && error.name === 'NotAuthorizedException')
          throw new OAuthError('unsupported_token_type', 'The token was not issued to this client.');
        throw error;
      });
    },

    /**
     * GET /logout's check (docs/web-sign-in.md, "Endpoints"): where the browser goes after the
     * login session ends. `logout_uri` must be one of the client's logout URLs exactly; or
     * `redirect_uri` with `response_type` signs in again (back to /login with the same query).
     */
    async checkLogout(
      query: Params,
      host?: string,
    ): Promise<{ poolId: string; to: { logoutUri: string } | { login: AuthorizeRequest } }> {
      const fail = (d: string) => new OAuthError('invalid_request', d);
      const clientId = single(query, 'client_id', fail);
      if (clientId === undefined || clientId === '') throw fail('client_id is required.');
      const found = await clientOf(clientId, host);
      if (!found) throw fail('The client does not exist.');
      if (!found.client.oauth.enabled)
        throw new OAuthError('unauthorized_client', 'The client is not allowed to use the OAuth endpoints.');
      const logoutUri = single(query, 'logout_uri', fail);
      if (logoutUri !== undefined) {
        if (!found.client.oauth.logoutUrls.includes(logoutUri))
          throw new OAuthError('redirect_mismatch', 'logout_uri is not a sign-out URL of the client.');
        return { poolId: found.pool.id, to: { logoutUri } };
      }
      if (query.redirect_uri === undefined || query.response_type === undefined)
        throw fail('Send logout_uri, or redirect_uri with response_type to sign in again.');
      return { poolId: found.pool.id, to: { login: await checkAuthorizeRequest(query, host) } };
    },

    /** Ends a login session (the cookie's); nothing when there is none. */
    async endLogin(cookie: string | undefined): Promise<void> {
      if (cookie !== undefined && cookie !== '') await deps.loginSessions.end(cookie);
    },
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
