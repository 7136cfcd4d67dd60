/**
 * Sign-in through an external OpenID Connect provider in a real browser (docs/federation.md,
 * "Signing in"): Debian's Chromium walks a small app's sign-in through Cognate's login page, its
 * provider button, a second Cognate process's own login page (the provider) and back, to tokens
 * that name the identity; a subject linked to a user of the pool's own signs in as that user; a
 * provider that refuses the code or is down sends the app an error and makes no user. Every page
 * is kept as a screenshot under test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LOGIN_SESSION_COOKIE } from '../../src/modules/tokens/login-sessions.ts';
import { PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, walkIn, type TestBrowser, type TestPage } from '../support/browser.ts';
import { createOidcProvider, startUpstream, type Upstream } from '../support/federation-setup.ts';
import { startOAuthTestApp, type OAuthTestApp } from '../support/oauth-test-app.ts';
import { freePort } from '../support/server-process.ts';

let t: TestApp;
let upstream: Upstream;
let app: OAuthTestApp;
let browser: TestBrowser;
/** The downstream Cognate as the browser reaches it: http://localhost:<port>. */
let cognate: string;
let poolId: string;
let graceSub: string;
let alanSub: string;
let clientId: string;

const json = async (tp: TestPage, selector: string) =>
  JSON.parse((await tp.page.locator(selector).textContent()) ?? '');

const walk = (name: string, body: (tp: TestPage) => Promise<void>) => walkIn(browser, name, body);

/** The app's sign-in through `provider`'s button and the upstream's login page, as `username`. */
async function throughProvider(tp: TestPage, provider: string, username: string) {
  const { page } = tp;
  await page.goto(app.url);
  await page.locator('#sign-in').click();
  await page.waitForURL((url) => url.origin === cognate && url.pathname === '/login');
  await page.getByRole('link', { name: `Sign in with ${provider}` }).click();
  await page.waitForURL((url) => url.origin === upstream.base && url.pathname === '/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
}

before(async () => {
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  const listening = new URL(await t.app.listen({ port: 0, host: '127.0.0.1' }));
  // localhost: the only host an http callback URL may name (the upstream client's, like Cognito's).
  cognate = `http://localhost:${listening.port}`;
  [upstream, app] = await Promise.all([
    startUpstream([`${cognate}/oauth2/idpresponse`]),
    startOAuthTestApp({ cognate, scope: 'openid email profile' }),
  ]);
  [graceSub, alanSub] = await Promise.all([
    upstream.createUser('grace', { email: 'grace@example.com', name: 'Grace Hopper' }),
    upstream.createUser('alan', { email: 'alan@example.com', name: 'Alan Turing' }),
  ]);
  const pool = await t.admin('POST', '/v1/pools', { name: 'federated-browser' });
  assert.equal(pool.status, 201, JSON.stringify(pool.body));
  poolId = pool.body.id;
  await createOidcProvider(t, poolId, {
    providerName: 'Upstream',
    issuer: upstream.issuer,
    clientId: upstream.clientId,
  });
  // The same provider seen wrongly: a client secret it refuses, and a token endpoint nobody answers.
  await createOidcProvider(t, poolId, {
    providerName: 'Refusing',
    issuer: upstream.issuer,
    clientId: upstream.clientId,
    clientSecret: 'not-the-secret',
  });
  await createOidcProvider(t, poolId, {
    providerName: 'Down',
    issuer: upstream.issuer,
    clientId: upstream.clientId,
    details: { token_url: `http://127.0.0.1:${await freePort()}/oauth2/token` },
  });
  const client = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'web',
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email', 'profile'],
      callbackUrls: [app.callbackUrl],
      logoutUrls: [app.logoutUrl],
      identityProviders: ['COGNITO', 'Upstream', 'Refusing', 'Down'],
    },
  });
  assert.equal(client.status, 201, JSON.stringify(client.body));
  app.clientId = clientId = client.body.clientId;
});
after(async () => {
  await browser?.close();
  await app?.close();
  await upstream?.close();
  await t?.close();
});

