/**
 * Cognito's user import jobs through the real AWS SDK: GetCSVHeader, CreateUserImportJob, the CSV
 * PUT to the PreSignedUrl over HTTP as Cognito's guide tells users to send it, StartUserImportJob,
 * DescribeUserImportJob until it ends, ListUserImportJobs pages, StopUserImportJob, and the
 * refusals: expired or forged URLs, uploads after the start, unknown jobs and pools
 * (docs/user-import.md, "Import jobs").
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  ForgotPasswordCommand,
  GetCSVHeaderCommand,
  InitiateAuthCommand,
  ListUserImportJobsCommand,
  StartUserImportJobCommand,
  StopUserImportJobCommand,
  type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { uniqueEmail, newCodeFor } from '../support/user-flows.ts';
import { PASSWORD, expectError, poolWithClient, createPool, signIn } from '../support/sdk-flows.ts';

const ROLE = 'arn:aws:iam::123456789012:role/CognitoImportRole';
const ENDED = new Set(['Succeeded', 'Failed', 'Stopped', 'Expired']);

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
/** The server's clock runs this far ahead (upload URLs and start deadlines read it). */
let offsetMs = 0;

before(async () => {
  t = await startCognitoApp({}, { now: () => new Date(Date.now() + offsetMs) });
  ({ poolId, clientId } = await poolWithClient(t, {
    AutoVerifiedAttributes: ['email'],
    Schema: [{ Name: 'plan', AttributeDataType: 'String', Mutable: true }],
  }));
});
after(() => t.close());

/** The PreSignedUrl names PUBLIC_URL (http://cognate.test in tests): the same path and query on the test server. */
const reachable = (url: string) => {
  const parsed = new URL(url);
  return `${t.endpoint}${parsed.pathname}${parsed.search}`;
};
/** `curl --upload-file users.csv -H 'x-amz-server-side-encryption: aws:kms' "$PreSignedUrl"`, with fetch. */
const upload = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(reachable(url), {
    method: 'PUT',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'x-amz-server-side-encryption': 'aws:kms', ...headers },
  });

const create = async (pool = poolId, name = 'import users') =>
  (await t.sdk.send(new CreateUserImportJobCommand({ UserPoolId: pool, JobName: name, CloudWatchLogsRoleArn: ROLE })))
    .UserImportJob!;
const describeJob = async (JobId: string, pool = poolId) =>
  (await t.sdk.send(new DescribeUserImportJobCommand({ UserPoolId: pool, JobId }))).UserImportJob!;

