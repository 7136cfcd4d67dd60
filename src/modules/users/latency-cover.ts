import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Makes a simulated answer take as long as a real one. Real answers record how long their work
 * took (per kind, e.g. the delivery medium); a simulated answer waits a duration drawn from the
 * recent real ones, so both follow one distribution whatever the mail or SMS provider's latency.
 */
export function createLatencyCover(size = 64) {
  const samples = new Map<string, number[]>();
  return {
    /** Times `work` and keeps its duration when it succeeds. */
    async measure<T>(kind: string, work: () => Promise<T>): Promise<T> {
      const started = performance.now();
      const result = await work();
      const list = samples.get(kind) ?? [];
      list.push(performance.now() - started);
      if (list.length > size) list.shift();
      samples.set(kind, list);
      return result;
    },
    /** Waits as long as a recent real answer of that kind took (nothing before the first one). */
    async imitate(kind: string): Promise<void> {
      const list = samples.get(kind);
      if (!list?.length) return;
      const started = performance.now();
      const target = list[randomInt(list.length)]!;
      // setTimeout fires late by about a millisecond; the rest is spun away on the timer queue.
      const coarse = target - 1.5;
      if (coarse > 0) await sleep(coarse);
      while (performance.now() - started < target) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export type LatencyCover = ReturnType<typeof createLatencyCover>;
