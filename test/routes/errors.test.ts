import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  clients,
  codeEvents,
  outboxMessages,
  pools,
  refreshTokens,
  userAttributes,
  users,
  verificationCodes,
} from '../../src/db/schema/index.ts';
import { errorCatalog } from '../../src/errors/cognito-error.ts';
import { ADMIN_KEY, PASSWORD, createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let poolId: string;
let clientId: string;
let accessToken: string;
before(async () => {
  t = await startTestApp();
  ({ poolId, clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    schema: [{ name: 'plan' }],
  }));
  ({ accessToken } = await signedInUser(t, clientId, 'errors-user', {
    email: 'errors@example.com',
    given_name: 'Eve',
    family_name: 'Err',
  }));
});
after(() => t.close());

const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
const JSON_TYPE = { 'content-type': 'application/json' };
const PROBLEM_MEMBERS = ['code', 'detail', 'status', 'title', 'type'];

interface Raw {
  status: number;
  contentType: string;
  text: string;
  body: any;
}

async function raw(
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: string | Buffer,
): Promise<Raw> {
  const response = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload !== undefined && { payload }),
  });
  let body: unknown;
  try {
    body = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    body = undefined;
  }
  return {
    status: response.statusCode,
    contentType: String(response.headers['content-type'] ?? ''),
    text: response.body,
    body,
  };
}

/** A complete problem document: exactly the five members, the media type, status and code agreeing. */
function assertProblem(response: Raw, status: number, code: string, detail?: string) {
  assert.equal(response.status, status, response.text.slice(0, 500));
  assert.match(response.contentType, /^application\/problem\+json/);
  assert.deepEqual(Object.keys(response.body).sort(), PROBLEM_MEMBERS);
  assert.equal(response.body.code, code);
  assert.equal(response.body.title, code);
  assert.equal(response.body.status, status);
  assert.equal(response.body.type, `urn:cognate:error:${code}`);
  assert.equal(typeof response.body.detail, 'string');
  if (detail)
    assert.ok(
      response.body.detail.includes(detail),
      `detail ${JSON.stringify(response.body.detail)} lacks ${JSON.stringify(detail)}`,
    );
}

/** Every row the API can write, to show that a refused request wrote nothing. */
async function snapshot() {
  const { db } = t.database;
  const tables = [pools, clients, users, userAttributes, verificationCodes, codeEvents, refreshTokens, outboxMessages];
  const rows = await Promise.all(tables.map((table) => db.select().from(table as typeof pools)));
  return rows.map((list) => list.map((row) => JSON.stringify(row)).sort());
}

async function unchanged(run: () => Promise<void>) {
  const before = await snapshot();
  await run();
  assert.deepEqual(await snapshot(), before);
}

