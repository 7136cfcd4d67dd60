import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small web app that signs its users in with Cognate's OAuth 2.0 endpoints, as an app that used
 * Cognito's hosted UI would (docs/web-sign-in.md): its server starts the authorization-code flow
 * with PKCE (S256), state and nonce, exchanges the code at /oauth2/token on its callback, calls
 * /oauth2/userInfo, refreshes on demand, and signs out through /logout. Its pages show what came
 * back, by element id, for a browser test to read. It listens on http://localhost:<port>
 * (Cognito lets http callback URLs name localhost only).
 */
export interface OAuthTestApp {
  /** http://localhost:<port> */
  url: string;
  callbackUrl: string;
  logoutUrl: string;
  /** Every call the app made to Cognate, in order: what it sent and what came back. */
  calls: { endpoint: 'token' | 'userInfo'; grant?: string; status: number; body: any }[];
  /** The app client it signs in with: set once the client (which lists this app's URLs) exists. */
  clientId: string;
  /** Runs on the callback before the code is exchanged (a test ages the code here). */
  beforeExchange: (() => Promise<void>) | undefined;
  close(): Promise<void>;
}

export interface OAuthTestAppOptions {
  /** Cognate's base URL (its "domain"), e.g. http://127.0.0.1:1234. */
  cognate: string;
  clientId?: string;
  scope?: string;
}

interface Pending {
  verifier: string;
  nonce: string;
  clientId: string;
}

interface AppSession {
  clientId: string;
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const claims = (jwt: string | undefined) =>
  jwt
    ? (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>)
    : {};

function page(title: string, body: string) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;word-break:break-all}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

