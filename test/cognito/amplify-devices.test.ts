/**
 * Unmodified Amplify v6 (`aws-amplify/auth`) with remembered devices against Cognate
 * (docs/devices.md): the device Amplify confirms on its own after a sign-in (ConfirmDevice with
 * its SRP verifier), `rememberDevice`, `fetchDevices`, `forgetDevice`, the next sign-in proving
 * the device (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) and refreshing with its key, and, in a
 * pool that requires MFA (email codes), the remembered device standing in for the second factor.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  AdminListDevicesCommand,
  AdminSetUserMFAPreferenceCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  rememberDevice,
  signIn,
  signOut,
} from 'aws-amplify/auth';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { PASSWORD, signUpConfirmed } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, uniqueEmail } from '../support/user-flows.ts';

// Amplify names the device after the browser (navigator.userAgent), as it does in a web app; Node 20
// has no navigator, so the test gives it one (Node 21 and later have their own).
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: 'Cognate-Amplify-test/1.0' },
    configurable: true,
  });
}

let t: CognitoTestApp;

/** A pool tracking devices (remembered ones stand in for MFA), its web client, and Amplify pointed at it. */
async function configure(mfa: boolean) {
  const { UserPool } = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: mfa ? 'amplify-devices-mfa' : 'amplify-devices',
      AutoVerifiedAttributes: ['email'],
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    }),
  );
  const poolId = UserPool!.Id!;
  if (mfa) {
    await t.sdk.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'ON',
        EmailMfaConfiguration: { Subject: 'Your sign-in code', Message: 'Sign-in code: {####}' },
      }),
    );
  }
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = UserPoolClient!.ClientId!;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.endpoint } },
  });
  return { poolId, clientId };
}

const deviceKeyOfSession = async () => (await fetchAuthSession()).tokens!.accessToken.payload.device_key as string;

before(async () => {
  t = await startCognitoApp();
});
after(async () => {
  await t?.close();
});
beforeEach(async () => {
  await signOut().catch(() => undefined);
});

describe('Amplify v6 remembered devices against Cognate', () => {
  it('the device Amplify confirms after sign-in; rememberDevice, fetchDevices; the next sign-in proves it; forgetDevice', async () => {
    const { poolId, clientId } = await configure(false);
    const username = 'amp-dev';
    await signUpConfirmed(t, clientId, username, { email: uniqueEmail(username) });

    const first = await signIn({ username, password: PASSWORD });
    assert.deepEqual(first, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const deviceKey = await deviceKeyOfSession();
    assert.match(deviceKey, /^us-east-1_[0-9a-f-]{36}$/);
    // Amplify confirmed the device itself (ConfirmDevice, with the navigator's name).
    const [device] = await fetchDevices();
    assert.equal(device!.id, deviceKey);
    assert.equal(device!.name, navigator.userAgent);
    assert.equal(device!.attributes['dev:device_remembered_status'], 'not_remembered');

    await rememberDevice();
    const [remembered] = await fetchDevices();
    assert.equal(remembered!.attributes['dev:device_remembered_status'], 'remembered');

    // Signed out and in again: Amplify sends DEVICE_KEY and answers DEVICE_SRP_AUTH with the device's secret.
    await signOut();
    const second = await signIn({ username, password: PASSWORD });
    assert.deepEqual(second, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.equal(await deviceKeyOfSession(), deviceKey, 'the same device, proven');
    const devices = await fetchDevices();
    assert.deepEqual(
      devices.map((d) => d.id),
      [deviceKey],
    );
    assert.ok(devices[0]!.lastAuthenticatedDate instanceof Date, 'the device proved itself at sign-in');
    // Refresh sends the device key (GetTokensFromRefreshToken DeviceKey), which this session requires.
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    assert.equal(refreshed.tokens!.accessToken.payload.device_key, deviceKey);

    await forgetDevice();
    assert.deepEqual(await fetchDevices(), []);
    const listed = await t.sdk.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: username }));
    assert.deepEqual(listed.Devices, []);
    // Forgotten, Amplify has no device any more: the next sign-in is a new device.
    await signOut();
    await signIn({ username, password: PASSWORD });
    const fresh = await deviceKeyOfSession();
    assert.notEqual(fresh, deviceKey);
    assert.deepEqual(
      (await fetchDevices()).map((d) => d.id),
      [fresh],
    );
  });

  it('in a pool that requires MFA, a remembered device skips the email code; a forgotten one does not', async () => {
    const { poolId, clientId } = await configure(true);
    const username = 'amp-mfa';
    const email = uniqueEmail(username);
    await signUpConfirmed(t, clientId, username, { email });
    await t.sdk.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: username,
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );

    // First sign-in: a new device, so the code is asked for.
    let seen = mailsTo(t, email);
    const first = await signIn({ username, password: PASSWORD });
    assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const done = await confirmSignIn({ challengeResponse: await newCodeFor(t, email, seen) });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const deviceKey = await deviceKeyOfSession();
    await rememberDevice();

    // From the remembered device: no code.
    await signOut();
    seen = mailsTo(t, email);
    const second = await signIn({ username, password: PASSWORD });
    assert.deepEqual(second, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.equal(await deviceKeyOfSession(), deviceKey);
    assert.equal(mailsTo(t, email), seen, 'no code was sent');

    // Forgotten: the code again.
    await forgetDevice();
    await signOut();
    seen = mailsTo(t, email);
    const third = await signIn({ username, password: PASSWORD });
    assert.equal(third.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const again = await confirmSignIn({ challengeResponse: await newCodeFor(t, email, seen) });
    assert.equal(again.isSignedIn, true);
    assert.notEqual(await deviceKeyOfSession(), deviceKey);
  });
});
