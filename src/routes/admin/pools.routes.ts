import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problems, ref } from '../../schemas/common.ts';
import {
  AddCustomAttributesBody,
  ClientList,
  ClientParams,
  ClientResponse,
  CreateClientBody,
  CreatePoolBody,
  PoolList,
  PoolParams,
  PoolResponse,
  UpdateClientBody,
  UpdatePoolBody,
  presentClient,
  presentPool,
} from '../../schemas/pools.ts';
import { lambdaConfigFromHooks } from '../../schemas/hooks.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { invalidParameter } from '../../errors/cognito-error.ts';

const security = [{ adminKey: [] }];

/** Admin: pools and app clients (CreateUserPool, AddCustomAttributes, CreateUserPoolClient and kin). */
export async function poolsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { pools } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/v1/pools',
    {
      schema: {
        operationId: 'CreateUserPool',
        tags: ['pools'],
        summary: 'Create a pool with its attribute schema, aliases, verification and policies',
        security,
        body: ref(CreatePoolBody),
        response: { 201: jsonResponse('The pool created', ref(PoolResponse)), ...problems(400, 401, 415) },
      },
    },
    async (request, reply) => {
      const {
        passwordPolicy,
        codePolicy,
        tokenPolicy,
        auditPolicy,
        accountRecoverySetting,
        hooks,
        deletionProtection,
        ...rest
      } = request.body;
      const policies = {
        password: passwordPolicy,
        codes: codePolicy,
        tokens: tokenPolicy,
        audit: auditPolicy,
        accountRecovery: accountRecoverySetting,
        deletionProtection,
      };
      const pool = await pools.createPool({
        ...rest,
        policies,
        ...(hooks && { lambdaConfig: lambdaConfigFromHooks(hooks) }),
      });
      return reply.status(201).send(presentPool(pool, pools.issuerOf(pool.id)));
    },
  );

  app.get(
    '/v1/pools',
    {
      schema: {
        operationId: 'ListUserPools',
        tags: ['pools'],
        summary: 'List pools',
        security,
        response: { 200: jsonResponse('The pools', ref(PoolList)), ...problems(401) },
      },
    },
    async () => ({
      pools: (await pools.listPools({ mayLag: true })).map((p) => ({
        id: p.id,
        name: p.name,
        createdAt: p.createdAt.toISOString(),
        updatedAt: p.updatedAt.toISOString(),
      })),
    }),
  );

  app.get(
    '/v1/pools/:poolId',
    {
      schema: {
        operationId: 'DescribeUserPool',
        tags: ['pools'],
        summary: 'Describe a pool, with its full attribute schema',
        security,
        params: PoolParams,
        response: { 200: jsonResponse('The pool', ref(PoolResponse)), ...problems(401, 404) },
      },
    },
    async (request) => {
      const pool = await pools.getPool(request.params.poolId);
      return presentPool(pool, pools.issuerOf(pool.id));
    },
  );

  app.patch(
    '/v1/pools/:poolId',
    {
      schema: {
        operationId: 'UpdateUserPool',
        tags: ['pools'],
        summary:
          'Change the members given, keep the others: name, password policy, deletion protection, tags, SRP sign-in (off drops every SRP verifier of the pool), hooks, sign-in policy, device tracking',
        security,
        params: PoolParams,
        body: ref(UpdatePoolBody),
        response: { 200: jsonResponse('The pool as updated', ref(PoolResponse)), ...problems(400, 401, 404, 415) },
      },
    },
    async (request) => {
      const { poolId } = request.params;
      const { srpEnabled, hooks, signInPolicy, deviceConfiguration, name, passwordPolicy, deletionProtection, tags } =
        request.body;
      // The hooks and the sign-in policy are checked first, so a refused one changes nothing (SRP included).
      const lambdaConfig = hooks && lambdaConfigFromHooks(hooks);
      if (signInPolicy) pools.checkSignInPolicy(signInPolicy);
      if (tags) pools.checkTags(tags);
      if (lambdaConfig) await pools.setLambdaConfig(poolId, lambdaConfig);
      // Name, password policy, deletion protection, tags: one change (docs/pools.md).
      if (name !== undefined || passwordPolicy || deletionProtection !== undefined || tags)
        await pools.patchSettings(poolId, {
          ...(name !== undefined && { name }),
          ...(passwordPolicy && { password: passwordPolicy }),
          ...(deletionProtection !== undefined && { deletionProtection }),
          ...(tags && { tags }),
        });
      if (signInPolicy) await pools.setSignInPolicy(poolId, signInPolicy);
      // Device tracking on (a configuration) or off (null): docs/devices.md.
      if (deviceConfiguration !== undefined) await pools.setDeviceConfiguration(poolId, deviceConfiguration);
      const pool =
        srpEnabled === undefined ? await pools.getPool(poolId) : await pools.setSrpEnabled(poolId, srpEnabled);
      return presentPool(pool, pools.issuerOf(pool.id));
    },
  );

  app.post(
    '/v1/pools/:poolId/custom-attributes',
    {
      schema: {
        operationId: 'AddCustomAttributes',
        tags: ['pools'],
        summary: 'Add custom attributes; existing ones can never be changed or removed',
        security,
        params: PoolParams,
        body: ref(AddCustomAttributesBody),
        response: {
          200: jsonResponse('The pool with its new custom attributes', ref(PoolResponse)),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request) => {
      const pool = await pools.addCustomAttributes(request.params.poolId, request.body.customAttributes);
      return presentPool(pool, pools.issuerOf(pool.id));
    },
  );

  app.post(
    '/v1/pools/:poolId/clients',
    {
      schema: {
        operationId: 'CreateUserPoolClient',
        tags: ['clients'],
        summary: 'Create an app client with its read and write attribute lists',
        security,
        params: PoolParams,
        body: ref(CreateClientBody),
        response: { 201: jsonResponse('The app client created', ref(ClientResponse)), ...problems(400, 401, 404, 415) },
      },
    },
    async (request, reply) => {
      // A confidential client (docs/client-secrets.md): its generated secret is in this answer only.
      const { generateSecret, clientSecret, ...input } = request.body;
      if (generateSecret === true && clientSecret !== undefined)
        throw invalidParameter('Give generateSecret true or a clientSecret, not both.');
      const secret = generateSecret === true ? {} : clientSecret !== undefined ? { custom: clientSecret } : undefined;
      const client = await pools.createClient(request.params.poolId, input, secret, 'rest');
      if (client.secret) reply.header('cache-control', 'no-store');
      return reply.status(201).send(
        presentClient(client, {
          hasSecret: client.secret !== undefined,
          ...(client.secret?.generated && { clientSecret: client.secret.value }),
        }),
      );
    },
  );

  app.get(
    '/v1/pools/:poolId/clients',
    {
      schema: {
        operationId: 'ListUserPoolClients',
        tags: ['clients'],
        summary: 'List a pool’s app clients',
        security,
        params: PoolParams,
        response: { 200: jsonResponse('The pool’s app clients', ref(ClientList)), ...problems(401, 404) },
      },
    },
    async (request) => {
      const clients = await pools.listClients(request.params.poolId, { mayLag: true });
      const confidential = await pools.clientSecrets.confidential(clients.map((client) => client.id));
      return { clients: clients.map((client) => presentClient(client, { hasSecret: confidential.has(client.id) })) };
    },
  );

  app.get(
    '/v1/pools/:poolId/clients/:clientId',
    {
      schema: {
        operationId: 'DescribeUserPoolClient',
        tags: ['clients'],
        summary: 'Describe an app client',
        security,
        params: ClientParams,
        response: { 200: jsonResponse('The app client', ref(ClientResponse)), ...problems(401, 404) },
      },
    },
    async (request) => {
      const client = await pools.getClient(request.params.poolId, request.params.clientId);
      return presentClient(client, { hasSecret: (await pools.clientSecrets.confidential([client.id])).has(client.id) });
    },
  );

  app.patch(
    '/v1/pools/:poolId/clients/:clientId',
    {
      schema: {
        operationId: 'UpdateUserPoolClient',
        tags: ['clients'],
        summary: 'Change an app client’s name, attribute lists or existence-error setting',
        security,
        params: ClientParams,
        body: ref(UpdateClientBody),
        response: {
          200: jsonResponse('The app client as updated', ref(ClientResponse)),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request) => {
      const client = await pools.updateClient(request.params.poolId, request.params.clientId, request.body, 'rest');
      return presentClient(client, { hasSecret: (await pools.clientSecrets.confidential([client.id])).has(client.id) });
    },
  );

  app.delete(
    '/v1/pools/:poolId/clients/:clientId',
    {
      schema: {
        operationId: 'DeleteUserPoolClient',
        tags: ['clients'],
        summary: 'Delete an app client and its sessions',
        security,
        params: ClientParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      await pools.deleteClient(request.params.poolId, request.params.clientId);
      return reply.status(204).send(null);
    },
  );
}
