import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const auditOf = async (poolId: string, username: string, query = '') => {
  const res = await t.admin('GET', `/v1/pools/${poolId}/users/${username}/audit${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as {
    events: Array<{ action: string; actor: { kind: string; clientId: string | null }; details: any }>;
    paginationToken?: string;
  };
};

test('each change is recorded with what, by whom and when; never a password, a code or (by default) a value', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const email = uniqueEmail('audited');
  const tokens = await signedInUser(t, clientId, 'audited', { email, given_name: 'Ada' });
  await t.call(
    'PATCH',
    '/v1/me/attributes',
    { userAttributes: { given_name: 'Ada L.', nickname: 'ada' } },
    tokens.accessToken,
  );
  await t.call(
    'POST',
    '/v1/me/password',
    { previousPassword: PASSWORD, proposedPassword: 'N3w-passw0rd!' },
    tokens.accessToken,
  );
  await t.admin('POST', `/v1/pools/${poolId}/users/audited/disable`);

  const { events } = await auditOf(poolId, 'audited');
  assert.deepEqual(
    events.map((e) => e.action),
    ['ADMIN_DISABLE_USER', 'CHANGE_PASSWORD', 'UPDATE_ATTRIBUTES', 'CONFIRM_SIGN_UP', 'SIGN_UP'],
  );
  const [disable, password, update, confirm, signUp] = events;
  assert.deepEqual(disable!.actor, { kind: 'admin', clientId: null });
  assert.deepEqual(disable!.details, { enabled: { from: true, to: false } });
  assert.deepEqual(password!.actor, { kind: 'user', clientId });
  assert.deepEqual(password!.details, { password: 'changed' });
  assert.deepEqual(update!.details, {
    attributes: [
      { name: 'given_name', change: 'set' },
      { name: 'nickname', change: 'set' },
    ],
  });
  assert.deepEqual(confirm!.details, {
    status: { from: 'UNCONFIRMED', to: 'CONFIRMED' },
    attributes: [{ name: 'email', change: 'verified', verified: { from: false, to: true } }],
  });
  assert.deepEqual(signUp!.details.status, { from: null, to: 'UNCONFIRMED' });
  const text = JSON.stringify(events);
  for (const secret of [PASSWORD, 'N3w-passw0rd!', email, 'Ada', tokens.accessToken])
    assert.ok(!text.includes(secret), `no ${secret} in the trail`);
});

test('with recordValues, old and new values are kept; pending changes and their verification are recorded', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    keepOriginalAttributes: ['email'],
    auditPolicy: { recordValues: true },
  });
  const email = uniqueEmail('valued');
  const tokens = await signedInUser(t, clientId, 'valued', { email });
  const next = uniqueEmail('valued-next');
  await t.call('PATCH', '/v1/me/attributes', { userAttributes: { email: next } }, tokens.accessToken);
  const code = await t.smtp.codeFor(next);
  assert.equal(
    (await t.call('POST', '/v1/me/attributes/email/verify', { confirmationCode: code }, tokens.accessToken)).status,
    200,
  );

  const { events } = await auditOf(poolId, 'valued');
  assert.equal(events[0]!.action, 'VERIFY_ATTRIBUTE');
  assert.deepEqual(events[0]!.details.attributes, [{ name: 'email', change: 'set', value: { from: email, to: next } }]);
  assert.equal(events[1]!.action, 'UPDATE_ATTRIBUTES');
  assert.deepEqual(events[1]!.details.attributes, [
    { name: 'email', change: 'pending', value: { from: null, to: next } },
  ]);
});

test('admin writes are recorded as the admin’s; the trail pages newest first and outlives nothing it should not', async () => {
  const { poolId } = await createPoolWithClient(t);
  assert.equal(
    (
      await t.admin('POST', `/v1/pools/${poolId}/users`, {
        username: 'paged',
        messageAction: 'SUPPRESS',
        userAttributes: { given_name: 'P' },
      })
    ).status,
    201,
  );
  for (let i = 0; i < 5; i++) {
    assert.equal(
      (await t.admin('PATCH', `/v1/pools/${poolId}/users/paged/attributes`, { userAttributes: { nickname: `n${i}` } }))
        .status,
      200,
    );
  }
  const first = await auditOf(poolId, 'paged', '?limit=4');
  assert.equal(first.events.length, 4);
  assert.ok(first.paginationToken);
  // An event written between pages does not shift the next page.
  await t.admin('PATCH', `/v1/pools/${poolId}/users/paged/attributes`, { userAttributes: { nickname: 'late' } });
  const second = await auditOf(poolId, 'paged', `?limit=4&paginationToken=${first.paginationToken}`);
  assert.deepEqual(
    second.events.map((e) => e.action),
    ['ADMIN_UPDATE_ATTRIBUTES', 'ADMIN_CREATE_USER'],
  );
  assert.equal(second.paginationToken, undefined);
  assert.ok([...first.events, ...second.events].every((e) => e.actor.kind === 'admin'));

  assertProblem(
    await t.admin('GET', `/v1/pools/${poolId}/users/paged/audit?paginationToken=bad!`),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.admin('GET', `/v1/pools/${poolId}/users/paged/audit?limit=101`),
    400,
    'InvalidParameterException',
  );
  assertProblem(await t.admin('GET', `/v1/pools/${poolId}/users/nobody/audit`), 404, 'UserNotFoundException');
  assertProblem(await t.call('GET', `/v1/pools/${poolId}/users/paged/audit`), 401, 'NotAuthorizedException');
});

test('a change that fails writes no audit event', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    schema: [{ name: 'tenant', mutable: false }],
  });
  const tokens = await signedInUser(t, clientId, 'failing', { email: uniqueEmail('failing') });
  const before = (await auditOf(poolId, 'failing')).events.length;
  assertProblem(
    await t.call('PATCH', '/v1/me/attributes', { userAttributes: { 'custom:tenant': 'x' } }, tokens.accessToken),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.call('PATCH', '/v1/me/attributes', { userAttributes: { email_verified: 'true' } }, tokens.accessToken),
    403,
    'NotAuthorizedException',
  );
  assert.equal((await auditOf(poolId, 'failing')).events.length, before);
});
