/**
 * Cognate against cognito-local (docs/performance.md, "Peers: cognito-local"): the same Cognito
 * wire calls (POST / with X-Amz-Target) on cognito-local 5.3.0, on Cognate embedded (PGlite) and
 * on Cognate on PostgreSQL, each on loopback, one loaded at a time, printed as a table of ratios
 * and written to bench/results/peers.txt.
 *
 *   npm run bench -- --only peers                              (~10 min on 2 cores)
 *   npm run bench -- --only peers --duration 3 --rounds 1      (a quick look while developing)
 *
 * Calls: GetUser and UpdateUserAttributes (nickname, a new value every request) spread over the
 * access tokens of `--users` signed-in users; InitiateAuth USER_PASSWORD_AUTH over users of a
 * second pool; SignUp of new users into a third. Separate pools because cognito-local keeps a
 * pool in one JSON file it rewrites whole on every change: sign-ins (each stores its refresh
 * token) and sign-ups would otherwise grow the file the attribute calls rewrite.
 *
 * Each call: a 3-second warm-up of each server, then `--rounds` rounds, each loading the three
 * servers in turn for `--duration` seconds; the median round of each server counts. Memory: RSS
 * of each server idle (after set-up and a settle) and its peak under load; for embedded Cognate
 * also after a first start on a fresh data directory and after a later start on the same one.
 *
 * Without DATABASE_URL it runs itself under scripts/with-postgres.sh. Cognate runs as production
 * runs it (`node dist/server.js`, NODE_ENV=production, default argon2id cost, RATE_LIMITS=off);
 * cognito-local runs its own bin with a data directory of its own. Options: --connections N
 * (10), --duration S (10), --rounds N (3), --users N (100), --settle S (5), --log-level L,
 * --out FILE (bench/results/peers.txt).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { loadConfig } from '../src/config.ts';
import { AMZ_JSON, sdkFor, setUpPool, target, wireCall, type BenchPool } from './lib/cognito-wire.ts';
import type { LoadJob, LoadResult } from './lib/load.ts';
import { createReport, loadAverage, printResults, rerunUnder, type Row } from './lib/report.ts';
import {
  cpuMsOf,
  freePort,
  rssOf,
  runChild,
  sampleRss,
  startChild,
  stopChild,
  TSX,
  waitForHealth,
} from './lib/processes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

const { values: args } = parseArgs({
  options: {
    /** Only `peers` (this script is also reached as `npm run bench -- --only peers`). */
    only: { type: 'string' },
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '100' },
    settle: { type: 'string', default: '5' },
    'log-level': { type: 'string', default: 'info' },
    out: { type: 'string', default: 'bench/results/peers.txt' },
  },
});
if (args.only !== undefined && args.only !== 'peers') throw new Error(`bench/peers.ts: --only must be "peers"`);
const connections = Number(args.connections);
const duration = Number(args.duration);
const rounds = Number(args.rounds);
const userCount = Number(args.users);
const settleMs = Number(args.settle) * 1000;
for (const [name, value] of Object.entries({ connections, duration, rounds, users: userCount }))
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);

// Cognate on PostgreSQL needs one: a throw-away server unless DATABASE_URL is given.
if (!process.env.DATABASE_URL) await rerunUnder(['scripts/with-postgres.sh'], 'bench/peers.ts');

const { lines, say } = createReport();
const note = (line: string) => console.log(`  · ${line}`);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

const rows: Row[] = [];
const details: string[] = [];

