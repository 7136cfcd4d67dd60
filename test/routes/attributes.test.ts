import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPoolWithClient, decodeJwt, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import {
  assertProblem,
  attributesOf,
  mailsTo,
  signIn,
  uniqueEmail,
  uniquePhone,
  updateAttributes,
} from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const UNAUTHORIZED = 'A client attempted to write unauthorized attribute';
const emailPool = { autoVerifiedAttributes: ['email'] };

/** A pool, a client and a signed-in user; `pool` and `client` are passed to createPoolWithClient. */
async function setUp(
  pool: Record<string, unknown> = {},
  client: Record<string, unknown> = {},
  attributes: Record<string, string> = {},
) {
  const created = await createPoolWithClient(t, { ...emailPool, ...pool }, client);
  const email = uniqueEmail('attr');
  const tokens = await signedInUser(t, created.clientId, 'attr', { email, ...attributes });
  return { ...created, ...tokens, email, token: tokens.accessToken };
}

/** Runs a request that must fail, and checks that the user's attributes are exactly as before. */
async function refusedWithoutChange(token: string, run: () => Promise<unknown>) {
  const before = await attributesOf(t, token);
  const mailsBefore = t.smtp.messages.length;
  await run();
  assert.deepEqual(await attributesOf(t, token), before, 'a refused request changes nothing');
  assert.equal(t.smtp.messages.length, mailsBefore, 'a refused request sends nothing');
}

const put = (token: string, name: string, value: string) =>
  t.call('PUT', `/v1/me/attributes/${encodeURIComponent(name)}`, { value }, token);
const del = (token: string, ...names: string[]) =>
  t.call(
    'DELETE',
    `/v1/me/attributes?${names.map((n) => `name=${encodeURIComponent(n)}`).join('&')}`,
    undefined,
    token,
  );

test('GET returns the attribute map itself: sub always, flags as strings', async () => {
  const u = await setUp({}, {}, { given_name: 'Ada', phone_number: '+14325551212' });
  assert.deepEqual(await attributesOf(t, u.token), {
    sub: u.userSub,
    given_name: 'Ada',
    email: u.email,
    email_verified: 'true',
    phone_number: '+14325551212',
    phone_number_verified: 'false',
  });
});

test('PATCH changes plain attributes at once and reports each one DONE', async () => {
  const u = await setUp({}, {}, { given_name: 'Ada' });
  const res = await updateAttributes(t, u.token, {
    given_name: 'Grace',
    family_name: 'Hopper',
    website: 'https://example.org',
  });
  assert.equal(res.status, 200);
  const done = { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } };
  assert.deepEqual(res.body, { results: { given_name: done, family_name: done, website: done } });
  const attributes = await attributesOf(t, u.token);
  assert.equal(attributes.given_name, 'Grace');
  assert.equal(attributes.family_name, 'Hopper');
  assert.equal(attributes.website, 'https://example.org');
  // The next ID token carries the change.
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId: u.clientId, refreshToken: u.refreshToken });
  assert.equal(decodeJwt(refreshed.body.idToken).given_name, 'Grace');
});

test('PATCH of an email in an auto-verified pool: changed at once, unverified, code to the new address', async () => {
  const u = await setUp();
  const next = uniqueEmail('zed', 'beta.org');
  const res = await updateAttributes(t, u.token, { email: next, nickname: 'z' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.results, {
    email: {
      isUpdated: false,
      nextStep: {
        updateAttributeStep: 'CONFIRM_ATTRIBUTE_WITH_CODE',
        codeDeliveryDetails: { destination: 'z***@b***', deliveryMedium: 'EMAIL', attributeName: 'email' },
      },
    },
    nickname: { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } },
  });
  assert.equal(mailsTo(t, next), 1);
  const attributes = await attributesOf(t, u.token);
  assert.equal(attributes.email, next);
  assert.equal(attributes.email_verified, 'false');
});

