/**
 * A pool's and a client's life after creation through the real AWS SDK (docs/pools.md):
 * UpdateUserPool (the whole configuration replaced, members left out at their defaults, a refused
 * member changing nothing), DeleteUserPool with deletion protection, DeleteUserPoolClient, and tags.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  ListTagsForResourceCommand,
  ListUserPoolClientsCommand,
  SetUserPoolMfaConfigCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateUserPoolCommand,
  type CreateUserPoolCommandInput,
  type UpdateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { AWS_KEY, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { uniqueEmail } from '../support/user-flows.ts';
import { createClient, createPool, expectError, poolWithClient, signedInUser } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

const HOOK = 'https://hooks.example.com/cognito/pre-sign-up';
const describe = async (poolId: string) =>
  (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
const update = (poolId: string, input: Partial<UpdateUserPoolCommandInput> = {}) =>
  t.sdk.send(new UpdateUserPoolCommand({ UserPoolId: poolId, ...input }));
/** An SDK client whose signed requests carry `extra` in the body: members the SDK would not send. */
function sending(extra: Record<string, unknown>) {
  const client = t.sdkWith(AWS_KEY);
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body: string; headers: Record<string, string> };
      request.body = JSON.stringify({ ...(JSON.parse(request.body) as object), ...extra });
      request.headers['content-length'] = String(Buffer.byteLength(request.body));
      return next(args);
    },
    { step: 'build' },
  );
  return client;
}
const tagsOf = async (arn: string) => (await t.sdk.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags;

/** A pool with every updatable member away from its default. */
const CONFIGURED: Partial<CreateUserPoolCommandInput> = {
  Policies: {
    PasswordPolicy: {
      MinimumLength: 12,
      RequireUppercase: false,
      RequireLowercase: true,
      RequireNumbers: false,
      RequireSymbols: false,
    },
    SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] },
  },
  LambdaConfig: { PreSignUp: HOOK, KMSKeyID: 'arn:aws:kms:us-east-1:123456789012:key/abc' },
  MfaConfiguration: 'OPTIONAL',
  SmsAuthenticationMessage: 'Your sign-in code: {####}',
  AutoVerifiedAttributes: ['email'],
  UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
  DeviceConfiguration: { ChallengeRequiredOnNewDevice: true },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
  EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
  UserPoolTags: { team: 'identity', 'cost-centre': '42' },
  UserPoolTier: 'ESSENTIALS',
};

