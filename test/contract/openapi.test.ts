import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { isAlias, parse, parseDocument, visit } from 'yaml';
import { buildApp, type App } from '../../src/app.ts';
import { openApiYaml } from '../../src/openapi-document.ts';
import type { Services } from '../../src/services.ts';

const committedPath = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  operationId?: string;
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, unknown>;
    responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  };
};

let generated: string;
let document: Document;
before(async () => {
  generated = await openApiYaml();
  document = parse(generated) as Document;
});

function operations(): Array<{ method: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method, path, operation: item[method]! })),
  );
}

describe('openapi.yaml', () => {
  test('the main requests and answers carry examples, and every example is valid against its own component', () => {
    const schemas = document.components!.schemas! as Record<string, { examples?: unknown[] }>;
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // The components as one schema, so their `#/components/schemas/…` references resolve inside it.
    ajv.addSchema({ $id: 'urn:cognate:openapi', components: { schemas } });
    const withExamples = Object.entries(schemas).filter(([, schema]) => schema.examples?.length);
    for (const main of [
      'SignUpRequest',
      'SignUpResult',
      'SignInRequest',
      'TokenSet',
      'User',
      'UpdateAttributesRequest',
      'AttributeUpdateResults',
      'Problem',
      'CreatePoolRequest',
    ]) {
      assert.ok(
        withExamples.some(([name]) => name === main),
        `${main} has an example`,
      );
    }
    for (const [name, schema] of withExamples) {
      const validate = ajv.compile({ $ref: `urn:cognate:openapi#/components/schemas/${name}` });
      for (const example of schema.examples!)
        assert.ok(validate(example), `${name}'s example: ${ajv.errorsText(validate.errors)}`);
    }
  });

  test('the committed file is what the route schemas generate now', async () => {
    const committed = await readFile(committedPath, 'utf8');
    assert.ok(
      committed === generated,
      'openapi.yaml is stale: run `npm run openapi` and commit the result (never edit it by hand).',
    );
  });

  test('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(document.openapi, '3.1.0');
    const result = await new Validator().validate(generated);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  test('every operation has a unique operationId', () => {
    const ids = operations().map(({ method, path, operation }) => {
      assert.ok(operation.operationId, `${method.toUpperCase()} ${path} has no operationId`);
      return operation.operationId;
    });
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(duplicates, [], `operationIds used twice: ${duplicates.join(', ')}`);
  });

  test('every operation has a success response and its error responses are problem documents', () => {
    for (const { method, path, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(operation.responses ?? {});
      // The OAuth endpoints (docs/web-sign-in.md, "Endpoints"): a browser's step succeeds with a
      // redirect, and errors are RFC 6749's `{"error"}`, not problem documents.
      const oauth = (operation as { tags?: string[] }).tags?.includes('oauth') === true;
      assert.ok(
        statuses.some((s) => /^2\d\d$/.test(s) || (oauth && s === '302')),
        `${where} declares no 2xx response`,
      );
      const errors = statuses.filter((s) => /^[45]\d\d$/.test(s));
      if (oauth) {
        for (const status of errors)
          assert.deepEqual(
            operation.responses![status]!.content,
            { 'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } } },
            `${where} ${status}`,
          );
        continue;
      }
      if (operation.operationId === 'CognitoIdentityProviderService') {
        // Cognito's wire protocol answers Cognito's own error shape, 400, 429 (throttled) or 500, never a problem document.
        assert.deepEqual(errors, ['400', '429', '500'], where);
        for (const status of errors) {
          assert.deepEqual(
            operation.responses![status]!.content,
            { 'application/x-amz-json-1.1': { schema: { $ref: '#/components/schemas/CognitoWireError' } } },
            where,
          );
        }
        continue;
      }
      // What every route can answer: 400 (query, params and body are validated) and 500; with a
      // body also 413 and 415; behind a key or token also 401.
      const expected = [
        '400',
        '500',
        ...(operation.requestBody ? ['413', '415'] : []),
        ...(operation.security?.length ? ['401'] : []),
      ];
      for (const status of expected) assert.ok(errors.includes(status), `${where} does not declare ${status}`);
      for (const status of errors) {
        // Shared error answers are written once, under components/responses, and referred to.
        const declared = operation.responses![status] as {
          $ref?: string;
          content?: Record<string, { schema?: unknown }>;
        };
        const response = declared.$ref
          ? document.components?.responses?.[declared.$ref.replace('#/components/responses/', '')]
          : declared;
        assert.ok(response, `${where} ${status} refers to ${declared.$ref}, which is not in components/responses`);
        const content = response.content ?? {};
        assert.deepEqual(
          Object.keys(content),
          ['application/problem+json'],
          `${where} ${status} is not only application/problem+json`,
        );
        assert.deepEqual(
          content['application/problem+json']!.schema,
          { $ref: '#/components/schemas/Problem' },
          `${where} ${status} is not a Problem`,
        );
      }
    }
  });

  test('every object a client sends or gets is a named component ($ref), and no enum is a union of one-value enums', () => {
    const inline: string[] = [];
    for (const { method, path, operation } of operations()) {
      const bodies = Object.entries(
        (operation.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content ?? {},
      );
      const answers = Object.entries(operation.responses ?? {}).flatMap(([status, response]) =>
        Object.entries(response.content ?? {}).map(([media, content]) => [`${status} ${media}`, content] as const),
      );
      for (const [what, content] of [
        ...bodies.map(([media, content]) => [`body ${media}`, content] as const),
        ...answers,
      ]) {
        const schema = content.schema as
          { $ref?: string; type?: string; properties?: object; additionalProperties?: unknown } | undefined;
        const declaresMembers =
          Object.keys(schema?.properties ?? {}).length > 0 || typeof schema?.additionalProperties === 'object';
        if (schema && !schema.$ref && schema.type === 'object' && declaresMembers)
          inline.push(`${method.toUpperCase()} ${path} ${what}`);
      }
    }
    assert.deepEqual(inline, [], 'objects written out in place of a $ref to a named component');
    const unions: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}/${i}`));
      if (!node || typeof node !== 'object') return;
      const { anyOf, oneOf } = node as { anyOf?: unknown[]; oneOf?: unknown[] };
      for (const members of [anyOf, oneOf]) {
        if (
          members?.every(
            (member) =>
              Array.isArray((member as { enum?: unknown[] }).enum) && (member as { enum: unknown[] }).enum.length === 1,
          )
        )
          unions.push(at);
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${at}/${key}`);
    };
    walk(document, '#');
    assert.deepEqual(unions, [], 'unions of one-value enums: use a string enum');
  });

  test('the Problem schema has the five members, all required', () => {
    const problem = document.components?.schemas?.Problem as {
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    assert.deepEqual([...problem.required].sort(), ['code', 'detail', 'status', 'title', 'type']);
    assert.deepEqual(Object.keys(problem.properties).sort(), ['code', 'detail', 'status', 'title', 'type']);
    assert.equal(problem.additionalProperties, false);
  });
  test('is written for generated clients: no YAML anchors, a server, security and real descriptions on every operation, exploded array queries', () => {
    let shared = 0;
    visit(parseDocument(generated), {
      Node: (_, node) => void (isAlias(node) || (node as { anchor?: string }).anchor ? (shared += 1) : 0),
    });
    assert.equal(shared, 0, 'openapi.yaml has YAML anchors or aliases');
    const { servers } = document as unknown as { servers?: Array<{ url: string }> };
    assert.deepEqual(
      servers?.map((server) => server.url),
      ['http://localhost:{port}'],
    );
    for (const { method, path, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(Array.isArray(operation.security), `${where} does not say whether it is public (security: [])`);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        assert.notEqual(
          (response as { description?: string }).description,
          'Default Response',
          `${where} ${status} has no description`,
        );
      }
      const parameters =
        (
          operation as {
            parameters?: Array<{
              in: string;
              name: string;
              schema?: { type?: string };
              style?: string;
              explode?: boolean;
            }>;
          }
        ).parameters ?? [];
      for (const parameter of parameters.filter((p) => p.in === 'query' && p.schema?.type === 'array')) {
        assert.deepEqual(
          [parameter.style, parameter.explode],
          ['form', true],
          `${where} ?${parameter.name}= does not say it repeats`,
        );
      }
    }
  });
});

describe('routes and document agree', () => {
  let app: App;
  before(async () => {
    // The routes are what is compared, so the services behind them are never called.
    const refuse = () =>
      new Proxy({}, { get: (_, key) => (key === 'then' ? undefined : () => assert.fail('no service is called here')) });
    const services = {
      database: refuse(),
      pools: refuse(),
      sessions: refuse(),
      users: refuse(),
      adminKey: refuse(),
      close: async () => {},
    };
    app = await buildApp({ services: services as unknown as Services });
    await app.ready();
  });
  after(() => app.close());

  /** `METHOD /path/{param}` for every route Fastify serves, from its own route table. */
  function servedRoutes(): Set<string> {
    // printRoutes({commonPrefix: false}) draws one node a line, 4 columns per level:
    // `│   └── /segment (GET, HEAD)`; a node's path is its ancestors' segments joined.
    const stack: string[] = [];
    const routes = new Set<string>();
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const match = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
      if (!match) continue;
      const depth = match[1]!.length / 4;
      stack.length = depth;
      stack.push(match[2]!);
      const path = stack.join('').replace(/:(\w+)/g, '{$1}');
      for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
        if (method !== 'HEAD') routes.add(`${method} ${path}`);
      }
    }
    return routes;
  }

  // The managed login pages are HTML for people, not API operations (docs/web-sign-in.md).
  const page =
    /^(GET|POST) \/(login|signup|confirm|confirmUser|resendcode|forgotPassword|confirmForgotPassword|error)(\/|$)/;

  test('every route served (except the reference page, the spec itself, CORS preflights and the login pages) is documented, and nothing more', () => {
    const served = [...servedRoutes()]
      .filter((r) => !/^\w+ \/docs(\/|$)/.test(r) && r !== 'GET /openapi.json' && r !== 'OPTIONS *' && !page.test(r))
      .sort();
    // Guards the parsing above: a few routes that must be there, whatever else changes.
    for (const known of [
      'POST /v1/pools',
      'GET /v1/pools/{poolId}',
      'PATCH /v1/pools/{poolId}/clients/{clientId}',
      'GET /{poolId}/.well-known/jwks.json',
      'GET /health/live',
    ]) {
      assert.ok(served.includes(known), `${known} not found in the route table: ${served.join(', ')}`);
    }
    const documented = operations()
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .sort();
    assert.deepEqual(served, documented);
  });

  test('an operation documented as public lets a caller without credentials past authentication, and only those', async () => {
    // The openapi plugin marks every route that declares no `security` public: this catches a
    // protected route that forgot to say so. Without credentials a protected route answers 401
    // before its input is validated; a public one answers anything else.
    for (const { method, path, operation } of operations()) {
      const response = await app.inject({ method: method.toUpperCase() as 'GET', url: path.replace(/\{\w+\}/g, 'x') });
      const where = `${method.toUpperCase()} ${path}`;
      if (operation.security?.length)
        assert.equal(
          response.statusCode,
          401,
          `${where} declares security but answers ${response.statusCode} without credentials`,
        );
      else assert.notEqual(response.statusCode, 401, `${where} is documented as public but asks for credentials`);
    }
  });

  test('/openapi.json serves the same document', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), document);
  });
});
