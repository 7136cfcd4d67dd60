import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problems, ref } from '../../schemas/common.ts';
import {
  AdminCreateUserBody,
  AuditQuery,
  AuditResponse,
  AdminUpdateUserAttributesBody,
  UserMessagesQuery,
  UserMessagesResponse,
  UserParams,
  UserResponse,
} from '../../schemas/admin-users.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { DeleteAttributesQuery } from '../../schemas/users.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

const NoContent = Type.Null({ description: 'Done' });

/** Admin: users of a pool (AdminCreateUser and the Admin* user operations). */
export async function adminUsersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { adminUsers } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/v1/pools/:poolId/users',
    {
      schema: {
        operationId: 'AdminCreateUser',
        tags: ['users'],
        summary: 'Create a user with a temporary password and an invitation; first sign-in must set a new password',
        security,
        params: PoolParams,
        body: ref(AdminCreateUserBody),
        response: {
          201: jsonResponse('The user created; its invitation was sent', ref(UserResponse)),
          200: jsonResponse(
            'The existing user; its invitation was sent again (messageAction RESEND)',
            ref(UserResponse),
          ),
          ...problems(400, 401, 404, 409, 415, 502),
        },
      },
    },
    async (request, reply) => {
      const user = await adminUsers.createUser(request.params.poolId, request.body);
      return reply.status(request.body.messageAction === 'RESEND' ? 200 : 201).send(user);
    },
  );

  app.get(
    '/v1/pools/:poolId/users/:username/messages',
    {
      schema: {
        operationId: 'ListUserMessages',
        tags: ['users'],
        summary: 'Recent codes and invitations sent to a user, with their status and every try (never the code)',
        security,
        params: UserParams,
        querystring: UserMessagesQuery,
        response: {
          200: jsonResponse('The user’s recent messages, newest first', ref(UserMessagesResponse)),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => ({
      messages: await adminUsers.recentMessages(
        request.params.poolId,
        request.params.username,
        request.query.limit ?? 20,
      ),
    }),
  );

  app.get(
    '/v1/pools/:poolId/users/:username',
    {
      schema: {
        operationId: 'AdminGetUser',
        tags: ['users'],
        summary: 'The whole user, every attribute; the username may also be a sign-in alias (verified email or phone)',
        security,
        params: UserParams,
        response: { 200: jsonResponse('The user', ref(UserResponse)), ...problems(400, 401, 404) },
      },
    },
    async (request) => adminUsers.getUser(request.params.poolId, request.params.username),
  );

  app.patch(
    '/v1/pools/:poolId/users/:username/attributes',
    {
      schema: {
        operationId: 'AdminUpdateUserAttributes',
        tags: ['users'],
        summary:
          'Change attributes regardless of client lists, within the schema; a blank value deletes. A verified flag "true" with a new email or phone applies it at once with no message; without it an auto-verified one gets a code. Answers the updated user.',
        security,
        params: UserParams,
        body: ref(AdminUpdateUserAttributesBody),
        response: {
          200: jsonResponse('The user as updated', ref(UserResponse)),
          ...problems(400, 401, 404, 409, 415, 429, 502),
        },
      },
    },
    async (request) =>
      adminUsers.updateAttributes(
        request.params.poolId,
        request.params.username,
        request.body.userAttributes,
        request.body.clientMetadata,
      ),
  );

  app.delete(
    '/v1/pools/:poolId/users/:username/attributes',
    {
      schema: {
        operationId: 'AdminDeleteUserAttributes',
        tags: ['users'],
        summary: 'Delete attributes named by `name` (repeatable); required and immutable ones cannot be deleted',
        security,
        params: UserParams,
        querystring: DeleteAttributesQuery,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await adminUsers.deleteAttributes(request.params.poolId, request.params.username, request.query.name);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/pools/:poolId/users/:username/confirm',
    {
      schema: {
        operationId: 'AdminConfirmSignUp',
        tags: ['users'],
        summary: 'Confirm an UNCONFIRMED user without a code; email and phone stay unverified. Answers the user.',
        security,
        params: UserParams,
        response: { 200: jsonResponse('The user, now CONFIRMED', ref(UserResponse)), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => adminUsers.confirmSignUp(request.params.poolId, request.params.username),
  );

  app.post(
    '/v1/pools/:poolId/users/:username/disable',
    {
      schema: {
        operationId: 'AdminDisableUser',
        tags: ['users'],
        summary:
          'Disable the user: sign-in and refresh are refused, and its access tokens stop working at once. Answers the user.',
        security,
        params: UserParams,
        response: { 200: jsonResponse('The user, now disabled', ref(UserResponse)), ...problems(400, 401, 404) },
      },
    },
    async (request) => adminUsers.setEnabled(request.params.poolId, request.params.username, false),
  );

  app.post(
    '/v1/pools/:poolId/users/:username/enable',
    {
      schema: {
        operationId: 'AdminEnableUser',
        tags: ['users'],
        summary: 'Enable a disabled user again; they sign in anew (disabling ended every session). Answers the user.',
        security,
        params: UserParams,
        response: { 200: jsonResponse('The user, now enabled', ref(UserResponse)), ...problems(400, 401, 404) },
      },
    },
    async (request) => adminUsers.setEnabled(request.params.poolId, request.params.username, true),
  );

  app.post(
    '/v1/pools/:poolId/users/:username/sign-out',
    {
      schema: {
        operationId: 'AdminUserGlobalSignOut',
        tags: ['users'],
        summary: 'Revoke every refresh token of the user, and the access tokens issued from them',
        security,
        params: UserParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await adminUsers.globalSignOut(request.params.poolId, request.params.username);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/v1/pools/:poolId/users/:username',
    {
      schema: {
        operationId: 'AdminDeleteUser',
        tags: ['users'],
        summary: 'Delete the user with its attributes, codes and sessions; the username can be used again',
        security,
        params: UserParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await adminUsers.deleteUser(request.params.poolId, request.params.username);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/pools/:poolId/users/:username/audit',
    {
      schema: {
        operationId: 'ListUserAuditEvents',
        tags: ['users'],
        summary:
          'A user’s audit trail, newest first: who changed attributes, status, password or verified flags, and when',
        security,
        params: UserParams,
        querystring: AuditQuery,
        response: {
          200: jsonResponse(
            'One page of the audit trail, newest first, and the token for the next one',
            ref(AuditResponse),
          ),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { limit = 25, paginationToken } = request.query;
      return adminUsers.auditTrail(request.params.poolId, request.params.username, {
        limit,
        ...(paginationToken && { paginationToken }),
      });
    },
  );
}
