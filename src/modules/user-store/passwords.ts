import { randomBytes, randomInt } from 'node:crypto';
import { readlink } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import argon2 from 'argon2';
import type { Logger } from '../../lib/logger.ts';
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
  /** Where a stored hash refused at verify time is reported. */
  logger?: Logger;
}

/** The most an argon2id hash from elsewhere may cost to verify: m in KiB, t passes, p lanes, m×t in KiB passes. */
export interface HashCeiling {
  memoryKiB: number;
  passes: number;
  lanes: number;
  work: number;
}

/**
 * Fixed, so an import cannot make one sign-in cost what many do (docs/user-import.md, "Password
 * hashes"): m×t at most 256 MiB passes, about 7 times the default hash (19 MiB × 2), takes in PHP's,
 * node-argon2's, Django's and RFC 9106's second defaults; m at most 128 MiB bounds the memory of
 * ARGON2_MAX_CONCURRENT verifications at once; p at most 8, as argon2 runs a thread per lane.
 */
export const HASH_CEILING: HashCeiling = { memoryKiB: 128 * 1024, passes: 10, lanes: 8, work: 256 * 1024 };

/** The fixed ceiling, raised to this server's own parameters where they are higher: its own hashes always pass. */
export function hashCeiling(
  own: Pick<PasswordHashingOptions, 'memoryCostKiB' | 'timeCost' | 'parallelism'>,
): HashCeiling {
  return {
    memoryKiB: Math.max(HASH_CEILING.memoryKiB, own.memoryCostKiB),
    passes: Math.max(HASH_CEILING.passes, own.timeCost),
    lanes: Math.max(HASH_CEILING.lanes, own.parallelism),
    work: Math.max(HASH_CEILING.work, own.memoryCostKiB * own.timeCost),
  };
}

export interface Argon2idHash {
  version: number;
  m: number;
  t: number;
  p: number;
  saltBytes: number;
  hashBytes: number;
}

// $argon2id$v=19$<m, t and p: the reference writes m,t,p, node-argon2 m,p,t>$<salt>$<hash>, unpadded base64.
const ARGON2ID_PHC =
  /^\$argon2id\$v=19\$([a-z]=[1-9][0-9]{0,9}),([a-z]=[1-9][0-9]{0,9}),([a-z]=[1-9][0-9]{0,9})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Bytes of unpadded base64, or -1 when no byte string has that length. */
const base64Bytes = (text: string) => (text.length % 4 === 1 ? -1 : Math.floor((text.length * 3) / 4));

/** An argon2id PHC string of version 19, read strictly: m, t and p once each, decimal; undefined otherwise. */
export function parseArgon2idHash(hash: string): Argon2idHash | undefined {
  const match = ARGON2ID_PHC.exec(hash);
  if (!match) return undefined;
  const params = new Map(match.slice(1, 4).map((param) => [param[0]!, Number(param.slice(2))]));
  const [m, t, p] = [params.get('m'), params.get('t'), params.get('p')];
  if (params.size !== 3 || m === undefined || t === undefined || p === undefined || Math.max(m, t, p) > 0xffffffff)
    return undefined;
  const [saltBytes, hashBytes] = [base64Bytes(match[4]!), base64Bytes(match[5]!)];
  if (saltBytes < 0 || hashBytes < 0) return undefined;
  return { version: 19, m, t, p, saltBytes, hashBytes };
}

/**
 * Why a password hash from outside this server (an import, or a row written before the ceiling) is
 * refused, or undefined when it is fit to verify: malformed, or costing more than `ceiling`.
 */
export function hashRefusal(hash: unknown, ceiling: HashCeiling): string | undefined {
  const parsed = typeof hash === 'string' ? parseArgon2idHash(hash) : undefined;
  if (!parsed) return 'passwordHash must be an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash) or null.';
  const { m, t, p, saltBytes, hashBytes } = parsed;
  if (saltBytes < 8 || saltBytes > 64) return 'passwordHash: the salt must be 8 to 64 bytes.';
  if (hashBytes < 16 || hashBytes > 64) return 'passwordHash: the hash must be 16 to 64 bytes.';
  if (m < 8 * p) return 'passwordHash: m must be at least 8×p (argon2 needs 8 KiB per lane).';
  if (m > ceiling.memoryKiB) return `passwordHash: m=${m} KiB is above the ceiling of ${ceiling.memoryKiB} KiB.`;
  if (t > ceiling.passes) return `passwordHash: t=${t} is above the ceiling of ${ceiling.passes}.`;
  if (p > ceiling.lanes) return `passwordHash: p=${p} is above the ceiling of ${ceiling.lanes}.`;
  if (m * t > ceiling.work) return `passwordHash: m×t=${m * t} is above the ceiling of ${ceiling.work} KiB passes.`;
  return undefined;
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
  const ceiling = hashCeiling(options);
  const limit = limitConcurrency(options.maxConcurrent ?? availableParallelism());
  const deprioritise = poolThreadDeprioritiser(options.threadNice ?? 0, options.poolThreads ?? 4);
  const run = <T>(task: () => Promise<T>) =>
    limit(() => {
      deprioritise.probe();
      return task();
    });
  let dummy: Promise<string> | undefined;
  /** Spend the time of a real verification, so an unknown user takes as long as a known one. */
  const verifyDummy = async (password: string): Promise<void> => {
    dummy ??= run(() => argon2.hash('cognate-dummy-password', params));
    const hash = await dummy;
    await run(() => argon2.verify(hash, password)).catch(() => false);
  };

  return {
    // The salt from the CSPRNG here (16 bytes, as argon2 would): argon2 would fetch it through the pool first.
    hash: (password: string) => run(() => argon2.hash(password, { ...params, salt: randomBytes(16) })),
    async verify(hash: string, password: string): Promise<boolean> {
      // A stored hash is data: one above the ceiling (imported before it existed) would hold a
      // hashing slot for seconds, so it fails in the time of an ordinary check (docs/user-import.md).
      const refusal = hashRefusal(hash, ceiling);
      if (refusal !== undefined) {
        options.logger?.warn({ reason: refusal }, 'stored password hash not verified: malformed or above the ceiling');
        await verifyDummy(password);
        return false;
      }
      try {
        return await run(() => argon2.verify(hash, password));
      } catch {
        return false;
      }
    },
    verifyDummy,
    /** What an imported hash may cost: the fixed ceiling, or this server's own parameters if higher. */
    ceiling,
    /**
     * True when a hash that has just verified is not what `hash` would write now (other m, t, p,
     * salt or hash length): an imported or older hash, to replace at this sign-in (docs/user-import.md).
     */
    needsRehash(hash: string): boolean {
      const parsed = parseArgon2idHash(hash);
      return (
        parsed === undefined ||
        parsed.m !== params.memoryCost ||
        parsed.t !== params.timeCost ||
        parsed.p !== params.parallelism ||
        parsed.saltBytes !== 16 ||
        parsed.hashBytes !== 32
      );
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
