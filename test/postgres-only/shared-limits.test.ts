/**
 * Two Cognate instances, each with its own connection pool, on one PostgreSQL database: they
 * enforce one set of rate limits and one sign-in lockout, as several processes behind a load
 * balancer must.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createServices, type Services } from '../../src/services.ts';
import { ADMIN_KEY, GENEROUS_RATE_LIMITS, PASSWORD } from '../support/app.ts';
import { onPostgres } from '../support/database.ts';

const skip = onPostgres
  ? false
  : 'two instances need a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

interface Instance {
  app: App;
  services: Services;
  database: Database;
}

describe('two instances on one PostgreSQL', { skip }, () => {
  const name = `cognate_shared_${randomBytes(5).toString('hex')}`;
  let url: string;
  const instances: Instance[] = [];
  let clientId: string;
  let poolId: string;

  before(async () => {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const target = new URL(process.env.DATABASE_URL!);
    target.pathname = `/${name}`;
    url = target.toString();
    for (let i = 0; i < 2; i++) {
      const database = await openDatabase({ kind: 'postgres', url, poolSize: 5 });
      if (i === 0) await database.migrate();
      const config = loadConfig({
        ADMIN_API_KEY: ADMIN_KEY,
        DATABASE_URL: url,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
        PUBLIC_URL: 'http://cognate.test',
        ...GENERAL_LIMITS,
      });
      const services = await createServices(config, database, pino({ level: 'silent' }));
      const app = await buildApp({ services });
      await app.ready();
      instances.push({ app, services, database });
    }
    const pool = await call(0, '/v1/pools', { name: 'shared' }, '192.0.2.1', ADMIN_KEY);
    poolId = pool.body.id;
    clientId = (await call(1, `/v1/pools/${poolId}/clients`, { name: 'app' }, '192.0.2.1', ADMIN_KEY)).body.clientId;
    assert.equal(
      (await call(0, '/v1/sign-up', { clientId, username: 'shared', password: PASSWORD }, '192.0.2.1')).status,
      201,
    );
    assert.equal(
      (await call(1, `/v1/pools/${poolId}/users/shared/confirm`, undefined, '192.0.2.1', ADMIN_KEY)).status,
      200,
    );
  });

  after(async () => {
    for (const { app, services, database } of instances) {
      await app.close();
      await services.close();
      await database.close();
    }
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  async function call(instance: number, url: string, body: unknown, from: string, token?: string) {
    const res = await instances[instance]!.app.inject({
      method: 'POST',
      url,
      remoteAddress: from,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
  }

  test('a per-address limit counts the requests of both instances, also when they come at once', async () => {
    // Sign-in: 8 a minute from one address, taken in turns by the two instances.
    for (let i = 0; i < 8; i++) {
      assert.equal(
        (
          await call(
            i % 2,
            '/v1/auth/sign-in',
            { clientId, username: `nobody${i}`, password: PASSWORD },
            '198.51.100.1',
          )
        ).status,
        401,
      );
    }
    for (const instance of [0, 1]) {
      const limited = await call(
        instance,
        '/v1/auth/sign-in',
        { clientId, username: 'nobody', password: PASSWORD },
        '198.51.100.1',
      );
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'TooManyRequestsException');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
    }
    // Code checks: 10 an hour from one address; 30 at once, spread over both instances: exactly 10 pass the limit.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(i % 2, '/v1/sign-up/confirm', { clientId, username: `x${i}`, confirmationCode: '123456' }, '198.51.100.2'),
      ),
    );
    const counts: Record<number, number> = {};
    for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
    assert.deepEqual(counts, { 400: 10, 429: 20 });
  });

  test('a per-target limit (per name and client address, docs/limits.md) holds whichever instance the requests come through', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await call(i % 2, '/v1/auth/forgot-password', { clientId, username: 'shared' }, '203.0.113.1')).status,
        200,
      );
    }
    assert.equal(
      (await call(1, '/v1/auth/forgot-password', { clientId, username: 'shared' }, '203.0.113.1')).status,
      429,
    );
    assert.equal(
      (await call(0, '/v1/auth/forgot-password', { clientId, username: 'shared' }, '203.0.113.1')).status,
      429,
    );
    // The user's own request from another address is not held back by that count, on either instance.
    for (const instance of [0, 1]) {
      assert.equal(
        (
          await call(
            instance,
            '/v1/auth/forgot-password',
            { clientId, username: 'shared' },
            `203.0.113.${10 + instance}`,
          )
        ).status,
        200,
      );
    }
  });

  test('five failures through either instance lock the user on both, for that address only', async () => {
    const from = '192.0.2.50';
    for (let i = 0; i < 5; i++) {
      const res = await call(
        i % 2,
        '/v1/auth/sign-in',
        { clientId, username: 'shared', password: 'Wr0ng-passw0rd!' },
        from,
      );
      assert.equal(res.body.detail, 'Incorrect username or password.');
    }
    for (const instance of [0, 1]) {
      const locked = await call(
        instance,
        '/v1/auth/sign-in',
        { clientId, username: 'shared', password: PASSWORD },
        from,
      );
      assert.deepEqual([locked.status, locked.body.detail], [401, 'Password attempts exceeded']);
    }
    assert.equal(
      (await call(1, '/v1/auth/sign-in', { clientId, username: 'shared', password: PASSWORD }, '192.0.2.51')).status,
      200,
    );
  });
});

/** Low where these tests look, generous elsewhere. */
const GENERAL_LIMITS = {
  ...GENEROUS_RATE_LIMITS,
  RATE_LIMIT_SIGN_IN_PER_IP: '8',
  RATE_LIMIT_CODE_CHECK_PER_IP: '10',
  RATE_LIMIT_CODE_SEND_PER_TARGET: '3',
};
