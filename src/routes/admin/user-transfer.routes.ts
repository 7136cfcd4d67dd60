import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidParameter } from '../../errors/cognito-error.ts';
import { cognitoCsvRows, ndjsonRows } from '../../modules/users/user-transfer.ts';
import { problems } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { ImportUsersBody, ImportUsersResponse, TransferUser } from '../../schemas/user-transfer.ts';

const security = [{ adminKey: [] }];
const NDJSON = 'application/x-ndjson';
const CSV = 'text/csv';

/** Admin: a pool's users out as JSON Lines and in from JSON Lines or Cognito's CSV, both streamed. */
export async function userTransferRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { userTransfer } = app.services;
  app.addHook('onRequest', app.requireAdmin);
  // Only in this plugin: the body stays a stream for the import to read row by row.
  app.addContentTypeParser([NDJSON, CSV], (_request, payload, done) => done(null, payload));

  app.get('/v1/pools/:poolId/users/export', {
    schema: {
      operationId: 'ExportUsers',
      tags: ['users'],
      summary: 'Every user of the pool as JSON Lines, streamed: attributes, verified flags, pending values, status and password hash',
      security,
      params: PoolParams,
      produces: [NDJSON],
      response: { 200: { description: 'One user per line', content: { [NDJSON]: { schema: TransferUser } } }, ...problems(400, 401, 404) },
    },
  }, async (request, reply) => {
    const lines = await userTransfer.exportUsers(request.params.poolId);
    // A stream skips the serializer; the schema documents each line.
    return reply.type(NDJSON).send(Readable.from(lines) as never);
  });

  app.post('/v1/pools/:poolId/users/import', {
    // Files of 100,000 users and more: the body is streamed, so this limit costs no memory.
    bodyLimit: 1024 * 1024 * 1024,
    schema: {
      operationId: 'ImportUsers',
      tags: ['users'],
      summary:
        'Import users from JSON Lines (an export: subs, statuses and password hashes kept) or Cognito’s CSV (status RESET_REQUIRED), 500 rows a transaction; refused rows are reported with their line',
      security,
      params: PoolParams,
      consumes: [NDJSON, CSV],
      body: ImportUsersBody,
      response: { 200: ImportUsersResponse, ...problems(400, 401, 404, 413, 415) },
    },
  }, async (request) => {
    const body = request.body as Readable;
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type === NDJSON) return userTransfer.importUsers(request.params.poolId, ndjsonRows(body));
    if (type === CSV) return userTransfer.importUsers(request.params.poolId, (pool) => cognitoCsvRows(body, pool));
    throw invalidParameter(`Unsupported content type: ${type}`);
  });
}
