/**
 * The CustomMessage trigger on the REST face, with a real HTTP hook server, real SMTP and the Twilio
 * stand-in (docs/trigger-events.md, "CustomMessage"): each trigger source, the answer's subject and
 * bodies with the code put in by Cognate, the fallbacks, and failures.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { PASSWORD, createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { startHookServer, type HookRequest, type HookServer } from '../support/hook-server.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import {
  assertProblem,
  eventually,
  mailsTo,
  newCodeFor,
  signIn,
  signUp,
  smsTo,
  uniqueEmail,
  uniquePhone,
} from '../support/user-flows.ts';

let t: TestApp;
let hook: HookServer;
before(async () => {
  t = await startTestApp({}, { hookPolicy: { timeoutMs: 300, retryDelayMs: 10 } });
  hook = await startHookServer();
});
after(async () => {
  await hook.close();
  await t.close();
});
beforeEach(() => {
  hook.reset();
  hook.requests.length = 0;
});

/** A branded answer for whichever trigger source asks, naming the source in the subject. */
function brand(request: HookRequest) {
  const { triggerSource, request: req } = request.body;
  const username = req.usernameParameter ? ` ${req.usernameParameter}` : '';
  return {
    status: 200,
    body: {
      ...request.body,
      response: {
        emailSubject: `Brand: ${triggerSource}`,
        emailMessage: `<p>Hello${username}, your code is <b>${req.codeParameter}</b></p>`,
        smsMessage: `Brand code ${req.codeParameter}${username}`,
      },
    },
  };
}

const lastMailTo = (address: string) => t.smtp.messages.filter((m) => m.to.includes(address)).at(-1)!;

async function pool(extra: Record<string, unknown> = {}, client: Record<string, unknown> = {}) {
  return createPoolWithClient(
    t,
    { autoVerifiedAttributes: ['email'], hooks: { customMessage: hook.url }, ...extra },
    client,
  );
}

test('sign-up: the hook gets {####}, never the code; the mail carries its subject and body with the code put in', async () => {
  const { poolId, clientId } = await pool();
  hook.handle(brand);
  const email = uniqueEmail('cm');
  const res = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: 'cm-jane',
    password: PASSWORD,
    userAttributes: { email },
    clientMetadata: { campaign: 'spring' },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const code = await newCodeFor(t, email, 0);
  const mail = lastMailTo(email);
  assert.equal(mail.subject, 'Brand: CustomMessage_SignUp');
  assert.match(mail.html, new RegExp(`your code is <b>${code}</b>`));
  assert.match(mail.text, new RegExp(`your code is ${code}`));
  const event = hook.last().body;
  assert.equal(event.triggerSource, 'CustomMessage_SignUp');
  assert.equal(event.userPoolId, poolId);
  assert.equal(event.userName, 'cm-jane');
  assert.equal(event.callerContext.clientId, clientId);
  assert.equal(event.request.codeParameter, '{####}');
  assert.equal(event.request.usernameParameter, null);
  assert.deepEqual(event.request.clientMetadata, { campaign: 'spring' });
  assert.equal(event.request.userAttributes.email, email);
  assert.equal(event.request.userAttributes['cognito:user_status'], 'UNCONFIRMED');
  assert.deepEqual(event.response, { smsMessage: null, emailMessage: null, emailSubject: null });
  // The code left Cognate only in the mail.
  assert.ok(!hook.requests.some((r) => r.raw.includes(code)));
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'cm-jane',
    confirmationCode: code,
  });
  assert.equal(confirmed.status, 200);
});

