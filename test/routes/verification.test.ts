import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { verificationCodes } from '../../src/db/schema/index.ts';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import {
  assertProblem,
  attributesOf,
  mailsTo,
  newCodeFor,
  otherCode,
  signIn,
  smsTo,
  uniqueEmail,
  uniquePhone,
  updateAttributes,
} from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const sendCode = (token: string, name: string) =>
  t.call('POST', `/v1/me/attributes/${name}/verification-code`, undefined, token);
const verify = (token: string, name: string, confirmationCode: string, extra: Record<string, unknown> = {}) =>
  t.call('POST', `/v1/me/attributes/${name}/verify`, { confirmationCode, ...extra }, token);

/** Mode A pool (immediate change) unless `keepOriginal` is given. */
async function setUp(
  options: {
    keepOriginal?: ('email' | 'phone_number')[];
    pool?: Record<string, unknown>;
    attributes?: Record<string, string>;
  } = {},
) {
  const verified: ('email' | 'phone_number')[] = ['email', 'phone_number'].filter(
    (a) => a === 'email' || options.keepOriginal?.includes(a as 'phone_number'),
  ) as never;
  const created = await createPoolWithClient(t, {
    autoVerifiedAttributes: verified,
    aliasAttributes: ['email', 'phone_number'],
    ...(options.keepOriginal && { keepOriginalAttributes: options.keepOriginal }),
    ...options.pool,
  });
  const email = uniqueEmail('ver');
  const tokens = await signedInUser(t, created.clientId, 'ver', { email, ...options.attributes });
  return { ...created, ...tokens, email, token: tokens.accessToken };
}

test('a code can be sent for a verified email again, and verifying it keeps it verified (§5.5)', async () => {
  const u = await setUp();
  const res = await sendCode(u.token, 'email');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    codeDeliveryDetails: { destination: 'v***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
  });
  const code = await newCodeFor(t, u.email, 1);
  const ok = await verify(u.token, 'email', code);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, {});
  assert.equal((await attributesOf(t, u.token)).email_verified, 'true');
});

test('masks follow docs/api.md exactly: first letters of local part and domain; + and 8 stars and the last 4 digits', async () => {
  const u = await setUp({ attributes: { phone_number: '+4915112345678' } });
  const phone = await sendCode(u.token, 'phone_number');
  assert.deepEqual(phone.body, {
    codeDeliveryDetails: { destination: '+********5678', deliveryMedium: 'SMS', attributeName: 'phone_number' },
  });
  const email = await updateAttributes(t, u.token, { email: `Quinn.${process.pid}@Mail.Example.co.uk` });
  assert.deepEqual(email.body.results.email.nextStep.codeDeliveryDetails, {
    destination: 'Q***@M***',
    deliveryMedium: 'EMAIL',
    attributeName: 'email',
  });
});

test('only email and phone_number can be verified, and only when the user has one', async () => {
  const u = await setUp();
  await assertNothingSent(async () => {
    for (const name of ['given_name', 'email_verified', 'custom:x']) {
      assertProblem(
        await sendCode(u.token, encodeURIComponent(name)),
        400,
        'InvalidParameterException',
        'Invalid attribute name. Only phone_number and email can be verified.',
      );
      assertProblem(
        await verify(u.token, encodeURIComponent(name), '123456'),
        400,
        'InvalidParameterException',
        'Only phone_number and email can be verified.',
      );
    }
    assertProblem(
      await sendCode(u.token, 'phone_number'),
      400,
      'InvalidParameterException',
      'User does not have a valid registered phone number',
    );
    assert.equal((await t.call('DELETE', '/v1/me/attributes?name=email', undefined, u.token)).status, 204);
    assertProblem(
      await sendCode(u.token, 'email'),
      400,
      'InvalidParameterException',
      'User does not have a valid registered email address',
    );
    assertProblem(await t.call('POST', '/v1/me/attributes/email/verification-code'), 401, 'NotAuthorizedException');
  });
});

async function assertNothingSent(run: () => Promise<void>) {
  const mails = t.smtp.messages.length;
  await run();
  assert.equal(t.smtp.messages.length, mails);
}

