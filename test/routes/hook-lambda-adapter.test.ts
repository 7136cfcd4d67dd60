/**
 * The Lambda adapter (docs/triggers.md, "The Lambda adapter"): a Lambda handler file, unchanged,
 * served as a hook by `src/cli/lambda-hook.ts` running as its own process, with Cognate calling it;
 * and a callback-style handler through the same server in-process. Unsigned, forged, stale and
 * replayed calls are refused with 401.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createLambdaHookServer, loadHandler, parseSecrets } from '../../src/cli/lambda-hook.ts';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import type { HookedPool } from '../../src/modules/hooks/hooks.types.ts';
import { PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { freePort } from '../support/ports.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ASYNC_HANDLER = 'test/support/lambda/pre-sign-up.mjs';
const CALLBACK_HANDLER = 'test/support/lambda/callback-style.cjs';

let t: TestApp;
let adapter: ChildProcess;
let adapterUrl: string;
let output = '';
let poolId: string;
let clientId: string;
let secret: string;

async function startAdapter(env: Record<string, string>, handler: string): Promise<void> {
  const port = await freePort();
  adapterUrl = `http://127.0.0.1:${port}/`;
  adapter = spawn(process.execPath, ['--import', 'tsx', 'src/cli/lambda-hook.ts', handler], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  adapter.stdout!.on('data', (chunk) => (output += chunk));
  adapter.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the adapter did not start:\n${output}`)), 20_000);
    adapter.stdout!.on('data', () => {
      if (output.includes('Lambda hook listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    adapter.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the adapter exited (${code}):\n${output}`));
    });
  });
}

before(async () => {
  t = await startTestApp();
  const pool = await t.admin('POST', '/v1/pools', { name: 'lambda', autoVerifiedAttributes: ['email'] });
  poolId = pool.body.id;
  clientId = (await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'app' })).body.clientId;
  // The operator makes the pool's secret and gives it to the adapter.
  secret = (await t.admin('POST', `/v1/pools/${poolId}/hook-secret`, {})).body.secret;
  await startAdapter({ HOOK_SECRET: secret }, ASYNC_HANDLER);
  const patched = await t.admin('PATCH', `/v1/pools/${poolId}`, { hooks: { preSignUp: adapterUrl } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
});
after(async () => {
  if (adapter && adapter.exitCode === null) {
    const exited = new Promise((resolve) => adapter.once('exit', resolve));
    adapter.kill('SIGTERM');
    await exited;
  }
  await t.close();
});

const pool = async (): Promise<HookedPool> => t.services.pools.getPool(poolId);
const signUp = (username: string, email: string) =>
  t.call('POST', '/v1/sign-up', { clientId, username, password: PASSWORD, userAttributes: { email } });

describe('a Lambda handler file served by the adapter process', () => {
  test('Cognate’s signed call reaches the handler; its returned event is the answer', async () => {
    const response = await t.services.hooks.call(await pool(), {
      trigger: 'PreSignUp',
      triggerSource: 'PreSignUp_SignUp',
      userName: 'context',
      request: { userAttributes: { email: 'ann@partner.example.com' } },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    assert.equal(response?.autoConfirmUser, true);
    assert.equal(response?.autoVerifyEmail, true);
    const remaining = response?.remainingMs as number;
    assert.ok(remaining > 0 && remaining <= 5000, `remaining ${remaining}`);
  });

  test('the handler’s throw refuses the sign-up as Cognito words it; nothing is made', async () => {
    const refused = await signUp('eve', 'eve@blocked.example.com');
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'UserLambdaValidationException');
    assert.equal(refused.body.detail, 'PreSignUp failed with error Sign-ups from blocked.example.com are not allowed.');
    const listed = await t.admin('GET', `/v1/pools/${poolId}/users`);
    assert.ok(!JSON.stringify(listed.body).includes('"eve"'), 'no user eve');
  });

  test('a sign-up the handler lets through happens', async () => {
    const answer = await signUp('bob', 'bob@example.com');
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
  });

  test('unsigned, forged, stale and replayed calls are refused with 401', async () => {
    const body = JSON.stringify({ userName: 'x', request: { userAttributes: {} }, response: {} });
    const post = (headers: Record<string, string>) =>
      fetch(adapterUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const signed = (key: string, id: string, at: Date) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(key).sign(id, at, body),
    });

    assert.equal((await post({})).status, 401, 'unsigned');
    const forger = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.equal((await post(signed(forger, 'msg_forged', new Date()))).status, 401, 'another key');
    assert.equal(
      (await post(signed(secret, 'msg_stale', new Date(Date.now() - 10 * 60_000)))).status,
      401,
      'ten minutes old',
    );
    const tampered = signed(secret, 'msg_tampered', new Date());
    const altered = await fetch(adapterUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...tampered },
      body: body.replace('"x"', '"y"'),
    });
    assert.equal(altered.status, 401, 'a changed body');

    const good = signed(secret, 'msg_once', new Date());
    const first = await post(good);
    assert.equal(first.status, 200);
    assert.equal((await post(good)).status, 401, 'the same call again');
    assert.equal((await fetch(adapterUrl)).status, 405);
  });

  test('once the adapter’s secret is retired, Cognate’s calls are refused: UnexpectedLambdaException', async () => {
    await t.admin('POST', `/v1/pools/${poolId}/hook-secret`, { overlapSeconds: 0 });
    try {
      await t.services.hooks.call(await pool(), {
        trigger: 'PreSignUp',
        triggerSource: 'PreSignUp_SignUp',
        userName: 'late',
        request: { userAttributes: {} },
      });
      assert.fail('the call succeeded');
    } catch (error) {
      assert.ok(error instanceof CognitoError);
      assert.equal(error.name, 'UnexpectedLambdaException');
      assert.equal(error.message, 'PreSignUp invocation failed due to error HTTP 401.');
    }
    assert.match(output, /refused a call without a valid signature/);
  });
});

describe('a callback-style handler, in-process', () => {
  test('callback(null, event) answers; callback(error) is Lambda’s error shape, 400', async () => {
    const key = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const { handler, name } = await loadHandler(`${CALLBACK_HANDLER}#handler`);
    assert.equal(name, 'callback-style');
    const server = createLambdaHookServer({
      handler,
      secrets: parseSecrets(`${key}`),
      functionName: name,
      log: () => {},
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const call = async (userName: string) => {
        const body = JSON.stringify({ userName, response: {} });
        const at = new Date();
        const id = `msg_${userName}`;
        return fetch(url, {
          method: 'POST',
          headers: {
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': new Webhook(key).sign(id, at, body),
          },
          body,
        });
      };
      const ok = await call('ann');
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { userName: 'ann', response: { calledBack: 'callback-style' } });
      const refused = await call('refused');
      assert.equal(refused.status, 400);
      assert.deepEqual(await refused.json(), { errorMessage: 'Not this one', errorType: 'Error' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('HOOK_SECRET must be given and be whsec_ secrets; a handler must be exported', async () => {
    assert.throws(() => parseSecrets(undefined), /HOOK_SECRET is not set/);
    assert.throws(() => parseSecrets('hunter2'), /whsec_ followed by base64/);
    assert.equal(parseSecrets('whsec_YQ== whsec_Yg==,whsec_Yw==').length, 3);
    await assert.rejects(loadHandler(`${CALLBACK_HANDLER}#missing`), /exports no function named missing/);
  });
});
