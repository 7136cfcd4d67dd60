import { Type } from 'typebox';
import { ref } from './common.ts';

/** One federated identity of a user, as the `identities` attribute lists it (docs/federation.md, "Users and linking"). */
export const FederatedIdentity = Type.Object(
  {
    userId: Type.String({ description: 'The subject: the user’s id at the provider.' }),
    providerName: Type.String(),
    providerType: Type.String({ description: 'OIDC, Google, Facebook, LoginWithAmazon or SignInWithApple.' }),
    issuer: Type.Union([Type.String(), Type.Null()], {
      description: 'null, as in Cognito for OIDC and social providers.',
    }),
    primary: Type.Boolean({ description: 'true: the identity the user was created from (an EXTERNAL_PROVIDER user).' }),
    dateCreated: Type.Integer({ description: 'When it was filed, in epoch milliseconds.' }),
  },
  { $id: 'FederatedIdentity', additionalProperties: false },
);

export const FederatedIdentityList = Type.Object(
  { identities: Type.Array(ref(FederatedIdentity)) },
  { $id: 'FederatedIdentityList', additionalProperties: false },
);

/** AdminLinkProviderForUser: a provider's subject that signs in as this user from now on. */
export const LinkIdentityBody = Type.Object(
  {
    providerName: Type.String({ minLength: 1, maxLength: 32, description: 'An identity provider of the pool.' }),
    subject: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'The user’s id at the provider (Cognito_Subject): sub, or Facebook’s id, or Amazon’s user_id.',
    }),
  },
  { $id: 'LinkIdentityRequest', additionalProperties: false },
);

export const IdentityParams = Type.Object(
  {
    poolId: Type.String({ maxLength: 64 }),
    username: Type.String({ minLength: 1, maxLength: 128 }),
    providerName: Type.String({ minLength: 1, maxLength: 32 }),
    subject: Type.String({ minLength: 1, maxLength: 2048 }),
  },
  { additionalProperties: false },
);
