import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, newCodeFor, signIn, signUp, uniqueEmail, updateAttributes } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const userUrl = (poolId: string, username: string) => `/v1/pools/${poolId}/users/${encodeURIComponent(username)}`;

describe('AdminGetUser', () => {
  test('shows the whole user, every attribute, whatever the clients may read', async () => {
    const { poolId, clientId } = await createPoolWithClient(
      t,
      { autoVerifiedAttributes: ['email'], schema: [{ name: 'secret', developerOnly: true }, { name: 'plan' }] },
      { readAttributes: ['email'], writeAttributes: ['email'] },
    );
    const email = uniqueEmail('got');
    const tokens = await signedInUser(t, clientId, 'got', { email });
    await t.admin('PATCH', `${userUrl(poolId, 'got')}/attributes`, {
      userAttributes: { 'custom:plan': 'gold', 'dev:custom:secret': 's3' },
    });

    const got = await t.admin('GET', userUrl(poolId, 'got'));
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.username, 'got');
    assert.equal(got.body.userSub, tokens.userSub);
    assert.equal(got.body.userStatus, 'CONFIRMED');
    assert.equal(got.body.enabled, true);
    assert.deepEqual(got.body.attributes, {
      sub: tokens.userSub,
      email,
      email_verified: 'true',
      'custom:plan': 'gold',
      'dev:custom:secret': 's3',
    });
    // The client itself sees only its list.
    const own = await t.call('GET', '/v1/me/attributes', undefined, tokens.accessToken);
    assert.deepEqual(own.body, { sub: tokens.userSub, email });
  });

  test('accepts the email of a username-attribute pool, and a verified alias', async () => {
    const byEmail = await createPoolWithClient(t, { usernameAttributes: ['email'], autoVerifiedAttributes: ['email'] });
    const email = uniqueEmail('Signer');
    const tokens = await signedInUser(t, byEmail.clientId, email, { email });
    const got = await t.admin('GET', userUrl(byEmail.poolId, email.toUpperCase()));
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.username, tokens.userSub);
    assert.equal((await t.admin('GET', userUrl(byEmail.poolId, tokens.userSub))).body.attributes.email, email);

    const alias = await createPoolWithClient(t, { aliasAttributes: ['email'], autoVerifiedAttributes: ['email'] });
    const aliasEmail = uniqueEmail('aliased');
    await signedInUser(t, alias.clientId, 'aliased', { email: aliasEmail });
    assert.equal((await t.admin('GET', userUrl(alias.poolId, aliasEmail))).body.username, 'aliased');
  });

  test('unknown user, unknown pool, no key, too long a username', async () => {
    const { poolId } = await createPoolWithClient(t);
    assertProblem(
      await t.admin('GET', userUrl(poolId, 'nobody')),
      404,
      'UserNotFoundException',
      'User does not exist.',
    );
    assertProblem(
      await t.admin('GET', userUrl('local_Nope12345', 'nobody')),
      404,
      'ResourceNotFoundException',
      'User pool local_Nope12345 does not exist.',
    );
    assertProblem(await t.call('GET', userUrl(poolId, 'nobody')), 401, 'NotAuthorizedException');
    // Longer than any username: refused by the schema before any lookup; 128 characters is still a username.
    assertProblem(
      await t.admin('GET', userUrl(poolId, 'x'.repeat(129))),
      400,
      'InvalidParameterException',
      'params.username',
    );
    assertProblem(await t.admin('GET', userUrl(poolId, 'é'.repeat(128))), 404, 'UserNotFoundException');
  });
});

