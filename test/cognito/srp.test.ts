/**
 * USER_SRP_AUTH over the Cognito protocol, with an independent client-side SRP
 * (cognito-srp-helper) and the AWS SDK; and SRP as a pool setting (REST default off).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  ChangePasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  AdminConfirmSignUpCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema/index.ts';
import { PASSWORD, createPoolWithClient, decodeJwt } from '../support/app.ts';
import { sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';

let t: CognitoTestApp;

before(async () => {
  t = await startCognitoApp();
});
after(async () => {
  await t?.close();
});

async function cognitoPool(
  settings: Partial<ConstructorParameters<typeof CreateUserPoolCommand>[0]> = {},
  existenceErrors: 'ENABLED' | 'LEGACY' = 'LEGACY',
) {
  const { UserPool } = await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'srp', ...settings }));
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool!.Id!,
      ClientName: 'app',
      PreventUserExistenceErrors: existenceErrors,
    }),
  );
  return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
}

async function confirmedUser(
  pool: { poolId: string; clientId: string },
  username: string,
  attributes: Record<string, string> = {},
) {
  await t.sdk.send(
    new SignUpCommand({
      ClientId: pool.clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: username }));
}

const startSrp = (pool: { poolId: string; clientId: string }, username: string, password: string) => {
  const session = createSrpSession(username, password, pool.poolId, false);
  const started = t.sdk.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: username, SRP_A: session.largeA },
    }),
  );
  return { session, started };
};

function answer(
  pool: { clientId: string },
  session: ReturnType<typeof createSrpSession>,
  challenge: InitiateAuthCommandOutput,
  tamper?: (r: Record<string, string>) => void,
) {
  const signed = signSrpSession(session, challenge as never);
  const responses: Record<string, string> = {
    USERNAME: challenge.ChallengeParameters!.USER_ID_FOR_SRP!,
    PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
    TIMESTAMP: signed.timestamp,
    PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
  };
  tamper?.(responses);
  return t.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: responses,
    }),
  );
}

async function srpSignIn(pool: { poolId: string; clientId: string }, username: string, password = PASSWORD) {
  const { session, started } = startSrp(pool, username, password);
  const challenge = await started;
  assert.equal(challenge.ChallengeName, 'PASSWORD_VERIFIER');
  return answer(pool, session, challenge);
}

const srpColumns = async (username: string) => {
  const [row] = await t.database.db
    .select({ salt: users.srpSalt, verifier: users.srpVerifier })
    .from(users)
    .where(eq(users.username, username));
  return row;
};

describe('USER_SRP_AUTH on a pool created through the Cognito protocol', () => {
  it('signs in with the password proven by SRP; a wrong password is refused as Cognito refuses it', async () => {
    const pool = await cognitoPool();
    await confirmedUser(pool, 'srp-alice');
    const result = await srpSignIn(pool, 'srp-alice');
    assert.equal(result.ChallengeName, undefined);
    assert.equal(decodeJwt(result.AuthenticationResult!.AccessToken!).username, 'srp-alice');
    assert.ok(result.AuthenticationResult!.RefreshToken);

    const wrong = await sdkError(srpSignIn(pool, 'srp-alice', 'Wrong-passw0rd!'));
    assert.equal(wrong.name, 'NotAuthorizedException');
    assert.equal(wrong.message, 'Incorrect username or password.');
    assert.equal(wrong.$metadata.httpStatusCode, 400);
  });

  it('the challenge names the user as Cognito does; in username-attribute pools that is the sub', async () => {
    const pool = await cognitoPool({ UsernameAttributes: ['email'] });
    await confirmedUser(pool, 'srp-bob@example.com');
    const { session, started } = startSrp(pool, 'srp-bob@example.com', PASSWORD);
    const challenge = await started;
    const params = challenge.ChallengeParameters!;
    assert.match(params.USER_ID_FOR_SRP!, /^[0-9a-f-]{36}$/);
    assert.match(params.SALT!, /^[0-9a-f]+$/);
    assert.match(params.SRP_B!, /^[0-9a-f]+$/);
    const result = await answer(pool, session, challenge);
    assert.equal(decodeJwt(result.AuthenticationResult!.IdToken!).email, 'srp-bob@example.com');
  });

  it('a tampered signature, a secret block of another client, or a replayed block after a password change fail', async () => {
    const pool = await cognitoPool();
    await confirmedUser(pool, 'srp-carol');
    const { session, started } = startSrp(pool, 'srp-carol', PASSWORD);
    const challenge = await started;
    const tampered = await sdkError(
      answer(pool, session, challenge, (r) => (r.PASSWORD_CLAIM_SIGNATURE = Buffer.alloc(32).toString('base64'))),
    );
    assert.equal(tampered.name, 'NotAuthorizedException');

    const other = await t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: pool.poolId, ClientName: 'other' }));
    const foreign = await sdkError(answer({ clientId: other.UserPoolClient!.ClientId! }, session, challenge));
    assert.equal(foreign.name, 'NotAuthorizedException');
    assert.equal(foreign.message, 'Invalid session for the user, session is expired.');

    const broken = await sdkError(
      answer(
        pool,
        session,
        challenge,
        (r) => (r.PASSWORD_CLAIM_SECRET_BLOCK = 'AAAA' + r.PASSWORD_CLAIM_SECRET_BLOCK!.slice(4)),
      ),
    );
    assert.equal(broken.name, 'NotAuthorizedException');

    // The password changes between the challenge and the answer: the answer proves the old one.
    const next = startSrp(pool, 'srp-carol', PASSWORD);
    const pending = await next.started;
    const signedIn = await srpSignIn(pool, 'srp-carol');
    await t.sdk.send(
      new ChangePasswordCommand({
        AccessToken: signedIn.AuthenticationResult!.AccessToken!,
        PreviousPassword: PASSWORD,
        ProposedPassword: 'Changed-passw0rd!',
      }),
    );
    assert.equal((await sdkError(answer(pool, next.session, pending))).name, 'NotAuthorizedException');
    assert.ok((await srpSignIn(pool, 'srp-carol', 'Changed-passw0rd!')).AuthenticationResult);
    assert.equal((await sdkError(srpSignIn(pool, 'srp-carol'))).name, 'NotAuthorizedException');
  });

  it('an unknown user: UserNotFoundException for LEGACY clients; a stable simulated challenge then the generic error when existence is hidden', async () => {
    const legacy = await cognitoPool();
    const notFound = await sdkError(startSrp(legacy, 'nobody', PASSWORD).started);
    assert.equal(notFound.name, 'UserNotFoundException');

    const hidden = await cognitoPool({}, 'ENABLED');
    const first = await startSrp(hidden, 'nobody', PASSWORD).started;
    const { session, started } = startSrp(hidden, 'nobody', PASSWORD);
    const second = await started;
    assert.equal(second.ChallengeName, 'PASSWORD_VERIFIER');
    assert.equal(second.ChallengeParameters!.SALT, first.ChallengeParameters!.SALT);
    assert.notEqual(second.ChallengeParameters!.SRP_B, first.ChallengeParameters!.SRP_B);
    const failed = await sdkError(answer(hidden, session, second));
    assert.equal(failed.name, 'NotAuthorizedException');
    assert.equal(failed.message, 'Incorrect username or password.');
  });

  it('an invited user answers PASSWORD_VERIFIER, then NEW_PASSWORD_REQUIRED; a disabled user is refused', async () => {
    const pool = await cognitoPool();
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: 'srp-dave',
        TemporaryPassword: 'Temp-passw0rd!',
        MessageAction: 'SUPPRESS',
      }),
    );
    const challenged = await srpSignIn(pool, 'srp-dave', 'Temp-passw0rd!');
    assert.equal(challenged.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.ok(challenged.Session);
    const done = await t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenged.Session,
        ChallengeResponses: { USERNAME: 'srp-dave', NEW_PASSWORD: 'Chosen-passw0rd!' },
      }),
    );
    assert.ok(done.AuthenticationResult?.AccessToken);
    // The new password's verifier replaced the temporary one.
    assert.ok((await srpSignIn(pool, 'srp-dave', 'Chosen-passw0rd!')).AuthenticationResult);

    await t.sdk.send(new AdminDisableUserCommand({ UserPoolId: pool.poolId, Username: 'srp-dave' }));
    const disabled = await sdkError(srpSignIn(pool, 'srp-dave', 'Chosen-passw0rd!'));
    assert.equal(disabled.name, 'NotAuthorizedException');
    assert.equal(disabled.message, 'User is disabled.');
  });

  it('a malformed SRP_A is an InvalidParameterException', async () => {
    const pool = await cognitoPool();
    await confirmedUser(pool, 'srp-erin');
    for (const srpA of ['0', 'zz', '00']) {
      const error = await sdkError(
        t.sdk.send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: 'USER_SRP_AUTH',
            AuthParameters: { USERNAME: 'srp-erin', SRP_A: srpA },
          }),
        ),
      );
      assert.equal(error.name, 'InvalidParameterException', srpA);
    }
    const missing = await sdkError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { USERNAME: 'srp-erin' },
        }),
      ),
    );
    assert.equal(missing.name, 'InvalidParameterException');
    assert.equal(missing.message, 'Missing required parameter SRP_A');
  });
});

describe('SRP as a pool setting', () => {
  it('is off for REST-created pools: no verifier is kept and USER_SRP_AUTH is refused', async () => {
    const { poolId, clientId, pool } = await createPoolWithClient(t, { autoVerifiedAttributes: [] });
    assert.equal(pool.srpEnabled, false);
    await confirmedUser({ poolId, clientId }, 'rest-frank');
    assert.deepEqual(await srpColumns('rest-frank'), { salt: null, verifier: null });
    const refused = await sdkError(srpSignIn({ poolId, clientId }, 'rest-frank'));
    assert.equal(refused.name, 'InvalidParameterException');
    assert.equal(refused.message, 'USER_SRP_AUTH is not enabled for this user pool.');
  });

  it('turned on later: earlier users get a verifier at their next password sign-in; turned off, every verifier goes', async () => {
    const { poolId, clientId } = await createPoolWithClient(
      t,
      { autoVerifiedAttributes: [] },
      { preventUserExistenceErrors: false },
    );
    await confirmedUser({ poolId, clientId }, 'rest-grace');
    const on = await t.admin('PATCH', `/v1/pools/${poolId}`, { srpEnabled: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.srpEnabled, true);

    // No verifier yet: the client shows user existence, so it says the password cannot be proven this way.
    const early = await sdkError(srpSignIn({ poolId, clientId }, 'rest-grace'));
    assert.equal(early.name, 'NotAuthorizedException');
    assert.deepEqual(await srpColumns('rest-grace'), { salt: null, verifier: null });

    await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'rest-grace', PASSWORD },
      }),
    );
    const stored = await srpColumns('rest-grace');
    assert.match(stored!.verifier!, /^[0-9a-f]{700,}$/);
    assert.ok((await srpSignIn({ poolId, clientId }, 'rest-grace')).AuthenticationResult?.AccessToken);

    const off = await t.admin('PATCH', `/v1/pools/${poolId}`, { srpEnabled: false });
    assert.equal(off.body.srpEnabled, false);
    assert.deepEqual(await srpColumns('rest-grace'), { salt: null, verifier: null });
    assert.equal((await sdkError(srpSignIn({ poolId, clientId }, 'rest-grace'))).name, 'InvalidParameterException');
  });

  it('PATCH /v1/pools/{poolId} refuses an empty body, unknown members and unknown pools', async () => {
    const { poolId } = await createPoolWithClient(t);
    assert.equal((await t.admin('PATCH', `/v1/pools/${poolId}`, {})).status, 400);
    assert.equal((await t.admin('PATCH', `/v1/pools/${poolId}`, { srpEnabled: 'yes' })).status, 400);
    // What a pool fixes at creation is no PATCH member.
    assert.equal((await t.admin('PATCH', `/v1/pools/${poolId}`, { usernameAttributes: ['email'] })).status, 400);
    assert.equal((await t.admin('PATCH', '/v1/pools/local_AAAAAAAAA', { srpEnabled: true })).status, 404);
    assert.equal((await t.call('PATCH', `/v1/pools/${poolId}`, { srpEnabled: true })).status, 401);
  });
});
