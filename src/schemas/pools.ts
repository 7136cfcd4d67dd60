import { Type, type Static } from 'typebox';
import { accountRecoveryOf } from '../modules/pools/pool-settings.ts';
import { AUTH_FLOWS, type AppClient, type Pool } from '../modules/pools/pools.service.ts';
import { ref, StringEnum, VerifiableAttribute } from './common.ts';
import { DeviceConfiguration } from './devices.ts';
import { PoolHooks, presentHooks } from './hooks.ts';
import { PoolMessageTemplates } from './message-templates.ts';

export const AttributeDataType = StringEnum(['String', 'Number', 'DateTime', 'Boolean'], { $id: 'AttributeDataType' });
export const StringConstraints = Type.Object(
  {
    minLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 2048 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 2048 })),
  },
  { $id: 'StringConstraints', additionalProperties: false },
);
export const NumberConstraints = Type.Object(
  { minValue: Type.Optional(Type.Integer()), maxValue: Type.Optional(Type.Integer()) },
  { $id: 'NumberConstraints', additionalProperties: false },
);

export const SchemaAttributeInput = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 32,
      description: 'A standard name (to make it required or immutable) or a bare custom name, without `custom:`.',
    }),
    attributeDataType: Type.Optional(ref(AttributeDataType)),
    mutable: Type.Optional(Type.Boolean()),
    required: Type.Optional(Type.Boolean()),
    developerOnly: Type.Optional(Type.Boolean()),
    stringConstraints: Type.Optional(ref(StringConstraints)),
    numberConstraints: Type.Optional(ref(NumberConstraints)),
    searchable: Type.Optional(
      Type.Boolean({ description: 'Custom attributes only (default false): ListUsers may filter on it.' }),
    ),
  },
  { $id: 'SchemaAttributeInput', additionalProperties: false },
);

export const SchemaAttribute = Type.Object(
  {
    name: Type.String(),
    attributeDataType: ref(AttributeDataType),
    mutable: Type.Boolean(),
    required: Type.Boolean(),
    developerOnly: Type.Boolean(),
    stringConstraints: Type.Optional(ref(StringConstraints)),
    numberConstraints: Type.Optional(ref(NumberConstraints)),
    searchable: Type.Optional(
      Type.Boolean({ description: 'Present (true) on custom attributes ListUsers may filter on.' }),
    ),
  },
  { $id: 'SchemaAttribute', additionalProperties: false },
);

export const PasswordPolicy = Type.Object(
  {
    minimumLength: Type.Integer({ minimum: 6, maximum: 99 }),
    requireUppercase: Type.Boolean(),
    requireLowercase: Type.Boolean(),
    requireNumbers: Type.Boolean(),
    requireSymbols: Type.Boolean(),
  },
  { $id: 'PasswordPolicy', additionalProperties: false },
);
export const CodePolicy = Type.Object(
  {
    signUpCodeTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 86400 }),
    attributeCodeTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 86400 }),
    passwordResetCodeTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 86400 }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 1000 }),
    sendsPerHour: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    confirmsPerHour: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  { $id: 'CodePolicy', additionalProperties: false },
);
export const AuditPolicy = Type.Object(
  {
    recordValues: Type.Boolean({
      description:
        'Default false: the audit trail keeps attribute names and verified states, never values; true keeps old and new values too.',
    }),
  },
  { $id: 'AuditPolicy', additionalProperties: false },
);

export const TokenPolicy = Type.Object(
  {
    accessTokenTtlSeconds: Type.Integer({ minimum: 300, maximum: 86400 }),
    idTokenTtlSeconds: Type.Integer({ minimum: 300, maximum: 86400 }),
    refreshTokenTtlSeconds: Type.Integer({ minimum: 3600, maximum: 315_360_000 }),
  },
  { $id: 'TokenPolicy', additionalProperties: false },
);

export const RecoveryMechanism = Type.Object(
  {
    name: StringEnum(['verified_email', 'verified_phone_number', 'admin_only']),
    priority: Type.Integer({ minimum: 1, maximum: 2, description: '1 is tried first.' }),
  },
  { $id: 'RecoveryMechanism', additionalProperties: false },
);

