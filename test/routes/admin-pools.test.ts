import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ADMIN_KEY, startTestApp, type TestApp, type TestResponse } from '../support/app.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

// docs/cognito-attributes.md §1.1 (test vector 1), written out here rather than taken from the code under test.
const str = (name: string, minLength = 0, maxLength = 2048, extra: object = {}) => ({
  name,
  attributeDataType: 'String',
  mutable: true,
  required: false,
  developerOnly: false,
  stringConstraints: { minLength, maxLength },
  ...extra,
});
const bool = (name: string) => ({
  name,
  attributeDataType: 'Boolean',
  mutable: true,
  required: false,
  developerOnly: false,
});
const STANDARD_SCHEMA = [
  str('sub', 1, 2048, { mutable: false, required: true }),
  str('name'),
  str('given_name'),
  str('family_name'),
  str('middle_name'),
  str('nickname'),
  str('preferred_username'),
  str('profile'),
  str('picture'),
  str('website'),
  str('email'),
  bool('email_verified'),
  str('gender'),
  str('birthdate', 10, 10),
  str('zoneinfo'),
  str('locale'),
  str('phone_number'),
  bool('phone_number_verified'),
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

const DEFAULT_POLICIES = {
  passwordPolicy: {
    minimumLength: 8,
    requireUppercase: true,
    requireLowercase: true,
    requireNumbers: true,
    requireSymbols: true,
  },
  codePolicy: {
    signUpCodeTtlSeconds: 86400,
    attributeCodeTtlSeconds: 86400,
    passwordResetCodeTtlSeconds: 3600,
    maxAttempts: 5,
    sendsPerHour: 5,
    confirmsPerHour: 15,
  },
  tokenPolicy: { accessTokenTtlSeconds: 3600, idTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 30 * 86400 },
};

const POOL_ID = /^local_[A-Za-z0-9]{9}$/;

function assertProblem(response: TestResponse, status: number, code: string, detail?: string | RegExp) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  assert.equal(response.body.code, code);
  assert.equal(response.body.title, code);
  assert.equal(response.body.status, status);
  assert.equal(response.body.type, `urn:cognate:error:${code}`);
  if (typeof detail === 'string')
    assert.ok(
      response.body.detail.includes(detail),
      `detail ${JSON.stringify(response.body.detail)} lacks ${JSON.stringify(detail)}`,
    );
  else if (detail) assert.match(response.body.detail, detail);
}

async function createPool(body: Record<string, unknown> = {}) {
  const created = await t.admin('POST', '/v1/pools', { name: 'pool', ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

async function describePool(poolId: string) {
  const described = await t.admin('GET', `/v1/pools/${poolId}`);
  assert.equal(described.status, 200);
  return described.body;
}

/** Every pool as the API describes it, to show that a refused request changed nothing. */
async function allPools() {
  const list = await t.admin('GET', '/v1/pools');
  assert.equal(list.status, 200);
  return Promise.all(list.body.pools.map((p: { id: string }) => describePool(p.id)));
}

/** Sends a bad creation request and checks its answer and that no pool appeared or changed. */
async function refuseCreate(body: unknown, status: number, code: string, detail: string | RegExp) {
  const before = await allPools();
  assertProblem(await t.admin('POST', '/v1/pools', body), status, code, detail);
  assert.deepEqual(await allPools(), before);
}

async function refuseAdd(
  poolId: string,
  body: unknown,
  detail: string | RegExp,
  status = 400,
  code = 'InvalidParameterException',
) {
  const before = await describePool(poolId);
  assertProblem(await t.admin('POST', `/v1/pools/${poolId}/custom-attributes`, body), status, code, detail);
  assert.deepEqual(await describePool(poolId), before);
}

function raw(method: string, url: string, headers: Record<string, string>, payload?: string) {
  return t.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined && { payload }) });
}

