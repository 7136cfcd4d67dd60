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
