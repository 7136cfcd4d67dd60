/**
 * Multi-factor authentication on the REST face (docs/mfa.md): the pool's setting
 * (/v1/pools/{poolId}/mfa-config), a user's factors (/v1/me/mfa, the admin's …/users/{u}/mfa),
 * TOTP with an access token and during MFA_SETUP, the challenges answered at
 * /v1/auth/respond-to-challenge; and the attacker's view: lockout per user and source, single-use
 * sessions and codes, a password reset ending a pending sign-in, PostAuthentication only after MFA.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { userMfa } from '../../src/db/schema/mfa.ts';
import { createPoolWithClient, PASSWORD, startTestApp, type TestApp, type TestResponse } from '../support/app.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { assertProblem, mailsTo, newCodeFor, otherCode, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: TestApp;
let hook: HookServer;
let poolId: string;
let clientId: string;

/** The server's clock, moved by the test of session expiry (sessions, lockout and TOTP steps follow it). */
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

const totp = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: now().getTime() + steps * 30_000,
  });

before(async () => {
  t = await startTestApp({}, { now });
  hook = await startHookServer();
  const created = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    hooks: { postAuthentication: hook.url, customMessage: hook.url },
  });
  poolId = created.poolId;
  clientId = created.clientId;
  const set = await t.admin('PUT', `/v1/pools/${poolId}/mfa-config`, {
    mfaConfiguration: 'OPTIONAL',
    factors: { sms: true, softwareToken: true, email: true },
  });
  assert.equal(set.status, 200, JSON.stringify(set.body));
});
after(async () => {
  await hook?.close();
  await t?.close();
});

/** A JSON request from a given client address (the lockout is kept per user and source). */
async function from(ip: string, method: string, url: string, body?: unknown, token?: string): Promise<TestResponse> {
  const res = await t.app.inject({
    method: method as 'POST',
    url,
    remoteAddress: ip,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
}

/** A confirmed user (code by mail), signed in without MFA: the access token. */
async function newUser(username: string, attributes: Record<string, string> = {}) {
  const email = attributes.email ?? uniqueEmail(username);
  const seen = mailsTo(t, email);
  const up = await t.call('POST', '/v1/sign-up', {
    clientId,
    username,
    password: PASSWORD,
    userAttributes: { email, ...attributes },
  });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const code = await newCodeFor(t, email, seen);
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username, confirmationCode: code })).status,
    200,
  );
  const signIn = await t.call('POST', '/v1/auth/sign-in', { clientId, username, password: PASSWORD });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  assert.ok(signIn.body.accessToken, 'no MFA yet');
  return { accessToken: signIn.body.accessToken as string, email };
}

/** TOTP set up with the access token (step 0 used), turned on and preferred; the secret. */
async function withTotp(accessToken: string) {
  const associated = await t.call('POST', '/v1/me/mfa/totp', undefined, accessToken);
  assert.equal(associated.status, 200, JSON.stringify(associated.body));
  const secret = associated.body.secretCode as string;
  const verified = await t.call('POST', '/v1/me/mfa/totp/verify', { userCode: totp(secret) }, accessToken);
  assert.deepEqual(verified.body, { status: 'SUCCESS' });
  const set = await t.call('PUT', '/v1/me/mfa', { softwareToken: { enabled: true, preferred: true } }, accessToken);
  assert.deepEqual(set.body, {
    enabled: ['SOFTWARE_TOKEN_MFA'],
    preferred: 'SOFTWARE_TOKEN_MFA',
    softwareTokenVerified: true,
  });
  return secret;
}

const signIn = (username: string, ip = '10.0.0.1', password = PASSWORD) =>
  from(ip, 'POST', '/v1/auth/sign-in', { clientId, username, password });
const answer = (body: Record<string, unknown>, ip = '10.0.0.1') =>
  from(ip, 'POST', '/v1/auth/respond-to-challenge', { clientId, ...body });

