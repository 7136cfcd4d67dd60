/**
 * The web sign-in in a real browser (docs/web-sign-in.md, "Testing your app against Cognate in a
 * browser"): Debian's Chromium, driven by playwright-core, walks a small app's authorization-code +
 * PKCE sign-in through Cognate's managed login pages: sign-up with the mailed code, sign-in, the
 * callback's token exchange, userInfo, refresh, sign-out; the error pages; a keyboard-only sign-in.
 * Every page is kept as a screenshot under test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { oauthCodes } from '../../src/db/schema/oauth.ts';
import { LOGIN_SESSION_COOKIE } from '../../src/modules/tokens/login-sessions.ts';
import { PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, walkIn, type TestBrowser, type TestPage } from '../support/browser.ts';
import { startOAuthTestApp, type OAuthTestApp } from '../support/oauth-test-app.ts';
import { uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
let app: OAuthTestApp;
let browser: TestBrowser;
let cognate: string;
let clientId: string;
let poolId: string;
/** A user signed up through the REST API, for the tests that are not about sign-up. */
let known: string;

const json = async (tp: TestPage, selector: string) =>
  JSON.parse((await tp.page.locator(selector).textContent()) ?? '');

/** Runs one walk with its own page; on failure, what the page logged helps. */
const walk = (name: string, body: (tp: TestPage) => Promise<void>, options = {}) =>
  walkIn(browser, name, body, options);

/** The focused element: its name, aria-invalid, and the text of what it is described by. */
const focused = (tp: TestPage) =>
  tp.page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    const described = (el?.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? `(missing #${id})`);
    return {
      name: el?.getAttribute('name') ?? el?.tagName ?? '',
      invalid: el?.getAttribute('aria-invalid'),
      described,
    };
  });

/** From the app's home page to Cognate's sign-in page. */
async function startSignIn(tp: TestPage) {
  await tp.page.goto(app.url);
  await tp.page.locator('#sign-in').click();
  await tp.page.waitForURL((url) => url.origin === cognate && url.pathname === '/login');
}

before(async () => {
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  cognate = await t.app.listen({ port: 0, host: '127.0.0.1' });
  app = await startOAuthTestApp({ cognate, scope: 'openid email profile' });
  const pool = await t.admin('POST', '/v1/pools', {
    name: 'browser',
    usernameAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
  });
  assert.equal(pool.status, 201, JSON.stringify(pool.body));
  poolId = pool.body.id;
  const client = await t.admin('POST', `/v1/pools/${pool.body.id}/clients`, {
    name: 'web',
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email', 'profile'],
      callbackUrls: [app.callbackUrl],
      logoutUrls: [app.logoutUrl],
      identityProviders: ['COGNITO'],
    },
  });
  assert.equal(client.status, 201, JSON.stringify(client.body));
  clientId = client.body.clientId;
  app.clientId = clientId;
  known = uniqueEmail('known');
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: known,
    password: PASSWORD,
    userAttributes: { email: known },
  });
  assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: known,
    confirmationCode: await t.smtp.codeFor(known),
  });
  assert.equal(confirmed.status, 200);
});
after(async () => {
  await browser?.close();
  await app?.close();
  await t?.close();
});

