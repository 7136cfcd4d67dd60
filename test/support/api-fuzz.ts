/**
 * An OpenAPI-driven fuzzer for the HTTP API, shared by test/contract/fuzz.test.ts (CI: fixed
 * seed, bounded) and scripts/fuzz.ts (`npm run fuzz`, longer). For every operation in
 * openapi.yaml, and for every action of the Cognito wire protocol (`POST /`), fast-check
 * generates requests from the schema and mutates them: wrong types, odd and huge strings,
 * unknown and missing members, broken JSON, wrong media types, bad path parameters and query
 * strings, with the admin key, a user's token or nothing. Every answer must be below 500 and
 * be a problem document (REST) or Cognito's `{__type, message}` (wire protocol).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { errorCatalog } from '../../src/errors/cognito-error.ts';
import { CONTENT_TYPE, TARGET_PREFIX, operationInputs } from '../../src/modules/cognito-protocol/protocol.ts';
import { ADMIN_KEY, PASSWORD, createPoolWithClient, signedInUser, startTestApp, type TestApp } from './app.ts';
import { AWS_KEY } from './cognito.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, any>;

// ---- The operations -----------------------------------------------------------------------------

export interface RestOperation {
  kind: 'rest';
  id: string;
  method: string;
  /** OpenAPI path template, `{poolId}` style. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; required: boolean; schema: Schema }>;
  /** JSON body schema, when the operation takes JSON. */
  body?: Schema;
  /** Other media types the operation takes (import: ndjson, csv). */
  mediaTypes: string[];
  auth: 'admin' | 'user' | 'none';
}

export interface WireOperation {
  kind: 'wire';
  id: string;
  action: string;
  schema: Schema;
  signed: boolean;
}

export type FuzzOperation = RestOperation | WireOperation;

/** Every operation of the committed openapi.yaml except `POST /`, which is fuzzed per action. */
export function restOperations(): RestOperation[] {
  const document = parseYaml(readFileSync(path.join(root, 'openapi.yaml'), 'utf8'));
  // Named components are written once and referred to: inline them, so the fuzz sees whole schemas.
  const components: Record<string, Schema> = document.components?.schemas ?? {};
  const inline = (schema: unknown): any =>
    Array.isArray(schema)
      ? schema.map(inline)
      : schema && typeof schema === 'object'
        ? typeof (schema as Schema).$ref === 'string' && (schema as Schema).$ref.startsWith('#/components/schemas/')
          ? inline(components[(schema as Schema).$ref.slice('#/components/schemas/'.length)])
          : Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inline(value)]))
        : schema;
  document.paths = inline(document.paths);
  const operations: RestOperation[] = [];
  for (const [template, item] of Object.entries<Record<string, Schema>>(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (template === '/' && method === 'post') continue;
      const parameters: Schema[] = op.parameters ?? [];
      const content: Record<string, Schema> = op.requestBody?.content ?? {};
      const security = JSON.stringify(op.security ?? []);
      operations.push({
        kind: 'rest',
        id: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        path: template,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: Boolean(p.required), schema: p.schema ?? {} })),
        ...(content['application/json'] && { body: content['application/json'].schema }),
        mediaTypes: Object.keys(content).filter((type) => type !== 'application/json'),
        auth: security.includes('adminKey') ? 'admin' : security.includes('accessToken') ? 'user' : 'none',
      });
    }
  }
  return operations;
}

/** The wire actions with their input schemas, as the protocol checks them: a new action is fuzzed without touching this file. */
export function wireOperations(): WireOperation[] {
  return operationInputs().map(({ action, signed, input }) => ({
    kind: 'wire',
    id: `POST / ${action}`,
    action,
    schema: input as unknown as Schema,
    signed,
  }));
}

// ---- The target: a real app with a pool, a client and a signed-in user --------------------------

export interface Fixture {
  poolId: string;
  clientId: string;
  username: string;
  email: string;
  sub: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
  otherUsername: string;
}

/** A value taken from the fixture when the request is sent (the fixture is re-seeded when the fuzz breaks it). */
class FixtureValue {
  constructor(readonly key: keyof Fixture) {}
}
const fx = (key: keyof Fixture) => new FixtureValue(key);

export interface FuzzTarget {
  t: TestApp;
  fixture: Fixture;
  /** Re-seeds the pool, client and users when the fuzz deleted, disabled or signed them out. */
  refresh(): Promise<void>;
  seeds: number;
  close(): Promise<void>;
}

let seedCounter = 0;

async function seedFixture(t: TestApp): Promise<Fixture> {
  seedCounter += 1;
  const { poolId, clientId } = await createPoolWithClient(
    t,
    {
      name: `fuzz${seedCounter}`,
      autoVerifiedAttributes: ['email'],
      aliasAttributes: ['email'],
      schema: [
        { name: 'plan', attributeDataType: 'String', searchable: true },
        { name: 'age', attributeDataType: 'Number', numberConstraints: { minValue: 0, maxValue: 150 } },
        { name: 'beta', attributeDataType: 'Boolean' },
      ],
    },
    { name: 'fuzz' },
  );
  const username = `fuzzer${seedCounter}`;
  const email = `fuzzer${seedCounter}.${process.pid}@example.com`;
  const tokens = await signedInUser(t, clientId, username, { email, given_name: 'Fuzz', 'custom:plan': 'gold' });
  const otherUsername = `other${seedCounter}`;
  const other = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: otherUsername,
    userAttributes: { email: `other${seedCounter}.${process.pid}@example.com` },
    messageAction: 'SUPPRESS',
  });
  if (other.status !== 201) throw new Error(`admin create: ${other.status} ${JSON.stringify(other.body)}`);
  return {
    poolId,
    clientId,
    username,
    email,
    sub: tokens.userSub,
    accessToken: tokens.accessToken,
    idToken: tokens.idToken,
    refreshToken: tokens.refreshToken,
    otherUsername,
  };
}

