/**
 * Unmodified Amplify v6 in Chromium against Cognate's hosted sign-in (docs/web-sign-in.md, "Testing
 * your app against Cognate in a browser"): a page bundled with esbuild configures
 * `loginWith.oauth` with Cognate's host and port as the domain, `signInWithRedirect()` goes through
 * the managed login page, and after the redirect back `fetchAuthSession()` holds the tokens;
 * `signOut()` goes through /logout and back. Amplify insists on https for its domain, so Cognate
 * serves TLS with a certificate the test makes (test/support/tls.ts) and the browser is told to
 * accept it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { LOGIN_SESSION_COOKIE } from '../../src/modules/tokens/login-sessions.ts';
import { PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { makeTestCertificate, type TestCertificate } from '../support/tls.ts';
import { uniqueEmail } from '../support/user-flows.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The app's script: Amplify configured from the page, a button that signs in, the session shown. */
const PAGE_SCRIPT = `
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, getCurrentUser, signInWithRedirect, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import 'aws-amplify/auth/enable-oauth-listener';

const out = (id, value) => { document.getElementById(id).textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 1); };
Amplify.configure({ Auth: { Cognito: window.COGNATE } });
Hub.listen('auth', ({ payload }) => {
  document.getElementById('events').textContent += payload.event + ' ';
  if (payload.event === 'signInWithRedirect_failure') out('error', String(payload.data && payload.data.error && payload.data.error.message));
  if (payload.event === 'signInWithRedirect') void show();
});
async function show() {
  try {
    const session = await fetchAuthSession();
    if (!session.tokens) return out('status', 'signed out');
    const user = await getCurrentUser();
    out('tokens', { id: session.tokens.idToken.payload, access: session.tokens.accessToken.payload, username: user.username });
    out('status', 'signed in');
  } catch (error) {
    out('error', error.name + ': ' + error.message);
  }
}
document.getElementById('sign-in').addEventListener('click', () => signInWithRedirect().catch((e) => out('error', e.name + ': ' + e.message)));
document.getElementById('sign-out').addEventListener('click', () => signOut().catch((e) => out('error', e.name + ': ' + e.message)));
if (!location.search.includes('code=')) void show();
`;

let cert: TestCertificate;
let t: TestApp;
let browser: TestBrowser;
let appServer: http.Server;
let appUrl: string;
let cognate: string;
let email: string;

before(async () => {
  cert = makeTestCertificate();
  const [app, launched, bundle] = await Promise.all([
    startTestApp({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile }),
    launchBrowser(),
    build({
      stdin: { contents: PAGE_SCRIPT, resolveDir: root, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    }),
  ]);
  t = app;
  browser = launched;
  const listening = await t.app.listen({ port: 0, host: '127.0.0.1' });
  assert.match(listening, /^https:/);
  // The name on the certificate; Amplify's domain is host and port, with https implied.
  cognate = `localhost:${new URL(listening).port}`;
  const script = bundle.outputFiles[0]!.text;

  appServer = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(script);
    }
    if (path !== '/') {
      response.writeHead(404);
      return response.end();
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Amplify app</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}pre{white-space:pre-wrap;word-break:break-all}</style></head><body>
<h1>Amplify app</h1>
<p><button id="sign-in">Sign in</button> <button id="sign-out">Sign out</button></p>
<p>Status: <span id="status">…</span> Events: <span id="events"></span></p>
<p id="error"></p><pre id="tokens"></pre>
<script>window.COGNATE = ${JSON.stringify(amplifyConfig)};</script>
<script type="module" src="/app.js"></script></body></html>`);
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  appUrl = `http://localhost:${(appServer.address() as AddressInfo).port}`;

  const pool = await t.admin('POST', '/v1/pools', {
    name: 'amplify-web',
    usernameAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
  });
  assert.equal(pool.status, 201, JSON.stringify(pool.body));
  const client = await t.admin('POST', `/v1/pools/${pool.body.id}/clients`, {
    name: 'amplify',
    // Amplify's browser code calls the token endpoint (and RevokeToken) from the app's origin.
    allowedOrigins: [appUrl],
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      callbackUrls: [`${appUrl}/`],
      logoutUrls: [`${appUrl}/`],
      identityProviders: ['COGNITO'],
    },
  });
  assert.equal(client.status, 201, JSON.stringify(client.body));
  amplifyConfig.userPoolId = pool.body.id;
  amplifyConfig.userPoolClientId = client.body.clientId;
  amplifyConfig.userPoolEndpoint = `https://${cognate}`;
  amplifyConfig.loginWith.oauth.domain = cognate;
  amplifyConfig.loginWith.oauth.redirectSignIn = [`${appUrl}/`];
  amplifyConfig.loginWith.oauth.redirectSignOut = [`${appUrl}/`];

  email = uniqueEmail('amplify-web');
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId: client.body.clientId,
    username: email,
    password: PASSWORD,
    userAttributes: { email },
  });
  assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId: client.body.clientId,
    username: email,
    confirmationCode: await t.smtp.codeFor(email),
  });
  assert.equal(confirmed.status, 200);
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (appServer ? appServer.close(resolve) : resolve(undefined)));
  await t?.close();
  cert?.remove();
});

