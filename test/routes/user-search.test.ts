import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, inArray } from 'drizzle-orm';
import { users } from '../../src/db/schema/index.ts';
import { createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

type Query = Record<string, string | number | string[] | undefined>;

function url(poolId: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
  }
  const text = params.toString();
  return `/v1/pools/${poolId}/users${text ? `?${text}` : ''}`;
}

async function list(poolId: string, query: Query = {}) {
  const res = await t.admin('GET', url(poolId, query));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as {
    users: Array<{
      username: string;
      userSub: string;
      userStatus: string;
      enabled: boolean;
      attributes: Record<string, string>;
    }>;
    paginationToken?: string;
  };
}

const usernames = async (poolId: string, filter: string, extra: Query = {}) =>
  (await list(poolId, { filter, ...extra })).users.map((u) => u.username);

async function createUser(poolId: string, username: string, userAttributes: Record<string, string> = {}) {
  const res = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username,
    temporaryPassword: 'Temp-passw0rd',
    messageAction: 'SUPPRESS',
    userAttributes,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { username: string; userSub: string };
}

describe('filters on every searchable name', () => {
  let poolId: string;
  const subs: Record<string, string> = {};
  before(async () => {
    ({ poolId } = await createPoolWithClient(t, {
      schema: [{ name: 'plan', searchable: true }, { name: 'tier' }],
    }));
    const people: Array<[string, Record<string, string>]> = [
      [
        'alice',
        {
          email: 'Alice@Example.com',
          phone_number: '+15550001111',
          name: 'Alice Liddell',
          given_name: 'Alice',
          family_name: 'Liddell',
          preferred_username: 'Wonder',
          'custom:plan': 'Gold',
          'custom:tier': 'a',
        },
      ],
      [
        'Bob',
        {
          email: 'bob@example.org',
          phone_number: '+15550002222',
          name: 'Bob Stone',
          given_name: 'Bob',
          family_name: 'stone',
          preferred_username: 'bobby',
          'custom:plan': 'gold-plus',
        },
      ],
      [
        'carol',
        {
          email: 'carol@example.com',
          phone_number: '+4930123456',
          name: 'Carol Ålund',
          given_name: 'Carol',
          family_name: 'Ålund',
          'custom:plan': 'silver',
        },
      ],
      ['dave', { email: 'ALICE.second@example.com', given_name: 'alicia' }],
    ];
    for (const [username, attributes] of people)
      subs[username] = (await createUser(poolId, username, attributes)).userSub;
    // Statuses and the enabled flag as other flows leave them.
    await t.database.db
      .update(users)
      .set({ status: 'CONFIRMED' })
      .where(inArray(users.id, [subs.alice!, subs.Bob!]));
    await t.database.db.update(users).set({ status: 'UNCONFIRMED' }).where(eq(users.id, subs.carol!));
    await t.database.db.update(users).set({ enabled: false }).where(eq(users.id, subs.Bob!));
  });

  test('no filter (or a blank one): everyone, by username', async () => {
    assert.deepEqual(await usernames(poolId, ''), ['alice', 'Bob', 'carol', 'dave']);
    assert.deepEqual(
      (await list(poolId)).users.map((u) => u.username),
      ['alice', 'Bob', 'carol', 'dave'],
    );
    assert.deepEqual(await usernames(poolId, '   '), ['alice', 'Bob', 'carol', 'dave']);
  });

  test('username: by the pool’s case rule (case-insensitive pool), exact and prefix', async () => {
    assert.deepEqual(await usernames(poolId, 'username = "BOB"'), ['Bob']);
    assert.deepEqual(await usernames(poolId, 'username="alice"'), ['alice']);
    assert.deepEqual(await usernames(poolId, 'username ^= "CA"'), ['carol']);
    assert.deepEqual(await usernames(poolId, 'username = "ali"'), []);
  });

  test('email, phone_number, name, given_name, family_name, preferred_username: case-insensitive, sorted by the value', async () => {
    assert.deepEqual(await usernames(poolId, 'email ^= "alice"'), ['dave', 'alice']); // "alice.second" < "alice@" in byte order
    assert.deepEqual(await usernames(poolId, 'email = "alice@example.com"'), ['alice']);
    assert.deepEqual(await usernames(poolId, 'email = "alice@example"'), []);
    assert.deepEqual(await usernames(poolId, 'email ^= "BOB@"'), ['Bob']);
    assert.deepEqual(await usernames(poolId, 'phone_number ^= "+1555"'), ['alice', 'Bob']);
    assert.deepEqual(await usernames(poolId, 'phone_number = "+4930123456"'), ['carol']);
    assert.deepEqual(await usernames(poolId, 'name ^= "carol å"'), ['carol']);
    assert.deepEqual(await usernames(poolId, 'given_name ^= "ALI"'), ['alice', 'dave']);
    assert.deepEqual(await usernames(poolId, 'given_name = "alice"'), ['alice']);
    assert.deepEqual(await usernames(poolId, 'family_name ^= "S"'), ['Bob']);
    assert.deepEqual(await usernames(poolId, 'family_name ^= "ålu"'), ['carol']);
    assert.deepEqual(await usernames(poolId, 'preferred_username = "WONDER"'), ['alice']);
    assert.deepEqual(await usernames(poolId, 'preferred_username ^= ""'), ['Bob', 'alice']); // bobby < wonder
  });

  test('cognito:user_status: case-insensitive; status: Enabled/Disabled, case-sensitive', async () => {
    // Ties on the sort key go by id (the sub).
    const bySub = (...names: string[]) => names.sort((a, b) => (subs[a]! < subs[b]! ? -1 : 1));
    assert.deepEqual(await usernames(poolId, 'cognito:user_status = "confirmed"'), bySub('alice', 'Bob'));
    assert.deepEqual(await usernames(poolId, 'cognito:user_status = "UNCONFIRMED"'), ['carol']);
    assert.deepEqual(await usernames(poolId, 'cognito:user_status ^= "force_"'), ['dave']);
    // Sorted by status: CONFIRMED < FORCE_CHANGE_PASSWORD < UNCONFIRMED.
    assert.deepEqual(await usernames(poolId, 'cognito:user_status ^= ""'), [...bySub('alice', 'Bob'), 'dave', 'carol']);
    assert.deepEqual(await usernames(poolId, 'cognito:user_status = "ARCHIVED"'), []);
    assert.deepEqual(await usernames(poolId, 'status = "Disabled"'), ['Bob']);
    assert.equal((await usernames(poolId, 'status = "Enabled"')).length, 3);
    assert.equal((await usernames(poolId, 'status ^= "En"')).length, 3);
    assert.deepEqual(await usernames(poolId, 'status = "disabled"'), []);
    assert.equal((await usernames(poolId, 'status ^= ""'))[0], 'Bob'); // Disabled sorts first
  });

  test('sub: exact and prefix', async () => {
    assert.deepEqual(await usernames(poolId, `sub = "${subs.carol}"`), ['carol']);
    assert.deepEqual(await usernames(poolId, `sub = "${subs.carol!.toUpperCase()}"`), ['carol']);
    assert.deepEqual(await usernames(poolId, `sub ^= "${subs.dave!.slice(0, 13)}"`), ['dave']);
    assert.deepEqual(await usernames(poolId, 'sub = "not-a-uuid"'), []);
    assert.deepEqual(await usernames(poolId, 'sub ^= "zz"'), []);
    const all = await usernames(poolId, 'sub ^= ""');
    assert.equal(all.length, 4);
  });

  test('custom attributes: searchable ones case-insensitively, others refused like Cognito', async () => {
    assert.deepEqual(await usernames(poolId, 'custom:plan ^= "GOLD"'), ['alice', 'Bob']);
    assert.deepEqual(await usernames(poolId, 'custom:plan = "silver"'), ['carol']);
    assertProblem(
      await t.admin('GET', url(poolId, { filter: 'custom:tier = "a"' })),
      400,
      'InvalidParameterException',
      'Invalid search attribute: custom:tier is not searchable',
    );
    assertProblem(
      await t.admin('GET', url(poolId, { filter: 'locale = "en"' })),
      400,
      'InvalidParameterException',
      'Invalid search attribute: locale.',
    );
    assertProblem(
      await t.admin('GET', url(poolId, { filter: 'custom:nope = "a"' })),
      400,
      'InvalidParameterException',
      'Invalid search attribute: custom:nope.',
    );
    const pool = await t.admin('GET', `/v1/pools/${poolId}`);
    const plan = pool.body.schemaAttributes.find((a: { name: string }) => a.name === 'custom:plan');
    assert.equal(plan.searchable, true);
    assert.equal(
      pool.body.schemaAttributes.find((a: { name: string }) => a.name === 'custom:tier').searchable,
      undefined,
    );
  });

  test('attributesToGet: a repeatable member; unknown names are refused', async () => {
    const one = await list(poolId, { filter: 'username = "alice"', attributesToGet: 'email' });
    assert.deepEqual(one.users[0]!.attributes, { email: 'Alice@Example.com' });
    assert.equal(one.users[0]!.userStatus, 'CONFIRMED');
    const two = await list(poolId, { filter: 'username = "alice"', attributesToGet: ['email', 'custom:plan', 'sub'] });
    assert.deepEqual(two.users[0]!.attributes, { email: 'Alice@Example.com', sub: subs.alice, 'custom:plan': 'Gold' });
    const all = await list(poolId, { filter: 'username = "alice"' });
    assert.equal(all.users[0]!.attributes.given_name, 'Alice');
    assert.equal(all.users[0]!.attributes.email_verified, 'false');
    assertProblem(
      await t.admin('GET', url(poolId, { attributesToGet: ['email', 'shoe_size'] })),
      400,
      'InvalidParameterException',
      "unknown attribute 'shoe_size'",
    );
  });
});

