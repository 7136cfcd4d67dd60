/**
 * Issue 18's new surfaces on the REST face, attacked (docs/security.md, "Issue 18"): the import
 * job's pre-signed upload URL (a bearer capability: kept out of logs, bound to its job, useless
 * once its job or pool is gone) and the confidential client's HTTP Basic proof.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

async function pool(name: string): Promise<string> {
  const res = await t.admin('POST', '/v1/pools', { name });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function job(poolId: string, name = 'attack job') {
  const res = await t.admin('POST', `/v1/pools/${poolId}/import-jobs`, { jobName: name });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { jobId: string; preSignedUrl: string; status: string };
}

/** PUT through the app (PUBLIC_URL is not reachable in tests). */
async function upload(url: URL | string, payload: string) {
  const parsed = new URL(url);
  const res = await t.app.inject({
    method: 'PUT',
    url: `${parsed.pathname}${parsed.search}`,
    headers: { 'content-type': 'text/csv' },
    payload,
  });
  return { status: res.statusCode, body: res.body === '' ? null : JSON.parse(res.body), headers: res.headers };
}

test('the upload URL’s signature never reaches the logs: a reader of the log cannot replace the CSV', async () => {
  const poolId = await pool('upload-url-logs');
  const created = await job(poolId);
  const signature = new URL(created.preSignedUrl).searchParams.get('signature')!;
  assert.ok(signature.length >= 40);
  // A good upload and a refused one (wrong expiry): both are logged, neither with the signature.
  assert.equal((await upload(created.preSignedUrl, 'cognito:username\n')).status, 200);
  const badExpiry = new URL(created.preSignedUrl);
  badExpiry.searchParams.set('expires', '1');
  assertProblem(await upload(badExpiry, 'cognito:username\n'), 403, 'NotAuthorizedException');
  const lines = t.logs.filter((e) => JSON.stringify(e).includes('/v1/import-uploads/'));
  assert.ok(lines.length >= 2, 'the uploads are logged');
  for (const line of lines) assert.ok(!JSON.stringify(line).includes(signature), JSON.stringify(line));
  // What was asked is still there to read: the path and the job.
  assert.ok(lines.some((e) => JSON.stringify(e).includes(created.jobId)));
});

test('an upload URL is bound to its job: its signature on another job, or on a traversal path, is refused', async () => {
  const poolId = await pool('upload-url-binding');
  const [a, b] = [await job(poolId, 'a'), await job(poolId, 'b')];
  const other = new URL(a.preSignedUrl);
  other.pathname = `/v1/import-uploads/${b.jobId}`;
  assertProblem(await upload(other, 'cognito:username\n'), 403, 'NotAuthorizedException');
  for (const path of [
    `/v1/import-uploads/..%2F${a.jobId}`,
    `/v1/import-uploads/${a.jobId}%2F..%2F${b.jobId}`,
    `/v1/import-uploads/${a.jobId}%00`,
  ]) {
    const traversal = new URL(a.preSignedUrl);
    traversal.pathname = path;
    const res = await upload(traversal, 'cognito:username\n');
    assert.ok(res.status === 403 || res.status === 400, `${path}: ${res.status}`);
  }
  const described = await t.admin('GET', `/v1/pools/${poolId}/import-jobs/${b.jobId}`);
  assert.equal(described.body.uploaded, false, 'job b got nothing');
});

test('a job whose pool is deleted: its URL stores nothing, and the pool’s users are not recreated', async () => {
  const poolId = await pool('upload-into-deleted');
  const created = await job(poolId);
  assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}`)).status, 204);
  const res = await upload(created.preSignedUrl, 'cognito:username,email,email_verified\nghost,g@x.test,true\n');
  assert.ok(res.status === 404 || res.status === 403, `${res.status} ${JSON.stringify(res.body)}`);
  assertProblem(
    await t.admin('GET', `/v1/pools/${poolId}/import-jobs/${created.jobId}`),
    404,
    'ResourceNotFoundException',
  );
});

test('HTTP Basic for a confidential client: the secret never reaches the logs; a lookalike client id proves nothing', async () => {
  const poolId = await pool('basic-logs');
  const res = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'server', generateSecret: true });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const clientId: string = res.body.clientId;
  const secret: string = res.body.clientSecret;
  assert.ok(typeof secret === 'string' && secret.length > 20, JSON.stringify(res.body));
  const basic = (id: string, value: string) => `Basic ${Buffer.from(`${id}:${value}`).toString('base64')}`;
  const signIn = (authorization: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-in',
      headers: { authorization, 'content-type': 'application/json' },
      payload: { clientId, username: 'nobody', password: 'Wr0ng-secret!' },
    });
  // The right secret reaches the sign-in (an unknown user: 401 NotAuthorized, not the secret's refusal).
  const proven = await signIn(basic(clientId, secret));
  assert.equal(proven.statusCode, 401, proven.body);
  assert.doesNotMatch(proven.body, /secret/i);
  // The client id with a suffix, or a prefix of the secret: refused as an unverified secret.
  for (const [id, value] of [
    [`${clientId}x`, secret],
    [clientId, secret.slice(0, -1)],
    [clientId, `${secret}x`],
  ] as const) {
    const refused = await signIn(basic(id, value));
    assert.equal(refused.statusCode, 401, refused.body);
    assert.match(refused.body, /client secret/);
    assert.ok(!refused.body.includes(value), 'the error does not echo the secret');
  }
  assert.ok(!JSON.stringify(t.logs).includes(secret), 'the log holds the client secret');
});

test('a refused custom secret is never repeated in the REST error or the log', async () => {
  const poolId = await pool('secret-echo');
  const tooLong = 'S3cretValue'.repeat(6);
  const slashed = 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo/MDEy';
  const confidential = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'server', generateSecret: true });
  assert.equal(confidential.status, 201);
  for (const value of [tooLong, slashed]) {
    const created = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'custom', clientSecret: value });
    assertProblem(created, 400, 'InvalidParameterException');
    assert.ok(!JSON.stringify(created.body).includes(value), JSON.stringify(created.body));
    const added = await t.admin('POST', `/v1/pools/${poolId}/clients/${confidential.body.clientId}/secrets`, {
      clientSecret: value,
    });
    assert.equal(added.status, 400, JSON.stringify(added.body));
    assert.ok(!JSON.stringify(added.body).includes(value), JSON.stringify(added.body));
  }
  const text = JSON.stringify(t.logs);
  assert.ok(!text.includes(tooLong) && !text.includes(slashed), 'the log holds it');
});
