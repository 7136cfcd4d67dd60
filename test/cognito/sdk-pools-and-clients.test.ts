/**
 * Pools and app clients through the real AWS SDK: CreateUserPool, DescribeUserPool (docs/cognito-attributes.md §1.1,
 * test vector 1), ListUserPools, AddCustomAttributes, and the app-client actions.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateUserPoolClientCommand,
  type SchemaAttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AWS_KEY, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { uniqueEmail } from '../support/user-flows.ts';
import {
  attributeMap,
  createClient,
  createPool,
  expectError,
  poolWithClient,
  signedInUser,
  userAttributes,
} from '../support/sdk-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

const text = (name: string, min = '0', max = '2048', more: Partial<SchemaAttributeType> = {}): SchemaAttributeType => ({
  Name: name,
  AttributeDataType: 'String',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
  StringAttributeConstraints: { MinLength: min, MaxLength: max },
  ...more,
});
const flag = (name: string): SchemaAttributeType => ({
  Name: name,
  AttributeDataType: 'Boolean',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
});

/** docs/cognito-attributes.md §1.1: a new pool's schema, exactly, in Cognito's order. */
const STANDARD_SCHEMA: SchemaAttributeType[] = [
  text('sub', '1', '2048', { Mutable: false, Required: true }),
  text('name'),
  text('given_name'),
  text('family_name'),
  text('middle_name'),
  text('nickname'),
  text('preferred_username'),
  text('profile'),
  text('picture'),
  text('website'),
  text('email'),
  flag('email_verified'),
  text('gender'),
  text('birthdate', '10', '10'),
  text('zoneinfo'),
  text('locale'),
  text('phone_number'),
  flag('phone_number_verified'),
  text('address'),
  {
    Name: 'updated_at',
    AttributeDataType: 'Number',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    NumberAttributeConstraints: { MinValue: '0' },
  },
];

const POOL_ID = /^us-east-1_[0-9A-Za-z]{9}$/;

test('CreateUserPool: the id is named after the signing region; Cognito’s API defaults', async () => {
  const started = Date.now();
  const created = await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'defaults' }));
  assert.equal(created.$metadata.httpStatusCode, 200);
  const pool = created.UserPool!;
  assert.match(pool.Id!, POOL_ID);
  assert.equal(pool.Name, 'defaults');
  assert.deepEqual(pool.UsernameConfiguration, { CaseSensitive: true });
  assert.deepEqual(pool.Policies, {
    PasswordPolicy: {
      MinimumLength: 8,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    },
    // USER_AUTH's first factors: the password only unless the pool says more (docs/passwordless.md).
    SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
  });
  assert.deepEqual(pool.AutoVerifiedAttributes, []);
  assert.equal(pool.AliasAttributes, undefined);
  assert.equal(pool.UsernameAttributes, undefined);
  assert.equal(pool.MfaConfiguration, 'OFF');
  assert.equal(pool.EstimatedNumberOfUsers, 0);
  assert.deepEqual(pool.SchemaAttributes, STANDARD_SCHEMA);
  assert.ok(
    pool.CreationDate instanceof Date && Math.abs(pool.CreationDate.getTime() - started) < 60_000,
    'epoch-second dates the SDK reads as Dates',
  );

  const elsewhere = await t.sdkWith(AWS_KEY, 'eu-west-2').send(new CreateUserPoolCommand({ PoolName: 'london' }));
  assert.match(elsewhere.UserPool!.Id!, /^eu-west-2_[0-9A-Za-z]{9}$/);

  const insensitive = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'options',
      UsernameConfiguration: { CaseSensitive: false },
      AliasAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: false } },
    }),
  );
  const options = insensitive.UserPool!;
  assert.deepEqual(options.UsernameConfiguration, { CaseSensitive: false });
  assert.deepEqual(options.AliasAttributes, ['email']);
  assert.deepEqual(options.UserAttributeUpdateSettings, { AttributesRequireVerificationBeforeUpdate: ['email'] });
  // A class left out of a given policy is not required, as in Cognito (docs/pools.md).
  assert.deepEqual(options.Policies?.PasswordPolicy, {
    MinimumLength: 12,
    RequireUppercase: false,
    RequireLowercase: false,
    RequireNumbers: false,
    RequireSymbols: false,
  });
});

