/**
 * Cognito's IAM-authorised actions (pools, clients, users) over the same services as the REST
 * admin routes. Each needs a SigV4 signature with Cognate's configured key (see protocol.ts).
 */
import { invalidParameter } from '../../errors/cognito-error.ts';
import { newPoolId } from '../../lib/ids.ts';
import type { PoolAttributeSettingsInput } from '../attributes/index.ts';
import type { AuthFlow, Pool } from '../pools/pools.service.ts';
import { fromDeviceConfiguration } from './device-operations.ts';
import * as In from './operation-inputs.ts';
import { adminOperation, type Operation } from './operation.ts';
import { plumbingOf } from './settings-check.ts';
import { accountRecoveryOf, passwordPolicyOf } from './pool-lifecycle-operations.ts';
import { toUserMfaMembers } from './mfa-operations.ts';
import type { MfaConfiguration } from '../mfa/mfa.types.ts';
import type { ClientOAuthSettings } from '../oauth/oauth.types.ts';
import {
  epochSeconds,
  fromAttributeList,
  fromSchemaAttribute,
  hookMembers,
  lambdaConfigOf,
  toUserPoolClientType,
  toUserPoolType,
  toUserType,
} from './wire-shapes.ts';

/**
 * Page tokens of the small lists (pools, clients, listed by creation time then id): the position of
 * the last item shown, opaque to the caller. The position, not just the id, so that a listing goes on
 * after an item deleted between two pages instead of starting over.
 */
interface PagePosition {
  id: string;
  /** Creation time in epoch milliseconds. */
  at: number;
}

const pageToken = {
  issue: (last: { id: string; createdAt: Date }) =>
    Buffer.from(JSON.stringify({ after: last.id, at: last.createdAt.getTime() })).toString('base64url'),
  read(token: string | undefined): PagePosition | undefined {
    if (token === undefined) return undefined;
    try {
      const { after, at } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        after?: unknown;
        at?: unknown;
      };
      if (typeof after === 'string' && typeof at === 'number' && Number.isFinite(at)) return { id: after, at };
    } catch {
      // fall through
    }
    throw invalidParameter('Invalid NextToken.');
  },
};

/** Where the page after `position` starts: just after its item, or (that item gone) after where it stood. */
function startAfter<T extends { id: string; createdAt: Date }>(items: T[], position: PagePosition): number {
  const index = items.findIndex((item) => item.id === position.id);
  if (index >= 0) return index + 1;
  const later = items.findIndex(
    (item) =>
      item.createdAt.getTime() > position.at || (item.createdAt.getTime() === position.at && item.id > position.id),
  );
  return later < 0 ? items.length : later;
}

function page<T extends { id: string; createdAt: Date }>(items: T[], max: number, nextToken: string | undefined) {
  const after = pageToken.read(nextToken);
  const start = after === undefined ? 0 : startAfter(items, after);
  const shown = items.slice(start, start + max);
  const more = start + max < items.length;
  return { shown, ...(more && { NextToken: pageToken.issue(shown.at(-1)!) }) };
}

/** Cognito's default when a client names no flows: SRP and refresh (and custom auth, which Cognate lacks). */
const COGNITO_DEFAULT_FLOWS: AuthFlow[] = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];

function explicitAuthFlows(flows: string[] | undefined): AuthFlow[] {
  if (flows === undefined) return COGNITO_DEFAULT_FLOWS;
  const legacy = flows.find((flow) => !flow.startsWith('ALLOW_'));
  if (legacy !== undefined)
    throw invalidParameter(
      `${legacy} is a legacy auth flow name; use the ALLOW_ names (ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, …).`,
    );
  return flows as AuthFlow[];
}

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 } as const;
type TimeUnit = keyof typeof UNIT_SECONDS;

/**
 * A client's token lifetimes are honoured when they equal its pool's (Cognate keeps lifetimes per
 * pool) and refused naming the member otherwise, never ignored (docs/cognito-settings.md).
 */