describe('the pool’s setting (admin)', () => {
  it('GET and PUT mfa-config; the texts are the pool’s AUTHENTICATION templates; bad settings change nothing', async () => {
    const { poolId: id } = await createPoolWithClient(t);
    const initial = await t.admin('GET', `/v1/pools/${id}/mfa-config`);
    assert.deepEqual(initial.body, {
      mfaConfiguration: 'OFF',
      factors: { sms: false, softwareToken: false, email: false },
    });
    const set = await t.admin('PUT', `/v1/pools/${id}/mfa-config`, {
      mfaConfiguration: 'ON',
      factors: { softwareToken: true, email: true },
      emailSubject: 'Code',
      emailMessage: 'Your code: {####}',
      smsAuthenticationMessage: 'SMS code {####}',
    });
    assert.deepEqual(set.body, {
      mfaConfiguration: 'ON',
      factors: { sms: false, softwareToken: true, email: true },
      smsAuthenticationMessage: 'SMS code {####}',
      emailMessage: 'Your code: {####}',
      emailSubject: 'Code',
    });
    const templates = await t.admin('GET', `/v1/pools/${id}/message-templates`);
    assert.deepEqual(templates.body.AUTHENTICATION.default, {
      emailSubject: 'Code',
      emailText: 'Your code: {####}',
      smsText: 'SMS code {####}',
    });
    assertProblem(
      await t.admin('PUT', `/v1/pools/${id}/mfa-config`, { mfaConfiguration: 'OPTIONAL', factors: {} }),
      400,
      'InvalidParameterException',
      'needs at least one factor',
    );
    assertProblem(
      await t.admin('PUT', `/v1/pools/${id}/mfa-config`, {
        mfaConfiguration: 'OPTIONAL',
        factors: { sms: true },
        emailMessage: 'no placeholder',
      }),
      400,
      'InvalidParameterException',
      '{####}',
    );
    assertProblem(
      await t.admin('PUT', `/v1/pools/${id}/mfa-config`, { mfaConfiguration: 'OFF', factors: { webAuthn: true } }),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await t.admin('PUT', `/v1/pools/local_nothere00/mfa-config`, { mfaConfiguration: 'OFF', factors: {} }),
      404,
      'ResourceNotFoundException',
    );
    assert.equal((await t.admin('GET', `/v1/pools/${id}/mfa-config`)).body.mfaConfiguration, 'ON');
    assert.equal((await t.call('GET', `/v1/pools/${id}/mfa-config`)).status, 401);
  });
});

