/**
 * The load generator: a separate process (so it never shares a core's event loop with the server
 * under test) running autocannon's programmatic API. Takes one JSON job as argv[2], prints one
 * JSON result line on stdout (or `@file`, a file holding the job).
 *
 * A job spreads its requests over `authorizations` (round robin) and fills `body` templates:
 * `$U` becomes the next of `usernames` (round robin), `$T` the next of `tokens` (round robin),
 * `$N` a number unique within this run. `headers` and `contentType` serve the Cognito wire
 * (bench/peers.ts: `x-amz-target`, `application/x-amz-json-1.1`).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  method?: 'GET' | 'POST' | 'PATCH';
  connections: number;
  /** Seconds. */
  duration: number;
  authorizations?: string[];
  usernames?: string[];
  /** Values of `$T` in `body` (access tokens in a Cognito-wire body), round robin. */
  tokens?: string[];
  body?: string;
  /** Content type of `body` (application/json unless given). */
  contentType?: string;
  /** Further request headers, the same on every request. */
  headers?: Record<string, string>;
  /** Prefix of `$N` values, so that two runs never make the same name. */
  nonce?: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  seconds: number;
  firstError?: string;
}

// `@file` instead of the JSON: a job too long for one argument (Linux allows 128 KiB), e.g. many tokens.
const argument = process.argv[2]!;
const job = JSON.parse(argument.startsWith('@') ? readFileSync(argument.slice(1), 'utf8') : argument) as LoadJob;
let auth = 0;
let user = 0;
let token = 0;
let n = 0;
const nonce = job.nonce ?? `${process.pid}`;

let firstError: string | undefined;
const started = performance.now();
const instance = autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.duration,
  pipelining: 1,
  requests: [
    {
      method: job.method ?? 'GET',
      setupRequest(request: Record<string, unknown>) {
        const headers: Record<string, string> = {
          ...(request.headers as Record<string, string> | undefined),
          ...job.headers,
        };
        if (job.authorizations?.length) headers.authorization = job.authorizations[auth++ % job.authorizations.length]!;
        if (job.body !== undefined) {
          headers['content-type'] = job.contentType ?? 'application/json';
          let body = job.body;
          if (job.usernames?.length) body = body.replaceAll('$U', job.usernames[user++ % job.usernames.length]!);
          if (job.tokens?.length) body = body.replaceAll('$T', job.tokens[token++ % job.tokens.length]!);
          body = body.replaceAll('$N', `${nonce}-${n++}`);
          return { ...request, headers, body };
        }
        return { ...request, headers };
      },
      onResponse(status: number, body: string) {
        if ((status < 200 || status >= 300) && firstError === undefined) firstError = `${status} ${body.slice(0, 300)}`;
      },
    },
  ],
});
instance.on('error', (error: Error) => {
  firstError ??= error.message;
});
const result = await instance;
const seconds = (performance.now() - started) / 1000;
const output: LoadResult = {
  requestsPerSecond: result.requests.total / job.duration,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  latency: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    mean: result.latency.average,
  },
  seconds,
  ...(firstError !== undefined && { firstError }),
};
process.stdout.write(`${JSON.stringify(output)}\n`);
