/**
 * Remembered devices through the AWS SDK (docs/devices.md): the pool's DeviceConfiguration,
 * NewDeviceMetadata, ConfirmDevice with the device's SRP verifier, the device's proof at sign-in
 * (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) computed here with Amplify's math, device_key in the
 * tokens and on refresh, the user's and the administrator's device actions, and what an attacker
 * gets from someone else's, a forgotten or a replayed device.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminListDevicesCommand,
  AdminUpdateDeviceStatusCommand,
  ChangePasswordCommand,
  ConfirmDeviceCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgetDeviceCommand,
  GetDeviceCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  ListUserPoolsCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  UpdateDeviceStatusCommand,
  type AuthenticationResultType,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { deviceProof, deviceSrpStart, deviceVerifier, type DeviceSecret } from '../support/device-srp.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import {
  PASSWORD,
  attributeMap,
  createClient,
  createPool,
  expectError,
  jwtClaims,
  signUpConfirmed,
} from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
before(async () => {
  t = await startCognitoApp({}, { hookPolicy: { timeoutMs: 2000, retryDelayMs: 10 } });
  hook = await startHookServer();
});
after(async () => {
  await hook?.close();
  await t?.close();
});
beforeEach(() => hook.reset());

const ALWAYS = { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false };
const OPT_IN = { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true };
let counter = 0;
const fresh = (prefix: string) => `${prefix}${++counter}`;

interface TestPool {
  poolId: string;
  clientId: string;
}

async function devicePool(input: Partial<CreateUserPoolCommandInput> = { DeviceConfiguration: ALWAYS }) {
  const poolId = await createPool(t, input);
  return { poolId, clientId: await createClient(t, poolId) };
}

/** A confirmed user with PASSWORD: signed up, confirmed by the administrator. */
async function user(pool: TestPool, username = fresh('dev-user')) {
  await t.sdk.send(new SignUpCommand({ ClientId: pool.clientId, Username: username, Password: PASSWORD }));
  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: username }));
  return username;
}

const passwordSignIn = (pool: TestPool, username: string, deviceKey?: string, password = PASSWORD) =>
  t.sdk.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password, ...(deviceKey && { DEVICE_KEY: deviceKey }) },
    }),
  );

/** USER_SRP_AUTH as Amplify does it: DEVICE_KEY with the PASSWORD_VERIFIER answer. */
async function srpSignIn(pool: TestPool, username: string, deviceKey?: string) {
  const session = createSrpSession(username, PASSWORD, pool.poolId, false);
  const challenge = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: username, SRP_A: session.largeA },
    }),
  );
  const signed = signSrpSession(session, challenge as never);
  return t.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: {
        USERNAME: challenge.ChallengeParameters!.USER_ID_FOR_SRP!,
        PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
        TIMESTAMP: signed.timestamp,
        PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
        ...(deviceKey && { DEVICE_KEY: deviceKey }),
      },
    }),
  );
}

/** A sign-in from a new device, then ConfirmDevice with a verifier: the device's secret and the tokens. */
async function rememberedDevice(pool: TestPool, username: string, name = 'laptop') {
  const signedIn = await passwordSignIn(pool, username);
  const tokens = signedIn.AuthenticationResult!;
  const { DeviceKey, DeviceGroupKey } = tokens.NewDeviceMetadata!;
  const { secret, config } = deviceVerifier(DeviceKey!, DeviceGroupKey!);
  const confirmed = await t.sdk.send(
    new ConfirmDeviceCommand({
      AccessToken: tokens.AccessToken,
      DeviceKey,
      DeviceSecretVerifierConfig: config,
      DeviceName: name,
    }),
  );
  return { secret, tokens, confirmed };
}

/** DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER, as Amplify's handleDeviceSRPAuth answers them. */
async function proveDevice(pool: TestPool, session: string, device: DeviceSecret, username: string) {
  const start = deviceSrpStart();
  const verifier = await t.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'DEVICE_SRP_AUTH',
      Session: session,
      ChallengeResponses: { USERNAME: username, DEVICE_KEY: device.deviceKey, SRP_A: start.srpA },
    }),
  );
  assert.equal(verifier.ChallengeName, 'DEVICE_PASSWORD_VERIFIER');
  return { start, verifier };
}

async function answerVerifier(
  pool: TestPool,
  device: DeviceSecret,
  proven: Awaited<ReturnType<typeof proveDevice>>,
  options: Parameters<typeof deviceProof>[3] = {},
) {
  return t.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
      Session: proven.verifier.Session,
      ChallengeResponses: deviceProof(device, proven.start, proven.verifier.ChallengeParameters!, options),
    }),
  );
}

