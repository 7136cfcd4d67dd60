import { readCappedText } from '../../lib/capped-body.ts';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../db/client.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import { createHookSecrets, type HookSecrets } from './hook-secrets.ts';
import type {
  HookCall,
  HookedPool,
  Hooks,
  PoolLambdaConfig,
  PreTokenGenerationVersion,
  TriggerEvent,
  TriggerName,
} from './hooks.types.ts';

/**
 * Cognito's triggers as signed HTTP hooks: the call, its retries and how its answer is read are
 * described in docs/triggers.md ("The call", "Answers", "Failures and retries").
 */

/** Tests lower the timeout and the pause between attempts; the defaults are Cognito's. */
export interface HookCallPolicy {
  /** Each attempt's time, the answer's body included (Cognito: 5 seconds). */
  timeoutMs: number;
  /** Attempts in all, the first included (Cognito: 3). */
  maxAttempts: number;
  /** The pause before the second attempt; doubled before each further one. */
  retryDelayMs: number;
}

export const defaultHookCallPolicy: HookCallPolicy = { timeoutMs: 5000, maxAttempts: 3, retryDelayMs: 100 };

/** What Cognito sends as callerContext.awsSdkVersion when it cannot tell the caller's SDK. */
export const AWS_SDK_VERSION = 'aws-sdk-unknown-unknown';
export const CLIENT_ID_NOT_APPLICABLE = 'CLIENT_ID_NOT_APPLICABLE';

/** The largest answer read; a Lambda's synchronous answer is limited to 6 MB. */
const MAX_ANSWER_BYTES = 6 * 1024 * 1024;
/** The longest errorMessage carried into the error Cognate answers. */
const MAX_ERROR_MESSAGE = 1024;

export interface HooksOptions {
  db: Db;
  /** The server secret the hook secrets are sealed with. */
  secret: string;
  region: string;
  /** HOOK_ARNS_FILE: Lambda ARN → hook URL. */
  arns: Readonly<Record<string, string>>;
  logger: Logger;
  policy?: Partial<HookCallPolicy>;
  now?: () => Date;
  /** Shared with the hook-secret route; made here when not given. */
  secrets?: HookSecrets;
}

/** Hooks with no pool ever configured: for tests and services that never call one. */
export const noHooks: Hooks = {
  has: () => false,
  call: async () => undefined,
  preTokenGenerationVersion: () => undefined,
};

/** The configured value (URL or ARN) of a trigger; PreTokenGenerationConfig wins over PreTokenGeneration. */
export function configuredHook(config: PoolLambdaConfig, trigger: TriggerName): string | undefined {
  if (trigger === 'PreTokenGeneration') return config.PreTokenGenerationConfig?.LambdaArn ?? config.PreTokenGeneration;
  return config[trigger];
}

const EVENT_VERSIONS: Record<PreTokenGenerationVersion, string> = { V1_0: '1', V2_0: '2', V3_0: '3' };

/** A failure that another attempt may mend (timeout, refused connection, 5xx, 429). */
class Transient extends Error {}

export function isHookUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

