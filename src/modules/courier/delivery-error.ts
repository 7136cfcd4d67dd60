/**
 * A channel's failure, classified: a permanent one (an address the SMTP server refuses for
 * good, a number Twilio calls invalid) will never succeed and is reported to the caller at
 * once; a transient one (server down, timeout, 5xx, throttling) is retried by the worker.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** Counters the delivery pipeline reports to; the metrics module implements them. */
/**
 * Delivery outcomes by medium only: a count by purpose would move when a password reset goes to
 * a real user and not for an unknown name, telling them apart (docs/security.md).
 */
export interface DeliveryMetrics {
  sent(medium: 'EMAIL' | 'SMS'): void;
  failed(medium: 'EMAIL' | 'SMS', permanent: boolean): void;
  retried(medium: 'EMAIL' | 'SMS'): void;
}

export const noDeliveryMetrics: DeliveryMetrics = { sent() {}, failed() {}, retried() {} };
