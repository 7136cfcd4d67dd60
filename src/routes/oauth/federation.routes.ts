import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CognitoError } from '../../errors/cognito-error.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { ref } from '../../schemas/common.ts';
import { IdpResponseForm, IdpResponseQuery, OAuthErrorBody } from '../../schemas/oauth.ts';
import { IDP_RESPONSE_PATH } from '../../modules/federation/federation.service.ts';
import { FEDERATION_REQUEST_SECONDS } from '../../modules/federation/federation-requests.ts';
import { OAuthError } from '../../modules/oauth/oauth-errors.ts';
import { LOGIN_SESSION_COOKIE, LOGIN_SESSION_SECONDS } from '../../modules/tokens/login-sessions.ts';

/** The cookie that binds a sign-in at a provider to the browser that started it (docs/federation.md, "Security"). */
export const FEDERATION_COOKIE = 'cognate-federation';

/**
 * The binding cookie's settings: only sent back to /oauth2/idpresponse, HttpOnly, ten minutes.
 * SameSite=Lax lets it ride the provider's redirect back (a top-level GET); Sign in with Apple
 * answers by a cross-site form POST, which only a SameSite=None cookie survives, and browsers take
 * that over https only.
 */
export function federationCookieOptions(request: FastifyRequest, formPost: boolean) {
  const secure = request.protocol === 'https';
  return {
    httpOnly: true,
    sameSite: formPost && secure ? ('none' as const) : ('lax' as const),
    secure,
    path: IDP_RESPONSE_PATH,
    maxAge: FEDERATION_REQUEST_SECONDS,
  };
}

/** The providers' answer: RFC 6749 4.1.2's members; providers add their own (Google's `authuser`), which are ignored. */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Where the browser goes next, as a page that sends it there (a meta refresh and a link), not as
 * a redirect: a provider's login form led here, and browsers hold every redirect that follows a
 * form to that page's CSP form-action, which names this endpoint but not the app (Cognate's own
 * login pages are such a provider; docs/federation.md, "Security"). No script, no referrer: the
 * code and state in this URL go nowhere.
 */
function continueTo(reply: FastifyReply, location: string) {
  const url = escapeHtml(location);
  return reply
    .code(200)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    )
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(
      `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"><title>Signing in</title></head><body><p><a id="continue" href="${url}">Continue</a></p></body></html>\n`,
    );
}

/** An error of this endpoint: to the app's redirect URI when it is known and checked, else the error page. */
function redirectError(reply: FastifyReply, error: OAuthError) {
  const to =
    error.redirectUrl() ??
    `/error?${new URLSearchParams({ error: error.error, error_description: error.description }).toString()}`;
  return continueTo(reply, to);
}

/**
 * /oauth2/idpresponse, where external providers send the browser back (docs/federation.md,
 * "Signing in"): GET, and POST for Sign in with Apple's form_post. Always sends the browser on:
 * back to /oauth2/authorize with a login session, to the app with an error, or to the error page.
 */
export async function federationRoutes(fastify: FastifyInstance) {
  const app = fastify;
  const { federation } = app.services;

  app.setErrorHandler((error, request, reply) => {
    let oauthError: OAuthError;
    if (error instanceof OAuthError) oauthError = error;
    else if (error instanceof CognitoError && error.name === 'TooManyRequestsException')
      oauthError = new OAuthError('invalid_request', error.message, { status: 429 });
    else if (error instanceof CognitoError && error.status < 500)
      // The validation plugin's refusals (a NUL in a member, …) are the request's fault, not ours.
      oauthError = new OAuthError('invalid_request', error.message);
    else if (
      (error as { statusCode?: number }).statusCode !== undefined &&
      (error as { statusCode: number }).statusCode < 500
    )
      oauthError = new OAuthError('invalid_request', (error as Error).message);
    else {
      request.log.error({ err: error }, 'federated sign-in failed');
      oauthError = new OAuthError('server_error', 'The sign-in could not be completed.');
    }
    if (oauthError.status === 429)
      return reply
        .code(429)
        .header('cache-control', 'no-store')
        .send({ error: oauthError.error, error_description: oauthError.description });
    return redirectError(reply, oauthError);
  });

  async function answer(request: FastifyRequest, reply: FastifyReply, params: Record<string, unknown>) {
    // The binding cookie is spent whatever happens next.
    const browserToken = request.cookies[FEDERATION_COOKIE];
    reply.clearCookie(FEDERATION_COOKIE, { path: IDP_RESPONSE_PATH });
    const done = await federation.finish(params, browserToken, request.host);
    reply.setCookie(LOGIN_SESSION_COOKIE, done.loginSession, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: request.protocol === 'https',
      maxAge: LOGIN_SESSION_SECONDS,
    });
    return continueTo(reply, done.location);
  }

  const schema = {
    tags: ['oauth'],
    summary: 'Where an external identity provider sends the browser back',
    description:
      'Takes the sign-in the `state` names (once, in the browser that started it, within ten minutes), exchanges the code with the provider, signs the user in and sends the browser on to `/oauth2/authorize`, which issues the app’s code. Errors go to the app’s redirect URI (`error`, `error_description`, `state`) or, when the sign-in is unknown, to the error page. The answer is a page with a meta refresh, not a redirect (docs/federation.md, “Security”).',
    response: {
      200: {
        description:
          'A page that sends the browser on (meta refresh): to /oauth2/authorize, the app’s redirect URI or /error',
      },
      429: jsonResponse(
        'Too many requests from this address (the `refresh` limit, docs/limits.md; invalid_request, with Retry-After)',
        ref(OAuthErrorBody),
      ),
    },
  };

  app.get(
    IDP_RESPONSE_PATH,
    {
      schema: { operationId: 'OAuthIdpResponse', querystring: IdpResponseQuery, ...schema },
      // A code exchange and a user lookup per call: metered as /oauth2/authorize.
      preHandler: app.rateLimited('refresh'),
    },
    async (request, reply) => answer(request, reply, request.query as Record<string, unknown>),
  );

  app.post(
    IDP_RESPONSE_PATH,
    {
      schema: {
        operationId: 'OAuthIdpResponseFormPost',
        consumes: ['application/x-www-form-urlencoded'],
        body: ref(IdpResponseForm),
        ...schema,
      },
      preHandler: app.rateLimited('refresh'),
    },
    async (request, reply) => answer(request, reply, (request.body ?? {}) as Record<string, unknown>),
  );
}
