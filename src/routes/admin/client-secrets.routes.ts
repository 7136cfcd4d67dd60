import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problems, ref } from '../../schemas/common.ts';
import {
  AddClientSecretBody,
  ClientSecretList,
  ClientSecretParams,
  ClientSecretResponse,
} from '../../schemas/client-secrets.ts';
import { ClientParams } from '../../schemas/pools.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

/** Admin: a confidential client's secrets, for rotation (docs/client-secrets.md). */
export async function clientSecretsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { pools } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/clients/:clientId/secrets',
    {
      schema: {
        operationId: 'ListUserPoolClientSecrets',
        tags: ['clients'],
        summary: 'List an app client’s secrets: ids and dates, never values',
        security,
        params: ClientParams,
        response: {
          200: jsonResponse('The client’s secrets, oldest first', ref(ClientSecretList)),
          ...problems(401, 404),
        },
      },
    },
    async (request) => {
      const pool = await pools.getPool(request.params.poolId);
      const secrets = await pools.clientSecrets.list(pool.id, request.params.clientId);
      return { secrets: secrets.map((secret) => ({ secretId: secret.id, createdAt: secret.createdAt.toISOString() })) };
    },
  );

  app.post(
    '/v1/pools/:poolId/clients/:clientId/secrets',
    {
      schema: {
        operationId: 'AddUserPoolClientSecret',
        tags: ['clients'],
        summary: 'Add a second secret to a confidential client, for rotation; a generated one is shown once',
        description:
          'A client created with a secret can have two live at once: calls proven with either are accepted. A third is refused (LimitExceededException); delete the old one first.',
        security,
        params: ClientParams,
        body: ref(AddClientSecretBody),
        response: {
          201: jsonResponse('The new secret; its value only if generated', ref(ClientSecretResponse)),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request, reply) => {
      const pool = await pools.getPool(request.params.poolId);
      const added = await pools.clientSecrets.add(pool.id, request.params.clientId, request.body.clientSecret);
      // Never cached anywhere on the way: a generated secret is in this answer only.
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({
        secretId: added.id,
        createdAt: added.createdAt.toISOString(),
        ...(added.generated && { secret: added.value }),
      });
    },
  );

  app.delete(
    '/v1/pools/:poolId/clients/:clientId/secrets/:secretId',
    {
      schema: {
        operationId: 'DeleteUserPoolClientSecret',
        tags: ['clients'],
        summary: 'Delete one of a client’s secrets (never the last)',
        security,
        params: ClientSecretParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const pool = await pools.getPool(request.params.poolId);
      await pools.clientSecrets.delete(pool.id, request.params.clientId, request.params.secretId);
      return reply.status(204).send(null);
    },
  );
}
