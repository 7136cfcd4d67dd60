/**
 * The triggers the flows fire, on the Cognito face: the real AWS SDK and Amplify v6 against real
 * HTTP hook servers (docs/trigger-events.md). Hooks are configured through CreateUserPool's LambdaConfig.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { signIn as amplifySignIn, signOut as amplifySignOut, signUp as amplifySignUp } from 'aws-amplify/auth';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { PASSWORD, attributeList, attributeMap, expectError, poolWithClient, signIn } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
before(async () => {
  t = await startCognitoApp({}, { hookPolicy: { timeoutMs: 300, retryDelayMs: 10 } });
  hook = await startHookServer();
});
after(async () => {
  await hook.close();
  await t.close();
});
beforeEach(() => {
  hook.reset();
  hook.requests.length = 0;
});

const hookedPool = (LambdaConfig: Record<string, string>, client: Record<string, unknown> = {}) =>
  poolWithClient(t, { AutoVerifiedAttributes: ['email'], LambdaConfig }, client);

async function status(poolId: string, username: string): Promise<string | undefined> {
  try {
    return (await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }))).UserStatus;
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return undefined;
    throw error;
  }
}

describe('PreSignUp', () => {
  test('SignUp sends ValidationData and ClientMetadata; autoConfirmUser answers UserConfirmed true and sends no code', async () => {
    const { poolId, clientId } = await hookedPool({ PreSignUp: hook.url });
    hook.respondWith({ autoConfirmUser: true, autoVerifyEmail: true });
    const email = uniqueEmail('sdk-auto');
    const result = await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'sdk-auto',
        Password: PASSWORD,
        UserAttributes: attributeList({ email }),
        ValidationData: attributeList({ recaptcha: 'token-1' }),
        ClientMetadata: { locale: 'fr' },
      }),
    );
    assert.equal(result.UserConfirmed, true);
    assert.equal(result.CodeDeliveryDetails, undefined);
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'PreSignUp_SignUp');
    assert.equal(event.userPoolId, poolId);
    assert.equal(event.callerContext.clientId, clientId);
    assert.deepEqual(event.request, {
      userAttributes: { email },
      validationData: { recaptcha: 'token-1' },
      clientMetadata: { locale: 'fr' },
    });
    assert.equal(await status(poolId, 'sdk-auto'), 'CONFIRMED');
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'sdk-auto' }));
    assert.equal(attributeMap(user.UserAttributes).email_verified, 'true');
    await signIn(t, clientId, 'sdk-auto');
    assert.equal(mailsTo(t, email), 0);
  });

  test('a refusal is UserLambdaValidationException with Cognito’s wording; no user, no code', async () => {
    const { poolId, clientId } = await hookedPool({ PreSignUp: hook.url });
    hook.answer(400, { errorMessage: 'Invitation only', errorType: 'Error' });
    const email = uniqueEmail('sdk-refused');
    await expectError(
      t.sdk.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: 'sdk-refused',
          Password: PASSWORD,
          UserAttributes: attributeList({ email }),
        }),
      ),
      'UserLambdaValidationException',
      'PreSignUp failed with error Invitation only.',
    );
    assert.equal(await status(poolId, 'sdk-refused'), undefined);
    assert.equal(mailsTo(t, email), 0);
  });

  test('a hook that times out or answers garbage leaves no user', async () => {
    const { poolId, clientId } = await hookedPool({ PreSignUp: hook.url });
    hook.delay(1000);
    const signUp = (name: string) =>
      t.sdk.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: name,
          Password: PASSWORD,
          UserAttributes: attributeList({ email: uniqueEmail(name) }),
        }),
      );
    const slow = await signUp('sdk-slow').catch((error: Error) => error);
    assert.equal((slow as Error).name, 'UnexpectedLambdaException');
    hook.reset();
    hook.answer(200, { not: 'the event' });
    const garbage = await signUp('sdk-garbage').catch((error: Error) => error);
    assert.equal((garbage as Error).name, 'InvalidLambdaResponseException');
    assert.equal(await status(poolId, 'sdk-slow'), undefined);
    assert.equal(await status(poolId, 'sdk-garbage'), undefined);
  });

  test('AdminCreateUser fires PreSignUp_AdminCreateUser with ValidationData and ClientMetadata', async () => {
    const { poolId } = await hookedPool({ PreSignUp: hook.url });
    const created = await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'sdk-invited',
        UserAttributes: attributeList({ email: uniqueEmail('sdk-invited') }),
        ValidationData: attributeList({ ticket: 'T-1' }),
        ClientMetadata: { by: 'ops' },
        MessageAction: 'SUPPRESS',
      }),
    );
    assert.equal(created.User?.UserStatus, 'FORCE_CHANGE_PASSWORD');
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'PreSignUp_AdminCreateUser');
    assert.equal(event.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
    assert.deepEqual(event.request.validationData, { ticket: 'T-1' });
    assert.deepEqual(event.request.clientMetadata, { by: 'ops' });

    hook.answer(400, { errorMessage: 'no' });
    await expectError(
      t.sdk.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'sdk-not-invited', MessageAction: 'SUPPRESS' }),
      ),
      'UserLambdaValidationException',
      'PreSignUp failed with error no.',
    );
    assert.equal(await status(poolId, 'sdk-not-invited'), undefined);
  });
});

describe('PreAuthentication and PostAuthentication', () => {
  test('USER_PASSWORD_AUTH: pre gets ClientMetadata as validationData, post none; a refusal gives no tokens', async () => {
    const { clientId } = await hookedPool(
      { PreSignUp: hook.url, PreAuthentication: hook.url, PostAuthentication: hook.url },
      { PreventUserExistenceErrors: 'LEGACY' },
    );
    // PreSignUp auto-confirms, so the user can sign in at once.
    hook.respondWith({ autoConfirmUser: true });
    await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'sdk-auth',
        Password: PASSWORD,
        UserAttributes: attributeList({ email: uniqueEmail() }),
      }),
    );
    hook.reset();
    hook.requests.length = 0;
    const result = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'sdk-auth', PASSWORD },
        ClientMetadata: { app: 'mobile' },
      }),
    );
    assert.ok(result.AuthenticationResult?.AccessToken);
    const [pre, post] = hook.requests.map((r) => r.body);
    assert.equal(pre.triggerSource, 'PreAuthentication_Authentication');
    assert.deepEqual(pre.request.validationData, { app: 'mobile' });
    // A LEGACY client does not hide existence: no userNotFound member.
    assert.equal('userNotFound' in pre.request, false);
    assert.equal(post.triggerSource, 'PostAuthentication_Authentication');
    assert.equal(post.request.newDeviceUsed, false);
    assert.equal('clientMetadata' in post.request, false);

    hook.answer(400, { errorMessage: 'Locked by policy' });
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'sdk-auth', PASSWORD },
        }),
      ),
      'UserLambdaValidationException',
      'PreAuthentication failed with error Locked by policy.',
    );
    // LEGACY: an unknown user is told so, and no hook hears of it.
    hook.requests.length = 0;
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'sdk-nobody', PASSWORD },
        }),
      ),
      'UserNotFoundException',
    );
    assert.equal(hook.requests.length, 0);
  });

  test('NEW_PASSWORD_REQUIRED: PostAuthentication gets RespondToAuthChallenge’s ClientMetadata; its refusal gives no tokens', async () => {
    const { poolId, clientId } = await hookedPool({ PostAuthentication: hook.url });
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'sdk-np',
        TemporaryPassword: 'Temp0rary!',
        MessageAction: 'SUPPRESS',
      }),
    );
    const challenge = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'sdk-np', PASSWORD: 'Temp0rary!' },
      }),
    );
    assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.equal(hook.requests.length, 0);
    hook.answer(400, { errorMessage: 'not today' });
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: 'sdk-np', NEW_PASSWORD: 'N3w-passw0rd!' },
          ClientMetadata: { step: 'np' },
        }),
      ),
      'UserLambdaValidationException',
      'PostAuthentication failed with error not today.',
    );
    assert.deepEqual(hook.last().body.request.clientMetadata, { step: 'np' });
    // The new password was set before the hook was asked (docs/trigger-events.md): it signs in now.
    hook.reset();
    await signIn(t, clientId, 'sdk-np', 'N3w-passw0rd!');
  });
});

describe('PostConfirmation', () => {
  test('ConfirmSignUp, AdminConfirmSignUp and ConfirmForgotPassword fire it after the change; a failure leaves the change', async () => {
    const { poolId, clientId } = await hookedPool({ PostConfirmation: hook.url });
    const email = uniqueEmail('sdk-pc');
    await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'sdk-pc',
        Password: PASSWORD,
        UserAttributes: attributeList({ email }),
      }),
    );
    hook.answer(400, { errorMessage: 'CRM is down' });
    await expectError(
      t.sdk.send(
        new ConfirmSignUpCommand({
          ClientId: clientId,
          Username: 'sdk-pc',
          ConfirmationCode: await newCodeFor(t, email, 0),
          ClientMetadata: { k: 'v' },
        }),
      ),
      'UserLambdaValidationException',
      'PostConfirmation failed with error CRM is down.',
    );
    assert.equal(hook.last().body.triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.deepEqual(hook.last().body.request.clientMetadata, { k: 'v' });
    assert.equal(await status(poolId, 'sdk-pc'), 'CONFIRMED');

    hook.reset();
    await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'sdk-pc2',
        Password: PASSWORD,
        UserAttributes: attributeList({ email: uniqueEmail() }),
      }),
    );
    await t.sdk.send(
      new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'sdk-pc2', ClientMetadata: { a: 'b' } }),
    );
    assert.equal(hook.last().body.triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(hook.last().body.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
    assert.deepEqual(hook.last().body.request.clientMetadata, { a: 'b' });

    const seen = mailsTo(t, email);
    await t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'sdk-pc' }));
    await t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'sdk-pc',
        ConfirmationCode: await newCodeFor(t, email, seen),
        Password: 'N3w-passw0rd!',
      }),
    );
    assert.equal(hook.last().body.triggerSource, 'PostConfirmation_ConfirmForgotPassword');
  });
});

describe('Amplify v6', () => {
  test('signUp is complete at once when PreSignUp auto-confirms; signIn (SRP) fires pre on InitiateAuth, post on the answer', async () => {
    const { poolId, clientId } = await hookedPool({
      PreSignUp: hook.url,
      PreAuthentication: hook.url,
      PostAuthentication: hook.url,
    });
    Amplify.configure({
      Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.endpoint } },
    });
    hook.handle((request) => ({
      status: 200,
      body:
        request.body.triggerSource === 'PreSignUp_SignUp'
          ? { ...request.body, response: { ...request.body.response, autoConfirmUser: true, autoVerifyEmail: true } }
          : request.body,
    }));
    const email = uniqueEmail('amplify-auto');
    const signedUp = await amplifySignUp({
      username: 'amplify-auto',
      password: PASSWORD,
      options: { userAttributes: { email }, validationData: { v: '1' }, clientMetadata: { c: '2' } },
    });
    assert.equal(signedUp.isSignUpComplete, true);
    assert.equal(signedUp.nextStep.signUpStep, 'DONE');
    assert.deepEqual(hook.last().body.request.validationData, { v: '1' });
    hook.requests.length = 0;
    const signedIn = await amplifySignIn({ username: 'amplify-auto', password: PASSWORD });
    assert.equal(signedIn.isSignedIn, true);
    assert.deepEqual(
      hook.requests.map((r) => r.body.triggerSource),
      ['PreAuthentication_Authentication', 'PostAuthentication_Authentication'],
    );
    await amplifySignOut();
  });
});

describe('CustomMessage', () => {
  test('SignUp, ResendConfirmationCode and GetUserAttributeVerificationCode: the hook’s text with the code put in', async () => {
    const { clientId } = await hookedPool({ CustomMessage: hook.url });
    hook.handle((request) => ({
      status: 200,
      body: {
        ...request.body,
        response: {
          emailSubject: request.body.triggerSource,
          emailMessage: `Code: ${request.body.request.codeParameter}`,
        },
      },
    }));
    const email = uniqueEmail('sdk-cm');
    await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'sdk-cm',
        Password: PASSWORD,
        UserAttributes: attributeList({ email }),
        ClientMetadata: { from: 'sdk' },
      }),
    );
    const code = await newCodeFor(t, email, 0);
    const subjects = () => t.smtp.messages.filter((m) => m.to.includes(email)).map((m) => m.subject);
    assert.deepEqual(subjects(), ['CustomMessage_SignUp']);
    assert.deepEqual(hook.last().body.request.clientMetadata, { from: 'sdk' });
    assert.ok(!hook.last().raw.includes(code));
    await t.sdk.send(
      new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'sdk-cm', ClientMetadata: { r: '1' } }),
    );
    const resent = await newCodeFor(t, email, 1);
    assert.deepEqual(subjects(), ['CustomMessage_SignUp', 'CustomMessage_ResendCode']);
    assert.deepEqual(hook.last().body.request.clientMetadata, { r: '1' });
    await t.sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'sdk-cm', ConfirmationCode: resent }));
    const tokens = await signIn(t, clientId, 'sdk-cm');
    await t.sdk.send(
      new GetUserAttributeVerificationCodeCommand({
        AccessToken: tokens.AccessToken,
        AttributeName: 'email',
        ClientMetadata: { v: '2' },
      }),
    );
    await newCodeFor(t, email, 2);
    assert.equal(subjects().at(-1), 'CustomMessage_VerifyUserAttribute');
    assert.deepEqual(hook.last().body.request.clientMetadata, { v: '2' });
    assert.match(t.smtp.messages.at(-1)!.text, /^Code: \d{6}/);
  });

  test('a refusing hook: SignUp answers UserLambdaValidationException, the user exists unconfirmed, no mail', async () => {
    const { poolId, clientId } = await hookedPool({ CustomMessage: hook.url });
    hook.answer(400, { errorMessage: 'no template' });
    const email = uniqueEmail('sdk-cm-refused');
    await expectError(
      t.sdk.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: 'sdk-cm-refused',
          Password: PASSWORD,
          UserAttributes: attributeList({ email }),
        }),
      ),
      'UserLambdaValidationException',
      'CustomMessage failed with error no template.',
    );
    assert.equal(await status(poolId, 'sdk-cm-refused'), 'UNCONFIRMED');
    assert.equal(mailsTo(t, email), 0);
  });
});
