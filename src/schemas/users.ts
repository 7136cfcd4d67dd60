import { Type, type Static } from 'typebox';
import {
  AttributeMap,
  ClientId,
  ClientMetadata,
  CodeDeliveryDetails,
  ConfirmationCode,
  Password,
  ref,
  StringEnum,
  Username,
} from './common.ts';
import { CodeChallengeAnswer, SelectChallengeAnswer } from './user-auth.ts';
import { MfaCodeAnswer, MfaSetupAnswer, SelectMfaTypeAnswer } from './mfa.ts';
import { DevicePasswordVerifierAnswer, DeviceSrpAnswer, NewDeviceMetadata } from './devices.ts';

export const SignUpBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    password: Password,
    userAttributes: Type.Optional(ref(AttributeMap)),
    validationData: Type.Optional(ref(AttributeMap)),
    clientMetadata: ClientMetadata,
  },
  {
    $id: 'SignUpRequest',
    additionalProperties: false,
    examples: [
      {
        clientId: 'k3j5h2g8d9s0a1q2w3e4r5t6y7',
        username: 'jdoe',
        password: 'Passw0rd!',
        userAttributes: { email: 'jane@example.com', given_name: 'Jane', family_name: 'Doe' },
      },
    ],
  },
);

export const SignUpResponse = Type.Object(
  {
    userSub: Type.String({ format: 'uuid' }),
    userConfirmed: Type.Boolean(),
    codeDeliveryDetails: Type.Optional(ref(CodeDeliveryDetails)),
  },
  {
    $id: 'SignUpResult',
    additionalProperties: false,
    examples: [
      {
        userSub: '5f0c7a52-3c5e-4d8a-9b1e-2f4a6c8e0d13',
        userConfirmed: false,
        codeDeliveryDetails: { destination: 'j***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
      },
    ],
  },
);

export const ConfirmSignUpBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    confirmationCode: ConfirmationCode,
    forceAliasCreation: Type.Optional(
      Type.Boolean({ description: 'Take over an email or phone that another user has verified.' }),
    ),
    clientMetadata: ClientMetadata,
  },
  {
    $id: 'ConfirmSignUpRequest',
    additionalProperties: false,
    examples: [{ clientId: 'k3j5h2g8d9s0a1q2w3e4r5t6y7', username: 'jdoe', confirmationCode: '123456' }],
  },
);

export const UsernameBody = Type.Object(
  { clientId: ClientId, username: Username, clientMetadata: ClientMetadata },
  { $id: 'UsernameRequest', additionalProperties: false },
);

export const CodeDeliveryResponse = Type.Object(
  { codeDeliveryDetails: ref(CodeDeliveryDetails) },
  { $id: 'CodeDeliveryResult', additionalProperties: false },
);

/** A device key the client was given before (docs/devices.md). */
const DeviceKey = Type.Optional(
  Type.String({ minLength: 1, maxLength: 55, pattern: '^[\\w-]+_[0-9a-f-]+$', description: 'Cognito’s DEVICE_KEY.' }),
);

export const SignInBody = Type.Object(
  { clientId: ClientId, username: Username, password: Password, clientMetadata: ClientMetadata, deviceKey: DeviceKey },
  {
    $id: 'SignInRequest',
    additionalProperties: false,
    examples: [{ clientId: 'k3j5h2g8d9s0a1q2w3e4r5t6y7', username: 'jane@example.com', password: 'Passw0rd!' }],
  },
);

export const TokenResponse = Type.Object(
  {
    accessToken: Type.String(),
    idToken: Type.String(),
    refreshToken: Type.Optional(Type.String({ description: 'Opaque; only returned at sign-in.' })),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
    tokenType: Type.Literal('Bearer'),
    newDeviceMetadata: Type.Optional(ref(NewDeviceMetadata)),
  },
  {
    $id: 'TokenSet',
    additionalProperties: false,
    examples: [
      {
        accessToken: 'eyJraWQiOiJ...',
        idToken: 'eyJraWQiOiJ...',
        refreshToken: 'b7bYx3...',
        expiresIn: 3600,
        tokenType: 'Bearer',
      },
    ],
  },
);

export const ConfirmForgotPasswordBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    confirmationCode: ConfirmationCode,
    password: Password,
    clientMetadata: ClientMetadata,
  },
  { $id: 'ConfirmForgotPasswordRequest', additionalProperties: false },
);

export const RefreshBody = Type.Object(
  {
    clientId: ClientId,
    refreshToken: Type.String({ minLength: 1, maxLength: 4096 }),
    deviceKey: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 55,
        pattern: '^[\\w-]+_[0-9a-f-]+$',
        description: 'Required when the session was started on a device: that device’s key (docs/devices.md).',
      }),
    ),
  },
  { $id: 'RefreshRequest', additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { previousPassword: Password, proposedPassword: Password },
  { $id: 'ChangePasswordRequest', additionalProperties: false },
);

