/**
 * The hooks seen from an attacker's side (docs/security.md, "Hooks"), against real HTTP hook
 * servers: what a hook's answer can and cannot make Cognate do, what a hook's failure tells a caller
 * about who exists, what a failing pre-trigger leaves written, and how the shipped Lambda adapter
 * answers a handler whose result is not JSON.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { createLambdaHookServer } from '../../src/cli/lambda-hook.ts';
import { createHookSecrets } from '../../src/modules/hooks/hook-secrets.ts';
import { auditEvents } from '../../src/db/schema/audit.ts';
import { outboxMessages } from '../../src/db/schema/courier.ts';
import { signInLockouts } from '../../src/db/schema/rate-limits.ts';
import { users } from '../../src/db/schema/user-store.ts';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import { PASSWORD, createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { startHookServer, verifyHookSignature, type HookRequest, type HookServer } from '../support/hook-server.ts';
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

const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Rows the pool has in the tables a refused sign-up must not touch. */
async function written(poolId: string) {
  const { db } = t.database;
  const [u] = await db.select({ n: count() }).from(users).where(eq(users.poolId, poolId));
  const [o] = await db.select({ n: count() }).from(outboxMessages).where(eq(outboxMessages.poolId, poolId));
  const [a] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.poolId, poolId));
  return { users: Number(u!.n), outbox: Number(o!.n), audit: Number(a!.n) };
}

/** The event sent back as the hook's answer, written as raw JSON text with `responseJson` as its response. */
const rawAnswer = (request: HookRequest, responseJson: string) => ({
  status: 200,
  body: JSON.stringify({ ...request.body, response: {} }).replace('"response":{}', `"response":${responseJson}`),
});

describe('what a hook’s refusal tells the caller', () => {
  test('errorMessage reaches the caller without control or format characters, and at most 1024 characters of it', async () => {
    const { clientId } = await createPoolWithClient(t, { hooks: { preSignUp: hook.url } });
    const hostile = `Refused\r\nX-Injected: yes\u001b[31m red \u202Eevil\u2028next ${'x'.repeat(5000)}`;
    hook.answer(400, { errorMessage: hostile, errorType: 'Error' });
    const res = await signUp(t, clientId, 'cleaned', { email: uniqueEmail('cleaned') });
    assertProblem(
      res,
      400,
      'UserLambdaValidationException',
      'PreSignUp failed with error Refused X-Injected: yes [31m red evil next x',
    );
    const detail = String(res.body.detail);
    assert.doesNotMatch(detail, CONTROL_OR_FORMAT);
    const prefix = 'PreSignUp failed with error ';
    assert.ok(detail.startsWith(prefix) && detail.endsWith('.'));
    assert.equal(Array.from(detail.slice(prefix.length, -1)).length, 1024);
  });
});

describe('what a hook’s answer cannot make Cognate do', () => {
  test('PreSignUp: __proto__ keys in the answer grant nothing and pollute nothing', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['email'],
      hooks: { preSignUp: hook.url },
    });
    hook.handle((request) =>
      rawAnswer(
        request,
        '{"__proto__":{"autoConfirmUser":true,"autoVerifyEmail":true},"constructor":{"prototype":{"autoConfirmUser":true}}}',
      ),
    );
    const email = uniqueEmail('proto');
    const res = await signUp(t, clientId, 'proto', { email });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.userConfirmed, false);
    const user = await t.admin('GET', `/v1/pools/${poolId}/users/proto`);
    assert.equal(user.body.userStatus, 'UNCONFIRMED');
    assert.equal(user.body.attributes.email_verified, 'false');
    assert.equal(({} as Record<string, unknown>).autoConfirmUser, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'autoConfirmUser'), false);
  });

  test('answers that are not the event (null, an array, a string, response not an object) are refused and write nothing', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['email'],
      hooks: { preSignUp: hook.url },
    });
    const before = await written(poolId);
    const answers: ((request: HookRequest) => { status: number; body: unknown })[] = [
      () => ({ status: 200, body: 'null' }),
      (request) => ({ status: 200, body: [request.body] }),
      () => ({ status: 200, body: '"autoConfirmUser"' }),
      (request) => rawAnswer(request, '[true]'),
      (request) => rawAnswer(request, '"yes"'),
      (request) => rawAnswer(request, '{"autoConfirmUser":"true"}'),
    ];
    for (const [n, answer] of answers.entries()) {
      hook.handle(answer);
      const res = await signUp(t, clientId, `not-event-${n}`, { email: uniqueEmail('not-event') });
      assertProblem(res, 502, 'InvalidLambdaResponseException');
      assert.doesNotMatch(String(res.body.detail), /127\.0\.0\.1|http:/);
    }
    assert.deepEqual(await written(poolId), before);
  });
});

