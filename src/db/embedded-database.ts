/**
 * The embedded database as node-postgres sees it (docs/performance.md, "The embedded database").
 * PGlite runs on a thread of its own (pglite-worker.ts); here, on the main thread, a pg Client
 * speaks PostgreSQL's wire protocol to it through EmbeddedConnection, which stands where a
 * socket's Connection would: the frontend messages of one query go over as one batch, and the
 * backend's answer comes back as bytes, parsed here. So the embedded default runs the very
 * driver, and the very statements, PostgreSQL does; named statements keep their plans in PGlite's
 * one session as they would in a server's.
 *
 * PGlite is one session: the pool has one client, and a transaction holds it until its end, as a
 * transaction held PGlite itself when it ran in-process.
 */
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { joinBytes } from './bytes.ts';
import { parse, serialize } from 'pg-protocol';

/** What the worker is started with (workerData). */
export interface WorkerOptions {
  dataDir?: string;
  loadDataDir?: ArrayBuffer;
  /** PostgreSQL settings, `name=value`, added to PGlite's own start parameters. */
  settings: string[];
}

type ThreadCall =
  { op: 'protocol'; bytes: Uint8Array } | { op: 'dump'; compression?: 'gzip' | 'none' | 'auto' } | { op: 'close' };
export type ThreadRequest = ThreadCall & { id: number };
export type ThreadReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

/**
 * PostgreSQL's settings for the embedded database (docs/performance.md, "The embedded database"):
 * the default 128 MB of shared buffers is sized for a server; the embedded database of a
 * development machine or a small deployment keeps its working set in far less, and the
 * WebAssembly memory PGlite grows into is never given back.
 */
export const EMBEDDED_SETTINGS = ['shared_buffers=16MB'];

// Built, the worker is the .js beside this file. Under tsx (tests, development) it is the .ts,
// which a worker's loader takes only once tsx is registered in that worker.
const workerEntry: [string | URL, { eval?: boolean }] = import.meta.url.endsWith('.ts')
  ? [
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./pglite-worker.ts', import.meta.url).href)}); })`,
      { eval: true },
    ]
  : [new URL('./pglite-worker.js', import.meta.url), {}];

/**
 * PGlite is the process's only WebAssembly. V8 compiles it quickly (Liftoff) and then again,
 * optimised, function by function as they run hot; the second compilation's code and working
 * memory stay with the process, about 45 MB measured idle, for SQL that was not measurably faster
 * in the bench (docs/performance.md, "The embedded database"). Set before the worker compiles.
 */
v8.setFlagsFromString('--no-wasm-tier-up');

/** The thread PGlite runs on, and the calls to it. */
export class EmbeddedDatabaseThread {
  readonly waitReady: Promise<void>;
  #worker: Worker;
  #next = 1;
  #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #stopped: Error | undefined;

  constructor(options: WorkerOptions) {
    const transferList = options.loadDataDir ? [options.loadDataDir] : [];
    this.#worker = new Worker(workerEntry[0], { ...workerEntry[1], workerData: options, transferList });
    // Until it answers `ready` the worker keeps the process alive; after that, only calls in flight do.
    this.waitReady = new Promise((resolve, reject) => this.#pending.set(0, { resolve: () => resolve(), reject }));
    this.#worker.on('message', (reply: ThreadReply) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(reply.message));
    });
    const stop = (error: Error) => {
      this.#stopped ??= error;
      for (const waiting of this.#pending.values()) waiting.reject(this.#stopped);
      this.#pending.clear();
    };
    this.#worker.on('error', stop);
    this.#worker.on('exit', (code) => stop(new Error(`the embedded database's thread ended (exit code ${code})`)));
  }

