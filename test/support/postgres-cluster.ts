import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own that it can stop and start again (the one DATABASE_URL
 * names is shared by the whole run). The binaries come from Debian's `postgresql` package, as
 * in scripts/with-postgres.sh; as root, the server runs as the postgres user.
 */
export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** `pg_ctl stop`: `fast` ends sessions with 57P01, `immediate` kills the server outright. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** `pg_ctl start -w`: back on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server if it runs and removes its data. */
  destroy(): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(a) - Number(b));
  return versions.length > 0 ? path.join(root, versions.at(-1)!, 'bin') : undefined;
}

/** Why a cluster cannot be made here, or undefined when it can: for `describe(..., { skip })`. */
export function clusterUnavailable(): string | undefined {
  if (!process.env.DATABASE_URL)
    return 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';
  if (!binDir()) return 'needs the PostgreSQL server binaries (apt-get install postgresql)';
  return undefined;
}

/**
 * A new server; with `replicaOf`, a streaming replica of that primary (pg_basebackup -R: a hot
 * standby that replays the primary's WAL and answers reads), on a port of its own.
 */
export async function startPostgresCluster(options: { replicaOf?: PostgresCluster } = {}): Promise<PostgresCluster> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-fault-pg.'));
  if (root)
    chownSync(
      dir,
      Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
      Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
    );
  const pg = (tool: string, args: string[]) =>
    root ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);
  const data = path.join(dir, 'data');
  const port = await freePort();
  let running = false;

  if (options.replicaOf) {
    await pg('pg_basebackup', [
      '-D',
      data,
      '-R',
      '-X',
      'stream',
      '-h',
      '127.0.0.1',
      '-p',
      String(options.replicaOf.port),
      '-U',
      'postgres',
    ]);
  } else {
    await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  }
  const start = async () => {
    await pg('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
      'start',
    ]);
    running = true;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop(mode = 'fast') {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      running = false;
    },
    start,
    async destroy() {
      if (running) await pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