test('username in a case-sensitive pool is exact', async () => {
  const { poolId } = await createPoolWithClient(t, { usernameCaseSensitive: true });
  await createUser(poolId, 'Zed');
  await createUser(poolId, 'zed');
  assert.deepEqual(await usernames(poolId, 'username = "Zed"'), ['Zed']);
  assert.deepEqual(await usernames(poolId, 'username ^= "z"'), ['zed']);
  assert.deepEqual(await usernames(poolId, ''), ['Zed', 'zed']);
});

test('escapes, and LIKE wildcards are plain characters', async () => {
  const { poolId } = await createPoolWithClient(t);
  await createUser(poolId, 'quoter', { name: 'Say "hi" \\ there' });
  await createUser(poolId, 'percent', { name: '50%_off' });
  await createUser(poolId, 'fifty', { name: '50xxoff' });
  assert.deepEqual(await usernames(poolId, 'name = "say \\"HI\\" \\\\ there"'), ['quoter']);
  assert.deepEqual(await usernames(poolId, 'name ^= "Say \\""'), ['quoter']);
  assert.deepEqual(await usernames(poolId, 'name ^= "50%"'), ['percent']);
  assert.deepEqual(await usernames(poolId, 'name ^= "50_"'), []);
  assert.deepEqual(await usernames(poolId, 'name ^= "50"'), ['percent', 'fifty']);
});

