import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Empty, problems, ref } from '../../schemas/common.ts';
import {
  CodeDeliveryResponse,
  ConfirmSignUpBody,
  SignUpBody,
  SignUpResponse,
  UsernameBody,
} from '../../schemas/users.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

/** Sign-up and its confirmation: no token yet, the client is named in the body. */
export async function signUpRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { registration } = app.services;

  app.post(
    '/v1/sign-up',
    {
      schema: {
        operationId: 'SignUp',
        tags: ['sign-up'],
        summary: 'Register a user with standard and custom attributes; a code goes to an auto-verified email or phone',
        body: ref(SignUpBody),
        response: {
          201: jsonResponse(
            'Registered: the user’s sub, whether it is already confirmed, and where its code went',
            ref(SignUpResponse),
          ),
          ...problems(400, 403, 404, 409, 415, 429, 502),
        },
      },
      preHandler: app.rateLimited('signUp'),
    },
    async (request, reply) => {
      const { clientId, username, password, userAttributes, validationData, clientMetadata } = request.body;
      return reply.status(201).send(
        await registration.signUp({
          clientId,
          username,
          password,
          userAttributes: userAttributes ?? {},
          ...(validationData && { validationData }),
          ...(clientMetadata && { clientMetadata }),
        }),
      );
    },
  );

  app.post(
    '/v1/sign-up/confirm',
    {
      schema: {
        operationId: 'ConfirmSignUp',
        tags: ['sign-up'],
        summary: 'Confirm a sign-up with the code; the attribute it went to becomes verified',
        body: ref(ConfirmSignUpBody),
        response: { 200: jsonResponse('Confirmed', ref(Empty)), ...problems(400, 403, 404, 409, 415, 429) },
      },
      preHandler: app.rateLimited('codeCheck'),
    },
    async (request) => {
      await registration.confirmSignUp(request.body);
      return {};
    },
  );

  app.post(
    '/v1/sign-up/resend-code',
    {
      schema: {
        operationId: 'ResendConfirmationCode',
        tags: ['sign-up'],
        summary: 'Send a new sign-up code; the previous one stops working',
        body: ref(UsernameBody),
        response: {
          200: jsonResponse('A new code was sent: where to', ref(CodeDeliveryResponse)),
          ...problems(400, 404, 415, 429, 502),
        },
      },
      preHandler: app.rateLimited('codeSend'),
    },
    async (request) => registration.resendConfirmationCode(request.body),
  );
}
