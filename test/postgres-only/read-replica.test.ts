/**
 * DATABASE_REPLICA_URL against a real streaming replica the test makes (a primary, then
 * pg_basebackup -R and a hot standby on another port; docs/operations.md, "Read replica").
 * Replay on the replica is paused to make lag visible: listings, search, export and the audit
 * trail then show the replica's older state, while a user's own path (sign-in, tokens, attribute
 * reads and writes) reads the primary and sees its own writes. With the replica stopped, those
 * reads come from the primary with no error; started again, reads go back to it.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createServices, type Services } from '../../src/services.ts';
import { ADMIN_KEY, GENEROUS_RATE_LIMITS, PASSWORD } from '../support/app.ts';
import { clusterUnavailable, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import { http } from '../support/write-load.ts';

const skip = clusterUnavailable() ?? false;

describe('a read replica (DATABASE_REPLICA_URL)', { skip }, () => {
  let primary: PostgresCluster;
  let replica: PostgresCluster;
  let database: Database;
  let services: Services;
  let app: App;
  let base: string;
  let poolId: string;
  let clientId: string;
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };

  /** Runs one statement on the replica itself. */
  async function onReplica(text: string) {
    const client = new pg.Client({ connectionString: replica.url });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  }
  /** Waits until the replica has replayed everything the primary has written. */
  async function caughtUp() {
    const primaryClient = new pg.Client({ connectionString: primary.url });
    await primaryClient.connect();
    const [{ lsn }] = (await primaryClient.query('select pg_current_wal_lsn()::text as lsn')).rows;
    await primaryClient.end();
    for (let i = 0; i < 200; i++) {
      const [row] = await onReplica(`select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`);
      if (row.done) return;
      await sleep(50);
    }
    throw new Error('the replica did not catch up');
  }
  /** Pauses replay on the replica, and waits until it has (pg_wal_replay_pause only asks). */
  async function pauseReplay() {
    await onReplica('select pg_wal_replay_pause()');
    for (let i = 0; i < 200; i++) {
      const [row] = await onReplica('select pg_get_wal_replay_pause_state() as state');
      if (row.state === 'paused') return;
      await sleep(25);
    }
    throw new Error('replay did not pause');
  }
  const usernames = async () =>
    (
      (await http(base, 'GET', `/v1/pools/${poolId}/users`, { headers: admin })).body.users as Array<{
        username: string;
      }>
    )
      .map((u) => u.username)
      .sort();

  before(async () => {
    primary = await startPostgresCluster();
    replica = await startPostgresCluster({ replicaOf: primary });
    database = await openDatabase({ kind: 'postgres', url: primary.url, replicaUrl: replica.url, poolSize: 5 });
    await database.migrate();
    const config = loadConfig({
      ...GENEROUS_RATE_LIMITS,
      ADMIN_API_KEY: ADMIN_KEY,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    });
    const logger = pino({ level: 'silent' });
    services = await createServices(config, database, logger);
    app = await buildApp({ services, logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const pool = await http(base, 'POST', '/v1/pools', { body: { name: 'replicated' }, headers: admin });
    poolId = pool.body.id;
    clientId = (await http(base, 'POST', `/v1/pools/${poolId}/clients`, { body: { name: 'app' }, headers: admin })).body
      .clientId;
    await caughtUp();
  });
  after(async () => {
    await app?.close();
    await services?.close();
    await database?.close();
    await replica?.destroy();
    await primary?.destroy();
  });

  test('listings lag with the replica; a user reads their own writes from the primary', async () => {
    assert.equal(
      (
        await http(base, 'POST', `/v1/pools/${poolId}/users`, {
          body: { username: 'early', messageAction: 'SUPPRESS' },
          headers: admin,
        })
      ).status,
      201,
    );
    await caughtUp();
    await pauseReplay();
    try {
      // Written on the primary while the replica stands still.
      const signUp = await http(base, 'POST', '/v1/sign-up', {
        body: { clientId, username: 'late', password: PASSWORD, userAttributes: { given_name: 'Before' } },
      });
      assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
      assert.equal(
        (await http(base, 'POST', `/v1/pools/${poolId}/users/late/confirm`, { headers: admin })).status,
        200,
      );
      const signIn = await http(base, 'POST', '/v1/auth/sign-in', {
        body: { clientId, username: 'late', password: PASSWORD },
      });
      assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
      const token = signIn.body.accessToken as string;
      assert.equal(
        (await http(base, 'PATCH', '/v1/me/attributes', { token, body: { userAttributes: { given_name: 'After' } } }))
          .status,
        200,
      );
      // The user's own path reads the primary: the new user exists and sees their change at once.
      assert.equal((await http(base, 'GET', '/v1/me/attributes', { token })).body.given_name, 'After');
      // An admin read of one user is on the primary too.
      assert.equal((await http(base, 'GET', `/v1/pools/${poolId}/users/late`, { headers: admin })).status, 200);
      // Listings, search, export and the audit trail come from the replica: it has not seen "late" yet.
      assert.deepEqual(await usernames(), ['early']);
      const search = await http(
        base,
        'GET',
        `/v1/pools/${poolId}/users?filter=${encodeURIComponent('username = "late"')}`,
        { headers: admin },
      );
      assert.equal(search.status, 200);
      assert.deepEqual(search.body.users, []);
      const exported = await http(base, 'GET', `/v1/pools/${poolId}/users/export`, { headers: admin });
      assert.equal(exported.status, 200);
      assert.equal(exported.text.trim().split('\n').length, 1, exported.text);
      const audit = await http(base, 'GET', `/v1/pools/${poolId}/users/late/audit`, { headers: admin });
      assert.equal(audit.status, 200);
      assert.deepEqual(audit.body.events, []);
    } finally {
      await onReplica('select pg_wal_replay_resume()');
    }
    await caughtUp();
    assert.deepEqual(await usernames(), ['early', 'late']);
    const audit = await http(base, 'GET', `/v1/pools/${poolId}/users/late/audit`, { headers: admin });
    assert.ok(audit.body.events.length >= 3, JSON.stringify(audit.body));
  });

  test('the replica going away: reads fall back to the primary with no error; back again, reads return to it', async () => {
    await replica.stop('fast');
    assert.equal(
      (
        await http(base, 'POST', `/v1/pools/${poolId}/users`, {
          body: { username: 'whiledown', messageAction: 'SUPPRESS' },
          headers: admin,
        })
      ).status,
      201,
    );
    for (let i = 0; i < 5; i++) {
      const list = await http(base, 'GET', `/v1/pools/${poolId}/users`, { headers: admin });
      assert.equal(list.status, 200, JSON.stringify(list.body));
      // From the primary: the user written while the replica is down is there.
      assert.ok((list.body.users as Array<{ username: string }>).some((u) => u.username === 'whiledown'));
      assert.equal((await http(base, 'GET', '/v1/pools', { headers: admin })).status, 200);
      assert.equal((await http(base, 'GET', `/v1/pools/${poolId}/clients`, { headers: admin })).status, 200);
    }

    await replica.start();
    await caughtUp();
    await pauseReplay();
    try {
      assert.equal(
        (
          await http(base, 'POST', `/v1/pools/${poolId}/users`, {
            body: { username: 'afterback', messageAction: 'SUPPRESS' },
            headers: admin,
          })
        ).status,
        201,
      );
      // Once the replica's rest is over (5 s), listings read it again: the paused replica lacks the new user.
      let fromReplica = false;
      for (let i = 0; i < 80 && !fromReplica; i++) {
        const list = await http(base, 'GET', `/v1/pools/${poolId}/users`, { headers: admin });
        assert.equal(list.status, 200);
        fromReplica = !(list.body.users as Array<{ username: string }>).some((u) => u.username === 'afterback');
        if (!fromReplica) await sleep(100);
      }
      assert.ok(fromReplica, 'listings went back to the replica');
    } finally {
      await onReplica('select pg_wal_replay_resume()');
    }
  });
});