describe('a failing pre-trigger leaves nothing written', () => {
  test('PreSignUp refused, down or timed out: no user, no outbox row, no audit row', async () => {
    const down = await startHookServer();
    await down.close();
    const { poolId, clientId } = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['email'],
      hooks: { preSignUp: hook.url },
    });
    const before = await written(poolId);
    hook.answer(400, { errorMessage: 'no' });
    assertProblem(
      await signUp(t, clientId, 'left-1', { email: uniqueEmail('left') }),
      400,
      'UserLambdaValidationException',
    );
    hook.answer(503, {});
    assertProblem(
      await signUp(t, clientId, 'left-2', { email: uniqueEmail('left') }),
      502,
      'UnexpectedLambdaException',
    );
    hook.reset();
    hook.delay(1000);
    assertProblem(
      await signUp(t, clientId, 'left-3', { email: uniqueEmail('left') }),
      502,
      'UnexpectedLambdaException',
    );
    assert.deepEqual(await written(poolId), before);
  });

  test('PreAuthentication refused: the wrong password is not checked and no lockout failure is counted', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, {}, { preventUserExistenceErrors: true });
    const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'locked-not',
      temporaryPassword: PASSWORD,
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await t.admin('PATCH', `/v1/pools/${poolId}`, { hooks: { preAuthentication: hook.url } });
    hook.answer(400, { errorMessage: 'not now' });
    for (let i = 0; i < 3; i++) {
      assertProblem(await signIn(t, clientId, 'locked-not', 'Wrong-password-1'), 400, 'UserLambdaValidationException');
    }
    const [user] = await t.database.db.select().from(users).where(eq(users.poolId, poolId));
    const locks = await t.database.db.select().from(signInLockouts).where(eq(signInLockouts.userId, user!.id));
    assert.deepEqual(locks, []);
  });
});

