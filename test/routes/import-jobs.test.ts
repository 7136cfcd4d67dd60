/**
 * Import jobs on the REST face (docs/user-import.md, "Import jobs"): the CSV header, create,
 * upload to the pre-signed URL (no admin key), start, the job until it ends with its refused rows,
 * stop, pages, and every bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
let poolId: string;
before(async () => {
  t = await startTestApp();
  const pool = await t.admin('POST', '/v1/pools', { name: 'import-jobs' });
  assert.equal(pool.status, 201, JSON.stringify(pool.body));
  poolId = pool.body.id;
});
after(() => t.close());

const ENDED = new Set(['Succeeded', 'Failed', 'Stopped', 'Expired']);

/** PUT to the job's preSignedUrl, through the app (its path and query; PUBLIC_URL is not reachable in tests). */
async function upload(preSignedUrl: string, payload: string | Buffer, headers: Record<string, string> = {}) {
  const url = new URL(preSignedUrl);
  const res = await t.app.inject({
    method: 'PUT',
    url: `${url.pathname}${url.search}`,
    headers: { 'x-amz-server-side-encryption': 'aws:kms', 'content-type': 'text/csv', ...headers },
    payload,
  });
  return { status: res.statusCode, body: res.body === '' ? null : JSON.parse(res.body), headers: res.headers };
}

