/**
 * Custom authentication on the Cognito face (docs/custom-auth.md): InitiateAuth CUSTOM_AUTH and
 * RespondToAuthChallenge through the real AWS SDK, driven by real HTTP hook servers playing the
 * Define, Create and Verify auth challenge triggers of a one-time-code flow.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  GetUserCommand,
  UpdateUserPoolClientCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type ExplicitAuthFlowsType,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { sql } from 'drizzle-orm';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookRequest, type HookServer } from '../support/hook-server.ts';
import { PASSWORD, expectError, poolWithClient, signUpConfirmed } from '../support/sdk-flows.ts';
import { uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
/** The last code the Create hook "sent", per user name in the event. */
const codes = new Map<string, string>();
let createCount = 0;
/** Wrong answers the Define hook of these tests tolerates before failing the sign-in. */
const MAX_WRONG = 3;

/** An OTP flow as a Lambda author writes it; SRP_A then PASSWORD_VERIFIER lead to it in CUSTOM_WITH_SRP. */
function otpHooks(request: HookRequest) {
  const event = request.body;
  const session: { challengeName: string; challengeResult: boolean }[] = event.request.session ?? [];
  switch (event.triggerSource) {
    case 'DefineAuthChallenge_Authentication': {
      const last = session.at(-1);
      let response: Record<string, unknown>;
      if (session.length === 1 && last?.challengeName === 'SRP_A') response = { challengeName: 'PASSWORD_VERIFIER' };
      else if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) response = { issueTokens: true };
      else if (session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length >= MAX_WRONG)
        response = { failAuthentication: true };
      else response = { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false };
      return { status: 200, body: { ...event, response: { ...event.response, ...response } } };
    }
    case 'CreateAuthChallenge_Authentication': {
      createCount += 1;
      const code = String(100000 + createCount);
      codes.set(event.userName, code);
      return {
        status: 200,
        body: {
          ...event,
          response: {
            publicChallengeParameters: { hint: 'a code was sent to your email', attempt: session.length + 1 },
            privateChallengeParameters: { answer: code },
            challengeMetadata: `CODE-${createCount}`,
          },
        },
      };
    }
    case 'VerifyAuthChallengeResponse_Authentication':
      return {
        status: 200,
        body: {
          ...event,
          response: {
            answerCorrect: event.request.challengeAnswer === event.request.privateChallengeParameters.answer,
          },
        },
      };
    default:
      return { status: 200, body: event };
  }
}

before(async () => {
  t = await startCognitoApp({}, { hookPolicy: { timeoutMs: 300, retryDelayMs: 10, maxAttempts: 2 } });
  hook = await startHookServer({ handler: otpHooks });
});
after(async () => {
  await hook.close();
  await t.close();
});
beforeEach(() => {
  hook.handle(otpHooks);
  hook.requests.length = 0;
});

const CUSTOM_FLOWS: ExplicitAuthFlowsType[] = [
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];

async function customPool(options: { hidden?: boolean; lambda?: Record<string, string>; client?: object } = {}) {
  const lambda = options.lambda ?? {
    DefineAuthChallenge: hook.url,
    CreateAuthChallenge: hook.url,
    VerifyAuthChallengeResponse: hook.url,
    PreAuthentication: hook.url,
    PostAuthentication: hook.url,
    PreTokenGeneration: hook.url,
  };
  return poolWithClient(
    t,
    { AutoVerifiedAttributes: ['email'], LambdaConfig: lambda },
    {
      ExplicitAuthFlows: CUSTOM_FLOWS,
      PreventUserExistenceErrors: options.hidden ? 'ENABLED' : 'LEGACY',
      ...options.client,
    },
  );
}

async function userIn(clientId: string, name: string) {
  const email = uniqueEmail(name);
  await signUpConfirmed(t, clientId, name, { email });
  return email;
}

const initiate = (clientId: string, username: string, metadata?: Record<string, string>) =>
  t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'CUSTOM_AUTH',
      AuthParameters: { USERNAME: username },
      ...(metadata && { ClientMetadata: metadata }),
    }),
  );

const respond = (clientId: string, challenge: InitiateAuthCommandOutput, answer: string, username?: string) =>
  t.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'CUSTOM_CHALLENGE',
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: username ?? challenge.ChallengeParameters!.USERNAME!, ANSWER: answer },
    }),
  );

