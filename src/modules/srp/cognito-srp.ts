/**
 * The server half of Cognito's SRP-6a variant (USER_SRP_AUTH), as Amplify and
 * amazon-cognito-identity-js speak it on the client. Pure functions: the caller
 * stores the verifier, carries b between the two requests (see secret-block.ts)
 * and decides what a failed proof means.
 *
 * Every number crosses the wire as hex; hashes are taken over the bytes of
 * padHex() encodings, so padHex must match the clients' rule exactly.
 */
import { createHash, createHmac, getDiffieHellman, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { modPow } from 'bigint-mod-arith';
import { CognitoError } from '../../errors/cognito-error.ts';

export interface SrpVerifier {
  salt: string;
  verifier: string;
}

// RFC 3526 group 15 (the 3072-bit MODP prime, also RFC 5054's 3072-bit group) is
// what Cognito uses; OpenSSL ships it, which spares us a 768-digit literal.
const N = BigInt('0x' + getDiffieHellman('modp15').getPrime('hex'));
const g = 2n;
const k = BigInt('0x' + hashHex(padHex(N) + padHex(g)));

const INFO = Buffer.from('Caldera Derived Key', 'utf8');
const CLAIM_WINDOW_MS = 5 * 60 * 1000;
// A is at most 3072 bits; allow leading zeros but refuse to parse megabytes into a BigInt.
const MAX_A_HEX = 1024;

/**
 * Hex of a non-negative integer as Java's BigInteger.toByteArray() would give it:
 * even length, and a leading 00 when the top bit is set so it still reads as positive.
 */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  if ('89abcdef'.includes(hex[0]!)) hex = '00' + hex;
  return hex;
}

