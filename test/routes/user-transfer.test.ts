import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import argon2 from 'argon2';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema/index.ts';
import { ADMIN_KEY, PASSWORD, createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const auth = { authorization: `Bearer ${ADMIN_KEY}` };

async function exportLines(app: TestApp, poolId: string): Promise<Array<Record<string, any>>> {
  const res = await app.app.inject({ method: 'GET', url: `/v1/pools/${poolId}/users/export`, headers: auth });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
  return res.body
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function importFile(app: TestApp, poolId: string, type: string, payload: string) {
  const res = await app.app.inject({
    method: 'POST',
    url: `/v1/pools/${poolId}/users/import`,
    headers: { ...auth, 'content-type': type },
    payload,
  });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

const HEADER =
  'cognito:username,name,given_name,family_name,middle_name,nickname,preferred_username,profile,picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,phone_number_verified,address,updated_at,cognito:mfa_enabled,custom:plan';

/** A Cognito user-import CSV row: the named columns set, every other one blank. */
function csvRow(values: Record<string, string>): string {
  return HEADER.split(',')
    .map((name) => {
      const value = values[name] ?? '';
      return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
    })
    .join(',');
}

test('Cognito CSV: users arrive RESET_REQUIRED with their attributes and flags; bad rows are reported by line', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, {
    schema: [{ name: 'plan' }],
    autoVerifiedAttributes: ['email'],
  });
  const alice = uniqueEmail('alice');
  const phone = uniquePhone();
  const csv = [
    HEADER,
    csvRow({
      'cognito:username': 'alice',
      name: 'Alice, A.',
      email: alice,
      email_verified: 'TRUE',
      phone_number: phone,
      phone_number_verified: 'false',
      'cognito:mfa_enabled': 'FALSE',
      'custom:plan': 'pro',
    }),
    csvRow({
      'cognito:username': 'bob',
      email: uniqueEmail('bob'),
      email_verified: 'true',
      phone_number: '555-0100',
      'cognito:mfa_enabled': 'false',
    }),
    csvRow({
      'cognito:username': 'carol',
      email: uniqueEmail('carol'),
      email_verified: 'true',
      'cognito:mfa_enabled': 'true',
    }),
    csvRow({ 'cognito:username': 'dave', given_name: 'Dave', email: uniqueEmail('dave'), email_verified: 'false' }),
  ].join('\r\n');

  const res = await importFile(t, poolId, 'text/csv', csv);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 2);
  assert.equal(res.body.rejectedCount, 2);
  assert.deepEqual(res.body.rejected, [
    { line: 3, username: 'bob', reason: 'Invalid phone number format.' },
    { line: 4, username: 'carol', reason: 'cognito:mfa_enabled is true but phone_number is empty: SMS MFA needs one.' },
  ]);

  const got = await t.admin('GET', `/v1/pools/${poolId}/users/alice`);
  assert.equal(got.body.userStatus, 'RESET_REQUIRED');
  assert.equal(got.body.enabled, true);
  assert.deepEqual(
    { ...got.body.attributes, sub: undefined },
    {
      sub: undefined,
      name: 'Alice, A.',
      email: alice,
      email_verified: 'true',
      phone_number: phone,
      phone_number_verified: 'false',
      'custom:plan': 'pro',
    },
  );
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/dave`)).body.attributes.email_verified, 'false');
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/bob`)).status, 404);
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/carol`)).status, 404);

  // No password yet: sign-in fails (the generic answer for a hidden-existence client, PasswordResetRequired
  // for one that shows it, as in Cognito); forgot password to the verified email sets one and confirms the user.
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'alice', password: PASSWORD }),
    401,
    'NotAuthorizedException',
  );
  const legacy = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'legacy',
    preventUserExistenceErrors: false,
  });
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId: legacy.body.clientId, username: 'alice', password: PASSWORD }),
    403,
    'PasswordResetRequiredException',
  );
  const trail = await t.admin('GET', `/v1/pools/${poolId}/users/alice/audit`);
  assert.deepEqual(
    trail.body.events.map((e: { action: string }) => e.action),
    ['IMPORT_USER'],
  );
  assert.deepEqual(trail.body.events[0].details.status, { from: null, to: 'RESET_REQUIRED' });
  assert.equal((await t.call('POST', '/v1/auth/forgot-password', { clientId, username: 'alice' })).status, 200);
  const code = await t.smtp.codeFor(alice);
  const reset = await t.call('POST', '/v1/auth/forgot-password/confirm', {
    clientId,
    username: 'alice',
    confirmationCode: code,
    password: PASSWORD,
  });
  assert.ok(reset.status < 300, JSON.stringify(reset.body));
  assert.equal(
    (await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'alice', password: PASSWORD })).status,
    200,
  );
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/alice`)).body.userStatus, 'CONFIRMED');
});

