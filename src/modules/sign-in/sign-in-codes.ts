import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import { codeDeliveryDetails, type CodeDeliveryDetails, type MessageContext, type Outbox } from '../courier/index.ts';
import type { Pool } from '../pools/pools.types.ts';
import type { RateLimitCounters } from '../rate-limits/counters.ts';
import { generateCode, hmacCode, sameHmac } from '../verification/codes.ts';

/** The cap on one user's codes from all addresses together, in multiples of the per-address cap. */
const ALL_SOURCES_FACTOR = 10;
const HOUR_MS = 3_600_000;

/**
 * One-time sign-in codes (docs/mfa.md, "Codes"): an MFA code by SMS or email, or a passwordless
 * EMAIL_OTP / SMS_OTP. Unlike verification codes they belong to one sign-in, not to the user: the
 * code's HMAC is kept in that sign-in's stored session (auth-sessions.ts) and its attempts are
 * counted there, so another sign-in of the same user (someone else's, with a stolen password)
 * neither replaces nor uses up this one's code. The message goes through the outbox with the
 * purpose AUTHENTICATION (the pool's templates, CustomMessage_Authentication).
 */

export type CodeAttribute = 'email' | 'phone_number';

export interface SentSignInCode {
  /** HMAC of the code, bound to the user and the session's nonce: keep it in the session's state. */
  codeHmac: string;
  delivery: CodeDeliveryDetails;
}

export function createSignInCodes(deps: {
  db: Db;
  secret: string;
  outbox: Outbox;
  sendCounter: Pick<RateLimitCounters, 'hit'>;
}) {
  const scope = (userId: string, nonce: string) => ({ userId, purpose: 'AUTHENTICATION', attributeName: nonce });

  return {
    /**
     * The pool's hourly cap on sign-in codes (codePolicy.sendsPerHour, as for verification codes),
     * counted before a code is sent: per user and source address, so one address cannot use up the
     * codes of a user signing in from elsewhere; and ten times that per user from all addresses, which
     * bounds a flood of one inbox or phone (docs/mfa.md, docs/passwordless.md "Limits").
     * `whose`: the user's id, or a stand-in's key where existence is hidden. LimitExceededException past it.
     */
    async allowSend(input: { pool: Pool; flow: 'mfa' | 'user-auth'; whose: string; source?: string }) {
      const key = (scope: string) =>
        createHash('sha256')
          .update(`${input.flow} code send\0${input.pool.id}\0${input.whose}\0${scope}`)
          .digest('base64url');
      const cap = input.pool.policies.codes.sendsPerHour;
      if (input.source !== undefined) {
        const { hits } = await deps.sendCounter.hit(key(`source:${input.source}`), HOUR_MS);
        if (hits > cap) throw new CognitoError('LimitExceededException');
      }
      const { hits } = await deps.sendCounter.hit(key('all'), HOUR_MS);
      if (hits > cap * ALL_SOURCES_FACTOR) throw new CognitoError('LimitExceededException');
    },

    /**
     * Sends a new code to the user's email or phone number and returns what checks it. `nonce`:
     * a value unique to the sign-in (a random string kept in the session's state), so a code
     * works only in the sign-in it was sent for. A permanent delivery failure throws
     * CodeDeliveryFailureException; a transient one is retried by the delivery worker.
     */
    async send(input: {
      pool: Pool;
      user: { id: string; username: string };
      attribute: CodeAttribute;
      destination: string;
      nonce: string;
      locale?: string | null;
      /** CustomMessage_Authentication, the client and the request's ClientMetadata. */
      context?: MessageContext;
    }): Promise<SentSignInCode> {
      const code = generateCode();
      const details = codeDeliveryDetails(input.attribute, input.destination);
      const message = await deps.outbox.enqueue(deps.db, {
        poolId: input.pool.id,
        userId: input.user.id,
        username: input.user.username,
        medium: details.deliveryMedium,
        destination: input.destination,
        purpose: 'AUTHENTICATION',
        secret: code,
        attributeName: input.attribute,
        locale: input.locale ?? null,
        context: { triggerSource: 'CustomMessage_Authentication', ...input.context },
      });
      await deps.outbox.sendNow([message]);
      return { codeHmac: hmacCode(deps.secret, scope(input.user.id, input.nonce), code), delivery: details };
    },

    /** Whether `given` is the code that `codeHmac` was made from, for this user and nonce (constant time). */
    matches(input: { userId: string; nonce: string; codeHmac: string; given: string }): boolean {
      if (!/^\d{6}$/.test(input.given)) return false;
      return sameHmac(input.codeHmac, hmacCode(deps.secret, scope(input.userId, input.nonce), input.given));
    },
  };
}

export type SignInCodes = ReturnType<typeof createSignInCodes>;
