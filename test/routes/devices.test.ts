/**
 * Remembered devices on the REST face (docs/devices.md): the pool's deviceConfiguration,
 * newDeviceMetadata with the tokens, /v1/me/devices (confirm, list, get, remember, forget), the
 * device's proof at /v1/auth/respond-to-challenge, refresh with deviceKey, and the admin routes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, createPoolWithClient, decodeJwt, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { deviceProof, deviceSrpStart, deviceVerifier, type DeviceSecret } from '../support/device-srp.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const ALWAYS = { challengeRequiredOnNewDevice: true, deviceOnlyRememberedOnUserPrompt: false };
const OPT_IN = { challengeRequiredOnNewDevice: true, deviceOnlyRememberedOnUserPrompt: true };

async function devicePool(deviceConfiguration: unknown = ALWAYS) {
  return createPoolWithClient(t, { autoVerifiedAttributes: ['email'], deviceConfiguration });
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  newDeviceMetadata?: { deviceKey: string; deviceGroupKey: string };
}

/** A signed-up user's first sign-in (a new device), then the device confirmed with its verifier. */
async function userWithDevice(clientId: string, deviceName = 'phone') {
  const email = uniqueEmail('dev');
  const tokens = (await signedInUser(t, clientId, email, { email })) as unknown as Tokens;
  const { deviceKey, deviceGroupKey } = tokens.newDeviceMetadata!;
  const { secret, config } = deviceVerifier(deviceKey, deviceGroupKey);
  const confirmed = await t.call(
    'POST',
    `/v1/me/devices/${deviceKey}/confirm`,
    { deviceSecretVerifierConfig: { passwordVerifier: config.PasswordVerifier, salt: config.Salt }, deviceName },
    tokens.accessToken,
  );
  return { email, tokens, secret, confirmed };
}

/** The whole sign-in from a remembered device over REST. */
async function deviceSignIn(clientId: string, username: string, device: DeviceSecret) {
  const first = await t.call('POST', '/v1/auth/sign-in', {
    clientId,
    username,
    password: PASSWORD,
    deviceKey: device.deviceKey,
  });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.challengeName, 'DEVICE_SRP_AUTH');
  const start = deviceSrpStart();
  const verifier = await t.call('POST', '/v1/auth/respond-to-challenge', {
    clientId,
    challengeName: 'DEVICE_SRP_AUTH',
    session: first.body.session,
    username: first.body.challengeParameters.USERNAME,
    deviceKey: device.deviceKey,
    srpA: start.srpA,
  });
  assert.equal(verifier.status, 200, JSON.stringify(verifier.body));
  assert.equal(verifier.body.challengeName, 'DEVICE_PASSWORD_VERIFIER');
  const proof = deviceProof(device, start, verifier.body.challengeParameters);
  return t.call('POST', '/v1/auth/respond-to-challenge', {
    clientId,
    challengeName: 'DEVICE_PASSWORD_VERIFIER',
    session: verifier.body.session,
    username: proof.USERNAME,
    deviceKey: device.deviceKey,
    passwordClaimSecretBlock: proof.PASSWORD_CLAIM_SECRET_BLOCK,
    timestamp: proof.TIMESTAMP,
    passwordClaimSignature: proof.PASSWORD_CLAIM_SIGNATURE,
  });
}

