/**
 * Issue 11, finding 2, on the Cognito face: where the app client hides user existence
 * (PreventUserExistenceErrors ENABLED), no answer tells a real user from an unknown name
 * (docs/security.md, "What is hidden"). The REST face has the same tests in test/routes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession } from 'cognito-srp-helper';
import { sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { expectError, poolWithClient, signUpConfirmed, PASSWORD, CODE_MISMATCH } from '../support/sdk-flows.ts';
import { newCodeFor, otherCode, uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
let pool: { poolId: string; clientId: string };
const email = uniqueEmail('known');

before(async () => {
  t = await startCognitoApp();
  pool = await poolWithClient(
    t,
    { AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false } },
    { PreventUserExistenceErrors: 'ENABLED' },
  );
  await signUpConfirmed(t, pool.clientId, 'known', { email });
});
after(() => t?.close());

/** The error an SDK call ends with, as name and message, for comparing two answers whole. */
const failure = async (call: Promise<unknown>) => {
  const error = await sdkError(call);
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
};

test('ConfirmSignUp: a confirmed user, an unknown name and a wrong code all answer CodeMismatchException', async () => {
  const confirm = (Username: string) =>
    t.sdk.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username, ConfirmationCode: '123456' }));
  const confirmed = await failure(confirm('known'));
  assert.deepEqual(confirmed, { name: 'CodeMismatchException', message: CODE_MISMATCH, status: 400 });
  assert.deepEqual(await failure(confirm('nosuchuser1')), confirmed);
  assert.deepEqual(await failure(confirm(email)), confirmed);
});

test('ResendConfirmationCode: a confirmed user and an unknown name get the same simulated delivery, not built from the name', async () => {
  const resend = (Username: string) =>
    t.sdk.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username }));
  const confirmed = await resend('known');
  const unknown = await resend('nosuchuser1');
  for (const answer of [confirmed, unknown]) {
    assert.match(answer.CodeDeliveryDetails!.Destination!, /^[a-z]\*\*\*@[a-z]\*\*\*$/);
    assert.equal(answer.CodeDeliveryDetails!.DeliveryMedium, 'EMAIL');
  }
  // Not built from the name: one stand-in may start with the name's letter by chance (1 in 26²),
  // three at once only if it were built from the name.
  const fromName = await Promise.all(
    ['nosuchuser1', 'qqqnobody2', 'zzznobody3'].map(async (name) => {
      const answer = await resend(name);
      return answer.CodeDeliveryDetails!.Destination === `${name[0]}***@${name[0]}***`;
    }),
  );
  assert.ok(fromName.includes(false), 'the stand-in destinations follow the names');
  assert.deepEqual(
    (await resend('nosuchuser1')).CodeDeliveryDetails,
    unknown.CodeDeliveryDetails,
    'stable for one name',
  );
});

test('ConfirmForgotPassword: the code is checked before the password policy, so a real user and an unknown name answer alike', async () => {
  const reset = (Username: string, ConfirmationCode: string, Password: string) =>
    t.sdk.send(new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username, ConfirmationCode, Password }));
  const mails = t.smtp.messages.length;
  await t.sdk.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'known' }));
  await t.smtp.waitFor(() => t.smtp.messages.length > mails);
  const code = await newCodeFor(t, email, 1);
  const real = await failure(reset('known', otherCode(code), 'weak'));
  assert.deepEqual(real, { name: 'CodeMismatchException', message: CODE_MISMATCH, status: 400 });
  assert.deepEqual(await failure(reset('nosuchuser1', otherCode(code), 'weak')), real);
  // The right code, then the policy speaks; then the reset goes through.
  await expectError(reset('known', code, 'weak'), 'InvalidPasswordException');
  assert.equal((await reset('known', code, 'Reset-passw0rd!')).$metadata.httpStatusCode, 200);
  // Used, the code answers as any wrong one.
  assert.deepEqual(await failure(reset('known', code, 'Again-passw0rd!')), real);
});

test('USER_SRP_AUTH: an unknown name gets a stable stand-in USER_ID_FOR_SRP and salt; an alias shows its username, as in Cognito', async () => {
  const start = async (USERNAME: string) => {
    const { largeA } = createSrpSession(USERNAME, PASSWORD, pool.poolId, false);
    const answer = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME, SRP_A: largeA },
      }),
    );
    assert.equal(answer.ChallengeName, 'PASSWORD_VERIFIER');
    return answer.ChallengeParameters!;
  };
  // A real user's alias comes back as the username the proof is computed over (documented).
  assert.equal((await start(email)).USER_ID_FOR_SRP, 'known');
  // An email no one has: not echoed (a real alias never is), but a sub-like id, the same each time.
  const unknownEmail = await start('nobody@example.org');
  assert.notEqual(unknownEmail.USER_ID_FOR_SRP, 'nobody@example.org');
  assert.match(unknownEmail.USER_ID_FOR_SRP!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const again = await start('NOBODY@example.org');
  assert.equal(again.USER_ID_FOR_SRP, unknownEmail.USER_ID_FOR_SRP);
  assert.equal(
    again.SALT,
    unknownEmail.SALT,
    'spellings of one name share one stand-in salt, as a real user has one salt',
  );
  assert.notEqual(again.SRP_B, unknownEmail.SRP_B, 'B is fresh each time, as for a real user');
  // A name that could be a username comes back as itself, as a real username does.
  const plain = await start('nosuchuser1');
  assert.equal(plain.USER_ID_FOR_SRP, 'nosuchuser1');
  assert.equal((await start('NoSuchUser1')).SALT, plain.SALT);
  assert.equal((await start('known')).USER_ID_FOR_SRP, 'known');
});
