import { randomBytes } from 'node:crypto';
import csrfProtection from '@fastify/csrf-protection';
import { onManagedLoginPages } from '../../modules/sign-in/sign-in-finish.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CognitoError } from '../../errors/cognito-error.ts';
import { sourceOf } from '../../plugins/rate-limits.plugin.ts';
import {
  confirmForgotPasswordPage,
  confirmPage,
  errorPage,
  forgotPasswordPage,
  mfaCodePage,
  mfaSetupPage,
  newPasswordPage,
  selectMfaPage,
  signInPage,
  signUpAttributes,
  signUpPage,
  type PageContext,
  type Problems,
} from '../../modules/managed-login/pages.ts';
import { renderPage } from '../../modules/managed-login/render.ts';
import { pickLanguage, textsFor, type Texts } from '../../modules/managed-login/texts.ts';
import type { Page, PageBranding } from '../../modules/managed-login/managed-login.types.ts';
import { COGNITO_PROVIDER } from '../../modules/federation/federation.types.ts';
import { OAuthError } from '../../modules/oauth/oauth-errors.ts';
import type { AuthorizeRequest } from '../../modules/oauth/oauth.types.ts';
import { restTargets, type LimitKind } from '../../modules/rate-limits/policy.ts';
import type { StepChallenge, NewPasswordChallenge } from '../../modules/sign-in/sign-in.types.ts';
import { LOGIN_SESSION_COOKIE, LOGIN_SESSION_SECONDS } from '../../modules/tokens/login-sessions.ts';
import type { TokenSet } from '../../modules/tokens/sessions.service.ts';

/**
 * The managed login pages at Cognito's paths (docs/web-sign-in.md, "Managed login pages"):
 * /login, /signup, /confirm (and /confirmUser), /resendcode, /forgotPassword,
 * /confirmForgotPassword, and the steps of a sign-in (/login/new-password, /login/mfa,
 * /login/select-mfa, /login/mfa-setup). Every page takes the authorization request's query and
 * keeps it; every POST carries a CSRF token and is limited as its API twin is. The pages call
 * the same services as the REST API, so lockout, hooks, existence hiding and the client's
 * settings hold alike.
 */

/**
 * The authorization request's members, kept from page to page (and given back to /oauth2/authorize).
 * Not `prompt` or `max_age`: the sign-in on the pages is what they ask for, so the way back
 * without them issues the code (docs/web-sign-in.md, "Endpoints").
 */
const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'identity_provider',
  'idp_identifier',
  'lang',
];

/** The CSRF secret's cookie (the token is in each form; docs/web-sign-in.md, "Security of the pages"). */
export const CSRF_COOKIE = 'cognate-csrf';

type Form = Record<string, unknown>;
const text = (form: Form | undefined, name: string): string => {
  const value = form?.[name];
  return typeof value === 'string' ? value : '';
};

function queryOf(request: FastifyRequest): Form {
  return (request.query ?? {}) as Form;
}

/** The authorization request's members of a query, in their order, encoded again (only those: nothing else rides along). */
function forwardedQuery(query: Form): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (AUTHORIZE_PARAMS.includes(name) && typeof value === 'string') params.set(name, value);
  }
  return params.toString();
}

const isHttps = (request: FastifyRequest) => request.protocol === 'https';

/** The extra CSP sources a page needs: its logo's origin, and where its sign-in ends (form-action follows redirects). */
interface PageSecurity {
  nonce: string;
  imageSources: Set<string>;
  formTargets: Set<string>;
}

