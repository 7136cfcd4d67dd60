/**
 * Property (fast-check, fixed seed), end to end on the real database: any attribute change a
 * user sends through PATCH /v1/me/attributes is refused with a problem document of a known
 * name, or it is stored so that GET /v1/me/attributes reads back exactly what was asked (in
 * the engine's normal form), with nothing else changed. Odd text (emoji, RTL, 2048 characters,
 * NUL, lone surrogates) goes through PostgreSQL / PGlite and back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { buildPoolAttributeSettings, normaliseValue } from '../../src/modules/attributes/index.ts';
import { createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

const RUNS = {
  seed: Number(process.env.PROPERTY_SEED ?? 20261126),
  numRuns: Number(process.env.PROPERTY_RUNS ?? 60),
} as const;

const schemaInput = [
  { name: 'plan', attributeDataType: 'String' as const, stringConstraints: { maxLength: 40 } },
  { name: 'age', attributeDataType: 'Number' as const, numberConstraints: { minValue: 0, maxValue: 150 } },
  { name: 'beta', attributeDataType: 'Boolean' as const },
  { name: 'since', attributeDataType: 'DateTime' as const },
];
const settings = buildPoolAttributeSettings({ autoVerifiedAttributes: ['email'], schema: schemaInput });
const names = [
  'given_name',
  'family_name',
  'nickname',
  'website',
  'address',
  'locale',
  'gender',
  'birthdate',
  'updated_at',
  'custom:plan',
  'custom:age',
  'custom:beta',
  'custom:since',
];

const value = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 15 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\uD800', '\u202E', '\u200B', '🙂', '"', '\\', "'", '%', 'a', 'é', ' '),
    maxLength: 10,
  }),
  fc.constantFrom(
    'x'.repeat(2048),
    '🙂'.repeat(2048),
    'true',
    'FALSE',
    '007',
    '-3',
    '151',
    '2024-02-29',
    '2023-02-29',
    '2024-01-31T12:00:00Z',
    '2024-01-31T12:00:00.5+01:00',
  ),
  fc.integer({ min: -5, max: 200 }).map(String),
);

let t: TestApp;
let token: string;
before(async () => {
  t = await startTestApp();
  const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'], schema: schemaInput });
  token = (await signedInUser(t, clientId, 'roundtrip', { email: uniqueEmail() })).accessToken;
});
after(async () => {
  await t?.close();
});

test('an update is refused with a known problem, or reads back as asked with nothing else changed', async () => {
  let stored = 0;
  await fc.assert(
    fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), value, { minKeys: 1, maxKeys: 4 }), async (changes) => {
      const before = (await t.call('GET', '/v1/me/attributes', undefined, token)).body as Record<string, string>;
      const res = await t.call('PATCH', '/v1/me/attributes', { userAttributes: changes }, token);
      const after = (await t.call('GET', '/v1/me/attributes', undefined, token)).body as Record<string, string>;
      if (res.status !== 200) {
        assertProblem(res, 400, 'InvalidParameterException');
        assert.deepEqual(after, before, 'a refused update changes nothing');
        return;
      }
      stored += 1;
      for (const [name, given] of Object.entries(changes)) {
        if (given === '') assert.ok(!(name in after), `${name} was deleted`);
        else
          assert.equal(
            after[name],
            normaliseValue(
              settings.schema.find((d) => d.name === name)!,
              given,
            ),
            `${name} reads back as written`,
          );
      }
      for (const name of Object.keys(before))
        if (!(name in changes)) assert.equal(after[name], before[name], `${name} was not asked about`);
    }),
    RUNS,
  );
  if (process.env.PROPERTY_STATS) console.log(`${stored} of ${RUNS.numRuns} updates stored`);
  assert.ok(stored >= RUNS.numRuns / 10, `only ${stored} updates were stored`);
});
