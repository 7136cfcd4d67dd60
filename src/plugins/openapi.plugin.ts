import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { CognitoWireError, Problem, problems } from '../schemas/common.ts';

/** The route schemas are the one source of truth: this turns them into OpenAPI 3.1. */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    app.addSchema(Problem);
    app.addSchema(CognitoWireError);
    // Answers every documented route can give, whatever it declares itself: 400 (its query, params
    // and body are validated), 500, and for a body 413 and 415. Added before swagger sees the route.
    app.addHook('onRoute', (route) => {
      const schema = route.schema as { hide?: boolean; body?: unknown; response?: Record<string, unknown>; consumes?: string[] } | undefined;
      // The Cognito wire protocol answers Cognito's own errors (400 and 500 only), declared by its route.
      if (!schema?.response || schema.hide || schema.consumes?.includes('application/x-amz-json-1.1')) return;
      const declared = schema.response;
      const always = [400, 500, ...(schema.body ? [413, 415] : [])].filter((status) => !(status in declared));
      route.schema = { ...route.schema, response: { ...problems(...always), ...declared } };
    });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Cognate',
          version: '0.1.0',
          description:
            'A self-hosted identity service with Amazon Cognito’s user-attribute semantics. Errors are RFC 9457 problem documents whose `code` is the Cognito exception name.',
          license: { name: 'UNLICENSED' },
        },
        components: {
          securitySchemes: {
            adminKey: { type: 'http', scheme: 'bearer', description: 'The admin API key (ADMIN_API_KEY, or the one printed at first start).' },
            accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from sign-in.' },
          },
        },
        tags: [
          { name: 'sign-up', description: 'Registration and its confirmation' },
          { name: 'auth', description: 'Sign-in, refresh, sign-out' },
          { name: 'me', description: 'The signed-in user' },
          { name: 'attributes', description: 'The signed-in user’s attributes and their verification' },
          { name: 'pools', description: 'Admin: user pools' },
          { name: 'clients', description: 'Admin: app clients' },
          { name: 'users', description: 'Admin: users of a pool' },
          { name: 'tokens', description: 'Keys and OIDC discovery' },
          { name: 'operations', description: 'Health' },
          { name: 'cognito', description: 'Cognito’s own wire protocol, for unmodified AWS SDKs and Amplify' },
        ],
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    // The page needs its own scripts, styles and data: images; its CSP replaces the API's `default-src 'none'`.
    // Without upgrade-insecure-requests, which would break the page served over plain HTTP.
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
