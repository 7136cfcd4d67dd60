import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { CognitoError } from '../../errors/cognito-error.ts';
import { problems } from '../../schemas/common.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Prometheus scrape endpoint, behind a key (docs/security.md, "Metrics"): METRICS_TOKEN, or the
 * admin API key. Its counts are the service's, never a user's, but a scrape taken around one
 * request could still say what that request did.
 */
export async function metricsRoutes(app: FastifyInstance, options: { metricsToken?: string }) {
  const metricsToken = options.metricsToken === undefined ? undefined : sha256(options.metricsToken);
  const authorised = (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) return false;
    if (metricsToken && timingSafeEqual(sha256(match[1]!), metricsToken)) return true;
    return app.services.adminKey.verify(match[1]!);
  };

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'Metrics',
        tags: ['operations'],
        summary:
          'Prometheus metrics: requests, sign-ins, messages sent, failed and retried; outbox backlog; process metrics',
        description: 'Needs `Authorization: Bearer` with METRICS_TOKEN or the admin API key.',
        security: [{ metricsToken: [] }, { adminKey: [] }],
        response: {
          200: {
            description: 'The Prometheus text exposition format, version 0.0.4',
            content: { 'text/plain': { schema: Type.String() } },
          },
          ...problems(401),
        },
      },
      onRequest: async (request) => {
        if (!authorised(request))
          throw new CognitoError('NotAuthorizedException', 'A valid metrics token or admin API key is required.');
      },
    },
    async (_request, reply) => {
      const { metrics } = app.services;
      return reply.type(metrics.contentType).send(await metrics.scrape());
    },
  );
}
