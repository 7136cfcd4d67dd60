import type { Logger } from '../../lib/logger.ts';
import type { Outbox } from './outbox.ts';

export interface DeliveryWorker {
  /** Stops polling and waits for the round in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Polls the outbox for due messages. Any number of workers (in servers or `npm run worker`)
 * can run together: claims skip rows another worker holds.
 */
export function startDeliveryWorker(
  outbox: Outbox,
  options: { intervalMs?: number; batchSize?: number; logger: Logger },
): DeliveryWorker {
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 50;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function round(): Promise<void> {
    try {
      // A full batch means more may be due: keep going without waiting for the next tick.
      while (!stopped && (await outbox.runDue({ limit: batchSize })).claimed === batchSize);
    } catch (err) {
      options.logger.error({ err }, 'delivery worker round failed');
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().then(schedule);
    }, intervalMs);
    timer.unref?.();
  }

  running = round().then(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
