import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { loginSessions } from '../../db/schema/tokens.ts';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens.ts';

/** Cognito's managed login session lasts an hour (docs/web-sign-in.md, "The login session"). */
export const LOGIN_SESSION_SECONDS = 3600;

/** The cookie that carries it (set and cleared by the pages and /logout, read by /oauth2/authorize). */
export const LOGIN_SESSION_COOKIE = 'cognate-login';

export interface LoginSession {
  poolId: string;
  userId: string;
  authTime: Date;
}

/**
 * The managed login pages' session: the cookie's value is an opaque random token, kept only as
 * its hash. It is the pages' business to set and clear the cookie; /oauth2/authorize reads it.
 * Whether its user may still sign in (enabled, not deleted) is checked by the caller at use.
 */
export function createLoginSessions(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** A new session after a sign-in on the pages: the cookie's value. */
    async start(poolId: string, userId: string, authTime: Date = new Date()): Promise<string> {
      const { token, hash } = newRefreshToken();
      await db.insert(loginSessions).values({
        tokenHash: hash,
        poolId,
        userId,
        authTime,
        expiresAt: sql`now() + make_interval(secs => ${LOGIN_SESSION_SECONDS})`,
      });
      return token;
    },

    /** The live session a cookie names in this pool, or null. */
    async find(poolId: string, token: string): Promise<LoginSession | null> {
      if (token.length === 0 || token.length > 128) return null;
      const [row] = await db
        .select({ poolId: loginSessions.poolId, userId: loginSessions.userId, authTime: loginSessions.authTime })
        .from(loginSessions)
        .where(
          and(
            eq(loginSessions.tokenHash, hashRefreshToken(token)),
            eq(loginSessions.poolId, poolId),
            gt(loginSessions.expiresAt, sql`now()`),
          ),
        );
      return row ?? null;
    },

    /**
     * Whether a login session of the user that began at `authTime` is still live: an
     * authorization code dies with the login session it was issued in (a /logout, a password
     * reset or change, GlobalSignOut; docs/web-sign-in.md, "Endpoints").
     */
    async liveAt(userId: string, authTime: Date): Promise<boolean> {
      const [row] = await db
        .select({ userId: loginSessions.userId })
        .from(loginSessions)
        .where(
          and(
            eq(loginSessions.userId, userId),
            eq(loginSessions.authTime, authTime),
            gt(loginSessions.expiresAt, sql`now()`),
          ),
        )
        .limit(1);
      return row !== undefined;
    },

    /** /logout: this session ends (an unknown token has nothing to end). */
    async end(token: string): Promise<void> {
      await db.delete(loginSessions).where(eq(loginSessions.tokenHash, hashRefreshToken(token)));
    },

    /**
     * Everything that ends all of a user's sessions ends their login sessions too: a password
     * reset or change, GlobalSignOut, disabling (stricter than Cognito; docs/web-sign-in.md).
     */
    async endAllFor(q: Queryable, userId: string): Promise<void> {
      await q.delete(loginSessions).where(eq(loginSessions.userId, userId));
    },
  };
}

export type LoginSessions = ReturnType<typeof createLoginSessions>;
