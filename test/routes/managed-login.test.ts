import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { createPoolWithClient, PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { errorsOf, formsOf, pageClient, unescapeHtml, type PageResponse } from '../support/page-client.ts';
import { uniqueEmail } from '../support/user-flows.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';

/**
 * The managed login pages over HTTP (docs/web-sign-in.md, "Managed login pages"): each page, the
 * sign-in and its cookie, existence hiding, the lockout, CSRF, sign-up with the mailed code,
 * password reset, NEW_PASSWORD_REQUIRED, TOTP set-up and sign-in, languages, branding, and the
 * error page a bad client or redirect URI gets (never a redirect).
 */

const CALLBACK = 'https://app.example/callback';
const WRONG = 'Wr0ng-passw0rd!';

let t: TestApp;
let poolId: string;
let clientId: string;
/** A client that tells whether a user exists (preventUserExistenceErrors false). */
let tellingClientId: string;
let address = 0;
/** A fresh source address per test, so the lockout and limits of one test do not touch another. */
const nextAddress = () => `10.9.${Math.floor(++address / 250)}.${address % 250}`;

async function webClient(pool: string, name: string, extra: Record<string, unknown> = {}) {
  const client = await t.services.pools.createClient(
    pool,
    {
      name,
      oauth: {
        enabled: true,
        flows: ['code'],
        scopes: ['openid', 'email', 'profile'],
        callbackUrls: [CALLBACK],
        identityProviders: ['COGNITO'],
      },
      ...extra,
    },
    undefined,
    'rest',
  );
  return client.id;
}

const query = (id = clientId, extra: Record<string, string> = {}) =>
  new URLSearchParams({
    client_id: id,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid email',
    state: 'st-123',
    ...extra,
  }).toString();

async function confirmedUser(email: string, password = PASSWORD) {
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: email,
    password,
    userAttributes: { email },
  });
  assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
  const code = await t.smtp.codeFor(email);
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', { clientId, username: email, confirmationCode: code });
  assert.equal(confirmed.status, 200);
}

/** The page without its per-response token and nonce: two answers compare equal when they say the same. */
const comparable = (page: PageResponse) =>
  page.body.replace(/name="_csrf" value="[^"]*"/g, '').replace(/nonce="[^"]*"/g, '');

function assertSignedIn(page: PageResponse, q = query()) {
  assert.equal(page.status, 302, `expected the redirect, got ${page.status}: ${errorsOf(page.body).join(' | ')}`);
  assert.equal(page.location, `/oauth2/authorize?${q}`);
}

before(async () => {
  t = await startTestApp({});
  const created = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    schema: [{ name: 'plan', attributeDataType: 'String', mutable: true }],
  });
  poolId = created.poolId;
  clientId = await webClient(poolId, 'web');
  tellingClientId = await webClient(poolId, 'telling', { preventUserExistenceErrors: false });
});
after(() => t.close());

describe('every page', () => {
  for (const path of ['/login', '/signup', '/forgotPassword', '/confirm', '/confirmUser', '/confirmForgotPassword']) {
    it(`${path} renders an accessible form with a CSRF token and the pages' security headers`, async () => {
      const browser = pageClient(t.app, { remoteAddress: nextAddress() });
      const page = await browser.get(`${path}?${query()}&username=someone`);
      assert.equal(page.status, 200, page.body);
      assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.match(page.body, /^<!DOCTYPE html>\n<html lang="en">/);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /script-src|unsafe-inline/);
      assert.match(csp, /form-action 'self' https:\/\/app\.example/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.doesNotMatch(page.body, /<script/i);
      // The style element carries the CSP's nonce.
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce && page.body.includes(`<style nonce="${nonce}">`));
      // The CSRF secret is an HttpOnly, SameSite=Lax cookie.
      assert.ok(
        browser.setCookies().some((c) => /^cognate-csrf=/.test(c) && /HttpOnly/i.test(c) && /SameSite=Lax/i.test(c)),
      );
      const forms = formsOf(page.body);
      assert.ok(forms.length > 0);
      for (const form of forms) {
        assert.ok(form.values._csrf, `form ${form.id} has a CSRF token`);
        // The authorization request rides along in every form's action.
        assert.ok(form.action.endsWith(`?${query()}`), form.action);
        for (const name of form.inputs.filter(
          (n) => !['_csrf', 'session', 'username', 'challenge', 'secret'].includes(n),
        )) {
          const id = name.replace(/[^A-Za-z0-9_-]/g, '-');
          assert.ok(page.body.includes(`<label for="${id}"`), `a label for ${name} on ${path}`);
        }
      }
      // The first field has the focus.
      assert.equal((page.body.match(/\sautofocus\b/g) ?? []).length, 1);
    });
  }

  it('sign-up asks for the pool’s required attributes and the writable custom ones, and states the password policy', async () => {
    const page = await pageClient(t.app).get(`/signup?${query()}`);
    const form = formsOf(page.body).find((f) => f.id === 'sign-up')!;
    assert.deepEqual(
      form.inputs.filter((n) => n !== '_csrf'),
      ['username', 'password', 'email', 'custom:plan'],
    );
    assert.match(
      page.body,
      /The password needs at least 8 characters, with a lowercase letter, an uppercase letter, a number and a symbol\./,
    );
    assert.match(page.body, /autocomplete="new-password"/);
    assert.match(page.body, /aria-describedby="password-hint"/);
  });
});

