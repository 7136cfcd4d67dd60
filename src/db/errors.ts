/**
 * Reads PostgreSQL's unique-violation errors, through drizzle's wrapper and from both
 * drivers, so repositories can map a constraint name to a Cognito error.
 */
export function uniqueViolation(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505') return typeof constraint === 'string' ? constraint : 'unknown';
  }
  return undefined;
}

/** True for the errors a client or server loses its connection with (PostgreSQL down or restarting). */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P03'].includes(code) || code.startsWith('08'))
    ) {
      return true;
    }
    if (
      typeof message === 'string' &&
      /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect/i.test(
        message,
      )
    )
      return true;
  }
  return false;
}
