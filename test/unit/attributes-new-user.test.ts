import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyUsername,
  prepareNewUser,
  type Actor,
  type PoolAttributeSettingsInput,
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

const settings = pool({
  schema: [
    { name: 'name', required: true },
    { name: 'plan', stringConstraints: { maxLength: 10 } },
    { name: 'tenant', mutable: false },
    { name: 'score', attributeDataType: 'Number', numberConstraints: { minValue: 0, maxValue: 100 } },
    { name: 'active', attributeDataType: 'Boolean' },
    { name: 'secret', developerOnly: true },
  ],
  autoVerifiedAttributes: ['email'],
});
const anyClient = userActor();
const listedClient = userActor(client(null, ['name', 'email', 'phone_number', 'custom:plan']));
const signUp = (attributes: Record<string, string>, actor: Actor = anyClient) =>
  prepareNewUser(settings, actor, deepFreeze(attributes), 'sign-up');
const adminCreate = (attributes: Record<string, string>) =>
  prepareNewUser(settings, adminActor, deepFreeze(attributes), 'admin-create');
const long = 'x'.repeat(2049);

describe('prepareNewUser: what is stored', () => {
  const cases: [string, () => unknown, Record<string, string>, Record<string, boolean>][] = [
    [
      'sign-up with standard, custom and immutable attributes; values normalised',
      () =>
        signUp({
          name: 'Ann',
          email: 'ann@example.com',
          'custom:plan': 'pro',
          'custom:tenant': 't1',
          'custom:active': 'TRUE',
          'custom:score': '042',
        }),
      {
        name: 'Ann',
        email: 'ann@example.com',
        'custom:plan': 'pro',
        'custom:tenant': 't1',
        'custom:active': 'true',
        'custom:score': '42',
      },
      {},
    ],
    [
      'blank values are dropped',
      () => signUp({ name: 'Ann', given_name: '', email: '', 'custom:plan': '' }),
      { name: 'Ann' },
      {},
    ],
    [
      'a client with a write list, within it',
      () => signUp({ name: 'Ann', phone_number: '+15551234567' }, listedClient),
      { name: 'Ann', phone_number: '+15551234567' },
      {},
    ],
    [
      'admin-create may omit required attributes',
      () => adminCreate({ email: 'ann@example.com' }),
      { email: 'ann@example.com' },
      {},
    ],
    ['admin-create with nothing at all', () => adminCreate({}), {}, {}],
    [
      'admin-create with verified flags, any case',
      () =>
        adminCreate({
          email: 'ann@example.com',
          email_verified: 'True',
          phone_number: '+15551234567',
          phone_number_verified: 'false',
        }),
      { email: 'ann@example.com', phone_number: '+15551234567' },
      { email: true, phone_number: false },
    ],
    [
      'admin-create drops a blank flag',
      () => adminCreate({ email: 'ann@example.com', email_verified: '' }),
      { email: 'ann@example.com' },
      {},
    ],
    [
      'admin-create may write developer-only attributes',
      () => adminCreate({ 'dev:custom:secret': 's' }),
      { 'dev:custom:secret': 's' },
      {},
    ],
    ['values of exactly 2048 characters', () => signUp({ name: 'x'.repeat(2048) }), { name: 'x'.repeat(2048) }, {}],
  ];
  for (const [label, run, values, verified] of cases) {
    test(label, () => assert.deepEqual(run(), { values, verified }));
  }

  test('preferred_username may be given at sign-up when it is not an alias, and by an admin when it is', () => {
    assert.deepEqual(signUp({ name: 'A', preferred_username: 'ann' }).values, { name: 'A', preferred_username: 'ann' });
    const aliasPool = pool({ aliasAttributes: ['preferred_username'] });
    assert.deepEqual(prepareNewUser(aliasPool, adminActor, { preferred_username: 'ann' }, 'admin-create').values, {
      preferred_username: 'ann',
    });
  });
});

