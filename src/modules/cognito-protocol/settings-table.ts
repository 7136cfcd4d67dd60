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
export type Since = '0.1.0' | 'issue 11' | 'issue 15' | 'issue 16' | 'issue 17' | 'issue 18' | 'issue 19' | 'issue 20';

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
/** The admin sign-in's ContextDataType (Cognito's threat protection reads it; docs/admin-auth.md). */
const ContextData = perRequest(
  closed({
    IpAddress: Type.Optional(Type.String({ maxLength: 131072 })),
    ServerName: Type.Optional(Type.String({ maxLength: 131072 })),
    ServerPath: Type.Optional(Type.String({ maxLength: 131072 })),
    HttpHeaders: Type.Optional(
      Type.Array(
        closed({
          headerName: Type.Optional(Type.String({ maxLength: 131072 })),
          headerValue: Type.Optional(Type.String({ maxLength: 131072 })),
        }),
        { maxItems: 1000 },
      ),
    ),
    EncodedData: Type.Optional(Type.String({ maxLength: 131072 })),
  }),
  NOT_FOR_HOOKS,
  'issue 18',
);

const CLIENT_SECRETS = 'docs/client-secrets.md';
const SecretHash = honoured(
  `Required when the client has a secret: base64(HMAC-SHA256(secret, Username + ClientId)), any live secret; refused from a client without one (${CLIENT_SECRETS}).`,
  'issue 18',
);
const ClientSecret = honoured(
  `Required when the client has a secret: one of its live secrets; refused from a client without one (${CLIENT_SECRETS}).`,
  'issue 18',
);
const NO_TEMPLATES =
  'Cognate’s messages are set per pool with PUT /v1/pools/{poolId}/message-templates (REST); the Cognito members for them come with a later issue.';
const HOOK_VALUE =
  'Called as a signed HTTP hook (docs/triggers.md): an http(s) URL, or a Lambda ARN that HOOK_ARNS_FILE maps to one; an unmapped ARN is refused.';
const LATER_TRIGGER =
  'This trigger is not implemented yet; it comes with a later issue. Cognate calls PreSignUp, PostConfirmation, PreAuthentication, PostAuthentication, PreTokenGeneration and CustomMessage as hooks (docs/triggers.md).';
const WEB = 'docs/web-sign-in.md';
const web = (note?: string) => honoured(note, 'issue 19');
const DEVICES = 'docs/devices.md';
const NO_THREAT_PROTECTION = 'Threat protection (advanced security) is not implemented; it comes with a later issue.';
const POOL_LIFETIME =
  'Honoured when it equals the pool’s own lifetime (tokenPolicy), counted in TokenValidityUnits; another lifetime is refused naming the member (Cognate keeps lifetimes per pool).';

const hookTrigger = (note = HOOK_VALUE) => honoured(note, 'issue 15');
const idp = (note?: string) => honoured(note, 'issue 20');
const IDP_DETAILS =
  'Cognito’s keys for the type and no other (an unknown key is refused naming it); OIDC endpoints discovered from oidc_issuer unless given; URLs https only (http to localhost, 127.0.0.1, [::1]); secrets sealed at rest (docs/federation.md, “Configuring providers”).';
const IDP_MAPPING =
  'Pool attribute → the provider’s claim: keys are the pool’s mutable attributes (standard or custom:) or username; username defaults to the type’s subject (sub, id, user_id).';
const IDP_IDENTIFIERS =
  'At most 50, each 1 to 40 of letters, digits, space and _ + = . @ -; one provider per identifier in a pool (DuplicateProviderException).';
const POOL_ARN =
  'The pool’s ARN as DescribeUserPool shows it (arn:aws:cognito-idp:<region>:000000000000:userpool/<pool id>); the ARN of another resource is refused (docs/pools.md).';
