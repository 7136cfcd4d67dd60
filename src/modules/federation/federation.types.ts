/**
 * Federation (docs/federation.md): a pool's external identity providers, and what a sign-in
 * through one of them brings back.
 */
/** Cognito's ProviderType values Cognate offers; SAML is not one of them. */
export const IDENTITY_PROVIDER_TYPES = ['OIDC', 'Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'] as const;
export type IdentityProviderType = (typeof IDENTITY_PROVIDER_TYPES)[number];

/** The provider name a pool's own users go by (SupportedIdentityProviders, identity_provider=). */
export const COGNITO_PROVIDER = 'COGNITO';

/** A pool's identity provider as the admin faces show it (Cognito's IdentityProviderType). */
export interface IdentityProvider {
  poolId: string;
  providerName: string;
  providerType: IdentityProviderType;
  /** ProviderDetails as Cognito shows them: what was given (secrets included) and what discovery found. */
  details: Record<string, string>;
  /** user pool attribute → the provider's attribute. */
  attributeMapping: Record<string, string>;
  idpIdentifiers: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** How Cognate talks to a provider: its endpoints resolved (given, discovered or the type's defaults). */
export interface ProviderEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  /** The userInfo or profile endpoint; absent: the ID token's claims are all there is (Apple). */
  attributesUrl?: string;
  attributesRequestMethod: 'GET' | 'POST';
  /** OIDC types: the ID token's expected issuer and its keys. */
  issuer?: string;
  jwksUri?: string;
  scopes: string[];
}

/** What a provider said of the user after the code exchange: their id there and every claim. */
export interface UpstreamProfile {
  /** `sub` (OIDC, Google, Apple), `id` (Facebook), `user_id` (Amazon). */
  subject: string;
  /** The ID token's claims merged with the userInfo / profile answer (the latter wins). */
  claims: Record<string, unknown>;
}

/** One entry of the `identities` attribute (docs/federation.md, "Users and linking"). */
export interface IdentityEntry {
  userId: string;
  providerName: string;
  providerType: IdentityProviderType;
  issuer: string | null;
  primary: boolean;
  dateCreated: number;
}