async function ended(JobId: string, pool = poolId): Promise<UserImportJobType> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await describeJob(JobId, pool);
    if (ENDED.has(job.Status!)) return job;
    assert.ok(Date.now() < deadline, `job still ${job.Status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A CSV in GetCSVHeader's column order, each row given by column name. */
function csvOf(header: string[], rows: Array<Record<string, string>>): string {
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return [header.join(','), ...rows.map((row) => header.map((name) => cell(row[name] ?? '')).join(','))].join('\n');
}

describe('GetCSVHeader', () => {
  test('the pool’s attributes in its schema’s order (no sub), custom ones, then cognito:mfa_enabled and cognito:username', async () => {
    const got = await t.sdk.send(new GetCSVHeaderCommand({ UserPoolId: poolId }));
    assert.equal(got.UserPoolId, poolId);
    assert.deepEqual(got.CSVHeader, [
      'name',
      'given_name',
      'family_name',
      'middle_name',
      'nickname',
      'preferred_username',
      'profile',
      'picture',
      'website',
      'email',
      'email_verified',
      'gender',
      'birthdate',
      'zoneinfo',
      'locale',
      'phone_number',
      'phone_number_verified',
      'address',
      'updated_at',
      'custom:plan',
      'cognito:mfa_enabled',
      'cognito:username',
    ]);
  });

  test('an unknown pool is ResourceNotFoundException; a malformed id InvalidParameterException', async () => {
    await expectError(
      t.sdk.send(new GetCSVHeaderCommand({ UserPoolId: 'us-east-1_Nope12345' })),
      'ResourceNotFoundException',
    );
    await expectError(t.sdk.send(new GetCSVHeaderCommand({ UserPoolId: 'no pool' })), 'InvalidParameterException');
  });
});

describe('an import job from start to end', () => {
  test('create, PUT the CSV, start, and the users exist RESET_REQUIRED: skipped and failed rows counted', async () => {
    const { CSVHeader } = await t.sdk.send(new GetCSVHeaderCommand({ UserPoolId: poolId }));
    const existing = `existing-${Date.now()}`;
    await t.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: existing, MessageAction: 'SUPPRESS' }));
    const alice = uniqueEmail('alice');
    const csv = csvOf(CSVHeader!, [
      {
        'cognito:username': 'imp-alice',
        name: 'Alice, A.',
        email: alice,
        email_verified: 'true',
        'custom:plan': 'pro',
        'cognito:mfa_enabled': 'false',
      },
      { 'cognito:username': existing, email: uniqueEmail('x'), email_verified: 'true' },
      { 'cognito:username': 'imp-bad', phone_number: '555-0100', email: uniqueEmail('b'), email_verified: 'true' },
      { 'cognito:username': 'imp-bob', email: uniqueEmail('bob'), email_verified: 'true' },
    ]);

    const before = Math.floor(Date.now() / 1000) - 1;
    const job = await create();
    assert.match(job.JobId!, /^import-[0-9a-zA-Z]+$/);
    assert.ok(job.JobId!.length <= 55);
    assert.equal(job.Status, 'Created');
    assert.equal(job.JobName, 'import users');
    assert.equal(job.UserPoolId, poolId);
    assert.equal(job.CloudWatchLogsRoleArn, ROLE);
    assert.deepEqual([job.ImportedUsers, job.SkippedUsers, job.FailedUsers], [0, 0, 0]);
    assert.ok(job.CreationDate instanceof Date && job.CreationDate.getTime() / 1000 >= before);
    assert.equal(job.StartDate, undefined);
    assert.match(
      job.PreSignedUrl!,
      new RegExp(`^http://cognate\\.test/v1/import-uploads/${job.JobId}\\?expires=\\d+&signature=[\\w-]+$`),
    );
    const expires = Number(new URL(job.PreSignedUrl!).searchParams.get('expires'));
    assert.ok(Math.abs(expires - (Date.now() / 1000 + 15 * 60)) < 60, 'the URL works for 15 minutes');

    const put = await upload(job.PreSignedUrl!, csv);
    assert.equal(put.status, 200, await put.clone().text());
    assert.match(put.headers.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal((await describeJob(job.JobId!)).Status, 'Created', 'an upload does not start the job');

    const started = (await t.sdk.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! })))
      .UserImportJob!;
    assert.ok(['Pending', 'InProgress'].includes(started.Status!), started.Status);
    assert.ok(started.StartDate instanceof Date);

    const done = await ended(job.JobId!);
    assert.equal(done.Status, 'Succeeded', done.CompletionMessage);
    assert.equal(done.ImportedUsers, 2);
    assert.equal(done.SkippedUsers, 1, 'the existing user is skipped, as Cognito counts it');
    assert.equal(done.FailedUsers, 1);
    assert.ok(done.CompletionDate instanceof Date);
    assert.equal(done.CompletionMessage, '2 users imported, 1 skipped, 1 failed.');

    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'imp-alice' }));
    assert.equal(user.UserStatus, 'RESET_REQUIRED');
    const attrs = Object.fromEntries(user.UserAttributes!.map((a) => [a.Name, a.Value]));
    assert.equal(attrs.name, 'Alice, A.');
    assert.equal(attrs['custom:plan'], 'pro');
    await expectError(
      t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'imp-bad' })),
      'UserNotFoundException',
    );

    // Imported users set a password through forgot password, as in Cognito.
    await expectError(signIn(t, clientId, 'imp-alice', PASSWORD), 'PasswordResetRequiredException');
    const seen = t.smtp.messages.length;
    await t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'imp-alice' }));
    const code = await newCodeFor(t, alice, 0);
    assert.ok(t.smtp.messages.length > seen);
    await t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'imp-alice',
        ConfirmationCode: code,
        Password: PASSWORD,
      }),
    );
    const tokens = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'imp-alice', PASSWORD },
      }),
    );
    assert.ok(tokens.AuthenticationResult?.AccessToken);

    // Ended: the URL no longer takes a file, and the job cannot be started or stopped again.
    const again = await upload(job.PreSignedUrl!, csv);
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { code: string }).code, 'PreconditionNotMetException');
    await expectError(
      t.sdk.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! })),
      'PreconditionNotMetException',
      /Succeeded/,
    );
    await expectError(
      t.sdk.send(new StopUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! })),
      'PreconditionNotMetException',
      /only a Pending or InProgress job can be stopped/,
    );
  });

  test('a CSV whose header the pool does not know fails the job, naming the column, and imports nothing', async () => {
    const job = await create();
    assert.equal(
      (await upload(job.PreSignedUrl!, 'cognito:username,email,shoe_size\nzed,z@example.com,44\n')).status,
      200,
    );
    await t.sdk.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! }));
    const done = await ended(job.JobId!);
    assert.equal(done.Status, 'Failed');
    assert.match(done.CompletionMessage!, /Unknown column in the CSV header: shoe_size/);
    assert.equal(done.ImportedUsers, 0);
    await expectError(
      t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'zed' })),
      'UserNotFoundException',
    );
  });
});