async function created(name = 'rest job', pool = poolId) {
  const res = await t.admin('POST', `/v1/pools/${pool}/import-jobs`, { jobName: name });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function ended(jobId: string, pool = poolId) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await t.admin('GET', `/v1/pools/${pool}/import-jobs/${jobId}`);
    assert.equal(res.status, 200);
    if (ENDED.has(res.body.status)) return res.body;
    assert.ok(Date.now() < deadline, `job still ${res.body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('import jobs over REST', () => {
  test('GET csv-header: Cognito’s columns for the pool', async () => {
    const res = await t.admin('GET', `/v1/pools/${poolId}/import-jobs/csv-header`);
    assert.equal(res.status, 200);
    assert.equal(res.body.poolId, poolId);
    assert.equal(res.body.csvHeader[0], 'name');
    assert.deepEqual(res.body.csvHeader.slice(-2), ['cognito:mfa_enabled', 'cognito:username']);
    assert.ok(!res.body.csvHeader.includes('sub'));
    assertProblem(
      await t.admin('GET', '/v1/pools/us-east-1_Nope12345/import-jobs/csv-header'),
      404,
      'ResourceNotFoundException',
    );
    assertProblem(await t.call('GET', `/v1/pools/${poolId}/import-jobs/csv-header`), 401, 'NotAuthorizedException');
  });

  test('create, upload, start: the job ends Succeeded with counts and the refused rows by line', async () => {
    const existing = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'rest-existing',
      messageAction: 'SUPPRESS',
    });
    assert.equal(existing.status, 201, JSON.stringify(existing.body));
    const job = await created();
    assert.equal(job.status, 'Created');
    assert.equal(job.uploaded, false);
    assert.equal(job.cloudWatchLogsRoleArn, null);
    assert.deepEqual(job.failures, []);
    assert.equal(job.startedAt, null);
    assert.match(job.jobId, /^import-[0-9a-zA-Z]+$/);

    const csv = [
      'cognito:username,email,email_verified,phone_number',
      `rest-ann,${uniqueEmail('ann')},true,`,
      `rest-existing,${uniqueEmail('ex')},true,`,
      `rest-bad,${uniqueEmail('bad')},true,555-0100`,
      `rest-ben,${uniqueEmail('ben')},true,`,
    ].join('\r\n');
    const put = await upload(job.preSignedUrl, csv);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/import-jobs/${job.jobId}`)).body.uploaded, true);

    const start = await t.admin('POST', `/v1/pools/${poolId}/import-jobs/${job.jobId}/start`);
    assert.equal(start.status, 200, JSON.stringify(start.body));
    assert.ok(['Pending', 'InProgress'].includes(start.body.status));
    assert.ok(start.body.startedAt);

    const done = await ended(job.jobId);
    assert.equal(done.status, 'Succeeded');
    assert.deepEqual([done.importedUsers, done.skippedUsers, done.failedUsers], [2, 1, 1]);
    assert.deepEqual(done.failures, [
      { line: 3, message: 'Skipped: the user already exists.' },
      { line: 4, message: 'Invalid phone number format.' },
    ]);
    assert.equal(done.uploaded, false, 'the CSV is deleted when the job ends');
    assert.ok(done.completedAt);
    const ann = await t.admin('GET', `/v1/pools/${poolId}/users/rest-ann`);
    assert.equal(ann.body.userStatus, 'RESET_REQUIRED');
    // What the job wrote is on the audit trail as any import is.
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/import-jobs/${job.jobId}/start`),
      409,
      'PreconditionNotMetException',
    );
    assertProblem(await upload(job.preSignedUrl, csv), 409, 'PreconditionNotMetException');
  });

  test('the cloudWatchLogsRoleArn is kept and shown when given', async () => {
    const role = 'arn:aws:iam::123456789012:role/Import';
    const res = await t.admin('POST', `/v1/pools/${poolId}/import-jobs`, {
      jobName: 'with role',
      cloudWatchLogsRoleArn: role,
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.cloudWatchLogsRoleArn, role);
  });

  test('stop: refused for a Created job; a Pending or running one ends Stopped', async () => {
    const job = await created('to stop');
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/import-jobs/${job.jobId}/stop`),
      409,
      'PreconditionNotMetException',
      'Created',
    );
    const rows = Array.from({ length: 3000 }, (_, i) => `rest-stop-${i}`).join('\n');
    assert.equal((await upload(job.preSignedUrl, `cognito:username\n${rows}\n`)).status, 200);
    assert.equal((await t.admin('POST', `/v1/pools/${poolId}/import-jobs/${job.jobId}/start`)).status, 200);
    const stop = await t.admin('POST', `/v1/pools/${poolId}/import-jobs/${job.jobId}/stop`);
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    assert.ok(['Stopping', 'Stopped'].includes(stop.body.status));
    const done = await ended(job.jobId);
    assert.equal(done.status, 'Stopped');
    assert.ok(done.importedUsers < 3000);
    assert.match(done.completionMessage, /^Stopped/);
  });

  test('pages: limit and nextToken; bad queries refused', async () => {
    const pool = (await t.admin('POST', '/v1/pools', { name: 'import-pages' })).body.id;
    const ids = [(await created('a', pool)).jobId, (await created('b', pool)).jobId];
    const first = await t.admin('GET', `/v1/pools/${pool}/import-jobs?limit=1`);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.jobs.map((j: { jobId: string }) => j.jobId),
      [ids[0]],
    );
    const second = await t.admin(
      'GET',
      `/v1/pools/${pool}/import-jobs?limit=1&nextToken=${encodeURIComponent(first.body.nextToken)}`,
    );
    assert.deepEqual(
      second.body.jobs.map((j: { jobId: string }) => j.jobId),
      [ids[1]],
    );
    assert.equal(second.body.nextToken, undefined);
    assert.equal((await t.admin('GET', `/v1/pools/${pool}/import-jobs`)).body.jobs.length, 2);
    for (const query of ['limit=0', 'limit=61', 'nextToken=garbage', 'other=1'])
      assertProblem(await t.admin('GET', `/v1/pools/${pool}/import-jobs?${query}`), 400, 'InvalidParameterException');
    assertProblem(await t.admin('GET', '/v1/pools/us-east-1_Nope12345/import-jobs'), 404, 'ResourceNotFoundException');
  });

  test('bad inputs: job name, unknown members, unknown and malformed job ids, no admin key', async () => {
    for (const body of [
      { jobName: '' },
      { jobName: 'a/b' },
      { jobName: 'x'.repeat(129) },
      { jobName: 'x', cloudWatchLogsRoleArn: 'nope' },
      { jobName: 'x', passwordHashingAlgorithm: 'BCRYPT' },
      {},
    ])
      assertProblem(await t.admin('POST', `/v1/pools/${poolId}/import-jobs`, body), 400, 'InvalidParameterException');
    assertProblem(
      await t.admin('POST', '/v1/pools/us-east-1_Nope12345/import-jobs', { jobName: 'x' }),
      404,
      'ResourceNotFoundException',
    );
    for (const path of ['', '/start', '/stop']) {
      const method = path === '' ? 'GET' : 'POST';
      assertProblem(
        await t.admin(method, `/v1/pools/${poolId}/import-jobs/import-unknown${path}`),
        404,
        'ResourceNotFoundException',
      );
      assertProblem(
        await t.admin(method, `/v1/pools/${poolId}/import-jobs/nope${path}`),
        400,
        'InvalidParameterException',
      );
    }
    const job = await created('no key');
    assertProblem(
      await t.call('POST', `/v1/pools/${poolId}/import-jobs/${job.jobId}/start`),
      401,
      'NotAuthorizedException',
    );
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/import-jobs/${job.jobId}/start`),
      409,
      'PreconditionNotMetException',
      'No CSV',
    );
  });

  test('the upload URL: signature, expiry parameters, encodings and media types', async () => {
    const job = await created('upload checks');
    const url = new URL(job.preSignedUrl);
    const tampered = new URL(url);
    tampered.searchParams.set('signature', 'A'.repeat(43));
    assertProblem(await upload(tampered.toString(), 'cognito:username\n'), 403, 'NotAuthorizedException');
    const noExpiry = new URL(url);
    noExpiry.searchParams.delete('expires');
    assertProblem(await upload(noExpiry.toString(), 'cognito:username\n'), 400, 'InvalidParameterException');
    const extra = new URL(url);
    extra.searchParams.set('x', '1');
    assertProblem(await upload(extra.toString(), 'cognito:username\n'), 400, 'InvalidParameterException');
    assertProblem(await upload(job.preSignedUrl, Buffer.from([0xff, 0xfe, 0x00])), 400, 'InvalidParameterException');
    assertProblem(
      await upload(job.preSignedUrl, 'cognito:username\n', { 'x-amz-server-side-encryption': 'none' }),
      400,
      'InvalidParameterException',
    );
    // The admin key is not needed, and not in the way either; JSON is just bytes here.
    assert.equal(
      (
        await upload(job.preSignedUrl, '{"a":1}', {
          'content-type': 'application/json',
          authorization: `Bearer ${ADMIN_KEY}`,
        })
      ).status,
      200,
    );
    // An unknown job id behind a valid-looking URL says only that the signature does not match.
    const unknown = new URL(url);
    unknown.pathname = '/v1/import-uploads/import-unknown';
    assertProblem(await upload(unknown.toString(), 'cognito:username\n'), 403, 'NotAuthorizedException');
  });
});