/** A CSP source for a URL: its origin, or its scheme for an app's own scheme (myapp://callback). */
function sourceOfUrl(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

export async function managedLoginRoutes(fastify: FastifyInstance) {
  const app = fastify;
  const { services } = app;
  const security = new WeakMap<FastifyRequest, PageSecurity>();

  // The secret sits in an HttpOnly cookie, the token in each form (double submit, signed by @fastify/csrf).
  await app.register(csrfProtection, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true },
    getToken: (request) => text(request.body as Form | undefined, '_csrf'),
  });

  // The pages need no client secret, as Cognito's hosted UI: the code they lead to is only
  // redeemed with it at /oauth2/token (docs/web-sign-in.md, "Managed login pages").
  app.addHook('preValidation', (_request, _reply, done) =>
    services.pools.clientSecrets.enter({ kind: 'managed-login', member: 'the managed login pages' }, done),
  );

  app.addHook('onRequest', async (request) => {
    security.set(request, {
      nonce: randomBytes(16).toString('base64'),
      imageSources: new Set(),
      formTargets: new Set(),
    });
  });

  // Security headers of every page (the app's helmet sets the rest): styles by nonce only, no
  // script at all, no framing, no caching (pages carry CSRF tokens and challenge sessions).
  app.addHook('onSend', async (request, reply) => {
    const page = security.get(request);
    if (!page) return;
    const directives = [
      "default-src 'none'",
      `style-src 'nonce-${page.nonce}'`,
      `img-src 'self' data: ${[...page.imageSources].join(' ')}`.trim(),
      `form-action 'self' ${[...page.formTargets].join(' ')}`.trim(),
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ];
    reply.header('content-security-policy', directives.join('; '));
    reply.header('x-frame-options', 'DENY');
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
    reply.header('referrer-policy', 'no-referrer');
  });

  function send(
    request: FastifyRequest,
    reply: FastifyReply,
    page: Page,
    status = 200,
    branding?: PageBranding | null,
  ) {
    const sec = security.get(request)!;
    const csrfToken = reply.generateCsrf({ secure: isHttps(request) });
    const html = renderPage(page, {
      texts: textsFor(page.lang),
      nonce: sec.nonce,
      csrfToken,
      branding: branding ?? null,
    });
    return reply.code(status).type('text/html; charset=utf-8').send(html);
  }

  function languageOf(request: FastifyRequest) {
    const lang = queryOf(request).lang;
    const accept = request.headers['accept-language'];
    return pickLanguage(typeof lang === 'string' ? lang : undefined, typeof accept === 'string' ? accept : undefined);
  }

  /**
   * The error page (never a redirect). `back`: a link to sign-in with the same authorization
   * request, for errors of a step (an expired form, too many tries), not of the request itself.
   */
  function sendError(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    message: (t: Texts) => string,
    back = false,
  ) {
    const lang = languageOf(request);
    const texts = textsFor(lang);
    const query = forwardedQuery(queryOf(request));
    const link = back && typeof queryOf(request).client_id === 'string' ? `/login?${query}` : undefined;
    return send(request, reply, errorPage(lang, texts, message(texts), link), status);
  }

  app.setErrorHandler(async (error: unknown, request, reply) => {
    if (error instanceof OAuthError) {
      // Only an error the service lets go to the redirect URI (the client and redirect URI are checked) goes there.
      const to = error.redirectUrl();
      if (to) return reply.redirect(to, 302);
      const message =
        error.error === 'redirect_mismatch'
          ? 'errBadRedirect'
          : error.error === 'unauthorized_client' || error.description.includes('client')
            ? 'errBadClient'
            : 'errBadRequest';
      return sendError(request, reply, 400, (t) => `${t(message)} (${error.description})`);
    }
    const code = (error as { code?: string }).code;
    if (code === 'FST_CSRF_MISSING_SECRET' || code === 'FST_CSRF_INVALID_TOKEN')
      return sendError(request, reply, 403, (t) => t('errCsrf'), true);
    if (error instanceof CognitoError && (error.name === 'TooManyRequestsException' || error.status === 429))
      return sendError(request, reply, 429, (t) => t('errTooMany'), true);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return sendError(request, reply, status, (t) => t('errBadRequest'));
    request.log.error({ err: error }, 'managed login page failed');
    return sendError(request, reply, 500, (t) => t('errGeneric'));
  });

  interface Context {
    ctx: PageContext;
    authorize: AuthorizeRequest;
    branding: PageBranding | null;
  }

  /** The checked authorization request, its pool and client, the page language and the pool's branding. */
  async function contextOf(request: FastifyRequest): Promise<Context> {
    const query = queryOf(request);
    const authorize = await services.oauth.checkAuthorizeRequest(query, request.host);
    const { pool, client } = await services.pools.clientWithPool(authorize.clientId);
    // Only the sign-in page (its provider buttons) serves a client without COGNITO (docs/federation.md, "Signing in").
    const providerButtonsOnly = request.method === 'GET' && request.routeOptions.url === '/login';
    if (!client.oauth.identityProviders.includes(COGNITO_PROVIDER) && !providerButtonsOnly)
      throw new OAuthError('unauthorized_client', 'The client does not support the pool’s own users (COGNITO).');
    const lang = languageOf(request);
    const branding = await brandingOf(pool.id, client.id);
    const sec = security.get(request)!;
    const target = sourceOfUrl(authorize.redirectUri);
    if (target) sec.formTargets.add(target);
    const logo = branding?.imageUrl ? sourceOfUrl(branding.imageUrl) : undefined;
    // The logo is served by Cognate at its public URL, which may not be the origin the page was asked at.
    if (logo?.startsWith('https://') || logo?.startsWith('http://')) sec.imageSources.add(logo);
    return { ctx: { lang, texts: textsFor(lang), query: forwardedQuery(query), pool, client }, authorize, branding };
  }

  /** The pool's SetUICustomization for this client (or for ALL its clients), as the pages apply it. */
  async function brandingOf(poolId: string, clientId: string): Promise<PageBranding | null> {
    const found = await services.branding.forClient(poolId, clientId);
    return found.css === null && found.imageUrl === null ? null : found;
  }

  const limited = (kind: LimitKind) =>
    app.rateLimited(kind, (request) => {
      const body = (request.body ?? {}) as Form;
      const clientId = text(queryOf(request), 'client_id');
      return restTargets(kind, {
        clientId,
        username: text(body, 'username'),
        userAttributes: { email: text(body, 'email'), phone_number: text(body, 'phone_number') },
      });
    });
  const post = { schema: { hide: true }, preValidation: app.csrfProtection };
  const get = { schema: { hide: true } };

  /** A Cognito error the pages show to the user, in their language, on the field it is about where there is one. */
  function problemsOf(texts: Texts, error: unknown, hidden: boolean): Problems {
    if (!(error instanceof CognitoError)) throw error;
    switch (error.name) {
      case 'NotAuthorizedException':
        if (error.status === 403 && /disabled/i.test(error.message)) return { page: [texts('errDisabled')] };
        if (/session/i.test(error.message)) return { page: [texts('errSession')] };
        // The lockout (sign-in-lockout.ts): told alike for known and unknown names, as on the API.
        if (/attempts exceeded/i.test(error.message)) return { page: [texts('errTooMany')] };
        return { page: [texts('errCredentials')] };
      case 'UserNotFoundException':
        return hidden ? { page: [texts('errCredentials')] } : { fields: { username: texts('errUserNotFound') } };
      case 'UsernameExistsException':
        return { fields: { username: texts('errUsernameTaken') } };
      case 'InvalidPasswordException':
        return { fields: { password: texts('errPassword', { detail: error.message.replace(/^.*?:\s*/, '') }) } };
      case 'CodeMismatchException':
        return { fields: { code: texts('errCode') } };
      case 'ExpiredCodeException':
        return { fields: { code: texts('errCodeExpired') } };
      case 'TooManyRequestsException':
      case 'LimitExceededException':
      case 'TooManyFailedAttemptsException':
        return { page: [texts('errTooMany')] };
      case 'CodeDeliveryFailureException':
        return { page: [texts('errDelivery')] };
      case 'InvalidParameterException':
        return { page: [texts('errInvalid', { detail: error.message })] };
      case 'UserLambdaValidationException':
        return { page: [texts('errRefused', { detail: error.message })] };
      default:
        return { page: [texts('errGeneric')] };
    }
  }

  /**
   * The end of a sign-in on the pages: the login session, its cookie, and back to
   * /oauth2/authorize with the original query, which issues the code (or tokens).
   * The sign-in services end every path in tokens (sign-in-finish.ts); the pages need only the
   * user, so the session those tokens began is revoked at once (docs/web-sign-in.md, "Managed login pages").
   */
  async function signedIn(request: FastifyRequest, reply: FastifyReply, c: Context, tokens: TokenSet) {
    const payload = JSON.parse(Buffer.from(tokens.idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    if (typeof payload.sub !== 'string') throw new Error('the ID token has no sub');
    if (tokens.refreshToken) await services.sessions.revokeRefreshToken(c.ctx.client.id, tokens.refreshToken);
    const session = await services.loginSessions.start(c.ctx.pool.id, payload.sub);
    reply.setCookie(LOGIN_SESSION_COOKIE, session, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: isHttps(request),
      maxAge: LOGIN_SESSION_SECONDS,
    });
    return reply.redirect(`/oauth2/authorize?${c.ctx.query}`, 302);
  }

  /** What follows a step of a sign-in: the cookie and redirect, or the next challenge's page. */
  async function next(
    request: FastifyRequest,
    reply: FastifyReply,
    c: Context,
    username: string,
    result: TokenSet | StepChallenge | NewPasswordChallenge,
  ) {
    if (!('challengeName' in result)) return signedIn(request, reply, c, result);
    const { ctx } = c;
    switch (result.challengeName) {
      case 'NEW_PASSWORD_REQUIRED':
        return send(
          request,
          reply,
          newPasswordPage(ctx, {
            session: result.session,
            username,
            requiredAttributes: result.challengeParameters.requiredAttributes,
          }),
          200,
          c.branding,
        );
      case 'SMS_MFA':
      case 'EMAIL_OTP':
      case 'SOFTWARE_TOKEN_MFA':
        return send(
          request,
          reply,
          mfaCodePage(ctx, {
            challengeName: result.challengeName,
            session: result.session!,
            username,
            ...(result.challengeParameters.CODE_DELIVERY_DESTINATION !== undefined && {
              destination: result.challengeParameters.CODE_DELIVERY_DESTINATION,
            }),
          }),
          200,
          c.branding,
        );
      case 'SELECT_MFA_TYPE':
        return send(
          request,
          reply,
          selectMfaPage(ctx, {
            session: result.session!,
            username,
            choices: JSON.parse(result.challengeParameters.MFAS_CAN_CHOOSE ?? '[]') as string[],
          }),
          200,
          c.branding,
        );
      case 'MFA_SETUP': {
        const choices = JSON.parse(result.challengeParameters.MFAS_CAN_SETUP ?? '[]') as string[];
        if (!choices.includes('SOFTWARE_TOKEN_MFA'))
          return send(
            request,
            reply,
            errorPage(ctx.lang, ctx.texts, ctx.texts('mfaSetupUnavailable')),
            400,
            c.branding,
          );
        const { secretCode, session } = await services.mfa.associateSoftwareToken({ session: result.session! });
        return send(request, reply, mfaSetupPage(ctx, { session: session!, username, secretCode }), 200, c.branding);
      }
      default:
        // Remembered devices and passwordless steps are not offered on the pages (docs/web-sign-in.md).
        return send(request, reply, errorPage(ctx.lang, ctx.texts, ctx.texts('errGeneric')), 400, c.branding);
    }
  }

  // ---- Sign-in ---------------------------------------------------------------------------------

  app.get('/login', get, async (request, reply) => {
    const c = await contextOf(request);
    return send(request, reply, signInPage(c.ctx), 200, c.branding);
  });

  app.post('/login', { ...post, preHandler: limited('signIn') }, async (request, reply) => {
    const c = await contextOf(request);
    const body = request.body as Form;
    const username = text(body, 'username');
    const password = text(body, 'password');
    const { ctx } = c;
    const missing: Record<string, string> = {};
    if (!username) missing.username = ctx.texts('errRequired');
    if (!password) missing.password = ctx.texts('errRequired');
    if (Object.keys(missing).length > 0)
      return send(request, reply, signInPage(ctx, { username, problems: { fields: missing } }), 400, c.branding);
    let result;
    try {
      result = await onManagedLoginPages(() =>
        services.signIn.signIn({
          clientId: ctx.client.id,
          username,
          password,
          source: sourceOf(request),
          flow: 'MANAGED_LOGIN',
        }),
      );
    } catch (error) {
      if (error instanceof CognitoError && error.name === 'UserNotConfirmedException') {
        // Only after the password is proven: this tells nothing to someone who does not know it.
        return send(request, reply, confirmPage(ctx, { username, notice: ctx.texts('notConfirmed') }), 200, c.branding);
      }
      if (error instanceof CognitoError && error.name === 'PasswordResetRequiredException') {
        return send(
          request,
          reply,
          forgotPasswordPage(ctx, { username, problems: { page: [ctx.texts('resetRequired')] } }),
          200,
          c.branding,
        );
      }
      const problems = problemsOf(ctx.texts, error, ctx.client.preventUserExistenceErrors);
      const status = error instanceof CognitoError ? error.status : 400;
      return send(request, reply, signInPage(ctx, { username, problems }), status, c.branding);
    }
    return next(request, reply, c, username, result);
  });

  /**
   * One answer to a sign-in challenge: the service's step within the pages' scope, then the next
   * page. A refused answer shows `retry` again (a wrong code leaves the session for another try,
   * up to the pool's limit), or sign-in when the session is spent or there is nothing to retry.
   */
  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    c: Context,
    username: string,
    step: () => Promise<TokenSet | StepChallenge | NewPasswordChallenge>,
    retry?: (problems: Problems) => Page,
  ) {
    try {
      return await next(request, reply, c, username, await onManagedLoginPages(step));
    } catch (error) {
      const { ctx } = c;
      const problems = problemsOf(ctx.texts, error, ctx.client.preventUserExistenceErrors);
      const spent = problems.page?.includes(ctx.texts('errSession')) === true;
      const page = retry && !spent ? retry(problems) : signInPage(ctx, { username, problems });
      return send(request, reply, page, 400, c.branding);
    }
  }

  app.post('/login/new-password', { ...post, preHandler: limited('signIn') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const body = request.body as Form;
    const session = text(body, 'session');
    const username = text(body, 'username');
    const required = ctx.pool.attributeSettings.schema.filter(
      (d) => d.required && d.name !== 'sub' && typeof body[d.name] === 'string',
    );
    const userAttributes = Object.fromEntries(
      required.map((d) => [d.name, text(body, d.name)]).filter(([, v]) => v !== ''),
    ) as Record<string, string>;
    const page = (problems: Problems) =>
      newPasswordPage(ctx, {
        session,
        username,
        requiredAttributes: required.map((d) => d.name),
        values: userAttributes,
        problems,
      });
    const password = text(body, 'password');
    if (!password)
      return send(request, reply, page({ fields: { password: ctx.texts('errRequired') } }), 400, c.branding);
    const step = () =>
      services.signIn.respondToNewPasswordChallenge({
        clientId: ctx.client.id,
        session,
        newPassword: password,
        userAttributes,
        source: sourceOf(request),
      });
    return answer(request, reply, c, username, step, page);
  });

  app.post('/login/mfa', { ...post, preHandler: limited('signIn') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const body = request.body as Form;
    const session = text(body, 'session');
    const username = text(body, 'username');
    const challenge = text(body, 'challenge');
    const challengeName =
      challenge === 'SMS_MFA' || challenge === 'EMAIL_OTP' ? challenge : ('SOFTWARE_TOKEN_MFA' as const);
    const code = text(body, 'code').trim();
    const page = (problems: Problems) => mfaCodePage(ctx, { challengeName, session, username, problems });
    if (!code) return send(request, reply, page({ fields: { code: ctx.texts('errRequired') } }), 400, c.branding);
    const step = () =>
      services.mfa.respond({ clientId: ctx.client.id, challengeName, session, code, source: sourceOf(request) });
    return answer(request, reply, c, username, step, page);
  });

  app.post('/login/select-mfa', { ...post, preHandler: limited('signIn') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const body = request.body as Form;
    const username = text(body, 'username');
    const step = () =>
      services.mfa.respond({
        clientId: ctx.client.id,
        challengeName: 'SELECT_MFA_TYPE',
        session: text(body, 'session'),
        answer: text(body, 'answer'),
        source: sourceOf(request),
      });
    return answer(request, reply, c, username, step);
  });

  app.post('/login/mfa-setup', { ...post, preHandler: limited('signIn') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const body = request.body as Form;
    const username = text(body, 'username');
    const code = text(body, 'code').trim();
    try {
      const verified = await services.mfa.verifySoftwareToken(
        { session: text(body, 'session') },
        { userCode: code, source: sourceOf(request) },
      );
      const result = await onManagedLoginPages(() =>
        services.mfa.respond({
          clientId: ctx.client.id,
          challengeName: 'MFA_SETUP',
          session: verified.session!,
          source: sourceOf(request),
        }),
      );
      return await next(request, reply, c, username, result);
    } catch (error) {
      // A wrong first code: the same session may try again with the same key (it was restored).
      if (error instanceof CognitoError && error.name === 'EnableSoftwareTokenMFAException') {
        const secretCode = text(body, 'secret');
        if (secretCode) {
          return send(
            request,
            reply,
            mfaSetupPage(ctx, {
              session: text(body, 'session'),
              username,
              secretCode,
              problems: { fields: { code: ctx.texts('errCode') } },
            }),
            400,
            c.branding,
          );
        }
      }
      const problems =
        error instanceof CognitoError && error.name === 'EnableSoftwareTokenMFAException'
          ? { page: [ctx.texts('errCode')] }
          : problemsOf(ctx.texts, error, ctx.client.preventUserExistenceErrors);
      return send(request, reply, signInPage(ctx, { username, problems }), 400, c.branding);
    }
  });

  // ---- Sign-up and its confirmation ------------------------------------------------------------

  app.get('/signup', get, async (request, reply) => {
    const c = await contextOf(request);
    return send(request, reply, signUpPage(c.ctx), 200, c.branding);
  });

  app.post('/signup', { ...post, preHandler: limited('signUp') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const body = request.body as Form;
    const username = text(body, 'username');
    const password = text(body, 'password');
    const attributes = signUpAttributes(ctx.pool, ctx.client);
    const values: Record<string, string> = { username };
    for (const d of attributes) values[d.name] = text(body, d.name).trim();
    const missing: Record<string, string> = {};
    if (!username) missing.username = ctx.texts('errRequired');
    if (!password) missing.password = ctx.texts('errRequired');
    for (const d of attributes) if (d.required && !values[d.name]) missing[d.name] = ctx.texts('errRequired');
    if (Object.keys(missing).length > 0)
      return send(request, reply, signUpPage(ctx, { values, problems: { fields: missing } }), 400, c.branding);
    const userAttributes = Object.fromEntries(
      attributes.filter((d) => values[d.name]).map((d) => [d.name, values[d.name]!]),
    );
    try {
      const result = await services.registration.signUp({
        clientId: ctx.client.id,
        username,
        password,
        userAttributes,
      });
      if (result.userConfirmed)
        return send(request, reply, signInPage(ctx, { username, notice: ctx.texts('confirmed') }), 200, c.branding);
      const delivery = result.codeDeliveryDetails;
      return send(
        request,
        reply,
        confirmPage(ctx, {
          username,
          ...(delivery && { delivery: { medium: delivery.deliveryMedium, destination: delivery.destination } }),
        }),
        200,
        c.branding,
      );
    } catch (error) {
      const problems = problemsOf(ctx.texts, error, false);
      const status = error instanceof CognitoError ? error.status : 400;
      return send(request, reply, signUpPage(ctx, { values, problems }), status, c.branding);
    }
  });

  // /confirm is Cognito's code page after sign-up; /confirmUser the link a confirmation mail may carry.
  for (const path of ['/confirm', '/confirmUser']) {
    app.get(path, get, async (request, reply) => {
      const c = await contextOf(request);
      const query = queryOf(request);
      const username = text(query, 'username') || text(query, 'user_name');
      const code = text(query, 'confirmation_code');
      return send(request, reply, confirmPage(c.ctx, { username, ...(code && { code }) }), 200, c.branding);
    });
  }

  app.post('/confirm', { ...post, preHandler: limited('codeCheck') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const body = request.body as Form;
    const username = text(body, 'username');
    const code = text(body, 'code').trim();
    const missing: Record<string, string> = {};
    if (!username) missing.username = ctx.texts('errRequired');
    if (!code) missing.code = ctx.texts('errRequired');
    if (Object.keys(missing).length > 0)
      return send(request, reply, confirmPage(ctx, { username, problems: { fields: missing } }), 400, c.branding);
    try {
      await services.registration.confirmSignUp({ clientId: ctx.client.id, username, confirmationCode: code });
    } catch (error) {
      const problems = problemsOf(ctx.texts, error, ctx.client.preventUserExistenceErrors);
      const status = error instanceof CognitoError ? error.status : 400;
      return send(request, reply, confirmPage(ctx, { username, problems }), status, c.branding);
    }
    // The pages do not keep the password through sign-up: the user signs in once more (docs/web-sign-in.md).
    return send(request, reply, signInPage(ctx, { username, notice: ctx.texts('confirmed') }), 200, c.branding);
  });

  app.post('/resendcode', { ...post, preHandler: limited('codeSend') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const username = text(request.body as Form, 'username');
    try {
      const result = await services.registration.resendConfirmationCode({ clientId: ctx.client.id, username });
      const delivery = result.codeDeliveryDetails;
      return send(
        request,
        reply,
        confirmPage(ctx, {
          username,
          notice: ctx.texts('resent'),
          ...(delivery && { delivery: { medium: delivery.deliveryMedium, destination: delivery.destination } }),
        }),
        200,
        c.branding,
      );
    } catch (error) {
      const problems = problemsOf(ctx.texts, error, ctx.client.preventUserExistenceErrors);
      const status = error instanceof CognitoError ? error.status : 400;
      return send(request, reply, confirmPage(ctx, { username, problems }), status, c.branding);
    }
  });

  // ---- Forgotten password -----------------------------------------------------------------------

  app.get('/forgotPassword', get, async (request, reply) => {
    const c = await contextOf(request);
    return send(request, reply, forgotPasswordPage(c.ctx), 200, c.branding);
  });

  app.post('/forgotPassword', { ...post, preHandler: limited('codeSend') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const username = text(request.body as Form, 'username');
    if (!username)
      return send(
        request,
        reply,
        forgotPasswordPage(ctx, { problems: { fields: { username: ctx.texts('errRequired') } } }),
        400,
        c.branding,
      );
    try {
      const result = await services.recovery.forgotPassword({ clientId: ctx.client.id, username });
      const delivery = result.codeDeliveryDetails;
      return send(
        request,
        reply,
        confirmForgotPasswordPage(ctx, {
          username,
          ...(delivery && { delivery: { medium: delivery.deliveryMedium, destination: delivery.destination } }),
        }),
        200,
        c.branding,
      );
    } catch (error) {
      const problems = problemsOf(ctx.texts, error, ctx.client.preventUserExistenceErrors);
      const status = error instanceof CognitoError ? error.status : 400;
      return send(request, reply, forgotPasswordPage(ctx, { username, problems }), status, c.branding);
    }
  });

  app.get('/confirmForgotPassword', get, async (request, reply) => {
    const c = await contextOf(request);
    const username = text(queryOf(request), 'username');
    return send(request, reply, confirmForgotPasswordPage(c.ctx, { username }), 200, c.branding);
  });

  app.post('/confirmForgotPassword', { ...post, preHandler: limited('codeCheck') }, async (request, reply) => {
    const c = await contextOf(request);
    const { ctx } = c;
    const body = request.body as Form;
    const username = text(body, 'username');
    const code = text(body, 'code').trim();
    const password = text(body, 'password');
    const missing: Record<string, string> = {};
    if (!username) missing.username = ctx.texts('errRequired');
    if (!code) missing.code = ctx.texts('errRequired');
    if (!password) missing.password = ctx.texts('errRequired');
    if (Object.keys(missing).length > 0)
      return send(
        request,
        reply,
        confirmForgotPasswordPage(ctx, { username, problems: { fields: missing } }),
        400,
        c.branding,
      );
    try {
      await services.recovery.confirmForgotPassword({
        clientId: ctx.client.id,
        username,
        confirmationCode: code,
        password,
      });
    } catch (error) {
      const problems = problemsOf(ctx.texts, error, ctx.client.preventUserExistenceErrors);
      const status = error instanceof CognitoError ? error.status : 400;
      return send(request, reply, confirmForgotPasswordPage(ctx, { username, problems }), status, c.branding);
    }
    return send(request, reply, signInPage(ctx, { username, notice: ctx.texts('resetDone') }), 200, c.branding);
  });

  // ---- The error page ---------------------------------------------------------------------------

  app.get('/error', get, async (request, reply) => sendError(request, reply, 400, (t) => t('errBadRequest')));
}