test('PATCH of an email where nothing is auto-verified: changed, unverified, no code', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['phone_number'] });
  const phone = uniquePhone();
  const tokens = await signedInUser(t, clientId, 'plain', { phone_number: phone });
  const next = uniqueEmail('plain');
  const res = await updateAttributes(t, tokens.accessToken, { email: next });
  assert.deepEqual(res.body.results, { email: { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } } });
  assert.equal(mailsTo(t, next), 0);
  assert.equal((await attributesOf(t, tokens.accessToken)).email_verified, 'false');
});

test('PUT changes one attribute and answers its single result', async () => {
  const u = await setUp({ schema: [{ name: 'plan' }] });
  const res = await put(u.token, 'custom:plan', 'pro');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });
  assert.equal((await attributesOf(t, u.token))['custom:plan'], 'pro');

  const next = uniqueEmail('put');
  const email = await put(u.token, 'email', next);
  assert.equal(email.status, 200);
  assert.equal(email.body.isUpdated, false);
  assert.equal(email.body.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  assert.equal(email.body.nextStep.codeDeliveryDetails.attributeName, 'email');

  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await t.call('PUT', '/v1/me/attributes/given_name', { value: 'x', extra: 1 }, u.token),
      400,
      'InvalidParameterException',
      "Unknown member 'extra'",
    );
    assertProblem(
      await t.call('PUT', '/v1/me/attributes/given_name', {}, u.token),
      400,
      'InvalidParameterException',
      "Member 'value'",
    );
    assertProblem(await put(u.token, 'given_name', 'x'.repeat(2049)), 400, 'InvalidParameterException');
    assertProblem(
      await put(u.token, 'custom:nope', 'x'),
      400,
      'InvalidParameterException',
      'user.custom:nope: Attribute does not exist in the schema.',
    );
  });
});

test('sub and the verified flags can never be written by a user: 403, and nothing is written', async () => {
  const u = await setUp({}, {}, { phone_number: uniquePhone(), given_name: 'Before' });
  await refusedWithoutChange(u.token, async () => {
    const attempts: Record<string, string>[] = [
      { email_verified: 'true' },
      { email_verified: 'false', given_name: 'After' },
      { phone_number_verified: 'true' },
      { sub: '00000000-0000-4000-8000-000000000000' },
      { given_name: 'After', sub: u.userSub },
      { email: uniqueEmail('sneaky'), email_verified: 'true' },
    ];
    for (const changes of attempts) {
      assertProblem(await updateAttributes(t, u.token, changes), 403, 'NotAuthorizedException', UNAUTHORIZED);
    }
    assertProblem(await put(u.token, 'phone_number_verified', 'true'), 403, 'NotAuthorizedException', UNAUTHORIZED);
    assertProblem(await put(u.token, 'sub', 'x'), 403, 'NotAuthorizedException', UNAUTHORIZED);
    assertProblem(await del(u.token, 'email_verified'), 403, 'NotAuthorizedException', UNAUTHORIZED);
    assertProblem(await del(u.token, 'sub'), 403, 'NotAuthorizedException', UNAUTHORIZED);
  });
});

test('a client writes only its writeAttributes; unknown names are unauthorized there', async () => {
  const created = await createPoolWithClient(t, emailPool, { writeAttributes: ['email', 'nickname'] });
  const email = uniqueEmail('perm');
  const tokens = await signedInUser(t, created.clientId, 'perm', { email });
  await refusedWithoutChange(tokens.accessToken, async () => {
    assertProblem(
      await updateAttributes(t, tokens.accessToken, { given_name: 'G' }),
      403,
      'NotAuthorizedException',
      UNAUTHORIZED,
    );
    assertProblem(
      await updateAttributes(t, tokens.accessToken, { nickname: 'n', given_name: 'G' }),
      403,
      'NotAuthorizedException',
      UNAUTHORIZED,
    );
    assertProblem(
      await updateAttributes(t, tokens.accessToken, { shoe_size: '42' }),
      403,
      'NotAuthorizedException',
      UNAUTHORIZED,
    );
    assertProblem(await del(tokens.accessToken, 'given_name'), 403, 'NotAuthorizedException', UNAUTHORIZED);
  });
  assert.equal((await updateAttributes(t, tokens.accessToken, { nickname: 'n' })).status, 200);
});

