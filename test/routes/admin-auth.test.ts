/**
 * Issue 18, REST face: server-side sign-in (POST /v1/pools/{poolId}/auth/admin-sign-in and
 * admin-respond-to-challenge) and the administrator's password routes (docs/admin-auth.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
let poolId: string;
let clientId: string;
let userOnlyClientId: string;
const NEW_PASSWORD = 'N3w-Passw0rd!';

before(async () => {
  t = await startTestApp();
  ({ poolId, clientId } = await createPoolWithClient(
    t,
    { autoVerifiedAttributes: ['email'] },
    { explicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
  ));
  const other = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'users-only',
    explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  userOnlyClientId = other.body.clientId;
});
after(() => t.close());

const userUrl = (username: string, pool = poolId) => `/v1/pools/${pool}/users/${encodeURIComponent(username)}`;
const adminSignIn = (username: string, password = PASSWORD, client = clientId, pool = poolId) =>
  t.admin('POST', `/v1/pools/${pool}/auth/admin-sign-in`, { clientId: client, username, password });
const statusOf = async (username: string) => (await t.admin('GET', userUrl(username))).body.userStatus;

/** Whether a session still works: its access token reads the user, its refresh token refreshes. */
async function alive(session: { accessToken: string; refreshToken: string }): Promise<[number, number]> {
  const read = await t.call('GET', '/v1/me/attributes', undefined, session.accessToken);
  const refreshed = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: session.refreshToken });
  return [read.status, refreshed.status];
}

describe('admin sign-in', () => {
  test('answers tokens; needs the admin key, the flow on the client, and the client of this pool', async () => {
    await signedInUser(t, clientId, 'ann', { email: uniqueEmail('ann') });
    const signedIn = await adminSignIn('ann');
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.ok(signedIn.body.accessToken && signedIn.body.refreshToken);

    const anonymous = await t.call('POST', `/v1/pools/${poolId}/auth/admin-sign-in`, {
      clientId,
      username: 'ann',
      password: PASSWORD,
    });
    assert.equal(anonymous.status, 401);
    const withUserToken = await t.call(
      'POST',
      `/v1/pools/${poolId}/auth/admin-sign-in`,
      { clientId, username: 'ann', password: PASSWORD },
      signedIn.body.accessToken,
    );
    assert.equal(withUserToken.status, 401);

    assertProblem(
      await adminSignIn('ann', PASSWORD, userOnlyClientId),
      400,
      'InvalidParameterException',
      'ADMIN_USER_PASSWORD_AUTH flow not enabled',
    );
    const other = await createPoolWithClient(t);
    assertProblem(await adminSignIn('ann', PASSWORD, other.clientId), 404, 'ResourceNotFoundException');
    assertProblem(await adminSignIn('ann', PASSWORD, clientId, 'us-east-1_nothere'), 404, 'ResourceNotFoundException');
    // The user-face sign-in does not take this client's admin flow for its own.
    assertProblem(await adminSignIn('ann', 'wrong-password'), 401, 'NotAuthorizedException');

    const extra = await t.admin('POST', `/v1/pools/${poolId}/auth/admin-sign-in`, {
      clientId,
      username: 'ann',
      password: PASSWORD,
      authFlow: 'USER_SRP_AUTH',
    });
    assert.equal(extra.status, 400);
    const missing = await t.admin('POST', `/v1/pools/${poolId}/auth/admin-sign-in`, { clientId, username: 'ann' });
    assert.equal(missing.status, 400);
  });

  test('NEW_PASSWORD_REQUIRED is answered at admin-respond-to-challenge', async () => {
    await signedInUser(t, clientId, 'bo', { email: uniqueEmail('bo') });
    const set = await t.admin('POST', `${userUrl('bo')}/password`, { password: 'Temp-Passw0rd1', permanent: false });
    assert.equal(set.status, 204, JSON.stringify(set.body));
    const challenged = await adminSignIn('bo', 'Temp-Passw0rd1');
    assert.equal(challenged.status, 200);
    assert.equal(challenged.body.challengeName, 'NEW_PASSWORD_REQUIRED');
    const url = `/v1/pools/${poolId}/auth/admin-respond-to-challenge`;
    const answer = { clientId, challengeName: 'NEW_PASSWORD_REQUIRED', session: challenged.body.session };
    assertProblem(await t.admin('POST', url, { ...answer, newPassword: 'short' }), 400, 'InvalidPasswordException');
    const other = await createPoolWithClient(t);
    assertProblem(
      await t.admin('POST', `/v1/pools/${other.poolId}/auth/admin-respond-to-challenge`, {
        ...answer,
        newPassword: NEW_PASSWORD,
      }),
      404,
      'ResourceNotFoundException',
    );
    const anonymous = await t.call('POST', url, { ...answer, newPassword: NEW_PASSWORD });
    assert.equal(anonymous.status, 401);
    const done = await t.admin('POST', url, { ...answer, newPassword: NEW_PASSWORD });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(done.body.accessToken);
    assert.equal(await statusOf('bo'), 'CONFIRMED');
  });
});

