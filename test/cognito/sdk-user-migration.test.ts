/**
 * The UserMigration trigger through the AWS SDK (docs/trigger-events.md, "UserMigration"):
 * InitiateAuth USER_PASSWORD_AUTH migrates an unknown user, later USER_SRP_AUTH sign-ins use the
 * kept password, USER_SRP_AUTH never migrates, ForgotPassword migrates RESET_REQUIRED, and the
 * hook's failures go over the wire as Cognito's errors.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { expectError, jwtClaims, PASSWORD, poolWithClient, signIn, signedInUser } from '../support/sdk-flows.ts';
import { newCodeFor, uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
before(async () => {
  hook = await startHookServer();
  t = await startCognitoApp({}, { hookPolicy: { timeoutMs: 3000, retryDelayMs: 10 } });
});
after(async () => {
  await t.close();
  await hook.close();
});
beforeEach(() => {
  hook.reset();
  hook.requests.length = 0;
});

const OLD_PASSWORD = 'Legacy-passw0rd';

const migrated = (email: string, extra: Record<string, unknown> = {}) => ({
  userAttributes: { email, email_verified: 'true', name: 'Grace' },
  finalUserStatus: 'CONFIRMED',
  messageAction: 'SUPPRESS',
  ...extra,
});

async function migratingPool(hidden = false) {
  return poolWithClient(
    t,
    { AutoVerifiedAttributes: ['email'], LambdaConfig: { UserMigration: hook.url } },
    { PreventUserExistenceErrors: hidden ? 'ENABLED' : 'LEGACY' },
  );
}

async function srpSignIn(pool: { poolId: string; clientId: string }, username: string, password: string) {
  const session = createSrpSession(username, password, pool.poolId, false);
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
      },
    }),
  );
}

describe('UserMigration through the AWS SDK', () => {
  test('DescribeUserPool shows the hook as Cognito’s LambdaConfig.UserMigration', async () => {
    const { poolId } = await migratingPool();
    const described = await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    assert.equal(described.UserPool!.LambdaConfig!.UserMigration, hook.url);
  });

  test('InitiateAuth USER_PASSWORD_AUTH migrates the user; USER_SRP_AUTH then signs in with the same password', async () => {
    const pool = await migratingPool();
    const email = uniqueEmail('sdk-mig');
    hook.respondWith(migrated(email));
    const tokens = await signIn(t, pool.clientId, 'grace', OLD_PASSWORD);
    const claims = jwtClaims(tokens.IdToken);
    assert.equal(claims['cognito:username'], 'grace');
    assert.equal(claims.email, email);
    assert.equal(claims.name, 'Grace');
    const event = hook.last().body;
    assert.equal(event.triggerSource, 'UserMigration_Authentication');
    assert.deepEqual(event.request, { password: OLD_PASSWORD, validationData: {} });
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'grace' }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    // SRP pools (Cognito's default) get the verifier: SRP now works, without the hook.
    const srp = await srpSignIn(pool, 'grace', OLD_PASSWORD);
    assert.ok(srp.AuthenticationResult?.AccessToken);
    assert.equal(hook.requests.length, 1);
  });

  test('USER_SRP_AUTH never migrates: an unknown name is unknown (the app must use USER_PASSWORD_AUTH)', async () => {
    const pool = await migratingPool();
    hook.respondWith(migrated(uniqueEmail()));
    const session = createSrpSession('srp-only', OLD_PASSWORD, pool.poolId, false);
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { USERNAME: 'srp-only', SRP_A: session.largeA },
        }),
      ),
      'UserNotFoundException',
    );
    assert.equal(hook.requests.length, 0);
  });

  test('a refusal is UserLambdaValidationException; where existence is hidden, NotAuthorizedException', async () => {
    hook.answer(400, { errorType: 'Error', errorMessage: 'Bad password' });
    const open = await migratingPool();
    await expectError(
      signIn(t, open.clientId, 'refused', 'wrong'),
      'UserLambdaValidationException',
      'UserMigration failed with error Bad password.',
    );
    const hidden = await migratingPool(true);
    await expectError(
      signIn(t, hidden.clientId, 'refused', 'wrong'),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    hook.answer(503, {});
    await expectError(signIn(t, open.clientId, 'down', PASSWORD), 'UnexpectedLambdaException');
    await expectError(
      signIn(t, hidden.clientId, 'down', PASSWORD),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
  });

  test('refusals lock the name out before the hook is asked again, whether or not the client hides existence', async () => {
    // The hook is an oracle on the old pool's passwords: without the lock it could be asked at the
    // rate limit's pace for ever (docs/security.md, "User migration").
    hook.answer(400, { errorType: 'Error', errorMessage: 'Bad password' });
    for (const hidden of [false, true]) {
      hook.requests.length = 0;
      const pool = await migratingPool(hidden);
      for (let i = 0; i < 5; i++) {
        await expectError(
          signIn(t, pool.clientId, 'guessed', `wrong-${i}`),
          hidden ? 'NotAuthorizedException' : 'UserLambdaValidationException',
        );
      }
      await expectError(
        signIn(t, pool.clientId, 'guessed', 'wrong-again'),
        'NotAuthorizedException',
        'Password attempts exceeded',
      );
      assert.equal(hook.requests.length, 5, `hidden=${hidden}: a locked name never reaches the hook`);
    }
  });

  test('security review: an answer cannot take another user’s alias or sub; another case of a username is that user', async () => {
    const pool = await poolWithClient(
      t,
      {
        AliasAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        LambdaConfig: { UserMigration: hook.url },
      },
      { PreventUserExistenceErrors: 'LEGACY' },
    );
    const email = uniqueEmail('owner');
    const { sub } = await signedInUser(t, pool.clientId, 'owner', { email });
    // The alias of an existing user, verified: AliasExistsException, nothing created.
    hook.respondWith(migrated(email));
    await expectError(signIn(t, pool.clientId, 'intruder', OLD_PASSWORD), 'AliasExistsException');
    await expectError(
      t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'intruder' })),
      'UserNotFoundException',
    );
    // The existing username in another case is that user: the hook is not asked, the password is checked.
    hook.requests.length = 0;
    await expectError(signIn(t, pool.clientId, 'OWNER', OLD_PASSWORD), 'NotAuthorizedException');
    assert.equal(hook.requests.length, 0);
    // sub cannot be set.
    hook.respondWith(migrated(uniqueEmail('subby'), { userAttributes: { sub, email: uniqueEmail('subby') } }));
    await expectError(signIn(t, pool.clientId, 'subby', OLD_PASSWORD), 'InvalidLambdaResponseException');
    // The owner still signs in as before, with their own sub.
    assert.equal(jwtClaims((await signIn(t, pool.clientId, 'owner')).IdToken).sub, sub);
  });

  test('ForgotPassword migrates RESET_REQUIRED; ConfirmForgotPassword sets the password', async () => {
    const pool = await migratingPool();
    const email = uniqueEmail('sdk-forgot');
    hook.respondWith(migrated(email));
    const sent = await t.sdk.send(
      new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'lin', ClientMetadata: { page: 'reset' } }),
    );
    assert.equal(sent.CodeDeliveryDetails!.DeliveryMedium, 'EMAIL');
    assert.equal(hook.last().body.triggerSource, 'UserMigration_ForgotPassword');
    assert.deepEqual(hook.last().body.request, { clientMetadata: { page: 'reset' } });
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'lin' }));
    assert.equal(user.UserStatus, 'RESET_REQUIRED');
    await expectError(signIn(t, pool.clientId, 'lin', OLD_PASSWORD), 'PasswordResetRequiredException');
    const code = await newCodeFor(t, email, 0);
    await t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: pool.clientId,
        Username: 'lin',
        ConfirmationCode: code,
        Password: PASSWORD,
      }),
    );
    assert.ok((await signIn(t, pool.clientId, 'lin', PASSWORD)).AccessToken);
    assert.equal(hook.requests.length, 1);
  });
});