describe('who exists, where the client hides it', () => {
  test('PreAuthentication refusing, down or answering garbage: a real user and an unknown name get the same answer, and the hook is asked for both', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, {}, { preventUserExistenceErrors: true });
    const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'real-one',
      temporaryPassword: PASSWORD,
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const down = await startHookServer();
    await down.close();
    const setHook = (url: string) => t.admin('PATCH', `/v1/pools/${poolId}`, { hooks: { preAuthentication: url } });
    const both = async () => [await signIn(t, clientId, 'real-one'), await signIn(t, clientId, 'no-such-one')] as const;
    const same = (a: { status: number; body: any }, b: { status: number; body: any }) => {
      assert.equal(a.status, b.status);
      assert.equal(a.body.code, b.body.code);
      assert.equal(a.body.detail, b.body.detail);
    };

    assert.equal((await setHook(hook.url)).status, 200);
    hook.answer(400, { errorMessage: 'outside office hours' });
    const [refusedKnown, refusedUnknown] = await both();
    assertProblem(refusedKnown, 400, 'UserLambdaValidationException', 'outside office hours');
    same(refusedKnown, refusedUnknown);
    const events = hook.requests.map((r) => r.body.request);
    assert.equal(events.length, 2);
    assert.deepEqual(
      events.map((e) => e.userNotFound),
      [false, true],
    );

    hook.answer(200, 'not json');
    const [garbageKnown, garbageUnknown] = await both();
    assertProblem(garbageKnown, 502, 'InvalidLambdaResponseException');
    same(garbageKnown, garbageUnknown);

    assert.equal((await setHook(down.url)).status, 200);
    const [downKnown, downUnknown] = await both();
    assertProblem(downKnown, 502, 'UnexpectedLambdaException');
    same(downKnown, downUnknown);
  });

  test('CustomMessage failing on ResendConfirmationCode and ForgotPassword: the same answer for a real user and an unknown name', async () => {
    const { poolId, clientId } = await createPoolWithClient(
      t,
      { autoVerifiedAttributes: ['email'], hooks: { customMessage: hook.url } },
      { preventUserExistenceErrors: true },
    );
    const email = uniqueEmail('cm-exists');
    assert.equal((await signUp(t, clientId, 'cm-exists', { email })).status, 201);
    const confirmedEmail = uniqueEmail('cm-confirmed');
    const confirmed = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'cm-confirmed',
      temporaryPassword: PASSWORD,
      messageAction: 'SUPPRESS',
      userAttributes: { email: confirmedEmail, email_verified: 'true' },
    });
    assert.equal(confirmed.status, 201, JSON.stringify(confirmed.body));
    for (const failure of [() => hook.answer(400, { errorMessage: 'templates missing' }), () => hook.answer(503, {})]) {
      failure();
      const resendKnown = await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-exists' });
      const resendUnknown = await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'cm-nobody' });
      assert.equal(resendKnown.status, 200, JSON.stringify(resendKnown.body));
      assert.equal(resendUnknown.status, 200, JSON.stringify(resendUnknown.body));
      assert.deepEqual(Object.keys(resendKnown.body).sort(), Object.keys(resendUnknown.body).sort());
      const forgotKnown = await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'cm-confirmed' });
      const forgotUnknown = await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'cm-nobody' });
      assert.equal(forgotKnown.status, forgotUnknown.status, JSON.stringify([forgotKnown.body, forgotUnknown.body]));
      assert.deepEqual(Object.keys(forgotKnown.body).sort(), Object.keys(forgotUnknown.body).sort());
    }
  });
});

describe('CustomMessage answers beyond Cognito’s message limits', () => {
  test('a subject with a line break, an email body over 20,000 characters, an SMS over 140: the pool’s own text goes out', async () => {
    const { clientId } = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['email'],
      hooks: { customMessage: hook.url },
    });
    hook.respondWith({
      emailSubject: 'Hello\r\nBcc: attacker@evil.example',
      emailMessage: `<p>Code {####}</p>${'<p>padding</p>'.repeat(1500)}`,
    });
    const email = uniqueEmail('cm-long');
    assert.equal((await signUp(t, clientId, 'cm-long', { email })).status, 201);
    const code = await newCodeFor(t, email, 0);
    const mail = t.smtp.messages.filter((m) => m.to.includes(email)).at(-1)!;
    assert.doesNotMatch(mail.subject, /Bcc|attacker/);
    assert.doesNotMatch(mail.html, /padding/);
    assert.match(mail.text, new RegExp(`Your verification code is ${code}`));
    assert.equal(
      t.smtp.messages.some((m) => m.to.some((to: string) => to.includes('attacker@evil.example'))),
      false,
    );

    // Within the limits, the hook's text is used.
    hook.respondWith({ emailSubject: 'Fine subject', emailMessage: '<p>Your code: {####}</p>' });
    const fine = uniqueEmail('cm-fine');
    assert.equal((await signUp(t, clientId, 'cm-fine', { email: fine })).status, 201);
    const fineCode = await newCodeFor(t, fine, 0);
    const fineMail = t.smtp.messages.filter((m) => m.to.includes(fine)).at(-1)!;
    assert.equal(fineMail.subject, 'Fine subject');
    assert.match(fineMail.html, new RegExp(`Your code: ${fineCode}`));

    const sms = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['phone_number'],
      hooks: { customMessage: hook.url },
    });
    hook.respondWith({ smsMessage: `Code {####} ${'y'.repeat(140)}` });
    const phone = uniquePhone();
    assert.equal((await signUp(t, sms.clientId, 'cm-long-sms', { phone_number: phone })).status, 201);
    await eventually(() => smsTo(t, phone) === 1);
    const smsCode = t.smsCodeFor(phone);
    assert.equal(t.twilio.messages.at(-1)!.body, `Your verification code is ${smsCode}.`);
    assert.ok(mailsTo(t, email) >= 1);
  });
});

