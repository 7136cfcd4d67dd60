/**
 * The embedded PGlite, on a thread of its own (docs/performance.md, "The embedded database").
 * PGlite runs every statement synchronously in WebAssembly on the thread that owns it; here that
 * is this worker, so the event loop that answers HTTP keeps its core while SQL runs on the other.
 * The main thread speaks PostgreSQL's wire protocol to it (embedded-database.ts): each message
 * is a batch of frontend messages, and the answer is the backend's bytes, as over a socket.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { joinBytes } from './bytes.ts';
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
      // execProtocolRawStream, not execProtocolRaw: the latter also parses every answer into a
      // list PGlite keeps and never empties (about 0.5 KB a call, measured). syncToFs copies an
      // in-memory file system out to its store (IndexedDB, OPFS); a data directory here is on the
      // real file system (or in memory), where PGlite's sync does nothing: every write has
      // already gone to the file.
      const chunks: Uint8Array[] = [];
      await database.execProtocolRawStream(request.bytes, {
        syncToFs: false,
        // A view of PGlite's memory: copied before the next call reuses it.
        onRawData: (chunk) => void chunks.push(chunk.slice()),
      });
      // One buffer of its own to hand over (Buffer.concat may share Node's pool, which must not move).
      const bytes = chunks.length === 1 ? chunks[0]! : joinBytes(chunks);
      return { result: bytes, transfer: [bytes.buffer as ArrayBuffer] };
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
