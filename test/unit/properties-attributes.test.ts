/**
 * Property-based tests of the attribute engine (fast-check, fixed seeds): whatever a caller
 * sends, the engine answers or throws a CognitoError of a known name, and what it decides
 * holds together (plans read back as asked, reads never show more than a client may see,
 * users never set a verified flag).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import {
  STANDARD_ATTRIBUTES,
  VERIFIABLE_ATTRIBUTES,
  addCustomAttributes,
  buildPoolAttributeSettings,
  canRead,
  canWrite,
  checkAttributeName,
  classifyUsername,
  idTokenAttributeClaims,
  normaliseValue,
  planDelete,
  planUpdate,
  prepareNewUser,
  readAttributes,
  validateClientPermissions,
  type Actor,
  type ClientAttributePermissions,
  type PoolAttributeSettings,
  type PoolAttributeSettingsInput,
  type SchemaAttributeInput,
  type UpdatePlan,
  type UserAttributeState,
  type VerifiableAttribute,
} from '../../src/modules/attributes/index.ts';
import { deepFreeze } from './attributes-helpers.ts';

const RUNS = {
  seed: Number(process.env.PROPERTY_SEED ?? 20261126),
  numRuns: Number(process.env.PROPERTY_RUNS ?? 300),
} as const;
const FLAGS = new Set(['email_verified', 'phone_number_verified']);

/** How many checked calls succeeded in the current test: a property that only ever sees refusals proves little. */
const tally = { ok: 0, all: 0 };
function assertSomeSucceed(minimum = 0.1): void {
  const { ok, all } = tally;
  if (process.env.PROPERTY_STATS) console.log(`${ok}/${all} succeeded`);
  tally.ok = tally.all = 0;
  assert.ok(ok >= all * minimum, `only ${ok} of ${all} calls succeeded: the arbitraries need more valid input`);
}

/** Runs `run`; a thrown error must be a CognitoError with one of `names` (and a 4xx status). */
function outcome<T>(
  run: () => T,
  names: readonly string[] = ['InvalidParameterException'],
): { ok: true; value: T } | { ok: false; error: CognitoError } {
  tally.all += 1;
  try {
    const value = run();
    tally.ok += 1;
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof CognitoError)) throw new Error(`not a CognitoError: ${String(error)}`, { cause: error });
    assert.ok(names.includes(error.name), `unexpected ${error.name}: ${error.message}`);
    assert.ok(error.status >= 400 && error.status < 500, `status ${error.status}`);
    assert.equal(typeof error.message, 'string');
    return { ok: false, error };
  }
}

// ---- Arbitraries ----------------------------------------------------------------------------

/** Strings a hostile or careless client sends: unicode, controls, NUL, lone surrogates, RTL, very long. */
const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u202E', '\u200B', '🙂', '"', '\\', ' ', '\n', 'a', '='),
    maxLength: 12,
  }),
  fc.constantFrom('x'.repeat(2048), '🙂'.repeat(2048), 'x'.repeat(2049), '__proto__', 'constructor', 'toString'),
);

/** Values shaped like what attributes hold, plus odd ones. */
const attributeValue = fc.oneof(
  { weight: 3, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'true',
      'false',
      'TRUE',
      'False',
      'yes',
      '0',
      '7',
      '007',
      '-12',
      '-0',
      '12345678901234567890123',
      '1.5',
      '1e3',
      '2024-01-31',
      '2024-02-30',
      '2024-01-31T12:00:00Z',
      '2024-01-31T24:00:00Z',
      '2024-01-31T12:00:00.123+05:30',
      '+15555550100',
      '+1',
      '+1234567890123456',
      '15555550100',
      'jane@example.com',
      'JANE@Example.COM',
      'a@b',
      'a@@b',
      'a@b..c',
      `${'l'.repeat(65)}@example.com`,
      'Zoë 🙂',
      '\u202Eevil',
    ),
  },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.emailAddress() },
);

const customNames = ['plan', 'tier', 'age', 'score', 'joined', 'beta', 'note'] as const;
const standardNames = STANDARD_ATTRIBUTES.map((definition) => definition.name);

