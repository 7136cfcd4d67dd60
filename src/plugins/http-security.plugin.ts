import cors from '@fastify/cors';
import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface HttpSecurityOptions {
  /** Whether some app client allows this browser origin (CORS per client). */
  isAllowedOrigin(origin: string): Promise<boolean>;
}

/**
 * What browsers need to call Cognate from an app client's origins (Amplify and the AWS SDKs send
 * these to `POST /`; the REST API needs content-type and authorization).
 */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'cache-control',
  'x-amz-target',
  'x-amz-user-agent',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-request-id',
];
/** Answer headers a browser app may read: the SDKs take the error type from x-amzn-errortype. */
export const CORS_EXPOSED_HEADERS = [
  'x-amzn-requestid',
  'x-amzn-errortype',
  'x-amzn-errormessage',
  'retry-after',
  'x-request-id',
];

/**
 * Security headers (helmet) and CORS per app client. Registered before every route, so both hold
 * for every answer, errors and 404s included. The API answers JSON only: its CSP allows nothing
 * and no framing; /docs (swagger-ui) sets its own CSP for its scripts and styles.
 */
export const httpSecurityPlugin = fp<HttpSecurityOptions>(
  async (app: FastifyInstance, opts) => {
    // helmet itself, built once: @fastify/helmet rebuilt the middleware (parsing every directive)
    // for each request, 5 % of an authenticated GET's work.
    const securityHeaders = helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    });
    app.addHook('onRequest', (request, reply, done) =>
      securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
    );

    // An origin no client lists gets no CORS headers at all (and a preflight from it a 404).
    await app.register(cors, {
      origin: (origin, callback) => {
        if (!origin) return callback(null, false);
        opts.isAllowedOrigin(origin).then(
          (allowed) => callback(null, allowed ? origin : false),
          (error: Error) => callback(error, false),
        );
      },
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      // Bearer tokens, never cookies: no credentials mode.
      credentials: false,
      maxAge: 600,
      // A preflight without Access-Control-Request-Method still gets an answer, not a text/plain 400.
      strictPreflight: false,
    });

    // Tokens and user data must not sit in shared or browser caches; a route that sets its own policy keeps it.
    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });
  },
  { name: 'http-security' },
);
