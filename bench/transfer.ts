/**
 * Import and export at scale: writes a JSON Lines file of N users, imports it through the
 * transfer service (the path the HTTP route takes, without HTTP), exports the pool back to a
 * file, and prints each phase's time and the process's peak RSS during it.
 *
 *   scripts/with-postgres.sh npx tsx bench/transfer.ts [--users 100000]
 *   npx tsx bench/transfer.ts --users 20000          (PGlite, in memory)
 *
 * Writes what it prints to bench/results/transfer.txt. Not part of `npm test`.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import { openDatabase } from '../src/db/client.ts';
import { createPoolsService } from '../src/modules/pools/pools.service.ts';
import { firstSigningKey } from '../src/modules/tokens/key-store.ts';
import { createUserTransferService, ndjsonRows } from '../src/modules/user-store/user-transfer.ts';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    out: { type: 'string', default: 'bench/results/transfer.txt' },
  },
});
const userCount = Number(args.users);
if (!Number.isInteger(userCount) || userCount < 1) throw new Error('--users must be a positive integer');

const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};

/** Runs a phase, sampling RSS every 20 ms: how long it took and the most memory the process held meanwhile. */
async function phase(name: string, work: () => Promise<string>) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const note = await work();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  say(
    `${name}: ${seconds.toFixed(1)} s (${Math.round(userCount / seconds).toLocaleString('en')} users/s); RSS ${mb(before)} before, peak ${mb(peak)}; ${note}`,
  );
}

const onPostgres = Boolean(process.env.DATABASE_URL);
const database = await openDatabase(
  onPostgres ? { kind: 'postgres', url: process.env.DATABASE_URL!, poolSize: 4 } : { kind: 'pglite' },
);
await database.migrate();
const { db } = database;
const pools = createPoolsService({ db, region: 'local', publicUrl: 'http://bench.local', firstSigningKey });
const transfer = createUserTransferService({ db, pools });
const pool = await pools.createPool({
  name: `bench-${Date.now()}`,
  aliasAttributes: ['email'],
  schema: [{ name: 'plan' }],
});
const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-transfer-'));
const input = path.join(dir, 'in.jsonl');
const output = path.join(dir, 'out.jsonl');

say(`Import/export benchmark — ${new Date().toISOString()}`);
say(
  `${onPostgres ? 'PostgreSQL' : 'PGlite (in memory)'}; Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
);
say(
  `users: ${userCount.toLocaleString('en')} in an email-alias pool, each with a verified email, given_name, custom:plan and an argon2id hash`,
);

// One real hash for all: hashing 100,000 passwords would measure argon2, not the transfer.
const hash = await argon2.hash('Passw0rd!', { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 });
await pipeline(
  Readable.from(
    (function* () {
      for (let i = 0; i < userCount; i++) {
        const user = {
          username: `user${i}`,
          sub: randomUUID(),
          status: 'CONFIRMED',
          enabled: true,
          attributes: {
            email: `user${i}@example.com`,
            email_verified: 'true',
            given_name: `User ${i}`,
            'custom:plan': i % 3 === 0 ? 'pro' : 'basic',
          },
          passwordHash: hash,
        };
        yield `${JSON.stringify(user)}\n`;
      }
    })(),
  ),
  createWriteStream(input),
);
say(`input file: ${((await stat(input)).size / 2 ** 20).toFixed(1)} MiB`);

await phase('import', async () => {
  const report = await transfer.importUsers(pool.id, ndjsonRows(createReadStream(input)));
  if (report.imported !== userCount)
    throw new Error(`imported ${report.imported}: ${JSON.stringify(report.rejected.slice(0, 3))}`);
  return `${report.imported.toLocaleString('en')} imported, 500 a transaction (conflicts checked per batch, two inserts)`;
});

await phase('export', async () => {
  await pipeline(Readable.from(await transfer.exportUsers(pool.id)), createWriteStream(output));
  const size = (await stat(output)).size;
  return `${(size / 2 ** 20).toFixed(1)} MiB written, pages of 1000 users`;
});

await rm(dir, { recursive: true, force: true });
await database.close();
await mkdir(path.dirname(args.out), { recursive: true });
await writeFile(args.out, `${lines.join('\n')}\n`);
