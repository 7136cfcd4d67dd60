import type { UserAttributeState } from '../attributes/index.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import type { ClientMetadata } from '../triggers/trigger-events.ts';
import type { UserRow } from '../user-store/users.repository.ts';

/** What a sign-in answers when it needs more than the password. */

export interface NewPasswordChallenge {
  challengeName: 'NEW_PASSWORD_REQUIRED';
  session: string;
  challengeParameters: { requiredAttributes: string[]; userAttributes: Record<string, string> };
}

export interface SrpChallenge {
  challengeName: 'PASSWORD_VERIFIER';
  challengeParameters: { SALT: string; SRP_B: string; SECRET_BLOCK: string; USER_ID_FOR_SRP: string; USERNAME: string };
}

/**
 * A challenge of the steps after the first factor or before it (docs/mfa.md, docs/devices.md,
 * docs/passwordless.md): Cognito's names, its parameters as strings, and the stored session that
 * carries the sign-in to the answer (auth-sessions.ts).
 */
export interface StepChallenge {
  challengeName:
    | 'SMS_MFA'
    | 'SOFTWARE_TOKEN_MFA'
    | 'EMAIL_OTP'
    | 'SELECT_MFA_TYPE'
    | 'MFA_SETUP'
    | 'DEVICE_SRP_AUTH'
    | 'DEVICE_PASSWORD_VERIFIER'
    | 'SELECT_CHALLENGE'
    | 'SMS_OTP'
    | 'PASSWORD'
    | 'PASSWORD_SRP';
  session?: string;
  challengeParameters: Record<string, string>;
  /** SELECT_CHALLENGE (USER_AUTH): Cognito's AvailableChallenges. */
  availableChallenges?: string[];
}

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
  /** The caller's address: lockouts are kept per user and source. */
  source?: string;
}

/**
 * A step between the proven first factor and the tokens, in this order (docs/mfa.md, "Order"):
 * a remembered device's proof (DEVICE_SRP_AUTH), then the second factor. Each answers a challenge,
 * or nothing to let the sign-in go on; a step that answers a challenge finishes the sign-in itself
 * once its challenge is answered (sign-in-finish.ts).
 */
export type AfterFirstFactor = (signIn: ProvenSignIn) => Promise<StepChallenge | undefined>;