describe('admin key', () => {
  const routes = (poolId: string, clientId: string): Array<[string, string, unknown?]> => [
    ['POST', '/v1/pools', { name: 'sneaky' }],
    ['GET', '/v1/pools'],
    ['GET', `/v1/pools/${poolId}`],
    ['POST', `/v1/pools/${poolId}/custom-attributes`, { customAttributes: [{ name: 'sneaky' }] }],
    ['POST', `/v1/pools/${poolId}/clients`, { name: 'sneaky' }],
    ['GET', `/v1/pools/${poolId}/clients`],
    ['GET', `/v1/pools/${poolId}/clients/${clientId}`],
    ['PATCH', `/v1/pools/${poolId}/clients/${clientId}`, { name: 'sneaky' }],
    ['DELETE', `/v1/pools/${poolId}/clients/${clientId}`],
  ];

  test('no key, a wrong key or a malformed header: 401 with one and the same body, on every admin route', async () => {
    const pool = await createPool({ name: 'guarded' });
    const client = (await t.admin('POST', `/v1/pools/${pool.id}/clients`, { name: 'app' })).body;
    const before = await allPools();
    const clientsBefore = (await t.admin('GET', `/v1/pools/${pool.id}/clients`)).body;
    const badHeaders: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-key' },
      { authorization: `Bearer ${ADMIN_KEY}x` },
      { authorization: `Bearer ${ADMIN_KEY.slice(0, -1)}` },
      { authorization: ADMIN_KEY },
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}` },
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${'k'.repeat(10_000)}` },
      { authorization: `Bearer ${ADMIN_KEY} extra` },
      { 'x-api-key': ADMIN_KEY },
    ];
    const bodies = new Set<string>();
    for (const [method, url, body] of [
      ...routes(pool.id, client.clientId),
      ...routes('local_Nope00000', 'a'.repeat(26)),
    ]) {
      for (const headers of badHeaders) {
        const response = await raw(
          method,
          url,
          { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
          body === undefined ? undefined : JSON.stringify(body),
        );
        assert.equal(
          response.statusCode,
          401,
          `${method} ${url} ${JSON.stringify(headers).slice(0, 60)}: ${response.body}`,
        );
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        bodies.add(response.body);
      }
    }
    assert.equal(bodies.size, 1, [...bodies].join('\n'));
    const only = JSON.parse([...bodies][0]!);
    assert.deepEqual(only, {
      type: 'urn:cognate:error:NotAuthorizedException',
      title: 'NotAuthorizedException',
      status: 401,
      detail: only.detail,
      code: 'NotAuthorizedException',
    });
    assert.deepEqual(await allPools(), before);
    assert.deepEqual((await t.admin('GET', `/v1/pools/${pool.id}/clients`)).body, clientsBefore);
  });

  test('the key is checked before the body: malformed JSON, wrong media type or a bad body without a key still get 401', async () => {
    const expected = (await raw('GET', '/v1/pools', {})).body;
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'content-type': 'application/json' }, '{not json'],
      [{ 'content-type': 'text/plain' }, 'hello'],
      [{ 'content-type': 'application/json' }, JSON.stringify({ name: 5, extra: true })],
      [{ 'content-type': 'application/json' }, JSON.stringify({ name: 'x'.repeat(300 * 1024) })],
    ];
    for (const [headers, payload] of cases) {
      for (const auth of [{}, { authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
        const response = await raw('POST', '/v1/pools', { ...headers, ...auth }, payload);
        assert.equal(response.statusCode, 401, `${headers['content-type']} ${payload.slice(0, 20)}: ${response.body}`);
        assert.equal(response.body, expected);
      }
    }
  });

  test('the scheme name is case-insensitive and the right key works', async () => {
    const response = await raw('GET', '/v1/pools', { authorization: `bearer ${ADMIN_KEY}` });
    assert.equal(response.statusCode, 200);
  });
});

