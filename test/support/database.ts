import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrationsFolder, openDatabase, type Database } from '../../src/db/client.ts';

/** True when the suite runs against a real PostgreSQL server (DATABASE_URL set, as in CI). */
export const onPostgres = Boolean(process.env.DATABASE_URL);

function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(path.join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** A new, empty database on the DATABASE_URL server, dropped again at close. */
export async function openScratchPostgres(prefix: string, poolSize = 10): Promise<Database> {
  const adminUrl = process.env.DATABASE_URL!;
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize });
  return {
    ...database,
    async close() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * A migrated database of its own for one test file. PostgreSQL: a fresh database on the
 * server, dropped at close. PGlite: a copy of a migrated data directory, made once per
 * migration set and cached in the temp folder (a fresh PGlite takes seconds to create).
 * `poolSize` (PostgreSQL only): connections in the app's pool; race tests use the production default.
 */
export async function openTestDatabase(options: { poolSize?: number } = {}): Promise<Database> {
  if (onPostgres) {
    const database = await openScratchPostgres('cognate_test', options.poolSize ?? 20);
    await database.migrate();
    return database;
  }
  return openDatabase({ kind: 'pglite', loadDataDir: new Blob([await readFile(await migratedPgliteDump())]) });
}

/**
 * A gzipped tar of a migrated PGlite data directory, made once per migration set and cached in
 * the temp folder: openTestDatabase loads it, and a Cognate process of a test starts on a copy
 * of it (extracted into its DATA_DIR) instead of creating and migrating a database of its own.
 */
export async function migratedPgliteDump(): Promise<string> {
  const dump = path.join(os.tmpdir(), `cognate-pglite-${migrationsHash()}.tar.gz`);
  if (!existsSync(dump)) {
    const fresh = await openDatabase({ kind: 'pglite' });
    await fresh.migrate();
    const blob = await fresh.dumpDataDir!('gzip');
    await fresh.close();
    const partial = `${dump}.${process.pid}`;
    await writeFile(partial, Buffer.from(await blob.arrayBuffer()));
    await rename(partial, dump);
  }
  return dump;
}

/** A scratch DATA_DIR holding a copy of the migrated embedded database, for a Cognate process of a test. */
export async function seededDataDir(prefix: string): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  execFileSync('tar', ['-xzf', await migratedPgliteDump(), '-C', dataDir], { stdio: 'ignore' });
  return dataDir;
}