export const UserStatus = StringEnum(
  ['UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED', 'EXTERNAL_PROVIDER'],
  {
    $id: 'UserStatus',
    description: 'EXTERNAL_PROVIDER: created by an external identity provider (docs/federation.md).',
  },
);

export const MeResponse = Type.Object(
  {
    username: Type.String(),
    userSub: Type.String({ format: 'uuid' }),
    userStatus: ref(UserStatus),
    enabled: Type.Boolean(),
    attributes: ref(AttributeMap),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'User',
    additionalProperties: false,
    examples: [
      {
        username: 'jdoe',
        userSub: '5f0c7a52-3c5e-4d8a-9b1e-2f4a6c8e0d13',
        userStatus: 'CONFIRMED',
        enabled: true,
        attributes: {
          sub: '5f0c7a52-3c5e-4d8a-9b1e-2f4a6c8e0d13',
          email: 'jane@example.com',
          email_verified: 'true',
          given_name: 'Jane',
        },
        createdAt: '2026-12-02T10:00:00.000Z',
        updatedAt: '2026-12-02T10:05:00.000Z',
      },
    ],
  },
);

export const UpdateAttributesBody = Type.Object(
  { userAttributes: ref(AttributeMap), clientMetadata: ClientMetadata },
  {
    $id: 'UpdateAttributesRequest',
    additionalProperties: false,
    examples: [{ userAttributes: { email: 'jane@example.org', nickname: 'JD' } }],
  },
);

export const UpdateAttributeStep = StringEnum(['DONE', 'CONFIRM_ATTRIBUTE_WITH_CODE'], { $id: 'UpdateAttributeStep' });

export const AttributeUpdateNextStep = Type.Object(
  {
    updateAttributeStep: ref(UpdateAttributeStep),
    codeDeliveryDetails: Type.Optional(ref(CodeDeliveryDetails)),
  },
  { $id: 'AttributeUpdateNextStep', additionalProperties: false },
);

export const AttributeUpdateResult = Type.Object(
  {
    isUpdated: Type.Boolean(),
    nextStep: ref(AttributeUpdateNextStep),
  },
  { $id: 'AttributeUpdateResult', additionalProperties: false },
);

export const UpdateAttributesResponse = Type.Object(
  { results: Type.Record(Type.String(), ref(AttributeUpdateResult)) },
  {
    $id: 'AttributeUpdateResults',
    additionalProperties: false,
    examples: [
      {
        results: {
          email: {
            isUpdated: false,
            nextStep: {
              updateAttributeStep: 'CONFIRM_ATTRIBUTE_WITH_CODE',
              codeDeliveryDetails: { destination: 'j***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
            },
          },
          nickname: { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } },
        },
      },
    ],
  },
);

export const AttributeNameParams = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 32 }) },
  { additionalProperties: false },
);

export const PutAttributeBody = Type.Object(
  { value: Type.String({ maxLength: 2048 }), clientMetadata: ClientMetadata },
  { $id: 'UpdateAttributeRequest', additionalProperties: false },
);

export const DeleteAttributesQuery = Type.Object(
  { name: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);

export const VerifyAttributeBody = Type.Object(
  {
    confirmationCode: ConfirmationCode,
    forceAliasCreation: Type.Optional(
      Type.Boolean({ description: 'Take over an email or phone that another user has verified.' }),
    ),
  },
  { $id: 'VerifyAttributeRequest', additionalProperties: false },
);

export const NewPasswordChallengeParameters = Type.Object(
  {
    requiredAttributes: Type.Array(Type.String(), {
      description: 'Required attributes the user must give with the new password.',
    }),
    userAttributes: ref(AttributeMap),
  },
  { $id: 'NewPasswordChallengeParameters', additionalProperties: false },
);

export const NewPasswordChallengeResponse = Type.Object(
  {
    challengeName: Type.Literal('NEW_PASSWORD_REQUIRED'),
    session: Type.String({ description: 'Opaque; answer within 3 minutes at /v1/auth/respond-to-challenge.' }),
    challengeParameters: ref(NewPasswordChallengeParameters),
  },
  {
    $id: 'NewPasswordChallenge',
    additionalProperties: false,
    description: 'An invited user signed in with the temporary password and must choose a new one.',
  },
);

export const StepChallengeResponse = Type.Object(
  {
    challengeName: StringEnum([
      'SMS_MFA',
      'SOFTWARE_TOKEN_MFA',
      'EMAIL_OTP',
      'SELECT_MFA_TYPE',
      'MFA_SETUP',
      'DEVICE_SRP_AUTH',
      'DEVICE_PASSWORD_VERIFIER',
      'SELECT_CHALLENGE',
      'SMS_OTP',
      'PASSWORD',
      'PASSWORD_SRP',
    ]),
    session: Type.Optional(
      Type.String({
        description:
          'Opaque and single use; answer within the client’s authSessionValidity minutes at /v1/auth/respond-to-challenge.',
      }),
    ),
    challengeParameters: Type.Record(Type.String(), Type.String(), {
      description: 'Cognito’s challenge parameters, by name (CODE_DELIVERY_DESTINATION, MFAS_CAN_CHOOSE, …).',
    }),
    availableChallenges: Type.Optional(
      Type.Array(Type.String(), { description: 'SELECT_CHALLENGE: the first factors the user may choose.' }),
    ),
  },
  {
    $id: 'StepChallenge',
    additionalProperties: false,
    description:
      'A step after (or instead of) the password: a second factor (docs/mfa.md), a remembered device (docs/devices.md) or a passwordless choice (docs/passwordless.md).',
  },
);

/** Sign-in answers tokens or a challenge: a oneOf of the named shapes. */
export const SignInResult = Type.Unsafe<
  Static<typeof TokenResponse> | Static<typeof NewPasswordChallengeResponse> | Static<typeof StepChallengeResponse>
>({
  $id: 'SignInResult',
  oneOf: [ref(TokenResponse), ref(NewPasswordChallengeResponse), ref(StepChallengeResponse)],
});

export const NewPasswordAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('NEW_PASSWORD_REQUIRED'),
    session: Type.String({ minLength: 1, maxLength: 2048 }),
    newPassword: Password,
    userAttributes: Type.Optional(ref(AttributeMap)),
    clientMetadata: ClientMetadata,
  },
  { $id: 'NewPasswordAnswer', additionalProperties: false },
);