/** A whole sign-in from a remembered device: password, the device's proof, the tokens. */
async function deviceSignIn(pool: TestPool, username: string, device: DeviceSecret) {
  const first = await srpSignIn(pool, username, device.deviceKey);
  assert.equal(first.ChallengeName, 'DEVICE_SRP_AUTH');
  const proven = await proveDevice(pool, first.Session!, device, username);
  const done = await answerVerifier(pool, device, proven);
  return done.AuthenticationResult as Required<AuthenticationResultType>;
}

describe('the pool’s DeviceConfiguration', () => {
  test('CreateUserPool keeps it and DescribeUserPool shows it; a pool without one shows none', async () => {
    const poolId = await createPool(t, { DeviceConfiguration: OPT_IN });
    const { UserPool } = await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    assert.deepEqual(UserPool!.DeviceConfiguration, OPT_IN);
    const plain = await createPool(t);
    assert.equal(
      (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: plain }))).UserPool!.DeviceConfiguration,
      undefined,
    );
    // One member is enough to turn tracking on; the other is false.
    const half = await createPool(t, { DeviceConfiguration: { DeviceOnlyRememberedOnUserPrompt: true } });
    assert.deepEqual(
      (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: half }))).UserPool!.DeviceConfiguration,
      {
        ChallengeRequiredOnNewDevice: false,
        DeviceOnlyRememberedOnUserPrompt: true,
      },
    );
  });

  test('a value of the wrong type is refused and makes no pool', async () => {
    // (The SDK sends only the members it models, so a member Cognito does not define cannot be sent here.)
    await expectError(
      t.sdk.send(
        new CreateUserPoolCommand({
          PoolName: 'bad-devices',
          DeviceConfiguration: { ChallengeRequiredOnNewDevice: 'yes' } as never,
        }),
      ),
      'SerializationException',
      "Expected boolean at 'deviceConfiguration.challengeRequiredOnNewDevice'.",
    );
    const { UserPools } = await t.sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    assert.equal(UserPools!.filter((p) => p.Name === 'bad-devices').length, 0);
  });
});