describe('prepareNewUser: what is refused', () => {
  const invalid: [string, () => unknown, string][] = [
    [
      'a missing required attribute (test vector 2)',
      () => signUp({ email: 'a@b.c' }),
      'Attributes did not conform to the schema: name: The attribute is required',
    ],
    ['a blank required attribute', () => signUp({ name: '' }), 'name: The attribute is required'],
    [
      'several missing ones, listed in schema order',
      () =>
        prepareNewUser(
          pool({
            schema: [
              { name: 'family_name', required: true },
              { name: 'given_name', required: true },
            ],
          }),
          anyClient,
          {},
          'sign-up',
        ),
      'Attributes did not conform to the schema: given_name: The attribute is required\nfamily_name: The attribute is required',
    ],
    [
      'an unknown custom attribute at sign-up (test vector 3)',
      () => signUp({ name: 'A', 'custom:plan2': 'x' }),
      'Attributes did not conform to the schema: Type for attribute {custom:plan2} could not be determined',
    ],
    [
      'an unknown custom attribute at admin-create',
      () => adminCreate({ 'custom:plan2': 'x' }),
      'Attributes did not conform to the schema: custom:plan2: Attribute does not exist in the schema.',
    ],
    [
      'an unknown non-custom name',
      () => signUp({ name: 'A', nickname2: 'x' }),
      'Attributes did not conform to the schema: nickname2: Attribute does not exist in the schema.',
    ],
    [
      'a developer-only name without its prefix',
      () => adminCreate({ 'custom:secret': 'x' }),
      'custom:secret: Attribute does not exist in the schema.',
    ],
    [
      'sub from an admin',
      () => adminCreate({ sub: '4b2c7f0e-1111-4222-8333-444455556666' }),
      'Attributes did not conform to the schema: sub: Attribute is assigned by the service.',
    ],
    [
      'a bad verified flag from an admin',
      () => adminCreate({ email: 'a@b.c', email_verified: 'yes' }),
      'email_verified: The value must be "true" or "false".',
    ],
    [
      'a flag without its attribute',
      () => adminCreate({ email_verified: 'true' }),
      'Attributes did not conform to the schema: email_verified: Cannot be set without a value for email.',
    ],
    [
      'a "false" flag without its attribute',
      () => adminCreate({ phone_number_verified: 'false', email: 'a@b.c' }),
      'phone_number_verified: Cannot be set without a value for phone_number.',
    ],
    ['a bad phone number', () => signUp({ name: 'A', phone_number: '+1 555 123' }), 'Invalid phone number format.'],
    [
      'a blank phone number (amplify-js #13391)',
      () => signUp({ name: 'A', phone_number: '' }),
      'Invalid phone number format.',
    ],
    ['a blank phone number at admin-create', () => adminCreate({ phone_number: '' }), 'Invalid phone number format.'],
    ['a bad email', () => signUp({ name: 'A', email: 'not-an-email' }), 'Invalid email address format.'],
    [
      'a bad birthdate',
      () => signUp({ name: 'A', birthdate: '1990-02-30' }),
      'birthdate: The value must be a calendar date',
    ],
    [
      'a Number out of range',
      () => signUp({ name: 'A', 'custom:score': '101' }),
      'custom:score: The value must be at most 100',
    ],
    [
      'a String over its own maximum',
      () => signUp({ name: 'A', 'custom:plan': 'x'.repeat(11) }),
      'custom:plan: The value must be 0 to 10 characters long.',
    ],
    ['a value over 2048', () => signUp({ name: long }), 'name: The value must be at most 2048 characters.'],
    [
      'a bad attribute name',
      () => signUp({ name: 'A', 'custom:my plan': 'x' }),
      "Invalid attribute name 'custom:my plan'",
    ],
    ['a name over 32 characters', () => adminCreate({ [`custom:${'a'.repeat(26)}`]: 'x' }), 'Invalid attribute name'],
    [
      'preferred_username at sign-up when it is an alias (§1.5)',
      () =>
        prepareNewUser(
          pool({ aliasAttributes: ['preferred_username'] }),
          anyClient,
          { preferred_username: 'ann' },
          'sign-up',
        ),
      'Attributes did not conform to the schema: preferred_username: An alias cannot be given at sign-up; set it after confirmation.',
    ],
  ];
  for (const [label, run, message] of invalid) test(`InvalidParameter: ${label}`, () => assertInvalid(run, message));

  const unauthorized: [string, () => unknown][] = [
    ['sub from a user', () => signUp({ name: 'A', sub: 'x' })],
    ['email_verified from a user', () => signUp({ name: 'A', email: 'a@b.c', email_verified: 'true' })],
    ['email_verified "false" from a user', () => signUp({ name: 'A', email_verified: 'false' })],
    ['phone_number_verified from a user', () => signUp({ name: 'A', phone_number_verified: 'true' })],
    ['a blank flag from a user', () => signUp({ name: 'A', email_verified: '' })],
    ['an attribute outside the write list', () => signUp({ name: 'A', given_name: 'B' }, listedClient)],
    ['an unknown attribute with a write list', () => signUp({ name: 'A', 'custom:nope': 'x' }, listedClient)],
    ['a developer-only attribute without a write list', () => signUp({ name: 'A', 'dev:custom:secret': 'x' })],
  ];
  for (const [label, run] of unauthorized) test(`NotAuthorized 403: ${label}`, () => assertUnauthorizedWrite(run));

  test('nothing is changed by a failing call', () => {
    const attributes = { name: 'A', email_verified: 'true' };
    assertUnchanged([settings, attributes], () => prepareNewUser(settings, anyClient, attributes, 'sign-up'));
  });
});

