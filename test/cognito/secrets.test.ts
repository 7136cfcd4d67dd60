/**
 * The server's own secrets (the admin key, the code HMAC secret, the signing keys' private halves,
 * the SigV4 secret) never appear in a log line or in any answer, over a realistic run of both faces
 * that includes errors, a failing database write that carries a private key, and key rotation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AdminGetUserCommand, GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { sql } from 'drizzle-orm';
import { serverSecrets, signingKeys } from '../../src/db/schema/index.ts';
import { loadAdminKey } from '../../src/modules/secrets/server-secrets.ts';
import { ADMIN_KEY, PASSWORD, createPoolWithClient, signedInUser, type TestResponse } from '../support/app.ts';
import { AWS_KEY, sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
const bodies: string[] = [];
before(async () => {
  t = await startCognitoApp();
  // Record every answer the run gets, whichever helper asked.
  const record =
    (send: (...args: any[]) => Promise<TestResponse>) =>
    async (...args: any[]) => {
      const response = await send(...args);
      bodies.push(JSON.stringify(response.body ?? null), JSON.stringify(response.headers));
      return response;
    };
  t.call = record(t.call);
  t.admin = record(t.admin);
});
after(() => t.close());

async function raw(method: string, url: string, headers: Record<string, string>, payload?: string) {
  const response = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload !== undefined && { payload }),
  });
  bodies.push(response.body, JSON.stringify(response.headers));
  return response;
}

test('no secret of the server in any log line or answer', async () => {
  // A realistic run: admin set-up, a user's whole life, key rotation, and the errors on the way.
  const { poolId, clientId } = await createPoolWithClient(
    t,
    { autoVerifiedAttributes: ['email'] },
    { allowedOrigins: ['https://app.example.com'] },
  );
  const email = uniqueEmail('secretive');
  const tokens = await signedInUser(t, clientId, 'secretive', { email });
  await t.call('GET', '/v1/me', undefined, tokens.accessToken);
  await t.call('PATCH', '/v1/me/attributes', { userAttributes: { email: uniqueEmail('moved') } }, tokens.accessToken);
  await t.call('POST', '/v1/me/attributes/email/verify', { confirmationCode: '000000' }, tokens.accessToken);
  await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken });
  await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'secretive' });
  await t.call('POST', '/v1/auth/forgot-password/confirm', {
    clientId,
    username: 'secretive',
    confirmationCode: '111111',
    password: PASSWORD,
  });
  await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'secretive', password: 'Wr0ng-passw0rd!' });
  await t.admin('POST', `/v1/pools/${poolId}/signing-keys`);
  await t.admin('GET', `/v1/pools/${poolId}/signing-keys`);
  await t.admin('GET', `/v1/pools/${poolId}`);
  await t.admin('GET', `/v1/pools/${poolId}/clients`);
  await t.admin('GET', `/v1/pools/${poolId}/users/secretive`);
  await t.admin('GET', `/v1/pools/${poolId}/users/secretive/messages`);
  await t.call('GET', `/${poolId}/.well-known/jwks.json`);
  await t.call('GET', `/${poolId}/.well-known/openid-configuration`);
  await t.call('GET', '/openapi.json');
  // Wrong keys and tokens: the admin key where a token goes, a near miss of it, garbage.
  await t.call('GET', '/v1/me', undefined, ADMIN_KEY);
  await t.call('GET', '/v1/pools', undefined, `${ADMIN_KEY}x`);
  await t.call('GET', '/v1/pools', undefined, ADMIN_KEY.slice(0, -1));
  await raw('GET', '/v1/pools', { authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}` });
  await raw(
    'POST',
    '/v1/pools',
    { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    '{"name": ',
  );
  await raw(
    'POST',
    '/v1/pools',
    { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
  );
  await raw('GET', '/no/such/route', { authorization: `Bearer ${ADMIN_KEY}` });
  // The Cognito face: a user call with a bad token, a signed admin call, one signed with a wrong secret.
  await raw(
    'POST',
    '/',
    { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' },
    JSON.stringify({ AccessToken: ADMIN_KEY }),
  );
  await sdkError(t.sdk.send(new GetUserCommand({ AccessToken: 'garbage' })));
  assert.equal(
    (await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'secretive' }))).Username,
    'secretive',
  );
  await sdkError(
    t
      .sdkWith({ accessKeyId: AWS_KEY.accessKeyId, secretAccessKey: `${AWS_KEY.secretAccessKey}-wrong` })
      .send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'secretive' })),
  );

  // A database write that fails with a private key among its parameters (the rotation's insert).
  await t.database.db.execute(
    sql.raw(
      `create function cognate_test_refuse_key() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`,
    ),
  );
  await t.database.db.execute(
    sql.raw(
      'create trigger cognate_test_refuse_key before insert on signing_keys for each row execute function cognate_test_refuse_key()',
    ),
  );
  try {
    const failed = await t.admin('POST', `/v1/pools/${poolId}/signing-keys`);
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.body, {
      type: 'urn:cognate:error:InternalErrorException',
      title: 'InternalErrorException',
      status: 500,
      detail: 'Internal error.',
      code: 'InternalErrorException',
    });
  } finally {
    await t.database.db.execute(sql.raw('drop trigger cognate_test_refuse_key on signing_keys'));
    await t.database.db.execute(sql.raw('drop function cognate_test_refuse_key()'));
  }
  // Logged with its query, for the operator, but not with its values.
  const failure = JSON.stringify(t.logs.filter((entry) => entry.level >= 50));
  assert.match(failure, /insert into \\"signing_keys\\"/);
  assert.match(failure, /params: \[redacted\]/);

  const [hmac] = await t.database.db
    .select()
    .from(serverSecrets)
    .where(sql`${serverSecrets.name} = 'code_hmac_secret'`);
  const keys = await t.database.db.select().from(signingKeys);
  assert.ok(hmac && hmac.value.length >= 32, 'the code HMAC secret is stored');
  assert.ok(keys.length >= 2, 'the pool has its first and its rotated key');
  const secrets: Record<string, string> = {
    'admin key': ADMIN_KEY,
    'code HMAC secret': hmac.value,
    'SigV4 secret': AWS_KEY.secretAccessKey,
  };
  for (const key of keys) {
    // Every full line of the PEM body: no part of a private key may show, in any layout.
    key.privateKeyPem
      .split('\n')
      .filter((line) => line.length >= 40 && !line.startsWith('-----'))
      .forEach((line, i) => (secrets[`private key ${key.kid} line ${i}`] = line));
  }
  const logText = JSON.stringify(t.logs);
  assert.ok(bodies.length >= 50, `${bodies.length} answers recorded`);
  for (const [where, text] of [
    ['the logs', logText],
    ['the answers', bodies.join('\n')],
  ] as const) {
    assert.ok(!text.includes('PRIVATE KEY'), `${where} hold a private key`);
    for (const [name, secret] of Object.entries(secrets))
      assert.ok(!text.includes(secret), `${where} hold the ${name}`);
  }
});

test('the admin key check: exact match only, any length, in constant time (hashes of equal length compared with timingSafeEqual)', async () => {
  const configured = await loadAdminKey(t.database.db, ADMIN_KEY);
  assert.equal(configured.verify(ADMIN_KEY), true);
  for (const wrong of [
    '',
    'x',
    ADMIN_KEY.slice(0, -1),
    `${ADMIN_KEY}x`,
    ADMIN_KEY.toUpperCase(),
    'y'.repeat(10_000),
    `${ADMIN_KEY}\n`,
  ]) {
    assert.equal(configured.verify(wrong), false, JSON.stringify(wrong.slice(0, 40)));
  }
  // A generated key is stored only as its hash and checked the same way.
  const generated = await loadAdminKey(t.database.db);
  const [stored] = await t.database.db
    .select()
    .from(serverSecrets)
    .where(sql`${serverSecrets.name} = 'admin_api_key_sha256'`);
  assert.ok(stored && !stored.value.includes('cog_'));
  if (generated.generatedKey) assert.equal(generated.verify(generated.generatedKey), true);
  assert.equal(generated.verify(ADMIN_KEY), false);
});
