/**
 * Choice-based and passwordless sign-in on the REST face (docs/passwordless.md, docs/api.md):
 * POST /v1/auth/user-auth, its answers at /v1/auth/respond-to-challenge, GET /v1/me/auth-factors,
 * and the pool's signInPolicy; codes from the captured mail and the Twilio stand-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, mailsTo, newCodeFor, otherCode, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

/** A pool with email (and phone) codes allowed, a client for sign-up and one for USER_AUTH only. */
async function setUp(options: { factors?: string[]; hidden?: boolean } = {}) {
  const { poolId, clientId, pool } = await createPoolWithClient(
    t,
    {
      autoVerifiedAttributes: ['email'],
      signInPolicy: { allowedFirstAuthFactors: options.factors ?? ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] },
    },
    { preventUserExistenceErrors: options.hidden ?? false },
  );
  const only = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'user-auth',
    explicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    preventUserExistenceErrors: options.hidden ?? false,
  });
  assert.equal(only.status, 201);
  return { poolId, clientId, pool, userAuthClient: only.body.clientId as string };
}

async function emailCode(clientId: string, username: string, email: string) {
  const seen = mailsTo(t, email);
  const started = await t.call('POST', '/v1/auth/user-auth', { clientId, username, preferredChallenge: 'EMAIL_OTP' });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  assert.equal(started.body.challengeName, 'EMAIL_OTP');
  return { session: started.body.session as string, code: await newCodeFor(t, email, seen), body: started.body };
}

const answer = (body: Record<string, unknown>) => t.call('POST', '/v1/auth/respond-to-challenge', body);

describe('the pool’s signInPolicy', () => {
  test('set at creation, shown, replaced by PATCH; WEB_AUTHN and a policy without PASSWORD are refused', async () => {
    const { poolId, pool } = await setUp({ factors: ['PASSWORD', 'EMAIL_OTP'] });
    assert.deepEqual(pool.signInPolicy, { allowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] });
    const patched = await t.admin('PATCH', `/v1/pools/${poolId}`, {
      signInPolicy: { allowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.signInPolicy, { allowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] });
    const passkeys = await t.admin('PATCH', `/v1/pools/${poolId}`, {
      signInPolicy: { allowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] },
      srpEnabled: true,
    });
    assertProblem(passkeys, 400, 'InvalidParameterException', 'WEB_AUTHN is not supported by Cognate (yet)');
    // Nothing changed: not the policy, not SRP.
    const shown = await t.admin('GET', `/v1/pools/${poolId}`);
    assert.deepEqual(shown.body.signInPolicy, { allowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] });
    assert.equal(shown.body.srpEnabled, false);
    const created = await t.admin('POST', '/v1/pools', {
      name: 'no-password',
      signInPolicy: { allowedFirstAuthFactors: ['EMAIL_OTP'] },
    });
    assertProblem(created, 400, 'InvalidParameterException', 'must include PASSWORD');
    const plain = await createPoolWithClient(t);
    assert.deepEqual(plain.pool.signInPolicy, { allowedFirstAuthFactors: ['PASSWORD'] });
  });
});

