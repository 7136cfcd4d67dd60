/**
 * What a stretch of load cost the database path: the PostgreSQL server's CPU (every server
 * process), transactions and WAL; and, with pgbouncer in front (scripts/with-pgbouncer.sh), how
 * long its server connections were held and what its one process spent. Read before and after,
 * for the sizing bench (bench/sizing.ts). CPU is read from Linux's /proc, so only for servers on
 * this machine.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';
import { rows } from '../../src/db/results.ts';

export interface PostgresReading {
  /** CPU (user + system) of the postmaster and every process it started, ended ones included, ms. */
  cpuMs: number | undefined;
  transactions: number;
  /** pgbouncer's totals, when it is in front: time its server connections were given to clients (in a transaction or a statement), waits for one, its CPU. */
  pooler?: { heldMs: number; waitMs: number; transactions: number; cpuMs: number | undefined };
  /** The WAL position, for bytes written between two readings. */
  walLsn: string;
}

export interface PostgresCost {
  cpuMs: number | undefined;
  transactions: number;
  walBytes: number;
  pooler?: { heldMs: number; waitMs: number; transactions: number; cpuMs: number | undefined };
}

const TICK_MS = 10;

async function statFields(pid: number | string): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

async function processCpuMs(pid: number): Promise<number | undefined> {
  const fields = await statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) * TICK_MS : undefined;
}

/** fields: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime (clock ticks). */
async function serverCpuMs(postmaster: number): Promise<number | undefined> {
  const own = await statFields(postmaster);
  if (!own) return undefined;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(entry);
    if (fields && Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
}

/**
 * `db` reaches PostgreSQL, directly or through the pooler. `pooler`: pgbouncer's address (the
 * DATABASE_URL that scripts/with-pgbouncer.sh exports) and its pid file, read as a stats user.
 */
export async function postgresMeter(db: Db, pooler?: { url: string; pidFile: string }) {
  const [backend] = rows(await db.execute(sql`select pg_backend_pid() as pid`)) as Array<{ pid: number }>;
  const ppid = (await statFields(backend!.pid))?.[1];
  const postmaster = ppid === undefined ? undefined : Number(ppid);

  let admin: pg.Client | undefined;
  let poolerPid: number | undefined;
  let poolerDatabase = '';
  if (pooler) {
    const url = new URL(pooler.url);
    poolerDatabase = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
    url.pathname = '/pgbouncer';
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    poolerPid = Number((await readFile(pooler.pidFile, 'utf8')).trim());
  }
  const poolerReading = async () => {
    if (!admin) return undefined;
    // The admin console speaks the simple protocol only: a query without parameters.
    const { rows: stats } = await admin.query('SHOW STATS');
    const mine = stats.find((r: { database: string }) => r.database === poolerDatabase) as
      { total_xact_time: string; total_wait_time: string; total_xact_count: string } | undefined;
    if (!mine) throw new Error(`pgbouncer has no statistics for database ${poolerDatabase}`);
    return {
      heldMs: Number(mine.total_xact_time) / 1000,
      waitMs: Number(mine.total_wait_time) / 1000,
      transactions: Number(mine.total_xact_count),
      cpuMs: poolerPid === undefined ? undefined : await processCpuMs(poolerPid),
    };
  };

  return {
    /** Whether the server's CPU can be read (it runs on this machine). */
    local: postmaster !== undefined,
    /** A reading, now. */
    async read(): Promise<PostgresReading> {
      const cpuMs = postmaster === undefined ? undefined : await serverCpuMs(postmaster);
      const pooled = await poolerReading();
      const [stats] = rows(
        await db.execute(sql`
          select (xact_commit + xact_rollback)::text as xacts, pg_current_wal_lsn()::text as lsn
          from pg_stat_database where datname = current_database()`),
      ) as Array<{ xacts: string; lsn: string }>;
      return { cpuMs, transactions: Number(stats!.xacts), walLsn: stats!.lsn, ...(pooled && { pooler: pooled }) };
    },
    /**
     * Waits until every backend has published its transaction counts: PostgreSQL 15 flushes a
     * busy backend's at most once a second and an idle one's within 10 s. CPU, WAL and the
     * pooler's totals need no wait.
     */
    settle: () => sleep(11_000),
    async cost(before: PostgresReading, after: PostgresReading): Promise<PostgresCost> {
      const [wal] = rows(
        await db.execute(sql`select pg_wal_lsn_diff(${after.walLsn}::pg_lsn, ${before.walLsn}::pg_lsn)::text as bytes`),
      ) as Array<{ bytes: string }>;
      const minus = (a: number | undefined, b: number | undefined) =>
        a === undefined || b === undefined ? undefined : a - b;
      return {
        cpuMs: minus(after.cpuMs, before.cpuMs),
        transactions: after.transactions - before.transactions,
        walBytes: Number(wal!.bytes),
        ...(after.pooler &&
          before.pooler && {
            pooler: {
              heldMs: after.pooler.heldMs - before.pooler.heldMs,
              waitMs: after.pooler.waitMs - before.pooler.waitMs,
              transactions: after.pooler.transactions - before.pooler.transactions,
              cpuMs: minus(after.pooler.cpuMs, before.pooler.cpuMs),
            },
          }),
      };
    },
    close: () => admin?.end(),
  };
}