describe('sign-in', () => {
  it('signs in: a login session cookie (HttpOnly, SameSite=Lax, Path=/) and 302 to /oauth2/authorize with the same query', async () => {
    const email = uniqueEmail('ml-sign-in');
    await confirmedUser(email);
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const page = await browser.get(`/login?${query()}`);
    const done = await browser.submit(page, 'sign-in', { username: email, password: PASSWORD });
    assertSignedIn(done);
    const cookie = browser.setCookies().find((c) => c.startsWith('cognate-login='));
    assert.ok(cookie, 'the login session cookie is set');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/i, 'plain http: no Secure flag');
    const session = await t.services.loginSessions.find(poolId, browser.jar.get('cognate-login')!);
    assert.ok(session);
    // /oauth2/authorize takes the session and sends the browser to the app with a code and the state.
    const authorized = await browser.get(done.location!);
    assert.equal(authorized.status, 302, authorized.body);
    const back = new URL(authorized.location!);
    assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
    assert.ok(back.searchParams.get('code'));
    assert.equal(back.searchParams.get('state'), 'st-123');
  });

  it('a wrong password and an unknown user get the same page; a telling client says the user does not exist', async () => {
    const email = uniqueEmail('ml-wrong');
    await confirmedUser(email);
    const from = nextAddress();
    const browser = pageClient(t.app, { remoteAddress: from });
    const page = await browser.get(`/login?${query()}`);
    const wrong = await browser.submit(page, 'sign-in', { username: email, password: WRONG });
    const unknown = await browser.submit(page, 'sign-in', { username: uniqueEmail('ml-nobody'), password: WRONG });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(errorsOf(wrong.body), ['Incorrect username or password.']);
    assert.equal(comparable(wrong).replace(email, 'X'), comparable(unknown).replace(/ml-nobody[^"]*/, 'X'));
    assert.equal(browser.jar.has('cognate-login'), false);
    // The password is never echoed back; the username is.
    assert.doesNotMatch(wrong.body, new RegExp(WRONG));
    // Focus on the first field, errors tied by aria.
    const telling = await browser.get(`/login?${query(tellingClientId)}`);
    const told = await browser.submit(telling, 'sign-in', { username: uniqueEmail('ml-nobody'), password: WRONG });
    assert.equal(told.status, 404);
    assert.deepEqual(errorsOf(told.body), ['Username: User does not exist.']);
    assert.match(told.body, /aria-invalid="true"/);
    assert.match(told.body, /aria-describedby="username-error"/);
    assert.match(told.body, /<div class="error-summary" role="alert"/);
  });

  it('locks out after the API’s limit of failures, for the pages and the API alike', async () => {
    const email = uniqueEmail('ml-lockout');
    await confirmedUser(email);
    const from = nextAddress();
    const browser = pageClient(t.app, { remoteAddress: from });
    const page = await browser.get(`/login?${query()}`);
    for (let i = 1; i <= 5; i++) {
      const failed = await browser.submit(page, 'sign-in', { username: email, password: WRONG });
      assert.deepEqual(errorsOf(failed.body), ['Incorrect username or password.'], `failure ${i}`);
    }
    const locked = await browser.submit(page, 'sign-in', { username: email, password: PASSWORD });
    assert.equal(locked.status, 401);
    assert.deepEqual(errorsOf(locked.body), ['Too many attempts. Wait a while and try again.']);
    assert.equal(browser.jar.has('cognate-login'), false);
    // The API from the same address meets the same lock.
    const api = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-in',
      remoteAddress: from,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ clientId, username: email, password: PASSWORD }),
    });
    assert.equal(JSON.parse(api.body).detail, 'Password attempts exceeded');
    // Another address is not locked out (no one locks a user out everywhere).
    const elsewhere = pageClient(t.app, { remoteAddress: nextAddress() });
    assertSignedIn(
      await elsewhere.submit(await elsewhere.get(`/login?${query()}`), 'sign-in', {
        username: email,
        password: PASSWORD,
      }),
    );
  });

  it('refuses a POST with a missing or wrong CSRF token, or a token of another browser, and changes nothing', async () => {
    const email = uniqueEmail('ml-csrf');
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const page = await browser.get(`/signup?${query()}`);
    const values = { username: email, password: PASSWORD };
    const missing = await browser.submit(page, 'sign-up', { ...values, _csrf: '' });
    assert.equal(missing.status, 403);
    assert.match(errorsOf(missing.body)[0]!, /This form has expired/);
    const forged = await browser.submit(page, 'sign-up', { ...values, _csrf: 'forged-token' });
    assert.equal(forged.status, 403);
    // A token from another browser's page does not go with this browser's secret.
    const other = pageClient(t.app, { remoteAddress: nextAddress() });
    const theirs = formsOf((await other.get(`/signup?${query()}`)).body)[0]!.values._csrf!;
    assert.equal((await browser.submit(page, 'sign-up', { ...values, _csrf: theirs })).status, 403);
    // No cookie at all (a cross-site form post without the browser's cookie).
    const fresh = pageClient(t.app, { remoteAddress: nextAddress() });
    assert.equal((await fresh.post(`/signup?${query()}`, { ...values, _csrf: theirs })).status, 403);
    assert.equal((await fresh.post(`/login?${query()}`, { ...values, _csrf: theirs })).status, 403);
    // Nothing was created.
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(email)}`)).status, 404);
    assert.equal(t.smtp.messages.filter((m) => m.to.includes(email)).length, 0);
    // And the right token works.
    const created = await browser.submit(page, 'sign-up', values);
    assert.equal(created.status, 200, errorsOf(created.body).join());
  });
});

describe('the flows between', () => {
  it('signs up, confirms with the mailed code, then signs in', async () => {
    const email = uniqueEmail('ml-sign-up');
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    let page = await browser.get(`/signup?${query()}`);
    // A password against the policy: the error is on the password field, the other values kept.
    page = await browser.submit(page, 'sign-up', { username: email, password: 'short', email, 'custom:plan': 'gold' });
    assert.equal(page.status, 400);
    assert.match(errorsOf(page.body)[0]!, /^Password: The password does not meet the requirements/);
    assert.match(page.body, /id="custom-plan" name="custom:plan"[^>]*value="gold"/);
    assert.match(page.body, /id="password"[^>]*aria-invalid="true"[^>]*autofocus/);
    page = await browser.submit(page, 'sign-up', { username: email, password: PASSWORD, email, 'custom:plan': 'gold' });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.ok(formsOf(page.body).some((f) => f.id === 'confirm'));
    assert.match(page.body, /We sent a code by email to [^<]*\*\*\*@/);
    const code = await t.smtp.codeFor(email);
    // A wrong code first.
    const wrong = await browser.submit(page, 'confirm', { code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.deepEqual(errorsOf(wrong.body), ['Code: The code is not right. Check it and try again.']);
    page = await browser.submit(wrong, 'confirm', { code });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.match(page.body, /Your account is confirmed/);
    const user = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(email)}`);
    assert.equal(user.body.userStatus, 'CONFIRMED');
    assert.equal(user.body.attributes['custom:plan'], 'gold');
    // The sign-in form comes filled with the username, and the focus is on the password.
    assert.match(page.body, /<input id="password"[^>]*autofocus/);
    assertSignedIn(await browser.submit(page, 'sign-in', { password: PASSWORD }));
  });

  it('resends the sign-up code; an unconfirmed user who signs in is sent to confirm', async () => {
    const email = uniqueEmail('ml-resend');
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    let page = await browser.submit(await browser.get(`/signup?${query()}`), 'sign-up', {
      username: email,
      password: PASSWORD,
      email,
    });
    await t.smtp.codeFor(email);
    const before = t.smtp.messages.filter((m) => m.to.includes(email)).length;
    page = await browser.submit(page, 'resend');
    assert.equal(page.status, 200);
    assert.match(page.body, /A new code is on its way/);
    await t.smtp.waitFor(
      (m) => m.to.includes(email) && t.smtp.messages.filter((x) => x.to.includes(email)).length > before,
    );
    const login = await browser.submit(await browser.get(`/login?${query()}`), 'sign-in', {
      username: email,
      password: PASSWORD,
    });
    assert.equal(login.status, 200);
    assert.match(login.body, /Your account is not confirmed yet/);
    assert.ok(formsOf(login.body).some((f) => f.id === 'confirm'));
  });

  it('resets a forgotten password with the mailed code; the old password stops working', async () => {
    const email = uniqueEmail('ml-forgot');
    await confirmedUser(email);
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    let page = await browser.get(`/forgotPassword?${query()}`);
    const mails = t.smtp.messages.filter((m) => m.to.includes(email)).length;
    page = await browser.submit(page, 'forgot-password', { username: email });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.ok(formsOf(page.body).some((f) => f.id === 'reset-password'));
    const mail = await t.smtp.waitFor(
      (m) => m.to.includes(email) && t.smtp.messages.filter((x) => x.to.includes(email)).length > mails,
    );
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;
    const newPassword = 'N3w-passw0rd!';
    page = await browser.submit(page, 'reset-password', { code, password: newPassword });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.match(page.body, /Your password is changed/);
    const old = await browser.submit(page, 'sign-in', { password: PASSWORD });
    assert.deepEqual(errorsOf(old.body), ['Incorrect username or password.']);
    assertSignedIn(await browser.submit(page, 'sign-in', { password: newPassword }));
  });

  it('an unknown user asking for a reset gets the same next page as a known one (existence hidden)', async () => {
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const page = await browser.get(`/forgotPassword?${query()}`);
    const unknown = await browser.submit(page, 'forgot-password', { username: uniqueEmail('ml-nobody') });
    assert.equal(unknown.status, 200);
    assert.ok(formsOf(unknown.body).some((f) => f.id === 'reset-password'));
  });

  it('NEW_PASSWORD_REQUIRED: an invited user chooses a password (and a missing required attribute), then is signed in', async () => {
    const invited = 'ml-invited';
    const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: invited,
      temporaryPassword: 'Temp-passw0rd!',
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    let page = await browser.submit(await browser.get(`/login?${query()}`), 'sign-in', {
      username: invited,
      password: 'Temp-passw0rd!',
    });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.ok(formsOf(page.body).some((f) => f.id === 'new-password'));
    assert.match(page.body, /Choose a new password/);
    page = await browser.submit(page, 'new-password', { password: 'short' });
    assert.equal(page.status, 400);
    assert.match(errorsOf(page.body)[0]!, /^New password: The password does not meet the requirements/);
    assertSignedIn(await browser.submit(page, 'new-password', { password: 'Own-passw0rd!' }));
    const user = await t.admin('GET', `/v1/pools/${poolId}/users/${invited}`);
    assert.equal(user.body.userStatus, 'CONFIRMED');
  });
});