test('codes: wrong → CodeMismatchException, used → ExpiredCodeException, malformed → 400', async () => {
  const u = await setUp();
  const next = uniqueEmail('next');
  await updateAttributes(t, u.token, { email: next });
  const code = await newCodeFor(t, next, 0);

  assertProblem(
    await verify(u.token, 'email', otherCode(code)),
    400,
    'CodeMismatchException',
    'Invalid verification code provided, please try again.',
  );
  assert.equal((await attributesOf(t, u.token)).email_verified, 'false', 'a wrong code changes nothing');
  assertProblem(await verify(u.token, 'email', '12 3456'), 400, 'InvalidParameterException', 'confirmationCode');
  assertProblem(
    await t.call('POST', '/v1/me/attributes/email/verify', { confirmationCode: code, extra: true }, u.token),
    400,
    'InvalidParameterException',
    "Unknown member 'extra'",
  );
  assertProblem(
    await t.call('POST', '/v1/me/attributes/email/verify', {}, u.token),
    400,
    'InvalidParameterException',
    "Member 'confirmationCode'",
  );

  assert.equal((await verify(u.token, 'email', code)).status, 200);
  assert.equal((await attributesOf(t, u.token)).email_verified, 'true');
  assertProblem(
    await verify(u.token, 'email', code),
    400,
    'ExpiredCodeException',
    'Invalid code provided, please request a code again.',
  );
  assert.equal((await attributesOf(t, u.token)).email_verified, 'true');
});

test('a phone number with no code ever sent answers CodeMismatchException', async () => {
  const u = await setUp({ attributes: { phone_number: uniquePhone() } });
  assertProblem(await verify(u.token, 'phone_number', '123456'), 400, 'CodeMismatchException');
  assert.equal((await attributesOf(t, u.token)).phone_number_verified, 'false');
});

test('a new code supersedes the old one, which then answers CodeMismatchException', async () => {
  const u = await setUp();
  await sendCode(u.token, 'email');
  const first = await newCodeFor(t, u.email, 1);
  await sendCode(u.token, 'email');
  const second = await newCodeFor(t, u.email, 2);
  if (first !== second) assertProblem(await verify(u.token, 'email', first), 400, 'CodeMismatchException');
  assert.equal((await verify(u.token, 'email', second)).status, 200);
});

test('after 5 wrong tries the code is dead: TooManyFailedAttemptsException (429) even with the right code, until a new one is sent', async () => {
  const u = await setUp();
  const next = uniqueEmail('tries');
  await updateAttributes(t, u.token, { email: next });
  const code = await newCodeFor(t, next, 0);
  for (let i = 0; i < 5; i++)
    assertProblem(await verify(u.token, 'email', otherCode(code)), 400, 'CodeMismatchException');
  assertProblem(await verify(u.token, 'email', code), 429, 'TooManyFailedAttemptsException');
  assertProblem(await verify(u.token, 'email', otherCode(code)), 429, 'TooManyFailedAttemptsException');
  assert.equal((await attributesOf(t, u.token)).email_verified, 'false');

  assert.equal((await sendCode(u.token, 'email')).status, 200);
  const fresh = await newCodeFor(t, next, 1);
  assert.equal((await verify(u.token, 'email', fresh)).status, 200);
  assert.equal((await attributesOf(t, u.token)).email_verified, 'true');
});

test('five attribute-code sends an hour per user, counted apart from sign-up codes: the sixth answers 429 LimitExceededException', async () => {
  const u = await setUp();
  for (let i = 0; i < 5; i++) assert.equal((await sendCode(u.token, 'email')).status, 200);
  assert.equal(mailsTo(t, u.email), 6);
  assertProblem(
    await sendCode(u.token, 'email'),
    429,
    'LimitExceededException',
    'Attempt limit exceeded, please try after some time.',
  );
  assert.equal(mailsTo(t, u.email), 6);
  // A change that needs a code is refused as a whole, and leaves the email as it was.
  const next = uniqueEmail('over');
  assertProblem(await updateAttributes(t, u.token, { email: next, given_name: 'Over' }), 429, 'LimitExceededException');
  const attributes = await attributesOf(t, u.token);
  assert.equal(attributes.email, u.email);
  assert.equal(attributes.email_verified, 'true');
  assert.equal(attributes.given_name, undefined);
  assert.equal(mailsTo(t, next), 0);
  // The last code sent still works.
  assert.equal((await verify(u.token, 'email', await newCodeFor(t, u.email, 5))).status, 200);
});

test('fifteen attribute confirmations an hour per user, counted apart from sign-up ones: the next answers 429 LimitExceededException, even with the right code', async () => {
  const u = await setUp({ pool: { codePolicy: { maxAttempts: 100 } } });
  await sendCode(u.token, 'email');
  const code = await newCodeFor(t, u.email, 1);
  for (let i = 0; i < 15; i++)
    assertProblem(await verify(u.token, 'email', otherCode(code)), 400, 'CodeMismatchException');
  assertProblem(
    await verify(u.token, 'email', code),
    429,
    'LimitExceededException',
    'Attempt limit exceeded, please try after some time.',
  );
});

