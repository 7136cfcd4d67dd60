/**
 * What one request of each kind costs, so an operator can size processes, connections and the
 * database (docs/operations.md, "Sizing"). One Cognate process (`node dist/server.js`, as
 * production runs it) on PostgreSQL under load, one kind of request at a time; for each:
 *
 *   - requests a second and latency, on this machine (the load generator, Cognate and
 *     PostgreSQL share its cores: a floor, not a ceiling);
 *   - Cognate's CPU per request: what decides how many requests one process (one core) answers;
 *   - PostgreSQL's CPU per request (every server process, background writers included): what
 *     decides how far one primary carries;
 *   - pooler connection time per request (pgbouncer's own count of how long its server
 *     connections were given out): with the request rate, how many pool and pooler connections
 *     are busy (Little's law); and pgbouncer's CPU per request;
 *   - transactions and WAL bytes per request: what the replica replays, what backups keep.
 *
 * And the database's size per user. Derived capacities are printed apart from what was measured.
 *
 *   npm run bench:sizing                           100,000 users, 10 s per kind (about 5 minutes)
 *   npm run bench:sizing -- --users 1000000 --duration 20
 *   npm run bench:sizing -- --direct --server-env DATABASE_NAMED_STATEMENTS=true --out /tmp/named.txt
 *
 * Without DATABASE_URL it runs itself under scripts/with-postgres.sh and, unless --direct,
 * scripts/with-pgbouncer.sh (transaction pooling, as production would run it). Writes what it
 * prints to bench/results/sizing.txt (--out). Not part of `npm test`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { rows } from '../src/db/results.ts';
import { createPoolsService } from '../src/modules/pools/pools.service.ts';
import { firstSigningKey } from '../src/modules/tokens/key-store.ts';
import type { LoadJob, LoadResult } from './lib/load.ts';
import { postgresMeter, type PostgresCost } from './lib/postgres-meter.ts';
import { cpuMsOf, freePort, rssOf, runChild, startChild, stopChild, TSX, waitForHealth } from './lib/processes.ts';
import { createReport, rerunUnder } from './lib/report.ts';
import { seedUsers, spreadUsernames } from './lib/seed.ts';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    only: { type: 'string' },
    /** No pgbouncer in front: Cognate straight to PostgreSQL. */
    direct: { type: 'boolean', default: false },
    'server-env': { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: 'bench/results/sizing.txt' },
  },
});
const userCount = Number(args.users);
const connections = Number(args.connections);
const duration = Number(args.duration);
for (const [name, n] of [
  ['--users', userCount],
  ['--connections', connections],
  ['--duration', duration],
] as const)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);

if (!process.env.DATABASE_URL)
  await rerunUnder(
    ['scripts/with-postgres.sh', ...(args.direct ? [] : ['scripts/with-pgbouncer.sh'])],
    'bench/sizing.ts',
  );

