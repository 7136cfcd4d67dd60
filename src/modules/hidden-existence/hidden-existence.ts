import { createHmac } from 'node:crypto';
import { CognitoError } from '../../errors/cognito-error.ts';
import { emailKey, isEmailAddress, isPhoneNumber, type VerifiableAttribute } from '../attributes/index.ts';
import { codeDeliveryDetails, type CodeDeliveryDetails } from '../courier/index.ts';
import type { Pool } from '../pools/pools.types.ts';
import { usernameKey } from '../user-store/users.repository.ts';
import type { VerificationService } from '../verification/verification.service.ts';
import { createLatencyCover } from './latency-cover.ts';

/**
 * What the flows answer where a client hides whether a user exists (PreventUserExistenceErrors,
 * docs/security.md, "What is hidden"): stand-ins for unknown users that look and take as long as
 * a real user's answers. One instance is shared by registration, sign-in and recovery, so the
 * times learnt from real users' confirmations cover every flow that confirms a code.
 */

/** The user id a simulated answer carries (a fake SRP challenge, a stand-in read): no user has it. */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

export const codeMismatch = () => new CognitoError('CodeMismatchException');
/** The ways a code check fails; where existence is hidden, all of them answer as a wrong code. */
const CODE_FAILURES = new Set([
  'CodeMismatchException',
  'ExpiredCodeException',
  'TooManyFailedAttemptsException',
  'LimitExceededException',
]);

/** A name as the pool compares it, so spellings of one name get one stand-in (fake SRP salt, id). */
export const comparedName = (pool: Pool, name: string) =>
  isEmailAddress(name) ? emailKey(name) : usernameKey(pool, name);

export function createHiddenExistence(deps: {
  verification: VerificationService;
  /** Keys the stand-ins. */ secret: string;
}) {
  /** With existence hidden, answers for unknown users take as long as a real user's (resend, confirm). */
  const times = createLatencyCover();

  return {
    times,

    /**
     * Checks a code given with a user's name. Where the client hides existence, every way a code can
     * fail (wrong, expired, used up, the hourly limit) answers CodeMismatchException, as an unknown
     * user's does, and takes as long: any other answer would say the user exists (docs/security.md).
     */
    async checkCode(
      hidden: boolean,
      pool: Pool,
      startedAt: number,
      scope: Parameters<VerificationService['check']>[0],
    ) {
      if (!hidden) return deps.verification.check(scope);
      try {
        return await deps.verification.check(scope);
      } catch (error) {
        if (!(error instanceof CognitoError) || !CODE_FAILURES.has(error.name)) throw error;
        times.record(`confirm:${pool.id}`, startedAt);
        throw codeMismatch();
      }
    },

    /**
     * USER_ID_FOR_SRP for a name no user has (docs/security.md, "SRP"): the name itself where it
     * could be a username of this pool, as a real username comes back; otherwise (an email or phone
     * in an alias pool, any name where usernames are subs) a sub-like id from a keyed hash of the
     * name, as a real alias comes back as its user's username.
     */
    fakeSrpUserId(pool: Pool, name: string): string {
      const { aliasAttributes, usernameAttributes } = pool.attributeSettings;
      const aliasShaped =
        (aliasAttributes.includes('email') && isEmailAddress(name)) ||
        (aliasAttributes.includes('phone_number') && isPhoneNumber(name));
      if (usernameAttributes.length === 0 && !aliasShaped) return name;
      const hex = createHmac('sha256', deps.secret)
        .update(`cognate fake srp user\0${pool.id}\0${comparedName(pool, name)}`)
        .digest('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Number.parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },

    /**
     * What a hidden user (unknown, or one whose state must not show) is told: a destination on the
     * flow's first channel (`channels`, in the order a real user's code takes them), masked as a real
     * one is. A name that is itself an address on one of them is masked as that address; any other
     * name gets letters from a keyed hash of it, stable across calls (asking twice shows nothing) and
     * showing nothing of the name's spelling (docs/security.md).
     */
    simulatedDelivery(pool: Pool, name: string, channels: readonly VerifiableAttribute[]): CodeDeliveryDetails {
      if (channels.includes('phone_number') && isPhoneNumber(name)) return codeDeliveryDetails('phone_number', name);
      if (channels.includes('email') && isEmailAddress(name)) return codeDeliveryDetails('email', name);
      const digest = createHmac('sha256', deps.secret)
        .update(`cognate simulated delivery\0${pool.id}\0${comparedName(pool, name)}`)
        .digest();
      if (channels[0] === 'phone_number')
        return codeDeliveryDetails('phone_number', `+1${String(digest.readUInt32BE(1) % 10_000).padStart(4, '0')}`);
      const letter = (byte: number) => 'abcdefghijklmnopqrstuvwxyz'[byte % 26]!;
      return codeDeliveryDetails('email', `${letter(digest[5]!)}@${letter(digest[6]!)}`);
    },
  };
}

export type HiddenExistence = ReturnType<typeof createHiddenExistence>;
