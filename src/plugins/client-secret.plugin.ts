import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { CognitoError } from '../errors/cognito-error.ts';

/**
 * The REST face's proof of a confidential client's secret (docs/client-secrets.md, "REST"): HTTP
 * Basic with the client id and secret, as OAuth 2.0's client_secret_basic (RFC 6749, 2.3.1). It
 * is checked wherever the request reads the client it names, as the Cognito face's SECRET_HASH.
 * After the body is parsed, so that the request's work runs inside the proof's scope.
 */
export const clientSecretPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', (request, _reply, done) => {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i.exec(header) : null;
      if (!match) {
        if (typeof header === 'string' && /^Basic\b/i.test(header))
          return done(
            new CognitoError('NotAuthorizedException', 'The Basic credentials are not base64 of clientId:secret.'),
          );
        return done();
      }
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1)
        return done(
          new CognitoError('NotAuthorizedException', 'The Basic credentials are not base64 of clientId:secret.'),
        );
      app.services.pools.clientSecrets.enter(
        {
          kind: 'client-secret',
          clientId: decoded.slice(0, colon),
          clientSecret: decoded.slice(colon + 1),
          member: 'Authorization',
        },
        done,
      );
    });
  },
  { name: 'client-secret', dependencies: ['services'] },
);
