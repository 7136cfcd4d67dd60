import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STANDARD_ATTRIBUTES,
  buildPoolAttributeSettings,
  checkAttributeName,
  isStandardAttribute,
  normaliseValue,
  type AttributeDefinition,
} from '../../src/modules/attributes/index.ts';
import { assertInvalid } from './attributes-helpers.ts';

const standard = (name: string): AttributeDefinition => {
  const definition = STANDARD_ATTRIBUTES.find((d) => d.name === name);
  assert.ok(definition, name);
  return definition;
};
const custom = (over: Partial<AttributeDefinition>): AttributeDefinition => ({
  name: 'custom:x',
  attributeDataType: 'String',
  mutable: true,
  required: false,
  developerOnly: false,
  ...over,
});

describe('standard attributes (§1.1, test vector 1)', () => {
  const str = (name: string, minLength = 0, maxLength = 2048) => ({
    name,
    attributeDataType: 'String',
    mutable: true,
    required: false,
    developerOnly: false,
    stringConstraints: { minLength, maxLength },
  });
  const flag = (name: string) => ({
    name,
    attributeDataType: 'Boolean',
    mutable: true,
    required: false,
    developerOnly: false,
  });
  const expected = [
    { ...str('sub', 1), mutable: false, required: true },
    ...[
      'name',
      'given_name',
      'family_name',
      'middle_name',
      'nickname',
      'preferred_username',
      'profile',
      'picture',
      'website',
      'email',
    ].map((n) => str(n)),
    flag('email_verified'),
    str('gender'),
    str('birthdate', 10, 10),
    str('zoneinfo'),
    str('locale'),
    str('phone_number'),
    flag('phone_number_verified'),
    str('address'),
    {
      name: 'updated_at',
      attributeDataType: 'Number',
      mutable: true,
      required: false,
      developerOnly: false,
      numberConstraints: { minValue: 0 },
    },
  ];

  test('the catalog holds the 20 entries exactly, in Cognito order', () => {
    assert.equal(STANDARD_ATTRIBUTES.length, 20);
    assert.deepEqual(STANDARD_ATTRIBUTES, expected);
  });

  test('a new pool has exactly the standard schema and empty lists', () => {
    assert.deepEqual(buildPoolAttributeSettings({}), {
      schema: expected,
      aliasAttributes: [],
      usernameAttributes: [],
      autoVerifiedAttributes: [],
      keepOriginalAttributes: [],
    });
  });

  test('the catalog cannot be changed by its users', () => {
    assert.throws(() => {
      (STANDARD_ATTRIBUTES[0] as AttributeDefinition).mutable = true;
    }, TypeError);
    assert.throws(() => {
      (STANDARD_ATTRIBUTES[13]!.stringConstraints as { maxLength: number }).maxLength = 5;
    }, TypeError);
  });

  for (const [name, expectedResult] of [
    ['email', true],
    ['email_verified', true],
    ['updated_at', true],
    ['custom:email', false],
    ['identities', false],
    ['Email', false],
  ] as const) {
    test(`isStandardAttribute(${name}) is ${expectedResult}`, () =>
      assert.equal(isStandardAttribute(name), expectedResult));
  }
});

describe('attribute names (AttributeType.Name: 1-32 chars of the pattern)', () => {
  for (const name of [
    'email',
    'custom:plan',
    'dev:custom:x',
    'a',
    'x'.repeat(32),
    'custom:名前',
    'custom:€uro',
    'custom:a_b-c.d',
  ]) {
    test(`accepts ${JSON.stringify(name)}`, () => assert.doesNotThrow(() => checkAttributeName(name)));
  }
  for (const name of ['', 'x'.repeat(33), 'custom: x', 'a\tb', 'custom:x\n', 'given name']) {
    test(`rejects ${JSON.stringify(name)}`, () =>
      assertInvalid(() => checkAttributeName(name), 'Invalid attribute name'));
  }
});