describe('signatures across pools', () => {
  test('one pool’s secret does not verify another pool’s call', async () => {
    const a = await createPoolWithClient(t, { hooks: { preSignUp: hook.url } });
    const b = await createPoolWithClient(t, { hooks: { preSignUp: hook.url } });
    const secretA = (await t.admin('POST', `/v1/pools/${a.poolId}/hook-secret`, { overlapSeconds: 0 })).body.secret;
    const secretB = (await t.admin('POST', `/v1/pools/${b.poolId}/hook-secret`, { overlapSeconds: 0 })).body.secret;
    assert.notEqual(secretA, secretB);
    assert.equal((await signUp(t, a.clientId, 'sig-a', { email: uniqueEmail('sig') })).status, 201);
    const callA = hook.last();
    assert.equal(callA.body.userPoolId, a.poolId);
    assert.equal(verifyHookSignature(callA, secretA), true);
    assert.equal(verifyHookSignature(callA, secretB), false);
    // The secret is in the rotation's answer only: never in a log line.
    assert.equal(JSON.stringify(t.logs).includes(secretA.slice(6)), false);
  });
});

describe('secrets that cannot be opened', () => {
  test('sealed under another server secret: never used, the operator is told, a fresh unknown secret signs instead', async () => {
    const { poolId } = await createPoolWithClient(t, {});
    const before = createHookSecrets({ db: t.database.db, secret: 'server-secret-before-the-change-0123456789' });
    const old = await before.rotate(poolId, 0);
    assert.deepEqual(await before.live(poolId), [old.secret]);
    const told: string[] = [];
    const after = createHookSecrets({
      db: t.database.db,
      secret: 'server-secret-after-the-change-9876543210',
      onUnreadable: (id) => told.push(id),
    });
    const live = await after.live(poolId);
    assert.equal(live.length, 1);
    assert.notEqual(live[0], old.secret);
    assert.match(live[0]!, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.ok(told.length >= 1 && told.every((id) => id === poolId));
    // The old secret is of no use to either: the old server secret cannot open the new one.
    assert.deepEqual(await before.live(poolId), [old.secret]);
  });
});

describe('the Lambda adapter', () => {
  test('a result or a throw that is not JSON: Lambda’s error shape (400), so Cognate does not retry and the handler runs once', async () => {
    const { poolId } = await createPoolWithClient(t, {});
    const secret = (await t.admin('POST', `/v1/pools/${poolId}/hook-secret`, { overlapSeconds: 0 })).body.secret;
    let calls = 0;
    let mode: 'circular-result' | 'circular-throw' | 'bigint' = 'circular-result';
    const server = createLambdaHookServer({
      secrets: [secret],
      log: () => {},
      handler: async (event: any) => {
        calls += 1;
        if (mode === 'bigint') return { ...event, response: { n: 1n } };
        const loop: Record<string, unknown> = { ...event };
        loop.self = loop;
        if (mode === 'circular-throw') throw loop;
        return loop;
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      assert.equal((await t.admin('PATCH', `/v1/pools/${poolId}`, { hooks: { preSignUp: url } })).status, 200);
      const pool = await t.services.pools.getPool(poolId);
      for (const next of ['circular-result', 'circular-throw', 'bigint'] as const) {
        mode = next;
        calls = 0;
        const error = await t.services.hooks
          .call(pool, {
            trigger: 'PreSignUp',
            triggerSource: 'PreSignUp_SignUp',
            userName: 'marshal',
            request: { userAttributes: {}, validationData: null },
          })
          .then(
            () => assert.fail('the call succeeded'),
            (e: unknown) => e,
          );
        assert.ok(error instanceof CognitoError, String(error));
        assert.equal(error.name, 'UserLambdaValidationException', `${next}: ${error.message}`);
        assert.equal(calls, 1, `${next}: the handler ran ${calls} times`);
        assert.doesNotMatch(error.message, /\n|\s{2}|at .*\.ts:/);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
