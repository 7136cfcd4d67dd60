/**
 * Custom authentication on the REST face (docs/custom-auth.md, docs/api.md): POST /v1/auth/custom-sign-in
 * and POST /v1/auth/respond-to-challenge with CUSTOM_CHALLENGE, against three real hook servers
 * (Define, Create and Verify), a one-time code flow.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { startHookServer, type HookRequest, type HookServer } from '../support/hook-server.ts';
import { uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
let define: HookServer;
let create: HookServer;
let verify: HookServer;
const codes = new Map<string, string>();
let issued = 0;

const reply = (request: HookRequest, response: Record<string, unknown>) => ({
  status: 200,
  body: { ...request.body, response: { ...request.body.response, ...response } },
});

function defineOtp(request: HookRequest) {
  const session: { challengeResult: boolean }[] = request.body.request.session;
  if (session.at(-1)?.challengeResult) return reply(request, { issueTokens: true });
  if (session.length >= 3) return reply(request, { failAuthentication: true });
  return reply(request, { challengeName: 'CUSTOM_CHALLENGE' });
}
function createOtp(request: HookRequest) {
  issued += 1;
  const code = String(200000 + issued);
  codes.set(request.body.userName, code);
  return reply(request, {
    publicChallengeParameters: { channel: 'email' },
    privateChallengeParameters: { code },
    challengeMetadata: 'OTP',
  });
}
const verifyOtp = (request: HookRequest) =>
  reply(request, {
    answerCorrect: request.body.request.challengeAnswer === request.body.request.privateChallengeParameters.code,
  });

before(async () => {
  t = await startTestApp({}, { hookPolicy: { timeoutMs: 300, retryDelayMs: 10, maxAttempts: 2 } });
  define = await startHookServer({ path: '/define', handler: defineOtp });
  create = await startHookServer({ path: '/create', handler: createOtp });
  verify = await startHookServer({ path: '/verify', handler: verifyOtp });
});
after(async () => {
  await Promise.all([define.close(), create.close(), verify.close()]);
  await t.close();
});
beforeEach(() => {
  define.handle(defineOtp);
  create.handle(createOtp);
  verify.handle(verifyOtp);
  for (const hook of [define, create, verify]) hook.requests.length = 0;
});

async function customPool(client: Record<string, unknown> = {}) {
  return createPoolWithClient(
    t,
    {
      autoVerifiedAttributes: ['email'],
      hooks: {
        defineAuthChallenge: define.url,
        createAuthChallenge: create.url,
        verifyAuthChallengeResponse: verify.url,
      },
    },
    client,
  );
}

async function confirmedUser(clientId: string, username: string) {
  await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
}

const start = (clientId: string, username: string) => t.call('POST', '/v1/auth/custom-sign-in', { clientId, username });
const answer = (clientId: string, session: string, value: string) =>
  t.call('POST', '/v1/auth/respond-to-challenge', {
    clientId,
    challengeName: 'CUSTOM_CHALLENGE',
    session,
    answer: value,
  });

describe('custom authentication on REST', () => {
  test('a one-time code signs in; private parameters never show', async () => {
    const { clientId } = await customPool();
    await confirmedUser(clientId, 'rest-otp-a');
    const challenge = await start(clientId, 'rest-otp-a');
    assert.equal(challenge.status, 200, JSON.stringify(challenge.body));
    assert.equal(challenge.body.challengeName, 'CUSTOM_CHALLENGE');
    assert.deepEqual(challenge.body.challengeParameters, { channel: 'email', USERNAME: 'rest-otp-a' });
    assert.equal(JSON.stringify(challenge.body).includes(codes.get('rest-otp-a')!), false);
    // REST clients hide existence by default: the events say whether the user was found.
    assert.equal(define.last().body.request.userNotFound, false);
    const wrong = await answer(clientId, challenge.body.session, '000000');
    assert.equal(wrong.status, 200);
    assert.equal(wrong.body.challengeName, 'CUSTOM_CHALLENGE');
    assert.notEqual(wrong.body.session, challenge.body.session);
    const tokens = await answer(clientId, wrong.body.session, codes.get('rest-otp-a')!);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(tokens.body.tokenType, 'Bearer');
    const me = await t.call('GET', '/v1/me', undefined, tokens.body.accessToken);
    assert.equal(me.body.username, 'rest-otp-a');
    assert.deepEqual(define.last().body.request.session, [
      { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'OTP' },
      { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'OTP' },
    ]);
  });

  test('three wrong answers fail; replayed and expired sessions are refused with 401', async () => {
    const { clientId } = await customPool();
    await confirmedUser(clientId, 'rest-otp-b');
    let session = (await start(clientId, 'rest-otp-b')).body.session as string;
    const first = session;
    session = (await answer(clientId, session, 'x')).body.session;
    session = (await answer(clientId, session, 'x')).body.session;
    const failed = await answer(clientId, session, 'x');
    assert.equal(failed.status, 401);
    assert.equal(failed.body.code, 'NotAuthorizedException');
    assert.equal(failed.body.detail ?? failed.body.message, 'Incorrect username or password.');
    const replay = await answer(clientId, first, codes.get('rest-otp-b')!);
    assert.equal(replay.status, 401);
    assert.match(JSON.stringify(replay.body), /Invalid session for the user, session is expired\./);

    const fresh = await start(clientId, 'rest-otp-b');
    await t.database.db.execute(sql`update auth_sessions set expires_at = now() - interval '1 second'`);
    const expired = await answer(clientId, fresh.body.session, codes.get('rest-otp-b')!);
    assert.equal(expired.status, 401);
    assert.match(JSON.stringify(expired.body), /Invalid session for the user, session is expired\./);
  });

  test('an unknown name gets the same kind of challenge and can never sign in', async () => {
    const { clientId } = await customPool();
    await confirmedUser(clientId, 'rest-otp-c');
    const known = await start(clientId, 'rest-otp-c');
    const unknown = await start(clientId, 'rest-otp-nobody');
    assert.equal(unknown.status, known.status);
    assert.deepEqual(
      Object.keys(unknown.body.challengeParameters).sort(),
      Object.keys(known.body.challengeParameters).sort(),
    );
    assert.equal(define.last().body.request.userNotFound, true);
    const refused = await answer(clientId, unknown.body.session, codes.get('rest-otp-nobody')!);
    assert.equal(refused.status, 401);
    assert.match(JSON.stringify(refused.body), /Incorrect username or password\./);
  });

  test('authSessionValidity on REST clients: shown, changed, honoured, bounded', async () => {
    const { poolId, clientId } = await customPool({ authSessionValidity: 7 });
    const shown = await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`);
    assert.equal(shown.body.authSessionValidity, 7);
    const defaulted = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'plain' });
    assert.equal(defaulted.body.authSessionValidity, 3);
    for (const bad of [2, 16, 5.5]) {
      const refused = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'bad', authSessionValidity: bad });
      assert.equal(refused.status, 400, String(bad));
    }
    const patched = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, { authSessionValidity: 12 });
    assert.equal(patched.body.authSessionValidity, 12);
    const pool = await t.admin('GET', `/v1/pools/${poolId}`);
    assert.deepEqual(pool.body.hooks, {
      defineAuthChallenge: define.url,
      createAuthChallenge: create.url,
      verifyAuthChallengeResponse: verify.url,
    });
    await confirmedUser(clientId, 'rest-otp-d');
    await start(clientId, 'rest-otp-d');
    const result = await t.database.db.execute(
      sql`select extract(epoch from expires_at - created_at)::int as s from auth_sessions where client_id = ${clientId}`,
    );
    const seconds = (result as unknown as { rows: { s: number }[] }).rows[0]!.s;
    assert.ok(Math.abs(seconds - 720) <= 2, `expected about 720 s, got ${seconds}`);
  });

  test('bad requests: a client without ALLOW_CUSTOM_AUTH, a pool without hooks, unknown members, a down hook', async () => {
    const { poolId } = await customPool();
    const noFlow = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
      name: 'pw',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
    });
    const refused = await start(noFlow.body.clientId, 'anyone');
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /CUSTOM_AUTH flow not enabled for this client/);

    const bare = await createPoolWithClient(t, {});
    const none = await start(bare.clientId, 'anyone');
    assert.equal(none.status, 400);
    assert.match(JSON.stringify(none.body), /Custom auth lambda trigger is not configured for the user pool\./);

    const { clientId } = await customPool();
    const extra = await t.call('POST', '/v1/auth/custom-sign-in', { clientId, username: 'x', password: 'y' });
    assert.equal(extra.status, 400);
    const noAnswer = await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId,
      challengeName: 'CUSTOM_CHALLENGE',
      session: 'abc',
    });
    assert.equal(noAnswer.status, 400);

    define.answer(400, { errorMessage: 'closed for maintenance', errorType: 'Error' });
    const hookRefused = await start(clientId, 'anyone');
    assert.equal(hookRefused.status, 400);
    assert.match(JSON.stringify(hookRefused.body), /DefineAuthChallenge failed with error closed for maintenance\./);
    define.answer(503);
    const down = await start(clientId, 'anyone');
    assert.equal(down.status, 502);
    assert.equal(down.body.code, 'UnexpectedLambdaException');
  });
});