/**
 * The OAuth members of CreateUserPoolClient and UpdateUserPoolClient; a member left out is
 * Cognito's default (no URLs, no flows, OAuth off), as the update replaces the whole configuration.
 * requirePkce has no member on the wire: kept as it is (docs/web-sign-in.md, "Configuring a client").
 */
function oauthOf(input: {
  CallbackURLs?: string[];
  LogoutURLs?: string[];
  DefaultRedirectURI?: string;
  AllowedOAuthFlows?: Array<'code' | 'implicit' | 'client_credentials'>;
  AllowedOAuthScopes?: string[];
  AllowedOAuthFlowsUserPoolClient?: boolean;
  SupportedIdentityProviders?: string[];
}): Omit<ClientOAuthSettings, 'requirePkce'> {
  return {
    enabled: input.AllowedOAuthFlowsUserPoolClient ?? false,
    flows: input.AllowedOAuthFlows ?? [],
    scopes: input.AllowedOAuthScopes ?? [],
    callbackUrls: input.CallbackURLs ?? [],
    logoutUrls: input.LogoutURLs ?? [],
    defaultRedirectUri: input.DefaultRedirectURI ?? null,
    identityProviders: input.SupportedIdentityProviders ?? [],
  };
}

function checkTokenValidity(
  pool: Pool,
  input: {
    AccessTokenValidity?: number;
    IdTokenValidity?: number;
    RefreshTokenValidity?: number;
    TokenValidityUnits?: { AccessToken?: string; IdToken?: string; RefreshToken?: string };
  },
): void {
  const units = input.TokenValidityUnits ?? {};
  const { tokens } = pool.policies;
  // Cognito's default units: hours for access and ID tokens, days for refresh tokens.
  const lifetimes = [
    ['AccessTokenValidity', input.AccessTokenValidity, units.AccessToken ?? 'hours', tokens.accessTokenTtlSeconds],
    ['IdTokenValidity', input.IdTokenValidity, units.IdToken ?? 'hours', tokens.idTokenTtlSeconds],
    ['RefreshTokenValidity', input.RefreshTokenValidity, units.RefreshToken ?? 'days', tokens.refreshTokenTtlSeconds],
  ] as const;
  for (const [member, value, unit, poolSeconds] of lifetimes) {
    if (value !== undefined && value * UNIT_SECONDS[unit as TimeUnit] !== poolSeconds) {
      throw invalidParameter(
        `${member} ${value} ${unit} is not supported by Cognate (yet): token lifetimes are set per pool, and this pool's is ${poolSeconds} seconds (its tokenPolicy).`,
      );
    }
  }
}