const dataType = fc.constantFrom('String', 'Number', 'DateTime', 'Boolean') as fc.Arbitrary<
  'String' | 'Number' | 'DateTime' | 'Boolean'
>;
const bound = fc.oneof(
  fc.integer({ min: -5, max: 3000 }),
  fc.constantFrom(0.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, -1),
);

const schemaAttribute: fc.Arbitrary<SchemaAttributeInput> = fc.record(
  {
    name: fc.oneof(
      fc.constantFrom(...customNames),
      fc.constantFrom(...standardNames),
      oddString,
      fc.constantFrom('custom:x', 'dev:custom:y'),
    ),
    attributeDataType: dataType,
    mutable: fc.boolean(),
    required: fc.boolean(),
    developerOnly: fc.boolean(),
    searchable: fc.boolean(),
    stringConstraints: fc.record({ minLength: bound, maxLength: bound }, { requiredKeys: [] }),
    numberConstraints: fc.record({ minValue: bound, maxValue: bound }, { requiredKeys: [] }),
  },
  { requiredKeys: ['name'] },
);

/** A custom attribute declared as a careful administrator would, constraints matching its type. */
const goodCustomAttribute: fc.Arbitrary<SchemaAttributeInput> = fc.oneof(
  fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/),
    attributeDataType: fc.constant('String' as const),
    mutable: fc.boolean(),
    stringConstraints: fc.record(
      { minLength: fc.integer({ min: 0, max: 5 }), maxLength: fc.integer({ min: 5, max: 2048 }) },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/),
    attributeDataType: fc.constant('Number' as const),
    developerOnly: fc.boolean(),
    numberConstraints: fc.record(
      { minValue: fc.integer({ min: -100, max: 0 }), maxValue: fc.integer({ min: 0, max: 100 }) },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/),
    attributeDataType: fc.constantFrom('DateTime', 'Boolean') as fc.Arbitrary<'DateTime' | 'Boolean'>,
    searchable: fc.boolean(),
  }),
);

/** Any pool input, junk included (as a JSON body could carry, cast to the declared type). */
const anyPoolInput = fc.record(
  {
    schema: fc.array(schemaAttribute, { maxLength: 6 }),
    aliasAttributes: fc.array(fc.constantFrom('email', 'phone_number', 'preferred_username', 'nickname', ''), {
      maxLength: 3,
    }),
    usernameAttributes: fc.array(fc.constantFrom('email', 'phone_number', 'sub'), { maxLength: 2 }),
    autoVerifiedAttributes: fc.array(fc.constantFrom('email', 'phone_number', 'name'), { maxLength: 2 }),
    keepOriginalAttributes: fc.array(fc.constantFrom('email', 'phone_number'), { maxLength: 2 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<PoolAttributeSettingsInput>;

/** Pool inputs that are mostly valid, so the engine's deeper rules get exercised. */
const validPoolInput: fc.Arbitrary<PoolAttributeSettingsInput> = fc
  .record({
    custom: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...customNames),
        attributeDataType: dataType,
        mutable: fc.boolean(),
        developerOnly: fc.boolean(),
        searchable: fc.boolean(),
      }),
      { selector: (attribute) => attribute.name, maxLength: 5 },
    ),
    standard: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('name', 'given_name', 'email', 'phone_number', 'nickname', 'birthdate', 'updated_at'),
        required: fc.boolean(),
        mutable: fc.boolean(),
      }),
      { selector: (attribute) => attribute.name, maxLength: 3 },
    ),
    aliases: fc.subarray(['email', 'phone_number', 'preferred_username'] as const),
    usernames: fc.subarray(['email', 'phone_number'] as const),
    useAliases: fc.boolean(),
    autoVerified: fc.subarray(['email', 'phone_number'] as const),
    keepOriginal: fc.subarray(['email', 'phone_number'] as const),
  })
  .map(({ custom, standard, aliases, usernames, useAliases, autoVerified, keepOriginal }) => ({
    schema: [...standard, ...custom],
    aliasAttributes: useAliases ? [...aliases] : [],
    usernameAttributes: useAliases ? [] : [...usernames],
    autoVerifiedAttributes: [...autoVerified],
    keepOriginalAttributes: keepOriginal.filter((name) => autoVerified.includes(name)),
  }));

