import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bootstrapPools } from '../../src/modules/pools/bootstrap.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

test('first start creates one default pool and client; later starts find them again', async () => {
  const first = await bootstrapPools(t.services.pools, {});
  assert.equal(first.length, 1);
  assert.equal(first[0]!.created, true);
  assert.equal(first[0]!.pool.name, 'default');
  assert.match(first[0]!.pool.id, /^local_[A-Za-z0-9]{9}$/);
  assert.match(first[0]!.clients[0]!.id, /^[a-z0-9]{26}$/);
  // The default pool lets a newcomer sign up with an email that gets a code and becomes an alias.
  assert.deepEqual(first[0]!.pool.attributeSettings.autoVerifiedAttributes, ['email']);
  // Amplify's default sign-in is SRP: the default pool answers it out of the box.
  assert.equal(first[0]!.pool.srpEnabled, true);

  const second = await bootstrapPools(t.services.pools, {});
  assert.equal(second[0]!.created, false);
  assert.equal(second[0]!.pool.id, first[0]!.pool.id);
  assert.equal(second[0]!.clients[0]!.id, first[0]!.clients[0]!.id);
  assert.equal((await t.services.pools.listPools()).length, 1);
});

test('POOLS_FILE creates pools and clients, then brings them up to date without changing what exists', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-pools-'));
  const file = path.join(dir, 'pools.json');
  const pool = {
    poolId: 'local_FilePool1',
    name: 'from-file',
    schema: [{ name: 'plan' }],
    autoVerifiedAttributes: ['email'],
  };
  const client = { clientId: 'abcdefghijklmnopqrstuvwxyz', name: 'web', writeAttributes: ['email', 'custom:plan'] };
  await writeFile(file, JSON.stringify({ pools: [{ ...pool, clients: [client] }] }));
  const [created] = await bootstrapPools(t.services.pools, { poolsFile: file });
  assert.equal(created!.created, true);
  assert.ok(created!.pool.attributeSettings.schema.some((a) => a.name === 'custom:plan'));
  assert.deepEqual(created!.clients[0]!.writeAttributes, ['email', 'custom:plan']);

  // Second run: a new custom attribute is added, the client list is replaced by the file's.
  const updatedClient = { ...client, readAttributes: ['email'], writeAttributes: ['email'] };
  await writeFile(
    file,
    JSON.stringify({ pools: [{ ...pool, schema: [{ name: 'plan' }, { name: 'tier' }], clients: [updatedClient] }] }),
  );
  const [updated] = await bootstrapPools(t.services.pools, { poolsFile: file });
  assert.equal(updated!.created, false);
  const names = updated!.pool.attributeSettings.schema.map((a) => a.name);
  assert.deepEqual(names.slice(-2), ['custom:plan', 'custom:tier']);
  assert.deepEqual(updated!.clients[0]!.readAttributes, ['email']);
  assert.deepEqual(updated!.clients[0]!.writeAttributes, ['email']);

  // A client is declared whole: settings its entry no longer names go back to their defaults.
  const full = {
    ...client,
    allowedOrigins: ['https://app.example.com'],
    explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
    preventUserExistenceErrors: false,
  };
  await writeFile(file, JSON.stringify({ pools: [{ ...pool, clients: [full] }] }));
  const [declared] = await bootstrapPools(t.services.pools, { poolsFile: file });
  assert.deepEqual(declared!.clients[0]!.allowedOrigins, ['https://app.example.com']);
  assert.deepEqual(declared!.clients[0]!.explicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH']);
  await writeFile(
    file,
    JSON.stringify({ pools: [{ ...pool, clients: [{ clientId: client.clientId, name: 'web' }] }] }),
  );
  const [reset] = await bootstrapPools(t.services.pools, { poolsFile: file });
  const { readAttributes, writeAttributes, allowedOrigins, explicitAuthFlows, preventUserExistenceErrors } =
    reset!.clients[0]!;
  assert.deepEqual(
    { readAttributes, writeAttributes, allowedOrigins, explicitAuthFlows, preventUserExistenceErrors },
    {
      readAttributes: null,
      writeAttributes: null,
      allowedOrigins: null,
      explicitAuthFlows: null,
      preventUserExistenceErrors: true,
    },
  );
});

test('POOLS_FILE entries need stable ids', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-pools-'));
  const file = path.join(dir, 'pools.json');
  await writeFile(file, JSON.stringify({ pools: [{ name: 'no-id' }] }));
  await assert.rejects(bootstrapPools(t.services.pools, { poolsFile: file }), /every pool needs a poolId/);
});

test('POOLS_FILE turns SRP on at creation and on or off at a later start', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-pools-'));
  const file = path.join(dir, 'pools.json');
  const pool = { poolId: 'local_SrpPool01', name: 'srp-from-file' };
  await writeFile(file, JSON.stringify({ pools: [{ ...pool, srpEnabled: true }] }));
  const [created] = await bootstrapPools(t.services.pools, { poolsFile: file });
  assert.equal(created!.pool.srpEnabled, true);
  await writeFile(file, JSON.stringify({ pools: [pool] }));
  assert.equal(
    (await bootstrapPools(t.services.pools, { poolsFile: file }))[0]!.pool.srpEnabled,
    true,
    'unsaid, the setting stays',
  );
  await writeFile(file, JSON.stringify({ pools: [{ ...pool, srpEnabled: false }] }));
  assert.equal((await bootstrapPools(t.services.pools, { poolsFile: file }))[0]!.pool.srpEnabled, false);
  // The default pool (made by the first test) keeps SRP on, whatever a file did to another pool.
  assert.equal((await bootstrapPools(t.services.pools, {}))[0]!.pool.srpEnabled, true);
});
