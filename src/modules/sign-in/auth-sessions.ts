import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { authSessions } from '../../db/schema/sign-in.ts';

/**
 * Stored, single-use challenge sessions (table auth_sessions, docs/custom-auth.md "Sessions"): the
 * client holds an opaque random token; only its SHA-256 is stored, so the table alone cannot answer
 * a challenge. Taking a session deletes it, so a replayed token finds nothing.
 */

export interface AuthSessionRow<State> {
  poolId: string;
  clientId: string;
  userId: string | null;
  state: State;
  expiresAt: Date;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Which flow a session belongs to, written before the token's random part (`mfa.<random>`), so
 * RespondToAuthChallenge can route a challenge name two flows share (EMAIL_OTP: a second factor,
 * or a passwordless first one). The whole token is hashed, so a client that changes the kind
 * names no session at all; each flow still checks the state it takes is its own.
 */
export type AuthSessionKind = 'custom' | 'mfa' | 'user-auth' | 'device';
const KINDS: readonly AuthSessionKind[] = ['custom', 'mfa', 'user-auth', 'device'];

/** The flow a session token names; custom authentication's tokens (issue 16) carry no kind. */
export function sessionKind(token: string): AuthSessionKind | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return 'custom';
  const kind = token.slice(0, dot);
  return (KINDS as readonly string[]).includes(kind) ? (kind as AuthSessionKind) : undefined;
}

/** Expired rows removed per new session: enough to keep the table small, cheap enough for every sign-in. */
const CLEANUP_BATCH = 50;

export function createAuthSessions(deps: { db: Db; now?: () => Date }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Puts a taken session back under the same token with a new state, keeping its expiry: another
     * try after a wrong code, with the try counted in `state` (the client keeps its Session, as
     * Cognito's clients do after CodeMismatchException). Never after a success.
     */
    async restore<State extends Record<string, unknown>>(token: string, row: AuthSessionRow<State>): Promise<void> {
      await db
        .insert(authSessions)
        .values({
          id: randomUUID(),
          tokenHash: hashOf(token),
          poolId: row.poolId,
          clientId: row.clientId,
          userId: row.userId,
          state: row.state,
          expiresAt: row.expiresAt,
        })
        .onConflictDoNothing();
    },

    /** Stores a session that ends after `minutes`; returns the token the client holds. */
    async issue<State extends Record<string, unknown>>(input: {
      poolId: string;
      clientId: string;
      userId: string | null;
      state: State;
      minutes: number;
      /** The flow (default custom, whose tokens carry no prefix). */
      kind?: AuthSessionKind;
    }): Promise<string> {
      const random = randomBytes(48).toString('base64url');
      const token = input.kind && input.kind !== 'custom' ? `${input.kind}.${random}` : random;
      const at = now();
      await db.insert(authSessions).values({
        id: randomUUID(),
        tokenHash: hashOf(token),
        poolId: input.poolId,
        clientId: input.clientId,
        userId: input.userId,
        state: input.state,
        expiresAt: new Date(at.getTime() + input.minutes * 60_000),
      });
      // Opportunistic clean-up: a few expired sessions go with each new one (the index on expires_at finds them).
      await db.execute(
        sql`delete from ${authSessions} where ${authSessions.id} in (select ${authSessions.id} from ${authSessions} where ${lt(authSessions.expiresAt, at)} limit ${CLEANUP_BATCH})`,
      );
      return token;
    },

    /**
     * Ends every pending sign-in of a user (custom, MFA, device, USER_AUTH steps): an administrator
     * set or reset the password (docs/admin-auth.md, "What is revoked"). In the caller's transaction.
     */
    async endAllFor(q: Queryable, userId: string): Promise<void> {
      await q.delete(authSessions).where(eq(authSessions.userId, userId));
    },

    /**
     * Takes the session the token names: deleted in the same statement, so two answers with one
     * token cannot both proceed. Undefined when unknown, used already or expired.
     */
    async take<State>(token: string): Promise<AuthSessionRow<State> | undefined> {
      const [row] = await db
        .delete(authSessions)
        .where(eq(authSessions.tokenHash, hashOf(token)))
        .returning();
      if (!row || row.expiresAt.getTime() <= now().getTime()) return undefined;
      return {
        poolId: row.poolId,
        clientId: row.clientId,
        userId: row.userId,
        state: row.state as State,
        expiresAt: row.expiresAt,
      };
    },
  };
}

export type AuthSessions = ReturnType<typeof createAuthSessions>;
