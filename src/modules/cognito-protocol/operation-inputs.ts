/**
 * The members of each Cognito operation that Cognate reads, with Cognito's own constraints
 * (from the service's API reference). What a request's other members may be is ruled by
 * settings-table.ts before these are read (docs/cognito-settings.md): none is accepted and ignored.
 */
import { Type, type TSchema } from 'typebox';

/** A request, or an object whose other members settings-table.ts rules one by one. */
const object = <P extends Record<string, TSchema>>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
/** An object inside an honoured member: a member Cognito does not define in it is refused, naming it. */
const closed = <P extends Record<string, TSchema>>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });
const s = (min: number, max: number, pattern?: string) =>
  Type.String({ minLength: min, maxLength: max, ...(pattern && { pattern: `^${pattern}$` }) });

export const ClientId = s(1, 128, '[\\w+]+');
export const UserPoolId = s(1, 55, '[\\w-]+_[0-9a-zA-Z]+');
export const Username = s(1, 128, '[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
export const Password = s(1, 256);
export const AccessToken = s(1, 16384, '[A-Za-z0-9-_=.]+');
export const ConfirmationCode = s(1, 2048, '[\\S]+');
export const AttributeName = s(1, 32, '[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
const StringMap = Type.Record(Type.String(), Type.String());
/** Data for the pool's triggers (docs/trigger-events.md); its size is checked by settings-table.ts. */
const ClientMetadata = Type.Optional(StringMap);

export const AttributeList = Type.Array(
  closed({ Name: AttributeName, Value: Type.Optional(Type.String({ maxLength: 2048 })) }),
  { maxItems: 100 },
);
const AttributeNames = Type.Array(AttributeName, { maxItems: 100 });
const DeliveryMediums = Type.Array(Type.Enum(['EMAIL', 'SMS']), { maxItems: 2 });
const Verifiable = Type.Enum(['email', 'phone_number']);

// ---- User operations ---------------------------------------------------------------------------

export const SignUp = object({
  ClientId,
  Username,
  Password,
  UserAttributes: Type.Optional(AttributeList),
  ValidationData: Type.Optional(AttributeList),
  ClientMetadata,
  SecretHash: Type.Optional(Type.String()),
});
export const ConfirmSignUp = object({
  ClientId,
  Username,
  ConfirmationCode,
  ForceAliasCreation: Type.Optional(Type.Boolean()),
  ClientMetadata,
});
export const ResendConfirmationCode = object({ ClientId, Username, ClientMetadata });
export const InitiateAuth = object({
  ClientId,
  AuthFlow: Type.String({ maxLength: 64 }),
  AuthParameters: Type.Optional(StringMap),
  ClientMetadata,
});
export const RespondToAuthChallenge = object({
  ClientId,
  ChallengeName: Type.String({ maxLength: 64 }),
  Session: Type.Optional(s(20, 2048)),
  ChallengeResponses: Type.Optional(StringMap),
  ClientMetadata,
});
export const GetTokensFromRefreshToken = object({
  ClientId,
  RefreshToken: s(1, 131072),
  DeviceKey: Type.Optional(s(1, 55, '[\\w-]+_[0-9a-f-]+')),
});
export const WithAccessToken = object({ AccessToken });
export const UpdateUserAttributes = object({ AccessToken, UserAttributes: AttributeList, ClientMetadata });
export const DeleteUserAttributes = object({ AccessToken, UserAttributeNames: AttributeNames });
export const GetUserAttributeVerificationCode = object({ AccessToken, AttributeName, ClientMetadata });
export const VerifyUserAttribute = object({ AccessToken, AttributeName, Code: ConfirmationCode });
export const ChangePassword = object({
  AccessToken,
  PreviousPassword: Type.Optional(Password),
  ProposedPassword: Password,
});
export const ForgotPassword = object({ ClientId, Username, ClientMetadata });
export const ConfirmForgotPassword = object({ ClientId, Username, ConfirmationCode, Password, ClientMetadata });
export const RevokeToken = object({ ClientId, Token: s(1, 131072), ClientSecret: Type.Optional(Type.String()) });

// ---- Admin operations --------------------------------------------------------------------------

const SchemaAttribute = closed({
  Name: Type.Optional(s(1, 20, '[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+')),
  AttributeDataType: Type.Optional(Type.Enum(['String', 'Number', 'DateTime', 'Boolean'])),
  DeveloperOnlyAttribute: Type.Optional(Type.Boolean()),
  Mutable: Type.Optional(Type.Boolean()),
  Required: Type.Optional(Type.Boolean()),
  NumberAttributeConstraints: Type.Optional(
    closed({ MinValue: Type.Optional(Type.String()), MaxValue: Type.Optional(Type.String()) }),
  ),
  StringAttributeConstraints: Type.Optional(
    closed({ MinLength: Type.Optional(Type.String()), MaxLength: Type.Optional(Type.String()) }),
  ),
});

/** Cognito's DeviceConfigurationType (docs/devices.md), on CreateUserPool (and UpdateUserPool). */
export const DeviceConfiguration = Type.Optional(
  closed({
    ChallengeRequiredOnNewDevice: Type.Optional(Type.Boolean()),
    DeviceOnlyRememberedOnUserPrompt: Type.Optional(Type.Boolean()),
  }),
);

export const CreateUserPool = object({
  PoolName: s(1, 128, '[\\w\\s+=,.@-]+'),
  DeviceConfiguration,
  Policies: Type.Optional(
    object({
      PasswordPolicy: Type.Optional(
        object({
          MinimumLength: Type.Optional(Type.Integer({ minimum: 6, maximum: 99 })),
          RequireUppercase: Type.Optional(Type.Boolean()),
          RequireLowercase: Type.Optional(Type.Boolean()),
          RequireNumbers: Type.Optional(Type.Boolean()),
          RequireSymbols: Type.Optional(Type.Boolean()),
        }),
      ),
      SignInPolicy: Type.Optional(
        object({
          AllowedFirstAuthFactors: Type.Optional(
            Type.Array(Type.Enum(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN']), { maxItems: 4 }),
          ),
        }),
      ),
    }),
  ),
  Schema: Type.Optional(Type.Array(SchemaAttribute, { minItems: 1, maxItems: 70 })),
  AutoVerifiedAttributes: Type.Optional(Type.Array(Verifiable, { maxItems: 2 })),
  AliasAttributes: Type.Optional(
    Type.Array(Type.Enum(['email', 'phone_number', 'preferred_username']), { maxItems: 3 }),
  ),
  UsernameAttributes: Type.Optional(Type.Array(Verifiable, { maxItems: 2 })),
  UsernameConfiguration: Type.Optional(closed({ CaseSensitive: Type.Boolean() })),
  UserAttributeUpdateSettings: Type.Optional(
    closed({ AttributesRequireVerificationBeforeUpdate: Type.Optional(Type.Array(Verifiable, { maxItems: 2 })) }),
  ),
  DeletionProtection: Type.Optional(Type.Enum(['ACTIVE', 'INACTIVE'])),
  // MFA (docs/mfa.md): ON and OPTIONAL turn SMS MFA on; the message is the AUTHENTICATION template's SMS text.
  MfaConfiguration: Type.Optional(Type.Enum(['OFF', 'ON', 'OPTIONAL'])),
  SmsAuthenticationMessage: Type.Optional(s(6, 140)),
  // The hooks (docs/triggers.md); each value is checked as a URL or mapped ARN by the pools module.
  LambdaConfig: Type.Optional(
    object({
      PreSignUp: Type.Optional(s(1, 2048)),
      PostConfirmation: Type.Optional(s(1, 2048)),
      PreAuthentication: Type.Optional(s(1, 2048)),
      PostAuthentication: Type.Optional(s(1, 2048)),
      PreTokenGeneration: Type.Optional(s(1, 2048)),
      PreTokenGenerationConfig: Type.Optional(
        closed({ LambdaVersion: Type.Enum(['V1_0', 'V2_0', 'V3_0']), LambdaArn: s(1, 2048) }),
      ),
      CustomMessage: Type.Optional(s(1, 2048)),
    }),
  ),
  // Cost-allocation tags (docs/pools.md); their limits are checked by the pools module.
  UserPoolTags: Type.Optional(Type.Record(Type.String(), Type.String())),
  AccountRecoverySetting: Type.Optional(
    closed({
      RecoveryMechanisms: Type.Optional(
        Type.Array(
          closed({
            Priority: Type.Integer({ minimum: 1, maximum: 2 }),
            Name: Type.Enum(['verified_email', 'verified_phone_number', 'admin_only']),
          }),
          { minItems: 1, maxItems: 2 },
        ),
      ),
    }),
  ),
});
export const UserPoolOnly = object({ UserPoolId });
export const ListUserPools = object({
  MaxResults: Type.Integer({ minimum: 1, maximum: 60 }),
  NextToken: Type.Optional(s(1, 1024)),
});
export const AddCustomAttributes = object({
  UserPoolId,
  CustomAttributes: Type.Array(SchemaAttribute, { minItems: 1, maxItems: 25 }),
});

const PreventUserExistenceErrors = Type.Enum(['ENABLED', 'LEGACY']);
const TimeUnit = Type.Enum(['seconds', 'minutes', 'hours', 'days']);
const ClientSettings = {
  ReadAttributes: Type.Optional(Type.Array(s(1, 2048), { maxItems: 70 })),
  WriteAttributes: Type.Optional(Type.Array(s(1, 2048), { maxItems: 70 })),
  PreventUserExistenceErrors: Type.Optional(PreventUserExistenceErrors),
  ExplicitAuthFlows: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 })),
  // Cognito's bounds in any unit; the pool's own lifetime decides (admin-operations.ts).
  RefreshTokenValidity: Type.Optional(Type.Integer({ minimum: 0, maximum: 315360000 })),
  AccessTokenValidity: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
  IdTokenValidity: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
  TokenValidityUnits: Type.Optional(
    closed({
      AccessToken: Type.Optional(TimeUnit),
      IdToken: Type.Optional(TimeUnit),
      RefreshToken: Type.Optional(TimeUnit),
    }),
  ),
  AuthSessionValidity: Type.Optional(Type.Integer({ minimum: 3, maximum: 15 })),
  // OAuth 2.0 (docs/web-sign-in.md, "Configuring a client"): Cognito's member constraints; pools/client-oauth.ts checks the rest.
  CallbackURLs: Type.Optional(Type.Array(s(1, 1024), { maxItems: 100 })),
  LogoutURLs: Type.Optional(Type.Array(s(1, 1024), { maxItems: 100 })),
  DefaultRedirectURI: Type.Optional(s(1, 1024)),
  AllowedOAuthFlows: Type.Optional(Type.Array(Type.Enum(['code', 'implicit', 'client_credentials']), { maxItems: 3 })),
  AllowedOAuthScopes: Type.Optional(Type.Array(s(1, 256), { maxItems: 50 })),
  AllowedOAuthFlowsUserPoolClient: Type.Optional(Type.Boolean()),
  SupportedIdentityProviders: Type.Optional(Type.Array(s(1, 32), { maxItems: 50 })),
};
export const CreateUserPoolClient = object({
  UserPoolId,
  ClientName: s(1, 128, '[\\w\\s+=,.@-]+'),
  GenerateSecret: Type.Optional(Type.Boolean()),
  // A custom secret (docs/client-secrets.md): Cognito's ClientSecretType.
  ClientSecret: Type.Optional(s(24, 64, '[\\w+]+')),
  ...ClientSettings,
});
export const UserPoolClient = object({ UserPoolId, ClientId });
export const UpdateUserPoolClient = object({
  UserPoolId,
  ClientId,
  ClientName: Type.Optional(s(1, 128, '[\\w\\s+=,.@-]+')),
  ...ClientSettings,
});
export const ListUserPoolClients = object({
  UserPoolId,
  MaxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
  NextToken: Type.Optional(s(1, 1024)),
});

export const AdminUser = object({ UserPoolId, Username });
export const AdminConfirmSignUp = object({ UserPoolId, Username, ClientMetadata });
export const AdminCreateUser = object({
  UserPoolId,
  Username,
  UserAttributes: Type.Optional(AttributeList),
  TemporaryPassword: Type.Optional(Password),
  ForceAliasCreation: Type.Optional(Type.Boolean()),
  MessageAction: Type.Optional(Type.Enum(['RESEND', 'SUPPRESS'])),
  DesiredDeliveryMediums: Type.Optional(DeliveryMediums),
  ValidationData: Type.Optional(AttributeList),
  ClientMetadata,
});
export const AdminUpdateUserAttributes = object({
  UserPoolId,
  Username,
  UserAttributes: AttributeList,
  ClientMetadata,
});
export const AdminDeleteUserAttributes = object({ UserPoolId, Username, UserAttributeNames: AttributeNames });
export const ListUsers = object({
  UserPoolId,
  AttributesToGet: Type.Optional(AttributeNames),
  Limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
  PaginationToken: Type.Optional(s(1, 4096)),
  Filter: Type.Optional(Type.String({ maxLength: 256 })),
});

// ---- Groups (group-operations.ts, docs/groups.md) ---------------------------------------------

const GroupName = s(1, 128, '[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
const GroupSettings = {
  Description: Type.Optional(Type.String({ maxLength: 2048 })),
  Precedence: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
  RoleArn: Type.Optional(
    s(
      20,
      2048,
      'arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?',
    ),
  ),
};
const GroupPage = {
  Limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
  NextToken: Type.Optional(s(1, 131072, '[\\S]+')),
};
/** CreateGroup and UpdateGroup. */
export const CreateGroup = object({ UserPoolId, GroupName, ...GroupSettings });
export const OneGroup = object({ UserPoolId, GroupName });
export const ListGroups = object({ UserPoolId, ...GroupPage });
export const Membership = object({ UserPoolId, Username, GroupName });
export const GroupsForUser = object({ UserPoolId, Username, ...GroupPage });
export const UsersInGroup = object({ UserPoolId, GroupName, ...GroupPage });