describe('CreateUserPool', () => {
  test('defaults: the 20 standard attributes of §1.1 in order, empty lists, default policies, a generated id and the issuer', async () => {
    const pool = await createPool({ name: 'defaults' });
    assert.match(pool.id, POOL_ID);
    assert.equal(pool.name, 'defaults');
    assert.deepEqual(pool.schemaAttributes, STANDARD_SCHEMA);
    assert.equal(pool.schemaAttributes.length, 20);
    assert.ok(!pool.schemaAttributes.some((a: { name: string }) => a.name === 'identities'));
    assert.deepEqual(pool.aliasAttributes, []);
    assert.deepEqual(pool.usernameAttributes, []);
    assert.deepEqual(pool.autoVerifiedAttributes, []);
    assert.deepEqual(pool.keepOriginalAttributes, []);
    assert.equal(pool.usernameCaseSensitive, false);
    assert.deepEqual(pool.passwordPolicy, DEFAULT_POLICIES.passwordPolicy);
    assert.deepEqual(pool.codePolicy, DEFAULT_POLICIES.codePolicy);
    assert.deepEqual(pool.tokenPolicy, DEFAULT_POLICIES.tokenPolicy);
    assert.equal(pool.issuer, `http://cognate.test/${pool.id}`);
    assert.equal(new Date(pool.createdAt).toISOString(), pool.createdAt);
    assert.equal(new Date(pool.updatedAt).toISOString(), pool.updatedAt);
    assert.deepEqual(await describePool(pool.id), pool);
  });

  test('generated ids have the shape <region>_<9 letters or digits> and differ', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await createPool({ name: `gen-${i}` })).id);
    assert.equal(ids.size, 5);
    for (const id of ids) assert.match(id, POOL_ID);
  });

  test('a given poolId is used; the same poolId again is refused and the first pool is kept', async () => {
    const pool = await createPool({ poolId: 'eu-west-1_Ab3dEf7Gh', name: 'first' });
    assert.equal(pool.id, 'eu-west-1_Ab3dEf7Gh');
    assert.equal(pool.issuer, 'http://cognate.test/eu-west-1_Ab3dEf7Gh');
    await refuseCreate(
      { poolId: 'eu-west-1_Ab3dEf7Gh', name: 'second', schema: [{ name: 'plan' }] },
      400,
      'InvalidParameterException',
      'User pool eu-west-1_Ab3dEf7Gh already exists.',
    );
    const kept = await describePool('eu-west-1_Ab3dEf7Gh');
    assert.equal(kept.name, 'first');
    assert.deepEqual(kept.schemaAttributes, STANDARD_SCHEMA);
  });

  test('a poolId of another shape is refused', async () => {
    for (const poolId of [
      'local',
      'local_Ab3dEf7G',
      'local_Ab3dEf7Ghi',
      'LOCAL_Ab3dEf7Gh',
      'local_Ab3dEf7G!',
      '_Ab3dEf7Gh',
      `${'a'.repeat(33)}_Ab3dEf7Gh`,
      'local_Ab3dEf7Gh\n',
      '',
    ]) {
      await refuseCreate(
        { poolId, name: 'bad id' },
        400,
        'InvalidParameterException',
        "Value at 'body.poolId' failed to satisfy constraint",
      );
    }
  });

  test('a name is required, 1 to 128 characters', async () => {
    await refuseCreate({}, 400, 'InvalidParameterException', "Member 'name' at 'body' is required");
    await refuseCreate(
      { name: '' },
      400,
      'InvalidParameterException',
      "Value at 'body.name' failed to satisfy constraint",
    );
    await refuseCreate(
      { name: 'n'.repeat(129) },
      400,
      'InvalidParameterException',
      "Value at 'body.name' failed to satisfy constraint",
    );
    assert.equal((await createPool({ name: 'n'.repeat(128) })).name, 'n'.repeat(128));
  });

  test('unknown members are refused by name, at the top and inside policies and schema entries', async () => {
    await refuseCreate({ name: 'x', mfa: 'ON' }, 400, 'InvalidParameterException', "Unknown member 'mfa' at 'body'");
    await refuseCreate(
      { name: 'x', passwordPolicy: { minLength: 10 } },
      400,
      'InvalidParameterException',
      "Unknown member 'minLength' at 'body.passwordPolicy'",
    );
    await refuseCreate(
      { name: 'x', codePolicy: { ttl: 10 } },
      400,
      'InvalidParameterException',
      "Unknown member 'ttl' at 'body.codePolicy'",
    );
    await refuseCreate(
      { name: 'x', tokenPolicy: { ttl: 10 } },
      400,
      'InvalidParameterException',
      "Unknown member 'ttl' at 'body.tokenPolicy'",
    );
    await refuseCreate(
      { name: 'x', schema: [{ name: 'plan', Mutable: true }] },
      400,
      'InvalidParameterException',
      "Unknown member 'Mutable' at 'body.schema.0'",
    );
    await refuseCreate(
      { name: 'x', schema: [{ name: 'plan', stringConstraints: { MaxLength: 5 } }] },
      400,
      'InvalidParameterException',
      "Unknown member 'MaxLength' at 'body.schema.0.stringConstraints'",
    );
  });
});

