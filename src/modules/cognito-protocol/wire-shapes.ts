/**
 * Cognito's wire shapes (PascalCase members, attribute lists, epoch-second dates) built from the
 * services' results. Only shapes live here: every decision stays in the services.
 */
import { invalidParameter } from '../../errors/cognito-error.ts';
import type { AttributeDefinition, SchemaAttributeInput } from '../attributes/index.ts';
import type { CodeDeliveryDetails } from '../courier/index.ts';
import { accountRecoveryOf } from '../pools/pool-settings.ts';
import type { AppClient, Pool } from '../pools/pools.service.ts';
import type { TokenSet } from '../tokens/sessions.service.ts';
import { poolArn } from './pool-arn.ts';

export interface WireAttribute {
  Name: string;
  Value?: string;
}

export const toAttributeList = (attributes: Record<string, string>): WireAttribute[] =>
  Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));

/** `[{Name, Value}]` to a map; a missing Value is a blank one, which deletes (docs/cognito-attributes.md §5.4). */
export function fromAttributeList(list: WireAttribute[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { Name, Value } of list ?? []) map[Name] = Value ?? '';
  return map;
}

export const toDelivery = (details: CodeDeliveryDetails) => ({
  Destination: details.destination,
  DeliveryMedium: details.deliveryMedium,
  AttributeName: details.attributeName,
});

/** AWS JSON dates are epoch seconds (fractions allowed); the SDKs turn them into Dates. */
export const epochSeconds = (date: Date | string) => new Date(date).getTime() / 1000;

export function toAuthenticationResult(tokens: TokenSet) {
  return {
    AccessToken: tokens.accessToken,
    IdToken: tokens.idToken,
    ...(tokens.refreshToken !== undefined && { RefreshToken: tokens.refreshToken }),
    ExpiresIn: tokens.expiresIn,
    TokenType: tokens.tokenType,
    // A sign-in not from a remembered device, in a pool that tracks devices (docs/devices.md).
    ...(tokens.newDeviceMetadata && {
      NewDeviceMetadata: {
        DeviceKey: tokens.newDeviceMetadata.deviceKey,
        DeviceGroupKey: tokens.newDeviceMetadata.deviceGroupKey,
      },
    }),
  };
}

/** The user as AdminGetUser and GetUser name it (`UserAttributes`); ListUsers and AdminCreateUser say `Attributes`. */
export interface PresentedUser {
  username: string;
  userStatus: string;
  enabled: boolean;
  attributes: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export function toUserType(user: PresentedUser) {
  return {
    Username: user.username,
    Attributes: toAttributeList(user.attributes),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.userStatus,
  };
}

// ---- Schema attributes -------------------------------------------------------------------------

export interface WireSchemaAttribute {
  Name?: string;
  AttributeDataType?: 'String' | 'Number' | 'DateTime' | 'Boolean';
  DeveloperOnlyAttribute?: boolean;
  Mutable?: boolean;
  Required?: boolean;
  NumberAttributeConstraints?: { MinValue?: string; MaxValue?: string };
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
}

/** Constraint values travel as strings; a non-number is the caller's mistake, named as Cognito would. */
function constraint(value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw invalidParameter(`${where} must be a number, got "${value}".`);
  }
  return n;
}

