import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STANDARD_ATTRIBUTES,
  addCustomAttributes,
  buildPoolAttributeSettings,
  type PoolAttributeSettingsInput,
  type SchemaAttributeInput,
} from '../../src/modules/attributes/index.ts';
import { assertInvalid, assertUnchanged, deepFreeze, pool } from './attributes-helpers.ts';

const build = (input: PoolAttributeSettingsInput) => buildPoolAttributeSettings(deepFreeze(input));
const customs = (count: number): SchemaAttributeInput[] =>
  Array.from({ length: count }, (_, i) => ({ name: `attr${i}` }));
const entry = (input: PoolAttributeSettingsInput, name: string) => build(input).schema.find((d) => d.name === name);

describe('pool creation: standard attributes (§1.1)', () => {
  test('required and mutable can be set; the rest of the entry stays', () => {
    const settings = build({
      schema: [
        { name: 'email', required: true },
        { name: 'name', mutable: false },
      ],
    });
    assert.deepEqual(
      settings.schema.slice(0, 20).map((d) => d.name),
      STANDARD_ATTRIBUTES.map((d) => d.name),
    );
    assert.deepEqual(
      settings.schema.find((d) => d.name === 'email'),
      { ...STANDARD_ATTRIBUTES[10], required: true },
    );
    assert.deepEqual(
      settings.schema.find((d) => d.name === 'name'),
      { ...STANDARD_ATTRIBUTES[1], mutable: false },
    );
    assert.equal(STANDARD_ATTRIBUTES[10]!.required, false, 'the catalog is untouched');
  });

  const accepted: [string, SchemaAttributeInput][] = [
    ['its own type restated', { name: 'email', attributeDataType: 'String', required: true }],
    [
      'its own constraints restated (as Terraform does)',
      { name: 'email', stringConstraints: { minLength: 0, maxLength: 2048 } },
    ],
    [
      'updated_at with its own number constraint',
      { name: 'updated_at', attributeDataType: 'Number', numberConstraints: { minValue: 0 } },
    ],
    ['developerOnly false', { name: 'gender', developerOnly: false }],
    ['sub restated as it is', { name: 'sub', required: true, mutable: false }],
  ];
  for (const [label, attribute] of accepted) {
    test(`accepts ${label}`, () => assert.doesNotThrow(() => build({ schema: [attribute] })));
  }

  const rejected: [string, SchemaAttributeInput, string][] = [
    [
      'a type change',
      { name: 'email', attributeDataType: 'Number' },
      'email: The data type of a standard attribute cannot be changed.',
    ],
    [
      'a developer-only standard attribute',
      { name: 'address', developerOnly: true },
      'address: A standard attribute cannot be developer-only.',
    ],
    [
      'a constraint change',
      { name: 'email', stringConstraints: { maxLength: 100 } },
      'email: The constraints of a standard attribute cannot be changed.',
    ],
    ['number constraints on a String', { name: 'email', numberConstraints: { minValue: 0 } }, 'email: The constraints'],
    ['sub made optional', { name: 'sub', required: false }, 'sub: The sub attribute cannot be changed.'],
    ['sub made mutable', { name: 'sub', mutable: true }, 'sub: The sub attribute cannot be changed.'],
    ['sub as a Number', { name: 'sub', attributeDataType: 'Number' }, 'sub: The data type'],
    [
      'phone_number_verified (taken as a 21-char custom name)',
      { name: 'phone_number_verified' },
      "Value 'phone_number_verified' at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20",
    ],
    [
      'email_verified',
      { name: 'email_verified', required: true },
      'email_verified: Verified flags are built in and cannot be configured.',
    ],
  ];
  for (const [label, attribute, message] of rejected) {
    test(`rejects ${label}`, () => assertInvalid(() => build({ schema: [attribute] }), message));
  }
});

