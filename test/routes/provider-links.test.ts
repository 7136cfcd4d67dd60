/**
 * Federated users and linking on the REST face (docs/federation.md, "Users and linking"):
 * AdminLinkProviderForUser and AdminDisableProviderForUser as /v1/pools/{id}/users/{name}/identities,
 * the `identities` attribute and claim, what an EXTERNAL_PROVIDER user can and cannot do, and
 * federated users through export and import. Federated users are made here as the sign-in round
 * trip makes them (the repository functions), without an upstream provider.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { identityProviders } from '../../src/db/schema/federation.ts';
import type { IdentityProviderType } from '../../src/modules/federation/federation.types.ts';
import {
  federatedUsername,
  insertIdentity,
  writeIdentitiesAttribute,
} from '../../src/modules/federation/identities.ts';
import { insertAttributes, insertUser, usernameKey } from '../../src/modules/user-store/users.repository.ts';
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

const identitiesUrl = (poolId: string, username: string) =>
  `/v1/pools/${poolId}/users/${encodeURIComponent(username)}/identities`;
const identityUrl = (poolId: string, username: string, provider: string, subject: string) =>
  `${identitiesUrl(poolId, username)}/${encodeURIComponent(provider)}/${encodeURIComponent(subject)}`;

/** A provider row as CreateIdentityProvider leaves it (the linking code reads only its name and type). */
async function addProvider(poolId: string, providerName: string, providerType: IdentityProviderType = 'OIDC') {
  await t.database.db.insert(identityProviders).values({ poolId, providerName, providerType, details: {} });
}

/** An EXTERNAL_PROVIDER user as a first sign-in through the provider creates it. */
async function federatedUser(
  poolId: string,
  providerName: string,
  subject: string,
  attributes: Record<string, string> = {},
  providerType: IdentityProviderType = 'OIDC',
) {
  const pool = await t.services.pools.getPool(poolId);
  const username = federatedUsername(providerType, providerName, subject);
  const id = randomUUID();
  await t.database.db.transaction(async (tx) => {
    await insertUser(tx, {
      id,
      poolId,
      username,
      usernameKey: usernameKey(pool, username),
      status: 'EXTERNAL_PROVIDER',
    });
    await insertAttributes(tx, pool, id, attributes, {});
    await insertIdentity(tx, { poolId, providerName, providerType, subject, userId: id, primary: true });
    await writeIdentitiesAttribute(tx, { id, poolId });
  });
  return { id, username };
}

async function pool() {
  const created = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  await addProvider(created.poolId, 'Corp');
  await addProvider(created.poolId, 'Google', 'Google');
  return created;
}

const identitiesOf = async (poolId: string, username: string) => {
  const res = await t.admin('GET', identitiesUrl(poolId, username));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.identities as Array<Record<string, unknown>>;
};
const userOf = async (poolId: string, username: string) => {
  const res = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(username)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};
const link = (poolId: string, username: string, providerName: string, subject: string) =>
  t.admin('POST', identitiesUrl(poolId, username), { providerName, subject });

