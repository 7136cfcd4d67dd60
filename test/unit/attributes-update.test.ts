import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  idTokenAttributeClaims,
  planDelete,
  planUpdate,
  readAttributes,
  type Actor,
  type PoolAttributeSettings,
  type SchemaAttributeInput,
  type UpdatePlan,
  type UserAttributeState,
} from '../../src/modules/attributes/index.ts';
import {
  adminActor,
  assertInvalid,
  assertUnauthorizedWrite,
  assertUnchanged,
  client,
  deepFreeze,
  pool,
  userActor,
} from './attributes-helpers.ts';

const schema: SchemaAttributeInput[] = [
  { name: 'name', required: true },
  { name: 'plan' },
  { name: 'tenant', mutable: false },
  { name: 'active', attributeDataType: 'Boolean' },
  { name: 'secret', developerOnly: true },
];
const both = ['email', 'phone_number'] as const;
const modeA = pool({ schema, autoVerifiedAttributes: [...both] });
const modeB = pool({ schema, autoVerifiedAttributes: [...both], keepOriginalAttributes: [...both] });
const noAutoVerify = pool({ schema });

const OLD_EMAIL = 'ann@example.com';
const NEW_EMAIL = 'ann@new.example';
const OLD_PHONE = '+15551234567';
const NEW_PHONE = '+15559876543';
const state: UserAttributeState = deepFreeze({
  'dev:custom:secret': { value: 's' },
  'custom:active': { value: 'true' },
  'custom:plan': { value: 'free' },
  phone_number: { value: OLD_PHONE, verified: true },
  email: { value: OLD_EMAIL, verified: true },
  given_name: { value: 'Ann' },
  name: { value: 'Ann Lee' },
  sub: { value: '4b2c7f0e-1111-4222-8333-444455556666' },
});
const noContact: UserAttributeState = deepFreeze({ sub: state.sub!, name: state.name! });
const withEmail = (email: { value: string; verified?: boolean; pendingValue?: string | null }): UserAttributeState =>
  deepFreeze({ ...state, email });

const anyClient = userActor();
const listedClient = userActor(client(null, ['name', 'email', 'custom:plan']));
const plan = (parts: Partial<UpdatePlan>): UpdatePlan => ({
  set: {},
  delete: [],
  pending: {},
  clearPending: [],
  verified: {},
  codesFor: [],
  unchanged: [],
  ...parts,
});

type Case = [
  label: string,
  settings: PoolAttributeSettings,
  actor: Actor,
  current: UserAttributeState,
  changes: Record<string, string>,
  expected: UpdatePlan,
];

function runCases(cases: Case[]): void {
  for (const [label, settings, actor, current, changes, expected] of cases) {
    test(label, () => assert.deepEqual(planUpdate(settings, actor, current, deepFreeze(changes)), expected));
  }
}

describe('planUpdate: ordinary attributes (§5.4)', () => {
  runCases([
    [
      'a new value is set',
      modeA,
      anyClient,
      state,
      { given_name: 'Anna', 'custom:plan': 'pro' },
      plan({ set: { given_name: 'Anna', 'custom:plan': 'pro' } }),
    ],
    [
      'an attribute the user did not have is set',
      modeA,
      anyClient,
      state,
      { family_name: 'Lee' },
      plan({ set: { family_name: 'Lee' } }),
    ],
    [
      'the same value again changes nothing',
      modeA,
      anyClient,
      state,
      { given_name: 'Ann' },
      plan({ unchanged: ['given_name'] }),
    ],
    [
      'values are compared in stored form',
      modeA,
      anyClient,
      state,
      { 'custom:active': 'TRUE' },
      plan({ unchanged: ['custom:active'] }),
    ],
    ['a blank value deletes', modeA, anyClient, state, { given_name: '' }, plan({ delete: ['given_name'] })],
    [
      'a blank value on an absent attribute changes nothing',
      modeA,
      anyClient,
      state,
      { nickname: '' },
      plan({ unchanged: ['nickname'] }),
    ],
    [
      'a client with a write list, within it',
      modeA,
      listedClient,
      state,
      { 'custom:plan': 'pro' },
      plan({ set: { 'custom:plan': 'pro' } }),
    ],
    [
      'an admin ignores client lists and writes developer-only attributes',
      modeA,
      adminActor,
      state,
      { 'dev:custom:secret': 't', given_name: 'Anna' },
      plan({ set: { 'dev:custom:secret': 't', given_name: 'Anna' } }),
    ],
    ['an empty update', modeA, anyClient, state, {}, plan({})],
  ]);
});

