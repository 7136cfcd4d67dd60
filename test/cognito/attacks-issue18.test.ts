/**
 * Issue 18's new surfaces on Cognito's face, attacked (docs/security.md, "Issue 18"): SECRET_HASH
 * on every flow and challenge (checked before any session or user is looked at, bound to its
 * username and its client), the admin sign-in's client and pool binding, and what an
 * administrator's password action leaves usable (a pending SRP challenge, a RESET_REQUIRED user
 * on every sign-in path).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  AddUserPoolClientSecretCommand,
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer } from '../support/hook-server.ts';
import { attributeList, createClient, createPool, expectError, PASSWORD } from '../support/sdk-flows.ts';
import { uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(async () => {
  await t?.close();
});

const ALL_FLOWS = [
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
] as const;
const NEW_PASSWORD = 'N3w-Passw0rd!';
const hashOf = (secret: string, username: string, clientId: string) =>
  createHmac('sha256', secret)
    .update(username + clientId)
    .digest('base64');
const notReceived = (clientId: string) =>
  `Client ${clientId} is configured with secret but SECRET_HASH was not received`;
const unverified = (clientId: string) => `Unable to verify secret hash for client ${clientId}`;

async function confidential(poolId: string) {
  const created = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'server',
      GenerateSecret: true,
      ExplicitAuthFlows: [...ALL_FLOWS],
    }),
  );
  return { clientId: created.UserPoolClient!.ClientId!, secret: created.UserPoolClient!.ClientSecret! };
}

/** A confirmed user with PASSWORD, made by the administrator (no SECRET_HASH involved). */
async function user(poolId: string, username: string) {
  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: attributeList({ email: uniqueEmail(username), email_verified: 'true' }),
    }),
  );
  await t.sdk.send(
    new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }),
  );
}

test('SECRET_HASH is checked on every flow and every challenge before the session or user is looked at', async () => {
  const poolId = await createPool(t);
  const { clientId, secret } = await confidential(poolId);
  await user(poolId, 'atk-ann');
  const wrong = hashOf('x'.repeat(51), 'atk-ann', clientId);

  const initiate = (AuthFlow: string, extra: Record<string, string>) =>
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: AuthFlow as never,
        AuthParameters: { USERNAME: 'atk-ann', ...extra },
      }),
    );
  const adminInitiate = (AuthFlow: string, extra: Record<string, string>) =>
    t.sdk.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: AuthFlow as never,
        AuthParameters: { USERNAME: 'atk-ann', ...extra },
      }),
    );
  const flows: Array<[string, Record<string, string>]> = [
    ['USER_PASSWORD_AUTH', { PASSWORD }],
    ['USER_SRP_AUTH', { SRP_A: createSrpSession('atk-ann', PASSWORD, poolId, false).largeA }],
    ['CUSTOM_AUTH', {}],
    ['USER_AUTH', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }],
    ['REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: 'not-a-refresh-token' }],
    ['REFRESH_TOKEN', { REFRESH_TOKEN: 'not-a-refresh-token' }],
  ];
  for (const [flow, extra] of flows) {
    const refresh = flow.startsWith('REFRESH');
    // A refresh flow's hash is over the token's user: with no token, nothing says whose; still refused.
    if (!refresh) {
      await expectError(initiate(flow, extra), 'NotAuthorizedException', notReceived(clientId));
      await expectError(
        initiate(flow, { ...extra, SECRET_HASH: wrong }),
        'NotAuthorizedException',
        unverified(clientId),
      );
    } else {
      await expectError(initiate(flow, extra), 'NotAuthorizedException');
      await expectError(initiate(flow, { ...extra, SECRET_HASH: wrong }), 'NotAuthorizedException');
    }
    const adminFlow = flow === 'USER_PASSWORD_AUTH' ? 'ADMIN_USER_PASSWORD_AUTH' : flow;
    if (!refresh) {
      await expectError(adminInitiate(adminFlow, extra), 'NotAuthorizedException', notReceived(clientId));
      await expectError(
        adminInitiate(adminFlow, { ...extra, SECRET_HASH: wrong }),
        'NotAuthorizedException',
        unverified(clientId),
      );
    }
  }
  // Every challenge: refused for the missing proof, not for the (bogus) session it names.
  const bogusSession = 'a'.repeat(64);
  for (const name of [
    'PASSWORD_VERIFIER',
    'NEW_PASSWORD_REQUIRED',
    'CUSTOM_CHALLENGE',
    'SMS_MFA',
    'SOFTWARE_TOKEN_MFA',
    'EMAIL_OTP',
    'SELECT_MFA_TYPE',
    'MFA_SETUP',
    'SELECT_CHALLENGE',
    'DEVICE_SRP_AUTH',
    'DEVICE_PASSWORD_VERIFIER',
  ]) {
    const responses = { USERNAME: 'atk-ann' };
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: name as never,
          Session: bogusSession,
          ChallengeResponses: responses,
        }),
      ),
      'NotAuthorizedException',
      notReceived(clientId),
    );
    await expectError(
      t.sdk.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ChallengeName: name as never,
          Session: bogusSession,
          ChallengeResponses: { ...responses, SECRET_HASH: wrong },
        }),
      ),
      'NotAuthorizedException',
      unverified(clientId),
    );
  }
  // The secret itself: GetTokensFromRefreshToken and RevokeToken.
  const signedIn = await initiate('USER_PASSWORD_AUTH', { PASSWORD, SECRET_HASH: hashOf(secret, 'atk-ann', clientId) });
  const refreshToken = signedIn.AuthenticationResult!.RefreshToken!;
  await expectError(
    t.sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken })),
    'NotAuthorizedException',
  );
  await expectError(
    t.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: refreshToken, ClientSecret: `${secret}x` })),
    'NotAuthorizedException',
  );
  // The token still works with the right proof: nothing above used it up.
  const refreshed = await t.sdk.send(
    new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken, ClientSecret: secret }),
  );
  assert.ok(refreshed.AuthenticationResult?.AccessToken);
});

