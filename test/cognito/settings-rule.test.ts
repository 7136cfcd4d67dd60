/**
 * No setting accepted and ignored (docs/cognito-settings.md). This walks every member of
 * CreateUserPool, CreateUserPoolClient and UpdateUserPoolClient as the AWS SDK v3 lists them, and
 * the REST API's pool and client settings, through the real wire: honoured members take effect,
 * off values are accepted, AWS plumbing is stored and described, and everything else is refused
 * with InvalidParameterException naming the member, leaving nothing made or changed. It also keeps
 * settings-table.ts, the SDK's member lists, the operations' input schemas and the docs in step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import * as In from '../../src/modules/cognito-protocol/operation-inputs.ts';
import { supportedActions } from '../../src/modules/cognito-protocol/protocol.ts';
import {
  COGNITO_SETTINGS,
  isNested,
  REST_SETTINGS,
  type MemberRule,
  type MemberRules,
} from '../../src/modules/cognito-protocol/settings-table.ts';
import { CreateClientBody, CreatePoolBody, UpdateClientBody, UpdatePoolBody } from '../../src/schemas/pools.ts';
import { flattenRules, settingsTableMarkdown, TABLE_END, TABLE_START } from '../../src/settings-document.ts';
import { AWS_KEY, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { expectError } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

// ---- The AWS SDK's own member lists (its runtime schemas: [3, namespace, name, traits, members, schemas]) ----

type SdkSchema = [number, string, string, unknown, string[], unknown[]];
const sdkSchemas = sdk as unknown as Record<string, SdkSchema | undefined>;
const resolve = (schema: unknown): unknown => (typeof schema === 'function' ? (schema as () => unknown)() : schema);
const isStruct = (schema: unknown): schema is SdkSchema => Array.isArray(schema) && schema[0] === 3;

/** Every mismatch between a table's members and the SDK structure's, nested ones by path. */
function mismatches(rules: MemberRules, struct: SdkSchema, path: string): string[] {
  const table = Object.keys(rules).sort();
  const wire = [...struct[4]].sort();
  const found = [
    ...wire.filter((m) => !table.includes(m)).map((m) => `${path}${m} is in the SDK, not in the table`),
    ...table.filter((m) => !wire.includes(m)).map((m) => `${path}${m} is in the table, not in the SDK`),
  ];
  for (const [name, rule] of Object.entries(rules)) {
    if (!isNested(rule) || !wire.includes(name)) continue;
    const inner = resolve(struct[5][struct[4].indexOf(name)]);
    if (!isStruct(inner)) found.push(`${path}${name} is nested in the table but no structure in the SDK`);
    else found.push(...mismatches(rule.members, inner, `${path}${name}.`));
  }
  return found;
}

describe('the table (settings-table.ts)', () => {
  test('covers exactly the actions Cognate answers', () => {
    assert.deepEqual(Object.keys(COGNITO_SETTINGS).sort(), supportedActions);
  });

  test('lists every member of each request, nested ones included, as the AWS SDK v3 does, and nothing else', () => {
    const found = supportedActions.flatMap((action) => {
      const struct = sdkSchemas[`${action}Request$`];
      return struct ? mismatches(COGNITO_SETTINGS[action]!, struct, `${action}.`) : [`the SDK has no ${action}Request`];
    });
    assert.deepEqual(found, []);
  });

  test('the operations read exactly the honoured members (their input schemas list nothing else)', () => {
    const honouredTop = (rules: MemberRules) =>
      Object.entries(rules)
        .filter(([, rule]) =>
          isNested(rule)
            ? flattenRules(rule.members).some(([, r]) => r.status === 'honoured')
            : rule.status === 'honoured',
        )
        .map(([name]) => name)
        .sort();
    const read = (schema: { properties: object }) => Object.keys(schema.properties).sort();
    assert.deepEqual(read(In.CreateUserPool), honouredTop(COGNITO_SETTINGS.CreateUserPool!));
    assert.deepEqual(read(In.CreateUserPoolClient), honouredTop(COGNITO_SETTINGS.CreateUserPoolClient!));
    assert.deepEqual(read(In.UpdateUserPoolClient), honouredTop(COGNITO_SETTINGS.UpdateUserPoolClient!));
    assert.deepEqual(read(In.CreateUserPool.properties.Policies.properties.PasswordPolicy), [
      'MinimumLength',
      'RequireLowercase',
      'RequireNumbers',
      'RequireSymbols',
      'RequireUppercase',
    ]);
  });

  test('the REST rows are exactly the REST schemas’ settings, all honoured', () => {
    const keys = (schema: { properties: object }) => Object.keys(schema.properties).sort();
    assert.deepEqual(keys(CreatePoolBody), Object.keys(REST_SETTINGS['POST /v1/pools']!).sort());
    assert.deepEqual(keys(UpdatePoolBody), Object.keys(REST_SETTINGS['PATCH /v1/pools/{poolId}']!).sort());
    assert.deepEqual(keys(CreateClientBody), Object.keys(REST_SETTINGS['POST /v1/pools/{poolId}/clients']!).sort());
    assert.deepEqual(
      keys(UpdateClientBody),
      Object.keys(REST_SETTINGS['PATCH /v1/pools/{poolId}/clients/{clientId}']!).sort(),
    );
    for (const rules of Object.values(REST_SETTINGS))
      for (const [, rule] of flattenRules(rules)) assert.equal(rule.status, 'honoured');
    for (const body of [CreatePoolBody, UpdatePoolBody, CreateClientBody, UpdateClientBody])
      assert.equal((body as { additionalProperties?: unknown }).additionalProperties, false);
  });

  test('docs/cognito-settings.md shows the table as the code has it (npm run docs:settings)', () => {
    const document = readFileSync(new URL('../../docs/cognito-settings.md', import.meta.url), 'utf8');
    const start = document.indexOf(TABLE_START);
    const end = document.indexOf(TABLE_END);
    assert.ok(start >= 0 && end > start, 'the markers are there');
    assert.equal(
      document.slice(start + TABLE_START.length, end).trim(),
      settingsTableMarkdown(),
      'docs/cognito-settings.md is stale: run `npm run docs:settings`',
    );
  });
});

// ---- Representative values, one for every member the table lists ---------------------------------

/**
 * `value`: what honoured, plumbing and refused members are sent with; `off` and `on`: what an
 * off-only member is accepted and refused with; `with`: other members the request needs;
 * `shows`: how an honoured member shows in Describe (plumbing shows as sent).
 */
