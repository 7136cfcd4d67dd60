/**
 * Production runs the compiled JavaScript (`npm start` and the Dockerfile: `node dist/server.js`),
 * while every other test runs the TypeScript sources through tsx. This one builds as
 * `npm run build` does, into a temporary directory laid out as the Docker image is (package.json,
 * node_modules, migrations, dist/), starts `node dist/server.js` there on a fresh embedded
 * database, and asks for /health/live and /health/ready; SIGTERM must then close it cleanly.
 * It fails when the build breaks, or when the built server cannot start: an import tsc does
 * not rewrite, a path computed from import.meta.url that no longer resolves, a file that only
 * exists next to the sources.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/server-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-build-'));
after(() => rm(dir, { recursive: true, force: true }));

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

test('the production build compiles, and node dist/server.js starts, answers and stops on SIGTERM', { timeout: 60_000 }, async () => {
  // The image's layout: what dist/ may rely on next to it, and nothing else from the repository.
  await copyFile(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await symlink(path.join(root, 'migrations'), path.join(dir, 'migrations'), 'dir');

  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist')], { cwd: root });
  assert.equal(build.code, 0, `npm run build failed:\n${build.output}`);

  const port = await freePort();
  const server = spawn(process.execPath, ['dist/server.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ALLOW_LOG_DELIVERY: 'true', LOG_LEVEL: 'warn', PORT: String(port), DATA_DIR: path.join(dir, 'data') },
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
      assert.equal(server.exitCode, null, `node dist/server.js exited (${server.exitCode}) before answering:\n${output}`);
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
});