const validPool: fc.Arbitrary<PoolAttributeSettings> = validPoolInput
  .map((input) => {
    try {
      return deepFreeze(buildPoolAttributeSettings(input));
    } catch {
      return null;
    }
  })
  .filter((settings): settings is PoolAttributeSettings => settings !== null);

const namesOf = (settings: PoolAttributeSettings) => settings.schema.map((definition) => definition.name);

/** A name list a client might be given: schema names, sometimes junk. */
const nameList = (settings: PoolAttributeSettings) =>
  fc.option(
    fc.uniqueArray(
      fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...namesOf(settings)) }, { weight: 1, arbitrary: oddString }),
      { maxLength: 12 },
    ),
    { nil: null, freq: 3 },
  );

const perms = (settings: PoolAttributeSettings): fc.Arbitrary<ClientAttributePermissions> =>
  fc.record({ readAttributes: nameList(settings), writeAttributes: nameList(settings) });

const actor = (settings: PoolAttributeSettings): fc.Arbitrary<Actor> =>
  fc.oneof(
    fc.constant<Actor>({ kind: 'admin' }),
    perms(settings).map((client): Actor => ({ kind: 'user', client })),
  );

/** Attribute changes: schema names (flags and sub included), sometimes unknown or malformed names. */
const changes = (settings: PoolAttributeSettings) =>
  fc.dictionary(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...namesOf(settings)) },
      { weight: 1, arbitrary: oddString },
      { weight: 1, arbitrary: fc.constantFrom('custom:nope', 'dev:custom:plan', '__proto__') },
    ),
    fc.oneof({ weight: 4, arbitrary: attributeValue }, { weight: 1, arbitrary: fc.constantFrom('true', 'false') }),
    { maxKeys: 6 },
  );

/** What a user has stored: values for some schema names, flags and pending values on email and phone. */
const storedState = (settings: PoolAttributeSettings): fc.Arbitrary<UserAttributeState> =>
  fc
    .record({
      sub: fc.uuid(),
      others: fc.dictionary(
        fc.constantFrom(...namesOf(settings).filter((name) => name !== 'sub' && !FLAGS.has(name))),
        attributeValue.filter((v) => v !== ''),
        { maxKeys: 6 },
      ),
      flags: fc.record({ email: fc.boolean(), phone_number: fc.boolean() }),
      pending: fc.record({
        email: fc.option(fc.emailAddress(), { nil: undefined }),
        phone_number: fc.option(fc.constantFrom('+15555550199', '+442071234567'), { nil: undefined }),
      }),
    })
    .map(({ sub, others, flags, pending }) => {
      const state: UserAttributeState = { sub: { value: sub } };
      for (const [name, value] of Object.entries(others)) {
        const verifiable = VERIFIABLE_ATTRIBUTES.find((attribute) => attribute === name);
        state[name] = verifiable
          ? { value, verified: flags[verifiable], pendingValue: pending[verifiable] ?? null }
          : { value };
      }
      return deepFreeze(state);
    });

/** What users.repository's applyUpdatePlan does to the stored rows, as a pure function. */
function applyPlan(current: UserAttributeState, plan: UpdatePlan): UserAttributeState {
  const next: UserAttributeState = structuredClone(current);
  const isVerifiable = (name: string): name is VerifiableAttribute => name === 'email' || name === 'phone_number';
  for (const name of plan.delete) delete next[name];
  for (const [name, value] of Object.entries(plan.set)) {
    next[name] = isVerifiable(name) ? { value, verified: plan.verified[name] ?? false, pendingValue: null } : { value };
  }
  for (const [name, verified] of Object.entries(plan.verified) as [VerifiableAttribute, boolean][]) {
    if (name in plan.set || !next[name]) continue;
    next[name] = { ...next[name], verified };
  }
  for (const [name, pendingValue] of Object.entries(plan.pending)) next[name] = { ...next[name]!, pendingValue };
  for (const name of plan.clearPending)
    if (!(name in plan.set) && next[name]) next[name] = { ...next[name], pendingValue: null };
  return next;
}

