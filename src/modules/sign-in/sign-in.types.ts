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
