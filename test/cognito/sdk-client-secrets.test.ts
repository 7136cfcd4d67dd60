/**
 * Confidential app clients through the AWS SDK (docs/client-secrets.md): GenerateSecret, the
 * rotation actions, and SECRET_HASH / ClientSecret on every call that names such a client: a
 * right proof works, a missing, wrong or retired one is refused with Cognito's errors and
 * changes nothing. (Amplify v6 has no client secrets: not tested with it.)
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  AddUserPoolClientSecretCommand,
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ListUserPoolClientSecretsCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { eq } from 'drizzle-orm';
import { clientSecrets } from '../../src/db/schema/pools.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { attributeList, createClient, createPool, expectError, PASSWORD } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(async () => {
  await t?.close();
});

const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;
/** SECRET_HASH as a Cognito client computes it. */
const hashOf = (secret: string, username: string, clientId: string) =>
  createHmac('sha256', secret)
    .update(username + clientId)
    .digest('base64');
const notReceived = (clientId: string) =>
  `Client ${clientId} is configured with secret but SECRET_HASH was not received`;
const unverified = (clientId: string) => `Unable to verify secret hash for client ${clientId}`;

async function confidentialClient(poolId: string) {
  const created = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'server-app',
      GenerateSecret: true,
      ExplicitAuthFlows: [...FLOWS],
    }),
  );
  return { clientId: created.UserPoolClient!.ClientId!, secret: created.UserPoolClient!.ClientSecret! };
}

async function setUp() {
  const poolId = await createPool(t, { AutoVerifiedAttributes: ['email'] });
  return { poolId, ...(await confidentialClient(poolId)) };
}

/** Sign-up and confirmation with a right SECRET_HASH. */
async function confirmedUser(clientId: string, secret: string, username: string) {
  const email = uniqueEmail(username);
  const seen = mailsTo(t, email);
  await t.sdk.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: username,
      Password: PASSWORD,
      SecretHash: hashOf(secret, username, clientId),
      UserAttributes: attributeList({ email }),
    }),
  );
  const code = await newCodeFor(t, email, seen);
  await t.sdk.send(
    new ConfirmSignUpCommand({
      ClientId: clientId,
      Username: username,
      ConfirmationCode: code,
      SecretHash: hashOf(secret, username, clientId),
    }),
  );
  return email;
}

const passwordAuth = (clientId: string, username: string, secretHash?: string) =>
  t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD, ...(secretHash !== undefined && { SECRET_HASH: secretHash }) },
    }),
  );

test('GenerateSecret: a 51-character secret, shown by Create and Describe, listed without its value, sealed at rest', async () => {
  const { poolId, clientId, secret } = await setUp();
  assert.match(secret, /^[a-z0-9]{51}$/);

  const described = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.equal(described.UserPoolClient!.ClientSecret, secret);

  const listed = await t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.equal(listed.ClientSecrets!.length, 1);
  const [descriptor] = listed.ClientSecrets!;
  assert.match(descriptor!.ClientSecretId!, new RegExp(`^${clientId}--\\d{13}$`));
  assert.equal(descriptor!.ClientSecretValue, undefined);
  assert.ok(descriptor!.ClientSecretCreateDate instanceof Date);

  const rows = await t.database.db.select().from(clientSecrets).where(eq(clientSecrets.clientId, clientId));
  assert.equal(rows.length, 1);
  assert.ok(!rows[0]!.sealedSecret.includes(secret), 'the secret is not stored in clear');
  assert.ok(!Buffer.from(rows[0]!.sealedSecret.slice(3), 'base64url').toString('latin1').includes(secret));
  assert.match(rows[0]!.sealedSecret, /^v1\./);

  // UpdateUserPoolClient keeps the secret; a public client shows none.
  await t.sdk.send(
    new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, ExplicitAuthFlows: [...FLOWS] }),
  );
  const again = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.equal(again.UserPoolClient!.ClientSecret, secret);
  const publicId = await createClient(t, poolId);
  const publicClient = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: publicId }));
  assert.equal(publicClient.UserPoolClient!.ClientSecret, undefined);
  assert.ok(!JSON.stringify(t.logs).includes(secret), 'the secret is never logged');
});