  #call<T>(call: ThreadCall, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#next++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ ...call, id }, transfer);
    });
  }

  /** Frontend messages in, the backend's answer out. */
  exchange(bytes: Uint8Array): Promise<Uint8Array> {
    return this.#call({ op: 'protocol', bytes }, [bytes.buffer as ArrayBuffer]);
  }

  async dumpDataDir(compression?: 'gzip' | 'none' | 'auto'): Promise<Blob> {
    return new Blob([await this.#call<ArrayBuffer>({ op: 'dump', ...(compression && { compression }) })]);
  }

  async close(): Promise<void> {
    if (!this.#stopped) await this.#call({ op: 'close' });
    await this.#worker.terminate();
  }
}

type Serializer = typeof serialize;

/** How many statements the embedded session keeps prepared (EmbeddedConnection's cache). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * node-postgres's Connection, for the embedded database: the methods a pg Client calls, each
 * adding one frontend message to a batch; sync, flush and a simple query send the batch; the
 * answer's messages are emitted in order, as Connection emits what it reads from its socket.
 */
class EmbeddedConnection extends EventEmitter {
  // pg's Query keeps which named statements this session has parsed here.
  parsedStatements: Record<string, string> = {};
  submittedNamedStatements: Record<string, string> = {};
  _connecting = false;
  readonly stream = { destroy: () => this.end(), cork: () => {}, uncork: () => {} };
  #thread: EmbeddedDatabaseThread;
  #batch: Uint8Array[] = [];
  /** The backend's bytes, read by node-postgres's own parser as from a socket. */
  #incoming = new PassThrough();
  /** Batches are answered in order: each waits for the one before. */
  #inFlight: Promise<void> = Promise.resolve();
  #ended = false;
  /**
   * The statement cache: the text of each unnamed statement this session has prepared, and the
   * name it has here, least recently used first. pg sends an unnamed statement's Parse with every
   * query, and PGlite then parses and plans it anew, often most of a query's cost; here a text
   * seen before is bound to its named statement instead. This is right only because this session
   * is the database's only one and outlives no one's expectations: on PostgreSQL, behind a
   * pooler, statements stay unnamed (docs/performance.md, "The embedded database").
   */
  #statements = new Map<string, string>();
  #nextStatement = 1;
  /** The statement the next unnamed Bind uses, and the Parse awaiting its parseComplete. */
  #bindAs: string | undefined;
  #parsing: { text: string; name: string } | undefined;

  constructor(thread: EmbeddedDatabaseThread) {
    super();
    this.#thread = thread;
    void parse(this.#incoming, (message) => {
      if (message.name === 'parseComplete' && this.#parsing) {
        this.#statements.set(this.#parsing.text, this.#parsing.name);
        this.#parsing = undefined;
      } else if (message.name === 'error' || message.name === 'readyForQuery') {
        // A Parse refused (or never reached, after an earlier error) prepared nothing.
        this.#parsing = undefined;
      }
      this.emit(message.name === 'error' ? 'errorMessage' : message.name, message);
    });
  }

  connect() {
    this._connecting = true;
    // One session outlives its clients: a new client starts it clean, as a new connection would
    // (no transaction left open by a client that was dropped, no statements it had prepared).
    this.#add(serialize.query('ROLLBACK'));
    this.#add(serialize.query('DISCARD ALL'));
    this.#send(true);
  }

  requestSsl() {}
  startup() {}
  cancel() {}
  password() {}
  ref() {}
  unref() {}

  query(text: string) {
    this.#add(serialize.query(text));
    this.#send();
  }
  parse(query: Parameters<Serializer['parse']>[0]) {
    // pg's own named statements, and statements with declared parameter types, go as they are.
    if (query.name || (Array.isArray(query.types) && query.types.length > 0)) {
      this.#add(serialize.parse(query));
      return;
    }
    const known = this.#statements.get(query.text);
    if (known) {
      this.#statements.delete(query.text);
      this.#statements.set(query.text, known);
      this.#bindAs = known;
      return;
    }
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
      const [oldestText, oldest] = this.#statements.entries().next().value!;
      this.#statements.delete(oldestText);
      this.#add(serialize.close({ type: 'S', name: oldest }));
    }
    const name = `cognate_embedded_${this.#nextStatement++}`;
    this.#parsing = { text: query.text, name };
    this.#bindAs = name;
    this.#add(serialize.parse({ ...query, name }));
  }
  bind(config: Parameters<Serializer['bind']>[0]) {
    const statement = config?.statement ? config.statement : this.#bindAs;
    this.#bindAs = undefined;
    this.#add(serialize.bind({ ...config, ...(statement && { statement }) }));
  }
  execute(config: Parameters<Serializer['execute']>[0]) {
    this.#add(serialize.execute(config));
  }
  describe(message: Parameters<Serializer['describe']>[0]) {
    this.#add(serialize.describe(message));
  }
  close(message: Parameters<Serializer['close']>[0]) {
    this.#add(serialize.close(message));
  }
  flush() {
    this.#add(serialize.flush());
    this.#send();
  }
  sync() {
    this.#add(serialize.sync());
    this.#send();
  }
  sendCopyFromChunk() {
    throw new Error('COPY is not available on the embedded database');
  }
  endCopyFrom() {}
  sendCopyFail() {}

  end() {
    if (this.#ended) return;
    this.#ended = true;
    this.#inFlight.finally(() => {
      this.#incoming.end();
      this.emit('end');
    });
  }

  #add(message: Uint8Array) {
    this.#batch.push(message);
  }

  /** Sends the batch; `connecting`: its answer is the session's reset, and the client then hears it is ready. */
  #send(connecting = false) {
    const bytes = joinBytes(this.#batch);
    this.#batch = [];
    this.#inFlight = this.#inFlight
      .then(() => this.#thread.exchange(bytes))
      .then((answer) => {
        if (this.#ended) return;
        if (connecting) {
          this.emit('readyForQuery', { name: 'readyForQuery', status: 'I' });
          return;
        }
        this.#incoming.write(Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength));
      })
      .catch((error: unknown) => {
        if (!this.#ended) this.emit('error', error);
      });
  }
}

/** A pg Pool of one client on the embedded database's one session. */
export function embeddedPool(thread: EmbeddedDatabaseThread): pg.Pool {
  class EmbeddedClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connection: new EmbeddedConnection(thread) } as pg.ClientConfig);
    }
  }
  return new pg.Pool({ Client: EmbeddedClient, max: 1 });
}

/**
 * A data directory PGlite has not created yet is created and migrated by a process of its own
 * (initialise-data-dir.ts), so that initdb's and the first migration's memory is given back before
 * the database opens for good (docs/performance.md, "The embedded database").
 */
export async function initialiseDataDir(dataDir: string, migrationsFolder: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const underTsx = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(
    new URL(underTsx ? './initialise-data-dir.ts' : './initialise-data-dir.js', import.meta.url),
  );
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [...(underTsx ? ['--import', 'tsx'] : []), script, dataDir, migrationsFolder, ...EMBEDDED_SETTINGS],
      { maxBuffer: 16 * 2 ** 20 },
      (error, _stdout, stderr) =>
        error
          ? reject(new Error(`creating the embedded database in ${dataDir} failed: ${stderr || error.message}`))
          : resolve(),
    );
  });
}