describe('set and reset a password', () => {
  test('permanent: CONFIRMED, sessions ended; bad input changes nothing', async () => {
    const session = await signedInUser(t, clientId, 'cy', { email: uniqueEmail('cy') });
    assert.deepEqual(await alive(session), [200, 200]);
    const url = `${userUrl('cy')}/password`;
    assertProblem(await t.admin('POST', url, { password: 'short', permanent: true }), 400, 'InvalidPasswordException');
    assert.equal((await t.admin('POST', url, { password: NEW_PASSWORD, permanent: 'yes' })).status, 400);
    assert.equal((await t.admin('POST', url, { password: NEW_PASSWORD, extra: 1 })).status, 400);
    assert.equal((await t.admin('POST', url, {})).status, 400);
    assertProblem(
      await t.admin('POST', `${userUrl('nobody')}/password`, { password: NEW_PASSWORD }),
      404,
      'UserNotFoundException',
    );
    assert.equal((await t.call('POST', url, { password: NEW_PASSWORD, permanent: true })).status, 401);
    assert.deepEqual(await alive(session), [200, 200], 'nothing changed yet');

    const set = await t.admin('POST', url, { password: NEW_PASSWORD, permanent: true });
    assert.equal(set.status, 204, JSON.stringify(set.body));
    assert.deepEqual(await alive(session), [401, 401]);
    assert.equal((await adminSignIn('cy', NEW_PASSWORD)).status, 200);
    assertProblem(await adminSignIn('cy', PASSWORD), 401, 'NotAuthorizedException');

    const audit = await t.admin('GET', `${userUrl('cy')}/audit`);
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    const entry = audit.body.events.find((e: { action: string }) => e.action === 'ADMIN_SET_USER_PASSWORD');
    assert.ok(entry, JSON.stringify(audit.body.events.map((e: { action: string }) => e.action)));
    assert.equal(entry.actor.kind, 'admin');
  });

  test('reset: RESET_REQUIRED, a code, sessions ended; forgot-password/confirm finishes it', async () => {
    const email = uniqueEmail('dee');
    const session = await signedInUser(t, clientId, 'dee', { email });
    const reset = await t.admin('POST', `${userUrl('dee')}/reset-password`);
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.equal(reset.body.codeDeliveryDetails.deliveryMedium, 'EMAIL');
    assert.equal(await statusOf('dee'), 'RESET_REQUIRED');
    assert.deepEqual(await alive(session), [401, 401]);
    assertProblem(await adminSignIn('dee'), 403, 'PasswordResetRequiredException');
    const code = await t.smtp.codeFor(email);
    const confirmed = await t.call('POST', '/v1/auth/forgot-password/confirm', {
      clientId,
      username: 'dee',
      confirmationCode: code,
      password: NEW_PASSWORD,
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(await statusOf('dee'), 'CONFIRMED');
    assert.equal((await adminSignIn('dee', NEW_PASSWORD)).status, 200);

    // With a body: clientMetadata only.
    const withBody = await t.admin('POST', `${userUrl('dee')}/reset-password`, { clientMetadata: { a: 'b' } });
    assert.equal(withBody.status, 200, JSON.stringify(withBody.body));
    assert.equal((await t.admin('POST', `${userUrl('dee')}/reset-password`, { other: 1 })).status, 400);
    assertProblem(await t.admin('POST', `${userUrl('nobody')}/reset-password`), 404, 'UserNotFoundException');
    assert.equal((await t.call('POST', `${userUrl('dee')}/reset-password`)).status, 401);
  });
});