/** `list` names the member the attributes came in: `schema` (CreateUserPool) or `customAttributes` (AddCustomAttributes). */
export function fromSchemaAttribute(
  attribute: WireSchemaAttribute,
  index: number,
  list: 'schema' | 'customAttributes' = 'schema',
): SchemaAttributeInput {
  const where = `${list}.${index + 1}.member`;
  const string = attribute.StringAttributeConstraints;
  const number = attribute.NumberAttributeConstraints;
  return {
    name: attribute.Name ?? '',
    ...(attribute.AttributeDataType !== undefined && { attributeDataType: attribute.AttributeDataType }),
    ...(attribute.Mutable !== undefined && { mutable: attribute.Mutable }),
    ...(attribute.Required !== undefined && { required: attribute.Required }),
    ...(attribute.DeveloperOnlyAttribute !== undefined && { developerOnly: attribute.DeveloperOnlyAttribute }),
    ...(string && {
      stringConstraints: dropUndefined({
        minLength: constraint(string.MinLength, `${where}.stringAttributeConstraints.minLength`),
        maxLength: constraint(string.MaxLength, `${where}.stringAttributeConstraints.maxLength`),
      }),
    }),
    ...(number && {
      numberConstraints: dropUndefined({
        minValue: constraint(number.MinValue, `${where}.numberAttributeConstraints.minValue`),
        maxValue: constraint(number.MaxValue, `${where}.numberAttributeConstraints.maxValue`),
      }),
    }),
  };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** One entry of DescribeUserPool's `SchemaAttributes`, as Cognito prints it (docs/cognito-attributes.md §1.1). */
export function toSchemaAttribute(definition: AttributeDefinition) {
  const { stringConstraints: s, numberConstraints: n } = definition;
  return {
    Name: definition.name,
    AttributeDataType: definition.attributeDataType,
    DeveloperOnlyAttribute: definition.developerOnly,
    Mutable: definition.mutable,
    Required: definition.required,
    ...(n && {
      NumberAttributeConstraints: dropUndefined({
        MinValue: n.minValue === undefined ? undefined : String(n.minValue),
        MaxValue: n.maxValue === undefined ? undefined : String(n.maxValue),
      }),
    }),
    ...((s || definition.attributeDataType === 'String') && {
      StringAttributeConstraints: dropUndefined({
        MinLength: s?.minLength === undefined ? undefined : String(s.minLength),
        MaxLength: s?.maxLength === undefined ? undefined : String(s.maxLength),
      }),
    }),
  };
}

// ---- Pools and clients -------------------------------------------------------------------------

/** A request's LambdaConfig without KMSKeyID (plumbing, stored apart): the hooks, checked by the pools module. */
export function hookMembers(lambdaConfig: Record<string, unknown>): Record<string, unknown> {
  const { KMSKeyID: _plumbing, ...hooks } = lambdaConfig;
  return hooks;
}

/** DescribeUserPool's LambdaConfig: the hooks as configured (docs/triggers.md), and KMSKeyID if one was sent. */
export function lambdaConfigOf(pool: Pool): Record<string, unknown> {
  return { ...(pool.policies.awsPlumbing?.LambdaConfig as object | undefined), ...pool.lambdaConfig };
}

export function toUserPoolType(pool: Pool, estimatedNumberOfUsers: number) {
  const { attributeSettings: a, policies } = pool;
  // AWS plumbing kept as sent (EmailConfiguration, SmsConfiguration, UserPoolTags, …): shown, never used (docs/cognito-settings.md).
  const { LambdaConfig: _lambda, ...plumbing } = policies.awsPlumbing ?? {};
  return {
    ...plumbing,
    Id: pool.id,
    Name: pool.name,
    // What the tag actions take (docs/pools.md); the tags themselves are kept apart from the plumbing.
    Arn: poolArn(pool.id),
    UserPoolTags: pool.tags,
    Policies: {
      PasswordPolicy: {
        MinimumLength: policies.password.minimumLength,
        RequireUppercase: policies.password.requireUppercase,
        RequireLowercase: policies.password.requireLowercase,
        RequireNumbers: policies.password.requireNumbers,
        RequireSymbols: policies.password.requireSymbols,
      },
      SignInPolicy: { AllowedFirstAuthFactors: pool.signInPolicy.allowedFirstAuthFactors },
    },
    SchemaAttributes: a.schema.map(toSchemaAttribute),
    AutoVerifiedAttributes: a.autoVerifiedAttributes,
    ...(a.aliasAttributes.length > 0 && { AliasAttributes: a.aliasAttributes }),
    ...(a.usernameAttributes.length > 0 && { UsernameAttributes: a.usernameAttributes }),
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: a.keepOriginalAttributes },
    UsernameConfiguration: { CaseSensitive: pool.usernameCaseSensitive },
    MfaConfiguration: pool.mfaConfiguration,
    // The AUTHENTICATION template's SMS text: Cognito's SmsAuthenticationMessage (docs/mfa.md).
    ...(pool.messageTemplates.AUTHENTICATION?.default?.smsText !== undefined && {
      SmsAuthenticationMessage: pool.messageTemplates.AUTHENTICATION.default.smsText,
    }),
    // Cognito leaves it out for a pool that does not track devices (docs/devices.md).
    ...(pool.deviceConfiguration && {
      DeviceConfiguration: {
        ChallengeRequiredOnNewDevice: pool.deviceConfiguration.challengeRequiredOnNewDevice,
        DeviceOnlyRememberedOnUserPrompt: pool.deviceConfiguration.deviceOnlyRememberedOnUserPrompt,
      },
    }),
    DeletionProtection: policies.deletionProtection ? 'ACTIVE' : 'INACTIVE',
    AccountRecoverySetting: {
      RecoveryMechanisms: accountRecoveryOf(policies).recoveryMechanisms.map(({ name, priority }) => ({
        Priority: priority,
        Name: name,
      })),
    },
    EstimatedNumberOfUsers: estimatedNumberOfUsers,
    LambdaConfig: lambdaConfigOf(pool),
    CreationDate: epochSeconds(pool.createdAt),
    LastModifiedDate: epochSeconds(pool.updatedAt),
  };
}

