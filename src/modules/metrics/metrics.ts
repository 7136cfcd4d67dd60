import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryMetrics } from '../courier/delivery-error.ts';

/** What the user flows report; modules get it passed in (a no-op by default). */
export interface AuthMetrics {
  signIn(outcome: 'success' | 'failure' | 'challenge'): void;
  codeVerified(purpose: string): void;
}

export const noAuthMetrics: AuthMetrics = { signIn() {}, codeVerified() {} };

export interface MetricsOptions {
  /** Outbox messages not yet settled; asked at each scrape, so it costs nothing between scrapes. */
  pendingMessages?: () => Promise<number>;
  /** Node and process metrics (`process_*`, `nodejs_*`); on unless turned off. */
  defaultMetrics?: boolean;
}

const MEDIA = ['EMAIL', 'SMS'] as const;

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
    labelNames: ['medium'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'cognate_messages_failed_total',
    help: 'Delivery tries that failed; permanent="true" ones will not be retried.',
    labelNames: ['medium', 'permanent'] as const,
    registers: [registry],
  });
  const retried = new Counter({
    name: 'cognate_messages_retried_total',
    help: 'Messages put back for another try after a transient failure.',
    labelNames: ['medium'] as const,
    registers: [registry],
  });
  // Known series start at 0, so rate() and increase() see the first message instead of a new series.
  for (const medium of MEDIA) {
    sent.labels(medium).inc(0);
    retried.labels(medium).inc(0);
    failed.labels(medium, 'true').inc(0);
    failed.labels(medium, 'false').inc(0);
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

  const requests = new Counter({
    name: 'cognate_http_requests_total',
    help: 'HTTP requests answered, by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'cognate_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const signIns = new Counter({
    name: 'cognate_sign_ins_total',
    help: 'Password sign-ins by outcome: success, failure (bad credentials, unknown user) or challenge.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const codesVerified = new Counter({
    name: 'cognate_codes_verified_total',
    help: 'Codes confirmed (sign-up, attribute verification, password reset).',
    labelNames: ['purpose'] as const,
    registers: [registry],
  });
  for (const outcome of ['success', 'failure', 'challenge']) signIns.labels(outcome).inc(0);
  for (const purpose of ['SIGN_UP', 'VERIFY_ATTRIBUTE', 'FORGOT_PASSWORD']) codesVerified.labels(purpose).inc(0);

  const http = {
    /** `route` is the route's template (`/v1/pools/:poolId`), never the raw URL, to keep label values few. */
    observe(method: string, route: string, status: number, seconds: number) {
      requests.labels(method, route, String(status)).inc();
      latency.labels(method, route).observe(seconds);
    },
  };
  const auth: AuthMetrics = {
    signIn: (outcome) => signIns.labels(outcome).inc(),
    codeVerified: (purpose) => codesVerified.labels(purpose).inc(),
  };

  const delivery: DeliveryMetrics = {
    sent: (medium) => sent.labels(medium).inc(),
    failed: (medium, permanent) => failed.labels(medium, String(permanent)).inc(),
    retried: (medium) => retried.labels(medium).inc(),
  };

  return {
    registry,
    delivery,
    http,
    auth,
    contentType: registry.contentType,
    /** The Prometheus text exposition of every metric. */
    scrape: () => registry.metrics(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
