import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asc, eq } from 'drizzle-orm';
import { deliveryAttempts, outboxMessages } from '../../src/db/schema/index.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { startDeliveryWorker } from '../../src/modules/courier/index.ts';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import {
  assertProblem,
  attributesOf,
  mailsTo,
  signIn,
  signUp,
  smsTo,
  uniqueEmail,
  uniquePhone,
  updateAttributes,
} from '../support/user-flows.ts';

// SMS go through the real twilio client, over HTTP, to the Twilio stand-in startTestApp runs.
let t: TestApp;
before(async () => {
  t = await startTestApp({ DELIVERY_RETRY_BASE_MS: '20' });
});
after(() => t.close());

const phonePool = { autoVerifiedAttributes: ['phone_number'] };

async function outboxTo(destination: string) {
  return t.database.db
    .select()
    .from(outboxMessages)
    .where(eq(outboxMessages.destination, destination))
    .orderBy(asc(outboxMessages.createdAt));
}

test('sign-up with an auto-verified phone: the code goes by SMS through Twilio, and confirms the user', async () => {
  const { clientId } = await createPoolWithClient(t, phonePool);
  const phone = '+4930555501234';
  const res = await signUp(t, clientId, 'texted', { phone_number: phone });
  assert.equal(res.status, 201);
  assert.deepEqual(res.body.codeDeliveryDetails, {
    destination: '+********1234',
    deliveryMedium: 'SMS',
    attributeName: 'phone_number',
  });

  assert.equal(smsTo(t, phone), 1);
  const sms = t.twilio.messages.at(-1)!;
  assert.equal(sms.to, phone);
  assert.equal(sms.from, t.twilio.from);
  assert.equal(sms.accountSid, t.twilio.accountSid);
  // Only the rendered text leaves: no code, username or other field besides the body.
  assert.deepEqual(Object.keys(sms.params).sort(), ['Body', 'From', 'To']);
  const code = t.twilio.codeFor(phone);
  assert.ok(sms.body.includes(code));
  assert.ok(!t.logs.some((e) => e.code === code), 'the code is not in the log');

  const [row] = await outboxTo(phone);
  assert.equal(row!.status, 'sent');
  assert.equal(row!.channel, 'twilio');
  assert.equal(row!.providerMessageId, sms.sid);
  assert.match(sms.sid, /^SM[0-9a-f]{32}$/);

  assert.equal(
    (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'texted', confirmationCode: code })).status,
    200,
  );
  const signedIn = await signIn(t, clientId, 'texted');
  assert.equal(signedIn.status, 200);
  assert.equal((await attributesOf(t, signedIn.body.accessToken)).phone_number_verified, 'true');
});

test('with email and phone both auto-verified, the sign-up code goes by SMS to the phone only (§5.2)', async () => {
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
  assert.equal(smsTo(t, phone), 1);
  assert.equal(mailsTo(t, email), 0);
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'both',
    confirmationCode: t.smsCodeFor(phone),
  });
  assert.equal(confirmed.status, 200);
});

test('a change of phone number sends the code by SMS to the new number', async () => {
  const { clientId } = await createPoolWithClient(t, phonePool);
  const phone = uniquePhone();
  const tokens = await signedInUser(t, clientId, 'changer', { phone_number: phone });
  const next = uniquePhone();
  const res = await updateAttributes(t, tokens.accessToken, { phone_number: next });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.results.phone_number.nextStep.codeDeliveryDetails, {
    destination: `+********${next.slice(-4)}`,
    deliveryMedium: 'SMS',
    attributeName: 'phone_number',
  });
  assert.equal(smsTo(t, next), 1);
  assert.equal(smsTo(t, phone), 1, 'only the sign-up code went to the old number');
  const verify = await t.call(
    'POST',
    '/v1/me/attributes/phone_number/verify',
    { confirmationCode: t.smsCodeFor(next) },
    tokens.accessToken,
  );
  assert.equal(verify.status, 200);
  const attributes = await attributesOf(t, tokens.accessToken);
  assert.equal(attributes.phone_number, next);
  assert.equal(attributes.phone_number_verified, 'true');
});

