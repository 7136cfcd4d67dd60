import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { serverSecrets } from '../../db/schema/secrets.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Returns the stored secret, creating it first if no instance has yet. `on conflict do
 * nothing` then a read makes concurrent first starts agree on one value.
 */
async function storedSecret(db: Db, name: string, create: () => string): Promise<{ value: string; created: boolean }> {
  const candidate = create();
  const inserted = await db.insert(serverSecrets).values({ name, value: candidate }).onConflictDoNothing().returning();
  if (inserted.length > 0) return { value: candidate, created: true };
  const [row] = await db.select().from(serverSecrets).where(eq(serverSecrets.name, name));
  return { value: row!.value, created: false };
}

export async function loadCodeHmacSecret(db: Db, configured?: string): Promise<string> {
  if (configured) return configured;
  return (await storedSecret(db, 'code_hmac_secret', () => randomBytes(32).toString('base64url'))).value;
}

export interface AdminKeyCheck {
  /** Constant-time check of a presented key against the stored hash. */
  verify(presented: string): boolean;
  /** Set only on the start that generated the key: print it once, it is never stored in clear. */
  generatedKey?: string;
}

export async function loadAdminKey(db: Db, configured?: string): Promise<AdminKeyCheck> {
  let generatedKey: string | undefined;
  let hash: Buffer;
  if (configured) {
    hash = sha256(configured);
  } else {
    const key = `cog_${randomBytes(24).toString('base64url')}`;
    // A fast hash is right for a 192-bit random key; it is a password hash's job only for guessable secrets.
    const stored = await storedSecret(db, 'admin_api_key_sha256', () => sha256(key).toString('hex'));
    if (stored.created) generatedKey = key;
    hash = Buffer.from(stored.value, 'hex');
  }
  return {
    verify: (presented) => timingSafeEqual(sha256(presented), hash),
    ...(generatedKey && { generatedKey }),
  };
}