const password = 'Bench-Passw0rd!';
const credentials = { accessKeyId: 'BENCHPEERSKEY0001', secretAccessKey: 'bench-peers-secret-0123456789abcdef' };
const argonParams = loadConfig({ ...process.env, DATABASE_URL: undefined }).passwordHashing;
const tmp = await mkdtemp(path.join(os.tmpdir(), 'cognate-peers-'));
const startedAt = new Date();
const loadBefore = loadAverage();
const cognitoLocalVersion = (
  JSON.parse(await readFile('node_modules/cognito-local/package.json', 'utf8')) as { version: string }
).version;
const cognateVersion = (JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version;

say(`Cognate against cognito-local — ${startedAt.toISOString()}`);
say(
  `Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${loadBefore}`,
);
say(
  `${connections} connections, ${rounds} round(s) of ${duration} s per call and server (the median round counts), servers in turn within a round, autocannon in its own process; ${userCount} users a pool`,
);

{
  const t0 = performance.now();
  await runChild(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
  note(`built dist/ (npm run build) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// Rate limits would turn a load from one address into 429s: off, as in bench/run.ts.
const rateLimitEnv: Record<string, string> = /RATE_LIMITS/.test(await readFile('src/config.ts', 'utf8'))
  ? { RATE_LIMITS: 'off' }
  : {};

/** bench/run.ts's Cognate environment, plus the key Cognito-wire admin calls are signed with. */
function cognateEnv(port: number, extra: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ALLOW_LOG_DELIVERY: 'true',
    LOG_LEVEL: args['log-level'],
    HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_API_KEY: 'bench-admin-key-0123456789abcdef',
    CODE_HMAC_SECRET: 'bench-code-hmac-secret-0123456789abcdef',
    COGNITO_ACCESS_KEY_ID: credentials.accessKeyId,
    COGNITO_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ARGON2_MEMORY_KIB: String(argonParams.memoryCostKiB),
    ARGON2_TIME_COST: String(argonParams.timeCost),
    ARGON2_PARALLELISM: String(argonParams.parallelism),
    ...rateLimitEnv,
    ...extra,
  };
}

type Key = 'local' | 'embedded' | 'postgres';
interface Server {
  key: Key;
  label: string;
  url: string;
  child: ChildProcess;
  /** Pools: attributes (GetUser, UpdateUserAttributes), auth (InitiateAuth), signup (SignUp). */
  attributes?: BenchPool;
  auth?: BenchPool;
  signup?: BenchPool;
  idleRss?: number;
  /** Peak RSS under GetUser and UpdateUserAttributes load, and under any load. */
  peakAttributes: number;
  peakAll: number;
}

async function startCognate(key: Key, label: string, extra: Record<string, string | undefined>): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = startChild(process.execPath, ['dist/server.js'], cognateEnv(port, extra), path.join(tmp, `${key}.log`));
  try {
    const ms = await waitForHealth(`${url}/health/live`, t0, child);
    note(`${label} answers /health/live ${fmt(ms)} ms after spawning`);
  } catch (error) {
    throw new Error(`${label} did not start (${(error as Error).message}); its log: ${path.join(tmp, `${key}.log`)}`, {
      cause: error,
    });
  }
  return { key, label, url, child, peakAttributes: 0, peakAll: 0 };
}

async function startCognitoLocal(): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // cognito-local keeps its config and pools in ./.cognito of its working directory: a directory
  // of its own, entered before its bin runs (its process is this node, for RSS and CPU).
  const dir = path.join(tmp, 'cognito-local');
  await mkdir(path.join(dir, '.cognito'), { recursive: true });
  // Its default pool setting makes usernames e-mail addresses (and CreateUserPool's
  // UsernameAttributes: [] cannot undo it): plain usernames, as on Cognate.
  await writeFile(
    path.join(dir, '.cognito', 'config.json'),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }),
  );
  const bin = path.resolve('node_modules/cognito-local/lib/bin/start.js');
  const t0 = performance.now();
  const child = startChild(
    process.execPath,
    ['-e', `process.chdir(${JSON.stringify(dir)}); require(${JSON.stringify(bin)});`],
    { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: String(port) },
    path.join(tmp, 'local.log'),
  );
  try {
    const ms = await waitForHealth(`${url}/health`, t0, child);
    note(`cognito-local answers /health ${fmt(ms)} ms after spawning`);
  } catch (error) {
    throw new Error(
      `cognito-local did not start (${(error as Error).message}); its log: ${path.join(tmp, 'local.log')}`,
      { cause: error },
    );
  }
  return { key: 'local', label: 'cognito-local', url, child, peakAttributes: 0, peakAll: 0 };
}

const pidOf = (server: Server) => server.child.pid!;
const settledRss = async (server: Server) => {
  await sleep(settleMs);
  const rss = await rssOf(pidOf(server));
  if (rss === undefined || server.child.exitCode !== null)
    throw new Error(`${server.label} exited while idle; its log is in ${tmp}`);
  return rss;
};

// ---------------------------------------------------------------- servers
const servers: Server[] = [];
let firstStartRss: number;
let laterStartRss: number;
try {
  servers.push(await startCognitoLocal());

  // Embedded: a first start on a fresh data directory, then a later one on the same directory,
  // RSS read `--settle` seconds after /health/live answers; the later one is kept for the load.
  const dataDir = path.join(tmp, 'pglite');
  const first = await startCognate('embedded', 'Cognate embedded (first start)', { DATA_DIR: dataDir });
  firstStartRss = await settledRss(first);
  await stopChild(first.child);
  const embedded = await startCognate('embedded', 'Cognate embedded (later start)', { DATA_DIR: dataDir });
  laterStartRss = await settledRss(embedded);
  embedded.label = 'Cognate embedded';
  servers.push(embedded);
  note(`embedded idle RSS: first start ${mb(firstStartRss)}, later start ${mb(laterStartRss)}`);

  servers.push(await startCognate('postgres', 'Cognate PostgreSQL', { DATABASE_URL: process.env.DATABASE_URL }));
} catch (error) {
  await stopAll();
  throw error;
}
const local = servers[0]!;
const compared = servers.slice(1);

async function stopAll() {
  for (const server of servers) await stopChild(server.child);
}

// ---------------------------------------------------------------- set-up, the same calls on each
try {
  for (const server of servers) {
    const t0 = performance.now();
    const sdk = sdkFor(server.url, credentials);
    const stamp = Date.now().toString(36);
    server.attributes = await setUpPool(server.label, server.url, sdk, {
      name: `attrs-${stamp}`,
      users: userCount,
      password,
      signIn: true,
    });
    server.auth = await setUpPool(server.label, server.url, sdk, {
      name: `auth-${stamp}`,
      users: userCount,
      password,
      signIn: false,
    });
    server.signup = await setUpPool(server.label, server.url, sdk, {
      name: `signup-${stamp}`,
      users: 0,
      password,
      signIn: false,
    });
    sdk.destroy();
    note(
      `${server.label}: 3 pools, ${userCount * 2} users signed up and confirmed, ${userCount} signed in, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
} catch (error) {
  await stopAll();
  throw new Error(`${(error as Error).message} (the servers' logs: ${tmp})`, { cause: error });
}
for (const server of servers) {
  server.idleRss = await settledRss(server);
  note(`${server.label}: idle RSS after set-up ${mb(server.idleRss)}`);
}

// ---------------------------------------------------------------- the calls
interface Call {
  operation: 'GetUser' | 'UpdateUserAttributes' | 'InitiateAuth' | 'SignUp';
  job(server: Server): LoadJob;
  /** What a correct answer carries: checked on one call before the load. */
  check(answer: Record<string, unknown>): boolean;
  attributeLoad: boolean;
}
const wire = (operation: string, body: string, extra: Partial<LoadJob>): Omit<LoadJob, 'url'> => ({
  method: 'POST',
  connections,
  duration,
  contentType: AMZ_JSON,
  headers: { 'x-amz-target': target(operation) },
  body,
  ...extra,
});
const calls: Call[] = [
  {
    operation: 'GetUser',
    job: (s) => ({
      url: `${s.url}/`,
      ...wire('GetUser', '{"AccessToken":"$T"}', { tokens: s.attributes!.accessTokens }),
    }),
    check: (a) => typeof a.Username === 'string' && Array.isArray(a.UserAttributes),
    attributeLoad: true,
  },
  {
    operation: 'UpdateUserAttributes',
    job: (s) => ({
      url: `${s.url}/`,
      ...wire('UpdateUserAttributes', '{"AccessToken":"$T","UserAttributes":[{"Name":"nickname","Value":"nick-$N"}]}', {
        tokens: s.attributes!.accessTokens,
      }),
    }),
    check: (a) => Array.isArray(a.CodeDeliveryDetailsList) && a.CodeDeliveryDetailsList.length === 0,
    attributeLoad: true,
  },
  {
    operation: 'InitiateAuth',
    job: (s) => ({
      url: `${s.url}/`,
      ...wire(
        'InitiateAuth',
        JSON.stringify({
          ClientId: s.auth!.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: '$U', PASSWORD: password },
        }),
        { usernames: s.auth!.usernames },
      ),
    }),
    check: (a) => typeof (a.AuthenticationResult as { AccessToken?: unknown } | undefined)?.AccessToken === 'string',
    attributeLoad: false,
  },
  {
    operation: 'SignUp',
    job: (s) => ({
      url: `${s.url}/`,
      ...wire(
        'SignUp',
        JSON.stringify({
          ClientId: s.signup!.clientId,
          Username: 'su-$N',
          Password: password,
          UserAttributes: [{ Name: 'nickname', Value: 'new' }],
        }),
        {},
      ),
    }),
    check: (a) => typeof a.UserSub === 'string' && a.UserConfirmed === false,
    attributeLoad: false,
  },
];

type Measured = LoadResult & { cpuMsPerRequest: number; peakRss: number };

/** One load against `server`; every answer must be 2xx, as bench/run.ts's load() requires. */
async function load(server: Server, job: LoadJob): Promise<Measured> {
  // The job goes in a file: a hundred access tokens come close to Linux's 128 KiB for one argument.
  const jobFile = path.join(tmp, 'job.json');
  await writeFile(jobFile, JSON.stringify(job));
  const pid = pidOf(server);
  const cpuBefore = await cpuMsOf(pid);
  const sampler = sampleRss(pid);
  const outcome = await runChild(process.execPath, [...TSX, 'bench/lib/load.ts', `@${jobFile}`]).then(
    (out) => ({ out }),
    (error: unknown) => ({ error }),
  );
  const { peak } = sampler.stop();
  if ('error' in outcome) throw outcome.error;
  const result = JSON.parse(outcome.out.trim().split('\n').at(-1)!) as LoadResult;
  const operation = job.headers?.['x-amz-target'] ?? '';
  if (result.non2xx > 0 || result.errors > 0 || result.total === 0) {
    throw new Error(
      `${server.label}, ${operation}: ${result.non2xx} non-2xx answers and ${result.errors} errors of ${result.total}; first: ${result.firstError}`,
    );
  }
  return { ...result, cpuMsPerRequest: ((await cpuMsOf(pid)) - cpuBefore) / result.total, peakRss: peak };
}

const describe = (r: Measured) =>
  `${fmt(r.requestsPerSecond, r.requestsPerSecond < 100 ? 1 : 0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (${fmt(r.total)} requests, server CPU ${r.cpuMsPerRequest.toFixed(2)} ms a request, peak RSS ${mb(r.peakRss)})`;

const results = new Map<string, Measured[]>();
const resultKey = (operation: string, server: Server) => `${operation}/${server.key}`;

try {
  for (const call of calls) {
    say();
    // One call by hand first: a wrong answer (a challenge instead of tokens, say) fails here, clearly.
    for (const server of servers) {
      const job = call.job(server);
      const body = job.body!.replaceAll('$T', job.tokens?.[0] ?? '').replaceAll('$U', job.usernames?.[0] ?? '');
      const answer = await wireCall(
        server.url,
        call.operation,
        JSON.parse(body.replaceAll('$N', `check-${Date.now()}`)),
      );
      if (!call.check(answer))
        throw new Error(
          `${server.label}, ${call.operation}: unexpected answer ${JSON.stringify(answer).slice(0, 300)}`,
        );
      await load(server, { ...call.job(server), duration: 3, nonce: `w${server.key}${Date.now()}` });
    }
    for (let round = 0; round < rounds; round++) {
      const parts: string[] = [];
      for (const server of servers) {
        const r = await load(server, { ...call.job(server), nonce: `r${round}${server.key}${Date.now()}` });
        const key = resultKey(call.operation, server);
        results.set(key, [...(results.get(key) ?? []), r]);
        server.peakAll = Math.max(server.peakAll, r.peakRss);
        if (call.attributeLoad) server.peakAttributes = Math.max(server.peakAttributes, r.peakRss);
        parts.push(`${server.label} ${fmt(r.requestsPerSecond)} req/s`);
      }
      note(`${call.operation} round ${round + 1}: ${parts.join('; ')}`);
    }
    for (const server of servers)
      details.push(
        `${call.operation}, ${server.label}: ${results.get(resultKey(call.operation, server))!.map(describe).join(' | ')}`,
      );
  }
} catch (error) {
  throw new Error(`${(error as Error).message} (the servers' logs: ${tmp})`, { cause: error });
} finally {
  // cognito-local's pool files, to show what its rewrite-the-file store had grown to.
  const db = path.join(tmp, 'cognito-local', '.cognito', 'db');
  const files = await readdir(db).catch(() => [] as string[]);
  const sizes = await Promise.all(
    files.map(async (f) => `${f} ${fmt((await stat(path.join(db, f))).size / 1024)} KiB`),
  );
  if (sizes.length)
    details.push(`cognito-local's data files at the end (rewritten whole on every change): ${sizes.join(', ')}`);
  await stopAll();
}

// ---------------------------------------------------------------- the table
/** The median round (by req/s) of a server for a call. */
const medianOf = (operation: string, server: Server): Measured => {
  const all = [...results.get(resultKey(operation, server))!].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return all[Math.floor((all.length - 1) / 2)]!;
};
const targets: Partial<Record<`${Call['operation']}/${Key}`, number>> = {
  'GetUser/embedded': 1,
  'UpdateUserAttributes/embedded': 1,
};
for (const call of calls) {
  const base = medianOf(call.operation, local);
  for (const server of compared) {
    const mine = medianOf(call.operation, server);
    const ratio = mine.requestsPerSecond / base.requestsPerSecond;
    const wanted = targets[`${call.operation}/${server.key}`];
    rows.push({
      figure: `${call.operation}, ${server.label}, req/s`,
      target: wanted === undefined ? '(reported)' : `≥ ${wanted.toFixed(1)} × cognito-local`,
      measured: `${fmt(mine.requestsPerSecond)} vs ${fmt(base.requestsPerSecond)}`,
      ratio: `${ratio.toFixed(2)} ×`,
      pass: wanted === undefined ? undefined : ratio >= wanted,
    });
  }
  if (call.operation === 'InitiateAuth') {
    for (const server of compared) {
      const mine = medianOf(call.operation, server);
      rows.push({
        figure: `InitiateAuth, ${server.label}, server CPU per request`,
        target: '(reported)',
        measured: `${mine.cpuMsPerRequest.toFixed(2)} ms vs ${base.cpuMsPerRequest.toFixed(2)} ms`,
        ratio: `${(mine.cpuMsPerRequest / base.cpuMsPerRequest).toFixed(1)} ×`,
        pass: undefined,
      });
    }
  }
}
const embedded = compared.find((s) => s.key === 'embedded')!;
rows.push({
  figure: 'Cognate embedded, idle RSS, first start',
  target: '< 200 MB',
  measured: mb(firstStartRss),
  ratio: `${((firstStartRss / 200e6) * 100).toFixed(0)} % of limit`,
  pass: firstStartRss < 200e6,
});
rows.push({
  figure: 'Cognate embedded, idle RSS, later start',
  target: '< 200 MB',
  measured: mb(laterStartRss),
  ratio: `${((laterStartRss / 200e6) * 100).toFixed(0)} % of limit`,
  pass: laterStartRss < 200e6,
});
rows.push({
  figure: 'Cognate embedded, peak RSS, GetUser/UpdateUserAttributes load',
  target: '< 250 MB',
  measured: mb(embedded.peakAttributes),
  ratio: `${((embedded.peakAttributes / 250e6) * 100).toFixed(0)} % of limit`,
  pass: embedded.peakAttributes < 250e6,
});
for (const server of servers) {
  rows.push({
    figure: `${server.label}, RSS idle after set-up / peak under any load`,
    target: '(reported)',
    measured: `${mb(server.idleRss!)} / ${mb(server.peakAll)}`,
    ratio: server === local ? '—' : `${(server.peakAll / local.peakAll).toFixed(1)} × (peak)`,
    pass: undefined,
  });
}

details.unshift(
  `versions: cognito-local ${cognitoLocalVersion} (its bin, Node ${process.version}); Cognate ${cognateVersion} (node dist/server.js, NODE_ENV=production, LOG_LEVEL=${args['log-level']} to a file${rateLimitEnv.RATE_LIMITS ? ', RATE_LIMITS=off' : ''}; argon2id memory ${argonParams.memoryCostKiB} KiB, time ${argonParams.timeCost}, parallelism ${argonParams.parallelism}); PostgreSQL at ${process.env.DATABASE_URL!.replace(/\/\/[^@]*@/, '//…@')}`,
  `pools on each server: ${userCount} users signed in for GetUser and UpdateUserAttributes, ${userCount} more for InitiateAuth (round robin), an empty one for SignUp (su-<unique>); one call by hand checked before each load`,
  `RSS (VmRSS): idle ${args.settle} s after set-up (embedded also ${args.settle} s after /health/live on a first and a later start); peaks sampled every 100 ms during each load. Server CPU is the server process's own (user + system): PostgreSQL's processes are not in it`,
  `cognito-local stores passwords as given and compares them as strings; Cognate verifies an argon2id hash: InitiateAuth and SignUp measure that difference`,
);
printResults(say, { rows, measuredHeader: 'measured (Cognate vs cognito-local)', loadBefore, startedAt, details });

await mkdir(path.dirname(args.out!), { recursive: true });
await writeFile(args.out!, `${lines.join('\n')}\n`);
console.log(`\nwritten to ${args.out}`);
await rm(tmp, { recursive: true, force: true });
process.exit(0);
