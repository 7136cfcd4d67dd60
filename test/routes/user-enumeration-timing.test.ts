/**
 * No user enumeration by timing: with existence hidden (the default client), sign-in, forgot
 * password and resend take as long for a name no user has as for a real user. Measured with
 * the production argon2 cost, interleaved in random order so load on the machine falls on both
 * alike, and compared by median.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { count, inArray } from 'drizzle-orm';
import { outboxMessages } from '../../src/db/schema/index.ts';
import { after, before, test } from 'node:test';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { mailsTo, signUp, uniqueEmail } from '../support/user-flows.ts';

const MAX_GAP = 0.1;

let t: TestApp;
let clientId: string;
const knownEmail = uniqueEmail('known');
const pendingEmail = uniqueEmail('pending');
before(async () => {
  // Realistic hashing (the defaults): the check this test is about is the argon2 verify.
  t = await startTestApp({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1' });
  ({ clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    codePolicy: { sendsPerHour: 1_000_000 },
  }));
  await signedInUser(t, clientId, 'known', { email: knownEmail });
  assert.equal((await signUp(t, clientId, 'pending', { email: pendingEmail })).status, 201);
});
after(() => t.close());

let tries = 0;
async function post(url: string, body: unknown) {
  tries += 1;
  const started = performance.now();
  // A new client address each try: the lockout (kept per address) must not turn the measured failures into fast refusals.
  const res = await t.app.inject({
    method: 'POST',
    url,
    remoteAddress: `10.${(tries >> 16) & 255}.${(tries >> 8) & 255}.${tries & 255}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  const ms = performance.now() - started;
  const parsed = JSON.parse(res.body);
  // The shape of the answer, without values that differ anyway (masked destinations).
  const shape = `${res.statusCode} ${parsed.code ?? ''} ${parsed.detail ?? ''} ${Object.keys(
    parsed.codeDeliveryDetails ?? parsed,
  )
    .sort()
    .join(',')}`;
  return { ms, shape };
}

/**
 * A real user's code is written and mailed after (forgot password) or while (resend) answering.
 * The next try starts once that work is over: the mail has arrived and the outbox holds nothing
 * in flight. Every try ends with the same settling, known or unknown, so the work a mail leaves
 * behind (its parsing in the capture server, collected garbage) falls on neither side more than
 * the other: a real try's aftermath had been landing on the try that followed it, which was the
 * unknown one three times in four, and measured unknown users 15-26 % slower on PostgreSQL.
 */
async function settled(address: string | undefined, request: () => ReturnType<typeof post>) {
  const expected = address ? mailsTo(t, address) + 1 : 0;
  const measured = await request();
  if (address) await t.smtp.waitFor(() => mailsTo(t, address) >= expected, 10_000);
  for (let waited = 0; await outboxBusy(); waited += 10) {
    if (waited > 10_000) throw new Error('the outbox did not settle');
    await sleep(10);
  }
  await sleep(30);
  return measured;
}

async function outboxBusy(): Promise<boolean> {
  const [row] = await t.database.db
    .select({ n: count() })
    .from(outboxMessages)
    .where(inArray(outboxMessages.status, ['pending', 'sending']));
  return (row?.n ?? 0) > 0;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Runs known and unknown in pairs, in random order; after a warm-up, compares medians. The gap
 * that decides is the median of the pairs' ratios: the two tries of a pair run side by side
 * (`together`) or one right after the other, so the load of a shared machine (which swings by
 * more than 10 percent within seconds) slows both alike and cancels out; the medians of all tries
 * are reported beside it. Side by side suits work that is the same on both sides (argon2 on its
 * thread pool); the others run one after the other: the embedded database answers one query at a
 * time and would make each wait for the other's, and a real resend's mail (sent and received in
 * this process) would slow the simulated one beside it while it only waits.
 */
async function measure(
  name: string,
  pairs: number,
  together: boolean,
  known: () => Promise<{ ms: number; shape: string }>,
  unknown: typeof known,
) {
  const times = { known: [] as number[], unknown: [] as number[] };
  const ratios: number[] = [];
  const warmUp = Math.max(5, pairs / 10);
  for (let i = 0; i < warmUp + pairs; i++) {
    const order = randomInt(2) === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
    const results: Record<string, { ms: number; shape: string }> = {};
    const run = async (which: 'known' | 'unknown') =>
      (results[which] = await (which === 'known' ? known() : unknown()));
    if (together) await Promise.all(order.map(run));
    else for (const which of order) await run(which);
    assert.equal(results.unknown!.shape, results.known!.shape, `${name}: the answers differ in shape`);
    if (i < warmUp) continue;
    for (const which of order) times[which].push(results[which]!.ms);
    ratios.push(results.known!.ms / results.unknown!.ms);
  }
  const k = median(times.known);
  const u = median(times.unknown);
  const ratio = median(ratios);
  const gap = Math.abs(ratio - 1) / Math.min(ratio, 1);
  const report = `${name}: median known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms (${((Math.abs(k - u) / Math.min(k, u)) * 100).toFixed(1)}% apart); median paired ratio ${ratio.toFixed(3)}, gap ${(gap * 100).toFixed(1)}% over ${pairs} pairs`;
  process.stdout.write(`# ${report}\n`);
  assert.ok(gap <= MAX_GAP, `${report}: more than ${MAX_GAP * 100}%`);
}

test('sign-in with a wrong password takes as long for an unknown user as for a known one (argon2 defaults)', async () => {
  await measure(
    'sign-in',
    100,
    true,
    () => post('/v1/auth/sign-in', { clientId, username: 'known', password: 'Wr0ng-passw0rd!' }),
    () => post('/v1/auth/sign-in', { clientId, username: 'ghost', password: 'Wr0ng-passw0rd!' }),
  );
});

test('forgot password takes as long for an unknown user as for a known one', async () => {
  await measure(
    'forgot password',
    120,
    false,
    () => settled(knownEmail, () => post('/v1/auth/forgot-password', { clientId, username: 'known' })),
    () => settled(undefined, () => post('/v1/auth/forgot-password', { clientId, username: 'ghost' })),
  );
});

test('resending a sign-up code takes as long for an unknown user as for a known one', async () => {
  await measure(
    'resend',
    50,
    false,
    () => settled(pendingEmail, () => post('/v1/sign-up/resend-code', { clientId, username: 'pending' })),
    () => settled(undefined, () => post('/v1/sign-up/resend-code', { clientId, username: 'ghost' })),
  );
});