export async function startFuzzTarget(env: Record<string, string> = {}): Promise<FuzzTarget> {
  // Rate limits off unless asked for: the fuzz means to reach the code behind them.
  const t = await startTestApp({
    COGNITO_ACCESS_KEY_ID: AWS_KEY.accessKeyId,
    COGNITO_SECRET_ACCESS_KEY: AWS_KEY.secretAccessKey,
    RATE_LIMITS: 'off',
    ...env,
  });
  const target: FuzzTarget = {
    t,
    fixture: await seedFixture(t),
    seeds: 1,
    async refresh() {
      const me = await t.call('GET', '/v1/me', undefined, target.fixture.accessToken);
      const client = await t.admin('GET', `/v1/pools/${target.fixture.poolId}/clients/${target.fixture.clientId}`);
      const other = await t.admin('GET', `/v1/pools/${target.fixture.poolId}/users/${target.fixture.otherUsername}`);
      if (me.status === 200 && client.status === 200 && other.status === 200 && me.body.enabled !== false) return;
      target.fixture = await seedFixture(t);
      target.seeds += 1;
    },
    close: () => t.close(),
  };
  return target;
}

// ---- Values -------------------------------------------------------------------------------------

/** Strings that break naive code: NUL, lone surrogates, RTL overrides, emoji, controls, 100 KB. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\uD800',
      '\uDBFF',
      '\uDC00',
      '\u202E',
      '\u200F',
      '\u200B',
      '\uFEFF',
      '🙂',
      '👨‍👩‍👧',
      '\r\n',
      '\t',
      '"',
      "'",
      '\\',
      '%',
      '/',
      '..',
      '<',
      '{',
      '$',
      'a',
      'é',
      'ß',
      'İ',
    ),
    maxLength: 24,
  }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDC00',
    '\u202Eevil',
    'مرحبا',
    '🙂'.repeat(300),
    'x'.repeat(100 * 1024),
    '__proto__',
    'constructor',
    'prototype',
    'null',
    'true',
    '0',
    '-1',
    '1e309',
    'NaN',
    '${jndi:x}',
    "'; drop table users; --",
    '%00',
    '%',
    '../../etc/passwd',
    'a'.repeat(129),
    'a'.repeat(2049),
    'email',
    'custom:plan',
    'sub',
    'email_verified',
  ),
);

const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER),
  oddString,
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
) as fc.Arbitrary<Json>;

const attributeNames = [
  'email',
  'email_verified',
  'phone_number',
  'phone_number_verified',
  'sub',
  'name',
  'given_name',
  'family_name',
  'nickname',
  'preferred_username',
  'birthdate',
  'updated_at',
  'custom:plan',
  'custom:age',
  'custom:beta',
  'custom:nope',
  'dev:custom:x',
];
const attributeValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    'true',
    'false',
    'Fuzz',
    '42',
    '-1',
    '151',
    '2024-01-31',
    '+15555550100',
    'new.fuzz@example.com',
    'not-an-email',
    'gold',
  ),
  fc.emailAddress(),
  oddString,
);

/** Values the fixture knows, by member name (case-insensitive): most requests reach deeper code with them. */
function hintFor(member: string, schema: Schema): fc.Arbitrary<unknown> | undefined {
  switch (member.toLowerCase()) {
    case 'userattributes': {
      // A plausible new user or change, so sign-ups and updates get past the schema checks.
      const email = fc.stringMatching(/^[a-z]{4,10}$/).map((local) => `${local}.${process.pid}@example.com`);
      const attributes = fc.record(
        { email, given_name: fc.constantFrom('Fuzz', 'Zoë'), 'custom:plan': fc.constantFrom('gold', 'free') },
        { requiredKeys: ['email'] },
      );
      if (schema.type === 'array')
        return attributes.map((map) => Object.entries(map).map(([Name, Value]) => ({ Name, Value })));
      return attributes;
    }
    case 'clientid':
      return fc.constant(fx('clientId'));
    case 'poolid':
    case 'userpoolid':
      return fc.constant(fx('poolId'));
    case 'username':
      return fc.oneof(
        fc.constant(fx('username')),
        fc.constant(fx('email')),
        fc.constant(fx('otherUsername')),
        fc.stringMatching(/^[a-z][a-z0-9]{5,12}$/),
      );
    case 'password':
    case 'previouspassword':
    case 'proposedpassword':
    case 'temporarypassword':
      return fc.oneof(
        { weight: 4, arbitrary: fc.constant(PASSWORD) },
        { weight: 1, arbitrary: fc.constantFrom('N3w-passw0rd!', 'short', 'nouppercase1!') },
      );
    case 'accesstoken':
      return fc.constant(fx('accessToken'));
    case 'refreshtoken':
    case 'token':
      return fc.oneof(fc.constant(fx('refreshToken')), fc.constant(fx('accessToken')), fc.constant(fx('idToken')));
    case 'confirmationcode':
    case 'code':
      return fc.constantFrom('123456', '000000', '1', 'abcdef');
    case 'attributestoget':
      return fc.uniqueArray(fc.constantFrom(...attributeNames), { maxLength: 3 });
    case 'name':
    case 'attributename':
      return fc.constantFrom(...attributeNames);
    case 'value':
      return attributeValue;
    case 'authflow':
      return fc.constantFrom(
        'USER_PASSWORD_AUTH',
        'REFRESH_TOKEN_AUTH',
        'REFRESH_TOKEN',
        'USER_SRP_AUTH',
        'CUSTOM_AUTH',
        'ADMIN_USER_PASSWORD_AUTH',
      );
    case 'authparameters':
      return fc.oneof(
        fc.record({ USERNAME: fc.constant(fx('username')), PASSWORD: fc.constantFrom(PASSWORD, 'wrong') }),
        fc.record({ REFRESH_TOKEN: fc.constant(fx('refreshToken')) }),
        fc.record({ USERNAME: fc.constant(fx('username')), SRP_A: fc.constantFrom('0', 'ff', 'A'.repeat(512), 'zz') }),
      );
    case 'challengename':
      return fc.constantFrom('NEW_PASSWORD_REQUIRED', 'PASSWORD_VERIFIER', 'SMS_MFA', 'CUSTOM_CHALLENGE');
    case 'filter':
      return fc.constantFrom(
        'email ^= "fuzz"',
        'username = "fuzzer1"',
        'custom:plan = "gold"',
        'sub ^= "0"',
        'status = "Enabled"',
        'cognito:user_status = "CONFIRMED"',
        'email = "unterminated',
        'nope = "x"',
      );
    default:
      return undefined;
  }
}

