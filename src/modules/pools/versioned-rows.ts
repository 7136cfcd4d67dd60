/**
 * Rows kept in memory by their version: PostgreSQL's `xmin`, the transaction that last wrote the
 * row, which every UPDATE changes in every instance's view alike. A reader that already knows a
 * row's current version (an authenticated request reads the pool's and client's with its session)
 * gets the parsed row from here instead of reading and parsing every column again: a pool's JSON
 * settings were the largest part of an authenticated request's work.
 */
export interface VersionedRows<T> {
  /** The row at `version`, or the newer one the database has now; undefined if it is gone. */
  at(id: string, version: string): Promise<T | undefined>;
}

export function createVersionedRows<T>(
  load: (id: string) => Promise<{ row: T; version: string } | undefined>,
  maxEntries = 1000,
): VersionedRows<T> {
  const rows = new Map<string, { row: T; version: string }>();
  return {
    async at(id, version) {
      const cached = rows.get(id);
      if (cached?.version === version) return cached.row;
      const loaded = await load(id);
      if (!loaded) {
        rows.delete(id);
        return undefined;
      }
      // A bounded map: when full, the oldest entry goes (Map keeps insertion order).
      if (!cached && rows.size >= maxEntries) rows.delete(rows.keys().next().value!);
      deepFreeze(loaded.row);
      rows.set(id, loaded);
      return loaded.row;
    },
  };
}

/** Shared by every request from now on: a change in place would throw, not leak into others. */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || value instanceof Date) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}
