/**
 * Sign-ins sent to an external provider and not yet back (docs/federation.md, "Security"). The
 * `state` sent upstream is 32 random bytes, kept only as its SHA-256; the request is bound to the
 * browser that started it by a cookie whose SHA-256 is kept; it is taken once (deleted as it is
 * read) and lives ten minutes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { federationRequests } from '../../db/schema/federation.ts';

/** How long a sign-in may stay at the provider. */
export const FEDERATION_REQUEST_SECONDS = 600;

export type FederationRequestRow = typeof federationRequests.$inferSelect;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');
const random = () => randomBytes(32).toString('base64url');

/** Why a returning sign-in is refused: every case shows the error page and issues nothing. */
export type TakeRefusal = 'unknown' | 'expired' | 'other-browser';

export function createFederationRequests(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** Files a request; returns the state to send upstream and the browser cookie's value. */
    async create(input: {
      poolId: string;
      providerName: string;
      authorizeQuery: string;
      redirectUri: string;
      nonce: string;
      codeVerifier: string;
    }): Promise<{ state: string; browserToken: string }> {
      const state = random();
      const browserToken = random();
      // Expired requests of this pool go as new ones come: the table stays small without a sweeper.
      await db
        .delete(federationRequests)
        .where(and(eq(federationRequests.poolId, input.poolId), lt(federationRequests.expiresAt, sql`now()`)));
      await db.insert(federationRequests).values({
        ...input,
        stateHash: sha256(state),
        browserHash: sha256(browserToken),
        expiresAt: sql`now() + make_interval(secs => ${FEDERATION_REQUEST_SECONDS})`,
      });
      return { state, browserToken };
    },

    /**
     * Takes the request a returning `state` names: deleted in the same statement that reads it, so
     * a state is used once even by two answers at the same moment. The row goes whatever the
     * outcome: a state shown to another browser is spent.
     */
    async take(
      state: string,
      browserToken: string | undefined,
    ): Promise<{ request: FederationRequestRow } | { refused: TakeRefusal }> {
      if (state.length === 0 || state.length > 256) return { refused: 'unknown' };
      const [row] = await db
        .delete(federationRequests)
        .where(eq(federationRequests.stateHash, sha256(state)))
        .returning({ ...getColumns(), expired: sql<boolean>`${federationRequests.expiresAt} < now()` });
      if (!row) return { refused: 'unknown' };
      const { expired, ...request } = row;
      if (expired) return { refused: 'expired' };
      const sent = Buffer.from(sha256(browserToken ?? ''), 'ascii');
      const kept = Buffer.from(request.browserHash, 'ascii');
      if (!browserToken || sent.length !== kept.length || !timingSafeEqual(sent, kept))
        return { refused: 'other-browser' };
      return { request };
    },
  };
}

function getColumns() {
  const t = federationRequests;
  return {
    stateHash: t.stateHash,
    poolId: t.poolId,
    providerName: t.providerName,
    authorizeQuery: t.authorizeQuery,
    redirectUri: t.redirectUri,
    nonce: t.nonce,
    codeVerifier: t.codeVerifier,
    browserHash: t.browserHash,
    expiresAt: t.expiresAt,
    createdAt: t.createdAt,
  };
}

export type FederationRequests = ReturnType<typeof createFederationRequests>;
