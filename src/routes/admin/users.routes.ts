import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems } from '../../schemas/common.ts';
import { AdminCreateUserBody, UserMessagesQuery, UserMessagesResponse, UserParams, UserResponse } from '../../schemas/admin-users.ts';
import { PoolParams } from '../../schemas/pools.ts';

const security = [{ adminKey: [] }];

/** Admin: users of a pool (AdminCreateUser). */
export async function adminUsersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { adminUsers } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post('/v1/pools/:poolId/users', {
    schema: {
      operationId: 'AdminCreateUser',
      tags: ['users'],
      summary: 'Create a user with a temporary password and an invitation; first sign-in must set a new password',
      security,
      params: PoolParams,
      body: AdminCreateUserBody,
      response: { 201: UserResponse, 200: UserResponse, ...problems(400, 401, 404, 409, 415, 502) },
    },
  }, async (request, reply) => {
    const user = await adminUsers.createUser(request.params.poolId, request.body);
    return reply.status(request.body.messageAction === 'RESEND' ? 200 : 201).send(user);
  });

  app.get('/v1/pools/:poolId/users/:username/messages', {
    schema: {
      operationId: 'ListUserMessages',
      tags: ['users'],
      summary: 'Recent codes and invitations sent to a user, with their status and every try (never the code)',
      security,
      params: UserParams,
      querystring: UserMessagesQuery,
      response: { 200: UserMessagesResponse, ...problems(400, 401, 404) },
    },
  }, async (request) => ({
    messages: await adminUsers.recentMessages(request.params.poolId, request.params.username, request.query.limit ?? 20),
  }));
}