const { lines, say } = createReport();
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const config = loadConfig({ ...process.env, DATABASE_URL: undefined });
const argonParams = config.passwordHashing;
const password = 'Bench-Passw0rd!';
const adminKey = 'bench-admin-key-0123456789abcdef';
const serverEnv = Object.fromEntries(
  args['server-env']!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const tmp = await mkdtemp(path.join(os.tmpdir(), 'cognate-sizing-'));

say(`Cognate sizing — ${new Date().toISOString()}`);
say(
  `Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);

await runChild(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);

const database = await openDatabase({ kind: 'postgres', url: process.env.DATABASE_URL!, poolSize: 2 });
await database.migrate();
const { db } = database;
const pooled = process.env.PGBOUNCER_PIDFILE
  ? { url: process.env.DATABASE_URL!, pidFile: process.env.PGBOUNCER_PIDFILE }
  : undefined;
const meter = await postgresMeter(db, pooled);
const [server] = rows(
  await db.execute(sql`select version() as v, current_setting('fsync') as fsync,
    current_setting('synchronous_commit') as sync, current_setting('shared_buffers') as buffers`),
) as Array<{ v: string; fsync: string; sync: string; buffers: string }>;
say(
  `${server!.v.split(',')[0]}; fsync ${server!.fsync}, synchronous_commit ${server!.sync}, shared_buffers ${server!.buffers}; server CPU ${meter.local ? 'read from /proc' : 'not readable (a remote server)'}`,
);
say(
  `argon2id: memory ${argonParams.memoryCostKiB} KiB, time ${argonParams.timeCost}, parallelism ${argonParams.parallelism} (Cognate's defaults)`,
);

// ---------------------------------------------------------------- users, and their size
const pools = createPoolsService({ db, region: 'local', publicUrl: 'http://bench.local', firstSigningKey });
const pool = await pools.createPool({ name: `sizing-${Date.now()}`, autoVerifiedAttributes: ['email'] });
const client = await pools.createClient(pool.id, { name: 'sizing' });
const hash = await argon2.hash(password, {
  type: argon2.argon2id,
  memoryCost: argonParams.memoryCostKiB,
  timeCost: argonParams.timeCost,
  parallelism: argonParams.parallelism,
});
const databaseBytes = async () =>
  Number(
    (rows(await db.execute(sql`select pg_database_size(current_database())::text as n`)) as Array<{ n: string }>)[0]!.n,
  );
const emptySize = await databaseBytes();
let t0 = performance.now();
await seedUsers(db, pool.id, userCount, hash);
await db.execute(sql`vacuum analyze`);
const bytesPerUser = ((await databaseBytes()) - emptySize) / userCount;
say(
  `seeded ${fmt(userCount)} users (5 attributes each, email verified) in ${((performance.now() - t0) / 1000).toFixed(1)} s; database size per user ${fmt(bytesPerUser)} bytes (tables and indexes, after VACUUM)`,
);

// ---------------------------------------------------------------- one Cognate process
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
t0 = performance.now();
const cognate = startChild(
  process.execPath,
  ['dist/server.js'],
  {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ALLOW_LOG_DELIVERY: 'true',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: process.env.DATABASE_URL,
    ADMIN_API_KEY: adminKey,
    CODE_HMAC_SECRET: 'bench-code-hmac-secret-0123456789abcdef',
    // All the load comes from one address.
    RATE_LIMITS: 'off',
    ...serverEnv,
  },
  path.join(tmp, 'cognate.log'),
);
await waitForHealth(`${url}/health/live`, t0, cognate);
say(
  `Cognate: one process, node dist/server.js, NODE_ENV=production, DATABASE_POOL_SIZE 10, RATE_LIMITS=off${Object.keys(serverEnv).length ? `, ${args['server-env']!.join(' ')}` : ''}; load: autocannon, ${connections} connections, ${duration} s a kind, after a 3 s warm-up`,
);

// Signed-in users spread over the table: their access tokens for /v1/me, refresh tokens for refresh.
const signedIn: Array<{ access: string; refresh: string }> = [];
for (const batch of chunk(spreadUsernames(userCount, 100), 8)) {
  signedIn.push(
    ...(await Promise.all(
      batch.map(async (username) => {
        const response = await fetch(`${url}/v1/auth/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId: client.id, username, password }),
        });
        const body = (await response.json()) as { accessToken?: string; refreshToken?: string };
        if (!body.accessToken || !body.refreshToken) throw new Error(`sign-in of ${username}: ${response.status}`);
        return { access: `Bearer ${body.accessToken}`, refresh: body.refreshToken };
      }),
    )),
  );
}

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
}

interface Kind {
  label: string;
  /** How many of these one session of the example app makes (see SESSION below). */
  perSession: number;
  /** Where the read may go: the primary, or the replica when DATABASE_REPLICA_URL names one. */
  reads: 'primary' | 'replica';
  job: Omit<LoadJob, 'connections' | 'duration'>;
}
const json = (body: unknown) => JSON.stringify(body);
const admin = [`Bearer ${adminKey}`];
const kinds: Kind[] = [
  {
    label: 'sign-in (POST /v1/auth/sign-in)',
    perSession: 1,
    reads: 'primary',
    job: {
      url: `${url}/v1/auth/sign-in`,
      method: 'POST',
      usernames: spreadUsernames(userCount, 1000),
      body: json({ clientId: client.id, username: '$U', password }),
    },
  },
  {
    label: 'token refresh (POST /v1/auth/refresh)',
    perSession: 3,
    reads: 'primary',
    // `$U` takes each refresh token in turn.
    job: {
      url: `${url}/v1/auth/refresh`,
      method: 'POST',
      usernames: signedIn.map((s) => s.refresh),
      body: json({ clientId: client.id, refreshToken: '$U' }),
    },
  },
  {
    label: 'GET /v1/me/attributes',
    perSession: 20,
    reads: 'primary',
    job: { url: `${url}/v1/me/attributes`, authorizations: signedIn.map((s) => s.access) },
  },
  {
    label: 'PATCH /v1/me/attributes (nickname)',
    perSession: 1,
    reads: 'primary',
    job: {
      url: `${url}/v1/me/attributes`,
      method: 'PATCH',
      authorizations: signedIn.map((s) => s.access),
      body: json({ userAttributes: { nickname: 'nick-$N' } }),
    },
  },
  {
    label: 'sign-up (POST /v1/sign-up, email code)',
    perSession: 0.1,
    reads: 'primary',
    job: {
      url: `${url}/v1/sign-up`,
      method: 'POST',
      body: json({
        clientId: client.id,
        username: 'su-$N',
        password,
        userAttributes: { email: 'su-$N@example.com', given_name: 'New' },
      }),
    },
  },
  {
    label: 'ListUsers, first page of 60 (admin)',
    perSession: 0,
    reads: 'replica',
    job: { url: `${url}/v1/pools/${pool.id}/users?limit=60`, authorizations: admin },
  },
  {
    label: 'ListUsers, email ^= "user12" (admin)',
    perSession: 0,
    reads: 'replica',
    job: {
      url: `${url}/v1/pools/${pool.id}/users?limit=60&filter=${encodeURIComponent('email ^= "user12"')}`,
      authorizations: admin,
    },
  },
];
const only = args.only?.toLowerCase();
const chosen = only ? kinds.filter((k) => k.label.toLowerCase().includes(only)) : kinds;
if (chosen.length === 0) throw new Error(`--only ${args.only}: no kind of request matches`);

async function load(job: LoadJob): Promise<LoadResult> {
  const out = await runChild(process.execPath, [...TSX, 'bench/lib/load.ts', JSON.stringify(job)]);
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${job.url}: ${result.non2xx} non-2xx, ${result.errors} errors; first: ${result.firstError}`);
  return result;
}

interface Measured {
  kind: Kind;
  result: LoadResult;
  cognateCpuMs: number;
  postgres: PostgresCost;
}
const measured: Measured[] = [];
for (const kind of chosen) {
  await load({ ...kind.job, connections, duration: 3, nonce: `w${Date.now()}` });
  await meter.settle();
  const before = await meter.read();
  const cpuBefore = await cpuMsOf(cognate.pid!);
  const result = await load({ ...kind.job, connections, duration, nonce: `m${Date.now()}` });
  const cognateCpuMs = (await cpuMsOf(cognate.pid!)) - cpuBefore;
  // CPU and WAL as the load ends; the counters once every backend has published them.
  const ended = await meter.read();
  await meter.settle();
  const after = { ...ended, transactions: (await meter.read()).transactions };
  const postgres = await meter.cost(before, after);
  measured.push({ kind, result, cognateCpuMs, postgres });
  console.log(
    `  · ${kind.label}: ${fmt(result.requestsPerSecond, 1)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
  );
}
const rss = await rssOf(cognate.pid!);
await stopChild(cognate);
await meter.close();
await database.close();
await rm(tmp, { recursive: true, force: true });

// ---------------------------------------------------------------- measured
const per = (m: Measured, total: number | undefined) => (total === undefined ? NaN : total / m.result.total);
const cell = (n: number, digits: number) => (Number.isNaN(n) ? 'n/a' : fmt(n, digits));
say();
say(
  `Measured, per request (one Cognate process${pooled ? ' behind pgbouncer, transaction pooling' : ', straight to PostgreSQL'}; load generator, Cognate${pooled ? ', pgbouncer' : ''} and PostgreSQL on the same cores):`,
);
say();
say(
  '| request | reads on | req/s here | p50 / p99 ms | Cognate CPU ms | PostgreSQL CPU ms | pgbouncer CPU ms | server connection held ms | transactions | WAL bytes |',
);
say('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const m of measured)
  say(
    `| ${m.kind.label} | ${m.kind.reads} | ${fmt(m.result.requestsPerSecond, m.result.requestsPerSecond < 100 ? 1 : 0)} | ${m.result.latency.p50} / ${m.result.latency.p99} | ${cell(per(m, m.cognateCpuMs), 2)} | ${cell(per(m, m.postgres.cpuMs), 2)} | ${cell(per(m, m.postgres.pooler?.cpuMs), 3)} | ${cell(per(m, m.postgres.pooler?.heldMs), 2)} | ${cell(per(m, m.postgres.transactions), 1)} | ${cell(per(m, m.postgres.walBytes), 0)} |`,
  );
say();
say(
  `Cognate RSS at the end: ${rss ? `${(rss / 2 ** 20).toFixed(0)} MiB` : 'n/a'}; database size per user: ${fmt(bytesPerUser)} bytes`,
);

// ---------------------------------------------------------------- derived
// One core answers 1000 / CPU-ms requests a second at full use; plan for 70 % of it.
const PLAN = 0.7;
say();
say(
  `Derived (not measured): requests a second at ${PLAN * 100} % use of one core, for Cognate (its main thread and its argon2 threads together) and for PostgreSQL (per core of the primary, or of the replica for the rows marked so); pooler server connections busy at 1,000 req/s of that kind (rate × held time):`,
);
say();
say('| request | per core running Cognate | per PostgreSQL core | server connections busy at 1,000 req/s |');
say('|---|---:|---:|---:|');
for (const m of measured) {
  const cognateMs = per(m, m.cognateCpuMs);
  const postgresMs = per(m, m.postgres.cpuMs);
  say(
    `| ${m.kind.label} | ${cell((PLAN * 1000) / cognateMs, 0)} | ${cell((PLAN * 1000) / postgresMs, 0)} | ${cell(per(m, m.postgres.pooler?.heldMs), 1)} |`,
  );
}

// An example app's session: a sign-in, three token refreshes, twenty profile reads and one
// update; and one new user (a sign-up) for every ten sessions. Admin listings aside.
const SESSION =
  'a sign-in, 3 token refreshes, 20 GET and 1 PATCH of /v1/me/attributes; a sign-up for every 10 sessions';
const inSession = measured.filter((m) => m.kind.perSession > 0);
if (inSession.length === kinds.filter((k) => k.perSession > 0).length) {
  const sum = (cost: (m: Measured) => number) => inSession.reduce((total, m) => total + m.kind.perSession * cost(m), 0);
  const requests = sum(() => 1);
  const cognateMs = sum((m) => per(m, m.cognateCpuMs)) / requests;
  const postgresMs = sum((m) => per(m, m.postgres.cpuMs)) / requests;
  const poolerMs = sum((m) => per(m, m.postgres.pooler?.cpuMs)) / requests;
  const heldMs = sum((m) => per(m, m.postgres.pooler?.heldMs)) / requests;
  const walBytes = sum((m) => per(m, m.postgres.walBytes)) / requests;
  const perPostgresCore = (PLAN * 1000) / postgresMs;
  say();
  say(`Derived (not measured), for an example app whose session is ${SESSION} (${fmt(requests, 1)} requests):`);
  say();
  say(
    `- an average request costs ${cognateMs.toFixed(2)} ms of Cognate CPU, ${postgresMs.toFixed(2)} ms of PostgreSQL CPU, ${cell(poolerMs, 3)} ms of pgbouncer CPU, holds a server connection ${cell(heldMs, 2)} ms and writes ${fmt(walBytes)} bytes of WAL;`,
  );
  say(
    `- at ${PLAN * 100} % use: ${fmt((PLAN * 1000) / cognateMs)} req/s per core running Cognate, ${fmt(perPostgresCore)} req/s per PostgreSQL core, ${cell((PLAN * 1000) / poolerMs, 0)} req/s per pgbouncer process (it uses one core);`,
  );
  say();
  say('| primary | carries (req/s) | sessions/s | cores running Cognate | server connections busy | WAL to replay |');
  say('|---|---:|---:|---:|---:|---:|');
  for (const cores of [2, 4, 8, 16]) {
    const rate = cores * perPostgresCore;
    say(
      `| ${cores} cores | ${fmt(rate)} | ${fmt(rate / requests)} | ${fmt(Math.ceil((rate * cognateMs) / (PLAN * 1000)))} | ${cell(Math.ceil((rate * heldMs) / 1000), 0)} | ${fmt((rate * walBytes) / 2 ** 20, 1)} MiB/s |`,
    );
  }
}
say();
say(
  `Users a primary holds, from ${fmt(bytesPerUser)} bytes each: 1,000,000 users ≈ ${fmt((bytesPerUser * 1e6) / 2 ** 30, 1)} GiB, 10,000,000 ≈ ${fmt((bytesPerUser * 1e7) / 2 ** 30, 1)} GiB (before sessions, codes and audit events, which grow with use).`,
);

await writeFile(args.out!, `${lines.join('\n')}\n`);
console.log(`\nwritten to ${args.out}`);
