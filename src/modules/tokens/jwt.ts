import { randomUUID } from 'node:crypto';
import { createDecoder, createSigner, createVerifier } from 'fast-jwt';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { SigningKey } from './signing-keys.ts';

export const ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';

export interface IdTokenInput {
  sub: string;
  /** The app client id; becomes `aud`. */
  clientId: string;
  /** `<PUBLIC_URL>/<poolId>` */
  issuer: string;
  username: string;
  authTime: Date;
  /** Id of the refresh-token session this token belongs to. */
  originJti: string;
  /** Id of the authentication event; shared by the ID and access token it produced. */
  eventId: string;
  /**
   * Attributes the client may read, copied in as given (`email_verified` as a boolean, `identities`
   * as an array: docs/federation.md, "Users and linking").
   */
  attributes: Record<string, unknown>;
  /**
   * Groups, roles and a PreTokenGeneration hook's claims (docs/groups.md). Never a reserved claim:
   * those are spread last and win.
   */
  claims?: Record<string, unknown>;
  /** Claims a PreTokenGeneration hook suppressed (attributes or its own; never a reserved one). */
  suppress?: string[];
  /** The OAuth authorization request's nonce (docs/web-sign-in.md, "Tokens and scopes"). */
  nonce?: string;
  /** OIDC's at_hash of the access token issued with it (an OAuth session's ID tokens). */
  atHash?: string;
}

export type AccessTokenInput = Omit<IdTokenInput, 'attributes' | 'nonce' | 'atHash'> & {
  /** The access token's scopes; default aws.cognito.signin.user.admin. */
  scopes?: string[];
  /** The device the session was started on (docs/devices.md): `device_key`. */
  deviceKey?: string;
};

function without(claims: Record<string, unknown>, suppress: string[] | undefined): Record<string, unknown> {
  if (!suppress || suppress.length === 0) return claims;
  const kept = { ...claims };
  for (const name of suppress) delete kept[name];
  return kept;
}

interface CommonClaims {
  sub: string;
  iss: string;
  auth_time: number;
  exp: number;
  iat: number;
  jti: string;
  origin_jti: string;
  event_id: string;
}

export interface IdTokenClaims extends CommonClaims {
  aud: string;
  token_use: 'id';
  'cognito:username': string;
  [attribute: string]: unknown;
}

export interface AccessTokenClaims extends CommonClaims {
  client_id: string;
  username: string;
  token_use: 'access';
  scope: string;
  'cognito:groups'?: string[];
  device_key?: string;
}

type KeyForSigning = Pick<SigningKey, 'kid' | 'privateKeyPem'>;

/**
 * Signers by key: making one parses the private key's PEM (createPrivateKey), a sizeable part
 * of a sign-in's event-loop time (bench/run.ts). Few keys are live at once; the map is emptied
 * if it ever grows.
 */
const signers = new Map<string, (payload: object) => string>();

