import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import { pools, userAttributes, users } from '../../src/db/schema/index.ts';
import { findUserMfa } from '../../src/modules/mfa/user-mfa.repository.ts';
import { createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { onPostgres } from '../support/database.ts';

// MFA state on the import's row-by-row fallback (docs/user-import.md, "MFA"): each row's user_mfa
// is written in that row's savepoint, so a row refused there leaves no MFA row behind.
const skip = onPostgres
  ? false
  : 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

describe('an MFA import racing another writer on PostgreSQL', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.close());

  test('the row that loses the race has no user_mfa; the rows around it keep theirs', async () => {
    const { poolId } = await createPoolWithClient(t, { aliasAttributes: ['email'] });
    const { db } = t.database;
    await db
      .update(pools)
      .set({ mfaConfiguration: 'OPTIONAL', mfaFactors: { sms: true, email: true } })
      .where(eq(pools.id, poolId));
    const email = `race-${randomUUID()}@example.com`;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
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

    const row = (username: string, attributes: Record<string, string>, mfa: unknown) => ({
      username,
      sub: randomUUID(),
      status: 'RESET_REQUIRED',
      enabled: true,
      attributes,
      passwordHash: null,
      mfa,
    });
    const first = row('first', { phone_number: '+15550100001' }, { enabled: ['SMS_MFA'], preferred: 'SMS_MFA' });
    const racer = row('racer', { email, email_verified: 'true' }, { enabled: ['EMAIL_OTP'], preferred: null });
    const third = row(
      'third',
      { email: `third-${randomUUID()}@example.com`, email_verified: 'true' },
      { enabled: ['EMAIL_OTP'], preferred: 'EMAIL_OTP' },
    );
    async function* rows() {
      yield { line: 1, user: first };
      yield { line: 2, user: racer };
      yield { line: 3, user: third };
    }
    const importing = t.services.userTransfer.importUsers(poolId, rows());

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
    assert.equal(await findUserMfa(db, racer.sub), undefined);
    const firstMfa = (await findUserMfa(db, first.sub))!;
    assert.deepEqual([firstMfa.smsEnabled, firstMfa.emailEnabled, firstMfa.preferred], [true, false, 'SMS_MFA']);
    const thirdMfa = (await findUserMfa(db, third.sub))!;
    assert.deepEqual([thirdMfa.smsEnabled, thirdMfa.emailEnabled, thirdMfa.preferred], [false, true, 'EMAIL_OTP']);
  });
});
