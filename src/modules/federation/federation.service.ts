/**
 * The sign-in round trip through an external provider (docs/federation.md, "Signing in"):
 * /oauth2/authorize files the request and sends the browser to the provider; /oauth2/idpresponse
 * takes the request back once, exchanges the code, finds or creates the user, starts the login
 * session and sends the browser back to /oauth2/authorize, which issues the app's code. Knows
 * nothing of HTTP: the routes hand it the query or form, the browser's cookie and its origin.
 */
import * as oidc from 'openid-client';
import type { Db } from '../../db/client.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import { OAuthError, type OAuthErrorName } from '../oauth/oauth-errors.ts';
import type { OAuthService } from '../oauth/oauth.service.ts';
import type { AuthorizeRequest } from '../oauth/oauth.types.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { LoginSessions } from '../tokens/login-sessions.ts';
import type { FederatedUsers } from './federated-users.ts';
import { createFederationRequests, type TakeRefusal } from './federation-requests.ts';
import type { IdentityProvider, ProviderEndpoints } from './federation.types.ts';
import { identitiesOfUser } from './identities.ts';
import { clientSecretFor } from './social-profiles.ts';
import { authorizeUrl, exchangeCode, UpstreamError, usesFormPost } from './upstream.ts';

/** What the sign-in needs of a provider (services.identityProviders.forSignIn). */
export interface ProviderForSignIn {
  provider: IdentityProvider;
  secrets: { clientSecret?: string; privateKey?: string };
  endpoints: ProviderEndpoints;
}

/** The path the providers send the browser back to, as Cognito's. */
export const IDP_RESPONSE_PATH = '/oauth2/idpresponse';

/** RFC 6749 4.1.2.1's error names: a provider's own error is passed on when it is one of them. */
const AUTHORIZE_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/** A provider's text in our error description: printable, short. */
const clean = (text: string, max = 300) =>
  text
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .trim()
    .slice(0, max);

/** The app's query without prompt and max_age: the provider's sign-in satisfies them (docs/federation.md). */
function returnQuery(rawQuery: string): string {
  const params = new URLSearchParams(rawQuery);
  params.delete('prompt');
  params.delete('max_age');
  return params.toString();
}

export type FederationRefusal = TakeRefusal | 'no-state';

