import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { CognitoError } from '../errors/cognito-error.ts';
import type { Caller } from '../modules/tokens/sessions.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    requireAdmin(request: FastifyRequest): Promise<void>;
    requireUser(request: FastifyRequest): Promise<void>;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The caller of a route guarded by requireUser. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new CognitoError('NotAuthorizedException', 'Invalid Access Token');
  return request.caller;
}

export const authPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('caller', null);

    // A request without the admin key learns nothing else: same answer for missing and wrong.
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (!token || !app.services.adminKey.verify(token)) {
        throw new CognitoError('NotAuthorizedException', 'A valid admin API key is required.');
      }
    });

    app.decorate('requireUser', async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (!token) throw new CognitoError('NotAuthorizedException', 'Invalid Access Token');
      request.caller = await app.services.sessions.authenticate(token);
    });
  },
  { name: 'auth', dependencies: ['services'] },
);