describe('POST /v1/auth/user-auth', () => {
  test('EMAIL_OTP: a code by mail, answered once, signs in', async () => {
    const { clientId, userAuthClient } = await setUp();
    const email = uniqueEmail('rest-otp');
    await signedInUser(t, clientId, 'rest-otp', { email });
    const { session, code, body } = await emailCode(userAuthClient, 'rest-otp', email);
    assert.equal(body.challengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
    const wrong = await answer({
      clientId: userAuthClient,
      challengeName: 'EMAIL_OTP',
      session,
      code: otherCode(code),
    });
    assertProblem(wrong, 400, 'CodeMismatchException');
    const signedIn = await answer({ clientId: userAuthClient, challengeName: 'EMAIL_OTP', session, code });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.ok(signedIn.body.accessToken);
    const replayed = await answer({ clientId: userAuthClient, challengeName: 'EMAIL_OTP', session, code });
    assertProblem(replayed, 401, 'NotAuthorizedException', 'Invalid session');

    const factors = await t.call('GET', '/v1/me/auth-factors', undefined, signedIn.body.accessToken);
    assert.equal(factors.status, 200);
    assert.deepEqual(factors.body, {
      username: 'rest-otp',
      preferredMfaSetting: null,
      userMfaSettingList: [],
      configuredUserAuthFactors: ['PASSWORD', 'EMAIL_OTP'],
    });
    assertProblem(await t.call('GET', '/v1/me/auth-factors'), 401, 'NotAuthorizedException');
  });

  test('SELECT_CHALLENGE, then PASSWORD or SMS_OTP', async () => {
    const { clientId, userAuthClient } = await setUp();
    const phone = uniquePhone();
    await signedInUser(t, clientId, 'rest-sel', { email: uniqueEmail('rest-sel'), phone_number: phone });
    // The phone is not verified (only email is auto-verified): no SMS_OTP yet.
    const select = await t.call('POST', '/v1/auth/user-auth', { clientId: userAuthClient, username: 'rest-sel' });
    assert.equal(select.body.challengeName, 'SELECT_CHALLENGE');
    assert.deepEqual(select.body.availableChallenges, ['PASSWORD', 'EMAIL_OTP']);
    const signedIn = await answer({
      clientId: userAuthClient,
      challengeName: 'SELECT_CHALLENGE',
      session: select.body.session,
      answer: 'PASSWORD',
      password: PASSWORD,
    });
    assert.ok(signedIn.body.accessToken, JSON.stringify(signedIn.body));

    // Verify the phone, then SMS_OTP is offered and works.
    const sent = await t.call(
      'POST',
      '/v1/me/attributes/phone_number/verification-code',
      {},
      signedIn.body.accessToken,
    );
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const verified = await t.call(
      'POST',
      '/v1/me/attributes/phone_number/verify',
      { confirmationCode: t.smsCodeFor(phone) },
      signedIn.body.accessToken,
    );
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    const again = await t.call('POST', '/v1/auth/user-auth', { clientId: userAuthClient, username: 'rest-sel' });
    assert.deepEqual(again.body.availableChallenges, ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP']);
    const chosen = await answer({
      clientId: userAuthClient,
      challengeName: 'SELECT_CHALLENGE',
      session: again.body.session,
      answer: 'SMS_OTP',
    });
    assert.equal(chosen.body.challengeName, 'SMS_OTP', JSON.stringify(chosen.body));
    const done = await answer({
      clientId: userAuthClient,
      challengeName: 'SMS_OTP',
      session: chosen.body.session,
      code: t.smsCodeFor(phone),
    });
    assert.ok(done.body.accessToken, JSON.stringify(done.body));
  });

  test('PASSWORD preferred; a wrong one is refused', async () => {
    const { clientId, userAuthClient } = await setUp({ factors: ['PASSWORD'] });
    await signedInUser(t, clientId, 'rest-pw', { email: uniqueEmail('rest-pw') });
    const body = { clientId: userAuthClient, username: 'rest-pw', preferredChallenge: 'PASSWORD' };
    const wrong = await t.call('POST', '/v1/auth/user-auth', { ...body, password: 'Wrong-passw0rd!' });
    assertProblem(wrong, 401, 'NotAuthorizedException', 'Incorrect username or password.');
    const right = await t.call('POST', '/v1/auth/user-auth', { ...body, password: PASSWORD });
    assert.ok(right.body.accessToken, JSON.stringify(right.body));
  });

  test('refusals: a client without ALLOW_USER_AUTH, a factor the pool does not allow, bad bodies', async () => {
    const { poolId, userAuthClient } = await setUp({ factors: ['PASSWORD', 'EMAIL_OTP'] });
    const passwordOnly = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
      name: 'pw',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
    });
    const notAllowed = await t.call('POST', '/v1/auth/user-auth', {
      clientId: passwordOnly.body.clientId,
      username: 'anyone',
    });
    assertProblem(notAllowed, 400, 'InvalidParameterException', 'USER_AUTH flow not enabled for this client');
    const sms = await t.call('POST', '/v1/auth/user-auth', {
      clientId: userAuthClient,
      username: 'anyone',
      preferredChallenge: 'SMS_OTP',
    });
    assertProblem(sms, 400, 'InvalidParameterException', 'SMS_OTP is not an allowed first auth factor');
    const webAuthn = await t.call('POST', '/v1/auth/user-auth', {
      clientId: userAuthClient,
      username: 'anyone',
      preferredChallenge: 'WEB_AUTHN',
    });
    assertProblem(webAuthn, 400, 'InvalidParameterException');
    const unknown = await t.call('POST', '/v1/auth/user-auth', { clientId: userAuthClient, username: 'nobody' });
    assertProblem(unknown, 404, 'UserNotFoundException');
    const forged = await answer({
      clientId: userAuthClient,
      challengeName: 'EMAIL_OTP',
      session: 'user-auth.forged-session-token',
      code: '123456',
    });
    assertProblem(forged, 401, 'NotAuthorizedException', 'Invalid session');
  });

  test('where existence is hidden, an unknown user gets the same answers and no mail is sent', async () => {
    const { clientId, userAuthClient } = await setUp({ hidden: true });
    const email = uniqueEmail('rest-hid');
    await signedInUser(t, clientId, 'rest-hid', { email });
    const known = await t.call('POST', '/v1/auth/user-auth', { clientId: userAuthClient, username: 'rest-hid' });
    const unknown = await t.call('POST', '/v1/auth/user-auth', { clientId: userAuthClient, username: 'rest-nobody' });
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.body.availableChallenges, known.body.availableChallenges);
    const mails = t.smtp.messages.length;
    const standIn = await t.call('POST', '/v1/auth/user-auth', {
      clientId: userAuthClient,
      username: 'rest-nobody',
      preferredChallenge: 'EMAIL_OTP',
    });
    assert.equal(standIn.status, 200);
    assert.equal(standIn.body.challengeName, 'EMAIL_OTP');
    assert.deepEqual(Object.keys(standIn.body.challengeParameters).sort(), [
      'CODE_DELIVERY_DELIVERY_MEDIUM',
      'CODE_DELIVERY_DESTINATION',
      'USERNAME',
    ]);
    assert.equal(t.smtp.messages.length, mails);
    const wrong = await answer({
      clientId: userAuthClient,
      challengeName: 'EMAIL_OTP',
      session: standIn.body.session,
      code: '123456',
    });
    assertProblem(wrong, 400, 'CodeMismatchException');
  });
});

