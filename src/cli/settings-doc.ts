import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withCurrentTable } from '../settings-document.ts';

/** `npm run docs:settings`: rewrites the table of docs/cognito-settings.md from settings-table.ts (never edit it by hand). */
const target = fileURLToPath(new URL('../../docs/cognito-settings.md', import.meta.url));
await writeFile(target, withCurrentTable(await readFile(target, 'utf8')));
process.stdout.write(`Wrote ${target}\n`);
