import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import {
  assertProblem,
  attributesOf,
  mailsTo,
  newCodeFor,
  otherCode,
  signIn,
  signUp,
  smsTo,
  uniqueEmail,
  uniquePhone,
} from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const emailPool = { autoVerifiedAttributes: ['email'] };

/** Signs in with the admin-free path and returns the attribute map the client reads. */
async function attributesAfterSignIn(clientId: string, username: string) {
  const res = await signIn(t, clientId, username);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return attributesOf(t, res.body.accessToken);
}

test('sign-up sends a code to the auto-verified email; confirming verifies it and lets the user sign in', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('jane');
  const res = await signUp(t, clientId, 'jane', { email, given_name: 'Jane' });
  assert.equal(res.status, 201);
  assert.match(res.body.userSub, UUID);
  assert.equal(res.body.userConfirmed, false);
  assert.deepEqual(res.body.codeDeliveryDetails, {
    destination: 'j***@e***',
    deliveryMedium: 'EMAIL',
    attributeName: 'email',
  });
  assert.equal(mailsTo(t, email), 1);

  // Unconfirmed: the right password still does not sign in.
  assertProblem(await signIn(t, clientId, 'jane'), 403, 'UserNotConfirmedException', 'User is not confirmed.');

  const code = await newCodeFor(t, email, 0);
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'jane', confirmationCode: code });
  assert.equal(confirmed.status, 200);
  assert.deepEqual(confirmed.body, {});

  const attributes = await attributesAfterSignIn(clientId, 'jane');
  assert.deepEqual(attributes, { sub: res.body.userSub, given_name: 'Jane', email, email_verified: 'true' });
});

test('without auto-verified attributes no code is sent and the user stays unconfirmed; resend is refused', async () => {
  const { clientId } = await createPoolWithClient(t);
  const email = uniqueEmail('nocode');
  const res = await signUp(t, clientId, 'nocode', { email });
  assert.equal(res.status, 201);
  assert.equal(res.body.userConfirmed, false);
  assert.equal('codeDeliveryDetails' in res.body, false);
  assert.equal(mailsTo(t, email), 0);
  assertProblem(await signIn(t, clientId, 'nocode'), 403, 'UserNotConfirmedException');
  assertProblem(
    await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'nocode' }),
    400,
    'InvalidParameterException',
    'Auto verification not turned on',
  );
  assert.equal(mailsTo(t, email), 0);
});

test('with email and phone both auto-verified the code goes by SMS to the phone (§5.2)', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email', 'phone_number'] });
  const email = uniqueEmail('both');
  const phone = uniquePhone();
  const res = await signUp(t, clientId, 'both', { email, phone_number: phone });
  assert.equal(res.status, 201);
  assert.deepEqual(res.body.codeDeliveryDetails, {
    destination: `+********${phone.slice(-4)}`,
    deliveryMedium: 'SMS',
    attributeName: 'phone_number',
  });
  assert.equal(mailsTo(t, email), 0);
  assert.equal(smsTo(t, phone), 1);

  const wrong = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'both',
    confirmationCode: otherCode(t.smsCodeFor(phone)),
  });
  assertProblem(wrong, 400, 'CodeMismatchException', 'Invalid verification code provided, please try again.');
  assertProblem(await signIn(t, clientId, 'both'), 403, 'UserNotConfirmedException');

  const ok = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'both',
    confirmationCode: t.smsCodeFor(phone),
  });
  assert.equal(ok.status, 200);
  const attributes = await attributesAfterSignIn(clientId, 'both');
  assert.equal(attributes.phone_number_verified, 'true');
  assert.equal(attributes.email_verified, 'false');
});

test('confirming a confirmed user is refused with 403; resending for one with 400 (LEGACY clients: existence shown)', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool, { preventUserExistenceErrors: false });
  const email = uniqueEmail('twice');
  await signUp(t, clientId, 'twice', { email });
  const code = await newCodeFor(t, email, 0);
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'twice', confirmationCode: code })).status,
    200,
  );

  assertProblem(
    await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'twice', confirmationCode: code }),
    403,
    'NotAuthorizedException',
    'User cannot be confirmed. Current status is CONFIRMED',
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'twice' }),
    400,
    'InvalidParameterException',
    'User is already confirmed.',
  );
  assert.equal(mailsTo(t, email), 1);
});