export const AccountRecoverySetting = Type.Object(
  {
    recoveryMechanisms: Type.Array(ref(RecoveryMechanism), { minItems: 1, maxItems: 2 }),
  },
  {
    $id: 'AccountRecoverySetting',
    additionalProperties: false,
    description:
      'Cognito’s AccountRecoverySetting: forgot-password sends its code to the first mechanism the user has verified; ' +
      'admin_only (alone) refuses self-service reset to everyone. Default: verified_email, then verified_phone_number.',
  },
);

const SrpEnabled = Type.Boolean({
  description:
    'USER_SRP_AUTH (Amplify’s default sign-in). Default false here, true for pools created through the Cognito protocol. ' +
    'On, each user also gets an SRP verifier, a weaker secret than the argon2 hash (a salted SHA-256 of the password).',
});

export const SignInPolicy = Type.Object(
  {
    allowedFirstAuthFactors: Type.Array(StringEnum(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN']), {
      minItems: 1,
      maxItems: 4,
    }),
  },
  {
    $id: 'SignInPolicy',
    additionalProperties: false,
    description:
      'Cognito’s SignInPolicy: the first factors choice-based sign-in (USER_AUTH) offers. PASSWORD is required; ' +
      'EMAIL_OTP and SMS_OTP add passwordless codes; WEB_AUTHN is refused until passkeys come (docs/passwordless.md).',
  },
);

/** Cognito's UserPoolTags (docs/pools.md); the pools module checks the limits with Cognito's messages. */
export const PoolTags = Type.Record(Type.String(), Type.String(), {
  $id: 'PoolTags',
  description:
    'The pool’s tags, key to value: at most 50, keys 1 to 128 characters without the aws: prefix, values up to 256 (docs/pools.md).',
});

const DeletionProtection = Type.Boolean({
  description: 'Cognito’s DeletionProtection ACTIVE: DELETE /v1/pools/{poolId} is refused until it is turned off.',
});

export const UpdatePoolBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    // The members given change, the others stay (docs/pools.md).
    // PasswordPolicyInput, declared below.
    passwordPolicy: Type.Optional(Type.Unsafe<Partial<Static<typeof PasswordPolicy>>>(Type.Ref('PasswordPolicyInput'))),
    deletionProtection: Type.Optional(DeletionProtection),
    tags: Type.Optional(ref(PoolTags)),
    srpEnabled: Type.Optional(SrpEnabled),
    hooks: Type.Optional(ref(PoolHooks)),
    signInPolicy: Type.Optional(ref(SignInPolicy)),
    deviceConfiguration: Type.Optional(Type.Union([ref(DeviceConfiguration), Type.Null()])),
  },
  { $id: 'UpdatePoolRequest', additionalProperties: false, minProperties: 1 },
);

// What a new pool may set of each policy: any member, the rest default. Type.Partial drops the
// source's options, so unknown members would be accepted and stored: restate them.
export const PasswordPolicyInput = Type.Partial(PasswordPolicy, {
  $id: 'PasswordPolicyInput',
  additionalProperties: false,
});
export const CodePolicyInput = Type.Partial(CodePolicy, { $id: 'CodePolicyInput', additionalProperties: false });
export const TokenPolicyInput = Type.Partial(TokenPolicy, { $id: 'TokenPolicyInput', additionalProperties: false });
export const AuditPolicyInput = Type.Partial(AuditPolicy, { $id: 'AuditPolicyInput', additionalProperties: false });