const definitionOf = (settings: PoolAttributeSettings, name: string) =>
  settings.schema.find((definition) => definition.name === name);

// ---- Pool schemas ---------------------------------------------------------------------------

test('buildPoolAttributeSettings: any input builds a consistent schema or is an InvalidParameterException', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyPoolInput,
        validPoolInput,
        goodCustomAttribute.map((attribute) => ({ schema: [attribute] })),
      ),
      (input) => {
        const result = outcome(() => buildPoolAttributeSettings(input));
        if (!result.ok) return;
        const { schema } = result.value;
        // The standard attributes come first, in Cognito's order, then custom ones with their prefix.
        assert.deepEqual(
          schema.slice(0, standardNames.length).map((d) => d.name),
          standardNames,
        );
        for (const definition of schema.slice(standardNames.length)) assert.match(definition.name, /^(dev:)?custom:/);
        assert.equal(new Set(schema.map((d) => d.name)).size, schema.length, 'names are unique');
        assert.ok(schema.every((d) => !(d.developerOnly && d.required)));
        const sub = schema.find((d) => d.name === 'sub')!;
        assert.ok(sub.required && !sub.mutable);
        assert.ok(
          result.value.keepOriginalAttributes.every((name) => result.value.autoVerifiedAttributes.includes(name)),
        );
      },
    ),
    RUNS,
  );
  assertSomeSucceed();
});

test('addCustomAttributes: appends and never changes what exists, or is an InvalidParameterException', () => {
  fc.assert(
    fc.property(
      validPool,
      fc.oneof(fc.array(schemaAttribute, { maxLength: 4 }), fc.array(goodCustomAttribute, { maxLength: 3 })),
      (settings, inputs) => {
        const result = outcome(() => addCustomAttributes(settings, inputs));
        if (!result.ok) return;
        assert.deepEqual(result.value.schema.slice(0, settings.schema.length), settings.schema);
        assert.equal(result.value.schema.length, settings.schema.length + inputs.length);
        assert.equal(new Set(result.value.schema.map((d) => d.name)).size, result.value.schema.length);
      },
    ),
    RUNS,
  );
  assertSomeSucceed();
});

test('validateClientPermissions: any lists pass or are an InvalidParameterException; sub and flags are never writable', () => {
  fc.assert(
    fc.property(
      validPool.chain((settings) =>
        fc.tuple(
          fc.constant(settings),
          perms(settings),
          fc.constantFrom('create', 'update') as fc.Arbitrary<'create' | 'update'>,
        ),
      ),
      ([settings, client, operation]) => {
        const result = outcome(() => validateClientPermissions(settings, client, operation));
        for (const name of ['sub', ...FLAGS]) assert.equal(canWrite(settings, client, name), false, name);
        if (result.ok && client.writeAttributes) {
          for (const name of client.writeAttributes)
            assert.ok(canWrite(settings, client, name), `${name} was accepted as writable`);
        }
      },
    ),
    RUNS,
  );
  assertSomeSucceed();
});

// ---- Values ---------------------------------------------------------------------------------

test('normaliseValue: any value is refused with an InvalidParameterException or normalised idempotently', () => {
  fc.assert(
    fc.property(
      validPool.chain((settings) => fc.tuple(fc.constantFrom(...settings.schema), attributeValue)),
      ([definition, value]) => {
        const result = outcome(() => normaliseValue(definition, value));
        if (!result.ok) return;
        assert.equal(normaliseValue(definition, result.value), result.value, 'normalising twice changes nothing');
        if (definition.attributeDataType === 'Boolean') assert.ok(['true', 'false'].includes(result.value));
        if (definition.attributeDataType === 'Number') assert.match(result.value, /^-?\d+$/);
      },
    ),
    RUNS,
  );
  assertSomeSucceed();
});