const POOL_TAGS =
  'The pool’s tags, also set by TagResource and UntagResource and read by ListTagsForResource and DescribeUserPool: at most 50, keys 1 to 128 characters without the aws: prefix, values up to 256 (docs/pools.md). Nothing else reads them.';
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
  SupportedIdentityProviders: honoured(
    'COGNITO (the pool’s own users) and the names of the pool’s identity providers, exactly as created; another name is refused as Cognito does (docs/federation.md, “Configuring providers”).',
    'issue 20',
  ),
  CallbackURLs: web(
    `At most 100; each absolute, no fragment, https (http only for http://localhost on any port) or an app’s own scheme; redirect_uri must equal one exactly (${WEB}).`,
  ),
  LogoutURLs: web(
    `Where /logout may send the browser (logout_uri must equal one exactly); the same rules as CallbackURLs (${WEB}).`,
  ),
  DefaultRedirectURI: web(`Must be one of the CallbackURLs (${WEB}).`),
  AllowedOAuthFlows: web(
    `code, implicit or client_credentials; needs AllowedOAuthFlowsUserPoolClient true; code and implicit need CallbackURLs; client_credentials needs a client secret, custom scopes only, and goes with no other flow (InvalidOAuthFlowException; ${WEB}).`,
  ),
  AllowedOAuthScopes: web(
    `openid, email, phone, profile (these three with openid), aws.cognito.signin.user.admin, or a resource server’s <identifier>/<scope> (ScopeDoesNotExistException otherwise); at most 50 (${WEB}).`,
  ),
  AllowedOAuthFlowsUserPoolClient: web(
    `true: the client may use the OAuth 2.0 endpoints and managed login, and then needs AllowedOAuthFlows and AllowedOAuthScopes; false: neither may be given (${WEB}).`,
  ),
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
      'ACTIVE: DeleteUserPool is refused until UpdateUserPool sets INACTIVE (docs/pools.md). Shown by DescribeUserPool.',
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
    UserPoolTags: honoured(POOL_TAGS, 'issue 18'),
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
    GenerateSecret: honoured(
      `true: a confidential client with a generated secret (51 characters of a-z and 0-9), returned as ClientSecret (${CLIENT_SECRETS}).`,
      'issue 18',
    ),
    ClientSecret: honoured(
      `A custom secret (24 to 64 of letters, digits, _ and +): a confidential client with it; not with GenerateSecret true (${CLIENT_SECRETS}).`,
      'issue 18',
    ),
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
    AuthParameters: honoured(
      `The flow’s entries; SECRET_HASH when the client has a secret, over USERNAME (for refresh: over the user’s username or sub) (${CLIENT_SECRETS}).`,
    ),
    ...trackedRequest,
    Session: refused(
      'Sign-in straight after sign-up (USER_AUTH with the Session of ConfirmSignUp) is not implemented: SignUp and ConfirmSignUp return no Session; start USER_AUTH with USERNAME (docs/passwordless.md).',
    ),
  },
  RespondToAuthChallenge: {
    ClientId: honoured(),
    ChallengeName: honoured(),
    Session: honoured(),
    ChallengeResponses: honoured(
      `The challenge’s answers; SECRET_HASH over USERNAME when the client has a secret (${CLIENT_SECRETS}).`,
    ),
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

  // ---- Client secrets (issue 18, docs/client-secrets.md) ----
  AddUserPoolClientSecret: {
    UserPoolId: honoured(undefined, 'issue 18'),
    ClientId: honoured('A client that has a secret already; at most two live at once.', 'issue 18'),
    ClientSecret: honoured(
      'A custom secret (24 to 64 of letters, digits, _ and +); without it one is generated and its value returned once.',
      'issue 18',
    ),
  },
  ListUserPoolClientSecrets: {
    UserPoolId: honoured(undefined, 'issue 18'),
    ClientId: honoured(undefined, 'issue 18'),
    NextToken: honoured(
      'Never needed: both secrets come in one answer, and none is handed out; one given is refused.',
      'issue 18',
    ),
  },
  DeleteUserPoolClientSecret: {
    UserPoolId: honoured(undefined, 'issue 18'),
    ClientId: honoured(undefined, 'issue 18'),
    ClientSecretId: honoured('Any secret but the client’s last, as in Cognito.', 'issue 18'),
  },
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
  // Issue 18: server-side sign-in and the administrator's password actions (docs/admin-auth.md).
  AdminInitiateAuth: {
    UserPoolId: honoured('The client must be this pool’s, or ResourceNotFoundException.', 'issue 18'),
    ClientId: honoured(undefined, 'issue 18'),
    AuthFlow: honoured(
      'ADMIN_USER_PASSWORD_AUTH (ADMIN_NO_SRP_AUTH, its older name; the client must allow ALLOW_ADMIN_USER_PASSWORD_AUTH), USER_SRP_AUTH, CUSTOM_AUTH, USER_AUTH, REFRESH_TOKEN_AUTH and REFRESH_TOKEN, as InitiateAuth runs them; USER_PASSWORD_AUTH and any other flow are refused naming them.',
      'issue 18',
    ),
    AuthParameters: honoured('The entries InitiateAuth takes for the same flow (docs/admin-auth.md).', 'issue 18'),
    ClientMetadata,
    AnalyticsMetadata,
    ContextData,
    Session: refused(
      'Sign-in straight after sign-up (USER_AUTH with the Session of ConfirmSignUp) is not implemented: SignUp and ConfirmSignUp return no Session; start USER_AUTH with USERNAME (docs/passwordless.md).',
    ),
  },
  AdminRespondToAuthChallenge: {
    UserPoolId: honoured('The client must be this pool’s, or ResourceNotFoundException.', 'issue 18'),
    ClientId: honoured(undefined, 'issue 18'),
    ChallengeName: honoured(
      'Every challenge RespondToAuthChallenge answers, whichever face started the sign-in.',
      'issue 18',
    ),
    Session: honoured(undefined, 'issue 18'),
    ChallengeResponses: honoured(undefined, 'issue 18'),
    ClientMetadata,
    AnalyticsMetadata,
    ContextData,
  },
  AdminSetUserPassword: {
    UserPoolId: honoured(undefined, 'issue 18'),
    Username: honoured(undefined, 'issue 18'),
    Password: honoured('Checked against the pool’s password policy.', 'issue 18'),
    Permanent: honoured(
      'true: CONFIRMED with this password; false or absent: FORCE_CHANGE_PASSWORD, NEW_PASSWORD_REQUIRED at the next sign-in. Either way every session ends.',
      'issue 18',
    ),
  },
  AdminResetUserPassword: {
    UserPoolId: honoured(undefined, 'issue 18'),
    Username: honoured(undefined, 'issue 18'),
    ClientMetadata,
  },
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
  // ---- A pool's and a client's life after creation (issue 18, docs/pools.md) ----
  DeleteUserPool: {
    UserPoolId: honoured(
      'Deletes the pool and everything of it; refused while DeletionProtection is ACTIVE.',
      'issue 18',
    ),
  },
  DeleteUserPoolClient: {
    UserPoolId: honoured(undefined, 'issue 18'),
    ClientId: honoured('The client’s sessions go with it: its tokens stop working at once.', 'issue 18'),
  },
  TagResource: {
    ResourceArn: honoured(POOL_ARN, 'issue 18'),
    Tags: honoured('Added to the pool’s tags, a key already there overwritten; at most 50 in all.', 'issue 18'),
  },
  UntagResource: {
    ResourceArn: honoured(POOL_ARN, 'issue 18'),
    TagKeys: honoured('Removed from the pool’s tags; a key it does not have is no error.', 'issue 18'),
  },
  ListTagsForResource: { ResourceArn: honoured(POOL_ARN, 'issue 18') },

  // Cognito's user import jobs (docs/user-import.md, "Import jobs").
  GetCSVHeader: { UserPoolId: honoured(undefined, 'issue 18') },
  CreateUserImportJob: {
    UserPoolId: honoured(undefined, 'issue 18'),
    JobName: honoured(undefined, 'issue 18'),
    CloudWatchLogsRoleArn: {
      ...plumbing(
        Arn,
        'Required, as in Cognito; kept and shown by DescribeUserImportJob, not used: Cognate writes no CloudWatch logs. A job’s refused rows are in its REST answer (failures) and the server log.',
      ),
      since: 'issue 18',
    },
    PasswordHashingAlgorithm: {
      ...refused(
        'Cognito’s CSV with password hashes: Cognate’s CSV import takes no passwords (users start RESET_REQUIRED). Import argon2id hashes with the JSON Lines import (docs/user-import.md).',
      ),
      since: 'issue 18',
    },
  },
  StartUserImportJob: { UserPoolId: honoured(undefined, 'issue 18'), JobId: honoured(undefined, 'issue 18') },
  DescribeUserImportJob: { UserPoolId: honoured(undefined, 'issue 18'), JobId: honoured(undefined, 'issue 18') },
  ListUserImportJobs: {
    UserPoolId: honoured(undefined, 'issue 18'),
    MaxResults: honoured(undefined, 'issue 18'),
    PaginationToken: honoured(undefined, 'issue 18'),
  },
  StopUserImportJob: { UserPoolId: honoured(undefined, 'issue 18'), JobId: honoured(undefined, 'issue 18') },

  // ---- The web face's configuration (docs/web-sign-in.md): domains, resource servers, branding ----
  CreateUserPoolDomain: {
    UserPoolId: web(),
    Domain: web(
      `A prefix (1 to 63 of a-z, 0-9 and -, without aws, amazon or cognito), or with CustomDomainConfig a fully-qualified host name; unique across pools; one of each kind per pool. A request whose Host is the domain goes to its pool (${WEB}, "Domains").`,
    ),
    ManagedLoginVersion: web(
      '1 (hosted UI, classic; the default) or 2 (managed login): stored and shown; Cognate has one set of pages.',
    ),
    CustomDomainConfig: nested({
      CertificateArn: web(
        'An ACM certificate ARN: kept and shown, never used (Cognate serves TLS with TLS_CERT_FILE, or behind a proxy).',
      ),
      SecurityPolicy: refused(
        'Cognate’s TLS settings are its own (TLS_CERT_FILE, or the proxy in front); no policy is chosen per domain.',
      ),
    }),
    Routing: refused('Multi-Region failover routing is AWS infrastructure Cognate does not have.'),
  },
  DescribeUserPoolDomain: { Domain: web('A domain not recorded is an empty DomainDescription, as in Cognito.') },
  UpdateUserPoolDomain: {
    UserPoolId: web(),
    Domain: web(),
    ManagedLoginVersion: web('1 or 2; left out, kept.'),
    CustomDomainConfig: nested({
      CertificateArn: web('A custom domain’s new certificate ARN (kept and shown); refused for a prefix domain.'),
      SecurityPolicy: refused(
        'Cognate’s TLS settings are its own (TLS_CERT_FILE, or the proxy in front); no policy is chosen per domain.',
      ),
    }),
    Routing: refused('Multi-Region failover routing is AWS infrastructure Cognate does not have.'),
  },
  DeleteUserPoolDomain: { UserPoolId: web(), Domain: web() },
  CreateResourceServer: {
    UserPoolId: web(),
    Identifier: web('1 to 256 printable characters (a name or a URL); unique in the pool; at most 25 servers a pool.'),
    Name: web(),
    Scopes: web('At most 100: ScopeName (no /) and ScopeDescription, each 1 to 256; a name once.'),
  },
  DescribeResourceServer: { UserPoolId: web(), Identifier: web() },
  UpdateResourceServer: {
    UserPoolId: web(),
    Identifier: web(),
    Name: web(),
    Scopes: web(
      `Replaces the whole list; a scope left out leaves every client’s AllowedOAuthScopes (${WEB}, "Resource servers").`,
    ),
  },
  DeleteResourceServer: {
    UserPoolId: web(),
    Identifier: web(`Its scopes leave every client’s AllowedOAuthScopes (${WEB}, "Resource servers").`),
  },
  ListResourceServers: { UserPoolId: web(), MaxResults: web('1 to 50; left out, 50.'), NextToken: web() },
  SetUICustomization: {
    UserPoolId: web('The pool needs a domain first, as in Cognito.'),
    ClientId: web(
      'A client of the pool, or ALL (also when left out): the pool’s default; a client’s own takes its place.',
    ),
    CSS: web(
      `Rules for Cognito’s classes (.logo-customizable, .submitButton-customizable, …) and the properties Cognito lists for each; anything else is refused, naming it; at most 32 KB (${WEB}, "Branding").`,
    ),
    ImageFile: web(
      'PNG, JPEG or self-contained SVG, at most 100 KB; served by Cognate at the ImageUrl GetUICustomization shows.',
    ),
  },
  GetUICustomization: {
    UserPoolId: web(),
    ClientId: web('Left out: ALL. A client without its own customization is shown the pool’s.'),
  },
  // Identity providers (docs/federation.md, "Configuring providers").
  CreateIdentityProvider: {
    UserPoolId: idp(),
    ProviderName: idp(
      'OIDC: 3 to 32 characters, no spaces, no _ but as the second; a social type is named as its type (Google, Facebook, LoginWithAmazon, SignInWithApple); COGNITO and Cognito are reserved.',
    ),
    ProviderType: idp(
      'OIDC, Google, Facebook, LoginWithAmazon or SignInWithApple; SAML is refused naming it (not implemented).',
    ),
    ProviderDetails: idp(IDP_DETAILS),
    AttributeMapping: idp(IDP_MAPPING),
    IdpIdentifiers: idp(IDP_IDENTIFIERS),
    AcrMapping: { status: 'refused', since: 'issue 20', note: 'ACR mapping for OIDC providers is not implemented.' },
  },
  DescribeIdentityProvider: { UserPoolId: idp(), ProviderName: idp() },
  UpdateIdentityProvider: {
    UserPoolId: idp(),
    ProviderName: idp(),
    ProviderDetails: idp(
      `Replaces the whole set; client_secret and private_key left out keep their values. ${IDP_DETAILS}`,
    ),
    AttributeMapping: idp(`Replaces the whole mapping. ${IDP_MAPPING}`),
    IdpIdentifiers: idp(`Replaces the whole list. ${IDP_IDENTIFIERS}`),
    AcrMapping: { status: 'refused', since: 'issue 20', note: 'ACR mapping for OIDC providers is not implemented.' },
  },
  DeleteIdentityProvider: {
    UserPoolId: idp(),
    ProviderName: idp('It leaves every client’s SupportedIdentityProviders; its users and their links stay.'),
  },
  ListIdentityProviders: { UserPoolId: idp(), MaxResults: idp('1 to 60; left out, 60.'), NextToken: idp() },
  GetIdentityProviderByIdentifier: { UserPoolId: idp(), IdpIdentifier: idp('Matched exactly.') },
  // Linking (docs/federation.md, "Users and linking").
  AdminLinkProviderForUser: {
    UserPoolId: honoured(undefined, 'issue 20'),
    DestinationUser: nested({
      ProviderName: honoured('Cognito: a user of the pool.', 'issue 20'),
      ProviderAttributeName: honoured('Ignored, as in Cognito.', 'issue 20'),
      ProviderAttributeValue: honoured('The username (or a sign-in alias, as other admin actions take).', 'issue 20'),
    }),
    SourceUser: nested({
      ProviderName: honoured('An identity provider of the pool.', 'issue 20'),
      ProviderAttributeName: honoured(
        'Cognito_Subject (the provider’s user id) only; another attribute name is refused naming it (docs/federation.md).',
        'issue 20',
      ),
      ProviderAttributeValue: honoured('The subject at the provider.', 'issue 20'),
    }),
  },
  AdminDisableProviderForUser: {
    UserPoolId: honoured(undefined, 'issue 20'),
    User: nested({
      ProviderName: honoured(
        'An identity provider of the pool; Cognito (a native user’s password sign-in) is refused naming it (docs/federation.md).',
        'issue 20',
      ),
      ProviderAttributeName: honoured('Cognito_Subject only.', 'issue 20'),
      ProviderAttributeValue: honoured('The subject at the provider.', 'issue 20'),
    }),
  },
};

