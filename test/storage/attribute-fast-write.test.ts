/**
 * The one-statement attribute update (src/modules/user-store/attribute-fast-write.ts,
 * docs/performance.md, "PATCH"): it writes exactly what the locked transaction writes, falls back
 * to it when the state it planned from changed, serialises with other writers of the user, and
 * leaves every other plan to the transaction.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { rows } from '../../src/db/results.ts';
import { planUpdate } from '../../src/modules/attributes/index.ts';
import type { Caller } from '../../src/modules/tokens/sessions.service.ts';
import {
  fastWritable,
  stateAfter,
  writeAttributesIfUnchanged,
} from '../../src/modules/user-store/attribute-fast-write.ts';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { onPostgres } from '../support/database.ts';
import { uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
/** Transactions opened on the app's database: the fast path opens none. */
let transactions = 0;
let poolId: string;
let clientId: string;

before(async () => {
  t = await startTestApp();
  const db = t.database.db as unknown as { transaction: (...args: unknown[]) => Promise<unknown> };
  const transaction = db.transaction.bind(db);
  db.transaction = (...args: unknown[]) => {
    transactions++;
    return transaction(...args);
  };
  ({ poolId, clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    aliasAttributes: ['email', 'preferred_username'],
    auditPolicy: { recordValues: true },
    schema: [{ name: 'given_name', required: true }],
  }));
});
after(() => t.close());

const START = { given_name: 'Ada', nickname: 'n0', family_name: 'Lovelace' };
let serial = 0;

/** A signed-in user with START and a preferred_username (an alias: set after sign-up); its trail starts after that. */
async function newUser() {
  const username = `fast${++serial}`;
  const tokens = await signedInUser(t, clientId, username, { email: uniqueEmail(username), ...START });
  const alias = await t.admin('PATCH', `/v1/pools/${poolId}/users/${username}/attributes`, {
    userAttributes: { preferred_username: `pu-${username}` },
  });
  assert.equal(alias.status, 200);
  const [last] = await query(sql`select max(seq) as seq from audit_events`);
  return { username, userId: tokens.userSub, token: tokens.accessToken, seq: Number(last!.seq) };
}

/** The caller as the access-token check reads it (user and attributes, no lock). */
const callerOf = (token: string): Promise<Caller> => t.services.sessions.authenticate(token);

const query = async (statement: ReturnType<typeof sql>) => rows(await t.database.db.execute(statement));

/** The user's rows but email and preferred_username, whose values are the user's own. */
async function attributeRows(userId: string) {
  return query(sql`select name, value, verified, pending_value, alias_key, pool_id from user_attributes
    where user_id = ${userId} and name not in ('email', 'preferred_username') order by name`);
}
async function updatedAt(userId: string): Promise<string> {
  const [row] = await query(sql`select updated_at::text as at from users where id = ${userId}`);
  return row!.at as string;
}
/** The user's audit events since newUser. */
async function audits(user: { userId: string; seq: number }) {
  return query(sql`select action, actor_kind, client_id, username, pool_id, details from audit_events
    where user_id = ${user.userId} and seq > ${user.seq} order by seq`);
}
const withoutUser = (events: Record<string, unknown>[]) => events.map(({ username: _u, ...rest }) => rest);

/** Runs an update and says how many transactions it opened. */
async function counted<T>(run: () => Promise<T>): Promise<{ result: T; transactions: number }> {
  const from = transactions;
  const result = await run();
  return { result, transactions: transactions - from };
}

/** A caller whose attributes read is stale in `name`: its check fails, so the transaction decides. */
async function staleCaller(token: string, name: string): Promise<Caller> {
  const caller = await callerOf(token);
  return { ...caller, attributes: { ...caller.attributes, [name]: { value: 'stale' } } };
}

const CHANGES = { nickname: 'n1', family_name: '', middle_name: 'M', given_name: 'Ada', website: '' };

