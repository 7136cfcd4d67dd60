import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/client.ts';

/** `npm run migrate`: applies migrations/ to DATABASE_URL (or the embedded database) and exits. */
const config = loadConfig();
const database = await openDatabase(config.database);
await database.migrate();
await database.ready();
await database.close();
process.stdout.write(`Migrations applied (${config.database.kind}).\n`);
