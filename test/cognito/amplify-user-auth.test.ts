/**
 * Unmodified Amplify v6 (`aws-amplify/auth`) signing in with choice-based and passwordless sign-in
 * against Cognate (docs/passwordless.md): `signIn` with `authFlowType: 'USER_AUTH'` and a
 * `preferredChallenge`, or the first-factor selection, then `confirmSignIn` with the code from the
 * captured mail or the Twilio stand-in.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { PASSWORD, signUpConfirmed } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, otherCode, smsTo, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: CognitoTestApp;
let clientId: string;
const emails = new Map<string, string>();
const phone = uniquePhone();

before(async () => {
  t = await startCognitoApp();
  const { UserPool } = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'amplify-user-auth',
      AutoVerifiedAttributes: ['email', 'phone_number'],
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } },
    }),
  );
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool!.Id!,
      ClientName: 'web',
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  clientId = UserPoolClient!.ClientId!;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: UserPool!.Id!, userPoolClientId: clientId, userPoolEndpoint: t.endpoint } },
  });
  for (const name of ['amp-ann', 'amp-bob', 'amp-cy', 'amp-dee']) {
    const email = uniqueEmail(name);
    emails.set(name, email);
    await signUpConfirmed(t, clientId, name, { email });
  }
  await signUpConfirmed(t, clientId, 'amp-sms', { phone_number: phone });
});
after(async () => {
  await t?.close();
});
beforeEach(async () => {
  await signOut().catch(() => undefined);
});

describe('Amplify v6 USER_AUTH against Cognate', () => {
  it('preferredChallenge EMAIL_OTP: the code from the mail signs in; a wrong one first is asked again', async () => {
    const email = emails.get('amp-ann')!;
    const seen = mailsTo(t, email);
    const started = await signIn({
      username: 'amp-ann',
      options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
    });
    assert.equal(started.isSignedIn, false);
    assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    if (started.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE') return;
    assert.equal(started.nextStep.codeDeliveryDetails?.deliveryMedium, 'EMAIL');
    assert.match(started.nextStep.codeDeliveryDetails?.destination ?? '', /^a\*\*\*@e\*\*\*$/);
    const code = await newCodeFor(t, email, seen);
    await assert.rejects(confirmSignIn({ challengeResponse: otherCode(code) }), (error: Error) => {
      assert.equal(error.name, 'CodeMismatchException');
      return true;
    });
    const done = await confirmSignIn({ challengeResponse: code });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.equal((await getCurrentUser()).username, 'amp-ann');
    const { tokens } = await fetchAuthSession();
    assert.equal(tokens?.accessToken.payload.username, 'amp-ann');
  });

  it('no preference: CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION, then EMAIL_OTP and the code', async () => {
    const email = emails.get('amp-bob')!;
    const started = await signIn({ username: 'amp-bob', options: { authFlowType: 'USER_AUTH' } });
    assert.equal(started.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    if (started.nextStep.signInStep !== 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION') return;
    assert.deepEqual(started.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
    const seen = mailsTo(t, email);
    const chosen = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
    assert.equal(chosen.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const done = await confirmSignIn({ challengeResponse: await newCodeFor(t, email, seen) });
    assert.equal(done.isSignedIn, true);
    assert.equal((await getCurrentUser()).username, 'amp-bob');
  });

  it('first-factor selection of PASSWORD, then the password', async () => {
    const started = await signIn({ username: 'amp-cy', options: { authFlowType: 'USER_AUTH' } });
    assert.equal(started.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    const chosen = await confirmSignIn({ challengeResponse: 'PASSWORD' });
    assert.equal(chosen.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
    const done = await confirmSignIn({ challengeResponse: PASSWORD });
    assert.equal(done.isSignedIn, true);
    assert.equal((await getCurrentUser()).username, 'amp-cy');
  });

  it('first-factor selection of PASSWORD_SRP, then the password proven by SRP', async () => {
    const started = await signIn({ username: 'amp-dee', options: { authFlowType: 'USER_AUTH' } });
    assert.equal(started.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    const chosen = await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' });
    assert.equal(chosen.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
    const done = await confirmSignIn({ challengeResponse: PASSWORD });
    assert.equal(done.isSignedIn, true);
    assert.equal((await getCurrentUser()).username, 'amp-dee');
  });

  it('preferredChallenge PASSWORD_SRP with the password signs in at once', async () => {
    const done = await signIn({
      username: 'amp-dee',
      password: PASSWORD,
      options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' },
    });
    assert.equal(done.isSignedIn, true);
  });

  it('preferredChallenge SMS_OTP: the code through the Twilio stand-in signs in', async () => {
    const sent = smsTo(t, phone);
    const started = await signIn({
      username: 'amp-sms',
      options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' },
    });
    assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
    assert.equal(smsTo(t, phone), sent + 1);
    const done = await confirmSignIn({ challengeResponse: t.smsCodeFor(phone) });
    assert.equal(done.isSignedIn, true);
    assert.equal((await getCurrentUser()).username, 'amp-sms');
  });
});
