import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalidParameter } from '../../errors/cognito-error.ts';
import { MAX_CSV_BYTES } from '../../modules/import-jobs/import-jobs.service.ts';
import { problems, ref } from '../../schemas/common.ts';
import {
  CreateImportJobBody,
  CsvHeaderResponse,
  ImportJobList,
  ImportJobPageQuery,
  ImportJobParams,
  ImportJobResponse,
  UploadHeaders,
  UploadParams,
  UploadQuery,
  presentImportJob,
} from '../../schemas/import-jobs.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

/** Admin: Cognito's user import jobs of a pool (CreateUserImportJob and kin; docs/user-import.md, "Import jobs"). */
async function importJobsAdminRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { importJobs } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/import-jobs/csv-header',
    {
      schema: {
        operationId: 'GetCsvHeader',
        tags: ['import jobs'],
        summary: 'The header of the pool’s user-import CSV, in Cognito’s order (GetCSVHeader)',
        security,
        params: PoolParams,
        response: { 200: jsonResponse('The columns', ref(CsvHeaderResponse)), ...problems(400, 401, 404) },
      },
    },
    async (request) => ({
      poolId: request.params.poolId,
      csvHeader: await importJobs.csvHeader(request.params.poolId),
    }),
  );

  app.post(
    '/v1/pools/:poolId/import-jobs',
    {
      schema: {
        operationId: 'CreateImportJob',
        tags: ['import jobs'],
        summary: 'Create an import job: PUT the CSV to its preSignedUrl within 15 minutes, then start it',
        security,
        params: PoolParams,
        body: ref(CreateImportJobBody),
        response: { 201: jsonResponse('The job, Created', ref(ImportJobResponse)), ...problems(400, 401, 404, 415) },
      },
    },
    async (request, reply) => {
      const job = await importJobs.createJob(request.params.poolId, {
        name: request.body.jobName,
        ...(request.body.cloudWatchLogsRoleArn !== undefined && {
          cloudWatchLogsRoleArn: request.body.cloudWatchLogsRoleArn,
        }),
      });
      return reply.status(201).send(presentImportJob(job));
    },
  );

  app.get(
    '/v1/pools/:poolId/import-jobs',
    {
      schema: {
        operationId: 'ListImportJobs',
        tags: ['import jobs'],
        summary: 'The pool’s import jobs, oldest first, at most 60 a page',
        security,
        params: PoolParams,
        querystring: ImportJobPageQuery,
        response: { 200: jsonResponse('One page of jobs', ref(ImportJobList)), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const page = await importJobs.listJobs(request.params.poolId, {
        limit: request.query.limit ?? 60,
        ...(request.query.nextToken !== undefined && { nextToken: request.query.nextToken }),
      });
      return { jobs: page.jobs.map(presentImportJob), ...(page.nextToken && { nextToken: page.nextToken }) };
    },
  );

  app.get(
    '/v1/pools/:poolId/import-jobs/:jobId',
    {
      schema: {
        operationId: 'GetImportJob',
        tags: ['import jobs'],
        summary: 'One import job: status, counts, and the rows not imported with their line',
        security,
        params: ImportJobParams,
        response: { 200: jsonResponse('The job', ref(ImportJobResponse)), ...problems(400, 401, 404) },
      },
    },
    async (request) => presentImportJob(await importJobs.describeJob(request.params.poolId, request.params.jobId)),
  );

  app.post(
    '/v1/pools/:poolId/import-jobs/:jobId/start',
    {
      schema: {
        operationId: 'StartImportJob',
        tags: ['import jobs'],
        summary:
          'Start a Created job whose CSV is uploaded; answers at once (Pending), the import runs in the background',
        security,
        params: ImportJobParams,
        response: { 200: jsonResponse('The job, Pending', ref(ImportJobResponse)), ...problems(400, 401, 404, 409) },
      },
    },
    async (request) => presentImportJob(await importJobs.startJob(request.params.poolId, request.params.jobId)),
  );

  app.post(
    '/v1/pools/:poolId/import-jobs/:jobId/stop',
    {
      schema: {
        operationId: 'StopImportJob',
        tags: ['import jobs'],
        summary: 'Stop a Pending or InProgress job between rows (Stopping, then Stopped); rows already written stay',
        security,
        params: ImportJobParams,
        response: {
          200: jsonResponse('The job, Stopping or Stopped', ref(ImportJobResponse)),
          ...problems(400, 401, 404, 409),
        },
      },
    },
    async (request) => presentImportJob(await importJobs.stopJob(request.params.poolId, request.params.jobId)),
  );
}

/**
 * The pre-signed upload URL (`PUT /v1/import-uploads/<jobId>?expires=…&signature=…`), as S3's:
 * no admin key, the signature is the authorisation. Any media type; the body is the CSV.
 */
async function importUploadRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { importJobs } = app.services;
  // Only here: whatever curl --upload-file or a browser sends is the file, kept as bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_CSV_BYTES }, (_request, body, done) =>
    done(null, body),
  );
  // The signature is checked before the body is read: without one, nobody makes the server buffer a file.
  app.addHook('onRequest', async (request) => {
    const { jobId } = request.params as { jobId?: unknown };
    const { expires, signature } = request.query as { expires?: unknown; signature?: unknown };
    if (typeof jobId !== 'string' || typeof expires !== 'string' || typeof signature !== 'string')
      throw invalidParameter('The upload URL needs its expires and signature parameters, once each.');
    importJobs.checkUploadUrl(jobId, { expires, signature });
  });

  app.put(
    '/v1/import-uploads/:jobId',
    {
      bodyLimit: MAX_CSV_BYTES,
      schema: {
        operationId: 'UploadImportCsv',
        tags: ['import jobs'],
        summary: `Upload the CSV of a Created import job (UTF-8, at most ${MAX_CSV_BYTES / 1024 / 1024} MiB); replaces an earlier upload until the job starts`,
        security: [],
        params: UploadParams,
        querystring: UploadQuery,
        headers: UploadHeaders,
        response: {
          200: Type.Null({ description: 'Stored; the ETag is the MD5 of the body, as S3 answers' }),
          ...problems(400, 403, 404, 409, 413),
        },
      },
    },
    async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      await importJobs.upload(request.params.jobId, request.query, body);
      return reply.header('etag', `"${createHash('md5').update(body).digest('hex')}"`).send(null);
    },
  );
}

/** Import jobs: the admin routes, and the upload URL outside the admin key. */
export async function importJobsRoutes(app: FastifyInstance) {
  await app.register(importJobsAdminRoutes);
  await app.register(importUploadRoutes);
}
