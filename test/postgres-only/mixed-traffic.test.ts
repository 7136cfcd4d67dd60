/**
 * Several Cognate processes started together on an empty database, then mixed traffic through
 * all of them at once: sign-up, admin confirm, sign-in, refresh, GET and PATCH of attributes.
 * Not one answer may be a 5xx. CI also runs this file behind Debian's pgbouncer in transaction
 * pooling (scripts/with-pgbouncer.sh, docs/operations.md "Connection poolers"), where named
 * prepared statements and session advisory locks once gave 55 of 362 requests a 500 and kept
 * one of two processes from starting (issue 14).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_KEY, PASSWORD } from '../support/app.ts';
import { onPostgres, openScratchPostgres } from '../support/database.ts';
import type { Database } from '../../src/db/client.ts';
import { sharedServerEnv, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { http } from '../support/write-load.ts';

const skip = onPostgres
  ? false
  : 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

const PROCESSES = 3;
const USERS = 24;
const ROUNDS = 3;

describe('mixed traffic from several processes on one database', { skip }, () => {
  let database: Database;
  const servers: ServerProcess[] = [];
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const answers: Array<{ op: string; status: number; body: unknown }> = [];
  let next = 0;
  /** Round robin over the processes, as a load balancer without affinity spreads requests. */
  const base = () => servers[next++ % servers.length]!.base;
  const call = async (op: string, method: string, path: string, options: Parameters<typeof http>[3] = {}) => {
    const answer = await http(base(), method, path, options);
    answers.push({ op, status: answer.status, body: answer.body });
    return answer;
  };

  before(async () => {
    database = await openScratchPostgres('cognate_mixed');
    const env = sharedServerEnv(database);
    // Together, on an empty database: every process migrates at start. On a direct connection the
    // first keeps named statements (DATABASE_NAMED_STATEMENTS), beside the default ones; behind
    // the pooler (scripts/with-pgbouncer.sh says so) every process runs with the defaults.
    const behindPooler = Boolean(process.env.COGNATE_TEST_POOLER);
    const envOf = (i: number) => (i === 0 && !behindPooler ? { ...env, DATABASE_NAMED_STATEMENTS: 'true' } : env);
    const started = await Promise.allSettled(Array.from({ length: PROCESSES }, (_, i) => startServerProcess(envOf(i))));
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    const failed = started.filter((s) => s.status === 'rejected');
    assert.deepEqual(
      failed.map((s) => String((s as PromiseRejectedResult).reason)),
      [],
      'every process started',
    );
  });
  after(async () => {
    for (const server of servers) await server.kill();
    await database?.close();
  });

  test(`${PROCESSES} processes, ${USERS} users, ${ROUNDS} rounds of reads and writes: no 5xx`, async () => {
    const pool = await call('create pool', 'POST', '/v1/pools', {
      body: { name: 'mixed', autoVerifiedAttributes: ['email'] },
      headers: admin,
    });
    assert.equal(pool.status, 201, JSON.stringify(pool.body));
    const poolId = pool.body.id as string;
    const client = await call('create client', 'POST', `/v1/pools/${poolId}/clients`, {
      body: { name: 'app' },
      headers: admin,
    });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    const clientId = client.body.clientId as string;

    await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const username = `user${i}`;
        const email = `${username}@example.com`;
        const signUp = await call('sign-up', 'POST', '/v1/sign-up', {
          body: { clientId, username, password: PASSWORD, userAttributes: { email } },
        });
        assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
        const confirmed = await call('admin confirm', 'POST', `/v1/pools/${poolId}/users/${username}/confirm`, {
          headers: admin,
        });
        assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
        const signIn = await call('sign-in', 'POST', '/v1/auth/sign-in', {
          body: { clientId, username, password: PASSWORD },
        });
        assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
        let { accessToken } = signIn.body as { accessToken: string };
        const { refreshToken } = signIn.body as { refreshToken: string };
        for (let round = 0; round < ROUNDS; round++) {
          const read = await call('get attributes', 'GET', '/v1/me/attributes', { token: accessToken });
          assert.equal(read.status, 200, JSON.stringify(read.body));
          const patched = await call('patch attributes', 'PATCH', '/v1/me/attributes', {
            token: accessToken,
            body: { userAttributes: { given_name: `Round ${round}` } },
          });
          assert.equal(patched.status, 200, JSON.stringify(patched.body));
          const refreshed = await call('refresh', 'POST', '/v1/auth/refresh', { body: { clientId, refreshToken } });
          assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
          accessToken = refreshed.body.accessToken as string;
        }
        const me = await call('get me', 'GET', '/v1/me', { token: accessToken });
        assert.equal(me.body.attributes.given_name, `Round ${ROUNDS - 1}`);
      }),
    );

    const serverErrors = answers.filter((a) => a.status >= 500);
    assert.deepEqual(serverErrors, [], `${serverErrors.length} of ${answers.length} answers were 5xx`);
    assert.equal(answers.length, 2 + USERS * (4 + 3 * ROUNDS));
  });
});
