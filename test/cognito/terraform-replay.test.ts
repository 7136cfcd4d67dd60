/**
 * A replay of what the AWS Terraform provider (hashicorp/terraform-provider-aws) sends to create,
 * read, update and destroy an `aws_cognito_user_pool`, an `aws_cognito_user_pool_client` and an
 * `aws_cognito_user_group`, against Cognate, and a check that each answer holds what the provider
 * reads into state, so that `terraform plan` after `apply` shows no changes (docs/migrating-from-cognito.md,
 * "Terraform").
 *
 * Provider source read (nothing copied; the requests below are written from reading the Go code):
 * - internal/service/cognitoidp/user_pool.go and user_pool_client.go at commit
 *   01f431114674c27cf790fafb67ac274bf8f765e1; user_group.go at 0389eecfc28a5e2ac619651541a16d7fc289abf6;
 *   the tags interceptor and tags_gen.go (UpdateTags: UntagResource, then TagResource); AutoFlex
 *   (internal/framework/flex: null and unknown plan values are not sent; `legacy` fields send no
 *   zero values and read absent lists back as empty ones).
 * - Version: provider 6.x. The repository (932 MB) was over the snapshot limit, so it was read file by
 *   file from a stored index: the files above are the 6.x series (user_pool_tier, email_mfa_configuration,
 *   sign_in_policy, a Plugin Framework client resource with AutoFlex); the same store's version/VERSION
 *   reads 6.36.0 (commit 00a35305dc1b297a6fcdecdfbba33f1e63c3da39).
 *
 * The wire is aws-sdk-go-v2's JSON 1.1: members in alphabetical order; a pointer member is sent
 * whenever the provider sets it (so PasswordHistorySize 0 and DeveloperOnlyAttribute false are
 * sent), a value member (plain bool, int32, enum) only when it is not its zero value (so
 * RequireSymbols false, AllowedOAuthFlowsUserPoolClient false and an unset
 * TemporaryPasswordValidityDays are left out). Requests are signed with SigV4 as the SDK signs them
 * (no x-amz-content-sha256 header: the Go SDK adds it for S3 only).
 *
 * The configuration replayed (v1, then v2 where marked):
 *
 *   resource "aws_cognito_user_pool" "pool" {
 *     name                     = "tf-replay"
 *     username_attributes      = ["email"]
 *     auto_verified_attributes = ["email"]
 *     deletion_protection      = "INACTIVE"
 *     mfa_configuration        = "OPTIONAL"                  # v2: "ON"
 *     software_token_mfa_configuration { enabled = true }
 *     username_configuration { case_sensitive = false }
 *     password_policy {
 *       minimum_length    = 10                              # v2: 12
 *       require_lowercase = true
 *       require_numbers   = true
 *       require_symbols   = false
 *       require_uppercase = true
 *     }
 *     schema {
 *       name = "email", attribute_data_type = "String", mutable = true, required = true
 *       string_attribute_constraints { min_length = "0", max_length = "2048" }
 *     }
 *     schema {
 *       name = "tenant", attribute_data_type = "String", mutable = true, developer_only_attribute = false
 *       string_attribute_constraints { min_length = "1", max_length = "64" }
 *     }
 *     lambda_config { pre_sign_up = "arn:aws:lambda:us-east-1:123456789012:function:tf-pre-sign-up" }
 *     account_recovery_setting {
 *       recovery_mechanism { name = "verified_email", priority = 1 }
 *     }
 *     tags = { env = "test", team = "identity" }              # v2: { env = "prod", owner = "platform" }
 *   }
 *
 *   resource "aws_cognito_user_group" "operators" {
 *     user_pool_id = aws_cognito_user_pool.pool.id
 *     name         = "operators"
 *     description  = "Tenant operators"                      # v2: "Operators of every tenant"
 *     precedence   = 10                                      # v2: 5
 *   }
 *
 *   resource "aws_cognito_user_pool_client" "app" {
 *     user_pool_id                  = aws_cognito_user_pool.pool.id
 *     name                          = "tf-replay-app"
 *     generate_secret               = true
 *     explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
 *                                                             # v2: without ALLOW_USER_SRP_AUTH
 *     read_attributes               = ["email", "email_verified", "custom:tenant"]   # v2: + "name"
 *     write_attributes              = ["email", "custom:tenant"]
 *     prevent_user_existence_errors = "ENABLED"
 *     enable_token_revocation       = true
 *     auth_session_validity         = 3
 *     access_token_validity         = 1
 *     id_token_validity             = 1
 *     refresh_token_validity        = 30
 *     token_validity_units { access_token = "hours", id_token = "hours", refresh_token = "days" }
 *   }
 *
 * The provider never calls ListTagsForResource for a pool: its read takes the tags from
 * DescribeUserPool's UserPoolTags, so the tags interceptor has them already. GetUserPoolMfaConfig
 * follows every DescribeUserPool. The client's create and update keep state from their own answer
 * (no DescribeUserPoolClient follows them); the next plan reads it.
 *
 * What follows is the order Terraform calls in: apply (create and read back), plan (refresh reads),
 * apply of v2 (tags before the pool update, MFA before UpdateUserPool, each update read back),
 * destroy (group and client, then the pool) and the reads that find nothing left.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AWS_KEY, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';

const TARGET = 'AWSCognitoIdentityProviderService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const PRE_SIGN_UP = 'arn:aws:lambda:us-east-1:123456789012:function:tf-pre-sign-up';

let t: CognitoTestApp;
before(async () => {
  // The provider validates lambda_config values as ARNs: HOOK_ARNS_FILE maps this one (docs/triggers.md).
  // No sign-up happens in the replay, so the hook is never called.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-tf-replay-'));
  const file = path.join(dir, 'arns.json');
  writeFileSync(file, JSON.stringify({ [PRE_SIGN_UP]: 'http://127.0.0.1:9/pre-sign-up' }));
  t = await startCognitoApp({ HOOK_ARNS_FILE: file });
});
after(() => t.close());

// ---- The wire, as aws-sdk-go-v2 sends it ----------------------------------------------------------

interface Answer {
  status: number;
  errorType: string | null;
  body: any;
}

const signer = new SignatureV4({
  credentials: AWS_KEY,
  region: 'us-east-1',
  service: 'cognito-idp',
  sha256: Hash.bind(null, 'sha256'),
  applyChecksum: false,
});

/** One request, exactly as written here, signed as the Go SDK signs it. */
async function send(action: string, body: Record<string, unknown>): Promise<Answer> {
  const url = new URL(t.endpoint);
  const payload = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': CONTENT_TYPE,
      'x-amz-target': `${TARGET}${action}`,
      'amz-sdk-invocation-id': crypto.randomUUID(),
      'amz-sdk-request': 'attempt=1; max=25',
    },
    body: payload,
  });
  const { host: _host, ...headers } = signed.headers;
  const res = await fetch(`${t.endpoint}/`, {
    method: 'POST',
    headers: { ...headers, 'user-agent': 'APN/1.0 HashiCorp/1.0 Terraform/1.9.0 terraform-provider-aws/6.x' },
    body: payload,
  });
  const text = await res.text();
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: text ? JSON.parse(text) : {} };
}

