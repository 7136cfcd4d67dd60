import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CognitoError } from '../../errors/cognito-error.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { problems, ref } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import {
  CreateDomainBody,
  DomainList,
  DomainParams,
  DomainResponse,
  UpdateDomainBody,
  presentDomain,
} from '../../schemas/web-config.ts';

const security = [{ adminKey: [] }];
const NoContent = Type.Null({ description: 'Done' });

/** Admin: a pool's domains, whose Host names the pool on the web face (CreateUserPoolDomain and kin; docs/web-sign-in.md, "Domains"). */
export async function poolDomainsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { poolDomains, pools } = app.services;
  app.addHook('onRequest', app.requireAdmin);
  const present = (domain: Parameters<typeof presentDomain>[0]) =>
    presentDomain(domain, poolDomains.cloudFrontDomain(domain));

  app.post(
    '/v1/pools/:poolId/domains',
    {
      schema: {
        operationId: 'CreateUserPoolDomain',
        tags: ['web-config'],
        summary: 'Give the pool a prefix or custom domain (one of each at most)',
        security,
        params: PoolParams,
        body: ref(CreateDomainBody),
        response: { 201: jsonResponse('The domain', ref(DomainResponse)), ...problems(400, 401, 404, 415) },
      },
    },
    async (request, reply) => {
      const { domain, certificateArn, managedLoginVersion } = request.body;
      const created = await poolDomains.create(request.params.poolId, {
        domain,
        ...(certificateArn !== undefined && { certificateArn }),
        ...(managedLoginVersion !== undefined && { managedLoginVersion }),
      });
      return reply.status(201).send(present(created));
    },
  );

  app.get(
    '/v1/pools/:poolId/domains',
    {
      schema: {
        operationId: 'ListUserPoolDomains',
        tags: ['web-config'],
        summary: 'The pool’s domains: its prefix first, then its custom domain',
        security,
        params: PoolParams,
        response: { 200: jsonResponse('The pool’s domains', ref(DomainList)), ...problems(401, 404) },
      },
    },
    async (request) => {
      await pools.getPool(request.params.poolId);
      return { domains: (await poolDomains.listForPool(request.params.poolId)).map(present) };
    },
  );

  app.get(
    '/v1/pools/:poolId/domains/:domain',
    {
      schema: {
        operationId: 'DescribeUserPoolDomain',
        tags: ['web-config'],
        summary: 'One of the pool’s domains',
        security,
        params: DomainParams,
        response: { 200: jsonResponse('The domain', ref(DomainResponse)), ...problems(401, 404) },
      },
    },
    async (request) => {
      await pools.getPool(request.params.poolId);
      const domain = await poolDomains.describe(request.params.domain);
      if (!domain || domain.poolId !== request.params.poolId)
        throw new CognitoError('ResourceNotFoundException', 'No such domain or user pool exists.');
      return present(domain);
    },
  );

  app.patch(
    '/v1/pools/:poolId/domains/:domain',
    {
      schema: {
        operationId: 'UpdateUserPoolDomain',
        tags: ['web-config'],
        summary: 'Change a domain’s managed login version, or a custom domain’s certificate ARN',
        security,
        params: DomainParams,
        body: ref(UpdateDomainBody),
        response: { 200: jsonResponse('The domain as updated', ref(DomainResponse)), ...problems(400, 401, 404, 415) },
      },
    },
    async (request) => {
      const { certificateArn, managedLoginVersion } = request.body;
      return present(
        await poolDomains.update(request.params.poolId, request.params.domain, {
          ...(certificateArn !== undefined && { certificateArn }),
          ...(managedLoginVersion !== undefined && { managedLoginVersion }),
        }),
      );
    },
  );

  app.delete(
    '/v1/pools/:poolId/domains/:domain',
    {
      schema: {
        operationId: 'DeleteUserPoolDomain',
        tags: ['web-config'],
        summary: 'Delete a domain: requests with its Host no longer reach the pool',
        security,
        params: DomainParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await poolDomains.delete(request.params.poolId, request.params.domain);
      return reply.status(204).send(null);
    },
  );
}
