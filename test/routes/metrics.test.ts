import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMetrics } from '../../src/modules/metrics/metrics.ts';
import { ADMIN_KEY, createPoolWithClient, PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { uniqueEmail } from '../support/user-flows.ts';

const METRICS_TOKEN = 'scraper-token-0123456789abcdef';
let t: TestApp;
before(async () => {
  t = await startTestApp({ METRICS_TOKEN });
});
after(() => t.close());

/** The value of one sample in Prometheus text, labels given in the order they are written. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const rendered = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const prefix = rendered ? `${name}{${rendered}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

async function scrape(): Promise<string> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4; charset=utf-8$/);
  return res.body;
}

describe('GET /metrics', () => {
  test('needs METRICS_TOKEN or the admin API key (401 otherwise, the same for a missing and a wrong one)', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer not-the-token-0123456789abcdef' },
      { authorization: METRICS_TOKEN },
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      assert.equal(res.statusCode, 401);
      assert.equal(JSON.parse(res.body).code, 'NotAuthorizedException');
      assert.doesNotMatch(res.body, /cognate_/);
    }
    const byAdmin = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(byAdmin.statusCode, 200);
  });

  test('serves the Prometheus text format: delivery counters at 0 per medium (never per purpose), and process metrics', async () => {
    const text = await scrape();
    assert.match(text, /^# HELP cognate_messages_sent_total /m);
    assert.match(text, /^# TYPE cognate_messages_sent_total counter$/m);
    assert.match(text, /^# TYPE cognate_messages_failed_total counter$/m);
    assert.match(text, /^# TYPE cognate_messages_retried_total counter$/m);
    for (const medium of ['EMAIL', 'SMS']) {
      assert.equal(typeof sample(text, 'cognate_messages_sent_total', { medium }), 'number', medium);
      assert.equal(typeof sample(text, 'cognate_messages_failed_total', { medium, permanent: 'true' }), 'number');
      assert.equal(typeof sample(text, 'cognate_messages_failed_total', { medium, permanent: 'false' }), 'number');
      assert.equal(typeof sample(text, 'cognate_messages_retried_total', { medium }), 'number');
    }
    // A count per purpose would move for a real user's password reset and not for an unknown name.
    assert.doesNotMatch(text, /^cognate_messages_\w+\{[^}]*purpose=/m);
    assert.equal(sample(text, 'cognate_outbox_pending'), 0, 'the outbox backlog, asked at scrape time');
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_used_bytes /m);
  });

  test('takes no query and answers problems for bad requests, as every route does', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/metrics?format=json',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(res.statusCode, 400);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  });

  test('a sign-up that sends a mail counts one EMAIL message sent', async () => {
    const labels = { medium: 'EMAIL' };
    const before = sample(await scrape(), 'cognate_messages_sent_total', labels)!;
    const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    const email = uniqueEmail('counted');
    const res = await t.call('POST', '/v1/sign-up', {
      clientId,
      username: 'counted',
      password: PASSWORD,
      userAttributes: { email },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await t.smtp.waitFor((m) => m.to.includes(email));
    const text = await scrape();
    assert.equal(sample(text, 'cognate_messages_sent_total', labels), before + 1);
    assert.equal(sample(text, 'cognate_messages_failed_total', { ...labels, permanent: 'true' }), 0);
  });
});

describe('request, sign-in and code metrics', () => {
  test('requests are counted and timed by route template, not raw URL', async () => {
    const { poolId } = await createPoolWithClient(t);
    await t.admin('GET', `/v1/pools/${poolId}`);
    await t.admin('GET', '/v1/pools/local_Missing12');
    const text = await scrape();
    assert.ok(
      sample(text, 'cognate_http_requests_total', { method: 'GET', route: '/v1/pools/:poolId', status: '200' })! >= 1,
    );
    assert.ok(
      sample(text, 'cognate_http_requests_total', { method: 'GET', route: '/v1/pools/:poolId', status: '404' })! >= 1,
    );
    assert.ok(!text.includes(poolId), 'no pool id in any label');
    assert.ok(
      sample(text, 'cognate_http_request_duration_seconds_count', { method: 'GET', route: '/v1/pools/:poolId' })! >= 2,
    );
  });

  test('sign-ins by outcome and confirmed codes by purpose', async () => {
    const { clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] });
    const before = await scrape();
    const count = (text: string, name: string, labels: Record<string, string>) => sample(text, name, labels) ?? 0;
    const email = uniqueEmail('metric');
    await t.call('POST', '/v1/sign-up', {
      clientId,
      username: 'metric',
      password: PASSWORD,
      userAttributes: { email },
    });
    const code = await t.smtp.codeFor(email);
    assert.equal(
      (await t.call('POST', '/v1/sign-up/confirm', { clientId, username: 'metric', confirmationCode: code })).status,
      200,
    );
    assert.equal(
      (await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'metric', password: PASSWORD })).status,
      200,
    );
    assert.equal(
      (await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'metric', password: 'Wr0ng-pass!' })).status,
      401,
    );
    assert.equal(
      (await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'nobody', password: PASSWORD })).status,
      401,
    );
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      count(after, name, labels) - count(before, name, labels);
    assert.equal(delta('cognate_sign_ins_total', { outcome: 'success' }), 1);
    assert.equal(delta('cognate_sign_ins_total', { outcome: 'failure' }), 2);
    assert.equal(delta('cognate_codes_verified_total', { purpose: 'SIGN_UP' }), 1);
  });
});

describe('createMetrics', () => {
  test('the DeliveryMetrics hook counts by medium and permanence', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.delivery.sent('SMS');
    metrics.delivery.sent('SMS');
    metrics.delivery.failed('EMAIL', true);
    metrics.delivery.failed('EMAIL', false);
    metrics.delivery.failed('EMAIL', false);
    metrics.delivery.retried('EMAIL');
    const text = await metrics.scrape();
    assert.equal(sample(text, 'cognate_messages_sent_total', { medium: 'SMS' }), 2);
    assert.equal(sample(text, 'cognate_messages_sent_total', { medium: 'EMAIL' }), 0);
    assert.equal(sample(text, 'cognate_messages_failed_total', { medium: 'EMAIL', permanent: 'true' }), 1);
    assert.equal(sample(text, 'cognate_messages_failed_total', { medium: 'EMAIL', permanent: 'false' }), 2);
    assert.equal(sample(text, 'cognate_messages_retried_total', { medium: 'EMAIL' }), 1);
    assert.doesNotMatch(text, /^process_/m, 'default metrics can be turned off');
  });

  test('cognate_outbox_pending is asked at each scrape; NaN when the count cannot be had; absent without a source', async () => {
    let pending = 3;
    let calls = 0;
    const metrics = createMetrics({
      defaultMetrics: false,
      pendingMessages: async () => {
        calls += 1;
        if (pending < 0) throw new Error('database down');
        return pending;
      },
    });
    assert.equal(calls, 0, 'nothing is asked before a scrape');
    assert.equal(sample(await metrics.scrape(), 'cognate_outbox_pending'), 3);
    pending = 0;
    assert.equal(sample(await metrics.scrape(), 'cognate_outbox_pending'), 0);
    pending = -1;
    assert.ok(Number.isNaN(sample(await metrics.scrape(), 'cognate_outbox_pending')));
    assert.equal(calls, 3);
    assert.doesNotMatch(await createMetrics({ defaultMetrics: false }).scrape(), /cognate_outbox_pending/);
  });

  test('two instances do not share counts', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.delivery.sent('EMAIL');
    assert.equal(sample(await b.scrape(), 'cognate_messages_sent_total', { medium: 'EMAIL' }), 0);
  });
});
