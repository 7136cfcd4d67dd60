import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp, type TestResponse } from '../support/app.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const CLIENT_ID = /^[a-z0-9]{26}$/;
const NO_POOL = 'local_Nope00000';
const NO_CLIENT = 'z'.repeat(26);

function assertProblem(response: TestResponse, status: number, code: string, detail?: string) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  assert.equal(response.body.code, code);
  assert.equal(response.body.status, status);
  if (detail)
    assert.ok(
      response.body.detail.includes(detail),
      `detail ${JSON.stringify(response.body.detail)} lacks ${JSON.stringify(detail)}`,
    );
}

async function createPool(body: Record<string, unknown> = {}): Promise<string> {
  const created = await t.admin('POST', '/v1/pools', { name: 'pool', ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

async function createClient(poolId: string, body: Record<string, unknown> = {}) {
  const created = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'app', ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

async function clientsOf(poolId: string) {
  const list = await t.admin('GET', `/v1/pools/${poolId}/clients`);
  assert.equal(list.status, 200);
  return list.body.clients;
}

/** A bad request on a pool's clients: checks the answer and that the pool's clients did not change. */
async function refuse(
  poolId: string,
  method: string,
  url: string,
  body: unknown,
  status: number,
  code: string,
  detail: string,
) {
  const before = await clientsOf(poolId);
  assertProblem(await t.admin(method, url, body), status, code, detail);
  assert.deepEqual(await clientsOf(poolId), before);
}

describe('CreateUserPoolClient', () => {
  test('defaults: a generated 26-character id, no lists, user-existence errors prevented', async () => {
    const poolId = await createPool();
    const client = await createClient(poolId, { name: 'web' });
    assert.match(client.clientId, CLIENT_ID);
    assert.equal(client.hasSecret, false, 'a public client (docs/client-secrets.md)');
    assert.deepEqual(Object.keys(client).sort(), [
      'allowedOrigins',
      'authSessionValidity',
      'clientId',
      'createdAt',
      'explicitAuthFlows',
      'hasSecret',
      'name',
      'oauth',
      'poolId',
      'preventUserExistenceErrors',
      'readAttributes',
      'updatedAt',
      'writeAttributes',
    ]);
    assert.equal(client.explicitAuthFlows, null, 'no list: every sign-in flow');
    assert.equal(client.poolId, poolId);
    assert.equal(client.name, 'web');
    assert.equal(client.readAttributes, null);
    assert.equal(client.writeAttributes, null);
    assert.equal(client.preventUserExistenceErrors, true);
    assert.equal(client.authSessionValidity, 3);
    assert.equal(client.oauth.enabled, false, 'OAuth off unless asked (docs/web-sign-in.md)');
    assert.equal(new Date(client.createdAt).toISOString(), client.createdAt);
    assert.equal(client.updatedAt, client.createdAt);
    const again = await createClient(poolId, { name: 'web' });
    assert.notEqual(again.clientId, client.clientId);
    assert.match(again.clientId, CLIENT_ID);
  });

  test('a given client id is used; the same id again, even in another pool, is refused', async () => {
    const poolId = await createPool();
    const other = await createPool();
    const clientId = 'abcdefghij0123456789klmnop';
    const client = await createClient(poolId, { clientId, preventUserExistenceErrors: false });
    assert.equal(client.clientId, clientId);
    assert.equal(client.preventUserExistenceErrors, false);
    await refuse(
      poolId,
      'POST',
      `/v1/pools/${poolId}/clients`,
      { clientId, name: 'again' },
      400,
      'InvalidParameterException',
      `User pool client ${clientId} already exists.`,
    );
    await refuse(
      other,
      'POST',
      `/v1/pools/${other}/clients`,
      { clientId, name: 'again' },
      400,
      'InvalidParameterException',
      `User pool client ${clientId} already exists.`,
    );
    for (const bad of ['ABCDEFGHIJ0123456789KLMNOP', 'short', 'a'.repeat(27), 'abcdefghij0123456789klmno-']) {
      await refuse(
        poolId,
        'POST',
        `/v1/pools/${poolId}/clients`,
        { clientId: bad, name: 'bad' },
        400,
        'InvalidParameterException',
        "Value at 'body.clientId' failed to satisfy constraint",
      );
    }
  });

  test('read and write lists naming schema attributes are kept as given', async () => {
    const poolId = await createPool({ schema: [{ name: 'plan' }, { name: 'secret', developerOnly: true }] });
    const client = await createClient(poolId, {
      readAttributes: ['email', 'email_verified', 'phone_number_verified', 'sub', 'custom:plan', 'dev:custom:secret'],
      writeAttributes: ['email', 'custom:plan', 'given_name'],
    });
    assert.deepEqual(client.readAttributes, [
      'email',
      'email_verified',
      'phone_number_verified',
      'sub',
      'custom:plan',
      'dev:custom:secret',
    ]);
    assert.deepEqual(client.writeAttributes, ['email', 'custom:plan', 'given_name']);
    const empty = await createClient(poolId, { readAttributes: [], writeAttributes: [] });
    assert.deepEqual(empty.readAttributes, []);
    assert.deepEqual(empty.writeAttributes, []);
    const nulls = await createClient(poolId, { readAttributes: null, writeAttributes: null });
    assert.equal(nulls.readAttributes, null);
    assert.equal(nulls.writeAttributes, null);
  });

  test('read lists may only name schema attributes', async () => {
    const poolId = await createPool({ schema: [{ name: 'plan' }] });
    const url = `/v1/pools/${poolId}/clients`;
    for (const name of ['custom:nope', 'plan', 'nickname2', 'identities', 'EMAIL']) {
      await refuse(
        poolId,
        'POST',
        url,
        { name: 'x', readAttributes: [name] },
        400,
        'InvalidParameterException',
        'Invalid read attributes specified while creating a client',
      );
    }
  });

  test('write lists: never sub, the verified flags, developer-only or unknown attributes', async () => {
    const poolId = await createPool({ schema: [{ name: 'plan' }, { name: 'secret', developerOnly: true }] });
    const url = `/v1/pools/${poolId}/clients`;
    for (const name of ['sub', 'email_verified', 'phone_number_verified', 'dev:custom:secret', 'custom:nope', 'plan']) {
      await refuse(
        poolId,
        'POST',
        url,
        { name: 'x', writeAttributes: ['email', name] },
        400,
        'InvalidParameterException',
        'Invalid write attributes specified while creating a client',
      );
    }
  });

  test('a write list must name every required attribute', async () => {
    const poolId = await createPool({
      schema: [
        { name: 'email', required: true },
        { name: 'family_name', required: true },
      ],
    });
    const url = `/v1/pools/${poolId}/clients`;
    await refuse(
      poolId,
      'POST',
      url,
      { name: 'x', writeAttributes: ['email'] },
      400,
      'InvalidParameterException',
      'Invalid write attributes specified while creating a client',
    );
    await refuse(
      poolId,
      'POST',
      url,
      { name: 'x', writeAttributes: [] },
      400,
      'InvalidParameterException',
      'Invalid write attributes specified while creating a client',
    );
    const client = await createClient(poolId, { writeAttributes: ['family_name', 'email'] });
    assert.deepEqual(client.writeAttributes, ['family_name', 'email']);
    // Reading is not bound by required attributes.
    assert.deepEqual((await createClient(poolId, { readAttributes: ['sub'] })).readAttributes, ['sub']);
  });

  test('bad bodies are refused by schema', async () => {
    const poolId = await createPool();
    const url = `/v1/pools/${poolId}/clients`;
    const cases: Array<[unknown, string]> = [
      [{}, "Member 'name' at 'body' is required"],
      [{ name: '' }, "Value at 'body.name' failed to satisfy constraint"],
      [{ name: 'x'.repeat(129) }, "Value at 'body.name' failed to satisfy constraint"],
      [{ name: 'x', scopes: ['openid'] }, "Unknown member 'scopes' at 'body'"],
      [{ name: 'x', readAttributes: 'email' }, "Value at 'body.readAttributes' failed to satisfy constraint"],
      [{ name: 'x', writeAttributes: [5] }, "Value at 'body.writeAttributes"],
      [{ name: 'x', writeAttributes: [''] }, "Value at 'body.writeAttributes"],
      [
        { name: 'x', preventUserExistenceErrors: 'ENABLED' },
        "Value at 'body.preventUserExistenceErrors' failed to satisfy constraint",
      ],
      [{ name: 7 }, "Value at 'body.name' failed to satisfy constraint"],
      [
        { name: 'x', readAttributes: ['email', 'email'] },
        "Value at 'body.readAttributes' failed to satisfy constraint: must NOT have duplicate items",
      ],
      [
        { name: 'x', writeAttributes: ['email', 'name', 'email'] },
        "Value at 'body.writeAttributes' failed to satisfy constraint: must NOT have duplicate items",
      ],
    ];
    for (const [body, detail] of cases)
      await refuse(poolId, 'POST', url, body, 400, 'InvalidParameterException', detail);
  });

  test('an unknown pool: 404 ResourceNotFoundException', async () => {
    assertProblem(
      await t.admin('POST', `/v1/pools/${NO_POOL}/clients`, { name: 'x' }),
      404,
      'ResourceNotFoundException',
      `User pool ${NO_POOL} does not exist.`,
    );
  });
});

describe('ListUserPoolClients and DescribeUserPoolClient', () => {
  test('the list has exactly the pool’s clients, oldest first; describe returns each as created', async () => {
    const poolId = await createPool();
    const other = await createPool();
    const a = await createClient(poolId, { name: 'a' });
    const b = await createClient(poolId, { name: 'b', readAttributes: ['email'] });
    await createClient(other, { name: 'elsewhere' });
    assert.deepEqual(await clientsOf(poolId), [a, b]);
    const got = await t.admin('GET', `/v1/pools/${poolId}/clients/${b.clientId}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, b);
    assert.deepEqual(await clientsOf(await createPool()), []);
  });

  test('unknown pool, unknown client, and a client of another pool: 404 ResourceNotFoundException', async () => {
    const poolId = await createPool();
    const other = await createPool();
    const foreign = await createClient(other);
    assertProblem(
      await t.admin('GET', `/v1/pools/${NO_POOL}/clients`),
      404,
      'ResourceNotFoundException',
      `User pool ${NO_POOL} does not exist.`,
    );
    assertProblem(
      await t.admin('GET', `/v1/pools/${poolId}/clients/${NO_CLIENT}`),
      404,
      'ResourceNotFoundException',
      `User pool client ${NO_CLIENT} does not exist.`,
    );
    assertProblem(await t.admin('GET', `/v1/pools/${poolId}/clients/not-even-an-id`), 404, 'ResourceNotFoundException');
    assertProblem(
      await t.admin('GET', `/v1/pools/${poolId}/clients/${foreign.clientId}`),
      404,
      'ResourceNotFoundException',
      `User pool client ${foreign.clientId} does not exist.`,
    );
    assertProblem(
      await t.admin('GET', `/v1/pools/${NO_POOL}/clients/${foreign.clientId}`),
      404,
      'ResourceNotFoundException',
    );
  });
});

describe('UpdateUserPoolClient (PATCH)', () => {
  test('members given replace the current ones, others are kept, null removes a list', async () => {
    const poolId = await createPool({ schema: [{ name: 'plan' }] });
    const client = await createClient(poolId, {
      name: 'before',
      readAttributes: ['email'],
      writeAttributes: ['email'],
    });
    const url = `/v1/pools/${poolId}/clients/${client.clientId}`;

    const renamed = await t.admin('PATCH', url, { name: 'after' });
    assert.equal(renamed.status, 200);
    assert.deepEqual({ ...renamed.body, updatedAt: client.updatedAt }, { ...client, name: 'after' });
    assert.ok(renamed.body.updatedAt >= client.updatedAt);

    const lists = await t.admin('PATCH', url, { readAttributes: ['email', 'custom:plan'] });
    assert.equal(lists.status, 200);
    assert.deepEqual(lists.body.readAttributes, ['email', 'custom:plan']);
    assert.deepEqual(lists.body.writeAttributes, ['email']);
    assert.equal(lists.body.name, 'after');

    const removed = await t.admin('PATCH', url, { writeAttributes: null, preventUserExistenceErrors: false });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.writeAttributes, null);
    assert.deepEqual(removed.body.readAttributes, ['email', 'custom:plan']);
    assert.equal(removed.body.preventUserExistenceErrors, false);

    const nothing = await t.admin('PATCH', url, {});
    assert.equal(nothing.status, 200);
    assert.deepEqual({ ...nothing.body, updatedAt: removed.body.updatedAt }, removed.body);

    const got = await t.admin('GET', url);
    assert.deepEqual(got.body, nothing.body);
    assert.equal(got.body.clientId, client.clientId);
    assert.equal(got.body.createdAt, client.createdAt);
  });

  test('the lists are validated as at creation, with the update wording, and nothing changes', async () => {
    const poolId = await createPool({ schema: [{ name: 'email', required: true }] });
    const client = await createClient(poolId, { writeAttributes: ['email', 'name'] });
    const url = `/v1/pools/${poolId}/clients/${client.clientId}`;
    const write = 'Invalid write attributes specified while updating a client';
    await refuse(poolId, 'PATCH', url, { writeAttributes: ['name'] }, 400, 'InvalidParameterException', write);
    await refuse(
      poolId,
      'PATCH',
      url,
      { writeAttributes: ['email', 'email_verified'] },
      400,
      'InvalidParameterException',
      write,
    );
    await refuse(poolId, 'PATCH', url, { writeAttributes: ['email', 'sub'] }, 400, 'InvalidParameterException', write);
    await refuse(
      poolId,
      'PATCH',
      url,
      { name: 'renamed', readAttributes: ['custom:nope'] },
      400,
      'InvalidParameterException',
      'Invalid read attributes specified while updating a client',
    );
    await refuse(
      poolId,
      'PATCH',
      url,
      { clientId: NO_CLIENT },
      400,
      'InvalidParameterException',
      "Unknown member 'clientId' at 'body'",
    );
    await refuse(
      poolId,
      'PATCH',
      url,
      { poolId },
      400,
      'InvalidParameterException',
      "Unknown member 'poolId' at 'body'",
    );
    await refuse(
      poolId,
      'PATCH',
      url,
      { name: null },
      400,
      'InvalidParameterException',
      "Value at 'body.name' failed to satisfy constraint",
    );
    await refuse(
      poolId,
      'PATCH',
      url,
      { preventUserExistenceErrors: null },
      400,
      'InvalidParameterException',
      "Value at 'body.preventUserExistenceErrors' failed to satisfy constraint",
    );
    await refuse(
      poolId,
      'PATCH',
      url,
      [],
      400,
      'InvalidParameterException',
      "Value at 'body' failed to satisfy constraint",
    );
    await refuse(
      poolId,
      'PATCH',
      url,
      { readAttributes: ['sub', 'sub'] },
      400,
      'InvalidParameterException',
      "Value at 'body.readAttributes' failed to satisfy constraint: must NOT have duplicate items",
    );
  });

  test('unknown pool, unknown client, and a client of another pool: 404, and the foreign client is unchanged', async () => {
    const poolId = await createPool();
    const other = await createPool();
    const foreign = await createClient(other, { name: 'foreign' });
    assertProblem(
      await t.admin('PATCH', `/v1/pools/${NO_POOL}/clients/${foreign.clientId}`, { name: 'x' }),
      404,
      'ResourceNotFoundException',
      `User pool ${NO_POOL} does not exist.`,
    );
    assertProblem(
      await t.admin('PATCH', `/v1/pools/${poolId}/clients/${NO_CLIENT}`, { name: 'x' }),
      404,
      'ResourceNotFoundException',
      `User pool client ${NO_CLIENT} does not exist.`,
    );
    assertProblem(
      await t.admin('PATCH', `/v1/pools/${poolId}/clients/${foreign.clientId}`, { name: 'hijacked' }),
      404,
      'ResourceNotFoundException',
      `User pool client ${foreign.clientId} does not exist.`,
    );
    assert.deepEqual(await clientsOf(other), [foreign]);
  });
});

describe('DeleteUserPoolClient', () => {
  test('deletes: 204 without a body, then 404 for it; the other clients stay', async () => {
    const poolId = await createPool();
    const keep = await createClient(poolId, { name: 'keep' });
    const gone = await createClient(poolId, { name: 'gone' });
    const url = `/v1/pools/${poolId}/clients/${gone.clientId}`;
    const deleted = await t.admin('DELETE', url);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
    assertProblem(
      await t.admin('GET', url),
      404,
      'ResourceNotFoundException',
      `User pool client ${gone.clientId} does not exist.`,
    );
    assertProblem(
      await t.admin('DELETE', url),
      404,
      'ResourceNotFoundException',
      `User pool client ${gone.clientId} does not exist.`,
    );
    assertProblem(await t.admin('PATCH', url, { name: 'x' }), 404, 'ResourceNotFoundException');
    assert.deepEqual(await clientsOf(poolId), [keep]);
  });

  test('a deleted client can no longer sign anybody up', async () => {
    const poolId = await createPool();
    const client = await createClient(poolId);
    assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/clients/${client.clientId}`)).status, 204);
    const signUp = await t.call('POST', '/v1/sign-up', {
      clientId: client.clientId,
      username: 'late',
      password: 'Passw0rd!',
    });
    assertProblem(signUp, 404, 'ResourceNotFoundException');
  });

  test('unknown pool, unknown client, and a client of another pool: 404, and nothing is deleted', async () => {
    const poolId = await createPool();
    const other = await createPool();
    const foreign = await createClient(other);
    assertProblem(
      await t.admin('DELETE', `/v1/pools/${NO_POOL}/clients/${foreign.clientId}`),
      404,
      'ResourceNotFoundException',
      `User pool ${NO_POOL} does not exist.`,
    );
    assertProblem(
      await t.admin('DELETE', `/v1/pools/${poolId}/clients/${NO_CLIENT}`),
      404,
      'ResourceNotFoundException',
      `User pool client ${NO_CLIENT} does not exist.`,
    );
    assertProblem(
      await t.admin('DELETE', `/v1/pools/${poolId}/clients/${foreign.clientId}`),
      404,
      'ResourceNotFoundException',
      `User pool client ${foreign.clientId} does not exist.`,
    );
    assert.deepEqual(await clientsOf(other), [foreign]);
  });

  test('DELETE with a JSON content type and an empty body is fine (curl -X DELETE -H ...)', async () => {
    const poolId = await createPool();
    const client = await createClient(poolId);
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/v1/pools/${poolId}/clients/${client.clientId}`,
      headers: { authorization: 'Bearer test-admin-key-0123456789abcdef', 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(response.statusCode, 204);
  });
});

describe('client settings reach the user-facing routes', () => {
  test('preventUserExistenceErrors: true answers an unknown user at sign-in with 401, false with 404', async () => {
    const poolId = await createPool();
    const hiding = await createClient(poolId);
    const telling = await createClient(poolId, { preventUserExistenceErrors: false });
    const hidden = await t.call('POST', '/v1/auth/sign-in', {
      clientId: hiding.clientId,
      username: 'ghost',
      password: 'Passw0rd!',
    });
    assertProblem(hidden, 401, 'NotAuthorizedException', 'Incorrect username or password.');
    const told = await t.call('POST', '/v1/auth/sign-in', {
      clientId: telling.clientId,
      username: 'ghost',
      password: 'Passw0rd!',
    });
    assertProblem(told, 404, 'UserNotFoundException');
  });
});