describe('an app signs a user in through another identity provider', () => {
  it('login page → provider button → the provider’s login page → back to the app with tokens naming the identity', async () => {
    await walk('federated sign-in', async (tp) => {
      const { page } = tp;
      await page.goto(app.url);
      await page.locator('#sign-in').click();
      await page.waitForURL((url) => url.origin === cognate && url.pathname === '/login');
      await tp.shot('login page with provider button');
      await page.getByRole('link', { name: 'Sign in with Upstream' }).click();
      // The provider's own login page (the upstream Cognate), reached through its /oauth2/authorize.
      await page.waitForURL((url) => url.origin === upstream.base && url.pathname === '/login');
      assert.equal(new URL(page.url()).searchParams.get('redirect_uri'), `${cognate}/oauth2/idpresponse`);
      await tp.shot('provider login page');
      // The binding cookie waits on Cognate's host, for /oauth2/idpresponse only.
      const binding = (await tp.context.cookies(`${cognate}/oauth2/idpresponse`)).find(
        (c) => c.name === 'cognate-federation',
      );
      assert.ok(binding);
      assert.equal(binding.httpOnly, true);
      assert.equal(binding.sameSite, 'Lax');
      await page.getByLabel('Username').fill('grace');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      await page.locator('#userinfo').waitFor();
      await tp.shot('app signed in');

      assert.equal(await page.locator('#nonce').textContent(), 'nonce matches');
      const idToken = await json(tp, '#id-token');
      assert.equal(idToken['cognito:username'], `Upstream_${graceSub}`);
      assert.equal(idToken.email, 'grace@example.com');
      assert.equal(idToken.identities[0].providerName, 'Upstream');
      assert.equal(idToken.identities[0].userId, graceSub);
      assert.deepEqual(idToken['cognito:groups'], [`${poolId}_Upstream`]);
      // The binding cookie is spent; the login session's cookie is there.
      assert.equal(
        (await tp.context.cookies(`${cognate}/oauth2/idpresponse`)).some((c) => c.name === 'cognate-federation'),
        false,
      );
      assert.ok((await tp.context.cookies(cognate)).some((c) => c.name === LOGIN_SESSION_COOKIE));
      const user = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(`Upstream_${graceSub}`)}`);
      assert.equal(user.body.userStatus, 'EXTERNAL_PROVIDER');

      // Signed out of Cognate, signed in again: the provider still knows the browser and asks nothing.
      await page.locator('#sign-out').click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/signed-out');
      await page.locator('#sign-in').click();
      await page.waitForURL((url) => url.origin === cognate && url.pathname === '/login');
      await page.getByRole('link', { name: 'Sign in with Upstream' }).click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      await page.locator('#userinfo').waitFor();
      await tp.shot('app signed in again');
      assert.equal((await json(tp, '#id-token')).sub, idToken.sub);
    });
  });
  it('a subject linked to a user of the pool signs in as that user, whose token names the identity', async () => {
    const native = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'ada',
      userAttributes: { email: 'ada@example.com', email_verified: 'true' },
    });
    assert.equal(native.status, 201, JSON.stringify(native.body));
    const link = await t.admin('POST', `/v1/pools/${poolId}/users/ada/identities`, {
      providerName: 'Upstream',
      subject: alanSub,
    });
    assert.ok(link.status < 300, JSON.stringify(link.body));
    await walk('federated sign-in, linked', async (tp) => {
      await throughProvider(tp, 'Upstream', 'alan');
      await tp.page.locator('#userinfo').waitFor();
      await tp.shot('app signed in as the linked user');
      const idToken = await json(tp, '#id-token');
      assert.equal(idToken['cognito:username'], 'ada');
      assert.equal(idToken.sub, native.body.userSub);
      assert.deepEqual(
        idToken.identities.map((i: { providerName: string; userId: string }) => [i.providerName, i.userId]),
        [['Upstream', alanSub]],
      );
    });
    const made = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(`Upstream_${alanSub}`)}`);
    assert.equal(made.status, 404, 'no federated user was made for a linked subject');
  });

  it('a provider that refuses the code, and one that is down: the app gets an error, no user is made', async () => {
    for (const [provider, error, description] of [
      ['Refusing', 'invalid_request', /^Refusing Error - /],
      ['Down', 'temporarily_unavailable', /^Down Error - /],
    ] as const) {
      await walk(`federated sign-in, ${provider.toLowerCase()}`, async (tp) => {
        await throughProvider(tp, provider, 'grace');
        await tp.page.locator('#error').waitFor();
        await tp.shot(`app told the provider failed (${provider})`);
        assert.equal(await tp.page.locator('#error').textContent(), error);
        assert.match((await tp.page.locator('#error-description').textContent()) ?? '', description);
      });
    }
    const users = await t.admin('GET', `/v1/pools/${poolId}/users`);
    assert.deepEqual(
      users.body.users.map((u: { username: string }) => u.username).sort(),
      ['ada', `Upstream_${graceSub}`].sort(),
      `client ${clientId}: only the users of the walks that succeeded`,
    );
  });
});
