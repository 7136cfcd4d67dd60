import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import argon2 from 'argon2';
import { loadConfig } from '../../src/config.ts';
import { createPasswordHasher, limitConcurrency } from '../../src/modules/user-store/passwords.ts';

// Cheap parameters: these tests are about where hashing runs, not about its cost.
const cheap = { memoryCostKiB: 1024, timeCost: 1, parallelism: 1 };

/** A thread's nice value: field 19 of /proc/<pid>/task/<tid>/stat (after the parenthesised name). */
const niceOf = (tid: number) =>
  Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);

describe('password hashing: where it runs', () => {
  test('limitConcurrency runs at most `limit` tasks at once, the others in arrival order, and frees slots on failure', async () => {
    const limit = limitConcurrency(2);
    const gates: Array<() => void> = [];
    const started: number[] = [];
    let active = 0;
    let most = 0;
    const results = Array.from({ length: 5 }, (_, i) =>
      limit(async () => {
        started.push(i);
        most = Math.max(most, ++active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
        if (i === 1) throw new Error('task 1 fails');
        return i;
      }),
    );
    const settled = Promise.allSettled(results);
    while (started.length < 5) {
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(active <= 2, `${active} tasks running at once`);
      gates.shift()?.();
    }
    while (gates.length > 0) gates.shift()!();
    const outcome = await settled;
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.deepEqual(
      outcome.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
  });

  test('the hasher hands at most maxConcurrent hashes and verifications to argon2 at once', async (t) => {
    let inFlight = 0;
    let most = 0;
    const slow = async <T>(value: T) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return value;
    };
    t.mock.method(argon2, 'hash', () => slow('$argon2id$fake'));
    t.mock.method(argon2, 'verify', () => slow(true));
    const hasher = createPasswordHasher({ ...cheap, maxConcurrent: 2 });
    await Promise.all([
      ...Array.from({ length: 4 }, () => hasher.hash('pw')),
      // A well-formed hash within the ceiling: anything else is refused before argon2 is asked.
      ...Array.from({ length: 4 }, () =>
        hasher.verify(`$argon2id$v=19$m=1024,t=1,p=1$${'A'.repeat(22)}$${'B'.repeat(43)}`, 'pw'),
      ),
      ...Array.from({ length: 3 }, () => hasher.verifyDummy('pw')),
    ]);
    assert.equal(most, 2);
  });

  test('the default cap is the number of cores, and the hashing threads run at nice 10', () => {
    assert.deepEqual(loadConfig({}).hashingThreads, {
      threadNice: 10,
      maxConcurrent: availableParallelism(),
      poolThreads: 4,
    });
    assert.deepEqual(
      loadConfig({ ARGON2_THREAD_NICE: '0', ARGON2_MAX_CONCURRENT: '3', UV_THREADPOOL_SIZE: '8' }).hashingThreads,
      {
        threadNice: 0,
        maxConcurrent: 3,
        poolThreads: 8,
      },
    );
  });

  test(
    'on Linux, the libuv pool threads that hash get the lower priority; the event loop thread keeps its own',
    { skip: !existsSync('/proc/thread-self') },
    async () => {
      const before = niceOf(process.pid);
      const hasher = createPasswordHasher({ ...cheap, threadNice: Math.min(19, before + 5), maxConcurrent: 4 });
      // Enough rounds for every pool thread to answer a probe (each hash sends one ahead of it).
      for (let round = 0; round < 50 && hasher.deprioritisedThreads().length < 4; round++) {
        await Promise.all(Array.from({ length: 8 }, () => hasher.hash('pw')));
      }
      const threads = hasher.deprioritisedThreads();
      assert.equal(threads.length, 4, `pool threads found: ${threads.join(', ')}`);
      assert.ok(!threads.includes(process.pid));
      for (const tid of threads) assert.equal(niceOf(tid), Math.min(19, before + 5), `thread ${tid}`);
      assert.equal(niceOf(process.pid), before, 'the event loop thread keeps its priority');
      assert.equal(await hasher.verify(await hasher.hash('pw'), 'pw'), true);
    },
  );

  test('threadNice 0 leaves every thread alone', async () => {
    const hasher = createPasswordHasher({ ...cheap, threadNice: 0 });
    await Promise.all(Array.from({ length: 8 }, () => hasher.hash('pw')));
    assert.deepEqual(hasher.deprioritisedThreads(), []);
  });
});
