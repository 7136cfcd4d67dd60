import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CognitoError } from '../../errors/cognito-error.ts';

export type ChallengeName = 'NEW_PASSWORD_REQUIRED';

interface SessionClaims {
  /** user id */
  u: string;
  /** client id */
  c: string;
  /** challenge */
  n: ChallengeName;
  /** expiry, epoch seconds */
  e: number;
  /** the password's stamp when the challenge was issued (sign-in-steps.ts passwordStamp): a password set since ends it */
  p?: string;
}

const invalidSession = () =>
  new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');

/**
 * The opaque `session` that carries a sign-in from its challenge to the answer: signed, not
 * stored, and short-lived (Cognito's 3 minutes), so it proves the password was right a moment
 * ago and nothing more.
 */
export function createChallengeSessions(secret: string, ttlSeconds = 180) {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'cognate challenge sessions', 32));
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();

  function openClaims(session: string, clientId: string, challenge: ChallengeName): { userId: string; stamp?: string } {
    const [payload, signature, extra] = session.split('.');
    if (!payload || !signature || extra !== undefined) throw invalidSession();
    const given = Buffer.from(signature, 'base64url');
    const expected = mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidSession();
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      throw invalidSession();
    }
    if (claims.c !== clientId || claims.n !== challenge || claims.e < Date.now() / 1000) throw invalidSession();
    return { userId: claims.u, ...(typeof claims.p === 'string' && { stamp: claims.p }) };
  }

  return {
    issue(userId: string, clientId: string, challenge: ChallengeName, stamp?: string): string {
      const claims: SessionClaims = {
        u: userId,
        c: clientId,
        n: challenge,
        e: Math.floor(Date.now() / 1000) + ttlSeconds,
        ...(stamp !== undefined && { p: stamp }),
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },

    /** The user the session speaks for, if it is genuine, current, and for this client and challenge. */
    open(session: string, clientId: string, challenge: ChallengeName): string {
      return openClaims(session, clientId, challenge).userId;
    },

    /** As open, with the password stamp the session was issued with (docs/admin-auth.md, "What is revoked"). */
    opened: (session: string, clientId: string, challenge: ChallengeName) => openClaims(session, clientId, challenge),
  };
}

export type ChallengeSessions = ReturnType<typeof createChallengeSessions>;
