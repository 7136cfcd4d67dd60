import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

const run = promisify(execFile);
const TEMPLATE = fileURLToPath(new URL('../../scripts/pgbouncer.ini', import.meta.url));
const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

/**
 * Debian's pgbouncer in transaction pooling in front of one server of the test's own (a
 * PostgresCluster): for fault tests that restart that server, which the shared pgbouncer of
 * scripts/with-pgbouncer.sh (in front of the run's own server) cannot stand for. The settings are
 * scripts/pgbouncer.ini's, in transaction pooling.
 */
export interface Pgbouncer {
  /** The upstream URL with the pooler's port. */
  url: string;
  stop(): Promise<void>;
}

/** Why no pgbouncer can be started here, or undefined. */
export function pgbouncerUnavailable(): string | undefined {
  return BINARY ? undefined : 'needs pgbouncer (apt-get install pgbouncer)';
}

export async function startPgbouncer(upstreamUrl: string): Promise<Pgbouncer> {
  if (!BINARY) throw new Error('pgbouncer not found');
  const upstream = new URL(upstreamUrl);
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-fault-pgbouncer.'));
  const port = await freePort();
  const ini = path.join(dir, 'pgbouncer.ini');
  const values: Record<string, string> = {
    UPSTREAM_HOST: upstream.hostname,
    UPSTREAM_PORT: upstream.port || '5432',
    UPSTREAM_USER: decodeURIComponent(upstream.username) || 'postgres',
    PORT: String(port),
    MODE: 'transaction',
    SERVERS: '30',
    LIMIT: '60',
    DIR: dir,
  };
  writeFileSync(
    ini,
    readFileSync(TEMPLATE, 'utf8').replace(/@([A-Z_]+)@/g, (_, name: string) => values[name]!),
  );
  if (root) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
    chownSync(ini, uid, gid);
    await run('runuser', ['-u', 'postgres', '--', BINARY, '-d', ini]);
  } else {
    await run(BINARY, ['-d', ini]);
  }
  for (let i = 0; ; i++) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.once('close', () => socket.destroy());
    });
    if (listening) break;
    if (i > 50) throw new Error(`pgbouncer did not listen on ${port}`);
    await sleep(100);
  }
  const url = new URL(upstreamUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    async stop() {
      try {
        process.kill(Number(readFileSync(path.join(dir, 'pgbouncer.pid'), 'utf8').trim()));
      } catch {
        // already gone
      }
      await sleep(200);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