/** A rule as of issue 18, nested rules alike. */
const asOfIssue18 = (rules: MemberRules): MemberRules =>
  Object.fromEntries(
    Object.entries(rules).map(([name, rule]) => [
      name,
      isNested(rule) ? nested(asOfIssue18(rule.members)) : { ...rule, since: 'issue 18' as const },
    ]),
  );

/**
 * UpdateUserPool (docs/pools.md): CreateUserPool's members that can change after creation, ruled
 * alike (the same refused and off-only ones). It replaces the configuration as a whole: a member
 * left out is set to its default, but for PoolName, MfaConfiguration and DeletionProtection. The
 * schema, UsernameAttributes, AliasAttributes and UsernameConfiguration cannot change after
 * creation: they are not members of its request, and are refused as such.
 */
{
  const {
    Schema: _schema,
    AliasAttributes: _aliases,
    UsernameAttributes: _usernames,
    UsernameConfiguration: _case,
    PoolName: _name,
    ...updatable
  } = COGNITO_SETTINGS.CreateUserPool!;
  COGNITO_SETTINGS.UpdateUserPool = asOfIssue18({
    UserPoolId: honoured(),
    PoolName: honoured('The new name; left out, the name is kept.'),
    ...updatable,
    DeletionProtection: honoured(
      'ACTIVE or INACTIVE; left out, kept as it is (a reset never lifts a protection silently). ACTIVE refuses DeleteUserPool.',
    ),
    MfaConfiguration: honoured(
      'OFF, ON or OPTIONAL; left out, kept as it is. The factors SetUserPoolMfaConfig turned on stay on (offered again when MFA is back on); ON or OPTIONAL with none on turns SMS MFA on, as CreateUserPool does (docs/mfa.md).',
    ),
    SmsAuthenticationMessage: honoured(
      'The SMS text of the pool’s AUTHENTICATION message template (with {####}); left out, the built-in text (its translations and email text are kept).',
    ),
    AutoVerifiedAttributes: honoured('Left out: none.'),
    UserAttributeUpdateSettings: honoured('Left out: no attribute waits for verification before it changes.'),
    DeviceConfiguration: honoured(
      `A member given keeps device tracking on, with these settings; left out, devices are no longer tracked (${DEVICES}).`,
    ),
    AccountRecoverySetting: honoured('Left out: verified_email, then verified_phone_number.'),
    UserPoolTags: honoured(`Replaces the pool’s tags; left out, the pool has none. ${POOL_TAGS}`),
  });
}

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
  oauth: web(
    `Cognito’s OAuth members in camelCase (enabled, flows, scopes, callbackUrls, logoutUrls, defaultRedirectUri, identityProviders) and Cognate’s requirePkce; on PATCH a member left out keeps its value; the whole is checked as on the wire (${WEB}, "Configuring a client").`,
  ),
};

