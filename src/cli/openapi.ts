import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiYaml } from '../openapi-document.ts';

/** `npm run openapi`: writes openapi.yaml from the route schemas (never edit it by hand). */
const target = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));
await writeFile(target, await openApiYaml());
process.stdout.write(`Wrote ${target}\n`);
