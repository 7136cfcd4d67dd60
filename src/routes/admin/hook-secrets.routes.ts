import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems, ref } from '../../schemas/common.ts';
import { HookSecretResponse, RotateHookSecretBody } from '../../schemas/hooks.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

/** Admin: the secret a pool's hook calls are signed with (docs/triggers.md, "Secrets and rotation"). */
export async function hookSecretsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { pools, hooks } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/v1/pools/:poolId/hook-secret',
    {
      schema: {
        operationId: 'RotateHookSecret',
        tags: ['pools'],
        summary:
          'Make a new signing secret for the pool’s hooks and show it once; the secrets before it keep signing for the overlap',
        description:
          'Every hook call is signed the Standard Webhooks way with each live secret of its pool. A pool without a secret gets one at its first hook call; call this to learn one. The secret is shown only in this answer.',
        security,
        params: PoolParams,
        body: ref(RotateHookSecretBody),
        response: {
          201: jsonResponse(
            'The new secret (shown only here) and when the previous ones retire',
            ref(HookSecretResponse),
          ),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request, reply) => {
      const pool = await pools.getPool(request.params.poolId);
      const rotated = await hooks.secrets.rotate(pool.id, request.body.overlapSeconds);
      // Never cached anywhere on the way: the secret is in this answer only.
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({
        secret: rotated.secret,
        createdAt: rotated.createdAt.toISOString(),
        previousSecrets: rotated.previous.map((p) => ({
          createdAt: p.createdAt.toISOString(),
          retiresAt: p.retiresAt.toISOString(),
        })),
      });
    },
  );
}