describe('planUpdate: email and phone without keep-original (mode A)', () => {
  runCases([
    [
      'a user changes email: set, unverified, code to the new value (test vector 6)',
      modeA,
      anyClient,
      state,
      { email: NEW_EMAIL },
      plan({ set: { email: NEW_EMAIL }, verified: { email: false }, codesFor: ['email'] }),
    ],
    [
      'an admin without the flag: the same, the user stays unverified',
      modeA,
      adminActor,
      state,
      { email: NEW_EMAIL },
      plan({ set: { email: NEW_EMAIL }, verified: { email: false }, codesFor: ['email'] }),
    ],
    [
      'no code when the attribute is not auto-verified',
      noAutoVerify,
      anyClient,
      state,
      { email: NEW_EMAIL },
      plan({ set: { email: NEW_EMAIL }, verified: { email: false } }),
    ],
    [
      'a first email',
      modeA,
      anyClient,
      noContact,
      { email: NEW_EMAIL },
      plan({ set: { email: NEW_EMAIL }, verified: { email: false }, codesFor: ['email'] }),
    ],
    [
      'both changed: two codes, email first whatever the order given',
      modeA,
      anyClient,
      state,
      { phone_number: NEW_PHONE, email: NEW_EMAIL },
      plan({
        set: { email: NEW_EMAIL, phone_number: NEW_PHONE },
        verified: { email: false, phone_number: false },
        codesFor: ['email', 'phone_number'],
      }),
    ],
    [
      'the same email again: no code, flag untouched',
      modeA,
      anyClient,
      state,
      { email: OLD_EMAIL },
      plan({ unchanged: ['email'] }),
    ],
    [
      'a stale pending value is dropped when a new value is set',
      modeA,
      anyClient,
      withEmail({ value: OLD_EMAIL, verified: true, pendingValue: 'x@y.z' }),
      { email: NEW_EMAIL },
      plan({ set: { email: NEW_EMAIL }, verified: { email: false }, clearPending: ['email'], codesFor: ['email'] }),
    ],
    [
      'a blank email deletes it (its flag and pending value with it)',
      modeA,
      anyClient,
      withEmail({ value: OLD_EMAIL, verified: true, pendingValue: 'x@y.z' }),
      { email: '' },
      plan({ delete: ['email'] }),
    ],
    [
      'a blank phone on update deletes it',
      modeA,
      anyClient,
      state,
      { phone_number: '' },
      plan({ delete: ['phone_number'] }),
    ],
  ]);
});