test('CreateUserPool refuses what Cognito refuses', async () => {
  await expectError(
    t.sdk.send(
      new CreateUserPoolCommand({
        PoolName: 'x',
        Schema: [{ Name: 'phone_number_verified', AttributeDataType: 'Boolean' }],
      }),
    ),
    'InvalidParameterException',
    "1 validation error detected: Value 'phone_number_verified' at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20",
  );
  await expectError(
    t.sdk.send(
      new CreateUserPoolCommand({
        PoolName: 'x',
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      }),
    ),
    'InvalidParameterException',
    'All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes',
  );
  await expectError(
    t.sdk.send(
      new CreateUserPoolCommand({
        PoolName: 'x',
        Schema: [{ Name: 'plan', AttributeDataType: 'String', Required: true }],
      }),
    ),
    'InvalidParameterException',
    'Required custom attributes are not supported currently.',
  );
  await expectError(
    t.sdk.send(new CreateUserPoolCommand({ PoolName: 'bad/name' })),
    'InvalidParameterException',
    /^1 validation error detected: Value 'bad\/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  );
  await expectError(
    t.sdk.send(new CreateUserPoolCommand({ PoolName: 'x', Policies: { PasswordPolicy: { MinimumLength: 5 } } })),
    'InvalidParameterException',
    /at 'policies\.passwordPolicy\.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6$/,
  );
});

test('DescribeUserPool: the 20 standard entries of §1.1 in order, then the custom ones as custom:<name> (test vector 1)', async () => {
  const plain = await createPool(t);
  const described = await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: plain }));
  assert.equal(described.UserPool!.Id, plain);
  assert.deepEqual(described.UserPool!.SchemaAttributes, STANDARD_SCHEMA);
  assert.equal(described.UserPool!.SchemaAttributes!.length, 20);

  const custom = await createPool(t, {
    Schema: [
      { Name: 'name', AttributeDataType: 'String', Required: true, Mutable: true },
      { Name: 'plan', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '1', MaxLength: '16' } },
      { Name: 'age', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '0', MaxValue: '150' } },
      { Name: 'tenant', AttributeDataType: 'String', Mutable: false },
    ],
  });
  const schema = (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: custom }))).UserPool!.SchemaAttributes!;
  assert.deepEqual(
    schema.slice(0, 20),
    STANDARD_SCHEMA.map((entry) => (entry.Name === 'name' ? { ...entry, Required: true } : entry)),
  );
  assert.deepEqual(schema.slice(20), [
    text('custom:plan', '1', '16'),
    {
      Name: 'custom:age',
      AttributeDataType: 'Number',
      DeveloperOnlyAttribute: false,
      Mutable: true,
      Required: false,
      NumberAttributeConstraints: { MinValue: '0', MaxValue: '150' },
    },
    {
      Name: 'custom:tenant',
      AttributeDataType: 'String',
      DeveloperOnlyAttribute: false,
      Mutable: false,
      Required: false,
      StringAttributeConstraints: {},
    },
  ]);

  await expectError(
    t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_NoSuchOne' })),
    'ResourceNotFoundException',
    'User pool us-east-1_NoSuchOne does not exist.',
  );
  await expectError(
    t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: 'no-underscore' })),
    'InvalidParameterException',
    /^1 validation error detected: Value 'no-underscore' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  );
});

test('DescribeUserPool counts the users', async () => {
  const poolId = await createPool(t);
  for (const Username of ['one', 'two'])
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username,
        TemporaryPassword: 'Temp-passw0rd',
        MessageAction: 'SUPPRESS',
      }),
    );
  assert.equal(
    (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.EstimatedNumberOfUsers,
    2,
  );
});

