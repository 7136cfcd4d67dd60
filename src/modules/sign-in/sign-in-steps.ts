import { createHash } from 'node:crypto';
import type { UserAttributeState } from '../attributes/index.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import type { ClientMetadata } from '../triggers/trigger-events.ts';
import type { UserRow } from '../user-store/users.repository.ts';

import type { StepChallenge } from './sign-in.types.ts';

/**
 * A sign-in whose first factor (password, SRP, custom challenges, a passwordless code) is proven,
 * as the steps after it see it (sign-in.service.ts `completeSignIn`).
 */
export interface ProvenSignIn {
  pool: Pool;
  client: AppClient;
  user: UserRow;
  state: UserAttributeState;
  /** RespondToAuthChallenge's ClientMetadata, for PostAuthentication (Cognito does not pass InitiateAuth's). */
  clientMetadata?: ClientMetadata;
  /** The DEVICE_KEY the client sent with the sign-in: a device it was given before (docs/devices.md). */
  deviceKey?: string;
  /**
   * Set once that device proved itself (DEVICE_PASSWORD_VERIFIER, docs/devices.md): the devices
   * step is done, the tokens carry its key and no new device key is issued. `skipsMfa`: a
   * remembered device the pool lets stand in for the second factor, so the MFA step asks nothing.
   * Steps that keep a sign-in in a session (MFA) keep `deviceKey` and `device` with it.
   */
  device?: { deviceKey: string; skipsMfa: boolean };
  /** The caller's address: lockouts are kept per user and source. */
  source?: string;
  /**
   * What proved the first factor when it was not the password: a passwordless code (USER_AUTH,
   * docs/passwordless.md) is not followed by MFA, as in Cognito.
   */
  firstFactor?: 'EMAIL_OTP' | 'SMS_OTP';
}

/**
 * A step between the proven first factor and the tokens, in this order (docs/mfa.md, "Order"):
 * a remembered device's proof (DEVICE_SRP_AUTH), then the second factor. Each answers a challenge,
 * or nothing to let the sign-in go on; a step that answers a challenge finishes the sign-in itself
 * once its challenge is answered (sign-in-finish.ts).
 */
export type AfterFirstFactor = (signIn: ProvenSignIn) => Promise<StepChallenge | undefined>;

/**
 * What a step keeps in its session to notice a password changed (or reset) meanwhile: a short
 * digest of the stored hash, never the hash. Read the user again before taking it: a sign-in may
 * have just re-hashed the password with the current parameters.
 */
export const passwordStamp = (user: Pick<UserRow, 'passwordHash'>) =>
  createHash('sha256')
    .update(user.passwordHash ?? '')
    .digest('base64url')
    .slice(0, 22);
