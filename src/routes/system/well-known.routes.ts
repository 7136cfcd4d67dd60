import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CognitoError } from '../../errors/cognito-error.ts';
import { userInfoClaims } from '../../modules/oauth/user-info.ts';
import { problems, ref } from '../../schemas/common.ts';
import { Jwks, OpenIdConfiguration, UserInfo } from '../../schemas/well-known.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

/** What any OIDC library needs to verify a pool's tokens. */
export async function wellKnownRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { pools, signingKeys } = app.services;

  app.get(
    '/:poolId/.well-known/jwks.json',
    {
      schema: {
        operationId: 'GetJwks',
        tags: ['tokens'],
        summary: 'The pool’s public signing keys',
        params: PoolParams,
        response: {
          200: jsonResponse('The pool’s public signing keys, as a JSON Web Key Set', ref(Jwks)),
          ...problems(404),
        },
      },
    },
    async (request) => signingKeys.jwks(request.params.poolId),
  );

  app.get(
    '/:poolId/.well-known/openid-configuration',
    {
      schema: {
        operationId: 'GetOpenIdConfiguration',
        tags: ['tokens'],
        summary: 'OpenID Connect discovery for the pool',
        params: PoolParams,
        response: {
          200: jsonResponse('The pool’s OpenID Connect discovery document', ref(OpenIdConfiguration)),
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const pool = await pools.getPool(request.params.poolId);
      const issuer = pools.issuerOf(pool.id);
      // The OAuth endpoints are at the public URL's root, as a Cognito domain's (docs/web-sign-in.md, "Endpoints").
      const root = issuer.slice(0, -pool.id.length - 1);
      reply.header('cache-control', 'no-store');
      return {
        issuer,
        authorization_endpoint: `${root}/oauth2/authorize`,
        token_endpoint: `${root}/oauth2/token`,
        revocation_endpoint: `${root}/oauth2/revoke`,
        userinfo_endpoint: `${root}/oauth2/userInfo`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        response_types_supported: ['code', 'token'],
        grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'],
        claims_supported: [
          'sub',
          'iss',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'token_use',
          'cognito:username',
          ...pool.attributeSettings.schema.map((a) => a.name).filter((n) => n !== 'sub'),
        ],
      };
    },
  );

  app.get(
    '/oauth2/userInfo',
    {
      schema: {
        operationId: 'GetUserInfo',
        tags: ['tokens'],
        summary: 'OIDC claims of the user the access token speaks for',
        description:
          'The access token must have the `openid` scope (tokens from the OAuth endpoints), as in Cognito: the API’s sign-in tokens are refused. `profile`, `email` and `phone` narrow the claims to theirs.',
        security: [{ accessToken: [] }],
        response: {
          200: ref(UserInfo, { description: 'sub, username and readable attributes' }),
          ...problems(401, 403),
        },
      },
    },
    async (request) => {
      const header = request.headers.authorization;
      const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
      if (!token) throw new CognitoError('NotAuthorizedException', 'Invalid Access Token');
      const caller = await app.services.sessions.authenticate(token, 'openid');
      return userInfoClaims(await app.services.account.userInfo(caller), caller.claims.scope);
    },
  );
}
