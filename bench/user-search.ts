/**
 * ListUsers at scale: seeds a pool with N users on PostgreSQL, then times email prefix searches
 * through the service function (no HTTP) and prints p50/p95/p99 and the query plan.
 *
 *   scripts/with-postgres.sh npm run bench:search [-- --users 200000 --queries 300]
 *
 * Writes what it prints to bench/results/user-search.txt. Not part of `npm test`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.ts';
import { createPoolsService } from '../src/modules/pools/pools.service.ts';
import { firstSigningKey } from '../src/modules/tokens/key-store.ts';
import { parseUserFilter } from '../src/modules/user-store/user-filter.ts';
import { pageQuery, planSearch, searchUsers } from '../src/modules/user-store/user-search.ts';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '300' },
    out: { type: 'string', default: 'bench/results/user-search.txt' },
  },
});
const userCount = Number(args.users);
const queryCount = Number(args.queries);
if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is required (PostgreSQL): scripts/with-postgres.sh npm run bench:search');
  process.exit(2);
}
if (!Number.isInteger(userCount) || userCount < 1000) throw new Error('--users must be an integer of at least 1000');

const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};
const rowsOf = (result: unknown) => (result as { rows: Array<Record<string, unknown>> }).rows;

const FIRST_NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'zoe',
];
const DOMAINS = ['example.com', 'mail.test', 'corp.example', 'inbox.test', 'post.example'];
const pgArray = (items: string[]) => sql.raw(`array[${items.map((s) => `'${s}'`).join(',')}]`);

const database = await openDatabase({ kind: 'postgres', url: process.env.DATABASE_URL, poolSize: 4 });
await database.migrate();
const { db } = database;
const pools = createPoolsService({ db, region: 'local', publicUrl: 'http://bench.local', firstSigningKey });
const pool = await pools.createPool({ name: `bench-${Date.now()}` });
const secret = 'bench-secret';

const version = rowsOf(await db.execute(sql`select version() as v`))[0]!.v as string;
say(`ListUsers benchmark — ${new Date().toISOString()}`);
say(`${version.split(',')[0]}; Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
say(
  `users: ${userCount.toLocaleString('en')} in one pool, each with email and given_name (${(2 * userCount).toLocaleString('en')} attribute rows)`,
);

// Emails like `grace.3fa81c@mail.test`: 20 first names, a hash, 5 domains.
const started = performance.now();
await db.execute(sql`
  insert into users (id, pool_id, username, username_key, status, enabled)
  select gen_random_uuid(), ${pool.id}, 'user' || g, 'user' || g, 'CONFIRMED', true
  from generate_series(1, ${userCount}) g`);
await db.execute(sql`
  insert into user_attributes (user_id, pool_id, name, value, verified)
  select u.id, u.pool_id, 'email',
    (${pgArray(FIRST_NAMES)})[1 + (n % 20)] || '.' || substr(md5(n::text), 1, 6) || '@' || (${pgArray(DOMAINS)})[1 + (n / 20) % 5],
    true
  from (select id, pool_id, substr(username, 5)::int as n from users where pool_id = ${pool.id}) u`);
await db.execute(sql`
  insert into user_attributes (user_id, pool_id, name, value)
  select u.id, u.pool_id, 'given_name', initcap((${pgArray(FIRST_NAMES)})[1 + (n % 20)])
  from (select id, pool_id, substr(username, 5)::int as n from users where pool_id = ${pool.id}) u`);
await db.execute(sql`analyze users`);
await db.execute(sql`analyze user_attributes`);
say(
  `seeding: ${((performance.now() - started) / 1000).toFixed(1)} s (generate_series, indexes in place, then ANALYZE)`,
);

// Prefixes: a first name (broad: 5% of users match), a name and 2 hash digits (narrow), a full address (one user).
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const hex = () => Math.floor(random() * 16).toString(16);
function prefixFor(i: number): string {
  const name = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]!;
  if (i % 3 === 0) return name;
  if (i % 3 === 1) return `${name}.${hex()}${hex()}`;
  return `${name}.${hex()}${hex()}${hex()}`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(label: string, filters: string[], withNextPage = false) {
  for (const filter of filters.slice(0, 20)) await searchUsers(db, pool, { filter, limit: 60 }, secret); // warm-up
  const times: number[] = [];
  let returned = 0;
  for (const filter of filters) {
    let token: string | undefined;
    if (withNextPage) token = (await searchUsers(db, pool, { filter, limit: 60 }, secret)).paginationToken;
    const t0 = performance.now();
    const page = await searchUsers(db, pool, { filter, limit: 60, ...(token && { paginationToken: token }) }, secret);
    times.push(performance.now() - t0);
    returned += page.users.length;
  }
  times.sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2);
  say(
    `${label.padEnd(44)} n=${String(times.length).padStart(4)}  p50 ${f(percentile(times, 50))} ms  p95 ${f(percentile(times, 95))} ms  p99 ${f(percentile(times, 99))} ms  max ${f(times.at(-1)!)} ms  (avg ${(returned / times.length).toFixed(1)} users a page)`,
  );
}

say();
say(
  'searchUsers(db, pool, {filter, limit: 60}) — the whole service call: filter parse, page query, users and attributes of the page',
);
const prefixes = Array.from({ length: queryCount }, (_, i) => prefixFor(i));
await time(
  'email ^= "<prefix>" (mixed)',
  prefixes.map((p) => `email ^= "${p}"`),
);
await time(
  'email ^= "<first name>" (5% match, first page)',
  prefixes.filter((_, i) => i % 3 === 0).map((p) => `email ^= "${p}"`),
);
await time(
  'email ^= "<first name>" (second page, token)',
  prefixes.filter((_, i) => i % 3 === 0).map((p) => `email ^= "${p}"`),
  true,
);
await time(
  'email ^= "<name>.<2-3 hex>" (narrow)',
  prefixes.filter((_, i) => i % 3 !== 0).map((p) => `email ^= "${p}"`),
);
const exact = rowsOf(
  await db.execute(
    sql`select value from user_attributes where pool_id = ${pool.id} and name = 'email' order by random() limit ${Math.min(queryCount, 200)}`,
  ),
);
await time(
  'email = "<address>" (exact)',
  exact.map((r) => `email = "${r.value as string}"`),
);
await time(
  'given_name ^= "Gr" (5% match)',
  Array.from({ length: Math.min(queryCount, 100) }, () => 'given_name ^= "Gr"'),
);
await time(
  'no filter (by username)',
  Array.from({ length: Math.min(queryCount, 100) }, () => ''),
);

async function explain(filter: string, secondPage = false) {
  const plan = planSearch(pool, parseUserFilter(filter));
  let cursor = null;
  if (secondPage) {
    const first = rowsOf(await db.execute(pageQuery(pool, plan, null, 60)));
    const last = first.at(-1)!;
    cursor = { k: last.k as string, i: last.id as string };
  }
  const result = await db.execute(sql`explain (analyze, buffers, costs off) ${pageQuery(pool, plan, cursor, 61)}`);
  say();
  say(`EXPLAIN (ANALYZE, BUFFERS) of the ${secondPage ? 'second-page (keyset) ' : ''}page query for ${filter}:`);
  for (const row of rowsOf(result)) say(`  ${row['QUERY PLAN'] as string}`);
}
await explain(`email ^= "${prefixes[1]}"`);
await explain(`email ^= "${prefixes[0]}"`);
await explain(`email ^= "${prefixes[0]}"`, true);
await explain('');

await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(args.out!, `${lines.join('\n')}\n`);
console.log(`\nwritten to ${args.out}`);
await database.close();