test('UpdateUserPool replaces the configuration: the member given changes, the others go back to their defaults', async () => {
  const poolId = await createPool(t, { PoolName: 'configured', ...CONFIGURED });
  const before = await describe(poolId);
  assert.equal(before.Policies?.PasswordPolicy?.MinimumLength, 12);
  assert.deepEqual(before.UserPoolTags, { team: 'identity', 'cost-centre': '42' });
  assert.equal(before.MfaConfiguration, 'OPTIONAL');

  const answer = await update(poolId, { Policies: { PasswordPolicy: { MinimumLength: 10 } } });
  assert.deepEqual(
    Object.keys(answer).filter((k) => k !== '$metadata'),
    [],
  );
  const after = await describe(poolId);
  // The member given; a class left out of a given policy is not required, as in Cognito.
  assert.deepEqual(after.Policies, {
    PasswordPolicy: {
      MinimumLength: 10,
      RequireUppercase: false,
      RequireLowercase: false,
      RequireNumbers: false,
      RequireSymbols: false,
    },
    SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
  });
  assert.deepEqual(after.LambdaConfig, {});
  assert.deepEqual(after.AutoVerifiedAttributes, []);
  assert.deepEqual(after.UserAttributeUpdateSettings, { AttributesRequireVerificationBeforeUpdate: [] });
  assert.equal(after.DeviceConfiguration, undefined);
  assert.equal(after.SmsAuthenticationMessage, undefined);
  assert.deepEqual(after.AccountRecoverySetting?.RecoveryMechanisms, [
    { Name: 'verified_email', Priority: 1 },
    { Name: 'verified_phone_number', Priority: 2 },
  ]);
  assert.equal(after.EmailConfiguration, undefined);
  assert.equal(after.UserPoolTier, undefined);
  // Kept: the name, the MFA setting, deletion protection and tags (docs/pools.md), and what UpdateUserPool cannot change.
  assert.deepEqual(after.UserPoolTags, before.UserPoolTags);
  assert.equal(after.Name, 'configured');
  assert.equal(after.MfaConfiguration, 'OPTIONAL');
  assert.equal(after.DeletionProtection, 'INACTIVE');
  assert.deepEqual(after.SchemaAttributes, before.SchemaAttributes);
  assert.deepEqual(after.UsernameConfiguration, before.UsernameConfiguration);
  assert.deepEqual(await tagsOf(before.Arn!), before.UserPoolTags);
  assert.ok(after.LastModifiedDate! >= before.LastModifiedDate!);

  // And every member set again, as a tool that restates the whole configuration does.
  const { PoolName: _name, ...again } = CONFIGURED;
  await update(poolId, { ...again, PoolName: 'renamed', DeletionProtection: 'ACTIVE' });
  const restated = await describe(poolId);
  assert.equal(restated.Name, 'renamed');
  assert.equal(restated.DeletionProtection, 'ACTIVE');
  assert.deepEqual(restated.Policies, before.Policies);
  assert.deepEqual(restated.LambdaConfig, before.LambdaConfig);
  assert.deepEqual(restated.UserPoolTags, before.UserPoolTags);
  assert.deepEqual(restated.DeviceConfiguration, before.DeviceConfiguration);
  assert.equal(restated.SmsAuthenticationMessage, 'Your sign-in code: {####}');
  assert.deepEqual(restated.AccountRecoverySetting, before.AccountRecoverySetting);
  assert.deepEqual(restated.EmailConfiguration, before.EmailConfiguration);
  assert.equal(restated.UserPoolTier, 'ESSENTIALS');
  await update(poolId, { DeletionProtection: 'INACTIVE' });
});

test('a refused or invalid UpdateUserPool changes nothing at all', async () => {
  const poolId = await createPool(t, { PoolName: 'kept', ...CONFIGURED });
  const before = await describe(poolId);
  const cases: Array<[Partial<UpdateUserPoolCommandInput> | Record<string, unknown>, string, RegExp]> = [
    // Refused as CreateUserPool refuses them.
    [
      { EmailVerificationMessage: 'Code {####}' },
      'InvalidParameterException',
      /^EmailVerificationMessage is not supported/,
    ],
    [
      { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } },
      'InvalidParameterException',
      /AllowAdminCreateUserOnly true/,
    ],
    [
      { LambdaConfig: { CustomSMSSender: { LambdaVersion: 'V1_0', LambdaArn: HOOK } } },
      'InvalidParameterException',
      /CustomSMSSender/,
    ],
    // Checked by the pools module, after other members were read.
    [{ UserPoolTags: { 'aws:owner': 'me' } }, 'InvalidParameterException', /aws: prefix is reserved/],
    [{ LambdaConfig: { PreSignUp: 'ftp://hooks.example.com' } }, 'InvalidParameterException', /PreSignUp/],
    [
      { UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] } },
      'InvalidParameterException',
      /must exist in AutoVerifiedAttributes/,
    ],
    [
      {
        AccountRecoverySetting: {
          RecoveryMechanisms: [
            { Name: 'admin_only', Priority: 1 },
            { Name: 'verified_email', Priority: 2 },
          ],
        },
      },
      'InvalidParameterException',
      /admin_only cannot be combined/,
    ],
    [
      { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['EMAIL_OTP'] } } },
      'InvalidParameterException',
      /must include PASSWORD/,
    ],
    [{ Policies: { PasswordPolicy: { MinimumLength: 5 } } }, 'InvalidParameterException', /minimumLength/],
    [{ SmsAuthenticationMessage: 'no code here' }, 'InvalidParameterException', /\{####\}/],
    [{ PoolName: 'bad/name' }, 'InvalidParameterException', /poolName/],
  ];
  for (const [members, name, message] of cases) {
    // Each with a valid change beside it, which must not happen either.
    await expectError(
      update(poolId, { Policies: { PasswordPolicy: { MinimumLength: 20 } }, ...(members as object) }),
      name,
      message,
    ).catch((error: Error) => assert.fail(`${JSON.stringify(members)}: ${error.message}`));
  }
  // Not members of UpdateUserPool (fixed at creation): the SDK would not send them, so they are added to the body.
  const fixed: Array<[string, unknown]> = [
    ['UsernameAttributes', ['email']],
    ['AliasAttributes', ['email']],
    ['Schema', [{ Name: 'plan', AttributeDataType: 'String' }]],
    ['UsernameConfiguration', { CaseSensitive: false }],
  ];
  for (const [member, value] of fixed) {
    await expectError(
      sending({ [member]: value }).send(
        new UpdateUserPoolCommand({ UserPoolId: poolId, Policies: { PasswordPolicy: { MinimumLength: 20 } } }),
      ),
      'InvalidParameterException',
      new RegExp(`^${member} is not a member of UpdateUserPool`),
    );
  }
  const after = await describe(poolId);
  assert.deepEqual(after, before);
});