describe('AdminUpdateUserAttributes', () => {
  test('a verified flag applies a pending value at once, and a new value with the flag, with no message', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, {
      aliasAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      keepOriginalAttributes: ['email'],
    });
    const first = uniqueEmail('keeper');
    const tokens = await signedInUser(t, clientId, 'keeper', { email: first });
    const pending = uniqueEmail('pending');
    assert.equal((await updateAttributes(t, tokens.accessToken, { email: pending })).status, 200);
    await t.smtp.waitFor((m) => m.to.includes(pending));
    assert.equal((await t.admin('GET', userUrl(poolId, 'keeper'))).body.attributes.email, first, 'held pending');

    const mailsBefore = t.smtp.messages.length;
    const promoted = await t.admin('PATCH', `${userUrl(poolId, 'keeper')}/attributes`, {
      userAttributes: { email_verified: 'true' },
    });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.equal(promoted.body.attributes.email, pending);
    assert.equal(promoted.body.attributes.email_verified, 'true');
    assert.equal((await signIn(t, clientId, pending)).status, 200, 'the promoted value signs in');

    const direct = uniqueEmail('direct');
    const applied = await t.admin('PATCH', `${userUrl(poolId, 'keeper')}/attributes`, {
      userAttributes: { email: direct, email_verified: 'true' },
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.attributes.email, direct);
    assert.equal(applied.body.attributes.email_verified, 'true');
    assert.equal((await signIn(t, clientId, direct)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(t.smtp.messages.length, mailsBefore, 'no message for admin-verified values');
  });

  test('without the flag, a changed auto-verified email gets a code (held pending under keep-original)', async () => {
    const plain = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    await signedInUser(t, plain.clientId, 'plain', { email: uniqueEmail('plain') });
    const next = uniqueEmail('plain-next');
    const changed = await t.admin('PATCH', `${userUrl(plain.poolId, 'plain')}/attributes`, {
      userAttributes: { email: next },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.attributes.email, next);
    assert.equal(changed.body.attributes.email_verified, 'false');
    assert.equal(changed.body.userStatus, 'CONFIRMED');
    assert.ok(await newCodeFor(t, next, 0));

    const kept = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['email'],
      keepOriginalAttributes: ['email'],
    });
    const original = uniqueEmail('kept');
    const tokens = await signedInUser(t, kept.clientId, 'kept', { email: original });
    const wanted = uniqueEmail('kept-next');
    const held = await t.admin('PATCH', `${userUrl(kept.poolId, 'kept')}/attributes`, {
      userAttributes: { email: wanted },
    });
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.equal(held.body.attributes.email, original);
    assert.equal(held.body.attributes.email_verified, 'true');
    // The user proves the pending value with the code the admin change sent.
    const code = await newCodeFor(t, wanted, 0);
    assert.equal(
      (await t.call('POST', '/v1/me/attributes/email/verify', { confirmationCode: code }, tokens.accessToken)).status,
      200,
    );
    assert.equal((await t.admin('GET', userUrl(kept.poolId, 'kept'))).body.attributes.email, wanted);
  });

  test('the schema still holds: immutable, required, unknown, sub, types and formats', async () => {
    const { poolId } = await createPoolWithClient(t, {
      schema: [
        { name: 'tenant', mutable: false },
        { name: 'family_name', required: true },
        { name: 'age', attributeDataType: 'Number', numberConstraints: { minValue: 0, maxValue: 150 } },
        { name: 'code', stringConstraints: { maxLength: 3 } },
      ],
    });
    const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'schemed',
      userAttributes: { 'custom:tenant': 'acme', family_name: 'Schema' },
      messageAction: 'SUPPRESS',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const patch = (userAttributes: Record<string, string>) =>
      t.admin('PATCH', `${userUrl(poolId, 'schemed')}/attributes`, { userAttributes });

    assertProblem(
      await patch({ 'custom:tenant': 'other' }),
      400,
      'InvalidParameterException',
      'Attribute cannot be updated',
    );
    assertProblem(await patch({ family_name: '' }), 400, 'InvalidParameterException', 'required');
    assertProblem(
      await patch({ 'custom:nope': '1' }),
      400,
      'InvalidParameterException',
      'does not exist in the schema',
    );
    assertProblem(await patch({ sub: 'mine' }), 400, 'InvalidParameterException');
    assertProblem(
      await patch({ phone_number: '555' }),
      400,
      'InvalidParameterException',
      'Invalid phone number format.',
    );
    assertProblem(await patch({ 'custom:age': 'old' }), 400, 'InvalidParameterException');
    assertProblem(await patch({ 'custom:age': '200' }), 400, 'InvalidParameterException');
    assertProblem(await patch({ 'custom:code': 'toolong' }), 400, 'InvalidParameterException');
    assertProblem(
      await patch({ email_verified: 'true' }),
      400,
      'InvalidParameterException',
      'Cannot be set without a value for email',
    );
    assertProblem(
      await t.admin('PATCH', `${userUrl(poolId, 'schemed')}/attributes`, { userAttributes: {}, extra: 1 }),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await t.admin('PATCH', `${userUrl(poolId, 'schemed')}/attributes`, {}),
      400,
      'InvalidParameterException',
    );
    // Nothing was changed by the refusals.
    const after = await t.admin('GET', userUrl(poolId, 'schemed'));
    assert.deepEqual(after.body.attributes, created.body.attributes);

    const ok = await patch({ 'custom:age': '42', 'custom:code': 'abc', family_name: 'Changed' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.attributes['custom:age'], '42');
    assert.equal(ok.body.attributes.family_name, 'Changed');
  });

  test('admins may write attributes outside every client list', async () => {
    const { poolId, clientId } = await createPoolWithClient(
      t,
      { autoVerifiedAttributes: ['email'], schema: [{ name: 'plan' }] },
      { writeAttributes: ['email'] },
    );
    const tokens = await signedInUser(t, clientId, 'listed', { email: uniqueEmail('listed') });
    assertProblem(
      await updateAttributes(t, tokens.accessToken, { 'custom:plan': 'gold' }),
      403,
      'NotAuthorizedException',
    );
    const written = await t.admin('PATCH', `${userUrl(poolId, 'listed')}/attributes`, {
      userAttributes: { 'custom:plan': 'gold', given_name: 'Lis' },
    });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    assert.equal(written.body.attributes['custom:plan'], 'gold');
    assert.equal(written.body.attributes.given_name, 'Lis');
  });

  test("alias conflicts: a value another user verified, and another user's sign-in email", async () => {
    const alias = await createPoolWithClient(t, { aliasAttributes: ['email'], autoVerifiedAttributes: ['email'] });
    const shared = uniqueEmail('shared');
    await signedInUser(t, alias.clientId, 'owner', { email: shared });
    await signedInUser(t, alias.clientId, 'taker', { email: uniqueEmail('taker') });
    assertProblem(
      await t.admin('PATCH', `${userUrl(alias.poolId, 'taker')}/attributes`, {
        userAttributes: { email: shared.toUpperCase(), email_verified: 'true' },
      }),
      409,
      'AliasExistsException',
    );
    // Unverified, the same value may sit on several users (§6).
    const unverified = await t.admin('PATCH', `${userUrl(alias.poolId, 'taker')}/attributes`, {
      userAttributes: { email: shared },
    });
    assert.equal(unverified.status, 200, JSON.stringify(unverified.body));
    assertProblem(
      await t.admin('PATCH', `${userUrl(alias.poolId, 'taker')}/attributes`, {
        userAttributes: { email_verified: 'true' },
      }),
      409,
      'AliasExistsException',
    );
    assert.equal((await t.admin('GET', userUrl(alias.poolId, 'owner'))).body.attributes.email_verified, 'true');

    const byEmail = await createPoolWithClient(t, { usernameAttributes: ['email'], autoVerifiedAttributes: ['email'] });
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    await signedInUser(t, byEmail.clientId, first, { email: first });
    await signedInUser(t, byEmail.clientId, second, { email: second });
    assertProblem(
      await t.admin('PATCH', `${userUrl(byEmail.poolId, second)}/attributes`, { userAttributes: { email: first } }),
      409,
      'AliasExistsException',
    );
  });

  test('unknown user, unknown pool, no key', async () => {
    const { poolId } = await createPoolWithClient(t);
    const body = { userAttributes: { given_name: 'X' } };
    assertProblem(
      await t.admin('PATCH', `${userUrl(poolId, 'nobody')}/attributes`, body),
      404,
      'UserNotFoundException',
      'User does not exist.',
    );
    assertProblem(
      await t.admin('PATCH', `${userUrl('local_Nope12345', 'nobody')}/attributes`, body),
      404,
      'ResourceNotFoundException',
    );
    assertProblem(
      await t.call('PATCH', `${userUrl(poolId, 'nobody')}/attributes`, body),
      401,
      'NotAuthorizedException',
    );
  });
});

describe('AdminDeleteUserAttributes', () => {
  test('deletes named attributes; required, immutable and flags cannot be deleted', async () => {
    const { poolId } = await createPoolWithClient(t, {
      schema: [{ name: 'tenant', mutable: false }, { name: 'family_name', required: true }, { name: 'plan' }],
    });
    const email = uniqueEmail('trim');
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'trim',
      userAttributes: {
        email,
        email_verified: 'true',
        family_name: 'Trim',
        given_name: 'T',
        'custom:plan': 'gold',
        'custom:tenant': 'acme',
      },
      messageAction: 'SUPPRESS',
    });
    const url = `${userUrl(poolId, 'trim')}/attributes`;
    const deleted = await t.admin('DELETE', `${url}?name=given_name&name=custom:plan&name=nickname`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
    const after = (await t.admin('GET', userUrl(poolId, 'trim'))).body.attributes;
    assert.equal(after.given_name, undefined);
    assert.equal(after['custom:plan'], undefined);
    assert.equal(after.family_name, 'Trim');

    assertProblem(await t.admin('DELETE', `${url}?name=family_name`), 400, 'InvalidParameterException', 'required');
    assertProblem(
      await t.admin('DELETE', `${url}?name=custom:tenant`),
      400,
      'InvalidParameterException',
      'Attribute cannot be updated',
    );
    assertProblem(await t.admin('DELETE', `${url}?name=email_verified`), 400, 'InvalidParameterException');
    assertProblem(await t.admin('DELETE', `${url}?name=custom:nope`), 400, 'InvalidParameterException');
    assertProblem(await t.admin('DELETE', url), 400, 'InvalidParameterException');
    // The email goes with its flag.
    assert.equal((await t.admin('DELETE', `${url}?name=email`)).status, 204);
    const noEmail = (await t.admin('GET', userUrl(poolId, 'trim'))).body.attributes;
    assert.equal(noEmail.email, undefined);
    assert.equal(noEmail.email_verified, undefined);
  });

  test('unknown user, unknown pool, no key', async () => {
    const { poolId } = await createPoolWithClient(t);
    assertProblem(
      await t.admin('DELETE', `${userUrl(poolId, 'nobody')}/attributes?name=given_name`),
      404,
      'UserNotFoundException',
    );
    assertProblem(
      await t.admin('DELETE', `${userUrl('local_Nope12345', 'nobody')}/attributes?name=given_name`),
      404,
      'ResourceNotFoundException',
    );
    assertProblem(
      await t.call('DELETE', `${userUrl(poolId, 'nobody')}/attributes?name=given_name`),
      401,
      'NotAuthorizedException',
    );
  });
});

