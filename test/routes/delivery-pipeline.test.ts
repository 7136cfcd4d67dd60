import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asc, eq } from 'drizzle-orm';
import { deliveryAttempts, outboxMessages, userAttributes, users } from '../../src/db/schema/index.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { openPayload, sealPayload, startDeliveryWorker } from '../../src/modules/courier/index.ts';
import { createPoolWithClient, PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';

/** A port nothing listens on (yet): the SMTP server is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const MAX_ATTEMPTS = 3;
let t: TestApp;
let port: number;
let revived: SmtpCapture | undefined;

before(async () => {
  port = await closedPort();
  // SMTP_URL points at the closed port; the server comes back on it in the first test.
  t = await startTestApp({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    DELIVERY_RETRY_BASE_MS: '20',
    DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  });
});
after(async () => {
  await t.close();
  await revived?.close();
});

async function messagesTo(destination: string) {
  return t.database.db
    .select()
    .from(outboxMessages)
    .where(eq(outboxMessages.destination, destination))
    .orderBy(asc(outboxMessages.createdAt));
}

async function attemptsOf(messageId: string) {
  return t.database.db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.messageId, messageId))
    .orderBy(asc(deliveryAttempts.attempt));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('with the SMTP server down a sign-up still succeeds, and the code arrives once it is back, exactly once', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: 'downtime',
    password: PASSWORD,
    userAttributes: { email: 'downtime@example.com' },
  });
  assert.equal(signUp.status, 201);
  assert.equal(signUp.body.codeDeliveryDetails.deliveryMedium, 'EMAIL');

  const [queued] = await messagesTo('downtime@example.com');
  assert.equal(queued!.status, 'pending');
  assert.equal(queued!.attempts, 1);
  assert.ok(queued!.nextAttemptAt > queued!.createdAt);
  // The database holds no readable code or username, only the sealed payload.
  assert.match(queued!.payload ?? '', /^v1\./);
  assert.ok(!queued!.payload!.includes('downtime'));
  const [first] = await attemptsOf(queued!.id);
  assert.equal(first!.outcome, 'transient_failure');
  assert.equal(first!.channel, 'smtp');
  assert.match(first!.error ?? '', /ECONNREFUSED|connect/i);

  revived = await startSmtpCapture({ port });
  const worker = startDeliveryWorker(t.services.outbox, { intervalMs: 10, logger: silentLogger });
  try {
    const code = await revived.codeFor('downtime@example.com', 10_000);
    const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
      clientId,
      username: 'downtime',
      confirmationCode: code,
    });
    assert.equal(confirmed.status, 200);
    // Several more worker rounds: nothing is sent twice.
    await sleep(200);
  } finally {
    await worker.stop();
  }
  assert.equal(revived.messages.filter((m) => m.to.includes('downtime@example.com')).length, 1);
  const [sent] = await messagesTo('downtime@example.com');
  assert.equal(sent!.status, 'sent');
  assert.equal(sent!.attempts, 2);
  assert.equal(sent!.payload, null);
  assert.ok(sent!.providerMessageId);
  const tries = await attemptsOf(sent!.id);
  assert.deepEqual(
    tries.map((a) => [a.attempt, a.outcome, a.channel]),
    [
      [1, 'transient_failure', 'smtp'],
      [2, 'sent', 'smtp'],
    ],
  );
  assert.equal(tries[1]!.providerMessageId, sent!.providerMessageId);
});

test('retries back off exponentially and give up after the last try: the message is failed for good, every try recorded', async () => {
  await revived?.close();
  revived = undefined;
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: 'givesup',
    password: PASSWORD,
    userAttributes: { email: 'givesup@example.com' },
  });
  assert.equal(signUp.status, 201);
  const [queued] = await messagesTo('givesup@example.com');

  const failed = await until('the message to fail', async () => {
    await t.services.outbox.runDue({ limit: 10 });
    const [row] = await messagesTo('givesup@example.com');
    return row!.status === 'failed' ? row : undefined;
  });
  assert.equal(failed.attempts, MAX_ATTEMPTS);
  assert.equal(failed.payload, null);
  assert.match(failed.lastError ?? '', /ECONNREFUSED|connect/i);
  const tries = await attemptsOf(queued!.id);
  assert.deepEqual(
    tries.map((a) => [a.attempt, a.outcome]),
    [
      [1, 'transient_failure'],
      [2, 'transient_failure'],
      [3, 'transient_failure'],
    ],
  );
  // Delays of at least half of 20 ms, then of 40 ms (the jitter takes at most half).
  const gaps = tries.slice(1).map((a, i) => a.at.getTime() - tries[i]!.at.getTime());
  assert.ok(gaps[0]! >= 10, `first gap ${gaps[0]} ms`);
  assert.ok(gaps[1]! >= 20, `second gap ${gaps[1]} ms`);

  // For good: later rounds do not touch it, even with the server back.
  revived = await startSmtpCapture({ port });
  await t.services.outbox.runDue({ limit: 10 });
  const [after] = await messagesTo('givesup@example.com');
  assert.equal(after!.status, 'failed');
  assert.equal(after!.attempts, MAX_ATTEMPTS);
  assert.equal(revived.messages.length, 0);
});

test('a claim whose lease ran out (a crashed sender) is taken again and sent', async () => {
  revived ??= await startSmtpCapture({ port });
  const { poolId } = await createPoolWithClient(t);
  const message = await t.database.db.transaction((tx) =>
    t.services.outbox.enqueue(tx, {
      poolId,
      userId: null,
      username: 'crashed',
      medium: 'EMAIL',
      destination: 'crashed@example.com',
      purpose: 'SIGN_UP',
      secret: '424242',
      immediate: false,
    }),
  );
  // As a sender leaves it when it dies after claiming: sending, lease over.
  await t.database.db
    .update(outboxMessages)
    .set({ status: 'sending', attempts: 1, nextAttemptAt: new Date(Date.now() - 1000) })
    .where(eq(outboxMessages.id, message.id));
  const result = await t.services.outbox.runDue({ limit: 10 });
  assert.equal(result.sent, 1);
  const mail = await revived.waitFor((m) => m.to.includes('crashed@example.com'));
  assert.match(mail.text, /424242/);
  const [row] = await messagesTo('crashed@example.com');
  assert.equal(row!.status, 'sent');
  assert.equal(row!.attempts, 2);
});

test('an SMS goes only to the user’s current or pending phone, checked when it is sent', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['phone_number'] });
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: 'phoner',
    password: PASSWORD,
    userAttributes: { phone_number: '+12125550100' },
  });
  assert.equal(signUp.status, 201);
  const [user] = await t.database.db.select().from(users).where(eq(users.id, signUp.body.userSub));
  const enqueue = (destination: string, secret: string) =>
    t.database.db.transaction((tx) =>
      t.services.outbox.enqueue(tx, {
        poolId: user!.poolId,
        userId: user!.id,
        username: user!.username,
        medium: 'SMS',
        destination,
        // Each its own purpose, so none supersedes another.
        purpose: (['SIGN_UP', 'VERIFY_ATTRIBUTE', 'FORGOT_PASSWORD'] as const)[Number(secret[0])]!,
        secret,
        immediate: false,
      }),
    );
  const stranger = await enqueue('+12125550199', '011111');
  const pending = await enqueue('+12125550177', '122222');
  const current = await enqueue('+12125550100', '233333');
  await t.database.db
    .update(userAttributes)
    .set({ pendingValue: '+12125550177' })
    .where(eq(userAttributes.userId, user!.id));

  await t.services.outbox.runDue({ limit: 10 });
  const status = async (id: string) =>
    (await t.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, id)))[0]!;
  assert.equal((await status(stranger.id)).status, 'cancelled');
  assert.equal((await status(stranger.id)).payload, null);
  assert.equal((await status(pending.id)).status, 'sent');
  assert.equal((await status(current.id)).status, 'sent');
  assert.ok(
    !t.twilio.messages.some((m) => m.to === '+12125550199'),
    'nothing was sent to a number that is not the user’s',
  );
  assert.ok(!t.logs.some((e) => e.to === '+12125550199'), 'nor written to the log');
  assert.ok(
    t.twilio.messages.some((m) => m.to === '+12125550100'),
    'the current number did get its message',
  );
  assert.equal(t.smsCodeFor('+12125550177'), '122222');
});

test('a new code supersedes a message still waiting for a retry', async () => {
  await revived?.close();
  revived = undefined;
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  assert.equal(
    (
      await t.call('POST', '/v1/sign-up', {
        clientId,
        username: 'again',
        password: PASSWORD,
        userAttributes: { email: 'again@example.com' },
      })
    ).status,
    201,
  );
  assert.equal((await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'again' })).status, 200);
  const rows = await messagesTo('again@example.com');
  assert.deepEqual(
    rows.map((r) => r.status),
    ['cancelled', 'pending'],
  );
});

test('payloads are sealed to their row: another row id or another key cannot open them', () => {
  const key = Buffer.alloc(32, 7);
  const sealed = sealPayload(key, 'row-1', { secret: '123456', username: 'jane' });
  assert.deepEqual(openPayload(key, 'row-1', sealed), { secret: '123456', username: 'jane' });
  assert.throws(() => openPayload(key, 'row-2', sealed));
  assert.throws(() => openPayload(Buffer.alloc(32, 8), 'row-1', sealed));
});
