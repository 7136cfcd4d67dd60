/**
 * The web sign-in's configuration on the REST face (docs/web-sign-in.md): a client's `oauth`
 * settings (PATCH keeps what it leaves out), /v1/pools/{poolId}/domains,
 * /v1/pools/{poolId}/resource-servers and /v1/pools/{poolId}/ui-customization, the logo route,
 * and the admin key they need. Bad input is a problem+json that changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

let counter = 0;
const fresh = (prefix: string) => `${prefix}${++counter}r${process.pid}`;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32, 2)]);

const codeOAuth = {
  enabled: true,
  flows: ['code'],
  scopes: ['openid', 'email'],
  callbackUrls: ['https://app.example.com/cb'],
};

describe('a client’s oauth settings', () => {
  test('created off by default; set on creation; PATCH changes the members given and keeps the rest', async () => {
    const { poolId, clientId } = await createPoolWithClient(t);
    const plain = await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`);
    assert.deepEqual(plain.body.oauth, {
      enabled: false,
      flows: [],
      scopes: [],
      callbackUrls: [],
      logoutUrls: [],
      defaultRedirectUri: null,
      identityProviders: [],
      requirePkce: false,
    });
    const created = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
      name: 'web',
      oauth: { ...codeOAuth, identityProviders: ['COGNITO'], requirePkce: true },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.oauth.requirePkce, true);
    const id = created.body.clientId as string;
    const patched = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${id}`, {
      oauth: { logoutUrls: ['https://app.example.com/bye'], defaultRedirectUri: 'https://app.example.com/cb' },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.oauth, {
      ...codeOAuth,
      logoutUrls: ['https://app.example.com/bye'],
      defaultRedirectUri: 'https://app.example.com/cb',
      identityProviders: ['COGNITO'],
      requirePkce: true,
    });
    // A PATCH without oauth leaves it alone.
    const renamed = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${id}`, { name: 'renamed' });
    assert.deepEqual(renamed.body.oauth, patched.body.oauth);
  });

  test('bad settings are refused naming the REST member, and change nothing', async () => {
    const { poolId, clientId } = await createPoolWithClient(t, {}, { oauth: codeOAuth });
    const before = (await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`)).body;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ callbackUrls: ['http://app.example.com/cb'] }, 'InvalidParameterException', 'oauth.callbackUrls'],
      [
        { defaultRedirectUri: 'https://elsewhere.example.com/' },
        'InvalidParameterException',
        'oauth.defaultRedirectUri',
      ],
      [{ enabled: false }, 'InvalidOAuthFlowException', 'oauth.enabled true'],
      [{ scopes: ['orders/read'] }, 'ScopeDoesNotExistException', 'Invalid scope requested: orders/read'],
      [
        { identityProviders: ['Facebook'] },
        'InvalidParameterException',
        'The provider Facebook does not exist for User Pool',
      ],
      [{ flows: ['client_credentials'] }, 'InvalidOAuthFlowException', 'client secret'],
    ];
    for (const [oauth, code, detail] of cases) {
      const answer = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, { oauth });
      assertProblem(answer, 400, code, detail);
    }
    const unknown = await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, { oauth: { pkce: true } });
    assertProblem(unknown, 400, 'InvalidParameterException', 'pkce');
    const after = (await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`)).body;
    assert.deepEqual(after, before);
  });
});

describe('/v1/pools/{poolId}/domains', () => {
  test('create, list, describe, update, delete; the Host then names the pool', async () => {
    const { poolId } = await createPoolWithClient(t);
    const prefix = fresh('rest');
    const created = await t.admin('POST', `/v1/pools/${poolId}/domains`, { domain: prefix });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      { ...created.body, createdAt: 'x' },
      { domain: prefix, poolId, custom: false, certificateArn: null, managedLoginVersion: 1, createdAt: 'x' },
    );
    const custom = `${fresh('id')}.example.net`;
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123';
    const made = await t.admin('POST', `/v1/pools/${poolId}/domains`, { domain: custom, certificateArn: arn });
    assert.equal(made.status, 201);
    assert.equal(made.body.cloudFrontDomain, 'cognate.test');
    const listed = await t.admin('GET', `/v1/pools/${poolId}/domains`);
    assert.deepEqual(
      listed.body.domains.map((d: { domain: string }) => d.domain),
      [prefix, custom],
    );
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/domains/${custom}`)).body.certificateArn, arn);
    const updated = await t.admin('PATCH', `/v1/pools/${poolId}/domains/${prefix}`, { managedLoginVersion: 2 });
    assert.equal(updated.body.managedLoginVersion, 2);
    assert.equal(await t.services.poolDomains.poolOfHost(`${custom}:8443`), poolId);
    const deleted = await t.admin('DELETE', `/v1/pools/${poolId}/domains/${custom}`);
    assert.equal(deleted.status, 204);
    assert.equal(await t.services.poolDomains.poolOfHost(custom), null);
    assertProblem(await t.admin('GET', `/v1/pools/${poolId}/domains/${custom}`), 404, 'ResourceNotFoundException');
  });

  test('refusals: a bad prefix, a second prefix, another pool’s domain, a version 3, no admin key', async () => {
    const { poolId } = await createPoolWithClient(t);
    const { poolId: other } = await createPoolWithClient(t);
    const prefix = fresh('only');
    await t.admin('POST', `/v1/pools/${poolId}/domains`, { domain: prefix });
    const post = (pool: string, body: unknown) => t.admin('POST', `/v1/pools/${pool}/domains`, body);
    assertProblem(await post(poolId, { domain: 'Bad_Name' }), 400, 'InvalidParameterException', 'domain prefix');
    assertProblem(await post(poolId, { domain: fresh('two') }), 400, 'InvalidParameterException', 'already has');
    assertProblem(await post(other, { domain: prefix }), 400, 'InvalidParameterException', 'another user pool');
    assertProblem(await post(other, { domain: fresh('v'), managedLoginVersion: 3 }), 400, 'InvalidParameterException');
    assertProblem(await post('us-east-1_missing', { domain: fresh('m') }), 404, 'ResourceNotFoundException');
    assertProblem(await t.admin('GET', `/v1/pools/${other}/domains/${prefix}`), 404, 'ResourceNotFoundException');
    assertProblem(await t.admin('DELETE', `/v1/pools/${other}/domains/${prefix}`), 404, 'ResourceNotFoundException');
    assert.equal((await t.admin('GET', `/v1/pools/${other}/domains`)).body.domains.length, 0);
    const anonymous = await t.call('POST', `/v1/pools/${poolId}/domains`, { domain: fresh('anon') });
    assert.equal(anonymous.status, 401);
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/domains`)).body.domains.length, 1);
  });
});

describe('/v1/pools/{poolId}/resource-servers', () => {
  test('create, describe (a URL identifier, encoded), list in pages, replace, delete; clients lose gone scopes', async () => {
    const { poolId } = await createPoolWithClient(t);
    const identifier = 'https://api.example.com';
    const url = `/v1/pools/${poolId}/resource-servers`;
    const one = `${url}/${encodeURIComponent(identifier)}`;
    const created = await t.admin('POST', url, {
      identifier,
      name: 'API',
      scopes: [
        { name: 'read', description: 'Read' },
        { name: 'write', description: 'Write' },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await t.admin('GET', one)).body.name, 'API');
    await t.admin('POST', url, { identifier: 'another', name: 'Another' });
    const page = await t.admin('GET', `${url}?limit=1`);
    assert.equal(page.body.resourceServers.length, 1);
    assert.equal(page.body.resourceServers[0].identifier, 'another');
    const next = await t.admin('GET', `${url}?limit=1&nextToken=${page.body.nextToken}`);
    assert.equal(next.body.resourceServers[0].identifier, identifier);
    assert.equal(next.body.nextToken, undefined);

    const client = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
      name: 'web',
      oauth: { ...codeOAuth, scopes: ['openid', `${identifier}/read`, `${identifier}/write`] },
    });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    const clientUrl = `/v1/pools/${poolId}/clients/${client.body.clientId}`;
    const replaced = await t.admin('PUT', one, { name: 'API v2', scopes: [{ name: 'read', description: 'Read' }] });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.deepEqual((await t.admin('GET', clientUrl)).body.oauth.scopes, ['openid', `${identifier}/read`]);
    assert.equal((await t.admin('DELETE', one)).status, 204);
    assert.deepEqual((await t.admin('GET', clientUrl)).body.oauth.scopes, ['openid']);
    assertProblem(await t.admin('GET', one), 404, 'ResourceNotFoundException');
  });

  test('refusals change nothing', async () => {
    const { poolId } = await createPoolWithClient(t);
    const url = `/v1/pools/${poolId}/resource-servers`;
    await t.admin('POST', url, { identifier: 'orders', name: 'Orders' });
    assertProblem(
      await t.admin('POST', url, { identifier: 'orders', name: 'Again' }),
      400,
      'InvalidParameterException',
      'already exists',
    );
    assertProblem(
      await t.admin('POST', url, { identifier: 'x', name: 'x', scopes: [{ name: 'a/b', description: 'd' }] }),
      400,
      'InvalidParameterException',
    );
    assertProblem(
      await t.admin('POST', url, { identifier: 'y', name: 'y', scopes: [{ name: 'a', description: 'd', extra: 1 }] }),
      400,
      'InvalidParameterException',
      'extra',
    );
    assertProblem(await t.admin('PUT', `${url}/missing`, { name: 'm' }), 404, 'ResourceNotFoundException');
    assertProblem(await t.admin('GET', `${url}?nextToken=garbage`), 400, 'InvalidParameterException', 'NextToken');
    const listed = await t.admin('GET', url);
    assert.deepEqual(
      listed.body.resourceServers.map((s: { identifier: string }) => s.identifier),
      ['orders'],
    );
    assert.equal((await t.call('GET', url)).status, 401);
  });

  test('at most 25 resource servers a pool', async () => {
    const { poolId } = await createPoolWithClient(t);
    const url = `/v1/pools/${poolId}/resource-servers`;
    for (let i = 0; i < 25; i++)
      assert.equal((await t.admin('POST', url, { identifier: `s${i}`, name: 'n' })).status, 201);
    assertProblem(await t.admin('POST', url, { identifier: 's25', name: 'n' }), 429, 'LimitExceededException');
  });
});

describe('/v1/pools/{poolId}/ui-customization', () => {
  test('the pool’s default and a client’s own, the logo served sandboxed, removal falls back to the pool’s', async () => {
    const { poolId, clientId } = await createPoolWithClient(t);
    const url = `/v1/pools/${poolId}/ui-customization`;
    assertProblem(
      await t.admin('PUT', url, { css: '.label-customizable { font-weight: 700; }' }),
      400,
      'InvalidParameterException',
      'no domain',
    );
    await t.admin('POST', `/v1/pools/${poolId}/domains`, { domain: fresh('ui') });
    const empty = await t.admin('GET', url);
    assert.deepEqual(empty.body, {
      poolId,
      clientId: 'ALL',
      css: null,
      imageUrl: null,
      cssVersion: null,
      createdAt: null,
      updatedAt: null,
    });
    const css = '.label-customizable { font-weight: 700; }';
    const set = await t.admin('PUT', url, { css, imageBase64: PNG.toString('base64') });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.css, css);
    const logoPath = new URL(set.body.imageUrl).pathname;
    assert.equal(logoPath, `/${poolId}/ui-customization/ALL/logo`);
    const logo = await t.app.inject({ method: 'GET', url: logoPath + new URL(set.body.imageUrl).search });
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.match(String(logo.headers['content-security-policy']), /default-src 'none'.*sandbox/);
    assert.deepEqual(logo.rawPayload, PNG);

    const own = await t.admin('PUT', `${url}/${clientId}`, { imageBase64: JPEG.toString('base64') });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.css, null);
    assert.equal((await t.admin('GET', `${url}/${clientId}`)).body.clientId, clientId);
    const ownLogo = await t.app.inject({ method: 'GET', url: `/${poolId}/ui-customization/${clientId}/logo` });
    assert.equal(ownLogo.headers['content-type'], 'image/jpeg');
    assert.equal((await t.admin('DELETE', `${url}/${clientId}`)).status, 204);
    const fallback = await t.admin('GET', `${url}/${clientId}`);
    assert.equal(fallback.body.clientId, 'ALL');
    assert.equal(fallback.body.css, css);
    assertProblem(await t.admin('DELETE', `${url}/${clientId}`), 404, 'ResourceNotFoundException');

    // A deleted client's customization goes with it: nothing is left for a client made later with its id.
    const gone = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'gone' });
    await t.admin('PUT', `${url}/${gone.body.clientId}`, { imageBase64: PNG.toString('base64') });
    assert.ok(await t.services.branding.logo(poolId, gone.body.clientId));
    assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/clients/${gone.body.clientId}`)).status, 204);
    assert.equal(await t.services.branding.logo(poolId, gone.body.clientId), null);
    const again = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'again', clientId: gone.body.clientId });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal((await t.admin('GET', `${url}/${gone.body.clientId}`)).body.clientId, 'ALL');
  });

  test('refusals change nothing; the admin routes need the key, the logo does not', async () => {
    const { poolId, clientId } = await createPoolWithClient(t);
    await t.admin('POST', `/v1/pools/${poolId}/domains`, { domain: fresh('uir') });
    const url = `/v1/pools/${poolId}/ui-customization`;
    const css = '.background-customizable { background-color: #fafafa; }';
    await t.admin('PUT', url, { css });
    const before = (await t.admin('GET', url)).body;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ css: '.banner-customizable { position: fixed; }' }, 'property "position"'],
      [{ css: '.banner-customizable { padding: 1px } .x { color: red }' }, 'selector ".x"'],
      [{ css: '/* unterminated .banner-customizable { padding: 1px }' }, 'unterminated comment'],
      [{ css: '.banner-customizable { background-color: red; } }' }, 'could not be read'],
      [{ imageBase64: 'not base64!' }, 'base64'],
      [{ imageBase64: Buffer.from('plain text').toString('base64') }, 'PNG, JPEG or SVG'],
    ];
    for (const [body, detail] of cases)
      assertProblem(await t.admin('PUT', url, body), 400, 'InvalidParameterException', detail);
    assertProblem(await t.admin('PUT', `${url}/nosuchclient`, { css }), 404, 'ResourceNotFoundException');
    assert.deepEqual((await t.admin('GET', url)).body, before);
    assert.equal((await t.call('PUT', url, { css })).status, 401);
    assert.equal((await t.call('GET', `${url}/${clientId}`)).status, 401);
    const noLogo = await t.app.inject({ method: 'GET', url: `/${poolId}/ui-customization/ALL/logo` });
    assert.equal(noLogo.statusCode, 404);
  });
});