test('without a write list, unknown attributes are a schema error (400), not a permission error', async () => {
  const u = await setUp();
  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await updateAttributes(t, u.token, { shoe_size: '42' }),
      400,
      'InvalidParameterException',
      'user.shoe_size: Attribute does not exist in the schema.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:ghost': '1', given_name: 'G' }),
      400,
      'InvalidParameterException',
      'user.custom:ghost: Attribute does not exist in the schema.',
    );
    assertProblem(await updateAttributes(t, u.token, { ['x'.repeat(33)]: '1' }), 400, 'InvalidParameterException');
    assertProblem(
      await updateAttributes(t, u.token, { 'bad name': '1' }),
      400,
      'InvalidParameterException',
      "Invalid attribute name 'bad name'",
    );
  });
});

test('a client reads only its readAttributes; a verified flag only when listed; sub always', async () => {
  const created = await createPoolWithClient(t, { ...emailPool, schema: [{ name: 'plan' }] });
  const email = uniqueEmail('read');
  const tokens = await signedInUser(t, created.clientId, 'read', { email, given_name: 'R', 'custom:plan': 'pro' });
  // No list: everything, custom attributes included (docs/api.md decision).
  assert.deepEqual(await attributesOf(t, tokens.accessToken), {
    sub: tokens.userSub,
    given_name: 'R',
    email,
    email_verified: 'true',
    'custom:plan': 'pro',
  });
  const narrow = await t.admin('POST', `/v1/pools/${created.poolId}/clients`, {
    name: 'narrow',
    readAttributes: ['email'],
  });
  const narrowTokens = (await signIn(t, narrow.body.clientId, 'read')).body;
  assert.deepEqual(await attributesOf(t, narrowTokens.accessToken), { sub: tokens.userSub, email });
  const withFlag = await t.admin('POST', `/v1/pools/${created.poolId}/clients`, {
    name: 'flag',
    readAttributes: ['email', 'email_verified', 'custom:plan'],
  });
  const flagTokens = (await signIn(t, withFlag.body.clientId, 'read')).body;
  assert.deepEqual(await attributesOf(t, flagTokens.accessToken), {
    sub: tokens.userSub,
    email,
    email_verified: 'true',
    'custom:plan': 'pro',
  });
});

test('custom String attributes respect their length constraints', async () => {
  const u = await setUp({ schema: [{ name: 'nick', stringConstraints: { minLength: 2, maxLength: 5 } }] });
  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:nick': 'a' }),
      400,
      'InvalidParameterException',
      'custom:nick: The value must be 2 to 5 characters long.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:nick': 'abcdef' }),
      400,
      'InvalidParameterException',
      'custom:nick',
    );
  });
  assert.equal(
    (await updateAttributes(t, u.token, { 'custom:nick': '🙂🙂' })).status,
    200,
    'lengths count characters, not UTF-16 units',
  );
  assert.equal((await attributesOf(t, u.token))['custom:nick'], '🙂🙂');
});

