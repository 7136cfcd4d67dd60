import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import {
  checkPasswordClaim,
  createSecretBlocks,
  createSrpVerifier,
  fakeSrpVerifier,
  formatSrpTimestamp,
  padHex,
  srpPoolName,
  startSrp,
  type SrpVerifier,
} from '../../src/modules/srp/index.ts';
import { CognitoError } from '../../src/errors/cognito-error.ts';

// RFC 3526's 3072-bit prime, written out here so the module's own copy is checked against it.
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
const N = BigInt('0x' + N_HEX);

const blocks = createSecretBlocks('test server secret');

interface Exchange {
  poolId: string;
  userIdForSrp: string;
  verifier: SrpVerifier;
  session: ReturnType<typeof createSrpSession>;
  signed: ReturnType<typeof signSrpSession>;
  srpB: string;
  b: string;
  secretBlock: string;
}

/**
 * One sign-in as the wire would carry it: cognito-srp-helper (an independent
 * client) makes A, the server answers, the client signs. `tweak` lets a test
 * change the client's session (password, timestamp) before it signs.
 */
function exchange(
  poolId: string,
  userIdForSrp: string,
  password: string,
  options: { verifier?: SrpVerifier; clientPassword?: string; timestamp?: string } = {},
): Exchange {
  const verifier = options.verifier ?? createSrpVerifier(poolId, userIdForSrp, password);
  // isHashed = false: the helper hashes with USER_ID_FOR_SRP from the server's answer, as Amplify does.
  const session = createSrpSession('the-name-typed-at-sign-in', options.clientPassword ?? password, poolId, false);
  if (options.timestamp) session.timestamp = options.timestamp;
  const { srpB, b } = startSrp(verifier, session.largeA);
  const secretBlock = blocks.seal({ b, srpB, srpA: session.largeA, userIdForSrp });
  const signed = signSrpSession(session, {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: { SALT: verifier.salt, SRP_B: srpB, SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: userIdForSrp },
  });
  return { poolId, userIdForSrp, verifier, session, signed, srpB, b, secretBlock };
}

/** What RespondToAuthChallenge would pass to checkPasswordClaim; fields can be overridden. */
function claim(e: Exchange, overrides: Partial<Parameters<typeof checkPasswordClaim>[0]> = {}): boolean {
  return checkPasswordClaim({
    poolId: e.poolId,
    userIdForSrp: e.userIdForSrp,
    verifier: e.verifier,
    srpA: e.session.largeA,
    srpB: e.srpB,
    b: e.b,
    secretBlock: e.signed.secret,
    timestamp: e.signed.timestamp,
    signature: e.signed.passwordSignature,
    ...overrides,
  });
}

function assertCognitoError(fn: () => unknown, name: string) {
  assert.throws(fn, (error: unknown) => error instanceof CognitoError && error.name === name);
}

