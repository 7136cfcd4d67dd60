/**
 * Confidential clients on the REST face (docs/client-secrets.md): generateSecret shown once,
 * hasSecret, the secrets routes with their bad inputs, and the REST user API taking a confidential
 * client's secret by HTTP Basic.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, type TestResponse } from '../support/app.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t?.close());

function assertProblem(response: TestResponse, status: number, code: string, detail?: string | RegExp) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  assert.equal(response.body.code, code);
  if (typeof detail === 'string') assert.ok(response.body.detail.includes(detail), response.body.detail);
  else if (detail) assert.match(response.body.detail, detail);
}

async function poolId(body: Record<string, unknown> = {}): Promise<string> {
  const created = await t.admin('POST', '/v1/pools', { name: 'secrets', ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

const secretsUrl = (pool: string, client: string) => `/v1/pools/${pool}/clients/${client}/secrets`;

test('POST clients with generateSecret: the secret once, hasSecret on every answer after, never the value again', async () => {
  const pool = await poolId();
  const created = await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'server', generateSecret: true });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.hasSecret, true);
  assert.match(created.body.clientSecret, /^[a-z0-9]{51}$/);
  assert.equal(created.headers['cache-control'], 'no-store');
  const clientId = created.body.clientId as string;

  const described = await t.admin('GET', `/v1/pools/${pool}/clients/${clientId}`);
  assert.equal(described.body.hasSecret, true);
  assert.equal(described.body.clientSecret, undefined, 'shown once');
  const patched = await t.admin('PATCH', `/v1/pools/${pool}/clients/${clientId}`, { name: 'renamed' });
  assert.equal(patched.body.hasSecret, true);

  const publicClient = await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'web' });
  assert.equal(publicClient.body.hasSecret, false);
  assert.equal(publicClient.body.clientSecret, undefined);
  const listed = await t.admin('GET', `/v1/pools/${pool}/clients`);
  assert.deepEqual(
    listed.body.clients.map((c: { name: string; hasSecret: boolean }) => [c.name, c.hasSecret]),
    [
      ['renamed', true],
      ['web', false],
    ],
  );

  // A custom secret: a confidential client, its value not echoed (the caller has it).
  const custom = await t.admin('POST', `/v1/pools/${pool}/clients`, {
    name: 'custom',
    clientSecret: 'rest_custom_secret_0123456789',
  });
  assert.equal(custom.status, 201);
  assert.equal(custom.body.hasSecret, true);
  assert.equal(custom.body.clientSecret, undefined);
});

test('POST clients: bad secret inputs are refused and make no client', async () => {
  const pool = await poolId();
  const before = (await t.admin('GET', `/v1/pools/${pool}/clients`)).body.clients.length;
  assertProblem(
    await t.admin('POST', `/v1/pools/${pool}/clients`, {
      name: 'both',
      generateSecret: true,
      clientSecret: 'rest_custom_secret_0123456789',
    }),
    400,
    'InvalidParameterException',
    'not both',
  );
  assertProblem(
    await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'short', clientSecret: 'short' }),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'typed', generateSecret: 'yes' }),
    400,
    'InvalidParameterException',
  );
  assert.equal((await t.admin('GET', `/v1/pools/${pool}/clients`)).body.clients.length, before);
});

test('secrets routes: list without values, add (generated once, or custom), the limit, delete, never the last', async () => {
  const pool = await poolId();
  const created = await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'server', generateSecret: true });
  const clientId = created.body.clientId as string;

  const listed = await t.admin('GET', secretsUrl(pool, clientId));
  assert.equal(listed.status, 200);
  assert.equal(listed.body.secrets.length, 1);
  const [first] = listed.body.secrets;
  assert.match(first.secretId, new RegExp(`^${clientId}--\\d{13}$`));
  assert.equal(first.secret, undefined);
  assert.ok(!JSON.stringify(listed.body).includes(created.body.clientSecret));

  const added = await t.admin('POST', secretsUrl(pool, clientId), {});
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.match(added.body.secret, /^[a-z0-9]{51}$/);
  assert.equal(added.headers['cache-control'], 'no-store');

  assertProblem(await t.admin('POST', secretsUrl(pool, clientId), {}), 400, 'LimitExceededException');

  const deleted = await t.admin('DELETE', `${secretsUrl(pool, clientId)}/${first.secretId}`);
  assert.equal(deleted.status, 204);
  const afterDelete = await t.admin('GET', secretsUrl(pool, clientId));
  assert.deepEqual(
    afterDelete.body.secrets.map((s: { secretId: string }) => s.secretId),
    [added.body.secretId],
  );
  assertProblem(
    await t.admin('DELETE', `${secretsUrl(pool, clientId)}/${added.body.secretId}`),
    400,
    'InvalidParameterException',
    'last remaining secret',
  );
  assertProblem(
    await t.admin('DELETE', `${secretsUrl(pool, clientId)}/${first.secretId}`),
    404,
    'ResourceNotFoundException',
  );

  const custom = await t.admin('POST', secretsUrl(pool, clientId), { clientSecret: 'rest_custom_secret_0123456789' });
  assert.equal(custom.status, 201);
  assert.equal(custom.body.secret, undefined, 'a custom secret is not echoed');
});

test('secrets routes: bad inputs (public client, unknown ids, another pool, malformed secret, unknown members, no key)', async () => {
  const pool = await poolId();
  const publicClient = (await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'web' })).body.clientId as string;
  const confidential = (await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'srv', generateSecret: true })).body
    .clientId as string;

  assertProblem(
    await t.admin('POST', secretsUrl(pool, publicClient), {}),
    400,
    'InvalidParameterException',
    'no secret',
  );
  assert.deepEqual((await t.admin('GET', secretsUrl(pool, publicClient))).body.secrets, []);
  assertProblem(await t.admin('GET', secretsUrl(pool, 'z'.repeat(26))), 404, 'ResourceNotFoundException');
  assertProblem(await t.admin('GET', secretsUrl('local_Nope00000', confidential)), 404, 'ResourceNotFoundException');
  const otherPool = await poolId();
  assertProblem(await t.admin('GET', secretsUrl(otherPool, confidential)), 404, 'ResourceNotFoundException');
  assertProblem(await t.admin('POST', secretsUrl(otherPool, confidential), {}), 404, 'ResourceNotFoundException');
  assertProblem(
    await t.admin('DELETE', `${secretsUrl(otherPool, confidential)}/${confidential}--1`),
    404,
    'ResourceNotFoundException',
  );
  assertProblem(
    await t.admin('POST', secretsUrl(pool, confidential), { clientSecret: 'has spaces in it 0123456789' }),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.admin('POST', secretsUrl(pool, confidential), { secret: 'rest_custom_secret_0123456789' }),
    400,
    'InvalidParameterException',
  );
  assert.equal((await t.call('GET', secretsUrl(pool, confidential))).status, 401, 'admin key required');
  assert.equal((await t.admin('GET', secretsUrl(pool, confidential))).body.secrets.length, 1, 'nothing added');
});

const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
async function withBasic(url: string, body: unknown, authorization?: string): Promise<TestResponse> {
  const response = await t.app.inject({
    method: 'POST',
    url,
    payload: body as Record<string, unknown>,
    headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
  });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

test('the REST user API: a confidential client proves its secret with HTTP Basic; missing, wrong or another client’s is refused', async () => {
  const pool = await poolId({ autoVerifiedAttributes: ['email'] });
  const created = await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'srv', generateSecret: true });
  const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
  const other = await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'other', generateSecret: true });
  const publicId = (await t.admin('POST', `/v1/pools/${pool}/clients`, { name: 'web' })).body.clientId as string;
  const email = 'rest-basic@example.com';
  const signUpBody = { clientId, username: 'rest-basic', password: PASSWORD, userAttributes: { email } };

  const refusals: Array<[string | undefined, RegExp]> = [
    [undefined, /is configured with secret but it was not received: send it with HTTP Basic/],
    [basic(clientId, 'not-the-secret-0123456789'), /^Unable to verify client secret for client /],
    [basic(other.body.clientId, other.body.clientSecret), /^Unable to verify client secret for client /],
    [basic(clientId, clientSecret.slice(0, -1)), /^Unable to verify client secret for client /],
  ];
  for (const [authorization, detail] of refusals)
    assertProblem(await withBasic('/v1/sign-up', signUpBody, authorization), 401, 'NotAuthorizedException', detail);
  assertProblem(
    await withBasic('/v1/sign-up', signUpBody, 'Basic not base64!'),
    401,
    'NotAuthorizedException',
    /not base64/,
  );
  assert.equal(t.smtp.messages.filter((m) => JSON.stringify(m).includes(email)).length, 0, 'nothing sent');

  const auth = basic(clientId, clientSecret);
  const signedUp = await withBasic('/v1/sign-up', signUpBody, auth);
  assert.equal(signedUp.status, 201, JSON.stringify(signedUp.body));
  const code = await t.smtp.codeFor(email);
  const confirm = { clientId, username: 'rest-basic', confirmationCode: code };
  assertProblem(await withBasic('/v1/sign-up/confirm', confirm), 401, 'NotAuthorizedException');
  assert.equal((await withBasic('/v1/sign-up/confirm', confirm, auth)).status, 200);

  const signIn = { clientId, username: 'rest-basic', password: PASSWORD };
  assertProblem(await withBasic('/v1/auth/sign-in', signIn), 401, 'NotAuthorizedException');
  const tokens = await withBasic('/v1/auth/sign-in', signIn, auth);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  const refresh = { clientId, refreshToken: tokens.body.refreshToken };
  assertProblem(await withBasic('/v1/auth/refresh', refresh), 401, 'NotAuthorizedException');
  const refreshed = await withBasic('/v1/auth/refresh', refresh, auth);
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.ok(!JSON.stringify(t.logs).includes(clientSecret), 'the secret is never logged');
  assert.ok(!JSON.stringify(t.logs).includes(auth.slice(6)), 'nor its Basic credentials');

  // A public client takes no Basic credentials: sent, they are refused, naming them.
  assertProblem(
    await withBasic(
      '/v1/sign-up',
      {
        clientId: publicId,
        username: 'rest-pub',
        password: PASSWORD,
        userAttributes: { email: 'rest-pub@example.com' },
      },
      auth,
    ),
    400,
    'InvalidParameterException',
    'send no Authorization',
  );
});