describe('planUpdate: administrators and the verified flags', () => {
  runCases([
    [
      'value and "true" together: applied at once, verified, no code',
      modeA,
      adminActor,
      state,
      { email: NEW_EMAIL, email_verified: 'true' },
      plan({ set: { email: NEW_EMAIL }, verified: { email: true } }),
    ],
    [
      'the same in keep-original mode, superseding a pending value',
      modeB,
      adminActor,
      withEmail({ value: OLD_EMAIL, verified: true, pendingValue: 'x@y.z' }),
      { email: NEW_EMAIL, email_verified: 'TRUE' },
      plan({ set: { email: NEW_EMAIL }, verified: { email: true }, clearPending: ['email'] }),
    ],
    [
      '"true" alone verifies the current value',
      modeA,
      adminActor,
      withEmail({ value: OLD_EMAIL, verified: false }),
      { email_verified: 'true' },
      plan({ verified: { email: true } }),
    ],
    [
      '"true" alone promotes a pending value',
      modeB,
      adminActor,
      withEmail({ value: OLD_EMAIL, verified: true, pendingValue: NEW_EMAIL }),
      { email_verified: 'true' },
      plan({ set: { email: NEW_EMAIL }, verified: { email: true }, clearPending: ['email'] }),
    ],
    ['"true" on a verified value changes nothing', modeA, adminActor, state, { email_verified: 'true' }, plan({})],
    [
      '"false" unverifies',
      modeA,
      adminActor,
      state,
      { phone_number_verified: 'false' },
      plan({ verified: { phone_number: false } }),
    ],
    [
      '"false" on an unverified value changes nothing',
      modeA,
      adminActor,
      withEmail({ value: OLD_EMAIL }),
      { email_verified: 'false' },
      plan({}),
    ],
    [
      '"false" with a new value in mode A: set unverified, code sent',
      modeA,
      adminActor,
      state,
      { email: NEW_EMAIL, email_verified: 'false' },
      plan({ set: { email: NEW_EMAIL }, verified: { email: false }, codesFor: ['email'] }),
    ],
    [
      '"false" with a new value in keep-original mode: held pending, current flag kept',
      modeB,
      adminActor,
      state,
      { email: NEW_EMAIL, email_verified: 'false' },
      plan({ pending: { email: NEW_EMAIL }, codesFor: ['email'] }),
    ],
    [
      'the current value with "false": unverified, pending withdrawn',
      modeB,
      adminActor,
      withEmail({ value: OLD_EMAIL, verified: true, pendingValue: NEW_EMAIL }),
      { email: OLD_EMAIL, email_verified: 'false' },
      plan({ unchanged: ['email'], clearPending: ['email'], verified: { email: false } }),
    ],
    [
      'the current value with "true" on an unverified value',
      modeA,
      adminActor,
      withEmail({ value: OLD_EMAIL, verified: false }),
      { email: OLD_EMAIL, email_verified: 'true' },
      plan({ unchanged: ['email'], verified: { email: true } }),
    ],
  ]);

  const invalid: [string, UserAttributeState, Record<string, string>, string][] = [
    [
      'a flag with no value to apply to',
      noContact,
      { email_verified: 'true' },
      'user.email_verified: Cannot be set without a value for email.',
    ],
    [
      'a flag while deleting its attribute',
      state,
      { phone_number: '', phone_number_verified: 'false' },
      'user.phone_number_verified: Cannot be set without a value for phone_number.',
    ],
    [
      'a blank flag',
      state,
      { email_verified: '' },
      'user.email_verified: A verified flag cannot be deleted; set it to "false" instead.',
    ],
    [
      'a flag that is not a boolean',
      state,
      { email_verified: 'yes' },
      'email_verified: The value must be "true" or "false".',
    ],
    ['sub', state, { sub: 'other' }, 'Invalid user attributes: user.sub: Attribute cannot be updated.'],
  ];
  for (const [label, current, changes, message] of invalid) {
    test(`InvalidParameter: ${label}`, () =>
      assertInvalid(() => planUpdate(modeA, adminActor, current, changes), message));
  }
});