export async function startOAuthTestApp(options: OAuthTestAppOptions): Promise<OAuthTestApp> {
  const { cognate } = options;
  const scope = options.scope ?? 'openid email profile';
  const pending = new Map<string, Pending>();
  const sessions = new Map<string, AppSession>();
  const calls: OAuthTestApp['calls'] = [];
  let url = '';
  const self: Pick<OAuthTestApp, 'clientId' | 'beforeExchange'> = {
    clientId: options.clientId ?? '',
    beforeExchange: undefined,
  };

  async function token(clientId: string, form: Record<string, string>) {
    const response = await fetch(`${cognate}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, ...form }).toString(),
    });
    const body = await response.json().catch(() => undefined);
    calls.push({ endpoint: 'token', grant: form.grant_type, status: response.status, body });
    return { status: response.status, body };
  }

  async function userInfo(accessToken: string) {
    const response = await fetch(`${cognate}/oauth2/userInfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    const body = await response.json().catch(() => undefined);
    calls.push({ endpoint: 'userInfo', status: response.status, body });
    return { status: response.status, body };
  }

  const signOutHref = (clientId: string) =>
    `${cognate}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: `${url}/signed-out` }).toString()}`;

  function signedInPage(session: AppSession, info: unknown, heading: string, extra = '') {
    return page(
      heading,
      `${extra}
<p>Signed in as <strong id="username">${escape(String(claims(session.accessToken).username ?? ''))}</strong>.</p>
<h2>ID token</h2><pre id="id-token">${escape(JSON.stringify(claims(session.idToken), null, 1))}</pre>
<h2>Access token</h2><pre id="access-token">${escape(JSON.stringify(claims(session.accessToken), null, 1))}</pre>
<h2>userInfo</h2><pre id="userinfo">${escape(JSON.stringify(info, null, 1))}</pre>
<form method="post" action="/refresh"><button id="refresh" type="submit">Refresh tokens</button></form>
<p><a id="sign-out" href="${escape(signOutHref(session.clientId))}">Sign out</a></p>`,
    );
  }

  async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const at = new URL(request.url ?? '/', url);
    const cookie = /(?:^|;\s*)app-session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    const html = (status: number, text: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      response.end(text);
    };

    if (request.method === 'GET' && at.pathname === '/') {
      return html(200, page('Test app', '<p><a id="sign-in" href="/start">Sign in with Cognate</a></p>'));
    }
    if (request.method === 'GET' && at.pathname === '/start') {
      // ?client_id= and ?redirect_uri= let a test start the flow for another client or a wrong address.
      // RFC 7636: a random verifier, its SHA-256 as the challenge; state against CSRF, nonce against replay.
      const verifier = b64url(randomBytes(32));
      const state = b64url(randomBytes(16));
      const nonce = b64url(randomBytes(16));
      const clientId = at.searchParams.get('client_id') ?? self.clientId;
      pending.set(state, { verifier, nonce, clientId });
      const authorize = new URL('/oauth2/authorize', cognate);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: at.searchParams.get('redirect_uri') ?? `${url}/callback`,
        scope,
        state,
        nonce,
        code_challenge: b64url(createHash('sha256').update(verifier).digest()),
        code_challenge_method: 'S256',
      }).toString();
      response.writeHead(302, { location: authorize.toString() });
      return response.end();
    }
    if (request.method === 'GET' && at.pathname === '/callback') {
      const error = at.searchParams.get('error');
      const state = at.searchParams.get('state') ?? '';
      if (error) {
        return html(
          400,
          page(
            'Sign-in failed',
            `<p id="error">${escape(error)}</p><p id="error-description">${escape(at.searchParams.get('error_description') ?? '')}</p><p id="state">${escape(state)}</p>`,
          ),
        );
      }
      // Kept after use on purpose: reloading the callback replays the code, and Cognate must refuse it.
      const flow = pending.get(state);
      if (!flow) return html(400, page('Sign-in failed', '<p id="error">unknown state</p>'));
      const code = at.searchParams.get('code') ?? '';
      await self.beforeExchange?.();
      const exchanged = await token(flow.clientId, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: `${url}/callback`,
        code_verifier: flow.verifier,
      });
      if (exchanged.status !== 200) {
        return html(
          400,
          page(
            'Sign-in failed',
            `<p id="error">${escape(String(exchanged.body?.error))}</p><p id="error-description">${escape(String(exchanged.body?.error_description ?? ''))}</p>`,
          ),
        );
      }
      const session: AppSession = {
        clientId: flow.clientId,
        accessToken: exchanged.body.access_token,
        idToken: exchanged.body.id_token,
        refreshToken: exchanged.body.refresh_token,
      };
      const nonceOk = claims(session.idToken).nonce === flow.nonce;
      const info = await userInfo(session.accessToken);
      const id = b64url(randomBytes(16));
      sessions.set(id, session);
      return html(
        200,
        signedInPage(
          session,
          info.body,
          'Signed in',
          `<p id="nonce">${nonceOk ? 'nonce matches' : 'NONCE MISMATCH'}</p>`,
        ),
        { 'set-cookie': `app-session=${id}; Path=/; HttpOnly; SameSite=Lax` },
      );
    }
    if (request.method === 'POST' && at.pathname === '/refresh') {
      const session = cookie ? sessions.get(cookie) : undefined;
      if (!session?.refreshToken) return html(400, page('Not signed in', '<p id="error">no session</p>'));
      const refreshed = await token(session.clientId, {
        grant_type: 'refresh_token',
        refresh_token: session.refreshToken,
      });
      if (refreshed.status !== 200)
        return html(400, page('Refresh failed', `<p id="error">${escape(String(refreshed.body?.error))}</p>`));
      session.accessToken = refreshed.body.access_token;
      session.idToken = refreshed.body.id_token ?? session.idToken;
      const info = await userInfo(session.accessToken);
      return html(200, signedInPage(session, info.body, 'Tokens refreshed'));
    }
    if (request.method === 'GET' && at.pathname === '/signed-out') {
      if (cookie) sessions.delete(cookie);
      return html(
        200,
        page(
          'Signed out',
          '<p id="signed-out">You are signed out.</p><p><a id="sign-in" href="/start">Sign in again</a></p>',
        ),
        { 'set-cookie': 'app-session=; Path=/; Max-Age=0' },
      );
    }
    html(404, page('Not found', ''));
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`test app failed: ${error.stack ?? error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return Object.assign(self, {
    url,
    callbackUrl: `${url}/callback`,
    logoutUrl: `${url}/signed-out`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
