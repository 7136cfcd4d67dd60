import { randomUUID } from 'node:crypto';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { authPlugin } from './plugins/auth.plugin.ts';
import { clientSecretPlugin } from './plugins/client-secret.plugin.ts';
import { errorsPlugin, sendProblem, toCognitoError } from './plugins/errors.plugin.ts';
import { httpSecurityPlugin } from './plugins/http-security.plugin.ts';
import { openapiPlugin } from './plugins/openapi.plugin.ts';
import { rateLimitsPlugin } from './plugins/rate-limits.plugin.ts';
import { requestMetricsPlugin } from './plugins/request-metrics.plugin.ts';
import { servicesPlugin } from './plugins/services.plugin.ts';
import { validationPlugin } from './plugins/validation.plugin.ts';
import { hookSecretsRoutes } from './routes/admin/hook-secrets.routes.ts';
import { messageTemplatesRoutes } from './routes/admin/message-templates.routes.ts';
import { cognitoProtocolRoutes } from './routes/cognito/cognito-protocol.routes.ts';
import { poolsRoutes } from './routes/admin/pools.routes.ts';
import { poolLifecycleRoutes } from './routes/admin/pool-lifecycle.routes.ts';
import { clientSecretsRoutes } from './routes/admin/client-secrets.routes.ts';
import { signingKeysRoutes } from './routes/admin/signing-keys.routes.ts';
import { adminUsersRoutes } from './routes/admin/users.routes.ts';
import { adminAuthRoutes } from './routes/admin/admin-auth.routes.ts';
import { groupsRoutes } from './routes/admin/groups.routes.ts';
import { userSearchRoutes } from './routes/admin/user-search.routes.ts';
import { userTransferRoutes } from './routes/admin/user-transfer.routes.ts';
import { importJobsRoutes } from './routes/admin/import-jobs.routes.ts';
import { poolDomainsRoutes } from './routes/admin/pool-domains.routes.ts';
import { resourceServersRoutes } from './routes/admin/resource-servers.routes.ts';
import { brandingRoutes } from './routes/admin/branding.routes.ts';
import { providerLinksRoutes } from './routes/admin/provider-links.routes.ts';
import { identityProvidersRoutes } from './routes/admin/identity-providers.routes.ts';
import { healthRoutes } from './routes/system/health.routes.ts';
import { metricsRoutes } from './routes/system/metrics.routes.ts';
import { wellKnownRoutes } from './routes/system/well-known.routes.ts';
import { authRoutes } from './routes/users/auth.routes.ts';
import { meRoutes } from './routes/users/me.routes.ts';
import { userDevicesRoutes } from './routes/users/devices.routes.ts';
import { adminDevicesRoutes } from './routes/admin/devices.routes.ts';
import { signUpRoutes } from './routes/users/sign-up.routes.ts';
import { userAuthRoutes } from './routes/users/user-auth.routes.ts';
import { mfaRoutes } from './routes/users/mfa.routes.ts';
import { adminMfaRoutes } from './routes/admin/mfa.routes.ts';
import { oauthRoutes } from './routes/oauth/oauth.routes.ts';
import { federationRoutes } from './routes/oauth/federation.routes.ts';
import { managedLoginRoutes } from './routes/managed-login/managed-login.routes.ts';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Services } from './services.ts';

const eagerSerializers = SerializerSelector();
const lazySerializers: typeof eagerSerializers = (externalSchemas, options) => {
  const build = eagerSerializers(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data: unknown) => (serialize ??= build(route))(data);
  };
};