describe('malformed and unknown input', () => {
  test('malformed JSON: 400 InvalidParameterException as a problem document', async () => {
    await unchanged(async () => {
      for (const payload of [
        '{bad',
        '{"name": "x",}',
        "{'name': 'x'}",
        '{"name": "x"',
        'undefined',
        'NaN',
        '{"name": "x"} trailing',
        '\u0000',
      ]) {
        const response = await raw('POST', '/v1/pools', { ...ADMIN, ...JSON_TYPE }, payload);
        assertProblem(response, 400, 'InvalidParameterException', 'The request body is not valid JSON.');
      }
      assertProblem(
        await raw('POST', '/v1/sign-up', JSON_TYPE, '{"clientId":'),
        400,
        'InvalidParameterException',
        'The request body is not valid JSON.',
      );
    });
  });

  test('unknown members: 400 naming the member, at any depth', async () => {
    await unchanged(async () => {
      const cases: Array<[string, string, Record<string, string>, unknown, string]> = [
        ['POST', '/v1/pools', ADMIN, { name: 'x', colour: 'blue' }, "Unknown member 'colour' at 'body'"],
        [
          'POST',
          '/v1/pools',
          ADMIN,
          { name: 'x', schema: [{ name: 'a', Required: true }] },
          "Unknown member 'Required' at 'body.schema.0'",
        ],
        [
          'POST',
          `/v1/pools/${poolId}/clients`,
          ADMIN,
          { name: 'x', ReadAttributes: ['email'] },
          "Unknown member 'ReadAttributes' at 'body'",
        ],
        [
          'POST',
          '/v1/sign-up',
          {},
          { clientId, username: 'new', password: PASSWORD, UserAttributes: {} },
          "Unknown member 'UserAttributes' at 'body'",
        ],
        [
          'POST',
          '/v1/auth/sign-in',
          {},
          { clientId, username: 'errors-user', password: PASSWORD, authFlow: 'USER_PASSWORD_AUTH' },
          "Unknown member 'authFlow' at 'body'",
        ],
        [
          'PATCH',
          '/v1/me/attributes',
          { authorization: `Bearer ${accessToken}` },
          { userAttributes: { given_name: 'X' }, force: true },
          "Unknown member 'force' at 'body'",
        ],
      ];
      for (const [method, url, headers, body, detail] of cases) {
        assertProblem(
          await raw(method, url, { ...headers, ...JSON_TYPE }, JSON.stringify(body)),
          400,
          'InvalidParameterException',
          detail,
        );
      }
    });
  });

  test('unknown query members: 400 naming them, also on routes that take no query', async () => {
    assertProblem(
      await raw('GET', '/v1/pools?limit=1', ADMIN),
      400,
      'InvalidParameterException',
      "Unknown member 'limit' at 'querystring'",
    );
    assertProblem(
      await raw('GET', '/v1/me?attributes=all', { authorization: `Bearer ${accessToken}` }),
      400,
      'InvalidParameterException',
      "Unknown member 'attributes' at 'querystring'",
    );
    assertProblem(
      await raw('DELETE', '/v1/me/attributes?name=given_name&other=1', { authorization: `Bearer ${accessToken}` }),
      400,
      'InvalidParameterException',
      "Unknown member 'other' at 'querystring'",
    );
    const me = await t.call('GET', '/v1/me/attributes', undefined, accessToken);
    assert.equal(me.body.given_name, 'Eve');
  });

  test('wrong types are refused, never coerced', async () => {
    await unchanged(async () => {
      const cases: Array<[string, string, Record<string, string>, unknown, string]> = [
        ['POST', '/v1/pools', ADMIN, { name: 5 }, "Value at 'body.name' failed to satisfy constraint: must be string"],
        [
          'POST',
          '/v1/pools',
          ADMIN,
          { name: ['x'] },
          "Value at 'body.name' failed to satisfy constraint: must be string",
        ],
        [
          'POST',
          '/v1/pools',
          ADMIN,
          { name: 'x', usernameCaseSensitive: 'true' },
          "Value at 'body.usernameCaseSensitive' failed to satisfy constraint: must be boolean",
        ],
        [
          'POST',
          '/v1/pools',
          ADMIN,
          { name: 'x', usernameCaseSensitive: 1 },
          "Value at 'body.usernameCaseSensitive' failed to satisfy constraint: must be boolean",
        ],
        [
          'POST',
          '/v1/pools',
          ADMIN,
          { name: 'x', passwordPolicy: { minimumLength: '12' } },
          "Value at 'body.passwordPolicy.minimumLength' failed to satisfy constraint: must be integer",
        ],
        [
          'POST',
          `/v1/pools/${poolId}/clients`,
          ADMIN,
          { name: 'x', preventUserExistenceErrors: 'false' },
          "Value at 'body.preventUserExistenceErrors' failed to satisfy constraint: must be boolean",
        ],
        [
          'POST',
          '/v1/sign-up',
          {},
          { clientId, username: 12345, password: PASSWORD },
          "Value at 'body.username' failed to satisfy constraint: must be string",
        ],
        [
          'POST',
          '/v1/sign-up',
          {},
          { clientId, username: 'n', password: PASSWORD, userAttributes: { 'custom:plan': 5 } },
          "Value at 'body.userAttributes.custom:plan' failed to satisfy constraint: must be string",
        ],
        [
          'POST',
          '/v1/sign-up',
          {},
          { clientId, username: 'n', password: PASSWORD, userAttributes: { email_verified: true } },
          "Value at 'body.userAttributes.email_verified' failed to satisfy constraint: must be string",
        ],
        [
          'POST',
          '/v1/sign-up',
          {},
          { clientId, username: 'n', password: PASSWORD, userAttributes: [{ Name: 'email', Value: 'a@b.c' }] },
          "Value at 'body.userAttributes' failed to satisfy constraint: must be object",
        ],
        [
          'POST',
          '/v1/sign-up/confirm',
          {},
          { clientId, username: 'errors-user', confirmationCode: 123456 },
          "Value at 'body.confirmationCode' failed to satisfy constraint: must be string",
        ],
        [
          'PUT',
          '/v1/me/attributes/given_name',
          { authorization: `Bearer ${accessToken}` },
          { value: 7 },
          "Value at 'body.value' failed to satisfy constraint: must be string",
        ],
        [
          'PUT',
          '/v1/me/attributes/given_name',
          { authorization: `Bearer ${accessToken}` },
          { value: null },
          "Value at 'body.value' failed to satisfy constraint: must be string",
        ],
      ];
      for (const [method, url, headers, body, detail] of cases) {
        assertProblem(
          await raw(method, url, { ...headers, ...JSON_TYPE }, JSON.stringify(body)),
          400,
          'InvalidParameterException',
          detail,
        );
      }
    });
  });

  test('missing required members: 400 naming the member', async () => {
    await unchanged(async () => {
      const cases: Array<[string, string, Record<string, string>, unknown, string]> = [
        ['POST', '/v1/pools', ADMIN, {}, "Member 'name' at 'body' is required"],
        ['POST', `/v1/pools/${poolId}/custom-attributes`, ADMIN, {}, "Member 'customAttributes' at 'body' is required"],
        ['POST', '/v1/sign-up', {}, { clientId, username: 'n' }, "Member 'password' at 'body' is required"],
        [
          'POST',
          '/v1/auth/sign-in',
          {},
          { username: 'errors-user', password: PASSWORD },
          "Member 'clientId' at 'body' is required",
        ],
        [
          'POST',
          '/v1/me/attributes/email/verify',
          { authorization: `Bearer ${accessToken}` },
          {},
          "Member 'confirmationCode' at 'body' is required",
        ],
      ];
      for (const [method, url, headers, body, detail] of cases) {
        assertProblem(
          await raw(method, url, { ...headers, ...JSON_TYPE }, JSON.stringify(body)),
          400,
          'InvalidParameterException',
          detail,
        );
      }
    });
  });
});

