import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** Six digits from the CSPRNG (docs/api.md, "Decisions"). */
export function generateCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * Codes are stored only as an HMAC under a server secret, bound to the user, purpose and
 * attribute: a leaked table reveals no code, and a code cannot be replayed elsewhere.
 */
export function hmacCode(
  secret: string,
  scope: { userId: string; purpose: string; attributeName: string },
  code: string,
): string {
  return createHmac('sha256', secret)
    .update(`${scope.userId}\n${scope.purpose}\n${scope.attributeName}\n${code}`)
    .digest('hex');
}

export function sameHmac(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
