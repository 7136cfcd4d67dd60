import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { problems, ref } from '../../schemas/common.ts';
import {
  CreateIdentityProviderBody,
  IdentifierParams,
  IdentityProviderList,
  IdentityProviderPageQuery,
  IdentityProviderParams,
  IdentityProviderResponse,
  UpdateIdentityProviderBody,
  presentIdentityProvider,
  presentProviderSummary,
} from '../../schemas/identity-providers.ts';
import { PoolParams } from '../../schemas/pools.ts';

const security = [{ adminKey: [] }];
const NoContent = Type.Null({ description: 'Done' });
const tags = ['web-config'];

/** Admin: a pool's identity providers (CreateIdentityProvider and kin; docs/federation.md, "Configuring providers"). */
export async function identityProvidersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { identityProviders } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/v1/pools/:poolId/identity-providers',
    {
      schema: {
        operationId: 'CreateIdentityProvider',
        tags,
        summary: 'Add an identity provider: OIDC (endpoints discovered from oidc_issuer) or a social type',
        security,
        params: PoolParams,
        body: ref(CreateIdentityProviderBody),
        response: {
          201: jsonResponse('The identity provider', ref(IdentityProviderResponse)),
          ...problems(400, 401, 404, 409, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const provider = await identityProviders.create(request.params.poolId, request.body);
      return reply.status(201).send(presentIdentityProvider(provider));
    },
  );

  app.get(
    '/v1/pools/:poolId/identity-providers',
    {
      schema: {
        operationId: 'ListIdentityProviders',
        tags,
        summary: 'The pool’s identity providers by name, at most 60 a page',
        security,
        params: PoolParams,
        querystring: IdentityProviderPageQuery,
        response: {
          200: jsonResponse('One page of identity providers', ref(IdentityProviderList)),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => {
      const result = await identityProviders.list(request.params.poolId, {
        ...(request.query.limit !== undefined && { limit: request.query.limit }),
        ...(request.query.nextToken !== undefined && { nextToken: request.query.nextToken }),
      });
      return {
        identityProviders: result.providers.map(presentProviderSummary),
        ...(result.nextToken && { nextToken: result.nextToken }),
      };
    },
  );

  app.get(
    '/v1/pools/:poolId/identity-providers/by-identifier/:identifier',
    {
      schema: {
        operationId: 'GetIdentityProviderByIdentifier',
        tags,
        summary: 'The identity provider one of whose IdpIdentifiers this is',
        security,
        params: IdentifierParams,
        response: { 200: jsonResponse('The identity provider', ref(IdentityProviderResponse)), ...problems(401, 404) },
      },
    },
    async (request) =>
      presentIdentityProvider(await identityProviders.byIdentifier(request.params.poolId, request.params.identifier)),
  );

  app.get(
    '/v1/pools/:poolId/identity-providers/:providerName',
    {
      schema: {
        operationId: 'DescribeIdentityProvider',
        tags,
        summary: 'One identity provider, as Cognito describes it (client_secret shown)',
        security,
        params: IdentityProviderParams,
        response: { 200: jsonResponse('The identity provider', ref(IdentityProviderResponse)), ...problems(401, 404) },
      },
    },
    async (request) =>
      presentIdentityProvider(await identityProviders.describe(request.params.poolId, request.params.providerName)),
  );

  app.patch(
    '/v1/pools/:poolId/identity-providers/:providerName',
    {
      schema: {
        operationId: 'UpdateIdentityProvider',
        tags,
        summary:
          'Replace an identity provider’s details, mapping or identifiers (each member given replaces its whole)',
        security,
        params: IdentityProviderParams,
        body: ref(UpdateIdentityProviderBody),
        response: {
          200: jsonResponse('The identity provider as changed', ref(IdentityProviderResponse)),
          ...problems(400, 401, 404, 409, 415),
        },
      },
    },
    async (request) =>
      presentIdentityProvider(
        await identityProviders.update(request.params.poolId, request.params.providerName, request.body),
      ),
  );

  app.delete(
    '/v1/pools/:poolId/identity-providers/:providerName',
    {
      schema: {
        operationId: 'DeleteIdentityProvider',
        tags,
        summary: 'Delete an identity provider; it leaves every client, its users stay',
        security,
        params: IdentityProviderParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await identityProviders.delete(request.params.poolId, request.params.providerName);
      return reply.status(204).send(null);
    },
  );
}
