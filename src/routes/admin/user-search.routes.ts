import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems, ref } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { ListUsersQuery, ListUsersResponse } from '../../schemas/user-search.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

/** Admin: ListUsers, searching a pool's users with Cognito's filter syntax. */
export async function userSearchRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { userSearch } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/users',
    {
      schema: {
        operationId: 'ListUsers',
        tags: ['users'],
        summary: 'List or search a pool’s users (`email ^= "jo"`), sorted by the filtered attribute, 60 a page at most',
        security,
        params: PoolParams,
        querystring: ListUsersQuery,
        response: {
          200: jsonResponse('One page of users, and the token for the next one', ref(ListUsersResponse)),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => userSearch.listUsers(request.params.poolId, request.query),
  );
}