describe('values: good ones and their stored form', () => {
  const cases: [string, AttributeDefinition, string, string][] = [
    ['phone, country code and digits', standard('phone_number'), '+14325551212', '+14325551212'],
    ['phone, shortest', standard('phone_number'), '+1', '+1'],
    ['phone, 15 digits', standard('phone_number'), '+123456789012345', '+123456789012345'],
    ['email, plain', standard('email'), 'me@domain.com', 'me@domain.com'],
    [
      'email, dots, plus tag, subdomains',
      standard('email'),
      'first.last+tag@sub.example.co.uk',
      'first.last+tag@sub.example.co.uk',
    ],
    ['email, dotless host', standard('email'), 'user@localhost', 'user@localhost'],
    ['email, apostrophe', standard('email'), "o'brien@example.com", "o'brien@example.com"],
    ['email, non-ASCII', standard('email'), 'ü@exämple.de', 'ü@exämple.de'],
    [
      'email, at RFC 5321 limits (64-octet local part, 63-octet labels, 254 octets)',
      standard('email'),
      `${'l'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(61)}`,
      `${'l'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(61)}`,
    ],
    ['birthdate', standard('birthdate'), '1990-01-31', '1990-01-31'],
    ['birthdate, leap day', standard('birthdate'), '2000-02-29', '2000-02-29'],
    ['updated_at, zero', standard('updated_at'), '0', '0'],
    ['updated_at, epoch seconds', standard('updated_at'), '1700000000', '1700000000'],
    ['updated_at, canonical form', standard('updated_at'), '007', '7'],
    ['String with no constraints, 2048 chars', custom({}), 'x'.repeat(2048), 'x'.repeat(2048)],
    ['String at its minimum', custom({ stringConstraints: { minLength: 2, maxLength: 5 } }), 'ab', 'ab'],
    ['String at its maximum', custom({ stringConstraints: { minLength: 2, maxLength: 5 } }), 'abcde', 'abcde'],
    ['String counts code points', custom({ stringConstraints: { minLength: 2, maxLength: 2 } }), '😀😀', '😀😀'],
    [
      'free-form standard string',
      standard('address'),
      '{"street_address":"1 Main St"}',
      '{"street_address":"1 Main St"}',
    ],
    [
      'Number at its minimum',
      custom({ attributeDataType: 'Number', numberConstraints: { minValue: -10, maxValue: 10 } }),
      '-10',
      '-10',
    ],
    [
      'Number at its maximum',
      custom({ attributeDataType: 'Number', numberConstraints: { minValue: -10, maxValue: 10 } }),
      '10',
      '10',
    ],
    ['Number, negative zero', custom({ attributeDataType: 'Number' }), '-0', '0'],
    [
      'Number, beyond 2^53 exactly',
      custom({ attributeDataType: 'Number' }),
      '123456789012345678901',
      '123456789012345678901',
    ],
    ['Boolean, upper case', custom({ attributeDataType: 'Boolean' }), 'TRUE', 'true'],
    ['Boolean, mixed case', custom({ attributeDataType: 'Boolean' }), 'False', 'false'],
    ['verified flag', standard('email_verified'), 'true', 'true'],
    ['DateTime, UTC', custom({ attributeDataType: 'DateTime' }), '2024-01-31T12:00:00Z', '2024-01-31T12:00:00Z'],
    [
      'DateTime, offset and fraction, stored as given',
      custom({ attributeDataType: 'DateTime' }),
      '2024-01-31T12:00:00.123+02:00',
      '2024-01-31T12:00:00.123+02:00',
    ],
    ['DateTime, minutes only', custom({ attributeDataType: 'DateTime' }), '2024-02-29T23:59', '2024-02-29T23:59'],
  ];
  for (const [label, definition, value, stored] of cases) {
    test(label, () => assert.equal(normaliseValue(definition, value), stored));
  }
});

