#!/usr/bin/env node
/**
 * Serves an existing Lambda trigger handler, unchanged, as a Cognate hook (docs/triggers.md,
 * "The Lambda adapter"):
 *
 *   HOOK_SECRET=whsec_… PORT=9000 node dist/cli/lambda-hook.js ./pre-sign-up.mjs[#handler]
 *
 * It checks each call's Standard Webhooks signature with HOOK_SECRET (several secrets may be given,
 * space- or comma-separated, for a rotation) and refuses unsigned, forged, stale and replayed calls
 * with 401 (src/cli/signed-hook-server.ts); it calls the handler as Lambda's Node.js runtime does (async, or with a callback) and
 * answers 200 with what it returned, or 400 with Lambda's error shape when it threw, so Cognate
 * answers UserLambdaValidationException as Cognito would.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSignedHookServer, parseSecrets, stdoutLog } from './signed-hook-server.ts';

export { parseSecrets };

/** A Lambda handler: `async (event, context)` or `(event, context, callback)`. */
export type LambdaHandler = (event: unknown, context: LambdaContext, callback: LambdaCallback) => unknown;
export type LambdaCallback = (error?: unknown, result?: unknown) => void;

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
  done(error?: unknown, result?: unknown): void;
}

export interface LambdaHookOptions {
  handler: LambdaHandler;
  /** `whsec_…` secrets; a call must carry a valid signature by one of them. */
  secrets: string[];
  /** Shown as context.functionName (default: the handler file's name). */
  functionName?: string;
  /** Cognate gives each attempt 5 seconds: context.getRemainingTimeInMillis counts down from this. */
  timeoutMs?: number;
  log?: (entry: Record<string, unknown>) => void;
}

/** Loads `file[#export]` (default export name `handler`), an ES module or CommonJS file. */
export async function loadHandler(spec: string): Promise<{ handler: LambdaHandler; name: string }> {
  const [file, exportName = 'handler'] = spec.split('#') as [string, string?];
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
  const handler =
    module[exportName] ?? (module.default as Record<string, unknown> | undefined)?.[exportName] ?? undefined;
  if (typeof handler !== 'function') throw new Error(`${file} exports no function named ${exportName}`);
  return { handler: handler as LambdaHandler, name: path.basename(file).replace(/\.[cm]?[jt]s$/, '') };
}

/** Runs the handler as Lambda's Node.js runtime does: its promise, or its callback, whichever settles first. */
function invoke(handler: LambdaHandler, event: unknown, context: Omit<LambdaContext, 'succeed' | 'fail' | 'done'>) {
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, result?: unknown) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    const callback: LambdaCallback = (error, result) => settle(error, result);
    const full: LambdaContext = {
      ...context,
      succeed: (result) => settle(null, result),
      fail: (error) => settle(error ?? new Error('failed')),
      done: (error, result) => settle(error, result),
    };
    try {
      const returned = handler(event, full, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(
          (result) => settle(null, result),
          (error: unknown) => settle(error ?? new Error('rejected')),
        );
      } else if (handler.length < 3) {
        // Neither async nor taking a callback: what it returned is the answer, as in Lambda.
        settle(null, returned);
      }
    } catch (error) {
      settle(error);
    }
  });
}

/**
 * Lambda's error shape, which Cognate turns into `<Trigger> failed with error <message>.`: the
 * message and the error's name only, never its stack.
 */
function errorShape(error: unknown): { errorMessage: string; errorType: string } {
  if (error instanceof Error) return { errorMessage: String(error.message), errorType: String(error.name) };
  if (typeof error === 'string') return { errorMessage: error, errorType: 'Error' };
  let text: string | undefined;
  try {
    text = JSON.stringify(error);
  } catch {
    // A thrown value that is not JSON (circular, a BigInt): its kind is all that is said.
  }
  return { errorMessage: text ?? String(typeof error), errorType: 'Error' };
}

export function createLambdaHookServer(options: LambdaHookOptions): Server {
  const timeoutMs = options.timeoutMs ?? 5000;
  const log = options.log ?? stdoutLog;
  const functionName = options.functionName ?? 'cognate-hook';
  return createSignedHookServer({
    secrets: options.secrets,
    log,
    async answer(event, { webhookId }) {
      const started = Date.now();
      try {
        const result = await invoke(options.handler, event, {
          functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
          memoryLimitInMB: '128',
          awsRequestId: randomUUID(),
          logGroupName: `/aws/lambda/${functionName}`,
          logStreamName: 'cognate-lambda-hook',
          callbackWaitsForEmptyEventLoop: true,
          getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
        });
        // A result that cannot be JSON (circular, a BigInt) is the handler's failure, answered as
        // Lambda's error shape: not a 5xx, which Cognate would retry, running the handler again.
        try {
          JSON.stringify(result);
        } catch (error) {
          log({ level: 'info', msg: 'the handler’s result is not JSON', webhookId });
          return {
            status: 400,
            body: {
              errorMessage: `Unable to marshal response: ${String((error as Error).message)}`,
              errorType: 'Runtime.MarshalError',
            },
          };
        }
        // Lambda answers null for a handler that returned nothing; Cognate then says it is not the event.
        return { status: 200, body: result === undefined ? null : result };
      } catch (error) {
        const shape = errorShape(error);
        log({ level: 'info', msg: 'the handler threw', webhookId, errorType: shape.errorType });
        return { status: 400, body: shape };
      }
    },
  });
}

async function main(argv: string[], env: NodeJS.ProcessEnv) {
  const spec = argv[0];
  if (!spec || spec === '--help' || spec === '-h') {
    process.stderr.write(
      'usage: HOOK_SECRET=whsec_… [PORT=9000] [HOST=127.0.0.1] cognate-lambda-hook <handler-file>[#export]\n',
    );
    process.exit(spec ? 0 : 2);
  }
  const secrets = parseSecrets(env.HOOK_SECRET);
  const { handler, name } = await loadHandler(spec);
  const port = Number(env.PORT ?? 9000);
  const host = env.HOST ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number');
  const server = createLambdaHookServer({ handler, secrets, functionName: name });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: `Lambda hook listening on http://${host}:${listening}`, handler: spec })}\n`,
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// Run as a program (also through npm's bin link), not when a test imports it.
const invokedAs = process.argv[1] ? realpathSync(path.resolve(process.argv[1])) : '';
if (invokedAs && import.meta.url === pathToFileURL(invokedAs).href) {
  main(process.argv.slice(2), process.env).catch((error: unknown) => {
    process.stderr.write(`cognate-lambda-hook: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
