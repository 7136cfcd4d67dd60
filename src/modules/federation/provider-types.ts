/**
 * What each ProviderType takes and what it defaults to (docs/federation.md, "Configuring
 * providers"): the ProviderDetails keys Cognito defines for it, its endpoints, the attribute that
 * is the user's id there, its scopes. The one source of these facts: the configuration service,
 * the sign-in round trip and the social profiles read them here.
 */
import type { IdentityProvider, IdentityProviderType, ProviderEndpoints } from './federation.types.ts';

/** Keys that may name an endpoint on every type, for tests and proxies; OIDC finds them by discovery. */
export const ENDPOINT_KEYS = ['authorize_url', 'token_url', 'attributes_url', 'jwks_uri', 'oidc_issuer'] as const;

/** Kept sealed, never in `details` (src/lib/sealed-box.ts). */
export const SECRET_KEYS = ['client_secret', 'private_key'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Keys Cognito sets itself and shows; accepted on input only with the value Cognate would set (Terraform sends them back). */
export const READ_ONLY_KEYS = ['attributes_url_add_attributes', 'token_request_method'] as const;

/** The Graph API version used when a Facebook provider names none (Cognito's documented example). */
export const FACEBOOK_API_VERSION = 'v17.0';

export interface ProviderTypeRules {
  /** ProviderDetails keys that must be given. */
  required: readonly string[];
  /** Further keys it may be given (besides ENDPOINT_KEYS and READ_ONLY_KEYS). */
  optional: readonly string[];
  /** Of the keys, those kept sealed. */
  secrets: readonly SecretKey[];
  /** Secrets DescribeIdentityProvider shows (Cognito shows client_secret, not Apple's private_key). */
  shownSecrets: readonly SecretKey[];
  /** The claim or profile member that is the user's id there; AttributeMapping's `username` defaults to it. */
  subject: string;
  /** authorize_scopes when none is given. */
  defaultScopes: string;
  /** The only scopes it takes (Apple's two); undefined: any. */
  allowedScopes?: readonly string[];
  /** Scopes it must be asked (an ID token needs openid). */
  requiredScopes: readonly string[];
  /** Facebook writes its scopes comma-separated, as Cognito shows them. */
  scopeSeparator: ' ' | ', ';
  /** The endpoints Cognito shows for the type (DescribeIdentityProvider), from the details given. */
  defaults(details: Readonly<Record<string, string>>): Record<string, string>;
}

const SOCIAL_OPTIONAL = ['authorize_scopes'] as const;

export const PROVIDER_TYPES: Readonly<Record<IdentityProviderType, ProviderTypeRules>> = {
  OIDC: {
    required: ['client_id', 'client_secret'],
    optional: ['authorize_scopes', 'attributes_request_method'],
    secrets: ['client_secret'],
    shownSecrets: ['client_secret'],
    subject: 'sub',
    defaultScopes: 'openid',
    requiredScopes: ['openid'],
    scopeSeparator: ' ',
    // Endpoints come from discovery or the details (discovery.ts).
    defaults: () => ({ attributes_request_method: 'GET', attributes_url_add_attributes: 'false' }),
  },
  // Signed in through OpenID Connect: the ID token and the userinfo endpoint (docs/federation.md).
  Google: {
    required: ['client_id', 'client_secret'],
    optional: SOCIAL_OPTIONAL,
    secrets: ['client_secret'],
    shownSecrets: ['client_secret'],
    subject: 'sub',
    defaultScopes: 'openid email profile',
    requiredScopes: ['openid'],
    scopeSeparator: ' ',
    defaults: () => ({
      authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
      token_url: 'https://oauth2.googleapis.com/token',
      attributes_url: 'https://openidconnect.googleapis.com/v1/userinfo',
      attributes_url_add_attributes: 'false',
      oidc_issuer: 'https://accounts.google.com',
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      token_request_method: 'POST',
    }),
  },
  // OAuth 2.0 and the Graph API's /me (social-profiles.ts); no ID token.
  Facebook: {
    required: ['client_id', 'client_secret'],
    optional: [...SOCIAL_OPTIONAL, 'api_version'],
    secrets: ['client_secret'],
    shownSecrets: ['client_secret'],
    subject: 'id',
    defaultScopes: 'public_profile, email',
    requiredScopes: [],
    scopeSeparator: ', ',
    defaults: (details) => {
      const version = details.api_version ?? FACEBOOK_API_VERSION;
      return {
        api_version: version,
        authorize_url: `https://www.facebook.com/${version}/dialog/oauth`,
        token_url: `https://graph.facebook.com/${version}/oauth/access_token`,
        attributes_url: `https://graph.facebook.com/${version}/me?fields=`,
        attributes_url_add_attributes: 'true',
        token_request_method: 'GET',
      };
    },
  },
  // OAuth 2.0 and Amazon's /user/profile (social-profiles.ts); no ID token.
  LoginWithAmazon: {
    required: ['client_id', 'client_secret'],
    optional: SOCIAL_OPTIONAL,
    secrets: ['client_secret'],
    shownSecrets: ['client_secret'],
    subject: 'user_id',
    defaultScopes: 'profile',
    requiredScopes: [],
    scopeSeparator: ' ',
    defaults: () => ({
      authorize_url: 'https://www.amazon.com/ap/oa',
      token_url: 'https://api.amazon.com/auth/o2/token',
      attributes_url: 'https://api.amazon.com/user/profile',
      attributes_url_add_attributes: 'false',
      token_request_method: 'POST',
    }),
  },
  // The ID token is all there is; the client secret is a JWT made from team_id, key_id and private_key.
  SignInWithApple: {
    required: ['client_id', 'team_id', 'key_id', 'private_key'],
    optional: SOCIAL_OPTIONAL,
    secrets: ['private_key'],
    shownSecrets: [],
    subject: 'sub',
    defaultScopes: 'email name',
    allowedScopes: ['email', 'name'],
    requiredScopes: [],
    scopeSeparator: ' ',
    defaults: () => ({
      authorize_url: 'https://appleid.apple.com/auth/authorize',
      token_url: 'https://appleid.apple.com/auth/token',
      attributes_url_add_attributes: 'false',
      oidc_issuer: 'https://appleid.apple.com',
      jwks_uri: 'https://appleid.apple.com/auth/keys',
      token_request_method: 'POST',
    }),
  },
};

/** The social types, which must be named exactly as their type (Google, Facebook, …). */
export const isSocialType = (type: IdentityProviderType): boolean => type !== 'OIDC';

/** Every key a type's ProviderDetails may hold. */
export function allowedKeys(type: IdentityProviderType): ReadonlySet<string> {
  const rules = PROVIDER_TYPES[type];
  return new Set([...rules.required, ...rules.optional, ...ENDPOINT_KEYS, ...READ_ONLY_KEYS]);
}

/** authorize_scopes as a list: spaces or commas between (Facebook's are comma-separated). */
export const parseScopes = (value: string): string[] => value.split(/[\s,]+/).filter((scope) => scope !== '');

/** The claim that is the user's id at the provider: AttributeMapping's `username`, else the type's. */
export const subjectClaim = (provider: Pick<IdentityProvider, 'providerType' | 'attributeMapping'>): string =>
  provider.attributeMapping.username ?? PROVIDER_TYPES[provider.providerType].subject;

/** The endpoints of a stored provider: its details hold them resolved (given, discovered or the type's). */
export function endpointsOf(provider: Pick<IdentityProvider, 'providerType' | 'details'>): ProviderEndpoints {
  const { details } = provider;
  const scopes = parseScopes(details.authorize_scopes ?? PROVIDER_TYPES[provider.providerType].defaultScopes);
  return {
    authorizeUrl: details.authorize_url!,
    tokenUrl: details.token_url!,
    ...(details.attributes_url !== undefined && { attributesUrl: details.attributes_url }),
    attributesRequestMethod: details.attributes_request_method === 'POST' ? 'POST' : 'GET',
    ...(details.oidc_issuer !== undefined && { issuer: details.oidc_issuer }),
    ...(details.jwks_uri !== undefined && { jwksUri: details.jwks_uri }),
    scopes,
  };
}