describe('an app signs its users in through the managed login pages (authorization code + PKCE)', () => {
  it('sign-up with the mailed code, sign-in, tokens, userInfo, refresh, sign-out, and sign-in asked again', async () => {
    await walk('full flow', async (tp) => {
      const { page } = tp;
      const email = uniqueEmail('walker');
      await page.goto(app.url);
      await tp.shot('app home');
      await page.locator('#sign-in').click();
      await page.waitForURL((url) => url.origin === cognate && url.pathname === '/login');
      // The authorization request rides along: PKCE's challenge and the state are in the page's address.
      assert.equal(new URL(page.url()).searchParams.get('code_challenge_method'), 'S256');
      await tp.shot('sign-in page');

      await page.getByRole('link', { name: 'Need an account? Sign up' }).click();
      await page.waitForURL((url) => url.pathname === '/signup');
      await tp.shot('sign-up page');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByLabel('Code').waitFor();
      await tp.shot('confirm page');

      const code = await t.smtp.codeFor(email);
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Confirm account' }).click();
      await page.getByText('Your account is confirmed. Sign in to continue.').waitFor();
      await tp.shot('confirmed, sign in');

      // The pages keep no password through sign-up: the user signs in once more.
      const username = page.getByLabel('Email', { exact: true });
      if ((await username.inputValue()) === '') await username.fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      await page.locator('#userinfo').waitFor();
      await tp.shot('app signed in');

      // The login session's cookie: HttpOnly and SameSite=Lax, on Cognate's host only.
      const cookies = await tp.context.cookies(cognate);
      const login = cookies.find((c) => c.name === LOGIN_SESSION_COOKIE);
      assert.ok(login, `cookies: ${cookies.map((c) => c.name).join(', ')}`);
      assert.equal(login.httpOnly, true);
      assert.equal(login.sameSite, 'Lax');
      assert.equal(
        (await tp.context.cookies(app.url)).some((c) => c.name === LOGIN_SESSION_COOKIE),
        false,
      );

      // The code was exchanged with the PKCE verifier; the tokens and userInfo name the new user.
      assert.equal(await page.locator('#nonce').textContent(), 'nonce matches');
      const exchange = app.calls.findLast((c) => c.grant === 'authorization_code')!;
      assert.equal(exchange.status, 200, JSON.stringify(exchange.body));
      assert.equal(exchange.body.token_type, 'Bearer');
      assert.equal(exchange.body.expires_in, 3600);
      assert.ok(exchange.body.refresh_token);
      const idToken = await json(tp, '#id-token');
      assert.equal(idToken.email, email);
      assert.equal(idToken.aud, clientId);
      assert.equal(idToken.token_use, 'id');
      const accessToken = await json(tp, '#access-token');
      assert.equal(accessToken.client_id, clientId);
      assert.deepEqual(String(accessToken.scope).split(' ').sort(), ['email', 'openid', 'profile']);
      const userInfo = await json(tp, '#userinfo');
      assert.equal(userInfo.email, email);
      // Verified by the mailed code (a string or a boolean; the ID token says the same).
      assert.equal(String(userInfo.email_verified), 'true');
      assert.equal(userInfo.email_verified, idToken.email_verified);
      assert.equal(userInfo.sub, idToken.sub);

      // Refresh: new tokens for the same user and scopes.
      await page.locator('#refresh').click();
      await page.getByRole('heading', { name: 'Tokens refreshed' }).waitFor();
      await tp.shot('app refreshed');
      const refresh = app.calls.findLast((c) => c.grant === 'refresh_token')!;
      assert.equal(refresh.status, 200, JSON.stringify(refresh.body));
      assert.notEqual(refresh.body.access_token, exchange.body.access_token);
      const refreshed = await json(tp, '#access-token');
      assert.equal(refreshed.sub, accessToken.sub);
      assert.deepEqual(String(refreshed.scope).split(' ').sort(), ['email', 'openid', 'profile']);
      assert.equal((await json(tp, '#userinfo')).email, email);

      // Sign-out: Cognate ends the login session and sends the browser back to the app's sign-out URL.
      await page.locator('#sign-out').click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/signed-out');
      await page.locator('#signed-out').waitFor();
      await tp.shot('app signed out');
      assert.equal(
        (await tp.context.cookies(cognate)).some((c) => c.name === LOGIN_SESSION_COOKIE),
        false,
      );

      // Signing in again asks for the password: the session is gone.
      await page.locator('#sign-in').click();
      await page.waitForURL((url) => url.origin === cognate && url.pathname === '/login');
      await page.getByLabel('Password', { exact: true }).waitFor();
      await tp.shot('sign-in asked again');
    });
  });

  it('a second authorization while signed in goes straight back to the app (the login session)', async () => {
    await walk('single sign-on', async (tp) => {
      const { page } = tp;
      await startSignIn(tp);
      await page.getByLabel('Email', { exact: true }).fill(known);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#userinfo').waitFor();
      await page.goto(app.url);
      await page.locator('#sign-in').click();
      // No page of Cognate's in between: straight to the callback, signed in.
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      await page.locator('#userinfo').waitFor();
      await tp.shot('signed in again without a page');
      assert.equal((await json(tp, '#userinfo')).email, known);
    });
  });
});

