/**
 * Clients generated from openapi.yaml must be good, not just compile. During the run this file
 * generates two of them into a temporary directory: openapi-typescript's types (used through
 * openapi-fetch) and orval's fetch client, its base URL taken from the document's `servers` with
 * this server's port. Next to them go two small programs (fixtures/generated-clients/*.ts.txt)
 * that use only named components and no casts; tsc type-checks all of it once with strict
 * options, then the programs run here against the real server over HTTP and drive the README's
 * flow: sign-up, confirm with the mailed code, sign-in, attributes, a changed email verified by
 * its code, two attributes deleted through a repeated query parameter, and an admin search.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { generate as orval } from 'orval';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = path.join(root, 'test', 'contract', 'fixtures', 'generated-clients');
const documentPath = path.join(root, 'openapi.yaml');

// The repository's own strictness, plus the checks a careful client project adds.
const compilerOptions = {
  target: 'ES2023',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  verbatimModuleSyntax: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};

// What the test reads of the programs' answers; the programs themselves are typed by the generated code.
type CodeFor = (email: string) => Promise<string>;
interface Answers {
  user: { userSub: string; attributes: Record<string, string> };
  page: { users: { userSub: string }[] };
}

let dir: string;
let t: TestApp;
let baseUrl: string;
let typecheck: { code: number | null; output: string };

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-clients-'));
  // A project of its own: ES modules, the repository's packages (openapi-fetch, @types/node).
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions, files: ['openapi-fetch-flow.ts', 'orval-flow.ts', 'orval/client.ts'] }, null, 2),
  );

  t = await startTestApp();
  // localhost on both loopback addresses: the document's server is http://localhost:{port}.
  const address = await t.app.listen({ port: 0, host: 'localhost' });
  const port = new URL(address).port;
  baseUrl = `http://localhost:${port}`;

  const types = astToString(await openapiTS(pathToFileURL(documentPath)));
  await writeFile(path.join(dir, 'api.ts'), types);
  await mkdir(path.join(dir, 'orval'));
  await orval(
    {
      input: { target: documentPath },
      output: {
        target: path.join(dir, 'orval', 'client.ts'),
        client: 'fetch',
        mode: 'single',
        baseUrl: { getBaseUrlFromSpecification: true, variables: { port } },
      },
    },
    dir,
  );
  await copyFile(path.join(fixtures, 'openapi-fetch-flow.ts.txt'), path.join(dir, 'openapi-fetch-flow.ts'));
  await copyFile(path.join(fixtures, 'orval-flow.ts.txt'), path.join(dir, 'orval-flow.ts'));

  typecheck = await run(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
    dir,
  );
});

after(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the generated clients and the programs using them type-check under strict options', () => {
  assert.equal(typecheck.code, 0, `tsc found errors:\n${typecheck.output}`);
});

test('openapi-typescript + openapi-fetch: the README flow with named component types', async () => {
  const program: {
    flow(baseUrl: string, adminKey: string, codeFor: CodeFor): Promise<Answers & { mismatch: { code: string } }>;
  } = await import(pathToFileURL(path.join(dir, 'openapi-fetch-flow.ts')).href);
  const answers = await program.flow(baseUrl, ADMIN_KEY, (email) => t.smtp.codeFor(email));
  assert.equal(answers.user.attributes.email, 'jane@example.org');
  assert.equal(answers.page.users[0]?.userSub, answers.user.userSub);
  assert.equal(answers.mismatch.code, 'CodeMismatchException');
});

test('orval fetch client: sign-up to admin search, repeated query parameters, the export stream', async () => {
  const program: { flow(adminKey: string, codeFor: CodeFor): Promise<Answers & { exported: number }> } = await import(
    pathToFileURL(path.join(dir, 'orval-flow.ts')).href
  );
  const answers = await program.flow(ADMIN_KEY, (email) => t.smtp.codeFor(email));
  assert.equal(answers.user.attributes.email, 'rob@example.org');
  assert.equal(answers.page.users[0]?.userSub, answers.user.userSub);
  assert.equal(answers.exported, 1);
});