describe('new devices', () => {
  test('a sign-in without DEVICE_KEY gets NewDeviceMetadata, and its access token names the key', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const result = await passwordSignIn(pool, name);
    const metadata = result.AuthenticationResult!.NewDeviceMetadata!;
    assert.match(metadata.DeviceKey!, /^us-east-1_[0-9a-f-]{36}$/);
    assert.ok(metadata.DeviceGroupKey!.length >= 8);
    assert.equal(jwtClaims(result.AuthenticationResult!.AccessToken!).device_key, metadata.DeviceKey);
    assert.equal(jwtClaims(result.AuthenticationResult!.IdToken!).device_key, undefined);
    // Each sign-in without a key is a new device.
    const again = await passwordSignIn(pool, name);
    assert.notEqual(again.AuthenticationResult!.NewDeviceMetadata!.DeviceKey, metadata.DeviceKey);
  });

  test('a pool that does not track devices gives no key, and ignores a DEVICE_KEY', async () => {
    const pool = await devicePool({});
    const name = await user(pool);
    const result = await passwordSignIn(pool, name, 'us-east-1_00000000-0000-0000-0000-000000000000');
    assert.equal(result.AuthenticationResult!.NewDeviceMetadata, undefined);
    assert.equal(jwtClaims(result.AuthenticationResult!.AccessToken!).device_key, undefined);
  });

  test('ConfirmDevice: remembered at once without a prompt, the user’s choice with one', async () => {
    const always = await devicePool();
    const a = await rememberedDevice(always, await user(always));
    assert.equal(a.confirmed.UserConfirmationNecessary, false);
    const got = await t.sdk.send(
      new GetDeviceCommand({ AccessToken: a.tokens.AccessToken, DeviceKey: a.secret.deviceKey }),
    );
    assert.equal(got.Device!.DeviceKey, a.secret.deviceKey);
    const attributes = attributeMap(got.Device!.DeviceAttributes);
    assert.equal(attributes.device_name, 'laptop');
    assert.equal(attributes['dev:device_remembered_status'], 'remembered');
    assert.equal(attributes.device_status, 'valid');
    assert.ok(got.Device!.DeviceCreateDate instanceof Date);

    const optIn = await devicePool({ DeviceConfiguration: OPT_IN });
    const b = await rememberedDevice(optIn, await user(optIn));
    assert.equal(b.confirmed.UserConfirmationNecessary, true);
    const before = await t.sdk.send(
      new GetDeviceCommand({ AccessToken: b.tokens.AccessToken, DeviceKey: b.secret.deviceKey }),
    );
    assert.equal(attributeMap(before.Device!.DeviceAttributes)['dev:device_remembered_status'], 'not_remembered');
    await t.sdk.send(
      new UpdateDeviceStatusCommand({
        AccessToken: b.tokens.AccessToken,
        DeviceKey: b.secret.deviceKey,
        DeviceRememberedStatus: 'remembered',
      }),
    );
    const after = await t.sdk.send(
      new GetDeviceCommand({ AccessToken: b.tokens.AccessToken, DeviceKey: b.secret.deviceKey }),
    );
    assert.equal(attributeMap(after.Device!.DeviceAttributes)['dev:device_remembered_status'], 'remembered');
  });

  test('ConfirmDevice’s bad cases: no verifier, a bad verifier, a key not the user’s, a confirmed key', async () => {
    const pool = await devicePool();
    const alice = await user(pool);
    const bob = await user(pool);
    const signedIn = (await passwordSignIn(pool, alice)).AuthenticationResult!;
    const key = signedIn.NewDeviceMetadata!.DeviceKey!;
    const { config } = deviceVerifier(key, signedIn.NewDeviceMetadata!.DeviceGroupKey!);
    const confirm = (input: Record<string, unknown>, token = signedIn.AccessToken) =>
      t.sdk.send(new ConfirmDeviceCommand({ AccessToken: token, DeviceKey: key, ...input }));
    await expectError(confirm({}), 'InvalidParameterException', /PasswordVerifier/);
    await expectError(
      confirm({ DeviceSecretVerifierConfig: { PasswordVerifier: 'AA==', Salt: config.Salt } }),
      'InvalidParameterException',
      /not a valid SRP verifier/,
    );
    await expectError(
      confirm({ DeviceSecretVerifierConfig: { PasswordVerifier: 'not base64!', Salt: config.Salt } }),
      'InvalidParameterException',
    );
    // Bob's token cannot confirm Alice's key: to him it does not exist.
    const bobTokens = (await passwordSignIn(pool, bob)).AuthenticationResult!;
    await expectError(
      confirm({ DeviceSecretVerifierConfig: config }, bobTokens.AccessToken),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(
        new ConfirmDeviceCommand({
          AccessToken: signedIn.AccessToken,
          DeviceKey: 'us-east-1_00000000-0000-0000-0000-000000000000',
          DeviceSecretVerifierConfig: config,
        }),
      ),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(new ConfirmDeviceCommand({ AccessToken: signedIn.AccessToken, DeviceKey: 'no-underscore' })),
      'InvalidParameterException',
    );
    assert.equal((await confirm({ DeviceSecretVerifierConfig: config })).UserConfirmationNecessary, false);
    // A confirmed device's verifier is never replaced.
    await expectError(
      confirm({ DeviceSecretVerifierConfig: deviceVerifier(key, 'other').config }),
      'InvalidParameterException',
      /already confirmed/,
    );
    await expectError(confirm({ DeviceSecretVerifierConfig: config }, 'not-a-token'), 'NotAuthorizedException');
  });
});

