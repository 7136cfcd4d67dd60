import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, createPoolWithClient, decodeJwt, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import {
  assertProblem,
  attributesOf,
  mailsTo,
  newCodeFor,
  signIn,
  signUp,
  uniqueEmail,
  uniquePhone,
  updateAttributes,
} from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const aliasPool = {
  aliasAttributes: ['email', 'phone_number', 'preferred_username'],
  autoVerifiedAttributes: ['email'],
};
const confirm = (clientId: string, username: string, confirmationCode: string, extra: Record<string, unknown> = {}) =>
  t.call('POST', '/v1/sign-up/confirm', { clientId, username, confirmationCode, ...extra });
const verify = (token: string, name: string, confirmationCode: string, extra: Record<string, unknown> = {}) =>
  t.call('POST', `/v1/me/attributes/${name}/verify`, { confirmationCode, ...extra }, token);

test('alias pools: a verified email signs in, an unverified one does not; case-insensitive by default', async () => {
  const { clientId } = await createPoolWithClient(t, aliasPool);
  const email = uniqueEmail('Alias');
  await signUp(t, clientId, 'alias', { email });
  assertProblem(await signIn(t, clientId, email), 401, 'NotAuthorizedException', 'Incorrect username or password.');
  assert.equal((await confirm(clientId, 'alias', await newCodeFor(t, email, 0))).status, 200);

  const res = await signIn(t, clientId, email);
  assert.equal(res.status, 200);
  assert.equal(decodeJwt(res.body.accessToken).username, 'alias', 'tokens name the real username');
  assert.equal((await signIn(t, clientId, email.toUpperCase())).status, 200);
  assert.equal((await signIn(t, clientId, 'ALIAS')).status, 200);
  assertProblem(await signIn(t, clientId, email, 'Wr0ng-password'), 401, 'NotAuthorizedException');
});

test('alias pools: an unverified phone does not sign in; preferred_username does once set', async () => {
  const { clientId } = await createPoolWithClient(t, aliasPool);
  const phone = uniquePhone();
  const tokens = await signedInUser(t, clientId, 'pat', { email: uniqueEmail('pat'), phone_number: phone });
  assertProblem(await signIn(t, clientId, phone), 401, 'NotAuthorizedException');

  assertProblem(
    await signUp(t, clientId, 'other', { email: uniqueEmail('other'), preferred_username: 'pref' }),
    400,
    'InvalidParameterException',
    'preferred_username: An alias cannot be given at sign-up',
  );
  assert.equal((await updateAttributes(t, tokens.accessToken, { preferred_username: 'PatTheCat' })).status, 200);
  assert.equal((await signIn(t, clientId, 'patthecat')).status, 200);
});

test('alias pools refuse a username that looks like an email or a phone number', async () => {
  const { clientId } = await createPoolWithClient(t, aliasPool);
  assertProblem(
    await signUp(t, clientId, 'jane@example.com', { email: uniqueEmail('x') }),
    400,
    'InvalidParameterException',
    'Username cannot be of email format, since user pool is configured for email alias.',
  );
  assertProblem(
    await signUp(t, clientId, '+14325551212', {}),
    400,
    'InvalidParameterException',
    'Username cannot be of phone number format',
  );
  // A pool without an email alias takes such usernames.
  const plain = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  assert.equal((await signUp(t, plain.clientId, 'jane@example.com', { email: uniqueEmail('x') })).status, 201);
});

test('alias pools allow the same email on two users; confirming it when another verified it answers 409 AliasExistsException', async () => {
  const { clientId } = await createPoolWithClient(t, aliasPool);
  const email = uniqueEmail('shared');
  const first = await signedInUser(t, clientId, 'first', { email });

  const second = await signUp(t, clientId, 'second', { email });
  assert.equal(second.status, 201, 'a duplicate email is no error at sign-up in alias pools');
  const code = await newCodeFor(t, email, 1);
  assertProblem(
    await confirm(clientId, 'second', code),
    409,
    'AliasExistsException',
    'An account with the email already exists.',
  );
  // Nothing changed: the second user is still unconfirmed, the first still owns the alias.
  assertProblem(await signIn(t, clientId, 'second'), 403, 'UserNotConfirmedException');
  assert.equal((await attributesOf(t, first.accessToken)).email_verified, 'true');
  const byEmail = await signIn(t, clientId, email);
  assert.equal(decodeJwt(byEmail.body.accessToken).sub, first.userSub);

  // forceAliasCreation moves it: the first user keeps the value, unverified.
  assert.equal((await confirm(clientId, 'second', code, { forceAliasCreation: true })).status, 200);
  const secondSession = await signIn(t, clientId, email);
  assert.equal(secondSession.status, 200);
  assert.equal(decodeJwt(secondSession.body.accessToken).username, 'second');
  assert.deepEqual(await attributesOf(t, first.accessToken), { sub: first.userSub, email, email_verified: 'false' });
  assert.equal((await attributesOf(t, secondSession.body.accessToken)).email_verified, 'true');
  assert.equal((await signIn(t, clientId, 'first')).status, 200, 'the first user still signs in by username');
});

