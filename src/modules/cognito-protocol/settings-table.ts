/**
 * Every member of every Cognito request Cognate answers, and every REST setting, with what Cognate
 * does with it: the one source of docs/cognito-settings.md (written from here by
 * `npm run docs:settings`, checked by test/cognito/settings-rule.test.ts). No member is accepted
 * and ignored:
 *
 * - honoured: it takes effect;
 * - off-only: accepted only with a value that asks for nothing Cognate lacks (OFF, false, an empty
 *   list, Cognito's default where that is what Cognate does); any other value is refused;
 * - per-request: data for Lambda triggers (ClientMetadata and kin), accepted and passed to hooks (docs/trigger-events.md);
 * - plumbing: AWS wiring with no meaning self-hosted that weakens nothing: accepted, stored, shown
 *   by DescribeUserPool, and not used (Cognate sends through its SMTP_URL mailer and Twilio);
 * - refused: InvalidParameterException naming the member, until the issue that implements it;
 * - and a member Cognito does not define is refused too.
 *
 * A later issue that implements a member moves its row to honoured, with its own `since`.
 */
import { Type, type TSchema } from 'typebox';

export type MemberStatus = 'honoured' | 'off-only' | 'per-request' | 'plumbing' | 'refused';

/** The version or issue since which a member has its status. */
export type Since = '0.1.0' | 'issue 11' | 'issue 15' | 'issue 16' | 'issue 17';

export interface MemberRule {
  status: MemberStatus;
  since: Since;
  /** For the docs and the refusal: what Cognate does, why it refuses, what to use instead. */
  note?: string;
  /** off-only: the values accepted, as the docs print them. */
  accepted?: string;
  /** off-only: whether a value asks for nothing Cognate lacks. */
  isOff?: (value: unknown) => boolean;
  /** per-request and plumbing: the shape a value must have (it is passed on or stored). */
  shape?: TSchema;
}

/** An object member whose own members are ruled one by one. */
export interface NestedRule {
  members: MemberRules;
}

export type MemberRules = Record<string, MemberRule | NestedRule>;

export const isNested = (rule: MemberRule | NestedRule): rule is NestedRule => 'members' in rule;

// ---- Constructors --------------------------------------------------------------------------------

const honoured = (note?: string, since: Since = '0.1.0'): MemberRule => ({
  status: 'honoured',
  since,
  ...(note && { note }),
});
const offOnly = (accepted: string, isOff: (value: unknown) => boolean, note: string): MemberRule => ({
  status: 'off-only',
  since: 'issue 11',
  accepted,
  isOff,
  note,
});
const refused = (note: string): MemberRule => ({ status: 'refused', since: 'issue 11', note });
const plumbing = (shape: TSchema, note: string): MemberRule => ({ status: 'plumbing', since: 'issue 11', shape, note });
const nested = (members: MemberRules): NestedRule => ({ members });
/** A rule of a member that came with issue 17 (the constructors above date theirs from issue 11). */
const issue17 = (rule: MemberRule): MemberRule => ({ ...rule, since: 'issue 17' });

const is = (expected: unknown) => (value: unknown) => value === expected;
const emptyList = (value: unknown) => Array.isArray(value) && value.length === 0;
const emptyMap = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
const field = (value: unknown, name: string) =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;

// ---- Shapes of what is passed on or stored -------------------------------------------------------

const text = (min: number, max: number, pattern?: string) =>
  Type.String({ minLength: min, maxLength: max, ...(pattern && { pattern: `^${pattern}$` }) });
const closed = (properties: Record<string, TSchema>) => Type.Object(properties, { additionalProperties: false });
// Cognito's ArnType.
const Arn = text(
  20,
  2048,
  'arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?',
);
const Attributes = Type.Array(closed({ Name: text(1, 32), Value: Type.Optional(Type.String({ maxLength: 2048 })) }), {
  maxItems: 100,
});

// ---- Shared rules --------------------------------------------------------------------------------

const HOOKS =
  'Passed to the pool’s hooks where Cognito passes it to its Lambda triggers (docs/trigger-events.md); not stored, but for a queued message’s, sealed with it until sent.';
const NOT_FOR_HOOKS =
  'Cognito reads it for analytics and threat protection, which Cognate does not have; accepted and not used.';
const perRequest = (shape: TSchema, note = HOOKS, since: Since = 'issue 15'): MemberRule => ({
  status: 'per-request',
  since,
  shape,
  note,
});
const ClientMetadata = perRequest(Type.Record(Type.String({ maxLength: 131072 }), Type.String({ maxLength: 131072 })));
const ValidationData = perRequest(Attributes);
const AnalyticsMetadata = perRequest(
  closed({ AnalyticsEndpointId: Type.Optional(Type.String({ maxLength: 2048 })) }),
  NOT_FOR_HOOKS,
  'issue 11',
);
const UserContextData = perRequest(
  closed({
    IpAddress: Type.Optional(Type.String({ maxLength: 131072 })),
    EncodedData: Type.Optional(Type.String({ maxLength: 131072 })),
  }),
  NOT_FOR_HOOKS,
  'issue 11',
);
const trackedRequest = { AnalyticsMetadata, UserContextData, ClientMetadata };

