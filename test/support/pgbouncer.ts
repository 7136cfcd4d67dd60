import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

/**
 * Debian's pgbouncer in transaction pooling in front of one server of the test's own (a
 * PostgresCluster): for fault tests that restart that server, which the shared pgbouncer of
 * scripts/with-pgbouncer.sh (in front of the run's own server) cannot stand for. The settings are
 * that script's.
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPgbouncer(upstreamUrl: string): Promise<Pgbouncer> {
  if (!BINARY) throw new Error('pgbouncer not found');
  const upstream = new URL(upstreamUrl);
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-fault-pgbouncer.'));
  const port = await freePort();
  const ini = path.join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    `[databases]
* = host=${upstream.hostname} port=${upstream.port || 5432} user=${decodeURIComponent(upstream.username) || 'postgres'}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 30
max_db_connections = 60
server_reset_query =
server_login_retry = 1
ignore_startup_parameters = extra_float_digits
logfile = ${dir}/pgbouncer.log
pidfile = ${dir}/pgbouncer.pid
`,
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
