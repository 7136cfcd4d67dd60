/** Choice-based sign-in's contract (USER_AUTH, docs/passwordless.md). */

/** Cognito's AuthFactorType: what a user may sign in with first. WEB_AUTHN waits for passkeys. */
export type FirstAuthFactor = 'PASSWORD' | 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN';

/** Cognito's SignInPolicy; a pool made before issue 17 allows PASSWORD only. */
export interface SignInPolicy {
  allowedFirstAuthFactors: FirstAuthFactor[];
}
