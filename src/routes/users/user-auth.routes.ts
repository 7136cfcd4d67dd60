import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../../plugins/auth.plugin.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { sourceOf } from '../../plugins/rate-limits.plugin.ts';
import { problems, ref } from '../../schemas/common.ts';
import { UserAuthBody, UserAuthFactorsResponse } from '../../schemas/user-auth.ts';
import { SignInResult } from '../../schemas/users.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { UserAuthOutcome } from '../../modules/sign-in/choice-auth.ts';

/** The REST face offers no SRP (its bodies cannot ask for PASSWORD_SRP), so SRP's verifier step never reaches it. */
export function withoutSrp(outcome: UserAuthOutcome) {
  if ('challengeName' in outcome && outcome.challengeName === 'PASSWORD_VERIFIER') {
    throw new CognitoError('InternalErrorException', 'PASSWORD_SRP is answered on the Cognito face only.');
  }
  return outcome;
}

/**
 * Choice-based and passwordless sign-in (USER_AUTH, docs/passwordless.md). Its challenges are
 * answered at /v1/auth/respond-to-challenge (auth.routes.ts).
 */
export async function userAuthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { choiceAuth } = app.services;

  app.post(
    '/v1/auth/user-auth',
    {
      schema: {
        operationId: 'InitiateUserAuth',
        tags: ['auth'],
        summary:
          'Start choice-based sign-in (USER_AUTH): the preferred first factor at once, or SELECT_CHALLENGE with the choices',
        body: ref(UserAuthBody),
        response: {
          200: jsonResponse(
            'Signed in (tokens, with PASSWORD), or a challenge to answer: SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP, or a step after the password',
            ref(SignInResult),
          ),
          ...problems(400, 401, 403, 404, 409, 415, 429, 502),
        },
      },
      preHandler: app.rateLimited('signIn'),
    },
    async (request) => {
      const { preferredChallenge, ...body } = request.body;
      return withoutSrp(
        await choiceAuth.initiate({
          ...body,
          ...(preferredChallenge && { preferredChallenge }),
          source: sourceOf(request),
        }),
      );
    },
  );

  app.get(
    '/v1/me/auth-factors',
    {
      schema: {
        operationId: 'GetUserAuthFactors',
        tags: ['me'],
        summary: 'The user’s MFA settings and the first factors choice-based sign-in would offer them',
        security: [{ accessToken: [] }],
        response: {
          200: jsonResponse('MFA settings and first factors', ref(UserAuthFactorsResponse)),
          ...problems(401, 403),
        },
      },
      onRequest: app.requireUser,
    },
    async (request) => choiceAuth.authFactors(callerOf(request)),
  );
}
