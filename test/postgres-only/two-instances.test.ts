import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { ADMIN_KEY, PASSWORD } from '../support/app.ts';
import { onPostgres, openScratchPostgres } from '../support/database.ts';
import { databaseUrl, sharedServerEnv, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';
import { http } from '../support/write-load.ts';

// Two real server processes, each with its own connections, on one PostgreSQL database.
const skip = onPostgres
  ? false
  : 'needs a PostgreSQL server: DATABASE_URL is unset (run under scripts/with-postgres.sh)';

describe('two Cognate instances on one PostgreSQL', { skip }, () => {
  let database: Database;
  let smtp: SmtpCapture;
  let a: ServerProcess;
  let b: ServerProcess;
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };

  before(async () => {
    database = await openScratchPostgres('cognate_two');
    smtp = await startSmtpCapture();
    // Started together on an empty database: both migrate, and both must settle on one code
    // secret (no CODE_HMAC_SECRET).
    const env = sharedServerEnv(database, { SMTP_URL: smtp.url });
    const started = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
    for (const s of started) {
      if (s.status !== 'fulfilled') continue;
      if (a) b = s.value;
      else a = s.value;
    }
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });
  after(async () => {
    await a?.kill();
    await b?.kill();
    await smtp?.close();
    await database?.close();
  });

  // Found here: instances started together on an empty database collided in drizzle's migrator
  // (duplicate key in pg_namespace / pg_type from concurrent CREATE ... IF NOT EXISTS) and one
  // failed to start, in 16 of 24 tries. Migrations now run under an advisory lock.
  test('three instances migrating an empty database at once all start', async () => {
    for (let round = 0; round < 4; round++) {
      const empty = await openScratchPostgres('cognate_migrate');
      const url = databaseUrl(empty);
      const instances = await Promise.all([0, 1, 2].map(() => openDatabase({ kind: 'postgres', url, poolSize: 2 })));
      try {
        const results = await Promise.allSettled(instances.map((d) => d.migrate()));
        assert.deepEqual(
          results
            .filter((r) => r.status === 'rejected')
            .map((r) =>
              String((r as PromiseRejectedResult).reason?.cause?.message ?? (r as PromiseRejectedResult).reason),
            ),
          [],
        );
        for (const d of instances) await d.ready();
      } finally {
        for (const d of instances) await d.close();
        await empty.close();
      }
    }
  });

  /** The code in the first mail to `to` that arrives after `action`. */
  async function codeSentBy(to: string, action: () => Promise<unknown>): Promise<string> {
    const earlier = new Set(smtp.messages);
    await action();
    const mail = await smtp.waitFor((m) => !earlier.has(m) && m.to.includes(to), 10_000);
    return /(?<!\d)\d{6}(?!\d)/.exec(mail.text)![0];
  }

  test('a code, a session and a sign-out made through one instance hold on the other', async () => {
    const pool = await http(a.base, 'POST', '/v1/pools', {
      body: { name: 'two', autoVerifiedAttributes: ['email'] },
      headers: admin,
    });
    assert.equal(pool.status, 201);
    const poolId = pool.body.id as string;
    const clientId = (
      await http(b.base, 'POST', `/v1/pools/${poolId}/clients`, { body: { name: 'app' }, headers: admin })
    ).body.clientId as string;
    assert.ok(clientId, 'a pool made on A is seen on B');

    // Sign-up confirmation: the code sent through A is accepted by B.
    const signUpCode = await codeSentBy('ann@example.com', async () => {
      const signUp = await http(a.base, 'POST', '/v1/sign-up', {
        body: { clientId, username: 'ann', password: PASSWORD, userAttributes: { email: 'ann@example.com' } },
      });
      assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
    });
    const confirmed = await http(b.base, 'POST', '/v1/sign-up/confirm', {
      body: { clientId, username: 'ann', confirmationCode: signUpCode },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));

    // A session from B works on A: access token and refresh token.
    const signIn = await http(b.base, 'POST', '/v1/auth/sign-in', {
      body: { clientId, username: 'ann', password: PASSWORD },
    });
    assert.equal(signIn.status, 200);
    const { accessToken, refreshToken } = signIn.body as { accessToken: string; refreshToken: string };
    const onA = await http(a.base, 'GET', '/v1/me/attributes', { token: accessToken });
    assert.equal(onA.status, 200, JSON.stringify(onA.body));
    assert.equal(onA.body.email_verified, 'true');
    assert.equal((await http(a.base, 'GET', '/v1/me', { token: accessToken })).body.userStatus, 'CONFIRMED');
    const refreshed = await http(a.base, 'POST', '/v1/auth/refresh', { body: { clientId, refreshToken } });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    // And a token from A works on B.
    assert.equal((await http(b.base, 'GET', '/v1/me', { token: refreshed.body.accessToken })).status, 200);

    // Attribute verification: a changed email's code sent through A is verified through B.
    const emailCode = await codeSentBy('ann@example.org', async () => {
      const patched = await http(a.base, 'PATCH', '/v1/me/attributes', {
        token: accessToken,
        body: { userAttributes: { email: 'ann@example.org' } },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.results.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
    });
    const wrong = await http(b.base, 'POST', '/v1/me/attributes/email/verify', {
      token: accessToken,
      body: { confirmationCode: emailCode === '000000' ? '111111' : '000000' },
    });
    assert.equal(wrong.body.code, 'CodeMismatchException');
    const verified = await http(b.base, 'POST', '/v1/me/attributes/email/verify', {
      token: accessToken,
      body: { confirmationCode: emailCode },
    });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    const after = await http(a.base, 'GET', '/v1/me/attributes', { token: accessToken });
    assert.equal(after.body.email, 'ann@example.org');
    assert.equal(after.body.email_verified, 'true');

    // Forgotten password: the code asked for on B resets the password on A.
    const resetCode = await codeSentBy('ann@example.org', async () =>
      assert.equal(
        (await http(b.base, 'POST', '/v1/auth/forgot-password', { body: { clientId, username: 'ann' } })).status,
        200,
      ),
    );
    const reset = await http(a.base, 'POST', '/v1/auth/forgot-password/confirm', {
      body: { clientId, username: 'ann', confirmationCode: resetCode, password: 'N3w-passw0rd' },
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    const again = await http(b.base, 'POST', '/v1/auth/sign-in', {
      body: { clientId, username: 'ann', password: 'N3w-passw0rd' },
    });
    assert.equal(again.status, 200);

    // Sign-out on A revokes on B: the access and refresh tokens of every session.
    assert.ok(
      [200, 204].includes((await http(a.base, 'POST', '/v1/auth/sign-out', { token: again.body.accessToken })).status),
    );
    for (const token of [again.body.accessToken, accessToken]) {
      const revoked = await http(b.base, 'GET', '/v1/me/attributes', { token });
      assert.equal(revoked.status, 401, JSON.stringify(revoked.body));
      assert.equal(revoked.body.code, 'NotAuthorizedException');
    }
    const refreshAfter = await http(b.base, 'POST', '/v1/auth/refresh', {
      body: { clientId, refreshToken: again.body.refreshToken },
    });
    assert.equal(refreshAfter.body.code, 'NotAuthorizedException');
  });

  // Each instance keeps parsed pools and clients in memory by row version (xmin): a change made
  // through one must hold on the other's very next request, with no time for a cache to expire.
  test('a client or pool changed through one instance is in force on the other at once', async () => {
    const poolId = (await http(a.base, 'POST', '/v1/pools', { body: { name: 'cached' }, headers: admin })).body
      .id as string;
    const clientId = (
      await http(a.base, 'POST', `/v1/pools/${poolId}/clients`, { body: { name: 'app' }, headers: admin })
    ).body.clientId as string;
    const signedUp = await http(a.base, 'POST', '/v1/sign-up', {
      body: { clientId, username: 'cal', password: PASSWORD, userAttributes: { nickname: 'cally' } },
    });
    assert.equal(signedUp.status, 201, JSON.stringify(signedUp.body));
    assert.equal((await http(a.base, 'POST', `/v1/pools/${poolId}/users/cal/confirm`, { headers: admin })).status, 200);
    const signIn = await http(b.base, 'POST', '/v1/auth/sign-in', {
      body: { clientId, username: 'cal', password: PASSWORD },
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    const token = signIn.body.accessToken as string;
    for (const base of [a.base, b.base])
      assert.equal((await http(base, 'GET', '/v1/me/attributes', { token })).body.nickname, 'cally');

    // The client's read list, changed on A, hides nickname on B (which has it cached) at once.
    const patched = await http(a.base, 'PATCH', `/v1/pools/${poolId}/clients/${clientId}`, {
      body: { readAttributes: ['email', 'email_verified'] },
      headers: admin,
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal((await http(b.base, 'GET', '/v1/me/attributes', { token })).body.nickname, undefined);

    // A custom attribute added to the pool on B is writable through A at once.
    assert.equal(
      (await http(a.base, 'PATCH', '/v1/me/attributes', { token, body: { userAttributes: { 'custom:team': 'blue' } } }))
        .body.code,
      'InvalidParameterException',
    );
    await http(b.base, 'PATCH', `/v1/pools/${poolId}/clients/${clientId}`, {
      body: { readAttributes: null, writeAttributes: null },
      headers: admin,
    });
    const added = await http(b.base, 'POST', `/v1/pools/${poolId}/custom-attributes`, {
      body: { customAttributes: [{ name: 'team', attributeDataType: 'String' }] },
      headers: admin,
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const written = await http(a.base, 'PATCH', '/v1/me/attributes', {
      token,
      body: { userAttributes: { 'custom:team': 'blue' } },
    });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    assert.equal((await http(b.base, 'GET', '/v1/me/attributes', { token })).body['custom:team'], 'blue');

    // A deleted client ends its sessions on both.
    assert.equal(
      (await http(b.base, 'DELETE', `/v1/pools/${poolId}/clients/${clientId}`, { headers: admin })).status,
      204,
    );
    for (const base of [a.base, b.base])
      assert.equal((await http(base, 'GET', '/v1/me/attributes', { token })).status, 401);
  });
});