test('CreateUserPoolClient: a custom ClientSecret is kept; with GenerateSecret true, or malformed, it is refused', async () => {
  const poolId = await createPool(t);
  const custom = 'my_custom+secret_value_0123456789';
  const created = await t.sdk.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'custom', ClientSecret: custom }),
  );
  assert.equal(created.UserPoolClient!.ClientSecret, custom);
  await expectError(
    t.sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'both',
        GenerateSecret: true,
        ClientSecret: custom,
      }),
    ),
    'InvalidParameterException',
    /GenerateSecret/,
  );
  await expectError(
    t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'short', ClientSecret: 'too-short' })),
    'InvalidParameterException',
  );
});

test('sign-up, confirmation, sign-in, refresh and password reset with a right SECRET_HASH', async () => {
  const { clientId, secret } = await setUp();
  const email = await confirmedUser(clientId, secret, 'sh-ann');

  const signedIn = await passwordAuth(clientId, 'sh-ann', hashOf(secret, 'sh-ann', clientId));
  const tokens = signedIn.AuthenticationResult!;
  assert.ok(tokens.AccessToken && tokens.RefreshToken);
  const sub = JSON.parse(Buffer.from(tokens.AccessToken.split('.')[1]!, 'base64url').toString()).sub as string;

  // REFRESH_TOKEN_AUTH: the hash is over the user's username, or sub.
  for (const name of ['sh-ann', sub]) {
    const refreshed = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken, SECRET_HASH: hashOf(secret, name, clientId) },
      }),
    );
    assert.ok(refreshed.AuthenticationResult?.AccessToken);
  }
  // GetTokensFromRefreshToken: the secret itself.
  const viaSecret = await t.sdk.send(
    new GetTokensFromRefreshTokenCommand({
      ClientId: clientId,
      RefreshToken: tokens.RefreshToken,
      ClientSecret: secret,
    }),
  );
  assert.ok(viaSecret.AuthenticationResult?.AccessToken);

  // Forgot password and its confirmation.
  const seen = mailsTo(t, email);
  await t.sdk.send(
    new ForgotPasswordCommand({
      ClientId: clientId,
      Username: 'sh-ann',
      SecretHash: hashOf(secret, 'sh-ann', clientId),
    }),
  );
  const code = await newCodeFor(t, email, seen);
  await t.sdk.send(
    new ConfirmForgotPasswordCommand({
      ClientId: clientId,
      Username: 'sh-ann',
      ConfirmationCode: code,
      Password: 'N3w-Passw0rd!',
      SecretHash: hashOf(secret, 'sh-ann', clientId),
    }),
  );
  const afterReset = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: {
        USERNAME: 'sh-ann',
        PASSWORD: 'N3w-Passw0rd!',
        SECRET_HASH: hashOf(secret, 'sh-ann', clientId),
      },
    }),
  );
  assert.ok(afterReset.AuthenticationResult?.AccessToken);

  // RevokeToken: ClientSecret.
  await expectError(
    t.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: afterReset.AuthenticationResult!.RefreshToken! })),
    'NotAuthorizedException',
    `Client ${clientId} is configured with secret but ClientSecret was not received`,
  );
  await t.sdk.send(
    new RevokeTokenCommand({
      ClientId: clientId,
      Token: afterReset.AuthenticationResult!.RefreshToken!,
      ClientSecret: secret,
    }),
  );
});