test('a SECRET_HASH is bound to its username and its client: one made for another name or client proves nothing', async () => {
  const poolId = await createPool(t);
  const a = await confidential(poolId);
  const b = await confidential(poolId);
  await user(poolId, 'atk-bea');
  const signIn = (clientId: string, secretHash: string) =>
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'atk-bea', PASSWORD, SECRET_HASH: secretHash },
      }),
    );
  // A's secret over B's id, B's over A's, another user's name, the name with another case or padding.
  for (const [clientId, hash] of [
    [b.clientId, hashOf(a.secret, 'atk-bea', b.clientId)],
    [a.clientId, hashOf(b.secret, 'atk-bea', a.clientId)],
    [a.clientId, hashOf(a.secret, 'atk-bea', b.clientId)],
    [a.clientId, hashOf(a.secret, 'atk-be', a.clientId)],
    [a.clientId, hashOf(a.secret, 'atk-bea ', a.clientId)],
    [a.clientId, hashOf(a.secret, '', `atk-bea${a.clientId}`).slice(0, -2)],
    [a.clientId, ''],
  ] as const) {
    await expectError(signIn(clientId, hash), 'NotAuthorizedException');
  }
  // The right ones work for both clients.
  assert.ok((await signIn(a.clientId, hashOf(a.secret, 'atk-bea', a.clientId))).AuthenticationResult);
  assert.ok((await signIn(b.clientId, hashOf(b.secret, 'atk-bea', b.clientId))).AuthenticationResult);
});

