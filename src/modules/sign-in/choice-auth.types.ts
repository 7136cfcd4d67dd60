import type { MfaFactor } from '../mfa/mfa.types.ts';

/** What choice-based sign-in (USER_AUTH, choice-auth.ts, docs/passwordless.md) answers between its steps. */

/** A first factor a USER_AUTH sign-in may choose, as Cognito's challenges name it (WEB_AUTHN waits for passkeys). */
export type FirstFactorChallenge = 'PASSWORD' | 'PASSWORD_SRP' | 'EMAIL_OTP' | 'SMS_OTP';

/** PASSWORD_SRP's first step: SRP's PASSWORD_VERIFIER, answered with the session (as CUSTOM_WITH_SRP's). */
export interface UserAuthSrpChallenge {
  challengeName: 'PASSWORD_VERIFIER';
  session: string;
  challengeParameters: { SALT: string; SRP_B: string; SECRET_BLOCK: string; USER_ID_FOR_SRP: string; USERNAME: string };
}

/** GetUserAuthFactors: the user's MFA settings and the first factors they can sign in with. */
export interface UserAuthFactors {
  username: string;
  preferredMfaSetting: MfaFactor | null;
  userMfaSettingList: MfaFactor[];
  configuredUserAuthFactors: ('PASSWORD' | 'EMAIL_OTP' | 'SMS_OTP')[];
}
