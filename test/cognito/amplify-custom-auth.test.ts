/**
 * Unmodified Amplify v6 (`aws-amplify/auth`) signing in with custom authentication against Cognate
 * (docs/custom-auth.md): `signIn` with CUSTOM_WITHOUT_SRP and CUSTOM_WITH_SRP, `confirmSignIn` with
 * the answer, the public challenge parameters as `nextStep.additionalInfo`; a real hook server
 * plays the Define, Create and Verify auth challenge triggers.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookRequest, type HookServer } from '../support/hook-server.ts';
import { PASSWORD, signUpConfirmed } from '../support/sdk-flows.ts';
import { uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
let clientId: string;
const codes = new Map<string, string>();
let issued = 0;

function hooks(request: HookRequest) {
  const event = request.body;
  const session: { challengeName: string; challengeResult: boolean }[] = event.request.session ?? [];
  const reply = (response: Record<string, unknown>) => ({
    status: 200,
    body: { ...event, response: { ...event.response, ...response } },
  });
  switch (event.triggerSource) {
    case 'DefineAuthChallenge_Authentication': {
      const last = session.at(-1);
      if (session.length === 1 && last?.challengeName === 'SRP_A') return reply({ challengeName: 'PASSWORD_VERIFIER' });
      if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) return reply({ issueTokens: true });
      if (session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length >= 3)
        return reply({ failAuthentication: true });
      return reply({ challengeName: 'CUSTOM_CHALLENGE' });
    }
    case 'CreateAuthChallenge_Authentication': {
      issued += 1;
      const code = String(300000 + issued);
      codes.set(event.userName, code);
      return reply({
        publicChallengeParameters: { question: 'Enter the code we mailed you', digits: '6' },
        privateChallengeParameters: { code },
      });
    }
    case 'VerifyAuthChallengeResponse_Authentication':
      return reply({ answerCorrect: event.request.challengeAnswer === event.request.privateChallengeParameters.code });
    default:
      return { status: 200, body: event };
  }
}

before(async () => {
  t = await startCognitoApp();
  hook = await startHookServer({ handler: hooks });
  const { UserPool } = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'amplify-custom',
      AutoVerifiedAttributes: ['email'],
      LambdaConfig: {
        DefineAuthChallenge: hook.url,
        CreateAuthChallenge: hook.url,
        VerifyAuthChallengeResponse: hook.url,
      },
    }),
  );
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool!.Id!,
      ClientName: 'web',
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  clientId = UserPoolClient!.ClientId!;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: UserPool!.Id!, userPoolClientId: clientId, userPoolEndpoint: t.endpoint } },
  });
  for (const name of ['amp-ann', 'amp-bob', 'amp-cy'])
    await signUpConfirmed(t, clientId, name, { email: uniqueEmail(name) });
});
after(async () => {
  await hook.close();
  await t?.close();
});
beforeEach(async () => {
  await signOut().catch(() => undefined);
  hook.requests.length = 0;
});

describe('Amplify v6 custom authentication against Cognate', () => {
  it('CUSTOM_WITHOUT_SRP: the challenge’s public parameters arrive as additionalInfo; a wrong answer asks again; the code signs in', async () => {
    const started = await signIn({ username: 'amp-ann', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
    assert.equal(started.isSignedIn, false);
    assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    if (started.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE') return;
    assert.deepEqual(started.nextStep.additionalInfo, {
      question: 'Enter the code we mailed you',
      digits: '6',
      USERNAME: 'amp-ann',
    });
    const retry = await confirmSignIn({ challengeResponse: '000000' });
    assert.equal(retry.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    const done = await confirmSignIn({ challengeResponse: codes.get('amp-ann')! });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.equal((await getCurrentUser()).username, 'amp-ann');
    const { tokens } = await fetchAuthSession();
    assert.equal(tokens?.accessToken.payload.username, 'amp-ann');
  });

  it('CUSTOM_WITHOUT_SRP: three wrong answers end the sign-in with NotAuthorizedException', async () => {
    await signIn({ username: 'amp-bob', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
    await confirmSignIn({ challengeResponse: 'x' });
    await confirmSignIn({ challengeResponse: 'y' });
    await assert.rejects(confirmSignIn({ challengeResponse: 'z' }), (error: Error) => {
      assert.equal(error.name, 'NotAuthorizedException');
      assert.equal(error.message, 'Incorrect username or password.');
      return true;
    });
  });

  it('CUSTOM_WITH_SRP: the password by SRP first, then the custom challenge', async () => {
    const started = await signIn({
      username: 'amp-cy',
      password: PASSWORD,
      options: { authFlowType: 'CUSTOM_WITH_SRP' },
    });
    assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    const defines = hook.requests.filter((r) => r.body.triggerSource === 'DefineAuthChallenge_Authentication');
    assert.deepEqual(
      defines.at(-1)!.body.request.session.map((s: { challengeName: string }) => s.challengeName),
      ['SRP_A', 'PASSWORD_VERIFIER'],
    );
    const done = await confirmSignIn({ challengeResponse: codes.get('amp-cy')! });
    assert.equal(done.isSignedIn, true);
    assert.equal((await getCurrentUser()).username, 'amp-cy');
  });

  it('CUSTOM_WITH_SRP with a wrong password fails before any custom challenge', async () => {
    hook.requests.length = 0;
    await assert.rejects(
      signIn({ username: 'amp-cy', password: 'Wrong-passw0rd!', options: { authFlowType: 'CUSTOM_WITH_SRP' } }),
      (error: Error) => error.name === 'NotAuthorizedException',
    );
    assert.equal(hook.requests.filter((r) => r.body.triggerSource.startsWith('Create')).length, 0);
  });
});