test('UpdateUserPool and SetUserPoolMfaConfig: the factors are kept, MfaConfiguration left out is kept', async () => {
  const poolId = await createPool(t);
  const mfa = () => t.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
  await t.sdk.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: 'ON',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
  // Left out: kept, TOTP with it.
  await update(poolId, { AutoVerifiedAttributes: ['email'] });
  let config = await mfa();
  assert.equal(config.MfaConfiguration, 'ON');
  assert.equal(config.SoftwareTokenMfaConfiguration?.Enabled, true);
  assert.equal(config.SmsMfaConfiguration, undefined);
  // OFF, then ON again: the same factor, no SMS added.
  await update(poolId, { MfaConfiguration: 'OFF' });
  assert.equal((await mfa()).MfaConfiguration, 'OFF');
  await update(poolId, { MfaConfiguration: 'ON' });
  config = await mfa();
  assert.equal(config.MfaConfiguration, 'ON');
  assert.equal(config.SoftwareTokenMfaConfiguration?.Enabled, true);
  assert.equal(config.SmsMfaConfiguration, undefined);

  // A pool with no factor on: ON turns SMS on, as CreateUserPool does.
  const bare = await createPool(t);
  await update(bare, { MfaConfiguration: 'OPTIONAL', SmsAuthenticationMessage: 'Code {####}' });
  const bareConfig = await t.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: bare }));
  assert.equal(bareConfig.MfaConfiguration, 'OPTIONAL');
  assert.equal(bareConfig.SmsMfaConfiguration?.SmsAuthenticationMessage, 'Code {####}');
  assert.notEqual(bareConfig.SoftwareTokenMfaConfiguration?.Enabled, true, 'TOTP stays off');
});

test('DeleteUserPool is refused while deletion protection is on, then deletes the pool, its clients and its tokens', async () => {
  const { poolId, clientId } = await poolWithClient(
    t,
    { AutoVerifiedAttributes: ['email'], DeletionProtection: 'ACTIVE' },
    {},
  );
  const email = uniqueEmail();
  const user = await signedInUser(t, clientId, email, { email });
  await expectError(
    t.sdk.send(new DeleteUserPoolCommand({ UserPoolId: poolId })),
    'InvalidParameterException',
    'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
  );
  // Nothing was deleted: the pool, its client and the user's token all still work.
  assert.equal((await describe(poolId)).Id, poolId);
  assert.equal((await t.sdk.send(new GetUserCommand({ AccessToken: user.accessToken }))).Username, email);

  await update(poolId, { AutoVerifiedAttributes: ['email'], DeletionProtection: 'INACTIVE' });
  await t.sdk.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));

  await expectError(describe(poolId), 'ResourceNotFoundException', `User pool ${poolId} does not exist.`);
  await expectError(
    t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 10 })),
    'ResourceNotFoundException',
  );
  // The pool's tokens stop working at once, access and refresh alike.
  await expectError(t.sdk.send(new GetUserCommand({ AccessToken: user.accessToken })), 'NotAuthorizedException');
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.refreshToken! },
      }),
    ),
    'NotAuthorizedException',
    'Invalid Refresh Token',
  );
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: 'Passw0rd!' },
      }),
    ),
    'ResourceNotFoundException',
  );
  // Gone is gone: a second delete names the pool as unknown.
  await expectError(
    t.sdk.send(new DeleteUserPoolCommand({ UserPoolId: poolId })),
    'ResourceNotFoundException',
    `User pool ${poolId} does not exist.`,
  );
});

