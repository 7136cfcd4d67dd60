/** A signing key as the admin API shows it: never its private part. */
export interface SigningKeyInfo {
  kid: string;
  createdAt: Date;
  /** null for the current key; else when it stops verifying (and leaves the JWKS). */
  retiresAt: Date | null;
}
