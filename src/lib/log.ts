import { pino, stdSerializers, type LoggerOptions } from 'pino';

const PARAMS = /\nparams: [\s\S]*?(?=\n {4}at |$)/;

/**
 * A failed query's error carries its parameters, in `params` and in its message and stack
 * (drizzle's "Failed query: … params: …"): user data, and for some writes a server secret (a new
 * signing key's private half, a generated secret). Logs keep the query, never its values.
 */
function withoutQueryParams(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if ('params' in out) out.params = '[redacted]';
  for (const name of ['message', 'stack'] as const) {
    if (typeof out[name] === 'string') out[name] = (out[name] as string).replace(PARAMS, '\nparams: [redacted]');
  }
  if (out.cause !== undefined) out.cause = withoutQueryParams(out.cause, depth + 1);
  return out;
}

/**
 * A query parameter that is itself a credential: the import job's pre-signed upload URL carries
 * its signature in the URL, as S3's do (docs/user-import.md, "Import jobs"; docs/security.md);
 * and OAuth's credentials, which a client may put in a URL by mistake (docs/web-sign-in.md).
 */
const URL_SECRETS =
  /([?&](?:signature|client_secret|code|code_verifier|refresh_token|access_token|id_token|token|password)=)[^&#]*/gi;

/** The request as Fastify logs it (method, url, host, address), the URL's credentials censored. */
function requestLine(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? req.url.replace(URL_SECRETS, '$1[redacted]') : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Logger options for the server and every process sharing its logs (tests use them too). */
export const logOptions = {
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers.cookie',
      'req.headers["x-api-key"]',
      // The key TOTP secrets are sealed with in a transfer file (docs/user-import.md, "MFA").
      'req.headers["x-transfer-key"]',
    ],
    censor: '[redacted]',
  },
  serializers: {
    // Replaces Fastify's own request serializer (a logger instance's serializers win over its).
    req: requestLine,
    err: (err: unknown) => withoutQueryParams(err instanceof Error ? stdSerializers.err(err) : err),
  },
} satisfies LoggerOptions;

/**
 * Structured JSON logs on stdout; secrets never reach them (tokens and keys travel in these
 * headers). Written asynchronously, 4 KiB at a time and at least every quarter second: one
 * synchronous write per line was an eighth of a busy server's time. pino flushes what is
 * buffered when the process exits.
 */
export function createLogger(level: string) {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), 250).unref();
  return pino({ ...logOptions, level }, destination);
}