/** SHA-256 over the bytes a hex string spells, as hex. */
function hashHex(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

function parseHex(hex: string, maxLength = MAX_A_HEX): bigint | null {
  return typeof hex === 'string' && hex.length <= maxLength && /^[0-9a-f]+$/i.test(hex) ? BigInt('0x' + hex) : null;
}

/** Pool ids are `<region>_<name>`; the clients mix the name (`split('_')[1]`) into x and the signature. */
export function srpPoolName(poolId: string): string {
  return poolId.split('_')[1] ?? '';
}

function computeX(salt: string, poolId: string, userIdForSrp: string, password: string): bigint {
  const inner = createHash('sha256')
    .update(`${srpPoolName(poolId)}${userIdForSrp}:${password}`, 'utf8')
    .digest('hex');
  // The clients read SALT as a number, so leading zero bytes vanish and padHex applies.
  return BigInt('0x' + hashHex(padHex(BigInt('0x' + salt)) + inner));
}

/** `salt` is there for tests (salts with a set top bit or leading zero bytes); leave it to the default. */
export function createSrpVerifier(
  poolId: string,
  userIdForSrp: string,
  password: string,
  salt = randomBytes(16).toString('hex'),
): SrpVerifier {
  const x = computeX(salt, poolId, userIdForSrp, password);
  return { salt, verifier: modPow(g, x, N).toString(16) };
}

/**
 * For a username that does not exist, so InitiateAuth answers the same way for
 * everyone. The salt is sent to the client, so it must be stable per username
 * (a fresh one each time would reveal the user is fake). The verifier is never
 * sent; it is a square mod N because real verifiers, being powers of g = 2 (a
 * quadratic residue of this safe prime), are exactly the squares mod N. Squaring is
 * cheap, unlike g^x, so the not-found path costs no extra modPow.
 */
export function fakeSrpVerifier(secret: string, poolId: string, username: string): SrpVerifier {
  const seed = createHmac('sha256', secret)
    .update(JSON.stringify(['cognate fake srp verifier', poolId, username]))
    .digest();
  const salt = Buffer.from(hkdfSync('sha256', seed, '', 'salt', 16)).toString('hex');
  // 64 bytes more than N so the reduction mod N is uniform to within 2^-512.
  const r = BigInt('0x' + Buffer.from(hkdfSync('sha256', seed, '', 'verifier', 384 + 64)).toString('hex')) % N;
  return { salt, verifier: ((r * r) % N).toString(16) };
}

function computeU(A: bigint, B: bigint): bigint {
  return BigInt('0x' + hashHex(padHex(A) + padHex(B)));
}

export function startSrp(verifier: SrpVerifier, srpA: string): { srpB: string; b: string } {
  const A = parseHex(srpA);
  if (A === null) throw new CognitoError('InvalidParameterException', 'SRP_A is not a valid hexadecimal number.');
  // A ≡ 0 would make S = 0 whatever the password: the classic SRP bypass.
  if (A % N === 0n) throw new CognitoError('InvalidParameterException', 'SRP_A cannot be zero modulo N.');
  const v = BigInt('0x' + verifier.verifier);
  for (;;) {
    // 256 random bits: a 128-bit security level, matching the 3072-bit group, at a tenth of a full-size exponent's cost.
    const b = BigInt('0x' + randomBytes(32).toString('hex'));
    const B = (k * v + modPow(g, b, N)) % N;
    // B ≡ 0 or u = 0 breaks the proof; both are astronomically unlikely, so just draw again.
    if (b !== 0n && B !== 0n && computeU(A, B) !== 0n) return { srpB: B.toString(16), b: b.toString(16) };
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIMESTAMP = /^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) UTC (\d{4})$/;

/** `Thu Nov 26 08:05:03 UTC 2026`, as the clients write TIMESTAMP (day unpadded, time padded). */
export function formatSrpTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/** The instant a TIMESTAMP names, or null; an unpadded hour is tolerated, an impossible date (Feb 30, wrong weekday) is not. */
function parseSrpTimestamp(timestamp: string): Date | null {
  const match = TIMESTAMP.exec(timestamp);
  if (!match) return null;
  const [, weekday = '', month = '', day = '', hours = '', minutes = '', seconds = '', year = ''] = match;
  const date = new Date(
    Date.UTC(Number(year), MONTHS.indexOf(month), Number(day), Number(hours), Number(minutes), Number(seconds)),
  );
  const sameFields =
    date.getUTCFullYear() === Number(year) &&
    MONTHS[date.getUTCMonth()] === month &&
    date.getUTCDate() === Number(day) &&
    WEEKDAYS[date.getUTCDay()] === weekday &&
    date.getUTCHours() === Number(hours) &&
    date.getUTCMinutes() === Number(minutes) &&
    date.getUTCSeconds() === Number(seconds);
  return sameFields ? date : null;
}

export function checkPasswordClaim(input: {
  poolId: string;
  /** A remembered device's proof mixes its DeviceGroupKey where a user's mixes the pool's name (docs/devices.md). */
  srpGroup?: string;
  userIdForSrp: string;
  verifier: SrpVerifier;
  srpA: string;
  srpB: string;
  b: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
  now?: Date;
}): boolean {
  const when = typeof input.timestamp === 'string' ? parseSrpTimestamp(input.timestamp) : null;
  if (when === null || Math.abs((input.now ?? new Date()).getTime() - when.getTime()) > CLAIM_WINDOW_MS) return false;

  const A = parseHex(input.srpA);
  const B = parseHex(input.srpB);
  const b = parseHex(input.b);
  const v = parseHex(input.verifier.verifier);
  if (A === null || B === null || b === null || v === null || A % N === 0n) return false;
  const u = computeU(A, B);
  if (u === 0n) return false;

  const S = modPow((A * modPow(v, u, N)) % N, b, N);
  // One-block HKDF (RFC 5869) with u as the salt and the fixed "Caldera" info, as the clients do it.
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  const key = createHmac('sha256', prk)
    .update(Buffer.concat([INFO, Buffer.from([1])]))
    .digest()
    .subarray(0, 16);

  const expected = createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(input.srpGroup ?? srpPoolName(input.poolId), 'utf8'),
        Buffer.from(input.userIdForSrp, 'utf8'),
        Buffer.from(input.secretBlock, 'base64'),
        Buffer.from(input.timestamp, 'utf8'),
      ]),
    )
    .digest();
  const given = typeof input.signature === 'string' ? Buffer.from(input.signature, 'base64') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