test('admin sign-in: a session is answered only by the client and pool it was issued for', async () => {
  const poolA = await createPool(t, { PoolName: 'atk-a' });
  const poolB = await createPool(t, { PoolName: 'atk-b' });
  const flows = { ExplicitAuthFlows: [...ALL_FLOWS] };
  const clientA = await createClient(t, poolA, flows);
  const clientB = await createClient(t, poolB, flows);
  const clientA2 = await createClient(t, poolA, flows);
  // A user who must choose a new password: the challenge's session is the prize.
  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolA,
      Username: 'atk-cid',
      TemporaryPassword: PASSWORD,
      MessageAction: 'SUPPRESS',
    }),
  );
  const started = await t.sdk.send(
    new AdminInitiateAuthCommand({
      UserPoolId: poolA,
      ClientId: clientA,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'atk-cid', PASSWORD },
    }),
  );
  assert.equal(started.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  const answer = (UserPoolId: string, ClientId: string) =>
    t.sdk.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId,
        ClientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: started.Session!,
        ChallengeResponses: { USERNAME: 'atk-cid', NEW_PASSWORD },
      }),
    );
  // Another pool's client, this pool named with another pool's client, another client of this pool.
  await expectError(answer(poolB, clientB), 'NotAuthorizedException');
  await expectError(answer(poolA, clientB), 'ResourceNotFoundException');
  await expectError(answer(poolB, clientA), 'ResourceNotFoundException');
  await expectError(answer(poolA, clientA2), 'NotAuthorizedException');
  // AdminInitiateAuth names a client of another pool: refused before the password is tried.
  await expectError(
    t.sdk.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolB,
        ClientId: clientA,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'atk-cid', PASSWORD },
      }),
    ),
    'ResourceNotFoundException',
  );
  // The rightful answer still works: none of the above used the session up.
  const done = await answer(poolA, clientA);
  assert.ok(done.AuthenticationResult?.AccessToken);
});

/** USER_SRP_AUTH's first half, and the signed second half's responses for `password`. */
async function srpStart(clientId: string, poolId: string, username: string, password: string) {
  const session = createSrpSession(username, password, poolId, false);
  const challenge: InitiateAuthCommandOutput = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: username, SRP_A: session.largeA },
    }),
  );
  assert.equal(challenge.ChallengeName, 'PASSWORD_VERIFIER');
  return () => {
    const signed = signSrpSession(session, challenge as never);
    return t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: {
          USERNAME: challenge.ChallengeParameters!.USER_ID_FOR_SRP!,
          PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
          TIMESTAMP: signed.timestamp,
          PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
        },
      }),
    );
  };
}

test('AdminSetUserPassword ends a pending SRP challenge: the old password’s proof, started before, gets no tokens', async () => {
  const poolId = await createPool(t);
  const clientId = await createClient(t, poolId, { ExplicitAuthFlows: [...ALL_FLOWS] });
  await user(poolId, 'atk-dan');
  const finish = await srpStart(clientId, poolId, 'atk-dan', PASSWORD);
  await t.sdk.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: 'atk-dan',
      Password: NEW_PASSWORD,
      Permanent: true,
    }),
  );
  await expectError(finish(), 'NotAuthorizedException');
  // The new password's SRP works: the verifier was replaced, not removed.
  const fresh = await srpStart(clientId, poolId, 'atk-dan', NEW_PASSWORD);
  assert.ok((await fresh()).AuthenticationResult?.AccessToken);
});

test('AdminResetUserPassword: the old password gets no tokens on any path (password, admin, SRP, USER_AUTH, refresh)', async () => {
  const poolId = await createPool(t);
  const clientId = await createClient(t, poolId, { ExplicitAuthFlows: [...ALL_FLOWS] });
  await user(poolId, 'atk-eve');
  const before = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'atk-eve', PASSWORD },
    }),
  );
  const refreshToken = before.AuthenticationResult!.RefreshToken!;
  const pendingSrp = await srpStart(clientId, poolId, 'atk-eve', PASSWORD);
  await t.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'atk-eve' }));

  const refused = async (call: Promise<unknown>) => {
    const error = await sdkError(call);
    assert.ok(
      ['PasswordResetRequiredException', 'NotAuthorizedException'].includes(error.name),
      `${error.name}: ${error.message}`,
    );
  };
  await refused(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'atk-eve', PASSWORD },
      }),
    ),
  );
  await refused(
    t.sdk.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'atk-eve', PASSWORD },
      }),
    ),
  );
  await refused(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: 'atk-eve', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD },
      }),
    ),
  );
  await refused(pendingSrp());
  // A new SRP sign-in with the old password: refused at its second half, as a password sign-in is.
  await refused((await srpStart(clientId, poolId, 'atk-eve', PASSWORD))());
  await refused(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    ),
  );
});