test('Cognito CSV: an unknown column refuses the whole file up front, naming the column', async () => {
  const { poolId } = await createPoolWithClient(t);
  const csv = `cognito:username,email,custom:tier\nerin,${uniqueEmail('erin')},gold\n`;
  const res = await importFile(t, poolId, 'text/csv', csv);
  assertProblem(res, 400, 'InvalidParameterException', 'custom:tier');
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/erin`)).status, 404);
});

test('Cognito CSV: an unclosed quote swallows the rest of the file, reported where the file ends; rows before it stay imported', async () => {
  const { poolId } = await createPoolWithClient(t);
  const csv = `cognito:username,given_name\nfine,Fay\nbad,"Unclosed\nnever,Read\n`;
  const res = await importFile(t, poolId, 'text/csv', csv);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 1);
  assert.equal(res.body.rejectedCount, 1);
  assert.match(res.body.rejected[0].reason, /^Unreadable CSV: Quote Not Closed/);
  assert.equal(res.body.rejected[0].line, 4);
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/fine`)).body.userStatus, 'RESET_REQUIRED');
});

test('export then import into another deployment: the same users, and they sign in with their passwords', async () => {
  const settings = {
    schema: [{ name: 'plan' }],
    autoVerifiedAttributes: ['email'],
    aliasAttributes: ['email'],
    keepOriginalAttributes: ['email'],
  };
  const { poolId, clientId } = await createPoolWithClient(t, settings);
  const email = uniqueEmail('round');
  await signedInUser(t, clientId, 'round', { email, 'custom:plan': 'basic', given_name: 'Rhonda' });
  // A pending value (keep-original), a disabled user, an invited one, an unconfirmed one.
  assert.equal(
    (
      await t.admin('PATCH', `/v1/pools/${poolId}/users/round/attributes`, {
        userAttributes: { email: uniqueEmail('next') },
      })
    ).status,
    200,
  );
  assert.equal(
    (
      await t.admin('POST', `/v1/pools/${poolId}/users`, {
        username: 'invited',
        messageAction: 'SUPPRESS',
        userAttributes: { email: uniqueEmail('inv'), email_verified: 'true' },
      })
    ).status,
    201,
  );
  assert.equal(
    (
      await t.admin('POST', `/v1/pools/${poolId}/users`, {
        username: 'off',
        messageAction: 'SUPPRESS',
        temporaryPassword: 'Temp-passw0rd',
      })
    ).status,
    201,
  );
  assert.equal((await t.admin('POST', `/v1/pools/${poolId}/users/off/disable`)).status, 200);
  assert.equal(
    (
      await t.call('POST', '/v1/sign-up', {
        clientId,
        username: 'pending',
        password: PASSWORD,
        userAttributes: { email: uniqueEmail('pend') },
      })
    ).status,
    201,
  );

  const exported = await exportLines(t, poolId);
  assert.equal(exported.length, 4);
  const round = exported.find((u) => u.username === 'round')!;
  assert.equal(round.attributes.email, email);
  assert.equal(round.attributes.email_verified, 'true');
  assert.match(round.pendingValues.email, /^next/);
  assert.match(round.passwordHash, /^\$argon2id\$/);

  const other = await startTestApp();
  try {
    const target = await createPoolWithClient(other, settings);
    const file = exported.map((u) => JSON.stringify(u)).join('\n') + '\n';
    const res = await importFile(other, target.poolId, 'application/x-ndjson', file);
    assert.deepEqual(res.body, { imported: 4, rejectedCount: 0, rejected: [] });
    // User by user: username, sub, status, enabled, attributes and flags, pending values, hash, times.
    assert.deepEqual(await exportLines(other, target.poolId), exported);
    const signIn = await other.call('POST', '/v1/auth/sign-in', {
      clientId: target.clientId,
      username: 'round',
      password: PASSWORD,
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    // The verified email is still a sign-in alias there.
    assert.equal(
      (await other.call('POST', '/v1/auth/sign-in', { clientId: target.clientId, username: email, password: PASSWORD }))
        .status,
      200,
    );

    // Twice is refused row by row, and nothing changes.
    const again = await importFile(other, target.poolId, 'application/x-ndjson', file);
    assert.equal(again.body.imported, 0);
    assert.deepEqual(
      again.body.rejected.map((r: { line: number }) => r.line),
      [1, 2, 3, 4],
    );
  } finally {
    await other.close();
  }

  // Subs are kept, so a second pool of the same deployment cannot take the same users.
  const { poolId: second } = await createPoolWithClient(t, settings);
  const same = await importFile(t, second, 'application/x-ndjson', exported.map((u) => JSON.stringify(u)).join('\n'));
  assert.equal(same.body.imported, 0);
  assert.ok(
    same.body.rejected.every((r: { reason: string }) => r.reason === 'A user with this sub already exists.'),
    JSON.stringify(same.body),
  );
});

test('a pool that signs in with email: users named by their sub go across and sign in with their email', async () => {
  const settings = { usernameAttributes: ['email'], autoVerifiedAttributes: ['email'] };
  const { poolId, clientId } = await createPoolWithClient(t, settings);
  const email = uniqueEmail('byemail');
  const { userSub } = await signedInUser(t, clientId, email, { email });
  const exported = await exportLines(t, poolId);
  assert.equal(exported[0]!.username, userSub);
  const other = await startTestApp();
  try {
    const target = await createPoolWithClient(other, settings);
    const res = await importFile(other, target.poolId, 'application/x-ndjson', `${JSON.stringify(exported[0])}\n`);
    assert.deepEqual(res.body, { imported: 1, rejectedCount: 0, rejected: [] });
    assert.deepEqual(await exportLines(other, target.poolId), exported);
    assert.equal(
      (await other.call('POST', '/v1/auth/sign-in', { clientId: target.clientId, username: email, password: PASSWORD }))
        .status,
      200,
    );
  } finally {
    await other.close();
  }
});

test('JSON Lines: malformed lines and rows breaking the schema are reported by line and nothing of them is written', async () => {
  const { poolId } = await createPoolWithClient(t, { schema: [{ name: 'plan' }], aliasAttributes: ['email'] });
  const taken = uniqueEmail('taken');
  const user = (username: string, extra: Record<string, unknown> = {}) => ({
    username,
    sub: crypto.randomUUID(),
    status: 'RESET_REQUIRED',
    enabled: true,
    attributes: {},
    passwordHash: null,
    ...extra,
  });
  const lines = [
    JSON.stringify(user('first', { attributes: { email: taken, email_verified: 'true' } })),
    '{"username": "broken",',
    '',
    JSON.stringify(user('ghost', { attributes: { 'custom:nope': 'x' } })),
    JSON.stringify(
      user('thief', { attributes: { email: taken.toUpperCase(), email_verified: 'true', given_name: 'T' } }),
    ),
    JSON.stringify(user('hashy', { status: 'CONFIRMED', passwordHash: '$2b$10$abcdefghijklmnopqrstuv' })),
    JSON.stringify(user('odd', { status: 'ARCHIVED' })),
    JSON.stringify(user('last', { attributes: { 'custom:plan': 'pro' } })),
  ];
  const res = await importFile(t, poolId, 'application/x-ndjson', lines.join('\n'));
  assert.equal(res.status, 200);
  assert.equal(res.body.imported, 2);
  assert.equal(res.body.rejectedCount, 5);
  assert.deepEqual(
    res.body.rejected.map((r: { line: number; username?: string }) => [r.line, r.username]),
    [
      [2, undefined],
      [4, 'ghost'],
      [5, 'thief'],
      [6, 'hashy'],
      [7, 'odd'],
    ],
  );
  assert.match(res.body.rejected[0].reason, /^Malformed JSON/);
  assert.match(res.body.rejected[1].reason, /custom:nope: Attribute does not exist in the schema/);
  assert.match(res.body.rejected[2].reason, /already exists/);
  assert.match(res.body.rejected[3].reason, /argon2id/);
  assert.match(res.body.rejected[4].reason, /status must be one of/);
  // The alias clash (the same email, another case) left no user behind.
  assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/thief`)).status, 404);
  const names = (await exportLines(t, poolId)).map((u) => u.username).sort();
  assert.deepEqual(names, ['first', 'last']);
});