describe('custom attributes at creation', () => {
  test('types, constraints and mutability are kept; custom: is added; custom entries follow the standard ones', async () => {
    const pool = await createPool({
      schema: [
        { name: 'plan', attributeDataType: 'String', stringConstraints: { minLength: 1, maxLength: 16 } },
        { name: 'seats', attributeDataType: 'Number', numberConstraints: { minValue: 1, maxValue: 500 } },
        { name: 'renewal', attributeDataType: 'DateTime' },
        { name: 'beta', attributeDataType: 'Boolean', mutable: false },
        { name: 'note' },
        { name: 'ssn', developerOnly: true },
        { name: 'x'.repeat(20) },
        { name: 'größe' },
      ],
    });
    assert.deepEqual(pool.schemaAttributes.slice(0, 20), STANDARD_SCHEMA);
    assert.deepEqual(pool.schemaAttributes.slice(20), [
      {
        name: 'custom:plan',
        attributeDataType: 'String',
        mutable: true,
        required: false,
        developerOnly: false,
        stringConstraints: { minLength: 1, maxLength: 16 },
      },
      {
        name: 'custom:seats',
        attributeDataType: 'Number',
        mutable: true,
        required: false,
        developerOnly: false,
        numberConstraints: { minValue: 1, maxValue: 500 },
      },
      { name: 'custom:renewal', attributeDataType: 'DateTime', mutable: true, required: false, developerOnly: false },
      { name: 'custom:beta', attributeDataType: 'Boolean', mutable: false, required: false, developerOnly: false },
      { name: 'custom:note', attributeDataType: 'String', mutable: true, required: false, developerOnly: false },
      { name: 'dev:custom:ssn', attributeDataType: 'String', mutable: true, required: false, developerOnly: true },
      {
        name: `custom:${'x'.repeat(20)}`,
        attributeDataType: 'String',
        mutable: true,
        required: false,
        developerOnly: false,
      },
      { name: 'custom:größe', attributeDataType: 'String', mutable: true, required: false, developerOnly: false },
    ]);
    assert.deepEqual(await describePool(pool.id), pool);
  });

  test('refused custom definitions, with Cognito’s messages where it has them', async () => {
    const cases: Array<[unknown[], string | RegExp]> = [
      [[{ name: 'custom:plan' }], 'the custom: (or dev:custom:) prefix is added automatically'],
      [[{ name: 'dev:custom:plan' }], 'the custom: (or dev:custom:) prefix is added automatically'],
      [
        [{ name: 'x'.repeat(21) }],
        `Value '${'x'.repeat(21)}' at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20`,
      ],
      [
        [{ name: 'plan' }, { name: 'phone_number_verified' }],
        "Value 'phone_number_verified' at 'schema.2.member.name' failed to satisfy constraint: Member must have length less than or equal to 20",
      ],
      [[{ name: 'email_verified' }], 'email_verified: Verified flags are built in and cannot be configured.'],
      [[{ name: 'has space' }], 'Member must satisfy regular expression pattern'],
      [[{ name: 'plan', required: true }], 'Required custom attributes are not supported currently.'],
      [[{ name: 'plan' }, { name: 'plan', attributeDataType: 'Number' }], 'Duplicate attribute name in schema: plan.'],
      [
        [{ name: 'plan', stringConstraints: { minLength: 5, maxLength: 4 } }],
        'custom:plan: MinLength cannot be greater than MaxLength.',
      ],
      [
        [{ name: 'plan', stringConstraints: { maxLength: 2049 } }],
        "Value at 'body.schema.0.stringConstraints.maxLength' failed to satisfy constraint",
      ],
      [
        [{ name: 'plan', stringConstraints: { minLength: -1 } }],
        "Value at 'body.schema.0.stringConstraints.minLength' failed to satisfy constraint",
      ],
      [
        [{ name: 'plan', stringConstraints: { maxLength: '16' } }],
        "Value at 'body.schema.0.stringConstraints.maxLength' failed to satisfy constraint",
      ],
      [
        [{ name: 'seats', attributeDataType: 'Number', numberConstraints: { minValue: 10, maxValue: 1 } }],
        'custom:seats: MinValue cannot be greater than MaxValue.',
      ],
      [
        [{ name: 'seats', attributeDataType: 'Number', numberConstraints: { minValue: 1.5 } }],
        "Value at 'body.schema.0.numberConstraints.minValue' failed to satisfy constraint",
      ],
      [
        [{ name: 'seats', attributeDataType: 'Number', stringConstraints: { maxLength: 5 } }],
        'custom:seats: String constraints apply only to String attributes.',
      ],
      [
        [{ name: 'plan', numberConstraints: { maxValue: 5 } }],
        'custom:plan: Number constraints apply only to Number attributes.',
      ],
      [
        [{ name: 'plan', attributeDataType: 'Integer' }],
        "Value at 'body.schema.0.attributeDataType' failed to satisfy constraint",
      ],
      [[{ name: 'plan', mutable: 'false' }], "Value at 'body.schema.0.mutable' failed to satisfy constraint"],
      [[{ name: '' }], "Value at 'body.schema.0.name' failed to satisfy constraint"],
    ];
    for (const [schema, detail] of cases)
      await refuseCreate({ name: 'refused', schema }, 400, 'InvalidParameterException', detail);
  });

  test('50 custom attributes are accepted at creation, 51 are not', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `attr${i}` }));
    const pool = await createPool({ schema: many(50) });
    assert.equal(pool.schemaAttributes.length, 70);
    assert.equal(pool.schemaAttributes.filter((a: { name: string }) => a.name.startsWith('custom:')).length, 50);
    await refuseCreate(
      { name: 'too many', schema: many(51) },
      400,
      'InvalidParameterException',
      'A user pool can have at most 50 custom attributes.',
    );
  });
});