/** One log line a request, written when it is answered, with what was asked: not two. */
class OneLineRequestLog extends LogController {
  override incomingRequest() {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

export interface AppOptions {
  services: Services;
  /** A pino logger shared with the services; none (silent) in tests unless given. */
  logger?: FastifyBaseLogger;
  /** Request limits; the defaults suit production, tests lower them to see them act. */
  limits?: { bodyLimitBytes?: number; requestTimeoutMs?: number };
  /** Proxies whose X-Forwarded-For gives the client address (config TRUST_PROXY); none by default. */
  trustProxy?: boolean | number | string[];
  /** The bearer token `/metrics` takes besides the admin API key (config METRICS_TOKEN). */
  metricsToken?: string;
  /** Serve https with this PEM certificate and key (config TLS_CERT_FILE/TLS_KEY_FILE); plain http without. */
  https?: { cert: Buffer | string; key: Buffer | string };
}

/** Builds the HTTP app: infrastructure plugins, then services, then routes, in that order. */
export async function buildApp({ services, logger, limits = {}, trustProxy = false, metricsToken, https }: AppOptions) {
  const requestTimeout = limits.requestTimeoutMs ?? 30_000;
  const serverOptions = {
    headersTimeout: Math.min(requestTimeout, 10_000),
    connectionsCheckingInterval: Math.min(1000, requestTimeout),
  };
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: limits.bodyLimitBytes ?? 256 * 1024,
    // The whole request (headers and body) must arrive within this, or the answer is 408 and the
    // connection closes: a slow sender cannot hold connections open. Node only enforces it with a
    // headers timeout no longer than it (its default, 60 s, silently wins), and checks every
    // connectionsCheckingInterval (30 s by default, which would let a request run far longer).
    requestTimeout,
    http: serverOptions,
    // With `https` Fastify makes an https server, which takes the same server options from there
    // (it ignores `http`). Typed as the http app: routes, inject and listen are the same.
    ...(https && ({ https: { ...serverOptions, cert: https.cert, key: https.key } } as object)),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    logController: new OneLineRequestLog(),
    // request.ip, which rate limits and the lockout count by, is the connection's peer unless it is a trusted proxy.
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    ajv: { customOptions: { removeAdditional: false } },
    // Response serializers are compiled at a route's first answer, not at start: compiling all of
    // them up front was the largest part of a start's CPU (docs/performance.md, "Start-up").
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    // Usernames are up to 128 characters, and percent-encoding can make each one 12: the router's
    // default of 100 would refuse valid usernames with 414 before the schema could speak.
    routerOptions: { maxParamLength: 2048 },
    // Errors the router raises before any route runs (bad percent-encoding, an over-long path
    // parameter) bypass the error handler; without this they answer Fastify's own JSON, not a problem.
    frameworkErrors: (error, _request, reply) => sendProblem(reply, toCognitoError(error)),
  });

  // An empty body is no body (curl -X POST without -d), not malformed JSON.
  // Fastify's own parser otherwise, which refuses __proto__ and constructor poisoning.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // Fastify also parses text/plain by default; the API speaks JSON only, so any other media type is a 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });

  await app.register(validationPlugin);
  await app.register(errorsPlugin);
  await app.register(httpSecurityPlugin, { isAllowedOrigin: services.pools.isAllowedOrigin });
  await app.register(openapiPlugin);
  await app.register(servicesPlugin, { services });
  // Cookies are read and set only by the web face (the login session, CSRF); the API uses none.
  await app.register(cookie);
  await app.register(authPlugin);
  await app.register(clientSecretPlugin);
  await app.register(rateLimitsPlugin);
  await app.register(requestMetricsPlugin);

  await app.register(healthRoutes);
  await app.register(metricsRoutes, { ...(metricsToken !== undefined && { metricsToken }) });
  await app.register(wellKnownRoutes);
  await app.register(signUpRoutes);
  await app.register(authRoutes);
  await app.register(userAuthRoutes);
  await app.register(meRoutes);
  await app.register(mfaRoutes);
  await app.register(userDevicesRoutes);
  await app.register(poolsRoutes);
  await app.register(poolLifecycleRoutes);
  await app.register(clientSecretsRoutes);
  await app.register(signingKeysRoutes);
  await app.register(hookSecretsRoutes);
  await app.register(adminUsersRoutes);
  await app.register(adminAuthRoutes);
  await app.register(groupsRoutes);
  await app.register(adminDevicesRoutes);
  await app.register(userSearchRoutes);
  await app.register(providerLinksRoutes);
  await app.register(userTransferRoutes);
  await app.register(importJobsRoutes);
  await app.register(poolDomainsRoutes);
  await app.register(resourceServersRoutes);
  await app.register(identityProvidersRoutes);
  await app.register(brandingRoutes);
  await app.register(messageTemplatesRoutes);
  await app.register(adminMfaRoutes);
  await app.register(cognitoProtocolRoutes);
  // The web face (docs/web-sign-in.md): the only routes that take HTML forms
  // (application/x-www-form-urlencoded), in their own context so the JSON API stays JSON-only.
  await app.register(async (web) => {
    await web.register(formbody);
    await web.register(oauthRoutes);
    await web.register(federationRoutes);
    await web.register(managedLoginRoutes);
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