const sources = () => hook.requests.map((r) => r.body.triggerSource);

describe('CUSTOM_AUTH through the AWS SDK', () => {
  test('a one-time code: Define, Create, Verify, Define again; tokens with PostAuthentication and PreTokenGeneration', async () => {
    const { clientId } = await customPool();
    const email = await userIn(clientId, 'otp-ann');
    hook.requests.length = 0;
    const challenge = await initiate(clientId, 'otp-ann', { app: 'web' });
    assert.equal(challenge.ChallengeName, 'CUSTOM_CHALLENGE');
    assert.ok(challenge.Session && challenge.Session.length >= 20);
    // The public parameters and USERNAME; never the private ones.
    assert.deepEqual(challenge.ChallengeParameters, {
      hint: 'a code was sent to your email',
      attempt: '1',
      USERNAME: 'otp-ann',
    });
    assert.ok(!JSON.stringify(challenge).includes(codes.get('otp-ann')!));
    assert.deepEqual(sources(), [
      'PreAuthentication_Authentication',
      'DefineAuthChallenge_Authentication',
      'CreateAuthChallenge_Authentication',
    ]);
    const define = hook.requests[1]!.body;
    assert.equal(define.userName, 'otp-ann');
    assert.equal(define.request.userAttributes.email, email);
    assert.deepEqual(define.request.session, []);
    assert.deepEqual(define.request.clientMetadata, { app: 'web' });
    assert.equal('userNotFound' in define.request, false);
    const create = hook.requests[2]!.body;
    assert.equal(create.request.challengeName, 'CUSTOM_CHALLENGE');
    assert.deepEqual(create.request.session, []);

    hook.requests.length = 0;
    const result = await respond(clientId, challenge, codes.get('otp-ann')!);
    assert.equal(result.ChallengeName, undefined);
    assert.ok(result.AuthenticationResult?.AccessToken && result.AuthenticationResult.RefreshToken);
    assert.deepEqual(sources(), [
      'VerifyAuthChallengeResponse_Authentication',
      'DefineAuthChallenge_Authentication',
      'PostAuthentication_Authentication',
      'TokenGeneration_Authentication',
    ]);
    const verify = hook.requests[0]!.body;
    assert.deepEqual(verify.request.privateChallengeParameters, { answer: codes.get('otp-ann') });
    assert.equal(verify.request.challengeAnswer, codes.get('otp-ann'));
    assert.equal(verify.request.userAttributes.email, email);
    assert.deepEqual(hook.requests[1]!.body.request.session, [
      { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: `CODE-${createCount}` },
    ]);
    const me = await t.sdk.send(new GetUserCommand({ AccessToken: result.AuthenticationResult.AccessToken }));
    assert.equal(me.Username, 'otp-ann');
  });

  test('wrong answers each get a new challenge and session; the Define hook fails the sign-in after three', async () => {
    const { clientId } = await customPool();
    await userIn(clientId, 'otp-ben');
    let challenge = await initiate(clientId, 'otp-ben');
    const seen = new Set([challenge.Session]);
    for (let n = 1; n < MAX_WRONG; n++) {
      challenge = (await respond(clientId, challenge, 'nope')) as InitiateAuthCommandOutput;
      assert.equal(challenge.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.equal(challenge.ChallengeParameters!.attempt, String(n + 1));
      assert.ok(!seen.has(challenge.Session), 'a new session at every answer');
      seen.add(challenge.Session);
    }
    hook.requests.length = 0;
    await expectError(
      respond(clientId, challenge, 'nope'),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    const lastDefine = hook.requests.at(-1)!.body;
    assert.equal(lastDefine.triggerSource, 'DefineAuthChallenge_Authentication');
    assert.deepEqual(
      lastDefine.request.session.map((s: { challengeResult: boolean }) => s.challengeResult),
      [false, false, false],
    );
    // The sign-in is over: its last session is gone too.
    await expectError(
      respond(clientId, challenge, codes.get('otp-ben')!),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
  });

  test('a session is single use: a replay, a forged one, one of another client and an expired one are refused', async () => {
    const { poolId, clientId } = await customPool();
    await userIn(clientId, 'otp-cat');
    const first = await initiate(clientId, 'otp-cat');
    const wrong = await respond(clientId, first, 'nope');
    assert.equal(wrong.ChallengeName, 'CUSTOM_CHALLENGE');
    const invalid = 'Invalid session for the user, session is expired.';
    await expectError(respond(clientId, first, codes.get('otp-cat')!), 'NotAuthorizedException', invalid);
    await expectError(
      respond(clientId, { ...first, Session: 'x'.repeat(64) } as InitiateAuthCommandOutput, '1'),
      'NotAuthorizedException',
      invalid,
    );
    const { ClientId: other } = (
      await t.sdk.send(
        new (await import('@aws-sdk/client-cognito-identity-provider')).CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'other',
          ExplicitAuthFlows: CUSTOM_FLOWS,
        }),
      )
    ).UserPoolClient!;
    await expectError(
      respond(other!, wrong as InitiateAuthCommandOutput, codes.get('otp-cat')!),
      'NotAuthorizedException',
      invalid,
    );
    // Two answers racing with one session: exactly one goes through.
    const raced = await initiate(clientId, 'otp-cat');
    const outcomes = await Promise.allSettled([
      respond(clientId, raced, codes.get('otp-cat')!),
      respond(clientId, raced, codes.get('otp-cat')!),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    assert.equal(loser.reason.name, 'NotAuthorizedException');
    assert.equal(loser.reason.message, invalid);
    // The other client's attempt used the session up as well.
    const again = await initiate(clientId, 'otp-cat');
    await t.database.db.execute(sql`update auth_sessions set expires_at = now() - interval '1 second'`);
    await expectError(respond(clientId, again, codes.get('otp-cat')!), 'NotAuthorizedException', invalid);
    const rows = await t.database.db.execute(
      sql`select count(*)::int as n from auth_sessions where expires_at < now()`,
    );
    assert.equal((rows as unknown as { rows: { n: number }[] }).rows[0]!.n, 0, 'an expired session met is deleted');
  });

  test('a session lasts the client’s AuthSessionValidity (3 minutes unless set)', async () => {
    const { clientId } = await customPool();
    await userIn(clientId, 'otp-dan');
    await initiate(clientId, 'otp-dan');
    const result = await t.database.db.execute(
      sql`select extract(epoch from expires_at - created_at)::int as s from auth_sessions where client_id = ${clientId}`,
    );
    const seconds = (result as unknown as { rows: { s: number }[] }).rows[0]!.s;
    assert.ok(Math.abs(seconds - 180) <= 2, `expected about 180 s, got ${seconds}`);
  });

  test('AuthSessionValidity: set, described, honoured and bounded to 3–15 minutes', async () => {
    const { poolId, clientId } = await customPool({ client: { AuthSessionValidity: 10 } });
    const described = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    assert.equal(described.UserPoolClient!.AuthSessionValidity, 10);
    await userIn(clientId, 'otp-dee');
    await initiate(clientId, 'otp-dee');
    const result = await t.database.db.execute(
      sql`select extract(epoch from expires_at - created_at)::int as s from auth_sessions where client_id = ${clientId}`,
    );
    const seconds = (result as unknown as { rows: { s: number }[] }).rows[0]!.s;
    assert.ok(Math.abs(seconds - 600) <= 2, `expected about 600 s, got ${seconds}`);
    for (const minutes of [2, 16]) {
      await expectError(
        t.sdk.send(
          new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'bad', AuthSessionValidity: minutes }),
        ),
        'InvalidParameterException',
        /authSessionValidity/i,
      );
    }
    const updated = await t.sdk.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ExplicitAuthFlows: CUSTOM_FLOWS,
        AuthSessionValidity: 15,
      }),
    );
    assert.equal(updated.UserPoolClient!.AuthSessionValidity, 15);
    // UpdateUserPoolClient replaces the whole configuration: left out, it is Cognito's default again.
    const reset = await t.sdk.send(
      new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, ExplicitAuthFlows: CUSTOM_FLOWS }),
    );
    assert.equal(reset.UserPoolClient!.AuthSessionValidity, 3);
  });

  test('refusals and failures of the hooks come back as Cognito words them', async () => {
    const { clientId } = await customPool();
    await userIn(clientId, 'otp-eve');
    hook.handle((request) =>
      request.body.triggerSource === 'DefineAuthChallenge_Authentication'
        ? { status: 400, body: { errorMessage: 'Not today', errorType: 'Error' } }
        : otpHooks(request),
    );
    await expectError(
      initiate(clientId, 'otp-eve'),
      'UserLambdaValidationException',
      'DefineAuthChallenge failed with error Not today.',
    );
    hook.handle((request) =>
      request.body.triggerSource === 'DefineAuthChallenge_Authentication' ? { status: 503 } : otpHooks(request),
    );
    await expectError(
      initiate(clientId, 'otp-eve'),
      'UnexpectedLambdaException',
      /^DefineAuthChallenge invocation failed/,
    );
    hook.handle((request) =>
      request.body.triggerSource === 'DefineAuthChallenge_Authentication'
        ? { status: 200, body: { ...request.body, response: { issueTokens: true, failAuthentication: true } } }
        : otpHooks(request),
    );
    await expectError(initiate(clientId, 'otp-eve'), 'InvalidLambdaResponseException', /^Unrecognizable lambda output/);
    hook.handle((request) =>
      request.body.triggerSource === 'DefineAuthChallenge_Authentication'
        ? { status: 200, body: { ...request.body, response: { challengeName: 'SMS_MFA' } } }
        : otpHooks(request),
    );
    await expectError(initiate(clientId, 'otp-eve'), 'InvalidLambdaResponseException', /SMS_MFA/);
    // Verify down after a challenge: the answer fails, the session is spent.
    hook.handle(otpHooks);
    const challenge = await initiate(clientId, 'otp-eve');
    hook.handle((request) =>
      request.body.triggerSource === 'VerifyAuthChallengeResponse_Authentication'
        ? { status: 400, body: { errorMessage: 'broken', errorType: 'Error' } }
        : otpHooks(request),
    );
    await expectError(
      respond(clientId, challenge, codes.get('otp-eve')!),
      'UserLambdaValidationException',
      'VerifyAuthChallengeResponse failed with error broken.',
    );
  });

  test('a Define hook that never ends the loop is stopped after 20 challenges; bad Create and Verify answers are refused', async () => {
    const { clientId } = await customPool();
    await userIn(clientId, 'otp-kim');
    hook.handle((request) =>
      request.body.triggerSource === 'DefineAuthChallenge_Authentication'
        ? { status: 200, body: { ...request.body, response: { challengeName: 'CUSTOM_CHALLENGE' } } }
        : otpHooks(request),
    );
    let challenge = await initiate(clientId, 'otp-kim');
    let rounds = 1;
    for (;;) {
      const next = await respond(clientId, challenge, 'wrong').catch((error: Error) => error);
      if (next instanceof Error) {
        assert.equal(next.name, 'NotAuthorizedException');
        assert.equal(next.message, 'Incorrect username or password.');
        break;
      }
      challenge = next as InitiateAuthCommandOutput;
      rounds += 1;
      assert.ok(rounds <= 20, 'no more than 20 challenges');
    }
    assert.equal(rounds, 20);

    hook.handle((request) =>
      request.body.triggerSource === 'CreateAuthChallenge_Authentication'
        ? {
            status: 200,
            body: { ...request.body, response: { privateChallengeParameters: { answer: { nested: 1 } } } },
          }
        : otpHooks(request),
    );
    await expectError(
      initiate(clientId, 'otp-kim'),
      'InvalidLambdaResponseException',
      'Invalid CreateAuthChallenge response: privateChallengeParameters.answer must be a string.',
    );
    hook.handle((request) =>
      request.body.triggerSource === 'VerifyAuthChallengeResponse_Authentication'
        ? { status: 200, body: { ...request.body, response: { answerCorrect: 'yes' } } }
        : otpHooks(request),
    );
    const started = await initiate(clientId, 'otp-kim');
    await expectError(
      respond(clientId, started, codes.get('otp-kim')!),
      'InvalidLambdaResponseException',
      'Invalid VerifyAuthChallengeResponse response: answerCorrect must be true or false.',
    );
  });

  test('ChallengeResponses.USERNAME must name the session’s user', async () => {
    const { clientId } = await customPool();
    await userIn(clientId, 'otp-lou');
    await userIn(clientId, 'otp-max');
    const challenge = await initiate(clientId, 'otp-lou');
    await expectError(
      respond(clientId, challenge, codes.get('otp-lou')!, 'otp-max'),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'CUSTOM_CHALLENGE',
          Session: (await initiate(clientId, 'otp-lou')).Session,
          ChallengeResponses: { ANSWER: '1' },
        }),
      ),
      'InvalidParameterException',
      'Missing required parameter USERNAME',
    );
    // The session's own user is accepted.
    const again = await initiate(clientId, 'otp-lou');
    const tokens = await respond(clientId, again, codes.get('otp-lou')!, 'otp-lou');
    assert.ok(tokens.AuthenticationResult?.AccessToken);
  });

  test('a pool without the hooks, a client without ALLOW_CUSTOM_AUTH, and bad parameters are refused', async () => {
    const bare = await customPool({ lambda: {} });
    await userIn(bare.clientId, 'otp-fay');
    await expectError(
      initiate(bare.clientId, 'otp-fay'),
      'InvalidParameterException',
      'Custom auth lambda trigger is not configured for the user pool.',
    );
    const noFlow = await customPool({ client: { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] } });
    await expectError(
      initiate(noFlow.clientId, 'otp-fay'),
      'InvalidParameterException',
      'CUSTOM_AUTH flow not enabled for this client',
    );
    const { clientId } = await customPool();
    await expectError(
      t.sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: {} })),
      'InvalidParameterException',
      'Missing required parameter USERNAME',
    );
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'CUSTOM_AUTH',
          AuthParameters: { USERNAME: 'x', CHALLENGE_NAME: 'SMS_MFA' },
        }),
      ),
      'InvalidParameterException',
      /CHALLENGE_NAME SMS_MFA is not supported/,
    );
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'CUSTOM_CHALLENGE',
          ChallengeResponses: { USERNAME: 'x', ANSWER: '1' },
        }),
      ),
      'InvalidParameterException',
      'Missing required parameter Session',
    );
  });

  test('an unknown user: UserNotFoundException, or where existence is hidden a challenge shaped like a real one', async () => {
    const legacy = await customPool();
    await expectError(initiate(legacy.clientId, 'nobody-here'), 'UserNotFoundException', 'User does not exist.');

    const { clientId } = await customPool({ hidden: true });
    await userIn(clientId, 'otp-gus');
    hook.requests.length = 0;
    const known = await initiate(clientId, 'otp-gus');
    const unknown = await initiate(clientId, 'nobody-here');
    assert.equal(unknown.ChallengeName, known.ChallengeName);
    assert.deepEqual(Object.keys(unknown.ChallengeParameters!).sort(), Object.keys(known.ChallengeParameters!).sort());
    assert.equal(unknown.Session!.length, known.Session!.length);
    const defines = hook.requests.filter((r) => r.body.triggerSource === 'DefineAuthChallenge_Authentication');
    assert.deepEqual(
      defines.map((r) => r.body.request.userNotFound),
      [false, true],
    );
    // Even the right code does not sign in a user who does not exist: the same answer as a wrong one.
    await expectError(
      respond(clientId, unknown, codes.get('nobody-here')!),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    const real = await respond(clientId, known, codes.get('otp-gus')!);
    assert.ok(real.AuthenticationResult?.AccessToken);
  });

  test('a disabled or unconfirmed user is told so before any challenge (existence not hidden)', async () => {
    const { clientId } = await customPool({ lambda: undefined });
    const { SignUpCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'otp-hal',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: uniqueEmail('otp-hal') }],
      }),
    );
    hook.requests.length = 0;
    await expectError(initiate(clientId, 'otp-hal'), 'UserNotConfirmedException', 'User is not confirmed.');
    assert.equal(hook.requests.filter((r) => r.body.triggerSource.startsWith('Define')).length, 0);
  });
});

