/**
 * The receiving end of Cognate's hook calls, shared by the programs Cognate ships as hooks (the
 * Lambda adapter, src/cli/lambda-hook.ts, and the Cognito migration hook,
 * src/cli/cognito-migration-hook.ts): it reads the event, checks its Standard Webhooks signature
 * (docs/triggers.md, "The call"), refuses unsigned, forged, stale and replayed calls with 401, and
 * hands the parsed event to the program.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** Lambda's synchronous payload limit. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** Standard Webhooks' tolerance, which the library also applies to the timestamp. */
const TOLERANCE_MS = 5 * 60 * 1000;

/** Parses HOOK_SECRET: one or more `whsec_` secrets, space- or comma-separated. */
export function parseSecrets(raw: string | undefined): string[] {
  const secrets = (raw ?? '').split(/[\s,]+/).filter(Boolean);
  if (secrets.length === 0) throw new Error('HOOK_SECRET is not set: give the pool’s whsec_… secret');
  for (const secret of secrets) {
    if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
      throw new Error('HOOK_SECRET must be whsec_ followed by base64, as POST /v1/pools/{poolId}/hook-secret answers');
    }
  }
  return secrets;
}

export type HookLog = (entry: Record<string, unknown>) => void;

export const stdoutLog: HookLog = (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`);

export interface SignedHookServerOptions {
  /** `whsec_…` secrets; a call must carry a valid signature by one of them. */
  secrets: string[];
  log?: HookLog;
  /** The program's answer to a verified event: a status and a JSON body. */
  answer(event: unknown, call: { webhookId: string }): Promise<{ status: number; body: unknown }>;
}

export function createSignedHookServer(options: SignedHookServerOptions): Server {
  const verifiers = options.secrets.map((secret) => new Webhook(secret));
  const log = options.log ?? stdoutLog;
  // Calls already answered, by id and timestamp, kept for the tolerance: an exact replay is refused.
  const seen = new Map<string, number>();

  function reply(res: ServerResponse, status: number, body: unknown) {
    // Serialised before anything is sent: a body that is not JSON fails the call cleanly.
    const text = JSON.stringify(body) ?? 'null';
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Whether one of the secrets signed this body (Standard Webhooks, timestamp within 5 minutes). */
  function verified(body: string, headers: IncomingMessage['headers']): boolean {
    const given = {
      'webhook-id': String(headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(headers['webhook-signature'] ?? ''),
    };
    return verifiers.some((verifier) => {
      try {
        verifier.verify(body, given);
        return true;
      } catch {
        return false;
      }
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST') return reply(res, 405, { message: 'POST the event' });
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413, { message: 'The event is larger than 6 MB' });
    if (!verified(body, req.headers)) {
      log({ level: 'warn', msg: 'refused a call without a valid signature', webhookId: req.headers['webhook-id'] });
      return reply(res, 401, { message: 'Missing, invalid or stale webhook signature' });
    }
    const id = String(req.headers['webhook-id']);
    const key = `${id}.${String(req.headers['webhook-timestamp'])}`;
    const now = Date.now();
    for (const [k, expires] of seen) if (expires < now) seen.delete(k);
    if (seen.has(key)) {
      log({ level: 'warn', msg: 'refused a replayed call', webhookId: id });
      return reply(res, 401, { message: 'This call was already answered' });
    }
    seen.set(key, now + TOLERANCE_MS);

    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      return reply(res, 400, { message: 'The body is not JSON' });
    }
    const { status, body: answer } = await options.answer(event, { webhookId: id });
    reply(res, status, answer);
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log({ level: 'error', msg: 'the hook failed', error: String(error) });
      if (!res.headersSent) reply(res, 500, { message: 'The hook failed' });
      else res.destroy();
    });
  });
}
