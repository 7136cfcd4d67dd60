/**
 * Cognito's user actions over the same services as the REST routes: the attribute engine,
 * codes, delivery and tokens are shared; only the shapes differ.
 */
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { sessionKind } from '../sign-in/auth-sessions.ts';
import type { CustomChallenge, CustomSrpChallenge } from '../sign-in/custom-auth.types.ts';
import type { UserAuthSrpChallenge } from '../sign-in/choice-auth.types.ts';
import type { NewPasswordChallenge, SrpChallenge, StepChallenge } from '../sign-in/sign-in.types.ts';
import type { TokenSet } from '../tokens/sessions.service.ts';
import type { Static } from 'typebox';
import * as In from './operation-inputs.ts';
import { userOperation, type Operation, type OperationContext } from './operation.ts';
import { respondToUserAuth } from './choice-auth-operations.ts';
import { respondToDeviceChallenge } from './device-operations.ts';
import { MFA_CHALLENGES, respondToMfaChallenge, toUserMfaMembers } from './mfa-operations.ts';
import { fromAttributeList, toAttributeList, toAuthenticationResult, toDelivery } from './wire-shapes.ts';

const caller = (context: OperationContext, accessToken: string) => context.services.sessions.authenticate(accessToken);

/** An AuthParameters or ChallengeResponses entry the flow cannot do without. */
function required(map: Record<string, string> | undefined, name: string, flow: string): string {
  const value = map?.[name];
  if (value === undefined || value === '') throw invalidParameter(`Missing required parameter ${name}`);
  if (value.length > 16384) throw invalidParameter(`${name} is too long for ${flow}.`);
  return value;
}

/**
 * Entries of AuthParameters or ChallengeResponses that ask for what Cognate does not do are
 * refused by name, as members are (docs/cognito-settings.md); none at present. (SECRET_HASH
 * proves a confidential client's secret, checked by client-secret-operations.ts and
 * docs/client-secrets.md; DEVICE_KEY names a remembered device: docs/devices.md.)
 */
const UNHONOURED_ENTRIES: Record<string, string> = {};

/** DEVICE_KEY of AuthParameters or ChallengeResponses: a device the client was given before (docs/devices.md). */
const deviceKeyOf = (map: Record<string, string> | undefined) =>
  map?.DEVICE_KEY ? { deviceKey: map.DEVICE_KEY.slice(0, 128) } : {};
function refuseUnhonoured(map: Record<string, string> | undefined, member: string): void {
  for (const key of Object.keys(map ?? {})) {
    if (Object.hasOwn(UNHONOURED_ENTRIES, key))
      throw invalidParameter(`${member}.${key} is not supported by Cognate (yet): ${UNHONOURED_ENTRIES[key]}`);
  }
}

/** InitiateAuth and RespondToAuthChallenge answer a token set or the next challenge alike. */
function signInResult(
  result:
    | TokenSet
    | NewPasswordChallenge
    | SrpChallenge
    | CustomChallenge
    | CustomSrpChallenge
    | UserAuthSrpChallenge
    | StepChallenge,
) {
  if ('accessToken' in result) return { ChallengeParameters: {}, AuthenticationResult: toAuthenticationResult(result) };
  if (
    result.challengeName !== 'NEW_PASSWORD_REQUIRED' &&
    result.challengeName !== 'PASSWORD_VERIFIER' &&
    result.challengeName !== 'CUSTOM_CHALLENGE'
  ) {
    // The steps after (or instead of) the password: Cognito's parameters as they are (docs/mfa.md).
    return {
      ChallengeName: result.challengeName,
      ...(result.session !== undefined && { Session: result.session }),
      ChallengeParameters: result.challengeParameters,
      ...(result.availableChallenges && { AvailableChallenges: result.availableChallenges }),
    };
  }
  if (result.challengeName === 'PASSWORD_VERIFIER' || result.challengeName === 'CUSTOM_CHALLENGE') {
    // Custom authentication's steps carry a Session (docs/custom-auth.md); USER_SRP_AUTH's needs none.
    return {
      ChallengeName: result.challengeName,
      ...('session' in result && { Session: result.session }),
      ChallengeParameters: result.challengeParameters,
    };
  }
  // Cognito's NEW_PASSWORD_REQUIRED parameters are JSON strings, required names prefixed as they must be answered.
  const { requiredAttributes, userAttributes } = result.challengeParameters;
  return {
    ChallengeName: result.challengeName,
    Session: result.session,
    ChallengeParameters: {
      requiredAttributes: JSON.stringify(requiredAttributes.map((name) => `userAttributes.${name}`)),
      userAttributes: JSON.stringify(userAttributes),
    },
  };
}