describe('linking (REST)', () => {
  test('a linked subject shows in identities, the attribute, the ID token (an array) and the audit trail; never in the access token', async () => {
    const { poolId, clientId } = await pool();
    const email = uniqueEmail();
    await signedInUser(t, clientId, 'alice', { email });

    const linked = await link(poolId, 'alice', 'Corp', 'corp-sub-1');
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
    assert.equal(linked.body.identities.length, 1);
    const [entry] = linked.body.identities;
    assert.deepEqual(
      { ...entry, dateCreated: typeof entry.dateCreated },
      {
        userId: 'corp-sub-1',
        providerName: 'Corp',
        providerType: 'OIDC',
        issuer: null,
        primary: false,
        dateCreated: 'number',
      },
    );
    // Asked twice: done once.
    const again = await link(poolId, 'alice', 'Corp', 'corp-sub-1');
    assert.equal(again.status, 200);
    assert.equal(again.body.identities.length, 1);

    const user = await userOf(poolId, 'alice');
    assert.equal(user.userStatus, 'CONFIRMED');
    assert.deepEqual(JSON.parse(user.attributes.identities), linked.body.identities);

    // The linked native user signs in with the password; the ID token carries the array.
    const signIn = await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'alice', password: PASSWORD });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    const id = decodeJwt(signIn.body.idToken);
    assert.ok(Array.isArray(id.identities), 'identities is an array');
    assert.deepEqual(id.identities, [
      {
        userId: 'corp-sub-1',
        providerName: 'Corp',
        providerType: 'OIDC',
        issuer: null,
        primary: 'false',
        dateCreated: String(entry.dateCreated),
      },
    ]);
    assert.equal(decodeJwt(signIn.body.accessToken).identities, undefined);
    // GetUser shows the attribute (as Cognito's JSON string).
    const me = await t.call('GET', '/v1/me', undefined, signIn.body.accessToken);
    assert.equal(me.status, 200);
    assert.deepEqual(JSON.parse(me.body.attributes.identities), linked.body.identities);

    const audit = await t.admin('GET', `/v1/pools/${poolId}/users/alice/audit`);
    const event = audit.body.events.find((e: { action: string }) => e.action === 'ADMIN_LINK_PROVIDER_FOR_USER');
    assert.deepEqual(event.details, { identity: { providerName: 'Corp', change: 'linked' } });
  });

  test('refusals change nothing: unknown provider, pool or user, a subject signed up or linked elsewhere, bad bodies', async () => {
    const { poolId, clientId } = await pool();
    await signedInUser(t, clientId, 'bob', { email: uniqueEmail() });
    await signedInUser(t, clientId, 'carol', { email: uniqueEmail() });
    const fed = await federatedUser(poolId, 'Corp', 'taken-sub');
    assert.equal((await link(poolId, 'carol', 'Corp', 'carols')).status, 200);

    assertProblem(
      await link(poolId, 'bob', 'Nope', 's'),
      400,
      'InvalidParameterException',
      'no identity provider named Nope',
    );
    assertProblem(await link(poolId, 'bob', 'Cognito', 's'), 400, 'InvalidParameterException', 'not a native user');
    assertProblem(await link(poolId, 'nobody', 'Corp', 's'), 404, 'UserNotFoundException');
    assertProblem(await link('us-east-1_nope', 'bob', 'Corp', 's'), 404, 'ResourceNotFoundException');
    // A subject that signed up (an EXTERNAL_PROVIDER user's own) or is linked to another user never moves.
    assertProblem(
      await link(poolId, 'bob', 'Corp', 'taken-sub'),
      400,
      'InvalidParameterException',
      'Merging is not currently supported',
    );
    assertProblem(await link(poolId, 'bob', 'Corp', 'carols'), 400, 'InvalidParameterException', 'Merging');
    assertProblem(await link(poolId, fed.username, 'Corp', 'taken-sub'), 400, 'InvalidParameterException', 'Merging');
    for (const body of [
      { providerName: 'Corp' },
      { providerName: 'Corp', subject: '' },
      { providerName: 'Corp', subject: 's', providerAttributeName: 'email' },
    ]) {
      assertProblem(await t.admin('POST', identitiesUrl(poolId, 'bob'), body), 400, 'InvalidParameterException');
    }
    assert.deepEqual(await identitiesOf(poolId, 'bob'), []);
    assert.equal((await userOf(poolId, 'bob')).attributes.identities, undefined);
    assert.deepEqual(
      (await identitiesOf(poolId, 'carol')).map((i) => i.userId),
      ['carols'],
    );
    assert.deepEqual(
      (await identitiesOf(poolId, fed.username)).map((i) => [i.userId, i.primary]),
      [['taken-sub', true]],
    );
    // Without the admin key: nothing.
    const anonymous = await t.call('POST', identitiesUrl(poolId, 'bob'), { providerName: 'Corp', subject: 'x' });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await identitiesOf(poolId, 'bob'), []);
  });

  test('at most five identities per user (LimitExceededException); a federated user may be a destination', async () => {
    const { poolId } = await pool();
    const fed = await federatedUser(poolId, 'Google', 'g-1', {}, 'Google');
    assert.equal(fed.username, 'google_g-1');
    for (const sub of ['a', 'b', 'c', 'd']) assert.equal((await link(poolId, fed.username, 'Corp', sub)).status, 200);
    assertProblem(await link(poolId, fed.username, 'Corp', 'e'), 429, 'LimitExceededException', 'at most 5');
    const identities = await identitiesOf(poolId, fed.username);
    assert.deepEqual(
      identities.map((i) => [i.providerName, i.userId, i.primary]),
      [
        ['Google', 'g-1', true],
        ['Corp', 'a', false],
        ['Corp', 'b', false],
        ['Corp', 'c', false],
        ['Corp', 'd', false],
      ],
    );
  });

  test('one subject linked to two users at once: one wins, the other gets a typed error', async () => {
    const { poolId } = await pool();
    const a = await federatedUser(poolId, 'Google', 'race-a', {}, 'Google');
    const b = await federatedUser(poolId, 'Google', 'race-b', {}, 'Google');
    const answers = await Promise.all([
      link(poolId, a.username, 'Corp', 'contested'),
      link(poolId, b.username, 'Corp', 'contested'),
    ]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 400], JSON.stringify(answers.map((r) => r.body)));
    const holders = [...(await identitiesOf(poolId, a.username)), ...(await identitiesOf(poolId, b.username))].filter(
      (i) => i.userId === 'contested',
    );
    assert.equal(holders.length, 1);
  });
});

