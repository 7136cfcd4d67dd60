/** What custom authentication (custom-auth.ts, docs/custom-auth.md) answers between its steps. */

/** One entry of the `session` list the Define and Create hooks receive (Cognito's ChallengeResult). */
export interface ChallengeResult {
  challengeName: 'SRP_A' | 'PASSWORD_VERIFIER' | 'CUSTOM_CHALLENGE';
  challengeResult: boolean;
  challengeMetadata?: string;
}

/** A challenge of the custom flow: the public challenge parameters (and USERNAME), and the next session. */
export interface CustomChallenge {
  challengeName: 'CUSTOM_CHALLENGE';
  session: string;
  challengeParameters: Record<string, string>;
}

/** CUSTOM_WITH_SRP's first step: SRP's PASSWORD_VERIFIER, answered with the session. */
export interface CustomSrpChallenge {
  challengeName: 'PASSWORD_VERIFIER';
  session: string;
  challengeParameters: { SALT: string; SRP_B: string; SECRET_BLOCK: string; USER_ID_FOR_SRP: string; USERNAME: string };
}
