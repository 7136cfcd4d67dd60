import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { affected, rows } from '../../db/results.ts';

export interface CounterHit {
  hits: number;
  resetsAt: Date;
}

/**
 * Fixed-window counters in `rate_limit_counters`, shared by every Cognate process on the
 * database. One atomic upsert per hit: concurrent requests, here or in another process, each
 * see their own count, and a window that has passed starts again at 1.
 */
export function createRateLimitCounters(db: Db) {
  return {
    async hit(key: string, windowMs: number): Promise<CounterHit> {
      const result = await db.execute(sql`
        insert into rate_limit_counters as c (key, hits, resets_at)
        values (${key}, 1, now() + ${windowMs}::float8 * interval '1 millisecond')
        on conflict (key) do update set
          hits = case when c.resets_at <= now() then 1 else c.hits + 1 end,
          resets_at = case when c.resets_at <= now() then excluded.resets_at else c.resets_at end
        returning hits, resets_at, now() as now`);
      const row = rows(result)[0]!;
      // Measured against the database's clock, so every process agrees on when the window ends.
      const left = new Date(row.resets_at as string).getTime() - new Date(row.now as string).getTime();
      return { hits: Number(row.hits), resetsAt: new Date(Date.now() + Math.max(0, left)) };
    },

    /** Deletes counters whose window has passed (they would start again at 1 anyway). */
    async sweep(limit = 5000): Promise<number> {
      const result = await db.execute(sql`
        delete from rate_limit_counters where key in (
          select key from rate_limit_counters where resets_at <= now() limit ${limit})`);
      return affected(result);
    },
  };
}

export type RateLimitCounters = ReturnType<typeof createRateLimitCounters>;