describe('disabling a provider (REST)', () => {
  test('a linked subject is unlinked: the attribute goes, the trail says so; only on the user it is linked to', async () => {
    const { poolId, clientId } = await pool();
    await signedInUser(t, clientId, 'dave', { email: uniqueEmail() });
    await signedInUser(t, clientId, 'erin', { email: uniqueEmail() });
    await link(poolId, 'dave', 'Corp', 'd-1');
    await link(poolId, 'dave', 'Google', 'd-2');

    // Named under another user: not found, nothing changes.
    assertProblem(await t.admin('DELETE', identityUrl(poolId, 'erin', 'Corp', 'd-1')), 404, 'UserNotFoundException');
    assertProblem(await t.admin('DELETE', identityUrl(poolId, 'dave', 'Corp', 'nope')), 404, 'UserNotFoundException');
    assertProblem(
      await t.admin('DELETE', identityUrl(poolId, 'dave', 'Cognito', 'dave')),
      400,
      'InvalidParameterException',
      'Cognito',
    );
    assert.equal((await identitiesOf(poolId, 'dave')).length, 2);

    const removed = await t.admin('DELETE', identityUrl(poolId, 'dave', 'Corp', 'd-1'));
    assert.equal(removed.status, 204);
    assert.deepEqual(
      (await identitiesOf(poolId, 'dave')).map((i) => i.userId),
      ['d-2'],
    );
    assert.equal((await t.admin('DELETE', identityUrl(poolId, 'dave', 'Google', 'd-2'))).status, 204);
    assert.equal((await userOf(poolId, 'dave')).attributes.identities, undefined);
    // The subject is free again: it may be linked to someone else now.
    assert.equal((await link(poolId, 'erin', 'Corp', 'd-1')).status, 200);

    const audit = await t.admin('GET', `/v1/pools/${poolId}/users/dave/audit`);
    assert.ok(
      audit.body.events.some(
        (e: { action: string; details: unknown }) =>
          e.action === 'ADMIN_DISABLE_PROVIDER_FOR_USER' &&
          JSON.stringify(e.details) === JSON.stringify({ identity: { providerName: 'Corp', change: 'unlinked' } }),
      ),
    );
  });

  test('a federated user’s own identity: the user is disabled and keeps it', async () => {
    const { poolId } = await pool();
    const fed = await federatedUser(poolId, 'Corp', 'own-1');
    assert.equal((await t.admin('DELETE', identityUrl(poolId, fed.username, 'Corp', 'own-1'))).status, 204);
    const user = await userOf(poolId, fed.username);
    assert.equal(user.enabled, false);
    assert.equal(user.userStatus, 'EXTERNAL_PROVIDER');
    assert.equal((await identitiesOf(poolId, fed.username)).length, 1);
    // Again: nothing more to do.
    assert.equal((await t.admin('DELETE', identityUrl(poolId, fed.username, 'Corp', 'own-1'))).status, 204);
  });
});

