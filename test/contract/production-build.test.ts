/**
 * Production runs the compiled JavaScript (`npm start` and the Dockerfile: `node dist/server.js`),
 * while every other test runs the TypeScript sources through tsx. This one builds as
 * `npm run build` does, into a temporary directory laid out as the Docker image is (package.json,
 * node_modules, migrations, dist/), starts `node dist/server.js` there on a fresh embedded
 * database, and asks for /health/live and /health/ready; SIGTERM must then close it cleanly.
 * It fails when the build breaks, or when the built server cannot start: an import tsc does
 * not rewrite, a path computed from import.meta.url that no longer resolves, a file that only
 * exists next to the sources. A second test holds the Dockerfile's stages to one supported LTS line.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/server-process.ts';
import { onPostgres } from '../support/database.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-build-'));
after(() => rm(dir, { recursive: true, force: true }));

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

test(
  'the production build compiles, and node dist/server.js starts, answers and stops on SIGTERM',
  // It builds, and starts the embedded default whatever the suite's database: once, in the PGlite pass.
  { timeout: 60_000, skip: onPostgres && 'database-independent; it runs in the PGlite pass' },
  async () => {
    // The image's layout: what dist/ may rely on next to it, and nothing else from the repository.
    await copyFile(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await symlink(path.join(root, 'migrations'), path.join(dir, 'migrations'), 'dir');

    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist')], {
      cwd: root,
    });
    assert.equal(build.code, 0, `npm run build failed:\n${build.output}`);

    const port = await freePort();
    const server = spawn(process.execPath, ['dist/server.js'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        ALLOW_LOG_DELIVERY: 'true',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATA_DIR: path.join(dir, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 45_000;
      const status = async (route: string) => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}${route}`);
          await response.arrayBuffer();
          return response.status;
        } catch {
          return 0; // not listening yet
        }
      };
      while ((await status('/health/live')) !== 200) {
        assert.equal(
          server.exitCode,
          null,
          `node dist/server.js exited (${server.exitCode}) before answering:\n${output}`,
        );
        assert.ok(Date.now() < deadline, `node dist/server.js did not answer /health/live in time:\n${output}`);
        await sleep(50);
      }
      assert.equal(await status('/health/ready'), 200, `/health/ready:\n${output}`);
      assert.match(output, /Cognate is listening on/);

      server.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(15_000, 'still running')]);
      assert.equal(code, 0, `exit after SIGTERM:\n${output}`);
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
    }
  },
);

test('every Dockerfile stage runs on one Node LTS line, 22 or later, that package.json engines accept', async () => {
  // Even majors are Node's LTS lines; 20 left support in April 2026. The image builds with the
  // Node it runs on, so both stages name the same line.
  const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
  // FROM [--platform=…] image [AS name]; a stage built FROM an earlier stage's name adds no base.
  const froms = [...dockerfile.matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim)];
  const names = new Set(froms.map((m) => m[2]?.toLowerCase()).filter(Boolean));
  const stages = froms.map((m) => m[1]!).filter((image) => !names.has(image.toLowerCase()));
  assert.ok(froms.length >= 2, `expected a build stage and a runtime stage, found FROM ${stages.join(', ')}`);
  const majors = stages.map((image) => {
    const major = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)[-.\w]*(?:@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
    assert.ok(major, `FROM ${image}: not an official node image tagged with its major version`);
    return Number(major);
  });
  assert.equal(new Set(majors).size, 1, `every stage on one Node line: FROM ${stages.join(', ')}`);
  const major = majors[0]!;
  assert.ok(major >= 22 && major % 2 === 0, `FROM node:${major}: not an LTS line of 22 or later`);
  const engines = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).engines.node as string;
  const floor = /^>=\s*(\d+)/.exec(engines)?.[1];
  assert.ok(floor && Number(floor) <= major, `package.json engines "${engines}" refuses the image's Node ${major}`);
});