describe('media types, sizes, routes', () => {
  test('a body that is not JSON: 415 with code InvalidParameterException', async () => {
    await unchanged(async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ 'content-type': 'text/plain' }, '{"name":"x"}'],
        [{ 'content-type': 'text/plain; charset=utf-8' }, 'name=x'],
        [{ 'content-type': 'application/x-www-form-urlencoded' }, 'name=x'],
        [{ 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\nx\r\n--x--'],
        [{ 'content-type': 'application/xml' }, '<name>x</name>'],
        [{}, '{"name":"x"}'],
      ];
      for (const [headers, payload] of cases) {
        assertProblem(
          await raw('POST', '/v1/pools', { ...ADMIN, ...headers }, payload),
          415,
          'InvalidParameterException',
          'Unsupported media type',
        );
      }
      assertProblem(
        await raw('POST', '/v1/sign-up', { 'content-type': 'text/plain' }, 'hello'),
        415,
        'InvalidParameterException',
      );
      assertProblem(
        await raw(
          'PATCH',
          '/v1/me/attributes',
          { authorization: `Bearer ${accessToken}`, 'content-type': 'text/plain' },
          '{}',
        ),
        415,
        'InvalidParameterException',
      );
    });
  });

  test('JSON with a charset parameter is JSON', async () => {
    const response = await raw(
      'POST',
      '/v1/pools',
      { ...ADMIN, 'content-type': 'application/json; charset=utf-8' },
      JSON.stringify({ name: 'charset' }),
    );
    assert.equal(response.status, 201);
  });

  test('a body over the limit: 413', async () => {
    await unchanged(async () => {
      const big = JSON.stringify({ name: 'x', schema: [{ name: 'a'.repeat(300 * 1024) }] });
      assertProblem(
        await raw('POST', '/v1/pools', { ...ADMIN, ...JSON_TYPE }, big),
        413,
        'InvalidParameterException',
        'The request body is too large.',
      );
      const bigSignUp = JSON.stringify({
        clientId,
        username: 'big',
        password: PASSWORD,
        userAttributes: { name: 'n'.repeat(300 * 1024) },
      });
      assertProblem(
        await raw('POST', '/v1/sign-up', JSON_TYPE, bigSignUp),
        413,
        'InvalidParameterException',
        'The request body is too large.',
      );
    });
  });

  test('an unknown route or method: 404 ResourceNotFoundException', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['GET', '/v1'],
      ['POST', '/v1/pools/x/y/z'],
      ['PUT', '/v1/pools'],
      ['GET', '/v1/sign-up'],
      ['DELETE', '/health/live'],
    ]) {
      assertProblem(await raw(method!, url!, ADMIN), 404, 'ResourceNotFoundException', `No route ${method} ${url}.`);
    }
    assertProblem(await raw('GET', '/nope?secret=1', {}), 404, 'ResourceNotFoundException', 'No route GET /nope.');
  });

  test('bad percent-encoding in the path: 400; a path parameter over the router’s limit: 414; both problem documents', async () => {
    assertProblem(
      await raw('GET', '/v1/pools/%E0%A4%A', ADMIN),
      400,
      'InvalidParameterException',
      'The URL is not validly percent-encoded.',
    );
    assertProblem(await raw('GET', '/v1/pools/%ED%A0%80', ADMIN), 400, 'InvalidParameterException');
    assertProblem(
      await raw('GET', `/v1/pools/${'x'.repeat(3000)}`, ADMIN),
      414,
      'InvalidParameterException',
      'A path parameter is too long.',
    );
    assertProblem(
      await raw('GET', `/v1/pools/${'x'.repeat(65)}`, ADMIN),
      400,
      'InvalidParameterException',
      "Value at 'params.poolId' failed to satisfy constraint",
    );
  });
});

