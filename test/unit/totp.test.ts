/**
 * TOTP (src/modules/mfa/totp.ts) against RFC 6238's own test vectors (Appendix B, SHA-1, the
 * 20-byte ASCII secret "12345678901234567890"), and the window of one step either side.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchTotp, newTotpSecret, totpCode, totpStepAt } from '../../src/modules/mfa/totp.ts';

/** "12345678901234567890" in base32 (RFC 4648). */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP (RFC 6238)', () => {
  it('makes RFC 6238’s SHA-1 codes (the last six digits of its eight)', () => {
    const vectors: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, eight] of vectors) {
      assert.equal(totpCode(RFC_SECRET, new Date(seconds * 1000)), eight.slice(-6), `T = ${seconds}`);
    }
  });

  it('accepts a code in its step and one step either side, and says which step it was', () => {
    const at = new Date(1111111111 * 1000);
    const step = totpStepAt(at);
    assert.equal(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, at), at), step);
    assert.equal(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() - 30_000)), at), step - 1);
    assert.equal(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() + 30_000)), at), step + 1);
    assert.equal(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() - 60_000)), at), undefined);
    assert.equal(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() + 60_000)), at), undefined);
  });

  it('refuses anything but six digits without comparing', () => {
    const at = new Date(59 * 1000);
    for (const bad of ['', '28708', '2870820', '94287082', '28708a', ' 287082', '２８７０８２']) {
      assert.equal(matchTotp(RFC_SECRET, bad, at), undefined, JSON.stringify(bad));
    }
  });

  it('new secrets are 160 random bits in base32, each different', () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    assert.match(a, /^[A-Z2-7]{32}$/);
    assert.notEqual(a, b);
    // A new secret makes codes an app would make (round trip through base32).
    const now = new Date();
    assert.equal(matchTotp(a, totpCode(a, now), now), totpStepAt(now));
  });
});
