import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from './ports.ts';

/** A call as the hook server received it. */
export interface HookRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as sent (what the signature covers). */
  raw: string;
  /** The body parsed as JSON (undefined when it was not JSON). */
  body: any;
  receivedAt: Date;
}

/** What a handler answers: a status and a JSON body (a string is sent as is). */
export interface HookAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (to make the caller time out). */
  delayMs?: number;
}

export type HookHandler = (request: HookRequest) => HookAnswer | Promise<HookAnswer>;

export interface HookServer {
  /** `http://127.0.0.1:<port>/hook`: the URL to configure as a pool's trigger. */
  url: string;
  port: number;
  /** Every request received, oldest first (also those answered late or cut). */
  requests: HookRequest[];
  /** The latest request; throws when there is none. */
  last(): HookRequest;
  /** Answer every request with the handler (default: echo the event back, 200). */
  handle(handler: HookHandler): void;
  /** Answer 200 with the event, its `response` merged with `response` (what a Lambda returns). */
  respondWith(response: Record<string, unknown>): void;
  /** Answer every request with this status and body. */
  answer(status: number, body?: unknown): void;
  /** Answer the next `n` requests with status/body, then go back to the handler. */
  failNext(n: number, status: number, body?: unknown): void;
  /** Hold every answer this long (beyond the caller's timeout to see a timeout). */
  delay(ms: number): void;
  /** Waits until `count` requests have arrived (default 1). */
  waitForRequests(count?: number, timeoutMs?: number): Promise<HookRequest[]>;
  /** Back to the default: echo, no delay, no queued failures, requests kept. */
  reset(): void;
  /** Stops listening and cuts open connections: later calls find nothing (connection refused). */
  close(): Promise<void>;
}

export const echo: HookHandler = (request) => ({ status: 200, body: request.body });

/**
 * A real HTTP hook on 127.0.0.1, for tests of Cognito triggers as hooks (docs/triggers.md): it
 * records every call and answers as the test says.
 */
export async function startHookServer(options: { path?: string; handler?: HookHandler } = {}): Promise<HookServer> {
  const requests: HookRequest[] = [];
  let handler: HookHandler = options.handler ?? echo;
  let delayMs = 0;
  const queued: HookAnswer[] = [];
  const sockets = new Set<Socket>();
  const waiters: (() => void)[] = [];

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const request: HookRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      raw,
      body,
      receivedAt: new Date(),
    };
    requests.push(request);
    for (const wake of waiters.splice(0)) wake();
    let answer: HookAnswer;
    try {
      answer = queued.shift() ?? (await handler(request));
    } catch (error) {
      answer = { status: 500, body: { message: String(error) } };
    }
    const wait = answer.delayMs ?? delayMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (res.destroyed) return;
    const text =
      answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(text);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  const hook: HookServer = {
    url: `http://127.0.0.1:${port}${options.path ?? '/hook'}`,
    port,
    requests,
    last() {
      const request = requests.at(-1);
      if (!request) throw new Error('the hook server has received no request');
      return request;
    },
    handle(next) {
      handler = next;
    },
    respondWith(response) {
      handler = (request) => ({
        status: 200,
        body: { ...request.body, response: { ...request.body?.response, ...response } },
      });
    },
    answer(status, body) {
      handler = () => ({ status, body });
    },
    failNext(n, status, body) {
      for (let i = 0; i < n; i++) queued.push({ status, body });
    },
    delay(ms) {
      delayMs = ms;
    },
    async waitForRequests(count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the hook server received ${requests.length} of ${count} requests`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests.slice(0, count);
    },
    reset() {
      handler = options.handler ?? echo;
      delayMs = 0;
      queued.length = 0;
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return hook;
}

/**
 * Checks a Standard Webhooks signature independently of Cognate's code: true when one of the
 * `v1,` signatures in `webhook-signature` is the HMAC-SHA256 of `id.timestamp.body` with `secret`
 * (`whsec_<base64>`).
 */
export function verifyHookSignature(request: HookRequest, secret: string): boolean {
  const id = String(request.headers['webhook-id'] ?? '');
  const timestamp = String(request.headers['webhook-timestamp'] ?? '');
  const header = String(request.headers['webhook-signature'] ?? '');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.raw}`).digest();
  return header.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
