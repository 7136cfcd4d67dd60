import { fileURLToPath } from 'node:url';
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { isConnectionError } from './errors.ts';
import { EMBEDDED_SETTINGS, embeddedPool, EmbeddedDatabaseThread, initialiseDataDir } from './embedded-database.ts';
import { rows } from './results.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** One database type for node-postgres and PGlite: modules never know which one they have. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or a transaction: what repositories take. */
export type Queryable = Db | Tx;

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * The name drizzle's `.prepare()` gives a statement on the server. By default none: the prepared
 * query keeps the SQL text drizzle built once but runs as an unnamed statement, because a named
 * one lives in one server session, and behind a transaction pooler such as pgbouncer the next use
 * may reach another session ("prepared statement ... already exists", or "does not exist").
 * DATABASE_NAMED_STATEMENTS=true keeps the names, and with them PostgreSQL's cached plans, for a
 * direct connection or a pooler that keeps prepared statements (docs/operations.md, "Connection
 * poolers").
 */
export type StatementName = (name: string) => string;
export const unnamedStatements: StatementName = () => '';
const namedStatements: StatementName = (name) => name;

export interface Database {
  db: Db;
  /**
   * For reads that tolerate a little lag (listings, search, export, the audit trail): the read
   * replica when DATABASE_REPLICA_URL names one, else the primary. Never for a user's own path,
   * which must read its own writes (docs/operations.md, "Read replica").
   */
  reader: Db;
  /** For `.prepare()`: see StatementName. */
  statementName: StatementName;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  /** The database answers and every migration in migrations/ is applied. */
  ready(): Promise<void>;
  /** The embedded database's data directory as a tar archive (for copies of a migrated database). */
  dumpDataDir?(compression?: 'gzip' | 'none'): Promise<Blob>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number; replicaUrl?: string; namedStatements?: boolean }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob | File };

function releasedWhenLost(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  let released = false;
  const releaseOnce = (error?: Error | boolean) => {
    if (released) return;
    released = true;
    client.removeListener('end', lost);
    release(error);
  };
  const lost = () => releaseOnce(new Error('connection lost while checked out'));
  client.once('end', lost);
  client.release = releaseOnce;
  return client;
}

/** How long reads skip a replica that lost its connection before trying it again. */
const REPLICA_RETRY_MS = 5_000;

/**
 * The read replica's connections. A read that cannot reach the replica (down, restarting, not
 * yet accepting connections) is answered by the primary instead, and the replica is left alone
 * for REPLICA_RETRY_MS, so its absence costs no request an error and no more than one failed try
 * every few seconds. Only single reads come here: nothing writes, or opens a transaction, on `reader`.
 */
class ReplicaPool extends pg.Pool {
  #primary: pg.Pool;
  #downUntil = 0;

  constructor(url: string, max: number, primary: pg.Pool) {
    // A short connect timeout: a replica that does not answer must not hold reads for long.
    super({ connectionString: url, max, connectionTimeoutMillis: 2_000, keepAlive: true });
    this.#primary = primary;
    this.on('error', () => {});
    this.on('connect', (client) => client.on('error', () => {}));
  }