describe('planUpdate: keep-original (mode B, docs/api.md decisions)', () => {
  const pendingState = withEmail({ value: OLD_EMAIL, verified: true, pendingValue: NEW_EMAIL });
  runCases([
    [
      'a user change is held pending and a code goes to it; current value and flag stay (test vector 7)',
      modeB,
      anyClient,
      state,
      { email: NEW_EMAIL },
      plan({ pending: { email: NEW_EMAIL }, codesFor: ['email'] }),
    ],
    [
      'an admin change without the flag is held pending too',
      modeB,
      adminActor,
      state,
      { phone_number: NEW_PHONE },
      plan({ pending: { phone_number: NEW_PHONE }, codesFor: ['phone_number'] }),
    ],
    [
      'held pending even when the current value is unverified',
      modeB,
      anyClient,
      withEmail({ value: OLD_EMAIL, verified: false }),
      { email: NEW_EMAIL },
      plan({ pending: { email: NEW_EMAIL }, codesFor: ['email'] }),
    ],
    [
      'with no current value the change is applied at once',
      modeB,
      anyClient,
      noContact,
      { email: NEW_EMAIL },
      plan({ set: { email: NEW_EMAIL }, verified: { email: false }, codesFor: ['email'] }),
    ],
    [
      'the latest pending value wins, with a new code',
      modeB,
      anyClient,
      pendingState,
      { email: 'third@example.com' },
      plan({ pending: { email: 'third@example.com' }, codesFor: ['email'] }),
    ],
    [
      'the pending value again: no new code',
      modeB,
      anyClient,
      pendingState,
      { email: NEW_EMAIL },
      plan({ unchanged: ['email'] }),
    ],
    [
      'the current value again withdraws the pending one',
      modeB,
      anyClient,
      pendingState,
      { email: OLD_EMAIL },
      plan({ unchanged: ['email'], clearPending: ['email'] }),
    ],
    [
      'both pending: two codes, email first',
      modeB,
      anyClient,
      state,
      { phone_number: NEW_PHONE, email: NEW_EMAIL },
      plan({ pending: { email: NEW_EMAIL, phone_number: NEW_PHONE }, codesFor: ['email', 'phone_number'] }),
    ],
    ['a blank value still deletes', modeB, anyClient, pendingState, { email: '' }, plan({ delete: ['email'] })],
  ]);
});

describe('planUpdate: what is refused, with nothing changed', () => {
  const invalid: [string, Actor, Record<string, string>, string][] = [
    [
      'an unknown attribute',
      anyClient,
      { 'custom:nope': 'x' },
      'user.custom:nope: Attribute does not exist in the schema.',
    ],
    [
      'an unknown attribute from an admin',
      adminActor,
      { foo: 'x' },
      'user.foo: Attribute does not exist in the schema.',
    ],
    [
      'an immutable attribute never set (test vector 9)',
      anyClient,
      { 'custom:tenant': 't1' },
      'Invalid user attributes: user.custom:tenant: Attribute cannot be updated.',
    ],
    ['an immutable attribute from an admin', adminActor, { 'custom:tenant': 't1' }, 'Attribute cannot be updated'],
    ['deleting an immutable attribute', anyClient, { 'custom:tenant': '' }, 'Attribute cannot be updated'],
    [
      'deleting a required attribute',
      anyClient,
      { name: '' },
      'user.name: The attribute is required and cannot be deleted.',
    ],
    [
      'deleting a required attribute as admin',
      adminActor,
      { name: '' },
      'user.name: The attribute is required and cannot be deleted.',
    ],
    ['a bad format', anyClient, { phone_number: '555-1234' }, 'Invalid phone number format.'],
    [
      'a value over 2048',
      anyClient,
      { given_name: 'x'.repeat(2049) },
      'given_name: The value must be at most 2048 characters.',
    ],
    ['a bad name', anyClient, { 'given name': 'x' }, 'Invalid attribute name'],
    [
      'the schema before the format',
      anyClient,
      { email: 'bad', 'custom:nope': 'x' },
      'user.custom:nope: Attribute does not exist',
    ],
    ['a format before the required rule', anyClient, { email: 'bad', name: '' }, 'Invalid email address format.'],
  ];
  for (const [label, actor, changes, message] of invalid) {
    test(`InvalidParameter: ${label}`, () => {
      assertInvalid(() => planUpdate(modeA, actor, state, changes), message);
      assertUnchanged([modeA, state, changes], () => planUpdate(modeA, actor, state, changes));
    });
  }

  const unauthorized: [string, Actor, Record<string, string>][] = [
    ['email_verified from a user (test vector 8)', anyClient, { email_verified: 'true' }],
    [
      'email_verified with an email change: nothing else happens',
      anyClient,
      { email: NEW_EMAIL, email_verified: 'true' },
    ],
    ['phone_number_verified "false" from a user', anyClient, { phone_number_verified: 'false' }],
    ['sub from a user', anyClient, { sub: 'x' }],
    ['sub from a user, before unknown names', anyClient, { 'custom:nope': 'x', sub: 'x' }],
    ['an attribute outside the write list (test vector 10)', listedClient, { given_name: 'B' }],
    ['an unknown attribute with a write list', listedClient, { 'custom:nope': 'B' }],
    ['permission before immutability', listedClient, { 'custom:tenant': 'x' }],
    ['a developer-only attribute', anyClient, { 'dev:custom:secret': 'x' }],
  ];
  for (const [label, actor, changes] of unauthorized) {
    test(`NotAuthorized 403: ${label}`, () => {
      assertUnauthorizedWrite(() => planUpdate(modeA, actor, state, changes));
      assertUnchanged([modeA, state, changes], () => planUpdate(modeA, actor, state, changes));
    });
  }

  test('a successful plan leaves its inputs alone', () => {
    const current = withEmail({ value: OLD_EMAIL, verified: true, pendingValue: 'x@y.z' });
    const changes = { email: NEW_EMAIL, given_name: '', 'custom:plan': 'pro' };
    assertUnchanged([modeB, current, changes], () => planUpdate(modeB, anyClient, current, changes));
  });

  test('names reaching Object.prototype are unknown attributes', () =>
    assertInvalid(
      () => planUpdate(modeA, adminActor, state, JSON.parse('{"__proto__": "x"}')),
      'user.__proto__: Attribute does not exist',
    ));
});