interface Example {
  value?: unknown;
  off?: unknown[];
  on?: unknown[];
  with?: Record<string, unknown>;
  shows?: (described: Record<string, any>) => void;
}

const ARN = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const LAMBDA = ARN('lambda', 'function:hook');
const versioned: Example = { value: { LambdaVersion: 'V1_0', LambdaArn: LAMBDA } };
// A honoured trigger is an http(s) hook (an ARN only where HOOK_ARNS_FILE maps it: sdk-lambda-config.test.ts).
const HOOK_URL = 'https://hooks.example.com/cognito';
const hook = (member: string): Example => ({
  value: HOOK_URL,
  shows: (d) => assert.equal(d.LambdaConfig[member], HOOK_URL),
});
const template: Example = { value: 'Your code is {####}' };

const POOL_EXAMPLES: Record<string, Example> = {
  PoolName: { value: 'walked', shows: (d) => assert.equal(d.Name, 'walked') },
  'Policies.PasswordPolicy.MinimumLength': {
    value: 12,
    shows: (d) => assert.equal(d.Policies.PasswordPolicy.MinimumLength, 12),
  },
  'Policies.PasswordPolicy.RequireUppercase': {
    value: false,
    shows: (d) => assert.equal(d.Policies.PasswordPolicy.RequireUppercase, false),
  },
  'Policies.PasswordPolicy.RequireLowercase': {
    value: false,
    shows: (d) => assert.equal(d.Policies.PasswordPolicy.RequireLowercase, false),
  },
  'Policies.PasswordPolicy.RequireNumbers': {
    value: false,
    shows: (d) => assert.equal(d.Policies.PasswordPolicy.RequireNumbers, false),
  },
  'Policies.PasswordPolicy.RequireSymbols': {
    value: false,
    shows: (d) => assert.equal(d.Policies.PasswordPolicy.RequireSymbols, false),
  },
  'Policies.PasswordPolicy.PasswordHistorySize': { off: [0], on: [5] },
  'Policies.PasswordPolicy.TemporaryPasswordValidityDays': { value: 7 },
  // What it does: test/cognito/sdk-user-auth.test.ts.
  'Policies.SignInPolicy.AllowedFirstAuthFactors': {
    value: ['PASSWORD', 'EMAIL_OTP'],
    shows: (d) => assert.deepEqual(d.Policies.SignInPolicy.AllowedFirstAuthFactors, ['PASSWORD', 'EMAIL_OTP']),
  },
  DeletionProtection: { value: 'ACTIVE', shows: (d) => assert.equal(d.DeletionProtection, 'ACTIVE') },
  'LambdaConfig.PreSignUp': hook('PreSignUp'),
  'LambdaConfig.CustomMessage': hook('CustomMessage'),
  'LambdaConfig.PostConfirmation': hook('PostConfirmation'),
  'LambdaConfig.PreAuthentication': hook('PreAuthentication'),
  'LambdaConfig.PostAuthentication': hook('PostAuthentication'),
  'LambdaConfig.DefineAuthChallenge': hook('DefineAuthChallenge'),
  'LambdaConfig.CreateAuthChallenge': hook('CreateAuthChallenge'),
  'LambdaConfig.VerifyAuthChallengeResponse': hook('VerifyAuthChallengeResponse'),
  'LambdaConfig.PreTokenGeneration': hook('PreTokenGeneration'),
  'LambdaConfig.UserMigration': hook('UserMigration'),
  'LambdaConfig.PreTokenGenerationConfig': {
    value: { LambdaVersion: 'V2_0', LambdaArn: HOOK_URL },
    shows: (d) => {
      assert.deepEqual(d.LambdaConfig.PreTokenGenerationConfig, { LambdaVersion: 'V2_0', LambdaArn: HOOK_URL });
      assert.equal(d.LambdaConfig.PreTokenGeneration, HOOK_URL);
    },
  },
  'LambdaConfig.CustomSMSSender': versioned,
  'LambdaConfig.CustomEmailSender': versioned,
  'LambdaConfig.KMSKeyID': { value: ARN('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab') },
  'LambdaConfig.InboundFederation': versioned,
  AutoVerifiedAttributes: { value: ['email'], shows: (d) => assert.deepEqual(d.AutoVerifiedAttributes, ['email']) },
  AliasAttributes: { value: ['email'], shows: (d) => assert.deepEqual(d.AliasAttributes, ['email']) },
  UsernameAttributes: { value: ['email'], shows: (d) => assert.deepEqual(d.UsernameAttributes, ['email']) },
  SmsVerificationMessage: template,
  EmailVerificationMessage: template,
  EmailVerificationSubject: { value: 'Your code' },
  'VerificationMessageTemplate.SmsMessage': template,
  'VerificationMessageTemplate.EmailMessage': template,
  'VerificationMessageTemplate.EmailSubject': { value: 'Your code' },
  'VerificationMessageTemplate.EmailMessageByLink': { value: 'Click {##Verify##}' },
  'VerificationMessageTemplate.EmailSubjectByLink': { value: 'Verify' },
  'VerificationMessageTemplate.DefaultEmailOption': { off: ['CONFIRM_WITH_CODE'], on: ['CONFIRM_WITH_LINK'] },
  // What they do: test/cognito/sdk-mfa.test.ts.
  SmsAuthenticationMessage: {
    value: 'Your code is {####}',
    shows: (d) => assert.equal(d.SmsAuthenticationMessage, 'Your code is {####}'),
  },
  MfaConfiguration: { value: 'OPTIONAL', shows: (d) => assert.equal(d.MfaConfiguration, 'OPTIONAL') },
  UserAttributeUpdateSettings: {
    value: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    with: { AutoVerifiedAttributes: ['email'] },
    shows: (d) =>
      assert.deepEqual(d.UserAttributeUpdateSettings, { AttributesRequireVerificationBeforeUpdate: ['email'] }),
  },
  // What it does: test/cognito/sdk-devices.test.ts.
  DeviceConfiguration: {
    value: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
    shows: (d) =>
      assert.deepEqual(d.DeviceConfiguration, {
        ChallengeRequiredOnNewDevice: false,
        DeviceOnlyRememberedOnUserPrompt: true,
      }),
  },
  'EmailConfiguration.SourceArn': { value: ARN('ses', 'identity/mail.example.com') },
  'EmailConfiguration.ReplyToEmailAddress': { value: 'help@example.com' },
  'EmailConfiguration.EmailSendingAccount': { value: 'DEVELOPER' },
  'EmailConfiguration.From': { value: 'Example <no-reply@example.com>' },
  'EmailConfiguration.ConfigurationSet': { value: 'cognate-set' },
  'SmsConfiguration.SnsCallerArn': { value: 'arn:aws:iam::123456789012:role/cognito-sns' },
  'SmsConfiguration.ExternalId': { value: 'cognate-external-id' },
  'SmsConfiguration.SnsRegion': { value: 'eu-west-1' },
  'SmsConfiguration.EumsSms': {
    value: { CallerArn: 'arn:aws:iam::123456789012:role/eums', OriginationIdentity: '+15550100' },
  },
  UserPoolTags: {
    value: { team: 'identity', 'cost-centre': '42' },
    shows: (d) => assert.deepEqual(d.UserPoolTags, { team: 'identity', 'cost-centre': '42' }),
  },
  'AdminCreateUserConfig.AllowAdminCreateUserOnly': { off: [false], on: [true] },
  'AdminCreateUserConfig.UnusedAccountValidityDays': { value: 7 },
  'AdminCreateUserConfig.InviteMessageTemplate': {
    value: { EmailMessage: 'Hello {username}, {####}', EmailSubject: 'Welcome' },
  },
  Schema: {
    value: [{ Name: 'plan', AttributeDataType: 'String' }],
    shows: (d) => assert.ok(d.SchemaAttributes.some((a: { Name: string }) => a.Name === 'custom:plan')),
  },
  'UserPoolAddOns.AdvancedSecurityMode': { off: ['OFF'], on: ['AUDIT', 'ENFORCED'] },
  'UserPoolAddOns.AdvancedSecurityAdditionalFlows': { value: { CustomAuthMode: 'AUDIT' } },
  DcrConfiguration: {
    off: [{ EnableStatus: 'Disabled' }],
    on: [{ EnableStatus: 'Enabled' }, {}, { OpenDcrEnabled: false }],
  },
  UsernameConfiguration: {
    value: { CaseSensitive: false },
    shows: (d) => assert.deepEqual(d.UsernameConfiguration, { CaseSensitive: false }),
  },
  // What it does: test/cognito/account-recovery.test.ts.
  AccountRecoverySetting: {
    value: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 1 }] },
    shows: (d) =>
      assert.deepEqual(d.AccountRecoverySetting, {
        RecoveryMechanisms: [{ Priority: 1, Name: 'verified_phone_number' }],
      }),
  },
  UserPoolTier: { value: 'PLUS' },
  'KeyConfiguration.KeyType': { off: ['AWS_OWNED_KEY'], on: ['CUSTOMER_MANAGED_KEY'] },
  'KeyConfiguration.KmsKeyArn': { value: ARN('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab') },
  'IssuerConfiguration.Type': { off: ['ORIGINAL'], on: ['UPDATED'] },
  AcrConfiguration: { off: [{}], on: [{ gold: { AcrValue: 'urn:example:gold' } }] },
};

