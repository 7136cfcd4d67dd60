import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Db, Queryable } from '../../db/client.ts';
import { isConnectionError } from '../../db/errors.ts';
import { deliveryAttempts, outboxMessages, type DeliveryOutcome } from '../../db/schema/courier.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import { attributeValues } from '../user-store/users.repository.ts';
import type { Courier } from './courier.ts';
import { DeliveryError, noDeliveryMetrics, type DeliveryMetrics } from './delivery-error.ts';
import { maskDestination, type DeliveryMedium } from './mask.ts';
import type { MessageTemplates, Purpose } from './messages.ts';
import { isHookFailure } from '../triggers/trigger-events.ts';

/**
 * What the CustomMessage trigger needs beyond the purpose (docs/trigger-events.md): Cognito's finer
 * trigger source (ResendCode rather than SignUp, VerifyUserAttribute rather than UpdateUserAttribute),
 * the app client and the request's ClientMetadata. Kept in the sealed payload with the code.
 */
export interface MessageContext {
  triggerSource?: string;
  clientId?: string;
  clientMetadata?: Record<string, string>;
}

/**
 * Asks the pool's CustomMessage hook for this message's subject and bodies, after commit and
 * outside any transaction (courier/custom-message.ts); undefined when the pool has none. Throws
 * the hook's failure as a CognitoError.
 */
export type CustomMessageHook = (message: QueuedMessage) => Promise<MessageTemplates | undefined>;

/** How hard the pipeline tries. Tests lower the delays. */
export interface DeliveryPolicy {
  /** Tries in all, the immediate one included; after the last transient failure the message is `failed`. */
  maxAttempts: number;
  /** The delay after the first failed try; doubled after each further one (with jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claim lasts: a crashed sender's messages are claimed again after it. */
  leaseMs: number;
  /** How long the worker leaves a new message to the request's own immediate send. */
  holdMs: number;
}

export const defaultDeliveryPolicy: DeliveryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 10_000,
  maxDelayMs: 15 * 60_000,
  leaseMs: 2 * 60_000,
  holdMs: 60_000,
};

export type TemplatesHook = (
  poolId: string,
  purpose: Purpose,
  locale: string | null,
) => Promise<MessageTemplates | undefined>;

export interface EnqueueInput {
  poolId: string;
  /** The recipient user; null for a message that belongs to no user (an SMS always needs one). */
  userId: string | null;
  username: string;
  medium: DeliveryMedium;
  destination: string;
  purpose: Purpose;
  /** The code, or the temporary password of an invitation. Stored only encrypted. */
  secret: string;
  /** The attribute the destination is the value of; by default email or phone_number after the medium. */
  attributeName?: string;
  locale?: string | null;
  /** False: no immediate send follows, the worker may take the message at once. */
  immediate?: boolean;
  /** For the CustomMessage trigger. */
  context?: MessageContext;
}

/** A message written in a transaction, with what the immediate send needs (in memory only). */
export interface QueuedMessage {
  id: string;
  poolId: string;
  userId: string | null;
  username: string;
  medium: DeliveryMedium;
  destination: string;
  attributeName: string;
  purpose: Purpose;
  secret: string;
  locale: string | null;
  context?: MessageContext;
}

export interface RunDueResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
}

type Outcome = 'sent' | 'retry' | 'failed' | 'cancelled' | 'lost';

/** The payload key: derived, so the HMAC secret itself never encrypts anything. */
function payloadKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'cognate', 'outbox payload v1', 32));
}

interface PayloadValues {
  secret: string;
  username: string;
  context?: MessageContext;
}

