/**
 * Creates an embedded data directory and applies the migrations, as a process of its own that
 * then exits (docs/performance.md, "The embedded database"): PGlite's initdb and a first
 * migration grow memory (WebAssembly compilation, catalogs) that a process keeps once it has it;
 * a process that ends gives it all back, so the server's first start costs no more memory than a
 * later one.
 *
 *   node dist/db/initialise-data-dir.js <dataDir> <migrationsFolder> [setting=value ...]
 */
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

const [dataDir, migrationsFolder, ...settings] = process.argv.slice(2);
if (!dataDir || !migrationsFolder)
  throw new Error('usage: initialise-data-dir <dataDir> <migrationsFolder> [setting=value ...]');
const database = new PGlite({
  dataDir,
  startParams: [...PGlite.defaultStartParams, ...settings.flatMap((setting) => ['-c', setting])],
});
await database.waitReady;
await migrate(drizzle(database), { migrationsFolder });
await database.close();
