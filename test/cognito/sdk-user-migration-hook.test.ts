/**
 * The ready-made migration hook (src/cli/cognito-migration-hook.ts, docs/migrating-from-cognito.md)
 * against a second Cognate process standing in for the old Cognito pool: a user of the old pool
 * signs in to the new one with their old password through the AWS SDK, and forgot password brings
 * them RESET_REQUIRED. The old pool is reached only through the AWS SDK, as a real one would be.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Webhook } from 'standardwebhooks';
import { createMigrationHookServer, optionsFromEnv, writableAttributes } from '../../src/cli/cognito-migration-hook.ts';
import { ADMIN_KEY, GENEROUS_RATE_LIMITS } from '../support/app.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { seededDataDir } from '../support/database.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { expectError, jwtClaims, PASSWORD, poolWithClient, signIn } from '../support/sdk-flows.ts';
import { newCodeFor, uniqueEmail } from '../support/user-flows.ts';

const OLD_KEY = { accessKeyId: 'AKIAOLDPOOLTEST00001', secretAccessKey: 'old-pool-test-secret-access-key-0123' };
const OLD_PASSWORD = 'Old-passw0rd!';

let oldCognate: ServerProcess;
let oldSdk: CognitoIdentityProviderClient;
let dataDir: string;
let t: CognitoTestApp;
const hooks: Server[] = [];

let oldPoolId: string;
let oldClientId: string;

before(async () => {
  dataDir = await seededDataDir('cognate-old-pool-');
  // The stand-in for the live Cognito pool: a Cognate of its own (PGlite in a scratch directory).
  oldCognate = await startServerProcess({
    ...GENEROUS_RATE_LIMITS,
    DATA_DIR: dataDir,
    ADMIN_API_KEY: ADMIN_KEY,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    PUBLIC_URL: 'http://old-pool.test',
    COGNITO_ACCESS_KEY_ID: OLD_KEY.accessKeyId,
    COGNITO_SECRET_ACCESS_KEY: OLD_KEY.secretAccessKey,
  });
  oldSdk = new CognitoIdentityProviderClient({
    endpoint: oldCognate.base,
    region: 'us-east-1',
    credentials: OLD_KEY,
    maxAttempts: 1,
  });
  const pool = await oldSdk.send(
    new CreateUserPoolCommand({ PoolName: 'legacy', Schema: [{ Name: 'tier', AttributeDataType: 'String' }] }),
  );
  oldPoolId = pool.UserPool!.Id!;
  const client = await oldSdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: oldPoolId,
      ClientName: 'legacy-app',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  oldClientId = client.UserPoolClient!.ClientId!;
  t = await startCognitoApp();
});
after(async () => {
  for (const hook of hooks) await new Promise((resolve) => hook.close(resolve));
  await t?.close();
  oldSdk?.destroy();
  await oldCognate?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A confirmed user of the old pool with a verified email and a custom attribute. */
async function oldUser(username: string, email: string) {
  await oldSdk.send(
    new SignUpCommand({
      ClientId: oldClientId,
      Username: username,
      Password: OLD_PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'given_name', Value: 'Lea' },
        { Name: 'custom:tier', Value: 'gold' },
      ],
    }),
  );
  await oldSdk.send(new AdminConfirmSignUpCommand({ UserPoolId: oldPoolId, Username: username }));
  await oldSdk.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: oldPoolId,
      Username: username,
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
    }),
  );
}

/**
 * A new pool (same custom attribute) whose UserMigration is a migration hook asking the old pool;
 * the hook listens with the pool's secret, as its operator would run it.
 */
async function migratingPool(admin: boolean) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const { poolId, clientId } = await poolWithClient(
    t,
    { LambdaConfig: { UserMigration: url }, Schema: [{ Name: 'tier', AttributeDataType: 'String' }] },
    { PreventUserExistenceErrors: 'LEGACY' },
  );
  const secret = (await t.admin('POST', `/v1/pools/${poolId}/hook-secret`, {})).body.secret as string;
  const calls: unknown[] = [];
  const hook = await createMigrationHookServer({
    ...optionsFromEnv({
      HOOK_SECRET: secret,
      OLD_USER_POOL_ID: oldPoolId,
      OLD_CLIENT_ID: oldClientId,
      OLD_POOL_ENDPOINT: oldCognate.base,
      OLD_POOL_ADMIN: admin ? 'on' : 'off',
    }),
    ...(admin && { credentials: OLD_KEY }),
    log: (entry) => calls.push(entry),
  });
  await new Promise<void>((resolve) => hook.listen(port, '127.0.0.1', resolve));
  hooks.push(hook);
  return { poolId, clientId, url, secret, calls };
}

