import { Type } from 'typebox';
import { ClientId, ClientMetadata, Password, StringEnum, Username } from './common.ts';

/** Choice-based and passwordless sign-in (USER_AUTH, docs/passwordless.md): its requests and answers. */

const RestFirstFactor = StringEnum(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'], {
  description: 'A first factor: the password, or a one-time code by email or SMS (PASSWORD_SRP is the Cognito face’s).',
});

export const UserAuthBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    preferredChallenge: Type.Optional(RestFirstFactor),
    password: Type.Optional(Password),
    clientMetadata: ClientMetadata,
  },
  {
    $id: 'UserAuthRequest',
    additionalProperties: false,
    description:
      'Without preferredChallenge: SELECT_CHALLENGE with the choices. With PASSWORD (and password): the password is checked at once. ' +
      'With EMAIL_OTP or SMS_OTP: a code is sent and its challenge answered.',
    examples: [
      { clientId: 'k3j5h2g8d9s0a1q2w3e4r5t6y7', username: 'jane@example.com', preferredChallenge: 'EMAIL_OTP' },
    ],
  },
);

const AnswerSession = Type.String({ minLength: 1, maxLength: 2048 });

export const SelectChallengeAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('SELECT_CHALLENGE'),
    session: AnswerSession,
    answer: RestFirstFactor,
    password: Type.Optional(Password),
    clientMetadata: ClientMetadata,
  },
  {
    $id: 'SelectChallengeAnswer',
    additionalProperties: false,
    description: 'The first factor chosen from availableChallenges; with PASSWORD, the password too.',
  },
);

export const CodeChallengeAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: StringEnum(['EMAIL_OTP', 'SMS_OTP']),
    session: AnswerSession,
    code: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S+$', description: 'The code from the message.' }),
    clientMetadata: ClientMetadata,
  },
  {
    $id: 'CodeChallengeAnswer',
    additionalProperties: false,
    description:
      'A one-time code sent by email (EMAIL_OTP) or SMS (SMS_OTP); a wrong one may be retried with the same session.',
  },
);

export const UserAuthFactorsResponse = Type.Object(
  {
    username: Type.String(),
    preferredMfaSetting: Type.Union([StringEnum(['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP']), Type.Null()]),
    userMfaSettingList: Type.Array(StringEnum(['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'])),
    configuredUserAuthFactors: Type.Array(StringEnum(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP']), {
      description: 'The first factors choice-based sign-in would offer this user now.',
    }),
  },
  { $id: 'UserAuthFactors', additionalProperties: false },
);