describe('error pages', () => {
  it('a redirect URI the client has not registered: Cognate’s error page, never a redirect to it', async () => {
    await walk('bad redirect uri', async (tp) => {
      const { page } = tp;
      const evil = 'http://localhost:9/steal';
      const response = await page.goto(`${app.url}/start?redirect_uri=${encodeURIComponent(evil)}`);
      const at = new URL(page.url());
      assert.equal(at.origin, cognate);
      assert.equal(at.pathname, '/error');
      assert.equal(at.searchParams.get('error'), 'redirect_mismatch');
      assert.equal(response?.status(), 400);
      await page.getByRole('heading', { name: 'Something went wrong' }).waitFor();
      await page.getByText('This sign-in link is not valid').waitFor();
      await tp.shot('authorize with a bad redirect uri');
      // A sign-in page opened with that address says which part is wrong.
      const login = await page.goto(
        `${cognate}/login?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: evil })}`,
      );
      assert.equal(login?.status(), 400);
      await page
        .getByText('This sign-in link is not valid: it names an address the application has not registered.')
        .waitFor();
      await tp.shot('sign-in page with a bad redirect uri');
    });
  });

  it('an unknown client: the error page', async () => {
    await walk('unknown client', async (tp) => {
      const { page } = tp;
      const unknown = '4bn8k1d7gf0example0000000';
      const response = await page.goto(`${app.url}/start?client_id=${unknown}`);
      const at = new URL(page.url());
      assert.equal(at.origin, cognate);
      assert.equal(at.pathname, '/error');
      assert.equal(at.searchParams.get('error'), 'invalid_request');
      assert.equal(response?.status(), 400);
      await page.getByText('This sign-in link is not valid').waitFor();
      await tp.shot('authorize with an unknown client');
      const login = await page.goto(
        `${cognate}/login?${new URLSearchParams({ client_id: unknown, response_type: 'code', redirect_uri: app.callbackUrl })}`,
      );
      assert.equal(login?.status(), 400);
      await page
        .getByText('This sign-in link is not valid: the application is unknown or not allowed to use these pages.')
        .waitFor();
      await tp.shot('sign-in page with an unknown client');
    });
  });

  it('a wrong password: the message on the sign-in page, tied to the form; nothing signed in', async () => {
    await walk('wrong password', async (tp) => {
      const { page } = tp;
      await startSignIn(tp);
      await page.getByLabel('Email', { exact: true }).fill(known);
      await page.getByLabel('Password', { exact: true }).fill('Wr0ng-passw0rd!');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /Incorrect username or password\./);
      assert.equal(new URL(page.url()).pathname, '/login');
      await tp.shot('wrong password');
      assert.equal(
        (await tp.context.cookies(cognate)).some((c) => c.name === LOGIN_SESSION_COOKIE),
        false,
      );
    });
  });

  it('a code used twice (the callback reloaded): the second exchange is invalid_grant', async () => {
    await walk('replayed code', async (tp) => {
      const { page } = tp;
      await startSignIn(tp);
      await page.getByLabel('Email', { exact: true }).fill(known);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#userinfo').waitFor();
      await page.reload();
      await page.locator('#error').waitFor();
      assert.equal(await page.locator('#error').textContent(), 'invalid_grant');
      await tp.shot('replayed code refused');
      const [first, second] = app.calls.filter((c) => c.grant === 'authorization_code').slice(-2);
      assert.equal(first!.status, 200);
      assert.equal(second!.status, 400);
      assert.equal(second!.body.error, 'invalid_grant');
    });
  });

  it('an expired code: invalid_grant at the exchange', async () => {
    await walk('expired code', async (tp) => {
      const { page } = tp;
      // Five minutes are too long to wait: when the code reaches the app, it is aged past its expiry.
      app.beforeExchange = async () => {
        await t.database.db.update(oauthCodes).set({ expiresAt: sql`now() - interval '1 second'` });
      };
      await startSignIn(tp);
      await page.getByLabel('Email', { exact: true }).fill(known);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#error').waitFor();
      assert.equal(await page.locator('#error').textContent(), 'invalid_grant');
      app.beforeExchange = undefined;
      await tp.shot('expired code refused');
      const exchange = app.calls.findLast((c) => c.grant === 'authorization_code')!;
      assert.equal(exchange.status, 400);
      assert.equal(exchange.body.error, 'invalid_grant');
    });
  });
});