describe('values: bad ones, each named', () => {
  const phone = standard('phone_number');
  const email = standard('email');
  const number = custom({
    name: 'custom:score',
    attributeDataType: 'Number',
    numberConstraints: { minValue: -10, maxValue: 10 },
  });
  const big = custom({
    name: 'custom:big',
    attributeDataType: 'Number',
    numberConstraints: { maxValue: 9007199254740992 },
  });
  const text = custom({ name: 'custom:code', stringConstraints: { minLength: 2, maxLength: 5 } });
  const dateTime = custom({ name: 'custom:since', attributeDataType: 'DateTime' });
  const bool = custom({ name: 'custom:active', attributeDataType: 'Boolean' });
  const cases: [string, AttributeDefinition, string, string][] = [
    // E.164: no country code starts with 0.
    ...[
      '14325551212',
      '+1 432 555',
      '+1-432-555',
      '+(1)432555',
      '+',
      '+1234567890123456',
      '++1',
      '+1a',
      ' +1',
      '+014155550100',
      '+0',
      '+00441632960000',
    ].map((value): [string, AttributeDefinition, string, string] => [
      `phone ${JSON.stringify(value)}`,
      phone,
      value,
      'Invalid phone number format.',
    ]),
    ...[
      'plain',
      '@domain.com',
      'me@',
      'a@b@c.com',
      'me @domain.com',
      'me@domain..com',
      'me@.domain.com',
      'me@domain.com.',
      'me@do main.com',
      'me@domain.com\n',
      // RFC 5321 limits: over them no server takes the address, so it is a format error, not a delivery failure.
      `${'l'.repeat(65)}@example.com`,
      `${'ü'.repeat(33)}@example.com`,
      `me@${'d'.repeat(64)}.com`,
      `${'l'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(62)}`,
      `me@${'y'.repeat(2040)}`,
    ].map((value): [string, AttributeDefinition, string, string] => [
      `email ${JSON.stringify(value)}`,
      email,
      value,
      'Invalid email address format.',
    ]),
    ...['1990-1-1', '1990-02-30', '1900-02-29', '1990/01/01', '19900101', '1990-13-01', '1990-01-01T00:00'].map(
      (value): [string, AttributeDefinition, string, string] => [
        `birthdate ${value}`,
        standard('birthdate'),
        value,
        'birthdate: The value must be a calendar date',
      ],
    ),
    ['updated_at below 0', standard('updated_at'), '-1', 'updated_at: The value must be at least 0'],
    ...['1.5', 'abc', '1e3', '+5', ' 5', '0x10'].map((value): [string, AttributeDefinition, string, string] => [
      `Number ${JSON.stringify(value)} is not an integer`,
      number,
      value,
      'custom:score: The value must be an integer.',
    ]),
    ['Number above its maximum', number, '11', 'custom:score: The value must be at most 10'],
    ['Number below its minimum', number, '-11', 'custom:score: The value must be at least -10'],
    [
      'Number compared exactly beyond 2^53',
      big,
      '9007199254740993',
      'custom:big: The value must be at most 9007199254740992',
    ],
    ['String below its minimum', text, 'a', 'custom:code: The value must be 2 to 5 characters long.'],
    ['String above its maximum', text, 'abcdef', 'custom:code: The value must be 2 to 5 characters long.'],
    [
      'any value above 2048',
      custom({ name: 'custom:long' }),
      'x'.repeat(2049),
      'custom:long: The value must be at most 2048 characters.',
    ],
    [
      '2048 limit on a standard string',
      standard('address'),
      'x'.repeat(2049),
      'address: The value must be at most 2048 characters.',
    ],
    ...['yes', '1', 'truee', 'on'].map((value): [string, AttributeDefinition, string, string] => [
      `Boolean ${value}`,
      bool,
      value,
      'custom:active: The value must be "true" or "false".',
    ]),
    ...[
      '2024-01-31',
      '2024-02-30T00:00:00Z',
      '2024-01-31T24:00:00Z',
      'yesterday',
      '2024-01-31 12:00:00Z',
      '2024-01-31T12:00:00+25:00',
      '1706702400',
    ].map((value): [string, AttributeDefinition, string, string] => [
      `DateTime ${JSON.stringify(value)}`,
      dateTime,
      value,
      'custom:since: The value must be an ISO 8601 date-time',
    ]),
  ];
  for (const [label, definition, value, message] of cases) {
    test(label, () => assertInvalid(() => normaliseValue(definition, value), message));
  }
});