const NO_SECRETS = 'Cognate app clients have no secret (public clients only); client secrets come with a later issue.';
const SecretHash = refused(`${NO_SECRETS} Send no SecretHash.`);
const ClientSecret = refused(`${NO_SECRETS} Send no ClientSecret.`);
const NO_TEMPLATES =
  'Cognate’s messages are set per pool with PUT /v1/pools/{poolId}/message-templates (REST); the Cognito members for them come with a later issue.';
const HOOK_VALUE =
  'Called as a signed HTTP hook (docs/triggers.md): an http(s) URL, or a Lambda ARN that HOOK_ARNS_FILE maps to one; an unmapped ARN is refused.';
const LATER_TRIGGER =
  'This trigger is not implemented yet; it comes with a later issue. Cognate calls PreSignUp, PostConfirmation, PreAuthentication, PostAuthentication, PreTokenGeneration and CustomMessage as hooks (docs/triggers.md).';
const NO_OAUTH = 'Managed login and the OAuth 2.0 endpoints are not implemented; they come with a later issue.';
const DEVICES = 'docs/devices.md';
const NO_THREAT_PROTECTION = 'Threat protection (advanced security) is not implemented; it comes with a later issue.';
const POOL_LIFETIME =
  'Honoured when it equals the pool’s own lifetime (tokenPolicy), counted in TokenValidityUnits; another lifetime is refused naming the member (Cognate keeps lifetimes per pool).';

const hookTrigger = (note = HOOK_VALUE) => honoured(note, 'issue 15');
const laterTrigger = refused(LATER_TRIGGER);

const clientSettings: MemberRules = {
  RefreshTokenValidity: honoured(POOL_LIFETIME, 'issue 11'),
  AccessTokenValidity: honoured(POOL_LIFETIME, 'issue 11'),
  IdTokenValidity: honoured(POOL_LIFETIME, 'issue 11'),
  TokenValidityUnits: honoured(
    'The units of the three lifetimes (Cognito’s defaults: hours, hours, days).',
    'issue 11',
  ),
  ReadAttributes: honoured(),
  WriteAttributes: honoured(),
  ExplicitAuthFlows: honoured('ALLOW_ names only; a flow Cognate does not run grants nothing.'),
  SupportedIdentityProviders: offOnly(
    '[] or ["COGNITO"]',
    (v) => Array.isArray(v) && v.every((p) => p === 'COGNITO'),
    'Federation (SAML, OIDC, social providers) is not implemented; users are the pool’s own.',
  ),
  CallbackURLs: offOnly('[]', emptyList, NO_OAUTH),
  LogoutURLs: offOnly('[]', emptyList, NO_OAUTH),
  DefaultRedirectURI: refused(NO_OAUTH),
  AllowedOAuthFlows: offOnly('[]', emptyList, NO_OAUTH),
  AllowedOAuthScopes: offOnly('[]', emptyList, NO_OAUTH),
  AllowedOAuthFlowsUserPoolClient: offOnly('false', is(false), NO_OAUTH),
  AnalyticsConfiguration: refused('Amazon Pinpoint analytics is not implemented.'),
  PreventUserExistenceErrors: honoured('Cognito’s default here is LEGACY; the REST API’s is ENABLED.'),
  EnableTokenRevocation: offOnly(
    'true',
    is(true),
    'Cognate always lets refresh tokens be revoked; revocation cannot be turned off.',
  ),
  EnablePropagateAdditionalUserContextData: offOnly('false', is(false), NO_THREAT_PROTECTION),
  AuthSessionValidity: honoured(
    'Minutes, 3 to 15: how long each custom authentication session lives (docs/custom-auth.md).',
    'issue 16',
  ),
  RefreshTokenRotation: offOnly(
    '{"Feature": "DISABLED"}',
    (v) => field(v, 'Feature') === 'DISABLED',
    'Refresh tokens are not rotated; rotation comes with a later issue.',
  ),
};

/** CreateGroup and UpdateGroup (docs/groups.md). */
const GROUP_SETTINGS: MemberRules = {
  UserPoolId: honoured(undefined, 'issue 15'),
  GroupName: honoured(undefined, 'issue 15'),
  Description: honoured(undefined, 'issue 15'),
  RoleArn: honoured('Carried into cognito:roles and cognito:preferred_role; no IAM is called.', 'issue 15'),
  Precedence: honoured(undefined, 'issue 15'),
};

