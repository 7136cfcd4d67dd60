import assert from 'node:assert/strict';
import { test } from 'node:test';
import argon2 from 'argon2';
import {
  HASH_CEILING,
  createPasswordHasher,
  hashCeiling,
  hashRefusal,
  parseArgon2idHash,
} from '../../src/modules/user-store/passwords.ts';

const own = { memoryCostKiB: 1024, timeCost: 1, parallelism: 1 };
const TAIL = `${'A'.repeat(22)}$${'B'.repeat(43)}`;

test('the PHC string is read strictly: version 19, m, t and p once each in either order, salt and hash lengths', () => {
  assert.deepEqual(parseArgon2idHash(`$argon2id$v=19$m=19456,t=2,p=1$${TAIL}`), {
    version: 19,
    m: 19456,
    t: 2,
    p: 1,
    saltBytes: 16,
    hashBytes: 32,
  });
  // node-argon2 writes m,p,t.
  assert.equal(parseArgon2idHash(`$argon2id$v=19$m=19456,p=1,t=2$${TAIL}`)?.t, 2);
  for (const bad of [
    `$argon2id$v=16$m=19456,t=2,p=1$${TAIL}`,
    `$argon2id$m=19456,t=2,p=1$${TAIL}`,
    `$argon2i$v=19$m=19456,t=2,p=1$${TAIL}`,
    `$argon2id$v=19$m=19456,m=1,t=2$${TAIL}`,
    `$argon2id$v=19$m=019456,t=2,p=1$${TAIL}`,
    `$argon2id$v=19$m=19456,t=2,p=1,data=AA$${TAIL}`,
    `$argon2id$v=19$m=99999999999,t=2,p=1$${TAIL}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${'A'.repeat(21)}$${'B'.repeat(43)}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${TAIL}=`,
  ]) {
    assert.equal(parseArgon2idHash(bad), undefined, bad);
  }
  assert.match(hashRefusal(42, HASH_CEILING)!, /^passwordHash must be an argon2id PHC string/);
});

test('the ceiling is fixed, and rises to the server’s own parameters where they are higher', () => {
  assert.deepEqual(hashCeiling(own), HASH_CEILING);
  assert.deepEqual(hashCeiling({ memoryCostKiB: 1024 * 1024, timeCost: 12, parallelism: 16 }), {
    memoryKiB: 1024 * 1024,
    passes: 12,
    lanes: 16,
    work: 12 * 1024 * 1024,
  });
  // Other systems' defaults are within it: PHP, node-argon2 (and RFC 9106's second choice), Django, Spring, OWASP's, Keycloak.
  for (const [m, t, p] of [
    [65536, 4, 1],
    [65536, 3, 4],
    [102400, 2, 8],
    [16384, 2, 1],
    [47104, 1, 1],
    [7168, 5, 1],
  ]) {
    assert.equal(
      hashRefusal(`$argon2id$v=19$m=${m},t=${t},p=${p}$${TAIL}`, HASH_CEILING),
      undefined,
      `m=${m},t=${t},p=${p}`,
    );
  }
});

test('needsRehash: true for a hash of other parameters, false for one the hasher writes now', async () => {
  const hasher = createPasswordHasher(own);
  assert.equal(hasher.needsRehash(await hasher.hash('pw')), false);
  assert.equal(
    hasher.needsRehash(await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 8, timeCost: 1, parallelism: 1 })),
    true,
  );
  assert.equal(
    hasher.needsRehash(
      await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 2048, timeCost: 1, parallelism: 1 }),
    ),
    true,
  );
  assert.equal(
    hasher.needsRehash(
      await argon2.hash('pw', {
        type: argon2.argon2id,
        ...{ memoryCost: 1024, timeCost: 1, parallelism: 1 },
        hashLength: 16,
      }),
    ),
    true,
  );
});