describe('pool creation: custom attributes (§2)', () => {
  test('defaults: String, mutable, optional, not developer-only, after the standard ones, in order', () => {
    const settings = build({ schema: [{ name: 'plan' }, { name: 'email', required: true }, { name: 'tier' }] });
    assert.equal(settings.schema.length, 22);
    assert.deepEqual(settings.schema.slice(20), [
      { name: 'custom:plan', attributeDataType: 'String', mutable: true, required: false, developerOnly: false },
      { name: 'custom:tier', attributeDataType: 'String', mutable: true, required: false, developerOnly: false },
    ]);
  });

  test('types, constraints, immutability and developer-only names', () => {
    const settings = build({
      schema: [
        { name: 'score', attributeDataType: 'Number', numberConstraints: { minValue: -5, maxValue: 5 } },
        { name: 'code', stringConstraints: { minLength: 3, maxLength: 3 } },
        { name: 'bio', stringConstraints: { maxLength: 2048 } },
        { name: 'since', attributeDataType: 'DateTime' },
        { name: 'active', attributeDataType: 'Boolean', mutable: false },
        { name: 'secret', developerOnly: true },
        { name: 'required_no', required: false },
      ],
    });
    assert.deepEqual(settings.schema.slice(20), [
      {
        name: 'custom:score',
        attributeDataType: 'Number',
        mutable: true,
        required: false,
        developerOnly: false,
        numberConstraints: { minValue: -5, maxValue: 5 },
      },
      {
        name: 'custom:code',
        attributeDataType: 'String',
        mutable: true,
        required: false,
        developerOnly: false,
        stringConstraints: { minLength: 3, maxLength: 3 },
      },
      {
        name: 'custom:bio',
        attributeDataType: 'String',
        mutable: true,
        required: false,
        developerOnly: false,
        stringConstraints: { maxLength: 2048 },
      },
      { name: 'custom:since', attributeDataType: 'DateTime', mutable: true, required: false, developerOnly: false },
      { name: 'custom:active', attributeDataType: 'Boolean', mutable: false, required: false, developerOnly: false },
      { name: 'dev:custom:secret', attributeDataType: 'String', mutable: true, required: false, developerOnly: true },
      { name: 'custom:required_no', attributeDataType: 'String', mutable: true, required: false, developerOnly: false },
    ]);
  });

  for (const name of ['x', 'a'.repeat(20), '名前', 'a-b.c_d', 'Plan']) {
    test(`accepts the name ${name}`, () => assert.ok(entry({ schema: [{ name }] }, `custom:${name}`)));
  }
  test('accepts 50 custom attributes', () => assert.equal(build({ schema: customs(50) }).schema.length, 70));
  test('names are case-sensitive: plan and Plan are two attributes', () =>
    assert.equal(build({ schema: [{ name: 'plan' }, { name: 'Plan' }] }).schema.length, 22));

  const rejected: [string, SchemaAttributeInput[], string][] = [
    [
      'a custom: prefix',
      [{ name: 'custom:plan' }],
      'custom:plan: Give the bare name of a custom attribute; the custom: (or dev:custom:) prefix is added automatically.',
    ],
    ['a dev:custom: prefix', [{ name: 'dev:custom:plan', developerOnly: true }], 'prefix is added automatically'],
    [
      'a 21-char name',
      [{ name: 'a'.repeat(21) }],
      `Value '${'a'.repeat(21)}' at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20`,
    ],
    ['a long name, reporting its position', [{ name: 'ok' }, { name: 'b'.repeat(25) }], "at 'schema.2.member.name'"],
    ['an empty name', [{ name: '' }], 'Member must have length greater than or equal to 1'],
    [
      'a name with a space',
      [{ name: 'my plan' }],
      'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+',
    ],
    [
      'a required custom attribute',
      [{ name: 'plan', required: true }],
      'Required custom attributes are not supported currently.',
    ],
    ['51 custom attributes', customs(51), 'A user pool can have at most 50 custom attributes.'],
    [
      'a duplicate custom name',
      [{ name: 'plan' }, { name: 'plan', attributeDataType: 'Number' }],
      'Duplicate attribute name in schema: plan.',
    ],
    [
      'a duplicate standard name',
      [
        { name: 'email', required: true },
        { name: 'email', mutable: false },
      ],
      'Duplicate attribute name in schema: email.',
    ],
    [
      'the same bare name as developer-only and not',
      [{ name: 'x' }, { name: 'x', developerOnly: true }],
      'Duplicate attribute name in schema: x.',
    ],
    [
      'a String longer than 2048',
      [{ name: 'bio', stringConstraints: { maxLength: 2049 } }],
      'custom:bio: String attributes cannot have a length of more than 2048',
    ],
    [
      'MinLength above MaxLength',
      [{ name: 'code', stringConstraints: { minLength: 5, maxLength: 4 } }],
      'custom:code: MinLength cannot be greater than MaxLength.',
    ],
    [
      'MinLength above the default maximum',
      [{ name: 'code', stringConstraints: { minLength: 2049 } }],
      'custom:code: MinLength cannot be greater than MaxLength.',
    ],
    [
      'a negative MinLength',
      [{ name: 'code', stringConstraints: { minLength: -1 } }],
      'custom:code: String length constraints must be non-negative integers.',
    ],
    [
      'a fractional MaxLength',
      [{ name: 'code', stringConstraints: { maxLength: 2.5 } }],
      'custom:code: String length constraints must be non-negative integers.',
    ],
    [
      'MinValue above MaxValue',
      [{ name: 'score', attributeDataType: 'Number', numberConstraints: { minValue: 2, maxValue: 1 } }],
      'custom:score: MinValue cannot be greater than MaxValue.',
    ],
    [
      'a fractional number bound',
      [{ name: 'score', attributeDataType: 'Number', numberConstraints: { maxValue: 1.5 } }],
      'custom:score: Number constraints must be integers.',
    ],
    [
      'string constraints on a Number',
      [{ name: 'score', attributeDataType: 'Number', stringConstraints: { maxLength: 5 } }],
      'custom:score: String constraints apply only to String attributes.',
    ],
    [
      'number constraints on a String',
      [{ name: 'plan', numberConstraints: { minValue: 0 } }],
      'custom:plan: Number constraints apply only to Number attributes.',
    ],
    [
      'constraints on a Boolean',
      [{ name: 'on', attributeDataType: 'Boolean', stringConstraints: {} }],
      'custom:on: String constraints apply only to String attributes.',
    ],
    [
      'number constraints on a developer-only DateTime',
      [{ name: 'd', attributeDataType: 'DateTime', developerOnly: true, numberConstraints: {} }],
      'dev:custom:d: Number constraints',
    ],
  ];
  for (const [label, schema, message] of rejected) {
    test(`rejects ${label}`, () => assertInvalid(() => build({ schema }), message));
  }
});