test('a missing or wrong SECRET_HASH is refused on every call, changes nothing, and says nothing of the user', async () => {
  const { clientId, secret } = await setUp();
  const email = await confirmedUser(clientId, secret, 'sh-bob');
  const wrong = hashOf('not-the-secret-0123456789', 'sh-bob', clientId);
  const otherUser = hashOf(secret, 'sh-someone-else', clientId);

  // SignUp: nothing created with a wrong hash (the same name signs up afterwards).
  const newEmail = uniqueEmail('sh-new');
  const signUp = (secretHash?: string) =>
    t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'sh-new',
        Password: PASSWORD,
        UserAttributes: attributeList({ email: newEmail }),
        ...(secretHash !== undefined && { SecretHash: secretHash }),
      }),
    );
  await expectError(signUp(), 'NotAuthorizedException', notReceived(clientId));
  await expectError(signUp(wrong), 'NotAuthorizedException', unverified(clientId));
  await expectError(signUp(hashOf(secret, 'sh-bob', clientId)), 'NotAuthorizedException', unverified(clientId));
  assert.equal(mailsTo(t, newEmail), 0, 'no code sent');
  await signUp(hashOf(secret, 'sh-new', clientId));

  // Sign-in: the same answer for a known and an unknown user, and no lockout counted.
  await expectError(passwordAuth(clientId, 'sh-bob'), 'NotAuthorizedException', notReceived(clientId));
  await expectError(passwordAuth(clientId, 'sh-bob', wrong), 'NotAuthorizedException', unverified(clientId));
  await expectError(passwordAuth(clientId, 'sh-bob', otherUser), 'NotAuthorizedException', unverified(clientId));
  await expectError(
    passwordAuth(clientId, 'sh-nobody', hashOf('not-the-secret-0123456789', 'sh-nobody', clientId)),
    'NotAuthorizedException',
    unverified(clientId),
  );
  for (let i = 0; i < 6; i++) await expectError(passwordAuth(clientId, 'sh-bob', wrong), 'NotAuthorizedException');
  const signedIn = await passwordAuth(clientId, 'sh-bob', hashOf(secret, 'sh-bob', clientId));
  const refreshToken = signedIn.AuthenticationResult!.RefreshToken!;

  // Codes: nothing sent without the right hash.
  const seen = mailsTo(t, email);
  await expectError(
    t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'sh-bob' })),
    'NotAuthorizedException',
    notReceived(clientId),
  );
  await expectError(
    t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'sh-bob', SecretHash: wrong })),
    'NotAuthorizedException',
    unverified(clientId),
  );
  await expectError(
    t.sdk.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'sh-new', SecretHash: wrong })),
    'NotAuthorizedException',
    unverified(clientId),
  );
  await expectError(
    t.sdk.send(
      new ConfirmSignUpCommand({
        ClientId: clientId,
        Username: 'sh-new',
        ConfirmationCode: '123456',
        SecretHash: wrong,
      }),
    ),
    'NotAuthorizedException',
    unverified(clientId),
  );
  await expectError(
    t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'sh-bob',
        ConfirmationCode: '123456',
        Password: 'N3w-Passw0rd!',
      }),
    ),
    'NotAuthorizedException',
    notReceived(clientId),
  );
  assert.equal(mailsTo(t, email), seen, 'no code sent');

  // Refresh: missing, wrong, or over another name.
  const refresh = (secretHash?: string) =>
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken, ...(secretHash !== undefined && { SECRET_HASH: secretHash }) },
      }),
    );
  await expectError(refresh(), 'NotAuthorizedException', notReceived(clientId));
  await expectError(refresh(wrong), 'NotAuthorizedException', unverified(clientId));
  await expectError(refresh(otherUser), 'NotAuthorizedException', unverified(clientId));
  await expectError(
    t.sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken })),
    'NotAuthorizedException',
    `Client ${clientId} is configured with secret but ClientSecret was not received`,
  );
  await expectError(
    t.sdk.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: clientId,
        RefreshToken: refreshToken,
        // The last character changed (a secret that ends in x gets a y).
        ClientSecret: `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`,
      }),
    ),
    'NotAuthorizedException',
    `Unable to verify client secret for client ${clientId}`,
  );
  // The token still works: the refused calls changed nothing.
  assert.ok((await refresh(hashOf(secret, 'sh-bob', clientId))).AuthenticationResult?.AccessToken);
});

