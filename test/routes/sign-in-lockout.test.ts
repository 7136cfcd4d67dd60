import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { uniqueEmail } from '../support/user-flows.ts';

// The lockout's clock, moved by the tests: waits of up to 15 minutes are checked without sleeping.
let now = Date.parse('2030-01-01T00:00:00Z');
const advance = (ms: number) => {
  now += ms;
};

let t: TestApp;
let pool: { poolId: string; clientId: string };
let legacy: string;
before(async () => {
  t = await startTestApp({}, { now: () => new Date(now) });
  pool = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'], srpEnabled: true });
  legacy = (
    await t.admin('POST', `/v1/pools/${pool.poolId}/clients`, { name: 'legacy', preventUserExistenceErrors: false })
  ).body.clientId;
});
after(() => t.close());

const WRONG = 'Wr0ng-passw0rd!';
const INCORRECT = 'Incorrect username or password.';
const EXCEEDED = 'Password attempts exceeded';

async function signIn(username: string, password: string, from: string, clientId = pool.clientId) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/sign-in',
    remoteAddress: from,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ clientId, username, password }),
  });
  const body = JSON.parse(res.body);
  return res.statusCode === 200 ? 'tokens' : `${res.statusCode} ${body.code}: ${body.detail}`;
}

async function cognito(action: string, input: Record<string, unknown>, from: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/',
    remoteAddress: from,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    payload: JSON.stringify(input),
  });
  return JSON.parse(res.body);
}

const refused = (message: string) => `401 NotAuthorizedException: ${message}`;

/** Five failures, then each one locks for twice as long: 1 s, 2 s, 4 s ... capped at 15 minutes. */
async function assertLockoutLadder(username: string, from: string) {
  for (let i = 1; i <= 5; i++) assert.equal(await signIn(username, WRONG, from), refused(INCORRECT), `failure ${i}`);
  for (let failures = 5; failures <= 16; failures++) {
    const waitMs = Math.min(1000 * 2 ** (failures - 5), 900_000);
    advance(waitMs - 1);
    // Locked: refused without the password being looked at, the right one included.
    assert.equal(
      await signIn(username, PASSWORD, from),
      refused(EXCEEDED),
      `locked ${waitMs - 1} ms after failure ${failures}`,
    );
    advance(1);
    assert.equal(
      await signIn(username, WRONG, from),
      refused(INCORRECT),
      `free again ${waitMs} ms after failure ${failures}`,
    );
  }
  // The 16th failure earned the cap: 15 minutes, not 2^11 seconds.
  advance(900_000 - 1);
  assert.equal(await signIn(username, PASSWORD, from), refused(EXCEEDED));
  advance(1);
}

test('after 5 failures each further one locks for twice as long, up to 15 minutes; another address is not locked; a success resets', async () => {
  await signedInUser(t, pool.clientId, 'ladder', { email: uniqueEmail('ladder') });
  await assertLockoutLadder('ladder', '192.0.2.10');

  // Meanwhile the user signs in from elsewhere: one address cannot lock a user out everywhere.
  assert.equal(await signIn('ladder', PASSWORD, '192.0.2.11'), 'tokens');
  // Wait out the lock, sign in: the count starts again, so one failure locks nothing.
  assert.equal(await signIn('ladder', PASSWORD, '192.0.2.10'), 'tokens');
  for (let i = 1; i <= 4; i++) assert.equal(await signIn('ladder', WRONG, '192.0.2.10'), refused(INCORRECT));
  assert.equal(await signIn('ladder', PASSWORD, '192.0.2.10'), 'tokens');
});