test('verifying an email another user has verified answers 409; forceAliasCreation takes it over', async () => {
  const { clientId } = await createPoolWithClient(t, aliasPool);
  const owned = uniqueEmail('owned');
  const owner = await signedInUser(t, clientId, 'owner', { email: owned });
  const taker = await signedInUser(t, clientId, 'taker', { email: uniqueEmail('taker') });

  const res = await updateAttributes(t, taker.accessToken, { email: owned });
  assert.equal(res.status, 200);
  const code = await newCodeFor(t, owned, 1);
  assertProblem(
    await verify(taker.accessToken, 'email', code),
    409,
    'AliasExistsException',
    'An account with the email already exists.',
  );
  assert.equal((await attributesOf(t, taker.accessToken)).email_verified, 'false');
  assert.equal((await attributesOf(t, owner.accessToken)).email_verified, 'true');

  assert.equal((await verify(taker.accessToken, 'email', code, { forceAliasCreation: true })).status, 200);
  assert.equal((await attributesOf(t, taker.accessToken)).email_verified, 'true');
  assert.deepEqual(await attributesOf(t, owner.accessToken), {
    sub: owner.userSub,
    email: owned,
    email_verified: 'false',
  });
  assert.equal(decodeJwt((await signIn(t, clientId, owned)).body.accessToken).username, 'taker');
});

test('keep-original in an alias pool: a pending email taken by another user answers 409 on verify, and the old alias stays', async () => {
  const { clientId } = await createPoolWithClient(t, { ...aliasPool, keepOriginalAttributes: ['email'] });
  const owned = uniqueEmail('kowned');
  await signedInUser(t, clientId, 'kowner', { email: owned });
  const mine = uniqueEmail('kmine');
  const me = await signedInUser(t, clientId, 'kme', { email: mine });
  await updateAttributes(t, me.accessToken, { email: owned });
  const code = await newCodeFor(t, owned, 1);
  assertProblem(await verify(me.accessToken, 'email', code), 409, 'AliasExistsException');
  assert.deepEqual(await attributesOf(t, me.accessToken), { sub: me.userSub, email: mine, email_verified: 'true' });
  assert.equal(decodeJwt((await signIn(t, clientId, mine)).body.accessToken).username, 'kme');
});

test('username-attribute pools: the email is the sign-in name, the username is the sub', async () => {
  const { clientId } = await createPoolWithClient(t, {
    usernameAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
  });
  const email = uniqueEmail('Sub');
  const res = await signUp(t, clientId, email, { given_name: 'S' });
  assert.equal(res.status, 201);
  assert.equal(res.body.codeDeliveryDetails.attributeName, 'email');
  assert.equal(mailsTo(t, email), 1);
  assert.equal((await confirm(clientId, email, await newCodeFor(t, email, 0))).status, 200);

  const session = await signIn(t, clientId, email.toLowerCase());
  assert.equal(session.status, 200);
  const me = await t.call('GET', '/v1/me', undefined, session.body.accessToken);
  assert.equal(me.body.username, res.body.userSub);
  assert.equal(me.body.attributes.email, email);
  assert.equal(decodeJwt(session.body.idToken)['cognito:username'], res.body.userSub);
  assert.equal((await signIn(t, clientId, res.body.userSub)).status, 200, 'the sub itself is the username');

  assertProblem(
    await signUp(t, clientId, 'not-an-email', {}),
    400,
    'InvalidParameterException',
    'Username should be an email.',
  );
  assertProblem(
    await signUp(t, clientId, uniqueEmail('mismatch'), { email: uniqueEmail('else') }),
    400,
    'InvalidParameterException',
    'email must match the username',
  );
});

test('username-attribute pools: a taken email answers 409 UsernameExistsException, whatever its case or state', async () => {
  const { clientId } = await createPoolWithClient(t, {
    usernameAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
  });
  const email = uniqueEmail('dup');
  assert.equal((await signUp(t, clientId, email, {})).status, 201);
  // Still unconfirmed: the email is the sign-in name all the same.
  assertProblem(
    await signUp(t, clientId, email, {}),
    409,
    'UsernameExistsException',
    'An account with the given email already exists.',
  );
  assertProblem(
    await signUp(t, clientId, email.toUpperCase(), {}),
    409,
    'UsernameExistsException',
    'An account with the given email already exists.',
  );
  assert.equal(mailsTo(t, email), 1);
});

