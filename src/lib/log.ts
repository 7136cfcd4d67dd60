import { pino } from 'pino';

/** Structured JSON logs; secrets never reach them (tokens and keys travel in these headers). */
export function createLogger(level: string) {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  });
}
