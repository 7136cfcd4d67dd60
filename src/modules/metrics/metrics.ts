import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { DeliveryMetrics } from '../courier/delivery-error.ts';
import type { Purpose } from '../courier/messages.ts';

export interface MetricsOptions {
  /** Outbox messages not yet settled; asked at each scrape, so it costs nothing between scrapes. */
  pendingMessages?: () => Promise<number>;
  /** Node and process metrics (`process_*`, `nodejs_*`); on unless turned off. */
  defaultMetrics?: boolean;
}

const MEDIA = ['EMAIL', 'SMS'] as const;
const PURPOSES: readonly Purpose[] = ['SIGN_UP', 'VERIFY_ATTRIBUTE', 'FORGOT_PASSWORD', 'ADMIN_INVITATION'];

/**
 * One registry per instance rather than prom-client's global one, so that several apps in one
 * process (the tests) never share or double-register counters.
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const sent = new Counter({
    name: 'cognate_messages_sent_total',
    help: 'Messages (codes, invitations) a channel accepted.',
    labelNames: ['medium', 'purpose'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'cognate_messages_failed_total',
    help: 'Delivery tries that failed; permanent="true" ones will not be retried.',
    labelNames: ['medium', 'purpose', 'permanent'] as const,
    registers: [registry],
  });
  const retried = new Counter({
    name: 'cognate_messages_retried_total',
    help: 'Messages put back for another try after a transient failure.',
    labelNames: ['medium', 'purpose'] as const,
    registers: [registry],
  });
  // Known series start at 0, so rate() and increase() see the first message instead of a new series.
  for (const medium of MEDIA) {
    for (const purpose of PURPOSES) {
      sent.labels(medium, purpose).inc(0);
      retried.labels(medium, purpose).inc(0);
      failed.labels(medium, purpose, 'true').inc(0);
      failed.labels(medium, purpose, 'false').inc(0);
    }
  }

  const { pendingMessages } = options;
  if (pendingMessages) {
    const pending: Gauge = new Gauge({
      name: 'cognate_outbox_pending',
      help: 'Outbox messages waiting to be delivered (NaN when the database could not be asked).',
      registers: [registry],
      async collect() {
        try {
          pending.set(await pendingMessages());
        } catch {
          // A scrape must still answer when the database does not: NaN says "unknown", where a stale value or 0 would mislead.
          pending.set(Number.NaN);
        }
      },
    });
  }

  const delivery: DeliveryMetrics = {
    sent: (medium, purpose) => sent.labels(medium, purpose).inc(),
    failed: (medium, purpose, permanent) => failed.labels(medium, purpose, String(permanent)).inc(),
    retried: (medium, purpose) => retried.labels(medium, purpose).inc(),
  };

  return {
    registry,
    delivery,
    contentType: registry.contentType,
    /** The Prometheus text exposition of every metric. */
    scrape: () => registry.metrics(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