/**
 * The same for both client actions; the lifetimes equal the pool's defaults (3600 s, 3600 s, 30 days),
 * shown in Cognito's default units (1 hour, 1 hour, 30 days).
 */
const CLIENT_SETTING_EXAMPLES: Record<string, Example> = {
  RefreshTokenValidity: {
    value: 30,
    shows: (d) => assert.deepEqual([d.RefreshTokenValidity, d.TokenValidityUnits?.RefreshToken], [30, 'days']),
  },
  AccessTokenValidity: {
    value: 1,
    shows: (d) => assert.deepEqual([d.AccessTokenValidity, d.TokenValidityUnits?.AccessToken], [1, 'hours']),
  },
  IdTokenValidity: {
    value: 60,
    with: { TokenValidityUnits: { IdToken: 'minutes' } },
    shows: (d) => assert.deepEqual([d.IdTokenValidity, d.TokenValidityUnits?.IdToken], [1, 'hours']),
  },
  TokenValidityUnits: {
    value: { AccessToken: 'seconds' },
    with: { AccessTokenValidity: 3600 },
    shows: (d) => assert.deepEqual([d.AccessTokenValidity, d.TokenValidityUnits?.AccessToken], [1, 'hours']),
  },
  ReadAttributes: { value: ['email'], shows: (d) => assert.deepEqual(d.ReadAttributes, ['email']) },
  WriteAttributes: { value: ['email'], shows: (d) => assert.deepEqual(d.WriteAttributes, ['email']) },
  ExplicitAuthFlows: {
    value: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    shows: (d) => assert.deepEqual(d.ExplicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
  },
  // OAuth 2.0 (issue 19; its rules and refusals: test/cognito/sdk-web-config.test.ts).
  SupportedIdentityProviders: {
    value: ['COGNITO'],
    shows: (d) => assert.deepEqual(d.SupportedIdentityProviders, ['COGNITO']),
  },
  CallbackURLs: {
    value: ['https://app.example.com/callback'],
    shows: (d) => assert.deepEqual(d.CallbackURLs, ['https://app.example.com/callback']),
  },
  LogoutURLs: {
    value: ['https://app.example.com/'],
    shows: (d) => assert.deepEqual(d.LogoutURLs, ['https://app.example.com/']),
  },
  DefaultRedirectURI: {
    value: 'https://app.example.com/callback',
    with: { CallbackURLs: ['https://app.example.com/callback'] },
    shows: (d) => assert.equal(d.DefaultRedirectURI, 'https://app.example.com/callback'),
  },
  AllowedOAuthFlows: {
    value: ['code'],
    with: {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid'],
      CallbackURLs: ['https://a.example.com/'],
    },
    shows: (d) => assert.deepEqual(d.AllowedOAuthFlows, ['code']),
  },
  AllowedOAuthScopes: {
    value: ['openid', 'email'],
    with: {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://a.example.com/'],
    },
    shows: (d) => assert.deepEqual(d.AllowedOAuthScopes, ['openid', 'email']),
  },
  AllowedOAuthFlowsUserPoolClient: {
    value: true,
    with: { AllowedOAuthFlows: ['implicit'], AllowedOAuthScopes: ['openid'], CallbackURLs: ['https://a.example.com/'] },
    shows: (d) => assert.equal(d.AllowedOAuthFlowsUserPoolClient, true),
  },
  AnalyticsConfiguration: {
    value: { ApplicationId: 'pinpoint-app', RoleArn: 'arn:aws:iam::123456789012:role/pinpoint', ExternalId: 'x' },
  },
  PreventUserExistenceErrors: { value: 'ENABLED', shows: (d) => assert.equal(d.PreventUserExistenceErrors, 'ENABLED') },
  EnableTokenRevocation: { off: [true], on: [false] },
  EnablePropagateAdditionalUserContextData: { off: [false], on: [true] },
  AuthSessionValidity: { value: 10, shows: (d) => assert.equal(d.AuthSessionValidity, 10) },
  RefreshTokenRotation: { off: [{ Feature: 'DISABLED' }], on: [{ Feature: 'ENABLED', RetryGracePeriodSeconds: 10 }] },
};
const SECRET = 'client-secret-that-must-never-be-repeated-0123456789';
const CREATE_CLIENT_EXAMPLES: Record<string, Example> = {
  UserPoolId: { value: '(the pool)' },
  ClientName: { value: 'walked', shows: (d) => assert.equal(d.ClientName, 'walked') },
  // A confidential client (docs/client-secrets.md): Describe shows its secret.
  GenerateSecret: { value: true, shows: (d) => assert.match(d.ClientSecret, /^[a-z0-9]{51}$/) },
  ClientSecret: {
    value: 'a_custom_client_secret_0123456789',
    shows: (d) => assert.equal(d.ClientSecret, 'a_custom_client_secret_0123456789'),
  },
  ...CLIENT_SETTING_EXAMPLES,
};
const UPDATE_CLIENT_EXAMPLES: Record<string, Example> = {
  UserPoolId: { value: '(the pool)' },
  ClientId: { value: '(the client)' },
  ClientName: { value: 'renamed', shows: (d) => assert.equal(d.ClientName, 'renamed') },
  ...CLIENT_SETTING_EXAMPLES,
};

// ---- The walk -------------------------------------------------------------------------------------

function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const names = path.split('.');
  let at = target;
  for (const name of names.slice(0, -1)) at = (at[name] ??= {}) as Record<string, unknown>;
  at[names.at(-1)!] = value;
  return target;
}
const getPath = (source: unknown, path: string) => path.split('.').reduce<any>((at, name) => at?.[name], source);

