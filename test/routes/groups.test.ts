import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ADMIN_KEY,
  PASSWORD,
  createPoolWithClient,
  decodeJwt,
  signedInUser,
  startTestApp,
  type TestApp,
} from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const groupsUrl = (poolId: string) => `/v1/pools/${poolId}/groups`;
const groupUrl = (poolId: string, name: string) => `${groupsUrl(poolId)}/${encodeURIComponent(name)}`;
const membershipUrl = (poolId: string, username: string, name: string) =>
  `/v1/pools/${poolId}/users/${encodeURIComponent(username)}/groups/${encodeURIComponent(name)}`;
const ROLE = 'arn:aws:iam::123456789012:role/Admins';
const ROLE2 = 'arn:aws:iam::123456789012:role/Readers';

async function pool() {
  return createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
}

describe('groups (REST)', () => {
  test('create, get, list, update, delete', async () => {
    const { poolId } = await pool();
    const created = await t.admin('POST', groupsUrl(poolId), {
      groupName: 'admins',
      description: 'The admins',
      precedence: 1,
      roleArn: ROLE,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.groupName, 'admins');
    assert.equal(created.body.poolId, poolId);
    assert.equal(created.body.description, 'The admins');
    assert.equal(created.body.precedence, 1);
    assert.equal(created.body.roleArn, ROLE);

    const bare = await t.admin('POST', groupsUrl(poolId), { groupName: 'Ünïcode-grüppe.1' });
    assert.equal(bare.status, 201, JSON.stringify(bare.body));
    assert.equal(bare.body.description, null);
    assert.equal(bare.body.precedence, null);

    const got = await t.admin('GET', groupUrl(poolId, 'admins'));
    assert.deepEqual(got.body, created.body);

    // A member left out keeps its value; null clears it.
    const updated = await t.admin('PATCH', groupUrl(poolId, 'admins'), { precedence: 5 });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.precedence, 5);
    assert.equal(updated.body.description, 'The admins');
    assert.equal(updated.body.roleArn, ROLE);
    const cleared = await t.admin('PATCH', groupUrl(poolId, 'admins'), { description: null, roleArn: null });
    assert.equal(cleared.body.description, null);
    assert.equal(cleared.body.roleArn, null);
    assert.equal(cleared.body.precedence, 5);

    const list = await t.admin('GET', groupsUrl(poolId));
    assert.deepEqual(
      list.body.groups.map((g: { groupName: string }) => g.groupName),
      ['admins', 'Ünïcode-grüppe.1'],
    );
    assert.equal(list.body.nextToken, undefined);

    const deleted = await t.admin('DELETE', groupUrl(poolId, 'admins'));
    assert.equal(deleted.status, 204);
    assertProblem(
      await t.admin('GET', groupUrl(poolId, 'admins')),
      404,
      'ResourceNotFoundException',
      'Group not found.',
    );
    assertProblem(await t.admin('DELETE', groupUrl(poolId, 'admins')), 404, 'ResourceNotFoundException');
    assertProblem(await t.admin('PATCH', groupUrl(poolId, 'admins'), {}), 404, 'ResourceNotFoundException');
  });

  test('bad input is refused and changes nothing', async () => {
    const { poolId } = await pool();
    await t.admin('POST', groupsUrl(poolId), { groupName: 'g' });
    assertProblem(await t.admin('POST', groupsUrl(poolId), { groupName: 'g' }), 409, 'GroupExistsException', 'g');
    // Names are case-sensitive: another group.
    assert.equal((await t.admin('POST', groupsUrl(poolId), { groupName: 'G' })).status, 201);
    for (const body of [
      { groupName: '' },
      { groupName: 'has space' },
      { groupName: 'x'.repeat(129) },
      { groupName: 'ok', precedence: -1 },
      { groupName: 'ok', precedence: 1.5 },
      { groupName: 'ok', precedence: 2 ** 31 },
      { groupName: 'ok', description: 'd'.repeat(2049) },
      { groupName: 'ok', roleArn: 'not-an-arn-at-all-really' },
      { groupName: 'ok', extra: true },
    ]) {
      assertProblem(await t.admin('POST', groupsUrl(poolId), body), 400, 'InvalidParameterException');
    }
    assertProblem(await t.admin('PATCH', groupUrl(poolId, 'g'), { precedence: -2 }), 400, 'InvalidParameterException');
    assertProblem(await t.admin('PATCH', groupUrl(poolId, 'g'), { groupName: 'h' }), 400, 'InvalidParameterException');
    const names = (await t.admin('GET', groupsUrl(poolId))).body.groups.map((g: { groupName: string }) => g.groupName);
    assert.deepEqual(names, ['G', 'g']);
    assertProblem(await t.admin('GET', `${groupsUrl(poolId)}?nextToken=garbage`), 400, 'InvalidParameterException');
    assertProblem(await t.admin('GET', `${groupsUrl(poolId)}?limit=61`), 400, 'InvalidParameterException');
    assertProblem(await t.admin('GET', groupsUrl('us-east-1_Nope')), 404, 'ResourceNotFoundException');
    const noKey = await t.call('GET', groupsUrl(poolId));
    assert.equal(noKey.status, 401);
  });

  test('pagination walks every group once', async () => {
    const { poolId } = await pool();
    const names = Array.from({ length: 7 }, (_, i) => `g${i}`);
    for (const groupName of names) await t.admin('POST', groupsUrl(poolId), { groupName });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res = await t.admin('GET', `${groupsUrl(poolId)}?limit=3${token ? `&nextToken=${token}` : ''}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.groups.length <= 3);
      seen.push(...res.body.groups.map((g: { groupName: string }) => g.groupName));
      token = res.body.nextToken;
    } while (token);
    assert.deepEqual(seen, names);
  });

  test('memberships: add, list both ways, remove, audit, tokens', async () => {
    const { poolId, clientId } = await pool();
    await t.admin('POST', groupsUrl(poolId), { groupName: 'admins', precedence: 1, roleArn: ROLE });
    await t.admin('POST', groupsUrl(poolId), { groupName: 'readers', precedence: 2, roleArn: ROLE2 });
    const email = uniqueEmail('member');
    const first = await signedInUser(t, clientId, 'member', { email });
    // No group: Cognito leaves the claims out.
    assert.equal(decodeJwt(first.idToken)['cognito:groups'], undefined);
    assert.equal(decodeJwt(first.accessToken)['cognito:groups'], undefined);
    assert.equal(decodeJwt(first.idToken)['cognito:roles'], undefined);

    assert.equal((await t.admin('PUT', membershipUrl(poolId, 'member', 'readers'))).status, 204);
    assert.equal((await t.admin('PUT', membershipUrl(poolId, 'member', 'admins'))).status, 204);
    // Again: nothing changes.
    assert.equal((await t.admin('PUT', membershipUrl(poolId, 'member', 'admins'))).status, 204);

    const mine = await t.admin('GET', `/v1/pools/${poolId}/users/member/groups`);
    assert.deepEqual(
      mine.body.groups.map((g: { groupName: string }) => g.groupName),
      ['admins', 'readers'],
    );
    const members = await t.admin('GET', `${groupUrl(poolId, 'admins')}/users`);
    assert.equal(members.status, 200, JSON.stringify(members.body));
    assert.deepEqual(
      members.body.users.map((u: { username: string; attributes: Record<string, string> }) => [
        u.username,
        u.attributes.email,
      ]),
      [['member', email]],
    );

    // The membership holds from the next token: refresh.
    const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: first.refreshToken });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const id = decodeJwt(refreshed.body.idToken);
    assert.deepEqual(id['cognito:groups'], ['admins', 'readers']);
    assert.deepEqual(id['cognito:roles'], [ROLE, ROLE2]);
    assert.equal(id['cognito:preferred_role'], ROLE);
    const access = decodeJwt(refreshed.body.accessToken);
    assert.deepEqual(access['cognito:groups'], ['admins', 'readers']);
    assert.equal(access['cognito:roles'], undefined);

    // The old access token still works (no extra check on the hot path) and says what it said.
    assert.equal((await t.call('GET', '/v1/me', undefined, first.accessToken)).status, 200);

    assert.equal((await t.admin('DELETE', membershipUrl(poolId, 'member', 'admins'))).status, 204);
    assert.equal((await t.admin('DELETE', membershipUrl(poolId, 'member', 'admins'))).status, 204);
    const after = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: first.refreshToken });
    assert.deepEqual(decodeJwt(after.body.idToken)['cognito:groups'], ['readers']);
    assert.equal(decodeJwt(after.body.idToken)['cognito:preferred_role'], ROLE2);

    const audit = await t.admin('GET', `/v1/pools/${poolId}/users/member/audit`);
    const groupEvents = audit.body.events
      .filter((e: { details: { group?: unknown } }) => e.details.group)
      .map((e: { action: string; details: { group: { name: string; change: string } } }) => [
        e.action,
        e.details.group.name,
        e.details.group.change,
      ]);
    // Newest first; the repeated add and remove recorded nothing.
    assert.deepEqual(groupEvents, [
      ['ADMIN_REMOVE_USER_FROM_GROUP', 'admins', 'removed'],
      ['ADMIN_ADD_USER_TO_GROUP', 'admins', 'added'],
      ['ADMIN_ADD_USER_TO_GROUP', 'readers', 'added'],
    ]);
  });

  test('membership errors: unknown user, unknown group', async () => {
    const { poolId, clientId } = await pool();
    await t.admin('POST', groupsUrl(poolId), { groupName: 'g' });
    await signedInUser(t, clientId, 'someone', { email: uniqueEmail('someone') });
    assertProblem(await t.admin('PUT', membershipUrl(poolId, 'nobody', 'g')), 404, 'UserNotFoundException');
    assertProblem(await t.admin('PUT', membershipUrl(poolId, 'someone', 'nope')), 404, 'ResourceNotFoundException');
    assertProblem(await t.admin('DELETE', membershipUrl(poolId, 'nobody', 'g')), 404, 'UserNotFoundException');
    assertProblem(await t.admin('DELETE', membershipUrl(poolId, 'someone', 'nope')), 404, 'ResourceNotFoundException');
    assertProblem(await t.admin('GET', `/v1/pools/${poolId}/users/nobody/groups`), 404, 'UserNotFoundException');
    assertProblem(await t.admin('GET', `${groupUrl(poolId, 'nope')}/users`), 404, 'ResourceNotFoundException');
    assert.deepEqual((await t.admin('GET', `/v1/pools/${poolId}/users/someone/groups`)).body.groups, []);
  });

  test('deleting a group or a user removes the memberships', async () => {
    const { poolId, clientId } = await pool();
    await t.admin('POST', groupsUrl(poolId), { groupName: 'doomed' });
    await t.admin('POST', groupsUrl(poolId), { groupName: 'stays' });
    const tokens = await signedInUser(t, clientId, 'leaver', { email: uniqueEmail('leaver') });
    await signedInUser(t, clientId, 'gone', { email: uniqueEmail('gone') });
    for (const user of ['leaver', 'gone']) {
      await t.admin('PUT', membershipUrl(poolId, user, 'doomed'));
      await t.admin('PUT', membershipUrl(poolId, user, 'stays'));
    }
    assert.equal((await t.admin('DELETE', groupUrl(poolId, 'doomed'))).status, 204);
    assert.deepEqual(
      (await t.admin('GET', `/v1/pools/${poolId}/users/leaver/groups`)).body.groups.map(
        (g: { groupName: string }) => g.groupName,
      ),
      ['stays'],
    );
    const audit = await t.admin('GET', `/v1/pools/${poolId}/users/leaver/audit`);
    assert.equal(audit.body.events[0].action, 'DELETE_GROUP');
    assert.deepEqual(audit.body.events[0].details, { group: { name: 'doomed', change: 'removed' } });
    // A group of the same name later is a new, empty group.
    await t.admin('POST', groupsUrl(poolId), { groupName: 'doomed' });
    assert.deepEqual((await t.admin('GET', `${groupUrl(poolId, 'doomed')}/users`)).body.users, []);
    const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken });
    assert.deepEqual(decodeJwt(refreshed.body.idToken)['cognito:groups'], ['stays']);

    assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/users/gone`)).status, 204);
    const left = await t.admin('GET', `${groupUrl(poolId, 'stays')}/users`);
    assert.deepEqual(
      left.body.users.map((u: { username: string }) => u.username),
      ['leaver'],
    );
  });

  test('members page through once each', async () => {
    const { poolId, clientId } = await pool();
    await t.admin('POST', groupsUrl(poolId), { groupName: 'crowd' });
    const names = ['m1', 'm2', 'm3', 'm4', 'm5'];
    for (const name of names) {
      await t.admin('POST', `/v1/pools/${poolId}/users`, {
        username: name,
        messageAction: 'SUPPRESS',
        temporaryPassword: 'Temp0rary!pw',
      });
      await t.admin('PUT', membershipUrl(poolId, name, 'crowd'));
    }
    void clientId;
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res = await t.admin(
        'GET',
        `${groupUrl(poolId, 'crowd')}/users?limit=2${token ? `&nextToken=${token}` : ''}`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(...res.body.users.map((u: { username: string }) => u.username));
      token = res.body.nextToken;
    } while (token);
    assert.deepEqual(seen.sort(), names);
  });
});

