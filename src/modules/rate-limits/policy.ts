import { createHash } from 'node:crypto';

/**
 * What is limited: every route that costs money (codes sent by email or SMS) or guards a secret
 * (passwords, codes), on the REST face and the Cognito face alike, counted in one bucket per kind.
 */
export const LIMIT_KINDS = ['signIn', 'signUp', 'codeSend', 'codeCheck', 'refresh'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

export interface KindLimit {
  /** Requests per window from one client address (IPv6: one /64); 0 turns this limit off. */
  perIp: number;
  /**
   * Requests per window naming one user or address (username, email, phone) from one client
   * address, or made by one signed-in user about itself; 0: off. See docs/limits.md.
   */
  perTarget: number;
  windowSeconds: number;
}

export interface RateLimitPolicy {
  enabled: boolean;
  kinds: Record<LimitKind, KindLimit>;
}

/**
 * Defaults (docs/limits.md): generous for people (a shared office address, a user retrying), tight
 * for scripts. Sign-in per target is backed by the lockout; code sends also meet the pool's per-user hourly limit.
 */
export const DEFAULT_RATE_LIMITS: RateLimitPolicy = {
  enabled: true,
  kinds: {
    signIn: { perIp: 100, perTarget: 30, windowSeconds: 60 },
    signUp: { perIp: 50, perTarget: 5, windowSeconds: 3600 },
    codeSend: { perIp: 50, perTarget: 10, windowSeconds: 3600 },
    codeCheck: { perIp: 100, perTarget: 20, windowSeconds: 3600 },
    refresh: { perIp: 300, perTarget: 0, windowSeconds: 60 },
  },
};

/** The environment names of a kind: RATE_LIMIT_SIGN_IN_PER_IP and so on. */
export const kindEnvName = (kind: LimitKind) => kind.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/**
 * What one request is counted against: its kind, and the users or addresses it names. A target
 * is counted whether or not such a user exists, so a limit never tells who does.
 * Named targets count per client address (docs/limits.md): anyone can type a name, so a count
 * across addresses would let anyone use up a user's sign-in, sign-up or reset.
 */
export interface LimitedCall {
  kind: LimitKind;
  /** Scope of the targets (the app client named in the body), so pools do not share counters. */
  scope?: string;
  targets: string[];
  /** Cognito actions that name the user by access token: the caller is the target. */
  accessToken?: string;
}

/** Counter keys: hashed, so the table holds no usernames, emails or phone numbers. */
export function ipKey(kind: LimitKind, ip: string): string {
  return `${kind}:ip:${ip}`;
}

/** A name as one client address sends it (`address` as sourceOf gives it: an IPv6 caller is its /64). */
export function targetKey(kind: LimitKind, scope: string | undefined, target: string, address: string): string {
  const normalized = target
    .trim()
    .toLowerCase()
    .replace(/[\s()-]/g, '');
  return `${kind}:t:${hashedName(scope ?? '', normalized)}:${address}`;
}

/** A signed-in user's own requests, from any address: only a holder of its access token adds to this count. */
export function callerKey(kind: LimitKind, userId: string): string {
  return `${kind}:u:${userId}`;
}

/** A name within its scope (a client, a pool) as counter keys hold it: hashed, never in the clear. */
export function hashedName(scope: string, name: string): string {
  return createHash('sha256').update(`${scope}\u0000${name}`).digest('base64url').slice(0, 32);
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const present = (...values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined);

/** Sign-up names its user by username, email and phone: each is a target. */
function signUpTargets(username: unknown, attributes: Record<string, unknown>): string[] {
  return present(text(username), text(attributes.email), text(attributes.phone_number));
}

/** The Cognito actions that are limited, and what they are counted against. */
export function cognitoLimitedCall(action: string, input: unknown): LimitedCall | undefined {
  const body = record(input);
  const scope = text(body.ClientId);
  const username = text(body.Username);
  switch (action) {
    case 'SignUp': {
      const attributes: Record<string, unknown> = {};
      if (Array.isArray(body.UserAttributes))
        for (const a of body.UserAttributes) attributes[String(record(a).Name)] = record(a).Value;
      return { kind: 'signUp', scope, targets: signUpTargets(username, attributes) };
    }
    case 'ConfirmSignUp':
    case 'ConfirmForgotPassword':
      return { kind: 'codeCheck', scope, targets: present(username) };
    case 'ResendConfirmationCode':
    case 'ForgotPassword':
      return { kind: 'codeSend', scope, targets: present(username) };
    case 'InitiateAuth': {
      const flow = text(body.AuthFlow);
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') return { kind: 'refresh', scope, targets: [] };
      return { kind: 'signIn', scope, targets: present(text(record(body.AuthParameters).USERNAME)) };
    }
    case 'RespondToAuthChallenge':
      return { kind: 'signIn', scope, targets: present(text(record(body.ChallengeResponses).USERNAME)) };
    case 'GetTokensFromRefreshToken':
      return { kind: 'refresh', scope, targets: [] };
    case 'GetUserAttributeVerificationCode':
      return { kind: 'codeSend', targets: [], ...(text(body.AccessToken) && { accessToken: text(body.AccessToken) }) };
    case 'VerifyUserAttribute':
      return { kind: 'codeCheck', targets: [], ...(text(body.AccessToken) && { accessToken: text(body.AccessToken) }) };
    default:
      return undefined;
  }
}

/** The REST routes' bodies name their targets the same way. */
export function restTargets(kind: LimitKind, body: unknown): { scope?: string; targets: string[] } {
  const b = record(body);
  const scope = text(b.clientId);
  if (kind === 'signUp') return { scope, targets: signUpTargets(b.username, record(b.userAttributes)) };
  return { scope, targets: present(text(b.username)) };
}