describe('pool creation: sign-in and verification settings (§3, §5.4, §6)', () => {
  test('lists are kept, as copies', () => {
    const input = deepFreeze({
      aliasAttributes: ['email', 'preferred_username'],
      autoVerifiedAttributes: ['email', 'phone_number'],
      keepOriginalAttributes: ['email'],
    } satisfies PoolAttributeSettingsInput);
    const settings = buildPoolAttributeSettings(input);
    assert.deepEqual(settings.aliasAttributes, ['email', 'preferred_username']);
    assert.deepEqual(settings.usernameAttributes, []);
    assert.deepEqual(settings.autoVerifiedAttributes, ['email', 'phone_number']);
    assert.deepEqual(settings.keepOriginalAttributes, ['email']);
    assert.notEqual(settings.aliasAttributes, input.aliasAttributes);
  });

  const accepted: [string, PoolAttributeSettingsInput][] = [
    ['username attributes', { usernameAttributes: ['email', 'phone_number'] }],
    [
      'preferred_username required when it is not an alias',
      { schema: [{ name: 'preferred_username', required: true }], aliasAttributes: ['email'] },
    ],
    ['preferred_username an alias when it is not required', { aliasAttributes: ['preferred_username'] }],
    [
      'keep-original for both, both auto-verified',
      { autoVerifiedAttributes: ['phone_number', 'email'], keepOriginalAttributes: ['email', 'phone_number'] },
    ],
  ];
  for (const [label, input] of accepted) test(`accepts ${label}`, () => assert.doesNotThrow(() => build(input)));

  const rejected: [string, PoolAttributeSettingsInput, string][] = [
    [
      'alias and username attributes together',
      { aliasAttributes: ['email'], usernameAttributes: ['phone_number'] },
      'Only one of aliasAttributes or usernameAttributes can be set in a user pool.',
    ],
    [
      'preferred_username both required and an alias',
      { schema: [{ name: 'preferred_username', required: true }], aliasAttributes: ['preferred_username'] },
      'preferred_username cannot be both a required attribute and an alias.',
    ],
    [
      'keep-original outside auto-verified',
      { autoVerifiedAttributes: ['email'], keepOriginalAttributes: ['email', 'phone_number'] },
      'All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes',
    ],
    [
      'keep-original with nothing auto-verified',
      { keepOriginalAttributes: ['email'] },
      'All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes',
    ],
    [
      'a duplicate alias',
      { aliasAttributes: ['email', 'email'] },
      'aliasAttributes: Duplicate values are not allowed.',
    ],
    [
      'a duplicate auto-verified attribute',
      { autoVerifiedAttributes: ['email', 'email'] },
      'autoVerifiedAttributes: Duplicate values are not allowed.',
    ],
    [
      'a duplicate keep-original attribute',
      { autoVerifiedAttributes: ['email'], keepOriginalAttributes: ['email', 'email'] },
      'keepOriginalAttributes: Duplicate values are not allowed.',
    ],
    [
      'a duplicate username attribute',
      { usernameAttributes: ['email', 'email'] },
      'usernameAttributes: Duplicate values are not allowed.',
    ],
    [
      'an unknown alias',
      { aliasAttributes: ['name' as 'email'] },
      'aliasAttributes: name is not one of email, phone_number, preferred_username.',
    ],
    [
      'a non-verifiable auto-verified attribute',
      { autoVerifiedAttributes: ['preferred_username' as 'email'] },
      'autoVerifiedAttributes: preferred_username is not one of email, phone_number.',
    ],
  ];
  for (const [label, input, message] of rejected)
    test(`rejects ${label}`, () => assertInvalid(() => build(input), message));
});

