/**
 * Cognito's user import jobs (CreateUserImportJob, StartUserImportJob and the rest) over the
 * existing CSV import of src/modules/user-store/user-transfer.ts (docs/user-import.md, "Import
 * jobs"). The CSV is uploaded to a URL signed by Cognate itself, kept in the job's row until the
 * job ends, and imported in the background of the server process: Start answers at once.
 *
 * Durability: the instance running a job holds a lease on it (lease_expires_at, renewed every few
 * seconds on the database's clock). A job whose lease has run out was left by a process that died:
 * the next instance that looks ends it (Failed, or Stopped if a stop had been asked). Two instances
 * never both run one job: a job is claimed by `UPDATE … WHERE status = 'Pending' RETURNING`.
 */
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { and, asc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { userImportJobs } from '../../db/schema/import-jobs.ts';
import { CognitoError, forbidden, invalidParameter } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Pool } from '../pools/pools.types.ts';
import {
  cognitoCsvColumns,
  cognitoCsvRows,
  type ImportRow,
  type UserTransferService,
} from '../user-store/user-transfer.ts';
import type { ImportJob, ImportJobFailure, ImportJobStatus } from './import-jobs.types.ts';

/** How long a pre-signed upload URL works: Cognito's 15 minutes. */
export const UPLOAD_URL_TTL_MS = 15 * 60 * 1000;
/** A job not started within this is Expired and its CSV deleted (Cognito: "within 24-48 hours"). */
export const START_DEADLINE_MS = 24 * 60 * 60 * 1000;
/** The largest CSV an upload takes: it is kept in the database until the job ends. */
export const MAX_CSV_BYTES = 50 * 1024 * 1024;
/** How many refused rows a job keeps with their line and reason (all are counted). */
export const MAX_FAILURES_KEPT = 1000;
/** The lease of the running instance; renewed every quarter of it. */
export const DEFAULT_LEASE_MS = 60_000;
/** The reason user-transfer gives for a name already taken: Cognito counts these rows as skipped. */
const EXISTS = 'User account already exists';
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Cognito's CompletionMessage is at most 128 characters. */
const MESSAGE_MAX = 128;

const newJobId = () => {
  let out = 'import-';
  for (let i = 0; i < 22; i++) out += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return out;
};

const jobNotFound = (jobId: string) =>
  new CognitoError('ResourceNotFoundException', `Import job ${jobId.slice(0, 64)} does not exist in this pool.`);