describe('AdminConfirmSignUp', () => {
  test('confirms an UNCONFIRMED user without verifying the email; a confirmed one is refused', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    const email = uniqueEmail('unconfirmed');
    assert.equal((await signUp(t, clientId, 'pending-user', { email })).status, 201);
    assertProblem(await signIn(t, clientId, 'pending-user'), 403, 'UserNotConfirmedException');

    const confirmed = await t.admin('POST', `${userUrl(poolId, 'pending-user')}/confirm`);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.userStatus, 'CONFIRMED');
    assert.equal(confirmed.body.attributes.email_verified, 'false');
    assert.equal((await signIn(t, clientId, 'pending-user')).status, 200);

    assertProblem(
      await t.admin('POST', `${userUrl(poolId, 'pending-user')}/confirm`),
      403,
      'NotAuthorizedException',
      'User cannot be confirmed. Current status is CONFIRMED',
    );
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'invitee',
      temporaryPassword: 'Temp-passw0rd',
      messageAction: 'SUPPRESS',
    });
    assertProblem(
      await t.admin('POST', `${userUrl(poolId, 'invitee')}/confirm`),
      403,
      'NotAuthorizedException',
      'Current status is FORCE_CHANGE_PASSWORD',
    );
  });

  test('unknown user, unknown pool, no key', async () => {
    const { poolId } = await createPoolWithClient(t);
    assertProblem(await t.admin('POST', `${userUrl(poolId, 'nobody')}/confirm`), 404, 'UserNotFoundException');
    assertProblem(
      await t.admin('POST', `${userUrl('local_Nope12345', 'nobody')}/confirm`),
      404,
      'ResourceNotFoundException',
    );
    assertProblem(await t.call('POST', `${userUrl(poolId, 'nobody')}/confirm`), 401, 'NotAuthorizedException');
  });
});

