import { createHash, randomBytes } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { oauthCodes } from '../../db/schema/oauth.ts';

/** Cognito's authorization codes live five minutes (docs/web-sign-in.md, "Endpoints"). */
export const CODE_TTL_SECONDS = 300;

export interface StoredCode {
  poolId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  authTime: Date;
  expiresAt: Date;
}

const hashCode = (code: string) => createHash('sha256').update(code, 'utf8').digest('hex');

/**
 * Authorization codes: opaque random values, kept only as their SHA-256, taken once. Taking a code
 * deletes it whatever follows (a wrong verifier or redirect URI spends it too), so no code is ever
 * exchanged twice, even by two requests at the same moment.
 */
export function createOAuthCodes(deps: { db: Db }) {
  const { db } = deps;
  return {
    async create(input: Omit<StoredCode, 'expiresAt'>): Promise<string> {
      const code = randomBytes(32).toString('base64url');
      await db.insert(oauthCodes).values({
        codeHash: hashCode(code),
        ...input,
        expiresAt: sql`now() + make_interval(secs => ${CODE_TTL_SECONDS})`,
      });
      // Expired codes of anyone are swept now and then, on the write path (cheap: indexed by expiry).
      if (Math.random() < 0.05) await db.delete(oauthCodes).where(lt(oauthCodes.expiresAt, sql`now()`));
      return code;
    },

    /** The code's row, deleted in the same statement; undefined when unknown, spent or expired. */
    async take(code: string): Promise<StoredCode | undefined> {
      if (code.length === 0 || code.length > 256) return undefined;
      const [row] = await db
        .delete(oauthCodes)
        .where(eq(oauthCodes.codeHash, hashCode(code)))
        .returning({
          poolId: oauthCodes.poolId,
          clientId: oauthCodes.clientId,
          userId: oauthCodes.userId,
          redirectUri: oauthCodes.redirectUri,
          scopes: oauthCodes.scopes,
          nonce: oauthCodes.nonce,
          codeChallenge: oauthCodes.codeChallenge,
          codeChallengeMethod: oauthCodes.codeChallengeMethod,
          authTime: oauthCodes.authTime,
          expiresAt: oauthCodes.expiresAt,
          live: sql<boolean>`${oauthCodes.expiresAt} > now()`,
        });
      if (!row || !row.live) return undefined;
      const { live: _live, ...stored } = row;
      return stored;
    },
  };
}

export type OAuthCodes = ReturnType<typeof createOAuthCodes>;
