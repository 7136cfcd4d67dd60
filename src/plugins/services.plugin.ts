import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Services } from '../services.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** Makes the modules reachable from routes; the app does not own their lifecycle beyond close. */
export const servicesPlugin = fp(
  async (app: FastifyInstance, options: { services: Services }) => {
    app.decorate('services', options.services);
  },
  { name: 'services' },
);