describe('devices (REST)', () => {
  test('the pool’s deviceConfiguration: set at creation, shown, changed and turned off by PATCH', async () => {
    const { poolId, pool } = await devicePool(OPT_IN);
    assert.deepEqual(pool.deviceConfiguration, OPT_IN);
    const plain = await createPoolWithClient(t);
    assert.equal(plain.pool.deviceConfiguration, null);
    const patched = await t.admin('PATCH', `/v1/pools/${poolId}`, { deviceConfiguration: ALWAYS });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.deviceConfiguration, ALWAYS);
    const off = await t.admin('PATCH', `/v1/pools/${poolId}`, { deviceConfiguration: null });
    assert.equal(off.body.deviceConfiguration, null);
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}`)).body.deviceConfiguration, null);
    const bad = await t.admin('PATCH', `/v1/pools/${poolId}`, {
      deviceConfiguration: { challengeRequiredOnNewDevice: true },
    });
    assertProblem(bad, 400, 'InvalidParameterException');
    const extra = await t.admin('POST', '/v1/pools', { name: 'x', deviceConfiguration: { ...ALWAYS, more: 1 } });
    assertProblem(extra, 400, 'InvalidParameterException');
  });

  test('sign-in gives newDeviceMetadata; confirm, list, get, remember and forget the device', async () => {
    const { clientId } = await devicePool(OPT_IN);
    const { tokens, secret, confirmed } = await userWithDevice(clientId);
    assert.equal(decodeJwt(tokens.accessToken).device_key, secret.deviceKey);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.deepEqual(confirmed.body, { userConfirmationNecessary: true });
    const token = tokens.accessToken;
    const listed = await t.call('GET', '/v1/me/devices', undefined, token);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.devices.length, 1);
    const device = listed.body.devices[0];
    assert.equal(device.deviceKey, secret.deviceKey);
    assert.equal(device.attributes.device_name, 'phone');
    assert.equal(device.attributes['dev:device_remembered_status'], 'not_remembered');
    assert.equal(device.lastAuthenticatedAt, null);

    const remembered = await t.call(
      'PATCH',
      `/v1/me/devices/${secret.deviceKey}`,
      { deviceRememberedStatus: 'remembered' },
      token,
    );
    assert.equal(remembered.status, 200, JSON.stringify(remembered.body));
    const got = await t.call('GET', `/v1/me/devices/${secret.deviceKey}`, undefined, token);
    assert.equal(got.body.attributes['dev:device_remembered_status'], 'remembered');

    assertProblem(
      await t.call('PATCH', `/v1/me/devices/${secret.deviceKey}`, { deviceRememberedStatus: 'maybe' }, token),
      400,
      'InvalidParameterException',
    );
    assertProblem(await t.call('GET', '/v1/me/devices?limit=61', undefined, token), 400, 'InvalidParameterException');
    assertProblem(await t.call('GET', '/v1/me/devices/not-a-key', undefined, token), 400, 'InvalidParameterException');
    assertProblem(await t.call('GET', '/v1/me/devices', undefined), 401, 'NotAuthorizedException');

    const forgotten = await t.call('DELETE', `/v1/me/devices/${secret.deviceKey}`, undefined, token);
    assert.equal(forgotten.status, 204);
    assertProblem(
      await t.call('GET', `/v1/me/devices/${secret.deviceKey}`, undefined, token),
      404,
      'ResourceNotFoundException',
      'Device does not exist.',
    );
    assertProblem(
      await t.call('DELETE', `/v1/me/devices/${secret.deviceKey}`, undefined, token),
      404,
      'ResourceNotFoundException',
    );
  });

  test('confirm’s bad cases: another user’s key, a bad verifier, twice', async () => {
    const { clientId } = await devicePool();
    const alice = await userWithDevice(clientId);
    const email = uniqueEmail('bob');
    const bob = (await signedInUser(t, clientId, email, { email })) as unknown as Tokens;
    const { config } = deviceVerifier(bob.newDeviceMetadata!.deviceKey, bob.newDeviceMetadata!.deviceGroupKey);
    const body = { deviceSecretVerifierConfig: { passwordVerifier: config.PasswordVerifier, salt: config.Salt } };
    assertProblem(
      await t.call(
        'POST',
        `/v1/me/devices/${bob.newDeviceMetadata!.deviceKey}/confirm`,
        body,
        alice.tokens.accessToken,
      ),
      404,
      'ResourceNotFoundException',
    );
    assertProblem(
      await t.call(
        'POST',
        `/v1/me/devices/${bob.newDeviceMetadata!.deviceKey}/confirm`,
        { deviceSecretVerifierConfig: { passwordVerifier: 'AQ==', salt: config.Salt } },
        bob.accessToken,
      ),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await t.call('POST', `/v1/me/devices/${alice.secret.deviceKey}/confirm`, body, alice.tokens.accessToken),
      400,
      'InvalidParameterException',
      'Device is already confirmed.',
    );
  });

  test('a sign-in from the remembered device proves it at respond-to-challenge; refresh must name it', async () => {
    const { clientId } = await devicePool();
    const { email, secret } = await userWithDevice(clientId);
    const signedIn = await deviceSignIn(clientId, email, secret);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.newDeviceMetadata, undefined);
    assert.equal(decodeJwt(signedIn.body.accessToken).device_key, secret.deviceKey);

    const withoutKey = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: signedIn.body.refreshToken });
    assertProblem(withoutKey, 401, 'NotAuthorizedException', 'Invalid Refresh Token');
    const refreshed = await t.call('POST', '/v1/auth/refresh', {
      clientId,
      refreshToken: signedIn.body.refreshToken,
      deviceKey: secret.deviceKey,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(decodeJwt(refreshed.body.accessToken).device_key, secret.deviceKey);

    // A wrong proof: the generic answer.
    const first = await t.call('POST', '/v1/auth/sign-in', {
      clientId,
      username: email,
      password: PASSWORD,
      deviceKey: secret.deviceKey,
    });
    const start = deviceSrpStart();
    const verifier = await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId,
      challengeName: 'DEVICE_SRP_AUTH',
      session: first.body.session,
      username: email,
      deviceKey: secret.deviceKey,
      srpA: start.srpA,
    });
    const proof = deviceProof(secret, start, verifier.body.challengeParameters, { password: 'guess' });
    const refused = await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId,
      challengeName: 'DEVICE_PASSWORD_VERIFIER',
      session: verifier.body.session,
      username: email,
      deviceKey: secret.deviceKey,
      passwordClaimSecretBlock: proof.PASSWORD_CLAIM_SECRET_BLOCK,
      timestamp: proof.TIMESTAMP,
      passwordClaimSignature: proof.PASSWORD_CLAIM_SIGNATURE,
    });
    assertProblem(refused, 401, 'NotAuthorizedException', 'Incorrect username or password.');
  });

  test('admin routes: list, get, update and forget a user’s devices; unknown users and keys', async () => {
    const { poolId, clientId } = await devicePool();
    const { email, secret } = await userWithDevice(clientId, 'tablet');
    const base = `/v1/pools/${poolId}/users/${encodeURIComponent(email)}/devices`;
    const listed = await t.admin('GET', base);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.devices.map((d: { deviceKey: string }) => d.deviceKey),
      [secret.deviceKey],
    );
    const got = await t.admin('GET', `${base}/${secret.deviceKey}`);
    assert.equal(got.body.attributes.device_name, 'tablet');
    assert.equal(got.body.attributes['dev:device_remembered_status'], 'remembered');
    const patched = await t.admin('PATCH', `${base}/${secret.deviceKey}`, { deviceRememberedStatus: 'not_remembered' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(
      (await t.admin('GET', `${base}/${secret.deviceKey}`)).body.attributes['dev:device_remembered_status'],
      'not_remembered',
    );
    assertProblem(await t.admin('GET', `/v1/pools/${poolId}/users/nobody/devices`), 404, 'UserNotFoundException');
    assertProblem(
      await t.admin('GET', `${base}/us-east-1_00000000-0000-0000-0000-000000000000`),
      404,
      'ResourceNotFoundException',
    );
    assert.equal((await t.admin('DELETE', `${base}/${secret.deviceKey}`)).status, 204);
    assert.deepEqual((await t.admin('GET', base)).body.devices, []);
    assertProblem(await t.call('GET', base), 401, 'NotAuthorizedException');
  });
});