test('the one statement writes what the locked transaction writes: rows, updated_at, audit row', async () => {
  const fast = await newUser();
  const locked = await newUser();
  const before = { fast: await updatedAt(fast.userId), locked: await updatedAt(locked.userId) };

  const viaFast = await counted(async () => t.services.account.updateAttributes(await callerOf(fast.token), CHANGES));
  assert.equal(viaFast.transactions, 0, 'the fast path opens no transaction');
  // A stale read fails the check; the transaction plans from the locked rows instead.
  const viaLocked = await counted(async () =>
    t.services.account.updateAttributes(await staleCaller(locked.token, 'nickname'), CHANGES),
  );
  assert.equal(viaLocked.transactions, 1, 'a failed check falls back to the transaction');
  assert.deepEqual(viaFast.result, viaLocked.result);

  assert.deepEqual(await attributeRows(fast.userId), await attributeRows(locked.userId));
  assert.deepEqual(
    (await attributeRows(fast.userId)).map((r) => [r.name, r.value, r.verified, r.pending_value, r.alias_key]),
    [
      ['given_name', 'Ada', null, null, null],
      ['middle_name', 'M', null, null, null],
      ['nickname', 'n1', null, null, null],
    ],
  );
  assert.notEqual(await updatedAt(fast.userId), before.fast, 'updated_at moves');
  assert.notEqual(await updatedAt(locked.userId), before.locked);

  const fastAudit = await audits(fast);
  assert.deepEqual(withoutUser(fastAudit), withoutUser(await audits(locked)));
  assert.equal(fastAudit.length, 1);
  assert.equal(fastAudit[0]!.username, fast.username);
  assert.equal(fastAudit[0]!.action, 'UPDATE_ATTRIBUTES');
  assert.equal(fastAudit[0]!.actor_kind, 'user');
  assert.equal(fastAudit[0]!.client_id, clientId);
  assert.deepEqual((fastAudit[0]!.details as { attributes: unknown }).attributes, [
    { name: 'family_name', change: 'deleted', value: { from: 'Lovelace', to: null } },
    { name: 'middle_name', change: 'set', value: { from: null, to: 'M' } },
    { name: 'nickname', change: 'set', value: { from: 'n0', to: 'n1' } },
  ]);
});

test('an update that changes nothing writes nothing, on either path', async () => {
  const u = await newUser();
  const at = await updatedAt(u.userId);
  const { result, transactions: opened } = await counted(async () =>
    t.services.account.updateAttributes(await callerOf(u.token), { nickname: 'n0', website: '' }),
  );
  assert.equal(opened, 0);
  assert.deepEqual(Object.keys(result), ['nickname', 'website']);
  assert.equal(await updatedAt(u.userId), at);
  assert.deepEqual(await audits(u), []);
});

test('a change between the read and the write: the check fails and the transaction ends it right', async () => {
  const u = await newUser();
  const caller = await callerOf(u.token);
  // An administrator sets the value this request is about to set: planned from the old read it
  // would be a change; from the rows under the lock it is none.
  assert.equal(
    (
      await t.admin('PATCH', `/v1/pools/${poolId}/users/${u.username}/attributes`, {
        userAttributes: { nickname: 'x' },
      })
    ).status,
    200,
  );
  const at = await updatedAt(u.userId);
  const plan = planUpdate(caller.pool.attributeSettings, { kind: 'user', client: caller.client }, caller.attributes, {
    nickname: 'x',
  });
  assert.equal(
    await writeAttributesIfUnchanged(t.database.db, {
      pool: caller.pool,
      userId: u.userId,
      state: caller.attributes,
      names: ['nickname'],
      plan,
    }),
    false,
    'the statement sees the change and writes nothing',
  );
  const { transactions: opened } = await counted(() => t.services.account.updateAttributes(caller, { nickname: 'x' }));
  assert.equal(opened, 1);
  assert.equal(await updatedAt(u.userId), at, 'no change, so updated_at stays');
  assert.deepEqual(
    (await audits(u)).map((e) => e.action),
    ['ADMIN_UPDATE_ATTRIBUTES'],
  );
});

test('a user deleted since the read: nothing is written', async () => {
  const u = await newUser();
  const caller = await callerOf(u.token);
  await query(sql`delete from users where id = ${u.userId}`);
  const plan = planUpdate(caller.pool.attributeSettings, { kind: 'user', client: caller.client }, caller.attributes, {
    nickname: 'gone',
  });
  const applied = await writeAttributesIfUnchanged(t.database.db, {
    pool: caller.pool,
    userId: u.userId,
    state: caller.attributes,
    names: ['nickname'],
    plan,
  });
  assert.equal(applied, false);
  assert.deepEqual(await query(sql`select 1 from user_attributes where user_id = ${u.userId}`), []);
});