describe('AdminDisableUser and AdminEnableUser', () => {
  test('a disabled user cannot sign in; disabling ends its sessions for good (as Cognito); enabled, it signs in again', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    const tokens = await signedInUser(t, clientId, 'sleeper', { email: uniqueEmail('sleeper') });

    const disabled = await t.admin('POST', `${userUrl(poolId, 'sleeper')}/disable`);
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.enabled, false);
    assert.equal(
      (await t.admin('POST', `${userUrl(poolId, 'sleeper')}/disable`)).status,
      200,
      'disabling twice is fine',
    );
    assertProblem(await signIn(t, clientId, 'sleeper'), 403, 'NotAuthorizedException', 'User is disabled.');
    assertProblem(
      await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken }),
      401,
      'NotAuthorizedException',
      'Invalid Refresh Token',
    );
    assertProblem(
      await t.call('GET', '/v1/me', undefined, tokens.accessToken),
      401,
      'NotAuthorizedException',
      'Access Token has been revoked',
    );
    // Administrators still see and manage a disabled user.
    assert.equal((await t.admin('GET', userUrl(poolId, 'sleeper'))).body.enabled, false);

    const enabled = await t.admin('POST', `${userUrl(poolId, 'sleeper')}/enable`);
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    assert.equal(enabled.body.enabled, true);
    assertProblem(
      await t.call('GET', '/v1/me', undefined, tokens.accessToken),
      401,
      'NotAuthorizedException',
      'Access Token has been revoked',
    );
    assertProblem(
      await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken }),
      401,
      'NotAuthorizedException',
      'Invalid Refresh Token',
    );
    const again = await signIn(t, clientId, 'sleeper');
    assert.equal(again.status, 200);
    assert.equal((await t.call('GET', '/v1/me', undefined, again.body.accessToken)).status, 200);
  });

  test('unknown user, unknown pool, no key', async () => {
    const { poolId } = await createPoolWithClient(t);
    for (const action of ['disable', 'enable']) {
      assertProblem(await t.admin('POST', `${userUrl(poolId, 'nobody')}/${action}`), 404, 'UserNotFoundException');
      assertProblem(
        await t.admin('POST', `${userUrl('local_Nope12345', 'nobody')}/${action}`),
        404,
        'ResourceNotFoundException',
      );
      assertProblem(await t.call('POST', `${userUrl(poolId, 'nobody')}/${action}`), 401, 'NotAuthorizedException');
    }
  });
});