export const CreatePoolBody = Type.Object(
  {
    poolId: Type.Optional(
      Type.String({ pattern: '^[a-z0-9-]{1,32}_[A-Za-z0-9]{9}$', description: 'Generated when omitted.' }),
    ),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    schema: Type.Optional(Type.Array(ref(SchemaAttributeInput), { maxItems: 70 })),
    aliasAttributes: Type.Optional(
      Type.Array(StringEnum(['email', 'phone_number', 'preferred_username']), { maxItems: 3 }),
    ),
    usernameAttributes: Type.Optional(Type.Array(ref(VerifiableAttribute), { maxItems: 2 })),
    autoVerifiedAttributes: Type.Optional(Type.Array(ref(VerifiableAttribute), { maxItems: 2 })),
    keepOriginalAttributes: Type.Optional(
      Type.Array(ref(VerifiableAttribute), {
        maxItems: 2,
        description: 'Cognito’s AttributesRequireVerificationBeforeUpdate: a change is held pending until verified.',
      }),
    ),
    usernameCaseSensitive: Type.Optional(
      Type.Boolean({ description: 'Default false: usernames and aliases match case-insensitively.' }),
    ),
    srpEnabled: Type.Optional(SrpEnabled),
    passwordPolicy: Type.Optional(ref(PasswordPolicyInput)),
    codePolicy: Type.Optional(ref(CodePolicyInput)),
    tokenPolicy: Type.Optional(ref(TokenPolicyInput)),
    auditPolicy: Type.Optional(ref(AuditPolicyInput)),
    messageTemplates: Type.Optional(ref(PoolMessageTemplates)),
    accountRecoverySetting: Type.Optional(ref(AccountRecoverySetting)),
    hooks: Type.Optional(ref(PoolHooks)),
    signInPolicy: Type.Optional(ref(SignInPolicy)),
    deviceConfiguration: Type.Optional(Type.Union([ref(DeviceConfiguration), Type.Null()])),
    deletionProtection: Type.Optional(DeletionProtection),
    tags: Type.Optional(ref(PoolTags)),
  },
  {
    $id: 'CreatePoolRequest',
    additionalProperties: false,
    examples: [
      {
        name: 'shop',
        aliasAttributes: ['email', 'preferred_username'],
        autoVerifiedAttributes: ['email'],
        schema: [{ name: 'plan', attributeDataType: 'String' }],
      },
    ],
  },
);

export const PoolResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    schemaAttributes: Type.Array(ref(SchemaAttribute)),
    aliasAttributes: Type.Array(Type.String()),
    usernameAttributes: Type.Array(Type.String()),
    autoVerifiedAttributes: Type.Array(Type.String()),
    keepOriginalAttributes: Type.Array(Type.String()),
    usernameCaseSensitive: Type.Boolean(),
    srpEnabled: Type.Boolean(),
    passwordPolicy: ref(PasswordPolicy),
    codePolicy: ref(CodePolicy),
    tokenPolicy: ref(TokenPolicy),
    auditPolicy: ref(AuditPolicy),
    messageTemplates: ref(PoolMessageTemplates),
    accountRecoverySetting: ref(AccountRecoverySetting),
    hooks: ref(PoolHooks),
    signInPolicy: ref(SignInPolicy),
    deviceConfiguration: Type.Union([ref(DeviceConfiguration), Type.Null()]),
    deletionProtection: DeletionProtection,
    tags: ref(PoolTags),
    issuer: Type.String({ description: 'The `iss` of this pool’s tokens.' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Pool', additionalProperties: false },
);

export const AddCustomAttributesBody = Type.Object(
  { customAttributes: Type.Array(ref(SchemaAttributeInput), { minItems: 1, maxItems: 25 }) },
  { $id: 'AddCustomAttributesRequest', additionalProperties: false },
);

export const PoolSummary = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'PoolSummary', additionalProperties: false },
);

export const PoolList = Type.Object(
  { pools: Type.Array(ref(PoolSummary)) },
  { $id: 'PoolList', additionalProperties: false },
);

export const PoolParams = Type.Object({ poolId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const ClientParams = Type.Object(
  { poolId: Type.String({ maxLength: 64 }), clientId: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

// uniqueItems: a name twice is a mistake, refused as the pool's own lists refuse it, not stored twice.
const AttributeList = Type.Union([
  Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 100, uniqueItems: true }),
  Type.Null(),
]);

export const AuthFlow = StringEnum([...AUTH_FLOWS], { $id: 'AuthFlow' });

const AuthFlows = Type.Union(
  [Type.Array(ref(AuthFlow), { maxItems: AUTH_FLOWS.length, uniqueItems: true }), Type.Null()],
  {
    description:
      'Cognito’s ExplicitAuthFlows: the sign-in flows this client may use. No list (null, the default here): all of them.',
  },
);

const AllowedOrigins = Type.Union(
  [Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 100, uniqueItems: true }), Type.Null()],
  {
    description:
      'Browser origins (scheme://host[:port], as the browser sends them: https://app.example.com, http://localhost:5173) ' +
      'that may call Cognate directly (CORS). No list (null, the default): none.',
  },
);

