/**
 * A client's OAuth 2.0 settings (Cognito's CallbackURLs, LogoutURLs, DefaultRedirectURI,
 * AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient,
 * SupportedIdentityProviders), checked by Cognito's rules (docs/web-sign-in.md, "Configuring a
 * client"). The scopes of the pool's resource servers are asked of the caller: pools cannot read
 * them.
 */
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { COGNITO_PROVIDER } from '../federation/federation.types.ts';
import type { ClientOAuthSettings, OAuthFlow } from '../oauth/oauth.types.ts';

/** A client that does not use the OAuth endpoints: what every client starts with. */
export const OAUTH_OFF: ClientOAuthSettings = {
  enabled: false,
  flows: [],
  scopes: [],
  callbackUrls: [],
  logoutUrls: [],
  defaultRedirectUri: null,
  identityProviders: [],
  requirePkce: false,
};

/** The scopes Cognito defines itself; any other is `<resource server identifier>/<scope name>`. */
export const STANDARD_SCOPES = ['phone', 'email', 'openid', 'profile', 'aws.cognito.signin.user.admin'] as const;
const STANDARD = new Set<string>(STANDARD_SCOPES);
/** Scopes that only widen an ID token: Cognito grants them only with openid. */
const NEEDS_OPENID = ['phone', 'email', 'profile'];

/** Cognito's limits (API reference, CreateUserPoolClient). */
export const MAX_REDIRECT_URLS = 100;
export const MAX_SCOPES = 50;
const REDIRECT_URL = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,1024}$/u;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const FLOWS: readonly OAuthFlow[] = ['code', 'implicit', 'client_credentials'];
/** Schemes a browser would run or read locally rather than hand to an app: never a redirect. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

/**
 * A redirect URL as Cognito takes one: absolute, no fragment, https (or http://localhost on any
 * port, for testing), or an app's own scheme (`myapp://callback`). Kept exactly as written: the
 * authorize endpoint compares redirect_uri with it character for character.
 */
function checkRedirectUrl(url: string, member: string): void {
  const bad = (why: string) => invalidParameter(`${member} ${JSON.stringify(url.slice(0, 200))} ${why}`);
  if (!REDIRECT_URL.test(url)) throw bad('must be 1 to 1024 characters with no spaces or control characters.');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('is not an absolute URI.');
  }
  if (url.includes('#')) throw bad('must not include a fragment (#).');
  if (UNSAFE_SCHEMES.has(parsed.protocol)) throw bad(`must not use the ${parsed.protocol} scheme.`);
  if (parsed.protocol === 'http:' && parsed.hostname !== 'localhost')
    throw bad('must use https; http is allowed only for http://localhost.');
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.username + parsed.password !== '')
    throw bad('must not carry a user name or password.');
}

function checkUrls(urls: string[], member: string): string[] {
  if (urls.length > MAX_REDIRECT_URLS) throw invalidParameter(`${member} may list at most ${MAX_REDIRECT_URLS} URLs.`);
  for (const url of urls) checkRedirectUrl(url, member);
  return [...new Set(urls)];
}

export interface OAuthCheckContext {
  poolId: string;
  /** The client has a secret (client_credentials needs one). */
  confidential: boolean;
  /** The pool's custom scopes, `<identifier>/<name>`, from its resource servers. */
  customScopes: () => Promise<ReadonlySet<string>>;
  /** The pool's identity provider names (docs/federation.md, "Configuring providers"). */
  identityProviders: () => Promise<ReadonlySet<string>>;
  /** Member names as the caller knows them (Cognito's, or the REST API's camelCase). */
  names?: Partial<Record<keyof ClientOAuthSettings, string>>;
}

const COGNITO_NAMES: Record<keyof ClientOAuthSettings, string> = {
  enabled: 'AllowedOAuthFlowsUserPoolClient',
  flows: 'AllowedOAuthFlows',
  scopes: 'AllowedOAuthScopes',
  callbackUrls: 'CallbackURLs',
  logoutUrls: 'LogoutURLs',
  defaultRedirectUri: 'DefaultRedirectURI',
  identityProviders: 'SupportedIdentityProviders',
  requirePkce: 'requirePkce',
};

/** The REST API's names for the same members (src/schemas/pools.ts, the client's `oauth`). */
export const REST_OAUTH_NAMES: Record<keyof ClientOAuthSettings, string> = {
  enabled: 'oauth.enabled',
  flows: 'oauth.flows',
  scopes: 'oauth.scopes',
  callbackUrls: 'oauth.callbackUrls',
  logoutUrls: 'oauth.logoutUrls',
  defaultRedirectUri: 'oauth.defaultRedirectUri',
  identityProviders: 'oauth.identityProviders',
  requirePkce: 'oauth.requirePkce',
};

/**
 * The settings `patch` makes of `current` (members left out are kept), checked as a whole:
 * Cognito's errors are InvalidParameterException, InvalidOAuthFlowException (flows that do not go
 * together) and ScopeDoesNotExistException (a scope neither standard nor a resource server's).
 */