describe('the upload URL', () => {
  test('a forged or altered signature, or a changed expiry, is 403 and stores nothing', async () => {
    const job = await create();
    const url = new URL(job.PreSignedUrl!);
    const signature = url.searchParams.get('signature')!;
    const forged = new URL(url);
    forged.searchParams.set('signature', `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`);
    const later = new URL(url);
    later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    const other = await create();
    const moved = new URL(url);
    moved.pathname = `/v1/import-uploads/${other.JobId}`;
    for (const bad of [forged, later, moved]) {
      const res = await upload(bad.toString(), 'cognito:username\nx\n');
      assert.equal(res.status, 403, bad.toString());
      const problem = (await res.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'NotAuthorizedException');
      assert.match(problem.detail, /signature does not match/);
    }
    const unsigned = await fetch(`${t.endpoint}/v1/import-uploads/${job.JobId}`, { method: 'PUT', body: 'a' });
    assert.equal(unsigned.status, 400, 'the expiry and signature are required');
    // Nothing was stored: the jobs cannot start.
    for (const id of [job.JobId!, other.JobId!])
      await expectError(
        t.sdk.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: id })),
        'PreconditionNotMetException',
        /No CSV has been uploaded/,
      );
  });

  test('non-UTF-8, NUL characters and an empty body are refused (400); a later good upload replaces nothing bad', async () => {
    const job = await create();
    const latin1 = Buffer.concat([Buffer.from('cognito:username,name\nzoe,'), Buffer.from([0xe9, 0x0a])]);
    const cases: Array<[string | Buffer, RegExp]> = [
      [latin1, /not UTF-8/],
      ['cognito:username\nz\u0000\n', /NUL/],
      ['', /empty/],
    ];
    for (const [body, detail] of cases) {
      const res = await upload(job.PreSignedUrl!, body);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { detail: string }).detail, detail);
    }
    await expectError(
      t.sdk.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! })),
      'PreconditionNotMetException',
    );
    // Any media type, and none: the body is the file.
    assert.equal((await upload(job.PreSignedUrl!, 'cognito:username\n', { 'content-type': 'text/csv' })).status, 200);
    assert.equal(
      (await upload(job.PreSignedUrl!, 'cognito:username\n', { 'content-type': 'application/octet-stream' })).status,
      200,
    );
  });

  test('an S3 encryption header other than S3’s values is refused', async () => {
    const job = await create();
    const res = await upload(job.PreSignedUrl!, 'cognito:username\n', { 'x-amz-server-side-encryption': 'rot13' });
    assert.equal(res.status, 400);
  });

  test('a body over the limit is 413 before it is read; without a valid signature, 403 before it is read', async () => {
    const job = await create();
    const { request } = await import('node:http');
    const statusOf = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(reachable(url), {
          method: 'PUT',
          headers: { 'content-length': String(50 * 1024 * 1024 + 1), 'x-amz-server-side-encryption': 'aws:kms' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode!);
          req.destroy();
        });
        req.on('error', reject);
        req.write('cognito:username\n');
      });
    assert.equal(await statusOf(job.PreSignedUrl!), 413);
    const forged = new URL(job.PreSignedUrl!);
    forged.searchParams.set('signature', 'A'.repeat(43));
    assert.equal(await statusOf(forged.toString()), 403);
  });

  test('past 15 minutes the URL is refused, and a job never uploaded is Expired and cannot start', async () => {
    const job = await create();
    offsetMs = 16 * 60 * 1000;
    try {
      const res = await upload(job.PreSignedUrl!, 'cognito:username\nlate\n');
      assert.equal(res.status, 403);
      assert.match(((await res.json()) as { detail: string }).detail, /expired/);
      const described = await describeJob(job.JobId!);
      assert.equal(described.Status, 'Expired');
      await expectError(
        t.sdk.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! })),
        'PreconditionNotMetException',
        /Expired/,
      );
    } finally {
      offsetMs = 0;
    }
  });

  test('an uploaded job not started within a day is Expired', async () => {
    const job = await create();
    assert.equal((await upload(job.PreSignedUrl!, 'cognito:username\nlater\n')).status, 200);
    offsetMs = 25 * 60 * 60 * 1000;
    try {
      assert.equal((await describeJob(job.JobId!)).Status, 'Expired');
    } finally {
      offsetMs = 0;
    }
  });
});