test('checkAttributeName and classifyUsername: any text passes or is an InvalidParameterException', () => {
  fc.assert(
    fc.property(validPool, fc.oneof(oddString, attributeValue), (settings, text) => {
      outcome(() => checkAttributeName(text));
      const result = outcome(() => classifyUsername(settings, text));
      if (result.ok && result.value.kind !== 'username')
        assert.ok(settings.usernameAttributes.includes(result.value.kind));
    }),
    RUNS,
  );
  assertSomeSucceed();
});

// ---- New users --------------------------------------------------------------------------------

test('prepareNewUser: any attributes are stored as checked values or refused with a known Cognito error', () => {
  fc.assert(
    fc.property(
      validPool.chain((settings) =>
        fc.tuple(
          fc.constant(settings),
          actor(settings),
          changes(settings),
          fc.constantFrom('sign-up', 'admin-create') as fc.Arbitrary<'sign-up' | 'admin-create'>,
        ),
      ),
      ([settings, who, attributes, operation]) => {
        const result = outcome(
          () => prepareNewUser(settings, deepFreeze(who), deepFreeze(attributes), operation),
          ['InvalidParameterException', 'NotAuthorizedException'],
        );
        if (!result.ok) {
          if (result.error.name === 'NotAuthorizedException') assert.equal(who.kind, 'user');
          return;
        }
        const { values, verified } = result.value;
        assert.ok(!('sub' in values), 'sub is assigned by the service');
        for (const name of Object.keys(values)) {
          assert.ok(!FLAGS.has(name), `${name} is kept as a flag, not a value`);
          const definition = definitionOf(settings, name);
          assert.ok(definition, `${name} is in the schema`);
          assert.notEqual(values[name], '');
          assert.equal(values[name], normaliseValue(definition, attributes[name]!));
          if (who.kind === 'user')
            assert.ok(canWrite(settings, who.client, name), `${name} was writable by the client`);
        }
        // Users never set a verified flag; an administrator's flags describe a value given with them.
        if (who.kind === 'user') assert.deepEqual(verified, {});
        for (const name of Object.keys(verified) as VerifiableAttribute[]) assert.ok(values[name] !== undefined);
        if (operation === 'sign-up') {
          for (const definition of settings.schema) {
            if (definition.required && definition.name !== 'sub')
              assert.ok(values[definition.name] !== undefined, `${definition.name} is required`);
          }
        }
      },
    ),
    RUNS,
  );
  assertSomeSucceed();
});

// ---- Updates and deletes ----------------------------------------------------------------------