const notMet = (message: string) => new CognitoError('PreconditionNotMetException', message);
const short = (message: string) => (message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 1)}…` : message);

type Row = typeof userImportJobs.$inferSelect;

export interface ImportJobsDeps {
  db: Db;
  pools: { getPool(poolId: string): Promise<Pool> };
  importUsers: UserTransferService['importUsers'];
  /** The server secret: the upload URLs' HMAC key is derived from it under its own label. */
  secret: string;
  /** PUBLIC_URL: the upload URLs point here. */
  publicUrl: string;
  logger: Logger;
  /** The clock of upload URLs and start deadlines (tests move it); leases use the database's. */
  now?: () => Date;
  leaseMs?: number;
}

export function createImportJobsService(deps: ImportJobsDeps) {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const leaseUntil = sql`now() + ${`${leaseMs} milliseconds`}::interval`;
  const uploadKey = Buffer.from(hkdfSync('sha256', deps.secret, 'cognate', 'import upload url v1', 32));
  const sign = (jobId: string, expires: number) =>
    createHmac('sha256', uploadKey).update(`${jobId}\n${expires}`).digest('base64url');
  const urlOf = (row: Pick<Row, 'id' | 'uploadExpiresAt'>) => {
    const expires = Math.floor(row.uploadExpiresAt.getTime() / 1000);
    return `${deps.publicUrl}/v1/import-uploads/${row.id}?expires=${expires}&signature=${sign(row.id, expires)}`;
  };
  const present = (row: Row): ImportJob => ({
    id: row.id,
    poolId: row.poolId,
    name: row.name,
    status: row.status,
    cloudWatchLogsRoleArn: row.cloudWatchLogsRoleArn,
    preSignedUrl: urlOf(row),
    uploadExpiresAt: row.uploadExpiresAt,
    uploaded: row.csv !== null,
    importedUsers: row.importedUsers,
    skippedUsers: row.skippedUsers,
    failedUsers: row.failedUsers,
    failures: row.failures,
    completionMessage: row.completionMessage,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  });

  /** Jobs this instance is running, and whether it is shutting down. */
  const running = new Map<string, Promise<void>>();
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;

  /**
   * Ends what nobody will finish, in `where` (one pool, one job, or everything): a Created job whose
   * upload URL ran out with no CSV, or not started by its deadline, is Expired (its CSV deleted); a
   * running job whose lease ran out is Failed (Stopped if it was stopping).
   */
  async function settle(where?: SQL): Promise<void> {
    const at = now();
    await db
      .update(userImportJobs)
      .set({ status: 'Expired', csv: null, completedAt: at, completionMessage: 'The job was not started in time.' })
      .where(
        and(
          where,
          eq(userImportJobs.status, 'Created'),
          or(
            and(isNull(userImportJobs.csv), lt(userImportJobs.uploadExpiresAt, at)),
            lt(userImportJobs.createdAt, new Date(at.getTime() - START_DEADLINE_MS)),
          ),
        ),
      );
    const orphans = await db
      .update(userImportJobs)
      .set({
        status: sql`case when ${userImportJobs.status} = 'Stopping' then 'Stopped' else 'Failed' end`,
        csv: null,
        completedAt: sql`now()`,
        leaseExpiresAt: null,
        completionMessage: sql`'The server running the job stopped; ' || ${userImportJobs.importedUsers} || ' users were imported before.'`,
      })
      .where(
        and(
          where,
          inArray(userImportJobs.status, ['InProgress', 'Stopping']),
          lt(userImportJobs.leaseExpiresAt, sql`now()`),
        ),
      )
      .returning({ id: userImportJobs.id });
    for (const { id } of orphans) logger.warn({ jobId: id }, 'import job left by a stopped server: ended');
  }

  async function row(poolId: string, jobId: string): Promise<Row> {
    await deps.pools.getPool(poolId);
    const where = and(eq(userImportJobs.poolId, poolId), eq(userImportJobs.id, jobId));
    await settle(where);
    const [found] = await db.select().from(userImportJobs).where(where);
    if (!found) throw jobNotFound(jobId);
    return found;
  }

  /** Imports one Pending job, if this instance wins the claim. */
  async function run(jobId: string): Promise<void> {
    const [job] = await db
      .update(userImportJobs)
      .set({ status: 'InProgress', leaseExpiresAt: leaseUntil })
      .where(and(eq(userImportJobs.id, jobId), eq(userImportJobs.status, 'Pending')))
      .returning();
    if (!job) return;
    const log = { jobId, poolId: job.poolId };
    logger.info(log, 'import job started');
    let halt: 'stop' | 'lost' | 'shutdown' | undefined;
    let skipped = 0;
    let failed = 0;
    const failures: ImportJobFailure[] = [];
    /** Renews the lease; notices a stop asked meanwhile, or that the job is no longer ours. */
    const renew = async (imported?: number) => {
      const [current] = await db
        .update(userImportJobs)
        .set({
          leaseExpiresAt: leaseUntil,
          ...(imported !== undefined && { importedUsers: imported, skippedUsers: skipped, failedUsers: failed }),
        })
        .where(and(eq(userImportJobs.id, jobId), inArray(userImportJobs.status, ['InProgress', 'Stopping'])))
        .returning({ status: userImportJobs.status });
      if (!current) halt = 'lost';
      else if (current.status === 'Stopping') halt ??= 'stop';
    };
    const heartbeat = setInterval(() => {
      renew().catch((error: unknown) => logger.warn({ ...log, err: error }, 'import job lease not renewed'));
    }, leaseMs / 4);
    heartbeat.unref();
    // Between rows: a stop, a lost lease or a shutdown ends the file here (the batch read so far is written).
    async function* guarded(rows: AsyncIterable<ImportRow>): AsyncGenerator<ImportRow> {
      for await (const item of rows) {
        if (closing) halt ??= 'shutdown';
        if (halt !== undefined) return;
        yield item;
      }
    }
    /** Users written so far: the report's count after each batch, and at the end. */
    let imported = 0;
    let failure: string | undefined;
    try {
      const report = await deps.importUsers(
        job.poolId,
        (pool) => guarded(cognitoCsvRows(Readable.from([job.csv ?? '']), pool)),
        {
          onReject: ({ line, reason }) => {
            if (reason === EXISTS) skipped += 1;
            else failed += 1;
            if (failures.length < MAX_FAILURES_KEPT)
              failures.push({ line, message: reason === EXISTS ? 'Skipped: the user already exists.' : reason });
          },
          afterBatch: async (progress) => {
            imported = progress.imported;
            await renew(imported);
            // Lets requests waiting for the database go first (on PGlite, one connection is shared).
            await new Promise((resolve) => setImmediate(resolve));
          },
        },
      );
      imported = report.imported;
    } catch (error) {
      if (error instanceof CognitoError) failure = error.message;
      else {
        logger.error({ ...log, err: error }, 'import job failed');
        failure = 'Internal error: see the server log.';
      }
    } finally {
      clearInterval(heartbeat);
    }
    if (halt === 'lost') {
      logger.warn(log, 'import job taken over: its lease ran out while it ran');
      return;
    }
    const summary = `${imported} users imported, ${skipped} skipped, ${failed} failed.`;
    const failedWith =
      failure !== undefined
        ? `Failed: ${failure}`
        : halt === 'shutdown'
          ? `The server shut down during the import; ${summary}`
          : undefined;
    // A stop asked while the last rows were read still ends the job Stopped, as it was asked.
    const stopping = sql`${userImportJobs.status} = 'Stopping'`;
    const status: SQL<ImportJobStatus> =
      failedWith !== undefined ? sql`'Failed'` : sql`case when ${stopping} then 'Stopped' else 'Succeeded' end`;
    const message: SQL<string> =
      failedWith !== undefined
        ? sql`${short(failedWith)}`
        : sql`case when ${stopping} then ${short(`Stopped: ${summary}`)} else ${short(summary)} end`;
    const [ended] = await db
      .update(userImportJobs)
      .set({
        status,
        importedUsers: imported,
        skippedUsers: skipped,
        failedUsers: failed,
        failures,
        completionMessage: message,
        completedAt: now(),
        leaseExpiresAt: null,
        csv: null,
      })
      .where(and(eq(userImportJobs.id, jobId), inArray(userImportJobs.status, ['InProgress', 'Stopping'])))
      .returning({ status: userImportJobs.status });
    // Line numbers and reasons only, as Cognito's CloudWatch log has them: no user data.
    for (const item of failures) logger.info({ ...log, line: item.line, reason: item.message }, 'import job row');
    logger.info({ ...log, status: ended?.status, imported, skipped, failed }, 'import job ended');
  }

  /** Runs a job in the background: the request that started it is answered at once. */
  function launch(jobId: string): void {
    if (closing || running.has(jobId)) return;
    const job = run(jobId)
      .catch((error: unknown) => logger.error({ jobId, err: error }, 'import job could not run'))
      .finally(() => running.delete(jobId));
    running.set(jobId, job);
  }

  /** Ends orphans, and runs Pending jobs whose starter died before it could claim them. */
  async function sweep(): Promise<void> {
    await settle();
    const pending = await db
      .select({ id: userImportJobs.id })
      .from(userImportJobs)
      .where(eq(userImportJobs.status, 'Pending'));
    for (const { id } of pending) launch(id);
  }

  return {
    /** The pool's CSV header, in Cognito's order; exactly the columns the import takes. */
    async csvHeader(poolId: string): Promise<string[]> {
      return cognitoCsvColumns(await deps.pools.getPool(poolId));
    },

    async createJob(poolId: string, input: { name: string; cloudWatchLogsRoleArn?: string }): Promise<ImportJob> {
      await deps.pools.getPool(poolId);
      const at = now();
      const [created] = await db
        .insert(userImportJobs)
        .values({
          id: newJobId(),
          poolId,
          name: input.name,
          cloudWatchLogsRoleArn: input.cloudWatchLogsRoleArn ?? '',
          uploadExpiresAt: new Date(at.getTime() + UPLOAD_URL_TTL_MS),
          createdAt: at,
        })
        .returning();
      return present(created!);
    },

    async describeJob(poolId: string, jobId: string): Promise<ImportJob> {
      return present(await row(poolId, jobId));
    },

    /** Oldest first; the token is the last job shown, so jobs created meanwhile are not skipped. */
    async listJobs(
      poolId: string,
      page: { limit: number; nextToken?: string },
    ): Promise<{ jobs: ImportJob[]; nextToken?: string }> {
      await deps.pools.getPool(poolId);
      await settle(eq(userImportJobs.poolId, poolId));
      const after = page.nextToken === undefined ? undefined : readToken(page.nextToken);
      const rows = await db
        .select()
        .from(userImportJobs)
        .where(
          and(
            eq(userImportJobs.poolId, poolId),
            after &&
              or(
                gt(userImportJobs.createdAt, after.createdAt),
                and(eq(userImportJobs.createdAt, after.createdAt), gt(userImportJobs.id, after.id)),
              ),
          ),
        )
        .orderBy(asc(userImportJobs.createdAt), asc(userImportJobs.id))
        .limit(page.limit + 1);
      const shown = rows.slice(0, page.limit);
      const last = shown.at(-1);
      return {
        jobs: shown.map(present),
        ...(rows.length > page.limit && last && { nextToken: issueToken(last) }),
      };
    },

    /**
     * The body of `PUT /v1/import-uploads/<jobId>`: the signature first (a wrong one says nothing
     * of the job), then the expiry, then the text. A Created job's CSV may be replaced until Start.
     */
    async upload(jobId: string, proof: { expires: string; signature: string }, body: Buffer): Promise<void> {
      checkUploadUrl(jobId, proof);
      if (body.length === 0) throw invalidParameter('The CSV is empty.');
      if (body.length > MAX_CSV_BYTES)
        throw new CognitoError('InvalidParameterException', `The CSV is larger than ${MAX_CSV_BYTES} bytes.`, {
          status: 413,
        });
      let csv: string;
      try {
        csv = new TextDecoder('utf-8', { fatal: true }).decode(body);
      } catch {
        throw invalidParameter('The CSV is not UTF-8 text.');
      }
      if (csv.includes('\u0000')) throw invalidParameter('The CSV contains NUL characters.');
      const [stored] = await db
        .update(userImportJobs)
        .set({ csv })
        .where(
          and(
            eq(userImportJobs.id, jobId),
            eq(userImportJobs.status, 'Created'),
            gt(userImportJobs.uploadExpiresAt, now()),
          ),
        )
        .returning({ id: userImportJobs.id });
      if (stored) return;
      const [job] = await db
        .select({ status: userImportJobs.status })
        .from(userImportJobs)
        .where(eq(userImportJobs.id, jobId));
      if (!job) throw jobNotFound(jobId);
      throw notMet(`The import job is ${job.status}: its CSV can be uploaded only while it is Created.`);
    },

    /** The upload URL's signature and expiry, checked before its body is read (403 otherwise). */
    checkUploadUrl,

    async startJob(poolId: string, jobId: string): Promise<ImportJob> {
      const job = await row(poolId, jobId);
      if (job.status !== 'Created') throw notMet(`The import job is ${job.status}: only a Created job can be started.`);
      if (job.csv === null) throw notMet('No CSV has been uploaded to the job’s PreSignedUrl yet.');
      const [started] = await db
        .update(userImportJobs)
        .set({ status: 'Pending', startedAt: now() })
        .where(and(eq(userImportJobs.id, jobId), eq(userImportJobs.status, 'Created')))
        .returning();
      if (!started) throw notMet('The import job was started or ended meanwhile.');
      launch(jobId);
      return present(started);
    },

    /**
     * Pending: Stopped at once (nothing runs yet). InProgress: Stopping, and the runner stops
     * between rows, writes what it read, and marks the job Stopped. Anything else: refused.
     */
    async stopJob(poolId: string, jobId: string): Promise<ImportJob> {
      const job = await row(poolId, jobId);
      const where = and(eq(userImportJobs.poolId, poolId), eq(userImportJobs.id, jobId));
      const [stopped] =
        job.status === 'Pending'
          ? await db
              .update(userImportJobs)
              .set({
                status: 'Stopped',
                csv: null,
                completedAt: now(),
                completionMessage: 'Stopped before any user was imported.',
              })
              .where(and(where, eq(userImportJobs.status, 'Pending')))
              .returning()
          : job.status === 'InProgress'
            ? await db
                .update(userImportJobs)
                .set({ status: 'Stopping' })
                .where(and(where, eq(userImportJobs.status, 'InProgress')))
                .returning()
            : [];
      if (stopped) return present(stopped);
      // Claimed between the read and the update: stop the running job instead.
      if (job.status === 'Pending') return this.stopJob(poolId, jobId);
      throw notMet(`The import job is ${job.status}: only a Pending or InProgress job can be stopped.`);
    },

    /**
     * At the server's start and every lease: ends orphaned jobs and runs unclaimed Pending ones.
     * Resolves when the first sweep is done (its jobs run on in the background).
     */
    start(): Promise<void> {
      const tick = () => sweep().catch((error: unknown) => logger.warn({ err: error }, 'import job sweep failed'));
      sweeper = setInterval(() => void tick(), leaseMs);
      sweeper.unref();
      return tick();
    },

    /** Stops the sweep; running jobs stop between rows and end Failed, saying the server shut down. */
    async close(): Promise<void> {
      closing = true;
      if (sweeper) clearInterval(sweeper);
      await Promise.all(running.values());
    },

    /** For tests: settles when the jobs this instance runs now have ended. */
    async idle(): Promise<void> {
      await Promise.all(running.values());
    },
  };

  function checkUploadUrl(jobId: string, proof: { expires: string; signature: string }): void {
    const expected = /^\d{1,12}$/.test(proof.expires) ? sign(jobId, Number(proof.expires)) : '';
    const given = Buffer.from(proof.signature);
    if (expected === '' || given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected)))
      throw forbidden('The upload URL’s signature does not match: use the PreSignedUrl of the job, unchanged.');
    if (Number(proof.expires) * 1000 < now().getTime())
      throw forbidden('The upload URL has expired (it works for 15 minutes): create a new import job.');
  }

  function issueToken(last: Row): string {
    return Buffer.from(JSON.stringify({ c: last.createdAt.toISOString(), i: last.id })).toString('base64url');
  }

  function readToken(token: string): { createdAt: Date; id: string } {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
      const createdAt = typeof parsed.c === 'string' ? new Date(parsed.c) : new Date(NaN);
      if (typeof parsed.i === 'string' && !Number.isNaN(createdAt.getTime())) return { createdAt, id: parsed.i };
    } catch {
      // Falls through to the refusal.
    }
    throw invalidParameter('Invalid PaginationToken.');
  }
}

export type ImportJobsService = ReturnType<typeof createImportJobsService>;
