/**
 * A client's ExplicitAuthFlows, on both faces: Cognito's default (SRP and refresh, no passwords)
 * for clients made through the Cognito protocol, every flow for REST clients without a list.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createPoolWithClient, PASSWORD, signedInUser as restSignedInUser } from '../support/app.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { createClient, createPool, expectError, signedInUser, signIn } from '../support/sdk-flows.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(async () => {
  await t?.close();
});

const passwordAuth = (clientId: string, username: string) =>
  t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
const refresh = (clientId: string, refreshToken: string) =>
  t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );

test("a Cognito-made client without ExplicitAuthFlows gets Cognito's default: no password sign-in", async () => {
  const poolId = await createPool(t, { AutoVerifiedAttributes: ['email'] });
  const passwords = await createClient(t, poolId);
  await signedInUser(t, passwords, 'flow-ann', { email: uniqueEmail('flow-ann') });
  const created = await t.sdk.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'default-flows' }),
  );
  const clientId = created.UserPoolClient!.ClientId!;
  await expectError(
    passwordAuth(clientId, 'flow-ann'),
    'InvalidParameterException',
    'USER_PASSWORD_AUTH flow not enabled for this client',
  );
});

test('a client without ALLOW_REFRESH_TOKEN_AUTH cannot refresh; UpdateUserPoolClient replaces the list, and omitting it restores the default', async () => {
  const poolId = await createPool(t, { AutoVerifiedAttributes: ['email'] });
  const clientId = await createClient(t, poolId, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
  const user = await signedInUser(t, clientId, 'flow-bob', { email: uniqueEmail('flow-bob') });
  await expectError(
    refresh(clientId, user.refreshToken),
    'InvalidParameterException',
    'REFRESH_TOKEN_AUTH flow not enabled for this client',
  );

  await t.sdk.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  assert.ok((await refresh(clientId, user.refreshToken)).AuthenticationResult?.AccessToken);

  await t.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  const described = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.deepEqual(described.UserPoolClient!.ExplicitAuthFlows, [
    'ALLOW_REFRESH_TOKEN_AUTH',
    'ALLOW_USER_SRP_AUTH',
    'ALLOW_CUSTOM_AUTH',
  ]);
  await expectError(
    passwordAuth(clientId, 'flow-bob'),
    'InvalidParameterException',
    'USER_PASSWORD_AUTH flow not enabled for this client',
  );
});

test('a client without ALLOW_USER_SRP_AUTH cannot start SRP, even in a pool with SRP on', async () => {
  const poolId = await createPool(t, { AutoVerifiedAttributes: ['email'] });
  const clientId = await createClient(t, poolId, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
  await signedInUser(t, clientId, 'flow-cy', { email: uniqueEmail('flow-cy') });
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'flow-cy', SRP_A: 'ab' },
      }),
    ),
    'InvalidParameterException',
    'USER_SRP_AUTH flow not enabled for this client',
  );
});

test('unknown and legacy flow names are refused, and nothing is created', async () => {
  const poolId = await createPool(t);
  await expectError(
    t.sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'legacy',
        ExplicitAuthFlows: ['USER_PASSWORD_AUTH'],
      }),
    ),
    'InvalidParameterException',
    /USER_PASSWORD_AUTH is a legacy auth flow name/,
  );
  await expectError(
    t.sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'odd',
        ExplicitAuthFlows: ['ALLOW_EVERYTHING' as never],
      }),
    ),
    'InvalidParameterException',
    /Invalid auth flow ALLOW_EVERYTHING/,
  );
  const { ListUserPoolClientsCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  assert.deepEqual((await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId }))).UserPoolClients, []);
});

test('REST: a client has no list unless given one; the list is enforced on REST sign-in and refresh too', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const described = await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`);
  assert.equal(described.body.explicitAuthFlows, null);
  const tokens = await restSignedInUser(t, clientId, 'flow-dee', { email: uniqueEmail('flow-dee') });

  const narrowed = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, {
    explicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
  });
  assert.equal(narrowed.status, 200);
  assert.deepEqual(narrowed.body.explicitAuthFlows, ['ALLOW_USER_SRP_AUTH']);
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'flow-dee', password: PASSWORD }),
    400,
    'InvalidParameterException',
    'USER_PASSWORD_AUTH flow not enabled for this client',
  );
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken }),
    400,
    'InvalidParameterException',
    'REFRESH_TOKEN_AUTH flow not enabled for this client',
  );
  // The Cognito face reports the client's own list.
  const wire = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.deepEqual(wire.UserPoolClient!.ExplicitAuthFlows, ['ALLOW_USER_SRP_AUTH']);

  const cleared = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, { explicitAuthFlows: null });
  assert.equal(cleared.body.explicitAuthFlows, null);
  assert.ok((await signIn(t, clientId, 'flow-dee')).AccessToken);

  assert.equal(
    (await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, { explicitAuthFlows: ['USER_PASSWORD_AUTH'] }))
      .status,
    400,
  );
  assert.equal(
    (
      await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, {
        explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_SRP_AUTH'],
      })
    ).status,
    400,
  );
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`)).body.explicitAuthFlows, null);
});