describe('EXTERNAL_PROVIDER users (REST)', () => {
  test('no password sign-in, recovery or admin password; shown and filtered by status; identities never writable', async () => {
    const { poolId, clientId } = await pool();
    const email = uniqueEmail();
    const fed = await federatedUser(poolId, 'Corp', 'ext-1', { email, email_verified: 'true' });

    // Sign-in answers as a wrong password does.
    const signIn = await t.call('POST', '/v1/auth/sign-in', { clientId, username: fed.username, password: PASSWORD });
    const wrong = await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'ghost-user', password: PASSWORD });
    assertProblem(signIn, 401, 'NotAuthorizedException', 'Incorrect username or password.');
    assert.equal(signIn.body.detail, wrong.body.detail);

    // Forgot password: the hiding client answers as for an unknown name, and nothing is sent.
    const before = t.smtp.messages.length;
    const forgot = await t.call('POST', '/v1/auth/forgot-password', { clientId, username: fed.username });
    assert.equal(forgot.status, 200, JSON.stringify(forgot.body));
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(t.smtp.messages.length, before);
    // A client that does not hide existence is told why.
    const legacy = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
      name: 'legacy',
      preventUserExistenceErrors: false,
    });
    const told = await t.call('POST', '/v1/auth/forgot-password', {
      clientId: legacy.body.clientId,
      username: fed.username,
    });
    assertProblem(told, 403, 'NotAuthorizedException', 'external identity provider');
    const confirm = await t.call('POST', '/v1/auth/forgot-password/confirm', {
      clientId: legacy.body.clientId,
      username: fed.username,
      confirmationCode: '123456',
      password: 'NewPassw0rd!',
    });
    assert.equal(confirm.status, 400);

    // The administrator's password actions and confirmation are refused.
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/users/${fed.username}/password`, {
        password: 'NewPassw0rd!',
        permanent: true,
      }),
      403,
      'NotAuthorizedException',
      'external identity provider',
    );
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/users/${fed.username}/reset-password`, {}),
      403,
      'NotAuthorizedException',
      'external identity provider',
    );
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/users/${fed.username}/confirm`, {}),
      403,
      'NotAuthorizedException',
      'Current status is EXTERNAL_PROVIDER',
    );
    const user = await userOf(poolId, fed.username);
    assert.equal(user.userStatus, 'EXTERNAL_PROVIDER');
    assert.equal(JSON.parse(user.attributes.identities)[0].userId, 'ext-1');

    // ListUsers by status.
    const filter = encodeURIComponent('cognito:user_status = "EXTERNAL_PROVIDER"');
    const listed = await t.admin('GET', `/v1/pools/${poolId}/users?filter=${filter}`);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.users.map((u: { username: string }) => u.username),
      [fed.username],
    );
    assert.equal(JSON.parse(listed.body.users[0].attributes.identities)[0].providerName, 'Corp');

    // `identities` is written by linking only: never by an admin, a user, sign-up or AdminCreateUser.
    const attributesUrl = `/v1/pools/${poolId}/users/${fed.username}/attributes`;
    const forged = JSON.stringify([{ userId: 'x', providerName: 'Corp', providerType: 'OIDC', primary: true }]);
    assertProblem(
      await t.admin('PATCH', attributesUrl, { userAttributes: { identities: forged } }),
      400,
      'InvalidParameterException',
      'identities',
    );
    const native = await signedInUser(t, clientId, 'frank', { email: uniqueEmail() });
    assertProblem(
      await t.call('PATCH', '/v1/me/attributes', { userAttributes: { identities: forged } }, native.accessToken),
      400,
      'InvalidParameterException',
      'identities',
    );
    assertProblem(
      await t.call('POST', '/v1/sign-up', {
        clientId,
        username: 'gina',
        password: PASSWORD,
        userAttributes: { email: uniqueEmail(), identities: forged },
      }),
      400,
      'InvalidParameterException',
      'identities',
    );
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/users`, { username: 'hank', userAttributes: { identities: forged } }),
      400,
      'InvalidParameterException',
      'identities',
    );
    assert.equal(JSON.parse((await userOf(poolId, fed.username)).attributes.identities)[0].userId, 'ext-1');
    assert.equal((await userOf(poolId, 'frank')).attributes.identities, undefined);
  });
});

