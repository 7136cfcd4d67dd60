import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TSchema } from 'typebox';
import { problems, shareProblemResponses } from '../schemas/common.ts';
import { components } from '../schemas/index.ts';

/** A JSON success answer with the description a generated client shows for it (else swagger writes "Default Response"). */
export function jsonResponse<const S extends TSchema>(description: string, schema: S) {
  return { description, content: { 'application/json': { schema } } };
}

type OpenApiParameter = { in?: string; schema?: { type?: unknown }; style?: string; explode?: boolean };
type OpenApiDocument = { paths?: Record<string, Record<string, { parameters?: OpenApiParameter[] }>> };

/** The route schemas are the one source of truth: this turns them into OpenAPI 3.1. */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    for (const schema of components) app.addSchema(schema);
    // Answers every documented route can give, whatever it declares itself: 400 (its query, params
    // and body are validated), 500, and for a body 413 and 415. Added before swagger sees the route.
    app.addHook('onRoute', (route) => {
      const schema = route.schema as
        { hide?: boolean; body?: unknown; response?: Record<string, unknown>; consumes?: string[] } | undefined;
      // The Cognito wire protocol answers Cognito's own errors (400 and 500 only), declared by its route.
      if (!schema?.response || schema.hide || schema.consumes?.includes('application/x-amz-json-1.1')) return;
      // The OAuth endpoints answer RFC 6749's errors (or redirect), declared by each route (docs/web-sign-in.md).
      if ((schema as { tags?: string[] }).tags?.includes('oauth')) return;
      const declared = schema.response;
      const always = [400, 500, ...(schema.body ? [413, 415] : [])].filter((status) => !(status in declared));
      route.schema = { ...route.schema, response: { ...problems(...always), ...declared } };
    });
    // Routes behind a key or token declare `security` themselves; every other documented route is
    // public, and says so with `security: []` rather than leaving a client to guess.
    app.addHook('onRoute', (route) => {
      if (route.schema && !route.schema.hide && !('security' in route.schema))
        route.schema = { ...route.schema, security: [] };
    });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Cognate',
          version: '0.1.0',
          description:
            'A self-hosted identity service with Amazon Cognito’s user-attribute semantics. Errors are RFC 9457 problem documents whose `code` is the Cognito exception name.',
          license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        },
        servers: [
          {
            url: 'http://localhost:{port}',
            description: 'A Cognate server run locally',
            variables: { port: { default: '3000', description: 'The port Cognate listens on (PORT).' } },
          },
        ],
        components: {
          securitySchemes: {
            adminKey: {
              type: 'http',
              scheme: 'bearer',
              description: 'The admin API key (ADMIN_API_KEY, or the one printed at first start).',
            },
            accessToken: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description: 'An access token from sign-in.',
            },
            metricsToken: { type: 'http', scheme: 'bearer', description: 'The metrics scrape token (METRICS_TOKEN).' },
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
          { name: 'groups', description: 'Admin: groups of a pool and their members' },
          { name: 'devices', description: 'Remembered devices: the user’s own, and an admin’s view of a user’s' },
          { name: 'tokens', description: 'Keys and OIDC discovery' },
          { name: 'oauth', description: 'OAuth 2.0 / OpenID Connect endpoints at a Cognito domain’s paths' },
          {
            name: 'web-config',
            description:
              'Admin: user-pool domains, resource servers and scopes, the managed login pages’ branding, identity providers',
          },
          { name: 'operations', description: 'Health' },
          { name: 'cognito', description: 'Cognito’s own wire protocol, for unmodified AWS SDKs and Amplify' },
        ],
      },
      // Repeated query parameters (`?name=a&name=b`) are what the server parses into an array; say so
      // rather than leave it to each generator's default.
      transformObject: (document) => {
        if (!('openapiObject' in document)) return document.swaggerObject;
        const { openapiObject } = document;
        for (const item of Object.values((openapiObject as OpenApiDocument).paths ?? {})) {
          for (const operation of Object.values(item)) {
            for (const parameter of operation.parameters ?? []) {
              if (parameter.in === 'query' && parameter.schema?.type === 'array')
                Object.assign(parameter, { style: 'form', explode: true });
            }
          }
        }
        return shareProblemResponses(openapiObject as Parameters<typeof shareProblemResponses>[0]);
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