test('existence hidden (the default): a confirmed user, an unknown one and a wrong code get one answer; resend simulates alike', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('hidden');
  await signUp(t, clientId, 'hidden', { email });
  const code = await newCodeFor(t, email, 0);
  assertProblem(
    await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'hidden', confirmationCode: otherCode(code) }),
    400,
    'CodeMismatchException',
  );
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'hidden', confirmationCode: code })).status,
    200,
  );

  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'hidden',
    confirmationCode: code,
  });
  const unknown = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'nosuchuser1',
    confirmationCode: code,
  });
  assertProblem(confirmed, 400, 'CodeMismatchException');
  assert.deepEqual(confirmed.body, unknown.body);

  // Resend: the same shape for a confirmed and an unknown user, destinations from a keyed hash of the
  // name (stable, and nothing of the name's spelling), no mail to anyone.
  const resend = (username: string) => t.call('POST', '/v1/sign-up/resend-code', { clientId, username });
  const [forConfirmed, forUnknown, again] = [
    await resend('hidden'),
    await resend('nosuchuser1'),
    await resend('nosuchuser1'),
  ];
  for (const res of [forConfirmed, forUnknown]) {
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.codeDeliveryDetails.destination, /^[a-z]\*\*\*@[a-z]\*\*\*$/);
    assert.deepEqual(Object.keys(res.body.codeDeliveryDetails).sort(), [
      'attributeName',
      'deliveryMedium',
      'destination',
    ]);
  }
  assert.deepEqual(again.body, forUnknown.body, 'the same name gets the same destination');
  const fakes = new Set<string>();
  for (let i = 0; i < 12; i++) fakes.add((await resend(`nosuchuser${i}`)).body.codeDeliveryDetails.destination);
  assert.ok(fakes.size > 3, `destinations vary with the name, not built from it: ${[...fakes].join(' ')}`);
  assert.notEqual(
    forUnknown.body.codeDeliveryDetails.destination,
    'n***@n***',
    'not built from the name (the finding)',
  );
  // A name that is itself an address is masked as that address, as a real one would be.
  assert.equal((await resend('someone@example.org')).body.codeDeliveryDetails.destination, 's***@e***');
  assert.equal(mailsTo(t, email), 1);
});

test('a resent code replaces the previous one, which then answers CodeMismatchException', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('resend');
  await signUp(t, clientId, 'resend', { email });
  const first = await newCodeFor(t, email, 0);

  const resent = await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'resend' });
  assert.equal(resent.status, 200);
  assert.deepEqual(resent.body, {
    codeDeliveryDetails: { destination: 'r***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
  });
  const second = await newCodeFor(t, email, 1);

  if (first !== second) {
    assertProblem(
      await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'resend', confirmationCode: first }),
      400,
      'CodeMismatchException',
    );
  }
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'resend', confirmationCode: second })).status,
    200,
  );
  assert.equal((await signIn(t, clientId, 'resend')).status, 200);
});

test('existence hidden: past the hourly sends, resend sends nothing and answers as for any name (no limit only real users meet)', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('quiet');
  await signUp(t, clientId, 'quiet', { email });
  const resend = (username: string) => t.call('POST', '/v1/sign-up/resend-code', { clientId, username });
  for (let i = 0; i < 4; i++) assert.equal((await resend('quiet')).status, 200);
  const over = await resend('quiet');
  assert.equal(over.status, 200, JSON.stringify(over.body));
  assert.deepEqual(over.body, {
    codeDeliveryDetails: { destination: 'q***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
  });
  assert.equal((await resend('nosuchuser9')).status, 200);
  assert.equal(mailsTo(t, email), 5, 'nothing sent past the limit');
  const code = await newCodeFor(t, email, 4);
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'quiet', confirmationCode: code })).status,
    200,
  );
});

