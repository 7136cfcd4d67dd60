import { Type } from 'typebox';
import { ClientId, ClientMetadata, ref, StringEnum } from './common.ts';

/** Multi-factor authentication (docs/mfa.md): the pool's setting, a user's factors, TOTP, the challenges' answers. */

export const MfaFactor = StringEnum(['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'], {
  $id: 'MfaFactor',
  description: 'A second factor, as Cognito names it: SMS code, TOTP app, email code.',
});
const factorRef = () => ref(MfaFactor);

const MfaMode = StringEnum(['OFF', 'ON', 'OPTIONAL'], {
  description:
    'OFF: no MFA. OPTIONAL: users with a factor on are asked for it. ON: every user, who sets one up first if they have none.',
});
const SmsText = Type.String({ minLength: 6, maxLength: 140, description: 'With {####}, the code.' });
const EmailText = Type.String({ minLength: 6, maxLength: 20000, description: 'With {####}, the code.' });
const EmailSubject = Type.String({ minLength: 1, maxLength: 140 });

const factorFlags = (optional: boolean) => {
  const flag = (description: string) =>
    optional ? Type.Optional(Type.Boolean({ description })) : Type.Boolean({ description });
  return Type.Object(
    {
      sms: flag('Codes by SMS (Twilio) to the user’s phone_number.'),
      softwareToken: flag('TOTP (RFC 6238) from an authenticator app.'),
      email: flag('Codes by email to the user’s email.'),
    },
    { additionalProperties: false },
  );
};

export const PoolMfaConfigBody = Type.Object(
  {
    mfaConfiguration: MfaMode,
    factors: factorFlags(true),
    smsAuthenticationMessage: Type.Optional(SmsText),
    emailMessage: Type.Optional(EmailText),
    emailSubject: Type.Optional(EmailSubject),
  },
  {
    $id: 'PoolMfaConfigRequest',
    additionalProperties: false,
    description:
      'Replaces the setting and the whole set of factors (a factor left out is off). The texts, when given, are written to the pool’s AUTHENTICATION message templates.',
    examples: [
      {
        mfaConfiguration: 'OPTIONAL',
        factors: { softwareToken: true, email: true },
        emailSubject: 'Your sign-in code',
        emailMessage: 'Your code is {####}.',
      },
    ],
  },
);

export const PoolMfaConfig = Type.Object(
  {
    mfaConfiguration: MfaMode,
    factors: factorFlags(false),
    smsAuthenticationMessage: Type.Optional(Type.String()),
    emailMessage: Type.Optional(Type.String()),
    emailSubject: Type.Optional(Type.String()),
  },
  {
    $id: 'PoolMfaConfig',
    additionalProperties: false,
    description: 'The pool’s MFA setting (Cognito’s GetUserPoolMfaConfig); texts shown when the pool has its own.',
  },
);

export const UserMfaSettings = Type.Object(
  {
    enabled: Type.Array(factorRef(), { description: 'The factors on (Cognito’s UserMFASettingList).' }),
    preferred: Type.Union([factorRef(), Type.Null()], { description: 'Cognito’s PreferredMfaSetting.' }),
    softwareTokenVerified: Type.Boolean({ description: 'A TOTP secret is set up and verified.' }),
  },
  { $id: 'UserMfaSettings', additionalProperties: false },
);

const FactorPreference = Type.Optional(
  Type.Object(
    {
      enabled: Type.Optional(Type.Boolean()),
      preferred: Type.Optional(Type.Boolean({ description: 'At most one factor; it must be enabled.' })),
    },
    { additionalProperties: false },
  ),
);

export const MfaPreferenceBody = Type.Object(
  { sms: FactorPreference, softwareToken: FactorPreference, email: FactorPreference },
  {
    $id: 'MfaPreferenceRequest',
    additionalProperties: false,
    description: 'A factor left out keeps its setting (Cognito’s SetUserMFAPreference).',
    examples: [{ softwareToken: { enabled: true, preferred: true } }],
  },
);

const Session = Type.String({ minLength: 1, maxLength: 2048 });
const UserCode = Type.String({
  minLength: 6,
  maxLength: 6,
  pattern: '^[0-9]{6}$',
  description: 'The app’s current code.',
});

export const TotpAssociation = Type.Object(
  {
    secretCode: Type.String({ description: 'Base32; put it in the authenticator app (otpauth:// URI or QR code).' }),
    session: Type.Optional(Type.String({ description: 'MFA_SETUP only: the session for the verify step.' })),
  },
  { $id: 'TotpAssociation', additionalProperties: false },
);

export const MfaSetupSessionBody = Type.Object(
  { session: Session },
  { $id: 'MfaSetupSessionRequest', additionalProperties: false },
);

export const VerifyTotpBody = Type.Object(
  { userCode: UserCode, friendlyDeviceName: Type.Optional(Type.String({ maxLength: 256 })) },
  { $id: 'VerifyTotpRequest', additionalProperties: false },
);

export const VerifyTotpSetupBody = Type.Object(
  { session: Session, userCode: UserCode, friendlyDeviceName: Type.Optional(Type.String({ maxLength: 256 })) },
  { $id: 'VerifyTotpSetupRequest', additionalProperties: false },
);

export const TotpVerification = Type.Object(
  {
    status: Type.Literal('SUCCESS'),
    session: Type.Optional(
      Type.String({ description: 'MFA_SETUP only: answer MFA_SETUP with it at /v1/auth/respond-to-challenge.' }),
    ),
  },
  { $id: 'TotpVerification', additionalProperties: false },
);

// ---- The challenges' answers (RespondToChallengeRequest; EMAIL_OTP's is CodeChallengeAnswer, shared with USER_AUTH) ----

export const MfaCodeAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: StringEnum(['SMS_MFA', 'SOFTWARE_TOKEN_MFA']),
    session: Session,
    code: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S+$', description: 'The SMS code, or the TOTP.' }),
    clientMetadata: ClientMetadata,
  },
  {
    $id: 'MfaCodeAnswer',
    additionalProperties: false,
    description:
      'A second factor’s code; a wrong one may be retried with the same session, up to the pool’s codes.maxAttempts.',
  },
);

export const SelectMfaTypeAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('SELECT_MFA_TYPE'),
    session: Session,
    answer: factorRef(),
    clientMetadata: ClientMetadata,
  },
  { $id: 'SelectMfaTypeAnswer', additionalProperties: false, description: 'The factor chosen from MFAS_CAN_CHOOSE.' },
);

export const MfaSetupAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('MFA_SETUP'),
    session: Session,
    email: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 2048,
        description: 'Set up email MFA: the user’s own email address, which then gets a code (EMAIL_OTP).',
      }),
    ),
    clientMetadata: ClientMetadata,
  },
  {
    $id: 'MfaSetupAnswer',
    additionalProperties: false,
    description:
      'After TOTP is set up with this session (/v1/auth/mfa-setup/totp, then …/verify and its new session): the tokens. With email: an EMAIL_OTP challenge.',
  },
);