describe('signing in from a remembered device', () => {
  test('DEVICE_KEY after the password → DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER → tokens bound to the device', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const tokens = await deviceSignIn(pool, name, secret);
    assert.equal(tokens.NewDeviceMetadata, undefined, 'a known device gets no new key');
    assert.equal(jwtClaims(tokens.AccessToken).device_key, secret.deviceKey);
    const listed = await t.sdk.send(new ListDevicesCommand({ AccessToken: tokens.AccessToken }));
    assert.equal(listed.Devices!.length, 1);
    assert.ok(listed.Devices![0]!.DeviceLastAuthenticatedDate instanceof Date);
    assert.equal(attributeMap(listed.Devices![0]!.DeviceAttributes).last_ip_used, '127.0.0.1');
  });

  test('USER_PASSWORD_AUTH with DEVICE_KEY in AuthParameters asks for the device too', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const first = await passwordSignIn(pool, name, secret.deviceKey);
    assert.equal(first.ChallengeName, 'DEVICE_SRP_AUTH');
    assert.equal(first.ChallengeParameters!.USERNAME, name);
    assert.match(first.Session!, /^device\./);
    const done = await answerVerifier(pool, secret, await proveDevice(pool, first.Session!, secret, name));
    assert.equal(jwtClaims(done.AuthenticationResult!.AccessToken!).device_key, secret.deviceKey);
  });

  test('a wrong proof, a replayed session and a session of another client are refused', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const first = await srpSignIn(pool, name, secret.deviceKey);
    const proven = await proveDevice(pool, first.Session!, secret, name);
    // The DEVICE_SRP_AUTH session was used: replaying it finds nothing.
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'DEVICE_SRP_AUTH',
          Session: first.Session!,
          ChallengeResponses: { USERNAME: name, DEVICE_KEY: secret.deviceKey, SRP_A: deviceSrpStart().srpA },
        }),
      ),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
    // Proven with another device password: a wrong proof, and the session is spent.
    await expectError(
      answerVerifier(pool, secret, proven, { password: 'not the device secret' }),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    await expectError(
      answerVerifier(pool, secret, proven),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );

    // A session taken to another client of the pool names nothing there.
    const other = await createClient(t, pool.poolId);
    const again = await srpSignIn(pool, name, secret.deviceKey);
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: other,
          ChallengeName: 'DEVICE_SRP_AUTH',
          Session: again.Session!,
          ChallengeResponses: { USERNAME: name, DEVICE_KEY: secret.deviceKey, SRP_A: deviceSrpStart().srpA },
        }),
      ),
      'NotAuthorizedException',
    );
    // A correct proof answered once is single use too.
    const third = await srpSignIn(pool, name, secret.deviceKey);
    const ok = await proveDevice(pool, third.Session!, secret, name);
    assert.ok((await answerVerifier(pool, secret, ok)).AuthenticationResult);
    await expectError(answerVerifier(pool, secret, ok), 'NotAuthorizedException');
  });

  test('USER_AUTH: DEVICE_KEY with a password first factor (at once, or after SELECT_CHALLENGE) asks for the device too', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const choiceClient = await createClient(t, pool.poolId, {
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const initiate = (parameters: Record<string, string>) =>
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: choiceClient,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: name, DEVICE_KEY: secret.deviceKey, ...parameters },
        }),
      );
    const choice = { poolId: pool.poolId, clientId: choiceClient };
    const direct = await initiate({ PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
    assert.equal(direct.ChallengeName, 'DEVICE_SRP_AUTH');
    const done = await answerVerifier(choice, secret, await proveDevice(choice, direct.Session!, secret, name));
    assert.equal(jwtClaims(done.AuthenticationResult!.AccessToken!).device_key, secret.deviceKey);
    assert.equal(done.AuthenticationResult!.NewDeviceMetadata, undefined);

    // The key given to InitiateAuth stays with the sign-in through SELECT_CHALLENGE.
    const selecting = await initiate({});
    assert.equal(selecting.ChallengeName, 'SELECT_CHALLENGE');
    const chosen = await t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: choiceClient,
        ChallengeName: 'SELECT_CHALLENGE',
        Session: selecting.Session!,
        ChallengeResponses: { USERNAME: name, ANSWER: 'PASSWORD', PASSWORD },
      }),
    );
    assert.equal(chosen.ChallengeName, 'DEVICE_SRP_AUTH');
  });

  test('the answers must name the sign-in’s own device and user', async () => {
    const pool = await devicePool();
    const alice = await user(pool);
    const bob = await user(pool);
    const a = await rememberedDevice(pool, alice);
    const b = await rememberedDevice(pool, bob);
    const first = await srpSignIn(pool, alice, a.secret.deviceKey);
    // Bob's device cannot be swapped into Alice's sign-in.
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'DEVICE_SRP_AUTH',
          Session: first.Session!,
          ChallengeResponses: { USERNAME: alice, DEVICE_KEY: b.secret.deviceKey, SRP_A: deviceSrpStart().srpA },
        }),
      ),
      'NotAuthorizedException',
    );
    const second = await srpSignIn(pool, alice, a.secret.deviceKey);
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'DEVICE_SRP_AUTH',
          Session: second.Session!,
          ChallengeResponses: { USERNAME: bob, DEVICE_KEY: a.secret.deviceKey, SRP_A: deviceSrpStart().srpA },
        }),
      ),
      'NotAuthorizedException',
    );
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'DEVICE_SRP_AUTH',
          Session: 'device.forged-session-token-000000000000',
          ChallengeResponses: { USERNAME: alice, DEVICE_KEY: a.secret.deviceKey, SRP_A: deviceSrpStart().srpA },
        }),
      ),
      'NotAuthorizedException',
    );
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'DEVICE_SRP_AUTH',
          ChallengeResponses: { USERNAME: alice, DEVICE_KEY: a.secret.deviceKey, SRP_A: deviceSrpStart().srpA },
        }),
      ),
      'InvalidParameterException',
      'Missing required parameter Session',
    );
  });

  test('another user’s device key, an unconfirmed key and a forgotten key prove nothing: a new device', async () => {
    const pool = await devicePool();
    const alice = await user(pool);
    const bob = await user(pool);
    const a = await rememberedDevice(pool, alice);
    // Bob signs in naming Alice's device: no device challenge, a new device of his own.
    const asBob = await srpSignIn(pool, bob, a.secret.deviceKey);
    assert.equal(asBob.ChallengeName, undefined);
    assert.notEqual(asBob.AuthenticationResult!.NewDeviceMetadata!.DeviceKey, a.secret.deviceKey);
    // A key given but never confirmed.
    const unconfirmed = (await passwordSignIn(pool, alice)).AuthenticationResult!.NewDeviceMetadata!.DeviceKey!;
    assert.ok((await srpSignIn(pool, alice, unconfirmed)).AuthenticationResult!.NewDeviceMetadata);
    // Forgotten: it no longer proves anything, and is gone from the list.
    await t.sdk.send(new ForgetDeviceCommand({ AccessToken: a.tokens.AccessToken, DeviceKey: a.secret.deviceKey }));
    const after = await srpSignIn(pool, alice, a.secret.deviceKey);
    assert.equal(after.ChallengeName, undefined);
    assert.ok(after.AuthenticationResult!.NewDeviceMetadata);
    await expectError(
      t.sdk.send(new GetDeviceCommand({ AccessToken: a.tokens.AccessToken, DeviceKey: a.secret.deviceKey })),
      'ResourceNotFoundException',
      'Device does not exist.',
    );
    await expectError(
      t.sdk.send(new ForgetDeviceCommand({ AccessToken: a.tokens.AccessToken, DeviceKey: a.secret.deviceKey })),
      'ResourceNotFoundException',
    );
  });

  test('a device forgotten between the two steps, or after a password change, decides as it stands', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret, tokens } = await rememberedDevice(pool, name);
    const first = await srpSignIn(pool, name, secret.deviceKey);
    const proven = await proveDevice(pool, first.Session!, secret, name);
    await t.sdk.send(new ForgetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: secret.deviceKey }));
    await expectError(answerVerifier(pool, secret, proven), 'NotAuthorizedException');

    // The password changes; the device keeps proving itself, but only after the new password.
    const again = await rememberedDevice(pool, name);
    await t.sdk.send(
      new ChangePasswordCommand({
        AccessToken: again.tokens.AccessToken,
        PreviousPassword: PASSWORD,
        ProposedPassword: 'Changed-passw0rd!',
      }),
    );
    await expectError(passwordSignIn(pool, name, again.secret.deviceKey), 'NotAuthorizedException');
    const withNew = await passwordSignIn(pool, name, again.secret.deviceKey, 'Changed-passw0rd!');
    assert.equal(withNew.ChallengeName, 'DEVICE_SRP_AUTH');

    // A sign-in begun with a password that changes before the device answers ends there: the
    // device stands in for nothing once the password it followed is no longer the user's.
    const pending = await passwordSignIn(pool, name, again.secret.deviceKey, 'Changed-passw0rd!');
    const pendingProof = await proveDevice(pool, pending.Session!, again.secret, name);
    const fresh = await passwordSignIn(pool, name, again.secret.deviceKey, 'Changed-passw0rd!');
    const freshTokens = await answerVerifier(
      pool,
      again.secret,
      await proveDevice(pool, fresh.Session!, again.secret, name),
    );
    await t.sdk.send(
      new ChangePasswordCommand({
        AccessToken: freshTokens.AuthenticationResult!.AccessToken!,
        PreviousPassword: 'Changed-passw0rd!',
        ProposedPassword: 'Changed-again-passw0rd!',
      }),
    );
    await expectError(
      answerVerifier(pool, again.secret, pendingProof),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
  });

  test('existence hiding is unchanged: an unknown name with a DEVICE_KEY answers as without one', async () => {
    const poolId = await createPool(t, { DeviceConfiguration: ALWAYS });
    const clientId = await createClient(t, poolId, { PreventUserExistenceErrors: 'ENABLED' });
    const pool = { poolId, clientId };
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const unknown = await expectError(passwordSignIn(pool, 'nobody-here', secret.deviceKey), 'NotAuthorizedException');
    const wrong = await expectError(
      passwordSignIn(pool, name, secret.deviceKey, 'Wrong-passw0rd!'),
      'NotAuthorizedException',
    );
    assert.equal(unknown.message, wrong.message);
  });
});

