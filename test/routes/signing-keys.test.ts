import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { signingKeys } from '../../src/db/schema/index.ts';
import { createSessionsService } from '../../src/modules/tokens/sessions.service.ts';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const emailPool = { autoVerifiedAttributes: ['email'] };
const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
const jwksKids = async (poolId: string) =>
  ((await t.call('GET', `/${poolId}/.well-known/jwks.json`)).body.keys as { kid: string }[]).map((k) => k.kid);
const retire = (kid: string, at: Date | null) =>
  t.database.db.update(signingKeys).set({ retiresAt: at }).where(eq(signingKeys.kid, kid));

test('a pool starts with one current key; the list never shows a private key', async () => {
  const { poolId } = await createPoolWithClient(t, emailPool);
  const listed = await t.admin('GET', `/v1/pools/${poolId}/signing-keys`);
  assert.equal(listed.status, 200);
  assert.equal(listed.body.keys.length, 1);
  const [key] = listed.body.keys;
  assert.deepEqual(Object.keys(key).sort(), ['createdAt', 'kid', 'retiresAt', 'status']);
  assert.equal(key.status, 'current');
  assert.equal(key.retiresAt, null);
  assert.deepEqual(await jwksKids(poolId), [key.kid]);
  assert.ok(!JSON.stringify(listed.body).includes('PRIVATE'));
});

test('rotation: a new current key signs; the old one keeps verifying and stays in the JWKS for the longest token lifetime plus skew', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, {
    ...emailPool,
    tokenPolicy: { accessTokenTtlSeconds: 900, idTokenTtlSeconds: 1800 },
  });
  const before = await signedInUser(t, clientId, 'rotor', { email: uniqueEmail('rotor') });
  const oldKid = kidOf(before.accessToken);

  const startedAt = Date.now();
  const rotated = await t.admin('POST', `/v1/pools/${poolId}/signing-keys`);
  assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
  const [current, old] = rotated.body.keys;
  assert.equal(rotated.body.keys.length, 2);
  assert.equal(current.status, 'current');
  assert.equal(current.retiresAt, null);
  assert.notEqual(current.kid, oldKid);
  assert.deepEqual([old.kid, old.status], [oldKid, 'retiring']);
  // The ID token lives longest here (1800 s); 5 s of clock tolerance on top.
  const overlap = Date.parse(old.retiresAt) - startedAt;
  assert.ok(overlap >= 1805_000 - 50 && overlap <= 1805_000 + 5_000, `overlap ${overlap} ms`);
  assert.ok(!JSON.stringify(rotated.body).includes('PRIVATE'));

  // Both keys are published, newest first; tokens of either verify.
  assert.deepEqual(await jwksKids(poolId), [current.kid, oldKid]);
  assert.equal((await t.call('GET', '/v1/me', undefined, before.accessToken)).status, 200);
  const after = await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'rotor', password: 'Passw0rd!' });
  assert.equal(kidOf(after.body.accessToken), current.kid);
  assert.equal(kidOf(after.body.idToken), current.kid);
  assert.equal((await t.call('GET', '/v1/me', undefined, after.body.accessToken)).status, 200);
  // A refresh of a session begun under the old key gets tokens of the new one.
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: before.refreshToken });
  assert.equal(kidOf(refreshed.body.accessToken), current.kid);

  // A second rotation: the key already retiring keeps its earlier retirement; one current key.
  const again = await t.admin('POST', `/v1/pools/${poolId}/signing-keys`);
  assert.deepEqual(
    again.body.keys.map((k: { status: string }) => k.status),
    ['current', 'retiring', 'retiring'],
  );
  assert.equal(again.body.keys[1].kid, current.kid);
  assert.equal(again.body.keys[2].retiresAt, old.retiresAt);
  assert.deepEqual((await t.admin('GET', `/v1/pools/${poolId}/signing-keys`)).body, again.body);
});

test('a key past its retirement leaves the JWKS and verifies nothing, on the REST and the Cognito face', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const tokens = await signedInUser(t, clientId, 'retiree', { email: uniqueEmail('retiree') });
  const oldKid = kidOf(tokens.accessToken);
  await t.admin('POST', `/v1/pools/${poolId}/signing-keys`);
  // As if the overlap had passed while the token itself is still unexpired.
  await retire(oldKid, new Date(Date.now() - 1000));

  assert.ok(!(await jwksKids(poolId)).includes(oldKid));
  const listed = await t.admin('GET', `/v1/pools/${poolId}/signing-keys`);
  assert.equal(listed.body.keys[1].status, 'retired');
  assertProblem(
    await t.call('GET', '/v1/me', undefined, tokens.accessToken),
    401,
    'NotAuthorizedException',
    'Invalid Access Token',
  );
  const wire = await t.app.inject({
    method: 'POST',
    url: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser',
    },
    payload: JSON.stringify({ AccessToken: tokens.accessToken }),
  });
  assert.equal(wire.statusCode, 400);
  assert.equal(wire.json().__type, 'NotAuthorizedException');
  // The session itself lives on: a refresh gets tokens of the current key.
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken });
  assert.equal(refreshed.status, 200);
  assert.equal((await t.call('GET', '/v1/me', undefined, refreshed.body.accessToken)).status, 200);
});

test('a cached key does not outlive its retirement, nor a retirement set by another instance', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const tokens = await signedInUser(t, clientId, 'cached', { email: uniqueEmail('cached') });
  const kid = kidOf(tokens.accessToken);
  const sessions = (keyCacheMs: number) =>
    createSessionsService({
      db: t.database.db,
      pools: t.services.pools,
      signingKeys: t.services.signingKeys,
      keyCacheMs,
    });

  // Cached with a retirement 300 ms ahead: refused once it has passed, however long the cache.
  await t.admin('POST', `/v1/pools/${poolId}/signing-keys`);
  await retire(kid, new Date(Date.now() + 300));
  const longCache = sessions(3_600_000);
  assert.equal((await longCache.authenticate(tokens.accessToken)).user.username, 'cached');
  await new Promise((resolve) => setTimeout(resolve, 400));
  await assert.rejects(longCache.authenticate(tokens.accessToken), { name: 'NotAuthorizedException' });

  // Cached while current; another instance then retires it: seen once the cache entry expires.
  await retire(kid, null);
  const shortCache = sessions(100);
  assert.equal((await shortCache.authenticate(tokens.accessToken)).user.username, 'cached');
  await retire(kid, new Date(Date.now() - 1));
  await new Promise((resolve) => setTimeout(resolve, 150));
  await assert.rejects(shortCache.authenticate(tokens.accessToken), { name: 'NotAuthorizedException' });
});

test('signing-key routes need the admin key and a pool that exists', async () => {
  const { poolId } = await createPoolWithClient(t);
  for (const method of ['GET', 'POST']) {
    assertProblem(await t.call(method, `/v1/pools/${poolId}/signing-keys`), 401, 'NotAuthorizedException');
    assertProblem(
      await t.call(method, `/v1/pools/${poolId}/signing-keys`, undefined, 'not-the-key'),
      401,
      'NotAuthorizedException',
    );
    assertProblem(await t.admin(method, '/v1/pools/local_Nope00000/signing-keys'), 404, 'ResourceNotFoundException');
  }
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/signing-keys`)).body.keys.length, 1);
});
