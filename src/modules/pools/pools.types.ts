import type { PoolAttributeSettings, PoolAttributeSettingsInput } from '../attributes/attributes.types.ts';
import type { MessageTemplates, Purpose } from '../courier/courier.types.ts';
import type { PoolLambdaConfig } from '../hooks/hooks.types.ts';
import type { DeviceConfiguration } from '../devices/devices.types.ts';
import type { MfaConfiguration, PoolMfaFactors } from '../mfa/mfa.types.ts';
import type { SignInPolicy } from '../sign-in/sign-in-policy.types.ts';
import type { ClientOAuthSettings } from '../oauth/oauth.types.ts';

/** Cognito's ExplicitAuthFlows values (the ALLOW_ form); AUTH_FLOWS in pools.service.ts lists them for checks. */
export type AuthFlow =
  | 'ALLOW_USER_PASSWORD_AUTH'
  | 'ALLOW_USER_SRP_AUTH'
  | 'ALLOW_REFRESH_TOKEN_AUTH'
  | 'ALLOW_ADMIN_USER_PASSWORD_AUTH'
  | 'ALLOW_CUSTOM_AUTH'
  | 'ALLOW_USER_AUTH';

/** Cognito's default policy: 8 characters, every class required. */
export interface PasswordPolicy {
  minimumLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

/** Code lifetimes and limits (docs/api.md, "Decisions"); per pool so a pool can choose ASVS's 10 minutes. */
export interface CodePolicy {
  signUpCodeTtlSeconds: number;
  attributeCodeTtlSeconds: number;
  passwordResetCodeTtlSeconds: number;
  /** Tries a code allows before it is dead. */
  maxAttempts: number;
  /** Code sends per user per hour (ResendConfirmationCode, GetUserAttributeVerificationCode, updates). */
  sendsPerHour: number;
  /** Confirmation attempts per user per hour (ConfirmSignUp, VerifyUserAttribute). */
  confirmsPerHour: number;
}

export interface TokenPolicy {
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** What the audit trail may keep: attribute names and verified states always, values only when allowed. */
export interface AuditPolicy {
  recordValues: boolean;
}

/** Cognito's AccountRecoverySetting (docs/cognito-settings.md): where ForgotPassword sends its code, or nowhere. */
export type RecoveryMechanismName = 'verified_email' | 'verified_phone_number' | 'admin_only';
export interface RecoveryMechanism {
  name: RecoveryMechanismName;
  /** 1 is tried first. */
  priority: number;
}
export interface AccountRecoverySetting {
  /** Sorted by priority; admin_only only ever alone. */
  recoveryMechanisms: RecoveryMechanism[];
}

export interface PoolPolicies {
  password: PasswordPolicy;
  codes: CodePolicy;
  tokens: TokenPolicy;
  audit: AuditPolicy;
  // The three below are absent in pools made before issue 11: read them through their helpers.
  accountRecovery?: AccountRecoverySetting;
  /** Cognito's DeletionProtection ACTIVE. Nothing deletes pools yet; a DeleteUserPool must refuse a protected one. */
  deletionProtection?: boolean;
  /** Cognito members kept and shown by DescribeUserPool but not used (AWS plumbing, docs/cognito-settings.md), as sent. */
  awsPlumbing?: Record<string, unknown>;
}

export type PoolPoliciesInput = { [K in keyof PoolPolicies]?: Partial<PoolPolicies[K]> };

/** One purpose's templates: a default, and translations keyed by BCP 47 tag. */
export interface PurposeTemplates {
  default?: MessageTemplates;
  locales?: Record<string, MessageTemplates>;
}

/** A pool's message templates; a purpose left out uses Cognate's built-in messages. */
export type PoolMessageTemplates = Partial<Record<Purpose, PurposeTemplates>>;

export interface Pool {
  id: string;
  name: string;
  attributeSettings: PoolAttributeSettings;
  policies: PoolPolicies;
  messageTemplates: PoolMessageTemplates;
  /** Cognito's LambdaConfig: the pool's hooks as configured (docs/triggers.md). */
  lambdaConfig: PoolLambdaConfig;
  usernameCaseSensitive: boolean;
  /** USER_SRP_AUTH allowed, and SRP verifiers kept for the pool's users. */
  srpEnabled: boolean;
  /** Cognito's MfaConfiguration and the factors offered (docs/mfa.md). */
  mfaConfiguration: MfaConfiguration;
  mfaFactors: PoolMfaFactors;
  /** Cognito's DeviceConfiguration; null: devices are not tracked (docs/devices.md). */
  deviceConfiguration: DeviceConfiguration | null;
  /** Cognito's SignInPolicy: USER_AUTH's first factors (docs/passwordless.md). */
  signInPolicy: SignInPolicy;
  /** Cognito's UserPoolTags (docs/pools.md). */
  tags: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

/** One secret of a confidential client, as kept: sealed (docs/client-secrets.md). */
export interface SealedClientSecret {
  /** Cognito's ClientSecretId: `<clientId>--<epoch ms>`. */
  id: string;
  sealedSecret: string;
}

export interface AppClient {
  id: string;
  poolId: string;
  name: string;
  readAttributes: string[] | null;
  writeAttributes: string[] | null;
  preventUserExistenceErrors: boolean;
  explicitAuthFlows: AuthFlow[] | null;
  /** Browser origins (scheme://host[:port]) that may call Cognate for this client (CORS); null: none. */
  allowedOrigins: string[] | null;
  /** Cognito's AuthSessionValidity: minutes a challenge session lives (3 to 15). */
  authSessionValidity: number;
  /** OAuth 2.0 flows, scopes, callback and logout URLs (docs/web-sign-in.md). */
  oauth: ClientOAuthSettings;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreatePoolInput extends PoolAttributeSettingsInput {
  poolId?: string;
  name: string;
  usernameCaseSensitive?: boolean;
  /** Off unless asked for: the REST API's default; the Cognito protocol asks for it (drop-in first). */
  srpEnabled?: boolean;
  policies?: PoolPoliciesInput;
  messageTemplates?: PoolMessageTemplates;
  /** Cognito's LambdaConfig members for the hooks, as given: checked by checkLambdaConfig (docs/triggers.md). */
  lambdaConfig?: unknown;
  /** USER_AUTH's first factors (docs/passwordless.md); checked by checkSignInPolicy. Default PASSWORD only. */
  signInPolicy?: SignInPolicy;
  /** Cognito's MfaConfiguration and the factors offered (docs/mfa.md); OFF and none unless given. */
  mfaConfiguration?: MfaConfiguration;
  mfaFactors?: PoolMfaFactors;
  /** Cognito's DeviceConfiguration (docs/devices.md); absent or null: devices are not tracked. */
  deviceConfiguration?: DeviceConfiguration | null;
  /** Cognito's UserPoolTags (docs/pools.md): at most 50, checked by checkTags. */
  tags?: Record<string, string>;
}

export interface ClientInput {
  clientId?: string;
  name: string;
  readAttributes?: string[] | null;
  writeAttributes?: string[] | null;
  preventUserExistenceErrors?: boolean;
  explicitAuthFlows?: AuthFlow[] | null;
  allowedOrigins?: string[] | null;
  /** Minutes a challenge session lives, 3 to 15 (default 3): Cognito's AuthSessionValidity. */
  authSessionValidity?: number;
  /** OAuth 2.0 settings (docs/web-sign-in.md); members left out keep their defaults (OAuth off). */
  oauth?: Partial<ClientOAuthSettings>;
}