test('planUpdate: any change is planned or refused with a known Cognito error; applied, it reads back as asked', () => {
  fc.assert(
    fc.property(
      validPool.chain((settings) =>
        fc.tuple(fc.constant(settings), actor(settings), storedState(settings), changes(settings)),
      ),
      ([settings, who, current, asked]) => {
        const result = outcome(
          () => planUpdate(settings, deepFreeze(who), current, deepFreeze(asked)),
          ['InvalidParameterException', 'NotAuthorizedException'],
        );
        if (!result.ok) {
          if (result.error.name === 'NotAuthorizedException') assert.equal(who.kind, 'user');
          return;
        }
        const plan = result.value;
        if (who.kind === 'user') {
          // A user's update can only ever clear a verified flag (a changed value), never set one.
          for (const verified of Object.values(plan.verified)) assert.equal(verified, false);
          for (const name of Object.keys(asked))
            assert.ok(canWrite(settings, who.client, name), `${name} was writable by the client`);
        }
        for (const name of Object.keys(plan.set)) assert.ok(!FLAGS.has(name) && name !== 'sub');
        assert.ok(!plan.delete.includes('sub'));
        assert.deepEqual(
          plan.codesFor,
          VERIFIABLE_ATTRIBUTES.filter((name) => plan.codesFor.includes(name)),
          'email before phone_number',
        );

        const after = readAttributes(settings, null, applyPlan(current, plan));
        const before = readAttributes(settings, null, current);
        for (const [name, value] of Object.entries(asked)) {
          if (FLAGS.has(name)) continue;
          if (value === '') {
            assert.ok(!(name in after), `${name} was deleted`);
            continue;
          }
          const wanted = normaliseValue(definitionOf(settings, name)!, value);
          const pending = plan.pending[name as VerifiableAttribute];
          if (pending !== undefined) {
            // Keep-original: the current value stays until the new one is verified.
            assert.equal(pending, wanted);
            assert.equal(after[name], before[name]);
            assert.ok(plan.codesFor.includes(name as VerifiableAttribute));
          } else if (current[name]?.pendingValue === wanted && !(name in plan.set)) {
            assert.equal(after[name], before[name], 'the same pending value again changes nothing');
          } else {
            assert.equal(after[name], wanted, `${name} reads back as written`);
          }
        }
        // A changed email or phone is unverified unless an administrator said otherwise.
        for (const name of VERIFIABLE_ATTRIBUTES) {
          if (name in plan.set && asked[`${name}_verified`] === undefined)
            assert.equal(after[`${name}_verified`], 'false');
        }
        // Nothing that was not asked about changes (a verified flag alone may promote its attribute's pending value).
        for (const name of Object.keys(before)) {
          const owner = name.replace(/_verified$/, '');
          if (!(name in asked) && !(owner in asked) && !(`${name}_verified` in asked))
            assert.equal(after[name], before[name], `${name} was not asked about`);
        }
      },
    ),
    RUNS,
  );
  assertSomeSucceed();
});

test('planDelete: deletes only names the user has, under the same rules as a blank update', () => {
  fc.assert(
    fc.property(
      validPool.chain((settings) =>
        fc.tuple(
          fc.constant(settings),
          actor(settings),
          storedState(settings),
          fc.array(fc.oneof(fc.constantFrom(...namesOf(settings)), oddString), { maxLength: 5 }),
        ),
      ),
      ([settings, who, current, names]) => {
        const result = outcome(
          () => planDelete(settings, deepFreeze(who), current, names),
          ['InvalidParameterException', 'NotAuthorizedException'],
        );
        if (!result.ok) return;
        for (const name of result.value) {
          assert.ok(names.includes(name) && Object.hasOwn(current, name), name);
          assert.ok(!definitionOf(settings, name)!.required, `${name} is required`);
        }
      },
    ),
    RUNS,
  );
  assertSomeSucceed();
});

// ---- Reads and ID tokens ----------------------------------------------------------------------

test('readAttributes and idTokenAttributeClaims show only what the client may read, never a pending value', () => {
  fc.assert(
    fc.property(
      validPool.chain((settings) =>
        fc.tuple(fc.constant(settings), fc.option(perms(settings), { nil: null }), storedState(settings)),
      ),
      ([settings, client, state]) => {
        const read = readAttributes(settings, client, state);
        assert.equal(read.sub, state.sub!.value, 'sub is always shown');
        const order = namesOf(settings);
        assert.deepEqual(
          Object.keys(read),
          order.filter((name) => name in read),
          'schema order',
        );
        for (const [name, value] of Object.entries(read)) {
          if (client) assert.ok(canRead(settings, client, name), `${name} is readable`);
          else assert.ok(definitionOf(settings, name), `${name} is in the schema`);
          const owner = name.replace(/_verified$/, '');
          if (FLAGS.has(name)) assert.equal(value, String(state[owner]!.verified ?? false));
          else assert.equal(value, state[name]!.value, 'the current value, not a pending one');
        }
        if (client) {
          const claims = idTokenAttributeClaims(settings, client, state);
          assert.deepEqual(Object.keys(claims), Object.keys(read));
          for (const [name, claim] of Object.entries(claims)) {
            if (FLAGS.has(name)) assert.equal(claim, read[name] === 'true');
            else assert.equal(claim, read[name]);
          }
        }
      },
    ),
    RUNS,
  );
});
