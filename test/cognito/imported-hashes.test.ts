/**
 * An imported user's weak password hash (docs/user-import.md) is replaced at the first sign-in
 * through the Cognito face too: InitiateAuth USER_PASSWORD_AUTH through the real AWS SDK.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import argon2 from 'argon2';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema/index.ts';
import { ADMIN_KEY } from '../support/app.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { PASSWORD, poolWithClient, signIn } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

async function storedHash(sub: string): Promise<string | null> {
  const [row] = await t.database.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, sub));
  return row!.passwordHash;
}

test('InitiateAuth USER_PASSWORD_AUTH re-hashes a weak imported hash (argon2id m=8,t=1) with the current parameters', async () => {
  const { poolId, clientId } = await poolWithClient(t);
  const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 8, timeCost: 1, parallelism: 1 });
  const sub = crypto.randomUUID();
  const imported = await t.app.inject({
    method: 'POST',
    url: `/v1/pools/${poolId}/users/import`,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-ndjson' },
    payload: JSON.stringify({
      username: 'migrant',
      sub,
      status: 'CONFIRMED',
      enabled: true,
      attributes: {},
      passwordHash: weak,
    }),
  });
  assert.deepEqual(JSON.parse(imported.body), { imported: 1, rejectedCount: 0, rejected: [] });

  await signIn(t, clientId, 'migrant');
  const rehashed = (await storedHash(sub))!;
  const { memoryCostKiB, timeCost, parallelism } = t.config.passwordHashing;
  assert.ok(rehashed.startsWith('$argon2id$v=19$'), rehashed);
  const cost = Object.fromEntries(
    rehashed
      .split('$')[3]!
      .split(',')
      .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]),
  );
  assert.deepEqual(cost, { m: memoryCostKiB, t: timeCost, p: parallelism });

  await signIn(t, clientId, 'migrant');
  assert.equal(await storedHash(sub), rehashed);
});