describe('MFA', () => {
  it('sets up TOTP on MFA_SETUP (the key as text and an otpauth URI), then asks for the code at the next sign-in', async () => {
    const mfaPool = await createPoolWithClient(t, { name: 'mfa', autoVerifiedAttributes: ['email'] });
    const set = await t.admin('PUT', `/v1/pools/${mfaPool.poolId}/mfa-config`, {
      mfaConfiguration: 'ON',
      factors: { softwareToken: true },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const mfaClient = await webClient(mfaPool.poolId, 'mfa-web');
    const email = uniqueEmail('ml-totp');
    await t.call('POST', '/v1/sign-up', {
      clientId: mfaClient,
      username: email,
      password: PASSWORD,
      userAttributes: { email },
    });
    await t.call('POST', '/v1/sign-up/confirm', {
      clientId: mfaClient,
      username: email,
      confirmationCode: await t.smtp.codeFor(email),
    });
    const q = query(mfaClient);
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    let page = await browser.submit(await browser.get(`/login?${q}`), 'sign-in', {
      username: email,
      password: PASSWORD,
    });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.ok(formsOf(page.body).some((f) => f.id === 'mfa-setup'));
    const secret = unescapeHtml(/<code class="secret" id="totp-secret"[^>]*>([^<]+)<\/code>/.exec(page.body)![1]!);
    const uri = unescapeHtml(/<a id="totp-uri" href="([^"]+)"/.exec(page.body)![1]!);
    assert.ok(uri.startsWith('otpauth://totp/'), uri);
    assert.equal(new URL(uri).searchParams.get('secret'), secret);
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
    // A wrong first code shows the page again with the same key.
    const wrong = await browser.submit(page, 'mfa-setup', { code: totp.generate() === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.ok(wrong.body.includes(secret));
    assertSignedIn(await browser.submit(wrong, 'mfa-setup', { code: totp.generate() }), q);
    // Next sign-in: SOFTWARE_TOKEN_MFA (the next time step: each step is accepted once).
    const again = pageClient(t.app, { remoteAddress: nextAddress() });
    page = await again.submit(await again.get(`/login?${q}`), 'sign-in', { username: email, password: PASSWORD });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.ok(formsOf(page.body).some((f) => f.id === 'mfa'));
    assert.match(page.body, /authenticator app/);
    const bad = await again.submit(page, 'mfa', { code: '12' });
    assert.equal(bad.status, 400);
    assert.match(errorsOf(bad.body)[0]!, /^Code: /);
    assertSignedIn(await again.submit(bad, 'mfa', { code: totp.generate({ timestamp: Date.now() + 30_000 }) }), q);
  });
});

describe('MFA choice', () => {
  it('SELECT_MFA_TYPE offers the user’s factors as buttons; the email code then signs in, a wrong one is told on the field', async () => {
    const mfaPool = await createPoolWithClient(t, { name: 'mfa-choice', autoVerifiedAttributes: ['email'] });
    const set = await t.admin('PUT', `/v1/pools/${mfaPool.poolId}/mfa-config`, {
      mfaConfiguration: 'OPTIONAL',
      factors: { sms: true, email: true },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const mfaClient = await webClient(mfaPool.poolId, 'choice-web');
    const email = uniqueEmail('ml-choice');
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    await t.call('POST', '/v1/sign-up', {
      clientId: mfaClient,
      username: email,
      password: PASSWORD,
      userAttributes: { email, phone_number: phone },
    });
    await t.call('POST', '/v1/sign-up/confirm', {
      clientId: mfaClient,
      username: email,
      confirmationCode: await t.smtp.codeFor(email),
    });
    const prefs = await t.admin('PUT', `/v1/pools/${mfaPool.poolId}/users/${encodeURIComponent(email)}/mfa`, {
      sms: { enabled: true },
      email: { enabled: true },
    });
    assert.equal(prefs.status, 200, JSON.stringify(prefs.body));
    const q = query(mfaClient);
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    let page = await browser.submit(await browser.get(`/login?${q}`), 'sign-in', {
      username: email,
      password: PASSWORD,
    });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    const select = formsOf(page.body).find((f) => f.id === 'select-mfa')!;
    assert.deepEqual(select.buttons, [
      { name: 'answer', value: 'SMS_MFA' },
      { name: 'answer', value: 'EMAIL_OTP' },
    ]);
    const mails = t.smtp.messages.length;
    page = await browser.submit(page, 'select-mfa', { answer: 'EMAIL_OTP' });
    assert.equal(page.status, 200, errorsOf(page.body).join());
    assert.match(page.body, /We sent a code by email to /);
    const mail = await t.smtp.waitFor((m) => m.to.includes(email) && t.smtp.messages.length > mails);
    const code = /\b(\d{6,8})\b/.exec(mail.text)![1]!;
    const wrong = await browser.submit(page, 'mfa', { code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.deepEqual(errorsOf(wrong.body), ['Code: The code is not right. Check it and try again.']);
    assertSignedIn(await browser.submit(wrong, 'mfa', { code }), q);
  });
});

describe('languages', () => {
  it('speaks German by lang, then by Accept-Language; English otherwise', async () => {
    const byLang = await pageClient(t.app).get(`/login?${query(clientId, { lang: 'de' })}`);
    assert.match(byLang.body, /<html lang="de">/);
    assert.match(byLang.body, /<h1>Anmelden<\/h1>/);
    assert.match(byLang.body, /<label for="password" class="label-customizable">Passwort<\/label>/);
    // lang is kept through the forms.
    assert.ok(formsOf(byLang.body)[0]!.action.includes('lang=de'));
    const byHeader = await pageClient(t.app, { acceptLanguage: 'fr-CH, de;q=0.9, en;q=0.8' }).get(`/login?${query()}`);
    assert.match(byHeader.body, /<html lang="de">/);
    const english = await pageClient(t.app, { acceptLanguage: 'fr-CH, fr;q=0.9' }).get(`/login?${query()}`);
    assert.match(english.body, /<html lang="en">/);
    // lang wins over the header.
    const langWins = await pageClient(t.app, { acceptLanguage: 'de' }).get(`/login?${query(clientId, { lang: 'en' })}`);
    assert.match(langWins.body, /<html lang="en">/);
    // Errors too.
    const browser = pageClient(t.app, { remoteAddress: nextAddress(), acceptLanguage: 'de-DE' });
    const failed = await browser.submit(await browser.get(`/login?${query()}`), 'sign-in', {
      username: uniqueEmail('ml-nobody'),
      password: WRONG,
    });
    assert.deepEqual(errorsOf(failed.body), ['Benutzername oder Passwort ist falsch.']);
  });
});

describe('branding', () => {
  it('applies the client’s SetUICustomization: its CSS in the page’s style, its logo, and the CSP lets the logo load', async () => {
    const branded = await webClient(poolId, 'branded');
    const css =
      '.submitButton-customizable { background-color: #7b1fa2; }\n.banner-customizable { background-color: #fafafa; }';
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    // Cognito customizes the UI of a pool that has a domain.
    await t.services.poolDomains.create(poolId, { domain: `ml-branding-${Date.now()}` });
    await t.services.branding.set(poolId, branded, { css, image: png });
    const page = await pageClient(t.app).get(`/login?${query(branded)}`);
    assert.equal(page.status, 200);
    const style = /<style nonce="[^"]+">([\s\S]*?)<\/style>/.exec(page.body)![1]!;
    assert.ok(
      style.includes('.submitButton-customizable { background-color: #7b1fa2; }'),
      'the pool’s CSS, after ours',
    );
    assert.ok(
      style.indexOf('#7b1fa2') > style.indexOf('.submitButton-customizable{'),
      'the pool’s rules come last and win',
    );
    const logo = /<img class="logo-customizable" src="([^"]+)" alt="">/.exec(page.body)?.[1];
    assert.ok(logo, 'the logo is shown');
    const logoUrl = new URL(unescapeHtml(logo));
    assert.match(String(page.headers['content-security-policy']), new RegExp(`img-src 'self' data: ${logoUrl.origin}`));
    // Another client of the pool keeps the plain look.
    const plain = await pageClient(t.app).get(`/login?${query()}`);
    assert.ok(!plain.body.includes('#7b1fa2'));
    assert.ok(!plain.body.includes('<img'));
  });

  it('uses Cognito’s CSS class names on the page’s elements', async () => {
    const page = await pageClient(t.app).get(`/login?${query()}`);
    for (const name of [
      'background-customizable',
      'label-customizable',
      'inputField-customizable',
      'submitButton-customizable',
      'textDescription-customizable',
    ]) {
      assert.ok(page.body.includes(`class="${name}"`) || page.body.includes(` ${name}"`), name);
    }
  });
});

describe('escaping', () => {
  it('escapes what the query and the user sent, in text and in attributes', async () => {
    const evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const page = await browser.get(`/login?${query(clientId, { state: evil })}`);
    assert.equal(page.status, 200);
    const failed = await browser.submit(page, 'sign-in', { username: evil, password: WRONG });
    for (const body of [page.body, failed.body]) {
      assert.doesNotMatch(body, /<script|<img src=x/i);
    }
    assert.ok(failed.body.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    // The state still comes through whole, to the end of the sign-in.
    assert.equal(new URLSearchParams(formsOf(failed.body)[0]!.action.split('?')[1]).get('state'), evil);
  });

  it('a confirmation link fills the form but confirms nothing by itself', async () => {
    const email = uniqueEmail('ml-link');
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    await browser.submit(await browser.get(`/signup?${query()}`), 'sign-up', {
      username: email,
      password: PASSWORD,
      email,
    });
    const code = await t.smtp.codeFor(email);
    const link = await browser.get(
      `/confirmUser?${query()}&user_name=${encodeURIComponent(email)}&confirmation_code=${code}`,
    );
    assert.equal(link.status, 200);
    const form = formsOf(link.body).find((f) => f.id === 'confirm')!;
    assert.equal(form.values.username, email);
    assert.equal(form.values.code, code);
    // user_name and confirmation_code are not carried on as part of the authorization request.
    assert.ok(!form.action.includes('confirmation_code'));
    let user = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(email)}`);
    assert.equal(user.body.userStatus, 'UNCONFIRMED');
    assert.equal((await browser.submit(link, 'confirm')).status, 200);
    user = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(email)}`);
    assert.equal(user.body.userStatus, 'CONFIRMED');
  });
});

describe('bad requests', () => {
  it('an unknown client gets the error page, never a redirect', async () => {
    const page = await pageClient(t.app).get(`/login?${query('no-such-client')}`);
    assert.equal(page.status, 400);
    assert.equal(page.location, undefined);
    assert.match(errorsOf(page.body)[0]!, /This sign-in link is not valid/);
    assert.equal(formsOf(page.body).length, 0);
  });

  it('a redirect_uri the client has not registered gets the error page, never a redirect', async () => {
    for (const redirect of ['https://evil.example/callback', `${CALLBACK}/more`, `${CALLBACK}?x=1`]) {
      const page = await pageClient(t.app).get(`/login?${query(clientId, { redirect_uri: redirect })}`);
      assert.equal(page.status, 400, redirect);
      assert.equal(page.location, undefined);
      assert.match(errorsOf(page.body)[0]!, /an address the application has not registered/);
      // No link carries the bad address on (the page offers no way onwards with it).
      assert.ok(!page.body.includes('evil.example'));
      assert.doesNotMatch(page.body, /<a /);
    }
  });

  it('a bad POST to an unknown client changes nothing and redirects nowhere', async () => {
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const page = await browser.get(`/signup?${query()}`);
    const token = formsOf(page.body)[0]!.values._csrf!;
    const email = uniqueEmail('ml-bad-client');
    const res = await browser.post(`/signup?${query('no-such-client')}`, {
      _csrf: token,
      username: email,
      password: PASSWORD,
    });
    assert.equal(res.status, 400);
    assert.equal(res.location, undefined);
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(email)}`)).status, 404);
  });

  it('a scope the client does not allow goes back to the app as error=invalid_scope with the state', async () => {
    const page = await pageClient(t.app).get(`/login?${query(clientId, { scope: 'openid phone' })}`);
    assert.equal(page.status, 302);
    const to = new URL(page.location!);
    assert.equal(`${to.origin}${to.pathname}`, CALLBACK);
    assert.equal(to.searchParams.get('error'), 'invalid_scope');
    assert.equal(to.searchParams.get('state'), 'st-123');
  });
});

describe('limits and https, on an app of their own', () => {
  let limitedApp: TestApp;
  let limitedClient: string;
  before(async () => {
    // Three sign-in requests per address, and a proxy in front that says the request came over https.
    limitedApp = await startTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '3', TRUST_PROXY: '1' });
    const created = await createPoolWithClient(limitedApp, { autoVerifiedAttributes: ['email'] });
    const client = await limitedApp.services.pools.createClient(
      created.poolId,
      {
        name: 'web',
        oauth: {
          enabled: true,
          flows: ['code'],
          scopes: ['openid', 'email'],
          callbackUrls: [CALLBACK],
          identityProviders: ['COGNITO'],
        },
      },
      undefined,
      'rest',
    );
    limitedClient = client.id;
  });
  after(() => limitedApp.close());

  it('counts the pages’ sign-ins with the API’s against the same limit (429 page, nothing tried)', async () => {
    const from = '10.77.0.1';
    const headers = { 'x-forwarded-for': from };
    const browser = pageClient(limitedApp.app, { headers });
    const page = await browser.get(`/login?${query(limitedClient)}`);
    for (let i = 1; i <= 2; i++) {
      const failed = await browser.submit(page, 'sign-in', { username: 'nobody', password: WRONG });
      assert.equal(failed.status, 401, `attempt ${i}`);
    }
    // The third from that address goes through the API.
    const api = await limitedApp.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-in',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ clientId: limitedClient, username: 'nobody', password: WRONG }),
    });
    assert.notEqual(api.statusCode, 429);
    const limited = await browser.submit(page, 'sign-in', { username: 'nobody', password: WRONG });
    assert.equal(limited.status, 429);
    assert.ok(limited.headers['retry-after']);
    assert.deepEqual(errorsOf(limited.body), ['Too many attempts. Wait a while and try again.']);
    // The error page links back to sign-in with the same request.
    assert.ok(limited.body.includes(`href="/login?${query(limitedClient).replace(/&/g, '&amp;')}"`));
  });

  it('marks the cookies Secure when the request came over https', async () => {
    const email = uniqueEmail('ml-https');
    await limitedApp.call('POST', '/v1/sign-up', {
      clientId: limitedClient,
      username: email,
      password: PASSWORD,
      userAttributes: { email },
    });
    await limitedApp.call('POST', '/v1/sign-up/confirm', {
      clientId: limitedClient,
      username: email,
      confirmationCode: await limitedApp.smtp.codeFor(email),
    });
    const browser = pageClient(limitedApp.app, {
      headers: { 'x-forwarded-for': '10.77.0.2', 'x-forwarded-proto': 'https' },
    });
    const page = await browser.get(`/login?${query(limitedClient)}`);
    assert.ok(browser.setCookies().some((c) => c.startsWith('cognate-csrf=') && /;\s*Secure/i.test(c)));
    const done = await browser.submit(page, 'sign-in', { username: email, password: PASSWORD });
    assertSignedIn(done, query(limitedClient));
    const cookie = browser.setCookies().find((c) => c.startsWith('cognate-login='))!;
    assert.match(cookie, /;\s*Secure/i);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
  });
});

describe('hooks and devices on the pages', () => {
  let hook: HookServer;
  before(async () => {
    hook = await startHookServer();
  });
  after(() => hook.close());

  it('a page sign-in calls PostAuthentication once and PreTokenGeneration only at the token endpoint, as TokenGeneration_HostedAuth; no device key is issued', async () => {
    const pool = await t.admin('POST', '/v1/pools', { name: 'ml-hooked', autoVerifiedAttributes: ['email'] });
    const id = pool.body.id as string;
    await t.services.pools.setLambdaConfig(id, {
      PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: hook.url },
      PostAuthentication: hook.url,
    });
    // A pool that tracks every device: a sign-in through the API would get a new device key.
    await t.services.pools.setDeviceConfiguration(id, {
      challengeRequiredOnNewDevice: false,
      deviceOnlyRememberedOnUserPrompt: false,
    });
    const web = await webClient(id, 'web');
    const created = await t.admin('POST', `/v1/pools/${id}/users`, {
      username: 'hooked',
      temporaryPassword: 'Temp-Passw0rd1',
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(
      (await t.admin('POST', `/v1/pools/${id}/users/hooked/password`, { password: PASSWORD, permanent: true })).status,
      204,
    );
    hook.reset();
    hook.requests.length = 0;
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const page = await browser.get(`/login?${query(web)}`);
    const done = await browser.submit(page, 'sign-in', { username: 'hooked', password: PASSWORD });
    assertSignedIn(done, query(web));
    const sources = () => hook.requests.map((r) => String(r.body?.triggerSource));
    assert.deepEqual(sources(), ['PostAuthentication_Authentication'], 'no token hook at the sign-in itself');
    const authorized = await browser.get(done.location!);
    const code = new URL(authorized.location!).searchParams.get('code')!;
    const tokens = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: web,
        code,
        redirect_uri: CALLBACK,
      }).toString(),
    });
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.deepEqual(sources(), ['PostAuthentication_Authentication', 'TokenGeneration_HostedAuth']);
    const listed = await t.admin('GET', `/v1/pools/${id}/users/hooked/devices`);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(listed.body.devices, [], 'the pages leave no device behind');
  });
});

describe('prompt=login on the pages', () => {
  it('a live session still signs in again, and the way back drops prompt and max_age so the fresh sign-in issues the code', async () => {
    const email = uniqueEmail('ml-prompt');
    await confirmedUser(email);
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const first = await browser.submit(await browser.get(`/login?${query()}`), 'sign-in', {
      username: email,
      password: PASSWORD,
    });
    assertSignedIn(first);
    const asked = `${query()}&prompt=login&max_age=0`;
    const again = await browser.get(`/oauth2/authorize?${asked}`);
    assert.equal(again.status, 302);
    assert.equal(again.location, `/login?${asked}`);
    const page = await browser.get(again.location!);
    assert.equal(page.status, 200);
    const done = await browser.submit(page, 'sign-in', { username: email, password: PASSWORD });
    assertSignedIn(done);
    const back = await browser.get(done.location!);
    assert.ok(new URL(back.location!).searchParams.get('code'), back.location);
  });
});