type Outcome = {
  accepted: Array<{ path: string; value: unknown; example: Example }>;
  refused: Array<{ path: string; value: unknown }>;
};

/** What the walk sends for each member of an action: accepted values and refused ones. */
function plan(action: string, examples: Record<string, Example>): Outcome {
  const outcome: Outcome = { accepted: [], refused: [] };
  const leaves = flattenRules(COGNITO_SETTINGS[action]!);
  assert.deepEqual(
    Object.keys(examples).sort(),
    leaves.map(([path]) => path).sort(),
    `${action}: one example per member of the table`,
  );
  for (const [path, rule] of leaves) {
    const example = examples[path]!;
    const status: MemberRule['status'] = rule.status;
    if (status === 'off-only') {
      assert.ok(example.off?.length && example.on?.length, `${action}.${path}: off and on values`);
      for (const value of example.off!)
        outcome.accepted.push({ path, value, example: { ...example, shows: undefined } });
      for (const value of example.on!) outcome.refused.push({ path, value });
    } else if (status === 'refused') {
      outcome.refused.push({ path, value: example.value });
    } else {
      assert.ok(example.value !== undefined, `${action}.${path}: a value`);
      if (status === 'honoured' && !['UserPoolId', 'ClientId'].includes(path))
        assert.ok(example.shows, `${action}.${path}: how it shows`);
      outcome.accepted.push({ path, value: example.value, example });
    }
  }
  return outcome;
}

async function expectRefusal(call: Promise<unknown>, path: string) {
  const error = await expectError(call, 'InvalidParameterException');
  assert.ok(error.message.startsWith(`${path} `), `the refusal names ${path}: ${error.message}`);
  assert.match(error.message, /is not supported by Cognate \(yet\): ./);
  assert.ok(!error.message.includes(SECRET), 'a secret is never repeated');
}

const countPools = async () => (await t.sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length;

describe('CreateUserPool, member by member', () => {
  const { accepted, refused } = plan('CreateUserPool', POOL_EXAMPLES);

  test('honoured members take effect, off values are accepted, plumbing is stored and described', async () => {
    for (const { path, value, example } of accepted) {
      const input = setPath({ PoolName: 'walk', ...example.with }, path, value);
      const created = await t.sdk.send(new CreateUserPoolCommand(input as never));
      const described = (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: created.UserPool!.Id })))
        .UserPool as Record<string, any>;
      const rule = flattenRules(COGNITO_SETTINGS.CreateUserPool!).find(([p]) => p === path)![1];
      if (rule.status === 'plumbing') assert.deepEqual(getPath(described, path), value, `${path} is described as sent`);
      example.shows?.(described);
      example.shows?.(created.UserPool as Record<string, any>);
    }
  });

  test('everything else is refused naming the member, and no pool is made', async () => {
    const before = await countPools();
    for (const { path, value } of refused)
      await expectRefusal(
        t.sdk.send(new CreateUserPoolCommand(setPath({ PoolName: 'refused' }, path, value) as never)),
        path,
      );
    // A refused member refuses the whole request, whatever else it asks for.
    await expectRefusal(
      t.sdk.send(
        new CreateUserPoolCommand({
          PoolName: 'refused',
          AutoVerifiedAttributes: ['email'],
          MfaConfiguration: 'ON',
          UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        }),
      ),
      'UserPoolAddOns.AdvancedSecurityMode',
    );
    assert.equal(await countPools(), before, 'nothing was created');
  });

  test('the defaults Cognate describes are what it does', async () => {
    const pool = (await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'plain' }))).UserPool!;
    assert.equal(pool.MfaConfiguration, 'OFF');
    assert.equal(pool.DeletionProtection, 'INACTIVE');
    assert.deepEqual(pool.LambdaConfig, {});
    assert.deepEqual(pool.AccountRecoverySetting, {
      RecoveryMechanisms: [
        { Priority: 1, Name: 'verified_email' },
        { Priority: 2, Name: 'verified_phone_number' },
      ],
    });
    assert.equal(pool.EmailConfiguration, undefined);
    assert.deepEqual(pool.UserPoolTags, {});
  });

  test('DeletionProtection ACTIVE holds: DeleteUserPool and the REST DELETE refuse the pool (docs/pools.md)', async () => {
    const created = await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'kept', DeletionProtection: 'ACTIVE' }));
    const UserPoolId = created.UserPool!.Id!;
    await expectError(
      t.sdk.send(new DeleteUserPoolCommand({ UserPoolId })),
      'InvalidParameterException',
      /deletion protection is activated/,
    );
    assert.equal((await t.admin('DELETE', `/v1/pools/${UserPoolId}`)).status, 400, 'nor does the REST API');
    assert.equal((await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId }))).UserPool!.Id, UserPoolId);
  });
});