/** Cognito's AuthSessionValidity (docs/custom-auth.md, "Sessions"). */
const AuthSessionValidity = Type.Integer({
  minimum: 3,
  maximum: 15,
  description: 'Minutes a challenge session (custom authentication) lives: 3 to 15, default 3.',
});

/** The client's OAuth 2.0 settings (docs/web-sign-in.md, "Configuring a client"): Cognito's members in camelCase. */
const oauthMembers = {
  enabled: Type.Boolean({
    description:
      'Cognito’s AllowedOAuthFlowsUserPoolClient: the client may use the OAuth 2.0 endpoints and managed login (then flows and scopes are required).',
  }),
  flows: Type.Array(Type.Enum(['code', 'implicit', 'client_credentials']), {
    maxItems: 3,
    uniqueItems: true,
    description:
      'Cognito’s AllowedOAuthFlows. client_credentials needs a client secret, custom scopes only, and no other flow.',
  }),
  scopes: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
    maxItems: 50,
    description:
      'Cognito’s AllowedOAuthScopes: openid, email, phone, profile (these three with openid), aws.cognito.signin.user.admin, or a resource server’s <identifier>/<scope>.',
  }),
  callbackUrls: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
    maxItems: 100,
    description:
      'Cognito’s CallbackURLs: redirect_uri must equal one exactly. Absolute, no fragment, https (http only for http://localhost) or an app’s own scheme.',
  }),
  logoutUrls: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
    maxItems: 100,
    description: 'Cognito’s LogoutURLs: logout_uri must equal one exactly; the same rules as callbackUrls.',
  }),
  defaultRedirectUri: Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()], {
    description: 'Cognito’s DefaultRedirectURI: one of callbackUrls, or null.',
  }),
  identityProviders: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
    maxItems: 50,
    description:
      'Cognito’s SupportedIdentityProviders: COGNITO (the pool’s own users) and the names of the pool’s identity providers, exactly; another name is refused (docs/federation.md).',
  }),
  requirePkce: Type.Boolean({
    description:
      'Cognate’s own (Cognito has none; clients made on the Cognito wire keep false): the authorization-code flow must carry a PKCE S256 code_challenge.',
  }),
};

export const ClientOAuthSettings = Type.Object(oauthMembers, {
  $id: 'ClientOAuthSettings',
  additionalProperties: false,
  description: 'A client’s OAuth 2.0 settings (docs/web-sign-in.md, "Configuring a client").',
});

export const ClientOAuthInput = Type.Object(
  Object.fromEntries(Object.entries(oauthMembers).map(([name, schema]) => [name, Type.Optional(schema)])) as {
    [K in keyof typeof oauthMembers]: ReturnType<typeof Type.Optional<(typeof oauthMembers)[K]>>;
  },
  {
    $id: 'ClientOAuthInput',
    additionalProperties: false,
    description:
      'A client’s OAuth 2.0 settings: a member left out keeps its value (off, empty or false for a new client); the whole is checked together (docs/web-sign-in.md).',
  },
);

export const CreateClientBody = Type.Object(
  {
    clientId: Type.Optional(Type.String({ pattern: '^[a-z0-9]{26}$', description: 'Generated when omitted.' })),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    readAttributes: Type.Optional(AttributeList),
    writeAttributes: Type.Optional(AttributeList),
    preventUserExistenceErrors: Type.Optional(
      Type.Boolean({ description: 'Default true: unknown users get the same answers as real ones.' }),
    ),
    explicitAuthFlows: Type.Optional(AuthFlows),
    allowedOrigins: Type.Optional(AllowedOrigins),
    authSessionValidity: Type.Optional(AuthSessionValidity),
    oauth: Type.Optional(ref(ClientOAuthInput)),
    generateSecret: Type.Optional(
      Type.Boolean({
        description:
          'true: a confidential client with a generated secret, shown once as clientSecret in this answer (docs/client-secrets.md).',
      }),
    ),
    clientSecret: Type.Optional(
      Type.String({
        pattern: '^[\\w+]{24,64}$',
        description:
          'A confidential client with this secret of your own (24 to 64 of letters, digits, _ and +); not with generateSecret.',
      }),
    ),
  },
  {
    $id: 'CreateClientRequest',
    additionalProperties: false,
    examples: [
      {
        name: 'web',
        readAttributes: ['email', 'email_verified', 'given_name', 'custom:plan'],
        writeAttributes: ['email', 'given_name'],
        explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        allowedOrigins: ['https://shop.example.com'],
      },
    ],
  },
);

