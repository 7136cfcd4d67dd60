import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { UserParams } from '../../schemas/admin-users.ts';
import { problems, ref } from '../../schemas/common.ts';
import { FederatedIdentityList, IdentityParams, LinkIdentityBody } from '../../schemas/provider-links.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { COGNITO_SUBJECT } from '../../modules/federation/provider-links.service.ts';

const security = [{ adminKey: [] }];
const NoContent = Type.Null({ description: 'Done' });

/** Admin: a user's federated identities, linked and unlinked (docs/federation.md, "Users and linking"). */
export async function providerLinksRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { providerLinks } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/users/:username/identities',
    {
      schema: {
        operationId: 'ListUserIdentities',
        tags: ['users'],
        summary: 'The user’s federated identities, oldest first (the `identities` attribute)',
        security,
        params: UserParams,
        response: { 200: jsonResponse('The identities', ref(FederatedIdentityList)), ...problems(400, 401, 404) },
      },
    },
    async (request) => ({
      identities: await providerLinks.identitiesOf(request.params.poolId, request.params.username),
    }),
  );

  app.post(
    '/v1/pools/:poolId/users/:username/identities',
    {
      schema: {
        operationId: 'AdminLinkProviderForUser',
        tags: ['users'],
        summary: 'Link a provider’s user to this user: their sign-ins through the provider land here',
        description:
          'Only a subject no user of the pool holds yet; at most five identities per user. Idempotent for a subject already linked to this user.',
        security,
        params: UserParams,
        body: ref(LinkIdentityBody),
        response: {
          200: jsonResponse('The user’s identities now', ref(FederatedIdentityList)),
          ...problems(400, 401, 404, 415, 429),
        },
      },
    },
    async (request) => {
      const { poolId, username } = request.params;
      await providerLinks.link(
        poolId,
        { ProviderName: 'Cognito', ProviderAttributeValue: username },
        {
          ProviderName: request.body.providerName,
          ProviderAttributeName: COGNITO_SUBJECT,
          ProviderAttributeValue: request.body.subject,
        },
      );
      return { identities: await providerLinks.identitiesOf(poolId, username) };
    },
  );

  app.delete(
    '/v1/pools/:poolId/users/:username/identities/:providerName/:subject',
    {
      schema: {
        operationId: 'AdminDisableProviderForUser',
        tags: ['users'],
        summary: 'Unlink a provider’s user; for a federated user’s own identity, disable the user',
        security,
        params: IdentityParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { poolId, username, providerName, subject } = request.params;
      await providerLinks.disableProvider(
        poolId,
        { ProviderName: providerName, ProviderAttributeName: COGNITO_SUBJECT, ProviderAttributeValue: subject },
        { username },
      );
      return reply.status(204).send(null);
    },
  );
}
