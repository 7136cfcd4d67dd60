/**
 * The UserMigration trigger on the REST face, with a real HTTP hook server (docs/trigger-events.md,
 * "UserMigration"): sign-in and forgot password for names no user has, the answer's members,
 * refusals, a down hook, hidden existence, and two first sign-ins at once.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { PASSWORD, createPoolWithClient, decodeJwt, startTestApp, type TestApp } from '../support/app.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { assertProblem, eventually, mailsTo, newCodeFor, signIn, signUp, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
let hook: HookServer;
before(async () => {
  t = await startTestApp({ SIGN_IN_LOCKOUT_FAILURES: '3' }, { hookPolicy: { timeoutMs: 3000, retryDelayMs: 10 } });
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

const OLD_PASSWORD = 'legacy-pw';

/** What a migration hook answers for a user it knows: their attributes, CONFIRMED, no welcome message. */
const migrated = (email: string, extra: Record<string, unknown> = {}) => ({
  userAttributes: { email, email_verified: 'true', given_name: 'Ada' },
  finalUserStatus: 'CONFIRMED',
  messageAction: 'SUPPRESS',
  ...extra,
});

async function migratingPool(pool: Record<string, unknown> = {}, client: Record<string, unknown> = {}) {
  return createPoolWithClient(
    t,
    { autoVerifiedAttributes: ['email'], hooks: { userMigration: hook.url }, ...pool },
    // Errors that tell user existence, unless the test hides it.
    { preventUserExistenceErrors: false, ...client },
  );
}

