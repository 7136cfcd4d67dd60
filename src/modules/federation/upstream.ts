/**
 * The calls to an external provider during a sign-in (docs/federation.md, "Signing in"): the
 * authorization URL the browser is sent to, the code exchange (client_secret_post, as Cognito),
 * the ID token's checks (signature from jwks_uri, iss, aud, exp, nonce) and the userInfo or
 * profile call. openid-client does the OAuth and OIDC work; every call has a timeout, and every
 * failure is an UpstreamError that says what went wrong without a token in it.
 */
import { readCappedText } from '../../lib/capped-body.ts';
import * as oidc from 'openid-client';
import type { IdentityProvider, ProviderEndpoints, UpstreamProfile } from './federation.types.ts';
import { subjectClaim } from './provider-types.ts';
import { appleFormUser, socialProfile, SocialProviderError } from './social-profiles.ts';

/** Each call to the provider: the user's browser is waiting. */
export const UPSTREAM_TIMEOUT_SECONDS = 10;
/** A userInfo answer is a few hundred bytes; more is not one. */
const MAX_USERINFO_BYTES = 64 * 1024;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why the provider's answer could not be used. `refused`: the provider answered an OAuth error
 * (its error, description and HTTP status are passed on to the app, as Cognito does);
 * `unreachable`: down or too slow; `invalid`: an answer that fails its checks (a bad ID token
 * signature, issuer, audience, nonce, a userInfo of another subject).
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly kind: 'refused' | 'unreachable' | 'invalid' | 'misconfigured',
    readonly detail: string,
    readonly providerError?: { error: string; description?: string; status?: number },
  ) {
    super(`${kind}: ${detail}`);
  }
}

/** Types whose sign-in brings an ID token (OpenID Connect); Facebook and Amazon are OAuth 2.0 only. */
const hasIdToken = (type: IdentityProvider['providerType']) =>
  type === 'OIDC' || type === 'Google' || type === 'SignInWithApple';

/** Sign in with Apple answers by a form POST when names or emails are asked (Cognito's response_mode). */
export const usesFormPost = (provider: Pick<IdentityProvider, 'providerType'>) =>
  provider.providerType === 'SignInWithApple';

/** The provider's authorization URL with the request's state, nonce and PKCE challenge. */
export function authorizeUrl(input: {
  provider: IdentityProvider;
  endpoints: ProviderEndpoints;
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
}): string {
  const { provider, endpoints } = input;
  const url = new URL(endpoints.authorizeUrl);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: provider.details.client_id ?? '',
    redirect_uri: input.redirectUri,
    scope: endpoints.scopes.join(' '),
    state: input.state,
    code_challenge: input.codeChallenge,
    code_challenge_method: 'S256',
    ...(hasIdToken(provider.providerType) && { nonce: input.nonce }),
    ...(usesFormPost(provider) && { response_mode: 'form_post' }),
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/** http only to a loopback host (tests, a sidecar): the same rule as the configuration's (discovery.ts). */
function checkTransport(urls: Array<string | undefined>): boolean {
  let insecure = false;
  for (const text of urls) {
    if (text === undefined) continue;
    const url = new URL(text);
    if (url.protocol === 'https:') continue;
    if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) insecure = true;
    else throw new UpstreamError('misconfigured', `${url.origin} is neither https nor loopback http`);
  }
  return insecure;
}

/** openid-client's and fetch's failures as an UpstreamError. */
function asUpstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof oidc.ResponseBodyError)
    return new UpstreamError('refused', `the provider answered ${error.status} ${error.error}`, {
      error: error.error,
      ...(error.error_description !== undefined && { description: error.error_description }),
      status: error.status,
    });
  if (error instanceof SocialProviderError)
    return new UpstreamError(
      error.reason === 'unreachable' ? 'unreachable' : error.reason === 'misconfigured' ? 'misconfigured' : 'invalid',
      error.detail,
    );
  const name = (error as Error | undefined)?.name;
  const cause = (error as { cause?: { name?: string; code?: string } } | undefined)?.cause;
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    (error instanceof TypeError && /fetch failed/i.test(error.message)) ||
    cause?.code === 'ECONNREFUSED'
  )
    return new UpstreamError('unreachable', `the provider did not answer (${name ?? 'error'}: ${cause?.code ?? ''})`);
  const code = (error as { code?: string } | undefined)?.code;
  return new UpstreamError('invalid', `${code ?? name ?? 'error'}: ${(error as Error | undefined)?.message ?? ''}`);
}

