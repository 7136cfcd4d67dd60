import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../plugins/auth.plugin.ts';
import { AttributeMap, Empty, problems, ref } from '../../schemas/common.ts';
import {
  AttributeNameParams,
  AttributeUpdateResult,
  ChangePasswordBody,
  CodeDeliveryResponse,
  DeleteAttributesQuery,
  MeResponse,
  PutAttributeBody,
  UpdateAttributesBody,
  UpdateAttributesResponse,
  VerifyAttributeBody,
} from '../../schemas/users.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

/** Code sends and checks are limited per signed-in user as well as per address. */
const signedInUser = (request: FastifyRequest) => ({ targets: [], caller: callerOf(request).user.id });

/** The signed-in user: profile, password, attributes and their verification. */
export async function meRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { account } = app.services;
  const security = [{ accessToken: [] }];
  app.addHook('onRequest', app.requireUser);

  app.get(
    '/v1/me',
    {
      schema: {
        operationId: 'GetUser',
        tags: ['me'],
        summary: 'The user, with the attributes this client may read',
        security,
        response: {
          200: jsonResponse('The user, with the attributes this client may read', ref(MeResponse)),
          ...problems(401, 403),
        },
      },
    },
    async (request) => account.getMe(callerOf(request)),
  );

  app.delete(
    '/v1/me',
    {
      schema: {
        operationId: 'DeleteUser',
        tags: ['me'],
        summary: 'Delete the user',
        security,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(401, 403) },
      },
    },
    async (request, reply) => {
      await account.deleteSelf(callerOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/me/password',
    {
      schema: {
        operationId: 'ChangePassword',
        tags: ['me'],
        summary: 'Change the password, proving the current one',
        security,
        body: ref(ChangePasswordBody),
        response: { 200: jsonResponse('The password is changed', ref(Empty)), ...problems(400, 401, 403, 415) },
      },
    },
    async (request) => {
      await account.changePassword(callerOf(request), request.body);
      return {};
    },
  );

  app.get(
    '/v1/me/attributes',
    {
      schema: {
        operationId: 'GetUserAttributes',
        tags: ['attributes'],
        summary: 'The attribute map itself, only what this client may read (fetchUserAttributes)',
        security,
        response: {
          200: jsonResponse('The attributes this client may read, by name', ref(AttributeMap)),
          ...problems(401, 403),
        },
      },
    },
    async (request) => account.getAttributes(callerOf(request)),
  );

  app.patch(
    '/v1/me/attributes',
    {
      schema: {
        operationId: 'UpdateUserAttributes',
        tags: ['attributes'],
        summary: 'Change attributes; a blank value deletes; a changed email or phone awaits its code',
        security,
        body: ref(UpdateAttributesBody),
        response: {
          200: jsonResponse(
            'Per attribute: whether it changed, or the code it waits for',
            ref(UpdateAttributesResponse),
          ),
          ...problems(400, 401, 403, 409, 415, 429, 502),
        },
      },
    },
    async (request) => ({
      results: await account.updateAttributes(
        callerOf(request),
        request.body.userAttributes,
        request.body.clientMetadata,
      ),
    }),
  );

  app.put(
    '/v1/me/attributes/:name',
    {
      schema: {
        operationId: 'UpdateUserAttribute',
        tags: ['attributes'],
        summary: 'Change one attribute (updateUserAttribute)',
        security,
        params: AttributeNameParams,
        body: ref(PutAttributeBody),
        response: {
          200: jsonResponse('Whether the attribute changed, or the code it waits for', ref(AttributeUpdateResult)),
          ...problems(400, 401, 403, 409, 415, 429, 502),
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const results = await account.updateAttributes(
        callerOf(request),
        { [name]: request.body.value },
        request.body.clientMetadata,
      );
      return results[name]!;
    },
  );

  app.delete(
    '/v1/me/attributes',
    {
      schema: {
        operationId: 'DeleteUserAttributes',
        tags: ['attributes'],
        summary: 'Delete attributes named by `name` (repeatable); names the user lacks are fine',
        security,
        querystring: DeleteAttributesQuery,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await account.deleteAttributes(callerOf(request), request.query.name);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/me/attributes/:name/verification-code',
    {
      schema: {
        operationId: 'GetUserAttributeVerificationCode',
        tags: ['attributes'],
        summary: 'Send a code for email or phone_number (to the pending value if one awaits)',
        security,
        params: AttributeNameParams,
        response: {
          200: jsonResponse('A code was sent: where to', ref(CodeDeliveryResponse)),
          ...problems(400, 401, 403, 429, 502),
        },
      },
      preHandler: app.rateLimited('codeSend', signedInUser),
    },
    async (request) => account.sendAttributeCode(callerOf(request), request.params.name),
  );

  app.post(
    '/v1/me/attributes/:name/verify',
    {
      schema: {
        operationId: 'VerifyUserAttribute',
        tags: ['attributes'],
        summary: 'Verify email or phone_number with its code; a pending value becomes current',
        security,
        params: AttributeNameParams,
        body: ref(VerifyAttributeBody),
        response: {
          200: jsonResponse('The attribute is verified', ref(Empty)),
          ...problems(400, 401, 403, 409, 415, 429),
        },
      },
      preHandler: app.rateLimited('codeCheck', signedInUser),
    },
    async (request) => {
      await account.verifyAttribute(callerOf(request), request.params.name, request.body);
      return {};
    },
  );
}
