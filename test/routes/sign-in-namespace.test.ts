/**
 * Issue 11, finding 1: one sign-in namespace per pool (docs/security.md). The attack: mallory
 * sets preferred_username to zed's email before zed signs up; on PostgreSQL with ~20,000 users
 * the alias look-up's plan then decided who "zed@example.com" was. Here the pool holds that many
 * users on PostgreSQL (fewer on PGlite, where the plan never varied), and every path that takes a
 * name (sign-in, forgot password, admin calls on both faces) must find zed, by the database's key.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { sql } from 'drizzle-orm';
import { PASSWORD, createPoolWithClient, decodeJwt, signedInUser } from '../support/app.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { onPostgres } from '../support/database.ts';
import { assertProblem, eventually, mailsTo, signIn, signUp, updateAttributes } from '../support/user-flows.ts';

const SEEDED = onPostgres ? 20_000 : 500;
const MALLORY_PASSWORD = 'Mall0ry-Passw0rd!';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
let mallory: { accessToken: string; userSub: string };
let zed: { accessToken: string; userSub: string };

const rowsOf = (result: unknown) => (result as { rows: Record<string, unknown>[] }).rows;

before(async () => {
  t = await startCognitoApp();
  ({ poolId, clientId } = await createPoolWithClient(t, {
    aliasAttributes: ['email', 'preferred_username'],
    autoVerifiedAttributes: ['email'],
  }));
  // A pool with many users holding verified emails and preferred usernames, analysed, as the attack had it.
  const db = t.database.db;
  await db.execute(sql`
    insert into users (id, pool_id, username, username_key, status)
    select gen_random_uuid(), ${poolId}, 'seed' || g, 'seed' || g, 'CONFIRMED' from generate_series(1, ${SEEDED}) g`);
  await db.execute(sql`
    insert into user_attributes (user_id, pool_id, name, value, verified, alias_key)
    select id, pool_id, 'email', username || '@example.com', true, username || '@example.com' from users where pool_id = ${poolId}`);
  await db.execute(sql`
    insert into user_attributes (user_id, pool_id, name, value, alias_key)
    select id, pool_id, 'preferred_username', 'p-' || username, 'p-' || username from users where pool_id = ${poolId}`);
  await db.execute(sql`analyze`);

  mallory = await signedInUser(t, clientId, 'mallory', { email: 'mallory@example.net' });
  await t.call(
    'POST',
    '/v1/me/password',
    { previousPassword: PASSWORD, proposedPassword: MALLORY_PASSWORD },
    mallory.accessToken,
  );
  mallory = { ...(await signIn(t, clientId, 'mallory', MALLORY_PASSWORD)).body, userSub: mallory.userSub };
});
after(() => t?.close());

test('preferred_username shaped like an email or a phone is refused where it is an alias (REST and wire)', async () => {
  assertProblem(
    await updateAttributes(t, mallory.accessToken, { preferred_username: 'zed@example.com' }),
    400,
    'InvalidParameterException',
    'email format',
  );
  assertProblem(
    await updateAttributes(t, mallory.accessToken, { preferred_username: 'ZED@ｅxample.com' }),
    400,
    'InvalidParameterException',
    'email format',
  );
  assertProblem(
    await updateAttributes(t, mallory.accessToken, { preferred_username: '+14155550100' }),
    400,
    'InvalidParameterException',
    'phone number format',
  );
  const wire = await fetch(t.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.UpdateUserAttributes',
    },
    body: JSON.stringify({
      AccessToken: mallory.accessToken,
      UserAttributes: [{ Name: 'preferred_username', Value: 'zed@example.com' }],
    }),
  });
  assert.equal(wire.status, 400);
  assert.equal((await wire.json()).__type, 'InvalidParameterException');
});

test('the database holds one owner per name: the takeover, written past the checks, is refused by sign_in_names_pkey', async () => {
  zed = await signedInUser(t, clientId, 'zed', { email: 'zed@example.com' });

  // What the attack stored: mallory's preferred_username as the alias key zed's email now has.
  let refused: { code?: string; constraint?: string } | undefined;
  try {
    await t.database.db.execute(
      sql`insert into user_attributes (user_id, pool_id, name, value, alias_key) values (${mallory.userSub}, ${poolId}, 'preferred_username', 'zed@example.com', 'zed@example.com')`,
    );
  } catch (e) {
    for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
      if ((c as { code?: string }).code === '23505') refused = c as typeof refused;
    }
  }
  assert.equal(refused?.constraint, 'sign_in_names_pkey');
  const owners = rowsOf(
    await t.database.db.execute(
      sql`select user_id, source from sign_in_names where pool_id = ${poolId} and name_key = 'zed@example.com'`,
    ),
  );
  assert.deepEqual(owners, [{ user_id: zed.userSub, source: 'email' }]);
});

test('a name held as a username cannot be claimed as an alias, nor the reverse (409 AliasExistsException / UsernameExistsException)', async () => {
  assertProblem(
    await updateAttributes(t, mallory.accessToken, { preferred_username: 'ZED' }),
    409,
    'AliasExistsException',
  );
  assert.equal((await updateAttributes(t, mallory.accessToken, { preferred_username: 'the-mallory' })).status, 200);
  assertProblem(
    await signUp(t, clientId, 'The-Mallory', { email: 'other@example.org' }),
    409,
    'UsernameExistsException',
  );
  // Seeded users' preferred usernames are names too.
  assertProblem(await signUp(t, clientId, 'p-seed7', { email: 'other@example.org' }), 409, 'UsernameExistsException');
});

test("zed's email is zed's on every path that takes a name, whatever the pool's size (REST and wire)", async () => {
  const plan = rowsOf(
    await t.database.db.execute(
      sql`explain select u.id from sign_in_names n join users u on u.id = n.user_id where n.pool_id = ${poolId} and n.name_key in ('zed', 'zed@example.com')`,
    ),
  )
    .map((r) => String(Object.values(r)[0]))
    .join('\n');
  assert.match(plan, /sign_in_names_pkey/, `the look-up goes through the namespace's key:\n${plan}`);

  const signedIn = await signIn(t, clientId, 'zed@example.com');
  assert.equal(signedIn.status, 200);
  assert.equal(decodeJwt(signedIn.body.accessToken).sub, zed.userSub);
  assertProblem(await signIn(t, clientId, 'zed@example.com', MALLORY_PASSWORD), 401, 'NotAuthorizedException');
  // Look-alike spellings of the address are the same name.
  assert.equal(decodeJwt((await signIn(t, clientId, 'zed@ＥＸＡＭＰＬＥ．ＣＯＭ')).body.accessToken).sub, zed.userSub);

  const before = mailsTo(t, 'zed@example.com');
  const malloryMails = mailsTo(t, 'mallory@example.net');
  assert.equal(
    (await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'zed@example.com' })).status,
    200,
  );
  await eventually(() => mailsTo(t, 'zed@example.com') > before);
  assert.equal(mailsTo(t, 'mallory@example.net'), malloryMails);

  const admin = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent('zed@example.com')}`);
  assert.equal(admin.status, 200);
  assert.equal(admin.body.username, 'zed');
  const wire = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'zed@example.com' }));
  assert.equal(wire.Username, 'zed');
  const byPreferred = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'the-mallory' }));
  assert.equal(byPreferred.Username, 'mallory');
});

test('five look-alike spellings of one address are one sign-in name (email as username)', async () => {
  const emailPool = await createPoolWithClient(t, { usernameAttributes: ['email'], autoVerifiedAttributes: ['email'] });
  assert.equal((await signUp(t, emailPool.clientId, 'dave@example.com', {})).status, 201);
  for (const lookAlike of [
    'dave@ｅxample.com',
    'dave@ＥＸＡＭＰＬＥ.ＣＯＭ',
    'dave@example。com',
    'dave@example．com',
  ]) {
    assertProblem(await signUp(t, emailPool.clientId, lookAlike, {}), 409, 'UsernameExistsException');
  }
  const users = await t.admin('GET', `/v1/pools/${emailPool.poolId}/users`);
  assert.equal(users.body.users.length, 1);
});
