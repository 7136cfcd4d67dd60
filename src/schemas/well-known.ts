import { Type } from 'typebox';
import { ref } from './common.ts';

/** One public signing key of a pool (RFC 7517). */
export const Jwk = Type.Object(
  {
    kty: Type.Literal('RSA'),
    n: Type.String(),
    e: Type.String(),
    kid: Type.String(),
    alg: Type.Literal('RS256'),
    use: Type.Literal('sig'),
  },
  { $id: 'Jwk', additionalProperties: false },
);

export const Jwks = Type.Object({ keys: Type.Array(ref(Jwk)) }, { $id: 'Jwks', additionalProperties: false });

export const OpenIdConfiguration = Type.Object(
  {
    issuer: Type.String(),
    authorization_endpoint: Type.String(),
    token_endpoint: Type.String(),
    revocation_endpoint: Type.String(),
    userinfo_endpoint: Type.String(),
    jwks_uri: Type.String(),
    response_types_supported: Type.Array(Type.String()),
    grant_types_supported: Type.Array(Type.String()),
    code_challenge_methods_supported: Type.Array(Type.String()),
    subject_types_supported: Type.Array(Type.String()),
    id_token_signing_alg_values_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
    scopes_supported: Type.Array(Type.String()),
    claims_supported: Type.Array(Type.String()),
  },
  { $id: 'OpenIdConfiguration', additionalProperties: false },
);

/** OIDC claims: sub, username and the attributes the caller may read. */
export const UserInfo = Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean()]), {
  $id: 'UserInfo',
  description: 'sub, username and readable attributes',
});
