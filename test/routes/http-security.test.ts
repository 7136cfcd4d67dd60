import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { ADMIN_KEY, createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const WIRE = 'application/x-amz-json-1.1';
const APP_ORIGIN = 'https://app.example.com';
const DEV_ORIGIN = 'http://localhost:5173';
const EVIL_ORIGIN = 'https://evil.example.com';
// What Amplify in a browser asks for before POST /.
const AMPLIFY_HEADERS = 'cache-control,content-type,x-amz-target,x-amz-user-agent';

async function inject(method: string, url: string, headers: Record<string, string> = {}, payload?: string) {
  const response = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload !== undefined && { payload }),
  });
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

const preflight = (url: string, origin: string, requestHeaders = AMPLIFY_HEADERS) =>
  inject('OPTIONS', url, {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': requestHeaders,
  });
const getUser = (origin?: string) =>
  inject(
    'POST',
    '/',
    { 'content-type': WIRE, 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser', ...(origin && { origin }) },
    JSON.stringify({ AccessToken: 'garbage' }),
  );

function assertNoCors(headers: Record<string, unknown>) {
  for (const name of Object.keys(headers))
    assert.ok(!name.startsWith('access-control-'), `unexpected ${name}: ${String(headers[name])}`);
}

describe('security headers', () => {
  test('every API answer, errors included, carries helmet’s headers with a CSP that allows nothing, and no-store', async () => {
    for (const response of [
      await inject('GET', '/health/live'),
      await inject('GET', '/v1/me'),
      await inject('GET', '/nope'),
      await getUser(),
      await inject('GET', '/v1/pools', { authorization: `Bearer ${ADMIN_KEY}` }),
    ]) {
      const h = response.headers;
      assert.equal(h['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
      assert.equal(h['x-content-type-options'], 'nosniff');
      assert.equal(h['x-frame-options'], 'SAMEORIGIN');
      assert.equal(h['referrer-policy'], 'no-referrer');
      assert.match(String(h['strict-transport-security']), /^max-age=31536000/);
      assert.equal(h['cross-origin-opener-policy'], 'same-origin');
      assert.equal(h['cross-origin-resource-policy'], 'same-origin');
      assert.equal(h['cache-control'], 'no-store');
      assert.equal(h['x-powered-by'], undefined);
    }
  });

  test('/docs still works: its page, scripts and spec load under a CSP of its own', async () => {
    const page = await inject('GET', '/docs/');
    assert.equal(page.status, 200);
    assert.match(page.body, /swagger-ui/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /img-src 'self' data:/);
    assert.ok(!csp.includes('upgrade-insecure-requests'), 'the page is served over plain HTTP too');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    // Every script and stylesheet the page names is served.
    const assets = [...page.body.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    assert.ok(assets.length >= 2, page.body);
    for (const asset of assets)
      assert.equal((await inject('GET', `/docs/${asset.replace(/^docs\//, '')}`)).status, 200, asset);
    const spec = await inject('GET', '/docs/json');
    assert.equal(spec.status, 200);
    assert.equal(JSON.parse(spec.body).openapi, '3.1.0');
  });
});

describe('CORS per client', () => {
  let poolId: string;
  let clientId: string;
  before(async () => {
    ({ poolId, clientId } = await createPoolWithClient(t, {}, { allowedOrigins: [APP_ORIGIN, DEV_ORIGIN] }));
  });

  test('clients carry allowedOrigins: created, described, listed, changed, removed', async () => {
    const described = await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`);
    assert.deepEqual(described.body.allowedOrigins, [APP_ORIGIN, DEV_ORIGIN]);
    const plain = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'no-browser' });
    assert.equal(plain.body.allowedOrigins, null);
    const patched = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${plain.body.clientId}`, {
      allowedOrigins: ['capacitor://localhost', 'http://[::1]:3000'],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.allowedOrigins, ['capacitor://localhost', 'http://[::1]:3000']);
    // Other members leave the list alone; null removes it.
    assert.deepEqual(
      (await t.admin('PATCH', `/v1/pools/${poolId}/clients/${plain.body.clientId}`, { name: 'renamed' })).body
        .allowedOrigins,
      ['capacitor://localhost', 'http://[::1]:3000'],
    );
    assert.equal(
      (await t.admin('PATCH', `/v1/pools/${poolId}/clients/${plain.body.clientId}`, { allowedOrigins: null })).body
        .allowedOrigins,
      null,
    );
  });

  test('an origin must be scheme://host[:port] exactly as a browser sends it', async () => {
    for (const origin of [
      'https://app.example.com/',
      'https://app.example.com/path',
      'https://App.example.com',
      'https://app.example.com:443',
      'http://app.example.com:80',
      '*',
      'https://*.example.com',
      'app.example.com',
      'http://localhost:99999',
      'https://user@app.example.com',
      'https://app.example.com?x=1',
      'null',
    ]) {
      assertProblem(
        await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'bad', allowedOrigins: [origin] }),
        400,
        'InvalidParameterException',
        'Invalid allowed origin',
      );
      assertProblem(
        await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, { allowedOrigins: [origin] }),
        400,
        'InvalidParameterException',
      );
    }
    assertProblem(
      await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'bad', allowedOrigins: [APP_ORIGIN, APP_ORIGIN] }),
      400,
      'InvalidParameterException',
    );
    assert.deepEqual((await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`)).body.allowedOrigins, [
      APP_ORIGIN,
      DEV_ORIGIN,
    ]);
  });

  test('an allowed origin’s preflight for POST / with Amplify’s headers is answered; the call and its errors carry CORS headers', async () => {
    const pre = await preflight('/', APP_ORIGIN);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], APP_ORIGIN);
    assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
    const allowed = String(pre.headers['access-control-allow-headers']).split(/,\s*/);
    for (const header of AMPLIFY_HEADERS.split(',')) assert.ok(allowed.includes(header), `${header} is not allowed`);
    assert.ok(allowed.includes('authorization'));
    assert.equal(pre.headers['access-control-max-age'], '600');
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);
    assert.match(String(pre.headers.vary), /Origin/);

    // The call itself (here a Cognito error), readable by the app: origin allowed, error type exposed.
    const call = await getUser(DEV_ORIGIN);
    assert.equal(call.status, 400);
    assert.equal(call.headers['access-control-allow-origin'], DEV_ORIGIN);
    assert.match(String(call.headers['access-control-expose-headers']), /x-amzn-errortype/);
    // REST routes too, 401s and 404s included.
    for (const url of ['/v1/me', '/nope']) {
      const response = await inject('GET', url, { origin: APP_ORIGIN });
      assert.equal(response.headers['access-control-allow-origin'], APP_ORIGIN, url);
    }
    const restPre = await inject('OPTIONS', '/v1/me/attributes', {
      origin: APP_ORIGIN,
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'authorization,content-type',
    });
    assert.equal(restPre.status, 204);
    assert.match(String(restPre.headers['access-control-allow-methods']), /PATCH/);
  });

  test('any other origin gets no CORS headers at all, and its preflight a 404', async () => {
    for (const origin of [EVIL_ORIGIN, 'https://app.example.com.evil.com', 'http://app.example.com', 'null']) {
      const pre = await preflight('/', origin);
      assert.equal(pre.status, 404, origin);
      assertNoCors(pre.headers);
      assertNoCors((await getUser(origin)).headers);
      assertNoCors((await inject('GET', '/health/live', { origin })).headers);
    }
    // No Origin header, no CORS.
    assertNoCors((await getUser()).headers);
  });

  test('client changes apply at once: a new origin works, a removed or deleted one stops', async () => {
    const origin = 'https://later.example.com';
    assertNoCors((await preflight('/', origin)).headers);
    const created = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'later', allowedOrigins: [origin] });
    assert.equal((await preflight('/', origin)).headers['access-control-allow-origin'], origin);
    await t.admin('PATCH', `/v1/pools/${poolId}/clients/${created.body.clientId}`, {
      allowedOrigins: ['https://other.example.com'],
    });
    assertNoCors((await preflight('/', origin)).headers);
    assert.equal(
      (await preflight('/', 'https://other.example.com')).headers['access-control-allow-origin'],
      'https://other.example.com',
    );
    await t.admin('DELETE', `/v1/pools/${poolId}/clients/${created.body.clientId}`);
    assertNoCors((await preflight('/', 'https://other.example.com')).headers);
  });
});

describe('limits', () => {
  test('the defaults: 256 KiB bodies, 30 s to send a request, 10 s for its headers', () => {
    assert.equal(t.app.initialConfig.bodyLimit, 256 * 1024);
    assert.equal(t.app.server.requestTimeout, 30_000);
    assert.equal(t.app.server.headersTimeout, 10_000);
  });

  test('a body over the limit at POST / is refused with 413 in Cognito’s shape, before any work', async () => {
    const big = JSON.stringify({ ClientId: 'x', Username: 'big', Password: 'p'.repeat(300 * 1024) });
    const response = await inject(
      'POST',
      '/',
      { 'content-type': WIRE, 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' },
      big,
    );
    assert.equal(response.status, 400);
    assert.equal(response.headers['x-amzn-errortype'], 'InvalidParameterException');
    assert.deepEqual(JSON.parse(response.body), {
      __type: 'InvalidParameterException',
      message: 'The request body is too large.',
    });
    // Just under the limit is read and answered on its merits.
    const fits = JSON.stringify({ ClientId: 'x', Username: 'fits', Password: 'p'.repeat(200 * 1024) });
    const answered = await inject(
      'POST',
      '/',
      { 'content-type': WIRE, 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' },
      fits,
    );
    assert.notEqual(JSON.parse(answered.body).message, 'The request body is too large.');
  });

  test('a request that does not arrive in time is cut off with 408, at POST / and on the REST API', async () => {
    const app = await buildApp({ services: t.services, limits: { requestTimeoutMs: 500 } });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    try {
      const slowBody = (path: string, type: string) =>
        // Headers promise 100 bytes; 10 come, then nothing.
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: 100\r\n\r\n{"Username"`;
      for (const sent of [
        slowBody('/', WIRE),
        slowBody('/v1/sign-up', 'application/json'),
        'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Tar',
      ]) {
        const started = Date.now();
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1');
          let received = '';
          socket.on('data', (chunk) => (received += chunk));
          socket.on('close', () => resolve(received));
          socket.on('error', reject);
          socket.write(sent);
        });
        const waited = Date.now() - started;
        assert.match(answer, /^HTTP\/1\.1 408/, `${sent}: ${answer}`);
        assert.ok(waited >= 450 && waited < 3000, `${sent}: cut off after ${waited} ms`);
      }
    } finally {
      await app.close();
    }
  });
});