/** Amplify's Auth.Cognito configuration, filled in once the pool, client and servers exist. */
const amplifyConfig = {
  userPoolId: '',
  userPoolClientId: '',
  userPoolEndpoint: '',
  loginWith: {
    oauth: {
      domain: '',
      scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      redirectSignIn: [] as string[],
      redirectSignOut: [] as string[],
      responseType: 'code' as const,
    },
  },
};

describe('Amplify v6 signInWithRedirect against Cognate over https', () => {
  it('signInWithRedirect → the managed sign-in page → back to the app; fetchAuthSession has the tokens; signOut ends the login session', async () => {
    const tp = await browser.open('amplify sign in with redirect', { ignoreHTTPSErrors: true });
    const { page } = tp;
    try {
      await page.goto(`${appUrl}/`);
      await page.locator('#status').filter({ hasText: 'signed out' }).waitFor();
      await tp.shot('amplify app signed out');
      await page.locator('#sign-in').click();
      await page.waitForURL((url) => url.protocol === 'https:' && url.host === cognate && url.pathname === '/login');
      const asked = new URL(page.url()).searchParams;
      assert.equal(asked.get('code_challenge_method'), 'S256');
      assert.equal(asked.get('redirect_uri'), `${appUrl}/`);
      await tp.shot('managed sign-in page over https');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.origin === appUrl);
      await page.locator('#status').filter({ hasText: 'signed in' }).waitFor({ timeout: 15_000 });
      await tp.shot('amplify app signed in');
      // Amplify's own Hub events of a completed redirect sign-in.
      const events = ((await page.locator('#events').textContent()) ?? '').trim().split(' ');
      assert.ok(events.includes('signInWithRedirect') && events.includes('signedIn'), events.join(' '));
      const shown = JSON.parse((await page.locator('#tokens').textContent()) ?? '{}');
      assert.equal(shown.id.email, email);
      assert.equal(shown.id.aud, amplifyConfig.userPoolClientId);
      assert.equal(shown.access.client_id, amplifyConfig.userPoolClientId);
      assert.deepEqual(String(shown.access.scope).split(' ').sort(), [
        'aws.cognito.signin.user.admin',
        'email',
        'openid',
        'profile',
      ]);
      assert.equal(shown.username, shown.access.username);
      // The login session cookie is Secure over https.
      const login = (await tp.context.cookies(`https://${cognate}`)).find((c) => c.name === LOGIN_SESSION_COOKIE);
      assert.ok(login);
      assert.equal(login.secure, true);
      assert.equal(login.httpOnly, true);

      // Amplify keeps the refresh token in localStorage; signOut revokes it (RevokeToken at userPoolEndpoint).
      const refreshToken = await page.evaluate(
        () => Object.entries(localStorage).find(([key]) => key.endsWith('.refreshToken'))?.[1],
      );
      assert.ok(refreshToken);
      const live = await t.call('POST', '/v1/auth/refresh', {
        clientId: amplifyConfig.userPoolClientId,
        refreshToken,
      });
      assert.equal(live.status, 200, JSON.stringify(live.body));

      await page.locator('#sign-out').click();
      await page.waitForURL((url) => url.origin === appUrl && !url.search.includes('code='));
      await page.locator('#status').filter({ hasText: 'signed out' }).waitFor();
      await tp.shot('amplify app signed out again');
      assert.equal(await page.locator('#error').textContent(), '');
      const revoked = await t.call('POST', '/v1/auth/refresh', {
        clientId: amplifyConfig.userPoolClientId,
        refreshToken,
      });
      assert.equal(revoked.status, 401, JSON.stringify(revoked.body));
      assert.equal(revoked.body.code, 'NotAuthorizedException');
      assert.equal(
        (await tp.context.cookies(`https://${cognate}`)).some((c) => c.name === LOGIN_SESSION_COOKIE),
        false,
      );
      // Signing in again asks for the password: the login session is gone.
      await page.locator('#sign-in').click();
      await page.waitForURL((url) => url.host === cognate && url.pathname === '/login');
      await page.getByLabel('Password', { exact: true }).waitFor();
    } catch (error) {
      await tp.shot('failure').catch(() => undefined);
      (error as Error).message += `\nat ${page.url()}\npage console:\n${tp.console.join('\n')}`;
      throw error;
    } finally {
      await tp.close();
    }
  });
});