describe('StopUserImportJob', () => {
  test('a running import stops between rows: Stopping, then Stopped, with what was written kept', async () => {
    const pool = await createPool(t, { PoolName: 'stop-me' });
    const rows = Array.from({ length: 5000 }, (_, i) => `stop-${i}`);
    const job = await create(pool);
    assert.equal((await upload(job.PreSignedUrl!, `cognito:username\n${rows.join('\n')}\n`)).status, 200);
    await expectError(
      t.sdk.send(new StopUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId! })),
      'PreconditionNotMetException',
      /Created/,
    );
    await t.sdk.send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId! }));
    const stopping = (await t.sdk.send(new StopUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId! })))
      .UserImportJob!;
    assert.ok(['Stopping', 'Stopped'].includes(stopping.Status!), stopping.Status);
    const done = await ended(job.JobId!, pool);
    assert.equal(done.Status, 'Stopped');
    assert.ok(done.ImportedUsers! < rows.length, `${done.ImportedUsers} of ${rows.length} imported before the stop`);
    assert.ok(done.CompletionDate instanceof Date);
    await expectError(
      t.sdk.send(new StopUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId! })),
      'PreconditionNotMetException',
      /Stopped/,
    );
  });
});

describe('ListUserImportJobs', () => {
  test('pages of MaxResults with a PaginationToken, oldest first', async () => {
    const pool = await createPool(t, { PoolName: 'list-jobs' });
    const ids = [];
    for (const name of ['one', 'two', 'three']) ids.push((await create(pool, name)).JobId);
    const first = await t.sdk.send(new ListUserImportJobsCommand({ UserPoolId: pool, MaxResults: 2 }));
    assert.deepEqual(
      first.UserImportJobs!.map((j) => j.JobId),
      ids.slice(0, 2),
    );
    assert.ok(first.PaginationToken);
    const second = await t.sdk.send(
      new ListUserImportJobsCommand({ UserPoolId: pool, MaxResults: 2, PaginationToken: first.PaginationToken }),
    );
    assert.deepEqual(
      second.UserImportJobs!.map((j) => j.JobId),
      ids.slice(2),
    );
    assert.equal(second.PaginationToken, undefined);
    assert.equal(second.UserImportJobs![0]!.JobName, 'three');
    const all = await t.sdk.send(new ListUserImportJobsCommand({ UserPoolId: pool, MaxResults: 60 }));
    assert.equal(all.UserImportJobs!.length, 3);
  });

  test('MaxResults is required and 1 to 60; a bad token is refused', async () => {
    await expectError(
      t.sdk.send(new ListUserImportJobsCommand({ UserPoolId: poolId } as never)),
      'InvalidParameterException',
      /maxResults.*must not be null/,
    );
    for (const MaxResults of [0, 61])
      await expectError(
        t.sdk.send(new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults })),
        'InvalidParameterException',
        /maxResults/,
      );
    await expectError(
      t.sdk.send(new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults: 5, PaginationToken: 'garbage' })),
      'InvalidParameterException',
      /PaginationToken/,
    );
    await expectError(
      t.sdk.send(new ListUserImportJobsCommand({ UserPoolId: 'us-east-1_Nope12345', MaxResults: 5 })),
      'ResourceNotFoundException',
    );
  });
});

