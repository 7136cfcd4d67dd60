/**
 * Cognito's MFA actions (docs/mfa.md) over the MFA service: the pool's setting
 * (SetUserPoolMfaConfig, GetUserPoolMfaConfig), TOTP (AssociateSoftwareToken, VerifySoftwareToken)
 * and a user's factors (SetUserMFAPreference, AdminSetUserMFAPreference). The challenges are
 * answered on RespondToAuthChallenge (user-operations.ts).
 */
import { Type, type Static } from 'typebox';
import { invalidParameter } from '../../errors/cognito-error.ts';
import type { MfaConfiguration, MfaFactor, UserMfaSettings } from '../mfa/mfa.types.ts';
import type { FactorPreference, MfaPreferenceInput, PoolMfaView } from '../mfa/mfa.service.ts';
import * as In from './operation-inputs.ts';
import { AccessToken, UserPoolId, Username } from './operation-inputs.ts';
import { adminOperation, userOperation, type Operation, type OperationContext } from './operation.ts';

const object = <P extends Record<string, Parameters<typeof Type.Object>[0][string]>>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const closed = <P extends Record<string, Parameters<typeof Type.Object>[0][string]>>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });

const Session = Type.String({ minLength: 20, maxLength: 2048 });
const FactorSettings = Type.Optional(
  closed({ Enabled: Type.Optional(Type.Boolean()), PreferredMfa: Type.Optional(Type.Boolean()) }),
);
/** Whatever settings-table.ts lets through (plumbing and off values) is checked there. */
const Anything = Type.Optional(Type.Unknown());

const SetUserPoolMfaConfig = object({
  UserPoolId,
  MfaConfiguration: Type.Optional(Type.Enum(['OFF', 'ON', 'OPTIONAL'])),
  SmsMfaConfiguration: Type.Optional(
    object({
      // Cognito's SmsVerificationMessageType: 6 to 140 characters, with {####} (checked with the templates).
      SmsAuthenticationMessage: Type.Optional(Type.String({ minLength: 6, maxLength: 140 })),
      SmsConfiguration: Anything,
    }),
  ),
  SoftwareTokenMfaConfiguration: Type.Optional(closed({ Enabled: Type.Optional(Type.Boolean()) })),
  EmailMfaConfiguration: Type.Optional(
    closed({
      Message: Type.Optional(Type.String({ minLength: 6, maxLength: 20000 })),
      Subject: Type.Optional(Type.String({ minLength: 1, maxLength: 140 })),
    }),
  ),
  WebAuthnConfiguration: Anything,
});
const UserPoolOnly = object({ UserPoolId });
const AssociateSoftwareToken = object({ AccessToken: Type.Optional(AccessToken), Session: Type.Optional(Session) });
const VerifySoftwareToken = object({
  AccessToken: Type.Optional(AccessToken),
  Session: Type.Optional(Session),
  UserCode: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]+$' }),
  FriendlyDeviceName: Type.Optional(Type.String({ maxLength: 131072 })),
});
const Preferences = {
  SMSMfaSettings: FactorSettings,
  SoftwareTokenMfaSettings: FactorSettings,
  EmailMfaSettings: FactorSettings,
  WebAuthnMfaSettings: Anything,
};
const SetUserMFAPreference = object({ AccessToken, ...Preferences });
const AdminSetUserMFAPreference = object({ UserPoolId, Username, ...Preferences });

/** AccessToken or Session, never both and never neither (Cognito's rule for both TOTP actions). */
function tokenOrSession(
  input: { AccessToken?: string; Session?: string },
  context: OperationContext,
): Promise<
  { caller: Awaited<ReturnType<OperationContext['services']['sessions']['authenticate']>> } | { session: string }
> {
  if (input.AccessToken !== undefined && input.Session !== undefined)
    throw invalidParameter('Give an AccessToken or a Session, not both.');
  if (input.AccessToken !== undefined)
    return context.services.sessions.authenticate(input.AccessToken).then((caller) => ({ caller }));
  if (input.Session !== undefined) return Promise.resolve({ session: input.Session });
  throw invalidParameter('Missing required parameter AccessToken or Session');
}

const setting = (given: { Enabled?: boolean; PreferredMfa?: boolean } | undefined): FactorPreference | undefined =>
  given && {
    ...(given.Enabled !== undefined && { enabled: given.Enabled }),
    ...(given.PreferredMfa !== undefined && { preferredMfa: given.PreferredMfa }),
  };

function preferences(
  input: Partial<
    Record<
      'SMSMfaSettings' | 'SoftwareTokenMfaSettings' | 'EmailMfaSettings',
      { Enabled?: boolean; PreferredMfa?: boolean }
    >
  >,
): MfaPreferenceInput {
  const sms = setting(input.SMSMfaSettings);
  const softwareToken = setting(input.SoftwareTokenMfaSettings);
  const email = setting(input.EmailMfaSettings);
  return { ...(sms && { sms }), ...(softwareToken && { softwareToken }), ...(email && { email }) };
}

/** GetUser's and AdminGetUser's MFA members, as Cognito shows them: absent when there is nothing to show. */
export function toUserMfaMembers(settings: UserMfaSettings) {
  return {
    ...(settings.enabled.includes('SMS_MFA') && {
      // The legacy list Cognito still fills for SMS MFA.
      MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }],
    }),
    ...(settings.preferred && { PreferredMfaSetting: settings.preferred }),
    ...(settings.enabled.length > 0 && { UserMFASettingList: settings.enabled as MfaFactor[] }),
  };
}

