import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) as authenticator apps and Cognito use it: SHA-1, 6 digits, 30-second steps, a
 * 160-bit secret shown in base32 (Cognito's SecretCode). A code is accepted in the step it was
 * made for or one step either side (clock drift); which step matched is returned, so the caller
 * accepts each step once only (docs/mfa.md, "TOTP").
 */

export const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;

const totpOf = (base32: string) =>
  new TOTP({ secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS });

/** A new random secret, base32 without padding (32 characters). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The time step a moment falls in. */
export const totpStepAt = (at: Date): number => Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);

/** The code for a secret at a moment (tests and the docs' examples). */
export function totpCode(base32: string, at: Date = new Date()): string {
  return totpOf(base32).generate({ timestamp: at.getTime() });
}

/**
 * The time step `code` was made for, within the window around `at`; undefined when it matches
 * none (or is not six digits). The comparison is otpauth's, in constant time.
 */
export function matchTotp(base32: string, code: string, at: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(base32).validate({ token: code, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? undefined : totpStepAt(at) + delta;
}
