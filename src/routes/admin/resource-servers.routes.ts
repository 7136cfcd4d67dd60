import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { problems, ref } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import {
  CreateResourceServerBody,
  ReplaceResourceServerBody,
  ResourceServerList,
  ResourceServerPageQuery,
  ResourceServerParams,
  ResourceServerResponse,
  presentResourceServer,
} from '../../schemas/web-config.ts';

const security = [{ adminKey: [] }];
const NoContent = Type.Null({ description: 'Done' });

/** Admin: resource servers and their custom scopes (CreateResourceServer and kin; docs/web-sign-in.md, "Resource servers"). */
export async function resourceServersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { resourceServers } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/v1/pools/:poolId/resource-servers',
    {
      schema: {
        operationId: 'CreateResourceServer',
        tags: ['web-config'],
        summary: 'Create a resource server with custom scopes `<identifier>/<scope>`',
        security,
        params: PoolParams,
        body: ref(CreateResourceServerBody),
        response: {
          201: jsonResponse('The resource server', ref(ResourceServerResponse)),
          ...problems(400, 401, 404, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const server = await resourceServers.create(request.params.poolId, request.body);
      return reply.status(201).send(presentResourceServer(server));
    },
  );

  app.get(
    '/v1/pools/:poolId/resource-servers',
    {
      schema: {
        operationId: 'ListResourceServers',
        tags: ['web-config'],
        summary: 'The pool’s resource servers by identifier, at most 50 a page',
        security,
        params: PoolParams,
        querystring: ResourceServerPageQuery,
        response: {
          200: jsonResponse('One page of resource servers', ref(ResourceServerList)),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => {
      const result = await resourceServers.list(request.params.poolId, {
        ...(request.query.limit !== undefined && { limit: request.query.limit }),
        ...(request.query.nextToken !== undefined && { nextToken: request.query.nextToken }),
      });
      return {
        resourceServers: result.servers.map(presentResourceServer),
        ...(result.nextToken && { nextToken: result.nextToken }),
      };
    },
  );

  app.get(
    '/v1/pools/:poolId/resource-servers/:identifier',
    {
      schema: {
        operationId: 'DescribeResourceServer',
        tags: ['web-config'],
        summary: 'One resource server',
        security,
        params: ResourceServerParams,
        response: { 200: jsonResponse('The resource server', ref(ResourceServerResponse)), ...problems(401, 404) },
      },
    },
    async (request) =>
      presentResourceServer(await resourceServers.describe(request.params.poolId, request.params.identifier)),
  );

  app.put(
    '/v1/pools/:poolId/resource-servers/:identifier',
    {
      schema: {
        operationId: 'UpdateResourceServer',
        tags: ['web-config'],
        summary: 'Replace a resource server’s name and scopes; a scope left out leaves every client',
        security,
        params: ResourceServerParams,
        body: ref(ReplaceResourceServerBody),
        response: {
          200: jsonResponse('The resource server as replaced', ref(ResourceServerResponse)),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request) =>
      presentResourceServer(
        await resourceServers.update(request.params.poolId, { identifier: request.params.identifier, ...request.body }),
      ),
  );

  app.delete(
    '/v1/pools/:poolId/resource-servers/:identifier',
    {
      schema: {
        operationId: 'DeleteResourceServer',
        tags: ['web-config'],
        summary: 'Delete a resource server; its scopes leave every client',
        security,
        params: ResourceServerParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await resourceServers.delete(request.params.poolId, request.params.identifier);
      return reply.status(204).send(null);
    },
  );
}
