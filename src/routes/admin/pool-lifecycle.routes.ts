import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problems } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';

const security = [{ adminKey: [] }];

/** Admin: deleting a pool (Cognito's DeleteUserPool), refused while deletion protection is on (docs/pools.md). */
export async function poolLifecycleRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { pools } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.delete(
    '/v1/pools/:poolId',
    {
      schema: {
        operationId: 'DeleteUserPool',
        tags: ['pools'],
        summary:
          'Delete a pool and everything of it (users, clients, sessions, keys, groups, devices, audit trail); refused with 400 while deletionProtection is on',
        security,
        params: PoolParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await pools.deletePool(request.params.poolId);
      return reply.status(204).send(null);
    },
  );
}
