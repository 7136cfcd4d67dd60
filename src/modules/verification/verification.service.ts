import { and, count, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { codeEvents, outboxMessages, users, verificationCodes, type CodePurpose } from '../../db/schema/index.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import type { VerifiableAttribute } from '../attributes/index.ts';
import { codeDeliveryDetails, type CodeDeliveryDetails, type Courier } from '../courier/index.ts';
import type { CodePolicy } from '../pools/pool-settings.ts';
import { generateCode, hmacCode, sameHmac } from './codes.ts';

/** A code decided inside a transaction, handed to the courier once that transaction commits. */
export interface PendingDelivery {
  outboxId: string;
  code: string;
  username: string;
  purpose: CodePurpose;
  attributeName: VerifiableAttribute;
  destination: string;
  details: CodeDeliveryDetails;
}

export interface CodeScope {
  userId: string;
  purpose: CodePurpose;
  attributeName: string;
}

/** What the provider said (the courier wraps it), for operators; never the message body. */
function providerError(error: unknown): string {
  const cause = error instanceof CognitoError && error.cause !== undefined ? error.cause : error;
  return String(cause instanceof Error ? cause.message : cause).slice(0, 500);
}

const limitExceeded = () => new CognitoError('LimitExceededException');
const hourAgo = sql`now() - interval '1 hour'`;

export function createVerificationService(deps: { db: Db; secret: string; courier: Courier; logger: Logger }) {
  const { db } = deps;

  async function countEvents(q: Queryable, userId: string, kind: 'send' | 'confirm', purpose: CodePurpose): Promise<number> {
    const [row] = await q
      .select({ n: count() })
      .from(codeEvents)
      .where(and(eq(codeEvents.userId, userId), eq(codeEvents.kind, kind), eq(codeEvents.purpose, purpose), gt(codeEvents.at, hourAgo)));
    return row?.n ?? 0;
  }

  return {
    /**
     * Issues a code inside the caller's transaction, which must hold the user's row lock
     * (so the hourly count cannot race). The new code replaces any earlier one for the same
     * user, purpose and attribute: the old one then no longer matches.
     */
    async issue(
      tx: Queryable,
      input: CodeScope & { poolId: string; username: string; attributeName: VerifiableAttribute; destination: string; ttlSeconds: number; policy: CodePolicy },
    ): Promise<PendingDelivery> {
      if ((await countEvents(tx, input.userId, 'send', input.purpose)) >= input.policy.sendsPerHour) throw limitExceeded();
      const code = generateCode();
      const codeHmac = hmacCode(deps.secret, input, code);
      const expiresAt = sql`now() + make_interval(secs => ${input.ttlSeconds})`;
      await tx
        .insert(verificationCodes)
        .values({
          userId: input.userId,
          purpose: input.purpose,
          attributeName: input.attributeName,
          destination: input.destination,
          codeHmac,
          maxAttempts: input.policy.maxAttempts,
          expiresAt,
        })
        .onConflictDoUpdate({
          target: [verificationCodes.userId, verificationCodes.purpose, verificationCodes.attributeName],
          set: {
            destination: input.destination,
            codeHmac,
            attempts: 0,
            maxAttempts: input.policy.maxAttempts,
            expiresAt,
            consumedAt: null,
            createdAt: sql`now()`,
          },
        });
      await tx.insert(codeEvents).values({ userId: input.userId, kind: 'send', purpose: input.purpose });
      const details = codeDeliveryDetails(input.attributeName, input.destination);
      const [outbox] = await tx
        .insert(outboxMessages)
        .values({
          poolId: input.poolId,
          userId: input.userId,
          medium: details.deliveryMedium,
          destination: input.destination,
          purpose: input.purpose,
        })
        .returning({ id: outboxMessages.id });
      return {
        outboxId: outbox!.id,
        code,
        username: input.username,
        purpose: input.purpose,
        attributeName: input.attributeName,
        destination: input.destination,
        details,
      };
    },

    /**
     * Hands committed codes to the courier and records the outcome. A failed send answers
     * CodeDeliveryFailureException; what was committed stays, so the user can ask again.
     */
    async deliver(pending: PendingDelivery[]): Promise<void> {
      let failure: unknown;
      for (const message of pending) {
        try {
          const result = await deps.courier.deliver({
            medium: message.details.deliveryMedium,
            to: message.destination,
            purpose: message.purpose,
            code: message.code,
            username: message.username,
          });
          await db
            .update(outboxMessages)
            .set({
              status: 'sent',
              attempts: sql`${outboxMessages.attempts} + 1`,
              channel: result.channel,
              providerMessageId: result.providerMessageId ?? null,
              sentAt: sql`now()`,
            })
            .where(eq(outboxMessages.id, message.outboxId));
        } catch (error) {
          failure ??= error;
          await db
            .update(outboxMessages)
            .set({ status: 'failed', attempts: sql`${outboxMessages.attempts} + 1`, lastError: providerError(error) })
            .where(eq(outboxMessages.id, message.outboxId));
        }
      }
      if (failure) {
        throw failure instanceof CognitoError ? failure : new CognitoError('CodeDeliveryFailureException', undefined, { cause: failure });
      }
    },

    /**
     * Checks a code without consuming it; returns what the caller needs to consume it in the
     * transaction of its effect. The hourly confirmation limit and the per-code attempt are
     * counted first, each in its own committed statement, so fifty concurrent guesses can
     * never get more comparisons than the limits allow.
     */
    async check(scope: CodeScope & { code: string; policy: CodePolicy }): Promise<{ destination: string; codeHmac: string }> {
      await db.transaction(async (tx) => {
        await tx.select({ id: users.id }).from(users).where(eq(users.id, scope.userId)).for('update');
        if ((await countEvents(tx, scope.userId, 'confirm', scope.purpose)) >= scope.policy.confirmsPerHour) throw limitExceeded();
        await tx.insert(codeEvents).values({ userId: scope.userId, kind: 'confirm', purpose: scope.purpose });
      });
      const key = and(
        eq(verificationCodes.userId, scope.userId),
        eq(verificationCodes.purpose, scope.purpose),
        eq(verificationCodes.attributeName, scope.attributeName),
      );
      const [counted] = await db
        .update(verificationCodes)
        .set({ attempts: sql`${verificationCodes.attempts} + 1` })
        .where(
          and(
            key,
            sql`${verificationCodes.consumedAt} is null`,
            sql`${verificationCodes.attempts} < ${verificationCodes.maxAttempts}`,
            sql`${verificationCodes.expiresAt} > now()`,
          ),
        )
        .returning({ destination: verificationCodes.destination, codeHmac: verificationCodes.codeHmac });
      if (!counted) {
        const [row] = await db.select().from(verificationCodes).where(key);
        if (!row) throw new CognitoError('CodeMismatchException');
        if (row.consumedAt === null && row.attempts >= row.maxAttempts && row.expiresAt > new Date()) {
          throw new CognitoError('TooManyFailedAttemptsException');
        }
        throw new CognitoError('ExpiredCodeException');
      }
      if (!sameHmac(counted.codeHmac, hmacCode(deps.secret, scope, scope.code))) throw new CognitoError('CodeMismatchException');
      return counted;
    },

    /** The attribute the user's live code for `purpose` went to, if one was ever issued. */
    async issuedTo(userId: string, purpose: CodePurpose): Promise<string | undefined> {
      const [row] = await db
        .select({ attributeName: verificationCodes.attributeName })
        .from(verificationCodes)
        .where(and(eq(verificationCodes.userId, userId), eq(verificationCodes.purpose, purpose)))
        .orderBy(desc(verificationCodes.createdAt))
        .limit(1);
      return row?.attributeName;
    },

    /** Marks a checked code used, in the transaction of its effect; a code is good once. */
    async consume(tx: Queryable, scope: CodeScope, codeHmac: string): Promise<void> {
      const used = await tx
        .update(verificationCodes)
        .set({ consumedAt: sql`now()` })
        .where(
          and(
            eq(verificationCodes.userId, scope.userId),
            eq(verificationCodes.purpose, scope.purpose),
            eq(verificationCodes.attributeName, scope.attributeName),
            eq(verificationCodes.codeHmac, codeHmac),
            sql`${verificationCodes.consumedAt} is null`,
          ),
        )
        .returning({ userId: verificationCodes.userId });
      if (used.length === 0) throw new CognitoError('ExpiredCodeException');
    },
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