describe('standard attributes at creation', () => {
  test('a standard attribute can be made required or immutable; order and types stay', async () => {
    const pool = await createPool({
      schema: [
        { name: 'email', required: true },
        { name: 'given_name', mutable: false },
        { name: 'name', required: true, mutable: true },
      ],
    });
    const expected = STANDARD_SCHEMA.map((a) =>
      a.name === 'email' || a.name === 'name'
        ? { ...a, required: true }
        : a.name === 'given_name'
          ? { ...a, mutable: false }
          : a,
    );
    assert.deepEqual(pool.schemaAttributes, expected);
  });

  test('restating the standard type and constraints is accepted (as Terraform does)', async () => {
    const pool = await createPool({
      schema: [
        {
          name: 'birthdate',
          attributeDataType: 'String',
          stringConstraints: { minLength: 10, maxLength: 10 },
          required: true,
        },
        { name: 'updated_at', attributeDataType: 'Number', numberConstraints: { minValue: 0 } },
      ],
    });
    assert.deepEqual(
      pool.schemaAttributes,
      STANDARD_SCHEMA.map((a) => (a.name === 'birthdate' ? { ...a, required: true } : a)),
    );
  });

  test('a standard attribute’s type, constraints and developer-only flag cannot change; sub cannot change', async () => {
    const cases: Array<[unknown[], string]> = [
      [
        [{ name: 'email', attributeDataType: 'Number' }],
        'email: The data type of a standard attribute cannot be changed.',
      ],
      [[{ name: 'email', developerOnly: true }], 'email: A standard attribute cannot be developer-only.'],
      [
        [{ name: 'email', stringConstraints: { maxLength: 100 } }],
        'email: The constraints of a standard attribute cannot be changed.',
      ],
      [
        [{ name: 'updated_at', numberConstraints: { minValue: 5 } }],
        'updated_at: The constraints of a standard attribute cannot be changed.',
      ],
      [[{ name: 'sub', mutable: true }], 'sub: The sub attribute cannot be changed.'],
      [[{ name: 'sub', required: false }], 'sub: The sub attribute cannot be changed.'],
      [
        [
          { name: 'email', required: true },
          { name: 'email', required: false },
        ],
        'Duplicate attribute name in schema: email.',
      ],
    ];
    for (const [schema, detail] of cases)
      await refuseCreate({ name: 'refused', schema }, 400, 'InvalidParameterException', detail);
  });
});

describe('aliases, username attributes, verification lists', () => {
  test('alias attributes and username attributes are accepted alone', async () => {
    const alias = await createPool({ aliasAttributes: ['email', 'phone_number', 'preferred_username'] });
    assert.deepEqual(alias.aliasAttributes, ['email', 'phone_number', 'preferred_username']);
    assert.deepEqual(alias.usernameAttributes, []);
    const username = await createPool({ usernameAttributes: ['email', 'phone_number'] });
    assert.deepEqual(username.usernameAttributes, ['email', 'phone_number']);
    assert.deepEqual(username.aliasAttributes, []);
    assert.deepEqual(await describePool(username.id), username);
  });

  test('alias and username attributes exclude each other', async () => {
    await refuseCreate(
      { name: 'both', aliasAttributes: ['email'], usernameAttributes: ['phone_number'] },
      400,
      'InvalidParameterException',
      'Only one of aliasAttributes or usernameAttributes can be set in a user pool.',
    );
  });

  test('list values outside their sets or repeated are refused', async () => {
    await refuseCreate(
      { name: 'x', aliasAttributes: ['name'] },
      400,
      'InvalidParameterException',
      "Value at 'body.aliasAttributes.0' failed to satisfy constraint",
    );
    await refuseCreate(
      { name: 'x', usernameAttributes: ['preferred_username'] },
      400,
      'InvalidParameterException',
      "Value at 'body.usernameAttributes.0' failed to satisfy constraint",
    );
    await refuseCreate(
      { name: 'x', autoVerifiedAttributes: ['name'] },
      400,
      'InvalidParameterException',
      "Value at 'body.autoVerifiedAttributes.0' failed to satisfy constraint",
    );
    await refuseCreate(
      { name: 'x', aliasAttributes: ['email', 'email'] },
      400,
      'InvalidParameterException',
      'aliasAttributes: Duplicate values are not allowed.',
    );
    await refuseCreate(
      { name: 'x', autoVerifiedAttributes: ['email', 'email'] },
      400,
      'InvalidParameterException',
      'autoVerifiedAttributes: Duplicate values are not allowed.',
    );
    await refuseCreate(
      { name: 'x', aliasAttributes: 'email' },
      400,
      'InvalidParameterException',
      "Value at 'body.aliasAttributes' failed to satisfy constraint",
    );
  });

  test('preferred_username cannot be both required and an alias', async () => {
    await refuseCreate(
      { name: 'x', aliasAttributes: ['preferred_username'], schema: [{ name: 'preferred_username', required: true }] },
      400,
      'InvalidParameterException',
      'preferred_username cannot be both a required attribute and an alias.',
    );
  });

  test('keep-original attributes must be auto-verified', async () => {
    const pool = await createPool({
      autoVerifiedAttributes: ['email', 'phone_number'],
      keepOriginalAttributes: ['email'],
    });
    assert.deepEqual(pool.autoVerifiedAttributes, ['email', 'phone_number']);
    assert.deepEqual(pool.keepOriginalAttributes, ['email']);
    const message = 'All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes';
    await refuseCreate({ name: 'x', keepOriginalAttributes: ['email'] }, 400, 'InvalidParameterException', message);
    await refuseCreate(
      { name: 'x', autoVerifiedAttributes: ['email'], keepOriginalAttributes: ['email', 'phone_number'] },
      400,
      'InvalidParameterException',
      message,
    );
  });

  test('usernameCaseSensitive is kept', async () => {
    assert.equal((await createPool({ usernameCaseSensitive: true })).usernameCaseSensitive, true);
    await refuseCreate(
      { name: 'x', usernameCaseSensitive: 'true' },
      400,
      'InvalidParameterException',
      "Value at 'body.usernameCaseSensitive' failed to satisfy constraint",
    );
  });
});