test('import and export answer 404 for an unknown pool and 401 without the key', async () => {
  assertProblem(await t.admin('GET', '/v1/pools/nope/users/export'), 404, 'ResourceNotFoundException');
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/pools/nope/users/import',
    headers: { ...auth, 'content-type': 'application/x-ndjson' },
    payload: '{}',
  });
  assert.equal(res.statusCode, 404);
  assert.equal((await t.call('GET', '/v1/pools/nope/users/export')).status, 401);
});

test('export streams every user of a 3000-user pool, one line each, across keyset pages', async () => {
  const { poolId } = await createPoolWithClient(t);
  async function* rows() {
    for (let i = 0; i < 3000; i++) {
      yield {
        line: i + 1,
        user: {
          username: `bulk-${i}`,
          sub: crypto.randomUUID(),
          status: 'RESET_REQUIRED',
          enabled: true,
          attributes: { given_name: `B${i}` },
          passwordHash: null,
        },
      };
    }
  }
  const report = await t.services.userTransfer.importUsers(poolId, rows());
  assert.deepEqual(report, { imported: 3000, rejectedCount: 0, rejected: [] });
  const lines = await exportLines(t, poolId);
  assert.equal(lines.length, 3000);
  assert.equal(new Set(lines.map((u) => u.sub)).size, 3000);
  // Also readable as a stream by a client, line by line.
  const streamed = await t.app.inject({
    method: 'GET',
    url: `/v1/pools/${poolId}/users/export`,
    headers: auth,
    payloadAsStream: true,
  });
  let count = 0;
  for await (const chunk of streamed.stream() as Readable) count += String(chunk).split('\n').length - 1;
  assert.equal(count, 3000);
});

