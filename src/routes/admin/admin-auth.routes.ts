import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { assertClientOfPool } from '../../modules/sign-in/admin-sign-in.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { sourceOf } from '../../plugins/rate-limits.plugin.ts';
import { AdminResetUserPasswordBody, AdminSetUserPasswordBody } from '../../schemas/admin-auth.ts';
import { UserParams } from '../../schemas/admin-users.ts';
import { problems, ref } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import {
  ChallengeResult,
  CodeDeliveryResponse,
  RespondToChallengeBody,
  SignInBody,
  SignInResult,
} from '../../schemas/users.ts';
import { respondToChallenge } from '../users/auth.routes.ts';

const security = [{ adminKey: [] }];
const NoContent = Type.Null({ description: 'Done' });

/**
 * Admin: server-side sign-in (AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH, AdminRespondToAuthChallenge)
 * and the administrator's password actions (AdminSetUserPassword, AdminResetUserPassword); docs/admin-auth.md.
 */
export async function adminAuthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { adminPasswords, pools, signIn } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/v1/pools/:poolId/auth/admin-sign-in',
    {
      schema: {
        operationId: 'AdminInitiateAuth',
        tags: ['auth'],
        summary:
          'Sign a user in from the server with username and password (ADMIN_USER_PASSWORD_AUTH; the client must allow ALLOW_ADMIN_USER_PASSWORD_AUTH)',
        security,
        params: PoolParams,
        body: ref(SignInBody),
        response: {
          200: jsonResponse(
            'Signed in (tokens), or a challenge to answer with admin-respond-to-challenge',
            ref(SignInResult),
          ),
          ...problems(400, 401, 403, 404, 409, 415, 429, 502),
        },
      },
    },
    async (request) => {
      await assertClientOfPool(pools, request.params.poolId, request.body.clientId);
      return signIn.signIn({ ...request.body, flow: 'ADMIN_USER_PASSWORD_AUTH', source: sourceOf(request) });
    },
  );

  app.post(
    '/v1/pools/:poolId/auth/admin-respond-to-challenge',
    {
      schema: {
        operationId: 'AdminRespondToAuthChallenge',
        tags: ['auth'],
        summary:
          'Answer a challenge of a server-side sign-in: NEW_PASSWORD_REQUIRED, MFA, device, custom and USER_AUTH challenges, as respond-to-challenge does',
        security,
        params: PoolParams,
        body: ref(RespondToChallengeBody),
        response: {
          200: jsonResponse('The challenge is answered: tokens, or the next challenge', ref(ChallengeResult)),
          ...problems(400, 401, 403, 404, 415, 429, 502),
        },
      },
    },
    async (request) => {
      await assertClientOfPool(pools, request.params.poolId, request.body.clientId);
      return respondToChallenge(app.services, request.body, sourceOf(request));
    },
  );

  app.post(
    '/v1/pools/:poolId/users/:username/password',
    {
      schema: {
        operationId: 'AdminSetUserPassword',
        tags: ['users'],
        summary:
          'Set a user’s password: permanent (CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD); every session of the user ends',
        security,
        params: UserParams,
        body: ref(AdminSetUserPasswordBody),
        response: { 204: NoContent, ...problems(400, 401, 404, 415) },
      },
    },
    async (request, reply) => {
      await adminPasswords.setUserPassword(request.params.poolId, request.params.username, {
        password: request.body.password,
        permanent: request.body.permanent === true,
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/pools/:poolId/users/:username/reset-password',
    {
      schema: {
        operationId: 'AdminResetUserPassword',
        tags: ['users'],
        summary:
          'Require a password reset: the user becomes RESET_REQUIRED, gets a reset code (as forgot-password sends it), and every session ends',
        security,
        params: UserParams,
        body: ref(AdminResetUserPasswordBody),
        response: {
          200: jsonResponse('The user must reset the password; the code was sent: where to', ref(CodeDeliveryResponse)),
          ...problems(400, 401, 403, 404, 415, 502),
        },
      },
      // The body is optional: none is an empty one.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) =>
      adminPasswords.resetUserPassword(request.params.poolId, request.params.username, request.body.clientMetadata),
  );
}
