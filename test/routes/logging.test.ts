import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_KEY, createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

test('logs are JSON with a request id and never hold a password, a code, a token or the admin key', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email', 'phone_number'] });
  const email = uniqueEmail('logged');
  const phone = uniquePhone();
  const tokens = await signedInUser(t, clientId, 'logged', { email, phone_number: phone });
  const smsCode = t.smsCodeFor(phone);
  await t.call('POST', '/v1/me/attributes/email/verification-code', undefined, tokens.accessToken);
  const emailCode = await t.smtp.codeFor(email);
  await t.call('POST', '/v1/me/attributes/email/verify', { confirmationCode: emailCode }, tokens.accessToken);
  await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken });
  await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'logged', password: 'Wr0ng-secret!' });
  const invited = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'invitee',
    temporaryPassword: 'Temp-passw0rd!',
    userAttributes: { email: uniqueEmail('invitee') },
  });
  assert.equal(invited.status, 201);
  // A request that fails inside a handler is logged too.
  await t.call('POST', '/v1/sign-up', { clientId, username: 'logged', password: PASSWORD, userAttributes: { email } });

  const completed = t.logs.filter((e) => e.msg === 'request completed');
  assert.ok(completed.length >= 8, 'every request is logged');
  assert.ok(
    completed.every((e) => typeof e.reqId === 'string' && e.reqId.length > 0),
    'with a request id',
  );
  // One line a request, with what was asked and how it was answered.
  const signIns = (
    completed as Array<{
      req?: { method?: string; url?: string };
      res?: { statusCode?: number };
      responseTime?: unknown;
    }>
  ).filter((e) => e.req?.url === '/v1/auth/sign-in');
  assert.deepEqual(
    signIns.map((e) => [e.req?.method, e.res?.statusCode]),
    [
      ['POST', 200],
      ['POST', 401],
    ],
  );
  assert.ok(signIns.every((e) => typeof e.responseTime === 'number'));
  assert.equal(t.logs.filter((e) => e.msg === 'incoming request').length, 0);
  const text = JSON.stringify(t.logs);
  const secrets = {
    PASSWORD,
    wrong: 'Wr0ng-secret!',
    temporary: 'Temp-passw0rd!',
    smsCode,
    emailCode,
    access: tokens.accessToken,
    id: tokens.idToken,
    refresh: tokens.refreshToken,
    ADMIN_KEY,
  };
  for (const [name, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `the log holds the ${name}`);
  // The authorization header is logged, if at all, redacted.
  assert.ok(!/Bearer\s+[A-Za-z0-9]/.test(text));
});