describe('bad requests', () => {
  test('an unknown job, a job of another pool, a malformed job id', async () => {
    const job = await create();
    const other = await createPool(t, { PoolName: 'other' });
    for (const [pool, id] of [
      [poolId, 'import-doesnotexist'],
      [other, job.JobId!],
    ] as const) {
      await expectError(
        t.sdk.send(new DescribeUserImportJobCommand({ UserPoolId: pool, JobId: id })),
        'ResourceNotFoundException',
      );
      await expectError(
        t.sdk.send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: id })),
        'ResourceNotFoundException',
      );
      await expectError(
        t.sdk.send(new StopUserImportJobCommand({ UserPoolId: pool, JobId: id })),
        'ResourceNotFoundException',
      );
    }
    await expectError(
      t.sdk.send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: 'export-1' })),
      'InvalidParameterException',
      /jobId/,
    );
    await expectError(
      t.sdk.send(new DescribeUserImportJobCommand({ UserPoolId: 'us-east-1_Nope12345', JobId: job.JobId! })),
      'ResourceNotFoundException',
    );
  });

  test('CreateUserImportJob: CloudWatchLogsRoleArn required, JobName’s pattern, PasswordHashingAlgorithm refused by name', async () => {
    await expectError(
      t.sdk.send(new CreateUserImportJobCommand({ UserPoolId: poolId, JobName: 'x' } as never)),
      'InvalidParameterException',
      /cloudWatchLogsRoleArn.*must not be null/,
    );
    await expectError(
      t.sdk.send(
        new CreateUserImportJobCommand({ UserPoolId: poolId, JobName: 'bad/name', CloudWatchLogsRoleArn: ROLE }),
      ),
      'InvalidParameterException',
      /jobName/,
    );
    await expectError(
      t.sdk.send(
        new CreateUserImportJobCommand({
          UserPoolId: poolId,
          JobName: 'x',
          CloudWatchLogsRoleArn: 'not-an-arn-at-all-really',
        }),
      ),
      'InvalidParameterException',
      /cloudWatchLogsRoleArn/,
    );
    await expectError(
      t.sdk.send(
        new CreateUserImportJobCommand({
          UserPoolId: poolId,
          JobName: 'x',
          CloudWatchLogsRoleArn: ROLE,
          PasswordHashingAlgorithm: 'BCRYPT',
        }),
      ),
      'InvalidParameterException',
      /PasswordHashingAlgorithm/,
    );
    await expectError(
      t.sdk.send(
        new CreateUserImportJobCommand({
          UserPoolId: 'us-east-1_Nope12345',
          JobName: 'x',
          CloudWatchLogsRoleArn: ROLE,
        }),
      ),
      'ResourceNotFoundException',
    );
  });

  test('the actions need Cognate’s signing key', async () => {
    const stranger = t.sdkWith({ accessKeyId: 'AKIASTRANGER00000001', secretAccessKey: 'not-the-secret-000000000' });
    const error = await expectError(
      stranger.send(new GetCSVHeaderCommand({ UserPoolId: poolId })),
      'UnrecognizedClientException',
    );
    assert.ok(error);
  });
});
