/**
 * Cognito's actions of choice-based sign-in (docs/passwordless.md) that are not InitiateAuth or
 * RespondToAuthChallenge (those route USER_AUTH in user-operations.ts).
 */
import type { Static } from 'typebox';
import { invalidParameter } from '../../errors/cognito-error.ts';
import * as In from './operation-inputs.ts';
import { userOperation, type Operation, type OperationContext } from './operation.ts';

export const choiceAuthOperations: Record<string, Operation> = {
  /** The signed-in user's MFA settings and the first factors USER_AUTH would offer them. */
  GetUserAuthFactors: userOperation(In.WithAccessToken, async (input, { services }) => {
    const factors = await services.choiceAuth.authFactors(await services.sessions.authenticate(input.AccessToken));
    return {
      Username: factors.username,
      // Cognito leaves out what the user has not set, as GetUser does.
      ...(factors.preferredMfaSetting !== null && { PreferredMfaSetting: factors.preferredMfaSetting }),
      ...(factors.userMfaSettingList.length > 0 && { UserMFASettingList: factors.userMfaSettingList }),
      ConfiguredUserAuthFactors: factors.configuredUserAuthFactors,
    };
  }),
};

/** A ChallengeResponses entry the answer cannot do without. */
function required(map: Record<string, string> | undefined, name: string): string {
  const value = map?.[name];
  if (value === undefined || value === '') throw invalidParameter(`Missing required parameter ${name}`);
  if (value.length > 16384) throw invalidParameter(`${name} is too long for USER_AUTH.`);
  return value;
}

/**
 * RespondToAuthChallenge with a USER_AUTH session (its token names the flow, auth-sessions.ts):
 * SELECT_CHALLENGE (ANSWER, with PASSWORD or SRP_A for those), PASSWORD and PASSWORD_SRP (the same
 * choice named as the challenge), EMAIL_OTP and SMS_OTP (the code), PASSWORD_VERIFIER (the SRP proof).
 */
export function respondToUserAuth(
  input: Static<typeof In.RespondToAuthChallenge> & { Session: string },
  context: OperationContext,
) {
  const { services, source } = context;
  const name = input.ChallengeName;
  const answers = input.ChallengeResponses;
  const common = {
    clientId: input.ClientId,
    session: input.Session,
    ...(answers?.USERNAME !== undefined && { username: answers.USERNAME }),
    source,
    ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
    // A remembered device (docs/devices.md): its proof follows the first factor, as on every path.
    ...(answers?.DEVICE_KEY ? { deviceKey: answers.DEVICE_KEY.slice(0, 128) } : {}),
  };
  switch (name) {
    case 'SELECT_CHALLENGE':
    case 'PASSWORD':
    case 'PASSWORD_SRP':
      return services.choiceAuth.answerSelectChallenge({
        ...common,
        answer: name === 'SELECT_CHALLENGE' ? required(answers, 'ANSWER') : name,
        ...(answers?.PASSWORD !== undefined && { password: required(answers, 'PASSWORD') }),
        ...(answers?.SRP_A !== undefined && { srpA: required(answers, 'SRP_A') }),
      });
    case 'EMAIL_OTP':
    case 'SMS_OTP':
      return services.choiceAuth.answerCode({
        ...common,
        challengeName: name,
        code: required(answers, `${name}_CODE`),
      });
    case 'PASSWORD_VERIFIER':
      return services.choiceAuth.answerPasswordVerifier({
        ...common,
        secretBlock: required(answers, 'PASSWORD_CLAIM_SECRET_BLOCK'),
        timestamp: required(answers, 'TIMESTAMP'),
        signature: required(answers, 'PASSWORD_CLAIM_SIGNATURE'),
      });
    default:
      throw invalidParameter(
        `${name.slice(0, 64)} does not answer a USER_AUTH session; answer SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP or PASSWORD_VERIFIER.`,
      );
  }
}