describe('planDelete (DeleteUserAttributes)', () => {
  const good: [string, Actor, string[], string[]][] = [
    ['attributes the user has', anyClient, ['given_name', 'custom:plan'], ['given_name', 'custom:plan']],
    [
      'attributes the user does not have are left out',
      anyClient,
      ['given_name', 'nickname', 'custom:active'],
      ['given_name', 'custom:active'],
    ],
    ['an empty list', anyClient, [], []],
    ['email takes its flag with it', anyClient, ['email'], ['email']],
    ['a name twice', anyClient, ['given_name', 'given_name'], ['given_name']],
    ['within the write list', listedClient, ['custom:plan'], ['custom:plan']],
    ['developer-only by an admin', adminActor, ['dev:custom:secret'], ['dev:custom:secret']],
  ];
  for (const [label, actor, names, expected] of good) {
    test(label, () => assert.deepEqual(planDelete(modeA, actor, state, deepFreeze(names)), expected));
  }

  const invalid: [string, Actor, string[], string][] = [
    [
      'an unknown attribute',
      anyClient,
      ['given_name', 'custom:nope'],
      'user.custom:nope: Attribute does not exist in the schema.',
    ],
    ['a required attribute', anyClient, ['name'], 'user.name: The attribute is required and cannot be deleted.'],
    [
      'an immutable attribute',
      anyClient,
      ['custom:tenant'],
      'Invalid user attributes: user.custom:tenant: Attribute cannot be updated.',
    ],
    ['sub by an admin', adminActor, ['sub'], 'Invalid user attributes: user.sub: Attribute cannot be updated.'],
    [
      'a verified flag by an admin',
      adminActor,
      ['email_verified'],
      'user.email_verified: A verified flag cannot be deleted; set it to "false" instead.',
    ],
    ['a bad name', anyClient, [''], 'Invalid attribute name'],
  ];
  for (const [label, actor, names, message] of invalid) {
    test(`InvalidParameter: ${label}`, () => assertInvalid(() => planDelete(modeA, actor, state, names), message));
  }

  const unauthorized: [string, Actor, string[]][] = [
    ['sub by a user', anyClient, ['sub']],
    ['email_verified by a user', anyClient, ['email_verified']],
    ['phone_number_verified by a user', anyClient, ['given_name', 'phone_number_verified']],
    ['outside the write list', listedClient, ['given_name']],
    ['a developer-only attribute by a user', anyClient, ['dev:custom:secret']],
  ];
  for (const [label, actor, names] of unauthorized) {
    test(`NotAuthorized 403: ${label}`, () => {
      assertUnauthorizedWrite(() => planDelete(modeA, actor, state, names));
      assertUnchanged([modeA, state, names], () => planDelete(modeA, actor, state, names));
    });
  }
});