test('username-attribute pools with email and phone: either works, anything else is refused', async () => {
  const { clientId } = await createPoolWithClient(t, {
    usernameAttributes: ['email', 'phone_number'],
    autoVerifiedAttributes: ['phone_number'],
  });
  const phone = uniquePhone();
  const res = await signUp(t, clientId, phone, {});
  assert.equal(res.status, 201);
  assert.equal(res.body.codeDeliveryDetails.deliveryMedium, 'SMS');
  assert.equal((await confirm(clientId, phone, t.smsCodeFor(phone))).status, 200);
  assert.equal((await signIn(t, clientId, phone)).status, 200);
  assertProblem(
    await signUp(t, clientId, phone, {}),
    409,
    'UsernameExistsException',
    'An account with the given phone_number already exists.',
  );
  assertProblem(
    await signUp(t, clientId, 'plainname', {}),
    400,
    'InvalidParameterException',
    'Username should be either an email or a phone number.',
  );
});

test('usernames are case-insensitive by default and case-sensitive when the pool says so', async () => {
  const insensitive = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  await signedInUser(t, insensitive.clientId, 'Casey', { email: uniqueEmail('c1') });
  assert.equal((await signIn(t, insensitive.clientId, 'casey')).status, 200);
  assertProblem(
    await signUp(t, insensitive.clientId, 'CASEY', { email: uniqueEmail('c2') }),
    409,
    'UsernameExistsException',
  );

  const sensitive = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'], usernameCaseSensitive: true });
  const upper = await signedInUser(t, sensitive.clientId, 'Casey', { email: uniqueEmail('c3') });
  assertProblem(await signIn(t, sensitive.clientId, 'casey'), 401, 'NotAuthorizedException');
  const lower = await signedInUser(t, sensitive.clientId, 'casey', { email: uniqueEmail('c4') });
  assert.notEqual(upper.userSub, lower.userSub);
  assert.equal(decodeJwt((await signIn(t, sensitive.clientId, 'Casey')).body.accessToken).sub, upper.userSub);
  assert.equal(decodeJwt((await signIn(t, sensitive.clientId, 'casey')).body.accessToken).sub, lower.userSub);
});