describe('policies', () => {
  test('a partial override keeps the other defaults', async () => {
    const pool = await createPool({
      passwordPolicy: { minimumLength: 12, requireSymbols: false },
      codePolicy: { signUpCodeTtlSeconds: 600, maxAttempts: 3 },
      tokenPolicy: { accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 3600 },
    });
    assert.deepEqual(pool.passwordPolicy, {
      ...DEFAULT_POLICIES.passwordPolicy,
      minimumLength: 12,
      requireSymbols: false,
    });
    assert.deepEqual(pool.codePolicy, { ...DEFAULT_POLICIES.codePolicy, signUpCodeTtlSeconds: 600, maxAttempts: 3 });
    assert.deepEqual(pool.tokenPolicy, {
      ...DEFAULT_POLICIES.tokenPolicy,
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 3600,
    });
    assert.deepEqual(await describePool(pool.id), pool);
  });

  test('the bounds are inclusive', async () => {
    const low = await createPool({
      passwordPolicy: { minimumLength: 6 },
      codePolicy: {
        signUpCodeTtlSeconds: 60,
        attributeCodeTtlSeconds: 60,
        passwordResetCodeTtlSeconds: 60,
        maxAttempts: 1,
        sendsPerHour: 1,
        confirmsPerHour: 1,
      },
      tokenPolicy: { accessTokenTtlSeconds: 300, idTokenTtlSeconds: 300, refreshTokenTtlSeconds: 3600 },
    });
    assert.equal(low.passwordPolicy.minimumLength, 6);
    const high = await createPool({
      passwordPolicy: { minimumLength: 99 },
      codePolicy: { signUpCodeTtlSeconds: 604800, maxAttempts: 1000, sendsPerHour: 1_000_000 },
      tokenPolicy: { accessTokenTtlSeconds: 86400, idTokenTtlSeconds: 86400, refreshTokenTtlSeconds: 315_360_000 },
    });
    assert.equal(high.tokenPolicy.refreshTokenTtlSeconds, 315_360_000);
  });

  test('values out of bounds or of the wrong type are refused', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ passwordPolicy: { minimumLength: 5 } }, 'body.passwordPolicy.minimumLength'],
      [{ passwordPolicy: { minimumLength: 100 } }, 'body.passwordPolicy.minimumLength'],
      [{ passwordPolicy: { minimumLength: 8.5 } }, 'body.passwordPolicy.minimumLength'],
      [{ passwordPolicy: { requireNumbers: 'yes' } }, 'body.passwordPolicy.requireNumbers'],
      [{ codePolicy: { signUpCodeTtlSeconds: 59 } }, 'body.codePolicy.signUpCodeTtlSeconds'],
      [{ codePolicy: { passwordResetCodeTtlSeconds: 604801 } }, 'body.codePolicy.passwordResetCodeTtlSeconds'],
      [{ codePolicy: { maxAttempts: 0 } }, 'body.codePolicy.maxAttempts'],
      [{ codePolicy: { sendsPerHour: 1_000_001 } }, 'body.codePolicy.sendsPerHour'],
      [{ tokenPolicy: { accessTokenTtlSeconds: 299 } }, 'body.tokenPolicy.accessTokenTtlSeconds'],
      [{ tokenPolicy: { idTokenTtlSeconds: 86401 } }, 'body.tokenPolicy.idTokenTtlSeconds'],
      [{ tokenPolicy: { refreshTokenTtlSeconds: 3599 } }, 'body.tokenPolicy.refreshTokenTtlSeconds'],
      [{ tokenPolicy: { refreshTokenTtlSeconds: 315_360_001 } }, 'body.tokenPolicy.refreshTokenTtlSeconds'],
      [{ tokenPolicy: { accessTokenTtlSeconds: '3600' } }, 'body.tokenPolicy.accessTokenTtlSeconds'],
      [{ tokenPolicy: null }, 'body.tokenPolicy'],
    ];
    for (const [body, path] of cases) {
      await refuseCreate(
        { name: 'bounds', ...body },
        400,
        'InvalidParameterException',
        `Value at '${path}' failed to satisfy constraint`,
      );
    }
  });
});

