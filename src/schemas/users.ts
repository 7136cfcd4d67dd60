import { Type, type Static } from 'typebox';
import { AttributeMap, ClientId, ClientMetadata, CodeDeliveryDetails, ConfirmationCode, Password, ref, StringEnum, Username } from './common.ts';

export const SignUpBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    password: Password,
    userAttributes: Type.Optional(ref(AttributeMap)),
    validationData: Type.Optional(ref(AttributeMap)),
    clientMetadata: ClientMetadata,
  },
  { $id: 'SignUpRequest', additionalProperties: false },
);

export const SignUpResponse = Type.Object(
  {
    userSub: Type.String({ format: 'uuid' }),
    userConfirmed: Type.Boolean(),
    codeDeliveryDetails: Type.Optional(ref(CodeDeliveryDetails)),
  },
  { $id: 'SignUpResult', additionalProperties: false },
);

export const ConfirmSignUpBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    confirmationCode: ConfirmationCode,
    forceAliasCreation: Type.Optional(Type.Boolean({ description: 'Take over an email or phone that another user has verified.' })),
    clientMetadata: ClientMetadata,
  },
  { $id: 'ConfirmSignUpRequest', additionalProperties: false },
);

export const UsernameBody = Type.Object({ clientId: ClientId, username: Username, clientMetadata: ClientMetadata }, { $id: 'UsernameRequest', additionalProperties: false });

export const CodeDeliveryResponse = Type.Object({ codeDeliveryDetails: ref(CodeDeliveryDetails) }, { $id: 'CodeDeliveryResult', additionalProperties: false });

export const SignInBody = Type.Object(
  { clientId: ClientId, username: Username, password: Password, clientMetadata: ClientMetadata },
  { $id: 'SignInRequest', additionalProperties: false },
);

export const TokenResponse = Type.Object(
  {
    accessToken: Type.String(),
    idToken: Type.String(),
    refreshToken: Type.Optional(Type.String({ description: 'Opaque; only returned at sign-in.' })),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
    tokenType: Type.Literal('Bearer'),
  },
  { $id: 'TokenSet', additionalProperties: false },
);

export const ConfirmForgotPasswordBody = Type.Object(
  { clientId: ClientId, username: Username, confirmationCode: ConfirmationCode, password: Password, clientMetadata: ClientMetadata },
  { $id: 'ConfirmForgotPasswordRequest', additionalProperties: false },
);

export const RefreshBody = Type.Object(
  { clientId: ClientId, refreshToken: Type.String({ minLength: 1, maxLength: 4096 }) },
  { $id: 'RefreshRequest', additionalProperties: false },
);

export const ChangePasswordBody = Type.Object({ previousPassword: Password, proposedPassword: Password }, { $id: 'ChangePasswordRequest', additionalProperties: false });

export const UserStatus = StringEnum(['UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED'], { $id: 'UserStatus' });

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
  { $id: 'User', additionalProperties: false },
);

export const UpdateAttributesBody = Type.Object(
  { userAttributes: ref(AttributeMap), clientMetadata: ClientMetadata },
  { $id: 'UpdateAttributesRequest', additionalProperties: false },
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
  { $id: 'AttributeUpdateResults', additionalProperties: false },
);

export const AttributeNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 32 }) }, { additionalProperties: false });

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
    forceAliasCreation: Type.Optional(Type.Boolean({ description: 'Take over an email or phone that another user has verified.' })),
  },
  { $id: 'VerifyAttributeRequest', additionalProperties: false },
);

export const NewPasswordChallengeParameters = Type.Object(
  {
    requiredAttributes: Type.Array(Type.String(), { description: 'Required attributes the user must give with the new password.' }),
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
  { $id: 'NewPasswordChallenge', additionalProperties: false, description: 'An invited user signed in with the temporary password and must choose a new one.' },
);

/** Sign-in answers tokens or a challenge: a oneOf of the two named shapes. */
export const SignInResult = Type.Unsafe<Static<typeof TokenResponse> | Static<typeof NewPasswordChallengeResponse>>({
  $id: 'SignInResult',
  oneOf: [ref(TokenResponse), ref(NewPasswordChallengeResponse)],
});

export const RespondToChallengeBody = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('NEW_PASSWORD_REQUIRED'),
    session: Type.String({ minLength: 1, maxLength: 2048 }),
    newPassword: Password,
    userAttributes: Type.Optional(ref(AttributeMap)),
  },
  { $id: 'RespondToChallengeRequest', additionalProperties: false },
);