export const adminOperations: Record<string, Operation> = {
  CreateUserPool: adminOperation(In.CreateUserPool, async (input, { services, region }) => {
    const password = passwordPolicyOf(input.Policies?.PasswordPolicy);
    const settings: PoolAttributeSettingsInput = {
      ...(input.Schema && { schema: input.Schema.map((attribute, index) => fromSchemaAttribute(attribute, index)) }),
      ...(input.AliasAttributes && {
        aliasAttributes: input.AliasAttributes as PoolAttributeSettingsInput['aliasAttributes'],
      }),
      ...(input.UsernameAttributes && {
        usernameAttributes: input.UsernameAttributes as PoolAttributeSettingsInput['usernameAttributes'],
      }),
      ...(input.AutoVerifiedAttributes && {
        autoVerifiedAttributes: input.AutoVerifiedAttributes as PoolAttributeSettingsInput['autoVerifiedAttributes'],
      }),
      ...(input.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate && {
        keepOriginalAttributes: input.UserAttributeUpdateSettings
          .AttributesRequireVerificationBeforeUpdate as PoolAttributeSettingsInput['keepOriginalAttributes'],
      }),
    };
    const recovery = accountRecoveryOf(input.AccountRecoverySetting);
    const plumbing = plumbingOf('CreateUserPool', input);
    const pool = await services.pools.createPool({
      ...settings,
      // Named after the region the SDK signed for, as Cognito's ids are (`us-east-1_…`).
      ...(region && { poolId: newPoolId(region) }),
      name: input.PoolName,
      // Cognito's API default is case-sensitive usernames (docs/cognito-attributes.md §6); Amplify's default sign-in is SRP.
      usernameCaseSensitive: input.UsernameConfiguration?.CaseSensitive ?? true,
      srpEnabled: true,
      // The hooks (docs/triggers.md); KMSKeyID, plumbing, is kept with the rest below.
      ...(input.LambdaConfig && { lambdaConfig: hookMembers(input.LambdaConfig) }),
      // Remembered devices (docs/devices.md): any member given turns tracking on.
      ...(input.DeviceConfiguration && { deviceConfiguration: fromDeviceConfiguration(input.DeviceConfiguration) }),
      // MFA (docs/mfa.md): as Cognito's CreateUserPool, ON and OPTIONAL turn SMS MFA on.
      ...(input.MfaConfiguration !== undefined && {
        mfaConfiguration: input.MfaConfiguration as MfaConfiguration,
        mfaFactors: input.MfaConfiguration === 'OFF' ? {} : { sms: true },
      }),
      ...(input.SmsAuthenticationMessage !== undefined && {
        messageTemplates: { AUTHENTICATION: { default: { smsText: input.SmsAuthenticationMessage } } },
      }),
      // USER_AUTH's first factors (docs/passwordless.md).
      ...(input.Policies?.SignInPolicy?.AllowedFirstAuthFactors && {
        signInPolicy: { allowedFirstAuthFactors: input.Policies.SignInPolicy.AllowedFirstAuthFactors },
      }),
      // Cost-allocation tags (docs/pools.md).
      ...(input.UserPoolTags && { tags: input.UserPoolTags }),
      policies: {
        // Translated alike for UpdateUserPool (pool-lifecycle-operations.ts).
        ...(password && { password }),
        ...(input.DeletionProtection !== undefined && { deletionProtection: input.DeletionProtection === 'ACTIVE' }),
        ...(recovery && { accountRecovery: recovery }),
        // Stored as sent and shown by DescribeUserPool, never used (docs/cognito-settings.md).
        ...(plumbing && { awsPlumbing: plumbing }),
      },
    });
    return { UserPool: toUserPoolType(pool, 0) };
  }),

  DescribeUserPool: adminOperation(In.UserPoolOnly, async (input, { services }) => {
    const pool = await services.pools.getPool(input.UserPoolId);
    // The pool's domains (docs/web-sign-in.md, "Domains"): Domain the prefix, CustomDomain the custom one.
    const domains = await services.poolDomains.listForPool(pool.id);
    const prefix = domains.find((domain) => !domain.custom);
    const custom = domains.find((domain) => domain.custom);
    return {
      UserPool: {
        ...toUserPoolType(pool, await services.pools.countUsers(pool.id)),
        ...(prefix && { Domain: prefix.domain }),
        ...(custom && { CustomDomain: custom.domain }),
      },
    };
  }),

  ListUserPools: adminOperation(In.ListUserPools, async (input, { services }) => {
    const { shown, ...rest } = page(
      await services.pools.listPools({ mayLag: true }),
      input.MaxResults,
      input.NextToken,
    );
    return {
      UserPools: shown.map((pool) => ({
        Id: pool.id,
        Name: pool.name,
        LambdaConfig: lambdaConfigOf(pool),
        CreationDate: epochSeconds(pool.createdAt),
        LastModifiedDate: epochSeconds(pool.updatedAt),
      })),
      ...rest,
    };
  }),

  AddCustomAttributes: adminOperation(In.AddCustomAttributes, async (input, { services }) => {
    await services.pools.addCustomAttributes(
      input.UserPoolId,
      input.CustomAttributes.map((attribute, index) => fromSchemaAttribute(attribute, index, 'customAttributes')),
    );
    return {};
  }),

  CreateUserPoolClient: adminOperation(In.CreateUserPoolClient, async (input, { services }) => {
    const pool = await services.pools.getPool(input.UserPoolId);
    checkTokenValidity(pool, input);
    // A confidential client (docs/client-secrets.md): a generated secret, or the caller's own.
    if (input.GenerateSecret === true && input.ClientSecret !== undefined)
      throw invalidParameter('You cannot specify both GenerateSecret as true and a ClientSecret value.');
    const secret =
      input.GenerateSecret === true
        ? {}
        : input.ClientSecret !== undefined
          ? { custom: input.ClientSecret }
          : undefined;
    const client = await services.pools.createClient(
      pool.id,
      {
        name: input.ClientName,
        readAttributes: input.ReadAttributes ?? null,
        writeAttributes: input.WriteAttributes ?? null,
        // Cognito's API default is LEGACY (docs/cognito-attributes.md §8.3); the REST API's is ENABLED.
        preventUserExistenceErrors: input.PreventUserExistenceErrors === 'ENABLED',
        explicitAuthFlows: explicitAuthFlows(input.ExplicitAuthFlows),
        // Cognito's default, also when UpdateUserPoolClient leaves it out (it replaces the whole configuration).
        authSessionValidity: input.AuthSessionValidity ?? 3,
        oauth: oauthOf(input),
      },
      secret,
    );
    return {
      UserPoolClient: {
        ...toUserPoolClientType(pool, client),
        ...(client.secret && { ClientSecret: client.secret.value }),
      },
    };
  }),

  DescribeUserPoolClient: adminOperation(In.UserPoolClient, async (input, { services }) => {
    const pool = await services.pools.getPool(input.UserPoolId);
    const client = await services.pools.getClient(pool.id, input.ClientId);
    // A confidential client's newest secret, as Cognito shows one (docs/client-secrets.md).
    const secret = await services.pools.clientSecrets.newestValue(client.id);
    return { UserPoolClient: { ...toUserPoolClientType(pool, client), ...(secret && { ClientSecret: secret }) } };
  }),

  /** Replaces the whole configuration, as Cognito does: an omitted list is no list afterwards. */
  UpdateUserPoolClient: adminOperation(In.UpdateUserPoolClient, async (input, { services }) => {
    const pool = await services.pools.getPool(input.UserPoolId);
    checkTokenValidity(pool, input);
    const client = await services.pools.updateClient(pool.id, input.ClientId, {
      ...(input.ClientName !== undefined && { name: input.ClientName }),
      readAttributes: input.ReadAttributes ?? null,
      writeAttributes: input.WriteAttributes ?? null,
      preventUserExistenceErrors: input.PreventUserExistenceErrors === 'ENABLED',
      explicitAuthFlows: explicitAuthFlows(input.ExplicitAuthFlows),
      // Cognito's default, also when UpdateUserPoolClient leaves it out (it replaces the whole configuration).
      authSessionValidity: input.AuthSessionValidity ?? 3,
      oauth: oauthOf(input),
    });
    // Cognito's answer carries the secret as DescribeUserPoolClient's does; Terraform keeps state from it.
    const secret = await services.pools.clientSecrets.newestValue(client.id);
    return { UserPoolClient: { ...toUserPoolClientType(pool, client), ...(secret && { ClientSecret: secret }) } };
  }),

  ListUserPoolClients: adminOperation(In.ListUserPoolClients, async (input, { services }) => {
    const { shown, ...rest } = page(
      await services.pools.listClients(input.UserPoolId, { mayLag: true }),
      input.MaxResults ?? 60,
      input.NextToken,
    );
    return {
      UserPoolClients: shown.map((c) => ({ ClientId: c.id, UserPoolId: c.poolId, ClientName: c.name })),
      ...rest,
    };
  }),

  AdminCreateUser: adminOperation(In.AdminCreateUser, async (input, { services }) => {
    const user = await services.adminUsers.createUser(input.UserPoolId, {
      username: input.Username,
      userAttributes: fromAttributeList(input.UserAttributes),
      ...(input.TemporaryPassword !== undefined && { temporaryPassword: input.TemporaryPassword }),
      ...(input.ForceAliasCreation !== undefined && { forceAliasCreation: input.ForceAliasCreation }),
      ...(input.MessageAction !== undefined && { messageAction: input.MessageAction as 'RESEND' | 'SUPPRESS' }),
      ...(input.DesiredDeliveryMediums !== undefined && {
        desiredDeliveryMediums: input.DesiredDeliveryMediums as Array<'EMAIL' | 'SMS'>,
      }),
      ...(input.ValidationData && { validationData: fromAttributeList(input.ValidationData) }),
      ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
    });
    return { User: toUserType(user) };
  }),

  AdminGetUser: adminOperation(In.AdminUser, async (input, { services }) => {
    const user = await services.adminUsers.getUser(input.UserPoolId, input.Username);
    const { Attributes, ...rest } = toUserType(user);
    // PreferredMfaSetting, UserMFASettingList, MFAOptions (docs/mfa.md).
    const mfa = toUserMfaMembers(await services.mfa.settingsOf(user.userSub));
    return { ...rest, UserAttributes: Attributes, ...mfa };
  }),

  AdminUpdateUserAttributes: adminOperation(In.AdminUpdateUserAttributes, async (input, { services }) => {
    await services.adminUsers.updateAttributes(
      input.UserPoolId,
      input.Username,
      fromAttributeList(input.UserAttributes),
      input.ClientMetadata,
    );
    return {};
  }),

  AdminDeleteUserAttributes: adminOperation(In.AdminDeleteUserAttributes, async (input, { services }) => {
    await services.adminUsers.deleteAttributes(input.UserPoolId, input.Username, input.UserAttributeNames);
    return {};
  }),

  AdminConfirmSignUp: adminOperation(In.AdminConfirmSignUp, async (input, { services }) => {
    await services.adminUsers.confirmSignUp(input.UserPoolId, input.Username, input.ClientMetadata);
    return {};
  }),

  AdminDisableUser: adminOperation(In.AdminUser, async (input, { services }) => {
    await services.adminUsers.setEnabled(input.UserPoolId, input.Username, false);
    return {};
  }),

  AdminEnableUser: adminOperation(In.AdminUser, async (input, { services }) => {
    await services.adminUsers.setEnabled(input.UserPoolId, input.Username, true);
    return {};
  }),

  AdminDeleteUser: adminOperation(In.AdminUser, async (input, { services }) => {
    await services.adminUsers.deleteUser(input.UserPoolId, input.Username);
    return {};
  }),

  AdminUserGlobalSignOut: adminOperation(In.AdminUser, async (input, { services }) => {
    await services.adminUsers.globalSignOut(input.UserPoolId, input.Username);
    return {};
  }),

  ListUsers: adminOperation(In.ListUsers, async (input, { services }) => {
    const result = await services.userSearch.listUsers(input.UserPoolId, {
      ...(input.Filter !== undefined && input.Filter !== '' && { filter: input.Filter }),
      // Cognito takes 0 as "the default page".
      ...(input.Limit !== undefined && input.Limit > 0 && { limit: input.Limit }),
      ...(input.PaginationToken !== undefined && { paginationToken: input.PaginationToken }),
      ...(input.AttributesToGet !== undefined &&
        input.AttributesToGet.length > 0 && { attributesToGet: input.AttributesToGet }),
    });
    return {
      Users: result.users.map(toUserType),
      ...(result.paginationToken && { PaginationToken: result.paginationToken }),
    };
  }),
};
