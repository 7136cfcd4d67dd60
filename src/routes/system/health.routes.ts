import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CognitoError } from '../../errors/cognito-error.ts';
import { problems, ref } from '../../schemas/common.ts';
import { HealthStatus } from '../../schemas/health.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const Status = ref(HealthStatus);

export async function healthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/health/live',
    {
      schema: {
        operationId: 'Live',
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: jsonResponse('The process is up', Status) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        operationId: 'Ready',
        tags: ['operations'],
        summary: 'The database answers and its migrations are applied',
        response: {
          200: jsonResponse('The database answers and its migrations are applied', Status),
          ...problems(503),
        },
      },
    },
    async () => {
      try {
        await app.services.database.ready();
      } catch (error) {
        throw new CognitoError('InternalErrorException', `Not ready: ${(error as Error).message}`, {
          status: 503,
          cause: error,
        });
      }
      return { status: 'ok' as const };
    },
  );
}