describe('tokens and refresh', () => {
  test('a session started on a device must name it to refresh; the refreshed tokens keep device_key', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const tokens = await deviceSignIn(pool, name, secret);
    const refresh = (deviceKey?: string) =>
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken, ...(deviceKey && { DEVICE_KEY: deviceKey }) },
        }),
      );
    await expectError(refresh(), 'NotAuthorizedException', 'Invalid Refresh Token');
    await expectError(refresh('us-east-1_00000000-0000-0000-0000-000000000000'), 'NotAuthorizedException');
    const refreshed = await refresh(secret.deviceKey);
    assert.equal(jwtClaims(refreshed.AuthenticationResult!.AccessToken!).device_key, secret.deviceKey);
    const viaAmplifysAction = await t.sdk.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: pool.clientId,
        RefreshToken: tokens.RefreshToken,
        DeviceKey: secret.deviceKey,
      }),
    );
    assert.equal(jwtClaims(viaAmplifysAction.AuthenticationResult!.AccessToken!).device_key, secret.deviceKey);
    await expectError(
      t.sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: pool.clientId, RefreshToken: tokens.RefreshToken })),
      'NotAuthorizedException',
    );
  });

  test('forgetting a device ends the sessions started on it, but not the caller’s own', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    // Two sessions on the remembered device (the laptop), one elsewhere (the phone, a new device).
    const laptop = await deviceSignIn(pool, name, secret);
    const laptopToo = await deviceSignIn(pool, name, secret);
    const phone = (await passwordSignIn(pool, name)).AuthenticationResult!;
    const refresh = (tokens: { RefreshToken?: string }, deviceKey?: string) =>
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken!, ...(deviceKey && { DEVICE_KEY: deviceKey }) },
        }),
      );
    // The laptop forgets itself: its own session goes on, its other session ends.
    await t.sdk.send(new ForgetDeviceCommand({ AccessToken: laptop.AccessToken, DeviceKey: secret.deviceKey }));
    assert.ok((await refresh(laptop, secret.deviceKey)).AuthenticationResult);
    await expectError(refresh(laptopToo, secret.deviceKey), 'NotAuthorizedException');
    await expectError(t.sdk.send(new GetUserCommand({ AccessToken: laptopToo.AccessToken })), 'NotAuthorizedException');

    // Lost: the administrator forgets a device, and every session on it ends; the phone's stays.
    const other = await rememberedDevice(pool, name, 'lost laptop');
    const lost = await deviceSignIn(pool, name, other.secret);
    await t.sdk.send(
      new AdminForgetDeviceCommand({ UserPoolId: pool.poolId, Username: name, DeviceKey: other.secret.deviceKey }),
    );
    await expectError(refresh(lost, other.secret.deviceKey), 'NotAuthorizedException');
    assert.ok((await refresh(phone, phone.NewDeviceMetadata?.DeviceKey)).AuthenticationResult);
  });

  test('hooks: PreTokenGeneration hears TokenGeneration_AuthenticateDevice, PostAuthentication newDeviceUsed', async () => {
    const pool = await devicePool({
      DeviceConfiguration: ALWAYS,
      LambdaConfig: { PreTokenGeneration: hook.url, PostAuthentication: hook.url },
    });
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const events = () => hook.requests.map((r) => [r.body.triggerSource, r.body.request.newDeviceUsed]);
    assert.deepEqual(events(), [
      ['PostAuthentication_Authentication', true],
      ['TokenGeneration_Authentication', undefined],
    ]);
    hook.reset();
    hook.requests.length = 0;
    const tokens = await deviceSignIn(pool, name, secret);
    assert.deepEqual(events(), [
      ['PostAuthentication_Authentication', false],
      ['TokenGeneration_AuthenticateDevice', undefined],
    ]);
    // A hook cannot forge the device a token was issued on.
    assert.equal(jwtClaims(tokens.AccessToken).device_key, secret.deviceKey);
  });
});