/** The Cognito face: each action Cognate answers, every member its request has in the AWS SDK. */
export const COGNITO_SETTINGS: Record<string, MemberRules> = {
  CreateUserPool: {
    PoolName: honoured(),
    Policies: nested({
      PasswordPolicy: nested({
        MinimumLength: honoured(),
        RequireUppercase: honoured(),
        RequireLowercase: honoured(),
        RequireNumbers: honoured(),
        RequireSymbols: honoured(),
        PasswordHistorySize: offOnly('0', is(0), 'Cognate keeps no password history; it comes with a later issue.'),
        TemporaryPasswordValidityDays: refused(
          'Temporary passwords do not expire in Cognate yet; expiry comes with a later issue.',
        ),
      }),
      SignInPolicy: nested({
        AllowedFirstAuthFactors: honoured(
          'The first factors USER_AUTH offers: PASSWORD (required, as in Cognito), EMAIL_OTP, SMS_OTP; WEB_AUTHN is refused naming it until passkeys come (docs/passwordless.md).',
          'issue 17',
        ),
      }),
    }),
    DeletionProtection: honoured(
      'Shown by DescribeUserPool. Cognate cannot delete pools at all yet; DeleteUserPool, when it comes, must refuse an ACTIVE pool.',
      'issue 11',
    ),
    LambdaConfig: nested({
      PreSignUp: hookTrigger(),
      CustomMessage: hookTrigger(),
      PostConfirmation: hookTrigger(),
      PreAuthentication: hookTrigger(),
      PostAuthentication: hookTrigger(),
      DefineAuthChallenge: honoured(`${HOOK_VALUE} Drives CUSTOM_AUTH (docs/custom-auth.md).`, 'issue 16'),
      CreateAuthChallenge: honoured(`${HOOK_VALUE} Builds each CUSTOM_CHALLENGE (docs/custom-auth.md).`, 'issue 16'),
      VerifyAuthChallengeResponse: honoured(`${HOOK_VALUE} Judges each ANSWER (docs/custom-auth.md).`, 'issue 16'),
      PreTokenGeneration: hookTrigger(
        `The V1_0 hook (legacy member). ${HOOK_VALUE} When PreTokenGenerationConfig is also given, its LambdaArn must be the same value.`,
      ),
      UserMigration: honoured(
        `${HOOK_VALUE} Called for a password sign-in (USER_PASSWORD_AUTH) or ForgotPassword of a name no user has (docs/trigger-events.md, "UserMigration").`,
        'issue 16',
      ),
      PreTokenGenerationConfig: hookTrigger(
        `LambdaVersion V1_0, V2_0 or V3_0 and LambdaArn, the hook. ${HOOK_VALUE} DescribeUserPool shows LambdaArn as PreTokenGeneration too, as Cognito does.`,
      ),
      CustomSMSSender: laterTrigger,
      CustomEmailSender: laterTrigger,
      KMSKeyID: plumbing(
        Arn,
        'The key custom sender triggers decrypt codes with; Cognate has no such triggers and sends codes itself.',
      ),
      InboundFederation: laterTrigger,
    }),
    AutoVerifiedAttributes: honoured(),
    AliasAttributes: honoured(),
    UsernameAttributes: honoured(),
    SmsVerificationMessage: refused(NO_TEMPLATES),
    EmailVerificationMessage: refused(NO_TEMPLATES),
    EmailVerificationSubject: refused(NO_TEMPLATES),
    VerificationMessageTemplate: nested({
      SmsMessage: refused(NO_TEMPLATES),
      EmailMessage: refused(NO_TEMPLATES),
      EmailSubject: refused(NO_TEMPLATES),
      EmailMessageByLink: refused('Confirmation by link is not implemented; Cognate confirms with codes.'),
      EmailSubjectByLink: refused('Confirmation by link is not implemented; Cognate confirms with codes.'),
      DefaultEmailOption: offOnly(
        'CONFIRM_WITH_CODE',
        is('CONFIRM_WITH_CODE'),
        'Confirmation by link is not implemented; Cognate confirms with codes.',
      ),
    }),
    SmsAuthenticationMessage: honoured(
      'The SMS text of the pool’s AUTHENTICATION message template (with {####}); SetUserPoolMfaConfig and the REST message templates change the same text (docs/mfa.md).',
      'issue 17',
    ),
    MfaConfiguration: honoured(
      'OFF, ON or OPTIONAL. ON and OPTIONAL turn SMS MFA on, as Cognito’s CreateUserPool does (no SmsConfiguration needed: SMS go through Twilio); TOTP and email MFA are turned on with SetUserPoolMfaConfig (docs/mfa.md).',
      'issue 17',
    ),
    UserAttributeUpdateSettings: honoured(),
    DeviceConfiguration: honoured(
      `Remembered devices: ChallengeRequiredOnNewDevice (a remembered device stands in for MFA) and DeviceOnlyRememberedOnUserPrompt (ConfirmDevice leaves the choice to UpdateDeviceStatus); a member given turns device tracking on, and DescribeUserPool shows it (${DEVICES}).`,
      'issue 17',
    ),
    EmailConfiguration: nested({
      SourceArn: plumbing(Arn, 'Amazon SES identity; Cognate sends mail through its SMTP_URL mailer.'),
      ReplyToEmailAddress: refused(
        'Mail goes out from MAIL_FROM, one sender for the server, with no Reply-To per pool yet.',
      ),
      EmailSendingAccount: plumbing(
        Type.Enum(['COGNITO_DEFAULT', 'DEVELOPER']),
        'Which AWS account sends; Cognate sends mail through its SMTP_URL mailer.',
      ),
      From: refused(
        'Mail goes out from MAIL_FROM, one sender for the server; a sender per pool comes with a later issue.',
      ),
      ConfigurationSet: plumbing(
        text(1, 64, '[a-zA-Z0-9_-]+'),
        'Amazon SES configuration set; Cognate sends mail through its SMTP_URL mailer.',
      ),
    }),
    SmsConfiguration: nested({
      SnsCallerArn: plumbing(Arn, 'IAM role Amazon SNS sends with; Cognate sends SMS through Twilio (TWILIO_*).'),
      ExternalId: plumbing(
        Type.String({ maxLength: 2048 }),
        'The external id of that role; Cognate sends SMS through Twilio (TWILIO_*).',
      ),
      SnsRegion: plumbing(text(5, 32, '[-\\w]+'), 'Amazon SNS region; Cognate sends SMS through Twilio (TWILIO_*).'),
      EumsSms: refused(
        'AWS End User Messaging names its own sender; Cognate sends SMS through Twilio, from TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID.',
      ),
    }),
    UserPoolTags: plumbing(
      Type.Record(text(1, 128, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*'), Type.String({ maxLength: 256 }), {
        maxProperties: 50,
      }),
      'AWS resource tags (cost allocation, IAM conditions); stored and shown, nothing else reads them.',
    ),
    AdminCreateUserConfig: nested({
      AllowAdminCreateUserOnly: offOnly(
        'false',
        is(false),
        'Self-service sign-up cannot be turned off yet; that comes with a later issue.',
      ),
      UnusedAccountValidityDays: refused(
        'Temporary passwords do not expire in Cognate yet; expiry comes with a later issue.',
      ),
      InviteMessageTemplate: refused(NO_TEMPLATES),
    }),
    Schema: honoured(),
    UserPoolAddOns: nested({
      AdvancedSecurityMode: offOnly('OFF', is('OFF'), NO_THREAT_PROTECTION),
      AdvancedSecurityAdditionalFlows: refused(NO_THREAT_PROTECTION),
    }),
    // Without EnableStatus Cognito turns dynamic client registration on, so only an explicit Disabled is off.
    DcrConfiguration: offOnly(
      '{"EnableStatus": "Disabled"}',
      (v) => field(v, 'EnableStatus') === 'Disabled',
      'Dynamic client registration is not implemented.',
    ),
    UsernameConfiguration: honoured('Cognito’s default here is case-sensitive; the REST API’s is not.'),
    AccountRecoverySetting: honoured(
      'ForgotPassword sends to the first mechanism the user has verified; admin_only refuses it for everyone. Unset: verified_email, then verified_phone_number (Cognito: phone first).',
      'issue 11',
    ),
    UserPoolTier: plumbing(
      Type.Enum(['LITE', 'ESSENTIALS', 'PLUS']),
      'AWS pricing tier; Cognate has none, and no feature depends on it.',
    ),
    KeyConfiguration: nested({
      KeyType: offOnly(
        'AWS_OWNED_KEY',
        is('AWS_OWNED_KEY'),
        'Cognate does not encrypt pool data with a KMS key; encrypt PostgreSQL’s storage instead.',
      ),
      KmsKeyArn: refused('Cognate does not encrypt pool data with a KMS key; encrypt PostgreSQL’s storage instead.'),
    }),
    IssuerConfiguration: nested({
      Type: offOnly(
        'ORIGINAL',
        is('ORIGINAL'),
        'Tokens are issued by PUBLIC_URL/<pool id>, one issuer per pool, as ORIGINAL issuers are.',
      ),
    }),
    AcrConfiguration: offOnly('{}', emptyMap, 'Authentication context (acr) levels are not implemented.'),
  },

  CreateUserPoolClient: {
    UserPoolId: honoured(),
    ClientName: honoured(),
    GenerateSecret: offOnly('false', is(false), `${NO_SECRETS} Create the client with GenerateSecret false.`),
    ClientSecret,
    ...clientSettings,
  },

  /** Replaces the client's whole configuration, as in Cognito; a refused member changes nothing. */
  UpdateUserPoolClient: {
    UserPoolId: honoured(),
    ClientId: honoured(),
    ClientName: honoured(),
    ...clientSettings,
  },

  // ---- User actions: the members each reads, the data for hooks, and client secrets refused ----
  SignUp: {
    ClientId: honoured(),
    SecretHash,
    Username: honoured(),
    Password: honoured(),
    UserAttributes: honoured(),
    ValidationData,
    ...trackedRequest,
  },
  ConfirmSignUp: {
    ClientId: honoured(),
    Username: honoured(),
    ConfirmationCode: honoured(),
    SecretHash,
    ForceAliasCreation: honoured(),
    ...trackedRequest,
    Session: refused(
      'Sign-in straight after sign-up (a Session from SignUp for USER_AUTH) is not implemented; SignUp returns no Session.',
    ),
  },
  ResendConfirmationCode: { ClientId: honoured(), Username: honoured(), SecretHash, ...trackedRequest },
  InitiateAuth: {
    AuthFlow: honoured(
      'USER_PASSWORD_AUTH, USER_SRP_AUTH, CUSTOM_AUTH (docs/custom-auth.md), USER_AUTH (choice-based and passwordless sign-in, docs/passwordless.md; since issue 17), REFRESH_TOKEN_AUTH; any other flow is refused naming it.',
    ),
    ClientId: honoured(),
    AuthParameters: honoured(),
    ...trackedRequest,
    Session: refused(
      'Sign-in straight after sign-up (USER_AUTH with the Session of ConfirmSignUp) is not implemented: SignUp and ConfirmSignUp return no Session; start USER_AUTH with USERNAME (docs/passwordless.md).',
    ),
  },
  RespondToAuthChallenge: {
    ClientId: honoured(),
    ChallengeName: honoured(),
    Session: honoured(),
    ChallengeResponses: honoured(),
    ...trackedRequest,
  },
  GetTokensFromRefreshToken: {
    RefreshToken: honoured(),
    ClientId: honoured(),
    ClientSecret,
    DeviceKey: honoured(
      `A session started on a device must name that device’s key, as in Cognito; its tokens keep device_key (${DEVICES}).`,
      'issue 17',
    ),
    ClientMetadata,
  },
  GetUser: { AccessToken: honoured() },

  // ---- Multi-factor authentication (issue 17, docs/mfa.md) ----
  SetUserPoolMfaConfig: {
    UserPoolId: honoured(undefined, 'issue 17'),
    MfaConfiguration: honoured(
      'OFF, ON or OPTIONAL; left as it is when not given. ON and OPTIONAL need a factor on.',
      'issue 17',
    ),
    SmsMfaConfiguration: nested({
      SmsAuthenticationMessage: honoured(
        'The SMS text of the pool’s AUTHENTICATION message template (6 to 140 characters, with {####}).',
        'issue 17',
      ),
      SmsConfiguration: nested({
        SnsCallerArn: issue17(
          plumbing(Arn, 'IAM role Amazon SNS sends with; Cognate sends SMS through Twilio (TWILIO_*).'),
        ),
        ExternalId: issue17(
          plumbing(
            Type.String({ maxLength: 2048 }),
            'The external id of that role; Cognate sends SMS through Twilio (TWILIO_*).',
          ),
        ),
        SnsRegion: issue17(
          plumbing(text(5, 32, '[-\\w]+'), 'Amazon SNS region; Cognate sends SMS through Twilio (TWILIO_*).'),
        ),
        EumsSms: issue17(
          refused(
            'AWS End User Messaging names its own sender; Cognate sends SMS through Twilio, from TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID.',
          ),
        ),
      }),
    }),
    SoftwareTokenMfaConfiguration: nested({
      Enabled: honoured('TOTP MFA on or off (RFC 6238, codes accepted once, secrets sealed at rest).', 'issue 17'),
    }),
    EmailMfaConfiguration: nested({
      Message: honoured(
        'The email text of the pool’s AUTHENTICATION message template (with {####}); its HTML is then made from it. No pricing tier or SES account is needed.',
        'issue 17',
      ),
      Subject: honoured('The subject of the pool’s AUTHENTICATION message template.', 'issue 17'),
    }),
    WebAuthnConfiguration: issue17(
      refused('Passkeys (WebAuthn) are not implemented; they come with a later issue. Send no WebAuthnConfiguration.'),
    ),
  },
  GetUserPoolMfaConfig: { UserPoolId: honoured(undefined, 'issue 17') },
  AssociateSoftwareToken: {
    AccessToken: honoured('The signed-in user’s new TOTP secret, pending until VerifySoftwareToken.', 'issue 17'),
    Session: honoured('The Session of an MFA_SETUP challenge: a new Session comes back.', 'issue 17'),
  },
  VerifySoftwareToken: {
    UserCode: honoured('Six digits, within one 30-second step either side; each step is accepted once.', 'issue 17'),
    AccessToken: honoured(undefined, 'issue 17'),
    Session: honoured('MFA_SETUP’s: TOTP is turned on and preferred, and a new Session comes back.', 'issue 17'),
    FriendlyDeviceName: honoured('Kept and shown as SOFTWARE_TOKEN_MFA’s FRIENDLY_DEVICE_NAME.', 'issue 17'),
  },
  SetUserMFAPreference: {
    AccessToken: honoured(undefined, 'issue 17'),
    SMSMfaSettings: nested({ Enabled: honoured(undefined, 'issue 17'), PreferredMfa: honoured(undefined, 'issue 17') }),
    SoftwareTokenMfaSettings: nested({
      Enabled: honoured(undefined, 'issue 17'),
      PreferredMfa: honoured(undefined, 'issue 17'),
    }),
    EmailMfaSettings: nested({
      Enabled: honoured('No pricing tier is needed (docs/mfa.md).', 'issue 17'),
      PreferredMfa: honoured(undefined, 'issue 17'),
    }),
    WebAuthnMfaSettings: nested({
      Enabled: issue17(
        offOnly('false', is(false), 'Passkeys (WebAuthn) are not implemented; they come with a later issue.'),
      ),
    }),
  },
  AdminSetUserMFAPreference: {
    UserPoolId: honoured(undefined, 'issue 17'),
    Username: honoured('The username or any sign-in alias.', 'issue 17'),
    SMSMfaSettings: nested({ Enabled: honoured(undefined, 'issue 17'), PreferredMfa: honoured(undefined, 'issue 17') }),
    SoftwareTokenMfaSettings: nested({
      Enabled: honoured(undefined, 'issue 17'),
      PreferredMfa: honoured(undefined, 'issue 17'),
    }),
    EmailMfaSettings: nested({
      Enabled: honoured('No pricing tier is needed (docs/mfa.md).', 'issue 17'),
      PreferredMfa: honoured(undefined, 'issue 17'),
    }),
    WebAuthnMfaSettings: nested({
      Enabled: issue17(
        offOnly('false', is(false), 'Passkeys (WebAuthn) are not implemented; they come with a later issue.'),
      ),
    }),
  },

  // ---- Remembered devices (issue 17, docs/devices.md) ----
  ConfirmDevice: {
    AccessToken: honoured(undefined, 'issue 17'),
    DeviceKey: honoured('A key handed out as NewDeviceMetadata to this user, not yet confirmed.', 'issue 17'),
    DeviceSecretVerifierConfig: honoured(
      'Required by Cognate: the device’s SRP PasswordVerifier and Salt (base64, as Amplify sends them); without them the device could never prove itself.',
      'issue 17',
    ),
    DeviceName: honoured('Shown as the device_name attribute.', 'issue 17'),
  },
  GetDevice: { DeviceKey: honoured(undefined, 'issue 17'), AccessToken: honoured(undefined, 'issue 17') },
  ListDevices: {
    AccessToken: honoured(undefined, 'issue 17'),
    Limit: honoured('0 to 60, default 60; confirmed devices only, by key.', 'issue 17'),
    PaginationToken: honoured(undefined, 'issue 17'),
  },
  UpdateDeviceStatus: {
    AccessToken: honoured(undefined, 'issue 17'),
    DeviceKey: honoured(undefined, 'issue 17'),
    DeviceRememberedStatus: honoured('remembered or not_remembered; required by Cognate.', 'issue 17'),
  },
  ForgetDevice: {
    AccessToken: honoured('Required by Cognate: it names whose device is forgotten.', 'issue 17'),
    DeviceKey: honoured(undefined, 'issue 17'),
  },
  GetUserAuthFactors: {
    AccessToken: honoured(
      'The user’s MFA settings and the first factors they can use (docs/passwordless.md).',
      'issue 17',
    ),
  },
  UpdateUserAttributes: { UserAttributes: honoured(), AccessToken: honoured(), ClientMetadata },
  DeleteUserAttributes: { UserAttributeNames: honoured(), AccessToken: honoured() },
  GetUserAttributeVerificationCode: { AccessToken: honoured(), AttributeName: honoured(), ClientMetadata },
  VerifyUserAttribute: { AccessToken: honoured(), AttributeName: honoured(), Code: honoured() },
  ChangePassword: { ProposedPassword: honoured(), AccessToken: honoured(), PreviousPassword: honoured() },
  ForgotPassword: { ClientId: honoured(), Username: honoured(), SecretHash, ...trackedRequest },
  ConfirmForgotPassword: {
    ClientId: honoured(),
    Username: honoured(),
    ConfirmationCode: honoured(),
    Password: honoured(),
    SecretHash,
    ...trackedRequest,
  },
  GlobalSignOut: { AccessToken: honoured() },
  RevokeToken: {
    Token: honoured(),
    ClientId: honoured(),
    ClientSecret,
    RevokeAssociatedSessions: offOnly(
      'NONE',
      is('NONE'),
      'Cognate has no managed-login sessions to link; only NONE is accepted.',
    ),
  },
  DeleteUser: { AccessToken: honoured() },

  // ---- Other admin actions ----
  DescribeUserPool: { UserPoolId: honoured() },
  ListUserPools: { MaxResults: honoured(), NextToken: honoured() },
  AddCustomAttributes: { UserPoolId: honoured(), CustomAttributes: honoured() },
  DescribeUserPoolClient: { UserPoolId: honoured(), ClientId: honoured() },
  ListUserPoolClients: {
    UserPoolId: honoured(),
    MaxResults: honoured(),
    NextToken: honoured(),
    ClientType: offOnly(
      'REGULAR',
      is('REGULAR'),
      'Every Cognate client is a regular one; dynamic client registration is not implemented.',
    ),
  },
  AdminCreateUser: {
    UserPoolId: honoured(),
    Username: honoured(),
    UserAttributes: honoured(),
    ValidationData,
    TemporaryPassword: honoured(),
    ForceAliasCreation: honoured(),
    MessageAction: honoured(),
    DesiredDeliveryMediums: honoured(),
    ClientMetadata,
  },
  AdminGetUser: { UserPoolId: honoured(), Username: honoured() },
  AdminGetDevice: {
    DeviceKey: honoured(undefined, 'issue 17'),
    UserPoolId: honoured(undefined, 'issue 17'),
    Username: honoured(undefined, 'issue 17'),
  },
  AdminListDevices: {
    UserPoolId: honoured(undefined, 'issue 17'),
    Username: honoured(undefined, 'issue 17'),
    Limit: honoured('0 to 60, default 60; confirmed devices only, by key.', 'issue 17'),
    PaginationToken: honoured(undefined, 'issue 17'),
  },
  AdminUpdateDeviceStatus: {
    UserPoolId: honoured(undefined, 'issue 17'),
    Username: honoured(undefined, 'issue 17'),
    DeviceKey: honoured(undefined, 'issue 17'),
    DeviceRememberedStatus: honoured('remembered or not_remembered; required by Cognate.', 'issue 17'),
  },
  AdminForgetDevice: {
    UserPoolId: honoured(undefined, 'issue 17'),
    Username: honoured(undefined, 'issue 17'),
    DeviceKey: honoured(undefined, 'issue 17'),
  },
  AdminUpdateUserAttributes: {
    UserPoolId: honoured(),
    Username: honoured(),
    UserAttributes: honoured(),
    ClientMetadata,
  },
  AdminDeleteUserAttributes: { UserPoolId: honoured(), Username: honoured(), UserAttributeNames: honoured() },
  AdminConfirmSignUp: { UserPoolId: honoured(), Username: honoured(), ClientMetadata },
  AdminDisableUser: { UserPoolId: honoured(), Username: honoured() },
  AdminEnableUser: { UserPoolId: honoured(), Username: honoured() },
  AdminDeleteUser: { UserPoolId: honoured(), Username: honoured() },
  AdminUserGlobalSignOut: { UserPoolId: honoured(), Username: honoured() },
  ListUsers: {
    UserPoolId: honoured(),
    AttributesToGet: honoured(),
    Limit: honoured(),
    PaginationToken: honoured(),
    Filter: honoured(),
  },

  // ---- Groups (issue 15, docs/groups.md) ----
  CreateGroup: GROUP_SETTINGS,
  GetGroup: { UserPoolId: honoured(undefined, 'issue 15'), GroupName: honoured(undefined, 'issue 15') },
  ListGroups: {
    UserPoolId: honoured(undefined, 'issue 15'),
    Limit: honoured(undefined, 'issue 15'),
    NextToken: honoured(undefined, 'issue 15'),
  },
  UpdateGroup: GROUP_SETTINGS,
  DeleteGroup: { UserPoolId: honoured(undefined, 'issue 15'), GroupName: honoured(undefined, 'issue 15') },
  AdminAddUserToGroup: {
    UserPoolId: honoured(undefined, 'issue 15'),
    Username: honoured(undefined, 'issue 15'),
    GroupName: honoured(undefined, 'issue 15'),
  },
  AdminRemoveUserFromGroup: {
    UserPoolId: honoured(undefined, 'issue 15'),
    Username: honoured(undefined, 'issue 15'),
    GroupName: honoured(undefined, 'issue 15'),
  },
  AdminListGroupsForUser: {
    UserPoolId: honoured(undefined, 'issue 15'),
    Username: honoured(undefined, 'issue 15'),
    Limit: honoured(undefined, 'issue 15'),
    NextToken: honoured(undefined, 'issue 15'),
  },
  ListUsersInGroup: {
    UserPoolId: honoured(undefined, 'issue 15'),
    GroupName: honoured(undefined, 'issue 15'),
    Limit: honoured(undefined, 'issue 15'),
    NextToken: honoured(undefined, 'issue 15'),
  },
};

