/**
 * Unmodified Amplify v6 (`aws-amplify/auth`) with MFA against Cognate (docs/mfa.md): setUpTOTP,
 * verifyTOTPSetup, updateMFAPreference, fetchMFAPreference; signIn → confirmSignIn with a TOTP
 * (computed here by RFC 6238), an email code (SMTP capture) and an SMS code (Twilio stand-in);
 * the factor choice (SELECT_MFA_TYPE); and in a pool that requires MFA, the setup steps during
 * sign-in (CONTINUE_SIGN_IN_WITH_TOTP_SETUP, and email set up after the setup selection).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  fetchAuthSession,
  fetchMFAPreference,
  getCurrentUser,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import { Secret, TOTP } from 'otpauth';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { PASSWORD } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, otherCode, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: CognitoTestApp;
const optional = { poolId: '', clientId: '' };
const required = { poolId: '', clientId: '' };

const totp = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

async function makePool(
  name: string,
  config: Omit<ConstructorParameters<typeof SetUserPoolMfaConfigCommand>[0], 'UserPoolId'>,
) {
  const { UserPool } = await t.sdk.send(
    new CreateUserPoolCommand({ PoolName: name, AutoVerifiedAttributes: ['email'] }),
  );
  await t.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id!, ...config }));
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool!.Id!,
      ClientName: 'web',
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
}

function use(pool: { poolId: string; clientId: string }) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: pool.poolId, userPoolClientId: pool.clientId, userPoolEndpoint: t.endpoint } },
  });
}

async function newUser(
  pool: { poolId: string; clientId: string },
  username: string,
  attributes: Record<string, string>,
) {
  await t.sdk.send(
    new SignUpCommand({
      ClientId: pool.clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: username }));
}

before(async () => {
  t = await startCognitoApp();
  Object.assign(
    optional,
    await makePool('amplify-mfa', {
      MfaConfiguration: 'OPTIONAL',
      SmsMfaConfiguration: {},
      SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: {},
    }),
  );
  Object.assign(
    required,
    await makePool('amplify-mfa-on', {
      MfaConfiguration: 'ON',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: {},
    }),
  );
});
after(() => t?.close());
beforeEach(async () => {
  await signOut().catch(() => undefined);
});

describe('Amplify v6 MFA against Cognate (MFA optional)', () => {
  beforeEach(() => use(optional));

  it('setUpTOTP, verifyTOTPSetup, updateMFAPreference, fetchMFAPreference; then signIn asks for the TOTP code', async () => {
    await newUser(optional, 'amp-totp', { email: uniqueEmail('amp-totp') });
    assert.deepEqual(await signIn({ username: 'amp-totp', password: PASSWORD }), {
      isSignedIn: true,
      nextStep: { signInStep: 'DONE' },
    });
    const setup = await setUpTOTP();
    assert.match(setup.sharedSecret, /^[A-Z2-7]{32}$/);
    // Amplify writes the account name JSON-quoted itself (setUpTOTP stringifies the username).
    assert.equal(
      setup.getSetupUri('Cognate').href,
      `otpauth://totp/Cognate:%22amp-totp%22?secret=${setup.sharedSecret}&issuer=Cognate`,
    );
    await assert.rejects(verifyTOTPSetup({ code: otherCode(totp(setup.sharedSecret)) }), (error: Error) => {
      assert.equal(error.name, 'EnableSoftwareTokenMFAException');
      return true;
    });
    await verifyTOTPSetup({ code: totp(setup.sharedSecret), options: { friendlyDeviceName: 'test phone' } });
    await updateMFAPreference({ totp: 'PREFERRED' });
    assert.deepEqual(await fetchMFAPreference(), { preferred: 'TOTP', enabled: ['TOTP'] });
    await signOut();

    const started = await signIn({ username: 'amp-totp', password: PASSWORD });
    assert.deepEqual(started, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } });
    await assert.rejects(
      confirmSignIn({ challengeResponse: otherCode(totp(setup.sharedSecret, 1)) }),
      (error: Error) => {
        assert.equal(error.name, 'CodeMismatchException');
        return true;
      },
    );
    // Amplify keeps the session after a wrong code, as against Cognito: the right one signs in.
    const done = await confirmSignIn({ challengeResponse: totp(setup.sharedSecret, 1) });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.equal((await getCurrentUser()).username, 'amp-totp');
    const { tokens } = await fetchAuthSession();
    assert.equal(tokens?.accessToken.payload.username, 'amp-totp');
  });

  it('email MFA: updateMFAPreference({ email: PREFERRED }), then confirmSignIn with the mailed code', async () => {
    const email = uniqueEmail('amp-mail');
    await newUser(optional, 'amp-mail', { email });
    await signIn({ username: 'amp-mail', password: PASSWORD });
    await updateMFAPreference({ email: 'PREFERRED' });
    assert.deepEqual(await fetchMFAPreference(), { preferred: 'EMAIL', enabled: ['EMAIL'] });
    await signOut();
    const seen = mailsTo(t, email);
    const started = await signIn({ username: 'amp-mail', password: PASSWORD });
    assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    if (started.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE') return;
    assert.equal(started.nextStep.codeDeliveryDetails?.deliveryMedium, 'EMAIL');
    assert.match(started.nextStep.codeDeliveryDetails?.destination ?? '', /^a\*\*\*@e\*\*\*$/);
    const code = await newCodeFor(t, email, seen);
    assert.deepEqual(await confirmSignIn({ challengeResponse: code }), {
      isSignedIn: true,
      nextStep: { signInStep: 'DONE' },
    });
  });

  it('SMS MFA: confirmSignIn with the code the Twilio stand-in received', async () => {
    const phone = uniquePhone();
    await newUser(optional, 'amp-sms', { email: uniqueEmail('amp-sms'), phone_number: phone });
    await signIn({ username: 'amp-sms', password: PASSWORD });
    await updateMFAPreference({ sms: 'PREFERRED' });
    await signOut();
    const before = t.twilio.messages.filter((m) => m.to === phone).length;
    const started = await signIn({ username: 'amp-sms', password: PASSWORD });
    assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
    assert.equal(t.twilio.messages.filter((m) => m.to === phone).length, before + 1);
    const done = await confirmSignIn({ challengeResponse: t.twilio.codeFor(phone) });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  });

  it('two factors, none preferred: CONTINUE_SIGN_IN_WITH_MFA_SELECTION, then the chosen factor’s code', async () => {
    const email = uniqueEmail('amp-choose');
    await newUser(optional, 'amp-choose', { email, phone_number: uniquePhone() });
    await signIn({ username: 'amp-choose', password: PASSWORD });
    await updateMFAPreference({ sms: 'ENABLED', email: 'ENABLED' });
    assert.deepEqual(await fetchMFAPreference(), { preferred: undefined, enabled: ['SMS', 'EMAIL'] });
    await signOut();
    const started = await signIn({ username: 'amp-choose', password: PASSWORD });
    assert.equal(started.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION');
    if (started.nextStep.signInStep !== 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION') return;
    assert.deepEqual(started.nextStep.allowedMFATypes, ['SMS', 'EMAIL']);
    const seen = mailsTo(t, email);
    const chosen = await confirmSignIn({ challengeResponse: 'EMAIL' });
    assert.equal(chosen.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const done = await confirmSignIn({ challengeResponse: await newCodeFor(t, email, seen) });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  });
});

describe('Amplify v6 against a pool that requires MFA', () => {
  beforeEach(() => use(required));

  it('TOTP set up during sign-in: CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION → TOTP → CONTINUE_SIGN_IN_WITH_TOTP_SETUP → DONE', async () => {
    await newUser(required, 'amp-setup', { email: uniqueEmail('amp-setup') });
    const started = await signIn({ username: 'amp-setup', password: PASSWORD });
    assert.equal(started.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION');
    if (started.nextStep.signInStep !== 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION') return;
    assert.deepEqual(started.nextStep.allowedMFATypes, ['TOTP', 'EMAIL']);
    const totpStep = await confirmSignIn({ challengeResponse: 'TOTP' });
    assert.equal(totpStep.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    if (totpStep.nextStep.signInStep !== 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP') return;
    const secret = totpStep.nextStep.totpSetupDetails.sharedSecret;
    const done = await confirmSignIn({ challengeResponse: totp(secret) });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.deepEqual(await fetchMFAPreference(), { preferred: 'TOTP', enabled: ['TOTP'] });
    await signOut();
    const again = await signIn({ username: 'amp-setup', password: PASSWORD });
    assert.equal(again.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    assert.deepEqual(await confirmSignIn({ challengeResponse: totp(secret, 1) }), {
      isSignedIn: true,
      nextStep: { signInStep: 'DONE' },
    });
  });

  it('email set up during sign-in: EMAIL → CONTINUE_SIGN_IN_WITH_EMAIL_SETUP → the address → the code → DONE', async () => {
    const email = uniqueEmail('amp-mailsetup');
    await newUser(required, 'amp-mailsetup', { email });
    await signIn({ username: 'amp-mailsetup', password: PASSWORD });
    const emailStep = await confirmSignIn({ challengeResponse: 'EMAIL' });
    assert.equal(emailStep.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP');
    const seen = mailsTo(t, email);
    const codeStep = await confirmSignIn({ challengeResponse: email });
    assert.equal(codeStep.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const done = await confirmSignIn({ challengeResponse: await newCodeFor(t, email, seen) });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.deepEqual(await fetchMFAPreference(), { preferred: 'EMAIL', enabled: ['EMAIL'] });
  });
});