describe('limits', () => {
  test('one address using up a user’s codes does not stop the user signing in from another', async () => {
    const { poolId, clientId, userAuthClient } = await setUp();
    const email = uniqueEmail('rest-cap');
    await signedInUser(t, clientId, 'rest-cap', { email });
    const perHour = (await t.services.pools.getPool(poolId)).policies.codes.sendsPerHour;
    const start = async (ip: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/user-auth',
        remoteAddress: ip,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ clientId: userAuthClient, username: 'rest-cap', preferredChallenge: 'EMAIL_OTP' }),
      });
      return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
    };
    const seen = mailsTo(t, email);
    for (let i = 0; i < perHour; i += 1) assert.equal((await start('10.7.0.1')).status, 200);
    assertProblem(await start('10.7.0.1'), 429, 'LimitExceededException');
    assert.equal(mailsTo(t, email), seen + perHour, 'no mail past the cap');
    // The user, elsewhere, still gets a code and signs in with it.
    const own = await start('10.7.0.2');
    assert.equal(own.status, 200, JSON.stringify(own.body));
    const code = await newCodeFor(t, email, seen + perHour);
    const signedIn = await answer({
      clientId: userAuthClient,
      challengeName: 'EMAIL_OTP',
      session: own.body.session,
      code,
    });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.ok(signedIn.body.accessToken);
  });
});
