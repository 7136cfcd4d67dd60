/**
 * The OpenAPI-driven fuzz (test/support/api-fuzz.ts) with a fixed seed and a bounded count, so
 * CI is deterministic: every operation of openapi.yaml and every Cognito wire action gets
 * generated and mutated requests; no answer may be a 5xx or break its error shape, and the
 * server must be healthy afterwards. `npm run fuzz` runs it longer, with other seeds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CONTENT_TYPE, supportedActions } from '../../src/modules/cognito-protocol/protocol.ts';
import {
  MUTATIONS,
  assertHealthy,
  checkAnswer,
  restOperations,
  runFuzz,
  startFuzzTarget,
  wireOperations,
  type FuzzTarget,
} from '../support/api-fuzz.ts';

const SEED = 20261126;
const RUNS_PER_OPERATION = 20;

let target: FuzzTarget;
before(async () => {
  target = await startFuzzTarget();
});
after(async () => {
  await target?.close();
});

test('the fuzz covers every documented route and every wire action', () => {
  const rest = restOperations();
  assert.ok(rest.length >= 50, `${rest.length} REST operations`);
  assert.ok(
    rest.every((op) => op.id !== 'POST /'),
    'POST / is fuzzed per action',
  );
  assert.deepEqual(
    wireOperations().map((op) => op.action),
    supportedActions,
  );
});

test('the checks themselves catch a 5xx, a bare error and a wrong wire shape', () => {
  const rest = { method: 'GET', url: '/v1/me', headers: {} };
  const wire = { method: 'POST', url: '/', headers: {} };
  const problem = {
    type: 'urn:cognate:error:NotAuthorizedException',
    title: 'NotAuthorizedException',
    status: 401,
    detail: 'x',
    code: 'NotAuthorizedException',
  };
  assert.equal(
    checkAnswer(rest, {
      status: 401,
      headers: { 'content-type': 'application/problem+json; charset=utf-8' },
      body: JSON.stringify(problem),
    }),
    undefined,
  );
  assert.match(checkAnswer(rest, { status: 500, headers: {}, body: '' })!, /server error/);
  assert.match(
    checkAnswer(rest, { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"x"}' })!,
    /content-type/,
  );
  assert.match(
    checkAnswer(rest, {
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ ...problem, status: 400, extra: 1 }),
    })!,
    /members/,
  );
  assert.match(
    checkAnswer(rest, {
      status: 401,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ ...problem, code: 'Oops', title: 'Oops' }),
    })!,
    /unknown problem code/,
  );
  const wireError = { __type: 'InvalidParameterException', message: 'x' };
  assert.equal(
    checkAnswer(wire, {
      status: 400,
      headers: { 'content-type': CONTENT_TYPE, 'x-amzn-errortype': wireError.__type },
      body: JSON.stringify(wireError),
    }),
    undefined,
  );
  assert.match(
    checkAnswer(wire, {
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify(problem),
    })!,
    /content-type/,
  );
  assert.match(
    checkAnswer(wire, { status: 400, headers: { 'content-type': CONTENT_TYPE }, body: JSON.stringify(wireError) })!,
    /x-amzn-errortype/,
  );
  assert.match(
    checkAnswer(wire, { status: 502, headers: { 'content-type': CONTENT_TYPE }, body: JSON.stringify(wireError) })!,
    /server error/,
  );
});

test(`fuzz: seed ${SEED}, ${RUNS_PER_OPERATION} requests per operation: no 5xx, every error in its shape, healthy afterwards`, async () => {
  const lines: string[] = [];
  const report = await runFuzz(target, { seed: SEED, runs: RUNS_PER_OPERATION, log: (line) => lines.push(line) });
  const summary = `${report.requests} requests, ${report.operations} operations, ${(report.ms / 1000).toFixed(1)} s, statuses ${JSON.stringify(report.statuses)}`;
  assert.deepEqual(report.failures, [], `${lines.join('\n')}\n${summary}`);
  // Every mutation kind was sent, and the fuzz reached the work of most operations (a 2xx).
  for (const mutation of MUTATIONS) assert.ok((report.mutations[mutation] ?? 0) > 0, `no ${mutation} request was sent`);
  const reached = Object.values(report.successes).filter((n) => n > 0).length;
  assert.ok(reached >= report.operations / 2, `only ${reached} of ${report.operations} operations ever answered 2xx`);
  assert.equal(await assertHealthy(target), undefined);
});