const REST_HOOKS =
  'Cognito’s LambdaConfig in camelCase: preSignUp, postConfirmation, preAuthentication, postAuthentication, preTokenGeneration (+ preTokenGenerationVersion), customMessage, userMigration, defineAuthChallenge, createAuthChallenge, verifyAuthChallengeResponse (docs/triggers.md).';

const REST_DELETION_PROTECTION =
  'Cognito’s DeletionProtection: true refuses DELETE /v1/pools/{poolId} (400 InvalidParameterException) until it is set false (docs/pools.md).';
const REST_TAGS =
  'Cognito’s UserPoolTags, key to value: at most 50, keys 1 to 128 characters without the aws: prefix, values up to 256 (docs/pools.md).';

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
    deletionProtection: honoured(REST_DELETION_PROTECTION, 'issue 18'),
    tags: honoured(REST_TAGS, 'issue 18'),
  },
  'PATCH /v1/pools/{poolId}': {
    name: honoured(undefined, 'issue 18'),
    passwordPolicy: honoured('The members given change, the others stay (docs/pools.md).', 'issue 18'),
    deletionProtection: honoured(REST_DELETION_PROTECTION, 'issue 18'),
    tags: honoured(`Replaces the whole set of tags; {} removes them all. ${REST_TAGS}`, 'issue 18'),
    srpEnabled: honoured(),
    hooks: honoured(`${REST_HOOKS} Replaces the whole set: a trigger left out is removed, {} removes all.`, 'issue 15'),
    signInPolicy: honoured('Replaces the pool’s allowedFirstAuthFactors (docs/passwordless.md).', 'issue 17'),
    deviceConfiguration: honoured(
      'Cognito’s DeviceConfiguration in camelCase; null turns device tracking off (docs/devices.md).',
      'issue 17',
    ),
  },
  'POST /v1/pools/{poolId}/clients': {
    clientId: honoured(),
    ...CLIENT_SETTINGS,
    generateSecret: honoured(
      `true: a confidential client; its generated secret is shown once, in this answer (${CLIENT_SECRETS}).`,
      'issue 18',
    ),
    clientSecret: honoured(
      `A confidential client with a secret of your own; not with generateSecret (${CLIENT_SECRETS}).`,
      'issue 18',
    ),
  },
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