/** AES-256-GCM with the message id as associated data, so a payload cannot be moved to another row. */
export function sealPayload(key: Buffer, id: string, values: PayloadValues): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(id));
  // The CustomMessage context rides along (`x`) when there is one; older payloads simply lack it.
  const json = { s: values.secret, u: values.username, ...(values.context && { x: values.context }) };
  const body = Buffer.concat([cipher.update(JSON.stringify(json), 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

export function openPayload(key: Buffer, id: string, sealed: string): PayloadValues {
  if (!sealed.startsWith('v1.')) throw new Error('unknown payload version');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(raw.subarray(12, 28));
  const json = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
  return { secret: json.s, username: json.u, ...(json.x && { context: json.x as MessageContext }) };
}

/** What the provider said, for operators; never the message body. */
function describe(error: unknown): string {
  const cause = error instanceof CognitoError && error.cause !== undefined ? error.cause : error;
  return String(cause instanceof Error ? cause.message : cause).slice(0, 500);
}

/** Only a DeliveryError can say "never": anything unclassified is worth another try. */
function isPermanent(error: unknown): boolean {
  const cause = error instanceof CognitoError ? error.cause : error;
  return cause instanceof DeliveryError && cause.permanent;
}

export function createOutbox(deps: {
  db: Db;
  courier: Courier;
  secret: string;
  logger: Logger;
  metrics?: DeliveryMetrics;
  templates?: TemplatesHook;
  /** The pool's CustomMessage trigger, asked before each try (docs/trigger-events.md). */
  customMessage?: CustomMessageHook;
  policy?: Partial<DeliveryPolicy>;
}) {
  const { db, courier, logger } = deps;
  const metrics = deps.metrics ?? noDeliveryMetrics;
  const policy: DeliveryPolicy = { ...defaultDeliveryPolicy, ...deps.policy };
  const key = payloadKey(deps.secret);

  function backoffMs(attempt: number): number {
    const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    // Half fixed, half random: retries after an outage do not all arrive at once.
    return Math.round(delay / 2 + Math.random() * (delay / 2));
  }

  async function recordAttempt(
    messageId: string,
    attempt: number,
    outcome: DeliveryOutcome,
    detail: { channel?: string | null; providerMessageId?: string | null; error?: string | null },
  ) {
    await db.insert(deliveryAttempts).values({
      messageId,
      attempt,
      outcome,
      channel: detail.channel ?? null,
      providerMessageId: detail.providerMessageId ?? null,
      error: detail.error ?? null,
    });
  }

  /** Settles a claimed message; `attempt` fences off a claim whose lease ran out and was taken over. */
  function settle(id: string, attempt: number, values: PgUpdateSetSource<typeof outboxMessages>) {
    return db
      .update(outboxMessages)
      .set(values)
      .where(
        and(eq(outboxMessages.id, id), eq(outboxMessages.status, 'sending'), eq(outboxMessages.attempts, attempt)),
      );
  }

  /**
   * An SMS costs money and reaches whoever holds the number: send only to the user's current
   * or pending phone as it is now, not as it was when the message was queued.
   */
  async function destinationStillValid(message: QueuedMessage): Promise<boolean> {
    if (message.medium !== 'SMS') return true;
    if (!message.userId) return false;
    const row = await attributeValues(db, message.userId, message.attributeName);
    return row !== undefined && (row.value === message.destination || row.pendingValue === message.destination);
  }

  /** One try at a message this process has claimed (status `sending`, attempts = `attempt`). */
  async function attemptSend(message: QueuedMessage, attempt: number): Promise<{ outcome: Outcome; error?: unknown }> {
    const context = {
      outboxId: message.id,
      attempt,
      medium: message.medium,
      purpose: message.purpose,
      destination: maskDestination(message.medium === 'EMAIL' ? 'email' : 'phone_number', message.destination),
    };
    if (!(await destinationStillValid(message))) {
      await settle(message.id, attempt, {
        status: 'cancelled',
        payload: null,
        lastError: 'destination is no longer the user’s',
      });
      await recordAttempt(message.id, attempt, 'permanent_failure', {
        error: 'cancelled: destination is no longer the user’s',
      });
      logger.warn(context, 'message cancelled: the destination is no longer the user’s');
      return { outcome: 'cancelled' };
    }
    // The CustomMessage hook is asked first, with no transaction or lock held; it never sees the
    // code (Cognito's `{####}` stands for it). Its failure fails the message: nothing is sent.
    let custom: MessageTemplates | undefined;
    try {
      custom = deps.customMessage ? await deps.customMessage(message) : undefined;
    } catch (error) {
      if (!isHookFailure(error)) throw error;
      const text = describe(error);
      await settle(message.id, attempt, { status: 'failed', payload: null, lastError: text });
      await recordAttempt(message.id, attempt, 'permanent_failure', { error: text });
      metrics.failed(message.medium, true);
      logger.warn({ ...context, error: text }, 'message not sent: the CustomMessage hook failed');
      return { outcome: 'failed', error };
    }
    try {
      const poolTemplates = deps.templates
        ? await deps.templates(message.poolId, message.purpose, message.locale)
        : undefined;
      const templates = custom ? { ...poolTemplates, ...custom } : poolTemplates;
      const result = await courier.deliver({
        medium: message.medium,
        to: message.destination,
        purpose: message.purpose,
        code: message.secret,
        username: message.username,
        ...(templates && { templates }),
      });
      const providerMessageId = result.providerMessageId ?? null;
      await settle(message.id, attempt, {
        status: 'sent',
        payload: null,
        channel: result.channel,
        providerMessageId,
        lastError: null,
        sentAt: sql`now()`,
      });
      await recordAttempt(message.id, attempt, 'sent', { channel: result.channel, providerMessageId });
      metrics.sent(message.medium);
      return { outcome: 'sent' };
    } catch (error) {
      const permanent = isPermanent(error);
      const text = describe(error);
      const channel = courier.channelName?.(message.medium) ?? null;
      await recordAttempt(message.id, attempt, permanent ? 'permanent_failure' : 'transient_failure', {
        channel,
        error: text,
      });
      if (permanent || attempt >= policy.maxAttempts) {
        await settle(message.id, attempt, { status: 'failed', payload: null, lastError: text });
        metrics.failed(message.medium, permanent);
        logger.error(
          { ...context, permanent, error: text },
          permanent ? 'message failed for good' : 'message given up after the last try',
        );
        return { outcome: 'failed', error };
      }
      const delay = backoffMs(attempt);
      await settle(message.id, attempt, {
        status: 'pending',
        lastError: text,
        nextAttemptAt: sql`now() + make_interval(secs => ${delay / 1000})`,
      });
      metrics.retried(message.medium);
      logger.warn({ ...context, error: text, retryInMs: delay }, 'message will be retried');
      return { outcome: 'retry', error };
    }
  }

  return {
    policy,

    /**
     * Writes a message in the caller's transaction. A newer message for the same user,
     * purpose and attribute supersedes an older one still waiting: its code no longer works.
     */
    async enqueue(tx: Queryable, input: EnqueueInput): Promise<QueuedMessage> {
      const id = randomUUID();
      const attributeName = input.attributeName ?? (input.medium === 'EMAIL' ? 'email' : 'phone_number');
      const locale = input.locale ?? null;
      if (input.userId) {
        await tx
          .update(outboxMessages)
          .set({ status: 'cancelled', payload: null, lastError: 'superseded by a newer message' })
          .where(
            and(
              eq(outboxMessages.userId, input.userId),
              eq(outboxMessages.purpose, input.purpose),
              eq(outboxMessages.attributeName, attributeName),
              eq(outboxMessages.status, 'pending'),
            ),
          );
      }
      const holdMs = input.immediate === false ? 0 : policy.holdMs;
      await tx.insert(outboxMessages).values({
        id,
        poolId: input.poolId,
        userId: input.userId,
        medium: input.medium,
        destination: input.destination,
        attributeName,
        purpose: input.purpose,
        locale,
        payload: sealPayload(key, id, {
          secret: input.secret,
          username: input.username,
          ...(input.context && { context: input.context }),
        }),
        status: 'pending',
        nextAttemptAt: sql`now() + make_interval(secs => ${holdMs / 1000})`,
      });
      return {
        id,
        poolId: input.poolId,
        userId: input.userId,
        username: input.username,
        medium: input.medium,
        destination: input.destination,
        attributeName,
        purpose: input.purpose,
        secret: input.secret,
        locale,
        ...(input.context && { context: input.context }),
      };
    },

    /**
     * After commit: one try at each message. A permanent failure answers
     * CodeDeliveryFailureException (what was committed stays, so the user can ask again);
     * a transient one is left to the worker and the caller answers success.
     */
    async sendNow(queued: QueuedMessage[]): Promise<void> {
      let failure: unknown;
      for (const message of queued) {
        try {
          const [claimed] = await db
            .update(outboxMessages)
            .set({
              status: 'sending',
              attempts: sql`${outboxMessages.attempts} + 1`,
              nextAttemptAt: sql`now() + make_interval(secs => ${policy.leaseMs / 1000})`,
            })
            .where(and(eq(outboxMessages.id, message.id), eq(outboxMessages.status, 'pending')))
            .returning({ attempts: outboxMessages.attempts });
          // Already taken by a worker (the request was slower than the hold), or superseded.
          if (!claimed) continue;
          const { outcome, error } = await attemptSend(message, claimed.attempts);
          if (outcome === 'failed' && (isPermanent(error) || isHookFailure(error))) failure ??= error;
        } catch (error) {
          // The change is committed and its message queued: losing the database now is a transient
          // delivery failure the worker retries (pending, or sending until its lease runs out), not a
          // failure of the request, which would have a client retry a write that was made.
          if (!isConnectionError(error)) throw error;
          logger.warn(
            { outboxId: message.id, error: describe(error) },
            'database lost after commit: the message is left to the delivery worker',
          );
        }
      }
      if (failure) {
        throw failure instanceof CognitoError
          ? failure
          : new CognitoError('CodeDeliveryFailureException', undefined, { cause: failure });
      }
    },

    /**
     * Claims due messages (FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint sets),
     * then sends them outside the claiming statement. A message whose lease ran out is due again.
     */
    async runDue(options: { limit?: number } = {}): Promise<RunDueResult> {
      const limit = options.limit ?? 50;
      const due = db
        .select({ id: outboxMessages.id })
        .from(outboxMessages)
        .where(
          and(inArray(outboxMessages.status, ['pending', 'sending']), lte(outboxMessages.nextAttemptAt, sql`now()`)),
        )
        .orderBy(asc(outboxMessages.nextAttemptAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      const claimed = await db
        .update(outboxMessages)
        .set({
          status: 'sending',
          attempts: sql`${outboxMessages.attempts} + 1`,
          nextAttemptAt: sql`now() + make_interval(secs => ${policy.leaseMs / 1000})`,
        })
        .where(inArray(outboxMessages.id, due))
        .returning();
      const result: RunDueResult = { claimed: claimed.length, sent: 0, retried: 0, failed: 0, cancelled: 0 };
      for (const row of claimed) {
        const outcome = await sendClaimed(row);
        if (outcome === 'sent') result.sent++;
        else if (outcome === 'retry') result.retried++;
        else if (outcome === 'failed') result.failed++;
        else if (outcome === 'cancelled') result.cancelled++;
      }
      return result;
    },

    /** Messages still to send (pending or being sent): for health checks and tests. */
    async backlog(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(outboxMessages)
        .where(and(inArray(outboxMessages.status, ['pending', 'sending']), isNotNull(outboxMessages.payload)));
      return row?.n ?? 0;
    },

    /**
     * What was sent to a user, newest first, with every try: for operators chasing a lost code.
     * The payload (code or temporary password) is never read here.
     */
    async history(userId: string, limit: number) {
      const messages = await db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.userId, userId))
        .orderBy(desc(outboxMessages.createdAt), desc(outboxMessages.id))
        .limit(limit);
      const tries = messages.length
        ? await db
            .select()
            .from(deliveryAttempts)
            .where(
              inArray(
                deliveryAttempts.messageId,
                messages.map((m) => m.id),
              ),
            )
            .orderBy(asc(deliveryAttempts.attempt))
        : [];
      return messages.map((m) => ({
        id: m.id,
        purpose: m.purpose,
        medium: m.medium,
        destination: m.destination,
        status: m.status,
        attempts: m.attempts,
        createdAt: m.createdAt.toISOString(),
        sentAt: m.sentAt?.toISOString() ?? null,
        nextAttemptAt: m.status === 'pending' ? m.nextAttemptAt.toISOString() : null,
        lastError: m.lastError,
        tries: tries
          .filter((t) => t.messageId === m.id)
          .map((t) => ({
            attempt: t.attempt,
            at: t.at.toISOString(),
            channel: t.channel,
            outcome: t.outcome,
            providerMessageId: t.providerMessageId,
            error: t.error,
          })),
      }));
    },
  };

  async function sendClaimed(row: typeof outboxMessages.$inferSelect): Promise<Outcome> {
    // Claimed again after its lease ran out on the last allowed try: the sender died mid-try.
    if (row.attempts > policy.maxAttempts || row.payload === null) {
      await settle(row.id, row.attempts, {
        status: 'failed',
        payload: null,
        lastError: row.lastError ?? 'no tries left',
      });
      metrics.failed(row.medium, false);
      return 'failed';
    }
    let values: PayloadValues;
    try {
      values = openPayload(key, row.id, row.payload);
    } catch (error) {
      // A changed CODE_HMAC_SECRET: the code cannot be read back, and retrying will not help.
      await settle(row.id, row.attempts, {
        status: 'failed',
        payload: null,
        lastError: `payload unreadable: ${describe(error)}`,
      });
      metrics.failed(row.medium, true);
      logger.error({ outboxId: row.id, error: describe(error) }, 'message payload cannot be decrypted');
      return 'failed';
    }
    const { outcome } = await attemptSend(
      {
        id: row.id,
        poolId: row.poolId,
        userId: row.userId,
        username: values.username,
        medium: row.medium,
        destination: row.destination,
        attributeName: row.attributeName ?? (row.medium === 'EMAIL' ? 'email' : 'phone_number'),
        purpose: row.purpose as Purpose,
        secret: values.secret,
        locale: row.locale,
        ...(values.context && { context: values.context }),
      },
      row.attempts,
    );
    return outcome;
  }
}

export type Outbox = ReturnType<typeof createOutbox>;