function sign(key: KeyForSigning, payload: object): string {
  const id = `${key.kid}\n${key.privateKeyPem}`;
  let signer = signers.get(id);
  if (!signer) {
    if (signers.size >= 64) signers.clear();
    signer = createSigner({ key: key.privateKeyPem, algorithm: 'RS256', kid: key.kid }) as (payload: object) => string;
    signers.set(id, signer);
  }
  return signer(payload as Record<string, unknown>);
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function commonClaims(input: AccessTokenInput, lifetimeSeconds: number, now: Date): CommonClaims {
  const iat = seconds(now);
  return {
    sub: input.sub,
    iss: input.issuer,
    auth_time: seconds(input.authTime),
    exp: iat + lifetimeSeconds,
    iat,
    jti: randomUUID(),
    origin_jti: input.originJti,
    event_id: input.eventId,
  };
}

export function signIdToken(
  key: KeyForSigning,
  input: IdTokenInput,
  lifetimeSeconds: number,
  now = new Date(),
): string {
  // Reserved claims are spread last: a user-writable attribute must never forge sub, aud, iss or token_use.
  const claims: IdTokenClaims = {
    ...without({ ...input.attributes, ...input.claims }, input.suppress),
    ...commonClaims(input, lifetimeSeconds, now),
    aud: input.clientId,
    token_use: 'id',
    'cognito:username': input.username,
    ...(input.nonce !== undefined && { nonce: input.nonce }),
    ...(input.atHash !== undefined && { at_hash: input.atHash }),
  };
  return sign(key, claims);
}

/** A machine-to-machine access token (client_credentials; docs/web-sign-in.md, "Machine-to-machine"). */
export interface ClientAccessTokenInput {
  clientId: string;
  issuer: string;
  scopes: string[];
  /** A PreTokenGeneration V3 hook's claims and suppressions (never a reserved claim). */
  claims?: Record<string, unknown>;
  suppress?: string[];
}

/**
 * Cognito's machine-to-machine access token: `sub` is the client id, no user and no session
 * (`username` and `origin_jti` absent), so the user-pool API refuses it (verifyAccessToken
 * requires both) while resource servers verify it as any access token of the pool.
 */
export function signClientAccessToken(
  key: KeyForSigning,
  input: ClientAccessTokenInput,
  lifetimeSeconds: number,
  now = new Date(),
): string {
  const iat = seconds(now);
  return sign(key, {
    ...without(input.claims ?? {}, input.suppress),
    sub: input.clientId,
    iss: input.issuer,
    version: 2,
    client_id: input.clientId,
    token_use: 'access',
    scope: input.scopes.join(' '),
    auth_time: iat,
    exp: iat + lifetimeSeconds,
    iat,
    jti: randomUUID(),
  });
}

export function signAccessToken(
  key: KeyForSigning,
  input: AccessTokenInput,
  lifetimeSeconds: number,
  now = new Date(),
): string {
  const claims: AccessTokenClaims = {
    ...without(input.claims ?? {}, input.suppress),
    ...commonClaims(input, lifetimeSeconds, now),
    client_id: input.clientId,
    username: input.username,
    token_use: 'access',
    scope: (input.scopes ?? [ACCESS_TOKEN_SCOPE]).join(' '),
    ...(input.deviceKey !== undefined && { device_key: input.deviceKey }),
  };
  return sign(key, claims);
}

/**
 * What a `kid` resolves to. The key comes with the issuer of the pool that owns
 * it, and the token's `iss` must equal it exactly: this binds key and pool in
 * one step, so a token signed by pool A's key cannot claim to come from pool B,
 * and the caller gets no `iss` to parse or forget to compare.
 */
export interface VerificationKey {
  publicKeyPem: string;
  issuer: string;
  /** Set once a newer key replaced this one; from then on the key verifies nothing. */
  retiresAt?: Date | null;
}

/** How far the clocks of Cognate and a token's verifier may drift: expiry and rotation overlaps allow this much. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export interface VerifyAccessTokenOptions {
  resolveKey(kid: string): Promise<VerificationKey | undefined> | VerificationKey | undefined;
  clockToleranceSeconds?: number;
}

const decodeComplete = createDecoder({ complete: true });
const REQUIRED_CLAIMS = [
  'sub',
  'iss',
  'exp',
  'iat',
  'auth_time',
  'jti',
  'origin_jti',
  'event_id',
  'client_id',
  'username',
  'token_use',
  'scope',
];

class InvalidToken extends Error {}

/**
 * Every token failure becomes the same NotAuthorizedException, so a caller
 * cannot probe which check failed; the reason stays in `cause` for logs.
 * A failing `resolveKey` (say, the database is down) is not the token's fault
 * and propagates unchanged, so an outage is not reported as a bad token.
 */
export async function verifyAccessToken(token: string, opts: VerifyAccessTokenOptions): Promise<AccessTokenClaims> {
  const toleranceMs = (opts.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS) * 1000;
  let kid: string;
  try {
    kid = kidOf(token);
  } catch (cause) {
    throw invalidAccessToken(cause);
  }
  const key = await opts.resolveKey(kid);
  try {
    if (!key) throw new InvalidToken(`unknown kid ${kid}`);
    // A retired key's overlap already covers the longest token lifetime and the skew: no tolerance on top.
    if (key.retiresAt && key.retiresAt.getTime() <= Date.now()) throw new InvalidToken(`kid ${kid} retired`);
    return checkAccessToken(token, key, toleranceMs);
  } catch (cause) {
    throw invalidAccessToken(cause);
  }
}

function invalidAccessToken(cause: unknown): CognitoError {
  return new CognitoError('NotAuthorizedException', 'Invalid Access Token', { cause });
}

function kidOf(token: string): string {
  const { header } = decodeComplete(token) as { header: Record<string, unknown> };
  if (header.alg !== 'RS256') throw new InvalidToken(`alg ${String(header.alg)} is not RS256`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new InvalidToken('kid missing');
  // Checked before any lookup: a NUL or an odd kid must not reach a database query (it failed there as a 500).
  if (!KID_SHAPE.test(header.kid)) throw new InvalidToken('kid malformed');
  return header.kid;
}

/** The kids generateSigningKey makes are base64url; anything else names no key of ours. */
const KID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Verifiers by key, issuer and tolerance: making one parses the PEM (createPublicKey), which was
 * a seventh of an authenticated request's CPU (bench/run.ts). A verifier holds only its cache of
 * verified tokens; a handful of keys are live at once, so the map is simply emptied if it ever grows.
 */
const verifiers = new Map<string, (token: string) => unknown>();

function verifierFor(key: VerificationKey, toleranceMs: number) {
  const id = `${toleranceMs}\n${key.issuer}\n${key.publicKeyPem}`;
  let verify = verifiers.get(id);
  if (!verify) {
    if (verifiers.size >= 64) verifiers.clear();
    // Pinned to RS256: rejects `none` and HS256 "signed" with the public key as secret.
    verify = createVerifier({
      key: key.publicKeyPem,
      algorithms: ['RS256'],
      allowedIss: key.issuer,
      clockTolerance: toleranceMs,
      requiredClaims: REQUIRED_CLAIMS,
      // A token verified once is not verified again until it expires (fast-jwt's LRU, keyed by
      // the token's hash, never past `exp`): a client sends the same access token with every
      // request for an hour, and the RSA check was a tenth of an authenticated request's work.
      // Failures are not cached; revocation is checked against the session on every request.
      cache: 2000,
    });
    verifiers.set(id, verify);
  }
  return verify;
}

function checkAccessToken(token: string, key: VerificationKey, toleranceMs: number): AccessTokenClaims {
  const verify = verifierFor(key, toleranceMs);
  const claims = verify(token) as Record<string, unknown>;

  // fast-jwt checks exp (and nbf) but not an iat in the future.
  if (typeof claims.iat !== 'number' || claims.iat * 1000 > Date.now() + toleranceMs)
    throw new InvalidToken('iat in the future');
  if (claims.token_use !== 'access') throw new InvalidToken(`token_use ${String(claims.token_use)}`);
  for (const name of ['sub', 'client_id', 'username', 'jti', 'origin_jti', 'event_id', 'scope'] as const) {
    if (typeof claims[name] !== 'string') throw new InvalidToken(`${name} is not a string`);
  }
  if (typeof claims.auth_time !== 'number') throw new InvalidToken('auth_time is not a number');
  return claims as unknown as AccessTokenClaims;
}
