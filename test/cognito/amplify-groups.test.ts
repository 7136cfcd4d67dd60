/**
 * Unmodified Amplify v6: `fetchAuthSession` shows the user's groups (`cognito:groups`), and a
 * forced refresh shows a membership change (docs/groups.md, "Tokens"). The pool, client, group and
 * membership are made through the AWS SDK, as an app's backend would.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { PASSWORD, poolWithClient } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
const ROLE = 'arn:aws:iam::123456789012:role/Editors';

before(async () => {
  t = await startCognitoApp();
  ({ poolId, clientId } = await poolWithClient(
    t,
    {},
    { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
  ));
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.endpoint } },
  });
});
after(async () => {
  await signOut().catch(() => {});
  await t?.close();
});

it('fetchAuthSession shows cognito:groups, and a forced refresh shows a change', async () => {
  await t.sdk.send(
    new SignUpCommand({ ClientId: clientId, Username: 'editor', Password: PASSWORD, UserAttributes: [] }),
  );
  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'editor' }));
  await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'editors', Precedence: 1, RoleArn: ROLE }));
  await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'readers', Precedence: 2 }));
  await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'editor', GroupName: 'editors' }));
  await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'editor', GroupName: 'readers' }));

  // Amplify's default flow: SRP.
  const result = await signIn({ username: 'editor', password: PASSWORD });
  assert.deepEqual(result, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const session = await fetchAuthSession();
  assert.deepEqual(session.tokens?.accessToken.payload['cognito:groups'], ['editors', 'readers']);
  assert.deepEqual(session.tokens?.idToken?.payload['cognito:groups'], ['editors', 'readers']);
  assert.deepEqual(session.tokens?.idToken?.payload['cognito:roles'], [ROLE]);
  assert.equal(session.tokens?.idToken?.payload['cognito:preferred_role'], ROLE);

  await t.sdk.send(
    new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'editor', GroupName: 'editors' }),
  );
  // Until the next token, the session says what it said.
  assert.deepEqual((await fetchAuthSession()).tokens?.accessToken.payload['cognito:groups'], ['editors', 'readers']);
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  assert.deepEqual(refreshed.tokens?.accessToken.payload['cognito:groups'], ['readers']);
  assert.equal(refreshed.tokens?.idToken?.payload['cognito:preferred_role'], undefined);
  assert.equal(refreshed.tokens?.idToken?.payload['cognito:roles'], undefined);

  await t.sdk.send(
    new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'editor', GroupName: 'readers' }),
  );
  const none = await fetchAuthSession({ forceRefresh: true });
  assert.equal(none.tokens?.accessToken.payload['cognito:groups'], undefined);
  assert.equal(none.tokens?.idToken?.payload['cognito:groups'], undefined);
});