describe('AddCustomAttributes', () => {
  test('adds with custom: prefixed, after the existing ones, and leaves the existing ones alone', async () => {
    const pool = await createPool({ schema: [{ name: 'plan', stringConstraints: { maxLength: 10 } }] });
    const added = await t.admin('POST', `/v1/pools/${pool.id}/custom-attributes`, {
      customAttributes: [
        { name: 'tier', attributeDataType: 'Number', numberConstraints: { minValue: 0, maxValue: 3 }, mutable: false },
        { name: 'joined', attributeDataType: 'DateTime' },
        { name: 'secret', developerOnly: true },
      ],
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.schemaAttributes.slice(0, 21), pool.schemaAttributes);
    assert.deepEqual(added.body.schemaAttributes.slice(21), [
      {
        name: 'custom:tier',
        attributeDataType: 'Number',
        mutable: false,
        required: false,
        developerOnly: false,
        numberConstraints: { minValue: 0, maxValue: 3 },
      },
      { name: 'custom:joined', attributeDataType: 'DateTime', mutable: true, required: false, developerOnly: false },
      { name: 'dev:custom:secret', attributeDataType: 'String', mutable: true, required: false, developerOnly: true },
    ]);
    assert.ok(added.body.updatedAt >= pool.updatedAt);
    assert.equal(added.body.createdAt, pool.createdAt);
    const { schemaAttributes: _a, updatedAt: _u, ...rest } = added.body;
    const { schemaAttributes: _b, updatedAt: _v, ...restBefore } = pool;
    assert.deepEqual(rest, restBefore);
    assert.deepEqual(await describePool(pool.id), added.body);
  });

  test('a name that exists (also as dev:custom:) is refused with Cognito’s message, and nothing of the request is added', async () => {
    const pool = await createPool({ schema: [{ name: 'plan' }, { name: 'secret', developerOnly: true }] });
    await refuseAdd(
      pool.id,
      { customAttributes: [{ name: 'plan', attributeDataType: 'Number' }] },
      'custom:plan: Existing attribute already has name custom:plan.',
    );
    await refuseAdd(
      pool.id,
      { customAttributes: [{ name: 'fresh' }, { name: 'plan' }] },
      'custom:plan: Existing attribute already has name custom:plan.',
    );
    await refuseAdd(
      pool.id,
      { customAttributes: [{ name: 'secret' }] },
      'dev:custom:secret: Existing attribute already has name dev:custom:secret.',
    );
    await refuseAdd(
      pool.id,
      { customAttributes: [{ name: 'twin' }, { name: 'twin' }] },
      'custom:twin: Existing attribute already has name custom:twin.',
    );
    assert.ok(!(await describePool(pool.id)).schemaAttributes.some((a: { name: string }) => a.name === 'custom:fresh'));
  });

  test('standard names, verified flags, prefixes, required and bad constraints are refused', async () => {
    const pool = await createPool();
    const cases: Array<[unknown, string]> = [
      [
        { customAttributes: [{ name: 'email' }] },
        'email: Standard attributes are configured when the pool is created; only custom attributes can be added.',
      ],
      [{ customAttributes: [{ name: 'sub' }] }, 'sub: Standard attributes are configured'],
      [
        { customAttributes: [{ name: 'email_verified' }] },
        'email_verified: Verified flags are built in and cannot be configured.',
      ],
      [{ customAttributes: [{ name: 'phone_number_verified' }] }, 'Member must have length less than or equal to 20'],
      [{ customAttributes: [{ name: 'custom:plan' }] }, 'the custom: (or dev:custom:) prefix is added automatically'],
      [
        { customAttributes: [{ name: 'plan', required: true }] },
        'Required custom attributes are not supported currently.',
      ],
      [
        { customAttributes: [{ name: 'plan', stringConstraints: { minLength: 3, maxLength: 2 } }] },
        'custom:plan: MinLength cannot be greater than MaxLength.',
      ],
      [
        { customAttributes: [{ name: 'x'.repeat(21) }] },
        "at 'schema.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 20",
      ],
      [{ customAttributes: [] }, "Value at 'body.customAttributes' failed to satisfy constraint"],
      [
        { customAttributes: Array.from({ length: 26 }, (_, i) => ({ name: `a${i}` })) },
        "Value at 'body.customAttributes' failed to satisfy constraint",
      ],
      [{}, "Member 'customAttributes' at 'body' is required"],
      [{ customAttributes: [{ name: 'plan' }], extra: 1 }, "Unknown member 'extra' at 'body'"],
      [{ customAttributes: { name: 'plan' } }, "Value at 'body.customAttributes' failed to satisfy constraint"],
    ];
    for (const [body, detail] of cases) await refuseAdd(pool.id, body, detail);
  });

  test('at most 50 custom attributes, counted with those that exist', async () => {
    const pool = await createPool({ schema: Array.from({ length: 45 }, (_, i) => ({ name: `c${i}` })) });
    await refuseAdd(
      pool.id,
      { customAttributes: Array.from({ length: 6 }, (_, i) => ({ name: `n${i}` })) },
      'A user pool can have at most 50 custom attributes.',
    );
    const filled = await t.admin('POST', `/v1/pools/${pool.id}/custom-attributes`, {
      customAttributes: Array.from({ length: 5 }, (_, i) => ({ name: `n${i}` })),
    });
    assert.equal(filled.status, 200);
    assert.equal(filled.body.schemaAttributes.length, 70);
    await refuseAdd(
      pool.id,
      { customAttributes: [{ name: 'one_more' }] },
      'A user pool can have at most 50 custom attributes.',
    );
    await refuseAdd(
      pool.id,
      { customAttributes: [{ name: 'secret', developerOnly: true }] },
      'A user pool can have at most 50 custom attributes.',
    );
  });

  test('an unknown pool: 404 ResourceNotFoundException', async () => {
    const before = await allPools();
    assertProblem(
      await t.admin('POST', '/v1/pools/local_Nope00000/custom-attributes', { customAttributes: [{ name: 'plan' }] }),
      404,
      'ResourceNotFoundException',
      'User pool local_Nope00000 does not exist.',
    );
    assert.deepEqual(await allPools(), before);
  });
});

describe('ListUserPools and DescribeUserPool', () => {
  test('the list names every pool with its times, oldest first', async () => {
    const a = await createPool({ name: 'list-a' });
    const b = await createPool({ name: 'list-b' });
    const list = await t.admin('GET', '/v1/pools');
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body), ['pools']);
    const ids = list.body.pools.map((p: { id: string }) => p.id);
    assert.ok(ids.indexOf(a.id) >= 0 && ids.indexOf(a.id) < ids.indexOf(b.id));
    assert.deepEqual(
      list.body.pools.find((p: { id: string }) => p.id === a.id),
      { id: a.id, name: 'list-a', createdAt: a.createdAt, updatedAt: a.updatedAt },
    );
  });

  test('an unknown pool: 404 ResourceNotFoundException naming it', async () => {
    assertProblem(
      await t.admin('GET', '/v1/pools/local_Nope00000'),
      404,
      'ResourceNotFoundException',
      'User pool local_Nope00000 does not exist.',
    );
    assertProblem(
      await t.admin('GET', '/v1/pools/whatever'),
      404,
      'ResourceNotFoundException',
      'User pool whatever does not exist.',
    );
    assertProblem(
      await t.admin('GET', `/v1/pools/${'x'.repeat(65)}`),
      400,
      'InvalidParameterException',
      "Value at 'params.poolId' failed to satisfy constraint",
    );
  });

  test('list takes no query members it does not know', async () => {
    assertProblem(
      await t.admin('GET', '/v1/pools?limit=5'),
      400,
      'InvalidParameterException',
      "Unknown member 'limit'",
    );
  });
});