describe('readAttributes and idTokenAttributeClaims', () => {
  const everything = {
    sub: state.sub!.value,
    name: 'Ann Lee',
    given_name: 'Ann',
    email: OLD_EMAIL,
    email_verified: 'true',
    phone_number: OLD_PHONE,
    phone_number_verified: 'true',
    'custom:plan': 'free',
    'custom:active': 'true',
    'dev:custom:secret': 's',
  };

  test('an admin sees every attribute, in schema order, flags as strings', () => {
    const seen = readAttributes(modeA, null, state);
    assert.deepEqual(seen, everything);
    assert.deepEqual(Object.keys(seen), Object.keys(everything));
  });

  const clientCases: [string, string[] | null, Record<string, string>][] = [
    [
      'no read list: everything but developer-only attributes',
      null,
      Object.fromEntries(Object.entries(everything).filter(([n]) => n !== 'dev:custom:secret')),
    ],
    [
      'a read list of email: sub and email only, no error (test vector 11)',
      ['email'],
      { sub: state.sub!.value, email: OLD_EMAIL },
    ],
    [
      'a read list with the flag',
      ['email', 'email_verified'],
      { sub: state.sub!.value, email: OLD_EMAIL, email_verified: 'true' },
    ],
    [
      'a flag listed without its attribute',
      ['phone_number_verified'],
      { sub: state.sub!.value, phone_number_verified: 'true' },
    ],
    ['an empty read list: sub only', [], { sub: state.sub!.value }],
    [
      'a developer-only attribute when listed',
      ['dev:custom:secret'],
      { sub: state.sub!.value, 'dev:custom:secret': 's' },
    ],
  ];
  for (const [label, read, expected] of clientCases) {
    test(label, () => assert.deepEqual(readAttributes(modeA, client(read, null), state), expected));
  }

  test('pending values are never shown; an unset flag reads "false"; absent attributes have no flag', () => {
    const current: UserAttributeState = deepFreeze({
      sub: { value: 'u' },
      email: { value: OLD_EMAIL, pendingValue: NEW_EMAIL },
    });
    assert.deepEqual(readAttributes(modeB, client(), current), { sub: 'u', email: OLD_EMAIL, email_verified: 'false' });
  });

  test('attributes outside the schema are not shown', () =>
    assert.deepEqual(readAttributes(modeA, null, deepFreeze({ sub: { value: 'u' }, 'custom:gone': { value: 'x' } })), {
      sub: 'u',
    }));

  test('ID token claims carry the flags as JSON booleans', () => {
    const current: UserAttributeState = deepFreeze({ ...state, phone_number: { value: OLD_PHONE, verified: false } });
    assert.deepEqual(idTokenAttributeClaims(modeA, client(), current), {
      sub: state.sub!.value,
      name: 'Ann Lee',
      given_name: 'Ann',
      email: OLD_EMAIL,
      email_verified: true,
      phone_number: OLD_PHONE,
      phone_number_verified: false,
      'custom:plan': 'free',
      'custom:active': 'true',
    });
    assert.deepEqual(idTokenAttributeClaims(modeA, client(['email']), current), {
      sub: state.sub!.value,
      email: OLD_EMAIL,
    });
  });
});