describe('the ready-made migration hook against a live (stand-in) pool', () => {
  test('the old password signs in to the new pool, with the old attributes; the second sign-in does not ask the hook', async () => {
    const email = uniqueEmail('legacy');
    await oldUser('lea', email);
    const pool = await migratingPool(false);
    const tokens = await signIn(t, pool.clientId, 'lea', OLD_PASSWORD);
    const claims = jwtClaims(tokens.IdToken);
    assert.equal(claims['cognito:username'], 'lea');
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, true);
    assert.equal(claims.given_name, 'Lea');
    assert.equal(claims['custom:tier'], 'gold');
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'lea' }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    const migrations = pool.calls.filter((c) => (c as { msg: string }).msg === 'user migrated').length;
    assert.equal(migrations, 1);
    await signIn(t, pool.clientId, 'lea', OLD_PASSWORD);
    assert.equal(pool.calls.length, 1, 'the second sign-in did not call the hook');
    // A wrong password for a migrated user is the new pool's own answer.
    await expectError(signIn(t, pool.clientId, 'lea', 'Wrong-passw0rd!'), 'NotAuthorizedException');
  });

  test('a wrong password and an unknown name are refused alike, and nothing is created', async () => {
    await oldUser('max', uniqueEmail('max'));
    const pool = await migratingPool(false);
    await expectError(
      signIn(t, pool.clientId, 'max', 'Wrong-passw0rd!'),
      'UserLambdaValidationException',
      'UserMigration failed with error Incorrect username or password.',
    );
    await expectError(
      signIn(t, pool.clientId, 'nobody-there', OLD_PASSWORD),
      'UserLambdaValidationException',
      'UserMigration failed with error Incorrect username or password.',
    );
    await expectError(
      t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'max' })),
      'UserNotFoundException',
    );
    // The right password still migrates afterwards.
    assert.ok((await signIn(t, pool.clientId, 'max', OLD_PASSWORD)).AccessToken);
  });

  test('forgot password: with AWS credentials the user comes RESET_REQUIRED and resets; without, it is refused', async () => {
    const email = uniqueEmail('forgot-legacy');
    await oldUser('noor', email);
    const withoutAdmin = await migratingPool(false);
    await expectError(
      t.sdk.send(new ForgotPasswordCommand({ ClientId: withoutAdmin.clientId, Username: 'noor' })),
      'UserLambdaValidationException',
      /without AWS credentials/,
    );
    const pool = await migratingPool(true);
    const sent = await t.sdk.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'noor' }));
    assert.equal(sent.CodeDeliveryDetails!.DeliveryMedium, 'EMAIL');
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'noor' }));
    assert.equal(user.UserStatus, 'RESET_REQUIRED');
    const code = await newCodeFor(t, email, 0);
    await t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: pool.clientId,
        Username: 'noor',
        ConfirmationCode: code,
        Password: PASSWORD,
      }),
    );
    assert.equal(jwtClaims((await signIn(t, pool.clientId, 'noor', PASSWORD)).IdToken)['custom:tier'], 'gold');
  });

  test('unsigned, forged and replayed calls are refused with 401', async () => {
    const pool = await migratingPool(false);
    const event = JSON.stringify({
      triggerSource: 'UserMigration_Authentication',
      userName: 'lea',
      userPoolId: pool.poolId,
      request: { password: OLD_PASSWORD },
      response: {},
    });
    const post = (headers: Record<string, string>) =>
      fetch(pool.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: event });
    assert.equal((await post({})).status, 401);
    const forged = new Webhook(`whsec_${Buffer.from('not-the-pool-secret-0123456789ab').toString('base64')}`);
    const now = new Date();
    assert.equal(
      (
        await post({
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': forged.sign('msg_1', now, event),
        })
      ).status,
      401,
    );
    const signer = new Webhook(pool.secret);
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign('msg_2', now, event),
    };
    const first = await post(headers);
    assert.equal(first.status, 200);
    assert.equal(
      ((await first.json()) as { response: { finalUserStatus: string } }).response.finalUserStatus,
      'CONFIRMED',
    );
    assert.equal((await post(headers)).status, 401);
  });
});