async function poolWithDefaults() {
  return (await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'clients' }))).UserPool!.Id!;
}

describe('CreateUserPoolClient, member by member', () => {
  const { accepted, refused } = plan('CreateUserPoolClient', CREATE_CLIENT_EXAMPLES);

  test('honoured members take effect and off values are accepted', async () => {
    const UserPoolId = await poolWithDefaults();
    for (const { path, value, example } of accepted) {
      if (path === 'UserPoolId') continue;
      const input = setPath({ UserPoolId, ClientName: 'walk', ...example.with }, path, value);
      const created = await t.sdk.send(new CreateUserPoolClientCommand(input as never));
      const described = await t.sdk.send(
        new DescribeUserPoolClientCommand({ UserPoolId, ClientId: created.UserPoolClient!.ClientId }),
      );
      example.shows?.(described.UserPoolClient as Record<string, any>);
    }
  });

  test('everything else is refused naming the member, and no client is made', async () => {
    const UserPoolId = await poolWithDefaults();
    for (const { path, value } of refused)
      await expectRefusal(
        t.sdk.send(
          new CreateUserPoolClientCommand(setPath({ UserPoolId, ClientName: 'refused' }, path, value) as never),
        ),
        path,
      );
    // A lifetime other than the pool's would be ignored: it is refused, whatever its unit.
    await expectRefusal(
      t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'refused', RefreshTokenValidity: 10 })),
      'RefreshTokenValidity',
    );
    await expectRefusal(
      t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'refused', AccessTokenValidity: 60 })),
      'AccessTokenValidity',
    );
    await expectRefusal(
      t.sdk.send(
        new CreateUserPoolClientCommand({
          UserPoolId,
          ClientName: 'refused',
          IdTokenValidity: 5,
          TokenValidityUnits: { IdToken: 'minutes' },
        }),
      ),
      'IdTokenValidity',
    );
    assert.deepEqual(
      (await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId }))).UserPoolClients,
      [],
      'nothing was created',
    );
  });
});

describe('UpdateUserPoolClient, member by member', () => {
  const { accepted, refused } = plan('UpdateUserPoolClient', UPDATE_CLIENT_EXAMPLES);

  test('honoured members take effect and off values are accepted', async () => {
    const UserPoolId = await poolWithDefaults();
    const ClientId = (await t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'walk' })))
      .UserPoolClient!.ClientId!;
    for (const { path, value, example } of accepted) {
      if (path === 'UserPoolId' || path === 'ClientId') continue;
      await t.sdk.send(
        new UpdateUserPoolClientCommand(setPath({ UserPoolId, ClientId, ...example.with }, path, value) as never),
      );
      example.shows?.(
        (await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId, ClientId }))).UserPoolClient as Record<
          string,
          any
        >,
      );
    }
  });

  test('everything else is refused naming the member, and the client is left as it was', async () => {
    const UserPoolId = await poolWithDefaults();
    const ClientId = (
      await t.sdk.send(
        new CreateUserPoolClientCommand({
          UserPoolId,
          ClientName: 'kept',
          ReadAttributes: ['email'],
          PreventUserExistenceErrors: 'ENABLED',
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
        }),
      )
    ).UserPoolClient!.ClientId!;
    const describe = async () =>
      (await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId, ClientId }))).UserPoolClient;
    const before = await describe();
    // Each refused request also asks to rename the client and reset its lists: none of that may happen.
    for (const { path, value } of refused)
      await expectRefusal(
        t.sdk.send(
          new UpdateUserPoolClientCommand(
            setPath({ UserPoolId, ClientId, ClientName: 'changed' }, path, value) as never,
          ),
        ),
        path,
      );
    await expectRefusal(
      t.sdk.send(
        new UpdateUserPoolClientCommand({ UserPoolId, ClientId, ClientName: 'changed', RefreshTokenValidity: 10 }),
      ),
      'RefreshTokenValidity',
    );
    assert.deepEqual(await describe(), before);
  });
});

// ---- Members Cognito does not define, and the user actions' per-request members -----------------------

/** An SDK client whose requests carry `extra` merged into the body (members the SDK would not send), still signed. */
function clientSending(extra: (body: Record<string, any>) => void): CognitoIdentityProviderClient {
  const client = t.sdkWith(AWS_KEY);
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body: string; headers: Record<string, string> };
      const body = JSON.parse(request.body) as Record<string, any>;
      extra(body);
      request.body = JSON.stringify(body);
      request.headers['content-length'] = String(Buffer.byteLength(request.body));
      return next(args);
    },
    { step: 'build' },
  );
  return client;
}

