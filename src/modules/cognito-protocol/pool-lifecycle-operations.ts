/**
 * A pool's and a client's life after creation (docs/pools.md): UpdateUserPool, which replaces the
 * pool's configuration as a whole, DeleteUserPool (refused while deletion protection is on),
 * DeleteUserPoolClient, and the pool's tags (TagResource, UntagResource, ListTagsForResource).
 */
import { Type } from 'typebox';
import type { RecoveryMechanismName } from '../pools/pool-settings.ts';
import type { AccountRecoverySetting, PasswordPolicy } from '../pools/pools.types.ts';
import type { VerifiableAttribute } from '../attributes/index.ts';
import type { MfaConfiguration } from '../mfa/mfa.types.ts';
import type { FirstAuthFactor } from '../sign-in/sign-in-policy.types.ts';
import { fromDeviceConfiguration } from './device-operations.ts';
import * as In from './operation-inputs.ts';
import { ClientId, UserPoolId } from './operation-inputs.ts';
import { adminOperation, type Operation } from './operation.ts';
import { poolIdOfArn } from './pool-arn.ts';
import { plumbingOf } from './settings-check.ts';
import { hookMembers } from './wire-shapes.ts';

const object = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const s = (min: number, max: number) => Type.String({ minLength: min, maxLength: max });

/** Cognito's UserPoolTagsType; the limits (50 tags, key and value lengths, no aws: keys) are the pools module's. */
export const UserPoolTags = Type.Optional(Type.Record(Type.String(), Type.String()));
const ResourceArn = s(20, 2048);

/**
 * CreateUserPool's members that UpdateUserPool also has: the schema, the sign-in names
 * (UsernameAttributes, AliasAttributes) and UsernameConfiguration cannot change after creation,
 * so they are not members of its request (settings-table.ts refuses them, naming them).
 */
const {
  Schema: _schema,
  AliasAttributes: _aliases,
  UsernameAttributes: _usernames,
  UsernameConfiguration: _case,
  PoolName,
  ...updatable
} = In.CreateUserPool.properties;
const UpdateUserPool = object({ UserPoolId, ...updatable, PoolName: Type.Optional(PoolName), UserPoolTags });
const UserPoolOnly = object({ UserPoolId });
const UserPoolClient = object({ UserPoolId, ClientId });
const TagResource = object({ ResourceArn, Tags: Type.Record(Type.String(), Type.String()) });
const UntagResource = object({ ResourceArn, TagKeys: Type.Array(Type.String(), { maxItems: 50 }) });
const ListTagsForResource = object({ ResourceArn });

type WirePasswordPolicy = {
  MinimumLength?: number;
  RequireUppercase?: boolean;
  RequireLowercase?: boolean;
  RequireNumbers?: boolean;
  RequireSymbols?: boolean;
};

/** Policies.PasswordPolicy, the members given (CreateUserPool and UpdateUserPool alike). */
export function passwordPolicyOf(password: WirePasswordPolicy | undefined): Partial<PasswordPolicy> | undefined {
  // Inside a given PasswordPolicy a class left out is not required, as in Cognito: the AWS SDK for
  // Go (Terraform's) leaves false booleans out of the request (docs/pools.md).
  return (
    password && {
      ...(password.MinimumLength !== undefined && { minimumLength: password.MinimumLength }),
      requireUppercase: password.RequireUppercase ?? false,
      requireLowercase: password.RequireLowercase ?? false,
      requireNumbers: password.RequireNumbers ?? false,
      requireSymbols: password.RequireSymbols ?? false,
    }
  );
}

/** AccountRecoverySetting's RecoveryMechanisms (CreateUserPool and UpdateUserPool alike); checked by the pools module. */
export function accountRecoveryOf(
  setting: { RecoveryMechanisms?: Array<{ Name: string; Priority: number }> } | undefined,
): AccountRecoverySetting | undefined {
  const mechanisms = setting?.RecoveryMechanisms;
  return (
    mechanisms && {
      recoveryMechanisms: mechanisms.map(({ Name, Priority }) => ({
        name: Name as RecoveryMechanismName,
        priority: Priority,
      })),
    }
  );
}

export const poolLifecycleOperations: Record<string, Operation> = {
  /**
   * Replaces the configuration as a whole, as Cognito does: a member left out is set to its
   * default (docs/pools.md), but for PoolName, MfaConfiguration, DeletionProtection and
   * UserPoolTags, which are kept: a reset never lifts a protection silently, and tags have their own actions. Returns nothing, as Cognito's.
   */
  UpdateUserPool: adminOperation(UpdateUserPool, async (input, { services }) => {
    const plumbing = plumbingOf('UpdateUserPool', input);
    const recovery = accountRecoveryOf(input.AccountRecoverySetting);
    await services.pools.replaceSettings(input.UserPoolId, {
      ...(input.PoolName !== undefined && { name: input.PoolName }),
      password: passwordPolicyOf(input.Policies?.PasswordPolicy) ?? {},
      signInPolicy: services.pools.checkSignInPolicy({
        allowedFirstAuthFactors: (input.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? [
          'PASSWORD',
        ]) as FirstAuthFactor[],
      }),
      ...(input.DeletionProtection !== undefined && { deletionProtection: input.DeletionProtection === 'ACTIVE' }),
      // KMSKeyID, plumbing, is kept with the rest below.
      lambdaConfig: hookMembers(input.LambdaConfig ?? {}),
      autoVerifiedAttributes: (input.AutoVerifiedAttributes ?? []) as VerifiableAttribute[],
      keepOriginalAttributes: (input.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ??
        []) as VerifiableAttribute[],
      ...(input.MfaConfiguration !== undefined && { mfaConfiguration: input.MfaConfiguration as MfaConfiguration }),
      ...(input.SmsAuthenticationMessage !== undefined && { smsAuthenticationMessage: input.SmsAuthenticationMessage }),
      // Any member given turns device tracking on; none, off (docs/devices.md).
      deviceConfiguration: input.DeviceConfiguration ? fromDeviceConfiguration(input.DeviceConfiguration) : null,
      ...(recovery && { accountRecovery: recovery }),
      // Kept when left out: tags are changed with TagResource and UntagResource (docs/pools.md).
      ...(input.UserPoolTags !== undefined && { tags: input.UserPoolTags }),
      ...(plumbing && { awsPlumbing: plumbing }),
    });
    return {};
  }),

  DeleteUserPool: adminOperation(UserPoolOnly, async (input, { services }) => {
    await services.pools.deletePool(input.UserPoolId);
    return {};
  }),

  /** The client's sessions go with it (they cascade): its refresh and access tokens stop working at once. */
  DeleteUserPoolClient: adminOperation(UserPoolClient, async (input, { services }) => {
    await services.pools.deleteClient(input.UserPoolId, input.ClientId);
    return {};
  }),

  TagResource: adminOperation(TagResource, async (input, { services }) => {
    await services.pools.tagPool(poolIdOfArn(input.ResourceArn), input.Tags);
    return {};
  }),

  UntagResource: adminOperation(UntagResource, async (input, { services }) => {
    await services.pools.untagPool(poolIdOfArn(input.ResourceArn), input.TagKeys);
    return {};
  }),

  ListTagsForResource: adminOperation(ListTagsForResource, async (input, { services }) => {
    const pool = await services.pools.getPool(poolIdOfArn(input.ResourceArn));
    return { Tags: pool.tags };
  }),
};