describe('export and import', () => {
  const auth = { authorization: `Bearer ${ADMIN_KEY}` };
  async function exportLines(poolId: string): Promise<Array<Record<string, any>>> {
    const res = await t.app.inject({ method: 'GET', url: `/v1/pools/${poolId}/users/export`, headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    return res.body
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
  async function importLines(poolId: string, lines: unknown[]) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/pools/${poolId}/users/import`,
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      payload: lines.map((line) => JSON.stringify(line)).join('\n'),
    });
    assert.equal(res.statusCode, 200, res.body);
    return JSON.parse(res.body) as { imported: number; rejected: Array<{ line: number; reason: string }> };
  }

  test('federated users and links go through a round trip; their subjects stay one user’s', async () => {
    const { poolId, clientId } = await pool();
    await signedInUser(t, clientId, 'ivan', { email: uniqueEmail() });
    await link(poolId, 'ivan', 'Corp', 'ivan-corp');
    const fed = await federatedUser(poolId, 'Google', 'g-ivan', { name: 'Ivan G' }, 'Google');
    const exported = await exportLines(poolId);
    const ivan = exported.find((u) => u.username === 'ivan')!;
    const google = exported.find((u) => u.username === fed.username)!;
    assert.equal(ivan.attributes.identities, undefined, 'the attribute is not exported, the identities are');
    assert.deepEqual(
      ivan.identities.map((i: Record<string, unknown>) => [i.providerName, i.providerType, i.subject, i.primary]),
      [['Corp', 'OIDC', 'ivan-corp', false]],
    );
    assert.equal(google.status, 'EXTERNAL_PROVIDER');
    assert.equal(google.passwordHash, null);
    assert.deepEqual(
      google.identities.map((i: Record<string, unknown>) => [i.providerName, i.subject, i.primary]),
      [['Google', 'g-ivan', true]],
    );

    const linkedAt = (await identitiesOf(poolId, 'ivan'))[0]!.dateCreated;
    // A sub is unique across the server: the source users go first (another Cognate in real life).
    for (const name of ['ivan', fed.username])
      assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/users/${name}`)).status, 204);
    const target = await pool();
    const report = await importLines(target.poolId, [ivan, google]);
    assert.deepEqual(report, { imported: 2, rejectedCount: 0, rejected: [] });
    const copied = await userOf(target.poolId, fed.username);
    assert.equal(copied.userStatus, 'EXTERNAL_PROVIDER');
    assert.equal(copied.attributes.name, 'Ivan G');
    assert.equal(JSON.parse(copied.attributes.identities)[0].userId, 'g-ivan');
    assert.equal((await identitiesOf(target.poolId, 'ivan'))[0]!.dateCreated, linkedAt);
    // The linked native user still signs in with the password there, with the claim.
    const signIn = await t.call('POST', '/v1/auth/sign-in', {
      clientId: target.clientId,
      username: 'ivan',
      password: PASSWORD,
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.equal((decodeJwt(signIn.body.idToken).identities as Array<{ userId: string }>)[0]!.userId, 'ivan-corp');

    // A subject the pool already files is refused, never re-pointed.
    const thief = { ...ivan, username: 'mallory', sub: randomUUID(), attributes: {} };
    const refused = await importLines(target.poolId, [thief]);
    assert.equal(refused.imported, 0);
    assert.match(refused.rejected[0]!.reason, /already belongs to a user of the pool/);
    assert.equal((await t.admin('GET', `/v1/pools/${target.poolId}/users/mallory`)).status, 404);
  });

  test('bad identities are refused by name', async () => {
    const { poolId } = await pool();
    const base = { sub: randomUUID(), enabled: true, attributes: {} };
    const rows = [
      { ...base, username: 'u1', status: 'EXTERNAL_PROVIDER', passwordHash: null },
      {
        ...base,
        username: 'u2',
        status: 'EXTERNAL_PROVIDER',
        passwordHash: null,
        identities: [{ providerName: 'Corp', providerType: 'OIDC', subject: 's', primary: false }],
      },
      {
        ...base,
        username: 'u3',
        status: 'RESET_REQUIRED',
        passwordHash: null,
        identities: [{ providerName: 'Corp', providerType: 'OIDC', subject: 's', primary: true }],
      },
      {
        ...base,
        username: 'u4',
        status: 'RESET_REQUIRED',
        passwordHash: null,
        identities: [{ providerName: 'Corp', providerType: 'SAML', subject: 's', primary: false }],
      },
      {
        ...base,
        username: 'u5',
        status: 'RESET_REQUIRED',
        passwordHash: null,
        identities: [{ providerName: 'Corp', providerType: 'OIDC', subject: 's', primary: false, extra: 1 }],
      },
      { ...base, username: 'u6', status: 'RESET_REQUIRED', passwordHash: null, attributes: { identities: '[]' } },
    ].map((row) => ({ ...row, sub: randomUUID() }));
    const report = await importLines(poolId, rows);
    assert.equal(report.imported, 0);
    assert.deepEqual(
      report.rejected.map((r) => r.reason),
      [
        'An EXTERNAL_PROVIDER user needs exactly one primary identity.',
        'An EXTERNAL_PROVIDER user needs exactly one primary identity.',
        'Only an EXTERNAL_PROVIDER user has a primary identity; linked ones are primary false.',
        'identities.0.providerType must be one of OIDC, Google, Facebook, LoginWithAmazon, SignInWithApple.',
        'Unknown field: identities.0.extra',
        report.rejected[5]!.reason,
      ],
    );
    assert.match(report.rejected[5]!.reason, /identities/);
  });
});