test('an expired code answers ExpiredCodeException; the pool’s code lifetime is honoured', async () => {
  const u = await setUp({ pool: { codePolicy: { attributeCodeTtlSeconds: 60 } } });
  const next = uniqueEmail('late');
  await updateAttributes(t, u.token, { email: next });
  const code = await newCodeFor(t, next, 0);
  const where = and(
    eq(verificationCodes.userId, u.userSub),
    eq(verificationCodes.purpose, 'VERIFY_ATTRIBUTE'),
    eq(verificationCodes.attributeName, 'email'),
  );
  const [row] = await t.database.db
    .select({
      seconds: sql<number>`extract(epoch from ${verificationCodes.expiresAt} - ${verificationCodes.createdAt})::int`,
    })
    .from(verificationCodes)
    .where(where);
  assert.equal(row!.seconds, 60);

  await t.database.db
    .update(verificationCodes)
    .set({ expiresAt: sql`now() - interval '1 second'` })
    .where(where);
  assertProblem(
    await verify(u.token, 'email', code),
    400,
    'ExpiredCodeException',
    'Invalid code provided, please request a code again.',
  );
  assert.equal((await attributesOf(t, u.token)).email_verified, 'false');
  await sendCode(u.token, 'email');
  assert.equal((await verify(u.token, 'email', await newCodeFor(t, next, 1))).status, 200);
});

test('mode A: the new email replaces the old at once; neither signs in until the new one is verified', async () => {
  const u = await setUp();
  assert.equal((await signIn(t, u.clientId, u.email)).status, 200);
  const next = uniqueEmail('moda');
  const res = await updateAttributes(t, u.token, { email: next });
  assert.equal(res.body.results.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  assert.deepEqual(await attributesOf(t, u.token), { sub: u.userSub, email: next, email_verified: 'false' });
  assertProblem(await signIn(t, u.clientId, u.email), 401, 'NotAuthorizedException');
  assertProblem(await signIn(t, u.clientId, next), 401, 'NotAuthorizedException');
  assert.equal((await signIn(t, u.clientId, 'ver')).status, 200);

  assert.equal((await verify(u.token, 'email', await newCodeFor(t, next, 0))).status, 200);
  assert.equal((await attributesOf(t, u.token)).email_verified, 'true');
  assert.equal((await signIn(t, u.clientId, next)).status, 200);
});

test('sending the same value again changes nothing and sends no code', async () => {
  const u = await setUp({ attributes: { phone_number: uniquePhone() } });
  const before = await attributesOf(t, u.token);
  const sms = smsTo(t, before.phone_number!);
  const res = await updateAttributes(t, u.token, { email: u.email, phone_number: before.phone_number! });
  assert.equal(res.status, 200);
  const done = { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } };
  assert.deepEqual(res.body.results, { email: done, phone_number: done });
  assert.deepEqual(await attributesOf(t, u.token), before);
  assert.equal(mailsTo(t, u.email), 1);
  assert.equal(smsTo(t, before.phone_number!), sms);
});

test('keep-original: the change is held pending; the old value stays, signs in and gets messages; the code promotes it', async () => {
  const u = await setUp({ keepOriginal: ['email'] });
  const next = uniqueEmail('pend', 'new.org');
  const res = await updateAttributes(t, u.token, { email: next, given_name: 'Kept' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.results, {
    email: {
      isUpdated: false,
      nextStep: {
        updateAttributeStep: 'CONFIRM_ATTRIBUTE_WITH_CODE',
        codeDeliveryDetails: { destination: 'p***@n***', deliveryMedium: 'EMAIL', attributeName: 'email' },
      },
    },
    given_name: { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } },
  });
  assert.equal(mailsTo(t, next), 1, 'the code goes to the pending address');
  assert.equal(mailsTo(t, u.email), 1, 'only the sign-up mail went to the old one');
  assert.deepEqual(await attributesOf(t, u.token), {
    sub: u.userSub,
    given_name: 'Kept',
    email: u.email,
    email_verified: 'true',
  });
  const me = await t.call('GET', '/v1/me', undefined, u.token);
  assert.equal(me.body.attributes.email, u.email);
  assert.equal(JSON.stringify(me.body).includes(next), false, 'no API shows the pending value');

  // The old address still signs in; the pending one does not.
  assert.equal((await signIn(t, u.clientId, u.email)).status, 200);
  assertProblem(await signIn(t, u.clientId, next), 401, 'NotAuthorizedException');

  // A wrong code changes nothing.
  const code = await newCodeFor(t, next, 0);
  assertProblem(await verify(u.token, 'email', otherCode(code)), 400, 'CodeMismatchException');
  assert.equal((await attributesOf(t, u.token)).email, u.email);

  assert.equal((await verify(u.token, 'email', code)).status, 200);
  assert.deepEqual(await attributesOf(t, u.token), {
    sub: u.userSub,
    given_name: 'Kept',
    email: next,
    email_verified: 'true',
  });
  assert.equal((await signIn(t, u.clientId, next)).status, 200);
  assertProblem(await signIn(t, u.clientId, u.email), 401, 'NotAuthorizedException');
});

