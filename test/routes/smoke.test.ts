import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPoolWithClient, decodeJwt, signedInUser, startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

test('sign-up, confirm by the mailed code, sign in, read attributes', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const tokens = await signedInUser(t, clientId, 'jdoe', { email: 'jane@example.com', given_name: 'Jane' });
  const me = await t.call('GET', '/v1/me/attributes', undefined, tokens.accessToken);
  assert.equal(me.status, 200);
  assert.deepEqual(me.body, {
    sub: tokens.userSub,
    given_name: 'Jane',
    email: 'jane@example.com',
    email_verified: 'true',
  });
  assert.equal(decodeJwt(tokens.idToken).email_verified, true);
});