describe('a user’s factors and TOTP', () => {
  it('/v1/me/mfa: TOTP set up, verified, preferred; bad codes and bad preferences are refused', async () => {
    const { accessToken } = await newUser('rest-ann');
    assert.deepEqual((await t.call('GET', '/v1/me/mfa', undefined, accessToken)).body, {
      enabled: [],
      preferred: null,
      softwareTokenVerified: false,
    });
    assertProblem(
      await t.call('PUT', '/v1/me/mfa', { softwareToken: { enabled: true } }, accessToken),
      400,
      'InvalidParameterException',
      'not verified',
    );
    assertProblem(
      await t.call('POST', '/v1/me/mfa/totp/verify', { userCode: '123456' }, accessToken),
      400,
      'InvalidParameterException',
      'AssociateSoftwareToken first',
    );
    const associated = await t.call('POST', '/v1/me/mfa/totp', undefined, accessToken);
    assertProblem(
      await t.call(
        'POST',
        '/v1/me/mfa/totp/verify',
        { userCode: otherCode(totp(associated.body.secretCode)) },
        accessToken,
      ),
      400,
      'EnableSoftwareTokenMFAException',
    );
    assertProblem(
      await t.call('POST', '/v1/me/mfa/totp/verify', { userCode: 'abcdef' }, accessToken),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await t.call('PUT', '/v1/me/mfa', { sms: { enabled: true } }, accessToken),
      400,
      'InvalidParameterException',
      'phone_number',
    );
    assertProblem(
      await t.call('PUT', '/v1/me/mfa', { push: { enabled: true } }, accessToken),
      400,
      'InvalidParameterException',
    );
    assert.equal((await t.call('GET', '/v1/me/mfa')).status, 401);
    const verified = await t.call(
      'POST',
      '/v1/me/mfa/totp/verify',
      { userCode: totp(associated.body.secretCode), friendlyDeviceName: 'laptop' },
      accessToken,
    );
    assert.deepEqual(verified.body, { status: 'SUCCESS' });
    const set = await t.call('PUT', '/v1/me/mfa', { softwareToken: { enabled: true, preferred: true } }, accessToken);
    assert.deepEqual(set.body, {
      enabled: ['SOFTWARE_TOKEN_MFA'],
      preferred: 'SOFTWARE_TOKEN_MFA',
      softwareTokenVerified: true,
    });
    // At rest the secret is sealed: neither it nor its bytes are in the row.
    const me = await t.call('GET', '/v1/me', undefined, accessToken);
    const [row] = await t.database.db.select().from(userMfa).where(eq(userMfa.userId, me.body.userSub));
    assert.match(row!.totpSecret!, /^v1\./);
    assert.ok(!row!.totpSecret!.includes(associated.body.secretCode));
    assert.equal(row!.totpPendingSecret, null);
    assert.equal(row!.totpDeviceName, 'laptop');
    const trail = await t.admin('GET', `/v1/pools/${poolId}/users/rest-ann/audit`);
    const actions = trail.body.events.map((e: { action: string }) => e.action);
    assert.deepEqual(actions.slice(0, 2), ['SET_MFA_PREFERENCE', 'SET_UP_SOFTWARE_TOKEN']);
    assert.deepEqual(trail.body.events[1].details, { mfa: { softwareToken: 'set_up' } });
    assert.equal(trail.body.events[0].actor.kind, 'user');
  });

  it('the admin sets a user’s factors; an unknown user is 404', async () => {
    const { email } = await newUser('rest-admin-bo', { phone_number: uniquePhone() });
    const set = await t.admin('PUT', `/v1/pools/${poolId}/users/rest-admin-bo/mfa`, {
      sms: { enabled: true },
      email: { enabled: true, preferred: true },
    });
    assert.deepEqual(set.body, {
      enabled: ['SMS_MFA', 'EMAIL_OTP'],
      preferred: 'EMAIL_OTP',
      softwareTokenVerified: false,
    });
    assert.deepEqual((await t.admin('GET', `/v1/pools/${poolId}/users/rest-admin-bo/mfa`)).body, set.body);
    // On the user's audit trail: who changed which factor.
    const trail = await t.admin('GET', `/v1/pools/${poolId}/users/rest-admin-bo/audit`);
    const event = trail.body.events.find((e: { action: string }) => e.action === 'ADMIN_SET_MFA_PREFERENCE');
    assert.deepEqual(event?.actor, { kind: 'admin', clientId: null });
    assert.deepEqual(event?.details, {
      mfa: { enabled: { from: [], to: ['SMS_MFA', 'EMAIL_OTP'] }, preferred: { from: null, to: 'EMAIL_OTP' } },
    });
    assertProblem(
      await t.admin('PUT', `/v1/pools/${poolId}/users/nobody-at-all/mfa`, { sms: { enabled: true } }),
      404,
      'UserNotFoundException',
    );
    // The preferred factor is asked for: an EMAIL_OTP challenge, answered like USER_AUTH's.
    const started = await signIn('rest-admin-bo');
    assert.equal(started.body.challengeName, 'EMAIL_OTP');
    const code = await newCodeFor(t, email, mailsTo(t, email) - 1);
    // The code's message went through the CustomMessage hook as Cognito's CustomMessage_Authentication.
    const custom = hook.requests.filter(
      (r) => r.body.triggerSource === 'CustomMessage_Authentication' && r.body.userName === 'rest-admin-bo',
    );
    assert.equal(custom.length, 1);
    assert.equal(custom[0]!.body.request.codeParameter, '{####}');
    const done = await answer({ challengeName: 'EMAIL_OTP', session: started.body.session, code });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(done.body.accessToken);
  });
});