/** A call the provider needs to succeed; its answer. */
async function ok(action: string, body: Record<string, unknown>): Promise<any> {
  const answer = await send(action, body);
  assert.equal(
    answer.status,
    200,
    `${action} must succeed for the provider; Cognate answered ${answer.status} ${JSON.stringify(answer.body)}`,
  );
  return answer.body;
}

/** A read the provider makes to find a resource gone (ResourceNotFoundException: removed from state). */
async function notFound(action: string, body: Record<string, unknown>): Promise<void> {
  const answer = await send(action, body);
  assert.equal(answer.status, 400, `${action}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.__type, 'ResourceNotFoundException', `${action}: ${JSON.stringify(answer.body)}`);
  // aws-sdk-go-v2 takes the error's type from this header before the body.
  assert.equal(answer.errorType, 'ResourceNotFoundException');
}

// ---- What the provider reads into state ------------------------------------------------------------

/**
 * The differences between what the provider reads and what it holds: collected, so one run names
 * every member that would show as a change in `terraform plan`, then asserted empty.
 */
class Diffs {
  readonly found: string[] = [];
  eq(actual: unknown, expected: unknown, what: string) {
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      this.found.push(`${what}: read ${JSON.stringify(actual)}, state holds ${JSON.stringify(expected)}`);
    }
  }
  ok(condition: boolean, what: string) {
    if (!condition) this.found.push(what);
  }
  /** Asserts no difference was found. */
  none(where: string) {
    assert.deepEqual(this.found, [], `${where}: ${this.found.length} difference(s)\n  ${this.found.join('\n  ')}`);
  }
}

interface SchemaAttribute {
  Name: string;
  AttributeDataType: string;
  DeveloperOnlyAttribute?: boolean;
  Mutable?: boolean;
  Required?: boolean;
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
  NumberAttributeConstraints?: { MinValue?: string; MaxValue?: string };
}

/** The schema blocks of the configuration, as the provider expands them into CreateUserPool's Schema. */
const SCHEMA: SchemaAttribute[] = [
  {
    AttributeDataType: 'String',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Name: 'email',
    Required: true,
    StringAttributeConstraints: { MaxLength: '2048', MinLength: '0' },
  },
  {
    AttributeDataType: 'String',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Name: 'tenant',
    Required: false,
    StringAttributeConstraints: { MaxLength: '64', MinLength: '1' },
  },
];

const s = (name: string, min = '0', max = '2048', more: Partial<SchemaAttribute> = {}): SchemaAttribute => ({
  Name: name,
  AttributeDataType: 'String',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
  StringAttributeConstraints: { MaxLength: max, MinLength: min },
  ...more,
});
const b = (name: string): SchemaAttribute => ({
  Name: name,
  AttributeDataType: 'Boolean',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
});
/**
 * The standard attributes the provider leaves out of state when they are not configured, matched
 * exactly (the provider compares the decoded structs): any other shape of one of them lands in
 * state as an extra schema block, a change in every plan.
 */
const STANDARD: SchemaAttribute[] = [
  s('address'),
  s('birthdate', '10', '10'),
  s('email'),
  b('email_verified'),
  s('family_name'),
  s('gender'),
  s('given_name'),
  s('locale'),
  s('middle_name'),
  s('name'),
  s('nickname'),
  s('phone_number'),
  b('phone_number_verified'),
  s('picture'),
  s('preferred_username'),
  s('profile'),
  s('sub', '1', '2048', { Mutable: false, Required: true }),
  {
    Name: 'updated_at',
    AttributeDataType: 'Number',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    NumberAttributeConstraints: { MinValue: '0' },
  },
  s('website'),
  s('zoneinfo'),
];

/** Go's reflect.DeepEqual of the decoded structs: a member left out is nil, `{}` is not. */
const sameStruct = (a: unknown, c: unknown): boolean => {
  const norm = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined && x !== null)
            .sort(([k1], [k2]) => (k1 < k2 ? -1 : 1))
            .map(([k, x]) => [k, norm(x)]),
        )
      : v;
  return JSON.stringify(norm(a)) === JSON.stringify(norm(c));
};

/** The provider's read of SchemaAttributes: the schema blocks it puts in state, by their set identity. */
function schemaInStateOf(returned: SchemaAttribute[], schema: SchemaAttribute[]): string[] {
  const blocks: string[] = [];
  for (const attribute of returned) {
    const configured = schema.some((c) => sameStruct(attribute, c));
    if (!configured) {
      if (STANDARD.some((standard) => sameStruct(attribute, standard))) continue;
      if (
        sameStruct(attribute, {
          ...s('identities'),
          StringAttributeConstraints: {},
        })
      )
        continue;
    }
    blocks.push(identity({ ...attribute, Name: attribute.Name.replace(/^dev:/, '').replace(/^custom:/, '') }));
  }
  return blocks.sort();
}
/** What the provider's set hash of a schema block covers. */
const identity = (a: SchemaAttribute) =>
  JSON.stringify([
    a.Name,
    a.AttributeDataType,
    a.DeveloperOnlyAttribute ?? false,
    a.Mutable ?? false,
    a.Required ?? false,
    a.StringAttributeConstraints
      ? [a.StringAttributeConstraints.MinLength, a.StringAttributeConstraints.MaxLength]
      : null,
    a.NumberAttributeConstraints
      ? [a.NumberAttributeConstraints.MinValue, a.NumberAttributeConstraints.MaxValue]
      : null,
  ]);

interface PoolConfig {
  minimumLength: number;
  tags: Record<string, string>;
  mfa: 'OPTIONAL' | 'ON';
}
const V1: PoolConfig = { minimumLength: 10, tags: { env: 'test', team: 'identity' }, mfa: 'OPTIONAL' };
const V2: PoolConfig = { minimumLength: 12, tags: { env: 'prod', owner: 'platform' }, mfa: 'ON' };

/**
 * resourceUserPoolRead: every member the provider sets in state from DescribeUserPool, against the
 * configuration. A configured member read back different, or an unconfigured non-computed member
 * read back set, is a change in every plan.
 */
function poolState(d: Diffs, pool: any, config: PoolConfig) {
  // Read unconditionally (a missing one is a nil dereference in the provider, or an empty ARN that skips tag updates).
  d.eq(pool.Id, poolId, 'Id');
  d.eq(pool.Name, 'tf-replay', 'Name');
  d.eq(typeof pool.CreationDate, 'number', 'CreationDate (epoch seconds)');
  d.eq(typeof pool.LastModifiedDate, 'number', 'LastModifiedDate (epoch seconds)');
  d.ok(typeof pool.Policies === 'object', 'Policies: the provider reads Policies.PasswordPolicy without a nil check');
  d.ok(
    new RegExp(`^arn:aws:cognito-idp:[\\w-]+:\\d{12}:userpool/${poolId}$`).test(String(pool.Arn)),
    `Arn ${JSON.stringify(pool.Arn)}: the provider tags the pool by the ARN it read (an empty one skips every tag change)`,
  );
  // Configured members.
  d.eq([...(pool.AutoVerifiedAttributes ?? [])].sort(), ['email'], 'auto_verified_attributes');
  d.eq([...(pool.UsernameAttributes ?? [])].sort(), ['email'], 'username_attributes');
  d.eq(pool.UsernameConfiguration, { CaseSensitive: false }, 'username_configuration');
  d.eq(pool.DeletionProtection, 'INACTIVE', 'deletion_protection');
  d.eq(
    pool.AccountRecoverySetting,
    { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    'account_recovery_setting',
  );
  const password = pool.Policies?.PasswordPolicy ?? {};
  d.eq(password.MinimumLength, config.minimumLength, 'password_policy.minimum_length');
  d.eq(password.RequireLowercase ?? false, true, 'password_policy.require_lowercase');
  d.eq(password.RequireNumbers ?? false, true, 'password_policy.require_numbers');
  d.eq(password.RequireSymbols ?? false, false, 'password_policy.require_symbols (sent as false by leaving it out)');
  d.eq(password.RequireUppercase ?? false, true, 'password_policy.require_uppercase');
  d.eq(password.PasswordHistorySize ?? 0, 0, 'password_policy.password_history_size');
  d.eq(schemaInStateOf(pool.SchemaAttributes ?? [], SCHEMA), SCHEMA.map(identity).sort(), 'schema blocks');
  // lambda_config is not computed: exactly what was configured (pre_token_generation alone is computed).
  const { PreTokenGeneration: _computed, PreTokenGenerationConfig: _computed2, ...hooks } = pool.LambdaConfig ?? {};
  d.eq(hooks, { PreSignUp: PRE_SIGN_UP }, 'lambda_config');
  d.eq(pool.UserPoolTags ?? {}, config.tags, 'tags');
  // Not configured and not computed: must read back unset.
  d.eq(pool.SmsAuthenticationMessage ?? '', '', 'sms_authentication_message (not configured)');
  d.eq(pool.DeviceConfiguration, undefined, 'device_configuration (not configured)');
  d.eq(pool.UserPoolAddOns, undefined, 'user_pool_add_ons (not configured)');
  d.eq(
    pool.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [],
    [],
    'user_attribute_update_settings (not configured)',
  );
  // Computed members kept from the read and sent back whole in UpdateUserPool (d.GetOk on state):
  // the v2 request below echoes exactly these, so a read that adds one changes what the provider sends.
  d.eq(pool.Policies?.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD'] }, 'sign_in_policy (computed, echoed)');
  for (const member of [
    'AdminCreateUserConfig',
    'EmailConfiguration',
    'EmailVerificationMessage',
    'EmailVerificationSubject',
    'SmsConfiguration',
    'SmsVerificationMessage',
    'UserPoolTier',
    'VerificationMessageTemplate',
  ])
    d.eq(pool[member], undefined, `${member} (computed: the v2 UpdateUserPool below would echo it)`);
}

/** resourceUserPoolRead's second call: the MFA members in state. */
function mfaState(d: Diffs, mfa: any, config: PoolConfig) {
  d.eq(mfa.MfaConfiguration, config.mfa, 'mfa_configuration');
  d.eq(mfa.SoftwareTokenMfaConfiguration, { Enabled: true }, 'software_token_mfa_configuration');
  // Not configured and not suppressed: a WebAuthnConfiguration read back is a web_authn_configuration block in state.
  d.eq(mfa.WebAuthnConfiguration, undefined, 'web_authn_configuration (not configured)');
}

async function readPool(config: PoolConfig, where: string) {
  const d = new Diffs();
  const { UserPool: pool } = await ok('DescribeUserPool', { UserPoolId: poolId });
  poolState(d, pool, config);
  mfaState(d, await ok('GetUserPoolMfaConfig', { UserPoolId: poolId }), config);
  d.none(where);
  return pool;
}

interface ClientConfig {
  explicitAuthFlows: string[];
  readAttributes: string[];
}
const CLIENT_V1: ClientConfig = {
  explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'],
  readAttributes: ['custom:tenant', 'email', 'email_verified'],
};
const CLIENT_V2: ClientConfig = {
  explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
  readAttributes: ['custom:tenant', 'email', 'email_verified', 'name'],
};

/**
 * The client resource's AutoFlex flatten of a UserPoolClientType against the configuration; and
 * the unconfigured computed members it keeps and sends back in UpdateUserPoolClient (legacy
 * AutoFlex reads an absent list as [] and sends [] back: the v2 request echoes [] for each).
 */
function clientState(client: any, config: ClientConfig, where: string) {
  const d = new Diffs();
  d.eq(client.ClientId, clientId, 'id');
  d.eq(client.UserPoolId, poolId, 'user_pool_id');
  d.eq(client.ClientName, 'tf-replay-app', 'name');
  d.eq([...(client.ExplicitAuthFlows ?? [])].sort(), config.explicitAuthFlows, 'explicit_auth_flows');
  d.eq([...(client.ReadAttributes ?? [])].sort(), config.readAttributes, 'read_attributes');
  d.eq([...(client.WriteAttributes ?? [])].sort(), ['custom:tenant', 'email'], 'write_attributes');
  d.eq(client.PreventUserExistenceErrors, 'ENABLED', 'prevent_user_existence_errors');
  d.eq(client.EnableTokenRevocation, true, 'enable_token_revocation');
  d.eq(client.AuthSessionValidity, 3, 'auth_session_validity');
  d.eq(
    [client.AccessTokenValidity, client.IdTokenValidity, client.RefreshTokenValidity],
    [1, 1, 30],
    'access_token_validity, id_token_validity, refresh_token_validity',
  );
  d.eq(
    client.TokenValidityUnits,
    { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' },
    'token_validity_units',
  );
  d.ok(
    typeof client.ClientSecret === 'string' && client.ClientSecret.length > 0,
    `client_secret (generate_secret = true): read ${JSON.stringify(client.ClientSecret)}`,
  );
  for (const member of [
    'AllowedOAuthFlows',
    'AllowedOAuthScopes',
    'CallbackURLs',
    'LogoutURLs',
    'SupportedIdentityProviders',
  ])
    d.eq(client[member] ?? [], [], `${member} (computed: the v2 UpdateUserPoolClient echoes [])`);
  d.eq(client.AllowedOAuthFlowsUserPoolClient ?? false, false, 'allowed_oauth_flows_user_pool_client (computed)');
  d.eq(client.DefaultRedirectURI ?? '', '', 'default_redirect_uri (computed)');
  d.eq(client.AnalyticsConfiguration, undefined, 'analytics_configuration (not configured)');
  d.none(where);
}

// ---- The replay --------------------------------------------------------------------------------------

let poolId = '';
let clientId = '';

test('apply (create): CreateUserPool, SetUserPoolMfaConfig, then the read (DescribeUserPool, GetUserPoolMfaConfig)', async () => {
  const created = await ok('CreateUserPool', {
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    AutoVerifiedAttributes: ['email'],
    DeletionProtection: 'INACTIVE',
    LambdaConfig: { PreSignUp: PRE_SIGN_UP },
    Policies: {
      PasswordPolicy: {
        MinimumLength: 10,
        PasswordHistorySize: 0,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireUppercase: true,
      },
    },
    PoolName: 'tf-replay',
    Schema: SCHEMA,
    UserPoolTags: { env: 'test', team: 'identity' },
    UsernameAttributes: ['email'],
    UsernameConfiguration: { CaseSensitive: false },
  });
  poolId = created.UserPool.Id;
  assert.equal(typeof poolId, 'string');

  // mfa_configuration is not OFF: a second call, before the read.
  await ok('SetUserPoolMfaConfig', {
    MfaConfiguration: 'OPTIONAL',
    SoftwareTokenMfaConfiguration: { Enabled: true },
    UserPoolId: poolId,
  });

  await readPool(V1, 'read after create');
});

test('apply (create): CreateGroup then GetGroup', async () => {
  assert.ok(poolId, 'needs the pool');
  const created = await ok('CreateGroup', {
    Description: 'Tenant operators',
    GroupName: 'operators',
    Precedence: 10,
    UserPoolId: poolId,
  });
  // The provider's id is "<UserPoolId>/<GroupName>", from the answer.
  assert.equal(`${created.Group.UserPoolId}/${created.Group.GroupName}`, `${poolId}/operators`);
  const { Group: group } = await ok('GetGroup', { GroupName: 'operators', UserPoolId: poolId });
  assert.equal(group.Description, 'Tenant operators');
  assert.equal(group.Precedence, 10);
  assert.equal(group.RoleArn ?? '', '', 'role_arn is not configured');
});

test('apply (create): CreateUserPoolClient, whose answer is the state (no read follows)', async () => {
  assert.ok(poolId, 'needs the pool');
  // AutoFlex expands the plan: configured members only (the Optional+Computed rest are unknown and not sent).
  const created = await ok('CreateUserPoolClient', {
    AccessTokenValidity: 1,
    AuthSessionValidity: 3,
    ClientName: 'tf-replay-app',
    EnableTokenRevocation: true,
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'],
    GenerateSecret: true,
    IdTokenValidity: 1,
    PreventUserExistenceErrors: 'ENABLED',
    ReadAttributes: ['custom:tenant', 'email', 'email_verified'],
    RefreshTokenValidity: 30,
    TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' },
    UserPoolId: poolId,
    WriteAttributes: ['custom:tenant', 'email'],
  });
  clientId = created.UserPoolClient.ClientId;
  clientState(created.UserPoolClient, CLIENT_V1, 'state from the CreateUserPoolClient answer');
});

test('plan after apply: the refresh reads show no changes', async () => {
  assert.ok(poolId, 'needs the pool');
  await readPool(V1, 'refresh of the pool');
  const { Group: group } = await ok('GetGroup', { GroupName: 'operators', UserPoolId: poolId });
  assert.deepEqual([group.Description, group.Precedence], ['Tenant operators', 10]);
  assert.ok(clientId, 'needs the client');
  const { UserPoolClient: client } = await ok('DescribeUserPoolClient', { ClientId: clientId, UserPoolId: poolId });
  clientState(client, CLIENT_V1, 'refresh of the client');
});

test('apply v2: tags (UntagResource, TagResource), SetUserPoolMfaConfig, UpdateUserPool, then the read', async () => {
  assert.ok(poolId, 'needs the pool');
  const { UserPool: before } = await ok('DescribeUserPool', { UserPoolId: poolId });
  const arn = before.Arn as string;
  // The tags interceptor runs before the resource's update: removed keys, then added or changed ones.
  await ok('UntagResource', { ResourceArn: arn, TagKeys: ['team'] });
  await ok('TagResource', { ResourceArn: arn, Tags: { env: 'prod', owner: 'platform' } });
  // mfa_configuration changed: SetUserPoolMfaConfig first, with the whole MFA configuration.
  await ok('SetUserPoolMfaConfig', {
    MfaConfiguration: 'ON',
    SoftwareTokenMfaConfiguration: { Enabled: true },
    UserPoolId: poolId,
  });
  // password_policy changed: UpdateUserPool with every member the provider holds (configured, and
  // computed ones kept from the read: SignInPolicy), MfaConfiguration included.
  await ok('UpdateUserPool', {
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    AutoVerifiedAttributes: ['email'],
    DeletionProtection: 'INACTIVE',
    LambdaConfig: { PreSignUp: PRE_SIGN_UP },
    MfaConfiguration: 'ON',
    Policies: {
      PasswordPolicy: {
        MinimumLength: 12,
        PasswordHistorySize: 0,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireUppercase: true,
      },
      SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
    },
    UserPoolId: poolId,
  });
  await readPool(V2, 'read after UpdateUserPool');
});

test('apply v2: UpdateGroup (changed members only) then GetGroup', async () => {
  assert.ok(poolId, 'needs the pool');
  await ok('UpdateGroup', {
    Description: 'Operators of every tenant',
    GroupName: 'operators',
    Precedence: 5,
    UserPoolId: poolId,
  });
  const { Group: group } = await ok('GetGroup', { GroupName: 'operators', UserPoolId: poolId });
  assert.deepEqual([group.Description, group.Precedence], ['Operators of every tenant', 5]);
});

test('apply v2: UpdateUserPoolClient with the whole plan (state echoed), whose answer is the state', async () => {
  assert.ok(poolId && clientId, 'needs the pool and the client');
  const updated = await ok('UpdateUserPoolClient', {
    AccessTokenValidity: 1,
    AllowedOAuthFlows: [],
    AllowedOAuthScopes: [],
    AuthSessionValidity: 3,
    CallbackURLs: [],
    ClientId: clientId,
    ClientName: 'tf-replay-app',
    EnableTokenRevocation: true,
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
    IdTokenValidity: 1,
    LogoutURLs: [],
    PreventUserExistenceErrors: 'ENABLED',
    ReadAttributes: ['custom:tenant', 'email', 'email_verified', 'name'],
    RefreshTokenValidity: 30,
    SupportedIdentityProviders: [],
    TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' },
    UserPoolId: poolId,
    WriteAttributes: ['custom:tenant', 'email'],
  });
  clientState(updated.UserPoolClient, CLIENT_V2, 'state from the UpdateUserPoolClient answer');
  const { UserPoolClient: client } = await ok('DescribeUserPoolClient', { ClientId: clientId, UserPoolId: poolId });
  clientState(client, CLIENT_V2, 'refresh of the client after v2');
});

test('destroy: DeleteGroup and DeleteUserPoolClient, then DeleteUserPool; every read then finds nothing', async () => {
  assert.ok(poolId && clientId, 'needs the pool and the client');
  await ok('DeleteGroup', { GroupName: 'operators', UserPoolId: poolId });
  await ok('DeleteUserPoolClient', { ClientId: clientId, UserPoolId: poolId });
  await ok('DeleteUserPool', { UserPoolId: poolId });

  // A refresh after destroy (or a destroy run twice) finds each resource gone and drops it from state.
  await notFound('DescribeUserPool', { UserPoolId: poolId });
  await notFound('GetUserPoolMfaConfig', { UserPoolId: poolId });
  await notFound('GetGroup', { GroupName: 'operators', UserPoolId: poolId });
  await notFound('DescribeUserPoolClient', { ClientId: clientId, UserPoolId: poolId });
  // The provider's delete treats ResourceNotFoundException as done.
  await notFound('DeleteUserPool', { UserPoolId: poolId });
  await notFound('DeleteUserPoolClient', { ClientId: clientId, UserPoolId: poolId });
  await notFound('DeleteGroup', { GroupName: 'operators', UserPoolId: poolId });
});

test('the smallest configuration, a pool with only a name: create, read with no changes, destroy', async () => {
  // resource "aws_cognito_user_pool" "minimal" { name = "tf-minimal" }: deletion_protection's
  // default is sent; no tags (getTagsIn is nil), mfa_configuration OFF (no SetUserPoolMfaConfig).
  const created = await ok('CreateUserPool', { DeletionProtection: 'INACTIVE', PoolName: 'tf-minimal' });
  const id = created.UserPool.Id as string;
  const { UserPool: pool } = await ok('DescribeUserPool', { UserPoolId: id });
  const mfa = await ok('GetUserPoolMfaConfig', { UserPoolId: id });
  const d = new Diffs();
  d.eq(pool.DeletionProtection, 'INACTIVE', 'deletion_protection');
  // Optional members that are not computed: unset in the configuration, so unset when read.
  d.eq(
    schemaInStateOf(pool.SchemaAttributes ?? [], []),
    [],
    'schema blocks (every standard attribute as Cognito shows it)',
  );
  d.eq(pool.AutoVerifiedAttributes ?? [], [], 'auto_verified_attributes');
  d.eq(pool.UsernameAttributes ?? [], [], 'username_attributes');
  d.eq(pool.AliasAttributes ?? [], [], 'alias_attributes');
  const { PreTokenGeneration: _c, PreTokenGenerationConfig: _c2, ...hooks } = pool.LambdaConfig ?? {};
  d.eq(hooks, {}, 'lambda_config');
  d.eq(pool.SmsAuthenticationMessage ?? '', '', 'sms_authentication_message');
  d.eq(pool.DeviceConfiguration, undefined, 'device_configuration');
  d.eq(pool.UserPoolAddOns, undefined, 'user_pool_add_ons');
  d.eq(
    pool.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [],
    [],
    'user_attribute_update_settings',
  );
  d.eq(pool.UserPoolTags ?? {}, {}, 'tags');
  d.eq(mfa.MfaConfiguration, 'OFF', 'mfa_configuration');
  d.eq(mfa.SoftwareTokenMfaConfiguration, undefined, 'software_token_mfa_configuration (no TOTP configured)');
  d.eq(mfa.WebAuthnConfiguration, undefined, 'web_authn_configuration');
  d.none('a pool with only a name');

  await ok('DeleteUserPool', { UserPoolId: id });
  await notFound('DescribeUserPool', { UserPoolId: id });
});

test('a member the provider sends only when configured and Cognate does not honour is refused, naming it', async () => {
  // temporary_password_validity_days = 7 in password_policy: sent as TemporaryPasswordValidityDays.
  const answer = await send('CreateUserPool', {
    Policies: { PasswordPolicy: { MinimumLength: 8, PasswordHistorySize: 0, TemporaryPasswordValidityDays: 7 } },
    PoolName: 'tf-replay-refused',
  });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.__type, 'InvalidParameterException');
  assert.match(answer.body.message, /TemporaryPasswordValidityDays/);
  const listed = await ok('ListUserPools', { MaxResults: 60 });
  assert.equal(
    listed.UserPools.some((p: { Name: string }) => p.Name === 'tf-replay-refused'),
    false,
    'nothing was created',
  );
});
