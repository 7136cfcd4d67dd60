import type { Queryable } from '../../db/client.ts';
import type { CodePurpose } from '../../db/schema/verification.ts';
import type { UpdatePlan, VerifiableAttribute } from '../attributes/index.ts';
import type { MessageContext } from '../courier/index.ts';
import type { Pool } from '../pools/pools.types.ts';
import { attributeValue, type UserRow } from '../user-store/users.repository.ts';
import type { PendingDelivery, VerificationService } from './verification.service.ts';

/**
 * Issues a code for a user inside the caller's transaction (which holds the user's row lock):
 * the pool's lifetime for the purpose, its limits, and the user's locale for the message.
 * One place for user and admin flows alike.
 */
export async function issueUserCode(
  verification: VerificationService,
  tx: Queryable,
  pool: Pool,
  user: Pick<UserRow, 'id' | 'username'>,
  purpose: CodePurpose,
  attributeName: VerifiableAttribute,
  destination: string,
  /** The user's locale attribute when the caller has it at hand (undefined: read it). */
  locale?: string | null,
  /** For the CustomMessage trigger (docs/trigger-events.md). */
  context?: MessageContext,
): Promise<PendingDelivery> {
  const { codes } = pool.policies;
  const ttlSeconds = {
    SIGN_UP: codes.signUpCodeTtlSeconds,
    VERIFY_ATTRIBUTE: codes.attributeCodeTtlSeconds,
    FORGOT_PASSWORD: codes.passwordResetCodeTtlSeconds,
  }[purpose];
  return verification.issue(tx, {
    poolId: pool.id,
    userId: user.id,
    username: user.username,
    purpose,
    attributeName,
    destination,
    ttlSeconds,
    policy: codes,
    locale: locale === undefined ? await attributeValue(tx, user.id, 'locale') : locale,
    ...(context && { context }),
  });
}

/** Runs a write, then hands its codes to the courier once it has committed. */
export async function withDeliveries<T>(
  verification: VerificationService,
  work: (deliveries: PendingDelivery[]) => Promise<T>,
): Promise<T> {
  const deliveries: PendingDelivery[] = [];
  const result = await work(deliveries);
  await verification.deliver(deliveries);
  return result;
}

/** The codes an attribute update plan asks for: one to each pending value, or to a new value to verify. */
export async function issuePlanCodes(
  verification: VerificationService,
  tx: Queryable,
  pool: Pool,
  user: Pick<UserRow, 'id' | 'username'>,
  plan: Pick<UpdatePlan, 'codesFor' | 'pending' | 'set'>,
  /** For the CustomMessage trigger; its source is CustomMessage_UpdateUserAttribute. */
  context?: MessageContext,
): Promise<PendingDelivery[]> {
  const deliveries: PendingDelivery[] = [];
  for (const name of plan.codesFor) {
    deliveries.push(
      await issueUserCode(
        verification,
        tx,
        pool,
        user,
        'VERIFY_ATTRIBUTE',
        name,
        plan.pending[name] ?? plan.set[name]!,
        undefined,
        context,
      ),
    );
  }
  return deliveries;
}