test('RespondToAuthChallenge: ChallengeResponses.SECRET_HASH; a refused answer leaves the session usable', async () => {
  const { poolId, clientId, secret } = await setUp();
  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: 'sh-carl',
      TemporaryPassword: 'Temp-Passw0rd!',
      MessageAction: 'SUPPRESS',
    }),
  );
  const started = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: {
        USERNAME: 'sh-carl',
        PASSWORD: 'Temp-Passw0rd!',
        SECRET_HASH: hashOf(secret, 'sh-carl', clientId),
      },
    }),
  );
  assert.equal(started.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  const answer = (responses: Record<string, string>) =>
    t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: started.Session!,
        ChallengeResponses: { USERNAME: 'sh-carl', NEW_PASSWORD: 'N3w-Passw0rd!', ...responses },
      }),
    );
  await expectError(answer({}), 'NotAuthorizedException', notReceived(clientId));
  await expectError(
    answer({ SECRET_HASH: hashOf('not-the-secret-0123456789', 'sh-carl', clientId) }),
    'NotAuthorizedException',
    unverified(clientId),
  );
  const done = await answer({ SECRET_HASH: hashOf(secret, 'sh-carl', clientId) });
  assert.ok(done.AuthenticationResult?.AccessToken);
});

test('rotation: two live secrets both work, a third is refused, a deleted one stops working, the last stays', async () => {
  const { poolId, clientId, secret: first } = await setUp();
  await confirmedUser(clientId, first, 'sh-dan');
  const [firstId] = (
    await t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }))
  ).ClientSecrets!.map((s) => s.ClientSecretId!);

  const added = await t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId }));
  const second = added.ClientSecretDescriptor!.ClientSecretValue!;
  const secondId = added.ClientSecretDescriptor!.ClientSecretId!;
  assert.match(second, /^[a-z0-9]{51}$/);
  assert.notEqual(second, first);
  assert.match(secondId, new RegExp(`^${clientId}--\\d{13}$`));
  assert.notEqual(secondId, firstId);

  for (const secret of [first, second]) {
    assert.ok((await passwordAuth(clientId, 'sh-dan', hashOf(secret, 'sh-dan', clientId))).AuthenticationResult);
  }
  const described = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.equal(described.UserPoolClient!.ClientSecret, second, 'Describe shows the newest secret');
  const listed = await t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.deepEqual(
    listed.ClientSecrets!.map((s) => [s.ClientSecretId, s.ClientSecretValue]),
    [
      [firstId, undefined],
      [secondId, undefined],
    ],
  );

  await expectError(
    t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId })),
    'LimitExceededException',
  );
  await t.sdk.send(
    new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: firstId! }),
  );
  await expectError(
    passwordAuth(clientId, 'sh-dan', hashOf(first, 'sh-dan', clientId)),
    'NotAuthorizedException',
    unverified(clientId),
  );
  assert.ok((await passwordAuth(clientId, 'sh-dan', hashOf(second, 'sh-dan', clientId))).AuthenticationResult);

  await expectError(
    t.sdk.send(
      new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: secondId }),
    ),
    'InvalidParameterException',
    /last remaining secret/,
  );
  await expectError(
    t.sdk.send(
      new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: firstId! }),
    ),
    'ResourceNotFoundException',
  );

  // A custom secret: its value is not echoed, and it works.
  const custom = 'Custom_secret+for_rotation_0123456789';
  const addedCustom = await t.sdk.send(
    new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecret: custom }),
  );
  assert.equal(addedCustom.ClientSecretDescriptor!.ClientSecretValue, undefined);
  assert.ok((await passwordAuth(clientId, 'sh-dan', hashOf(custom, 'sh-dan', clientId))).AuthenticationResult);
});

test('bad rotation calls: a public client, an unknown client or pool, a malformed secret, a NextToken', async () => {
  const poolId = await createPool(t);
  const publicId = await createClient(t, poolId);
  const { clientId } = await confidentialClient(poolId);
  await expectError(
    t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: publicId })),
    'InvalidParameterException',
    /no secret/,
  );
  assert.deepEqual(
    (await t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: publicId }))).ClientSecrets,
    [],
  );
  await expectError(
    t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: 'abcdefghijklmnopqrstuvwxyz' })),
    'ResourceNotFoundException',
  );
  const otherPool = await createPool(t);
  await expectError(
    t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: otherPool, ClientId: clientId })),
    'ResourceNotFoundException',
  );
  await expectError(
    t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecret: 'short' })),
    'InvalidParameterException',
  );
  await expectError(
    t.sdk.send(
      new AddUserPoolClientSecretCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ClientSecret: 'has spaces in it 0123456789',
      }),
    ),
    'InvalidParameterException',
  );
  await expectError(
    t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId, NextToken: 'x' })),
    'InvalidParameterException',
    /NextToken/,
  );
  // Still one secret: nothing was added by the refused calls.
  assert.equal(
    (await t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }))).ClientSecrets!
      .length,
    1,
  );
});

