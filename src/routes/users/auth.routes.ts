import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../../plugins/auth.plugin.ts';
import { sourceOf } from '../../plugins/rate-limits.plugin.ts';
import { Empty, problems, ref } from '../../schemas/common.ts';
import {
  ChallengeResult,
  CodeDeliveryResponse,
  CustomSignInBody,
  ConfirmForgotPasswordBody,
  RefreshBody,
  RespondToChallengeBody,
  SignInBody,
  SignInResult,
  TokenResponse,
  UsernameBody,
} from '../../schemas/users.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import { withoutSrp } from './user-auth.routes.ts';

/** Sign-in, refresh, global sign-out and password reset. */
export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { account, customAuth, recovery, signIn } = app.services;

  app.post(
    '/v1/auth/sign-in',
    {
      schema: {
        operationId: 'InitiateAuth',
        tags: ['auth'],
        summary:
          'Sign in with username (or a verified alias) and password (USER_PASSWORD_AUTH); an invited user gets NEW_PASSWORD_REQUIRED',
        body: ref(SignInBody),
        response: {
          200: jsonResponse(
            'Signed in (tokens), or a challenge to answer (NEW_PASSWORD_REQUIRED with its session)',
            ref(SignInResult),
          ),
          ...problems(400, 401, 403, 404, 409, 415, 429, 502),
        },
      },
      preHandler: app.rateLimited('signIn'),
    },
    async (request) => signIn.signIn({ ...request.body, source: sourceOf(request) }),
  );

  app.post(
    '/v1/auth/custom-sign-in',
    {
      schema: {
        operationId: 'InitiateCustomAuth',
        tags: ['auth'],
        summary:
          'Start custom authentication (CUSTOM_AUTH): the pool’s DefineAuthChallenge and CreateAuthChallenge hooks set the first challenge',
        body: ref(CustomSignInBody),
        response: {
          200: jsonResponse(
            'A CUSTOM_CHALLENGE to answer (or tokens, if the hook issues them at once)',
            ref(ChallengeResult),
          ),
          ...problems(400, 401, 403, 404, 415, 429, 502),
        },
      },
      preHandler: app.rateLimited('signIn'),
    },
    async (request) => customAuth.initiate({ ...request.body, source: sourceOf(request) }),
  );

  app.post(
    '/v1/auth/respond-to-challenge',
    {
      schema: {
        operationId: 'RespondToAuthChallenge',
        tags: ['auth'],
        summary:
          'Answer NEW_PASSWORD_REQUIRED with a new password (and any missing required attribute), a CUSTOM_CHALLENGE with an answer, or USER_AUTH’s SELECT_CHALLENGE, EMAIL_OTP and SMS_OTP',
        body: ref(RespondToChallengeBody),
        response: {
          200: jsonResponse(
            'The challenge is answered: tokens, or (custom authentication) the next challenge',
            ref(ChallengeResult),
          ),
          ...problems(400, 401, 403, 415, 429, 502),
        },
      },
      preHandler: app.rateLimited('signIn'),
    },
    async (request) => respondToChallenge(app.services, request.body, sourceOf(request)),
  );

  app.post(
    '/v1/auth/refresh',
    {
      schema: {
        operationId: 'RefreshTokenAuth',
        tags: ['auth'],
        summary: 'New access and ID tokens from a refresh token (REFRESH_TOKEN_AUTH)',
        body: ref(RefreshBody),
        response: {
          200: jsonResponse('New access and ID tokens', ref(TokenResponse)),
          ...problems(400, 401, 403, 415, 429),
        },
      },
      preHandler: app.rateLimited('refresh'),
    },
    async (request) => signIn.refresh(request.body),
  );

  app.post(
    '/v1/auth/sign-out',
    {
      schema: {
        operationId: 'GlobalSignOut',
        tags: ['auth'],
        summary: 'Revoke every refresh token of the user and the access tokens issued from them',
        security: [{ accessToken: [] }],
        response: { 200: jsonResponse('Signed out everywhere', ref(Empty)), ...problems(401, 403) },
      },
      onRequest: app.requireUser,
    },
    async (request) => {
      await account.signOut(callerOf(request));
      return {};
    },
  );

  app.post(
    '/v1/auth/forgot-password',
    {
      schema: {
        operationId: 'ForgotPassword',
        tags: ['auth'],
        summary:
          'Send a password reset code to the first of the pool’s recovery channels the user has verified (accountRecoverySetting)',
        body: ref(UsernameBody),
        response: {
          200: jsonResponse('A reset code was sent: where to', ref(CodeDeliveryResponse)),
          ...problems(400, 403, 404, 409, 415, 429, 502),
        },
      },
      preHandler: app.rateLimited('codeSend'),
    },
    async (request) => recovery.forgotPassword(request.body),
  );

  app.post(
    '/v1/auth/forgot-password/confirm',
    {
      schema: {
        operationId: 'ConfirmForgotPassword',
        tags: ['auth'],
        summary: 'Set a new password with the reset code',
        body: ref(ConfirmForgotPasswordBody),
        response: { 200: jsonResponse('The new password is set', ref(Empty)), ...problems(400, 403, 404, 415, 429) },
      },
      preHandler: app.rateLimited('codeCheck'),
    },
    async (request) => {
      await recovery.confirmForgotPassword(request.body);
      return {};
    },
  );
}

/**
 * REST's answer to every challenge, told apart by challengeName and the session: the user route
 * and the administrator's (admin-auth.routes.ts, docs/admin-auth.md) share it.
 */
export async function respondToChallenge(
  services: FastifyInstance['services'],
  body: Static<typeof RespondToChallengeBody>,
  source: string,
) {
  const { choiceAuth, customAuth, devices, mfa, signIn } = services;
  if (body.challengeName === 'CUSTOM_CHALLENGE') return customAuth.answerCustomChallenge(body);
  if (body.challengeName === 'NEW_PASSWORD_REQUIRED') return signIn.respondToNewPasswordChallenge(body);
  // A remembered device's proof (docs/devices.md).
  if (body.challengeName === 'DEVICE_SRP_AUTH') return devices.answerDeviceSrpAuth(body);
  if (body.challengeName === 'DEVICE_PASSWORD_VERIFIER') {
    const { passwordClaimSecretBlock, passwordClaimSignature, ...rest } = body;
    return devices.answerDevicePasswordVerifier({
      ...rest,
      secretBlock: passwordClaimSecretBlock,
      signature: passwordClaimSignature,
      source,
    });
  }
  // USER_AUTH's steps (docs/passwordless.md), told apart from another flow's EMAIL_OTP by the session.
  if (body.challengeName === 'SELECT_CHALLENGE')
    return withoutSrp(await choiceAuth.answerSelectChallenge({ ...body, source }));
  // A second factor (docs/mfa.md): its own challenges, and EMAIL_OTP with an MFA session.
  if (mfa.ownsSession(body.session)) {
    const answer = body as { code?: string; answer?: string; email?: string };
    return mfa.respond({
      clientId: body.clientId,
      challengeName: body.challengeName,
      session: body.session,
      ...(answer.code !== undefined && { code: answer.code }),
      ...(answer.answer !== undefined && { answer: answer.answer }),
      ...(answer.email !== undefined && { email: answer.email }),
      source,
      ...(body.clientMetadata && { clientMetadata: body.clientMetadata }),
    });
  }
  if (
    choiceAuth.ownsSession(body.session) &&
    (body.challengeName === 'EMAIL_OTP' || body.challengeName === 'SMS_OTP')
  ) {
    return withoutSrp(await choiceAuth.answerCode({ ...body, source }));
  }
  throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
}