describe('prepareNewUser: which rule wins when several break (name → length → sub/flags → permission → schema → format → required)', () => {
  const order: [string, Record<string, string>, Actor, (run: () => unknown) => void][] = [
    [
      'name shape before length',
      { 'bad name': 'x', name: long },
      anyClient,
      (run) => assertInvalid(run, 'Invalid attribute name'),
    ],
    [
      'length before protected names',
      { email_verified: 'true', given_name: long },
      anyClient,
      (run) => assertInvalid(run, 'given_name: The value must be at most 2048'),
    ],
    ['protected names before permission', { given_name: 'B', sub: 'x' }, listedClient, assertUnauthorizedWrite],
    [
      'sub from an admin before the schema',
      { 'custom:nope': 'x', sub: 'x' },
      adminActor,
      (run) => assertInvalid(run, 'sub: Attribute is assigned by the service.'),
    ],
    ['permission before the schema', { 'custom:nope': 'x', given_name: 'B' }, listedClient, assertUnauthorizedWrite],
    [
      'the schema before formats',
      { email: 'bad', 'custom:nope': 'x' },
      anyClient,
      (run) => assertInvalid(run, 'Type for attribute {custom:nope} could not be determined'),
    ],
    [
      'formats before required',
      { email: 'bad' },
      anyClient,
      (run) => assertInvalid(run, 'Invalid email address format.'),
    ],
  ];
  for (const [label, attributes, actor, check] of order) {
    test(label, () => {
      check(() => prepareNewUser(settings, actor, attributes, 'sign-up'));
      const reversed = Object.fromEntries(Object.entries(attributes).reverse());
      check(() => prepareNewUser(settings, actor, reversed, 'sign-up'));
    });
  }
});

describe('classifyUsername (§3, §6)', () => {
  const email = 'ann@example.com';
  const phone = '+15551234567';
  const good: [string, PoolAttributeSettingsInput, string, string][] = [
    ['a plain pool', {}, 'ann', 'username'],
    ['a plain pool', {}, email, 'username'],
    ['a plain pool', {}, phone, 'username'],
    ['an email-alias pool', { aliasAttributes: ['email'] }, 'ann', 'username'],
    ['an email-alias pool', { aliasAttributes: ['email'] }, phone, 'username'],
    ['a phone-alias pool', { aliasAttributes: ['phone_number'] }, email, 'username'],
    ['a preferred_username-alias pool', { aliasAttributes: ['preferred_username'] }, email, 'username'],
    ['an email username pool', { usernameAttributes: ['email'] }, email, 'email'],
    ['a phone username pool', { usernameAttributes: ['phone_number'] }, phone, 'phone_number'],
    ['an email-or-phone username pool', { usernameAttributes: ['email', 'phone_number'] }, email, 'email'],
    ['an email-or-phone username pool', { usernameAttributes: ['phone_number', 'email'] }, phone, 'phone_number'],
  ];
  for (const [label, input, username, kind] of good) {
    test(`${label}: ${username} is a ${kind}`, () =>
      assert.deepEqual(classifyUsername(pool(input), username), { kind }));
  }
  const bad: [string, PoolAttributeSettingsInput, string, string][] = [
    [
      'an email-alias pool',
      { aliasAttributes: ['email'] },
      email,
      'Username cannot be of email format, since user pool is configured for email alias.',
    ],
    ['a both-alias pool', { aliasAttributes: ['phone_number', 'email'] }, email, 'Username cannot be of email format'],
    [
      'a phone-alias pool',
      { aliasAttributes: ['phone_number'] },
      phone,
      'Username cannot be of phone number format, since user pool is configured for phone_number alias.',
    ],
    [
      'a both-alias pool',
      { aliasAttributes: ['email', 'phone_number'] },
      phone,
      'Username cannot be of phone number format',
    ],
    ['an email username pool', { usernameAttributes: ['email'] }, 'ann', 'Username should be an email.'],
    ['an email username pool', { usernameAttributes: ['email'] }, phone, 'Username should be an email.'],
    ['a phone username pool', { usernameAttributes: ['phone_number'] }, email, 'Username should be a phone number.'],
    [
      'a phone username pool',
      { usernameAttributes: ['phone_number'] },
      '5551234567',
      'Username should be a phone number.',
    ],
    [
      'an email-or-phone username pool',
      { usernameAttributes: ['email', 'phone_number'] },
      'ann',
      'Username should be either an email or a phone number.',
    ],
  ];
  for (const [label, input, username, message] of bad) {
    test(`${label}: ${username} is refused`, () =>
      assertInvalid(() => classifyUsername(pool(input), username), message));
  }
});
