import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CognitoError } from '../../errors/cognito-error.ts';
import { OAuthError } from '../../modules/oauth/oauth-errors.ts';
import type { ClientCredentials } from '../../modules/oauth/oauth.service.ts';
import { COGNITO_PROVIDER } from '../../modules/federation/federation.types.ts';
import { LOGIN_SESSION_COOKIE } from '../../modules/tokens/login-sessions.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { ref } from '../../schemas/common.ts';
import {
  AuthorizeQuery,
  LogoutQuery,
  OAuthErrorBody,
  OAuthRevokeForm,
  OAuthTokenForm,
  OAuthTokenResponse,
} from '../../schemas/oauth.ts';
import { FEDERATION_COOKIE, federationCookieOptions } from './federation.routes.ts';

const FORM = 'application/x-www-form-urlencoded';

/** The query string exactly as the browser sent it (passed on to /login unchanged). */
const rawQuery = (request: FastifyRequest) => {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
};

/**
 * HTTP Basic's client id and secret, as sent. Cognito's ids and generated secrets have nothing to
 * form-encode (RFC 6749, 2.3.1); a secret with `+` may come raw or encoded: the service tries both.
 */
function basicOf(request: FastifyRequest): ClientCredentials['basic'] | 'malformed' {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i.exec(header);
  if (!match) return 'malformed';
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return 'malformed';
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/** Anything thrown in this context as an OAuth error (validation, a bad body, the unexpected). */
function toOAuthError(error: unknown, basicTried: boolean): OAuthError {
  if (error instanceof OAuthError) return error;
  const status = (error as FastifyError).statusCode;
  if (error instanceof CognitoError) {
    // The global Basic reader refuses a malformed Authorization header (client-secret.plugin.ts).
    if (error.name === 'NotAuthorizedException')
      return new OAuthError('invalid_client', 'Client authentication failed.', { status: basicTried ? 401 : 400 });
    // A rate limit (the API's refresh limit, docs/limits.md): 429 with its Retry-After, not a 400.
    if (error.name === 'TooManyRequestsException')
      return new OAuthError('invalid_request', error.message, { status: 429 });
    if (error.status < 500) return new OAuthError('invalid_request', error.message);
  }
  if ((error as FastifyError).validation) return new OAuthError('invalid_request', (error as Error).message);
  if (status === 413 || status === 415) return new OAuthError('invalid_request', (error as Error).message, { status });
  if (status !== undefined && status >= 400 && status < 500)
    return new OAuthError('invalid_request', (error as Error).message);
  return new OAuthError('server_error', 'The server could not answer.');
}

function sendOAuthError(reply: FastifyReply, error: OAuthError) {
  if (error.status === 401) reply.header('www-authenticate', 'Basic realm="oauth2"');
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({ error: error.error, error_description: error.description });
}

/** A browser request's error: to the client's redirect URI when it is safe, else to the error page. */
function redirectError(reply: FastifyReply, error: OAuthError) {
  const to =
    error.redirectUrl() ??
    `/error?${new URLSearchParams({ error: error.error, error_description: error.description }).toString()}`;
  return reply.header('cache-control', 'no-store').redirect(to, 302);
}

const errorResponses = {
  400: jsonResponse(
    'An RFC 6749 error: invalid_request, invalid_grant, unsupported_grant_type, …',
    ref(OAuthErrorBody),
  ),
  401: jsonResponse('invalid_client, when the client authenticated with HTTP Basic', ref(OAuthErrorBody)),
  413: jsonResponse('The form is too large (invalid_request)', ref(OAuthErrorBody)),
  415: jsonResponse('The body is not a form (invalid_request)', ref(OAuthErrorBody)),
  429: jsonResponse('Too many requests from this address (invalid_request, with Retry-After)', ref(OAuthErrorBody)),
  500: jsonResponse('server_error', ref(OAuthErrorBody)),
};

/**
 * The OAuth 2.0 / OpenID Connect endpoints at a Cognito domain's paths (docs/web-sign-in.md):
 * /oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout. Their errors are OAuth's (JSON
 * `{"error"}` or a redirect), never problem documents.
 */
export async function oauthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { oauth, federation } = app.services;

  app.setErrorHandler((error, request, reply) => {
    const basicTried = typeof request.headers.authorization === 'string';
    const oauthError = toOAuthError(error, basicTried);
    if (oauthError.status >= 500) request.log.error({ err: error }, 'OAuth endpoint failed');
    if (request.method === 'GET') return redirectError(reply, oauthError);
    return sendOAuthError(reply, oauthError);
  });

  /** The form's client credentials, refusing a body that is not a form (Cognito takes forms only). */
  function credentialsOf(request: FastifyRequest): ClientCredentials {
    const type = request.headers['content-type'];
    if (typeof type !== 'string' || type.split(';')[0]!.trim().toLowerCase() !== FORM)
      throw new OAuthError('invalid_request', `The body must be ${FORM}.`);
    const basic = basicOf(request);
    if (basic === 'malformed')
      throw new OAuthError('invalid_client', 'The Basic credentials are not base64 of client_id:client_secret.', {
        status: 401,
      });
    // request.host: the Host, or X-Forwarded-Host from a trusted proxy (TRUST_PROXY).
    return { ...(basic && { basic }), host: request.host };
  }

  app.get(
    '/oauth2/authorize',
    {
      schema: {
        operationId: 'OAuthAuthorize',
        tags: ['oauth'],
        summary: 'Start a sign-in: a code or tokens for the client, or the login page first',
        description:
          'With a live login session (the managed login pages’ cookie), redirects to the redirect URI with a code (`response_type=code`) or tokens in the fragment (`token`); otherwise to `/login` with the same query, or, with `identity_provider` or `idp_identifier` naming an external provider, to that provider’s sign-in (docs/federation.md). A bad client or redirect URI goes to the error page; any other error to the redirect URI with `error` and `state`.',
        querystring: AuthorizeQuery,
        response: { 302: { description: 'To the redirect URI, /login or /error' } },
      },
      // Each call with a login session issues a code or starts a session: metered as the API's refresh.
      preHandler: app.rateLimited('refresh'),
    },
    async (request, reply) => {
      const host = request.host;
      const authorize = await oauth.checkAuthorizeRequest(request.query as Record<string, unknown>, host);
      const live = await oauth.loginOf(authorize.poolId, request.cookies[LOGIN_SESSION_COOKIE]);
      // prompt=login and an old enough session (max_age) sign in again (docs/web-sign-in.md, "Endpoints").
      const tooOld =
        live !== null &&
        authorize.maxAge !== undefined &&
        Date.now() - live.authTime.getTime() > authorize.maxAge * 1000;
      const login = authorize.prompt === 'login' || tooOld ? null : live;
      reply.header('cache-control', 'no-store');
      const provider = authorize.identityProvider;
      if (provider !== undefined && provider !== COGNITO_PROVIDER) {
        // A login session counts only if its user holds an identity of the provider asked for
        // (docs/federation.md, "Signing in"); otherwise the provider signs the user in.
        if (login && (await federation.sessionCounts(login.userId, provider)))
          return reply.redirect(await oauth.issue(authorize, login), 302);
        if (authorize.prompt === 'none') return reply.redirect(oauth.loginRequired(authorize), 302);
        // The provider sends the browser back to this origin's /oauth2/idpresponse: request.host and
        // request.protocol, X-Forwarded-* from a trusted proxy only (TRUST_PROXY; docs/federation.md, "Security").
        const started = await federation.start(authorize, rawQuery(request), `${request.protocol}://${request.host}`);
        reply.setCookie(FEDERATION_COOKIE, started.browserToken, federationCookieOptions(request, started.formPost));
        return reply.redirect(started.location, 302);
      }
      if (!login && authorize.prompt === 'none') return reply.redirect(oauth.loginRequired(authorize), 302);
      if (!login) return reply.redirect(`/login?${rawQuery(request)}`, 302);
      return reply.redirect(await oauth.issue(authorize, login), 302);
    },
  );

  app.post(
    '/oauth2/token',
    {
      schema: {
        operationId: 'OAuthToken',
        tags: ['oauth'],
        summary: 'Exchange a code, a refresh token or client credentials for tokens',
        description:
          'Client authentication by HTTP Basic (client_secret_basic) or client_id and client_secret in the form (client_secret_post); a public client sends client_id only. Never cached.',
        consumes: [FORM],
        body: ref(OAuthTokenForm),
        response: { 200: jsonResponse('The tokens', ref(OAuthTokenResponse)), ...errorResponses },
      },
      preHandler: app.rateLimited('refresh'),
    },
    async (request, reply) => {
      const credentials = credentialsOf(request);
      const tokens = await oauth.token((request.body ?? {}) as Record<string, unknown>, credentials);
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(tokens);
    },
  );

  app.post(
    '/oauth2/revoke',
    {
      schema: {
        operationId: 'OAuthRevoke',
        tags: ['oauth'],
        summary: 'Revoke a refresh token and the access tokens issued from it (RFC 7009)',
        consumes: [FORM],
        body: ref(OAuthRevokeForm),
        response: { 200: { description: 'Revoked, or nothing to revoke' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const credentials = credentialsOf(request);
      await oauth.revoke((request.body ?? {}) as Record<string, unknown>, credentials);
      return reply.header('cache-control', 'no-store').code(200).send();
    },
  );

  app.get(
    '/logout',
    {
      schema: {
        operationId: 'OAuthLogout',
        tags: ['oauth'],
        summary: 'End the managed login session',
        description:
          'Ends the login session and clears its cookie, then redirects to `logout_uri` (one of the client’s sign-out URLs, exactly) or, given `redirect_uri` and `response_type`, to the login page to sign in again.',
        querystring: LogoutQuery,
        response: { 302: { description: 'To logout_uri, /login or /error' } },
      },
    },
    async (request, reply) => {
      const checked = await oauth.checkLogout(request.query as Record<string, unknown>, request.host);
      await oauth.endLogin(request.cookies[LOGIN_SESSION_COOKIE]);
      reply.clearCookie(LOGIN_SESSION_COOKIE, { path: '/' });
      reply.header('cache-control', 'no-store');
      if ('logoutUri' in checked.to) return reply.redirect(checked.to.logoutUri, 302);
      return reply.redirect(`/login?${rawQuery(request)}`, 302);
    },
  );
}