describe('an old pool that asks for a second factor', () => {
  test('a user whose old sign-in needs MFA is refused, not migrated on the password alone', async () => {
    // Cognate's stand-in has no MFA: this old pool is a bare HTTP server answering AdminInitiateAuth
    // with SOFTWARE_TOKEN_MFA, as Cognito does once the password is right for a user with MFA.
    const targets: string[] = [];
    const oldPool = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop()!;
        targets.push(target);
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (target === 'AdminInitiateAuth') {
          res.end(JSON.stringify({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's', ChallengeParameters: {} }));
        } else {
          res.end(
            JSON.stringify({
              Username: 'mfa-user',
              Enabled: true,
              UserStatus: 'CONFIRMED',
              UserAttributes: [{ Name: 'email', Value: 'mfa@example.com' }],
            }),
          );
        }
      });
    });
    await new Promise<void>((resolve) => oldPool.listen(0, '127.0.0.1', resolve));
    hooks.push(oldPool);
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const hook = await createMigrationHookServer({
      ...optionsFromEnv({
        HOOK_SECRET: secret,
        OLD_USER_POOL_ID: 'us-east-1_Mfa',
        OLD_CLIENT_ID: 'old-client',
        OLD_POOL_ENDPOINT: `http://127.0.0.1:${(oldPool.address() as { port: number }).port}`,
        OLD_POOL_ADMIN: 'on',
      }),
      credentials: OLD_KEY,
      log: () => {},
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hooks.push(hook);
    const event = JSON.stringify({
      triggerSource: 'UserMigration_Authentication',
      userName: 'mfa-user',
      request: { password: OLD_PASSWORD },
      response: {},
    });
    const now = new Date();
    const answer = await fetch(`http://127.0.0.1:${(hook.address() as { port: number }).port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_mfa',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign('msg_mfa', now, event),
      },
      body: event,
    });
    assert.deepEqual(targets, ['AdminInitiateAuth']);
    assert.equal(answer.status, 400, 'the password alone does not migrate a user the old pool asks a second factor of');
    assert.match(((await answer.json()) as { errorMessage: string }).errorMessage, /SOFTWARE_TOKEN_MFA/);
  });
});

describe('configuration', () => {
  test('the environment is checked; sub, identities and cognito:* are never carried', () => {
    assert.throws(() => optionsFromEnv({}), /HOOK_SECRET is not set/);
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    assert.throws(() => optionsFromEnv({ HOOK_SECRET: secret }), /OLD_USER_POOL_ID is not set/);
    assert.throws(
      () => optionsFromEnv({ HOOK_SECRET: secret, OLD_USER_POOL_ID: 'nope', OLD_CLIENT_ID: 'c' }),
      /OLD_USER_POOL_ID must be a user pool id/,
    );
    assert.throws(
      () =>
        optionsFromEnv({
          HOOK_SECRET: secret,
          OLD_USER_POOL_ID: 'eu-west-1_Ab',
          OLD_CLIENT_ID: 'c',
          OLD_POOL_ADMIN: 'maybe',
        }),
      /OLD_POOL_ADMIN must be on or off/,
    );
    const options = optionsFromEnv({
      HOOK_SECRET: secret,
      OLD_USER_POOL_ID: 'eu-west-1_Ab',
      OLD_CLIENT_ID: 'c',
      OMIT_ATTRIBUTES: 'custom:legacy_id, picture',
    });
    assert.equal(options.admin, false);
    assert.deepEqual(options.omitAttributes, ['custom:legacy_id', 'picture']);
    assert.deepEqual(
      writableAttributes(
        [
          { Name: 'sub', Value: 'x' },
          { Name: 'identities', Value: '[]' },
          { Name: 'cognito:mfa_enabled', Value: 'false' },
          { Name: 'email', Value: 'a@example.com' },
          { Name: 'picture', Value: 'p' },
        ],
        new Set(options.omitAttributes),
      ),
      { email: 'a@example.com' },
    );
  });
});