/** The flows of each face: AdminInitiateAuth has ADMIN_USER_PASSWORD_AUTH (and its old name) instead of USER_PASSWORD_AUTH. */
const AUTH_FLOWS = {
  user: ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH', 'CUSTOM_AUTH', 'USER_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'],
  admin: [
    'ADMIN_USER_PASSWORD_AUTH',
    'ADMIN_NO_SRP_AUTH',
    'USER_SRP_AUTH',
    'CUSTOM_AUTH',
    'USER_AUTH',
    'REFRESH_TOKEN_AUTH',
    'REFRESH_TOKEN',
  ],
};

/**
 * InitiateAuth and AdminInitiateAuth (admin-auth-operations.ts, docs/admin-auth.md): one dispatch
 * over the same sign-in services; the face only says which flows it offers.
 */
export async function initiateAuth(
  input: Static<typeof In.InitiateAuth>,
  { services, source }: OperationContext,
  face: 'user' | 'admin' = 'user',
) {
  const flow = input.AuthFlow;
  const params = input.AuthParameters;
  refuseUnhonoured(params, 'AuthParameters');
  const password = (name: 'USER_PASSWORD_AUTH' | 'ADMIN_USER_PASSWORD_AUTH') =>
    services.signIn.signIn({
      clientId: input.ClientId,
      username: required(params, 'USERNAME', flow),
      password: required(params, 'PASSWORD', flow),
      source,
      ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
      ...deviceKeyOf(params),
      ...(name === 'ADMIN_USER_PASSWORD_AUTH' && { flow: name }),
    });
  switch (flow) {
    case 'USER_PASSWORD_AUTH':
      if (face === 'admin')
        throw invalidParameter('USER_PASSWORD_AUTH is not an AdminInitiateAuth flow; use ADMIN_USER_PASSWORD_AUTH.');
      return signInResult(await password(flow));
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      // The server-side password flow (docs/admin-auth.md); ADMIN_NO_SRP_AUTH is its older name.
      if (face === 'user') throw invalidParameter(`${flow} is a flow of AdminInitiateAuth, not InitiateAuth.`);
      return signInResult(await password('ADMIN_USER_PASSWORD_AUTH'));
    case 'USER_SRP_AUTH':
      return signInResult(
        await services.signIn.startSrpSignIn({
          clientId: input.ClientId,
          username: required(params, 'USERNAME', flow),
          srpA: required(params, 'SRP_A', flow),
          source,
          ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
        }),
      );
    case 'CUSTOM_AUTH': {
      // CHALLENGE_NAME SRP_A with SRP_A: CUSTOM_WITH_SRP, the password proven by SRP first (docs/custom-auth.md).
      const challenge = params?.CHALLENGE_NAME;
      if (challenge !== undefined && challenge !== 'SRP_A') {
        throw invalidParameter(
          `AuthParameters.CHALLENGE_NAME ${challenge.slice(0, 64)} is not supported with CUSTOM_AUTH; give SRP_A (with SRP_A) or nothing.`,
        );
      }
      const start = {
        clientId: input.ClientId,
        username: required(params, 'USERNAME', flow),
        source,
        ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
      };
      return signInResult(
        challenge === 'SRP_A'
          ? await services.customAuth.initiateWithSrp({ ...start, srpA: required(params, 'SRP_A', flow) })
          : await services.customAuth.initiate(start),
      );
    }
    case 'USER_AUTH':
      // Choice-based and passwordless sign-in (docs/passwordless.md).
      return signInResult(
        await services.choiceAuth.initiate({
          clientId: input.ClientId,
          username: required(params, 'USERNAME', flow),
          ...(params?.PREFERRED_CHALLENGE !== undefined && { preferredChallenge: params.PREFERRED_CHALLENGE }),
          ...(params?.PASSWORD !== undefined && { password: required(params, 'PASSWORD', flow) }),
          ...(params?.SRP_A !== undefined && { srpA: required(params, 'SRP_A', flow) }),
          ...deviceKeyOf(params),
          source,
          ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
        }),
      );
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      return signInResult(
        await services.signIn.refresh({
          clientId: input.ClientId,
          refreshToken: required(params, 'REFRESH_TOKEN', flow),
          ...deviceKeyOf(params),
        }),
      );
    default:
      throw invalidParameter(
        /^[A-Z_]+$/.test(flow)
          ? `${flow} is not supported by Cognate; use one of ${AUTH_FLOWS[face].join(', ')}.`
          : `1 validation error detected: Value '${flow.slice(0, 64)}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [${AUTH_FLOWS[face].join(', ')}]`,
      );
  }
}