test('resend is limited to five code sends an hour (the sign-up send included): then 429 LimitExceededException (LEGACY clients)', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool, { preventUserExistenceErrors: false });
  const email = uniqueEmail('limit');
  await signUp(t, clientId, 'limit', { email });
  for (let i = 0; i < 4; i++) {
    assert.equal((await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'limit' })).status, 200);
  }
  assertProblem(
    await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'limit' }),
    429,
    'LimitExceededException',
    'Attempt limit exceeded, please try after some time.',
  );
  assert.equal(mailsTo(t, email), 5);
  // The last code sent still works.
  const code = await newCodeFor(t, email, 4);
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'limit', confirmationCode: code })).status,
    200,
  );
});

test('a taken username answers 409 UsernameExistsException, case-insensitively, and sends nothing (§5.2.7)', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('taken');
  assert.equal((await signUp(t, clientId, 'taken', { email })).status, 201);
  const other = uniqueEmail('taken2');
  assertProblem(
    await signUp(t, clientId, 'taken', { email: other }),
    409,
    'UsernameExistsException',
    'User already exists',
  );
  assertProblem(
    await signUp(t, clientId, 'TAKEN', { email: other }),
    409,
    'UsernameExistsException',
    'User already exists',
  );
  assert.equal(mailsTo(t, email), 1);
  assert.equal(mailsTo(t, other), 0);
});

test('a missing required attribute is refused and creates no user', async () => {
  const { clientId } = await createPoolWithClient(t, {
    ...emailPool,
    schema: [
      { name: 'name', required: true },
      { name: 'family_name', required: true },
    ],
  });
  const email = uniqueEmail('req');
  const res = await signUp(t, clientId, 'req', { email });
  assertProblem(
    res,
    400,
    'InvalidParameterException',
    'Attributes did not conform to the schema: name: The attribute is required',
  );
  assert.ok(res.body.detail.includes('family_name: The attribute is required'));
  // A blank value is no value.
  assertProblem(
    await signUp(t, clientId, 'req', { email, name: '', family_name: 'Doe' }),
    400,
    'InvalidParameterException',
    'name: The attribute is required',
  );
  assert.equal(mailsTo(t, email), 0);
  // Nothing was created: the username is still free.
  assert.equal((await signUp(t, clientId, 'req', { email, name: 'Jo Doe', family_name: 'Doe' })).status, 201);
});

test('attributes outside the schema are refused with Cognito’s messages', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  assertProblem(
    await signUp(t, clientId, 'u1', { 'custom:plan': 'pro' }),
    400,
    'InvalidParameterException',
    'Type for attribute {custom:plan} could not be determined',
  );
  assertProblem(
    await signUp(t, clientId, 'u1', { shoe_size: '42' }),
    400,
    'InvalidParameterException',
    'shoe_size: Attribute does not exist in the schema.',
  );
  assertProblem(
    await signUp(t, clientId, 'u1', { phone_number: '+1 555 0100' }),
    400,
    'InvalidParameterException',
    'Invalid phone number format.',
  );
  assertProblem(
    await signUp(t, clientId, 'u1', { phone_number: '' }),
    400,
    'InvalidParameterException',
    'Invalid phone number format.',
  );
  // E.164: a country code never starts with 0.
  assertProblem(
    await signUp(t, clientId, 'u1', { phone_number: '+014155550100' }),
    400,
    'InvalidParameterException',
    'Invalid phone number format.',
  );
  assertProblem(
    await signUp(t, clientId, 'u1', { email: 'not-an-email' }),
    400,
    'InvalidParameterException',
    'Invalid email address format.',
  );
  assertProblem(
    await signUp(t, clientId, 'u1', { birthdate: '1990-02-30' }),
    400,
    'InvalidParameterException',
    'birthdate',
  );
  assertProblem(
    await signUp(t, clientId, 'u1', { address: 'x'.repeat(2049) }),
    400,
    'InvalidParameterException',
    'userAttributes',
  );
  assertProblem(await signUp(t, clientId, 'u1', { ['n'.repeat(33)]: 'x' }), 400, 'InvalidParameterException');
  // None of these created the user.
  assert.equal((await signUp(t, clientId, 'u1', { email: uniqueEmail('u1'), address: 'x'.repeat(2048) })).status, 201);
});