  // drizzle calls query(config, values) and awaits the promise; no callback form is used.
  override query(...args: unknown[]): never {
    const primary = () => (this.#primary.query as (...a: unknown[]) => Promise<unknown>)(...args);
    if (Date.now() < this.#downUntil) return primary() as never;
    return (super.query as (...a: unknown[]) => Promise<unknown>).apply(this, args).catch((error: unknown) => {
      if (!isConnectionError(error)) throw error;
      this.#downUntil = Date.now() + REPLICA_RETRY_MS;
      return primary();
    }) as never;
  }
}

/** The advisory lock migrations are applied under (any fixed number no other code takes). */
const MIGRATION_LOCK = 0x636f676e; // 'cogn'

const expectedMigrations = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'))
  .entries.length as number;

/**
 * drizzle's migrations, applied as its migrator applies them (the same journal table), but in one
 * transaction that first takes a transaction-scoped advisory lock. Instances starting together
 * (several processes on an empty database, an upgrade) take turns: the first applies, the others
 * wait and find everything applied. Unserialised, their CREATE SCHEMA / TABLE IF NOT EXISTS
 * collide on PostgreSQL's catalogs and a start fails. A session lock would not do: behind a
 * transaction pooler, lock, migrations and unlock may each reach another server session.
 */
async function migrateInOneTransaction(db: Db): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.execute(sql`create schema if not exists "drizzle"`);
    await tx.execute(
      sql`create table if not exists "drizzle"."__drizzle_migrations" (id serial primary key, hash text not null, created_at bigint)`,
    );
    const [last] = rows(
      await tx.execute(sql`select created_at from "drizzle"."__drizzle_migrations" order by created_at desc limit 1`),
    );
    for (const migration of migrations) {
      if (last && Number(last.created_at) >= migration.folderMillis) continue;
      for (const statement of migration.sql) await tx.execute(sql.raw(statement));
      await tx.execute(
        sql`insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values (${migration.hash}, ${migration.folderMillis})`,
      );
    }
  });
}

async function checkReady(query: (sql: string) => Promise<{ rows: unknown[] }>): Promise<void> {
  const { rows } = await query('select count(*)::int as n from drizzle.__drizzle_migrations');
  const applied = (rows[0] as { n: number }).n;
  if (applied < expectedMigrations) throw new Error(`${applied} of ${expectedMigrations} migrations applied`);
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    // Bounded waits: a server that does not answer (or a pool with no free client) fails the
    // request with 503 after 10 s rather than holding it; keep-alive finds dead peers.
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => {});
    // Nor may a checked-out one: pg-pool drops its listener while a transaction holds the client,
    // and an 'error' with no listener is an uncaught exception. The query in flight, or the next
    // one, fails instead, and the broken client is discarded when released.
    pool.on('connect', (client) => client.on('error', () => {}));
    // drizzle's transaction() (0.45) never releases a client whose BEGIN failed: each connection
    // lost at that moment would hold a pool slot for good, and after `max` of them every request
    // would wait for a client that never comes. A client checked out when its connection ends is
    // given back (as broken) at once; the release drizzle may still make is then a no-op.
    const connect = pool.connect.bind(pool);
    pool.connect = ((callback?: Parameters<typeof connect>[0]) =>
      callback ? connect(callback) : connect().then(releasedWhenLost)) as typeof pool.connect;
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    const replica = target.replicaUrl ? new ReplicaPool(target.replicaUrl, target.poolSize ?? 10, pool) : undefined;
    const reader = replica ? (drizzlePg(replica, { schema }) as unknown as Db) : db;
    return {
      db,
      reader,
      statementName: target.namedStatements ? namedStatements : unnamedStatements,
      kind: 'postgres',
      migrate: () => migrateInOneTransaction(db),
      ready: () => checkReady((text) => pool.query(text)),
      close: async () => {
        await replica?.end();
        await pool.end();
      },
    };
  }
  // The embedded database: PGlite on a thread of its own, reached through node-postgres as a
  // server is (embedded-database.ts); one session, so one client in the pool.
  if (target.dataDir) {
    await mkdir(target.dataDir, { recursive: true });
    await initialiseDataDir(target.dataDir, migrationsFolder);
  }
  const thread = new EmbeddedDatabaseThread({
    ...(target.dataDir && { dataDir: target.dataDir }),
    ...(target.loadDataDir && { loadDataDir: await target.loadDataDir.arrayBuffer() }),
    settings: EMBEDDED_SETTINGS,
  });
  await thread.waitReady;
  const pool = embeddedPool(thread);
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    reader: db,
    // One process, one session: nothing between Cognate and its embedded database.
    statementName: namedStatements,
    kind: 'pglite',
    migrate: () => migrateInOneTransaction(db),
    ready: () => checkReady((text) => pool.query(text)),
    dumpDataDir: (compression) => thread.dumpDataDir(compression),
    close: async () => {
      await pool.end();
      await thread.close();
    },
  };
}