describe('the user’s and the administrator’s device actions', () => {
  test('ListDevices pages by Limit and PaginationToken; bad limits and tokens are refused', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const first = await rememberedDevice(pool, name, 'one');
    const second = await rememberedDevice(pool, name, 'two');
    // An unconfirmed key is not listed.
    await passwordSignIn(pool, name);
    const token = second.tokens.AccessToken!;
    const page1 = await t.sdk.send(new ListDevicesCommand({ AccessToken: token, Limit: 1 }));
    assert.equal(page1.Devices!.length, 1);
    assert.ok(page1.PaginationToken);
    const page2 = await t.sdk.send(
      new ListDevicesCommand({ AccessToken: token, Limit: 1, PaginationToken: page1.PaginationToken }),
    );
    assert.equal(page2.Devices!.length, 1);
    assert.equal(page2.PaginationToken, undefined);
    assert.deepEqual(
      [page1.Devices![0]!.DeviceKey, page2.Devices![0]!.DeviceKey].sort(),
      [first.secret.deviceKey, second.secret.deviceKey].sort(),
    );
    assert.equal((await t.sdk.send(new ListDevicesCommand({ AccessToken: token }))).Devices!.length, 2);
    await expectError(
      t.sdk.send(new ListDevicesCommand({ AccessToken: token, Limit: 61 })),
      'InvalidParameterException',
    );
    await expectError(
      t.sdk.send(new ListDevicesCommand({ AccessToken: token, PaginationToken: 'garbage!' })),
      'InvalidParameterException',
    );
    await expectError(
      t.sdk.send(
        new UpdateDeviceStatusCommand({
          AccessToken: token,
          DeviceKey: first.secret.deviceKey,
          DeviceRememberedStatus: 'forever' as never,
        }),
      ),
      'InvalidParameterException',
    );
  });

  test('Admin actions find a user’s devices by any sign-in name, and answer Cognito’s errors', async () => {
    const pool = await devicePool();
    const name = await user(pool);
    const { secret } = await rememberedDevice(pool, name);
    const listed = await t.sdk.send(new AdminListDevicesCommand({ UserPoolId: pool.poolId, Username: name }));
    assert.deepEqual(
      listed.Devices!.map((d) => d.DeviceKey),
      [secret.deviceKey],
    );
    const got = await t.sdk.send(
      new AdminGetDeviceCommand({ UserPoolId: pool.poolId, Username: name, DeviceKey: secret.deviceKey }),
    );
    assert.equal(attributeMap(got.Device!.DeviceAttributes).device_name, 'laptop');
    await t.sdk.send(
      new AdminUpdateDeviceStatusCommand({
        UserPoolId: pool.poolId,
        Username: name,
        DeviceKey: secret.deviceKey,
        DeviceRememberedStatus: 'not_remembered',
      }),
    );
    const after = await t.sdk.send(
      new AdminGetDeviceCommand({ UserPoolId: pool.poolId, Username: name, DeviceKey: secret.deviceKey }),
    );
    assert.equal(attributeMap(after.Device!.DeviceAttributes)['dev:device_remembered_status'], 'not_remembered');
    await expectError(
      t.sdk.send(new AdminListDevicesCommand({ UserPoolId: pool.poolId, Username: 'nobody' })),
      'UserNotFoundException',
    );
    await expectError(
      t.sdk.send(new AdminListDevicesCommand({ UserPoolId: 'us-east-1_Nope12345', Username: name })),
      'ResourceNotFoundException',
    );
    const other = await user(pool);
    await expectError(
      t.sdk.send(new AdminGetDeviceCommand({ UserPoolId: pool.poolId, Username: other, DeviceKey: secret.deviceKey })),
      'ResourceNotFoundException',
    );
    await t.sdk.send(
      new AdminForgetDeviceCommand({ UserPoolId: pool.poolId, Username: name, DeviceKey: secret.deviceKey }),
    );
    assert.deepEqual(
      (await t.sdk.send(new AdminListDevicesCommand({ UserPoolId: pool.poolId, Username: name }))).Devices,
      [],
    );
    // Unsigned, the admin actions are not answered.
    const anonymous = t.sdkWith({ accessKeyId: 'AKIAOTHER000000000001', secretAccessKey: 'wrong-secret-0000000000' });
    const refused = await expectError(
      anonymous.send(new AdminListDevicesCommand({ UserPoolId: pool.poolId, Username: name })),
      'UnrecognizedClientException',
    );
    assert.ok(refused);
  });
});