export const UpdateClientBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    readAttributes: Type.Optional(AttributeList),
    writeAttributes: Type.Optional(AttributeList),
    preventUserExistenceErrors: Type.Optional(Type.Boolean()),
    explicitAuthFlows: Type.Optional(AuthFlows),
    allowedOrigins: Type.Optional(AllowedOrigins),
    authSessionValidity: Type.Optional(AuthSessionValidity),
    oauth: Type.Optional(ref(ClientOAuthInput)),
  },
  {
    $id: 'UpdateClientRequest',
    additionalProperties: false,
    description: 'Members given replace the current ones; `null` removes a list.',
  },
);

export const ClientResponse = Type.Object(
  {
    clientId: Type.String(),
    poolId: Type.String(),
    name: Type.String(),
    readAttributes: Type.Union([Type.Array(Type.String()), Type.Null()]),
    writeAttributes: Type.Union([Type.Array(Type.String()), Type.Null()]),
    preventUserExistenceErrors: Type.Boolean(),
    explicitAuthFlows: AuthFlows,
    allowedOrigins: AllowedOrigins,
    authSessionValidity: AuthSessionValidity,
    oauth: ref(ClientOAuthSettings),
    hasSecret: Type.Boolean({
      description: 'A confidential client: its calls prove its secret (docs/client-secrets.md).',
    }),
    clientSecret: Type.Optional(
      Type.String({ description: 'Only in the answer that created the client with generateSecret: shown once.' }),
    ),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Client', additionalProperties: false },
);

export const ClientList = Type.Object(
  { clients: Type.Array(ref(ClientResponse)) },
  { $id: 'ClientList', additionalProperties: false },
);

export function presentPool(pool: Pool, issuer: string) {
  const { schema, ...settings } = pool.attributeSettings;
  return {
    id: pool.id,
    name: pool.name,
    schemaAttributes: schema,
    ...settings,
    usernameCaseSensitive: pool.usernameCaseSensitive,
    srpEnabled: pool.srpEnabled,
    passwordPolicy: pool.policies.password,
    codePolicy: pool.policies.codes,
    tokenPolicy: pool.policies.tokens,
    auditPolicy: pool.policies.audit,
    messageTemplates: pool.messageTemplates,
    accountRecoverySetting: accountRecoveryOf(pool.policies),
    hooks: presentHooks(pool.lambdaConfig),
    signInPolicy: pool.signInPolicy,
    deviceConfiguration: pool.deviceConfiguration,
    deletionProtection: pool.policies.deletionProtection ?? false,
    tags: pool.tags,
    issuer,
    createdAt: pool.createdAt.toISOString(),
    updatedAt: pool.updatedAt.toISOString(),
  };
}

/** `secret`: whether the client has one, and its value only in the answer that generated it. */
export function presentClient(client: AppClient, secret: { hasSecret: boolean; clientSecret?: string }) {
  return {
    clientId: client.id,
    poolId: client.poolId,
    name: client.name,
    readAttributes: client.readAttributes,
    writeAttributes: client.writeAttributes,
    preventUserExistenceErrors: client.preventUserExistenceErrors,
    explicitAuthFlows: client.explicitAuthFlows,
    allowedOrigins: client.allowedOrigins,
    authSessionValidity: client.authSessionValidity,
    oauth: client.oauth,
    hasSecret: secret.hasSecret,
    ...(secret.clientSecret !== undefined && { clientSecret: secret.clientSecret }),
    createdAt: client.createdAt.toISOString(),
    updatedAt: client.updatedAt.toISOString(),
  };
}
