import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { isConnectionError } from '../../src/db/errors.ts';
import type { Courier } from '../../src/modules/courier/index.ts';
import { createServices, type Services } from '../../src/services.ts';
import { ADMIN_KEY, GENEROUS_RATE_LIMITS, PASSWORD, type LogEntry } from '../support/app.ts';
import { clusterUnavailable, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import { startCuttingProxy } from '../support/cutting-proxy.ts';
import { pgbouncerUnavailable, startPgbouncer, type Pgbouncer } from '../support/pgbouncer.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';
import { checkJournal, http, runWriteLoad, type Exchange, type LoadUser } from '../support/write-load.ts';

// Stopping the server under a running app needs a PostgreSQL of the test's own: PGlite lives in the process.
// When the run goes through a transaction pooler (scripts/with-pgbouncer.sh), so does this test:
// a pgbouncer of its own in front of that server, which then restarts behind the pooler.
const behindPooler = Boolean(process.env.COGNATE_TEST_POOLER);
const skip = clusterUnavailable() ?? (behindPooler ? pgbouncerUnavailable() : undefined) ?? false;

const LOOPS = 6;
/** No request may take longer than this, up or down. */
const REQUEST_BOUND_MS = 10_000;
const DOWN_MS = 4_000;
/** After PostgreSQL is back, /health/ready and every kind of request must succeed within this. */
const RECOVERY_BOUND_MS = 10_000;

describe(
  `PostgreSQL restarted under load${behindPooler ? ' (behind pgbouncer, transaction pooling)' : ''}`,
  { skip },
  () => {
    let cluster: PostgresCluster;
    let pooler: Pgbouncer | undefined;
    let database: Database;
    let services: Services;
    let app: App;
    let smtp: SmtpCapture;
    let base: string;
    const logs: LogEntry[] = [];

    before(async () => {
      cluster = await startPostgresCluster();
      pooler = behindPooler ? await startPgbouncer(cluster.url) : undefined;
      database = await openDatabase({ kind: 'postgres', url: pooler?.url ?? cluster.url, poolSize: 10 });
      await database.migrate();
      smtp = await startSmtpCapture();
      const config = loadConfig({
        ...GENEROUS_RATE_LIMITS,
        ADMIN_API_KEY: ADMIN_KEY,
        SMTP_URL: smtp.url,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
      });
      const logger = pino(
        { level: 'info' },
        new Writable({
          write(chunk, _encoding, done) {
            for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
            done();
          },
        }),
      );
      services = await createServices(config, database, logger);
      app = await buildApp({ services, logger });
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await app?.close();
      await services?.close();
      await database?.close();
      await smtp?.close();
      await pooler?.stop();
      await cluster?.destroy();
    });

    for (const mode of ['fast', 'immediate'] as const) {
      test(`stopped (${mode}) and started again: requests fail with 503 while it is down, none hangs, the server recovers by itself, and no acknowledged write is lost`, async () => {
        const admin = { authorization: `Bearer ${ADMIN_KEY}` };
        // Sign-ups send a code: the outbox row is written with the user and one send is tried after commit.
        const pool = await http(base, 'POST', '/v1/pools', {
          body: { name: `restart-${mode}`, autoVerifiedAttributes: ['email'] },
          headers: admin,
        });
        assert.equal(pool.status, 201);
        const poolId = pool.body.id as string;
        const client = await http(base, 'POST', `/v1/pools/${poolId}/clients`, {
          body: { name: 'app' },
          headers: admin,
        });
        assert.equal(client.status, 201);
        const clientId = client.body.clientId as string;

        // One confirmed, signed-in user per loop: its nickname is PATCHed in order, so the last acknowledged value is known.
        const users: LoadUser[] = [];
        for (let i = 0; i < LOOPS; i++) {
          const username = `seed-${mode}-${i}`;
          assert.equal(
            (
              await http(base, 'POST', '/v1/sign-up', {
                body: {
                  clientId,
                  username,
                  password: PASSWORD,
                  userAttributes: { nickname: username, email: `${username}@example.com` },
                },
              })
            ).status,
            201,
          );
          assert.equal(
            (await http(base, 'POST', `/v1/pools/${poolId}/users/${username}/confirm`, { headers: admin })).status,
            200,
          );
          const signIn = await http(base, 'POST', '/v1/auth/sign-in', {
            body: { clientId, username, password: PASSWORD },
          });
          assert.equal(signIn.status, 200, JSON.stringify([signIn.body, logs.filter((l) => l.level >= 50)]));
          users.push({ username, accessToken: signIn.body.accessToken });
        }

        let stopLoad = false;
        const testDeadline = Date.now() + 60_000;
        const load = runWriteLoad({
          base,
          clientId,
          password: PASSWORD,
          users,
          prefix: `load-${mode}`,
          email: true,
          stop: () => stopLoad,
          deadline: testDeadline,
          maxRounds: 2_000,
          requestTimeoutMs: REQUEST_BOUND_MS,
        });

        await sleep(1_500);
        const stopStarted = Date.now();
        await cluster.stop(mode);
        const downAt = Date.now();

        // While it is down: readiness, the REST face and the Cognito wire face all answer an error, quickly.
        await sleep(500);
        const ready = await http(base, 'GET', '/health/ready', { timeoutMs: REQUEST_BOUND_MS });
        assert.equal(ready.status, 503);
        assert.equal(ready.body.code, 'InternalErrorException');
        const wire = await http(base, 'POST', '/', {
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
          },
          body: JSON.stringify({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: clientId,
            AuthParameters: { USERNAME: users[0]!.username, PASSWORD },
          }),
          timeoutMs: REQUEST_BOUND_MS,
        });
        assert.equal(wire.status, 500, `wire status ${wire.status}: ${wire.text}`);
        assert.equal(wire.body.__type, 'InternalErrorException');
        assert.doesNotMatch(wire.text, /\n\s+at |stack/);

        await sleep(Math.max(0, DOWN_MS - (Date.now() - downAt)));
        await cluster.start();
        const upAt = Date.now();

        let readyAt: number | undefined;
        while (Date.now() - upAt < RECOVERY_BOUND_MS) {
          const r = await http(base, 'GET', '/health/ready', { timeoutMs: REQUEST_BOUND_MS }).catch(() => undefined);
          if (r?.status === 200) {
            readyAt = Date.now();
            break;
          }
          await sleep(50);
        }
        assert.ok(readyAt, `/health/ready not 200 within ${RECOVERY_BOUND_MS} ms of PostgreSQL's start`);
        await sleep(3_000);
        stopLoad = true;
        const journal = await load;

        const { exchanges } = journal;
        const failures = exchanges.filter((e) => e.status === undefined || e.status >= 300);
        const unbounded = exchanges.filter((e) => e.error);
        assert.deepEqual(
          unbounded.map((e) => `${e.op}: ${e.error}`),
          [],
          'every request got an answer within the bound',
        );
        const slowest = Math.max(...exchanges.map((e) => e.endedAt - e.startedAt));
        assert.ok(slowest < REQUEST_BOUND_MS, `slowest request ${slowest} ms`);
        // Every failure is the clean one: 503, a problem document naming InternalErrorException, no stack.
        const unclean = failures.filter(
          (e) =>
            e.status !== 503 ||
            !e.contentType?.startsWith('application/problem+json') ||
            e.body?.code !== 'InternalErrorException' ||
            JSON.stringify(e.body).includes(' at '),
        );
        assert.deepEqual(
          unclean.map((e) => `${e.op} ${e.status} ${JSON.stringify(e.body)}`),
          [],
        );
        // The load met the outage: a request failed, or one waited through it (a pooler may hold
        // a request that arrives while the server is down until the server is back).
        const waitedThrough = exchanges.filter((e) => e.startedAt < upAt && e.endedAt > upAt && e.startedAt > downAt);
        assert.ok(failures.length > 0 || waitedThrough.length > 0, 'the load saw the outage');
        // Failures only around the outage: none once the server was ready again.
        const lateFailures = failures.filter((e) => e.startedAt > readyAt!);
        assert.deepEqual(
          lateFailures.map((e) => `${e.op} ${e.status}`),
          [],
          'requests started after recovery all succeed',
        );
        const firstSuccess = (op: Exchange['op']) =>
          exchanges
            .filter((e) => e.op === op && e.status! < 300 && e.endedAt > upAt)
            .map((e) => e.endedAt)
            .sort((a, b) => a - b)[0];
        for (const op of ['sign-up', 'sign-in', 'patch'] as const)
          assert.ok(firstSuccess(op), `${op} succeeded after the restart`);
        assert.ok(
          logs.every((l) => l.level < 60),
          'nothing logged at fatal level',
        );

        // Every client the requests took is back: none is held for good by a failed transaction.
        const pgPool = (database.db as unknown as { $client: pg.Pool }).$client;
        assert.equal(pgPool.totalCount, pgPool.idleCount, 'no pool client is still checked out');

        const check = await checkJournal(cluster.url, poolId, journal);
        assert.deepEqual(check.ackedSignUpsMissing, [], 'every acknowledged sign-up is committed');
        assert.deepEqual(
          check.patchesLost,
          [],
          'every user holds its last acknowledged nickname (or a later one whose answer was lost)',
        );

        const succeeded = exchanges.length - failures.length;
        const recovery = {
          stopTookMs: downAt - stopStarted,
          downMs: upAt - downAt,
          readyAfterStartMs: readyAt! - upAt,
          firstSuccessAfterStartMs: Object.fromEntries(
            (['sign-up', 'sign-in', 'patch'] as const).map((op) => [op, firstSuccess(op)! - upAt]),
          ),
          requests: exchanges.length,
          succeeded,
          answered503: failures.length,
          slowestMs: slowest,
          failedSignUpsCommittedAnyway: check.failedSignUpsPresent.length,
          failedPatchesCommittedAnyway: check.failedPatchesPresent.length,
        };
        console.log(`postgres restart (${mode}): ${JSON.stringify(recovery)}`);
      });
    }

    // Found by the load above: pg-pool takes its error listener off a client while it is checked
    // out, so a connection lost between two statements of a transaction was an uncaught exception
    // (a crashed server). node:test fails this test on one.
    test('a connection lost while a transaction holds it fails that transaction, not the process', async () => {
      const own = await openDatabase({ kind: 'postgres', url: cluster.url, poolSize: 2 });
      try {
        const failure = await own.db
          .transaction(async (tx) => {
            await tx.execute(sql`select 1`);
            await cluster.stop('immediate');
            await sleep(300); // the socket closes while the client is held between statements
            await tx.execute(sql`select 1`);
          })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        assert.ok(failure, 'the transaction failed');
        assert.ok(isConnectionError(failure), `a connection error: ${String(failure)}`);
        await assert.rejects(own.db.execute(sql`select 1`), (error) => isConnectionError(error));
        await cluster.start();
        // The pool discarded the broken clients and connects afresh.
        assert.deepEqual(((await own.db.execute(sql`select 1 as one`)) as unknown as { rows: unknown[] }).rows, [
          { one: 1 },
        ]);
      } finally {
        await own.close();
      }
    });

    // Found by the load above (every other run, the pool could not even be closed): drizzle's
    // transaction() does not release a client whose BEGIN fails, so each connection lost at that
    // moment held a pool slot for good; after `max` of them every query waited forever.
    test('transactions whose BEGIN loses the connection give their pool clients back', async () => {
      const proxy = await startCuttingProxy(cluster.url);
      const own = await openDatabase({ kind: 'postgres', url: proxy.url, poolSize: 2 });
      try {
        proxy.arm('begin');
        for (let i = 0; i < 4; i++) {
          const started = Date.now();
          await assert.rejects(
            own.db.transaction(async (tx) => tx.execute(sql`select 1`)),
            (error) => isConnectionError(error),
          );
          assert.ok(Date.now() - started < 2_000, `transaction ${i} failed at once, not after waiting for a client`);
        }
        assert.equal(proxy.cuts, 4);
        proxy.disarm();
        const result = await Promise.race([
          own.db.transaction(async (tx) => tx.execute(sql`select 1 as one`)),
          sleep(3_000).then(() => 'no client within 3 s'),
        ]);
        assert.deepEqual((result as { rows?: unknown[] }).rows, [{ one: 1 }], String(result));
      } finally {
        // Bounded: a pool still holding a leaked client never finishes closing.
        await Promise.race([own.close(), sleep(2_000)]);
        await proxy.close();
      }
    });

    // Found by the load above: a sign-up committed, then its code's immediate send lost the
    // database, and the request answered 503, so the client would retry a write that was made
    // (and meet UsernameExistsException). The message is queued with the user; the worker sends it.
    test('a sign-up whose code send loses the database after commit is acknowledged, and its message is left to the worker', async () => {
      let armed = true;
      const courier: Courier = {
        async deliver() {
          if (armed) {
            armed = false;
            await cluster.stop('immediate');
          }
          return { channel: 'test' };
        },
        async close() {},
      };
      const config = loadConfig({
        ...GENEROUS_RATE_LIMITS,
        ADMIN_API_KEY: ADMIN_KEY,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
      });
      const own = await createServices(config, database, pino({ level: 'silent' }), { courier });
      const ownApp = await buildApp({ services: own });
      try {
        const inject = async (method: 'POST', url: string, payload: unknown, headers: Record<string, string> = {}) => {
          const r = await ownApp.inject({
            method,
            url,
            payload: payload as object,
            headers: { 'content-type': 'application/json', ...headers },
          });
          return { status: r.statusCode, body: r.json() };
        };
        const admin = { authorization: `Bearer ${ADMIN_KEY}` };
        const pool = await inject(
          'POST',
          '/v1/pools',
          { name: 'after-commit', autoVerifiedAttributes: ['email'] },
          admin,
        );
        const client = await inject('POST', `/v1/pools/${pool.body.id}/clients`, { name: 'app' }, admin);
        const signUp = await inject('POST', '/v1/sign-up', {
          clientId: client.body.clientId,
          username: 'committed',
          password: PASSWORD,
          userAttributes: { email: 'committed@example.com' },
        });
        assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
        assert.equal(signUp.body.codeDeliveryDetails.deliveryMedium, 'EMAIL');
        await cluster.start();
        const check = new pg.Client({ connectionString: cluster.url });
        await check.connect();
        try {
          const { rows } = await check.query(
            `select u.username, m.status from users u join outbox_messages m on m.user_id = u.id where u.pool_id = $1`,
            [pool.body.id],
          );
          // Claimed for the immediate try, whose outcome was never recorded: due again when the lease runs out.
          assert.deepEqual(rows, [{ username: 'committed', status: 'sending' }]);
        } finally {
          await check.end();
        }
      } finally {
        await ownApp.close();
        await own.close();
      }
    });
  },
);