describe('security review: who can be issued tokens', () => {
  test('issueTokens on the first call (existence hidden): a disabled or unconfirmed user and an unknown name get none', async () => {
    const { poolId, clientId } = await customPool({ hidden: true });
    await userIn(clientId, 'otp-off');
    const { AdminDisableUserCommand, SignUpCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    await t.sdk.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'otp-off' }));
    await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'otp-new',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: uniqueEmail('otp-new') }],
      }),
    );
    await userIn(clientId, 'otp-on');
    // A passwordless Define that trusts whoever asks: tokens at once.
    hook.handle((request) => {
      const event = request.body;
      if (event.triggerSource !== 'DefineAuthChallenge_Authentication') return { status: 200, body: event };
      return { status: 200, body: { ...event, response: { ...event.response, issueTokens: true } } };
    });
    // Cognito allows it: a Define hook may issue tokens on its first call.
    assert.ok((await initiate(clientId, 'otp-on')).AuthenticationResult?.AccessToken);
    hook.requests.length = 0;
    await expectError(initiate(clientId, 'otp-off'), 'NotAuthorizedException', 'User is disabled.');
    await expectError(initiate(clientId, 'otp-new'), 'UserNotConfirmedException');
    await expectError(initiate(clientId, 'nobody-here'), 'NotAuthorizedException', 'Incorrect username or password.');
    assert.deepEqual(
      hook.requests
        .map((r) => r.body.triggerSource)
        .filter((s) => s.startsWith('TokenGeneration') || s.startsWith('Post')),
      [],
      'no token was made for any of them',
    );
  });
});