test('keep-original: a code asked for while a change is pending goes to the pending value', async () => {
  const u = await setUp({ keepOriginal: ['email'] });
  const next = uniqueEmail('again');
  await updateAttributes(t, u.token, { email: next });
  const res = await sendCode(u.token, 'email');
  assert.equal(res.body.codeDeliveryDetails.destination, 'a***@e***');
  assert.equal(mailsTo(t, next), 2);
  assert.equal((await verify(u.token, 'email', await newCodeFor(t, next, 1))).status, 200);
  assert.equal((await attributesOf(t, u.token)).email, next);
});

test('keep-original: the latest pending value wins; the code of the earlier one no longer matches', async () => {
  const u = await setUp({ keepOriginal: ['email'] });
  const typo = uniqueEmail('typo');
  const right = uniqueEmail('right');
  await updateAttributes(t, u.token, { email: typo });
  const typoCode = await newCodeFor(t, typo, 0);
  await updateAttributes(t, u.token, { email: right });
  const rightCode = await newCodeFor(t, right, 0);
  if (typoCode !== rightCode) assertProblem(await verify(u.token, 'email', typoCode), 400, 'CodeMismatchException');
  assert.equal((await attributesOf(t, u.token)).email, u.email);
  assert.equal((await verify(u.token, 'email', rightCode)).status, 200);
  assert.deepEqual(await attributesOf(t, u.token), { sub: u.userSub, email: right, email_verified: 'true' });
});

test('keep-original: the same pending value again sends nothing; the current value again withdraws the change', async () => {
  const u = await setUp({ keepOriginal: ['email'] });
  const next = uniqueEmail('same');
  await updateAttributes(t, u.token, { email: next });
  const code = await newCodeFor(t, next, 0);
  const again = await updateAttributes(t, u.token, { email: next });
  assert.equal(again.status, 200);
  assert.equal(mailsTo(t, next), 1);

  const back = await updateAttributes(t, u.token, { email: u.email });
  assert.deepEqual(back.body.results, { email: { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } } });
  assert.equal(mailsTo(t, u.email), 1);
  // The withdrawn change cannot be verified any more.
  assertProblem(await verify(u.token, 'email', code), 400, 'CodeMismatchException');
  assert.deepEqual(await attributesOf(t, u.token), { sub: u.userSub, email: u.email, email_verified: 'true' });
});

test('keep-original holds a change pending even when the current value is unverified', async () => {
  const u = await setUp({ keepOriginal: ['email', 'phone_number'], attributes: { phone_number: uniquePhone() } });
  const before = await attributesOf(t, u.token);
  // Sign-up's code went by SMS (both auto-verified), so the email is unverified.
  assert.equal(before.email_verified, 'false');
  const next = uniqueEmail('unv');
  const res = await updateAttributes(t, u.token, { email: next });
  assert.equal(res.body.results.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  assert.deepEqual(await attributesOf(t, u.token), before);
  assert.equal((await verify(u.token, 'email', await newCodeFor(t, next, 0))).status, 200);
  assert.equal((await attributesOf(t, u.token)).email, next);
  assert.equal((await attributesOf(t, u.token)).email_verified, 'true');
});

test('keep-original for phone numbers: the code goes by SMS to the pending number', async () => {
  const phone = uniquePhone();
  const u = await setUp({ keepOriginal: ['phone_number'], attributes: { phone_number: phone } });
  const next = uniquePhone();
  const res = await updateAttributes(t, u.token, { phone_number: next });
  assert.deepEqual(res.body.results.phone_number.nextStep.codeDeliveryDetails, {
    destination: `+********${next.slice(-4)}`,
    deliveryMedium: 'SMS',
    attributeName: 'phone_number',
  });
  assert.equal(smsTo(t, next), 1);
  assert.equal((await attributesOf(t, u.token)).phone_number, phone);
  assert.equal((await verify(u.token, 'phone_number', t.smsCodeFor(next))).status, 200);
  const after = await attributesOf(t, u.token);
  assert.equal(after.phone_number, next);
  assert.equal(after.phone_number_verified, 'true');
});
