import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Database } from '../../src/db/client.ts';
import { ADMIN_KEY, PASSWORD } from '../support/app.ts';
import { onPostgres, openScratchPostgres } from '../support/database.ts';
import { databaseUrl, sharedServerEnv, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { checkJournal, http, runWriteLoad, type Journal, type LoadUser } from '../support/write-load.ts';

// The real server as a child process on a database it shares with the test across restarts.
const skip = onPostgres
  ? false
  : 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

const LOOPS = 6;
const KILLS = 2;

describe('a server killed in the middle of sign-ups and attribute changes', { skip }, () => {
  let database: Database;
  let url: string;
  let server: ServerProcess | undefined;
  let env: Record<string, string>;

  before(async () => {
    database = await openScratchPostgres('cognate_kill');
    url = databaseUrl(database);
    // One PUBLIC_URL for every start: it is the tokens' issuer, and by default it names the port.
    env = sharedServerEnv(database);
  });
  after(async () => {
    await server?.kill();
    await database?.close();
  });

  test(`loses nothing it acknowledged, over ${KILLS} SIGKILLs under load`, async () => {
    server = await startServerProcess(env);
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const pool = await http(server.base, 'POST', '/v1/pools', { body: { name: 'killed' }, headers: admin });
    assert.equal(pool.status, 201);
    const poolId = pool.body.id as string;
    const client = await http(server.base, 'POST', `/v1/pools/${poolId}/clients`, {
      body: { name: 'app' },
      headers: admin,
    });
    const clientId = client.body.clientId as string;

    const users: LoadUser[] = [];
    for (let i = 0; i < LOOPS; i++) {
      const username = `seed-${i}`;
      assert.equal(
        (
          await http(server.base, 'POST', '/v1/sign-up', {
            body: { clientId, username, password: PASSWORD, userAttributes: { nickname: username } },
          })
        ).status,
        201,
      );
      assert.equal(
        (await http(server.base, 'POST', `/v1/pools/${poolId}/users/${username}/confirm`, { headers: admin })).status,
        200,
      );
      const signIn = await http(server.base, 'POST', '/v1/auth/sign-in', {
        body: { clientId, username, password: PASSWORD },
      });
      assert.equal(signIn.status, 200);
      users.push({ username, accessToken: signIn.body.accessToken });
    }

    const journal: Journal = { exchanges: [], signUps: new Map(), patches: new Map() };
    const killedAt: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      let stopLoad = false;
      const base = server.base;
      const load = runWriteLoad({
        base,
        clientId,
        password: PASSWORD,
        users,
        prefix: `k${kill}`,
        stop: () => stopLoad,
        deadline: Date.now() + 20_000,
        maxRounds: 1_000,
        journal,
      });
      // Killed at an uneven moment, once writes are flowing.
      await sleep(1_500 + kill * 377);
      await server.kill();
      killedAt.push(Date.now());
      stopLoad = true;
      await load;
      server = await startServerProcess(env);
    }

    const ready = await http(server.base, 'GET', '/health/ready');
    assert.equal(ready.status, 200);

    const acked = [...journal.signUps.values()].filter(Boolean).length;
    const unanswered = journal.exchanges.filter((e) => e.error);
    assert.ok(acked > 20, `writes were acknowledged before the kills (${acked})`);
    assert.ok(unanswered.length > 0, 'some requests were cut by the kills');
    // The only failures are the requests the kills cut: no error status from a live server.
    assert.deepEqual(
      journal.exchanges
        .filter((e) => e.status !== undefined && e.status >= 300)
        .map((e) => `${e.op} ${e.status} ${JSON.stringify(e.body)}`),
      [],
    );

    const check = await checkJournal(url, poolId, journal);
    assert.deepEqual(check.ackedSignUpsMissing, [], 'every acknowledged sign-up is committed');
    assert.deepEqual(
      check.patchesLost,
      [],
      'every user holds its last acknowledged nickname (or the one being written when the server died)',
    );

    // Consistent: each committed user has the attributes it was created with (user and attributes are one transaction).
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    try {
      const { rows } = await direct.query(
        `select u.username from users u where u.pool_id = $1
           and not exists (select 1 from user_attributes a where a.user_id = u.id and a.name = 'nickname' and a.value = u.username)
           and u.username not like 'seed-%'`,
        [poolId],
      );
      assert.deepEqual(rows, [], 'no user committed without its attributes');
    } finally {
      await direct.end();
    }

    // The restarted server sees the same state: tokens issued before the kills still work and
    // read each user's committed nickname; an acknowledged sign-up confirms and signs in.
    const stored = await checkJournal(url, poolId, journal);
    assert.deepEqual(stored.patchesLost, []);
    for (const user of users) {
      const attributes = await http(server.base, 'GET', '/v1/me/attributes', { token: user.accessToken });
      assert.equal(attributes.status, 200);
      const history = journal.patches.get(user.username)!;
      const lastAcked = history.findLastIndex((h) => h.acked);
      assert.ok(
        history.slice(Math.max(lastAcked, 0)).some((h) => h.value === attributes.body.nickname),
        `${user.username}: ${attributes.body.nickname}`,
      );
    }
    const signedUp = [...journal.signUps].filter(([, ok]) => ok).map(([name]) => name);
    for (const username of [signedUp[0]!, signedUp.at(-1)!]) {
      assert.equal(
        (await http(server.base, 'POST', `/v1/pools/${poolId}/users/${username}/confirm`, { headers: admin })).status,
        200,
      );
      assert.equal(
        (await http(server.base, 'POST', '/v1/auth/sign-in', { body: { clientId, username, password: PASSWORD } }))
          .status,
        200,
      );
    }

    console.log(
      `server kill: ${JSON.stringify({
        kills: KILLS,
        requests: journal.exchanges.length,
        acknowledgedSignUps: acked,
        acknowledgedPatches: [...journal.patches.values()].flat().filter((h) => h.acked).length,
        unansweredAroundKills: unanswered.length,
        unansweredSignUpsCommittedAnyway: check.failedSignUpsPresent.length,
        unansweredPatchesCommittedAnyway: check.failedPatchesPresent.length,
      })}`,
    );
  });
});
