import { fileURLToPath } from 'node:url';
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** One database type for node-postgres and PGlite: modules never know which one they have. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or a transaction: what repositories take. */
export type Queryable = Db | Tx;

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  /** The database answers and every migration in migrations/ is applied. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
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

/** The advisory lock migrations are applied under (any fixed number no other code takes). */
const MIGRATION_LOCK = 0x636f676e; // 'cogn'

const expectedMigrations = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'))
  .entries.length as number;

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
    return {
      db,
      kind: 'postgres',
      async migrate() {
        // Instances starting together (replicas on an empty database, an upgrade) take turns: the
        // first applies the migrations and the others find them applied. Unserialised, their
        // CREATE SCHEMA / TABLE IF NOT EXISTS collide on PostgreSQL's catalogs and a start fails.
        const client = await pool.connect();
        try {
          await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        } finally {
          // Discarded, not pooled: after a failure, ending the session is what frees its lock.
          client.release(true);
        }
      },
      ready: () => checkReady((text) => pool.query(text)),
      close: () => pool.end(),
    };
  }
  if (target.dataDir) await mkdir(target.dataDir, { recursive: true });
  const client = new PGlite({ dataDir: target.dataDir, loadDataDir: target.loadDataDir });
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(drizzlePglite(client, { schema }), { migrationsFolder }),
    ready: () => checkReady((text) => client.query(text)),
    close: () => client.close(),
  };
}
