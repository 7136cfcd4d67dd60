/**
 * `npm run fuzz -- [--seed N] [--runs N] [--only 'POST /v1/sign-up'] [--rate-limits]`: the
 * OpenAPI-driven fuzz of test/contract/fuzz.test.ts, longer. Runs on PGlite, or on PostgreSQL
 * when DATABASE_URL is set (scripts/with-postgres.sh npm run fuzz). Prints every failing request
 * with the seed that replays it; exits 1 when any failed.
 */
import { parseArgs } from 'node:util';
import { assertHealthy, runFuzz, startFuzzTarget } from '../test/support/api-fuzz.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    runs: { type: 'string', default: '200' },
    only: { type: 'string' },
    'rate-limits': { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const runs = Number(values.runs);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(runs) || runs < 1) {
  console.error('usage: npm run fuzz -- [--seed N] [--runs N] [--only TEXT] [--rate-limits]');
  process.exit(2);
}

console.log(`fuzz: seed ${seed}, ${runs} requests per operation${values.only ? `, only '${values.only}'` : ''}`);
const target = await startFuzzTarget(values['rate-limits'] ? { RATE_LIMITS: 'on' } : {});
let failed: boolean;
try {
  const report = await runFuzz(target, {
    seed,
    runs,
    ...(values.only && { only: values.only }),
    trace: values.trace,
    log: (line) => console.log(line),
  });
  const unreached = Object.entries(report.successes)
    .filter(([, n]) => n === 0)
    .map(([id]) => id);
  console.log(
    `${report.requests} requests over ${report.operations} operations in ${(report.ms / 1000).toFixed(1)} s; fixture seeded ${report.seeds} times`,
  );
  console.log(`mutations: ${JSON.stringify(report.mutations)}`);
  console.log(`statuses: ${JSON.stringify(report.statuses)}`);
  if (unreached.length > 0) console.log(`never answered 2xx: ${unreached.join(', ')}`);
  const unhealthy = await assertHealthy(target);
  if (unhealthy) console.log(`UNHEALTHY after the fuzz: ${unhealthy}`);
  failed = report.failures.length > 0 || unhealthy !== undefined;
  console.log(failed ? `FAILED: ${report.failures.length} operation(s); replay with --seed ${seed}` : 'no failures');
} finally {
  await target.close();
}
process.exit(failed ? 1 : 0);