describe('prototype poisoning', () => {
  test('__proto__ and constructor.prototype members are refused and pollute nothing', async () => {
    await unchanged(async () => {
      const payloads = [
        '{"name":"p","__proto__":{"isAdmin":true}}',
        '{"name":"p","constructor":{"prototype":{"isAdmin":true}}}',
        '{"name":"p","schema":[{"name":"a","__proto__":{"required":true}}]}',
        '{"name":"p","passwordPolicy":{"__proto__":{"minimumLength":1}}}',
      ];
      for (const payload of payloads) {
        assertProblem(
          await raw('POST', '/v1/pools', { ...ADMIN, ...JSON_TYPE }, payload),
          400,
          'InvalidParameterException',
        );
      }
      const signUp = `{"clientId":"${clientId}","username":"proto","password":"${PASSWORD}","userAttributes":{"__proto__":{"email_verified":"true"},"email":"p@example.com"}}`;
      assertProblem(await raw('POST', '/v1/sign-up', JSON_TYPE, signUp), 400, 'InvalidParameterException');
      const query = await raw('DELETE', '/v1/me/attributes?name=given_name&__proto__[isAdmin]=1', {
        authorization: `Bearer ${accessToken}`,
      });
      assertProblem(query, 400, 'InvalidParameterException');
    });
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    assert.equal(({} as Record<string, unknown>).required, undefined);
    assert.equal(({} as Record<string, unknown>).email_verified, undefined);
  });
});

describe('query strings', () => {
  test('a repeated query member is an array (?name=a&name=b), a single one too', async () => {
    const { clientId: ownClient } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    const { accessToken: token } = await signedInUser(t, ownClient, 'query-user', {
      email: 'query@example.com',
      given_name: 'Q',
      family_name: 'U',
      nickname: 'qu',
    });
    const both = await raw('DELETE', '/v1/me/attributes?name=given_name&name=family_name', {
      authorization: `Bearer ${token}`,
    });
    assert.equal(both.status, 204, both.text);
    let me = await t.call('GET', '/v1/me/attributes', undefined, token);
    assert.equal(me.body.given_name, undefined);
    assert.equal(me.body.family_name, undefined);
    assert.equal(me.body.nickname, 'qu');
    const one = await raw('DELETE', '/v1/me/attributes?name=nickname', { authorization: `Bearer ${token}` });
    assert.equal(one.status, 204, one.text);
    me = await t.call('GET', '/v1/me/attributes', undefined, token);
    assert.equal(me.body.nickname, undefined);
    assert.equal(me.body.email, 'query@example.com');
  });
});