describe('members Cognito does not define', () => {
  test('are refused by name, at the top, in a ruled object and inside an honoured member; nothing is made', async () => {
    const before = await countPools();
    const cases: Array<[(body: Record<string, any>) => void, RegExp]> = [
      [(b) => (b.Bogus = true), /^Bogus is not a member of CreateUserPool: /],
      [
        (b) => (b.LambdaConfig = { PreSignupp: LAMBDA }),
        /^LambdaConfig\.PreSignupp is not a member of CreateUserPool: /,
      ],
      [
        (b) => (b.Policies = { PasswordPolicy: { MinimumLength: 10, MaximumLength: 20 } }),
        /^Policies\.PasswordPolicy\.MaximumLength is not a member of CreateUserPool: /,
      ],
      [
        (b) => (b.Schema = [{ Name: 'plan', AttributeDataType: 'String', Indexed: true }]),
        /^Schema\.1\.Indexed is not a member Cognito defines there: /,
      ],
      [
        (b) => (b.UsernameConfiguration = { CaseSensitive: false, Trim: true }),
        /^UsernameConfiguration\.Trim is not a member Cognito defines there: /,
      ],
    ];
    for (const [extra, message] of cases)
      await expectError(
        clientSending(extra).send(new CreateUserPoolCommand({ PoolName: 'unknown' })),
        'InvalidParameterException',
        message,
      );
    assert.equal(await countPools(), before);
  });

  test('on user actions too (unsigned)', async () => {
    const response = await fetch(t.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
      },
      body: JSON.stringify({ ClientId: 'someclient', Username: 'u', Password: 'Passw0rd!', NewMember: 'x' }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { __type: string; message: string };
    assert.equal(body.__type, 'InvalidParameterException');
    assert.match(body.message, /^NewMember is not a member of SignUp: /);
  });
});

/** Values for the members other actions accept for hooks or refuse, by member name. */
const OTHER_EXAMPLES: Record<string, Example> = {
  ClientMetadata: { value: { source: 'walk' } },
  ValidationData: { value: [{ Name: 'captcha', Value: 'ok' }] },
  AnalyticsMetadata: { value: { AnalyticsEndpointId: 'endpoint-1' } },
  UserContextData: { value: { IpAddress: '192.0.2.1', EncodedData: 'ZGF0YQ' } },
  // The admin sign-in's (docs/admin-auth.md).
  ContextData: {
    value: {
      IpAddress: '192.0.2.1',
      ServerName: 'api',
      ServerPath: '/login',
      HttpHeaders: [{ headerName: 'a', headerValue: 'b' }],
    },
  },
  SecretHash: { value: 'c2VjcmV0LWhhc2g=' },
  ClientSecret: { value: SECRET },
  Session: { value: 'a-session-from-elsewhere-0123456789' },
  DeviceKey: { value: 'us-east-1_f0000000-0000-0000-0000-000000000000' },
  RevokeAssociatedSessions: { off: ['NONE'], on: ['LINKED'] },
  ClientType: { off: ['REGULAR'], on: ['DCR'] },
  // MFA (docs/mfa.md): passkeys refused, Amazon SNS plumbing kept.
  'WebAuthnMfaSettings.Enabled': { off: [false], on: [true] },
  WebAuthnConfiguration: { value: { RelyingPartyId: 'example.com' } },
  'SmsMfaConfiguration.SmsConfiguration.SnsCallerArn': { value: ARN('iam', 'role/sns') },
  'SmsMfaConfiguration.SmsConfiguration.ExternalId': { value: 'external' },
  'SmsMfaConfiguration.SmsConfiguration.SnsRegion': { value: 'us-east-1' },
  'SmsMfaConfiguration.SmsConfiguration.EumsSms': { value: { CallerArn: ARN('iam', 'role/eums') } },
  // Import jobs (docs/user-import.md, "Import jobs"): the logs role kept, hashes in the CSV refused.
  CloudWatchLogsRoleArn: { value: ARN('iam', 'role/import-logs') },
  PasswordHashingAlgorithm: { value: 'BCRYPT' },
  // User-pool domains (docs/web-sign-in.md, "Domains"): TLS policies and failover routing refused.
  'CustomDomainConfig.SecurityPolicy': { value: 'TLSv1.2_2021' },
  Routing: { value: { Failover: { PrimaryRoute53HealthCheckId: 'hc', SecondaryRegion: 'us-west-2' } } },
  // Identity providers (docs/federation.md, "Configuring providers"): ACR mapping refused.
  AcrMapping: { value: { Level1: 'urn:example:acr:1' } },
};

describe('the other actions’ members', () => {
  const walked = ['CreateUserPool', 'CreateUserPoolClient', 'UpdateUserPoolClient'];

  test('per-request data is accepted; client secrets, sessions and device keys are refused by name', async () => {
    for (const action of supportedActions.filter((a) => !walked.includes(a))) {
      const Command = (sdk as unknown as Record<string, new (input: object) => never>)[`${action}Command`]!;
      for (const [path, rule] of flattenRules(COGNITO_SETTINGS[action]!)) {
        if (rule.status === 'honoured') continue; // each action's own test file shows what it does
        // UpdateUserPool's members are CreateUserPool's, ruled alike.
        const example = OTHER_EXAMPLES[path] ?? (action === 'UpdateUserPool' ? POOL_EXAMPLES[path] : undefined);
        assert.ok(example, `an example for ${action}.${path}`);
        const refusedValues =
          rule.status === 'off-only' ? example.on! : rule.status === 'refused' ? [example.value] : [];
        const acceptedValues =
          rule.status === 'off-only' ? example.off! : rule.status === 'refused' ? [] : [example.value];
        for (const value of refusedValues) await expectRefusal(t.sdk.send(new Command(setPath({}, path, value))), path);
        for (const value of acceptedValues) {
          // The rest of the request is missing, so it fails, but for that, not for this member.
          const answer = await t.sdk.send(new Command(setPath({}, path, value))).then(
            () => undefined,
            (error: Error) => error,
          );
          assert.ok(!answer || !answer.message.startsWith(path), `${action}.${path} accepted: ${answer?.message}`);
        }
      }
    }
  });

  test('a whole SignUp with every per-request member goes through', async () => {
    const UserPoolId = await poolWithDefaults();
    const ClientId = (await t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'hooks' })))
      .UserPoolClient!.ClientId!;
    const signedUp = await t.sdk.send(
      new SignUpCommand({
        ClientId,
        Username: 'hooked',
        Password: 'Passw0rd!',
        ClientMetadata: OTHER_EXAMPLES.ClientMetadata!.value as Record<string, string>,
        ValidationData: OTHER_EXAMPLES.ValidationData!.value as never,
        AnalyticsMetadata: OTHER_EXAMPLES.AnalyticsMetadata!.value as never,
        UserContextData: OTHER_EXAMPLES.UserContextData!.value as never,
      }),
    );
    assert.ok(signedUp.UserSub);
    await expectError(
      t.sdk.send(
        new SignUpCommand({ ClientId, Username: 'shaped', Password: 'Passw0rd!', ClientMetadata: { n: 1 } as never }),
      ),
      'SerializationException',
      "Expected string at 'clientMetadata.n'.",
    );
  });
});

