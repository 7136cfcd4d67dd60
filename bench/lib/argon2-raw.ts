/**
 * The raw argon2id baseline: this process does nothing but hash (or verify) with the given
 * parameters, keeping `concurrency` operations in flight on libuv's thread pool (its default
 * size, as the server's) for `duration` seconds. Prints one JSON line: operations a second and
 * the mean time of one operation alone (measured first, sequentially).
 *
 *   tsx bench/lib/argon2-raw.ts '{"mode":"verify","concurrency":10,"duration":10,"memoryCostKiB":19456,"timeCost":2,"parallelism":1}'
 */
import argon2 from 'argon2';

interface Job {
  mode: 'hash' | 'verify';
  concurrency: number;
  duration: number;
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const params = {
  type: argon2.argon2id,
  memoryCost: job.memoryCostKiB,
  timeCost: job.timeCost,
  parallelism: job.parallelism,
} as const;
const password = 'Bench-Passw0rd!';
const hash = await argon2.hash(password, params);
const once =
  job.mode === 'hash' ? () => argon2.hash(`${password}${Math.random()}`, params) : () => argon2.verify(hash, password);

// One operation alone: what a hash would cost the event loop if it ran there.
const singles: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await once();
  singles.push(performance.now() - t0);
}
singles.sort((a, b) => a - b);

// Warm-up at full concurrency, then the measured window.
const until = async (deadline: number, count: { n: number }) => {
  while (performance.now() < deadline) {
    await once();
    count.n++;
  }
};
await Promise.all(Array.from({ length: job.concurrency }, () => until(performance.now() + 2000, { n: 0 })));
const count = { n: 0 };
const cpu = process.cpuUsage();
const started = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, () => until(started + job.duration * 1000, count)));
const seconds = (performance.now() - started) / 1000;
// The CPU time of the whole process (the pool's threads included) per operation.
const used = process.cpuUsage(cpu);
const cpuMsPerOp = (used.user + used.system) / 1000 / count.n;
process.stdout.write(
  `${JSON.stringify({ opsPerSecond: count.n / seconds, operations: count.n, seconds, singleMs: singles[0], cpuMsPerOp })}\n`,
);