describe('SRP against an independent client (cognito-srp-helper)', () => {
  const cases: [string, string, string, string][] = [
    ['a plain username in a local pool', 'local_Ab3dEf7Gh', 'alice', 'Correct-horse-1'],
    [
      'a UUID userIdForSrp (username attributes) in a regional pool',
      'us-east-1_Xyz',
      '3f1c2b9e-6d4a-4e8b-9a7c-1b2d3e4f5a6b',
      'P@ssw0rd!',
    ],
    ['a non-ASCII username and password', 'eu-west-2_AbC123', 'jürgen', 'Pässwörd-日本語-🔑 ok'],
  ];
  for (const [label, poolId, user, password] of cases) {
    test(`the right password proves itself: ${label}`, () => {
      // Several rounds, so A, B, u and S take both padHex branches (top bit set or not).
      for (let round = 0; round < 3; round++)
        assert.equal(claim(exchange(poolId, user, password)), true, `round ${round}`);
    });
  }

  test('salts with a set top bit or leading zero bytes agree with the client, which reads SALT as a number', () => {
    const poolId = 'local_Ab3dEf7Gh';
    for (const salt of [
      '8f' + '1'.repeat(30),
      '7f' + '1'.repeat(30),
      '00' + '7'.repeat(30),
      '0000' + 'ab'.repeat(14),
      '0' + 'f'.repeat(31),
    ]) {
      const verifier = createSrpVerifier(poolId, 'bob', 'pw-1234', salt);
      assert.equal(verifier.salt, salt);
      assert.equal(claim(exchange(poolId, 'bob', 'pw-1234', { verifier })), true, salt);
    }
  });

  test('the wrong password is refused', () => {
    assert.equal(
      claim(exchange('local_Ab3dEf7Gh', 'alice', 'Correct-horse-1', { clientPassword: 'Correct-horse-2' })),
      false,
    );
  });

  test('the proof is bound to the user and the pool', () => {
    const e = exchange('us-east-1_Xyz', 'alice', 'pw');
    assert.equal(claim(e), true);
    assert.equal(claim(e, { userIdForSrp: 'mallory' }), false);
    assert.equal(claim(e, { poolId: 'us-east-1_Other' }), false);
  });

  test('a signature over another timestamp is refused', () => {
    const now = new Date();
    const e = exchange('local_Ab3dEf7Gh', 'alice', 'pw', {
      timestamp: formatSrpTimestamp(new Date(now.getTime() - 1000)),
    });
    assert.equal(claim(e, { now }), true);
    assert.equal(claim(e, { now, timestamp: formatSrpTimestamp(now) }), false);
  });

  test('a timestamp more than five minutes away is refused', () => {
    const now = new Date();
    const at = (minutes: number) =>
      exchange('local_Ab3dEf7Gh', 'alice', 'pw', {
        timestamp: formatSrpTimestamp(new Date(now.getTime() + minutes * 60_000)),
      });
    assert.equal(claim(at(-4), { now }), true);
    assert.equal(claim(at(-10), { now }), false);
    assert.equal(claim(at(+10), { now }), false);
  });

  test('an unpadded hour is read; impossible or foreign timestamps are refused', () => {
    const now = new Date(Date.UTC(2026, 10, 26, 8, 5, 3));
    assert.equal(
      claim(exchange('local_Ab3dEf7Gh', 'alice', 'pw', { timestamp: 'Thu Nov 26 8:05:03 UTC 2026' }), { now }),
      true,
    );
    for (const timestamp of [
      'Fri Nov 26 08:05:03 UTC 2026', // wrong weekday
      'Thu Nov 26 08:05:03 GMT 2026',
      'Thu Nov 26 24:05:03 UTC 2026',
      '2026-11-26T08:05:03Z',
      '',
    ]) {
      assert.equal(claim(exchange('local_Ab3dEf7Gh', 'alice', 'pw', { timestamp }), { now }), false, timestamp);
    }
  });

  test('a tampered secret block is refused by the signature and cannot be opened', () => {
    const e = exchange('local_Ab3dEf7Gh', 'alice', 'pw');
    const bytes = Buffer.from(e.signed.secret, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    const tampered = bytes.toString('base64');
    assert.equal(claim(e, { secretBlock: tampered }), false);
    assertCognitoError(() => blocks.open(tampered), 'NotAuthorizedException');
  });

  test('garbage signatures are false, never an exception', () => {
    const e = exchange('local_Ab3dEf7Gh', 'alice', 'pw');
    for (const signature of [
      '',
      'not base64 at all!',
      randomBytes(32).toString('base64'),
      e.signed.passwordSignature.slice(0, -4),
    ]) {
      assert.equal(claim(e, { signature }), false, signature);
    }
    assert.equal(claim(e, { srpA: '0' }), false);
    assert.equal(claim(e, { srpA: 'zz' }), false);
    assert.equal(claim(e, { b: '' }), false);
  });

  test('the timestamp format is the one the client writes', () => {
    const before = formatSrpTimestamp(new Date());
    const { timestamp } = createSrpSession('alice', 'pw', 'local_Ab3dEf7Gh', false);
    const after = formatSrpTimestamp(new Date());
    assert.ok(timestamp === before || timestamp === after, `${timestamp} vs ${before}`);
    assert.equal(formatSrpTimestamp(new Date(Date.UTC(2026, 10, 26, 8, 5, 3))), 'Thu Nov 26 08:05:03 UTC 2026');
    assert.equal(formatSrpTimestamp(new Date(Date.UTC(2027, 0, 1, 23, 59, 9))), 'Fri Jan 1 23:59:09 UTC 2027');
  });
});

describe('startSrp', () => {
  const verifier = createSrpVerifier('local_Ab3dEf7Gh', 'alice', 'pw');

  test('refuses a malformed or degenerate A', () => {
    for (const srpA of [
      '0',
      '00',
      N_HEX,
      N_HEX.toLowerCase(),
      '00' + N_HEX,
      (2n * N).toString(16),
      'zz',
      '',
      '-1',
      '0x12',
      '1'.repeat(5000),
    ]) {
      assertCognitoError(() => startSrp(verifier, srpA), 'InvalidParameterException');
    }
  });

  test('answers with a fresh B and b each time, as hex', () => {
    const A = (2n ** 1000n + 12345n).toString(16);
    const first = startSrp(verifier, A);
    const second = startSrp(verifier, A);
    assert.match(first.srpB, /^[0-9a-f]+$/);
    assert.match(first.b, /^[0-9a-f]+$/);
    assert.ok(BigInt('0x' + first.srpB) < N);
    assert.notEqual(first.b, second.b);
    assert.notEqual(first.srpB, second.srpB);
  });
});

describe('padHex and the pool name', () => {
  test('even length, and a 00 in front of a set top bit', () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [0x7n, '07'],
      [0x14n, '14'],
      [0x7fn, '7f'],
      [0x80n, '0080'],
      [0xecn, '00ec'],
      [0x123n, '0123'],
      [0x823n, '0823'],
      [0x8234n, '008234'],
      [0x7234n, '7234'],
    ];
    for (const [value, hex] of cases) assert.equal(padHex(value), hex, value.toString(16));
    assert.equal(padHex(N), '00' + N_HEX.toLowerCase());
  });

  test('the pool name is what follows the region', () => {
    assert.equal(srpPoolName('local_Ab3dEf7Gh'), 'Ab3dEf7Gh');
    assert.equal(srpPoolName('us-east-1_Xyz'), 'Xyz');
    assert.equal(srpPoolName('nounderscore'), '');
  });
});

