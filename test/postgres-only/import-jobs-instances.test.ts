/**
 * Import jobs with several instances on one PostgreSQL (docs/user-import.md, "Running in the
 * background, and surviving restarts"): two instances racing for one started job import it once;
 * a job whose runner died (its lease ran out) is ended by the next instance that looks, and a job
 * whose runner is alive is left alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { userImportJobs } from '../../src/db/schema/import-jobs.ts';
import { createImportJobsService, type ImportJobsService } from '../../src/modules/import-jobs/import-jobs.service.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { onPostgres, openScratchPostgres } from '../support/database.ts';
import { sharedServerEnv, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { http } from '../support/write-load.ts';

const skip = onPostgres
  ? false
  : 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

describe('import jobs and several instances', { skip }, () => {
  let t: TestApp;
  let poolId: string;
  /** Another instance: its own service (and runner) on the same database. */
  let other: ImportJobsService;

  before(async () => {
    t = await startTestApp();
    poolId = (await t.admin('POST', '/v1/pools', { name: 'instances' })).body.id;
    other = createImportJobsService({
      db: t.database.db,
      pools: t.services.pools,
      importUsers: t.services.userTransfer.importUsers,
      secret: 'another instance, same upload key does not matter here',
      publicUrl: 'http://other.test',
      logger: silentLogger,
    });
  });
  after(async () => {
    await other?.close();
    await t?.close();
  });

  async function uploaded(rows: number, prefix: string) {
    const job = await t.services.importJobs.createJob(poolId, { name: prefix });
    const names = Array.from({ length: rows }, (_, i) => `${prefix}-${i}`);
    const url = new URL(job.preSignedUrl);
    await t.services.importJobs.upload(
      job.id,
      { expires: url.searchParams.get('expires')!, signature: url.searchParams.get('signature')! },
      Buffer.from(`cognito:username\n${names.join('\n')}\n`),
    );
    return job;
  }

  test('two instances racing for a started job: one claims it, every row is imported once', async () => {
    for (let round = 0; round < 3; round++) {
      const job = await uploaded(1200, `race${round}`);
      // The first instance starts it (and launches its runner); the second sweeps for Pending jobs at once.
      await t.services.importJobs.startJob(poolId, job.id);
      await other.start();
      await Promise.all([t.services.importJobs.idle(), other.idle()]);
      await other.close();
      other = createImportJobsService({
        db: t.database.db,
        pools: t.services.pools,
        importUsers: t.services.userTransfer.importUsers,
        secret: 'x',
        publicUrl: 'http://other.test',
        logger: silentLogger,
      });
      const done = await t.services.importJobs.describeJob(poolId, job.id);
      assert.equal(done.status, 'Succeeded', done.completionMessage ?? '');
      // Had both run it, the second would have found every user there: skipped, not imported.
      assert.deepEqual([done.importedUsers, done.skippedUsers, done.failedUsers], [1200, 0, 0]);
    }
  });

  test('a job whose runner died is ended by the next instance that looks; a live one is left alone', async () => {
    const dead = await uploaded(3, 'dead');
    const stopping = await uploaded(3, 'dying');
    const alive = await uploaded(3, 'alive');
    // As a killed process leaves them: claimed, some users written, the lease run out (or not).
    const db = t.database.db;
    await db
      .update(userImportJobs)
      .set({ status: 'InProgress', importedUsers: 2, leaseExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(userImportJobs.id, dead.id));
    await db
      .update(userImportJobs)
      .set({ status: 'Stopping', leaseExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(userImportJobs.id, stopping.id));
    await db
      .update(userImportJobs)
      .set({ status: 'InProgress', leaseExpiresAt: sql`now() + interval '1 minute'` })
      .where(eq(userImportJobs.id, alive.id));

    const ended = await other.describeJob(poolId, dead.id);
    assert.equal(ended.status, 'Failed');
    assert.equal(ended.completionMessage, 'The server running the job stopped; 2 users were imported before.');
    assert.ok(ended.completedAt);
    assert.equal(ended.uploaded, false, 'the file is deleted');
    assert.equal((await other.describeJob(poolId, stopping.id)).status, 'Stopped');
    assert.equal((await other.describeJob(poolId, alive.id)).status, 'InProgress');
    // The periodic sweep leaves the live job alone too.
    await other.start();
    await other.idle();
    assert.equal((await t.services.importJobs.describeJob(poolId, alive.id)).status, 'InProgress');
    await db
      .update(userImportJobs)
      .set({ status: 'Failed', leaseExpiresAt: null })
      .where(eq(userImportJobs.id, alive.id));
  });
});

describe('a server killed in the middle of an import job', { skip }, () => {
  const ROWS = 30_000;
  let database: Awaited<ReturnType<typeof openScratchPostgres>>;
  let server: ServerProcess | undefined;

  before(async () => {
    database = await openScratchPostgres('cognate_import_kill');
    await database.migrate();
  });
  after(async () => {
    await server?.kill();
    await database?.close();
  });

  test('the job does not stay InProgress: the next server ends it Failed once its lease has run out', async () => {
    // A lease shorter than the default minute (the test would wait it out), long enough to outlive a restart.
    const env = { ...sharedServerEnv(database), IMPORT_JOB_LEASE_SECONDS: '20' };
    const headers = { authorization: `Bearer ${ADMIN_KEY}` };
    server = await startServerProcess(env);
    const poolId = (await http(server.base, 'POST', '/v1/pools', { body: { name: 'killed import' }, headers })).body
      .id as string;
    const job = await http(server.base, 'POST', `/v1/pools/${poolId}/import-jobs`, {
      body: { jobName: 'big' },
      headers,
    });
    assert.equal(job.status, 201, job.text);
    const jobId = job.body.jobId as string;
    const url = new URL(job.body.preSignedUrl as string);
    const names = Array.from({ length: ROWS }, (_, i) => `killed-${i}`);
    const put = await fetch(`${server.base}${url.pathname}${url.search}`, {
      method: 'PUT',
      body: `cognito:username\n${names.join('\n')}\n`,
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
    });
    assert.equal(put.status, 200);
    assert.equal(
      (await http(server.base, 'POST', `/v1/pools/${poolId}/import-jobs/${jobId}/start`, { headers })).status,
      200,
    );
    const path = `/v1/pools/${poolId}/import-jobs/${jobId}`;
    // Killed once some users are in, while it runs.
    for (let deadline = Date.now() + 60_000; ;) {
      const got = await http(server.base, 'GET', path, { headers });
      if (got.body.status === 'InProgress' && got.body.importedUsers > 0) break;
      assert.notEqual(got.body.status, 'Succeeded', 'the import ended before the kill: make ROWS larger');
      assert.ok(Date.now() < deadline, `still ${got.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await server.kill();

    server = await startServerProcess(env);
    const restarted = await http(server.base, 'GET', path, { headers });
    assert.equal(restarted.body.status, 'InProgress', 'the lease still runs: another instance may hold it');
    let ended: any;
    for (let deadline = Date.now() + 120_000; ;) {
      ended = (await http(server.base, 'GET', path, { headers })).body;
      if (ended.status !== 'InProgress') break;
      assert.ok(Date.now() < deadline, 'the job stayed InProgress');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(ended.status, 'Failed');
    assert.match(ended.completionMessage, /^The server running the job stopped; \d+ users were imported before\.$/);
    assert.ok(ended.importedUsers > 0 && ended.importedUsers < ROWS, String(ended.importedUsers));
    assert.equal(ended.uploaded, false);
  });
});
