import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../../plugins/auth.plugin.ts';
import { Empty, problems } from '../../schemas/common.ts';
import { RefreshBody, SignInBody, TokenResponse } from '../../schemas/users.ts';

/** Sign-in, refresh and global sign-out. */
export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { users } = app.services;

  app.post('/v1/auth/sign-in', {
    schema: {
      operationId: 'InitiateAuth',
      tags: ['auth'],
      summary: 'Sign in with username (or a verified alias) and password (USER_PASSWORD_AUTH)',
      body: SignInBody,
      response: { 200: TokenResponse, ...problems(400, 401, 403, 404, 415) },
    },
  }, async (request) => users.signIn(request.body));

  app.post('/v1/auth/refresh', {
    schema: {
      operationId: 'RefreshTokenAuth',
      tags: ['auth'],
      summary: 'New access and ID tokens from a refresh token (REFRESH_TOKEN_AUTH)',
      body: RefreshBody,
      response: { 200: TokenResponse, ...problems(400, 401, 403, 415) },
    },
  }, async (request) => users.refresh(request.body));

  app.post('/v1/auth/sign-out', {
    schema: {
      operationId: 'GlobalSignOut',
      tags: ['auth'],
      summary: 'Revoke every refresh token of the user and the access tokens issued from them',
      security: [{ accessToken: [] }],
      response: { 200: Empty, ...problems(401, 403) },
    },
    onRequest: app.requireUser,
  }, async (request) => {
    await users.signOut(callerOf(request));
    return {};
  });
}
