/**
 * The triggers the flows fire, on the REST face, with real HTTP hook servers (docs/trigger-events.md):
 * PreSignUp, PreAuthentication, PostAuthentication and PostConfirmation.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { PASSWORD, createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { assertProblem, mailsTo, newCodeFor, signIn, signUp, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
let hook: HookServer;
before(async () => {
  // Short attempts, so the tests of a slow hook do not wait 15 seconds.
  t = await startTestApp({}, { hookPolicy: { timeoutMs: 300, retryDelayMs: 10 } });
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

/** A pool whose email is auto-verified, with the given hooks pointing at the test's hook server. */
async function hookedPool(hooks: Record<string, string>, client: Record<string, unknown> = {}) {
  return createPoolWithClient(t, { autoVerifiedAttributes: ['email'], hooks }, client);
}

async function userStatus(poolId: string, username: string) {
  const res = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(username)}`);
  return res.status === 200 ? (res.body.userStatus as string) : res.status;
}

async function confirmWithMail(clientId: string, username: string, email: string, extra: Record<string, unknown> = {}) {
  const code = await newCodeFor(t, email, 0);
  return t.call('POST', '/v1/sign-up/confirm', { clientId, username, confirmationCode: code, ...extra });
}

describe('PreSignUp', () => {
  test('is called before the user exists with the event Cognito sends; an empty answer changes nothing', async () => {
    const { poolId, clientId } = await hookedPool({ preSignUp: hook.url });
    const email = uniqueEmail('pre');
    const res = await t.call('POST', '/v1/sign-up', {
      clientId,
      username: 'pre-jane',
      password: PASSWORD,
      userAttributes: { email, given_name: 'Jane' },
      validationData: { captcha: 'ok' },
      clientMetadata: { origin: 'web' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.userConfirmed, false);
    assert.equal(hook.requests.length, 1);
    const event = hook.last().body;
    assert.equal(event.version, '1');
    assert.equal(event.triggerSource, 'PreSignUp_SignUp');
    assert.equal(event.userPoolId, poolId);
    assert.equal(event.userName, 'pre-jane');
    assert.equal(event.callerContext.clientId, clientId);
    assert.deepEqual(event.request, {
      userAttributes: { email, given_name: 'Jane' },
      validationData: { captcha: 'ok' },
      clientMetadata: { origin: 'web' },
    });
    assert.deepEqual(event.response, { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false });
    // Not auto-confirmed: the code goes out as without a hook.
    assert.equal(mailsTo(t, email), 1);
    assert.equal(await userStatus(poolId, 'pre-jane'), 'UNCONFIRMED');
  });

  test('without validationData the event carries null, and without clientMetadata none', async () => {
    const { clientId } = await hookedPool({ preSignUp: hook.url });
    assert.equal((await signUp(t, clientId, 'pre-plain', { email: uniqueEmail() })).status, 201);
    assert.deepEqual(Object.keys(hook.last().body.request).sort(), ['userAttributes', 'validationData']);
    assert.equal(hook.last().body.request.validationData, null);
  });

  test('autoConfirmUser and autoVerifyEmail: confirmed at once, email verified, no code sent, sign-in works', async () => {
    const { poolId, clientId } = await hookedPool({ preSignUp: hook.url });
    hook.respondWith({ autoConfirmUser: true, autoVerifyEmail: true });
    const email = uniqueEmail('auto');
    const res = await signUp(t, clientId, 'auto-jane', { email });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.userConfirmed, true);
    assert.equal(res.body.codeDeliveryDetails, undefined);
    assert.equal(await userStatus(poolId, 'auto-jane'), 'CONFIRMED');
    const signedIn = await signIn(t, clientId, 'auto-jane');
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const attributes = await t.call('GET', '/v1/me/attributes', undefined, signedIn.body.accessToken);
    assert.equal(attributes.body.email_verified, 'true');
    // The email is verified, so it signs in as an alias would; and nothing was mailed.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(mailsTo(t, email), 0);
  });

  test('autoConfirmUser alone confirms and leaves the email unverified', async () => {
    const { clientId } = await hookedPool({ preSignUp: hook.url });
    hook.respondWith({ autoConfirmUser: true });
    const email = uniqueEmail('autoc');
    const res = await signUp(t, clientId, 'autoc-jane', { email });
    assert.equal(res.body.userConfirmed, true);
    const signedIn = await signIn(t, clientId, 'autoc-jane');
    const attributes = await t.call('GET', '/v1/me/attributes', undefined, signedIn.body.accessToken);
    assert.equal(attributes.body.email_verified, 'false');
    assert.equal(mailsTo(t, email), 0);
  });

  test('autoVerifyEmail without autoConfirmUser: email verified, the user still confirms with a code', async () => {
    const { poolId, clientId } = await hookedPool({ preSignUp: hook.url });
    hook.respondWith({ autoVerifyEmail: true });
    const email = uniqueEmail('autov');
    const res = await signUp(t, clientId, 'autov-jane', { email });
    assert.equal(res.body.userConfirmed, false);
    assert.equal(res.body.codeDeliveryDetails.attributeName, 'email');
    const user = await t.admin('GET', `/v1/pools/${poolId}/users/autov-jane`);
    assert.equal(user.body.attributes.email_verified, 'true');
    assert.equal((await confirmWithMail(clientId, 'autov-jane', email)).status, 200);
  });

  test('autoVerifyEmail moves an email alias another user has verified to the new user, as Cognito does', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['email'],
      aliasAttributes: ['email'],
      hooks: { preSignUp: hook.url },
    });
    const email = uniqueEmail('moved');
    hook.respondWith({ autoConfirmUser: true, autoVerifyEmail: true });
    assert.equal((await signUp(t, clientId, 'first-owner', { email })).status, 201);
    assert.equal((await signUp(t, clientId, 'second-owner', { email })).status, 201);
    const first = await t.admin('GET', `/v1/pools/${poolId}/users/first-owner`);
    const second = await t.admin('GET', `/v1/pools/${poolId}/users/second-owner`);
    assert.equal(first.body.attributes.email_verified, 'false');
    assert.equal(second.body.attributes.email_verified, 'true');
    // The alias now signs in the new owner.
    const signedIn = await signIn(t, clientId, email);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const me = await t.call('GET', '/v1/me', undefined, signedIn.body.accessToken);
    assert.equal(me.body.username, 'second-owner');
  });

  test('autoVerifyPhone for a user without a phone number is refused, and no user is made', async () => {
    const { poolId, clientId } = await hookedPool({ preSignUp: hook.url });
    hook.respondWith({ autoConfirmUser: true, autoVerifyPhone: true });
    const email = uniqueEmail('nophone');
    const res = await signUp(t, clientId, 'nophone', { email });
    assertProblem(res, 502, 'InvalidLambdaResponseException', 'autoVerifyPhone');
    assert.equal(await userStatus(poolId, 'nophone'), 404);
    assert.equal(mailsTo(t, email), 0);
  });

  test('an answer whose flags are not booleans is refused, and no user is made', async () => {
    const { poolId, clientId } = await hookedPool({ preSignUp: hook.url });
    hook.respondWith({ autoConfirmUser: 'yes' });
    const res = await signUp(t, clientId, 'badflag', { email: uniqueEmail() });
    assertProblem(res, 502, 'InvalidLambdaResponseException', 'autoConfirmUser must be a boolean');
    assert.equal(await userStatus(poolId, 'badflag'), 404);
  });

  test('a refusal answers UserLambdaValidationException with the hook message: no user, no code', async () => {
    const { poolId, clientId } = await hookedPool({ preSignUp: hook.url });
    hook.answer(400, { errorMessage: 'Sign-ups from this domain are closed', errorType: 'Error' });
    const email = uniqueEmail('refused');
    const res = await signUp(t, clientId, 'refused', { email });
    assertProblem(
      res,
      400,
      'UserLambdaValidationException',
      'PreSignUp failed with error Sign-ups from this domain are closed.',
    );
    assert.equal(await userStatus(poolId, 'refused'), 404);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(mailsTo(t, email), 0);
    // The name is still free: the same sign-up succeeds once the hook agrees.
    hook.reset();
    assert.equal((await signUp(t, clientId, 'refused', { email })).status, 201);
  });

  test('a hook that times out, is down or answers garbage leaves no user and sends no code', async (tt) => {
    const { poolId, clientId } = await hookedPool({ preSignUp: hook.url });
    await tt.test('times out', async () => {
      hook.delay(1000);
      const email = uniqueEmail('slow');
      assertProblem(await signUp(t, clientId, 'slow', { email }), 502, 'UnexpectedLambdaException');
      hook.reset();
      assert.equal(await userStatus(poolId, 'slow'), 404);
      assert.equal(mailsTo(t, email), 0);
    });
    await tt.test('answers garbage', async () => {
      hook.answer(200, 'this is not the event');
      const email = uniqueEmail('garbage');
      assertProblem(await signUp(t, clientId, 'garbage', { email }), 502, 'InvalidLambdaResponseException');
      hook.reset();
      assert.equal(await userStatus(poolId, 'garbage'), 404);
      assert.equal(mailsTo(t, email), 0);
    });
    await tt.test('is down', async () => {
      const down = await startHookServer();
      await down.close();
      const other = await hookedPool({ preSignUp: down.url });
      const email = uniqueEmail('down');
      assertProblem(await signUp(t, other.clientId, 'down', { email }), 502, 'UnexpectedLambdaException');
      assert.equal(await userStatus(other.poolId, 'down'), 404);
      assert.equal(mailsTo(t, email), 0);
    });
  });

  test('a taken username is told so without calling the hook', async () => {
    const { clientId } = await hookedPool({ preSignUp: hook.url });
    assert.equal((await signUp(t, clientId, 'taken', { email: uniqueEmail() })).status, 201);
    hook.requests.length = 0;
    assertProblem(await signUp(t, clientId, 'taken', { email: uniqueEmail() }), 409, 'UsernameExistsException');
    assert.equal(hook.requests.length, 0);
  });

  test('AdminCreateUser calls it with PreSignUp_AdminCreateUser; autoVerifyEmail verifies; a refusal makes no user', async () => {
    const { poolId } = await hookedPool({ preSignUp: hook.url });
    hook.respondWith({ autoConfirmUser: true, autoVerifyEmail: true });
    const email = uniqueEmail('invited');
    const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'invited',
      userAttributes: { email },
      validationData: { source: 'crm' },
      clientMetadata: { by: 'admin' },
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'PreSignUp_AdminCreateUser');
    assert.equal(event.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
    assert.deepEqual(event.request, {
      userAttributes: { email },
      validationData: { source: 'crm' },
      clientMetadata: { by: 'admin' },
    });
    // An invited user must still choose a password: autoConfirmUser does not change that.
    assert.equal(created.body.userStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(created.body.attributes.email_verified, 'true');

    hook.answer(400, { errorMessage: 'not in the directory' });
    const refused = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'not-invited',
      userAttributes: { email: uniqueEmail() },
    });
    assertProblem(refused, 400, 'UserLambdaValidationException', 'PreSignUp failed with error not in the directory.');
    assert.equal(await userStatus(poolId, 'not-invited'), 404);
  });
});

describe('PreAuthentication and PostAuthentication', () => {
  async function confirmedUser(hooks: Record<string, string>, client: Record<string, unknown> = {}) {
    const { poolId, clientId } = await hookedPool(hooks, client);
    const email = uniqueEmail('auth');
    const username = `auth-${hook.port}-${Math.random().toString(36).slice(2, 8)}`;
    assert.equal((await signUp(t, clientId, username, { email })).status, 201);
    assert.equal((await confirmWithMail(clientId, username, email)).status, 200);
    hook.requests.length = 0;
    return { poolId, clientId, username, email };
  }

  test('both are called once per sign-in, pre then post, with Cognito’s events', async () => {
    const { poolId, clientId, username, email } = await confirmedUser({
      preAuthentication: hook.url,
      postAuthentication: hook.url,
    });
    const res = await t.call('POST', '/v1/auth/sign-in', {
      clientId,
      username,
      password: PASSWORD,
      clientMetadata: { device: 'kiosk' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(hook.requests.length, 2);
    const [pre, post] = hook.requests.map((r) => r.body);
    assert.equal(pre.triggerSource, 'PreAuthentication_Authentication');
    assert.equal(pre.userPoolId, poolId);
    assert.equal(pre.userName, username);
    assert.equal(pre.callerContext.clientId, clientId);
    assert.equal(pre.request.userAttributes.email, email);
    assert.equal(pre.request.userAttributes.email_verified, 'true');
    assert.equal(pre.request.userAttributes['cognito:user_status'], 'CONFIRMED');
    assert.ok(pre.request.userAttributes.sub);
    // InitiateAuth's ClientMetadata is PreAuthentication's validationData; a REST client hides existence by default.
    assert.deepEqual(pre.request.validationData, { device: 'kiosk' });
    assert.equal(pre.request.userNotFound, false);
    assert.equal(post.triggerSource, 'PostAuthentication_Authentication');
    assert.equal(post.request.newDeviceUsed, false);
    assert.equal(post.request.userAttributes.email, email);
    // Cognito does not pass InitiateAuth's ClientMetadata to PostAuthentication.
    assert.equal('clientMetadata' in post.request, false);
  });

  test('a PreAuthentication refusal gives no tokens, checks no password and counts no failure', async () => {
    const { clientId, username } = await confirmedUser({ preAuthentication: hook.url });
    hook.answer(400, { errorMessage: 'Sign-in from this client is blocked' });
    assertProblem(
      await signIn(t, clientId, username),
      400,
      'UserLambdaValidationException',
      'PreAuthentication failed with error Sign-in from this client is blocked.',
    );
    // A wrong password is refused by the hook first: the hook, not the password, answers.
    assertProblem(await signIn(t, clientId, username, 'Wrong-passw0rd'), 400, 'UserLambdaValidationException');
    hook.reset();
    assert.equal((await signIn(t, clientId, username)).status, 200);
  });

  test('a PostAuthentication refusal or failure gives no tokens', async () => {
    const { clientId, username } = await confirmedUser({ postAuthentication: hook.url });
    hook.answer(400, { errorMessage: 'audit log unavailable' });
    assertProblem(
      await signIn(t, clientId, username),
      400,
      'UserLambdaValidationException',
      'PostAuthentication failed with error audit log unavailable.',
    );
    hook.answer(500, { message: 'boom' });
    assertProblem(await signIn(t, clientId, username), 502, 'UnexpectedLambdaException');
    // A wrong password never reaches PostAuthentication.
    hook.reset();
    hook.requests.length = 0;
    assertProblem(await signIn(t, clientId, username, 'Wrong-passw0rd'), 401, 'NotAuthorizedException');
    assert.equal(hook.requests.length, 0);
  });

  test('hidden existence: an unknown name calls PreAuthentication with userNotFound, and answers as a wrong password', async () => {
    const { clientId, username } = await confirmedUser(
      { preAuthentication: hook.url },
      { preventUserExistenceErrors: true },
    );
    assertProblem(await signIn(t, clientId, 'nobody-here'), 401, 'NotAuthorizedException');
    assert.equal(hook.requests.length, 1);
    const unknown = hook.last().body.request;
    assert.equal(unknown.userNotFound, true);
    assert.deepEqual(unknown.userAttributes, {});
    assertProblem(await signIn(t, clientId, username, 'Wrong-passw0rd'), 401, 'NotAuthorizedException');
    assert.equal(hook.requests.length, 2);
    assert.equal(hook.last().body.request.userNotFound, false);
  });

  test('without hidden existence an unknown user is told so and the hook is not called', async () => {
    const { clientId } = await confirmedUser({ preAuthentication: hook.url }, { preventUserExistenceErrors: false });
    assertProblem(await signIn(t, clientId, 'nobody-here'), 404, 'UserNotFoundException');
    assert.equal(hook.requests.length, 0);
  });

  test('NEW_PASSWORD_REQUIRED: PreAuthentication on sign-in, PostAuthentication when the new password is set', async () => {
    const { poolId, clientId } = await hookedPool({ preAuthentication: hook.url, postAuthentication: hook.url });
    const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'invitee',
      temporaryPassword: 'Temp0rary!',
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const challenge = await signIn(t, clientId, 'invitee', 'Temp0rary!');
    assert.equal(challenge.body.challengeName, 'NEW_PASSWORD_REQUIRED');
    assert.deepEqual(
      hook.requests.map((r) => r.body.triggerSource),
      ['PreAuthentication_Authentication'],
    );
    assert.equal(hook.last().body.request.userAttributes['cognito:user_status'], 'FORCE_CHANGE_PASSWORD');
    const answered = await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId,
      challengeName: 'NEW_PASSWORD_REQUIRED',
      session: challenge.body.session,
      newPassword: 'N3w-passw0rd!',
      clientMetadata: { step: 'new-password' },
    });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    const post = hook.last().body;
    assert.equal(post.triggerSource, 'PostAuthentication_Authentication');
    assert.deepEqual(post.request.clientMetadata, { step: 'new-password' });
    assert.equal(post.request.userAttributes['cognito:user_status'], 'CONFIRMED');
  });
});

describe('PostConfirmation', () => {
  test('ConfirmSignUp calls it after the confirmation with the confirmed user', async () => {
    const { poolId, clientId } = await hookedPool({ postConfirmation: hook.url });
    const email = uniqueEmail('postc');
    assert.equal((await signUp(t, clientId, 'postc', { email })).status, 201);
    assert.equal(hook.requests.length, 0);
    const res = await confirmWithMail(clientId, 'postc', email, { clientMetadata: { welcome: 'yes' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(event.userName, 'postc');
    assert.equal(event.callerContext.clientId, clientId);
    assert.equal(event.request.userAttributes.email, email);
    assert.equal(event.request.userAttributes.email_verified, 'true');
    assert.equal(event.request.userAttributes['cognito:user_status'], 'CONFIRMED');
    assert.deepEqual(event.request.clientMetadata, { welcome: 'yes' });
    assert.equal(await userStatus(poolId, 'postc'), 'CONFIRMED');
  });

  test('a failing hook is answered, and the user stays confirmed', async () => {
    const { poolId, clientId } = await hookedPool({ postConfirmation: hook.url });
    const email = uniqueEmail('postfail');
    await signUp(t, clientId, 'postfail', { email });
    hook.answer(400, { errorMessage: 'CRM is down' });
    assertProblem(
      await confirmWithMail(clientId, 'postfail', email),
      400,
      'UserLambdaValidationException',
      'PostConfirmation failed with error CRM is down.',
    );
    assert.equal(await userStatus(poolId, 'postfail'), 'CONFIRMED');
    assert.equal((await signIn(t, clientId, 'postfail')).status, 200);
  });

  test('an auto-confirmed sign-up does not call it', async () => {
    const { clientId } = await hookedPool({ preSignUp: hook.url, postConfirmation: hook.url });
    hook.respondWith({ autoConfirmUser: true });
    await signUp(t, clientId, 'postauto', { email: uniqueEmail() });
    assert.deepEqual(
      hook.requests.map((r) => r.body.triggerSource),
      ['PreSignUp_SignUp'],
    );
  });

  test('AdminConfirmSignUp calls it with no client', async () => {
    const { poolId, clientId } = await hookedPool({ postConfirmation: hook.url });
    await signUp(t, clientId, 'postadmin', { email: uniqueEmail() });
    const res = await t.admin('POST', `/v1/pools/${poolId}/users/postadmin/confirm`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(event.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
    assert.equal(event.request.userAttributes['cognito:user_status'], 'CONFIRMED');
  });

  test('ConfirmForgotPassword calls it with PostConfirmation_ConfirmForgotPassword', async () => {
    const { clientId } = await hookedPool({ postConfirmation: hook.url });
    const email = uniqueEmail('postfp');
    await signUp(t, clientId, 'postfp', { email });
    await confirmWithMail(clientId, 'postfp', email);
    hook.requests.length = 0;
    const seen = mailsTo(t, email);
    assert.equal((await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'postfp' })).status, 200);
    const code = await newCodeFor(t, email, seen);
    const res = await t.call('POST', '/v1/auth/forgot-password/confirm', {
      clientId,
      username: 'postfp',
      confirmationCode: code,
      password: 'N3w-passw0rd!',
      clientMetadata: { reason: 'forgot' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'PostConfirmation_ConfirmForgotPassword');
    assert.deepEqual(event.request.clientMetadata, { reason: 'forgot' });
    assert.equal(event.request.userAttributes.email, email);
  });
});