test("failures from many addresses, on both faces, lock only those addresses: the user's correct sign-in from another address succeeds on both (docs/limits.md)", async () => {
  await signedInUser(t, pool.clientId, 'besieged', { email: uniqueEmail('besieged') });
  const wire = (password: string, from: string) =>
    cognito(
      'InitiateAuth',
      {
        ClientId: pool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'besieged', PASSWORD: password },
      },
      from,
    );
  const attackers = ['192.0.2.60', '192.0.2.61', '192.0.2.62', '2001:db8:60::1'];
  for (const from of attackers) {
    // Alternating faces, one count: five failures, then locked.
    for (let i = 0; i < 8; i++) {
      const answer = i % 2 === 0 ? await signIn('besieged', WRONG, from) : (await wire(WRONG, from)).message;
      assert.ok([refused(INCORRECT), refused(EXCEEDED), INCORRECT, EXCEEDED].includes(answer), answer);
    }
    assert.equal(await signIn('besieged', PASSWORD, from), refused(EXCEEDED));
    assert.deepEqual(await wire(PASSWORD, from), { __type: 'NotAuthorizedException', message: EXCEEDED });
  }
  assert.equal(await signIn('besieged', PASSWORD, '192.0.2.70'), 'tokens');
  assert.ok((await wire(PASSWORD, '192.0.2.71')).AuthenticationResult);
  // Another /64 is another address; the attackers' own stay locked.
  assert.ok((await wire(PASSWORD, '2001:db8:61::1')).AuthenticationResult);
  assert.equal(await signIn('besieged', PASSWORD, '2001:db8:60::2'), refused(EXCEEDED));
});

test('a name no user has is locked out the same way when the client hides user existence, and only then', async () => {
  await assertLockoutLadder('nobody-at-all', '192.0.2.20');
  for (let i = 0; i < 7; i++) {
    assert.equal(
      await signIn('nobody-at-all', WRONG, '192.0.2.21', legacy),
      '404 UserNotFoundException: User does not exist.',
    );
  }
});

test('15 quiet minutes after a lock forget the failures', async () => {
  await signedInUser(t, pool.clientId, 'quiet', { email: uniqueEmail('quiet') });
  for (let i = 1; i <= 5; i++) assert.equal(await signIn('quiet', WRONG, '192.0.2.30'), refused(INCORRECT));
  assert.equal(await signIn('quiet', PASSWORD, '192.0.2.30'), refused(EXCEEDED));
  advance(1000 + 15 * 60_000);
  // Five failures had been counted; forgotten, the next one is the first, not the sixth (which would lock).
  assert.equal(await signIn('quiet', WRONG, '192.0.2.30'), refused(INCORRECT));
  assert.equal(await signIn('quiet', PASSWORD, '192.0.2.30'), 'tokens');
});

test('the Cognito face: USER_PASSWORD_AUTH and USER_SRP_AUTH share the lock, SRP failures count, and a locked SRP sign-in is refused', async () => {
  await signedInUser(t, pool.clientId, 'wire', { email: uniqueEmail('wire') });
  const from = '192.0.2.40';
  const password = (p: string) =>
    cognito(
      'InitiateAuth',
      { ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'wire', PASSWORD: p } },
      from,
    );
  const srp = async (p: string) => {
    const session = createSrpSession('wire', p, pool.poolId, false);
    const challenge = await cognito(
      'InitiateAuth',
      {
        ClientId: pool.clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'wire', SRP_A: session.largeA },
      },
      from,
    );
    if (challenge.__type) return challenge;
    const signed = signSrpSession(session, challenge);
    return cognito(
      'RespondToAuthChallenge',
      {
        ClientId: pool.clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: {
          USERNAME: 'wire',
          PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
          TIMESTAMP: signed.timestamp,
          PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
        },
      },
      from,
    );
  };
  for (let i = 0; i < 3; i++)
    assert.deepEqual(await password(WRONG), { __type: 'NotAuthorizedException', message: INCORRECT });
  for (let i = 0; i < 2; i++)
    assert.deepEqual(await srp(WRONG), { __type: 'NotAuthorizedException', message: INCORRECT });
  // Five failures on the two flows: locked for a second, on both.
  assert.deepEqual(await password(PASSWORD), { __type: 'NotAuthorizedException', message: EXCEEDED });
  assert.deepEqual(await srp(PASSWORD), { __type: 'NotAuthorizedException', message: EXCEEDED });
  advance(1000);
  assert.ok((await srp(PASSWORD)).AuthenticationResult, 'signed in by SRP once the lock has passed');
  // That success reset the count.
  assert.deepEqual(await password(WRONG), { __type: 'NotAuthorizedException', message: INCORRECT });
  assert.ok((await password(PASSWORD)).AuthenticationResult);
});