/** What a client without a list of its own (made through the REST API) can use. */
export const authFlowsOf = (pool: Pool) => [
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  ...(pool.srpEnabled ? ['ALLOW_USER_SRP_AUTH'] : []),
];

const UNIT_SECONDS = { days: 86400, hours: 3600, minutes: 60, seconds: 1 } as const;
type TimeUnit = keyof typeof UNIT_SECONDS;

/** A lifetime in Cognito's default unit for it when that divides it evenly, else the largest unit that does. */
function inUnits(seconds: number, preferred: TimeUnit): [number, TimeUnit] {
  const unit = ([preferred, 'hours', 'minutes'] as const).find((u) => seconds % UNIT_SECONDS[u] === 0) ?? 'seconds';
  return [seconds / UNIT_SECONDS[unit], unit];
}

/**
 * The pool's token lifetimes in Cognito's default units (hours, hours, days), as Cognito shows a
 * client that set none, so tools that compare what they sent (Terraform's token_validity_units)
 * read back what they wrote (docs/migrating-from-cognito.md, "Terraform").
 */
function clientLifetimes(tokens: Pool['policies']['tokens']) {
  const [access, accessUnit] = inUnits(tokens.accessTokenTtlSeconds, 'hours');
  const [id, idUnit] = inUnits(tokens.idTokenTtlSeconds, 'hours');
  const [refresh, refreshUnit] = inUnits(tokens.refreshTokenTtlSeconds, 'days');
  return {
    RefreshTokenValidity: refresh,
    AccessTokenValidity: access,
    IdTokenValidity: id,
    TokenValidityUnits: { AccessToken: accessUnit, IdToken: idUnit, RefreshToken: refreshUnit },
  };
}

export function toUserPoolClientType(pool: Pool, client: AppClient) {
  const { tokens } = pool.policies;
  return {
    UserPoolId: client.poolId,
    ClientName: client.name,
    ClientId: client.id,
    CreationDate: epochSeconds(client.createdAt),
    LastModifiedDate: epochSeconds(client.updatedAt),
    // Cognito omits a list that is not set (docs/cognito-attributes.md §4).
    ...(client.readAttributes !== null && { ReadAttributes: client.readAttributes }),
    ...(client.writeAttributes !== null && { WriteAttributes: client.writeAttributes }),
    ExplicitAuthFlows: client.explicitAuthFlows ?? authFlowsOf(pool),
    PreventUserExistenceErrors: client.preventUserExistenceErrors ? 'ENABLED' : 'LEGACY',
    ...clientLifetimes(tokens),
    EnableTokenRevocation: true,
    // OAuth 2.0 (docs/web-sign-in.md, "Configuring a client"): lists left out when empty, as Cognito does.
    AllowedOAuthFlowsUserPoolClient: client.oauth.enabled,
    ...(client.oauth.flows.length > 0 && { AllowedOAuthFlows: client.oauth.flows }),
    ...(client.oauth.scopes.length > 0 && { AllowedOAuthScopes: client.oauth.scopes }),
    ...(client.oauth.callbackUrls.length > 0 && { CallbackURLs: client.oauth.callbackUrls }),
    ...(client.oauth.logoutUrls.length > 0 && { LogoutURLs: client.oauth.logoutUrls }),
    ...(client.oauth.defaultRedirectUri !== null && { DefaultRedirectURI: client.oauth.defaultRedirectUri }),
    ...(client.oauth.identityProviders.length > 0 && { SupportedIdentityProviders: client.oauth.identityProviders }),
    AuthSessionValidity: client.authSessionValidity,
  };
}