describe('verifiers', () => {
  test('a real one: 16 random bytes of salt, a verifier below N, both lowercase hex', () => {
    const one = createSrpVerifier('local_Ab3dEf7Gh', 'alice', 'pw');
    const two = createSrpVerifier('local_Ab3dEf7Gh', 'alice', 'pw');
    assert.match(one.salt, /^[0-9a-f]{32}$/);
    assert.match(one.verifier, /^[0-9a-f]+$/);
    assert.ok(BigInt('0x' + one.verifier) < N);
    assert.notEqual(one.salt, two.salt);
    assert.notEqual(one.verifier, two.verifier);
  });

  test('a fake one is stable per username, different for other usernames, pools and secrets', () => {
    const fake = fakeSrpVerifier('s3cret', 'local_Ab3dEf7Gh', 'nobody');
    assert.deepEqual(fakeSrpVerifier('s3cret', 'local_Ab3dEf7Gh', 'nobody'), fake);
    for (const other of [
      fakeSrpVerifier('s3cret', 'local_Ab3dEf7Gh', 'nobody2'),
      fakeSrpVerifier('s3cret', 'local_Other', 'nobody'),
      fakeSrpVerifier('other', 'local_Ab3dEf7Gh', 'nobody'),
    ]) {
      assert.notEqual(other.salt, fake.salt);
      assert.notEqual(other.verifier, fake.verifier);
    }
  });

  test('a fake one has the shape of a real one, runs the exchange, and proves nothing', () => {
    const fake = fakeSrpVerifier('s3cret', 'local_Ab3dEf7Gh', 'nobody');
    assert.match(fake.salt, /^[0-9a-f]{32}$/);
    assert.match(fake.verifier, /^[0-9a-f]+$/);
    const v = BigInt('0x' + fake.verifier);
    assert.ok(v > 0n && v < N);
    // Real verifiers are powers of 2, hence quadratic residues: v^((N-1)/2) = 1. The fake must be one too.
    assert.equal(modPowSlow(v, (N - 1n) / 2n, N), 1n);
    assert.equal(claim(exchange('local_Ab3dEf7Gh', 'nobody', 'any password', { verifier: fake })), false);
  });
});

describe('secret blocks', () => {
  const payload = { b: 'abc123', srpB: 'ff00', userIdForSrp: 'alice', clientId: 'client-1' };

  test('round trip, with a fresh IV each time and nothing readable inside', () => {
    const block = blocks.seal(payload);
    assert.deepEqual(blocks.open(block), payload);
    assert.notEqual(blocks.seal(payload), block);
    assert.ok(!Buffer.from(block, 'base64').toString('latin1').includes('alice'));
  });

  test('tampered, truncated, garbage or forged blocks are NotAuthorizedException', () => {
    const block = blocks.seal(payload);
    const bytes = Buffer.from(block, 'base64');
    const flipped = (index: number) => {
      const copy = Buffer.from(bytes);
      copy[index]! ^= 0x01;
      return copy.toString('base64');
    };
    for (const bad of [
      flipped(0),
      flipped(12),
      flipped(28),
      flipped(bytes.length - 1), // IV, tag, first and last ciphertext byte
      bytes.subarray(0, bytes.length - 1).toString('base64'),
      bytes.subarray(0, 28).toString('base64'),
      '',
      'garbage',
      '!!!!',
      randomBytes(80).toString('base64'),
      createSecretBlocks('another secret').seal(payload),
    ]) {
      assertCognitoError(() => blocks.open(bad), 'NotAuthorizedException');
    }
    assert.throws(() => blocks.open(flipped(40)), { message: 'Invalid session for the user, session is expired.' });
  });

  test('expires after the TTL (300 seconds unless told otherwise)', () => {
    const block = blocks.seal(payload);
    assert.deepEqual(blocks.open(block, new Date(Date.now() + 299_000)), payload);
    assertCognitoError(() => blocks.open(block, new Date(Date.now() + 301_000)), 'NotAuthorizedException');
    const short = createSecretBlocks('test server secret', 10);
    const shortBlock = short.seal(payload);
    assert.deepEqual(short.open(shortBlock), payload);
    assertCognitoError(() => short.open(shortBlock, new Date(Date.now() + 11_000)), 'NotAuthorizedException');
  });
});

/** Square-and-multiply, independent of the module's modPow, for the residue check above. */
function modPowSlow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (; exponent > 0n; exponent >>= 1n, base = (base * base) % modulus) {
    if (exponent & 1n) result = (result * base) % modulus;
  }
  return result;
}