test('ListUserPools pages with MaxResults and NextToken', async () => {
  const ids = [
    await createPool(t, { PoolName: 'page-a' }),
    await createPool(t, { PoolName: 'page-b' }),
    await createPool(t, { PoolName: 'page-c' }),
  ];
  const all = await t.sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  assert.equal(all.NextToken, undefined);
  const everyId = all.UserPools!.map((p) => p.Id);
  for (const id of ids) assert.ok(everyId.includes(id), `${id} is listed`);
  const listed = all.UserPools!.find((p) => p.Id === ids[1])!;
  assert.equal(listed.Name, 'page-b');
  assert.ok(listed.CreationDate instanceof Date);

  const paged: string[] = [];
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const page = await t.sdk.send(new ListUserPoolsCommand({ MaxResults: 2, ...(NextToken && { NextToken }) }));
    assert.ok(page.UserPools!.length <= 2);
    paged.push(...page.UserPools!.map((p) => p.Id!));
    NextToken = page.NextToken;
    pages += 1;
  } while (NextToken);
  assert.deepEqual(paged, everyId, 'the pages together are the whole list, in order, once');
  assert.equal(pages, Math.ceil(everyId.length / 2));

  await expectError(
    t.sdk.send(new ListUserPoolsCommand({ MaxResults: 61 })),
    'InvalidParameterException',
    "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
  );
  await expectError(
    t.sdk.send(new ListUserPoolsCommand({ MaxResults: 0 })),
    'InvalidParameterException',
    "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
  await expectError(
    t.sdk.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken: 'not-a-token' })),
    'InvalidParameterException',
    'Invalid NextToken.',
  );
});

test('AddCustomAttributes: appended after the rest and usable at once; a duplicate is refused', async () => {
  const poolId = await createPool(t, { Schema: [{ Name: 'plan', AttributeDataType: 'String' }] });
  const added = await t.sdk.send(
    new AddCustomAttributesCommand({
      UserPoolId: poolId,
      CustomAttributes: [
        { Name: 'score', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '1', MaxValue: '10' } },
        { Name: 'team', AttributeDataType: 'String', StringAttributeConstraints: { MaxLength: '8' } },
      ],
    }),
  );
  assert.equal(added.$metadata.httpStatusCode, 200);
  const schema = (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.SchemaAttributes!;
  assert.deepEqual(
    schema.slice(20).map((a) => a.Name),
    ['custom:plan', 'custom:score', 'custom:team'],
  );
  assert.deepEqual(schema[21]!.NumberAttributeConstraints, { MinValue: '1', MaxValue: '10' });
  assert.deepEqual(schema[22]!.StringAttributeConstraints, { MaxLength: '8' });

  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: 'scored',
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'custom:score', Value: '7' }],
    }),
  );
  const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'scored' }));
  assert.equal(attributeMap(user.UserAttributes)['custom:score'], '7');
  await expectError(
    t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'over',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'custom:score', Value: '11' }],
      }),
    ),
    'InvalidParameterException',
    'custom:score: The value must be at most 10.',
  );

  await expectError(
    t.sdk.send(
      new AddCustomAttributesCommand({
        UserPoolId: poolId,
        CustomAttributes: [{ Name: 'plan', AttributeDataType: 'String' }],
      }),
    ),
    'InvalidParameterException',
    'custom:plan: Existing attribute already has name custom:plan.',
  );
  await expectError(
    t.sdk.send(
      new AddCustomAttributesCommand({
        UserPoolId: poolId,
        CustomAttributes: [{ Name: 'vip', AttributeDataType: 'Boolean', Required: true }],
      }),
    ),
    'InvalidParameterException',
    'Required custom attributes are not supported currently.',
  );
  await expectError(
    t.sdk.send(
      new AddCustomAttributesCommand({
        UserPoolId: poolId,
        CustomAttributes: [{ Name: 'x'.repeat(21), AttributeDataType: 'String' }],
      }),
    ),
    'InvalidParameterException',
    `1 validation error detected: Value '${'x'.repeat(21)}' at 'customAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20`,
  );
  // A constraint that is no number is named where the caller wrote it.
  await expectError(
    t.sdk.send(
      new AddCustomAttributesCommand({
        UserPoolId: poolId,
        CustomAttributes: [{ Name: 'ok' }, { Name: 'bad', StringAttributeConstraints: { MaxLength: 'ten' } }],
      }),
    ),
    'InvalidParameterException',
    'customAttributes.2.member.stringAttributeConstraints.maxLength must be a number, got "ten".',
  );
  await expectError(
    t.sdk.send(
      new AddCustomAttributesCommand({ UserPoolId: 'us-east-1_NoSuchOne', CustomAttributes: [{ Name: 'y' }] }),
    ),
    'ResourceNotFoundException',
    'User pool us-east-1_NoSuchOne does not exist.',
  );
  // Nothing of the refused calls was kept.
  const after = (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.SchemaAttributes!;
  assert.deepEqual(after, schema);
});

