import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Database } from '../../src/db/client.ts';
import { ADMIN_KEY, GENEROUS_RATE_LIMITS } from './app.ts';
import { freePort } from './ports.ts';

export { freePort };

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  /** Everything the server wrote, stdout and stderr. */
  output(): string;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
}

/** `node --import tsx src/server.ts` with `env` on top of a minimal environment; resolves once it listens. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', PORT: port, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server did not start within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = () => {
        if (output.includes('Cognate is listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code}) before listening:\n${output}`));
      });
    });
  } catch (error) {
    await kill();
    throw error;
  }
  return { child, base: `http://127.0.0.1:${port}`, output: () => output, kill };
}

/** The PostgreSQL URL a scratch database was opened with, for a server process to use too. */
export function databaseUrl(database: Database): string {
  return (database.db as unknown as { $client: pg.Pool }).$client.options.connectionString!;
}

/**
 * What every multi-process test gives its servers: the database, the admin key, cheap hashing,
 * generous limits and one PUBLIC_URL (the tokens' issuer, as behind a load balancer).
 */
export function sharedServerEnv(database: Database, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...GENEROUS_RATE_LIMITS,
    DATABASE_URL: databaseUrl(database),
    ADMIN_API_KEY: ADMIN_KEY,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    PUBLIC_URL: 'http://cognate.test',
    ...extra,
  };
}