/** A JSON Lines row of a confirmed user signing in with `passwordHash`. */
const hashedUser = (username: string, passwordHash: string) => ({
  username,
  sub: crypto.randomUUID(),
  status: 'CONFIRMED',
  enabled: true,
  attributes: {},
  passwordHash,
});
/** Salt (16 bytes) and hash (32 bytes) in unpadded base64, for hashes that are never verified. */
const SALT_AND_HASH = `${Buffer.alloc(16, 1).toString('base64').replace(/=+$/, '')}$${Buffer.alloc(32, 2).toString('base64').replace(/=+$/, '')}`;

async function storedHash(app: TestApp, sub: string): Promise<string | null> {
  const [row] = await app.database.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, sub));
  return row!.passwordHash;
}

/** m, t and p of a PHC string, whatever their order. */
const costOf = (hash: string) =>
  Object.fromEntries(
    hash
      .split('$')[3]!
      .split(',')
      .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]),
  );

test('JSON Lines: password hashes above the ceiling, or malformed, are refused row by row; good rows of the same file still import', async () => {
  const { poolId } = await createPoolWithClient(t);
  const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 8, timeCost: 1, parallelism: 1 });
  const current = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const rows = [
    hashedUser('weakling', weak),
    hashedUser('huge', `$argon2id$v=19$m=4294967295,t=4294967295,p=255$${SALT_AND_HASH}`),
    hashedUser('slow', `$argon2id$v=19$m=19456,t=150,p=1$${SALT_AND_HASH}`),
    hashedUser('wide', `$argon2id$v=19$m=19456,t=2,p=16$${SALT_AND_HASH}`),
    hashedUser('greedy', `$argon2id$v=19$m=262144,t=1,p=1$${SALT_AND_HASH}`),
    hashedUser('costly', `$argon2id$v=19$m=65536,t=5,p=1$${SALT_AND_HASH}`),
    hashedUser('salty', `$argon2id$v=19$m=19456,t=2,p=1$AAAAAA$${SALT_AND_HASH.split('$')[1]}`),
    hashedUser('old', `$argon2id$v=16$m=19456,t=2,p=1$${SALT_AND_HASH}`),
    hashedUser('twice', `$argon2id$v=19$m=8,m=8,t=1,p=1$${SALT_AND_HASH}`),
    hashedUser('narrow', `$argon2id$v=19$m=8,t=1,p=2$${SALT_AND_HASH}`),
    hashedUser('fine', current),
  ];
  const res = await importFile(t, poolId, 'application/x-ndjson', rows.map((row) => JSON.stringify(row)).join('\n'));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 2, JSON.stringify(res.body));
  assert.equal(res.body.rejectedCount, 9);
  assert.deepEqual(
    res.body.rejected.map((r: { line: number; username?: string }) => [r.line, r.username]),
    rows.slice(1, -1).map((row, i) => [i + 2, row.username]),
  );
  const reasons = Object.fromEntries(
    res.body.rejected.map((r: { username: string; reason: string }) => [r.username, r.reason]),
  );
  assert.match(reasons.huge, /^passwordHash: m=4294967295 KiB is above the ceiling of 131072 KiB/);
  assert.match(reasons.slow, /^passwordHash: t=150 is above the ceiling of 10/);
  assert.match(reasons.wide, /^passwordHash: p=16 is above the ceiling of 8/);
  assert.match(reasons.greedy, /^passwordHash: m=262144 KiB is above the ceiling of 131072 KiB/);
  assert.match(reasons.costly, /^passwordHash: m×t=327680 is above the ceiling of 262144/);
  assert.match(reasons.salty, /^passwordHash: the salt must be 8 to 64 bytes/);
  for (const name of ['old', 'twice']) assert.match(reasons[name], /^passwordHash must be an argon2id PHC string/);
  assert.match(reasons.narrow, /^passwordHash: m must be at least 8×p/);
  for (const row of rows.slice(1, -1))
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/${row.username}`)).status, 404, row.username);
  assert.deepEqual((await exportLines(t, poolId)).map((u) => u.username).sort(), ['fine', 'weakling']);
});

test('a weak imported hash (argon2id m=8,t=1) signs in, and is stored again with the current parameters', async () => {
  const { poolId, clientId } = await createPoolWithClient(t);
  const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 8, timeCost: 1, parallelism: 1 });
  const row = hashedUser('weakling', weak);
  assert.deepEqual((await importFile(t, poolId, 'application/x-ndjson', JSON.stringify(row))).body, {
    imported: 1,
    rejectedCount: 0,
    rejected: [],
  });
  assert.equal(await storedHash(t, row.sub), weak);

  // A wrong password changes nothing.
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'weakling', password: 'Wrong-passw0rd' }),
    401,
    'NotAuthorizedException',
  );
  assert.equal(await storedHash(t, row.sub), weak);

  const signIn = await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'weakling', password: PASSWORD });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  assert.deepEqual(Object.keys(signIn.body).sort(), [
    'accessToken',
    'expiresIn',
    'idToken',
    'refreshToken',
    'tokenType',
  ]);
  const rehashed = (await storedHash(t, row.sub))!;
  assert.match(rehashed, /^\$argon2id\$v=19\$/);
  const { memoryCostKiB, timeCost, parallelism } = t.config.passwordHashing;
  assert.deepEqual(costOf(rehashed), { m: memoryCostKiB, t: timeCost, p: parallelism });
  assert.ok(await argon2.verify(rehashed, PASSWORD));

  // The new hash signs in, and is current: not written again.
  assert.equal(
    (await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'weakling', password: PASSWORD })).status,
    200,
  );
  assert.equal(await storedHash(t, row.sub), rehashed);
});

test('a stored hash above the ceiling (written before it existed) is not verified: the sign-in fails and is logged', async () => {
  const { poolId, clientId } = await createPoolWithClient(t);
  const row = hashedUser(
    'legacy',
    await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  );
  assert.equal((await importFile(t, poolId, 'application/x-ndjson', JSON.stringify(row))).body.imported, 1);
  // Genuine hashes of the right password, cheap to verify but above the ceiling (p, then t).
  for (const options of [
    { memoryCost: 128, timeCost: 1, parallelism: 16 },
    { memoryCost: 8, timeCost: 11, parallelism: 1 },
  ]) {
    const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...options });
    await t.database.db.update(users).set({ passwordHash: hash }).where(eq(users.id, row.sub));
    const logged = t.logs.length;
    assertProblem(
      await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'legacy', password: PASSWORD }),
      401,
      'NotAuthorizedException',
    );
    const warning = t.logs.slice(logged).find((entry) => entry.level === 40 && /ceiling/.test(String(entry.msg)));
    assert.ok(warning, `no warning among ${JSON.stringify(t.logs.slice(logged))}`);
    assert.equal(await storedHash(t, row.sub), hash);
  }
});