describe('system routes', () => {
  test('/health/live and /health/ready answer ok without a key', async () => {
    for (const url of ['/health/live', '/health/ready']) {
      const response = await t.call('GET', url);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { status: 'ok' });
    }
  });

  test('a pool’s JWKS: RS256 keys with a kid, usable as public keys, one set per pool', async () => {
    const a = await createPool({ name: 'jwks-a' });
    const b = await createPool({ name: 'jwks-b' });
    const jwksA = await t.call('GET', `/${a.id}/.well-known/jwks.json`);
    const jwksB = await t.call('GET', `/${b.id}/.well-known/jwks.json`);
    assert.equal(jwksA.status, 200);
    assert.equal(jwksA.body.keys.length, 1);
    const [key] = jwksA.body.keys;
    assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(key.kty, 'RSA');
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.ok(key.kid.length > 0);
    assert.equal(createPublicKey({ key, format: 'jwk' }).asymmetricKeyType, 'rsa');
    assert.notEqual(jwksB.body.keys[0].kid, key.kid);
    assertProblem(
      await t.call('GET', '/local_Nope00000/.well-known/jwks.json'),
      404,
      'ResourceNotFoundException',
      'User pool local_Nope00000 does not exist.',
    );
  });

  test('a pool’s openid-configuration: issuer <PUBLIC_URL>/<poolId>, its JWKS and the userinfo endpoint', async () => {
    const pool = await createPool({ name: 'oidc', schema: [{ name: 'plan' }] });
    const response = await t.call('GET', `/${pool.id}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    assert.equal(response.body.issuer, `http://cognate.test/${pool.id}`);
    assert.equal(response.body.issuer, pool.issuer);
    assert.equal(response.body.jwks_uri, `http://cognate.test/${pool.id}/.well-known/jwks.json`);
    assert.equal(response.body.userinfo_endpoint, 'http://cognate.test/oauth2/userInfo');
    assert.deepEqual(response.body.id_token_signing_alg_values_supported, ['RS256']);
    assert.ok(response.body.claims_supported.includes('email'));
    assert.ok(response.body.claims_supported.includes('custom:plan'));
    assertProblem(
      await t.call('GET', '/local_Nope00000/.well-known/openid-configuration'),
      404,
      'ResourceNotFoundException',
    );
  });

  test('/docs is an HTML page and /openapi.json the document', async () => {
    const docs = await t.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(docs.statusCode, 200);
    assert.match(String(docs.headers['content-type']), /^text\/html/);
    assert.match(docs.body, /<html/i);
    const spec = await t.call('GET', '/openapi.json');
    assert.equal(spec.status, 200);
    assert.match(String(spec.headers['content-type']), /^application\/json/);
    assert.equal(spec.body.openapi, '3.1.0');
    assert.equal(spec.body.info.title, 'Cognate');
    assert.ok(spec.body.paths['/v1/pools']);
  });
});