describe('preferred role (Cognito’s precedence rules)', () => {
  test('lowest precedence wins; a tie between different roles sets none; null ranks last', async () => {
    const { poolId, clientId } = await pool();
    const tokens = await signedInUser(t, clientId, 'ranked', { email: uniqueEmail('ranked') });
    const make = (groupName: string, precedence: number | undefined, roleArn?: string) =>
      t.admin('POST', groupsUrl(poolId), {
        groupName,
        ...(precedence !== undefined && { precedence }),
        ...(roleArn && { roleArn }),
      });
    await make('a', 3, ROLE);
    await make('b', 3, ROLE2);
    await make('c', undefined, 'arn:aws:iam::123456789012:role/Nulls');
    await make('d', 0);
    for (const g of ['a', 'b', 'c', 'd']) await t.admin('PUT', membershipUrl(poolId, 'ranked', g));
    const idOf = async () =>
      decodeJwt(
        (await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken })).body.idToken,
      );
    let id = await idOf();
    // d has no role; a and b tie at 3 with different roles: no preferred role.
    assert.deepEqual(id['cognito:groups'], ['d', 'a', 'b', 'c']);
    assert.deepEqual(id['cognito:roles'], [ROLE, ROLE2, 'arn:aws:iam::123456789012:role/Nulls']);
    assert.equal(id['cognito:preferred_role'], undefined);
    // Same role on both: that role.
    await t.admin('PATCH', groupUrl(poolId, 'b'), { roleArn: ROLE });
    id = await idOf();
    assert.equal(id['cognito:preferred_role'], ROLE);
    // Only the null-precedence group has a role: it is preferred.
    await t.admin('PATCH', groupUrl(poolId, 'a'), { roleArn: null });
    await t.admin('PATCH', groupUrl(poolId, 'b'), { roleArn: null });
    id = await idOf();
    assert.equal(id['cognito:preferred_role'], 'arn:aws:iam::123456789012:role/Nulls');
    assert.deepEqual(id['cognito:roles'], ['arn:aws:iam::123456789012:role/Nulls']);
  });
});

