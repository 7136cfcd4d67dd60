/**
 * A pool's hooks on the REST face (docs/triggers.md, "Configuring hooks") and the hook-secret
 * route ("Secrets and rotation"): what is accepted, shown, replaced and refused, and that a
 * refusal changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { hookSecrets, pools } from '../../src/db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/user-flows.ts';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:welcome';
const UNMAPPED = 'arn:aws:lambda:eu-west-1:123456789012:function:other';
const URL_HOOK = 'https://hooks.example.com/pre-sign-up';

let t: TestApp;
before(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-hook-arns-'));
  const file = path.join(dir, 'arns.json');
  writeFileSync(file, JSON.stringify({ [ARN]: 'https://welcome.example.com/hook' }));
  t = await startTestApp({ HOOK_ARNS_FILE: file });
});
after(() => t.close());

const createPool = (hooks?: unknown) =>
  t.admin('POST', '/v1/pools', { name: 'hooks', ...(hooks !== undefined && { hooks }) });

describe('hooks in the pool settings', () => {
  test('a pool starts with none; create takes URLs and mapped ARNs and shows them', async () => {
    const plain = await createPool();
    assert.equal(plain.status, 201);
    assert.deepEqual(plain.body.hooks, {});

    const hooks = {
      preSignUp: URL_HOOK,
      postConfirmation: ARN,
      preAuthentication: 'http://10.0.0.5:8080/pre-auth',
      postAuthentication: URL_HOOK,
      preTokenGeneration: URL_HOOK,
      preTokenGenerationVersion: 'V2_0',
      customMessage: URL_HOOK,
    };
    const created = await createPool(hooks);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.hooks, hooks);
    assert.deepEqual((await t.admin('GET', `/v1/pools/${created.body.id}`)).body.hooks, hooks);
    // Stored as Cognito's LambdaConfig: what the wire describes.
    assert.deepEqual((await t.services.pools.getPool(created.body.id)).lambdaConfig, {
      PreSignUp: URL_HOOK,
      PostConfirmation: ARN,
      PreAuthentication: 'http://10.0.0.5:8080/pre-auth',
      PostAuthentication: URL_HOOK,
      PreTokenGeneration: URL_HOOK,
      PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: URL_HOOK },
      CustomMessage: URL_HOOK,
    });
    const v1 = await createPool({ preTokenGeneration: URL_HOOK });
    assert.deepEqual(v1.body.hooks, { preTokenGeneration: URL_HOOK, preTokenGenerationVersion: 'V1_0' });
  });

  test('PATCH replaces the whole set; {} removes them all; srpEnabled beside it still works', async () => {
    const { body } = await createPool({ preSignUp: URL_HOOK, customMessage: URL_HOOK });
    const replaced = await t.admin('PATCH', `/v1/pools/${body.id}`, { hooks: { postConfirmation: ARN } });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.deepEqual(replaced.body.hooks, { postConfirmation: ARN });
    const both = await t.admin('PATCH', `/v1/pools/${body.id}`, { srpEnabled: true, hooks: { preSignUp: ARN } });
    assert.deepEqual([both.body.srpEnabled, both.body.hooks], [true, { preSignUp: ARN }]);
    const cleared = await t.admin('PATCH', `/v1/pools/${body.id}`, { hooks: {} });
    assert.deepEqual(cleared.body.hooks, {});
    assert.deepEqual((await t.services.pools.getPool(body.id)).lambdaConfig, {});
  });

  test('bad hooks are refused naming the member, on create and on PATCH, and change nothing', async () => {
    const cases: [unknown, string][] = [
      [{ preSignUp: UNMAPPED }, 'LambdaConfig.PreSignUp: the ARN'],
      [{ preSignUp: 'ftp://hooks.example.com/x' }, 'LambdaConfig.PreSignUp must be an http:// or https:// URL'],
      [
        { customMessage: 'https://me:secret@hooks.example.com/' },
        'LambdaConfig.CustomMessage must not carry credentials',
      ],
      [
        { postConfirmation: 'hooks.example.com' },
        'LambdaConfig.PostConfirmation must be an http(s) URL or a Lambda ARN',
      ],
      [{ preTokenGeneration: UNMAPPED, preTokenGenerationVersion: 'V2_0' }, 'LambdaConfig.PreTokenGeneration'],
      [{ preTokenGenerationVersion: 'V2_0' }, 'hooks.preTokenGenerationVersion needs hooks.preTokenGeneration'],
    ];
    const before = (await t.admin('GET', '/v1/pools')).body.pools.length;
    for (const [hooks, detail] of cases) {
      assertProblem(await createPool(hooks), 400, 'InvalidParameterException', detail);
    }
    assert.equal((await t.admin('GET', '/v1/pools')).body.pools.length, before, 'no pool was made');

    const { body } = await createPool({ preSignUp: URL_HOOK });
    for (const [hooks, detail] of cases) {
      assertProblem(
        await t.admin('PATCH', `/v1/pools/${body.id}`, { srpEnabled: true, hooks }),
        400,
        'InvalidParameterException',
        detail,
      );
    }
    const after = (await t.admin('GET', `/v1/pools/${body.id}`)).body;
    assert.deepEqual([after.hooks, after.srpEnabled], [{ preSignUp: URL_HOOK }, false], 'nothing changed');
  });

  test('the triggers of later issues and unknown members are not REST members: refused', async () => {
    for (const member of ['customSmsSender', 'customEmailSender', 'PreSignUp']) {
      const answer = await createPool({ [member]: URL_HOOK });
      assert.equal(answer.status, 400, member);
      assert.match(JSON.stringify(answer.body), new RegExp(member));
    }
    const wrongVersion = await createPool({ preTokenGeneration: URL_HOOK, preTokenGenerationVersion: 'V4_0' });
    assert.equal(wrongVersion.status, 400);
  });

  test('PATCH of an unknown pool: 404', async () => {
    assertProblem(
      await t.admin('PATCH', '/v1/pools/local_XXXXXXXXX', { hooks: { preSignUp: URL_HOOK } }),
      404,
      'ResourceNotFoundException',
    );
  });
});

describe('POST /v1/pools/{poolId}/hook-secret', () => {
  test('answers a new whsec_ secret once, no-store; the row keeps it sealed', async () => {
    const { body: pool } = await createPool();
    const answer = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, {});
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.match(answer.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(answer.body.secret.slice(6), 'base64').length, 32);
    assert.deepEqual(answer.body.previousSecrets, []);
    const rows = await t.database.db.select().from(hookSecrets).where(eq(hookSecrets.poolId, pool.id));
    assert.equal(rows.length, 1);
    const secretBytes = answer.body.secret.slice(6);
    assert.ok(!rows[0]!.sealedSecret.includes(secretBytes), 'stored sealed, not as is');
    assert.ok(!JSON.stringify((await t.admin('GET', `/v1/pools/${pool.id}`)).body).includes('whsec_'));
  });

  test('rotation keeps the previous one for the overlap asked (default a day)', async () => {
    const { body: pool } = await createPool();
    await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, {});
    const started = Date.now();
    const second = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, {});
    assert.equal(second.body.previousSecrets.length, 1);
    const overlap = Date.parse(second.body.previousSecrets[0].retiresAt) - started;
    assert.ok(Math.abs(overlap - 86_400_000) < 5000, `overlap ${overlap} ms`);
    const third = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, { overlapSeconds: 60 });
    // A shorter overlap shortens every earlier secret's end (the earlier of the two ends holds).
    const ends = third.body.previousSecrets.map((p: { retiresAt: string }) => Date.parse(p.retiresAt) - started);
    assert.equal(ends.length, 2);
    for (const end of ends) assert.ok(Math.abs(end - 60_000) < 5000, JSON.stringify(ends));
    // A longer one never lengthens them.
    const fourth = await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, { overlapSeconds: 3600 });
    const later = fourth.body.previousSecrets.map((p: { retiresAt: string }) => Date.parse(p.retiresAt) - started);
    assert.deepEqual(later.filter((end: number) => end < 120_000).length, 2, JSON.stringify(later));
    assert.notEqual(third.body.secret, second.body.secret);
  });

  test('bad requests: unknown pool 404, no admin key 401, bad overlap 400', async () => {
    assertProblem(await t.admin('POST', '/v1/pools/local_XXXXXXXXX/hook-secret', {}), 404, 'ResourceNotFoundException');
    const { body: pool } = await createPool();
    assert.equal((await t.call('POST', `/v1/pools/${pool.id}/hook-secret`, {})).status, 401);
    for (const overlapSeconds of [-1, 1.5, 2_592_001, 'a day']) {
      assertProblem(
        await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, { overlapSeconds }),
        400,
        'InvalidParameterException',
      );
    }
    assertProblem(
      await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, { other: 1 }),
      400,
      'InvalidParameterException',
    );
    const rows = await t.database.db.select().from(hookSecrets).where(eq(hookSecrets.poolId, pool.id));
    assert.equal(rows.length, 0, 'no secret was made by a refused request');
  });

  test('deleting the pool removes its secrets', async () => {
    const { body: pool } = await createPool();
    await t.admin('POST', `/v1/pools/${pool.id}/hook-secret`, {});
    await t.database.db.delete(pools).where(eq(pools.id, pool.id));
    const rows = await t.database.db.select().from(hookSecrets).where(eq(hookSecrets.poolId, pool.id));
    assert.equal(rows.length, 0);
  });
});