describe('the challenges on the REST face', () => {
  it('SOFTWARE_TOKEN_MFA: PostAuthentication only after the code; the session and the code are single use', async () => {
    const { accessToken } = await newUser('rest-cy');
    const secret = await withTotp(accessToken);
    const postAuthentications = () =>
      hook.requests.filter(
        (r) => r.body.triggerSource === 'PostAuthentication_Authentication' && r.body.userName === 'rest-cy',
      ).length;
    const before = postAuthentications();
    const started = await signIn('rest-cy');
    assert.equal(started.status, 200);
    assert.equal(started.body.challengeName, 'SOFTWARE_TOKEN_MFA');
    assert.equal(started.body.accessToken, undefined);
    assert.equal(postAuthentications(), before, 'no PostAuthentication before the second factor');
    const code = totp(secret, 1);
    const done = await answer({ challengeName: 'SOFTWARE_TOKEN_MFA', session: started.body.session, code });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(done.body.accessToken);
    assert.equal(postAuthentications(), before + 1);
    assertProblem(
      await answer({ challengeName: 'SOFTWARE_TOKEN_MFA', session: started.body.session, code }),
      401,
      'NotAuthorizedException',
      'session is expired',
    );
    const again = await signIn('rest-cy');
    assertProblem(
      await answer({ challengeName: 'SOFTWARE_TOKEN_MFA', session: again.body.session, code }),
      400,
      'CodeMismatchException',
    );
  });

  it('wrong codes count in the lockout of that user from that address only: another address still signs in', async () => {
    const { accessToken } = await newUser('rest-dee');
    const secret = await withTotp(accessToken);
    const attacker = '10.6.6.6';
    // The attacker knows the password; five wrong codes, over two sessions.
    let session = (await signIn('rest-dee', attacker)).body.session;
    for (let i = 0; i < 5; i++) {
      if (i === 3) session = (await signIn('rest-dee', attacker)).body.session;
      assertProblem(
        await answer({ challengeName: 'SOFTWARE_TOKEN_MFA', session, code: otherCode(totp(secret, 1)) }, attacker),
        400,
        'CodeMismatchException',
      );
    }
    // That address is locked now: its next sign-in is refused before the password is looked at.
    assertProblem(await signIn('rest-dee', attacker), 401, 'NotAuthorizedException', 'Password attempts exceeded');
    // The user, elsewhere, is not.
    const mine = await signIn('rest-dee', '10.1.1.1');
    assert.equal(mine.body.challengeName, 'SOFTWARE_TOKEN_MFA');
    const done = await answer(
      { challengeName: 'SOFTWARE_TOKEN_MFA', session: mine.body.session, code: totp(secret, 1) },
      '10.1.1.1',
    );
    assert.equal(done.status, 200, JSON.stringify(done.body));
  });

  it('SELECT_MFA_TYPE then SMS_MFA; an answer of another flow’s shape is refused', async () => {
    const phone = uniquePhone();
    const { accessToken } = await newUser('rest-eve', { phone_number: phone });
    await t.call('PUT', '/v1/me/mfa', { sms: { enabled: true }, email: { enabled: true } }, accessToken);
    const started = await signIn('rest-eve');
    assert.equal(started.body.challengeName, 'SELECT_MFA_TYPE');
    assert.deepEqual(JSON.parse(started.body.challengeParameters.MFAS_CAN_CHOOSE), ['SMS_MFA', 'EMAIL_OTP']);
    assertProblem(
      await answer({ challengeName: 'SELECT_MFA_TYPE', session: started.body.session, answer: 'PUSH' }),
      400,
      'InvalidParameterException',
    );
    const chosen = await answer({ challengeName: 'SELECT_MFA_TYPE', session: started.body.session, answer: 'SMS_MFA' });
    assert.equal(chosen.body.challengeName, 'SMS_MFA', JSON.stringify(chosen.body));
    assert.equal(chosen.body.challengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
    const code = t.smsCodeFor(phone);
    const done = await answer({ challengeName: 'SMS_MFA', session: chosen.body.session, code });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(done.body.accessToken);
  });

  it('OPTIONAL: a user whose only factor can no longer reach them gets MFA_SETUP, never the password alone', async () => {
    const phone = uniquePhone();
    const { accessToken } = await newUser('rest-fail-closed', { phone_number: phone });
    const set = await t.call('PUT', '/v1/me/mfa', { sms: { enabled: true, preferred: true } }, accessToken);
    assert.deepEqual(set.body.enabled, ['SMS_MFA']);
    // The phone number goes (with a session already won); SMS can no longer reach the user.
    const deleted = await t.call('DELETE', '/v1/me/attributes?name=phone_number', undefined, accessToken);
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    const started = await signIn('rest-fail-closed');
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.accessToken, undefined, 'the password alone must not be enough');
    assert.equal(started.body.challengeName, 'MFA_SETUP');
  });

  it('codes by email or SMS follow the pool’s hourly cap, per user and address: another address still gets one', async () => {
    const { accessToken, email } = await newUser('rest-mfa-cap');
    await t.call('PUT', '/v1/me/mfa', { email: { enabled: true, preferred: true } }, accessToken);
    const perHour = (await t.services.pools.getPool(poolId)).policies.codes.sendsPerHour;
    const seen = mailsTo(t, email);
    for (let i = 0; i < perHour; i += 1) {
      const started = await signIn('rest-mfa-cap', '10.8.0.1');
      assert.equal(started.body.challengeName, 'EMAIL_OTP', JSON.stringify(started.body));
    }
    assertProblem(await signIn('rest-mfa-cap', '10.8.0.1'), 429, 'LimitExceededException');
    // The user, from elsewhere, still gets a code and signs in with it.
    const own = await signIn('rest-mfa-cap', '10.8.0.2');
    assert.equal(own.body.challengeName, 'EMAIL_OTP', JSON.stringify(own.body));
    const code = await newCodeFor(t, email, seen + perHour);
    const done = await answer({ challengeName: 'EMAIL_OTP', session: own.body.session, code }, '10.8.0.2');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(done.body.accessToken);
  });

  it('a password reset ends a sign-in waiting for its second factor; the factors stay', async () => {
    const { accessToken, email } = await newUser('rest-fay');
    const secret = await withTotp(accessToken);
    const pending = await signIn('rest-fay');
    assert.equal(pending.body.challengeName, 'SOFTWARE_TOKEN_MFA');
    const seen = mailsTo(t, email);
    assert.equal((await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'rest-fay' })).status, 200);
    const code = await newCodeFor(t, email, seen);
    const reset = await t.call('POST', '/v1/auth/forgot-password/confirm', {
      clientId,
      username: 'rest-fay',
      confirmationCode: code,
      password: 'N3w-Passw0rd!',
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assertProblem(
      await answer({ challengeName: 'SOFTWARE_TOKEN_MFA', session: pending.body.session, code: totp(secret, 1) }),
      401,
      'NotAuthorizedException',
      'session is expired',
    );
    const next = await signIn('rest-fay', '10.0.0.1', 'N3w-Passw0rd!');
    assert.equal(next.body.challengeName, 'SOFTWARE_TOKEN_MFA');
  });

  it('MFA_SETUP (pool ON): TOTP set up with the session at /v1/auth/mfa-setup/totp, then MFA_SETUP answers tokens', async () => {
    const created = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    await t.admin('PUT', `/v1/pools/${created.poolId}/mfa-config`, {
      mfaConfiguration: 'ON',
      factors: { softwareToken: true },
    });
    const email = uniqueEmail('setup');
    const seen = mailsTo(t, email);
    await t.call('POST', '/v1/sign-up', {
      clientId: created.clientId,
      username: 'rest-gus',
      password: PASSWORD,
      userAttributes: { email },
    });
    const code = await newCodeFor(t, email, seen);
    await t.call('POST', '/v1/sign-up/confirm', {
      clientId: created.clientId,
      username: 'rest-gus',
      confirmationCode: code,
    });
    const started = await t.call('POST', '/v1/auth/sign-in', {
      clientId: created.clientId,
      username: 'rest-gus',
      password: PASSWORD,
    });
    assert.equal(started.body.challengeName, 'MFA_SETUP');
    assert.deepEqual(JSON.parse(started.body.challengeParameters.MFAS_CAN_SETUP), ['SOFTWARE_TOKEN_MFA']);
    assertProblem(
      await t.call('POST', '/v1/auth/respond-to-challenge', {
        clientId: created.clientId,
        challengeName: 'MFA_SETUP',
        session: started.body.session,
        email,
      }),
      400,
      'InvalidParameterException',
      'not enabled',
    );
    const associated = await t.call('POST', '/v1/auth/mfa-setup/totp', { session: started.body.session });
    assert.equal(associated.status, 200, JSON.stringify(associated.body));
    const verified = await t.call('POST', '/v1/auth/mfa-setup/totp/verify', {
      session: associated.body.session,
      userCode: totp(associated.body.secretCode),
    });
    assert.equal(verified.body.status, 'SUCCESS');
    const done = await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId: created.clientId,
      challengeName: 'MFA_SETUP',
      session: verified.body.session,
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(done.body.accessToken);
    assertProblem(
      await t.call('POST', '/v1/auth/mfa-setup/totp', { session: started.body.session }),
      401,
      'NotAuthorizedException',
    );
  });

  it('a session lives the client’s authSessionValidity minutes; ON with SMS sends a user with a phone number a code at once', async () => {
    const created = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] }, { authSessionValidity: 3 });
    await t.admin('PUT', `/v1/pools/${created.poolId}/mfa-config`, { mfaConfiguration: 'ON', factors: { sms: true } });
    const phone = uniquePhone();
    const email = uniqueEmail('expiry');
    const seen = mailsTo(t, email);
    await t.call('POST', '/v1/sign-up', {
      clientId: created.clientId,
      username: 'rest-hal',
      password: PASSWORD,
      userAttributes: { email, phone_number: phone },
    });
    const code = await newCodeFor(t, email, seen);
    await t.call('POST', '/v1/sign-up/confirm', {
      clientId: created.clientId,
      username: 'rest-hal',
      confirmationCode: code,
    });
    const signInHal = () =>
      t.call('POST', '/v1/auth/sign-in', { clientId: created.clientId, username: 'rest-hal', password: PASSWORD });
    // No factor on, MFA required, SMS offered and a phone number: SMS_MFA straight away, as in Cognito.
    const first = await signInHal();
    assert.equal(first.body.challengeName, 'SMS_MFA', JSON.stringify(first.body));
    const sms = t.smsCodeFor(phone);
    try {
      offsetMs = 3 * 60_000 + 1_000;
      assertProblem(
        await t.call('POST', '/v1/auth/respond-to-challenge', {
          clientId: created.clientId,
          challengeName: 'SMS_MFA',
          session: first.body.session,
          code: sms,
        }),
        401,
        'NotAuthorizedException',
        'session is expired',
      );
    } finally {
      offsetMs = 0;
    }
    const second = await signInHal();
    const done = await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId: created.clientId,
      challengeName: 'SMS_MFA',
      session: second.body.session,
      code: t.smsCodeFor(phone),
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    // The first sign-in's code belonged to that sign-in only.
    const third = await signInHal();
    assertProblem(
      await t.call('POST', '/v1/auth/respond-to-challenge', {
        clientId: created.clientId,
        challengeName: 'SMS_MFA',
        session: third.body.session,
        code: sms === t.smsCodeFor(phone) ? otherCode(sms) : sms,
      }),
      400,
      'CodeMismatchException',
    );
  });
});
