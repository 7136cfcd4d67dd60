import { and, count, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { codeEvents, verificationCodes, type CodePurpose } from '../../db/schema/verification.ts';
import { lockUser } from '../user-store/users.repository.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import type { VerifiableAttribute } from '../attributes/index.ts';
import {
  codeDeliveryDetails,
  type CodeDeliveryDetails,
  type MessageContext,
  type Outbox,
  type QueuedMessage,
} from '../courier/index.ts';
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
  /** The outbox message, with the code in memory for the immediate send. */
  message: QueuedMessage;
}

export interface CodeScope {
  userId: string;
  purpose: CodePurpose;
  attributeName: string;
}

const limitExceeded = () => new CognitoError('LimitExceededException');
const hourAgo = sql`now() - interval '1 hour'`;

export function createVerificationService(deps: { db: Db; secret: string; outbox: Outbox; logger: Logger }) {
  const { db } = deps;

  async function countEvents(
    q: Queryable,
    userId: string,
    kind: 'send' | 'confirm',
    purpose: CodePurpose,
  ): Promise<number> {
    const [row] = await q
      .select({ n: count() })
      .from(codeEvents)
      .where(
        and(
          eq(codeEvents.userId, userId),
          eq(codeEvents.kind, kind),
          eq(codeEvents.purpose, purpose),
          gt(codeEvents.at, hourAgo),
        ),
      );
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
      input: CodeScope & {
        poolId: string;
        username: string;
        attributeName: VerifiableAttribute;
        destination: string;
        ttlSeconds: number;
        policy: CodePolicy;
        /** The user's `locale` attribute: picks the pool's translation of the message. */
        locale?: string | null;
        /** For the CustomMessage trigger: the finer trigger source, the client and its ClientMetadata. */
        context?: MessageContext;
      },
    ): Promise<PendingDelivery> {
      if ((await countEvents(tx, input.userId, 'send', input.purpose)) >= input.policy.sendsPerHour)
        throw limitExceeded();
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
      const message = await deps.outbox.enqueue(tx, {
        poolId: input.poolId,
        userId: input.userId,
        username: input.username,
        medium: details.deliveryMedium,
        destination: input.destination,
        purpose: input.purpose,
        secret: code,
        attributeName: input.attributeName,
        locale: input.locale ?? null,
        ...(input.context && { context: input.context }),
      });
      return {
        outboxId: message.id,
        code,
        username: input.username,
        purpose: input.purpose,
        attributeName: input.attributeName,
        destination: input.destination,
        details,
        message,
      };
    },

    /**
     * After commit: one immediate try at each code's message. A permanent failure answers
     * CodeDeliveryFailureException (what was committed stays, so the user can ask again);
     * a transient one answers success and the delivery worker retries.
     */
    async deliver(pending: PendingDelivery[]): Promise<void> {
      await deps.outbox.sendNow(pending.map((p) => p.message));
    },

    /**
     * Checks a code without consuming it; returns what the caller needs to consume it in the
     * transaction of its effect. The hourly confirmation limit and the per-code attempt are
     * counted first, each in its own committed statement, so fifty concurrent guesses can
     * never get more comparisons than the limits allow.
     */
    async check(
      scope: CodeScope & { code: string; policy: CodePolicy },
    ): Promise<{ destination: string; codeHmac: string }> {
      await db.transaction(async (tx) => {
        await lockUser(tx, scope.userId);
        if ((await countEvents(tx, scope.userId, 'confirm', scope.purpose)) >= scope.policy.confirmsPerHour)
          throw limitExceeded();
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
      if (!sameHmac(counted.codeHmac, hmacCode(deps.secret, scope, scope.code)))
        throw new CognitoError('CodeMismatchException');
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