test('CreateUserPoolClient / DescribeUserPoolClient: LEGACY by default, lists omitted when unset', async () => {
  const poolId = await createPool(t, { Schema: [{ Name: 'plan', AttributeDataType: 'String' }] });
  const created = await t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web' }));
  const client = created.UserPoolClient!;
  assert.match(client.ClientId!, /^[a-z0-9]{26}$/);
  assert.equal(client.UserPoolId, poolId);
  assert.equal(client.ClientName, 'web');
  assert.equal(client.PreventUserExistenceErrors, 'LEGACY');
  assert.equal(client.ClientSecret, undefined);
  assert.equal('ReadAttributes' in client, false);
  assert.equal('WriteAttributes' in client, false);
  // Cognito's default when a client names no flows: SRP and refresh, not passwords.
  assert.deepEqual(client.ExplicitAuthFlows, ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH']);

  const described = await t.sdk.send(
    new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }),
  );
  assert.deepEqual(described.UserPoolClient, client);

  const listed = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'narrow',
      ReadAttributes: ['email', 'email_verified', 'custom:plan'],
      WriteAttributes: ['email', 'custom:plan'],
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  const narrow = (
    await t.sdk.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: listed.UserPoolClient!.ClientId }),
    )
  ).UserPoolClient!;
  assert.deepEqual(narrow.ReadAttributes, ['email', 'email_verified', 'custom:plan']);
  assert.deepEqual(narrow.WriteAttributes, ['email', 'custom:plan']);
  assert.equal(narrow.PreventUserExistenceErrors, 'ENABLED');

  for (const WriteAttributes of [['email_verified'], ['email', 'phone_number_verified'], ['sub'], ['custom:nope']]) {
    await expectError(
      t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'bad', WriteAttributes })),
      'InvalidParameterException',
      'Invalid write attributes specified while creating a client',
    );
  }
  await expectError(
    t.sdk.send(
      new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'bad', ReadAttributes: ['shoe_size'] }),
    ),
    'InvalidParameterException',
    'Invalid read attributes specified while creating a client',
  );
  await expectError(
    t.sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'secret',
        GenerateSecret: true,
        ClientSecret: 'a_custom_client_secret_0123456789',
      }),
    ),
    'InvalidParameterException',
    'You cannot specify both GenerateSecret as true and a ClientSecret value.',
  );
  await expectError(
    t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: 'us-east-1_NoSuchOne', ClientName: 'x' })),
    'ResourceNotFoundException',
    'User pool us-east-1_NoSuchOne does not exist.',
  );
  await expectError(
    t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })),
    'ResourceNotFoundException',
    'User pool client nosuchclient does not exist.',
  );
  // A client of another pool is not this pool's.
  const otherPool = await createPool(t);
  await expectError(
    t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: otherPool, ClientId: client.ClientId })),
    'ResourceNotFoundException',
  );
  assert.equal(
    (await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId }))).UserPoolClients!.length,
    2,
    'refused clients were not created',
  );
});

