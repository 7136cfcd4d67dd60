/**
 * The pool `npm start` makes on a fresh database answers Amplify v6's default sign-in (SRP) with
 * no setting changed: sign-up, the code by mail, confirm, signIn with Amplify's defaults.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Amplify } from 'aws-amplify';
import { confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp } from 'aws-amplify/auth';
import { bootstrapPools } from '../../src/modules/pools/bootstrap.ts';
import { sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { decodeJwt } from '../support/app.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t?.close());

test('the default pool and client answer Amplify’s default sign-in (USER_SRP_AUTH) out of the box', async () => {
  const [first] = await bootstrapPools(t.services.pools, {});
  const { pool, clients } = first!;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: pool.id, userPoolClientId: clients[0]!.id, userPoolEndpoint: t.endpoint } },
  });

  const signedUp = await signUp({
    username: 'newcomer',
    password: 'Passw0rd!',
    options: { userAttributes: { email: 'newcomer@example.com' } },
  });
  assert.equal(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  const confirmed = await confirmSignUp({
    username: 'newcomer',
    confirmationCode: await t.smtp.codeFor('newcomer@example.com'),
  });
  assert.equal(confirmed.isSignUpComplete, true);

  // No authFlowType: Amplify's default, SRP. By the username and by the verified email (an alias).
  for (const username of ['newcomer', 'newcomer@example.com']) {
    const result = await signIn({ username, password: 'Passw0rd!' });
    assert.deepEqual(result, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.equal((await getCurrentUser()).username, 'newcomer');
    const session = await fetchAuthSession();
    assert.equal(decodeJwt(session.tokens!.accessToken.toString()).client_id, clients[0]!.id);
    await signOut();
  }

  const wrong = await sdkError(signIn({ username: 'newcomer', password: 'Passw0rd?' }));
  assert.equal(wrong.name, 'NotAuthorizedException');
});