describe('CUSTOM_WITH_SRP through the AWS SDK', () => {
  test('security review: CUSTOM_WITH_SRP’s PASSWORD_VERIFIER answered without its Session gives no tokens', async () => {
    // The client allows custom authentication only: password (SRP) then a one-time code. Answering
    // the SRP step as USER_SRP_AUTH (no Session) must not skip the code.
    const { poolId, clientId } = await customPool({
      client: { ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
    });
    await userIn(clientId, 'srp-skip');
    const srp = createSrpSession('srp-skip', PASSWORD, poolId, false);
    const first = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'CUSTOM_AUTH',
        AuthParameters: { USERNAME: 'srp-skip', SRP_A: srp.largeA, CHALLENGE_NAME: 'SRP_A' },
      }),
    );
    const signed = signSrpSession(srp, first as never);
    hook.requests.length = 0;
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'PASSWORD_VERIFIER',
          ChallengeResponses: {
            USERNAME: first.ChallengeParameters!.USER_ID_FOR_SRP!,
            PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
            TIMESTAMP: signed.timestamp,
            PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
          },
        }),
      ),
      'NotAuthorizedException',
    );
    assert.deepEqual(sources(), [], 'no token was made (no PostAuthentication, no PreTokenGeneration)');
  });

  test('SRP_A and PASSWORD_VERIFIER first, then the custom challenge; a wrong password ends it', async () => {
    const { poolId, clientId } = await customPool();
    await userIn(clientId, 'srp-ivy');
    hook.requests.length = 0;
    const srp = createSrpSession('srp-ivy', PASSWORD, poolId, false);
    const first = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'CUSTOM_AUTH',
        AuthParameters: { USERNAME: 'srp-ivy', SRP_A: srp.largeA, CHALLENGE_NAME: 'SRP_A' },
      }),
    );
    assert.equal(first.ChallengeName, 'PASSWORD_VERIFIER');
    assert.ok(first.Session);
    assert.deepEqual(hook.requests.at(-1)!.body.request.session, [
      { challengeName: 'SRP_A', challengeResult: true, challengeMetadata: '' },
    ]);
    const signed = signSrpSession(srp, first as never);
    const second = await t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        Session: first.Session,
        ChallengeResponses: {
          USERNAME: first.ChallengeParameters!.USER_ID_FOR_SRP!,
          PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
          TIMESTAMP: signed.timestamp,
          PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
        },
      }),
    );
    assert.equal(second.ChallengeName, 'CUSTOM_CHALLENGE');
    const defines = hook.requests.filter((r) => r.body.triggerSource === 'DefineAuthChallenge_Authentication');
    assert.deepEqual(
      defines.at(-1)!.body.request.session.map((s: { challengeName: string }) => s.challengeName),
      ['SRP_A', 'PASSWORD_VERIFIER'],
    );
    const tokens = await respond(clientId, second as InitiateAuthCommandOutput, codes.get('srp-ivy')!);
    assert.ok(tokens.AuthenticationResult?.AccessToken);

    const bad = createSrpSession('srp-ivy', 'Wrong-passw0rd!', poolId, false);
    const started = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'CUSTOM_AUTH',
        AuthParameters: { USERNAME: 'srp-ivy', SRP_A: bad.largeA, CHALLENGE_NAME: 'SRP_A' },
      }),
    );
    const badSigned = signSrpSession(bad, started as never);
    await expectError(
      t.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'PASSWORD_VERIFIER',
          Session: started.Session,
          ChallengeResponses: {
            USERNAME: 'srp-ivy',
            PASSWORD_CLAIM_SECRET_BLOCK: badSigned.secret,
            TIMESTAMP: badSigned.timestamp,
            PASSWORD_CLAIM_SIGNATURE: badSigned.passwordSignature,
          },
        }),
      ),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
  });
});
