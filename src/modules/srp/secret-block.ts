/**
 * SECRET_BLOCK: the server's SRP state (b, B, who and for which client) handed
 * to the client between InitiateAuth and RespondToAuthChallenge, so no session
 * table is needed. It holds b, so it is encrypted (AES-256-GCM), not only
 * signed; GCM's tag also makes any tampering fail to open.
 *
 * Layout, base64 encoded: iv (12 bytes) | tag (16 bytes) | ciphertext of
 * JSON {p: payload, exp: epoch milliseconds}.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { CognitoError } from '../../errors/cognito-error.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

const expired = () => new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');

export function createSecretBlocks(
  secret: string,
  ttlSeconds = 300,
): {
  seal(payload: Record<string, string>): string;
  open(block: string, now?: Date): Record<string, string>;
} {
  // A key of its own, so the same server secret can serve other purposes safely.
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'cognate srp secret block', 32));

  return {
    seal(payload) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = JSON.stringify({ p: payload, exp: Date.now() + ttlSeconds * 1000 });
      const ciphertext = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
    },

    /** Any failure (forged, tampered, truncated, expired) is the same answer: the client must start over. */
    open(block, now = new Date()) {
      const bytes = typeof block === 'string' ? Buffer.from(block, 'base64') : Buffer.alloc(0);
      if (bytes.length <= IV_BYTES + TAG_BYTES) throw expired();
      let sealed: { p: Record<string, string>; exp: number };
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const body = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
        sealed = JSON.parse(body.toString('utf8'));
      } catch {
        throw expired();
      }
      if (!(now.getTime() <= sealed.exp)) throw expired();
      return sealed.p;
    },
  };
}
