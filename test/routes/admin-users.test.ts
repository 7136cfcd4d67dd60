import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPoolWithClient, decodeJwt, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

/** The temporary password in the invitation mail (the `{####}` of the template). */
async function invitationPassword(email: string): Promise<string> {
  const mail = await t.smtp.waitFor((m) => m.to.some((a) => a.toLowerCase() === email.toLowerCase()));
  const match = /password is (\S+?)\.?\s/i.exec(mail.text) ?? /:\s*(\S+)\s*$/m.exec(mail.text);
  assert.ok(match, `no temporary password found in: ${mail.text}`);
  return match[1]!;
}

test('an invited user signs in with the mailed temporary password, must set a new one, then gets tokens', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const email = uniqueEmail('invited');
  const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'invited',
    userAttributes: { email, email_verified: 'true', given_name: 'Ivy' },
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.userStatus, 'FORCE_CHANGE_PASSWORD');
  assert.equal(created.body.attributes.email_verified, 'true');

  const temporary = await invitationPassword(email);
  const challenge = await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'invited', password: temporary });
  assert.equal(challenge.status, 200);
  assert.equal(challenge.body.challengeName, 'NEW_PASSWORD_REQUIRED');
  assert.deepEqual(challenge.body.challengeParameters.requiredAttributes, []);
  assert.equal(challenge.body.accessToken, undefined);

  // The policy still holds for the new password; nothing changes on a refusal.
  assertProblem(
    await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId,
      challengeName: 'NEW_PASSWORD_REQUIRED',
      session: challenge.body.session,
      newPassword: 'short',
    }),
    400,
    'InvalidPasswordException',
  );
  const answered = await t.call('POST', '/v1/auth/respond-to-challenge', {
    clientId,
    challengeName: 'NEW_PASSWORD_REQUIRED',
    session: challenge.body.session,
    newPassword: 'Chosen-passw0rd',
  });
  assert.equal(answered.status, 200, JSON.stringify(answered.body));
  assert.equal(decodeJwt(answered.body.idToken)['cognito:username'], 'invited');
  const me = await t.call('GET', '/v1/me', undefined, answered.body.accessToken);
  assert.equal(me.body.userStatus, 'CONFIRMED');

  // The session was good once; the temporary password is gone.
  assertProblem(
    await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId,
      challengeName: 'NEW_PASSWORD_REQUIRED',
      session: challenge.body.session,
      newPassword: 'Another-passw0rd',
    }),
    401,
    'NotAuthorizedException',
    'session is expired',
  );
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'invited', password: temporary }),
    401,
    'NotAuthorizedException',
  );
  assert.equal(
    (await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'invited', password: 'Chosen-passw0rd' })).status,
    200,
  );
});

test('required attributes missing at creation must be given with the new password', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { schema: [{ name: 'family_name', required: true }] });
  const email = uniqueEmail('needs');
  assert.equal(
    (
      await t.admin('POST', `/v1/pools/${poolId}/users`, {
        username: 'needs',
        temporaryPassword: 'Temp-passw0rd',
        userAttributes: { email },
      })
    ).status,
    201,
  );
  const challenge = await t.call('POST', '/v1/auth/sign-in', {
    clientId,
    username: 'needs',
    password: 'Temp-passw0rd',
  });
  assert.deepEqual(challenge.body.challengeParameters.requiredAttributes, ['family_name']);
  const body = {
    clientId,
    challengeName: 'NEW_PASSWORD_REQUIRED',
    session: challenge.body.session,
    newPassword: 'Chosen-passw0rd',
  };
  assertProblem(
    await t.call('POST', '/v1/auth/respond-to-challenge', body),
    400,
    'InvalidParameterException',
    'Invalid attributes given, family_name is missing',
  );
  const answered = await t.call('POST', '/v1/auth/respond-to-challenge', {
    ...body,
    userAttributes: { family_name: 'Needham' },
  });
  assert.equal(answered.status, 200, JSON.stringify(answered.body));
  assert.equal(decodeJwt(answered.body.idToken).family_name, 'Needham');
});

