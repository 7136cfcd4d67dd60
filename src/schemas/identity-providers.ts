/**
 * The REST face of a pool's identity providers (docs/federation.md, "Configuring providers"):
 * Cognito's members in camelCase; ProviderDetails and AttributeMapping keep Cognito's keys.
 */
import { Type } from 'typebox';
import type { IdentityProvider } from '../modules/federation/federation.types.ts';
import { IDENTITY_PROVIDER_TYPES } from '../modules/federation/federation.types.ts';
import type { ProviderSummary } from '../modules/federation/identity-providers.service.ts';
import { ref } from './common.ts';

const PoolId = Type.String({ maxLength: 64 });
const Timestamp = Type.String({ format: 'date-time' });
const ProviderName = Type.String({ minLength: 1, maxLength: 32 });

export const IdentityProviderParams = Type.Object(
  { poolId: PoolId, providerName: ProviderName },
  { additionalProperties: false },
);
export const IdentifierParams = Type.Object(
  { poolId: PoolId, identifier: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);

const ProviderDetails = Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ maxLength: 8192 }), {
  description:
    'Cognito’s ProviderDetails keys for the type (client_id, client_secret, authorize_scopes, oidc_issuer, …); an unknown key is refused naming it. OIDC endpoints are discovered from oidc_issuer unless given. URLs: https, or http to localhost, 127.0.0.1 or [::1] only.',
});
const AttributeMapping = Type.Record(Type.String({ minLength: 1, maxLength: 32 }), Type.String({ maxLength: 2048 }), {
  description:
    'User pool attribute → the provider’s claim. Keys: the pool’s mutable attributes (standard or custom:) or username (the user’s id there; defaults to sub, id or user_id by type).',
});
const IdpIdentifiers = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
  maxItems: 50,
  description:
    'Names for /oauth2/authorize?idp_identifier=: 1 to 40 of letters, digits, space and _ + = . @ -; one provider per identifier in a pool.',
});

export const CreateIdentityProviderBody = Type.Object(
  {
    providerName: Type.String({
      minLength: 1,
      maxLength: 32,
      description:
        'OIDC: 3 to 32 characters, no spaces, no _ but as the second. A social provider is named as its type. COGNITO and Cognito are reserved.',
    }),
    providerType: Type.String({
      minLength: 1,
      maxLength: 32,
      description: `One of ${IDENTITY_PROVIDER_TYPES.join(', ')}; SAML is refused (not implemented).`,
    }),
    providerDetails: ProviderDetails,
    attributeMapping: Type.Optional(AttributeMapping),
    idpIdentifiers: Type.Optional(IdpIdentifiers),
  },
  {
    $id: 'CreateIdentityProviderBody',
    additionalProperties: false,
    examples: [
      {
        providerName: 'Corp',
        providerType: 'OIDC',
        providerDetails: {
          client_id: 'cognate',
          client_secret: 'provider-app-client-secret',
          oidc_issuer: 'https://idp.example.com',
          authorize_scopes: 'openid email profile',
        },
        attributeMapping: { email: 'email', name: 'name' },
        idpIdentifiers: ['example.com'],
      },
    ],
  },
);

export const UpdateIdentityProviderBody = Type.Object(
  {
    providerDetails: Type.Optional(ProviderDetails),
    attributeMapping: Type.Optional(AttributeMapping),
    idpIdentifiers: Type.Optional(IdpIdentifiers),
  },
  {
    $id: 'UpdateIdentityProviderBody',
    additionalProperties: false,
    description:
      'Each member given replaces its whole value (client_secret and private_key left out of providerDetails are kept); a member left out keeps its value.',
  },
);

export const IdentityProviderResponse = Type.Object(
  {
    poolId: Type.String(),
    providerName: Type.String(),
    providerType: Type.Enum([...IDENTITY_PROVIDER_TYPES]),
    providerDetails: Type.Record(Type.String(), Type.String(), {
      description:
        'As Cognito’s DescribeIdentityProvider: the keys given, the endpoints resolved, client_secret shown (Sign in with Apple’s private_key never).',
    }),
    attributeMapping: Type.Record(Type.String(), Type.String()),
    idpIdentifiers: Type.Array(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'IdentityProvider', additionalProperties: false },
);

export const IdentityProviderSummary = Type.Object(
  {
    providerName: Type.String(),
    providerType: Type.Enum([...IDENTITY_PROVIDER_TYPES]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'IdentityProviderSummary', additionalProperties: false },
);

export const IdentityProviderList = Type.Object(
  { identityProviders: Type.Array(ref(IdentityProviderSummary)), nextToken: Type.Optional(Type.String()) },
  { $id: 'IdentityProviderList', additionalProperties: false },
);

export const IdentityProviderPageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, description: 'At most 60 (the default).' })),
    nextToken: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const presentIdentityProvider = (provider: IdentityProvider) => ({
  poolId: provider.poolId,
  providerName: provider.providerName,
  providerType: provider.providerType,
  providerDetails: provider.details,
  attributeMapping: provider.attributeMapping,
  idpIdentifiers: provider.idpIdentifiers,
  createdAt: provider.createdAt.toISOString(),
  updatedAt: provider.updatedAt.toISOString(),
});

export const presentProviderSummary = (provider: ProviderSummary) => ({
  providerName: provider.providerName,
  providerType: provider.providerType,
  createdAt: provider.createdAt.toISOString(),
  updatedAt: provider.updatedAt.toISOString(),
});
