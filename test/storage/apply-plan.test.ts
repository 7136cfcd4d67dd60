/**
 * Property (fast-check, fixed seed): applyPlan returns the attributes exactly as its statements
 * left them in the database. Writers record their audit from that returned state instead of
 * reading the rows back, so the two must never drift: generated changes (set, delete, blank,
 * keep-original pending values, verified flags by an admin, aliases) from generated starting
 * points, each planned by the engine, applied, and compared with a fresh read.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import { planUpdate, type Actor } from '../../src/modules/attributes/index.ts';
import type { Pool } from '../../src/modules/pools/pools.service.ts';
import { applyPlan, findUserByUsername, loadAttributes } from '../../src/modules/user-store/users.repository.ts';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';

const RUNS = {
  seed: Number(process.env.PROPERTY_SEED ?? 20261126),
  numRuns: Number(process.env.PROPERTY_RUNS ?? 60),
} as const;

let t: TestApp;
let pool: Pool;
let client: Awaited<ReturnType<TestApp['services']['pools']['getClient']>>;
let userId: string;
before(async () => {
  t = await startTestApp();
  const made = await createPoolWithClient(t, {
    aliasAttributes: ['email', 'phone_number'],
    autoVerifiedAttributes: ['email', 'phone_number'],
    keepOriginalAttributes: ['email', 'phone_number'],
  });
  await signedInUser(t, made.clientId, 'planned', { email: 'planned@example.com', nickname: 'p' });
  pool = await t.services.pools.getPool(made.poolId);
  client = await t.services.pools.getClient(made.poolId, made.clientId);
  userId = (await findUserByUsername(t.database.db, pool, 'planned'))!.id;
});
after(() => t.close());

const values: Record<string, string[]> = {
  email: ['', 'planned@example.com', 'other@example.com', 'third@example.org'],
  phone_number: ['', '+15550100', '+15550199'],
  nickname: ['', 'p', 'q'],
  given_name: ['', 'Ann'],
  email_verified: ['true', 'false'],
  phone_number_verified: ['true', 'false'],
};
const change = fc
  .dictionary(fc.constantFrom(...Object.keys(values)), fc.nat(), { maxKeys: 4 })
  .map((picked) =>
    Object.fromEntries(Object.entries(picked).map(([name, i]) => [name, values[name]![i % values[name]!.length]!])),
  );

test('applyPlan returns what a fresh read of the rows finds', async () => {
  let applied = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ admin: fc.boolean(), changes: change }), { minLength: 1, maxLength: 4 }),
      async (steps) => {
        for (const { admin, changes } of steps) {
          await t.database.db.transaction(async (tx) => {
            const before = await loadAttributes(tx, { id: userId });
            const actor: Actor = admin ? { kind: 'admin' } : { kind: 'user', client };
            let plan;
            try {
              plan = planUpdate(pool.attributeSettings, actor, before, changes);
            } catch (error) {
              if (error instanceof CognitoError) return; // refused before any write: nothing to compare
              throw error;
            }
            const returned = await applyPlan(tx, pool, userId, before, plan);
            assert.deepEqual(
              returned,
              await loadAttributes(tx, { id: userId }),
              `after ${JSON.stringify(changes)} (${admin ? 'admin' : 'user'}) from ${JSON.stringify(before)}`,
            );
            applied += 1;
          });
        }
      },
    ),
    RUNS,
  );
  // The generator must reach real writes, not only refusals.
  assert.ok(applied >= RUNS.numRuns, `only ${applied} plans applied`);
});