test('concurrent updates of one user serialise: the audit trail chains to the final state', async () => {
  const u = await newUser();
  // All read before any writes, so all but the first find their read stale.
  const callers = await Promise.all(Array.from({ length: 12 }, () => callerOf(u.token)));
  await Promise.all(callers.map((caller, i) => t.services.account.updateAttributes(caller, { nickname: `v${i % 4}` })));
  const [final] = await query(sql`select value from user_attributes where user_id = ${u.userId} and name = 'nickname'`);
  const trail = (await audits(u)).map(
    (e) => (e.details as { attributes: Array<{ value: { from: string; to: string } }> }).attributes,
  );
  assert.ok(trail.length >= 1 && trail.length <= 12);
  let value = 'n0';
  for (const changes of trail) {
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.value.from, value, 'each record starts where the last one ended');
    assert.notEqual(changes[0]!.value.to, value, 'no record of a change that changed nothing');
    value = changes[0]!.value.to;
  }
  assert.equal(final!.value, value);
});

test('concurrent updates of different attributes of one user all land, each recorded once', async () => {
  const u = await newUser();
  const names = ['middle_name', 'website', 'profile', 'locale', 'zoneinfo', 'gender', 'picture', 'name'];
  const callers = await Promise.all(names.map(() => callerOf(u.token)));
  await Promise.all(callers.map((caller, i) => t.services.account.updateAttributes(caller, { [names[i]!]: `x${i}` })));
  const stored = Object.fromEntries((await attributeRows(u.userId)).map((r) => [r.name, r.value]));
  for (const [i, name] of names.entries()) assert.equal(stored[name], `x${i}`);
  const trail = (await audits(u)).map((e) => (e.details as { attributes: unknown[] }).attributes);
  assert.deepEqual(
    trail.flat().sort((a, b) => ((a as { name: string }).name < (b as { name: string }).name ? -1 : 1)),
    names
      .map((name, i) => ({ name, change: 'set', value: { from: null, to: `x${i}` } }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  );
});

/**
 * PostgreSQL: another transaction changes nickname to 'raced' and adds middle_name under the
 * user's lock (as applyPlan does), and commits only once `changes` waits for that lock.
 */
async function raceAgainstWriter(changes: Record<string, string>) {
  const u = await newUser();
  const caller = await callerOf(u.token);
  const [{ db: name }] = (await query(sql`select current_database() as db`)) as [{ db: string }];
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  const writer = new pg.Client({ connectionString: url.toString() });
  await writer.connect();
  try {
    await writer.query('begin');
    await writer.query('select 1 from users where id = $1 for update', [u.userId]);
    await writer.query(`update user_attributes set value = 'raced' where user_id = $1 and name = 'nickname'`, [
      u.userId,
    ]);
    await writer.query(
      `insert into user_attributes (user_id, pool_id, name, value) select id, pool_id, 'middle_name', 'M' from users where id = $1`,
      [u.userId],
    );
    await writer.query('update users set updated_at = now() where id = $1', [u.userId]);
    const update = t.services.account.updateAttributes(caller, changes);
    let waited = false;
    for (let i = 0; i < 500 && !waited; i++) {
      // Not on the writer's connection: inside a transaction, pg_stat_activity stays as first read.
      const waiting = await query(
        sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%with locked as%'`,
      );
      waited = waiting.length > 0;
      if (!waited) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(waited, 'the statement waits for the lock');
    const at = (await writer.query('select updated_at::text as at from users where id = $1', [u.userId])).rows[0].at;
    await writer.query('commit');
    await update;
    const stored = Object.fromEntries((await attributeRows(u.userId)).map((r) => [r.name, r.value]));
    return { u, at, stored };
  } finally {
    await writer.end();
  }
}

const needsPostgres = { skip: !onPostgres && 'needs a second connection' };

test(
  'PostgreSQL: a change committed while the statement waits for the lock makes it fall back',
  needsPostgres,
  async () => {
    // Planned from the read, both are changes; under the lock both values are already there.
    const { u, at, stored } = await raceAgainstWriter({ nickname: 'raced', middle_name: 'M' });
    assert.equal(stored.nickname, 'raced');
    assert.equal(stored.middle_name, 'M');
    assert.equal(await updatedAt(u.userId), at, 'nothing to write');
    assert.deepEqual(await audits(u), [], 'nothing to record');
  },
);

test('PostgreSQL: so does an update that found nothing to change in what it read', needsPostgres, async () => {
  // Planned from the read, nickname 'n0' is no change; under the lock it changes 'raced' back.
  const { u, at, stored } = await raceAgainstWriter({ nickname: 'n0' });
  assert.equal(stored.nickname, 'n0');
  assert.notEqual(await updatedAt(u.userId), at);
  assert.deepEqual(
    (await audits(u)).map((e) => (e.details as { attributes: unknown }).attributes),
    [[{ name: 'nickname', change: 'set', value: { from: 'raced', to: 'n0' } }]],
  );
});

test('plans the statement cannot take go through the transaction as before', async () => {
  const u = await newUser();
  // A new email: a code goes out and the result says so.
  const email = uniqueEmail('fast-next');
  const changed = await counted(async () => t.services.account.updateAttributes(await callerOf(u.token), { email }));
  assert.equal(changed.transactions, 1);
  assert.equal(changed.result.email!.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  // preferred_username is an alias here: set under its alias lock, filed as a sign-in name.
  const alias = await counted(async () =>
    t.services.account.updateAttributes(await callerOf(u.token), { preferred_username: `pu${serial}` }),
  );
  assert.equal(alias.transactions, 1);
  assert.equal(
    (await query(sql`select 1 from sign_in_names where user_id = ${u.userId} and name_key = ${`pu${serial}`}`)).length,
    1,
  );
  // Deleting an alias needs no lock of the name: the statement may do it, and the name goes.
  const dropped = await counted(async () =>
    t.services.account.updateAttributes(await callerOf(u.token), { preferred_username: '' }),
  );
  assert.equal(dropped.transactions, 0);
  assert.deepEqual(
    await query(sql`select 1 from sign_in_names where user_id = ${u.userId} and source = 'preferred_username'`),
    [],
  );
});

test('bad input changes nothing and opens no transaction', async () => {
  const u = await newUser();
  const rowsBefore = await attributeRows(u.userId);
  const at = await updatedAt(u.userId);
  const refusals: Array<[Record<string, string>, string]> = [
    [{ given_name: '', nickname: 'ok' }, 'The attribute is required and cannot be deleted'],
    [{ email_verified: 'true' }, 'unauthorized attribute'],
    [{ sub: 'x' }, 'unauthorized attribute'],
    [{ 'custom:unknown': 'x', nickname: 'ok' }, 'does not exist'],
    [{ nickname: 'x'.repeat(2049) }, ''],
    [{ preferred_username: 'looks@like.email' }, 'email format'],
  ];
  for (const [changes, message] of refusals) {
    const caller = await callerOf(u.token);
    const from = transactions;
    await assert.rejects(t.services.account.updateAttributes(caller, changes), (error: Error) =>
      error.message.includes(message),
    );
    assert.equal(transactions, from, JSON.stringify(changes));
  }
  assert.deepEqual(await attributeRows(u.userId), rowsBefore);
  assert.equal(await updatedAt(u.userId), at);
  assert.deepEqual(await audits(u), []);
});

test('fastWritable: plain values only', async () => {
  const u = await newUser();
  const caller = await callerOf(u.token);
  const plan = (changes: Record<string, string>) =>
    planUpdate(caller.pool.attributeSettings, { kind: 'user', client: caller.client }, caller.attributes, changes);
  const can = (changes: Record<string, string>) => fastWritable(caller.pool, changes, plan(changes));
  assert.equal(can({ nickname: 'a', family_name: '' }), true);
  assert.equal(can({ preferred_username: '' }), true);
  assert.equal(can({ preferred_username: 'new-alias' }), false);
  assert.equal(can({ email: caller.attributes.email!.value }), false, 'email is never in it, even unchanged');
  assert.equal(can({ phone_number: '+15550100' }), false);
  assert.deepEqual(stateAfter({ sub: { value: 's' }, a: { value: '1' } }, { set: { b: '2' }, delete: ['a'] }), {
    sub: { value: 's' },
    b: { value: '2' },
  });
});