test('DeleteUserPoolClient: the client and its tokens are gone, the pool’s other clients are not', async () => {
  const { poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] });
  const other = await createClient(t, poolId, { ClientName: 'other' });
  const email = uniqueEmail();
  const user = await signedInUser(t, clientId, email, { email });

  await t.sdk.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));

  await expectError(
    t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId })),
    'ResourceNotFoundException',
  );
  await expectError(t.sdk.send(new GetUserCommand({ AccessToken: user.accessToken })), 'NotAuthorizedException');
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.refreshToken! },
      }),
    ),
    'NotAuthorizedException',
    'Invalid Refresh Token',
  );
  // The user and the other client are untouched.
  const tokens = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: other,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: 'Passw0rd!' },
    }),
  );
  assert.ok(tokens.AuthenticationResult?.AccessToken);
  const listed = await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 10 }));
  assert.deepEqual(
    listed.UserPoolClients?.map((c) => c.ClientId),
    [other],
  );

  await expectError(
    t.sdk.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId })),
    'ResourceNotFoundException',
    `User pool client ${clientId} does not exist.`,
  );
  // A client named under another pool is not found there, and not deleted.
  const elsewhere = await createPool(t);
  await expectError(
    t.sdk.send(new DeleteUserPoolClientCommand({ UserPoolId: elsewhere, ClientId: other })),
    'ResourceNotFoundException',
  );
  assert.ok(
    (await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: other }))).UserPoolClient,
  );
});

test('tags: TagResource, UntagResource, ListTagsForResource by the pool’s ARN, with UserPoolTags alike', async () => {
  const poolId = await createPool(t, { UserPoolTags: { env: 'test' } });
  const { Arn } = await describe(poolId);
  assert.equal(Arn, `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${poolId}`);
  assert.deepEqual(await tagsOf(Arn!), { env: 'test' });

  await t.sdk.send(new TagResourceCommand({ ResourceArn: Arn, Tags: { team: 'identity', env: 'staging' } }));
  assert.deepEqual(await tagsOf(Arn!), { env: 'staging', team: 'identity' });
  assert.deepEqual((await describe(poolId)).UserPoolTags, { env: 'staging', team: 'identity' });

  await t.sdk.send(new UntagResourceCommand({ ResourceArn: Arn, TagKeys: ['env', 'never-set'] }));
  assert.deepEqual(await tagsOf(Arn!), { team: 'identity' });

  // UpdateUserPool replaces them.
  await update(poolId, { UserPoolTags: { owner: 'ops' } });
  assert.deepEqual(await tagsOf(Arn!), { owner: 'ops' });
});