describe('remembered devices and MFA', () => {
  /** A pool requiring MFA by email code, tracking devices as `config` says; a user with email MFA on. */
  async function mfaPool(config: typeof ALWAYS) {
    const poolId = await createPool(t, { DeviceConfiguration: config, AutoVerifiedAttributes: ['email'] });
    await t.sdk.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'ON',
        EmailMfaConfiguration: { Subject: 'Your sign-in code', Message: 'Sign-in code: {####}' },
      }),
    );
    const pool = { poolId, clientId: await createClient(t, poolId) };
    const name = fresh('mfa-dev');
    const email = uniqueEmail(name);
    await signUpConfirmed(t, pool.clientId, name, { email });
    await t.sdk.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: name,
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    return { pool, name, email };
  }

  /** Answers the EMAIL_OTP challenge with the code mailed since `seen`. */
  async function emailCode(pool: TestPool, name: string, email: string, session: string, seen: number) {
    return t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: 'EMAIL_OTP',
        Session: session,
        ChallengeResponses: { USERNAME: name, EMAIL_OTP_CODE: await newCodeFor(t, email, seen) },
      }),
    );
  }

  /** Password and email code from a new device, then ConfirmDevice. */
  async function confirmedAfterMfa(pool: TestPool, name: string, email: string) {
    const seen = mailsTo(t, email);
    const first = await passwordSignIn(pool, name);
    assert.equal(first.ChallengeName, 'EMAIL_OTP');
    const done = (await emailCode(pool, name, email, first.Session!, seen)).AuthenticationResult!;
    const { DeviceKey, DeviceGroupKey } = done.NewDeviceMetadata!;
    const { secret, config } = deviceVerifier(DeviceKey!, DeviceGroupKey!);
    await t.sdk.send(
      new ConfirmDeviceCommand({ AccessToken: done.AccessToken, DeviceKey, DeviceSecretVerifierConfig: config }),
    );
    return { secret, tokens: done };
  }

  test('another flow’s session given to a device challenge is refused, and not used up', async () => {
    const { pool, name, email } = await mfaPool(ALWAYS);
    const seen = mailsTo(t, email);
    const first = await passwordSignIn(pool, name);
    assert.equal(first.ChallengeName, 'EMAIL_OTP');
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'DEVICE_SRP_AUTH',
          Session: first.Session!,
          ChallengeResponses: { USERNAME: name, DEVICE_KEY: 'us-east-1_0000', SRP_A: deviceSrpStart().srpA },
        }),
      ),
      'NotAuthorizedException',
    );
    assert.ok((await emailCode(pool, name, email, first.Session!, seen)).AuthenticationResult);
  });

  test('a remembered device stands in for the code where ChallengeRequiredOnNewDevice is true', async () => {
    const { pool, name, email } = await mfaPool(ALWAYS);
    const { secret } = await confirmedAfterMfa(pool, name, email);
    const seen = mailsTo(t, email);
    const tokens = await deviceSignIn(pool, name, secret);
    assert.equal(jwtClaims(tokens.AccessToken).device_key, secret.deviceKey);
    assert.equal(mailsTo(t, email), seen, 'no code was sent');
  });

  test('a device not remembered, or a pool that does not let devices stand in, still asks for the code', async () => {
    for (const config of [OPT_IN, { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false }]) {
      const { pool, name, email } = await mfaPool(config);
      const { secret } = await confirmedAfterMfa(pool, name, email);
      const first = await srpSignIn(pool, name, secret.deviceKey);
      assert.equal(first.ChallengeName, 'DEVICE_SRP_AUTH');
      const proven = await proveDevice(pool, first.Session!, secret, name);
      const seen = mailsTo(t, email);
      const next = await answerVerifier(pool, secret, proven);
      assert.equal(next.ChallengeName, 'EMAIL_OTP', 'the device is proven, the second factor is still asked for');
      const done = (await emailCode(pool, name, email, next.Session!, seen)).AuthenticationResult!;
      assert.ok(done.AccessToken);
    }
  });

  // The MFA step keeps the proven device with its session (ProvenSignIn.device).
  test('after the code, a proven device is still that device: no new key', async () => {
    const { pool, name, email } = await mfaPool(OPT_IN);
    const { secret } = await confirmedAfterMfa(pool, name, email);
    const first = await srpSignIn(pool, name, secret.deviceKey);
    const proven = await proveDevice(pool, first.Session!, secret, name);
    const seen = mailsTo(t, email);
    const next = await answerVerifier(pool, secret, proven);
    const done = (await emailCode(pool, name, email, next.Session!, seen)).AuthenticationResult!;
    assert.equal(done.NewDeviceMetadata, undefined);
    assert.equal(jwtClaims(done.AccessToken!).device_key, secret.deviceKey);
  });
});
