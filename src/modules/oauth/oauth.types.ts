/**
 * The OAuth 2.0 / OpenID Connect face (docs/web-sign-in.md): what a client allows, and an
 * authorization request as /oauth2/authorize and the managed login pages carry it.
 */

/** Cognito's AllowedOAuthFlows. */
export type OAuthFlow = 'code' | 'implicit' | 'client_credentials';

/** A client's OAuth settings (Cognito's members in brackets), stored as the client's `oauth` column. */
export interface ClientOAuthSettings {
  /** [AllowedOAuthFlowsUserPoolClient] false: the client may not use the OAuth endpoints at all. */
  enabled: boolean;
  /** [AllowedOAuthFlows] */
  flows: OAuthFlow[];
  /** [AllowedOAuthScopes] openid, email, phone, profile, aws.cognito.signin.user.admin, `<resource server>/<scope>`. */
  scopes: string[];
  /** [CallbackURLs] redirect_uri must equal one exactly. */
  callbackUrls: string[];
  /** [LogoutURLs] logout_uri must equal one exactly. */
  logoutUrls: string[];
  /** [DefaultRedirectURI] one of callbackUrls, or null. */
  defaultRedirectUri: string | null;
  /** [SupportedIdentityProviders] `COGNITO` (the pool's own users) and the pool's identity providers by name. */
  identityProviders: string[];
  /** Cognate's own (Cognito has none): the authorization-code flow must carry a PKCE S256 challenge. */
  requirePkce: boolean;
}

/** A checked authorization request: what /oauth2/authorize was asked, kept through the login pages. */
export interface AuthorizeRequest {
  poolId: string;
  clientId: string;
  responseType: 'code' | 'token';
  redirectUri: string;
  /** The scopes granted: those asked that the client allows, or all the client allows when none were asked. */
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  identityProvider?: string;
  idpIdentifier?: string;
  lang?: string;
  /**
   * OIDC's prompt: `login` asks for the password again even with a live login session; `none`
   * never shows a page (no live session: `login_required` to the app). The pages drop it from the
   * query they send back after a sign-in, which that sign-in satisfies.
   */
  prompt?: 'login' | 'none';
  /** OIDC's max_age: a login session older than this many seconds counts as none. */
  maxAge?: number;
}

/** A resource server's scope (Cognito's ResourceServerScopeType). */
export interface ResourceServerScope {
  name: string;
  description: string;
}

/** A pool's domain (Cognito's DomainDescriptionType, in part). */
export interface PoolDomain {
  domain: string;
  poolId: string;
  /** A custom domain (CustomDomainConfig given) or a prefix domain. */
  custom: boolean;
  /** CustomDomainConfig.CertificateArn, kept and shown (AWS plumbing). */
  certificateArn: string | null;
  /** Cognito's ManagedLoginVersion: 1 (classic hosted UI) or 2 (managed login). */
  managedLoginVersion: number;
  createdAt: Date;
}