describe('AddCustomAttributes (§2)', () => {
  const base = pool({
    schema: [{ name: 'plan' }, { name: 'secret', developerOnly: true }],
    aliasAttributes: ['email'],
  });

  test('appends in order and returns a new object, leaving the pool as it was', () => {
    const before = structuredClone(base);
    const added = addCustomAttributes(
      base,
      deepFreeze([
        { name: 'tier', mutable: false },
        { name: 'score', attributeDataType: 'Number' },
      ]),
    );
    assert.deepEqual(base, before);
    assert.notEqual(added, base);
    assert.deepEqual(added.schema.slice(0, 22), base.schema);
    assert.deepEqual(added.schema.slice(22), [
      { name: 'custom:tier', attributeDataType: 'String', mutable: false, required: false, developerOnly: false },
      { name: 'custom:score', attributeDataType: 'Number', mutable: true, required: false, developerOnly: false },
    ]);
    assert.deepEqual(added.aliasAttributes, ['email']);
    added.schema[20]!.mutable = false;
    added.aliasAttributes.push('phone_number');
    assert.deepEqual(base, before, 'the result shares nothing with its input');
  });

  test('up to 50 custom attributes in all', () => {
    const full = pool({ schema: customs(49) });
    assert.equal(addCustomAttributes(full, [{ name: 'last' }]).schema.length, 70);
    assertInvalid(
      () => addCustomAttributes(full, [{ name: 'one' }, { name: 'two' }]),
      'A user pool can have at most 50 custom attributes.',
    );
  });

  const rejected: [string, SchemaAttributeInput[], string][] = [
    ['an existing name', [{ name: 'plan' }], 'custom:plan: Existing attribute already has name custom:plan.'],
    [
      'an existing name with another type',
      [{ name: 'plan', attributeDataType: 'Number' }],
      'custom:plan: Existing attribute already has name custom:plan.',
    ],
    [
      'an existing developer-only name',
      [{ name: 'secret' }],
      'dev:custom:secret: Existing attribute already has name dev:custom:secret.',
    ],
    [
      'the same new name twice',
      [{ name: 'tier' }, { name: 'tier' }],
      'custom:tier: Existing attribute already has name custom:tier.',
    ],
    [
      'a standard name',
      [{ name: 'email', required: true }],
      'email: Standard attributes are configured when the pool is created; only custom attributes can be added.',
    ],
    ['a custom: prefix', [{ name: 'custom:tier' }], 'prefix is added automatically'],
    ['a verified flag', [{ name: 'phone_number_verified' }], 'Member must have length less than or equal to 20'],
    [
      'a required attribute',
      [{ name: 'tier', required: true }],
      'Required custom attributes are not supported currently.',
    ],
    [
      'a bad constraint',
      [{ name: 'tier', stringConstraints: { maxLength: 4096 } }],
      'custom:tier: String attributes cannot have a length of more than 2048',
    ],
    ['an empty list', [], 'At least one custom attribute must be given.'],
  ];
  for (const [label, inputs, message] of rejected) {
    test(`rejects ${label}, changing nothing`, () => {
      assertInvalid(() => addCustomAttributes(base, inputs), message);
      assertUnchanged([base, inputs], () => addCustomAttributes(base, inputs));
    });
  }
});

describe('searchable custom attributes (ListUsers filters)', () => {
  test('custom attributes are not searchable unless marked; the mark is kept only when true', () => {
    const settings = build({
      schema: [{ name: 'plan', searchable: true }, { name: 'tier' }, { name: 'off', searchable: false }],
    });
    assert.equal(entry({ schema: [{ name: 'plan', searchable: true }] }, 'custom:plan')?.searchable, true);
    assert.ok(!('searchable' in settings.schema.find((d) => d.name === 'custom:tier')!));
    assert.ok(!('searchable' in settings.schema.find((d) => d.name === 'custom:off')!));
    assert.ok(settings.schema.filter((d) => d.searchable).every((d) => d.name === 'custom:plan'));
  });

  test('AddCustomAttributes may add a searchable one', () => {
    const added = addCustomAttributes(build({}), [{ name: 'team', searchable: true }]);
    assert.equal(added.schema.at(-1)?.searchable, true);
  });

  test('standard attributes follow Cognito’s fixed list: searchable true is refused, false is a harmless restatement', () => {
    assertInvalid(
      () => build({ schema: [{ name: 'locale', searchable: true }] }),
      'Only custom attributes can be made searchable',
    );
    assert.equal(entry({ schema: [{ name: 'locale', searchable: false }] }, 'locale')?.searchable, undefined);
  });
});
