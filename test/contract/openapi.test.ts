import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';
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
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

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
  test('the committed file is what the route schemas generate now', async () => {
    const committed = await readFile(committedPath, 'utf8');
    assert.ok(committed === generated, 'openapi.yaml is stale: run `npm run openapi` and commit the result (never edit it by hand).');
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
      assert.ok(statuses.some((s) => /^2\d\d$/.test(s)), `${where} declares no 2xx response`);
      const errors = statuses.filter((s) => /^[45]\d\d$/.test(s));
      if (operation.operationId === 'CognitoIdentityProviderService') {
        // Cognito's wire protocol answers Cognito's own error shape, 400, 429 (throttled) or 500, never a problem document.
        assert.deepEqual(errors, ['400', '429', '500'], where);
        for (const status of errors) {
          assert.deepEqual(operation.responses![status]!.content, { 'application/x-amz-json-1.1': { schema: { $ref: '#/components/schemas/CognitoWireError' } } }, where);
        }
        continue;
      }
      // What every route can answer: 400 (query, params and body are validated) and 500; with a
      // body also 413 and 415; behind a key or token also 401.
      const expected = ['400', '500', ...(operation.requestBody ? ['413', '415'] : []), ...(operation.security?.length ? ['401'] : [])];
      for (const status of expected) assert.ok(errors.includes(status), `${where} does not declare ${status}`);
      for (const status of errors) {
        const content = operation.responses![status]!.content ?? {};
        assert.deepEqual(Object.keys(content), ['application/problem+json'], `${where} ${status} is not only application/problem+json`);
        assert.deepEqual(content['application/problem+json']!.schema, { $ref: '#/components/schemas/Problem' }, `${where} ${status} is not a Problem`);
      }
    }
  });

  test('the Problem schema has the five members, all required', () => {
    const problem = document.components?.schemas?.Problem as { required: string[]; properties: Record<string, unknown>; additionalProperties: boolean };
    assert.deepEqual([...problem.required].sort(), ['code', 'detail', 'status', 'title', 'type']);
    assert.deepEqual(Object.keys(problem.properties).sort(), ['code', 'detail', 'status', 'title', 'type']);
    assert.equal(problem.additionalProperties, false);
  });
});

describe('routes and document agree', () => {
  let app: App;
  before(async () => {
    // The routes are what is compared, so the services behind them are never called.
    const refuse = () => new Proxy({}, { get: (_, key) => (key === 'then' ? undefined : () => assert.fail('no service is called here')) });
    const services = { database: refuse(), pools: refuse(), sessions: refuse(), users: refuse(), adminKey: refuse(), close: async () => {} };
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

  test('every route served (except the reference page, the spec itself and CORS preflights) is documented, and nothing more', () => {
    const served = [...servedRoutes()].filter((r) => !/^\w+ \/docs(\/|$)/.test(r) && r !== 'GET /openapi.json' && r !== 'OPTIONS *').sort();
    // Guards the parsing above: a few routes that must be there, whatever else changes.
    for (const known of ['POST /v1/pools', 'GET /v1/pools/{poolId}', 'PATCH /v1/pools/{poolId}/clients/{clientId}', 'GET /{poolId}/.well-known/jwks.json', 'GET /health/live']) {
      assert.ok(served.includes(known), `${known} not found in the route table: ${served.join(', ')}`);
    }
    const documented = operations()
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .sort();
    assert.deepEqual(served, documented);
  });

  test('/openapi.json serves the same document', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), document);
  });
});