test('UpdateUserPoolClient replaces the whole configuration: an omitted ReadAttributes resets it, and GetUser follows', async () => {
  const { poolId, clientId } = await poolWithClient(
    t,
    { AutoVerifiedAttributes: ['email'] },
    { ReadAttributes: ['email'], WriteAttributes: ['email', 'given_name'], PreventUserExistenceErrors: 'ENABLED' },
  );
  const email = uniqueEmail('upd');
  const user = await signedInUser(t, clientId, 'upd', { email, given_name: 'Ulla' });
  assert.deepEqual(await userAttributes(t, user.accessToken), { sub: user.sub, email });

  const updated = await t.sdk.send(
    new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, ClientName: 'renamed' }),
  );
  const client = updated.UserPoolClient!;
  assert.equal(client.ClientId, clientId);
  assert.equal(client.ClientName, 'renamed');
  assert.equal('ReadAttributes' in client, false);
  assert.equal('WriteAttributes' in client, false);
  assert.equal(client.PreventUserExistenceErrors, 'LEGACY');
  assert.deepEqual(
    (await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient,
    client,
  );
  // The same access token now reads everything: the client's lists are read at each call.
  assert.deepEqual(await userAttributes(t, user.accessToken), {
    sub: user.sub,
    email,
    email_verified: 'true',
    given_name: 'Ulla',
  });

  await expectError(
    t.sdk.send(
      new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, WriteAttributes: ['email_verified'] }),
    ),
    'InvalidParameterException',
    'Invalid write attributes specified while updating a client',
  );
  await expectError(
    t.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })),
    'ResourceNotFoundException',
    'User pool client nosuchclient does not exist.',
  );
  assert.equal(
    (await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!
      .ClientName,
    'renamed',
  );
});

test('ListUserPoolClients pages with MaxResults and NextToken', async () => {
  const poolId = await createPool(t);
  const ids = [
    await createClient(t, poolId, { ClientName: 'c1' }),
    await createClient(t, poolId, { ClientName: 'c2' }),
    await createClient(t, poolId, { ClientName: 'c3' }),
  ];
  const all = await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId }));
  assert.equal(all.NextToken, undefined);
  assert.deepEqual(new Set(all.UserPoolClients!.map((c) => c.ClientId)), new Set(ids));
  for (const c of all.UserPoolClients!) {
    assert.deepEqual(Object.keys(c).sort(), ['ClientId', 'ClientName', 'UserPoolId']);
    assert.equal(c.UserPoolId, poolId);
    assert.equal(c.ClientName, `c${ids.indexOf(c.ClientId!) + 1}`);
  }
  const first = await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2 }));
  assert.equal(first.UserPoolClients!.length, 2);
  assert.ok(first.NextToken);
  const second = await t.sdk.send(
    new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2, NextToken: first.NextToken }),
  );
  assert.equal(second.UserPoolClients!.length, 1);
  assert.equal(second.NextToken, undefined);
  assert.deepEqual(
    [...first.UserPoolClients!, ...second.UserPoolClients!].map((c) => c.ClientId),
    all.UserPoolClients!.map((c) => c.ClientId),
  );

  // The client a NextToken names is deleted before the next page is asked for: the listing goes on after it, never from the start again.
  const stale = await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2 }));
  const [, lastShown] = stale.UserPoolClients!.map((c) => c.ClientId!);
  assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/clients/${lastShown}`)).status, 204);
  const rest = await t.sdk.send(
    new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2, NextToken: stale.NextToken }),
  );
  assert.deepEqual(
    rest.UserPoolClients!.map((c) => c.ClientId),
    [all.UserPoolClients![2]!.ClientId],
  );
  assert.equal(rest.NextToken, undefined);

  await expectError(
    t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 61 })),
    'InvalidParameterException',
    "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
  );
  await expectError(
    t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: 'us-east-1_NoSuchOne' })),
    'ResourceNotFoundException',
    'User pool us-east-1_NoSuchOne does not exist.',
  );
});