/** A confirmed user made through the REST API (the pages are not what these tests are about). */
async function confirmedUser(name: string) {
  const email = uniqueEmail(name);
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: email,
    password: PASSWORD,
    userAttributes: { email },
  });
  assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: email,
    confirmationCode: await t.smtp.codeFor(email),
  });
  assert.equal(confirmed.status, 200);
  return email;
}

describe('the other pages', () => {
  it('forgot password: the mailed code and a new password on the pages, then sign-in with it', async () => {
    const email = await confirmedUser('forgetful');
    const newPassword = 'N3w-passw0rd!';
    await walk('forgot password', async (tp) => {
      const { page } = tp;
      await startSignIn(tp);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL((url) => url.pathname === '/forgotPassword');
      await tp.shot('forgot password page');
      const sent = t.smtp.messages.length;
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByRole('button', { name: 'Reset my password' }).click();
      await page.getByLabel('New password').waitFor();
      await tp.shot('reset password page');
      await t.smtp.waitFor((m) => t.smtp.messages.indexOf(m) >= sent && m.to.includes(email));
      await page.getByLabel('Code').fill(await t.smtp.codeFor(email));
      await page.getByLabel('New password').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your password is changed. Sign in with your new password.').waitFor();
      await tp.shot('password changed');
      const username = page.getByLabel('Email', { exact: true });
      if ((await username.inputValue()) === '') await username.fill(email);
      await page.getByLabel('Password', { exact: true }).fill(newPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      assert.equal((await json(tp, '#userinfo')).email, email);
    });
  });

  it('a user created with a temporary password chooses a new one on the pages, then lands in the app', async () => {
    const email = uniqueEmail('temporary');
    const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: email,
      temporaryPassword: 'Temp-passw0rd1',
      userAttributes: { email, email_verified: 'true' },
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await walk('new password required', async (tp) => {
      const { page } = tp;
      await startSignIn(tp);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill('Temp-passw0rd1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await tp.shot('new password required page');
      await page.getByLabel('New password').fill('Own-passw0rd!');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      await tp.shot('app signed in after new password');
      assert.equal((await json(tp, '#userinfo')).email, email);
    });
  });
});

describe('multi-factor authentication on the pages', () => {
  it('MFA ON: TOTP set up on the page at the first sign-in, the code asked at the next', async () => {
    const mfaPool = await t.admin('POST', '/v1/pools', {
      name: 'browser-mfa',
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
    });
    assert.equal(mfaPool.status, 201, JSON.stringify(mfaPool.body));
    const set = await t.admin('PUT', `/v1/pools/${mfaPool.body.id}/mfa-config`, {
      mfaConfiguration: 'ON',
      factors: { softwareToken: true },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const client = await t.admin('POST', `/v1/pools/${mfaPool.body.id}/clients`, {
      name: 'web-mfa',
      oauth: {
        enabled: true,
        flows: ['code'],
        scopes: ['openid', 'email', 'profile'],
        callbackUrls: [app.callbackUrl],
        logoutUrls: [app.logoutUrl],
        identityProviders: ['COGNITO'],
      },
    });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    const mfaClient = client.body.clientId as string;
    const email = uniqueEmail('totp');
    assert.equal(
      (
        await t.call('POST', '/v1/sign-up', {
          clientId: mfaClient,
          username: email,
          password: PASSWORD,
          userAttributes: { email },
        })
      ).status,
      201,
    );
    const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
      clientId: mfaClient,
      username: email,
      confirmationCode: await t.smtp.codeFor(email),
    });
    assert.equal(confirmed.status, 200);

    await walk('totp', async (tp) => {
      const { page } = tp;
      const signIn = async () => {
        await page.goto(`${app.url}/start?client_id=${mfaClient}`);
        await page.waitForURL((url) => url.origin === cognate && url.pathname === '/login');
        await page.getByLabel('Email', { exact: true }).fill(email);
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
      };
      await signIn();
      await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
      await tp.shot('totp set-up page');
      const secret = ((await page.locator('#totp-secret').textContent()) ?? '').trim();
      const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
      await page.getByLabel('Code').fill(totp.generate());
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      assert.equal((await json(tp, '#userinfo')).email, email);
      await tp.shot('app signed in after totp set-up');

      await page.locator('#sign-out').click();
      await page.locator('#signed-out').waitFor();
      await signIn();
      await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
      await tp.shot('totp code page');
      // Each time step is accepted once: the next one's code.
      await page.getByLabel('Code').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      assert.equal((await json(tp, '#userinfo')).email, email);
    });
  });
});

describe('keyboard only', () => {
  it('focus starts in the first field; Tab, typing and Enter sign in; a wrong password puts focus on the password, the first empty field', async () => {
    await walk('keyboard sign-in', async (tp) => {
      const { page } = tp;
      await startSignIn(tp);
      assert.equal((await focused(tp)).name, 'username');
      await page.keyboard.type(known);
      await page.keyboard.press('Tab');
      assert.equal((await focused(tp)).name, 'password');
      await page.keyboard.type('Wr0ng-passw0rd!');
      await tp.shot('typed by keyboard');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').waitFor();
      await tp.shot('keyboard wrong password');
      // The message is for the whole form (it does not say which part is wrong). The username is
      // kept and the password is not, so focus is on the first empty field: the password.
      assert.match((await page.getByRole('alert').textContent()) ?? '', /Incorrect username or password\./);
      assert.equal(await page.inputValue('#username'), known);
      assert.equal((await focused(tp)).name, 'password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      await page.locator('#userinfo').waitFor();
      await tp.shot('keyboard signed in');
      assert.equal((await json(tp, '#userinfo')).email, known);
    });
  });

  it('a wrong code by keyboard: focus lands on the code field, marked invalid and described by the error', async () => {
    await walk('keyboard confirm', async (tp) => {
      const { page } = tp;
      const email = uniqueEmail('keys');
      const signUp = await t.call('POST', '/v1/sign-up', {
        clientId,
        username: email,
        password: PASSWORD,
        userAttributes: { email },
      });
      assert.equal(signUp.status, 201);
      const code = await t.smtp.codeFor(email);
      await startSignIn(tp);
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      // Not confirmed yet (told only after the password is proven): the code page.
      await page.getByLabel('Code').waitFor();
      await tp.shot('not confirmed, code page');
      for (let i = 0; i < 6 && (await focused(tp)).name !== 'code'; i++) await page.keyboard.press('Tab');
      assert.equal((await focused(tp)).name, 'code');
      await page.keyboard.type(code === '000000' ? '111111' : '000000');
      await page.keyboard.press('Enter');
      await page.getByText('The code is not right. Check it and try again.').first().waitFor();
      await tp.shot('wrong code');
      const onError = await focused(tp);
      assert.equal(onError.name, 'code');
      assert.equal(onError.invalid, 'true');
      assert.ok(onError.described.includes('The code is not right. Check it and try again.'), JSON.stringify(onError));
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
      await page.getByText('Your account is confirmed. Sign in to continue.').waitFor();
      for (let i = 0; i < 6 && (await focused(tp)).name !== 'password'; i++) await page.keyboard.press('Tab');
      assert.equal((await focused(tp)).name, 'password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.origin === app.url && url.pathname === '/callback');
      await page.locator('#userinfo').waitFor();
      await tp.shot('keyboard confirmed and signed in');
      assert.equal((await json(tp, '#userinfo')).email, email);
    });
  });
});