/** An arbitrary for a JSON schema (the subset TypeBox emits), with fixture values for known members. */
export function fromSchema(schema: Schema | undefined, member = '', depth = 0): fc.Arbitrary<unknown> {
  const hint = member ? hintFor(member, schema ?? {}) : undefined;
  const generic = genericFromSchema(schema ?? {}, depth);
  return hint ? fc.oneof({ weight: 4, arbitrary: hint }, { weight: 1, arbitrary: generic }) : generic;
}

function genericFromSchema(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s: Schema) => fromSchema(s, '', depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFromSchema(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 4) return fc.constant([]);
      return fc.array(fromSchema(schema.items, '', depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object':
    case undefined: {
      if (depth > 4) return fc.constant({});
      const properties: Record<string, Schema> = schema.properties ?? {};
      const required: string[] = schema.required ?? [];
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, fromSchema(s, name, depth + 1)])),
        { requiredKeys: required.filter((name) => name in properties) },
      );
      if (
        Object.keys(properties).length === 0 &&
        schema.additionalProperties &&
        typeof schema.additionalProperties === 'object'
      ) {
        // A map: attribute names to values (userAttributes), or locales to templates.
        const values: Schema = schema.additionalProperties;
        if (values.type === 'string')
          return fc.dictionary(
            fc.oneof(fc.constantFrom(...attributeNames), fc.string({ maxLength: 8 })),
            attributeValue,
            { maxKeys: 5 },
          );
        return fc.dictionary(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom('en', 'fr', 'de-CH', 'pt-BR') },
            { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
          ),
          fromSchema(values, '', depth + 1),
          { maxKeys: 2 },
        );
      }
      // Sometimes the required members alone: a long optional list rarely comes out all valid.
      const requiredOnly = Object.entries(properties).filter(([name]) => required.includes(name));
      if (requiredOnly.length === Object.keys(properties).length) return record;
      return fc.oneof(
        { weight: 3, arbitrary: record },
        {
          weight: 1,
          arbitrary: fc.record(
            Object.fromEntries(requiredOnly.map(([name, s]) => [name, fromSchema(s, name, depth + 1)])),
          ),
        },
      );
    }
    default:
      return anyJson;
  }
}

