import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { cognitoCsvRows, ndjsonRows } from '../../modules/user-store/user-transfer.ts';
import { problems, ref } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { ImportUsersBody, ImportUsersResponse, TransferHeaders, TransferUser } from '../../schemas/user-transfer.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];
const NDJSON = 'application/x-ndjson';
const CSV = 'text/csv';
// Files of 100,000 users and more: the body goes to disk, never to memory.
const IMPORT_BODY_LIMIT = 1024 * 1024 * 1024;

const tooLarge = () => new CognitoError('InvalidParameterException', 'The request body is too large.', { status: 413 });

/** A body spooled to disk: its file, removed when the response has gone. */
interface Spooled {
  file: string;
}
const spooledBy = new WeakMap<FastifyRequest, string>();

/**
 * Writes the body to a temporary file at the speed the client sends it. Importing takes longer
 * than receiving (100,000 users: minutes), and the server's requestTimeout counts until the body
 * is received: reading it only as fast as rows are written would cut big imports off with 408.
 * Fastify counts bytes only for bodies it buffers, so this counts them too.
 */
async function spool(request: FastifyRequest, payload: Readable, limit: number): Promise<Spooled> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-import-'));
  spooledBy.set(request, dir);
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      seen += chunk.length;
      next(seen > limit ? tooLarge() : null, chunk);
    },
  });
  const file = path.join(dir, 'body');
  await pipeline(payload, counter, createWriteStream(file));
  return { file };
}

/** Admin: a pool's users out as JSON Lines (streamed) and in from JSON Lines or Cognito's CSV (row by row). */
export async function userTransferRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { userTransfer } = app.services;
  app.addHook('onRequest', app.requireAdmin);
  // Only in this plugin: the body is spooled, then read back row by row.
  app.addContentTypeParser([NDJSON, CSV], (request, payload, done) => {
    const limit = request.routeOptions.bodyLimit ?? IMPORT_BODY_LIMIT;
    if (Number(request.headers['content-length'] ?? 0) > limit) return done(tooLarge(), undefined);
    spool(request, payload, limit).then(
      (spooled) => done(null, spooled),
      (error: Error) => done(error, undefined),
    );
  });
  app.addHook('onResponse', async (request) => {
    const dir = spooledBy.get(request);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  app.get(
    '/v1/pools/:poolId/users/export',
    {
      schema: {
        operationId: 'ExportUsers',
        tags: ['users'],
        summary:
          'Every user of the pool as JSON Lines, streamed: attributes, verified flags, pending values, status, password hash and MFA factors (TOTP secrets only with x-transfer-key)',
        security,
        params: PoolParams,
        headers: TransferHeaders,
        produces: [NDJSON],
        response: {
          200: { description: 'One user per line', content: { [NDJSON]: { schema: ref(TransferUser) } } },
          ...problems(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const lines = await userTransfer.exportUsers(request.params.poolId, {
        transferKey: request.headers['x-transfer-key'],
      });
      // A stream skips the serializer; the schema documents each line.
      return reply.type(NDJSON).send(Readable.from(lines) as never);
    },
  );

  app.post(
    '/v1/pools/:poolId/users/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        operationId: 'ImportUsers',
        tags: ['users'],
        summary:
          'Import users from JSON Lines (an export: subs, statuses and password hashes kept) or Cognito’s CSV (status RESET_REQUIRED), 500 rows a transaction; refused rows are reported with their line',
        security,
        params: PoolParams,
        headers: TransferHeaders,
        consumes: [NDJSON, CSV],
        body: ImportUsersBody,
        response: {
          200: jsonResponse(
            'How many users were imported, and the rows refused with their line',
            ref(ImportUsersResponse),
          ),
          ...problems(400, 401, 404, 413, 415),
        },
      },
    },
    async (request) => {
      const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (type !== NDJSON && type !== CSV) throw invalidParameter(`Unsupported content type: ${type}`);
      const body = createReadStream((request.body as Spooled).file);
      try {
        const { poolId } = request.params;
        const options = { transferKey: request.headers['x-transfer-key'] };
        return await (type === NDJSON
          ? userTransfer.importUsers(poolId, ndjsonRows(body), options)
          : userTransfer.importUsers(poolId, (pool) => cognitoCsvRows(body, pool), options));
      } finally {
        body.destroy();
      }
    },
  );
}
