import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { after, before, test } from 'node:test';
import { outboxMessages, users } from '../../src/db/schema/index.ts';
import { createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  // The SMTP server refuses one mailbox for good (550), as a real one does for a dead address.
  t = await startTestApp({}, { smtp: { rejectRecipient: (address) => address.startsWith('bounce@') } });
});
after(() => t.close());

test('a code that cannot be delivered answers 502 CodeDeliveryFailureException; the sign-up stays and is recorded as failed', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const res = await t.call('POST', '/v1/sign-up', {
    clientId,
    username: 'bouncer',
    password: PASSWORD,
    userAttributes: { email: 'bounce@example.com' },
  });
  assertProblem(res, 502, 'CodeDeliveryFailureException');
  // Committed before the send: the user exists (a second sign-up is a conflict) and can ask again.
  assertProblem(
    await t.call('POST', '/v1/sign-up', {
      clientId,
      username: 'bouncer',
      password: PASSWORD,
      userAttributes: { email: 'bounce@example.com' },
    }),
    409,
    'UsernameExistsException',
  );
  const [user] = await t.database.db.select().from(users).where(eq(users.username, 'bouncer'));
  const messages = await t.database.db.select().from(outboxMessages).where(eq(outboxMessages.userId, user!.id));
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.status, 'failed');
  assert.equal(messages[0]!.attempts, 1);
  assert.match(messages[0]!.lastError ?? '', /550|reject/i);
  assert.equal(t.smtp.messages.length, 0);
  assertProblem(
    await t.call('POST', '/v1/sign-up/resend-code', { clientId, username: 'bouncer' }),
    502,
    'CodeDeliveryFailureException',
  );
});

test('a change of email to an address that bounces answers 502, and the user can send a new code once it works', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const tokens = await signedInUser(t, clientId, 'mover', { email: 'mover@example.com' });
  const res = await t.call(
    'PATCH',
    '/v1/me/attributes',
    { userAttributes: { email: 'bounce@example.com' } },
    tokens.accessToken,
  );
  assertProblem(res, 502, 'CodeDeliveryFailureException');
  const attributes = await t.call('GET', '/v1/me/attributes', undefined, tokens.accessToken);
  assert.equal(attributes.body.email, 'bounce@example.com');
  assert.equal(attributes.body.email_verified, 'false');
  // Sent successfully: a delivered message is recorded with the provider's id.
  const fixed = await t.call(
    'PATCH',
    '/v1/me/attributes',
    { userAttributes: { email: 'fixed@example.com' } },
    tokens.accessToken,
  );
  assert.equal(fixed.status, 200);
  const [sent] = await t.database.db
    .select()
    .from(outboxMessages)
    .where(eq(outboxMessages.destination, 'fixed@example.com'));
  assert.equal(sent!.status, 'sent');
  assert.equal(sent!.channel, 'smtp');
  assert.ok(sent!.providerMessageId);
});

test('a disabled user cannot sign in or refresh, and its access tokens stop working at once', async () => {
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
  const tokens = await signedInUser(t, clientId, 'sleeper', { email: 'sleeper@example.com' });
  // Set the flag directly: this test is about what a disabled account can do (the admin route has its own tests).
  await t.database.db.update(users).set({ enabled: false }).where(eq(users.id, tokens.userSub));

  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'sleeper', password: PASSWORD }),
    403,
    'NotAuthorizedException',
    'User is disabled.',
  );
  // A wrong password says nothing about the account's state.
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'sleeper', password: 'Wr0ng-pass!' }),
    401,
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken }),
    403,
    'NotAuthorizedException',
    'User is disabled.',
  );
  assertProblem(
    await t.call('GET', '/v1/me', undefined, tokens.accessToken),
    403,
    'NotAuthorizedException',
    'User is disabled.',
  );

  await t.database.db.update(users).set({ enabled: true }).where(eq(users.id, tokens.userSub));
  assert.equal((await t.call('GET', '/v1/me', undefined, tokens.accessToken)).status, 200);
});
