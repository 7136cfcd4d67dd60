import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Counts and times every answered request by route template and status, for /metrics. */
export const requestMetricsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      app.services.metrics.http.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  },
  { name: 'request-metrics', dependencies: ['services'] },
);