/**
 * The REST face's pool and client settings (src/schemas/pools.ts). Its schemas refuse any other
 * member; every one listed is honoured.
 */
/** The settings an app client is created and updated with, alike on both REST routes. */
const CLIENT_SETTINGS: MemberRules = {
  name: honoured(),
  readAttributes: honoured(),
  writeAttributes: honoured(),
  preventUserExistenceErrors: honoured(),
  explicitAuthFlows: honoured(),
  allowedOrigins: honoured(),
  authSessionValidity: honoured('Minutes, 3 to 15 (Cognito’s AuthSessionValidity; docs/custom-auth.md).', 'issue 16'),
};

const REST_HOOKS =
  'Cognito’s LambdaConfig in camelCase: preSignUp, postConfirmation, preAuthentication, postAuthentication, preTokenGeneration (+ preTokenGenerationVersion), customMessage, userMigration, defineAuthChallenge, createAuthChallenge, verifyAuthChallengeResponse (docs/triggers.md).';

export const REST_SETTINGS: Record<string, MemberRules> = {
  'POST /v1/pools': {
    poolId: honoured(),
    name: honoured(),
    schema: honoured(),
    aliasAttributes: honoured(),
    usernameAttributes: honoured(),
    autoVerifiedAttributes: honoured(),
    keepOriginalAttributes: honoured('Cognito’s AttributesRequireVerificationBeforeUpdate.'),
    usernameCaseSensitive: honoured(),
    srpEnabled: honoured(),
    passwordPolicy: honoured(),
    codePolicy: honoured(),
    tokenPolicy: honoured(),
    auditPolicy: honoured(),
    messageTemplates: honoured(),
    accountRecoverySetting: honoured('As Cognito’s AccountRecoverySetting, in camelCase.', 'issue 11'),
    hooks: honoured(REST_HOOKS, 'issue 15'),
    signInPolicy: honoured(
      'Cognito’s SignInPolicy in camelCase: allowedFirstAuthFactors, PASSWORD required, EMAIL_OTP and SMS_OTP optional (docs/passwordless.md).',
      'issue 17',
    ),
    deviceConfiguration: honoured(
      'Cognito’s DeviceConfiguration in camelCase: challengeRequiredOnNewDevice, deviceOnlyRememberedOnUserPrompt; null or absent, devices are not tracked (docs/devices.md).',
      'issue 17',
    ),
  },
  'PATCH /v1/pools/{poolId}': {
    srpEnabled: honoured(),
    hooks: honoured(`${REST_HOOKS} Replaces the whole set: a trigger left out is removed, {} removes all.`, 'issue 15'),
    signInPolicy: honoured('Replaces the pool’s allowedFirstAuthFactors (docs/passwordless.md).', 'issue 17'),
    deviceConfiguration: honoured(
      'Cognito’s DeviceConfiguration in camelCase; null turns device tracking off (docs/devices.md).',
      'issue 17',
    ),
  },
  'POST /v1/pools/{poolId}/clients': { clientId: honoured(), ...CLIENT_SETTINGS },
  'PATCH /v1/pools/{poolId}/clients/{clientId}': CLIENT_SETTINGS,
  /** Cognito's SetUserPoolMfaConfig (docs/mfa.md). */
  'PUT /v1/pools/{poolId}/mfa-config': {
    mfaConfiguration: honoured('OFF, ON or OPTIONAL; ON and OPTIONAL need a factor on.', 'issue 17'),
    factors: honoured(
      '{sms, softwareToken, email}: the whole set of factors offered; a factor left out is off. No pricing tier is needed for email.',
      'issue 17',
    ),
    smsAuthenticationMessage: honoured('The SMS text of the pool’s AUTHENTICATION message template.', 'issue 17'),
    emailMessage: honoured('The email text of the pool’s AUTHENTICATION message template.', 'issue 17'),
    emailSubject: honoured('The subject of the pool’s AUTHENTICATION message template.', 'issue 17'),
  },
};
