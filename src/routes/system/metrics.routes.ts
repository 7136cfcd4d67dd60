import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** Prometheus scrape endpoint; unauthenticated like /health (restrict it at the proxy if counts are sensitive). */
export async function metricsRoutes(app: FastifyInstance) {
  app.get('/metrics', {
    schema: {
      operationId: 'Metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics: messages sent, failed and retried; outbox backlog; process metrics',
      response: {
        200: {
          description: 'The Prometheus text exposition format, version 0.0.4',
          content: { 'text/plain': { schema: Type.String() } },
        },
      },
    },
  }, async (_request, reply) => {
    const { metrics } = app.services;
    return reply.type(metrics.contentType).send(await metrics.scrape());
  });
}
