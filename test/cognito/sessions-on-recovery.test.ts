/**
 * Issue 11, finding 4: a password change ends the user's other sessions (the caller's stays), and
 * a completed password reset ends all of them, on both faces (docs/security.md, "Sessions").
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createPoolWithClient } from '../support/app.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import {
  expectError,
  poolWithClient,
  signedInUser as wireUser,
  signIn as wireSignIn,
  PASSWORD,
} from '../support/sdk-flows.ts';
import { newCodeFor, signIn, uniqueEmail } from '../support/user-flows.ts';
import { signedInUser } from '../support/app.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t?.close());

type Session = { accessToken: string; refreshToken: string };

/** Whether a session still works: its access token reads the user, its refresh token refreshes. */
async function restAlive(clientId: string, session: Session): Promise<[number, number]> {
  const read = await t.call('GET', '/v1/me/attributes', undefined, session.accessToken);
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: session.refreshToken });
  return [read.status, refreshed.status];
}

test('REST: changing the password signs out every other session, not the caller’s; a completed reset signs out all', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const email = uniqueEmail('sessions');
  const mine = await signedInUser(t, clientId, 'sessions', { email });
  const thief = (await signIn(t, clientId, 'sessions')).body as Session;
  assert.deepEqual(await restAlive(clientId, thief), [200, 200]);

  const changed = await t.call(
    'POST',
    '/v1/me/password',
    { previousPassword: PASSWORD, proposedPassword: 'Chang3d-Passw0rd!' },
    mine.accessToken,
  );
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(await restAlive(clientId, thief), [401, 401], 'the other session is over');
  assert.deepEqual(await restAlive(clientId, mine), [200, 200], 'the caller’s session goes on');

  const later = (await signIn(t, clientId, 'sessions', 'Chang3d-Passw0rd!')).body as Session;
  assert.equal((await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'sessions' })).status, 200);
  const code = await newCodeFor(t, email, 1);
  const reset = await t.call('POST', '/v1/auth/forgot-password/confirm', {
    clientId,
    username: 'sessions',
    confirmationCode: code,
    password: 'R3set-Passw0rd!',
  });
  assert.equal(reset.status, 200);
  assert.deepEqual(await restAlive(clientId, mine), [401, 401]);
  assert.deepEqual(await restAlive(clientId, later), [401, 401]);
  assert.equal((await signIn(t, clientId, 'sessions', 'R3set-Passw0rd!')).status, 200, 'the new password signs in');
});

test('wire: ChangePassword ends the other sessions, ConfirmForgotPassword all of them', async () => {
  const { clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] });
  const email = uniqueEmail('wire-sessions');
  const mine = await wireUser(t, clientId, 'wire-sessions', { email });
  const thief = await wireSignIn(t, clientId, 'wire-sessions');
  const alive = async (session: { accessToken: string; refreshToken: string }) => {
    await t.sdk.send(new GetUserCommand({ AccessToken: session.accessToken }));
    await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: session.refreshToken },
      }),
    );
  };
  const over = async (session: { accessToken: string; refreshToken: string }) => {
    await expectError(t.sdk.send(new GetUserCommand({ AccessToken: session.accessToken })), 'NotAuthorizedException');
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: session.refreshToken },
        }),
      ),
      'NotAuthorizedException',
    );
  };
  const thiefSession = { accessToken: thief.AccessToken, refreshToken: thief.RefreshToken };
  await alive(thiefSession);

  await t.sdk.send(
    new ChangePasswordCommand({
      AccessToken: mine.accessToken,
      PreviousPassword: PASSWORD,
      ProposedPassword: 'Chang3d-Passw0rd!',
    }),
  );
  await over(thiefSession);
  await alive(mine);

  await t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'wire-sessions' }));
  const code = await newCodeFor(t, email, 1);
  await t.sdk.send(
    new ConfirmForgotPasswordCommand({
      ClientId: clientId,
      Username: 'wire-sessions',
      ConfirmationCode: code,
      Password: 'R3set-Passw0rd!',
    }),
  );
  await over(mine);
  assert.ok((await wireSignIn(t, clientId, 'wire-sessions', 'R3set-Passw0rd!')).AccessToken);
});