describe('entries of AuthParameters and ChallengeResponses', () => {
  // DEVICE_KEY names a remembered device (test/cognito/sdk-devices.test.ts).
  // SECRET_HASH proves a confidential client's secret (test/cognito/sdk-client-secrets.test.ts).
  test('SECRET_HASH sent for a client without a secret: refused by name before anything is checked', async () => {
    const UserPoolId = await poolWithDefaults();
    const ClientId = (await t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'entries' })))
      .UserPoolClient!.ClientId!;
    for (const key of ['SECRET_HASH']) {
      await expectError(
        t.sdk.send(
          new sdk.InitiateAuthCommand({
            ClientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'nobody', PASSWORD: 'Passw0rd!', [key]: 'x' },
          }),
        ),
        'InvalidParameterException',
        `Client ${ClientId} has no secret (a public client); send no AuthParameters.${key}.`,
      );
      await expectError(
        t.sdk.send(
          new sdk.RespondToAuthChallengeCommand({
            ClientId,
            ChallengeName: 'PASSWORD_VERIFIER',
            ChallengeResponses: { USERNAME: 'nobody', [key]: 'x' },
          }),
        ),
        'InvalidParameterException',
        `Client ${ClientId} has no secret (a public client); send no ChallengeResponses.${key}.`,
      );
    }
  });
});

// ---- The REST settings ------------------------------------------------------------------------------

const REST_EXAMPLES: Record<
  string,
  Record<string, { value: unknown; with?: Record<string, unknown>; shows: (body: any) => void }>