describe('no input produces a 5xx', () => {
  test('text that PostgreSQL cannot store (NUL, unpaired surrogates) is refused with the member named', async () => {
    await unchanged(async () => {
      const bearer = { authorization: `Bearer ${accessToken}` };
      const cases: Array<[string, string, Record<string, string>, string, string]> = [
        ['POST', '/v1/pools', ADMIN, JSON.stringify({ name: 'p\u0000x' }), 'body.name'],
        ['POST', '/v1/pools', ADMIN, '{"name":"\\ud800"}', 'body.name'],
        ['POST', '/v1/pools', ADMIN, '{"name":"\\udc00x"}', 'body.name'],
        [
          'POST',
          '/v1/sign-up',
          {},
          JSON.stringify({
            clientId,
            username: 'nul',
            password: PASSWORD,
            userAttributes: { email: 'n@example.com', name: 'a\u0000b' },
          }),
          'body.userAttributes.name',
        ],
        [
          'POST',
          '/v1/sign-up',
          {},
          JSON.stringify({ clientId, username: 'nul', password: PASSWORD, userAttributes: { 'na\u0000me': 'x' } }),
          'body.userAttributes.na\u0000me',
        ],
        [
          'POST',
          '/v1/auth/sign-in',
          {},
          JSON.stringify({ clientId, username: 'x\u0000', password: PASSWORD }),
          'body.username',
        ],
        ['POST', '/v1/sign-up/resend-code', {}, JSON.stringify({ clientId, username: 'x\u0000' }), 'body.username'],
        [
          'PATCH',
          '/v1/me/attributes',
          bearer,
          JSON.stringify({ userAttributes: { given_name: '\u0000' } }),
          'body.userAttributes.given_name',
        ],
        ['PUT', '/v1/me/attributes/given_name', bearer, '{"value":"\\ud83d"}', 'body.value'],
      ];
      for (const [method, url, headers, payload, path] of cases) {
        const response = await raw(method, url, { ...headers, ...JSON_TYPE }, payload);
        assertProblem(
          response,
          400,
          'InvalidParameterException',
          `Value at '${path}' failed to satisfy constraint: Member must not contain NUL characters or unpaired surrogates`,
        );
      }
      for (const url of ['/v1/pools/%00', '/v1/pools/a%00b', `/v1/pools/${poolId}/clients/a%00`]) {
        assertProblem(await raw('GET', url, ADMIN), 400, 'InvalidParameterException', "Value at 'params.");
      }
      assertProblem(
        await raw('GET', '/%00/.well-known/jwks.json', {}),
        400,
        'InvalidParameterException',
        "Value at 'params.poolId'",
      );
      assertProblem(await raw('DELETE', '/v1/me/attributes?name=%00', bearer), 400, 'InvalidParameterException');
    });
    const me = await t.call('GET', '/v1/me/attributes', undefined, accessToken);
    assert.equal(me.body.given_name, 'Eve');
  });

  test('a table of odd inputs at many routes: always a 2xx or a 4xx problem document', async () => {
    const { clientId: ownClient, poolId: ownPool } = await createPoolWithClient(t, {
      autoVerifiedAttributes: ['email'],
    });
    const { accessToken: token } = await signedInUser(t, ownClient, 'odd-user', { email: 'odd@example.com' });
    const patchClient = (await t.admin('POST', `/v1/pools/${ownPool}/clients`, { name: 'patched' })).body.clientId;
    const routes: Array<[string, string, Record<string, string>, Record<string, unknown>]> = [
      [
        'POST',
        '/v1/pools',
        ADMIN,
        { name: 'odd', schema: [{ name: 'plan' }], aliasAttributes: ['email'], passwordPolicy: { minimumLength: 8 } },
      ],
      [
        'POST',
        `/v1/pools/${ownPool}/custom-attributes`,
        ADMIN,
        { customAttributes: [{ name: 'oddattr', attributeDataType: 'String' }] },
      ],
      [
        'POST',
        `/v1/pools/${ownPool}/clients`,
        ADMIN,
        { name: 'odd', readAttributes: ['email'], writeAttributes: ['email'] },
      ],
      [
        'PATCH',
        `/v1/pools/${ownPool}/clients/${patchClient}`,
        ADMIN,
        { name: 'odd', readAttributes: ['email'], preventUserExistenceErrors: true },
      ],
      [
        'POST',
        '/v1/sign-up',
        {},
        { clientId: ownClient, username: 'odd-new', password: PASSWORD, userAttributes: { email: 'new@example.com' } },
      ],
      ['POST', '/v1/sign-up/confirm', {}, { clientId: ownClient, username: 'odd-user', confirmationCode: '123456' }],
      ['POST', '/v1/sign-up/resend-code', {}, { clientId: ownClient, username: 'odd-new' }],
      ['POST', '/v1/auth/sign-in', {}, { clientId: ownClient, username: 'odd-user', password: 'wrong' }],
      ['POST', '/v1/auth/refresh', {}, { clientId: ownClient, refreshToken: 'nope' }],
      ['PATCH', '/v1/me/attributes', { authorization: `Bearer ${token}` }, { userAttributes: { given_name: 'Odd' } }],
      ['PUT', '/v1/me/attributes/nickname', { authorization: `Bearer ${token}` }, { value: 'odd' }],
      ['POST', '/v1/me/attributes/email/verify', { authorization: `Bearer ${token}` }, { confirmationCode: '000000' }],
      [
        'POST',
        '/v1/me/password',
        { authorization: `Bearer ${token}` },
        { previousPassword: 'wrong', proposedPassword: PASSWORD },
      ],
    ];
    const oddValues: unknown[] = [
      null,
      true,
      0,
      -1,
      1e308,
      1.5,
      '',
      ' ',
      'x'.repeat(100_000),
      '😀'.repeat(3000),
      'שלום עולם',
      'a\u200bb',
      'ﬁ\u0301',
      '\t\n',
      '../../etc/passwd',
      "'; drop table users; --",
      '%00',
      '{{7*7}}',
      [],
      ['a', 1],
      {},
      { nested: { deeper: [1, { x: null }] } },
    ];
    const rawPayloads = [
      '',
      'null',
      'true',
      '0',
      '"string"',
      '[]',
      '[{}]',
      '{}',
      '\ufeff{}',
      `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
      `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      '{"x":1e999}',
      '{"":""}',
    ];
    const failures: string[] = [];
    const check = async (
      method: string,
      url: string,
      headers: Record<string, string>,
      payload: string,
      label: string,
    ) => {
      const response = await raw(method, url, { ...headers, ...JSON_TYPE }, payload);
      if (response.status >= 500)
        failures.push(`${method} ${url} ${label}: ${response.status} ${response.text.slice(0, 200)}`);
      else if (response.status >= 400) {
        const ok =
          /^application\/problem\+json/.test(response.contentType) &&
          response.body?.status === response.status &&
          response.body.code in errorCatalog;
        if (!ok) failures.push(`${method} ${url} ${label}: not a problem document: ${response.text.slice(0, 200)}`);
      }
    };
    for (const [method, url, headers, base] of routes) {
      for (const payload of rawPayloads)
        await check(method, url, headers, payload, `raw ${JSON.stringify(payload.slice(0, 20))}`);
      for (const member of Object.keys(base)) {
        for (const value of oddValues) {
          await check(
            method,
            url,
            headers,
            JSON.stringify({ ...base, [member]: value }),
            `${member}=${JSON.stringify(value)?.slice(0, 30)}`,
          );
        }
      }
      // Odd values inside the attribute map and the schema entries, where the engine does the checking.
      if ('userAttributes' in base) {
        for (const value of oddValues.filter((v) => typeof v === 'string')) {
          for (const name of [
            'email',
            'phone_number',
            'birthdate',
            'updated_at',
            'custom:plan',
            'sub',
            'email_verified',
            String(value).slice(0, 40) || 'x',
          ]) {
            await check(
              method,
              url,
              headers,
              JSON.stringify({ ...base, userAttributes: { [name]: value } }),
              `userAttributes.${name}`,
            );
          }
        }
      }
      if ('customAttributes' in base || 'schema' in base) {
        const key = 'customAttributes' in base ? 'customAttributes' : 'schema';
        for (const value of oddValues) {
          await check(
            method,
            url,
            headers,
            JSON.stringify({ ...base, [key]: [{ name: value }] }),
            `${key}[0].name=${JSON.stringify(value)?.slice(0, 30)}`,
          );
          await check(
            method,
            url,
            headers,
            JSON.stringify({
              ...base,
              [key]: [{ name: 'num', attributeDataType: 'Number', numberConstraints: { minValue: value } }],
            }),
            `${key}[0].numberConstraints=${JSON.stringify(value)?.slice(0, 30)}`,
          );
        }
      }
    }
    for (const value of [
      '%00',
      '%20',
      '..',
      '%2e%2e',
      encodeURIComponent('😀'),
      'a'.repeat(64),
      '%F0%9F',
      'email%00',
    ]) {
      for (const url of [
        `/v1/pools/${value}`,
        `/v1/pools/${value}/clients`,
        `/v1/pools/${ownPool}/clients/${value}`,
        `/${value}/.well-known/openid-configuration`,
      ]) {
        const response = await raw('GET', url, ADMIN);
        if (response.status >= 500) failures.push(`GET ${url}: ${response.status}`);
      }
      for (const url of [`/v1/me/attributes/${value}/verification-code`, `/v1/me/attributes/${value}/verify`]) {
        const response = await raw(
          'POST',
          url,
          { authorization: `Bearer ${token}`, ...JSON_TYPE },
          JSON.stringify({ confirmationCode: '123456' }),
        );
        if (response.status >= 500) failures.push(`POST ${url}: ${response.status}`);
      }
    }
    for (const header of [
      'Bearer',
      'Bearer \t',
      `Bearer ${'x'.repeat(8000)}`,
      'Bearer a.b.c',
      'Bearer eyJhbGciOiJub25lIn0.e30.',
      `Bearer ${token}x`,
      `Bearer ${token.split('.').slice(0, 2).join('.')}.`,
    ]) {
      for (const [method, url] of [
        ['GET', '/v1/me'],
        ['GET', '/v1/me/attributes'],
        ['GET', '/oauth2/userInfo'],
        ['POST', '/v1/auth/sign-out'],
      ]) {
        const response = await raw(method!, url!, { authorization: header });
        if (response.status !== 401)
          failures.push(
            `${method} ${url} with ${header.slice(0, 30)}: ${response.status} ${response.text.slice(0, 120)}`,
          );
      }
    }
    assert.deepEqual(failures, []);
  });

  test('nesting as deep as the body limit allows is answered at once, not by a crash or a stall', async () => {
    await unchanged(async () => {
      const depth = 120_000;
      for (const payload of [
        '['.repeat(depth) + ']'.repeat(depth),
        `{"name":"x","schema":[${'['.repeat(depth)}"\u0000"${']'.repeat(depth)}]}`,
      ]) {
        const started = Date.now();
        const response = await raw('POST', '/v1/pools', { ...ADMIN, ...JSON_TYPE }, payload);
        assertProblem(response, 400, 'InvalidParameterException');
        assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      }
    });
  });

  test('an empty body with a JSON content type is no body: 400 where one is required, fine where none is', async () => {
    await unchanged(async () => {
      assertProblem(
        await raw('POST', '/v1/pools', { ...ADMIN, ...JSON_TYPE }, ''),
        400,
        'InvalidParameterException',
        "Value at 'body' failed to satisfy constraint",
      );
      assertProblem(
        await raw('POST', '/v1/sign-up', JSON_TYPE, ''),
        400,
        'InvalidParameterException',
        "Value at 'body' failed to satisfy constraint",
      );
    });
    const live = await raw('GET', '/health/live', JSON_TYPE, '');
    assert.equal(live.status, 200);
  });
});