function toMfaConfig(view: PoolMfaView) {
  return {
    MfaConfiguration: view.mfaConfiguration,
    ...(view.factors.sms && {
      SmsMfaConfiguration: {
        ...(view.smsAuthenticationMessage !== undefined && { SmsAuthenticationMessage: view.smsAuthenticationMessage }),
        ...(view.smsConfiguration && { SmsConfiguration: view.smsConfiguration }),
      },
    }),
    // Shown only when TOTP is on: Cognito leaves it out of a pool whose last SetUserPoolMfaConfig
    // gave none, and tools compare it with their configuration (docs/migrating-from-cognito.md, "Terraform").
    ...(view.factors.softwareToken === true && { SoftwareTokenMfaConfiguration: { Enabled: true } }),
    ...(view.factors.email && {
      EmailMfaConfiguration: {
        ...(view.emailMessage !== undefined && { Message: view.emailMessage }),
        ...(view.emailSubject !== undefined && { Subject: view.emailSubject }),
      },
    }),
  };
}

export const mfaOperations: Record<string, Operation> = {
  SetUserPoolMfaConfig: adminOperation(SetUserPoolMfaConfig, async (input, { services }) => {
    const sms = input.SmsMfaConfiguration;
    const email = input.EmailMfaConfiguration;
    const view = await services.mfa.setPoolConfig(input.UserPoolId, {
      ...(input.MfaConfiguration !== undefined && { mfaConfiguration: input.MfaConfiguration as MfaConfiguration }),
      // The whole set of factors, as Cognito replaces it: a configuration left out is that factor off.
      factors: {
        ...(sms && { sms: true }),
        ...(input.SoftwareTokenMfaConfiguration?.Enabled && { softwareToken: true }),
        ...(email && { email: true }),
      },
      ...(sms?.SmsAuthenticationMessage !== undefined && { smsAuthenticationMessage: sms.SmsAuthenticationMessage }),
      ...(email?.Message !== undefined && { emailMessage: email.Message }),
      ...(email?.Subject !== undefined && { emailSubject: email.Subject }),
      ...(sms?.SmsConfiguration !== undefined &&
        sms.SmsConfiguration !== null && { smsConfiguration: sms.SmsConfiguration as Record<string, unknown> }),
    });
    return toMfaConfig(view);
  }),

  GetUserPoolMfaConfig: adminOperation(UserPoolOnly, async (input, { services }) =>
    toMfaConfig(await services.mfa.poolConfig(input.UserPoolId)),
  ),

  AssociateSoftwareToken: userOperation(AssociateSoftwareToken, async (input, context) => {
    const result = await context.services.mfa.associateSoftwareToken(await tokenOrSession(input, context));
    return { SecretCode: result.secretCode, ...(result.session && { Session: result.session }) };
  }),

  VerifySoftwareToken: userOperation(VerifySoftwareToken, async (input, context) => {
    const result = await context.services.mfa.verifySoftwareToken(await tokenOrSession(input, context), {
      userCode: input.UserCode,
      ...(input.FriendlyDeviceName !== undefined && { friendlyDeviceName: input.FriendlyDeviceName }),
      source: context.source,
    });
    return { Status: result.status, ...(result.session && { Session: result.session }) };
  }),

  SetUserMFAPreference: userOperation(SetUserMFAPreference, async (input, context) => {
    const caller = await context.services.sessions.authenticate(input.AccessToken);
    await context.services.mfa.setMyPreference(caller, preferences(input));
    return {};
  }),

  AdminSetUserMFAPreference: adminOperation(AdminSetUserMFAPreference, async (input, { services }) => {
    await services.mfa.adminSetPreference(input.UserPoolId, input.Username, preferences(input));
    return {};
  }),
};

/** The challenges this module answers on RespondToAuthChallenge, and the entry each one's answer is in. */
const CODE_ENTRY: Record<string, string> = {
  SMS_MFA: 'SMS_MFA_CODE',
  SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE',
  EMAIL_OTP: 'EMAIL_OTP_CODE',
};
export const MFA_CHALLENGES = ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP', 'SELECT_MFA_TYPE', 'MFA_SETUP'];

/**
 * RespondToAuthChallenge for a second factor (docs/mfa.md, "Challenges"): the code, the factor
 * chosen (SELECT_MFA_TYPE's ANSWER), or MFA_SETUP once a factor is set up (or its EMAIL).
 */
export async function respondToMfaChallenge(
  input: Static<typeof In.RespondToAuthChallenge>,
  { services, source }: OperationContext,
) {
  const name = input.ChallengeName;
  const answers = input.ChallengeResponses ?? {};
  if (!input.Session) throw invalidParameter('Missing required parameter Session');
  const entry = (key: string) => {
    const value = answers[key];
    if (value === undefined || value === '') throw invalidParameter(`Missing required parameter ${key}`);
    if (value.length > 2048) throw invalidParameter(`${key} is too long for ${name}.`);
    return value;
  };
  return services.mfa.respond({
    clientId: input.ClientId,
    challengeName: name,
    session: input.Session,
    username: entry('USERNAME'),
    ...(CODE_ENTRY[name] && { code: entry(CODE_ENTRY[name]) }),
    ...(name === 'SELECT_MFA_TYPE' && { answer: entry('ANSWER') }),
    ...(name === 'MFA_SETUP' && answers.EMAIL !== undefined && { email: entry('EMAIL') }),
    source,
    ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
  });
}