> = {
  'POST /v1/pools': {
    poolId: { value: 'us-east-1_walkedXYZ', shows: (b) => assert.equal(b.id, 'us-east-1_walkedXYZ') },
    name: { value: 'walked', shows: (b) => assert.equal(b.name, 'walked') },
    schema: {
      value: [{ name: 'plan', attributeDataType: 'String' }],
      shows: (b) => assert.ok(b.schemaAttributes.some((a: { name: string }) => a.name === 'custom:plan')),
    },
    aliasAttributes: { value: ['email'], shows: (b) => assert.deepEqual(b.aliasAttributes, ['email']) },
    usernameAttributes: { value: ['email'], shows: (b) => assert.deepEqual(b.usernameAttributes, ['email']) },
    autoVerifiedAttributes: { value: ['email'], shows: (b) => assert.deepEqual(b.autoVerifiedAttributes, ['email']) },
    keepOriginalAttributes: {
      value: ['email'],
      with: { autoVerifiedAttributes: ['email'] },
      shows: (b) => assert.deepEqual(b.keepOriginalAttributes, ['email']),
    },
    usernameCaseSensitive: { value: true, shows: (b) => assert.equal(b.usernameCaseSensitive, true) },
    srpEnabled: { value: true, shows: (b) => assert.equal(b.srpEnabled, true) },
    passwordPolicy: { value: { minimumLength: 12 }, shows: (b) => assert.equal(b.passwordPolicy.minimumLength, 12) },
    codePolicy: { value: { maxAttempts: 3 }, shows: (b) => assert.equal(b.codePolicy.maxAttempts, 3) },
    tokenPolicy: {
      value: { accessTokenTtlSeconds: 600 },
      shows: (b) => assert.equal(b.tokenPolicy.accessTokenTtlSeconds, 600),
    },
    auditPolicy: { value: { recordValues: true }, shows: (b) => assert.equal(b.auditPolicy.recordValues, true) },
    messageTemplates: {
      value: { FORGOT_PASSWORD: { default: { emailSubject: 'Reset' } } },
      shows: (b) => assert.deepEqual(b.messageTemplates, { FORGOT_PASSWORD: { default: { emailSubject: 'Reset' } } }),
    },
    // What it does: test/cognito/account-recovery.test.ts.
    accountRecoverySetting: {
      value: { recoveryMechanisms: [{ name: 'admin_only', priority: 1 }] },
      shows: (b) =>
        assert.deepEqual(b.accountRecoverySetting, { recoveryMechanisms: [{ name: 'admin_only', priority: 1 }] }),
    },
    // What it does: test/routes/hook-caller.test.ts and hook-config.test.ts.
    hooks: { value: { preSignUp: HOOK_URL }, shows: (b) => assert.deepEqual(b.hooks, { preSignUp: HOOK_URL }) },
    // What it does: test/routes/user-auth.test.ts.
    signInPolicy: {
      value: { allowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] },
      shows: (b) => assert.deepEqual(b.signInPolicy, { allowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] }),
    },
    // What it does: test/routes/devices.test.ts.
    deviceConfiguration: {
      value: { challengeRequiredOnNewDevice: true, deviceOnlyRememberedOnUserPrompt: false },
      shows: (b) =>
        assert.deepEqual(b.deviceConfiguration, {
          challengeRequiredOnNewDevice: true,
          deviceOnlyRememberedOnUserPrompt: false,
        }),
    },
    // What they do: test/routes/pool-lifecycle.test.ts.
    deletionProtection: { value: true, shows: (b) => assert.equal(b.deletionProtection, true) },
    tags: { value: { team: 'identity' }, shows: (b) => assert.deepEqual(b.tags, { team: 'identity' }) },
  },
  'PATCH /v1/pools/{poolId}': {
    name: { value: 'renamed', shows: (b) => assert.equal(b.name, 'renamed') },
    passwordPolicy: {
      value: { requireSymbols: false },
      shows: (b) => assert.deepEqual([b.passwordPolicy.requireSymbols, b.passwordPolicy.minimumLength], [false, 8]),
    },
    deletionProtection: { value: false, shows: (b) => assert.equal(b.deletionProtection, false) },
    tags: { value: { env: 'walk' }, shows: (b) => assert.deepEqual(b.tags, { env: 'walk' }) },
    srpEnabled: { value: true, shows: (b) => assert.equal(b.srpEnabled, true) },
    hooks: {
      value: { customMessage: HOOK_URL },
      shows: (b) => assert.deepEqual(b.hooks, { customMessage: HOOK_URL }),
    },
    signInPolicy: {
      value: { allowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] },
      shows: (b) => assert.deepEqual(b.signInPolicy, { allowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] }),
    },
    deviceConfiguration: {
      value: { challengeRequiredOnNewDevice: false, deviceOnlyRememberedOnUserPrompt: true },
      shows: (b) =>
        assert.deepEqual(b.deviceConfiguration, {
          challengeRequiredOnNewDevice: false,
          deviceOnlyRememberedOnUserPrompt: true,
        }),
    },
  },
  'POST /v1/pools/{poolId}/clients': {
    clientId: {
      value: 'walkedclient00000000000000',
      shows: (b) => assert.equal(b.clientId, 'walkedclient00000000000000'),
    },
    name: { value: 'walked', shows: (b) => assert.equal(b.name, 'walked') },
    readAttributes: { value: ['email'], shows: (b) => assert.deepEqual(b.readAttributes, ['email']) },
    writeAttributes: { value: ['email'], shows: (b) => assert.deepEqual(b.writeAttributes, ['email']) },
    preventUserExistenceErrors: { value: false, shows: (b) => assert.equal(b.preventUserExistenceErrors, false) },
    explicitAuthFlows: {
      value: ['ALLOW_USER_PASSWORD_AUTH'],
      shows: (b) => assert.deepEqual(b.explicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH']),
    },
    allowedOrigins: {
      value: ['https://app.example.com'],
      shows: (b) => assert.deepEqual(b.allowedOrigins, ['https://app.example.com']),
    },
    authSessionValidity: { value: 10, shows: (b) => assert.equal(b.authSessionValidity, 10) },
    oauth: {
      value: {
        enabled: true,
        flows: ['code'],
        scopes: ['openid'],
        callbackUrls: ['https://a.example.com/cb'],
        requirePkce: true,
      },
      shows: (b) =>
        assert.deepEqual(
          [b.oauth.enabled, b.oauth.requirePkce, b.oauth.callbackUrls],
          [true, true, ['https://a.example.com/cb']],
        ),
    },
    generateSecret: { value: true, shows: (b) => assert.equal(b.hasSecret, true) },
    clientSecret: { value: 'a_custom_client_secret_0123456789', shows: (b) => assert.equal(b.hasSecret, true) },
  },
  'PATCH /v1/pools/{poolId}/clients/{clientId}': {
    name: { value: 'renamed', shows: (b) => assert.equal(b.name, 'renamed') },
    readAttributes: { value: ['email'], shows: (b) => assert.deepEqual(b.readAttributes, ['email']) },
    writeAttributes: { value: ['email'], shows: (b) => assert.deepEqual(b.writeAttributes, ['email']) },
    preventUserExistenceErrors: { value: false, shows: (b) => assert.equal(b.preventUserExistenceErrors, false) },
    explicitAuthFlows: {
      value: ['ALLOW_USER_PASSWORD_AUTH'],
      shows: (b) => assert.deepEqual(b.explicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH']),
    },
    allowedOrigins: {
      value: ['https://app.example.com'],
      shows: (b) => assert.deepEqual(b.allowedOrigins, ['https://app.example.com']),
    },
    authSessionValidity: { value: 10, shows: (b) => assert.equal(b.authSessionValidity, 10) },
    oauth: {
      value: {
        enabled: true,
        flows: ['code'],
        scopes: ['openid'],
        callbackUrls: ['https://a.example.com/cb'],
        requirePkce: true,
      },
      shows: (b) =>
        assert.deepEqual(
          [b.oauth.enabled, b.oauth.requirePkce, b.oauth.callbackUrls],
          [true, true, ['https://a.example.com/cb']],
        ),
    },
  },
  // What they do: test/routes/mfa.test.ts.
  'PUT /v1/pools/{poolId}/mfa-config': {
    mfaConfiguration: {
      value: 'ON',
      with: { factors: { softwareToken: true } },
      shows: (b) => assert.equal(b.mfaConfiguration, 'ON'),
    },
    factors: {
      value: { email: true },
      with: { mfaConfiguration: 'OPTIONAL' },
      shows: (b) => assert.deepEqual(b.factors, { sms: false, softwareToken: false, email: true }),
    },
    smsAuthenticationMessage: {
      value: 'SMS code {####}',
      with: { mfaConfiguration: 'OFF', factors: {} },
      shows: (b) => assert.equal(b.smsAuthenticationMessage, 'SMS code {####}'),
    },
    emailMessage: {
      value: 'Email code {####}',
      with: { mfaConfiguration: 'OFF', factors: {} },
      shows: (b) => assert.equal(b.emailMessage, 'Email code {####}'),
    },
    emailSubject: {
      value: 'Your code',
      with: { mfaConfiguration: 'OFF', factors: {} },
      shows: (b) => assert.equal(b.emailSubject, 'Your code'),
    },
  },
};

describe('the REST settings, one by one', () => {
  test('each takes effect and is described; a property the API does not list is refused', async () => {
    for (const [route, rules] of Object.entries(REST_SETTINGS))
      assert.deepEqual(Object.keys(REST_EXAMPLES[route]!).sort(), Object.keys(rules).sort(), route);
    const { id: poolId } = (await t.admin('POST', '/v1/pools', { name: 'rest-walk' })).body;
    const { clientId } = (await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'rest-walk' })).body;
    const urls: Record<string, [string, string, string]> = {
      'POST /v1/pools': ['POST', '/v1/pools', '/v1/pools/:id'],
      'PATCH /v1/pools/{poolId}': ['PATCH', `/v1/pools/${poolId}`, `/v1/pools/${poolId}`],
      'POST /v1/pools/{poolId}/clients': ['POST', `/v1/pools/${poolId}/clients`, `/v1/pools/${poolId}/clients/:id`],
      'PATCH /v1/pools/{poolId}/clients/{clientId}': [
        'PATCH',
        `/v1/pools/${poolId}/clients/${clientId}`,
        `/v1/pools/${poolId}/clients/${clientId}`,
      ],
      'PUT /v1/pools/{poolId}/mfa-config': ['PUT', `/v1/pools/${poolId}/mfa-config`, `/v1/pools/${poolId}/mfa-config`],
    };
    /** What each route needs besides the member tried. */
    const base: Record<string, Record<string, unknown>> = {
      'PUT /v1/pools/{poolId}/mfa-config': { mfaConfiguration: 'OFF', factors: {} },
    };
    for (const [route, examples] of Object.entries(REST_EXAMPLES)) {
      const [method, url, describeUrl] = urls[route]!;
      const creates = method === 'POST';
      for (const [member, example] of Object.entries(examples)) {
        const body = { ...(creates && { name: 'rest' }), ...example.with, [member]: example.value };
        const answer = await t.admin(method, url, body);
        assert.equal(answer.status, creates ? 201 : 200, `${route} ${member}: ${JSON.stringify(answer.body)}`);
        example.shows(answer.body);
        const id = route.includes('clients') ? answer.body.clientId : answer.body.id;
        example.shows((await t.admin('GET', describeUrl.replace(':id', id))).body);
      }
      const refused = await t.admin(method, url, {
        ...(creates && { name: 'rest' }),
        ...base[route],
        webAuthnConfiguration: { relyingPartyId: 'example.com' },
      });
      assert.equal(refused.status, 400, `${route} refuses what it does not list`);
      assert.match(refused.body.detail, /webAuthnConfiguration/);
    }
  });
});
