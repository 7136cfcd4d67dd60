import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems, ref } from '../../schemas/common.ts';
import { PoolMessageTemplates } from '../../schemas/message-templates.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

/** Admin: a pool's message templates (Cognito's VerificationMessageTemplate and InviteMessageTemplate, with translations). */
export async function messageTemplatesRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { pools } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/message-templates',
    {
      schema: {
        operationId: 'GetMessageTemplates',
        tags: ['pools'],
        summary: 'The pool’s message templates by purpose, with their translations',
        security,
        params: PoolParams,
        response: {
          200: jsonResponse('The pool’s message templates', ref(PoolMessageTemplates)),
          ...problems(401, 404),
        },
      },
    },
    async (request) => pools.getMessageTemplates(request.params.poolId),
  );

  app.put(
    '/v1/pools/:poolId/message-templates',
    {
      schema: {
        operationId: 'SetMessageTemplates',
        tags: ['pools'],
        summary: 'Replace the pool’s whole set of message templates; `{}` restores the built-in messages',
        security,
        params: PoolParams,
        body: ref(PoolMessageTemplates),
        response: {
          200: jsonResponse('The pool’s message templates as set', ref(PoolMessageTemplates)),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request) => pools.setMessageTemplates(request.params.poolId, request.body),
  );
}