test('keep-original phone numbers: the code goes to the pending number, which replaces the old one once verified', async () => {
  const { clientId } = await createPoolWithClient(t, { ...phonePool, keepOriginalAttributes: ['phone_number'] });
  const phone = uniquePhone();
  const tokens = await signedInUser(t, clientId, 'keeper', { phone_number: phone });
  const next = uniquePhone();
  const res = await updateAttributes(t, tokens.accessToken, { phone_number: next });
  assert.equal(res.status, 200);
  assert.equal(res.body.results.phone_number.nextStep.codeDeliveryDetails.destination, `+********${next.slice(-4)}`);
  assert.equal(smsTo(t, next), 1);
  assert.equal((await attributesOf(t, tokens.accessToken)).phone_number, phone);
  const verify = await t.call(
    'POST',
    '/v1/me/attributes/phone_number/verify',
    { confirmationCode: t.smsCodeFor(next) },
    tokens.accessToken,
  );
  assert.equal(verify.status, 200);
  assert.equal((await attributesOf(t, tokens.accessToken)).phone_number, next);
});

test('Twilio checks the credentials: with a token it no longer accepts the send fails for good, 502, and is not retried', async () => {
  const { clientId } = await createPoolWithClient(t, phonePool);
  const phone = uniquePhone();
  const token = t.twilio.authToken;
  // As if the token had been rotated in the Twilio console and Cognate still had the old one.
  t.twilio.authToken = 'f'.repeat(32);
  try {
    assertProblem(await signUp(t, clientId, 'locked', { phone_number: phone }), 502, 'CodeDeliveryFailureException');
    assert.equal(t.twilio.requests.at(-1)!.status, 401);
  } finally {
    t.twilio.authToken = token;
  }
  assert.equal(smsTo(t, phone), 0);
  const [row] = await outboxTo(phone);
  assert.equal(row!.status, 'failed');
  assert.equal(row!.attempts, 1);
  assert.match(row!.lastError ?? '', /401.*20003/);
  // Permanent: later worker rounds leave it alone.
  await t.services.outbox.runDue({ limit: 10 });
  assert.equal((await outboxTo(phone))[0]!.attempts, 1);
  assert.equal(smsTo(t, phone), 0);
});

test('a number Twilio calls invalid (400, error 21211) answers 502 CodeDeliveryFailureException at once', async () => {
  const { clientId } = await createPoolWithClient(t, phonePool);
  const phone = uniquePhone();
  t.twilio.failNext(1, 400, {
    code: 21211,
    message: `The 'To' number ${phone} is not a valid phone number.`,
    more_info: 'https://www.twilio.com/docs/errors/21211',
    status: 400,
  });
  assertProblem(await signUp(t, clientId, 'invalid', { phone_number: phone }), 502, 'CodeDeliveryFailureException');
  const [row] = await outboxTo(phone);
  assert.equal(row!.status, 'failed');
  assert.match(row!.lastError ?? '', /400.*21211/);
  const [attempt] = await t.database.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.messageId, row!.id));
  assert.deepEqual([attempt!.channel, attempt!.outcome], ['twilio', 'permanent_failure']);
  assert.deepEqual(
    t.twilio.requests.filter((r) => r.to === phone).map((r) => r.status),
    [400],
  );
});

test('Twilio answering 500 three times, then 201: the sign-up succeeds, the worker retries, and the SMS arrives exactly once', async () => {
  const { clientId } = await createPoolWithClient(t, phonePool);
  const phone = uniquePhone();
  t.twilio.failNext(3, 500);
  const res = await signUp(t, clientId, 'patient', { phone_number: phone });
  assert.equal(res.status, 201);
  assert.equal(res.body.codeDeliveryDetails.deliveryMedium, 'SMS');
  assert.equal(smsTo(t, phone), 0);

  const worker = startDeliveryWorker(t.services.outbox, { intervalMs: 10, logger: silentLogger });
  try {
    await t.twilio.waitFor((m) => m.to === phone, 10_000);
    await sleep(200); // more worker rounds: nothing is sent twice
  } finally {
    await worker.stop();
  }
  assert.equal(smsTo(t, phone), 1);
  assert.deepEqual(
    t.twilio.requests.filter((r) => r.to === phone).map((r) => r.status),
    [500, 500, 500, 201],
  );
  const [row] = await outboxTo(phone);
  assert.equal(row!.status, 'sent');
  assert.equal(row!.attempts, 4);
  assert.equal(row!.providerMessageId, t.twilio.messages.at(-1)!.sid);
  const tries = await t.database.db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.messageId, row!.id))
    .orderBy(asc(deliveryAttempts.attempt));
  assert.deepEqual(
    tries.map((a) => [a.outcome, a.channel]),
    [
      ['transient_failure', 'twilio'],
      ['transient_failure', 'twilio'],
      ['transient_failure', 'twilio'],
      ['sent', 'twilio'],
    ],
  );
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'patient',
    confirmationCode: t.smsCodeFor(phone),
  });
  assert.equal(confirmed.status, 200);
});
