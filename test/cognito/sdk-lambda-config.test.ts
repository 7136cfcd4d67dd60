/**
 * CreateUserPool's LambdaConfig through the AWS SDK (docs/triggers.md, "Configuring hooks"): URLs
 * and mapped ARNs are honoured and described as Cognito describes them; unmapped ARNs, bad URLs and
 * the triggers of later issues are refused with InvalidParameterException naming the member, and
 * nothing is made. The hook errors go over the wire as Cognito's, with status 400.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  SignUpCommand,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { expectError } from '../support/sdk-flows.ts';

const MAPPED = 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up';
const MAPPED_V2 = 'arn:aws:lambda:us-east-1:123456789012:function:claims:live';
const UNMAPPED = 'arn:aws:lambda:us-east-1:123456789012:function:unknown';
const URL_HOOK = 'https://hooks.example.com/cognito/pre-sign-up?tenant=a';

let t: CognitoTestApp;
let hook: HookServer;

before(async () => {
  hook = await startHookServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-hook-arns-'));
  const file = path.join(dir, 'arns.json');
  writeFileSync(file, JSON.stringify({ [MAPPED]: hook.url, [MAPPED_V2]: 'https://claims.example.com/v2' }));
  t = await startCognitoApp({ HOOK_ARNS_FILE: file }, { hookPolicy: { timeoutMs: 300, retryDelayMs: 10 } });
});
after(async () => {
  await t.close();
  await hook.close();
});

const create = (LambdaConfig: LambdaConfigType | Record<string, unknown>, PoolName = 'hooked') =>
  t.sdk.send(new CreateUserPoolCommand({ PoolName, LambdaConfig: LambdaConfig as LambdaConfigType }));
const describeConfig = async (UserPoolId: string) =>
  (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId }))).UserPool!.LambdaConfig;
const countPools = async () => (await t.sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length;

describe('CreateUserPool LambdaConfig', () => {
  test('URLs and mapped ARNs are stored and described as sent, with KMSKeyID kept beside them', async () => {
    const config = {
      PreSignUp: MAPPED,
      PostConfirmation: URL_HOOK,
      PreAuthentication: 'http://127.0.0.1:9/pre-auth',
      PostAuthentication: URL_HOOK,
      CustomMessage: URL_HOOK,
      KMSKeyID: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    };
    const created = (await create(config)).UserPool!;
    assert.deepEqual(created.LambdaConfig, config);
    assert.deepEqual(await describeConfig(created.Id!), config);
    const listed = (await t.sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!;
    assert.deepEqual(listed.find((p) => p.Id === created.Id)!.LambdaConfig, config);
  });

  test('PreTokenGenerationConfig: LambdaArn is described as PreTokenGeneration too', async () => {
    const created = (await create({ PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: MAPPED_V2 } }))
      .UserPool!;
    assert.deepEqual(await describeConfig(created.Id!), {
      PreTokenGeneration: MAPPED_V2,
      PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: MAPPED_V2 },
    });
    // Both given, the same value: accepted; PreTokenGeneration alone is the V1_0 hook.
    const both = (
      await create({
        PreTokenGeneration: URL_HOOK,
        PreTokenGenerationConfig: { LambdaVersion: 'V3_0', LambdaArn: URL_HOOK },
      })
    ).UserPool!;
    assert.equal((await describeConfig(both.Id!))!.PreTokenGenerationConfig!.LambdaVersion, 'V3_0');
    const legacy = (await create({ PreTokenGeneration: URL_HOOK })).UserPool!;
    assert.deepEqual(await describeConfig(legacy.Id!), { PreTokenGeneration: URL_HOOK });
  });

  test('refused, naming the member, and nothing is made', async () => {
    const before = await countPools();
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ PreSignUp: UNMAPPED }, /^LambdaConfig\.PreSignUp: the ARN .* is not mapped to a URL in HOOK_ARNS_FILE/],
      [
        { PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: UNMAPPED } },
        /^LambdaConfig\.PreTokenGenerationConfig\.LambdaArn: the ARN .* is not mapped/,
      ],
      [
        { PostConfirmation: 'ftp://hooks.example.com/x' },
        /^LambdaConfig\.PostConfirmation must be an http:\/\/ or https:\/\/ URL/,
      ],
      [
        { PostConfirmation: 'https://user:pw@hooks.example.com/x' },
        /^LambdaConfig\.PostConfirmation must not carry credentials/,
      ],
      [{ CustomMessage: 'not a hook' }, /^LambdaConfig\.CustomMessage must be an http\(s\) URL or a Lambda ARN/],
      [
        { CustomMessage: `https://hooks.example.com/${'a'.repeat(2040)}` },
        /lambdaConfig\.customMessage' failed to satisfy constraint: Member must have length less than or equal to 2048/,
      ],
      [
        { PreTokenGeneration: URL_HOOK, PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: MAPPED_V2 } },
        /PreTokenGeneration and PreTokenGenerationConfig\.LambdaArn name different hooks/,
      ],
      [
        { DefineAuthChallenge: 'not a hook' },
        /^LambdaConfig\.DefineAuthChallenge must be an http\(s\) URL or a Lambda ARN/,
      ],
      [
        { CustomSMSSender: { LambdaVersion: 'V1_0', LambdaArn: MAPPED } },
        /^LambdaConfig\.CustomSMSSender is not supported/,
      ],
      [
        { CustomEmailSender: { LambdaVersion: 'V1_0', LambdaArn: MAPPED } },
        /^LambdaConfig\.CustomEmailSender is not supported/,
      ],
      [
        { InboundFederation: { LambdaVersion: 'V1_0', LambdaArn: MAPPED } },
        /^LambdaConfig\.InboundFederation is not supported/,
      ],
      // A refused member refuses the honoured ones beside it too.
      [
        { PreSignUp: URL_HOOK, InboundFederation: { LambdaVersion: 'V1_0', LambdaArn: MAPPED } },
        /^LambdaConfig\.InboundFederation is not supported by Cognate \(yet\): .*later issue/,
      ],
    ];
    for (const [config, message] of refusals) {
      await expectError(create(config, 'refused'), 'InvalidParameterException', message);
    }
    // A version Cognito does not define is refused by the input's own schema.
    await expectError(
      create({ PreTokenGenerationConfig: { LambdaVersion: 'V9_0', LambdaArn: URL_HOOK } }, 'refused'),
      'InvalidParameterException',
    );
    assert.equal(await countPools(), before, 'no pool was made');
  });
});

describe('hook errors on the wire', () => {
  test('a refusing PreSignUp hook reaches the SDK as Cognito’s UserLambdaValidationException (400)', async () => {
    const pool = (await create({ PreSignUp: MAPPED }, 'wire-errors')).UserPool!;
    const { UserPoolClient } = await t.sdk.send(
      new CreateUserPoolClientCommand({ UserPoolId: pool.Id!, ClientName: 'app' }),
    );
    hook.reset();
    hook.answer(400, { errorMessage: 'Sign-ups are closed', errorType: 'Error' });
    const before = hook.requests.length;
    await expectError(
      t.sdk.send(
        new SignUpCommand({ ClientId: UserPoolClient!.ClientId!, Username: 'wire-user', Password: 'Passw0rd!' }),
      ),
      'UserLambdaValidationException',
      'PreSignUp failed with error Sign-ups are closed.',
    );
    assert.equal(hook.requests.length, before + 1, 'the mapped ARN’s URL was called once');
    // The event names the pool and its region as the pool id does.
    assert.deepEqual([hook.last().body.userPoolId, hook.last().body.region], [pool.Id, 'us-east-1']);
    hook.answer(500, { errorMessage: 'crashed' });
    await expectError(
      t.sdk.send(
        new SignUpCommand({ ClientId: UserPoolClient!.ClientId!, Username: 'wire-user', Password: 'Passw0rd!' }),
      ),
      'UnexpectedLambdaException',
    );
    hook.answer(200, 'not the event');
    await expectError(
      t.sdk.send(
        new SignUpCommand({ ClientId: UserPoolClient!.ClientId!, Username: 'wire-user', Password: 'Passw0rd!' }),
      ),
      'InvalidLambdaResponseException',
    );
    hook.reset();
  });
});