export function createHooks(options: HooksOptions): Hooks & { secrets: HookSecrets } {
  const { region, arns, logger } = options;
  const policy = { ...defaultHookCallPolicy, ...options.policy };
  const secrets =
    options.secrets ??
    createHookSecrets({
      db: options.db,
      secret: options.secret,
      now: options.now,
      onUnreadable: (poolId) =>
        options.logger.error(
          { poolId },
          'a hook secret cannot be opened with this server secret (CODE_HMAC_SECRET changed?); rotate it',
        ),
    });
  const now = options.now ?? (() => new Date());

  function preTokenGenerationVersion(pool: HookedPool): PreTokenGenerationVersion | undefined {
    const config = pool.lambdaConfig ?? {};
    if (config.PreTokenGenerationConfig) return config.PreTokenGenerationConfig.LambdaVersion;
    return config.PreTokenGeneration ? 'V1_0' : undefined;
  }

  function resolve(pool: HookedPool, trigger: TriggerName, configured: string): string {
    if (isHookUrl(configured)) return configured;
    const url = Object.hasOwn(arns, configured) ? arns[configured] : undefined;
    if (url) return url;
    // Accepted when configured, but HOOK_ARNS_FILE no longer maps it (the file changed since).
    logger.error(
      { poolId: pool.id, trigger, arn: configured },
      'hook ARN is not in HOOK_ARNS_FILE: the trigger cannot be called',
    );
    // The caller learns the kind of failure; the ARN is in the log only.
    throw unexpected(trigger, 'HookArnNotMapped (the ARN is not in HOOK_ARNS_FILE)');
  }

  async function readBody(response: Response): Promise<string> {
    const text = await readCappedText(response, MAX_ANSWER_BYTES);
    if (text === null) throw new TooLarge();
    return text;
  }

  /** One attempt: the answer's status and body, or Transient for what a retry may mend. */
  async function attempt(url: string, headers: Record<string, string>, body: string) {
    let response: Response;
    const signal = AbortSignal.timeout(policy.timeoutMs);
    try {
      response = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    } catch (error) {
      throw new Transient(describe(error));
    }
    let text: string;
    try {
      text = await readBody(response);
    } catch (error) {
      if (error instanceof TooLarge) return { status: response.status, text: '', tooLarge: true };
      throw new Transient(describe(error));
    }
    if (response.status >= 500 || response.status === 429) throw new Transient(`HTTP ${response.status}`);
    return { status: response.status, text, tooLarge: false };
  }

  async function call(pool: HookedPool, hookCall: HookCall): Promise<Record<string, unknown> | undefined> {
    const { trigger } = hookCall;
    const configured = configuredHook(pool.lambdaConfig ?? {}, trigger);
    if (!configured) return undefined;
    const url = resolve(pool, trigger, configured);
    const version = trigger === 'PreTokenGeneration' ? EVENT_VERSIONS[preTokenGenerationVersion(pool) ?? 'V1_0'] : '1';
    // The pool's region, as its id names it (`us-east-1_…`); POOL_REGION for an id without one.
    const underscore = pool.id.indexOf('_');
    const event: TriggerEvent = {
      version,
      triggerSource: hookCall.triggerSource,
      region: underscore > 0 ? pool.id.slice(0, underscore) : region,
      userPoolId: pool.id,
      userName: hookCall.userName,
      callerContext: { awsSdkVersion: AWS_SDK_VERSION, clientId: hookCall.clientId ?? CLIENT_ID_NOT_APPLICABLE },
      request: hookCall.request,
      response: hookCall.response ?? {},
    };
    const body = JSON.stringify(event);
    const signers = (await secrets.live(pool.id)).map((secret) => new Webhook(secret));
    // One id for the event, the same on every attempt, so a hook can tell a retry from a new event.
    const id = `msg_${randomUUID()}`;
    // The hook's host, not its URL: a query string may carry a token of the hook's own.
    const context = {
      poolId: pool.id,
      trigger,
      triggerSource: hookCall.triggerSource,
      webhookId: id,
      hookHost: new URL(url).host,
    };

    let lastProblem = '';
    for (let n = 1; n <= policy.maxAttempts; n++) {
      if (n > 1) await new Promise((resolve) => setTimeout(resolve, policy.retryDelayMs * 2 ** (n - 2)));
      // Signed afresh per attempt: the timestamp says when this attempt was sent.
      const timestamp = now();
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Cognate-Hooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signers.map((signer) => signer.sign(id, timestamp, body)).join(' '),
      };
      let answer: Awaited<ReturnType<typeof attempt>>;
      try {
        answer = await attempt(url, headers, body);
      } catch (error) {
        if (!(error instanceof Transient)) throw error;
        lastProblem = error.message;
        logger.warn({ ...context, attempt: n, problem: lastProblem }, 'hook attempt failed');
        continue;
      }
      return readAnswer(trigger, event, answer, context);
    }
    logger.error({ ...context, attempts: policy.maxAttempts, problem: lastProblem }, 'hook failed after retries');
    throw unexpected(trigger, lastProblem);
  }

  function readAnswer(
    trigger: TriggerName,
    event: TriggerEvent,
    answer: { status: number; text: string; tooLarge: boolean },
    context: Record<string, unknown>,
  ): Record<string, unknown> {
    const { status, text } = answer;
    if (answer.tooLarge) {
      logger.warn({ ...context, status }, 'hook answer too large');
      throw new CognitoError('InvalidLambdaResponseException', `${trigger} returned a response larger than 6 MB.`);
    }
    const parsed = parseJson(text);
    if (status >= 400) {
      // Lambda's error shape: the handler threw, the operation is refused with its message.
      const message = isObject(parsed) && typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined;
      if (message !== undefined) {
        logger.info({ ...context, status }, 'hook refused the operation');
        throw new CognitoError(
          'UserLambdaValidationException',
          `${trigger} failed with error ${cleanErrorMessage(message)}.`,
        );
      }
      // Not Lambda's error shape (a wrong URL, a refused signature): the hook could not be used.
      logger.error({ ...context, status }, 'hook answered an error without errorMessage');
      throw unexpected(trigger, `HTTP ${status}`);
    }
    if (status >= 300) {
      logger.error({ ...context, status }, 'hook answered a redirect');
      throw unexpected(trigger, `HTTP ${status} (redirects are not followed)`);
    }
    const problem = eventProblem(event, status, parsed);
    if (problem) {
      logger.warn({ ...context, status, problem }, 'hook answer is not the event');
      throw new CognitoError('InvalidLambdaResponseException', `Invalid ${trigger} response: ${problem}.`);
    }
    return (parsed as { response: Record<string, unknown> }).response;
  }

  return {
    has: (pool, trigger) => configuredHook(pool.lambdaConfig ?? {}, trigger) !== undefined,
    call,
    preTokenGenerationVersion,
    secrets,
  };
}

class TooLarge extends Error {}

/** Cognito's wording for a trigger it could not use: `PreSignUp invocation failed due to error <cause>.` */
function unexpected(trigger: TriggerName, cause: string): CognitoError {
  return new CognitoError('UnexpectedLambdaException', `${trigger} invocation failed due to error ${cause}.`);
}

/**
 * A hook's errorMessage as the API caller may see it (docs/security.md, "Hooks"): control and
 * format characters (line breaks, escapes, bidirectional overrides) become spaces, runs of
 * whitespace one space, and at most MAX_ERROR_MESSAGE characters are kept, never half a character.
 */
export function cleanErrorMessage(message: string): string {
  const flat = message
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return Array.from(flat).slice(0, MAX_ERROR_MESSAGE).join('');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why an answer is not the event handed back, or undefined when it is: status 200, a JSON object
 * with the event's triggerSource, userPoolId and userName, and `response` an object.
 */
function eventProblem(event: TriggerEvent, status: number, answer: unknown): string | undefined {
  if (status !== 200) return `expected status 200 with the event, got ${status}`;
  if (!isObject(answer)) return 'the answer is not a JSON object';
  for (const key of ['triggerSource', 'userPoolId', 'userName'] as const) {
    if (answer[key] !== event[key]) return `${key} is not the event's`;
  }
  if (!isObject(answer.response)) return 'response is not an object';
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'TimeoutError';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return cause.code;
    return error.message;
  }
  return String(error);
}