test('each flow names its own trigger source', async () => {
  const { poolId, clientId } = await pool();
  hook.handle(brand);
  const email = uniqueEmail('cm-src');
  await signUp(t, clientId, 'cm-src', { email });
  await newCodeFor(t, email, 0);

  assert.equal((await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-src' })).status, 200);
  const resent = await newCodeFor(t, email, 1);
  assert.equal(lastMailTo(email).subject, 'Brand: CustomMessage_ResendCode');
  const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
    clientId,
    username: 'cm-src',
    confirmationCode: resent,
  });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));

  assert.equal((await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'cm-src' })).status, 200);
  await newCodeFor(t, email, 2);
  assert.equal(lastMailTo(email).subject, 'Brand: CustomMessage_ForgotPassword');

  const { accessToken } = (await signIn(t, clientId, 'cm-src')).body;
  const newEmail = uniqueEmail('cm-new');
  const updated = await t.call('PATCH', '/v1/me/attributes', { userAttributes: { email: newEmail } }, accessToken);
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  await newCodeFor(t, newEmail, 0);
  assert.equal(lastMailTo(newEmail).subject, 'Brand: CustomMessage_UpdateUserAttribute');

  const asked = await t.call('POST', '/v1/me/attributes/email/verification-code', undefined, accessToken);
  assert.equal(asked.status, 200, JSON.stringify(asked.body));
  await newCodeFor(t, newEmail, 1);
  assert.equal(lastMailTo(newEmail).subject, 'Brand: CustomMessage_VerifyUserAttribute');

  const admin = await t.admin('PATCH', `/v1/pools/${poolId}/users/cm-src/attributes`, {
    userAttributes: { email: uniqueEmail('cm-admin') },
  });
  assert.ok(admin.status === 200, JSON.stringify(admin.body));
  assert.equal(hook.last().body.triggerSource, 'CustomMessage_UpdateUserAttribute');
  assert.equal(hook.last().body.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
});

test('AdminCreateUser: usernameParameter {username}; the invitation carries the username and the temporary password', async () => {
  const { poolId } = await pool();
  hook.handle(brand);
  const email = uniqueEmail('cm-inv');
  const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'cm-invitee',
    temporaryPassword: 'Temp0rary!',
    userAttributes: { email },
    clientMetadata: { team: 'ops' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await eventually(() => mailsTo(t, email) === 1);
  const mail = lastMailTo(email);
  assert.equal(mail.subject, 'Brand: CustomMessage_AdminCreateUser');
  assert.match(mail.text, /Hello cm-invitee, your code is Temp0rary!/);
  const event = hook.last().body;
  assert.equal(event.request.usernameParameter, '{username}');
  assert.deepEqual(event.request.clientMetadata, { team: 'ops' });
  assert.ok(!hook.last().raw.includes('Temp0rary!'));
});

test('a body without {####} (or an invitation without {username}) is not used: the pool’s own message goes out', async () => {
  const { poolId, clientId } = await pool();
  hook.respondWith({ emailSubject: 'Custom subject', emailMessage: 'No code here' });
  const email = uniqueEmail('cm-nocode');
  await signUp(t, clientId, 'cm-nocode', { email });
  const code = await newCodeFor(t, email, 0);
  const mail = lastMailTo(email);
  // The subject needs no code and is kept; the body is the default one, with the code.
  assert.equal(mail.subject, 'Custom subject');
  assert.match(mail.text, new RegExp(`Your verification code is ${code}`));

  hook.respondWith({ emailMessage: 'Your password is {####}' });
  const invited = uniqueEmail('cm-nouser');
  await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'cm-nouser',
    temporaryPassword: 'Temp0rary!',
    userAttributes: { email: invited },
  });
  await eventually(() => mailsTo(t, invited) === 1);
  assert.match(lastMailTo(invited).text, /Your temporary password is Temp0rary!/);
});

test('SMS: smsMessage with the code put in, through Twilio', async () => {
  const { clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['phone_number'],
    hooks: { customMessage: hook.url },
  });
  hook.handle(brand);
  const phone = uniquePhone();
  const res = await signUp(t, clientId, 'cm-sms', { phone_number: phone });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(smsTo(t, phone), 1);
  const code = t.smsCodeFor(phone);
  assert.equal(t.twilio.messages.at(-1)!.body, `Brand code ${code}`);
});

