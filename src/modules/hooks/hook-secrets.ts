import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { and, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
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

function sealingKey(serverSecret: string): Buffer {
  // Its own label: the outbox's payload key and this one never coincide.
  return Buffer.from(hkdfSync('sha256', serverSecret, 'cognate', 'hook secret v1', 32));
}

function seal(key: Buffer, id: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(id));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

function open(key: Buffer, id: string, sealed: string): string {
  if (!sealed.startsWith('v1.')) throw new Error('unknown sealed hook secret version');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
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
  const key = sealingKey(options.secret);
  const now = options.now ?? (() => new Date());
  // Concurrent first calls in this process share one generated secret.
  const making = new Map<string, Promise<string[]>>();

  async function insert(poolId: string, createdAt: Date) {
    const id = randomUUID();
    const secret = newHookSecret();
    await db.insert(hookSecrets).values({ id, poolId, sealedSecret: seal(key, id, secret), createdAt });
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
        secrets.push(open(key, row.id, row.sealedSecret));
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
        await tx.insert(hookSecrets).values({ id, poolId, sealedSecret: seal(key, id, secret), createdAt: at });
        return { secret, createdAt: at, previous };
      });
    },
  };
}