test('a user may not write sub or a verified flag at sign-up (403), nor what the client may not write', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('flags');
  const attempts: Record<string, string>[] = [
    { email, sub: '7d7f2d4e-1111-4c4c-9999-000000000000' },
    { email, email_verified: 'true' },
    { email, phone_number: uniquePhone(), phone_number_verified: 'true' },
  ];
  for (const attributes of attempts) {
    assertProblem(
      await signUp(t, clientId, 'flags', attributes),
      403,
      'NotAuthorizedException',
      'A client attempted to write unauthorized attribute',
    );
  }
  const narrow = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'narrow', writeAttributes: ['email'] });
  assert.equal(narrow.status, 201);
  assertProblem(
    await signUp(t, narrow.body.clientId, 'flags', { email, given_name: 'Flag' }),
    403,
    'NotAuthorizedException',
    'A client attempted to write unauthorized attribute',
  );
  assert.equal(mailsTo(t, email), 0);
  const ok = await signUp(t, narrow.body.clientId, 'flags', { email });
  assert.equal(ok.status, 201);
});

test('the password policy is enforced with InvalidPasswordException', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('pw');
  assertProblem(
    await signUp(t, clientId, 'pw', { email }, 'Sh0rt!'),
    400,
    'InvalidPasswordException',
    'Password did not conform with policy: Password not long enough',
  );
  assertProblem(
    await signUp(t, clientId, 'pw', { email }, 'alllowercase1!'),
    400,
    'InvalidPasswordException',
    'Password must have uppercase characters',
  );
  assertProblem(
    await signUp(t, clientId, 'pw', { email }, 'NoNumbers!!'),
    400,
    'InvalidPasswordException',
    'Password must have numeric characters',
  );
  assertProblem(
    await signUp(t, clientId, 'pw', { email }, 'NoSymbols123'),
    400,
    'InvalidPasswordException',
    'Password must have symbol characters',
  );
  assert.equal(mailsTo(t, email), 0);

  const lax = await createPoolWithClient(t, {
    ...emailPool,
    passwordPolicy: { minimumLength: 6, requireSymbols: false, requireUppercase: false, requireNumbers: false },
  });
  assert.equal((await signUp(t, lax.clientId, 'pw', { email }, 'simple')).status, 201);
});

test('custom attributes, immutable ones included, are stored at sign-up', async () => {
  const { clientId } = await createPoolWithClient(t, {
    ...emailPool,
    schema: [
      { name: 'tenant', mutable: false },
      { name: 'seats', attributeDataType: 'Number', numberConstraints: { minValue: 1, maxValue: 100 } },
    ],
  });
  const email = uniqueEmail('custom');
  assertProblem(
    await signUp(t, clientId, 'custom', { email, 'custom:seats': '0' }),
    400,
    'InvalidParameterException',
    'custom:seats: The value must be at least 1.',
  );
  const res = await signUp(t, clientId, 'custom', { email, 'custom:tenant': 'acme', 'custom:seats': '007' });
  assert.equal(res.status, 201);
  await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'custom',
    confirmationCode: await newCodeFor(t, email, 0),
  });
  const attributes = await attributesAfterSignIn(clientId, 'custom');
  assert.equal(attributes['custom:tenant'], 'acme');
  assert.equal(attributes['custom:seats'], '7');
});