function stringFromSchema(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 60);
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uri') return fc.webUrl();
  if (typeof schema.pattern === 'string') {
    try {
      const pattern = new RegExp(schema.pattern, 'u');
      const most = schema.maxLength ?? Infinity;
      // fast-check bounds only the length's top: a match shorter than the minimum is repeated up to
      // it (filtering instead loops for ever on a minLength like a client secret's 24), then cut.
      return fc
        .stringMatching(pattern, { maxLength: Math.min(most, 0x7fffffff) })
        .map((s) => {
          const chars = [...s];
          if (chars.length === 0 || chars.length >= min) return s;
          return chars
            .join('')
            .repeat(Math.ceil(min / chars.length))
            .slice(0, Math.min(most, 1_000_000));
        })
        .filter((s) => [...s].length >= min && [...s].length <= most);
    } catch {
      // a pattern fast-check cannot invert: plain strings, which the schema then refuses
    }
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

// ---- Requests -----------------------------------------------------------------------------------

export const MUTATIONS = [
  'valid',
  'wrongType',
  'oddString',
  'unknownMember',
  'missingMember',
  'notObject',
  'brokenJson',
  'wrongContentType',
  'hugeBody',
  'deepNesting',
  'emptyBody',
  'duplicateKeys',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export type AuthKind = 'admin' | 'user' | 'none' | 'garbage' | 'idToken' | 'refreshToken' | 'basic';

/** A request as generated: fixture values still symbolic until `resolve`. */
export interface RequestPlan {
  operation: string;
  mutation: Mutation;
  method: string;
  /** Path with fixture placeholders `{{poolId}}` for values known only at send time. */
  path: string;
  query: string;
  auth: AuthKind;
  /** A JSON value (stringified at send time), or raw text. */
  body?: { json: unknown } | { raw: string };
  contentType?: string;
  /** Wire protocol only. */
  target?: string;
  signature?: 'valid' | 'none' | 'wrong-key' | 'tampered';
}

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

/** Every member slot of a value, depth first (the root itself excluded). */
function slots(value: unknown): Slot[] {
  const found: Slot[] = [];
  const walk = (v: unknown) => {
    if (v instanceof FixtureValue || v === null || typeof v !== 'object') return;
    for (const key of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      found.push({ parent: v as Record<string, unknown>, key });
      walk((v as Record<string, unknown>)[key as string]);
    }
  };
  walk(value);
  return found;
}

function objectsIn(value: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (v instanceof FixtureValue || v === null || typeof v !== 'object') return;
    if (!Array.isArray(v)) found.push(v as Record<string, unknown>);
    for (const member of Object.values(v)) walk(member);
  };
  walk(value);
  return found;
}

function clone(value: unknown): unknown {
  if (value instanceof FixtureValue || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  // defineProperty so that a generated `__proto__` member stays an own member.
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value))
    Object.defineProperty(copy, key, { value: clone(member), enumerable: true, writable: true, configurable: true });
  return copy;
}

const wrongTypeValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constant(1.5),
  fc.constant([]),
  fc.constant(['a']),
  fc.constant({}),
  fc.constant({ a: 1 }),
  fc.constant('5'),
) as fc.Arbitrary<Json>;

const brokenJsonText = fc.constantFrom(
  '{',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  '[1,]',
  'NaN',
  'undefined',
  '\uFEFF{}',
  '{"a":1}{"b":2}',
  '{"a":"\\u12"}',
  '{"a":"\\ud800"}',
  '"',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  'null',
  '0',
  '{"a":1e999}',
);
const otherContentType = fc.constantFrom(
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/JSON',
  'application/json;;',
  'application/problem+json',
  'application/x-amz-json-1.0',
  'application/x-amz-json-1.1',
  '*/*',
  'text/csv',
  'application/x-ndjson',
  'ä/ö',
);

