/**
 * The embedded PGlite, on a thread of its own (docs/performance.md, "The embedded database").
 * PGlite runs every statement synchronously in WebAssembly on the thread that owns it; here that
 * is this worker, so the event loop that answers HTTP keeps its core while SQL runs on the other.
 * The main thread speaks PostgreSQL's wire protocol to it (embedded-database.ts): each message
 * is a batch of frontend messages, and the answer is the backend's bytes, as over a socket.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { ThreadReply, ThreadRequest, WorkerOptions } from './embedded-database.ts';

const options = workerData as WorkerOptions;
const port = parentPort!;

const database = new PGlite({
  ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
  ...(options.loadDataDir && { loadDataDir: new Blob([options.loadDataDir]) }),
  startParams: [...PGlite.defaultStartParams, ...options.settings.flatMap((setting) => ['-c', setting])],
});

async function handle(request: ThreadRequest): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> {
  switch (request.op) {
    case 'protocol': {
      // syncToFs copies an in-memory file system out to its store (IndexedDB, OPFS). A data
      // directory here is on the real file system (or in memory), where PGlite's sync does
      // nothing: every write has already gone to the file.
      const answer = await database.execProtocolRaw(request.bytes, { syncToFs: false });
      // A copy of PGlite's buffer, so it can move to the main thread.
      const bytes = answer.slice();
      return { result: bytes, transfer: [bytes.buffer] };
    }
    case 'dump': {
      const bytes = await (await database.dumpDataDir(request.compression)).arrayBuffer();
      return { result: bytes, transfer: [bytes] };
    }
    case 'close':
      await database.close();
      return { result: null };
  }
}

function send(reply: ThreadReply, transfer?: ArrayBuffer[]) {
  port.postMessage(reply, transfer);
}

function failure(id: number, error: unknown) {
  send({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
}

port.on('message', (request: ThreadRequest) => {
  handle(request).then(
    ({ result, transfer }) => send({ id: request.id, ok: true, result }, transfer),
    (error: unknown) => failure(request.id, error),
  );
});

try {
  await database.waitReady;
  send({ id: 0, ok: true, result: 'ready' });
} catch (error) {
  failure(0, error);
}
