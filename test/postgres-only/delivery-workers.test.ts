import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { count, eq } from 'drizzle-orm';
import type pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { deliveryAttempts, outboxMessages } from '../../src/db/schema/index.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import {
  createCourierFromConfig,
  createOutbox,
  startDeliveryWorker,
  type Courier,
} from '../../src/modules/courier/index.ts';
import { loadCodeHmacSecret } from '../../src/modules/secrets/server-secrets.ts';
import { createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { onPostgres } from '../support/database.ts';

// Competing claims need real concurrent connections and row locks: PGlite is one connection in one process.
const skip = onPostgres
  ? false
  : 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

const MESSAGES = 200;

describe('delivery workers on PostgreSQL', { skip }, () => {
  let t: TestApp;
  const others: Database[] = [];

  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    for (const database of others) await database.close();
    await t?.close();
  });

  test(`two workers, each with its own connections, send ${MESSAGES} queued messages exactly once`, async () => {
    const { poolId } = await createPoolWithClient(t);
    const { db } = t.database;
    const destinations = Array.from({ length: MESSAGES }, (_, i) => `w${i}@example.com`);
    // Queued without an immediate send, as a batch of invitations would be: due at once.
    for (let batch = 0; batch < MESSAGES; batch += 50) {
      await db.transaction(async (tx) => {
        for (const destination of destinations.slice(batch, batch + 50)) {
          await t.services.outbox.enqueue(tx, {
            poolId,
            userId: null,
            username: destination.split('@')[0]!,
            medium: 'EMAIL',
            destination,
            purpose: 'ADMIN_INVITATION',
            secret: `Temp-${destination}`,
            immediate: false,
          });
        }
      });
    }

    // Two separate processes' worth: own pools of connections, own couriers, own workers.
    const url = (db as unknown as { $client: pg.Pool }).$client.options.connectionString!;
    const sentBy = [0, 0];
    const workers = [];
    for (const w of [0, 1]) {
      const database = await openDatabase({ kind: 'postgres', url, poolSize: 5 });
      others.push(database);
      const real = await createCourierFromConfig({
        smtpUrl: t.smtp.url,
        mailFrom: 'Workers <w@cognate.test>',
        logger: silentLogger,
      });
      const courier: Courier = {
        ...real,
        async deliver(input) {
          sentBy[w]!++;
          return real.deliver(input);
        },
        close: () => real.close(),
      };
      const outbox = createOutbox({
        db: database.db,
        courier,
        secret: await loadCodeHmacSecret(database.db),
        logger: silentLogger,
      });
      workers.push({
        worker: startDeliveryWorker(outbox, { intervalMs: 5, batchSize: 7, logger: silentLogger }),
        courier,
      });
    }

    const deadline = Date.now() + 60_000;
    while ((await t.services.outbox.backlog()) > 0) {
      assert.ok(Date.now() < deadline, 'the workers did not drain the outbox in time');
      await sleep(50);
    }
    for (const { worker, courier } of workers) {
      await worker.stop();
      await courier.close();
    }

    assert.equal(t.smtp.messages.length, MESSAGES);
    const received = t.smtp.messages.flatMap((m) => m.to).sort();
    assert.deepEqual(received, [...destinations].sort());
    assert.equal(sentBy[0]! + sentBy[1]!, MESSAGES);
    assert.ok(sentBy[0]! > 0 && sentBy[1]! > 0, `both workers sent some (${sentBy.join(' + ')})`);
    const rows = await db.select().from(outboxMessages).where(eq(outboxMessages.poolId, poolId));
    assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.payload === null));
    const [tries] = await db.select({ n: count() }).from(deliveryAttempts);
    assert.equal(tries!.n, MESSAGES);
    // The temporary password reached each recipient, rendered with the invitation template.
    const one = t.smtp.messages.find((m) => m.to.includes('w7@example.com'))!;
    assert.match(one.text, /Temp-w7@example\.com/);
  });
});