/** The claim values a provider may send as the user's id: text or a number (Facebook's ids). */
function subjectOf(claims: Record<string, unknown>, claim: string): string {
  const value = claims[claim];
  if (typeof value === 'string' && value !== '' && value.length <= 255) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new UpstreamError('invalid', `the provider's answer has no usable ${claim}`);
}

/**
 * Exchanges the code and reads the user: the ID token's claims (checked) merged with userInfo's
 * (userInfo wins, as Cognito), or the profile of an OAuth 2.0 provider. `formParams`: what Sign in
 * with Apple posted (its `user` member on a first sign-in).
 */
export async function exchangeCode(input: {
  provider: IdentityProvider;
  endpoints: ProviderEndpoints;
  clientSecret: string | undefined;
  redirectUri: string;
  code: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  formParams?: Record<string, unknown>;
}): Promise<UpstreamProfile> {
  const { provider, endpoints } = input;
  try {
    const withIdToken = hasIdToken(provider.providerType);
    if (withIdToken && (endpoints.issuer === undefined || endpoints.jwksUri === undefined))
      throw new UpstreamError('misconfigured', 'the provider has no issuer or jwks_uri to check its ID token with');
    const insecure = checkTransport([endpoints.tokenUrl, endpoints.jwksUri, endpoints.attributesUrl]);
    const server: oidc.ServerMetadata = {
      // An OAuth 2.0 provider has no issuer: the token endpoint's origin stands in (nothing checks it).
      issuer: endpoints.issuer ?? new URL(endpoints.tokenUrl).origin,
      authorization_endpoint: endpoints.authorizeUrl,
      token_endpoint: endpoints.tokenUrl,
      ...(endpoints.jwksUri !== undefined && { jwks_uri: endpoints.jwksUri }),
    };
    // Cognito authenticates to every provider with client_secret_post (docs/federation.md, "Signing in").
    const auth = input.clientSecret ? oidc.ClientSecretPost(input.clientSecret) : oidc.None();
    const config = new oidc.Configuration(server, provider.details.client_id ?? '', undefined, auth);
    config.timeout = UPSTREAM_TIMEOUT_SECONDS;
    if (insecure) oidc.allowInsecureRequests(config);
    // The ID token's signature is checked against jwks_uri too, not only its claims (iss, aud, exp, nonce).
    if (withIdToken) oidc.enableNonRepudiationChecks(config);

    const current = new URL(input.redirectUri);
    current.searchParams.set('code', input.code);
    current.searchParams.set('state', input.state);
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: input.codeVerifier,
      expectedState: input.state,
      ...(withIdToken && { expectedNonce: input.nonce, idTokenExpected: true }),
    });

    if (provider.providerType === 'Facebook' || provider.providerType === 'LoginWithAmazon') {
      return await socialProfile(provider.providerType, endpoints, tokens.access_token, {
        mappedFields: Object.values(provider.attributeMapping),
        timeoutMs: UPSTREAM_TIMEOUT_SECONDS * 1000,
      });
    }

    const idClaims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
    let claims: Record<string, unknown> = { ...idClaims };
    if (provider.providerType === 'SignInWithApple' && input.formParams)
      claims = { ...appleFormUser(input.formParams), ...claims };
    if (endpoints.attributesUrl !== undefined) {
      const response = await oidc.fetchProtectedResource(
        config,
        tokens.access_token,
        new URL(endpoints.attributesUrl),
        endpoints.attributesRequestMethod,
      );
      if (!response.ok)
        throw new UpstreamError('refused', `userInfo answered ${response.status}`, {
          error: 'invalid_request',
          description: `userInfo answered ${response.status}`,
          status: response.status,
        });
      const text = await readCappedText(response, MAX_USERINFO_BYTES);
      if (text === null) throw new UpstreamError('invalid', 'the userInfo answer is too large');
      let info: unknown;
      try {
        info = JSON.parse(text);
      } catch {
        throw new UpstreamError('invalid', 'the userInfo answer is not JSON');
      }
      if (typeof info !== 'object' || info === null || Array.isArray(info))
        throw new UpstreamError('invalid', 'the userInfo answer is not an object');
      const answer = info as Record<string, unknown>;
      // OIDC Core 5.3.2: a userInfo of another subject than the ID token's is not this user's.
      if (answer.sub !== undefined && answer.sub !== idClaims.sub)
        throw new UpstreamError('invalid', 'userInfo names another subject than the ID token');
      claims = { ...claims, ...answer };
    }
    // The subject is the ID token's (signed), whatever userInfo said.
    const subject = subjectOf(subjectClaim(provider) === 'sub' ? idClaims : claims, subjectClaim(provider));
    return { subject, claims };
  } catch (error) {
    throw asUpstreamError(error);
  }
}
