import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems, ref } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { presentSigningKeys, SigningKeysResponse } from '../../schemas/signing-keys.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

/** Admin: a pool's token signing keys, and their rotation. */
export async function signingKeysRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { signingKeys } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/signing-keys',
    {
      schema: {
        operationId: 'ListSigningKeys',
        tags: ['tokens'],
        summary: 'The pool’s signing keys (never their private parts), newest first',
        security,
        params: PoolParams,
        response: {
          200: jsonResponse('The pool’s signing keys, newest first', ref(SigningKeysResponse)),
          ...problems(401, 404),
        },
      },
    },
    async (request) => presentSigningKeys(await signingKeys.listSigningKeys(request.params.poolId)),
  );

  app.post(
    '/v1/pools/:poolId/signing-keys',
    {
      schema: {
        operationId: 'RotateSigningKey',
        tags: ['tokens'],
        summary:
          'Rotate: a new current key; older keys keep verifying (and stay in the JWKS) for the longest token lifetime, then retire',
        security,
        params: PoolParams,
        response: {
          201: jsonResponse(
            'The pool’s signing keys after the rotation, the new current one first',
            ref(SigningKeysResponse),
          ),
          ...problems(401, 404),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(presentSigningKeys(await signingKeys.rotateSigningKey(request.params.poolId))),
  );
}
