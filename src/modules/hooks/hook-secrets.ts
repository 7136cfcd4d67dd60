import { randomBytes, randomUUID } from 'node:crypto';
import { and, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { createSealedBox } from '../../lib/sealed-box.ts';
import { hookSecrets } from '../../db/schema/hooks.ts';

/**
 * The per-pool secrets hook calls are signed with (docs/triggers.md, "Secrets and rotation"):
 * Standard Webhooks' `whsec_<base64>` form, kept sealed with a key derived from the server secret
 * (AES-256-GCM, the row id as associated data, so a sealed secret cannot be moved to another row).
 */

/** How long a replaced secret keeps signing after a rotation, unless the rotation says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 60 * 60;
/** The longest overlap a rotation may ask for. */
export const MAX_ROTATION_OVERLAP_SECONDS = 30 * 24 * 60 * 60;

const PREFIX = 'whsec_';

export interface RotatedSecret {
  /** The new secret, `whsec_<base64 of 32 random bytes>`; shown once, never again. */
  secret: string;
  createdAt: Date;
  /** The secrets that were live before, and when each stops signing (now, for an overlap of 0). */
  previous: { createdAt: Date; retiresAt: Date }[];
}

export interface HookSecrets {
  /** The secrets calls are signed with now, newest first; one is made when the pool has none. */
  live(poolId: string): Promise<string[]>;
  /** Makes a new secret; those live before keep signing for `overlapSeconds` (default 24 hours). */
  rotate(poolId: string, overlapSeconds?: number): Promise<RotatedSecret>;
}

export function newHookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

export function createHookSecrets(options: {
  db: Db;
  secret: string;
  now?: () => Date;
  /** Told of a stored secret that no longer opens (the server secret changed). */
  onUnreadable?: (poolId: string) => void;
}): HookSecrets {
  const { db, onUnreadable } = options;
  // Its own label: the outbox's payload key and this one never coincide.
  const box = createSealedBox(options.secret, 'hook secret v1');
  const now = options.now ?? (() => new Date());
  // Concurrent first calls in this process share one generated secret.
  const making = new Map<string, Promise<string[]>>();

  async function insert(poolId: string, createdAt: Date) {
    const id = randomUUID();
    const secret = newHookSecret();
    await db.insert(hookSecrets).values({ id, poolId, sealedSecret: box.seal(id, secret), createdAt });
    return secret;
  }

  async function readLive(poolId: string): Promise<string[]> {
    const rows = await db
      .select()
      .from(hookSecrets)
      .where(and(eq(hookSecrets.poolId, poolId), or(isNull(hookSecrets.retiresAt), gt(hookSecrets.retiresAt, now()))))
      .orderBy(desc(hookSecrets.createdAt));
    const secrets: string[] = [];
    for (const row of rows) {
      try {
        secrets.push(box.open(row.id, row.sealedSecret));
      } catch {
        // Sealed under another server secret (CODE_HMAC_SECRET changed): of no use any more, as
        // if absent; a rotation makes a new one (docs/triggers.md, "Secrets and rotation").
        onUnreadable?.(row.poolId);
      }
    }
    return secrets;
  }

  return {
    async live(poolId) {
      const secrets = await readLive(poolId);
      if (secrets.length > 0) return secrets;
      // No secret yet: one is made now, so that every call is signed (docs/triggers.md).
      let pending = making.get(poolId);
      if (!pending) {
        pending = insert(poolId, now()).then(() => readLive(poolId));
        making.set(poolId, pending);
        pending.finally(() => making.delete(poolId)).catch(() => {});
      }
      return pending;
    },

    async rotate(poolId, overlapSeconds = DEFAULT_ROTATION_OVERLAP_SECONDS) {
      const at = now();
      const retiresAt = new Date(at.getTime() + overlapSeconds * 1000);
      return db.transaction(async (tx) => {
        // Those already retired are of no more use; those live retire after the overlap (or sooner, if set sooner).
        await tx.delete(hookSecrets).where(and(eq(hookSecrets.poolId, poolId), lte(hookSecrets.retiresAt, at)));
        const live = await tx.select().from(hookSecrets).where(eq(hookSecrets.poolId, poolId));
        const previous: RotatedSecret['previous'] = [];
        for (const row of live) {
          const retires = row.retiresAt && row.retiresAt < retiresAt ? row.retiresAt : retiresAt;
          if (overlapSeconds === 0) {
            await tx.delete(hookSecrets).where(eq(hookSecrets.id, row.id));
          } else if (row.retiresAt?.getTime() !== retires.getTime()) {
            await tx.update(hookSecrets).set({ retiresAt: retires }).where(eq(hookSecrets.id, row.id));
          }
          previous.push({ createdAt: row.createdAt, retiresAt: overlapSeconds === 0 ? at : retires });
        }
        const id = randomUUID();
        const secret = newHookSecret();
        await tx.insert(hookSecrets).values({ id, poolId, sealedSecret: box.seal(id, secret), createdAt: at });
        return { secret, createdAt: at, previous };
      });
    },
  };
}
