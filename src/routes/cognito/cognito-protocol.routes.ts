import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { callCognito, CONTENT_TYPE, supportedActions, toWireError } from '../../modules/cognito-protocol/protocol.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import { toCognitoError } from '../../plugins/errors.plugin.ts';
import { sourceOf } from '../../plugins/rate-limits.plugin.ts';

const wireError = (description: string) => ({
  description,
  content: { [CONTENT_TYPE]: { schema: Type.Ref('CognitoWireError') } },
});

/** What the body is on the wire: the action's input, a JSON object. */
const ActionInput = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'The action’s input, a JSON object (e.g. SignUp: `{"ClientId", "Username", "Password", "UserAttributes"}`).',
  },
);

/**
 * Cognito's own wire protocol, so unmodified AWS SDKs and Amplify work against Cognate. An
 * encapsulated plugin: its body parser and its `{__type, message}` errors stay on this route.
 */
export async function cognitoProtocolRoutes(app: FastifyInstance) {
  // Kept as text: the SigV4 signature covers the exact bytes received. Plain JSON is taken too
  // (curl users send it); any other media type is named in the error.
  const keepText = (_request: unknown, body: string | Buffer, done: (error: null, body: string) => void) =>
    done(null, body as string);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(CONTENT_TYPE, { parseAs: 'string' }, keepText);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, keepText);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem =
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? new CognitoError('SerializationException', `Send the action's input as ${CONTENT_TYPE}.`)
        : toCognitoError(error);
    if (problem.status >= 500) request.log.error({ err: problem.cause ?? error }, problem.message);
    else request.log.info({ code: problem.name }, problem.message);
    const wire = toWireError(problem);
    return reply
      .status(wire.status)
      .headers({ ...wire.headers, 'content-type': CONTENT_TYPE })
      .send(Buffer.from(JSON.stringify(wire.body)));
  });

  app.post(
    '/',
    {
      schema: {
        operationId: 'CognitoIdentityProviderService',
        tags: ['cognito'],
        summary: 'Cognito’s AWS JSON 1.1 protocol (X-Amz-Target: AWSCognitoIdentityProviderService.<Action>)',
        description:
          'The body and answer are those of the Cognito action named in the `X-Amz-Target` header, as the AWS SDKs and Amplify send them. ' +
          'Admin actions must be signed (AWS Signature Version 4) with COGNITO_ACCESS_KEY_ID and COGNITO_SECRET_ACCESS_KEY. ' +
          `Actions: ${supportedActions.join(', ')}.`,
        consumes: [CONTENT_TYPE, 'application/json'],
        produces: [CONTENT_TYPE],
        headers: Type.Object(
          {
            'x-amz-target': Type.Optional(
              Type.String({
                description:
                  'AWSCognitoIdentityProviderService.<Action>, e.g. AWSCognitoIdentityProviderService.SignUp',
              }),
            ),
          },
          { additionalProperties: true },
        ),
        // Validated as text, its bytes kept for the signature check; the document shows ActionInput (swaggerTransform).
        body: Type.String(),
        response: {
          200: Type.Object({}, { additionalProperties: true, description: 'The action’s output.' }),
          400: wireError(
            'Every client error, named as Cognito names it (InvalidParameterException, NotAuthorizedException, …)',
          ),
          429: wireError('TooManyRequestsException: a rate limit was reached; `Retry-After` says when to try again'),
          500: wireError('InternalErrorException'),
        },
      },
      preHandler: app.cognitoRateLimited,
      // Documented as the JSON object it is, so a generated client sends an object rather than encoding a string twice.
      config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: ActionInput }, url }) },
    },
    async (request, reply) => {
      const { output } = await callCognito(app.services, {
        source: sourceOf(request),
        target: typeof request.headers['x-amz-target'] === 'string' ? request.headers['x-amz-target'] : undefined,
        method: request.method,
        path: request.url.split('?')[0]!,
        query: request.query as Record<string, string>,
        headers: request.headers,
        body: typeof request.body === 'string' ? request.body : '',
      });
      return reply
        .headers({ 'x-amzn-requestid': request.id, 'content-type': CONTENT_TYPE })
        .send(Buffer.from(JSON.stringify(output)));
    },
  );
}