test('a public client takes no SECRET_HASH: one sent is refused, naming it', async () => {
  const poolId = await createPool(t, { AutoVerifiedAttributes: ['email'] });
  const publicId = await createClient(t, poolId);
  await expectError(
    passwordAuth(publicId, 'anyone', 'c29tZS1oYXNo'),
    'InvalidParameterException',
    `Client ${publicId} has no secret (a public client); send no AuthParameters.SECRET_HASH.`,
  );
  await expectError(
    t.sdk.send(
      new SignUpCommand({ ClientId: publicId, Username: 'pub', Password: PASSWORD, SecretHash: 'c29tZS1oYXNo' }),
    ),
    'InvalidParameterException',
    /send no SecretHash/,
  );
});

test('AdminInitiateAuth and AdminRespondToAuthChallenge take SECRET_HASH as their user twins do', async () => {
  const { poolId, clientId, secret } = await setUp();
  await t.sdk.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: 'sh-erin',
      TemporaryPassword: 'Temp-Passw0rd!',
      MessageAction: 'SUPPRESS',
    }),
  );
  const adminAuth = (secretHash?: string) =>
    t.sdk.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: {
          USERNAME: 'sh-erin',
          PASSWORD: 'Temp-Passw0rd!',
          ...(secretHash !== undefined && { SECRET_HASH: secretHash }),
        },
      }),
    );
  await expectError(adminAuth(), 'NotAuthorizedException', notReceived(clientId));
  await expectError(
    adminAuth(hashOf('not-the-secret-0123456789', 'sh-erin', clientId)),
    'NotAuthorizedException',
    unverified(clientId),
  );
  const started = await adminAuth(hashOf(secret, 'sh-erin', clientId));
  assert.equal(started.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  const respond = (responses: Record<string, string>) =>
    t.sdk.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: started.Session!,
        ChallengeResponses: { USERNAME: 'sh-erin', NEW_PASSWORD: 'N3w-Passw0rd!', ...responses },
      }),
    );
  await expectError(respond({}), 'NotAuthorizedException', notReceived(clientId));
  const done = await respond({ SECRET_HASH: hashOf(secret, 'sh-erin', clientId) });
  assert.ok(done.AuthenticationResult?.AccessToken);
});

test('two AddUserPoolClientSecret at once: one wins, the client never holds three secrets', async () => {
  const { poolId, clientId } = await setUp();
  const results = await Promise.allSettled([
    t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId })),
    t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId })),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((refused.reason as Error).name, 'LimitExceededException');
  const listed = await t.sdk.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }));
  assert.equal(listed.ClientSecrets!.length, 2);
});

test('USER_AUTH: a refused SECRET_HASH does not use up the session (a wrong password would)', async () => {
  const poolId = await createPool(t, { AutoVerifiedAttributes: ['email'] });
  const created = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'choice',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = created.UserPoolClient!.ClientId!;
  const secret = created.UserPoolClient!.ClientSecret!;
  await confirmedUser(clientId, secret, 'sh-fay');
  const select = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: 'sh-fay', SECRET_HASH: hashOf(secret, 'sh-fay', clientId) },
    }),
  );
  assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
  const answer = (secretHash?: string) =>
    t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SELECT_CHALLENGE',
        Session: select.Session!,
        ChallengeResponses: {
          USERNAME: 'sh-fay',
          ANSWER: 'PASSWORD',
          PASSWORD,
          ...(secretHash !== undefined && { SECRET_HASH: secretHash }),
        },
      }),
    );
  await expectError(answer(), 'NotAuthorizedException', notReceived(clientId));
  await expectError(answer(hashOf(secret, 'sh-other', clientId)), 'NotAuthorizedException', unverified(clientId));
  const signedIn = await answer(hashOf(secret, 'sh-fay', clientId));
  assert.ok(signedIn.AuthenticationResult?.AccessToken);
});