test('limit: 1 to 60, 60 by default', async () => {
  const { poolId } = await createPoolWithClient(t);
  const created = [];
  for (let i = 0; i < 62; i++) created.push(await createUser(poolId, `user${String(i).padStart(2, '0')}`));
  const first = await list(poolId);
  assert.equal(first.users.length, 60);
  assert.ok(first.paginationToken);
  const rest = await list(poolId, { paginationToken: first.paginationToken });
  assert.deepEqual(
    rest.users.map((u) => u.username),
    ['user60', 'user61'],
  );
  assert.equal(rest.paginationToken, undefined);
  assert.equal((await list(poolId, { limit: 60 })).users.length, 60);
  assert.equal((await list(poolId, { limit: 1 })).users.length, 1);
  for (const limit of [0, 61, -1])
    assertProblem(await t.admin('GET', url(poolId, { limit })), 400, 'InvalidParameterException');
  assertProblem(await t.admin('GET', url(poolId, { limit: 'ten' })), 400, 'InvalidParameterException');
  // A page that ends exactly at the last user says so: no token.
  const exact = await list(poolId, { filter: 'username ^= "user6"', limit: 2 });
  assert.equal(exact.users.length, 2);
  assert.equal(exact.paginationToken, undefined);
});

describe('pagination while users come and go', () => {
  for (const filter of [
    '',
    'email ^= "p"',
    'cognito:user_status = "force_change_password"',
    'status = "Enabled"',
    'sub ^= ""',
  ]) {
    test(`filter ${JSON.stringify(filter)}: every user that existed throughout appears exactly once`, async () => {
      const { poolId } = await createPoolWithClient(t);
      const initial = new Map<string, string>();
      for (let i = 0; i < 30; i++) {
        const name = `p${String(i * 10).padStart(3, '0')}`;
        initial.set(name, (await createUser(poolId, name, { email: `${name}@example.com` })).userSub);
      }
      const seen: string[] = [];
      const deleted = new Set<string>();
      let token: string | undefined;
      let page = 0;
      do {
        const res = await list(poolId, { filter, limit: 7, ...(token && { paginationToken: token }) });
        seen.push(...res.users.map((u) => u.username));
        token = res.paginationToken;
        page += 1;
        if (page === 1 || page === 2) {
          // Users that sort before and after the cursor, and deletions of users not yet returned.
          for (const name of [`p${page}0${page}`, `p00${page}a`, `p29${page}z`, `p0${page}5`])
            await createUser(poolId, name, { email: `${name}@example.com` });
          const notYet = [...initial.keys()].filter((n) => !seen.includes(n) && !deleted.has(n)).slice(page, page + 2);
          for (const name of notYet) {
            await t.database.db.delete(users).where(eq(users.id, initial.get(name)!));
            deleted.add(name);
          }
        }
      } while (token);
      assert.equal(new Set(seen).size, seen.length, `a user appeared twice: ${seen.join(' ')}`);
      for (const name of initial.keys()) {
        if (!deleted.has(name)) assert.ok(seen.includes(name), `${name} was skipped`);
      }
      for (const name of deleted) assert.ok(!seen.includes(name), `${name} was returned after its deletion`);
    });
  }
});