test('PreventUserExistenceErrors on (default): unknown users look like bad passwords; resend answers a delivery', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, aliasPool);
  const client = await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`);
  assert.equal(client.body.preventUserExistenceErrors, true);
  assertProblem(await signIn(t, clientId, 'nobody'), 401, 'NotAuthorizedException', 'Incorrect username or password.');
  assertProblem(
    await signIn(t, clientId, uniqueEmail('nobody')),
    401,
    'NotAuthorizedException',
    'Incorrect username or password.',
  );

  const resend = await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'nobody' });
  assert.equal(resend.status, 200);
  assert.deepEqual(Object.keys(resend.body), ['codeDeliveryDetails']);
  const details = resend.body.codeDeliveryDetails;
  assert.equal(details.deliveryMedium, 'EMAIL');
  assert.equal(details.attributeName, 'email');
  assert.match(details.destination, /^.\*\*\*@.\*\*\*$/);
  const mailsBefore = t.smtp.messages.length;
  const byEmail = await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'ghost@nowhere.test' });
  assert.deepEqual(byEmail.body, {
    codeDeliveryDetails: { destination: 'g***@n***', deliveryMedium: 'EMAIL', attributeName: 'email' },
  });
  assert.equal(t.smtp.messages.length, mailsBefore, 'nothing is sent for nobody');
});

test('PreventUserExistenceErrors off: unknown users answer 404 UserNotFoundException', async () => {
  const { clientId } = await createPoolWithClient(t, aliasPool, { preventUserExistenceErrors: false });
  assertProblem(await signIn(t, clientId, 'nobody'), 404, 'UserNotFoundException', 'User does not exist.');
  assertProblem(
    await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'nobody' }),
    404,
    'UserNotFoundException',
  );
  // A known user with a wrong password is still 401.
  await signedInUser(t, clientId, 'known', { email: uniqueEmail('known') });
  assertProblem(
    await signIn(t, clientId, 'known', 'Wr0ng-password'),
    401,
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  // An unverified alias is no user either.
  const unverified = uniqueEmail('unv');
  await signUp(t, clientId, 'unverified', { email: unverified });
  assertProblem(await signIn(t, clientId, unverified), 404, 'UserNotFoundException');
  assert.equal(PASSWORD.length > 0, true);
});

test('username-attribute pools: changing to another user’s email answers 409 at once, in either update mode', async () => {
  for (const keepOriginal of [false, true]) {
    const { clientId } = await createPoolWithClient(t, {
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      ...(keepOriginal && { keepOriginalAttributes: ['email'] }),
    });
    const taken = uniqueEmail('owner');
    const owner = await signedInUser(t, clientId, taken, { email: taken });
    const mine = uniqueEmail('mover');
    const mover = await signedInUser(t, clientId, mine, { email: mine });
    const before = await attributesOf(t, mover.accessToken);
    assertProblem(
      await updateAttributes(t, mover.accessToken, { email: taken.toUpperCase() }),
      409,
      'AliasExistsException',
      'An account with the email already exists.',
    );
    assert.deepEqual(await attributesOf(t, mover.accessToken), before);
    assert.equal(mailsTo(t, taken), 1, 'no code goes to the other user’s address');
    assert.equal(decodeJwt((await signIn(t, clientId, taken)).body.accessToken).sub, owner.userSub);
  }
});

test('username-attribute pools: forceAliasCreation never takes another user’s sign-in email', async () => {
  // The owner signs up after the mover asked for the change, so the pending value was free then.
  const { clientId } = await createPoolWithClient(t, {
    usernameAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
    keepOriginalAttributes: ['email'],
  });
  const mine = uniqueEmail('racer');
  const mover = await signedInUser(t, clientId, mine, { email: mine });
  const contested = uniqueEmail('contested');
  assert.equal((await updateAttributes(t, mover.accessToken, { email: contested })).status, 200);
  const code = await newCodeFor(t, contested, 0);
  const owner = await signedInUser(t, clientId, contested, { email: contested });

  assertProblem(
    await verify(mover.accessToken, 'email', code, { forceAliasCreation: true }),
    409,
    'AliasExistsException',
  );
  assert.deepEqual(await attributesOf(t, owner.accessToken), {
    sub: owner.userSub,
    email: contested,
    email_verified: 'true',
  });
  assert.equal(decodeJwt((await signIn(t, clientId, contested)).body.accessToken).sub, owner.userSub);
  assert.equal((await attributesOf(t, mover.accessToken)).email, mine);
});

test('AdminCreateUser with forceAliasCreation never takes a sign-in email of a username-attribute pool', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, {
    usernameAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
  });
  const email = uniqueEmail('held');
  const owner = await signedInUser(t, clientId, email, { email });
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: email,
      userAttributes: { email, email_verified: 'true' },
      forceAliasCreation: true,
      messageAction: 'SUPPRESS',
    }),
    409,
    'UsernameExistsException',
  );
  assert.deepEqual(await attributesOf(t, owner.accessToken), { sub: owner.userSub, email, email_verified: 'true' });
  assert.equal(decodeJwt((await signIn(t, clientId, email)).body.accessToken).sub, owner.userSub);
});

test('AdminCreateUser with forceAliasCreation never takes a preferred_username', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, aliasPool);
  const owner = await signedInUser(t, clientId, 'prefowner', { email: uniqueEmail('prefowner') });
  assert.equal((await updateAttributes(t, owner.accessToken, { preferred_username: 'captain' })).status, 200);
  assertProblem(
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'prefnewcomer',
      userAttributes: { preferred_username: 'captain' },
      forceAliasCreation: true,
      messageAction: 'SUPPRESS',
    }),
    409,
    'AliasExistsException',
  );
  assert.equal((await attributesOf(t, owner.accessToken)).preferred_username, 'captain');
  assert.equal(decodeJwt((await signIn(t, clientId, 'captain')).body.accessToken).sub, owner.userSub);
});

test('alias pools: deleting a user frees its aliases; preferred_username is unique case-insensitively', async () => {
  const { clientId } = await createPoolWithClient(t, aliasPool);
  const email = uniqueEmail('freed');
  const gone = await signedInUser(t, clientId, 'gone', { email });
  assert.equal((await updateAttributes(t, gone.accessToken, { preferred_username: 'Star' })).status, 200);
  const other = await signedInUser(t, clientId, 'other', { email: uniqueEmail('other') });
  assertProblem(
    await updateAttributes(t, other.accessToken, { preferred_username: 'star' }),
    409,
    'AliasExistsException',
    'An account with the preferred_username already exists.',
  );
  assert.equal('preferred_username' in (await attributesOf(t, other.accessToken)), false);

  assert.equal((await t.call('DELETE', '/v1/me', undefined, gone.accessToken)).status, 204);
  assert.equal((await updateAttributes(t, other.accessToken, { preferred_username: 'star' })).status, 200);
  const heir = await signedInUser(t, clientId, 'heir', { email });
  assert.equal(decodeJwt((await signIn(t, clientId, email)).body.accessToken).sub, heir.userSub);
  assert.equal(decodeJwt((await signIn(t, clientId, 'STAR')).body.accessToken).sub, other.userSub);
});
