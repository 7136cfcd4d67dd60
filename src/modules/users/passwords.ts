import { randomBytes, randomInt } from 'node:crypto';
import { readlink } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import argon2 from 'argon2';
import type { PasswordPolicy } from '../pools/pool-settings.ts';

export interface PasswordHashingOptions {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
  /** Nice value (0-19) for the threads that hash; 0 leaves them alone. */
  threadNice?: number;
  /** Most hashes (and verifications) running at once; the rest wait their turn. */
  maxConcurrent?: number;
  /** libuv's pool size (UV_THREADPOOL_SIZE, 4 unless set): how many threads to look for. */
  poolThreads?: number;
}

/**
 * argon2id. The native binding hashes on libuv's thread pool (4 threads by default), so the event
 * loop never runs a hash; but on a machine with fewer cores than busy threads, the hashing threads
 * take the cores from it (/health/live p99 45 ms while one verify takes 20 ms, on 2 cores). Two
 * measures keep it answering, at no cost in hashing throughput (measured with `npm run bench`):
 * - the pool threads run at a lower priority (`threadNice`), so the kernel gives a core to the
 *   event loop, PostgreSQL and everything else first, and to hashing whatever is left;
 * - at most `maxConcurrent` hashes (default: the number of cores) are handed to the pool at once,
 *   so pool threads stay free for file, DNS and crypto work, and fewer 19 MiB hashes fight over caches.
 */
export function createPasswordHasher(options: PasswordHashingOptions) {
  const params = {
    type: argon2.argon2id,
    memoryCost: options.memoryCostKiB,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  } as const;
  const limit = limitConcurrency(options.maxConcurrent ?? availableParallelism());
  const deprioritise = poolThreadDeprioritiser(options.threadNice ?? 0, options.poolThreads ?? 4);
  const run = <T>(task: () => Promise<T>) =>
    limit(() => {
      deprioritise.probe();
      return task();
    });
  let dummy: Promise<string> | undefined;

  return {
    // The salt from the CSPRNG here (16 bytes, as argon2 would): argon2 would fetch it through the pool first.
    hash: (password: string) => run(() => argon2.hash(password, { ...params, salt: randomBytes(16) })),
    async verify(hash: string, password: string): Promise<boolean> {
      try {
        return await run(() => argon2.verify(hash, password));
      } catch {
        return false;
      }
    },
    /** Spend the time of a real verification, so an unknown user takes as long as a known one. */
    async verifyDummy(password: string): Promise<void> {
      dummy ??= run(() => argon2.hash('cognate-dummy-password', params));
      const hash = await dummy;
      await run(() => argon2.verify(hash, password)).catch(() => false);
    },
    /** The pool threads found and lowered so far (thread ids); for tests and diagnostics. */
    deprioritisedThreads: () => [...deprioritise.threads],
  };
}

/** At most `limit` tasks running at once; the others start in the order they came, as slots free. */
export function limitConcurrency(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * Lowers the priority of libuv's pool threads to `nice`. Linux keeps a nice value per thread and
 * os.setPriority takes a thread id; libuv does not name its threads, so each probe asks the pool
 * itself: fs.readlink runs on a pool thread, and /proc/thread-self names the thread reading it.
 * Probes go before each hash until every pool thread has answered (or 200 probes). Elsewhere
 * (no /proc/thread-self), or when the call is refused, it does nothing.
 */
function poolThreadDeprioritiser(nice: number, poolSize: number) {
  const threads = new Set<number>();
  let probes = nice > 0 && process.platform === 'linux' ? 200 : 0;
  return {
    threads,
    probe() {
      if (probes === 0 || threads.size >= poolSize) return;
      probes--;
      readlink('/proc/thread-self', (error, link) => {
        const tid = Number(link?.slice(link.lastIndexOf('/') + 1));
        if (error || !Number.isInteger(tid) || tid <= 0 || tid === process.pid || threads.has(tid)) return;
        try {
          setPriority(tid, nice);
          threads.add(tid);
        } catch {
          probes = 0; // not permitted here: stop asking
        }
      });
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '^$*.[]{}()?!@#%&-_='];

/**
 * A temporary password for an admin-created user: one of every character class the strictest
 * policy asks for, at least 12 characters, from the CSPRNG, shuffled.
 */
export function generateTemporaryPassword(policy: PasswordPolicy): string {
  const length = Math.max(12, policy.minimumLength);
  const chars = CLASSES.map((set) => set[randomInt(set.length)]!);
  const all = CLASSES.join('');
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