test('tags: Cognito’s limits are enforced, and a refused change keeps the tags as they were', async () => {
  const poolId = await createPool(t);
  const { Arn } = await describe(poolId);
  const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, `v${i}`]));
  await t.sdk.send(new TagResourceCommand({ ResourceArn: Arn, Tags: fifty }));
  assert.equal(Object.keys((await tagsOf(Arn!))!).length, 50);
  // A 51st is one too many; overwriting one of the fifty is fine.
  await expectError(
    t.sdk.send(new TagResourceCommand({ ResourceArn: Arn, Tags: { k50: 'x' } })),
    'InvalidParameterException',
    /at most 50 tags/,
  );
  await t.sdk.send(new TagResourceCommand({ ResourceArn: Arn, Tags: { k0: 'changed' } }));
  assert.equal((await tagsOf(Arn!))!.k0, 'changed');

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ ['k'.repeat(129)]: 'v' }, /1 to 128 characters/],
    [{ '': 'v' }, /1 to 128 characters/],
    [{ 'AWS:cost': 'v' }, /aws: prefix is reserved/],
    [{ 'bad#key': 'v' }, /may contain only/],
    [{ k1: 'v'.repeat(257) }, /at most 256/],
  ];
  for (const [tags, message] of bad) {
    await expectError(
      t.sdk.send(new TagResourceCommand({ ResourceArn: Arn, Tags: tags })),
      'InvalidParameterException',
      message,
    );
    await expectError(
      t.sdk.send(new CreateUserPoolCommand({ PoolName: 'tagged', UserPoolTags: tags })),
      'InvalidParameterException',
      message,
    );
  }
  assert.equal((await tagsOf(Arn!))!.k1, 'v1');
  assert.equal(Object.keys((await tagsOf(Arn!))!).length, 50);
  await expectError(
    t.sdk.send(new UntagResourceCommand({ ResourceArn: Arn, TagKeys: ['aws:x'] })),
    'InvalidParameterException',
  );
  // A value may be empty.
  const empty = await createPool(t, { UserPoolTags: { flag: '' } });
  assert.deepEqual((await describe(empty)).UserPoolTags, { flag: '' });
});

test('tags: an ARN of another resource is refused, one of an unknown pool is not found', async () => {
  const poolId = await createPool(t);
  const cases: Array<[string, string]> = [
    [`arn:aws:cognito-identity:us-east-1:000000000000:identitypool/us-east-1:abc`, 'InvalidParameterException'],
    [`arn:aws:cognito-idp:us-east-1:000000000000:userpool/${poolId}/client/abc`, 'InvalidParameterException'],
    [`arn:aws:lambda:us-east-1:000000000000:function:${poolId}`, 'InvalidParameterException'],
    ['not an arn at all, but long enough', 'InvalidParameterException'],
    [`arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_ZZZZZZZZZ`, 'ResourceNotFoundException'],
    // The right id under another account or region is not this pool.
    [`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${poolId}`, 'ResourceNotFoundException'],
    [`arn:aws:cognito-idp:eu-west-1:000000000000:userpool/${poolId}`, 'ResourceNotFoundException'],
  ];
  for (const [arn, name] of cases) {
    await expectError(t.sdk.send(new ListTagsForResourceCommand({ ResourceArn: arn })), name);
    await expectError(t.sdk.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: 'b' } })), name);
    await expectError(t.sdk.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] })), name);
  }
  assert.deepEqual((await describe(poolId)).UserPoolTags, {});
});

test('an unknown pool is ResourceNotFoundException for every lifecycle action; unsigned calls are refused', async () => {
  const unknown = 'us-east-1_NoSuchPoo';
  await expectError(update(unknown), 'ResourceNotFoundException', `User pool ${unknown} does not exist.`);
  await expectError(t.sdk.send(new DeleteUserPoolCommand({ UserPoolId: unknown })), 'ResourceNotFoundException');
  await expectError(
    t.sdk.send(new DeleteUserPoolClientCommand({ UserPoolId: unknown, ClientId: 'abc' })),
    'ResourceNotFoundException',
  );
  const poolId = await createPool(t, { DeletionProtection: 'INACTIVE' });
  const stranger = t.sdkWith({
    accessKeyId: 'AKIASTRANGER00000001',
    secretAccessKey: 'not-the-configured-secret-0000',
  });
  await expectError(stranger.send(new DeleteUserPoolCommand({ UserPoolId: poolId })), 'UnrecognizedClientException');
  await expectError(stranger.send(new UpdateUserPoolCommand({ UserPoolId: poolId })), 'UnrecognizedClientException');
  assert.equal((await describe(poolId)).Id, poolId);
});
