import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createPublicKey, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import {
  ACCESS_TOKEN_SCOPE,
  generateSigningKey,
  hashRefreshToken,
  jwks,
  newRefreshToken,
  publicJwk,
  signAccessToken,
  signIdToken,
  verifyAccessToken,
  type AccessTokenInput,
  type SigningKey,
  type VerificationKey,
} from '../../src/modules/tokens/index.ts';

const ISSUER = 'https://id.example.com/eu-west-1_pool1';
const OTHER_ISSUER = 'https://id.example.com/eu-west-1_pool2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let keyA: SigningKey;
let keyB: SigningKey;

before(async () => {
  [keyA, keyB] = await Promise.all([generateSigningKey(), generateSigningKey()]);
});

const accessInput = (over: Partial<AccessTokenInput> = {}): AccessTokenInput => ({
  sub: '4b2c7f0e-1111-4222-8333-444455556666',
  clientId: 'client123',
  issuer: ISSUER,
  username: 'alice',
  authTime: new Date('2030-01-01T00:00:00Z'),
  originJti: 'session-1',
  eventId: 'event-1',
  ...over,
});

/** keyA belongs to pool1, keyB to pool2. */
function resolveKey(kid: string): VerificationKey | undefined {
  if (kid === keyA.kid) return { publicKeyPem: keyA.publicKeyPem, issuer: ISSUER };
  if (kid === keyB.kid) return { publicKeyPem: keyB.publicKeyPem, issuer: OTHER_ISSUER };
  return undefined;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function parts(token: string) {
  const [h, p, s] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
    input: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

/** A correctly RS256-signed token with whatever header and payload we like. */
function craftRs256(header: object, payload: object, key = keyA): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), key.privateKeyPem).toString('base64url')}`;
}

function validPayload(over: Record<string, unknown> = {}) {
  return { ...parts(signAccessToken(keyA, accessInput(), 3600)).payload, ...over };
}

async function assertRejected(token: string, opts: { clockToleranceSeconds?: number } = {}) {
  await assert.rejects(verifyAccessToken(token, { resolveKey, ...opts }), (error: unknown) => {
    assert.ok(error instanceof CognitoError);
    assert.equal(error.name, 'NotAuthorizedException');
    assert.equal(error.message, 'Invalid Access Token');
    assert.equal(error.status, 401);
    assert.ok(error.cause, 'the reason is kept for logs');
    return true;
  });
}

describe('signing keys', () => {
  test('generateSigningKey makes an RSA 2048 key pair with a url-safe kid', async () => {
    assert.match(keyA.kid, /^[A-Za-z0-9_-]{16,}$/);
    assert.notEqual(keyA.kid, keyB.kid);
    assert.match(keyA.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(keyA.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
    assert.ok(keyA.createdAt instanceof Date);
    const details = createPublicKey(keyA.publicKeyPem).asymmetricKeyDetails;
    assert.equal(createPublicKey(keyA.publicKeyPem).asymmetricKeyType, 'rsa');
    assert.equal(details?.modulusLength, 2048);
  });

  test('publicJwk and jwks expose exactly the public RSA parameters', () => {
    const jwk = publicJwk(keyA);
    assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(jwk.kty, 'RSA');
    assert.equal(jwk.alg, 'RS256');
    assert.equal(jwk.use, 'sig');
    assert.equal(jwk.kid, keyA.kid);
    assert.equal(jwk.e, 'AQAB');
    assert.deepEqual(jwks([keyA, keyB]), { keys: [publicJwk(keyA), publicJwk(keyB)] });
    assert.ok(!JSON.stringify(jwks([keyA])).includes(keyA.privateKeyPem.slice(40, 80)));
  });
});

describe('issuing tokens', () => {
  test('access token round trip carries exactly the Cognito claims', async () => {
    const now = new Date();
    const token = signAccessToken(keyA, accessInput(), 3600, now);
    const { header, payload } = parts(token);
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: keyA.kid });
    const iat = Math.floor(now.getTime() / 1000);
    assert.match(payload.jti as string, UUID);
    assert.deepEqual(payload, {
      sub: '4b2c7f0e-1111-4222-8333-444455556666',
      iss: ISSUER,
      auth_time: 1893456000,
      exp: iat + 3600,
      iat,
      jti: payload.jti,
      origin_jti: 'session-1',
      event_id: 'event-1',
      client_id: 'client123',
      username: 'alice',
      token_use: 'access',
      scope: ACCESS_TOKEN_SCOPE,
    });
    assert.equal(ACCESS_TOKEN_SCOPE, 'aws.cognito.signin.user.admin');
    assert.deepEqual(await verifyAccessToken(token, { resolveKey }), payload);
  });

  test('every token gets a new jti', () => {
    const a = parts(signAccessToken(keyA, accessInput(), 60)).payload;
    const b = parts(signAccessToken(keyA, accessInput(), 60)).payload;
    assert.notEqual(a.jti, b.jti);
  });

  test('resolveKey may be async', async () => {
    const token = signAccessToken(keyA, accessInput(), 60);
    const claims = await verifyAccessToken(token, { resolveKey: async (kid) => resolveKey(kid) });
    assert.equal(claims.username, 'alice');
  });

  test('ID token carries the Cognito claims and the attributes as given', () => {
    const now = new Date();
    const token = signIdToken(
      keyA,
      {
        ...accessInput(),
        attributes: {
          email: 'a@example.com',
          email_verified: true,
          phone_number_verified: false,
          'custom:team': 'red',
        },
      },
      3600,
      now,
    );
    const { header, payload } = parts(token);
    assert.equal(header.kid, keyA.kid);
    assert.equal(header.alg, 'RS256');
    const iat = Math.floor(now.getTime() / 1000);
    assert.match(payload.jti as string, UUID);
    assert.deepEqual(payload, {
      email: 'a@example.com',
      email_verified: true,
      phone_number_verified: false,
      'custom:team': 'red',
      sub: '4b2c7f0e-1111-4222-8333-444455556666',
      iss: ISSUER,
      auth_time: 1893456000,
      exp: iat + 3600,
      iat,
      jti: payload.jti,
      origin_jti: 'session-1',
      event_id: 'event-1',
      aud: 'client123',
      token_use: 'id',
      'cognito:username': 'alice',
    });
  });

  test('attributes cannot overwrite reserved ID token claims', () => {
    const forged = {
      sub: 'evil',
      aud: 'evil',
      iss: 'evil',
      token_use: 'access',
      'cognito:username': 'root',
      auth_time: 'evil',
      exp: 'evil',
      iat: 'evil',
      jti: 'evil',
      origin_jti: 'evil',
      event_id: 'evil',
      email: 'kept@example.com',
    };
    const { payload } = parts(signIdToken(keyA, { ...accessInput(), attributes: forged }, 60));
    assert.equal(payload.email, 'kept@example.com');
    assert.equal(payload.sub, '4b2c7f0e-1111-4222-8333-444455556666');
    assert.equal(payload.aud, 'client123');
    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.token_use, 'id');
    assert.equal(payload['cognito:username'], 'alice');
    assert.equal(payload.origin_jti, 'session-1');
    assert.equal(payload.event_id, 'event-1');
    for (const claim of ['auth_time', 'exp', 'iat']) assert.equal(typeof payload[claim], 'number');
    assert.match(payload.jti as string, UUID);
  });

  test('the JWKS alone verifies tokens with plain node:crypto', () => {
    const set = jwks([keyB, keyA]);
    for (const token of [
      signAccessToken(keyA, accessInput(), 60),
      signIdToken(keyA, { ...accessInput(), attributes: {} }, 60),
    ]) {
      const { header, input, signature } = parts(token);
      assert.equal(header.alg, 'RS256');
      const jwk = set.keys.find((k) => k.kid === header.kid);
      assert.ok(jwk);
      const publicKey = createPublicKey({ key: { ...jwk }, format: 'jwk' });
      assert.equal(rsaVerify('sha256', Buffer.from(input), publicKey, signature), true);
      assert.equal(rsaVerify('sha256', Buffer.from(`${input}x`), publicKey, signature), false);
    }
  });
});

describe('verifyAccessToken rejects', () => {
  test('an expired token', async () => {
    await assertRejected(signAccessToken(keyA, accessInput(), 60, new Date(Date.now() - 3600_000)));
  });

  test('an expiry within the clock tolerance is accepted, beyond it rejected', async () => {
    const expiredBy3s = signAccessToken(keyA, accessInput(), 60, new Date(Date.now() - 63_000));
    await verifyAccessToken(expiredBy3s, { resolveKey });
    await assertRejected(expiredBy3s, { clockToleranceSeconds: 0 });
  });

  test('a token issued in the future beyond the tolerance', async () => {
    await assertRejected(signAccessToken(keyA, accessInput(), 3600, new Date(Date.now() + 60_000)));
    const slightlyAhead = signAccessToken(keyA, accessInput(), 3600, new Date(Date.now() + 2_000));
    await verifyAccessToken(slightlyAhead, { resolveKey });
  });

  test('an unknown kid', async () => {
    await assertRejected(craftRs256({ alg: 'RS256', typ: 'JWT', kid: 'nope' }, validPayload()));
  });

  test('a kid past its retirement verifies nothing; before it, everything', async () => {
    const token = signAccessToken(keyA, accessInput(), 3600);
    const retiring = (at: number) => () => ({
      publicKeyPem: keyA.publicKeyPem,
      issuer: ISSUER,
      retiresAt: new Date(at),
    });
    await verifyAccessToken(token, { resolveKey: retiring(Date.now() + 1000) });
    await assert.rejects(verifyAccessToken(token, { resolveKey: retiring(Date.now() - 1) }), {
      name: 'NotAuthorizedException',
    });
    await assert.rejects(verifyAccessToken(token, { resolveKey: retiring(Date.now()) }), {
      name: 'NotAuthorizedException',
    });
  });

  test('a missing or empty kid', async () => {
    await assertRejected(craftRs256({ alg: 'RS256', typ: 'JWT' }, validPayload()));
    await assertRejected(craftRs256({ alg: 'RS256', typ: 'JWT', kid: '' }, validPayload()));
  });

  test('a malformed kid, before any key lookup', async () => {
    for (const kid of [`${keyA.kid}\u0000`, 'a b', 'k'.repeat(65), 'é']) {
      const token = craftRs256({ alg: 'RS256', typ: 'JWT', kid }, validPayload());
      await assertRejected(token);
      const looked: string[] = [];
      await assert.rejects(verifyAccessToken(token, { resolveKey: (k) => (looked.push(k), undefined) }), {
        name: 'NotAuthorizedException',
      });
      assert.deepEqual(looked, [], 'resolveKey is not asked');
    }
  });

  test('alg none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid: keyA.kid })}.${b64(validPayload())}.`;
    await assertRejected(unsigned);
    await assertRejected(unsigned.slice(0, -1));
  });

  test('HS256 with the public key PEM as HMAC secret', async () => {
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: keyA.kid })}.${b64(validPayload())}`;
    const mac = createHmac('sha256', keyA.publicKeyPem).update(input).digest('base64url');
    await assertRejected(`${input}.${mac}`);
  });

  test('another RSA algorithm, even with a valid signature for it', async () => {
    const input = `${b64({ alg: 'RS512', typ: 'JWT', kid: keyA.kid })}.${b64(validPayload())}`;
    const sig = rsaSign('sha512', Buffer.from(input), keyA.privateKeyPem).toString('base64url');
    await assertRejected(`${input}.${sig}`);
  });

  test('an ID token presented as an access token', async () => {
    await assertRejected(signIdToken(keyA, { ...accessInput(), attributes: {} }, 3600));
    await assertRejected(craftRs256({ alg: 'RS256', typ: 'JWT', kid: keyA.kid }, validPayload({ token_use: 'id' })));
  });

  test('a tampered payload', async () => {
    const [h, , s] = signAccessToken(keyA, accessInput(), 3600).split('.');
    await assertRejected(`${h}.${b64(validPayload({ username: 'root' }))}.${s}`);
  });

  test('a signature by another key under this kid', async () => {
    await assertRejected(craftRs256({ alg: 'RS256', typ: 'JWT', kid: keyA.kid }, validPayload(), keyB));
  });

  test('a wrong issuer, including another pool claimed with this pool’s key', async () => {
    await assertRejected(signAccessToken(keyA, accessInput({ issuer: OTHER_ISSUER }), 3600));
    await assertRejected(signAccessToken(keyA, accessInput({ issuer: `${ISSUER}/x` }), 3600));
    await assertRejected(signAccessToken(keyB, accessInput({ issuer: ISSUER }), 3600));
    await assertRejected(craftRs256({ alg: 'RS256', typ: 'JWT', kid: keyA.kid }, validPayload({ iss: undefined })));
  });

  test('missing or mistyped claims', async () => {
    for (const over of [
      { exp: undefined },
      { iat: undefined },
      { jti: undefined },
      { sub: 42 },
      { exp: String(nowSeconds() + 60) },
    ]) {
      await assertRejected(craftRs256({ alg: 'RS256', typ: 'JWT', kid: keyA.kid }, validPayload(over)));
    }
  });

  test('garbage', async () => {
    for (const token of ['', 'abc', 'a.b.c', `${b64({ alg: 'RS256', kid: keyA.kid })}.bm90IGpzb24.x`])
      await assertRejected(token);
  });

  test('a failing key lookup is not reported as a bad token', async () => {
    const outage = new Error('database down');
    const token = signAccessToken(keyA, accessInput(), 60);
    await assert.rejects(
      verifyAccessToken(token, {
        resolveKey: async () => {
          throw outage;
        },
      }),
      outage,
    );
  });
});

describe('refresh tokens', () => {
  test('are 32 random bytes in base64url, unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { token } = newRefreshToken();
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token, 'base64url').length, 32);
      seen.add(token);
    }
    assert.equal(seen.size, 1000);
  });

  test('are stored as a stable SHA-256 hex hash', () => {
    const { token, hash } = newRefreshToken();
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(hash, createHash('sha256').update(token).digest('hex'));
    assert.equal(hashRefreshToken(token), hash);
    assert.equal(hashRefreshToken(token), hashRefreshToken(token));
    assert.notEqual(hashRefreshToken(`${token}x`), hash);
    assert.equal(hashRefreshToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