test('a refusing hook: the user is made but no code is sent, and the call says why; resend works once it agrees', async () => {
  const { poolId, clientId } = await pool({}, { preventUserExistenceErrors: false });
  hook.answer(400, { errorMessage: 'templates missing' });
  const email = uniqueEmail('cm-refused');
  assertProblem(
    await signUp(t, clientId, 'cm-refused', { email }),
    400,
    'UserLambdaValidationException',
    'CustomMessage failed with error templates missing.',
  );
  const user = await t.admin('GET', `/v1/pools/${poolId}/users/cm-refused`);
  assert.equal(user.body.userStatus, 'UNCONFIRMED');
  assert.equal(mailsTo(t, email), 0);
  hook.reset();
  assert.equal((await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-refused' })).status, 200);
  assert.ok(await newCodeFor(t, email, 0));
});

test('an answer that is not text, or a hook that is down, sends nothing', async () => {
  const { clientId } = await pool({}, { preventUserExistenceErrors: false });
  hook.respondWith({ emailMessage: 42 });
  const email = uniqueEmail('cm-bad');
  assertProblem(await signUp(t, clientId, 'cm-bad', { email }), 502, 'InvalidLambdaResponseException', 'emailMessage');
  hook.delay(1000);
  assertProblem(
    await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-bad' }),
    502,
    'UnexpectedLambdaException',
  );
  hook.reset();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(mailsTo(t, email), 0);
});

test('hidden existence: a failing hook on resend is answered as a sent code would be', async () => {
  const { clientId } = await pool({}, { preventUserExistenceErrors: true });
  const email = uniqueEmail('cm-hidden');
  assert.equal((await signUp(t, clientId, 'cm-hidden', { email })).status, 201);
  hook.answer(400, { errorMessage: 'nope' });
  const known = await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-hidden' });
  const unknown = await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-nobody' });
  assert.equal(known.status, 200, JSON.stringify(known.body));
  assert.equal(unknown.status, 200, JSON.stringify(unknown.body));
  assert.equal(known.body.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  assert.equal(mailsTo(t, email), 1);
});

test('a retry by the delivery worker asks the hook again, with the trigger source sealed in the message', async () => {
  // A second app whose SMTP server is down at first: the request's own try fails, the worker retries.
  const probe = await startSmtpCapture();
  const port = Number(new URL(probe.url).port);
  await probe.close();
  const down = await startTestApp(
    { SMTP_URL: `smtp://127.0.0.1:${port}`, DELIVERY_RETRY_BASE_MS: '20', DELIVERY_MAX_ATTEMPTS: '10' },
    { hookPolicy: { timeoutMs: 300, retryDelayMs: 10 } },
  );
  let revived: Awaited<ReturnType<typeof startSmtpCapture>> | undefined;
  try {
    const { clientId } = await createPoolWithClient(down, {
      autoVerifiedAttributes: ['email'],
      hooks: { customMessage: hook.url },
    });
    hook.handle(brand);
    const email = uniqueEmail('cm-retry');
    assert.equal((await signUp(down, clientId, 'cm-retry', { email })).status, 201);
    assert.equal((await down.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-retry' })).status, 200);
    assert.deepEqual(
      hook.requests.map((r) => r.body.triggerSource),
      ['CustomMessage_SignUp', 'CustomMessage_ResendCode'],
    );
    revived = await startSmtpCapture({ port });
    await eventually(async () => {
      await down.services.outbox.runDue({ limit: 10 });
      return revived!.messages.length > 0;
    }, 10_000);
    // The superseded sign-up code never goes out; the resent one does, branded by a new call.
    assert.equal(revived.messages.length, 1);
    assert.equal(revived.messages[0]!.subject, 'Brand: CustomMessage_ResendCode');
    assert.match(revived.messages[0]!.text, /your code is \d{6}/);
    assert.equal(hook.requests.at(-1)!.body.triggerSource, 'CustomMessage_ResendCode');
    assert.ok(hook.requests.length >= 3);
  } finally {
    await down.close();
    await revived?.close();
  }
});
