import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets kept at rest sealed with a key derived from the server secret: AES-256-GCM, each kind
 * of secret under its own HKDF label (so keys never coincide), and the row's id as associated
 * data, so a sealed value cannot be moved to another row. `v1.<base64url(iv | tag | body)>`.
 */
export interface SealedBox {
  seal(id: string, plaintext: string): string;
  /** Throws when the value was sealed for another row, another label or another server secret. */
  open(id: string, sealed: string): string;
}

export function createSealedBox(serverSecret: string, label: string): SealedBox {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'cognate', label, 32));
  return {
    seal(id, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(id, sealed) {
      if (!sealed.startsWith('v1.')) throw new Error(`unknown sealed value version (${label})`);
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
