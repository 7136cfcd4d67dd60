import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { and, eq, isNotNull } from 'drizzle-orm';
import type pg from 'pg';
import { userAttributes, users, verificationCodes } from '../../src/db/schema/index.ts';
import {
  ADMIN_KEY,
  createPoolWithClient,
  PASSWORD,
  signedInUser,
  startTestApp,
  type TestApp,
  type TestResponse,
} from '../support/app.ts';
import { onPostgres } from '../support/database.ts';

/** Clients that show which way a code failed, for the tests that count those ways. */
const LEGACY = { preventUserExistenceErrors: false };

// Races need real concurrent connections and row locks: PGlite is one connection in one process.
const skip = onPostgres
  ? false
  : 'races need a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

/** A request through one transport; `token` is a bearer token (user or admin key). */
type Call = (method: string, url: string, body?: unknown, token?: string) => Promise<TestResponse>;

/** Answers counted by outcome: `201`, `200`, or the Cognito code of an error. */
function tally(responses: TestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of responses) {
    const key = r.status < 300 ? String(r.status) : String(r.body?.code ?? r.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Every six-digit code but `right`, spread out so guesses do not share a prefix. */
const wrongCodes = (right: string, n: number) =>
  times(n + 1, (i) => String((Number(right) + 1 + i * 7919) % 1_000_000).padStart(6, '0'))
    .filter((c) => c !== right)
    .slice(0, n);

describe('races on PostgreSQL', { skip }, () => {
  let t: TestApp;
  let base: string;

  before(async () => {
    // The server's default pool size: races must not need more connections than production has.
    t = await startTestApp({ DATABASE_POOL_SIZE: '10' });
    assert.equal((t.database.db as unknown as { $client: pg.Pool }).$client.options.max, 10);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t?.close());

  const transports: Record<string, Call> = {
    inject: (method, url, body, token) => t.call(method, url, body, token),
    // Real sockets: one connection per request, so the requests really overlap in the server.
    http: async (method, url, body, token) => {
      const response = await fetch(`${base}${url}`, {
        method,
        headers: {
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: Object.fromEntries(response.headers),
      };
    },
  };

  // A deadlock (in PostgreSQL or for pool connections) fails the test instead of hanging the run.
  const timeout = 60_000;

  for (const [transport, call] of Object.entries(transports)) {
    describe(`through ${transport}`, () => {
      for (const n of [2, 20]) {
        test(
          `${n} concurrent sign-ups with one username (in varying case) make exactly one user`,
          { timeout },
          async () => {
            const { poolId, clientId } = await createPoolWithClient(t);
            const names = ['racer', 'Racer', 'RACER', 'rAcEr'];
            const answers = await Promise.all(
              times(n, (i) =>
                call('POST', '/v1/sign-up', {
                  clientId,
                  username: names[i % names.length],
                  password: PASSWORD,
                  userAttributes: {},
                }),
              ),
            );
            assert.deepEqual(tally(answers), { 201: 1, UsernameExistsException: n - 1 });
            for (const a of answers.filter((a) => a.status !== 201)) assert.equal(a.status, 409);
            const rows = await t.database.db.select({ id: users.id }).from(users).where(eq(users.poolId, poolId));
            assert.deepEqual(rows, [{ id: answers.find((a) => a.status === 201)!.body.userSub }]);
          },
        );
      }

      test(
        'ten concurrent sign-ups with one email in a pool that signs in with email make exactly one user',
        { timeout },
        async () => {
          const { poolId, clientId } = await createPoolWithClient(t, { usernameAttributes: ['email'] });
          const spellings = ['same@example.com', 'Same@Example.com', 'SAME@EXAMPLE.COM'];
          const answers = await Promise.all(
            times(10, (i) =>
              call('POST', '/v1/sign-up', {
                clientId,
                username: spellings[i % spellings.length],
                password: PASSWORD,
                userAttributes: {},
              }),
            ),
          );
          assert.deepEqual(tally(answers), { 201: 1, UsernameExistsException: 9 });
          const rows = await t.database.db.select({ id: users.id }).from(users).where(eq(users.poolId, poolId));
          assert.equal(rows.length, 1);
        },
      );

      for (const n of [2, 6]) {
        test(
          `${n} users confirming sign-up with the same email in an email-alias pool: one verified owner`,
          { timeout },
          async () => {
            const { poolId, clientId } = await createPoolWithClient(t, {
              aliasAttributes: ['email'],
              autoVerifiedAttributes: ['email'],
            });
            const email = `shared-${transport}-${n}@example.com`;
            const codes: string[] = [];
            for (const i of times(n, (i) => i)) {
              const signUp = await t.call('POST', '/v1/sign-up', {
                clientId,
                username: `user${i}`,
                password: PASSWORD,
                userAttributes: { email },
              });
              assert.equal(signUp.status, 201);
              // Each sign-up's mail has gone out before its answer: the latest one is this user's.
              codes.push(await t.smtp.codeFor(email));
            }
            const answers = await Promise.all(
              codes.map((confirmationCode, i) =>
                call('POST', '/v1/sign-up/confirm', { clientId, username: `user${i}`, confirmationCode }),
              ),
            );
            assert.deepEqual(tally(answers), { 200: 1, AliasExistsException: n - 1 });
            for (const a of answers.filter((a) => a.status !== 200)) assert.equal(a.status, 409);
            const winner = `user${answers.findIndex((a) => a.status === 200)}`;

            const rows = await t.database.db
              .select({
                username: users.username,
                status: users.status,
                verified: userAttributes.verified,
                aliasKey: userAttributes.aliasKey,
              })
              .from(userAttributes)
              .innerJoin(users, eq(users.id, userAttributes.userId))
              .where(and(eq(userAttributes.poolId, poolId), eq(userAttributes.name, 'email')));
            assert.equal(rows.length, n);
            for (const row of rows) {
              const won = row.username === winner;
              assert.deepEqual(row, {
                username: row.username,
                status: won ? 'CONFIRMED' : 'UNCONFIRMED',
                verified: won,
                aliasKey: won ? email : null,
              });
            }
            const signIn = await call('POST', '/v1/auth/sign-in', {
              clientId,
              username: email.toUpperCase(),
              password: PASSWORD,
            });
            assert.equal(signIn.status, 200);
          },
        );
      }

      test(
        'users racing to verify one new email through /v1/me/attributes/email/verify: one verified owner',
        { timeout },
        async () => {
          const { poolId, clientId } = await createPoolWithClient(t, {
            aliasAttributes: ['email'],
            autoVerifiedAttributes: ['email'],
          });
          const n = 4;
          const contested = `contested-${transport}@example.com`;
          const sessions = [];
          for (const i of times(n, (i) => i))
            sessions.push(
              await signedInUser(t, clientId, `member${i}`, { email: `member${i}-${transport}@example.com` }),
            );
          const codes: string[] = [];
          for (const session of sessions) {
            const changed = await t.call(
              'PATCH',
              '/v1/me/attributes',
              { userAttributes: { email: contested } },
              session.accessToken,
            );
            assert.equal(changed.status, 200, JSON.stringify(changed.body));
            codes.push(await t.smtp.codeFor(contested));
          }
          const answers = await Promise.all(
            sessions.map((s, i) =>
              call('POST', '/v1/me/attributes/email/verify', { confirmationCode: codes[i] }, s.accessToken),
            ),
          );
          assert.deepEqual(tally(answers), { 200: 1, AliasExistsException: n - 1 });
          const winner = sessions[answers.findIndex((a) => a.status === 200)]!.userSub;
          const owners = await t.database.db
            .select({ userId: userAttributes.userId, value: userAttributes.value, verified: userAttributes.verified })
            .from(userAttributes)
            .where(
              and(
                eq(userAttributes.poolId, poolId),
                eq(userAttributes.name, 'email'),
                isNotNull(userAttributes.aliasKey),
              ),
            );
          assert.deepEqual(owners, [{ userId: winner, value: contested, verified: true }]);
        },
      );

      test(
        'users racing to take one email with forceAliasCreation: still one verified owner, no server error',
        { timeout },
        async () => {
          const { poolId, clientId } = await createPoolWithClient(t, {
            aliasAttributes: ['email'],
            autoVerifiedAttributes: ['email'],
          });
          const n = 4;
          const contested = `forced-${transport}@example.com`;
          const sessions = [];
          for (const i of times(n, (i) => i))
            sessions.push(
              await signedInUser(t, clientId, `forcer${i}`, { email: `forcer${i}-${transport}@example.com` }),
            );
          const codes: string[] = [];
          for (const session of sessions) {
            const changed = await t.call(
              'PATCH',
              '/v1/me/attributes',
              { userAttributes: { email: contested } },
              session.accessToken,
            );
            assert.equal(changed.status, 200, JSON.stringify(changed.body));
            codes.push(await t.smtp.codeFor(contested));
          }
          const answers = await Promise.all(
            sessions.map((s, i) =>
              call(
                'POST',
                '/v1/me/attributes/email/verify',
                { confirmationCode: codes[i], forceAliasCreation: true },
                s.accessToken,
              ),
            ),
          );
          // Each taker asked to take the alias over: every one of them gets it, in turn.
          assert.deepEqual(tally(answers), { 200: n });
          const owners = await t.database.db
            .select({ userId: userAttributes.userId, verified: userAttributes.verified })
            .from(userAttributes)
            .where(
              and(
                eq(userAttributes.poolId, poolId),
                eq(userAttributes.name, 'email'),
                isNotNull(userAttributes.aliasKey),
              ),
            );
          assert.equal(owners.length, 1);
          assert.equal(owners[0]!.verified, true);
        },
      );

      test(
        'fifty concurrent wrong guesses at one code: no more comparisons than maxAttempts',
        { timeout },
        async () => {
          // Hourly confirmations raised so that only the per-code limit is under test; a LEGACY client,
          // whose answers tell the failures apart (hiding clients answer each as CodeMismatchException).
          const { poolId, clientId } = await createPoolWithClient(
            t,
            { autoVerifiedAttributes: ['email'], codePolicy: { confirmsPerHour: 1000 } },
            LEGACY,
          );
          const email = `guessed-${transport}@example.com`;
          const signUp = await t.call('POST', '/v1/sign-up', {
            clientId,
            username: 'guessed',
            password: PASSWORD,
            userAttributes: { email },
          });
          assert.equal(signUp.status, 201);
          const right = await t.smtp.codeFor(email);
          const answers = await Promise.all(
            wrongCodes(right, 50).map((confirmationCode) =>
              call('POST', '/v1/sign-up/confirm', { clientId, username: 'guessed', confirmationCode }),
            ),
          );
          const counts = tally(answers);
          assert.ok((counts.CodeMismatchException ?? 0) <= 5, JSON.stringify(counts));
          assert.equal(
            (counts.CodeMismatchException ?? 0) +
              (counts.TooManyFailedAttemptsException ?? 0) +
              (counts.LimitExceededException ?? 0),
            50,
            JSON.stringify(counts),
          );
          assert.ok((counts.TooManyFailedAttemptsException ?? 0) > 0, JSON.stringify(counts));

          const late = await call('POST', '/v1/sign-up/confirm', {
            clientId,
            username: 'guessed',
            confirmationCode: right,
          });
          assert.equal(late.status, 429);
          assert.equal(late.body.code, 'TooManyFailedAttemptsException');
          const [code] = await t.database.db
            .select({ attempts: verificationCodes.attempts })
            .from(verificationCodes)
            .innerJoin(users, eq(users.id, verificationCodes.userId))
            .where(eq(users.poolId, poolId));
          assert.equal(code!.attempts, 5);
        },
      );

      test(
        'fifty concurrent guesses with the right code among them: it succeeds at most once',
        { timeout },
        async () => {
          const { poolId, clientId } = await createPoolWithClient(
            t,
            { autoVerifiedAttributes: ['email'], codePolicy: { confirmsPerHour: 1000 } },
            LEGACY,
          );
          const email = `lucky-${transport}@example.com`;
          const signUp = await t.call('POST', '/v1/sign-up', {
            clientId,
            username: 'lucky',
            password: PASSWORD,
            userAttributes: { email },
          });
          assert.equal(signUp.status, 201);
          const right = await t.smtp.codeFor(email);
          // Ten copies of the right code, early and late among forty wrong ones.
          const guesses = wrongCodes(right, 40);
          for (const at of [0, 1, 5, 10, 17, 23, 30, 38, 44, 49]) guesses.splice(at, 0, right);
          const answers = await Promise.all(
            guesses.map((confirmationCode) =>
              call('POST', '/v1/sign-up/confirm', { clientId, username: 'lucky', confirmationCode }),
            ),
          );
          const counts = tally(answers);
          const allowed = [
            '200',
            'CodeMismatchException',
            'TooManyFailedAttemptsException',
            'ExpiredCodeException',
            'NotAuthorizedException',
          ];
          assert.deepEqual(
            Object.keys(counts).filter((k) => !allowed.includes(k)),
            [],
            JSON.stringify(counts),
          );
          assert.ok((counts[200] ?? 0) <= 1, JSON.stringify(counts));
          assert.ok((counts[200] ?? 0) + (counts.CodeMismatchException ?? 0) <= 5, JSON.stringify(counts));
          const [user] = await t.database.db
            .select({ status: users.status, attempts: verificationCodes.attempts })
            .from(users)
            .innerJoin(verificationCodes, eq(verificationCodes.userId, users.id))
            .where(eq(users.poolId, poolId));
          assert.equal(user!.status, counts[200] ? 'CONFIRMED' : 'UNCONFIRMED');
          assert.ok(user!.attempts <= 5);
        },
      );

      test('fifty concurrent guesses under the default hourly limit: at most 15 get past it', { timeout }, async () => {
        const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] }, LEGACY);
        const email = `limited-${transport}@example.com`;
        await t.call('POST', '/v1/sign-up', {
          clientId,
          username: 'limited',
          password: PASSWORD,
          userAttributes: { email },
        });
        const right = await t.smtp.codeFor(email);
        const answers = await Promise.all(
          wrongCodes(right, 50).map((confirmationCode) =>
            call('POST', '/v1/sign-up/confirm', { clientId, username: 'limited', confirmationCode }),
          ),
        );
        const counts = tally(answers);
        assert.ok((counts.CodeMismatchException ?? 0) <= 5, JSON.stringify(counts));
        assert.ok((counts.LimitExceededException ?? 0) >= 35, JSON.stringify(counts));
        assert.equal(
          (counts.CodeMismatchException ?? 0) +
            (counts.TooManyFailedAttemptsException ?? 0) +
            (counts.LimitExceededException ?? 0),
          50,
        );
      });

      test(
        'twenty concurrent updates of one attribute end with one of the values, without errors',
        { timeout },
        async () => {
          const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
          const session = await signedInUser(t, clientId, 'patched', { email: `patched-${transport}@example.com` });
          const values = times(20, (i) => `Family-${i}`);
          const answers = await Promise.all(
            values.map((family_name) =>
              call('PATCH', '/v1/me/attributes', { userAttributes: { family_name } }, session.accessToken),
            ),
          );
          assert.deepEqual(tally(answers), { 200: 20 });
          const me = await call('GET', '/v1/me/attributes', undefined, session.accessToken);
          assert.ok(values.includes(me.body.family_name), me.body.family_name);
          const rows = await t.database.db
            .select({ value: userAttributes.value })
            .from(userAttributes)
            .where(and(eq(userAttributes.userId, session.userSub), eq(userAttributes.name, 'family_name')));
          assert.deepEqual(rows, [{ value: me.body.family_name }]);
        },
      );

      test(
        'twenty concurrent email changes of one user: codes stay within the hourly sends, no server error',
        { timeout },
        async () => {
          const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
          const session = await signedInUser(t, clientId, 'mover', { email: `mover-${transport}@example.com` });
          // Attribute codes have their own five sends an hour (the sign-up code counts toward sign-up's).
          const answers = await Promise.all(
            times(20, (i) =>
              call(
                'PATCH',
                '/v1/me/attributes',
                { userAttributes: { email: `mover${i}-${transport}@example.com` } },
                session.accessToken,
              ),
            ),
          );
          const counts = tally(answers);
          assert.deepEqual(Object.keys(counts).sort(), ['200', 'LimitExceededException'], JSON.stringify(counts));
          assert.equal(counts[200], 5, JSON.stringify(counts));
        },
      );

      for (const n of [2, 10]) {
        test(
          `${n} concurrent AddCustomAttributes of one name: one succeeds, the others get InvalidParameterException`,
          { timeout },
          async () => {
            const { poolId } = await createPoolWithClient(t);
            const answers = await Promise.all(
              times(n, () =>
                call(
                  'POST',
                  `/v1/pools/${poolId}/custom-attributes`,
                  { customAttributes: [{ name: 'tier', attributeDataType: 'String' }] },
                  ADMIN_KEY,
                ),
              ),
            );
            assert.deepEqual(tally(answers), { 200: 1, InvalidParameterException: n - 1 });
            for (const a of answers.filter((a) => a.status !== 200)) assert.equal(a.status, 400);
            const pool = await t.admin('GET', `/v1/pools/${poolId}`);
            assert.equal(
              pool.body.schemaAttributes.filter((a: { name: string }) => a.name === 'custom:tier').length,
              1,
            );
          },
        );
      }
    });
  }
});
