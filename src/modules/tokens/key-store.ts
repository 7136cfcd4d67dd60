import { and, asc, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { unnamedStatements, type Db, type Queryable, type StatementName } from '../../db/client.ts';
import { signingKeys } from '../../db/schema/tokens.ts';
import { poolNotFound, type PoolsService } from '../pools/pools.service.ts';
import type { SigningKeyInfo } from './tokens.types.ts';
import { CLOCK_TOLERANCE_SECONDS, type VerificationKey } from './jwt.ts';
import { generateSigningKey, jwks, type SigningKey } from './signing-keys.ts';

/**
 * A new pool's first key, made before the pool's transaction (RSA generation takes a while) and
 * stored inside it: a pool never exists without a key to sign its tokens.
 */
export async function firstSigningKey(): Promise<(tx: Queryable, poolId: string) => Promise<void>> {
  const key = await generateSigningKey();
  return async (tx, poolId) => {
    await tx.insert(signingKeys).values({ ...key, poolId });
  };
}

/** Each pool's signing keys: the current one, those retiring, rotation, and the JWKS. */
export function createSigningKeyStore(deps: {
  db: Db;
  pools: PoolsService;
  /** Server-side statement names, when the connection keeps them (DATABASE_NAMED_STATEMENTS). */
  statementName?: StatementName;
}) {
  const { db, pools } = deps;

  // Read for every token issued, so prepared once; not cached, so a rotation holds at once everywhere.
  const currentKey = db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.poolId, sql.placeholder('poolId')), isNull(signingKeys.retiresAt)))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1)
    .prepare((deps.statementName ?? unnamedStatements)('cognate_current_signing_key'));

  async function listSigningKeys(poolId: string): Promise<SigningKeyInfo[]> {
    await pools.getPool(poolId);
    return db
      .select({ kid: signingKeys.kid, createdAt: signingKeys.createdAt, retiresAt: signingKeys.retiresAt })
      .from(signingKeys)
      .where(eq(signingKeys.poolId, poolId))
      .orderBy(desc(signingKeys.createdAt), asc(signingKeys.kid));
  }

  return {
    /** The key new tokens are signed with: the newest one not retiring. */
    async currentSigningKey(poolId: string): Promise<SigningKey> {
      const [key] = await currentKey.execute({ poolId });
      if (!key) throw poolNotFound(poolId);
      return key;
    },

    /** The key a token names, with the issuer it must carry: a key only vouches for its own pool. */
    async verificationKey(kid: string): Promise<VerificationKey | undefined> {
      const [key] = await db.select().from(signingKeys).where(eq(signingKeys.kid, kid));
      return key
        ? { publicKeyPem: key.publicKeyPem, issuer: pools.issuerOf(key.poolId), retiresAt: key.retiresAt }
        : undefined;
    },

    /** The pool's live keys: the current one and those still in their overlap; retired keys are left out. */
    async jwks(poolId: string) {
      await pools.getPool(poolId);
      const keys = await db
        .select()
        .from(signingKeys)
        .where(
          and(eq(signingKeys.poolId, poolId), or(isNull(signingKeys.retiresAt), gt(signingKeys.retiresAt, new Date()))),
        )
        .orderBy(desc(signingKeys.createdAt));
      return jwks(keys);
    },

    listSigningKeys,

    /**
     * A new current key. Every older key still live retires after the pool's longest access or ID
     * token lifetime plus the clock tolerance, so each token already issued verifies until it expires.
     */
    async rotateSigningKey(poolId: string): Promise<SigningKeyInfo[]> {
      const key = await generateSigningKey();
      await db.transaction(async (tx) => {
        // The pool row locked: two rotations at once still leave exactly one current key.
        const pool = await pools.lockPool(tx, poolId);
        const { accessTokenTtlSeconds, idTokenTtlSeconds } = pool.policies.tokens;
        const now = Date.now();
        const retiresAt = new Date(
          now + (Math.max(accessTokenTtlSeconds, idTokenTtlSeconds) + CLOCK_TOLERANCE_SECONDS) * 1000,
        );
        await tx
          .update(signingKeys)
          .set({ retiresAt })
          .where(and(eq(signingKeys.poolId, poolId), isNull(signingKeys.retiresAt)));
        await tx.insert(signingKeys).values({ ...key, createdAt: new Date(now), poolId });
      });
      return listSigningKeys(poolId);
    },
  };
}

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>;