export function createFederationService(deps: {
  db: Db;
  pools: PoolsService;
  oauth: OAuthService;
  loginSessions: LoginSessions;
  identityProviders: { forSignIn(poolId: string, providerName: string): Promise<ProviderForSignIn | null> };
  federatedUsers: FederatedUsers;
  logger: Logger;
}) {
  const { db, oauth, logger } = deps;
  const requests = createFederationRequests({ db });

  /** The error page's OAuthError (no redirect): the request cannot be trusted to name where to go. */
  const pageError = (refusal: FederationRefusal) =>
    new OAuthError(
      'invalid_request',
      {
        'no-state': 'The answer from the identity provider has no state.',
        unknown: 'The sign-in is unknown or was already used. Start again from the app.',
        expired: 'The sign-in took too long. Start again from the app.',
        'other-browser': 'The sign-in was started in another browser. Start again from the app.',
      }[refusal],
    );

  return {
    /**
     * Whether a live login session counts for a sign-in that names this provider: only when its
     * user holds an identity of it (docs/federation.md, "Signing in"); else the provider is asked.
     */
    async sessionCounts(userId: string, providerName: string): Promise<boolean> {
      return (await identitiesOfUser(db, userId)).some((row) => row.providerName === providerName);
    },

    /**
     * Files the sign-in and answers where the browser goes (the provider's authorization URL) and
     * the browser-binding cookie's value. `origin`: the origin the browser asked at, whose
     * /oauth2/idpresponse the provider sends it back to (docs/federation.md, "Security").
     */
    async start(authorize: AuthorizeRequest, rawQuery: string, origin: string) {
      const redirect = {
        uri: authorize.redirectUri,
        fragment: authorize.responseType === 'token',
        ...(authorize.state !== undefined && { state: authorize.state }),
      };
      const name = authorize.identityProvider!;
      const found = await deps.identityProviders.forSignIn(authorize.poolId, name);
      if (!found)
        throw new OAuthError('invalid_request', `The identity provider ${name.slice(0, 128)} does not exist.`, {
          redirect,
        });
      if (!found.endpoints.authorizeUrl || !found.endpoints.tokenUrl) {
        logger.warn({ provider: name, pool: authorize.poolId }, 'identity provider has no authorize_url or token_url');
        throw new OAuthError('invalid_request', `${name} Error - the identity provider is not configured correctly.`, {
          redirect,
        });
      }
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      // Normalised as URL parsers write it (no `:80` on http, lower-case host): the provider compares
      // the redirect_uri of the authorize request and of the code exchange as text.
      let redirectUri: string;
      try {
        redirectUri = new URL(IDP_RESPONSE_PATH, origin).href;
      } catch {
        throw new OAuthError('invalid_request', 'The request’s Host is not a valid host name.', { redirect });
      }
      const { state, browserToken } = await requests.create({
        poolId: authorize.poolId,
        providerName: name,
        authorizeQuery: returnQuery(rawQuery),
        redirectUri,
        nonce,
        codeVerifier,
      });
      const location = authorizeUrl({
        provider: found.provider,
        endpoints: found.endpoints,
        redirectUri,
        state,
        nonce,
        codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      });
      return { location, browserToken, formPost: usesFormPost(found.provider) };
    },

    /**
     * The provider's answer (GET query, or Sign in with Apple's form POST). Answers the way back to
     * /oauth2/authorize with a new login session; throws OAuthError: without a redirect (the error
     * page) when the request is unknown, spent, expired or of another browser, with the app's
     * redirect URI for everything after (the provider's error, a failed exchange, a refused user).
     */
    async finish(
      params: Record<string, unknown>,
      browserToken: string | undefined,
      host: string | undefined,
    ): Promise<{ location: string; loginSession: string }> {
      const text = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : undefined);
      const state = text('state');
      if (state === undefined || state === '') throw pageError('no-state');
      const taken = await requests.take(state, browserToken);
      if ('refused' in taken) {
        logger.warn({ refusal: taken.refused }, 'federated sign-in refused at /oauth2/idpresponse');
        throw pageError(taken.refused);
      }
      const stored = taken.request;
      // The app's request is checked again: its client or redirect URI may have changed meanwhile.
      const query = Object.fromEntries(new URLSearchParams(stored.authorizeQuery));
      const authorize = await oauth.checkAuthorizeRequest(query, host);
      const redirect = {
        uri: authorize.redirectUri,
        fragment: authorize.responseType === 'token',
        ...(authorize.state !== undefined && { state: authorize.state }),
      };
      const toApp = (error: OAuthErrorName, description: string) =>
        new OAuthError(error, clean(description, 1000), { redirect });
      const name = stored.providerName;
      // The app's request, checked again, must still name this provider for a client that lists it
      // (an idp_identifier moved to another provider, or the provider taken off the client, meanwhile).
      if (authorize.identityProvider !== name || authorize.poolId !== stored.poolId)
        throw toApp('invalid_request', `The client no longer signs in through ${name}. Start again from the app.`);

      const upstreamError = text('error');
      if (upstreamError !== undefined) {
        const description = text('error_description');
        // Cognito passes the provider's error on, its name in front (docs/federation.md, "Signing in").
        throw toApp(
          AUTHORIZE_ERRORS.has(upstreamError) ? (upstreamError as OAuthErrorName) : 'invalid_request',
          `${name} Error - ${clean(upstreamError, 100)}${description ? ` ${clean(description)}` : ''}`,
        );
      }
      const code = text('code');
      if (code === undefined || code === '') throw toApp('invalid_request', `${name} Error - no code was sent back.`);

      const found = await deps.identityProviders.forSignIn(stored.poolId, name);
      if (!found) throw toApp('invalid_request', `The identity provider ${name} does not exist.`);
      // Read without a proof of the client's secret, as /oauth2/authorize reads it: the browser has
      // none, and the code this leads to is only exchanged with it at /oauth2/token.
      const named = await deps.pools.clientForOAuth(authorize.clientId);
      if (!named) throw toApp('invalid_request', 'The client does not exist.');
      const { pool, client } = named;
      let profile;
      try {
        const clientSecret = await clientSecretFor(found.provider, found.secrets);
        profile = await exchangeCode({
          provider: found.provider,
          endpoints: found.endpoints,
          clientSecret,
          redirectUri: stored.redirectUri,
          code,
          state,
          nonce: stored.nonce,
          codeVerifier: stored.codeVerifier,
          formParams: params,
        });
      } catch (error) {
        // A provider whose stored settings cannot be used (Apple's private key): the administrator's to fix.
        if (error instanceof CognitoError) {
          logger.warn({ provider: name, pool: pool.id, error: error.message }, 'identity provider misconfigured');
          throw toApp('invalid_request', `${name} Error - the identity provider is not configured correctly.`);
        }
        if (!(error instanceof UpstreamError)) throw error;
        logger.warn(
          { provider: name, pool: pool.id, kind: error.kind, detail: error.detail },
          'identity provider sign-in failed',
        );
        if (error.kind === 'refused' && error.providerError) {
          const { error: upstream, description, status } = error.providerError;
          throw toApp(
            AUTHORIZE_ERRORS.has(upstream) ? (upstream as OAuthErrorName) : 'invalid_request',
            `${name} Error - ${status ?? ''} ${clean(upstream, 100)}${description ? ` ${clean(description)}` : ''}`,
          );
        }
        if (error.kind === 'unreachable')
          throw toApp('temporarily_unavailable', `${name} Error - the identity provider did not answer.`);
        throw toApp('invalid_request', `${name} Error - the identity provider's answer failed its checks.`);
      }

      let user;
      try {
        ({ user } = await deps.federatedUsers.signIn({ pool, client, provider: found.provider, profile }));
      } catch (error) {
        if (!(error instanceof CognitoError)) throw error;
        logger.warn({ provider: name, pool: pool.id, error: error.name }, 'federated user refused');
        if (error.name === 'NotAuthorizedException') throw toApp('access_denied', error.message);
        throw toApp('invalid_request', error.message);
      }
      const loginSession = await deps.loginSessions.start(pool.id, user.id);
      return { location: `/oauth2/authorize?${stored.authorizeQuery}`, loginSession };
    },
  };
}

export type FederationService = ReturnType<typeof createFederationService>;
