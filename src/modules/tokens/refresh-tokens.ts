import { createHash, randomBytes } from 'node:crypto';

/**
 * Refresh tokens are opaque random secrets; only their hash is stored, so a
 * leaked table cannot be replayed. A fast, unsalted SHA-256 is right here (not
 * argon2 as for passwords): with 256 bits of entropy there is nothing to guess
 * or precompute, and a deterministic hash lets us look the token up by index.
 */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
