import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import { noHooks } from '../../src/modules/hooks/hooks.ts';
import type { HookCall, HookedPool } from '../../src/modules/hooks/hooks.types.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { startHookServer, verifyHookSignature, type HookServer } from '../support/hook-server.ts';

/**
 * The hook caller against real HTTP servers (docs/triggers.md): the event, the signature, the
 * answers and the failures, with the timeout lowered to keep the tests short.
 */

const TIMEOUT_MS = 300;
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up';

let t: TestApp;
let hook: HookServer;
let mapped: HookServer;

before(async () => {
  hook = await startHookServer();
  mapped = await startHookServer({ path: '/mapped' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-hook-arns-'));
  const file = path.join(dir, 'arns.json');
  writeFileSync(file, JSON.stringify({ [ARN]: mapped.url }));
  t = await startTestApp({ HOOK_ARNS_FILE: file }, { hookPolicy: { timeoutMs: TIMEOUT_MS, retryDelayMs: 10 } });
});
after(async () => {
  await t.close();
  await hook.close();
  await mapped.close();
});

async function poolWith(hooks: Record<string, string>): Promise<HookedPool & { name: string }> {
  const created = await t.admin('POST', '/v1/pools', { name: 'hooked', hooks });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return {
    id: created.body.id,
    name: 'hooked',
    lambdaConfig: (await t.services.pools.getPool(created.body.id)).lambdaConfig,
  };
}

const preSignUp = (userName = 'ann'): HookCall => ({
  trigger: 'PreSignUp',
  triggerSource: 'PreSignUp_SignUp',
  userName,
  clientId: 'client123',
  request: { userAttributes: { email: 'ann@example.com' }, validationData: null },
  response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});

async function cognitoError(promise: Promise<unknown>): Promise<CognitoError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CognitoError, `not a CognitoError: ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

describe('the call', () => {
  test('POSTs the event as Cognito gives it to a Lambda, and returns the hook’s response', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    hook.respondWith({ autoConfirmUser: true });
    const before = hook.requests.length;
    const response = await t.services.hooks.call(pool, preSignUp());
    assert.deepEqual(response, { autoConfirmUser: true, autoVerifyEmail: false, autoVerifyPhone: false });
    assert.equal(hook.requests.length, before + 1);
    const request = hook.last();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/hook');
    assert.match(String(request.headers['content-type']), /^application\/json/);
    assert.deepEqual(request.body, {
      version: '1',
      triggerSource: 'PreSignUp_SignUp',
      region: 'local',
      userPoolId: pool.id,
      userName: 'ann',
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client123' },
      request: { userAttributes: { email: 'ann@example.com' }, validationData: null },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
  });

  test('without a client the event says CLIENT_ID_NOT_APPLICABLE; without a response it sends {}', async () => {
    hook.reset();
    const pool = await poolWith({ postConfirmation: hook.url });
    const response = await t.services.hooks.call(pool, {
      trigger: 'PostConfirmation',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: 'bob',
      request: { userAttributes: {} },
    });
    assert.deepEqual(response, {});
    assert.equal(hook.last().body.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
    assert.deepEqual(hook.last().body.response, {});
  });

  test('a pool without a hook for the trigger calls nothing; noHooks never calls', async () => {
    hook.reset();
    const pool = await poolWith({ postConfirmation: hook.url });
    const before = hook.requests.length;
    assert.equal(t.services.hooks.has(pool, 'PreSignUp'), false);
    assert.equal(t.services.hooks.has(pool, 'PostConfirmation'), true);
    assert.equal(await t.services.hooks.call(pool, preSignUp()), undefined);
    assert.equal(noHooks.has(pool, 'PostConfirmation'), false);
    assert.equal(await noHooks.call(pool, preSignUp()), undefined);
    assert.equal(hook.requests.length, before);
  });

  test('PreTokenGeneration: the event version follows the pool’s LambdaVersion', async () => {
    hook.reset();
    const pool = await poolWith({ preTokenGeneration: hook.url, preTokenGenerationVersion: 'V2_0' });
    assert.equal(t.services.hooks.preTokenGenerationVersion(pool), 'V2_0');
    await t.services.hooks.call(pool, {
      trigger: 'PreTokenGeneration',
      triggerSource: 'TokenGeneration_Authentication',
      userName: 'ann',
      request: { userAttributes: {}, groupConfiguration: {}, scopes: [] },
      response: { claimsAndScopeOverrideDetails: null },
    });
    assert.equal(hook.last().body.version, '2');
    const legacy = await poolWith({ preTokenGeneration: hook.url });
    assert.equal(t.services.hooks.preTokenGenerationVersion(legacy), 'V1_0');
    assert.equal(t.services.hooks.preTokenGenerationVersion({ id: 'x', lambdaConfig: {} }), undefined);
  });

  test('an ARN goes to the URL HOOK_ARNS_FILE maps it to; one no longer mapped fails with UnexpectedLambdaException', async () => {
    mapped.reset();
    const pool = await poolWith({ preSignUp: ARN });
    await t.services.hooks.call(pool, preSignUp());
    assert.equal(mapped.last().path, '/mapped');
    assert.equal(mapped.last().body.userPoolId, pool.id);

    const gone = 'arn:aws:lambda:us-east-1:123456789012:function:removed';
    const error = await cognitoError(
      t.services.hooks.call({ id: pool.id, lambdaConfig: { PreSignUp: gone } }, preSignUp()),
    );
    assert.equal(error.name, 'UnexpectedLambdaException');
    assert.equal(
      error.message,
      'PreSignUp invocation failed due to error HookArnNotMapped (the ARN is not in HOOK_ARNS_FILE).',
    );
    assert.ok(!error.message.includes(gone), 'the ARN is in the log only');
    assert.ok(t.logs.some((entry) => entry.msg?.includes('not in HOOK_ARNS_FILE') && entry.arn === gone));
  });
});

describe('signatures', () => {
  test('every call is signed (Standard Webhooks); a secret is made at the first call', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    await t.services.hooks.call(pool, preSignUp());
    const request = hook.last();
    assert.match(String(request.headers['webhook-id']), /^msg_[0-9a-f-]{36}$/);
    const timestamp = Number(request.headers['webhook-timestamp']);
    assert.ok(Math.abs(timestamp - Date.now() / 1000) < 5, `timestamp ${timestamp}`);
    const signatures = String(request.headers['webhook-signature']).split(' ');
    assert.equal(signatures.length, 1);
    assert.match(signatures[0]!, /^v1,[A-Za-z0-9+/]{43}=$/);
    // The secret made at the first call is not known to anyone: a rotation shows the next one.
    assert.equal(verifyHookSignature(request, `whsec_${Buffer.alloc(32).toString('base64')}`), false);
  });

  test('rotation: the new secret verifies; calls carry a signature per live secret until the overlap ends', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    await t.services.hooks.call(pool, preSignUp()); // makes the first, unknown secret

    const first = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, {});
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.match(first.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(first.body.previousSecrets.length, 1);
    await t.services.hooks.call(pool, preSignUp());
    let request = hook.last();
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 2);
    assert.ok(verifyHookSignature(request, first.body.secret));

    const second = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, { overlapSeconds: 600 });
    assert.equal(second.status, 201);
    await t.services.hooks.call(pool, preSignUp());
    request = hook.last();
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 3);
    assert.ok(verifyHookSignature(request, first.body.secret));
    assert.ok(verifyHookSignature(request, second.body.secret));

    // Overlap 0: the earlier secrets stop signing at once.
    const third = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, { overlapSeconds: 0 });
    assert.equal(third.status, 201);
    assert.equal(third.body.previousSecrets.length, 3);
    await t.services.hooks.call(pool, preSignUp());
    request = hook.last();
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 1);
    assert.ok(verifyHookSignature(request, third.body.secret));
    assert.equal(verifyHookSignature(request, second.body.secret), false);
    assert.equal(verifyHookSignature(request, first.body.secret), false);
  });

  test('a forged body does not verify with the pool’s secret', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    const { body } = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, {});
    await t.services.hooks.call(pool, preSignUp());
    const request = hook.last();
    assert.ok(verifyHookSignature(request, body.secret));
    assert.equal(verifyHookSignature({ ...request, raw: request.raw.replace('"ann"', '"eve"') }, body.secret), false);
  });
});

describe('answers and failures', () => {
  test('4xx with Lambda’s error shape: UserLambdaValidationException worded as Cognito, not retried', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    hook.answer(400, { errorMessage: 'Email domain not allowed', errorType: 'Error' });
    const before = hook.requests.length;
    const error = await cognitoError(t.services.hooks.call(pool, preSignUp()));
    assert.equal(error.name, 'UserLambdaValidationException');
    assert.equal(error.message, 'PreSignUp failed with error Email domain not allowed.');
    assert.equal(hook.requests.length, before + 1);
  });

  test('each trigger is named in its refusal', async () => {
    hook.reset();
    hook.answer(403, { errorMessage: 'no' });
    const pool = await poolWith({ preAuthentication: hook.url, customMessage: hook.url });
    for (const trigger of ['PreAuthentication', 'CustomMessage'] as const) {
      const error = await cognitoError(
        t.services.hooks.call(pool, { trigger, triggerSource: `${trigger}_x`, userName: 'ann', request: {} }),
      );
      assert.equal(error.message, `${trigger} failed with error no.`);
    }
  });

  test('another 4xx (no errorMessage): UnexpectedLambdaException at once', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    hook.answer(401, { message: 'bad signature' });
    const before = hook.requests.length;
    const error = await cognitoError(t.services.hooks.call(pool, preSignUp()));
    assert.equal(error.name, 'UnexpectedLambdaException');
    assert.equal(error.message, 'PreSignUp invocation failed due to error HTTP 401.');
    assert.equal(hook.requests.length, before + 1);
  });

  test('5xx is retried with the same webhook-id; a later 200 is the answer', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    hook.failNext(2, 503, { message: 'busy' });
    const before = hook.requests.length;
    const response = await t.services.hooks.call(pool, preSignUp());
    assert.equal(response?.autoConfirmUser, false);
    const attempts = hook.requests.slice(before);
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((r) => r.headers['webhook-id'])).size, 1);
  });

  test('5xx on every attempt: three attempts, then UnexpectedLambdaException', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    hook.answer(500, { errorMessage: 'crashed' });
    const before = hook.requests.length;
    const error = await cognitoError(t.services.hooks.call(pool, preSignUp()));
    assert.equal(error.name, 'UnexpectedLambdaException');
    assert.equal(error.message, 'PreSignUp invocation failed due to error HTTP 500.');
    assert.equal(hook.requests.length - before, 3);
    const failed = t.logs.find((entry) => entry.msg === 'hook failed after retries' && entry.poolId === pool.id);
    assert.equal(failed?.hookHost, `127.0.0.1:${hook.port}`);
    assert.equal(failed?.attempts, 3);
    // Never the event (it holds user attributes), nor the hook's path and query.
    const logged = JSON.stringify(t.logs.filter((entry) => entry.poolId === pool.id));
    assert.ok(!logged.includes('ann@example.com') && !logged.includes('/hook'), logged);
  });

  test('a hook slower than the timeout: three attempts, then UnexpectedLambdaException', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    hook.delay(TIMEOUT_MS * 3);
    const before = hook.requests.length;
    const started = Date.now();
    const error = await cognitoError(t.services.hooks.call(pool, preSignUp()));
    assert.equal(error.name, 'UnexpectedLambdaException');
    assert.equal(error.message, 'PreSignUp invocation failed due to error TimeoutError.');
    assert.equal(hook.requests.length - before, 3);
    const took = Date.now() - started;
    assert.ok(took >= TIMEOUT_MS * 3 && took < TIMEOUT_MS * 3 + 2000, `took ${took} ms`);
    hook.reset();
  });

  test('a hook that is down (connection refused): three attempts, then UnexpectedLambdaException', async () => {
    const down = await startHookServer();
    await down.close();
    const pool = await poolWith({ preSignUp: down.url });
    const error = await cognitoError(t.services.hooks.call(pool, preSignUp()));
    assert.equal(error.name, 'UnexpectedLambdaException');
    assert.equal(error.message, 'PreSignUp invocation failed due to error ECONNREFUSED.');
    const attempts = t.logs.filter((entry) => entry.msg === 'hook attempt failed' && entry.poolId === pool.id);
    assert.equal(attempts.length, 3);
  });

  const garbage: [string, { status: number; body?: unknown }, RegExp][] = [
    ['text', { status: 200, body: 'OK' }, /not a JSON object/],
    ['an empty object', { status: 200, body: {} }, /triggerSource is not the event's/],
    ['another user', { status: 200, body: 'ECHO-OTHER-USER' }, /userName is not the event's/],
    ['no response', { status: 200, body: 'ECHO-NO-RESPONSE' }, /response is not an object/],
    ['204', { status: 204 }, /expected status 200/],
    ['202 with the event', { status: 202, body: 'ECHO' }, /expected status 200/],
    ['an array', { status: 200, body: [1] }, /not a JSON object/],
  ];
  for (const [name, answer, problem] of garbage) {
    test(`2xx that is not the event (${name}): InvalidLambdaResponseException, not retried`, async () => {
      hook.reset();
      const pool = await poolWith({ preSignUp: hook.url });
      hook.handle((request) => {
        const body =
          answer.body === 'ECHO'
            ? request.body
            : answer.body === 'ECHO-OTHER-USER'
              ? { ...request.body, userName: 'mallory' }
              : answer.body === 'ECHO-NO-RESPONSE'
                ? { ...request.body, response: undefined }
                : answer.body;
        return { status: answer.status, body };
      });
      const before = hook.requests.length;
      const error = await cognitoError(t.services.hooks.call(pool, preSignUp()));
      assert.equal(error.name, 'InvalidLambdaResponseException');
      assert.match(error.message, problem);
      assert.equal(hook.requests.length - before, 1);
    });
  }

  test('a redirect is not followed: UnexpectedLambdaException', async () => {
    hook.reset();
    const pool = await poolWith({ preSignUp: hook.url });
    hook.handle(() => ({ status: 307, headers: { location: mapped.url } }));
    const before = mapped.requests.length;
    const error = await cognitoError(t.services.hooks.call(pool, preSignUp()));
    assert.equal(error.name, 'UnexpectedLambdaException');
    assert.equal(mapped.requests.length, before);
  });
});
