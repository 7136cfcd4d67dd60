import { Type } from 'typebox';
import { AttributeMap, ClientId, ClientMetadata, CodeDeliveryDetails, ConfirmationCode, Password, Username } from './common.ts';

export const SignUpBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    password: Password,
    userAttributes: Type.Optional(AttributeMap),
    validationData: Type.Optional(AttributeMap),
    clientMetadata: ClientMetadata,
  },
  { additionalProperties: false },
);

export const SignUpResponse = Type.Object(
  {
    userSub: Type.String({ format: 'uuid' }),
    userConfirmed: Type.Boolean(),
    codeDeliveryDetails: Type.Optional(CodeDeliveryDetails),
  },
  { additionalProperties: false },
);

export const ConfirmSignUpBody = Type.Object(
  {
    clientId: ClientId,
    username: Username,
    confirmationCode: ConfirmationCode,
    forceAliasCreation: Type.Optional(Type.Boolean({ description: 'Take over an email or phone that another user has verified.' })),
    clientMetadata: ClientMetadata,
  },
  { additionalProperties: false },
);

export const UsernameBody = Type.Object({ clientId: ClientId, username: Username, clientMetadata: ClientMetadata }, { additionalProperties: false });

export const CodeDeliveryResponse = Type.Object({ codeDeliveryDetails: CodeDeliveryDetails }, { additionalProperties: false });

export const SignInBody = Type.Object(
  { clientId: ClientId, username: Username, password: Password, clientMetadata: ClientMetadata },
  { additionalProperties: false },
);

export const TokenResponse = Type.Object(
  {
    accessToken: Type.String(),
    idToken: Type.String(),
    refreshToken: Type.Optional(Type.String({ description: 'Opaque; only returned at sign-in.' })),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
    tokenType: Type.Literal('Bearer'),
  },
  { additionalProperties: false },
);

export const ConfirmForgotPasswordBody = Type.Object(
  { clientId: ClientId, username: Username, confirmationCode: ConfirmationCode, password: Password, clientMetadata: ClientMetadata },
  { additionalProperties: false },
);

export const RefreshBody = Type.Object(
  { clientId: ClientId, refreshToken: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object({ previousPassword: Password, proposedPassword: Password }, { additionalProperties: false });

export const MeResponse = Type.Object(
  {
    username: Type.String(),
    userSub: Type.String({ format: 'uuid' }),
    userStatus: Type.String({ description: 'UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD or RESET_REQUIRED' }),
    enabled: Type.Boolean(),
    attributes: AttributeMap,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const UpdateAttributesBody = Type.Object(
  { userAttributes: AttributeMap, clientMetadata: ClientMetadata },
  { additionalProperties: false },
);

export const AttributeUpdateResult = Type.Object(
  {
    isUpdated: Type.Boolean(),
    nextStep: Type.Object(
      {
        updateAttributeStep: Type.Union([Type.Literal('DONE'), Type.Literal('CONFIRM_ATTRIBUTE_WITH_CODE')]),
        codeDeliveryDetails: Type.Optional(CodeDeliveryDetails),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const UpdateAttributesResponse = Type.Object(
  { results: Type.Record(Type.String(), AttributeUpdateResult) },
  { additionalProperties: false },
);

export const AttributeNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 32 }) }, { additionalProperties: false });

export const PutAttributeBody = Type.Object(
  { value: Type.String({ maxLength: 2048 }), clientMetadata: ClientMetadata },
  { additionalProperties: false },
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
  { additionalProperties: false },
);

export const NewPasswordChallengeResponse = Type.Object(
  {
    challengeName: Type.Literal('NEW_PASSWORD_REQUIRED'),
    session: Type.String({ description: 'Opaque; answer within 3 minutes at /v1/auth/respond-to-challenge.' }),
    challengeParameters: Type.Object(
      {
        requiredAttributes: Type.Array(Type.String(), { description: 'Required attributes the user must give with the new password.' }),
        userAttributes: AttributeMap,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'An invited user signed in with the temporary password and must choose a new one.' },
);

export const SignInResponse = Type.Union([TokenResponse, NewPasswordChallengeResponse]);

export const RespondToChallengeBody = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('NEW_PASSWORD_REQUIRED'),
    session: Type.String({ minLength: 1, maxLength: 2048 }),
    newPassword: Password,
    userAttributes: Type.Optional(AttributeMap),
  },
  { additionalProperties: false },
);
