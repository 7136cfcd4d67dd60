import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { userAttributes, users } from '../../src/db/schema/index.ts';
import { createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { onPostgres } from '../support/database.ts';

// A claim made by another transaction after the import's check needs real concurrent connections.
const skip = onPostgres
  ? false
  : 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

describe('import racing another writer on PostgreSQL', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.close());

  test('an alias taken after the batch was checked refuses that row alone; the batch goes on row by row', async () => {
    const { poolId } = await createPoolWithClient(t, { aliasAttributes: ['email'] });
    const { db } = t.database;
    const email = `race-${randomUUID()}@example.com`;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    // Another writer claims the email and keeps its transaction open: the import's check cannot see it.
    const writer = db.transaction(async (tx) => {
      const id = randomUUID();
      await tx.insert(users).values({ id, poolId, username: 'holder', usernameKey: 'holder', status: 'CONFIRMED' });
      await tx
        .insert(userAttributes)
        .values({ userId: id, poolId, name: 'email', value: email, verified: true, aliasKey: email });
      holding();
      await released;
    });
    await held;

    const row = (username: string, attributes: Record<string, string>) => ({
      username,
      sub: randomUUID(),
      status: 'RESET_REQUIRED',
      enabled: true,
      attributes,
      passwordHash: null,
    });
    async function* rows() {
      yield { line: 1, user: row('first', { given_name: 'F' }) };
      yield { line: 2, user: row('racer', { email, email_verified: 'true' }) };
      yield { line: 3, user: row('third', { email: `third-${randomUUID()}@example.com`, email_verified: 'true' }) };
    }
    const importing = t.services.userTransfer.importUsers(poolId, rows());

    // The import's insert waits on the writer's uncommitted index entry; then the writer commits.
    let waited = false;
    for (let i = 0; i < 200 && !waited; i++) {
      const waiting = await db.execute(
        sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike 'insert into "user_attributes"%'`,
      );
      waited = (waiting as unknown as { rows: Array<{ n: number }> }).rows[0]!.n > 0;
      if (!waited) await sleep(25);
    }
    assert.ok(waited, 'the import never waited on the writer: the batch check must have seen it');
    release();
    await writer;

    const report = await importing;
    assert.equal(report.imported, 2);
    assert.deepEqual(report.rejected, [
      { line: 2, username: 'racer', reason: 'An account with the email already exists.' },
    ]);
    const names = await db.execute(sql`select username from users where pool_id = ${poolId} order by username`);
    assert.deepEqual(
      (names as unknown as { rows: Array<{ username: string }> }).rows.map((r) => r.username),
      ['first', 'holder', 'third'],
    );
  });
});