/** A JSON body, valid by the schema or mutated in one way. */
function bodyArbitrary(
  schema: Schema,
  mediaTypes: string[],
): fc.Arbitrary<Pick<RequestPlan, 'mutation' | 'body' | 'contentType'>> {
  const base = fromSchema(schema);
  const json = 'application/json';
  const at = (value: unknown, index: number, replace: (slot: Slot) => void) => {
    const copy = clone(value);
    const all = slots(copy);
    if (all.length > 0) replace(all[index % all.length]!);
    return copy;
  };
  return fc.oneof(
    { weight: 8, arbitrary: base.map((b) => ({ mutation: 'valid' as const, body: { json: b }, contentType: json })) },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat(), wrongTypeValue).map(([b, i, v]) => ({
        mutation: 'wrongType' as const,
        body: { json: at(b, i, (s) => ((s.parent as any)[s.key] = v)) },
        contentType: json,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat(), oddString).map(([b, i, v]) => ({
        mutation: 'oddString' as const,
        body: { json: at(b, i, (s) => ((s.parent as any)[s.key] = v)) },
        contentType: json,
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          base,
          fc.nat(),
          fc.oneof(oddString, fc.constantFrom('__proto__', 'constructor', 'extra', 'ClientId', 'isAdmin')),
          anyJson,
        )
        .map(([b, i, key, v]) => {
          const copy = clone(b);
          const objects = objectsIn(copy);
          const target = objects.length > 0 ? objects[i % objects.length]! : undefined;
          if (target)
            Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
          return {
            mutation: 'unknownMember' as const,
            body: { json: target ? copy : { [key]: v } },
            contentType: json,
          };
        }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat()).map(([b, i]) => ({
        mutation: 'missingMember' as const,
        body: {
          json: at(b, i, (s) =>
            Array.isArray(s.parent) ? s.parent.splice(Number(s.key), 1) : delete s.parent[s.key as string],
          ),
        },
        contentType: json,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.array(anyJson, { maxLength: 3 }), fc.integer(), fc.string(), fc.constant(null), fc.boolean())
        .map((v) => ({ mutation: 'notObject' as const, body: { json: v }, contentType: json })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          brokenJsonText,
          fc.tuple(base, fc.nat()).map(([b, i]) => {
            const text = JSON.stringify(resolveValue(b, PLACEHOLDER_FIXTURE));
            return text.slice(0, Math.max(1, i % text.length));
          }),
        )
        .map((raw) => ({ mutation: 'brokenJson' as const, body: { raw }, contentType: json })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(base, fc.oneof(otherContentType, fc.constantFrom(...(mediaTypes.length ? mediaTypes : [json]))))
        .map(([b, type]) => ({
          mutation: 'wrongContentType' as const,
          body: { json: b },
          contentType: type,
        })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(base, fc.nat(), fc.constantFrom(100 * 1024, 300 * 1024)).map(([b, i, size]) => ({
        mutation: 'hugeBody' as const,
        body:
          size > 256 * 1024
            ? { raw: JSON.stringify({ padding: 'x'.repeat(size) }) }
            : { json: at(b, i, (s) => ((s.parent as any)[s.key] = 'x'.repeat(size))) },
        contentType: json,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 100, max: 20000 }).map((n) => ({
        mutation: 'deepNesting' as const,
        body: { raw: `${'{"a":['.repeat(n)}1${']}'.repeat(n)}` },
        contentType: json,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Pick<RequestPlan, 'mutation' | 'body' | 'contentType'>>(
        { mutation: 'emptyBody', contentType: json },
        { mutation: 'emptyBody', body: { raw: '' }, contentType: json },
        { mutation: 'emptyBody' },
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('{"username":"a","username":"b"}', '{"clientId":1,"clientId":"x","__proto__":null}')
        .map((raw) => ({ mutation: 'duplicateKeys' as const, body: { raw }, contentType: json })),
    },
  );
}

/** Percent-encodes text; a lone surrogate (which URLs cannot carry) becomes U+FFFD, as a browser sends it. */
const encodeText = (text: string) =>
  encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

/** Path parameter values: fixture ones, or hostile ones (raw or percent-encoded). */
function pathParam(name: string): fc.Arbitrary<string> {
  const known: Record<string, string[]> = {
    poolId: ['{{poolId}}'],
    clientId: ['{{clientId}}'],
    username: ['{{username}}', '{{otherUsername}}', '{{email}}', '{{sub}}'],
    name: ['email', 'phone_number', 'given_name', 'custom:plan', 'email_verified', 'sub', 'nope'],
  };
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...(known[name] ?? ['x'])) },
    { weight: 2, arbitrary: oddString.map((s) => encodeText(s).slice(0, 6000)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%ZZ',
        '%E0%A4%A',
        '%00',
        '%C0%80',
        '%ED%A0%80',
        '..',
        '%2F',
        '%2e%2e',
        'a%20b',
        '',
        'x'.repeat(3000),
        '%F0%9F%99%82',
        'local_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      ),
    },
  );
}

/** Query strings: the declared members (valid or mutated), unknown ones, repeated and malformed ones. */
function queryArbitrary(op: RestOperation): fc.Arbitrary<string> {
  const encode = (entries: Array<[string, string]>) =>
    entries.map(([k, v]) => `${encodeText(k)}=${encodeText(v)}`).join('&');
  const value = (schema: Schema, name: string) =>
    fc.oneof(
      {
        weight: 3,
        arbitrary: fromSchema(schema.type === 'array' ? schema.items : schema, name).map((v) =>
          String(v instanceof FixtureValue ? 'x' : v),
        ),
      },
      { weight: 1, arbitrary: oddString.map((s) => s.slice(0, 3000)) },
      { weight: 1, arbitrary: fc.constantFrom('-1', '0', '1e3', '99999999999999999999', 'true', '[]', '', '1.5') },
    );
  const declared = op.query.map((q) =>
    fc.option(
      fc
        .array(value(q.schema, q.name), { minLength: 1, maxLength: q.schema.type === 'array' ? 4 : 1 })
        .map((vs) => vs.map((v) => [q.name, v] as [string, string])),
      { freq: 3 },
    ),
  );
  const raw = fc.constantFrom(
    '',
    '&&&',
    '=',
    '==x',
    'a[b]=c',
    '__proto__=1',
    'constructor[prototype]=1',
    '%E0%A4%A=1',
    '%ZZ',
    'limit=1&limit=2',
    `x=${'y'.repeat(10000)}`,
    'name',
    '?',
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary:
        op.query.length > 0
          ? fc.tuple(...declared).map((lists) => encode(lists.flatMap((l) => l ?? [])))
          : fc.constant(''),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(oddString, oddString).map(([k, v]) => encode([[k.slice(0, 100) || 'k', v.slice(0, 1000)]])),
    },
    { weight: 1, arbitrary: raw },
  );
}

const authArbitrary = (preferred: RestOperation['auth']): fc.Arbitrary<AuthKind> => {
  const usual: AuthKind = preferred === 'admin' ? 'admin' : preferred === 'user' ? 'user' : 'none';
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(usual) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<AuthKind>('admin', 'user', 'none', 'garbage', 'idToken', 'refreshToken', 'basic'),
    },
  );
};

export function restRequest(op: RestOperation): fc.Arbitrary<RequestPlan> {
  const params = op.pathParams.map((name) => pathParam(name));
  const pathArb = fc
    .tuple(...params)
    .map((values) => op.pathParams.reduce((p, name, i) => p.replace(`{${name}}`, values[i]!), op.path));
  const noBody: fc.Arbitrary<Pick<RequestPlan, 'mutation' | 'body' | 'contentType'>> = fc.oneof(
    { weight: 6, arbitrary: fc.constant({ mutation: 'valid' as const }) },
    {
      weight: 1,
      arbitrary: anyJson.map((json) => ({
        mutation: 'unknownMember' as const,
        body: { json },
        contentType: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: brokenJsonText.map((raw) => ({
        mutation: 'brokenJson' as const,
        body: { raw },
        contentType: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: otherContentType.map((contentType) => ({
        mutation: 'wrongContentType' as const,
        body: { raw: 'x' },
        contentType,
      })),
    },
  );
  const mediaBody = (types: string[]): fc.Arbitrary<Pick<RequestPlan, 'mutation' | 'body' | 'contentType'>> =>
    fc
      .tuple(
        fc.constantFrom(...types),
        fc.oneof(
          fc.constantFrom(
            '',
            '\n',
            'cognito:username,email\nfuzz1,a@b.c\n',
            'cognito:username\n"unterminated\n',
            '{"username":"x"}\n{broken\n',
            '\u0000',
            'a,b,c\n1,2',
          ),
          oddString,
          fc
            .array(
              fc.dictionary(
                fc.constantFrom('username', 'sub', 'status', 'attributes', 'passwordHash', 'enabled', 'x'),
                anyJson,
                { maxKeys: 5 },
              ),
              { maxLength: 4 },
            )
            .map((rows) => rows.map((r) => JSON.stringify(r)).join('\n')),
        ),
      )
      .map(([contentType, raw]) => ({ mutation: 'valid' as const, body: { raw }, contentType }));
  const body = op.body
    ? bodyArbitrary(op.body, op.mediaTypes)
    : op.mediaTypes.length > 0
      ? fc.oneof(mediaBody(op.mediaTypes), noBody)
      : noBody;
  return fc
    .record({
      path: pathArb,
      query: queryArbitrary(op),
      auth: authArbitrary(op.auth),
      body,
      wrongMethod: fc.oneof(
        { weight: 30, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'OPTIONS') },
      ),
    })
    .map(({ path: p, query, auth, body: b, wrongMethod }) => ({
      operation: op.id,
      method: wrongMethod ?? op.method,
      path: p,
      query,
      auth,
      ...b,
    }));
}

export function wireRequest(op: WireOperation): fc.Arbitrary<RequestPlan> {
  const target = fc.oneof(
    { weight: 12, arbitrary: fc.constant(`${TARGET_PREFIX}${op.action}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        TARGET_PREFIX,
        `${TARGET_PREFIX}__proto__`,
        `${TARGET_PREFIX}constructor`,
        `AWSCognitoIdentityProviderService${op.action}`,
        `${TARGET_PREFIX}${op.action.toLowerCase()}`,
        `${TARGET_PREFIX}${'A'.repeat(5000)}`,
        `${TARGET_PREFIX}\u202E${op.action}`,
      ),
    },
  );
  const signature = op.signed
    ? fc.oneof(
        { weight: 6, arbitrary: fc.constant('valid' as const) },
        { weight: 1, arbitrary: fc.constantFrom('none' as const, 'wrong-key' as const, 'tampered' as const) },
      )
    : fc.oneof(
        { weight: 6, arbitrary: fc.constant('none' as const) },
        { weight: 1, arbitrary: fc.constant('valid' as const) },
      );
  return fc
    .record({ body: bodyArbitrary(op.schema, []), target, signature, json: fc.boolean() })
    .map(({ body, target: t, signature: s, json }) => ({
      operation: op.id,
      method: 'POST',
      path: '/',
      query: '',
      auth: 'none' as const,
      ...body,
      // The wire protocol's own media type most of the time; plain JSON is taken too.
      contentType:
        body.mutation === 'wrongContentType'
          ? body.contentType
          : body.contentType && (json ? 'application/json' : CONTENT_TYPE),
      ...(t !== undefined && { target: t }),
      signature: s,
    }));
}

export const requestFor = (op: FuzzOperation) => (op.kind === 'rest' ? restRequest(op) : wireRequest(op));

// ---- Sending ------------------------------------------------------------------------------------

const PLACEHOLDER_FIXTURE: Fixture = {
  poolId: 'local_x',
  clientId: 'x'.repeat(26),
  username: 'u',
  email: 'u@example.com',
  sub: '0',
  accessToken: 'a',
  idToken: 'i',
  refreshToken: 'r',
  otherUsername: 'o',
};

function resolveValue(value: unknown, fixture: Fixture): unknown {
  if (value instanceof FixtureValue) return fixture[value.key];
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, fixture));
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value))
    Object.defineProperty(copy, key, {
      value: resolveValue(member, fixture),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

const signer = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new SignatureV4({ credentials, region: 'us-east-1', service: 'cognito-idp', sha256: Hash.bind(null, 'sha256') });

/** The concrete request for a plan, with the fixture's current values and (wire) a signature. */
export async function materialise(plan: RequestPlan, fixture: Fixture): Promise<SentRequest> {
  const fill = (text: string) =>
    text.replace(/\{\{(\w+)\}\}/g, (_m, key: keyof Fixture) => encodeURIComponent(fixture[key]));
  const url = `${fill(plan.path)}${plan.query ? `?${plan.query}` : ''}`;
  const headers: Record<string, string> = {};
  const payload =
    plan.body === undefined
      ? undefined
      : 'raw' in plan.body
        ? plan.body.raw
        : JSON.stringify(resolveValue(plan.body.json, fixture));
  if (plan.contentType) headers['content-type'] = plan.contentType;
  const bearer: Partial<Record<AuthKind, string>> = {
    admin: `Bearer ${ADMIN_KEY}`,
    user: `Bearer ${fixture.accessToken}`,
    garbage: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    idToken: `Bearer ${fixture.idToken}`,
    refreshToken: `Bearer ${fixture.refreshToken}`,
    basic: 'Basic YWRtaW46YWRtaW4=',
  };
  if (bearer[plan.auth]) headers.authorization = bearer[plan.auth]!;
  if (plan.target !== undefined) headers['x-amz-target'] = plan.target;
  if (plan.path === '/' && plan.signature && plan.signature !== 'none') {
    const key = plan.signature === 'wrong-key' ? { ...AWS_KEY, secretAccessKey: 'not-the-secret' } : AWS_KEY;
    const signed = await signer(key).sign({
      method: plan.method,
      protocol: 'http:',
      hostname: 'localhost',
      path: '/',
      query: {},
      headers: { host: 'localhost', ...headers },
      body: payload ?? '',
    });
    Object.assign(headers, signed.headers as Record<string, string>);
    if (plan.signature === 'tampered')
      headers.authorization = headers.authorization!.replace(/Signature=\w/, 'Signature=0');
  }
  return { method: plan.method, url, headers, ...(payload !== undefined && { payload }) };
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** What is wrong with an answer, or undefined when it keeps the contract. */
export function checkAnswer(request: SentRequest, answer: Answer): string | undefined {
  const { status } = answer;
  if (status >= 500) return `server error ${status}: ${answer.body.slice(0, 500)}`;
  const type = String(answer.headers['content-type'] ?? '');
  const wire = request.method === 'POST' && request.url.split('?')[0] === '/';
  if (wire) {
    if (status !== 200 && status !== 400) return `wire answer with status ${status}`;
    if (type !== CONTENT_TYPE) return `wire answer with content-type ${JSON.stringify(type)}`;
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return `wire answer is not JSON: ${answer.body.slice(0, 200)}`;
    }
    if (status === 200)
      return body !== null && typeof body === 'object' && !Array.isArray(body)
        ? undefined
        : 'wire output is not an object';
    const error = body as Record<string, unknown>;
    if (Object.keys(error).sort().join() !== '__type,message') return `wire error members ${Object.keys(error).join()}`;
    if (typeof error.__type !== 'string' || !(error.__type in errorCatalog))
      return `unknown wire error ${String(error.__type)}`;
    if (typeof error.message !== 'string') return 'wire error message is not a string';
    if (answer.headers['x-amzn-errortype'] !== error.__type)
      return `x-amzn-errortype ${String(answer.headers['x-amzn-errortype'])} differs from __type`;
    return undefined;
  }
  // The OAuth endpoints (docs/web-sign-in.md, "Endpoints"): a browser's step redirects, and the
  // token and revocation endpoints answer RFC 6749's `{"error"}`, not problem documents. A method
  // an endpoint does not have (PUT /oauth2/token) is no OAuth request: the server's 404 problem.
  const oauthEndpoint = /^\/(oauth2\/(authorize|token|revoke)|logout)$/.exec(request.url.split('?')[0]!);
  const oauthMethod = oauthEndpoint && (oauthEndpoint[2] === 'token' || oauthEndpoint[2] === 'revoke' ? 'POST' : 'GET');
  if (oauthEndpoint && request.method === oauthMethod) {
    if (status === 302 && request.method === 'GET') return undefined;
    if (status < 400) return status >= 300 ? `unexpected redirect ${status}` : undefined;
    if (!type.startsWith('application/json')) return `OAuth error ${status} with content-type ${JSON.stringify(type)}`;
    try {
      const error = JSON.parse(answer.body) as Record<string, unknown>;
      return typeof error.error === 'string' ? undefined : 'OAuth error without `error`';
    } catch {
      return 'an OAuth error that does not parse';
    }
  }
  if (status < 400) {
    if (status >= 300) return `unexpected redirect ${status}`;
    if (type.startsWith('application/json')) {
      try {
        JSON.parse(answer.body);
      } catch {
        return 'a JSON answer that does not parse';
      }
    }
    return undefined;
  }
  if (!type.startsWith('application/problem+json'))
    return `error ${status} with content-type ${JSON.stringify(type)}: ${answer.body.slice(0, 200)}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(answer.body);
  } catch {
    return `problem document that does not parse: ${answer.body.slice(0, 200)}`;
  }
  if (Object.keys(problem).sort().join() !== 'code,detail,status,title,type')
    return `problem members ${Object.keys(problem).join()}`;
  if (problem.status !== status) return `problem status ${String(problem.status)} on an HTTP ${status}`;
  if (typeof problem.code !== 'string' || !(problem.code in errorCatalog))
    return `unknown problem code ${String(problem.code)}`;
  if (problem.title !== problem.code || problem.type !== `urn:cognate:error:${problem.code}`)
    return 'problem title/type do not match its code';
  if (typeof problem.detail !== 'string') return 'problem detail is not a string';
  return undefined;
}

/** The request as a runnable reproduction (long payloads summarised, the rest exact). */
export function describeRequest(request: SentRequest): string {
  const payload =
    request.payload === undefined
      ? ''
      : request.payload.length > 600
        ? `${JSON.stringify(request.payload.slice(0, 300))}… (${request.payload.length} characters)`
        : JSON.stringify(request.payload);
  const url =
    request.url.length > 600 ? `${request.url.slice(0, 300)}… (${request.url.length} characters)` : request.url;
  return `${request.method} ${url}\n  headers ${JSON.stringify(request.headers)}${payload ? `\n  body ${payload}` : ''}`;
}

// ---- Running ------------------------------------------------------------------------------------

export interface FuzzFailure {
  operation: string;
  mutation: Mutation;
  problem: string;
  request: string;
  /** fast-check's replay path for this operation's property. */
  seed: number;
  path?: string;
}

export interface FuzzReport {
  requests: number;
  operations: number;
  /** Requests per mutation kind. */
  mutations: Record<string, number>;
  statuses: Record<string, number>;
  /** Per operation: how many answers were 2xx (the fuzz reached the operation's work). */
  successes: Record<string, number>;
  failures: FuzzFailure[];
  seeds: number;
  ms: number;
}

export interface FuzzOptions {
  seed: number;
  /** Requests per operation (REST operation or wire action). */
  runs: number;
  /** Only operations whose id contains this. */
  only?: string;
  /** Re-checks the fixture every this many requests. */
  refreshEvery?: number;
  log?: (line: string) => void;
  /** Logs every request and answer. */
  trace?: boolean;
}

export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  // Each operation's seed is its position in the full list, so --only replays exactly what the full run sent.
  const operations = [...restOperations(), ...wireOperations()]
    .map((op, index) => ({ op, seed: options.seed + index }))
    .filter(({ op }) => !options.only || op.id.includes(options.only));
  const report: FuzzReport = {
    requests: 0,
    operations: operations.length,
    mutations: {},
    statuses: {},
    successes: {},
    failures: [],
    seeds: 0,
    ms: 0,
  };
  const refreshEvery = options.refreshEvery ?? 20;
  for (const { op, seed } of operations) {
    let last: { request: SentRequest; problem: string; mutation: Mutation } | undefined;
    const result = await fc.check(
      fc.asyncProperty(requestFor(op), async (plan) => {
        if (report.requests % refreshEvery === 0) await target.refresh();
        const request = await materialise(plan, target.fixture);
        const response = await target.t.app.inject({
          method: request.method as 'GET',
          url: request.url,
          headers: request.headers,
          ...(request.payload !== undefined && { payload: request.payload }),
        });
        report.requests += 1;
        report.mutations[plan.mutation] = (report.mutations[plan.mutation] ?? 0) + 1;
        report.statuses[response.statusCode] = (report.statuses[response.statusCode] ?? 0) + 1;
        if (response.statusCode < 300) report.successes[op.id] = (report.successes[op.id] ?? 0) + 1;
        const problem = checkAnswer(request, {
          status: response.statusCode,
          headers: response.headers,
          body: response.body,
        });
        if (problem) last = { request, problem, mutation: plan.mutation };
        if (options.trace)
          options.log?.(
            `${response.statusCode} [${plan.mutation}] ${describeRequest(request).slice(0, 400)}\n  -> ${response.body.slice(0, 300)}`,
          );
        return problem === undefined;
      }),
      { seed, numRuns: options.runs, endOnFailure: false, maxSkipsPerRun: 0 },
    );
    report.successes[op.id] ??= 0;
    if (result.failed && last) {
      // `last` is the shrunk counterexample: the final failing run fast-check tried.
      const failure: FuzzFailure = {
        operation: op.id,
        mutation: last.mutation,
        problem: last.problem,
        request: describeRequest(last.request),
        seed,
        ...(result.counterexamplePath && { path: result.counterexamplePath }),
      };
      report.failures.push(failure);
      options.log?.(
        `FAIL ${op.id} [${last.mutation}] ${last.problem}\n  ${failure.request}\n  replay: --seed ${options.seed} --only '${op.id}' (fast-check seed ${seed}, path ${result.counterexamplePath})`,
      );
    } else if (result.failed) {
      report.failures.push({
        operation: op.id,
        mutation: 'valid',
        problem: String(result.errorInstance ?? 'failed'),
        request: '',
        seed,
      });
      options.log?.(`FAIL ${op.id}: ${String(result.errorInstance)}`);
    }
  }
  report.seeds = target.seeds;
  report.ms = Date.now() - started;
  return report;
}

/** After the run: the server is ready and a normal user can sign up, confirm and sign in. */
export async function assertHealthy(target: FuzzTarget): Promise<string | undefined> {
  const ready = await target.t.call('GET', '/health/ready');
  if (ready.status !== 200) return `/health/ready answered ${ready.status}`;
  try {
    const { clientId } = await createPoolWithClient(target.t, {
      name: 'after-fuzz',
      autoVerifiedAttributes: ['email'],
    });
    await signedInUser(target.t, clientId, 'afterfuzz', { email: `after.fuzz.${process.pid}@example.com` });
  } catch (error) {
    return `a normal sign-up and sign-in failed after the fuzz: ${String(error)}`;
  }
  return undefined;
}