describe('AdminUserGlobalSignOut', () => {
  test('revokes every session: old access and refresh tokens get 401, a new sign-in works', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    const tokens = await signedInUser(t, clientId, 'roamer', { email: uniqueEmail('roamer') });
    const second = await signIn(t, clientId, 'roamer');
    const signedOut = await t.admin('POST', `${userUrl(poolId, 'roamer')}/sign-out`);
    assert.equal(signedOut.status, 204);
    for (const session of [tokens, second.body]) {
      assertProblem(await t.call('GET', '/v1/me', undefined, session.accessToken), 401, 'NotAuthorizedException');
      assertProblem(
        await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: session.refreshToken }),
        401,
        'NotAuthorizedException',
      );
    }
    const fresh = await signIn(t, clientId, 'roamer');
    assert.equal((await t.call('GET', '/v1/me', undefined, fresh.body.accessToken)).status, 200);
  });

  test('unknown user, unknown pool, no key', async () => {
    const { poolId } = await createPoolWithClient(t);
    assertProblem(await t.admin('POST', `${userUrl(poolId, 'nobody')}/sign-out`), 404, 'UserNotFoundException');
    assertProblem(
      await t.admin('POST', `${userUrl('local_Nope12345', 'nobody')}/sign-out`),
      404,
      'ResourceNotFoundException',
    );
    assertProblem(await t.call('POST', `${userUrl(poolId, 'nobody')}/sign-out`), 401, 'NotAuthorizedException');
  });
});

describe('AdminDeleteUser', () => {
  test('the user and its tokens are gone, and the username can be used again', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    const email = uniqueEmail('leaver');
    const tokens = await signedInUser(t, clientId, 'leaver', { email });
    const deleted = await t.admin('DELETE', userUrl(poolId, 'leaver'));
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
    assertProblem(await t.call('GET', '/v1/me', undefined, tokens.accessToken), 401, 'NotAuthorizedException');
    assertProblem(
      await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken }),
      401,
      'NotAuthorizedException',
    );
    assertProblem(await t.admin('GET', userUrl(poolId, 'leaver')), 404, 'UserNotFoundException');
    assertProblem(await t.admin('DELETE', userUrl(poolId, 'leaver')), 404, 'UserNotFoundException');

    const again = await signUp(t, clientId, 'leaver', { email }, PASSWORD);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.notEqual(again.body.userSub, tokens.userSub);
  });

  test('unknown pool, no key', async () => {
    const { poolId } = await createPoolWithClient(t);
    assertProblem(await t.admin('DELETE', userUrl('local_Nope12345', 'nobody')), 404, 'ResourceNotFoundException');
    assertProblem(await t.call('DELETE', userUrl(poolId, 'nobody')), 401, 'NotAuthorizedException');
  });
});