/**
 * RespondToAuthChallenge and AdminRespondToAuthChallenge (admin-auth-operations.ts): every challenge
 * Cognate issues is answered here, whichever face started the sign-in.
 */
export async function respondToAuthChallenge(
  input: Static<typeof In.RespondToAuthChallenge>,
  context: OperationContext,
) {
  const { services, source } = context;
  const name = input.ChallengeName;
  const answers = input.ChallengeResponses;
  refuseUnhonoured(answers, 'ChallengeResponses');
  // USER_AUTH's steps: its sessions name their flow (docs/passwordless.md).
  if (input.Session !== undefined && sessionKind(input.Session) === 'user-auth') {
    return signInResult(await respondToUserAuth({ ...input, Session: input.Session }, context));
  }
  // A remembered device's proof (docs/devices.md).
  if (name === 'DEVICE_SRP_AUTH' || name === 'DEVICE_PASSWORD_VERIFIER')
    return respondToDeviceChallenge(input, context);
  // A second factor (docs/mfa.md); EMAIL_OTP of a USER_AUTH session went above.
  if (MFA_CHALLENGES.includes(name)) return signInResult(await respondToMfaChallenge(input, context));
  // The SRP proof PASSWORD_VERIFIER answers with, whichever flow issued it.
  const srpProof = () => ({
    secretBlock: required(answers, 'PASSWORD_CLAIM_SECRET_BLOCK', name),
    timestamp: required(answers, 'TIMESTAMP', name),
    signature: required(answers, 'PASSWORD_CLAIM_SIGNATURE', name),
  });
  if (name === 'PASSWORD_VERIFIER' && input.Session !== undefined) {
    // Only custom authentication's SRP step (CUSTOM_WITH_SRP) hands out a Session with PASSWORD_VERIFIER.
    return signInResult(
      await services.customAuth.answerPasswordVerifier({
        clientId: input.ClientId,
        session: input.Session,
        username: required(answers, 'USERNAME', name),
        ...srpProof(),
        source,
        ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
        ...deviceKeyOf(answers),
      }),
    );
  }
  if (name === 'CUSTOM_CHALLENGE') {
    if (!input.Session) throw invalidParameter('Missing required parameter Session');
    return signInResult(
      await services.customAuth.answerCustomChallenge({
        clientId: input.ClientId,
        session: input.Session,
        username: required(answers, 'USERNAME', name),
        answer: required(answers, 'ANSWER', name),
        ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
        ...deviceKeyOf(answers),
      }),
    );
  }
  if (name === 'PASSWORD_VERIFIER') {
    return signInResult(
      await services.signIn.answerSrpChallenge({
        clientId: input.ClientId,
        ...srpProof(),
        source,
        ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
        ...deviceKeyOf(answers),
      }),
    );
  }
  if (name === 'NEW_PASSWORD_REQUIRED') {
    if (!input.Session) throw invalidParameter('Missing required parameter Session');
    // Required attributes come back as `userAttributes.<name>` entries of the responses.
    const userAttributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(answers ?? {})) {
      if (key.startsWith('userAttributes.')) userAttributes[key.slice('userAttributes.'.length)] = value;
    }
    return signInResult(
      await services.signIn.respondToNewPasswordChallenge({
        clientId: input.ClientId,
        session: input.Session,
        newPassword: required(answers, 'NEW_PASSWORD', name),
        userAttributes,
        ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
        ...deviceKeyOf(answers),
        source,
      }),
    );
  }
  throw invalidParameter(
    `${name.slice(0, 64)} is not a challenge Cognate issues; answer PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED or CUSTOM_CHALLENGE.`,
  );
}