test('custom Number, Boolean and DateTime attributes are checked and stored canonically as strings', async () => {
  const u = await setUp({
    schema: [
      { name: 'age', attributeDataType: 'Number', numberConstraints: { minValue: 0, maxValue: 150 } },
      { name: 'opt_in', attributeDataType: 'Boolean' },
      { name: 'since', attributeDataType: 'DateTime' },
    ],
  });
  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:age': 'old' }),
      400,
      'InvalidParameterException',
      'custom:age: The value must be an integer.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:age': '1.5' }),
      400,
      'InvalidParameterException',
      'custom:age: The value must be an integer.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:age': '151' }),
      400,
      'InvalidParameterException',
      'custom:age: The value must be at most 150.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:age': '-1' }),
      400,
      'InvalidParameterException',
      'custom:age: The value must be at least 0.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:opt_in': 'yes' }),
      400,
      'InvalidParameterException',
      'custom:opt_in: The value must be "true" or "false".',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:since': '2024-02-30T00:00:00Z' }),
      400,
      'InvalidParameterException',
      'custom:since',
    );
    assertProblem(
      await updateAttributes(t, u.token, { updated_at: '-5' }),
      400,
      'InvalidParameterException',
      'updated_at: The value must be at least 0.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { birthdate: '1990-1-1' }),
      400,
      'InvalidParameterException',
      'birthdate',
    );
    assertProblem(
      await updateAttributes(t, u.token, { phone_number: '555-0100' }),
      400,
      'InvalidParameterException',
      'Invalid phone number format.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { email: 'nope' }),
      400,
      'InvalidParameterException',
      'Invalid email address format.',
    );
    // One bad value spoils the whole request.
    assertProblem(
      await updateAttributes(t, u.token, { given_name: 'ok', 'custom:age': 'old' }),
      400,
      'InvalidParameterException',
    );
  });
  const res = await updateAttributes(t, u.token, {
    'custom:age': '042',
    'custom:opt_in': 'TRUE',
    'custom:since': '2024-01-31T12:00:00Z',
    updated_at: '1700000000',
    birthdate: '1990-01-01',
  });
  assert.equal(res.status, 200);
  const attributes = await attributesOf(t, u.token);
  assert.equal(attributes['custom:age'], '42');
  assert.equal(attributes['custom:opt_in'], 'true');
  assert.equal(attributes['custom:since'], '2024-01-31T12:00:00Z');
  assert.equal(attributes.updated_at, '1700000000');
  assert.equal(attributes.birthdate, '1990-01-01');
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId: u.clientId, refreshToken: u.refreshToken });
  const id = decodeJwt(refreshed.body.idToken);
  assert.equal(id['custom:age'], '42', 'custom attributes are strings in the ID token');
  assert.equal(id['custom:opt_in'], 'true');
});

test('immutable attributes can be given at sign-up only, never updated, even when never set', async () => {
  const u = await setUp(
    {
      schema: [
        { name: 'tenant', mutable: false },
        { name: 'region', mutable: false },
        { name: 'nickname', mutable: false },
      ],
    },
    {},
    { 'custom:tenant': 'acme' },
  );
  assert.equal((await attributesOf(t, u.token))['custom:tenant'], 'acme');
  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:tenant': 'evil' }),
      400,
      'InvalidParameterException',
      'Attribute cannot be updated',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:region': 'eu' }),
      400,
      'InvalidParameterException',
      'Attribute cannot be updated',
    );
    assertProblem(
      await updateAttributes(t, u.token, { nickname: 'nick' }),
      400,
      'InvalidParameterException',
      'Invalid user attributes: user.nickname: Attribute cannot be updated.',
    );
    assertProblem(
      await updateAttributes(t, u.token, { 'custom:tenant': '' }),
      400,
      'InvalidParameterException',
      'Attribute cannot be updated',
    );
    assertProblem(await del(u.token, 'custom:tenant'), 400, 'InvalidParameterException', 'Attribute cannot be updated');
  });
});

test('a blank value deletes; deleting what the user lacks is fine; the flag goes with its attribute', async () => {
  const u = await setUp({}, {}, { given_name: 'G', family_name: 'F', phone_number: uniquePhone() });
  const res = await updateAttributes(t, u.token, { given_name: '', middle_name: '' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.results.given_name, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });
  let attributes = await attributesOf(t, u.token);
  assert.equal('given_name' in attributes, false);
  assert.equal('middle_name' in attributes, false);

  assert.equal((await put(u.token, 'family_name', '')).status, 200);
  assert.equal('family_name' in (await attributesOf(t, u.token)), false);

  const deleted = await del(u.token, 'phone_number', 'nickname', 'email');
  assert.equal(deleted.status, 204);
  assert.equal(deleted.body, undefined);
  attributes = await attributesOf(t, u.token);
  assert.deepEqual(attributes, { sub: u.userSub });
});