async function getUser(poolId: string, username: string) {
  return t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(username)}`);
}

async function userCount(poolId: string) {
  const res = await t.admin('GET', `/v1/pools/${poolId}/users`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body.users as unknown[]).length;
}

describe('UserMigration_Authentication', () => {
  test('an unknown name asks the hook with Cognito’s event; its answer creates the user, who gets tokens', async () => {
    const { poolId, clientId, pool } = await migratingPool();
    assert.equal(pool.hooks.userMigration, hook.url);
    const email = uniqueEmail('mig');
    hook.respondWith(migrated(email));
    const res = await t.call('POST', '/v1/auth/sign-in', {
      clientId,
      username: 'ada',
      password: OLD_PASSWORD,
      clientMetadata: { app: 'web' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.accessToken);
    assert.equal(hook.requests.length, 1);
    const event = hook.last().body;
    assert.equal(event.version, '1');
    assert.equal(event.triggerSource, 'UserMigration_Authentication');
    assert.equal(event.userPoolId, poolId);
    assert.equal(event.userName, 'ada');
    assert.equal(event.callerContext.clientId, clientId);
    // InitiateAuth's ClientMetadata is the event's validationData, as for PreAuthentication.
    assert.deepEqual(event.request, { password: OLD_PASSWORD, validationData: { app: 'web' } });
    assert.deepEqual(event.response, {
      userAttributes: null,
      finalUserStatus: null,
      messageAction: null,
      desiredDeliveryMediums: null,
      forceAliasCreation: null,
      enableSMSMFA: null,
    });
    assert.ok(hook.last().headers['webhook-signature']);
    const claims = decodeJwt(res.body.idToken);
    assert.equal(claims['cognito:username'], 'ada');
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, true);
    assert.equal(claims.given_name, 'Ada');
    const user = await getUser(poolId, 'ada');
    assert.equal(user.body.userStatus, 'CONFIRMED');
    // No welcome message was sent (SUPPRESS), and none is sent by anything else.
    assert.equal(mailsTo(t, email), 0);
  });

  test('later sign-ins never call the hook: the password is kept as any other', async () => {
    const { poolId, clientId } = await migratingPool();
    hook.respondWith(migrated(uniqueEmail()));
    assert.equal((await signIn(t, clientId, 'kept', OLD_PASSWORD)).status, 200);
    assert.equal((await signIn(t, clientId, 'kept', OLD_PASSWORD)).status, 200);
    assertProblem(await signIn(t, clientId, 'kept', 'wrong-one'), 401, 'NotAuthorizedException');
    assert.equal(hook.requests.length, 1);
    assert.equal(await userCount(poolId), 1);
  });

  test('the pool’s password policy does not apply to a migrated password (as in Cognito)', async () => {
    const { clientId } = await migratingPool();
    hook.respondWith(migrated(uniqueEmail()));
    assert.equal((await signIn(t, clientId, 'weak', 'abc')).status, 200);
    assert.equal((await signIn(t, clientId, 'weak', 'abc')).status, 200);
  });

  test('the hooks run in Cognito’s order: UserMigration, PreAuthentication, PostAuthentication', async () => {
    const { clientId } = await migratingPool({
      hooks: { userMigration: hook.url, preAuthentication: hook.url, postAuthentication: hook.url },
    });
    hook.handle((request) => {
      const response =
        request.body.triggerSource === 'UserMigration_Authentication' ? migrated(uniqueEmail()) : request.body.response;
      return { status: 200, body: { ...request.body, response } };
    });
    assert.equal((await signIn(t, clientId, 'ordered', OLD_PASSWORD)).status, 200);
    assert.deepEqual(
      hook.requests.map((r) => r.body.triggerSource),
      ['UserMigration_Authentication', 'PreAuthentication_Authentication', 'PostAuthentication_Authentication'],
    );
    assert.equal(hook.requests[1]!.body.request.userAttributes['cognito:user_status'], 'CONFIRMED');
  });

  test('finalUserStatus RESET_REQUIRED: no password is kept and the sign-in answers PasswordResetRequired', async () => {
    const { poolId, clientId } = await migratingPool();
    const email = uniqueEmail('reset');
    hook.respondWith(migrated(email, { finalUserStatus: 'RESET_REQUIRED' }));
    assertProblem(await signIn(t, clientId, 'must-reset', OLD_PASSWORD), 403, 'PasswordResetRequiredException');
    assert.equal((await getUser(poolId, 'must-reset')).body.userStatus, 'RESET_REQUIRED');
    // The user exists now: the reset goes as for any user, without the hook.
    assert.equal((await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'must-reset' })).status, 200);
    const code = await newCodeFor(t, email, 0);
    const confirmed = await t.call('POST', '/v1/auth/forgot-password/confirm', {
      clientId,
      username: 'must-reset',
      confirmationCode: code,
      password: PASSWORD,
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal((await signIn(t, clientId, 'must-reset', PASSWORD)).status, 200);
    assert.equal(hook.requests.length, 1);
  });

  test('a username-attribute pool: the name is the email, the username a sub', async () => {
    const { poolId, clientId } = await migratingPool({ usernameAttributes: ['email'] });
    const email = uniqueEmail('byemail');
    hook.respondWith(migrated(email));
    const res = await signIn(t, clientId, email, OLD_PASSWORD);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const claims = decodeJwt(res.body.idToken);
    assert.equal(claims['cognito:username'], claims.sub);
    assert.equal(claims.email, email);
    assert.equal(hook.last().body.userName, email);
    assert.equal((await getUser(poolId, email)).status, 200);
  });

  test('an email-alias pool: an email-shaped name must come back as the verified email', async () => {
    const { clientId } = await migratingPool({ aliasAttributes: ['email'] });
    const email = uniqueEmail('alias');
    hook.respondWith(migrated(email, { userAttributes: { email, email_verified: 'false' } }));
    assertProblem(
      await signIn(t, clientId, email, OLD_PASSWORD),
      502,
      'InvalidLambdaResponseException',
      'email_verified',
    );
    hook.respondWith(migrated(email));
    const res = await signIn(t, clientId, email, OLD_PASSWORD);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const claims = decodeJwt(res.body.idToken);
    assert.equal(claims['cognito:username'], claims.sub);
  });

  test('forceAliasCreation: false refuses an alias another user has; true moves it', async () => {
    const { poolId, clientId } = await migratingPool({ aliasAttributes: ['email'] });
    const email = uniqueEmail('taken');
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'holder',
      userAttributes: { email, email_verified: 'true' },
      messageAction: 'SUPPRESS',
    });
    hook.respondWith(migrated(email));
    assertProblem(await signIn(t, clientId, 'newcomer', OLD_PASSWORD), 409, 'AliasExistsException');
    assert.equal((await getUser(poolId, 'newcomer')).status, 404);
    hook.respondWith(migrated(email, { forceAliasCreation: true }));
    assert.equal((await signIn(t, clientId, 'newcomer', OLD_PASSWORD)).status, 200);
    // The alias now signs in the newcomer.
    const byAlias = await signIn(t, clientId, email, OLD_PASSWORD);
    assert.equal(byAlias.status, 200, JSON.stringify(byAlias.body));
    assert.equal(decodeJwt(byAlias.body.idToken)['cognito:username'], 'newcomer');
  });

  test('desiredDeliveryMediums is read as Cognito’s type; a bad one is refused', async () => {
    const { clientId } = await migratingPool();
    hook.respondWith(migrated(uniqueEmail(), { desiredDeliveryMediums: ['EMAIL'] }));
    assert.equal((await signIn(t, clientId, 'mediums', OLD_PASSWORD)).status, 200);
    hook.respondWith(migrated(uniqueEmail(), { desiredDeliveryMediums: ['PIGEON'] }));
    assertProblem(
      await signIn(t, clientId, 'pigeon', OLD_PASSWORD),
      502,
      'InvalidLambdaResponseException',
      'desiredDeliveryMediums',
    );
  });
});

describe('failures create nothing', () => {
  test('a refusal answers UserLambdaValidationException with the hook’s message', async () => {
    const { poolId, clientId } = await migratingPool();
    hook.answer(400, { errorType: 'Error', errorMessage: 'Bad password' });
    assertProblem(
      await signIn(t, clientId, 'refused', 'nope'),
      400,
      'UserLambdaValidationException',
      'UserMigration failed with error Bad password.',
    );
    assert.equal(await userCount(poolId), 0);
  });

  test('a down hook answers UnexpectedLambdaException', async () => {
    const { poolId, clientId } = await migratingPool();
    hook.answer(503, { message: 'down' });
    assertProblem(await signIn(t, clientId, 'down', OLD_PASSWORD), 502, 'UnexpectedLambdaException');
    assert.equal(hook.requests.length, 3);
    assert.equal(await userCount(poolId), 0);
  });

  test('answers that are not a user Cognate can create are InvalidLambdaResponseException', async () => {
    const { poolId, clientId } = await migratingPool({
      schema: [
        { name: 'plan', stringConstraints: { maxLength: 4 } },
        { name: 'name', required: true },
      ],
    });
    const email = uniqueEmail();
    const good = { email, email_verified: 'true', name: 'Ada' };
    const cases: [Record<string, unknown>, string][] = [
      [{ userAttributes: undefined }, 'userAttributes must be an object'],
      [{ userAttributes: {} }, 'at least one attribute'],
      [{ userAttributes: { ...good, name: 7 } }, 'userAttributes.name must be a string'],
      [{ userAttributes: { email, email_verified: 'true' } }, 'name'],
      [{ userAttributes: { ...good, 'custom:plan': 'enterprise' } }, 'custom:plan'],
      [{ userAttributes: { ...good, nickname_unknown: 'x' } }, 'nickname_unknown'],
      [{ userAttributes: { ...good, sub: '00000000-0000-0000-0000-000000000001' } }, 'sub'],
      [{ userAttributes: good, finalUserStatus: 'FORCE_CHANGE_PASSWORD' }, 'finalUserStatus'],
      [{ userAttributes: good, messageAction: null }, 'messageAction must be SUPPRESS'],
      [{ userAttributes: good, messageAction: 'RESEND' }, 'messageAction must be SUPPRESS'],
      [{ userAttributes: good, enableSMSMFA: true }, 'enableSMSMFA'],
      [{ userAttributes: good, forceAliasCreation: 'yes' }, 'forceAliasCreation must be a boolean'],
    ];
    for (const [answer, detail] of cases) {
      hook.respondWith({ ...migrated(email), ...answer });
      assertProblem(
        await signIn(t, clientId, 'bad-answer', OLD_PASSWORD),
        502,
        'InvalidLambdaResponseException',
        detail,
      );
    }
    assert.equal(await userCount(poolId), 0);
    // enableSMSMFA false is what every user has: accepted.
    hook.respondWith({ ...migrated(email), userAttributes: good, enableSMSMFA: false });
    assert.equal((await signIn(t, clientId, 'bad-answer', OLD_PASSWORD)).status, 200);
  });

  test('an existing user is never migrated: the hook is for unknown names only', async () => {
    const { poolId, clientId } = await migratingPool();
    await signUp(t, clientId, 'present', { email: uniqueEmail() });
    hook.respondWith(migrated(uniqueEmail()));
    assertProblem(await signIn(t, clientId, 'present', PASSWORD), 403, 'UserNotConfirmedException');
    assertProblem(await signIn(t, clientId, 'present', OLD_PASSWORD), 401, 'NotAuthorizedException');
    assert.equal(hook.requests.length, 0);
    assert.equal(await userCount(poolId), 1);
  });
});

describe('where the client hides user existence', () => {
  test('a refusal, a down hook and a bad answer all answer as an unknown user’s wrong password', async () => {
    const { poolId, clientId } = await migratingPool({}, { preventUserExistenceErrors: true });
    const { clientId: plainClient } = await createPoolWithClient(t, {}, { preventUserExistenceErrors: true });
    const shape = (res: { status: number; body: Record<string, unknown> }) => [
      res.status,
      res.body.code,
      res.body.detail,
    ];
    const unknown = await signIn(t, plainClient, 'nobody', OLD_PASSWORD);
    assertProblem(unknown, 401, 'NotAuthorizedException', 'Incorrect username or password.');
    hook.answer(400, { errorMessage: 'Bad password' });
    assert.deepEqual(shape(await signIn(t, clientId, 'hidden-1', OLD_PASSWORD)), shape(unknown));
    hook.answer(503, {});
    assert.deepEqual(shape(await signIn(t, clientId, 'hidden-2', OLD_PASSWORD)), shape(unknown));
    hook.respondWith({ userAttributes: { nope: 'x' }, messageAction: 'SUPPRESS' });
    assert.deepEqual(shape(await signIn(t, clientId, 'hidden-3', OLD_PASSWORD)), shape(unknown));
    assert.equal(hook.requests.length, 5);
    assert.equal(await userCount(poolId), 0);
  });

  test('refusals count against the name’s lockout, and a locked name never reaches the hook', async () => {
    const { clientId } = await migratingPool({}, { preventUserExistenceErrors: true });
    hook.answer(400, { errorMessage: 'Bad password' });
    for (let i = 0; i < 3; i++)
      assertProblem(await signIn(t, clientId, 'guessed', 'guess'), 401, 'NotAuthorizedException');
    const calls = hook.requests.length;
    assertProblem(
      await signIn(t, clientId, 'guessed', 'guess'),
      401,
      'NotAuthorizedException',
      'Password attempts exceeded',
    );
    assert.equal(hook.requests.length, calls);
  });

  test('a successful migration signs in as without hiding', async () => {
    const { clientId } = await migratingPool({}, { preventUserExistenceErrors: true });
    hook.respondWith(migrated(uniqueEmail()));
    assert.equal((await signIn(t, clientId, 'open', OLD_PASSWORD)).status, 200);
  });
});

describe('UserMigration_ForgotPassword', () => {
  test('an unknown name is migrated RESET_REQUIRED without a password, gets the code and resets', async () => {
    const { poolId, clientId } = await migratingPool();
    const email = uniqueEmail('forgot');
    // Whatever finalUserStatus says, a user migrated here has no password yet.
    hook.respondWith(migrated(email));
    const res = await t.call('POST', '/v1/auth/forgot-password', {
      clientId,
      username: 'forgetful',
      clientMetadata: { from: 'reset-page' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.codeDeliveryDetails.deliveryMedium, 'EMAIL');
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'UserMigration_ForgotPassword');
    assert.equal(event.userName, 'forgetful');
    assert.deepEqual(event.request, { clientMetadata: { from: 'reset-page' } });
    assert.equal((await getUser(poolId, 'forgetful')).body.userStatus, 'RESET_REQUIRED');
    assertProblem(await signIn(t, clientId, 'forgetful', OLD_PASSWORD), 403, 'PasswordResetRequiredException');
    const code = await newCodeFor(t, email, 0);
    const confirmed = await t.call('POST', '/v1/auth/forgot-password/confirm', {
      clientId,
      username: 'forgetful',
      confirmationCode: code,
      password: PASSWORD,
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal((await getUser(poolId, 'forgetful')).body.userStatus, 'CONFIRMED');
    assert.equal((await signIn(t, clientId, 'forgetful', PASSWORD)).status, 200);
    assert.equal(hook.requests.length, 1);
  });

  test('where existence is hidden, a migrated user gets the code as any user (sent after the answer)', async () => {
    const { poolId, clientId } = await migratingPool({}, { preventUserExistenceErrors: true });
    const email = uniqueEmail('hidden-forgot');
    hook.respondWith(migrated(email));
    const res = await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'quiet' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.codeDeliveryDetails.deliveryMedium, 'EMAIL');
    assert.equal((await getUser(poolId, 'quiet')).body.userStatus, 'RESET_REQUIRED');
    await eventually(() => mailsTo(t, email) === 1);
  });

  test('a refusal: UserLambdaValidationException, or the unknown user’s answer where existence is hidden', async () => {
    const { poolId, clientId } = await migratingPool();
    hook.answer(400, { errorMessage: 'No such user' });
    assertProblem(
      await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'ghost' }),
      400,
      'UserLambdaValidationException',
      'UserMigration failed with error No such user.',
    );
    const { poolId: hiddenPool, clientId: hiddenClient } = await migratingPool(
      {},
      { preventUserExistenceErrors: true },
    );
    const res = await t.call('POST', '/v1/auth/forgot-password', { clientId: hiddenClient, username: 'ghost' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.codeDeliveryDetails);
    assert.equal(await userCount(poolId), 0);
    assert.equal(await userCount(hiddenPool), 0);
  });
});

describe('two first sign-ins at once', () => {
  test('create one user; both sign in against it', async () => {
    const { poolId, clientId } = await migratingPool();
    const email = uniqueEmail('race');
    hook.respondWith(migrated(email));
    hook.delay(100);
    const results = await Promise.all(Array.from({ length: 4 }, () => signIn(t, clientId, 'racer', OLD_PASSWORD)));
    for (const res of results) assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(await userCount(poolId), 1);
    const subs = new Set(results.map((r) => decodeJwt(r.body.idToken).sub));
    assert.equal(subs.size, 1);
  });

  test('a loser with another password is refused against the winner’s row', async () => {
    const { poolId, clientId } = await migratingPool();
    hook.respondWith(migrated(uniqueEmail()));
    hook.delay(100);
    const [first, second] = await Promise.all([
      signIn(t, clientId, 'duel', OLD_PASSWORD),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return signIn(t, clientId, 'duel', 'other-password');
      })(),
    ]);
    const statuses = [first.status, second.status].sort();
    // One of the two wrote the user; the other is checked against that row.
    assert.deepEqual(statuses, [200, 401]);
    assert.equal(await userCount(poolId), 1);
  });
});
