import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { clients } from '../../db/schema/pools.ts';
import { invalidParameter } from '../../errors/cognito-error.ts';

// scheme://host[:port]: a DNS name, an IPv4 address or a bracketed IPv6 address; nothing after it.
const ORIGIN =
  /^([a-z][a-z0-9+.-]*):\/\/([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:(\d{1,5}))?$/;

/**
 * A client's CORS origins, checked to be exactly what a browser sends in `Origin`: lower case,
 * no path or trailing slash, no wildcard, and for http(s) no default port (the browser omits it,
 * so `https://app.example.com:443` would never match). Other schemes (`capacitor://localhost`)
 * are taken as written.
 */
export function checkAllowedOrigins(origins: string[] | null): string[] | null {
  if (origins === null) return null;
  for (const origin of origins) {
    const match = ORIGIN.exec(origin);
    const port = match?.[7] === undefined ? undefined : Number(match[7]);
    const valid = match !== null && (port === undefined || (port >= 1 && port <= 65535));
    const special = match?.[1] === 'http' || match?.[1] === 'https';
    if (!valid || (special && safeOrigin(origin) !== origin)) {
      throw invalidParameter(
        `Invalid allowed origin ${JSON.stringify(origin)}: expected scheme://host[:port] as a browser sends it, e.g. https://app.example.com.`,
      );
    }
  }
  return [...new Set(origins)];
}

function safeOrigin(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/**
 * The origins any client of any pool allows, for the CORS check of every request. Loaded from
 * the database at most once per `ttlMs` (one small query for all clients), and dropped at once
 * when this process changes a client; another instance's change is seen within `ttlMs`.
 */
export function createOriginAllowList(db: Db, ttlMs = 30_000) {
  let cached: { origins: Set<string>; until: number } | undefined;
  let loading: Promise<Set<string>> | undefined;
  // Bumped by invalidate(): a load that started before a change must not be cached as current.
  let generation = 0;

  async function load(): Promise<Set<string>> {
    const rows = await db.selectDistinct({ origin: sql<string>`unnest(${clients.allowedOrigins})` }).from(clients);
    // A web app's callback URL names its origin too: a browser app that signs in through the
    // OAuth endpoints exchanges its code from there (docs/web-sign-in.md, "Endpoints").
    const callbacks = await db
      .selectDistinct({ url: sql<string>`jsonb_array_elements_text(${clients.oauth} -> 'callbackUrls')` })
      .from(clients)
      .where(sql`jsonb_typeof(${clients.oauth} -> 'callbackUrls') = 'array'`);
    const fromCallbacks = callbacks.map((row) => safeOrigin(row.url)).filter((o) => o !== undefined && o !== 'null');
    return new Set([...rows.map((row) => row.origin), ...(fromCallbacks as string[])]);
  }

  return {
    async has(origin: string): Promise<boolean> {
      if (cached && cached.until > Date.now()) return cached.origins.has(origin);
      const started = generation;
      // Concurrent misses share one query.
      loading ??= load().finally(() => (loading = undefined));
      const origins = await loading;
      if (started === generation) cached = { origins, until: Date.now() + ttlMs };
      return origins.has(origin);
    },
    invalidate(): void {
      generation += 1;
      cached = undefined;
      loading = undefined;
    },
  };
}