test('required attributes cannot be deleted, by blank value or by DELETE', async () => {
  const u = await setUp({ schema: [{ name: 'name', required: true }] }, {}, { name: 'Req Uired' });
  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await updateAttributes(t, u.token, { name: '' }),
      400,
      'InvalidParameterException',
      'user.name: The attribute is required and cannot be deleted.',
    );
    assertProblem(await put(u.token, 'name', ''), 400, 'InvalidParameterException', 'The attribute is required');
    assertProblem(await del(u.token, 'name'), 400, 'InvalidParameterException', 'The attribute is required');
    assertProblem(
      await del(u.token, 'given_name', 'name'),
      400,
      'InvalidParameterException',
      'The attribute is required',
    );
  });
  assert.equal((await updateAttributes(t, u.token, { name: 'Changed' })).status, 200);
});

test('DELETE validates its query', async () => {
  const u = await setUp();
  await refusedWithoutChange(u.token, async () => {
    assertProblem(await t.call('DELETE', '/v1/me/attributes', undefined, u.token), 400, 'InvalidParameterException');
    assertProblem(
      await t.call('DELETE', `/v1/me/attributes?name=${'x'.repeat(33)}`, undefined, u.token),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await t.call('DELETE', '/v1/me/attributes?name=given_name&other=1', undefined, u.token),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await del(u.token, 'shoe_size'),
      400,
      'InvalidParameterException',
      'user.shoe_size: Attribute does not exist in the schema.',
    );
    assertProblem(
      await t.call('DELETE', '/v1/me/attributes?name=given_name', undefined, 'garbage'),
      401,
      'NotAuthorizedException',
    );
  });
});

test('values are limited to 2048 characters on every path', async () => {
  const u = await setUp();
  const max = 'a'.repeat(2048);
  await refusedWithoutChange(u.token, async () => {
    assertProblem(await updateAttributes(t, u.token, { address: `${max}b` }), 400, 'InvalidParameterException');
    assertProblem(await put(u.token, 'address', `${max}b`), 400, 'InvalidParameterException');
  });
  assert.equal((await updateAttributes(t, u.token, { address: max })).status, 200);
  assert.equal((await attributesOf(t, u.token)).address, max);
});

test('PATCH validates its body', async () => {
  const u = await setUp();
  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await t.call('PATCH', '/v1/me/attributes', { given_name: 'x' }, u.token),
      400,
      'InvalidParameterException',
      'userAttributes',
    );
    assertProblem(
      await t.call('PATCH', '/v1/me/attributes', { userAttributes: {}, extra: 1 }, u.token),
      400,
      'InvalidParameterException',
      "Unknown member 'extra'",
    );
    assertProblem(
      await t.call('PATCH', '/v1/me/attributes', {}, u.token),
      400,
      'InvalidParameterException',
      "Member 'userAttributes'",
    );
    assertProblem(
      await t.call('PATCH', '/v1/me/attributes', { userAttributes: { given_name: 1 } }, u.token),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await t.call('PATCH', '/v1/me/attributes', { userAttributes: { given_name: 'x' } }),
      401,
      'NotAuthorizedException',
    );
  });
  const withMetadata = await t.call(
    'PATCH',
    '/v1/me/attributes',
    { userAttributes: { given_name: 'x' }, clientMetadata: { a: 'b' } },
    u.token,
  );
  assert.equal(withMetadata.status, 200);
  const empty = await updateAttributes(t, u.token, {});
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body, { results: {} });
});

test('developer-only attributes are invisible and unwritable for users', async () => {
  const u = await setUp({ schema: [{ name: 'score', developerOnly: true }] });
  await refusedWithoutChange(u.token, async () => {
    assertProblem(
      await updateAttributes(t, u.token, { 'dev:custom:score': '1' }),
      403,
      'NotAuthorizedException',
      UNAUTHORIZED,
    );
  });
  assert.equal('dev:custom:score' in (await attributesOf(t, u.token)), false);
});

test('required attributes stay writable by a client without a list', async () => {
  const u = await setUp({ schema: [{ name: 'given_name', required: true }] }, {}, { given_name: 'First' });
  assert.equal((await updateAttributes(t, u.token, { given_name: 'Second' })).status, 200);
  assert.equal((await attributesOf(t, u.token)).given_name, 'Second');
});
