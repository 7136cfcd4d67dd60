import { Readable, Transform, pipeline } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { cognitoCsvRows, ndjsonRows } from '../../modules/users/user-transfer.ts';
import { problems } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { ImportUsersBody, ImportUsersResponse, TransferUser } from '../../schemas/user-transfer.ts';

const security = [{ adminKey: [] }];
const NDJSON = 'application/x-ndjson';
const CSV = 'text/csv';
// Files of 100,000 users and more: the body is read as a stream, so this limit costs no memory.
const IMPORT_BODY_LIMIT = 1024 * 1024 * 1024;

const tooLarge = () => new CognitoError('InvalidParameterException', 'The request body is too large.', { status: 413 });

/**
 * Fastify counts bytes only for bodies it buffers: a streamed one is refused up front by its
 * Content-Length, and counted as it flows when chunked. A client that goes away ends the import.
 */
function limited(payload: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      seen += chunk.length;
      next(seen > limit ? tooLarge() : null, chunk);
    },
  });
  return pipeline(payload, counter, () => {});
}

/** Admin: a pool's users out as JSON Lines and in from JSON Lines or Cognito's CSV, both streamed. */
export async function userTransferRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { userTransfer } = app.services;
  app.addHook('onRequest', app.requireAdmin);
  // Only in this plugin: the body stays a stream for the import to read row by row.
  app.addContentTypeParser([NDJSON, CSV], (request, payload, done) => {
    const limit = request.routeOptions.bodyLimit ?? IMPORT_BODY_LIMIT;
    if (Number(request.headers['content-length'] ?? 0) > limit) return done(tooLarge(), undefined);
    done(null, limited(payload, limit));
  });

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
    bodyLimit: IMPORT_BODY_LIMIT,
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
