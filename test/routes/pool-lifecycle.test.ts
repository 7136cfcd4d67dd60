/**
 * A pool's life after creation on the REST face (docs/pools.md): PATCH changes the members given and
 * keeps the rest (name, password policy, deletion protection, tags), DELETE /v1/pools/{poolId} is
 * refused while the pool is protected and otherwise takes everything of it, tokens included, and
 * DELETE of a client ends its sessions. Bad inputs change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql, type SQL } from 'drizzle-orm';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const count = async (query: SQL) =>
  ((await t.database.db.execute(query)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;

let emails = 0;
const uniqueEmail = () => `lifecycle-${process.pid}-${++emails}@example.com`;

test('PATCH changes the members given and keeps the others', async () => {
  const { poolId, pool } = await createPoolWithClient(t, {
    name: 'before',
    autoVerifiedAttributes: ['email'],
    passwordPolicy: { minimumLength: 12, requireSymbols: false },
    tags: { team: 'identity' },
  });
  assert.equal(pool.deletionProtection, false);
  assert.deepEqual(pool.tags, { team: 'identity' });

  const patched = await t.admin('PATCH', `/v1/pools/${poolId}`, {
    name: 'after',
    passwordPolicy: { requireNumbers: false },
    deletionProtection: true,
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.name, 'after');
  // Only requireNumbers changed; the rest of the policy stays as it was, not at the defaults.
  assert.deepEqual(patched.body.passwordPolicy, { ...pool.passwordPolicy, requireNumbers: false });
  assert.equal(patched.body.passwordPolicy.minimumLength, 12);
  assert.equal(patched.body.deletionProtection, true);
  assert.deepEqual(patched.body.tags, { team: 'identity' });
  assert.deepEqual(patched.body.autoVerifiedAttributes, ['email']);

  // Tags are replaced as a whole; {} removes them.
  const tagged = await t.admin('PATCH', `/v1/pools/${poolId}`, { tags: { env: 'prod', owner: '' } });
  assert.deepEqual(tagged.body.tags, { env: 'prod', owner: '' });
  const untagged = await t.admin('PATCH', `/v1/pools/${poolId}`, { tags: {} });
  assert.deepEqual(untagged.body.tags, {});
  assert.equal(untagged.body.deletionProtection, true);
  const read = await t.admin('GET', `/v1/pools/${poolId}`);
  assert.deepEqual(read.body.tags, {});
  assert.equal(read.body.name, 'after');
});

test('bad PATCH inputs are refused and change nothing', async () => {
  const { poolId } = await createPoolWithClient(t, { tags: { keep: 'me' } });
  const before = (await t.admin('GET', `/v1/pools/${poolId}`)).body;
  const cases: Array<[Record<string, unknown>, number, RegExp]> = [
    [{ tags: { 'aws:cost': 'x' } }, 400, /aws: prefix is reserved/],
    [{ tags: { ['k'.repeat(129)]: 'x' } }, 400, /1 to 128 characters/],
    [{ tags: { k: 'v'.repeat(257) } }, 400, /at most 256/],
    [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 400, /at most 50 tags/],
    [{ tags: { k: 1 } }, 400, /tags/],
    [{ passwordPolicy: { minimumLength: 5 } }, 400, /minimumLength/],
    [{ passwordPolicy: { maximumLength: 20 } }, 400, /maximumLength/],
    [{ deletionProtection: 'yes' }, 400, /deletionProtection/],
    [{ name: '' }, 400, /name/],
    // With a valid change beside the bad one: neither happens.
    [{ name: 'changed', deletionProtection: true, tags: { 'aws:x': 'y' } }, 400, /aws: prefix/],
    [{ name: 'changed', hooks: { preSignUp: 'ftp://nowhere' } }, 400, /preSignUp|PreSignUp/],
  ];
  for (const [body, status, detail] of cases) {
    const answer = await t.admin('PATCH', `/v1/pools/${poolId}`, body);
    assert.equal(answer.status, status, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, 'InvalidParameterException');
    assert.match(answer.body.detail, detail);
  }
  assert.deepEqual((await t.admin('GET', `/v1/pools/${poolId}`)).body, before);
  const unknown = await t.admin('PATCH', '/v1/pools/us-east-1_NoSuchPoo', { deletionProtection: false });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, 'ResourceNotFoundException');
});

test('POST /v1/pools takes deletionProtection and tags, checked alike', async () => {
  const created = await t.admin('POST', '/v1/pools', { name: 'p', deletionProtection: true, tags: { a: 'b' } });
  assert.equal(created.status, 201);
  assert.equal(created.body.deletionProtection, true);
  assert.deepEqual(created.body.tags, { a: 'b' });
  const before = (await t.admin('GET', '/v1/pools')).body.pools.length;
  const refused = await t.admin('POST', '/v1/pools', { name: 'p', tags: { 'aws:a': 'b' } });
  assert.equal(refused.status, 400);
  assert.equal((await t.admin('GET', '/v1/pools')).body.pools.length, before);
  // Created protected: it cannot be deleted until the protection is off.
  assert.equal((await t.admin('DELETE', `/v1/pools/${created.body.id}`)).status, 400);
  await t.admin('PATCH', `/v1/pools/${created.body.id}`, { deletionProtection: false });
  assert.equal((await t.admin('DELETE', `/v1/pools/${created.body.id}`)).status, 204);
});

test('DELETE /v1/pools/{poolId}: refused while protected, then the pool, its clients, users and tokens are gone', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    deletionProtection: true,
  });
  const email = uniqueEmail();
  const tokens = await signedInUser(t, clientId, email, { email });
  // A second pool, untouched by the first one's deletion.
  const other = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const otherEmail = uniqueEmail();
  const otherTokens = await signedInUser(t, other.clientId, otherEmail, { email: otherEmail });

  const refused = await t.admin('DELETE', `/v1/pools/${poolId}`);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.code, 'InvalidParameterException');
  assert.equal(
    refused.body.detail,
    'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
  );
  assert.equal((await t.call('GET', '/v1/me', undefined, tokens.accessToken)).status, 200);

  await t.admin('PATCH', `/v1/pools/${poolId}`, { deletionProtection: false });
  const deleted = await t.admin('DELETE', `/v1/pools/${poolId}`);
  assert.equal(deleted.status, 204);

  assert.equal((await t.admin('GET', `/v1/pools/${poolId}`)).status, 404);
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/clients`)).status, 404);
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(email)}`)).status, 404);
  const me = await t.call('GET', '/v1/me', undefined, tokens.accessToken);
  assert.equal(me.status, 401);
  assert.equal(me.body.code, 'NotAuthorizedException');
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken });
  assert.ok([400, 401, 404].includes(refreshed.status), JSON.stringify(refreshed.body));
  assert.equal(refreshed.body.accessToken, undefined);
  // Nothing of the pool is left in any table that names it.
  for (const table of ['users', 'clients', 'signing_keys', 'hook_secrets', 'audit_events', 'sign_in_names']) {
    assert.equal(
      await count(sql`select count(*)::int as n from ${sql.identifier(table)} where pool_id = ${poolId}`),
      0,
      table,
    );
  }
  assert.equal(await count(sql`select count(*)::int as n from refresh_tokens where client_id = ${clientId}`), 0);

  // The other pool is untouched.
  assert.equal((await t.call('GET', '/v1/me', undefined, otherTokens.accessToken)).status, 200);
  assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}`)).status, 404);
  assert.equal((await t.admin('DELETE', '/v1/pools/not-a-pool-id')).status, 404);
});

test('DELETE of a client ends its sessions at once; the pool’s other clients keep theirs', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const second = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'second' });
  const email = uniqueEmail();
  const tokens = await signedInUser(t, clientId, email, { email });
  const kept = await t.call('POST', '/v1/auth/sign-in', {
    clientId: second.body.clientId,
    username: email,
    password: 'Passw0rd!',
  });
  assert.equal(kept.status, 200);

  assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/clients/${clientId}`)).status, 204);
  assert.equal((await t.call('GET', '/v1/me', undefined, tokens.accessToken)).status, 401);
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken });
  assert.equal(refreshed.body.accessToken, undefined);
  assert.equal((await t.call('GET', '/v1/me', undefined, kept.body.accessToken)).status, 200);
  assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/clients/${clientId}`)).status, 404);
});