test('a forged, foreign or malformed session is refused', async () => {
  const { poolId, clientId } = await createPoolWithClient(t);
  const other = await createPoolWithClient(t);
  await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'forge',
    temporaryPassword: 'Temp-passw0rd',
    messageAction: 'SUPPRESS',
  });
  const challenge = await t.call('POST', '/v1/auth/sign-in', {
    clientId,
    username: 'forge',
    password: 'Temp-passw0rd',
  });
  const session: string = challenge.body.session;
  const [payload, signature] = session.split('.');
  const tampered = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), e: 9999999999 })).toString('base64url')}.${signature}`;
  for (const [id, s] of [
    [clientId, tampered],
    [clientId, 'garbage'],
    [clientId, `${session}.x`],
    [other.clientId, session],
  ] as const) {
    assertProblem(
      await t.call('POST', '/v1/auth/respond-to-challenge', {
        clientId: id,
        challengeName: 'NEW_PASSWORD_REQUIRED',
        session: s,
        newPassword: 'Chosen-passw0rd',
      }),
      401,
      'NotAuthorizedException',
    );
  }
});

test('admin create: schema, conflicts, suppression and resend', async () => {
  const { poolId } = await createPoolWithClient(t, {
    aliasAttributes: ['email'],
    schema: [{ name: 'tenant', mutable: false }],
  });
  const email = uniqueEmail('taken');
  // Admin writes obey the schema: unknown attribute, bad format, sub.
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'x1', userAttributes: { 'custom:nope': '1' } }),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'x2', userAttributes: { phone_number: '555' } }),
    400,
    'InvalidParameterException',
    'Invalid phone number format.',
  );
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'x3', userAttributes: { sub: 'mine' } }),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'x4', temporaryPassword: 'weak' }),
    400,
    'InvalidPasswordException',
  );
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'x5',
      desiredDeliveryMediums: ['SMS'],
      userAttributes: { email },
    }),
    400,
    'InvalidParameterException',
    'no phone_number',
  );
  // Immutable custom attributes may be set at creation.
  const first = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'first',
    userAttributes: { email, email_verified: 'true', 'custom:tenant': 'acme' },
    messageAction: 'SUPPRESS',
  });
  assert.equal(first.status, 201);
  assert.equal(first.body.attributes['custom:tenant'], 'acme');
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'FIRST', messageAction: 'SUPPRESS' }),
    409,
    'UsernameExistsException',
  );
  // A verified alias another user holds: refused, unless forced (then the other user's flag drops).
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'second',
      userAttributes: { email, email_verified: 'true' },
      messageAction: 'SUPPRESS',
    }),
    409,
    'AliasExistsException',
  );
  const forced = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'second',
    userAttributes: { email, email_verified: 'true' },
    forceAliasCreation: true,
    messageAction: 'SUPPRESS',
  });
  assert.equal(forced.status, 201);
  assert.equal(t.smtp.messages.filter((m) => m.to.includes(email)).length, 0);

  // RESEND: a new temporary password by mail; not for users who already signed in.
  const resent = await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'second', messageAction: 'RESEND' });
  assert.equal(resent.status, 200);
  assert.ok(await invitationPassword(email));
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'ghost', messageAction: 'RESEND' }),
    404,
    'UserNotFoundException',
  );
  assertProblem(
    await t.call('POST', `/v1/pools/${poolId}/users`, { username: 'nokey' }),
    401,
    'NotAuthorizedException',
  );
});

test('operators see what was sent to a user, with every try, and never the code or password', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const email = uniqueEmail('watched');
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: 'watched',
    password: 'Passw0rd!',
    userAttributes: { email },
  });
  assert.equal(signUp.status, 201);
  const code = await t.smtp.codeFor(email);
  await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'watched' });
  const secondCode = await t.smtp.codeFor(email);

  const listed = await t.admin('GET', `/v1/pools/${poolId}/users/watched/messages`);
  assert.equal(listed.status, 200);
  const [latest, first] = listed.body.messages;
  assert.equal(listed.body.messages.length, 2);
  assert.deepEqual(
    {
      purpose: latest.purpose,
      medium: latest.medium,
      destination: latest.destination,
      status: latest.status,
      attempts: latest.attempts,
    },
    { purpose: 'SIGN_UP', medium: 'EMAIL', destination: email, status: 'sent', attempts: 1 },
  );
  assert.equal(latest.tries.length, 1);
  assert.equal(latest.tries[0].outcome, 'sent');
  assert.equal(latest.tries[0].channel, 'smtp');
  assert.ok(latest.tries[0].providerMessageId);
  assert.equal(first.status, 'sent');
  const text = JSON.stringify(listed.body);
  assert.ok(!text.includes(code) && !text.includes(secondCode), 'no code in the listing');

  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/watched/messages?limit=1`)).body.messages.length, 1);
  assertProblem(
    await t.admin('GET', `/v1/pools/${poolId}/users/watched/messages?limit=0`),
    400,
    'InvalidParameterException',
  );
  assertProblem(await t.admin('GET', `/v1/pools/${poolId}/users/nobody/messages`), 404, 'UserNotFoundException');
  assertProblem(await t.call('GET', `/v1/pools/${poolId}/users/watched/messages`), 401, 'NotAuthorizedException');
});