describe('export and import carry groups and memberships', () => {
  const auth = { authorization: `Bearer ${ADMIN_KEY}` };
  async function exportLines(app: TestApp, poolId: string): Promise<Array<Record<string, any>>> {
    const res = await app.app.inject({ method: 'GET', url: `/v1/pools/${poolId}/users/export`, headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    return res.body
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
  async function importLines(app: TestApp, poolId: string, lines: unknown[]) {
    const res = await app.app.inject({
      method: 'POST',
      url: `/v1/pools/${poolId}/users/import`,
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      payload: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    });
    return { status: res.statusCode, body: JSON.parse(res.body) };
  }

  test('round trip into another deployment; tokens there carry the groups', async () => {
    const { poolId, clientId } = await pool();
    await t.admin('POST', groupsUrl(poolId), { groupName: 'ga', description: 'A', precedence: 1, roleArn: ROLE });
    await t.admin('POST', groupsUrl(poolId), { groupName: 'gb' });
    await t.admin('POST', groupsUrl(poolId), { groupName: 'empty', precedence: 9 });
    await signedInUser(t, clientId, 'u1', { email: uniqueEmail('u1') });
    await signedInUser(t, clientId, 'u2', { email: uniqueEmail('u2') });
    for (const [u, g] of [
      ['u1', 'ga'],
      ['u1', 'gb'],
      ['u2', 'gb'],
    ] as const)
      await t.admin('PUT', membershipUrl(poolId, u, g));

    const exported = await exportLines(t, poolId);
    assert.deepEqual(exported.slice(0, 3), [
      { group: { name: 'empty', description: null, precedence: 9, roleArn: null } },
      { group: { name: 'ga', description: 'A', precedence: 1, roleArn: ROLE } },
      { group: { name: 'gb', description: null, precedence: null, roleArn: null } },
    ]);
    const byName = Object.fromEntries(exported.slice(3).map((u) => [u.username, u]));
    assert.deepEqual(byName.u1.groups, ['ga', 'gb']);
    assert.deepEqual(byName.u2.groups, ['gb']);

    const other = await startTestApp();
    try {
      const target = await createPoolWithClient(other, { autoVerifiedAttributes: ['email'] });
      // A group the target already has is left as it is.
      await other.admin('POST', `/v1/pools/${target.poolId}/groups`, { groupName: 'gb', description: 'kept' });
      const res = await importLines(other, target.poolId, exported);
      assert.deepEqual(res.body, { imported: 2, rejectedCount: 0, rejected: [] });
      const again = await exportLines(other, target.poolId);
      assert.deepEqual(again.slice(3), exported.slice(3));
      assert.equal(again[2]!.group.description, 'kept');
      const signIn = await other.call('POST', '/v1/auth/sign-in', {
        clientId: target.clientId,
        username: 'u1',
        password: PASSWORD,
      });
      assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
      assert.deepEqual(decodeJwt(signIn.body.idToken)['cognito:groups'], ['ga', 'gb']);
      assert.equal(decodeJwt(signIn.body.idToken)['cognito:preferred_role'], ROLE);
      const audit = await other.admin('GET', `/v1/pools/${target.poolId}/users/u1/audit`);
      assert.deepEqual(
        audit.body.events
          .filter((e: { details: { group?: unknown } }) => e.details.group)
          .map((e: { details: { group: { name: string } } }) => e.details.group.name)
          .sort(),
        ['ga', 'gb'],
      );
    } finally {
      await other.close();
    }
  });

  test('a user naming an unknown group, and a bad group line, are refused row by row', async () => {
    const { poolId } = await pool();
    const user = (username: string, groups: unknown) => ({
      username,
      sub: crypto.randomUUID(),
      status: 'RESET_REQUIRED',
      enabled: true,
      attributes: {},
      passwordHash: null,
      groups,
    });
    const res = await importLines(t, poolId, [
      { group: { name: 'known' } },
      user('in-known', ['known']),
      user('in-unknown', ['known', 'nope']),
      { group: { name: 'bad name' } },
      { group: { name: 'x', colour: 'red' } },
      user('bad-list', 'known'),
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.imported, 1);
    assert.deepEqual(
      res.body.rejected.map((r: { line: number; reason: string }) => [r.line, r.reason]),
      [
        [3, 'Group not found: nope.'],
        [4, 'group.name must be 1 to 128 letters, marks, symbols, numbers or punctuation.'],
        [5, 'Unknown field: group.colour'],
        [6, 'groups must be a list of at most 100 group names.'],
      ],
    );
    assertProblem(await t.admin('GET', `/v1/pools/${poolId}/users/in-unknown`), 404, 'UserNotFoundException');
    assert.deepEqual(
      (await t.admin('GET', `${groupUrl(poolId, 'known')}/users`)).body.users.map(
        (u: { username: string }) => u.username,
      ),
      ['in-known'],
    );
    assert.deepEqual(
      (await t.admin('GET', groupsUrl(poolId))).body.groups.map((g: { groupName: string }) => g.groupName),
      ['known'],
    );
  });
});