test('confirmation codes are checked: wrong, malformed, and for unknown users per PreventUserExistenceErrors', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('codes');
  await signUp(t, clientId, 'codes', { email });
  const code = await newCodeFor(t, email, 0);
  assertProblem(
    await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'codes', confirmationCode: '12 34' }),
    400,
    'InvalidParameterException',
    'confirmationCode',
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'codes', confirmationCode: otherCode(code) }),
    400,
    'CodeMismatchException',
  );
  // Unknown user, existence hidden (the default): the same answer as a wrong code.
  assertProblem(
    await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'ghost', confirmationCode: code }),
    400,
    'CodeMismatchException',
  );
  const legacy = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'legacy',
    preventUserExistenceErrors: false,
  });
  assertProblem(
    await t.call('POST', '/v1/sign-up/confirm', {
      clientId: legacy.body.clientId,
      username: 'ghost',
      confirmationCode: code,
    }),
    404,
    'UserNotFoundException',
    'User does not exist.',
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up/resend-code', { clientId: legacy.body.clientId, username: 'ghost' }),
    404,
    'UserNotFoundException',
  );
  // Still unconfirmed after all that, and the right code still works.
  assertProblem(await signIn(t, clientId, 'codes'), 403, 'UserNotConfirmedException');
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'codes', confirmationCode: code })).status,
    200,
  );
});

test('requests are validated: unknown client, unknown members, bad JSON, wrong media type, bad username', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const body = { clientId, username: 'valid', password: PASSWORD, userAttributes: { email: uniqueEmail('valid') } };

  assertProblem(
    await t.call('POST', '/v1/sign-up', { ...body, clientId: 'a'.repeat(26) }),
    404,
    'ResourceNotFoundException',
    `User pool client ${'a'.repeat(26)} does not exist.`,
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up', { ...body, clientId: 'NOT-A-CLIENT' }),
    400,
    'InvalidParameterException',
    'clientId',
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up', { ...body, extra: 1 }),
    400,
    'InvalidParameterException',
    "Unknown member 'extra'",
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up', { ...body, password: undefined }),
    400,
    'InvalidParameterException',
    "Member 'password'",
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up', { ...body, userAttributes: { email: 42 } }),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.call('POST', '/v1/sign-up', { ...body, username: 'has space' }),
    400,
    'InvalidParameterException',
    'Username',
  );
  assertProblem(await t.call('POST', '/v1/sign-up', { ...body, username: '' }), 400, 'InvalidParameterException');

  const malformed = await t.app.inject({
    method: 'POST',
    url: '/v1/sign-up',
    headers: { 'content-type': 'application/json' },
    payload: '{"clientId":',
  });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().code, 'InvalidParameterException');
  const wrongType = await t.app.inject({
    method: 'POST',
    url: '/v1/sign-up',
    headers: { 'content-type': 'application/xml' },
    payload: JSON.stringify(body),
  });
  assert.equal(wrongType.statusCode, 415);
  assert.equal(wrongType.json().code, 'InvalidParameterException');
  const empty = await t.app.inject({
    method: 'POST',
    url: '/v1/sign-up',
    headers: { 'content-type': 'application/json' },
    payload: '',
  });
  assert.equal(empty.statusCode, 400);
  assert.equal(empty.json().code, 'InvalidParameterException');

  // None of that created the user; clientMetadata and validationData are accepted and ignored.
  const ok = await t.call('POST', '/v1/sign-up', {
    ...body,
    clientMetadata: { source: 'test' },
    validationData: { captcha: 'x' },
  });
  assert.equal(ok.status, 201);
});

test('the user id (sub) is fresh per user and the username is kept as given', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('a');
  const a = await signUp(t, clientId, 'MixedCase', { email });
  const b = await signUp(t, clientId, 'other', { email: uniqueEmail('b') });
  assert.notEqual(a.body.userSub, b.body.userSub);
  const code = await newCodeFor(t, email, 0);
  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'mixedcase', confirmationCode: code })).status,
    200,
  );
  const session = await signIn(t, clientId, 'MIXEDCASE');
  assert.equal(session.status, 200);
  const me = await t.call('GET', '/v1/me', undefined, session.body.accessToken);
  assert.equal(me.body.username, 'MixedCase');
  assert.equal(me.body.userSub, a.body.userSub);
});

test('text/plain is an unsupported media type too (415)', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const body = { clientId, username: 'plain', password: PASSWORD, userAttributes: { email: uniqueEmail('plain') } };
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sign-up',
    headers: { 'content-type': 'text/plain' },
    payload: JSON.stringify(body),
  });
  assert.equal(res.statusCode, 415);
  assert.equal(res.json().code, 'InvalidParameterException');
});