test('a refused secret is never repeated in the error (errors are logged): ClientSecret of Create and Add', async () => {
  const poolId = await createPool(t);
  const { clientId } = await confidential(poolId);
  // Well-formed but one character too long, or base64 with a character Cognito's pattern lacks.
  const tooLong = 'S3cretValue'.repeat(6);
  const slashed = 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo/MDEy';
  for (const value of [tooLong, slashed]) {
    const added = await expectError(
      t.sdk.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecret: value })),
      'InvalidParameterException',
    );
    assert.ok(!added.message.includes(value), added.message);
    const created = await expectError(
      t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'custom', ClientSecret: value })),
      'InvalidParameterException',
    );
    assert.ok(!created.message.includes(value), created.message);
  }
  assert.ok(!JSON.stringify(t.logs).includes(tooLong) && !JSON.stringify(t.logs).includes(slashed), 'the log holds it');
});

test('a deleted pool or client: no key published, no token or secret accepted, whatever was cached', async () => {
  const poolId = await createPool(t);
  const { clientId, secret } = await confidential(poolId);
  await user(poolId, 'atk-fay');
  const signIn = () =>
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'atk-fay', PASSWORD, SECRET_HASH: hashOf(secret, 'atk-fay', clientId) },
      }),
    );
  // Read twice: the client, the pool and the signing key are in every cache there is.
  const first = (await signIn()).AuthenticationResult!;
  await t.sdk.send(new GetUserCommand({ AccessToken: first.AccessToken! }));
  const tokens = (await signIn()).AuthenticationResult!;
  const jwks = await t.app.inject({ method: 'GET', url: `/${poolId}/.well-known/jwks.json` });
  assert.equal(jwks.statusCode, 200);

  await t.sdk.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  await expectError(signIn(), 'ResourceNotFoundException');
  await expectError(t.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken! })), 'NotAuthorizedException');
  // The refresh path reads the token first: gone with its client.
  await expectError(
    t.sdk.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: clientId,
        RefreshToken: tokens.RefreshToken!,
        ClientSecret: secret,
      }),
    ),
    'NotAuthorizedException',
    'Invalid Refresh Token',
  );

  // The pool: its keys are no longer published, so no relying party can verify its ID tokens anew.
  const other = await confidential(poolId);
  const again = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: other.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'atk-fay', PASSWORD, SECRET_HASH: hashOf(other.secret, 'atk-fay', other.clientId) },
    }),
  );
  await t.sdk.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
  const gone = await t.app.inject({ method: 'GET', url: `/${poolId}/.well-known/jwks.json` });
  assert.equal(gone.statusCode, 404, gone.body);
  await expectError(
    t.sdk.send(new GetUserCommand({ AccessToken: again.AuthenticationResult!.AccessToken! })),
    'NotAuthorizedException',
  );
});

// The session is written after the password's proof; the user is read again once it is written, so
// a sign-in in flight (here held by a slow hook) does not outlive AdminSetUserPassword (sign-in-finish.ts).
test('a sign-in with the old password still in flight when the administrator sets a new one keeps no session', async () => {
  const hook = await startHookServer();
  try {
    const poolId = await createPool(t, {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: hook.url } },
    });
    const clientId = await createClient(t, poolId, { ExplicitAuthFlows: [...ALL_FLOWS] });
    await user(poolId, 'atk-gus');
    // The hook holds the sign-in between the password's proof and the session's creation.
    let reached!: () => void;
    const atHook = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    hook.handle(async (request) => {
      if (request.body?.triggerSource === 'TokenGeneration_Authentication') {
        reached();
        await held;
      }
      return { status: 200, body: request.body };
    });
    const inFlight = t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'atk-gus', PASSWORD },
      }),
    );
    await atHook;
    await t.sdk.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: 'atk-gus',
        Password: NEW_PASSWORD,
        Permanent: true,
      }),
    );
    release();
    // Refused, or its tokens dead at once: nothing of the old password outlives the change.
    const outcome = await inFlight.then(
      (result) => result.AuthenticationResult,
      () => undefined,
    );
    if (outcome) {
      await expectError(
        t.sdk.send(new GetUserCommand({ AccessToken: outcome.AccessToken! })),
        'NotAuthorizedException',
      );
      await expectError(
        t.sdk.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: outcome.RefreshToken! },
          }),
        ),
        'NotAuthorizedException',
      );
    }
  } finally {
    await hook.close();
  }
});