// ---- Custom authentication (docs/custom-auth.md) -------------------------------------------------

export const CustomSignInBody = Type.Object(
  { clientId: ClientId, username: Username, clientMetadata: ClientMetadata },
  {
    $id: 'CustomSignInRequest',
    additionalProperties: false,
    examples: [{ clientId: 'k3j5h2g8d9s0a1q2w3e4r5t6y7', username: 'jane@example.com' }],
  },
);

export const CustomChallengeResponse = Type.Object(
  {
    challengeName: Type.Literal('CUSTOM_CHALLENGE'),
    session: Type.String({
      description:
        'Opaque and single use; answer within the client’s authSessionValidity minutes at /v1/auth/respond-to-challenge.',
    }),
    challengeParameters: Type.Record(Type.String(), Type.String(), {
      description: 'The CreateAuthChallenge hook’s publicChallengeParameters, and USERNAME.',
    }),
  },
  {
    $id: 'CustomChallenge',
    additionalProperties: false,
    description: 'The pool’s DefineAuthChallenge hook asks for (another) custom challenge.',
    examples: [
      {
        challengeName: 'CUSTOM_CHALLENGE',
        session: 'q0dR…',
        challengeParameters: { hint: 'code sent', USERNAME: 'jane' },
      },
    ],
  },
);

export const CustomChallengeAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('CUSTOM_CHALLENGE'),
    session: Type.String({ minLength: 1, maxLength: 2048 }),
    answer: Type.String({
      minLength: 1,
      maxLength: 16384,
      description: 'Handed to the VerifyAuthChallengeResponse hook.',
    }),
    clientMetadata: ClientMetadata,
  },
  { $id: 'CustomChallengeAnswer', additionalProperties: false },
);

/** Custom authentication answers tokens, another custom challenge, or (an invited user) NEW_PASSWORD_REQUIRED. */
export const ChallengeResult = Type.Unsafe<
  | Static<typeof TokenResponse>
  | Static<typeof NewPasswordChallengeResponse>
  | Static<typeof CustomChallengeResponse>
  | Static<typeof StepChallengeResponse>
>({
  $id: 'ChallengeResult',
  oneOf: [
    ref(TokenResponse),
    ref(NewPasswordChallengeResponse),
    ref(CustomChallengeResponse),
    ref(StepChallengeResponse),
  ],
});

/** The answer to either challenge, told apart by challengeName. */
export const RespondToChallengeBody = Type.Unsafe<
  | Static<typeof NewPasswordAnswer>
  | Static<typeof CustomChallengeAnswer>
  | Static<typeof SelectChallengeAnswer>
  | Static<typeof CodeChallengeAnswer>
  | Static<typeof DeviceSrpAnswer>
  | Static<typeof DevicePasswordVerifierAnswer>
  | Static<typeof MfaCodeAnswer>
  | Static<typeof SelectMfaTypeAnswer>
  | Static<typeof MfaSetupAnswer>
>({
  $id: 'RespondToChallengeRequest',
  oneOf: [
    ref(NewPasswordAnswer),
    ref(CustomChallengeAnswer),
    ref(SelectChallengeAnswer),
    ref(CodeChallengeAnswer),
    ref(MfaCodeAnswer),
    ref(SelectMfaTypeAnswer),
    ref(MfaSetupAnswer),
    ref(DeviceSrpAnswer),
    ref(DevicePasswordVerifierAnswer),
  ],
  discriminator: { propertyName: 'challengeName' },
});