describe('pagination tokens', () => {
  let poolId: string;
  let otherPool: string;
  let token: string;
  before(async () => {
    ({ poolId } = await createPoolWithClient(t));
    ({ poolId: otherPool } = await createPoolWithClient(t));
    for (const name of ['ta', 'tb', 'tc']) await createUser(poolId, name, { email: `${name}@example.com` });
    token = (await list(poolId, { filter: 'email ^= "t"', limit: 1 })).paginationToken!;
    assert.ok(token);
  });

  test('work with the same pool and filter (whatever the spacing, limit or attributes)', async () => {
    assert.deepEqual(await usernames(poolId, 'email^="t"', { paginationToken: token, attributesToGet: 'email' }), [
      'tb',
      'tc',
    ]);
  });

  test('from another filter or pool, altered or garbage: 400', async () => {
    assertProblem(
      await t.admin('GET', url(poolId, { filter: 'email ^= "ta"', paginationToken: token })),
      400,
      'InvalidParameterException',
      'another search',
    );
    assertProblem(
      await t.admin('GET', url(poolId, { paginationToken: token })),
      400,
      'InvalidParameterException',
      'another search',
    );
    assertProblem(
      await t.admin('GET', url(otherPool, { filter: 'email ^= "t"', paginationToken: token })),
      400,
      'InvalidParameterException',
      'another search',
    );
    const [payload, signature] = token.split('.');
    const altered = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    altered.k = 'tz@example.com';
    const forged = `${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${signature}`;
    for (const bad of [forged, 'garbage', `${payload}.`, `${payload}.${signature}.x`]) {
      assertProblem(
        await t.admin('GET', url(poolId, { filter: 'email ^= "t"', paginationToken: bad })),
        400,
        'InvalidParameterException',
        'Invalid pagination token.',
      );
    }
  });
});

test('bad filters: 400 with what was expected and where', async () => {
  const { poolId } = await createPoolWithClient(t);
  const cases: Array<[string, string]> = [
    ['email', "Error while parsing filter: expected '=' or '^=' after 'email' at position 6."],
    ['email != "x"', "Error while parsing filter: expected '=' or '^=' after 'email' at position 7."],
    ['email = x', "Error while parsing filter: expected a value in double quotes after '=' at position 9."],
    ['email = "x', `Error while parsing filter: missing the closing '"' of the value that starts at position 9.`],
    [
      'email = "\\x"',
      "Error while parsing filter: invalid escape '\\x' (only \\\" and \\\\ are allowed) at position 10.",
    ],
    [
      'email = "a" or name = "b"',
      'Error while parsing filter: expected the end of the filter after the value (one condition only) at position 13.',
    ],
    ['= "x"', 'Error while parsing filter: expected an attribute name at position 1.'],
  ];
  for (const [filter, detail] of cases) {
    const res = await t.admin('GET', url(poolId, { filter }));
    assertProblem(res, 400, 'InvalidParameterException');
    assert.equal(res.body.detail, detail);
  }
  assertProblem(
    await t.admin('GET', url(poolId, { filter: `name = "${'x'.repeat(250)}"` })),
    400,
    'InvalidParameterException',
    'filter',
  );
  assertProblem(await t.admin('GET', url(poolId, { unknown: 'x' })), 400, 'InvalidParameterException');
});

test('unknown pool: 404; no admin key: 401', async () => {
  assertProblem(await t.admin('GET', url('local_Nope12345')), 404, 'ResourceNotFoundException');
  const { poolId } = await createPoolWithClient(t);
  assertProblem(await t.call('GET', url(poolId)), 401, 'NotAuthorizedException');
  assertProblem(await t.call('GET', url(poolId), undefined, 'not-the-key'), 401, 'NotAuthorizedException');
});
