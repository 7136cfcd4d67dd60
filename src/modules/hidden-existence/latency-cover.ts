import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Makes a simulated answer take as long as a real one. Real answers record how long they took
 * from the start of the call (per kind, e.g. an operation in one pool); a simulated answer waits
 * until a duration drawn from the recent real ones has passed since its own start, so both follow
 * one distribution, whatever the mail or SMS provider's latency and whatever the queries cost. Only
 * the last few are kept, so the imitation follows the machine's load as the real answers do.
 */
export function createLatencyCover(size = 16) {
  const samples = new Map<string, number[]>();
  // How late this process's timers fire (it grows with load), so a wait can ask for that much less.
  const lateness: number[] = [];
  const typicalLateness = () => (lateness.length ? [...lateness].sort((x, y) => x - y)[lateness.length >> 1]! : 1);
  const keep = (list: number[], value: number, max: number) => {
    list.push(value);
    if (list.length > max) list.shift();
  };
  return {
    /** A real answer of this kind, begun at `startedAt` (performance.now()), is ready now. */
    record(kind: string, startedAt: number): void {
      const list = samples.get(kind) ?? [];
      keep(list, performance.now() - startedAt, size);
      samples.set(kind, list);
    },
    /** Waits until as long as a recent real answer of that kind took has passed since `startedAt` (no wait before the first one). */
    async imitate(kind: string, startedAt: number): Promise<void> {
      const list = samples.get(kind);
      if (!list?.length) return;
      const remaining = startedAt + list[randomInt(list.length)]! - performance.now();
      if (remaining <= 0) return;
      // A timer, not a busy wait: on a loaded machine a spinning process loses its turn for longer.
      const asked = Math.max(0, remaining - typicalLateness());
      const before = performance.now();
      await sleep(asked);
      keep(lateness, performance.now() - before - asked, 33);
    },
  };
}

export type LatencyCover = ReturnType<typeof createLatencyCover>;