export async function checkClientOAuth(
  current: ClientOAuthSettings,
  patch: Partial<ClientOAuthSettings>,
  context: OAuthCheckContext,
): Promise<ClientOAuthSettings> {
  const name = { ...COGNITO_NAMES, ...context.names };
  const next: ClientOAuthSettings = { ...current };
  for (const [key, value] of Object.entries(patch) as Array<[keyof ClientOAuthSettings, unknown]>)
    if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;

  next.callbackUrls = checkUrls(next.callbackUrls, name.callbackUrls);
  next.logoutUrls = checkUrls(next.logoutUrls, name.logoutUrls);
  if (next.defaultRedirectUri !== null) {
    checkRedirectUrl(next.defaultRedirectUri, name.defaultRedirectUri);
    if (!next.callbackUrls.includes(next.defaultRedirectUri))
      throw invalidParameter(`${name.defaultRedirectUri} must be one of the ${name.callbackUrls}.`);
  }

  for (const flow of next.flows)
    if (!FLOWS.includes(flow))
      throw invalidParameter(`${name.flows} may hold only code, implicit and client_credentials.`);
  next.flows = [...new Set(next.flows)];

  if (next.scopes.length > MAX_SCOPES) throw invalidParameter(`${name.scopes} may list at most ${MAX_SCOPES} scopes.`);
  for (const scope of next.scopes)
    if (!SCOPE.test(scope))
      throw invalidParameter(
        `${name.scopes} ${JSON.stringify(scope.slice(0, 256))} must be 1 to 256 printable characters without spaces, " or \\.`,
      );
  next.scopes = [...new Set(next.scopes)];
  const custom = next.scopes.filter((scope) => !STANDARD.has(scope));
  if (custom.length > 0) {
    const known = await context.customScopes();
    const missing = custom.find((scope) => !known.has(scope));
    if (missing !== undefined)
      throw new CognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${missing.slice(0, 256)}`);
  }

  // COGNITO or a provider of the pool, by its exact name (Cognito's error and wording).
  const others = next.identityProviders.filter((provider) => provider !== COGNITO_PROVIDER);
  if (others.length > 0) {
    const known = await context.identityProviders();
    const missing = others.find((provider) => !known.has(provider));
    if (missing !== undefined)
      throw invalidParameter(
        `The provider ${missing.slice(0, 64)} does not exist for User Pool ${context.poolId} (${name.identityProviders}).`,
      );
  }
  next.identityProviders = [...new Set(next.identityProviders)];

  if (typeof next.requirePkce !== 'boolean') throw invalidParameter(`${name.requirePkce} must be true or false.`);

  if (!next.enabled && (next.flows.length > 0 || next.scopes.length > 0))
    throw new CognitoError('InvalidOAuthFlowException', `${name.flows} and ${name.scopes} need ${name.enabled} true.`);
  if (next.enabled) {
    if (next.flows.length === 0 || next.scopes.length === 0)
      throw new CognitoError(
        'InvalidOAuthFlowException',
        `${name.flows} and ${name.scopes} are required if the client is allowed to use OAuth flows (${name.enabled} true).`,
      );
    const interactive = next.flows.some((flow) => flow === 'code' || flow === 'implicit');
    if (next.flows.includes('client_credentials')) {
      if (interactive)
        throw new CognitoError(
          'InvalidOAuthFlowException',
          'client_credentials flow can not be selected along with code flow or implicit flow.',
        );
      if (!context.confidential)
        throw new CognitoError(
          'InvalidOAuthFlowException',
          'client_credentials flow can not be selected if client does not have a client secret.',
        );
      const standard = next.scopes.find((scope) => STANDARD.has(scope));
      if (standard !== undefined)
        throw new CognitoError(
          'InvalidOAuthFlowException',
          `${standard} is not supported with client_credentials flow.`,
        );
    }
    if (interactive && next.callbackUrls.length === 0)
      throw invalidParameter(`${name.callbackUrls} are required for the code and implicit flows.`);
  }
  const orphan = NEEDS_OPENID.find((scope) => next.scopes.includes(scope));
  if (orphan !== undefined && !next.scopes.includes('openid'))
    throw invalidParameter(`${name.scopes} ${orphan} needs openid too: Cognito grants it only with openid.`);
  return next;
}

/** The client without a deleted identity provider. */
export const withoutProvider = (settings: ClientOAuthSettings, providerName: string): ClientOAuthSettings => ({
  ...settings,
  identityProviders: settings.identityProviders.filter((provider) => provider !== providerName),
});

/** The client's scopes without those removed from the pool's resource servers. */
export const withoutScopes = (settings: ClientOAuthSettings, removed: ReadonlySet<string>): ClientOAuthSettings => ({
  ...settings,
  scopes: settings.scopes.filter((scope) => !removed.has(scope)),
});
