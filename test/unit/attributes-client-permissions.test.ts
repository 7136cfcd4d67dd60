import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canRead, canWrite, validateClientPermissions } from '../../src/modules/attributes/index.ts';
import { assertInvalid, assertUnchanged, client, pool } from './attributes-helpers.ts';

const settings = pool({
  schema: [
    { name: 'email', required: true },
    { name: 'plan' },
    { name: 'tenant', mutable: false },
    { name: 'secret', developerOnly: true },
  ],
});

describe("validating a client's lists (§4, §3)", () => {
  const accepted: [string, string[] | null, string[] | null][] = [
    ['no lists', null, null],
    [
      'every kind of readable name',
      ['sub', 'email', 'email_verified', 'phone_number_verified', 'custom:plan', 'dev:custom:secret'],
      null,
    ],
    [
      'a write list with the required attribute, custom and immutable ones',
      null,
      ['email', 'given_name', 'custom:plan', 'custom:tenant'],
    ],
    ['empty read list', [], ['email']],
  ];
  for (const operation of ['create', 'update'] as const) {
    for (const [label, read, write] of accepted) {
      test(`${operation}: accepts ${label}`, () =>
        assert.doesNotThrow(() => validateClientPermissions(settings, client(read, write), operation)));
    }
  }

  const badWrites: [string, string[]][] = [
    ['sub', ['email', 'sub']],
    ['email_verified', ['email', 'email_verified']],
    ['phone_number_verified', ['email', 'phone_number_verified']],
    ['a developer-only attribute', ['email', 'dev:custom:secret']],
    ['an unknown attribute', ['email', 'custom:nope']],
    ['a bare custom name', ['email', 'plan']],
    ['no required attribute (empty list)', []],
    ['a list without the required email', ['given_name', 'custom:plan']],
  ];
  const badReads: [string, string[]][] = [
    ['an unknown attribute', ['email', 'nope']],
    ['an unknown custom attribute', ['custom:nope']],
    ['a developer-only name without its prefix', ['custom:secret']],
  ];
  for (const [operation, suffix] of [
    ['create', 'while creating a client'],
    ['update', 'while updating a client'],
  ] as const) {
    for (const [label, write] of badWrites) {
      test(`${operation}: rejects a write list with ${label}`, () =>
        assertInvalid(
          () => validateClientPermissions(settings, client(null, write), operation),
          `Invalid write attributes specified ${suffix}`,
        ));
    }
    for (const [label, read] of badReads) {
      test(`${operation}: rejects a read list with ${label}`, () =>
        assertInvalid(
          () => validateClientPermissions(settings, client(read, null), operation),
          `Invalid read attributes specified ${suffix}`,
        ));
    }
  }

  test('pools without required attributes accept an empty write list', () =>
    assert.doesNotThrow(() => validateClientPermissions(pool(), client(null, []), 'create')));
  test('the lists are not changed', () => {
    const perms = { readAttributes: ['email'], writeAttributes: ['given_name'] };
    assertUnchanged([settings, perms], () => validateClientPermissions(settings, perms, 'update'));
  });
});

describe('canRead (docs/api.md: no list reads everything but developer-only)', () => {
  const cases: [string, string[] | null, string, boolean][] = [
    ['no list', null, 'email', true],
    ['no list', null, 'email_verified', true],
    ['no list', null, 'phone_number_verified', true],
    ['no list', null, 'custom:plan', true],
    ['no list', null, 'custom:tenant', true],
    ['no list', null, 'dev:custom:secret', false],
    ['no list', null, 'custom:nope', false],
    ['no list', null, 'sub', true],
    ['a list', ['email'], 'sub', true],
    ['a list', [], 'sub', true],
    ['a list', ['email'], 'email', true],
    ['a list', ['email'], 'given_name', false],
    ['a list', ['email'], 'email_verified', false],
    ['a list', ['email', 'email_verified'], 'email_verified', true],
    ['a list', ['email', 'email_verified'], 'phone_number_verified', false],
    ['a list', ['custom:plan'], 'custom:plan', true],
    ['a list', ['email'], 'custom:plan', false],
    ['a list', ['dev:custom:secret'], 'dev:custom:secret', true],
  ];
  for (const [label, read, name, expected] of cases) {
    test(`${label} ${JSON.stringify(read)}: ${name} → ${expected}`, () =>
      assert.equal(canRead(settings, client(read, null), name), expected));
  }
});

describe('canWrite (docs/api.md: no list writes everything a client ever may)', () => {
  const cases: [string, string[] | null, string, boolean][] = [
    ['no list', null, 'email', true],
    ['no list', null, 'given_name', true],
    ['no list', null, 'custom:plan', true],
    ["no list (mutability is the engine's rule)", null, 'custom:tenant', true],
    ['no list', null, 'sub', false],
    ['no list', null, 'email_verified', false],
    ['no list', null, 'phone_number_verified', false],
    ['no list', null, 'dev:custom:secret', false],
    ['no list', null, 'custom:nope', false],
    ['a list', ['email'], 'email', true],
    ['a list', ['email'], 'given_name', false],
    ['a list', ['email', 'custom:plan'], 'custom:plan', true],
    ['a list', ['email'], 'custom:plan', false],
  ];
  for (const [label, write, name, expected] of cases) {
    test(`${label} ${JSON.stringify(write)}: ${name} → ${expected}`, () =>
      assert.equal(canWrite(settings, client(null, write), name), expected));
  }
});
