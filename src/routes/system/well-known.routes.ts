import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../../plugins/auth.plugin.ts';
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
    async (request) => {
      const pool = await pools.getPool(request.params.poolId);
      const issuer = pools.issuerOf(pool.id);
      return {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        userinfo_endpoint: `${issuer.slice(0, -pool.id.length - 1)}/oauth2/userInfo`,
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['none'],
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
        security: [{ accessToken: [] }],
        response: {
          200: ref(UserInfo, { description: 'sub, username and readable attributes' }),
          ...problems(401, 403),
        },
      },
      onRequest: app.requireUser,
    },
    async (request) => app.services.account.userInfo(callerOf(request)),
  );
}