export const userOperations: Record<string, Operation> = {
  SignUp: userOperation(In.SignUp, async (input, { services }) => {
    const result = await services.registration.signUp({
      clientId: input.ClientId,
      username: input.Username,
      password: input.Password,
      userAttributes: fromAttributeList(input.UserAttributes),
      ...(input.ValidationData && { validationData: fromAttributeList(input.ValidationData) }),
      ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
    });
    return {
      UserConfirmed: result.userConfirmed,
      UserSub: result.userSub,
      ...(result.codeDeliveryDetails && { CodeDeliveryDetails: toDelivery(result.codeDeliveryDetails) }),
    };
  }),

  ConfirmSignUp: userOperation(In.ConfirmSignUp, async (input, { services }) => {
    await services.registration.confirmSignUp({
      clientId: input.ClientId,
      username: input.Username,
      confirmationCode: input.ConfirmationCode,
      ...(input.ForceAliasCreation !== undefined && { forceAliasCreation: input.ForceAliasCreation }),
      ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
    });
    return {};
  }),

  ResendConfirmationCode: userOperation(In.ResendConfirmationCode, async (input, { services }) => {
    const result = await services.registration.resendConfirmationCode({
      clientId: input.ClientId,
      username: input.Username,
      ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
    });
    return { CodeDeliveryDetails: toDelivery(result.codeDeliveryDetails) };
  }),

  InitiateAuth: userOperation(In.InitiateAuth, (input, context) => initiateAuth(input, context)),

  RespondToAuthChallenge: userOperation(In.RespondToAuthChallenge, (input, context) =>
    respondToAuthChallenge(input, context),
  ),

  /** Amplify v6 refreshes its tokens with this action. */
  GetTokensFromRefreshToken: userOperation(In.GetTokensFromRefreshToken, async (input, { services }) => ({
    AuthenticationResult: toAuthenticationResult(
      await services.signIn.refresh({
        clientId: input.ClientId,
        refreshToken: input.RefreshToken,
        ...(input.DeviceKey !== undefined && { deviceKey: input.DeviceKey }),
      }),
    ),
  })),

  GetUser: userOperation(In.WithAccessToken, async (input, context) => {
    const who = await caller(context, input.AccessToken);
    const me = await context.services.account.getMe(who);
    return {
      Username: me.username,
      UserAttributes: toAttributeList(me.attributes),
      // PreferredMfaSetting, UserMFASettingList, MFAOptions (docs/mfa.md).
      ...toUserMfaMembers(await context.services.mfa.settingsOf(who.user.id)),
    };
  }),

  UpdateUserAttributes: userOperation(In.UpdateUserAttributes, async (input, context) => {
    const results = await context.services.account.updateAttributes(
      await caller(context, input.AccessToken),
      fromAttributeList(input.UserAttributes),
      input.ClientMetadata,
    );
    // Amplify marks every attribute done unless this list names it as awaiting a code.
    const CodeDeliveryDetailsList = Object.values(results).flatMap((r) =>
      r.nextStep.codeDeliveryDetails ? [toDelivery(r.nextStep.codeDeliveryDetails)] : [],
    );
    return { CodeDeliveryDetailsList };
  }),

  DeleteUserAttributes: userOperation(In.DeleteUserAttributes, async (input, context) => {
    await context.services.account.deleteAttributes(await caller(context, input.AccessToken), input.UserAttributeNames);
    return {};
  }),

  GetUserAttributeVerificationCode: userOperation(In.GetUserAttributeVerificationCode, async (input, context) => {
    const result = await context.services.account.sendAttributeCode(
      await caller(context, input.AccessToken),
      input.AttributeName,
      input.ClientMetadata,
    );
    return { CodeDeliveryDetails: toDelivery(result.codeDeliveryDetails) };
  }),

  VerifyUserAttribute: userOperation(In.VerifyUserAttribute, async (input, context) => {
    await context.services.account.verifyAttribute(await caller(context, input.AccessToken), input.AttributeName, {
      confirmationCode: input.Code,
    });
    return {};
  }),

  ChangePassword: userOperation(In.ChangePassword, async (input, context) => {
    if (input.PreviousPassword === undefined) throw invalidParameter('Missing required parameter PreviousPassword');
    await context.services.account.changePassword(await caller(context, input.AccessToken), {
      previousPassword: input.PreviousPassword,
      proposedPassword: input.ProposedPassword,
    });
    return {};
  }),

  ForgotPassword: userOperation(In.ForgotPassword, async (input, { services }) => {
    const result = await services.recovery.forgotPassword({
      clientId: input.ClientId,
      username: input.Username,
      ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
    });
    return { CodeDeliveryDetails: toDelivery(result.codeDeliveryDetails) };
  }),

  ConfirmForgotPassword: userOperation(In.ConfirmForgotPassword, async (input, { services }) => {
    await services.recovery.confirmForgotPassword({
      clientId: input.ClientId,
      username: input.Username,
      confirmationCode: input.ConfirmationCode,
      password: input.Password,
      ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
    });
    return {};
  }),

  GlobalSignOut: userOperation(In.WithAccessToken, async (input, context) => {
    await context.services.account.signOut(await caller(context, input.AccessToken));
    return {};
  }),

  RevokeToken: userOperation(In.RevokeToken, async (input, { services }) => {
    // Only refresh tokens can be revoked; an access or ID token (a JWT) is named as Cognito names it.
    if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(input.Token)) throw new CognitoError('UnsupportedTokenTypeException');
    await services.sessions.revokeRefreshToken(input.ClientId, input.Token);
    return {};
  }),

  DeleteUser: userOperation(In.WithAccessToken, async (input, context) => {
    await context.services.account.deleteSelf(await caller(context, input.AccessToken));
    return {};
  }),
};
