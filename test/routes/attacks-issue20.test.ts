/**
 * Issue 20's federation paths, attacked (docs/federation.md, "Security"): forged and mixed-up ID
 * tokens, a userInfo of someone else, hostile claims, sign-in names claimed through a provider,
 * confidential clients at /oauth2/idpresponse, reflected markup in the page that sends the browser
 * on. A fake OpenID Connect provider started here answers as each test tells it. Both databases.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, SignJWT, UnsecuredJWT } from 'jose';
import { PASSWORD, decodeJwt, startTestApp, type TestApp } from '../support/app.ts';
import { asRedirect } from '../support/federation-setup.ts';
import { pageClient } from '../support/page-client.ts';

const CALLBACK = 'https://app.test/cb';
const FAKE_CLIENT = 'evil-client';
const FAKE_SECRET = 'FakeProviderSecret_0123456789';

let t: TestApp;
let address = 0;
const nextAddress = () => `10.20.${Math.floor(++address / 250)}.${address % 250}`;

/** What the fake provider answers next: the ID token's claims over the defaults, its alg, the userInfo. */
interface Plan {
  claims?: Record<string, unknown>;
  alg?: 'RS256' | 'none' | 'HS256' | 'foreign-key';
  userinfo?: unknown;
}

/** An OpenID Connect provider that signs what the test asks, with the nonce the test saw sent. */
async function startEvilProvider() {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const state = { plan: {} as Plan, nonce: '', base: '' };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', state.base);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration')
      return json(200, {
        issuer: state.base,
        authorization_endpoint: `${state.base}/authorize`,
        token_endpoint: `${state.base}/token`,
        userinfo_endpoint: `${state.base}/userinfo`,
        jwks_uri: `${state.base}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/userinfo') return json(200, state.plan.userinfo ?? { sub: subjectOf(state.plan) });
    if (url.pathname === '/token') {
      for await (const _chunk of req);
      const claims: Record<string, unknown> = {
        iss: state.base,
        aud: FAKE_CLIENT,
        sub: 'evil-subject',
        nonce: state.nonce,
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 300,
        ...state.plan.claims,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      const alg = state.plan.alg ?? 'RS256';
      const idToken =
        alg === 'none'
          ? new UnsecuredJWT(claims).encode()
          : alg === 'HS256'
            ? await new SignJWT(claims)
                .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
                .sign(new TextEncoder().encode(FAKE_SECRET))
            : await new SignJWT(claims)
                .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
                .sign(alg === 'foreign-key' ? foreign.privateKey : key.privateKey);
      return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', id_token: idToken });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
const subjectOf = (plan: Plan) => (plan.claims?.sub as string | undefined) ?? 'evil-subject';

let evil: Awaited<ReturnType<typeof startEvilProvider>>;
/** Pool `plain` (username pool), pool `byEmail` (email is the username attribute). */
const pools = { plain: '', byEmail: '' };
const clients = { plain: '', confidential: '', byEmail: '' };

async function addProvider(poolId: string, attributeMapping: Record<string, string>) {
  const res = await t.admin('POST', `/v1/pools/${poolId}/identity-providers`, {
    providerName: 'Evil',
    providerType: 'OIDC',
    providerDetails: {
      client_id: FAKE_CLIENT,
      client_secret: FAKE_SECRET,
      oidc_issuer: evil.state.base,
      authorize_scopes: 'openid email',
    },
    attributeMapping,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

async function addClient(poolId: string, secret = false) {
  const res = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: secret ? 'confidential' : 'web',
    ...(secret && { generateSecret: true }),
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email'],
      callbackUrls: [CALLBACK],
      identityProviders: ['COGNITO', 'Evil'],
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.clientId as string, secret: res.body.clientSecret as string | undefined };
}

/**
 * A federated sign-in through the evil provider answering `plan`: the app's authorize request,
 * the provider's answer at /oauth2/idpresponse, and where the browser is sent then.
 */
async function signIn(plan: Plan, client = clients.plain, answer: Record<string, string> = { code: 'c0de' }) {
  const pc = pageClient(t.app, { headers: { host: 'localhost:4000' }, remoteAddress: nextAddress() });
  const start = await pc.get(
    `/oauth2/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: client,
      redirect_uri: CALLBACK,
      scope: 'openid email',
      state: 'app-state',
      identity_provider: 'Evil',
    }).toString()}`,
  );
  assert.equal(start.status, 302, start.body);
  const toProvider = new URL(start.location!);
  assert.equal(toProvider.origin, evil.state.base);
  evil.state.nonce = toProvider.searchParams.get('nonce')!;
  evil.state.plan = plan;
  const state = toProvider.searchParams.get('state')!;
  const back = asRedirect(await pc.get(`/oauth2/idpresponse?${new URLSearchParams({ ...answer, state }).toString()}`));
  return { pc, back, location: back.location ?? '' };
}

/** A sign-in that must end at the app with `error`, no code. */
async function refused(plan: Plan, error = 'invalid_request', client = clients.plain) {
  const { location, back } = await signIn(plan, client);
  assert.ok(location.startsWith(`${CALLBACK}?`), `${back.status} ${location} ${back.body.slice(0, 300)}`);
  const url = new URL(location);
  assert.equal(url.searchParams.get('error'), error, location);
  assert.equal(url.searchParams.get('code'), null);
  return url;
}

/** A sign-in that must end with the app's code; answers the code's ID token's claims. */
async function accepted(plan: Plan, client: { id: string; secret?: string | undefined } = { id: clients.plain }) {
  const { pc, location, back } = await signIn(plan, client.id);
  assert.ok(location.startsWith('/oauth2/authorize?'), `${back.status} ${location} ${back.body.slice(0, 300)}`);
  const authorize = await pc.get(location);
  assert.equal(authorize.status, 302, authorize.body);
  const callback = new URL(authorize.location!);
  const code = callback.searchParams.get('code');
  assert.ok(code, authorize.location);
  const res = await t.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: client.id,
      ...(client.secret && { client_secret: client.secret }),
      code,
      redirect_uri: CALLBACK,
    }).toString(),
  });
  assert.equal(res.statusCode, 200, res.body);
  return decodeJwt(res.json().id_token as string);
}

const userCount = async (poolId: string) => {
  const res = await t.admin('GET', `/v1/pools/${poolId}/users`);
  return (res.body.users as unknown[]).length;
};

before(async () => {
  [t, evil] = await Promise.all([startTestApp(), startEvilProvider()]);
  const plain = await t.admin('POST', '/v1/pools', {
    name: 'plain',
    schema: [{ name: 'note', attributeDataType: 'String' }],
  });
  assert.equal(plain.status, 201, JSON.stringify(plain.body));
  pools.plain = plain.body.id;
  await addProvider(pools.plain, { email: 'email', 'custom:note': 'toString' });
  clients.plain = (await addClient(pools.plain)).id;
  const confidential = await addClient(pools.plain, true);
  clients.confidential = confidential.id;
  confidentialSecret = confidential.secret!;

  const byEmail = await t.admin('POST', '/v1/pools', { name: 'by-email', usernameAttributes: ['email'] });
  assert.equal(byEmail.status, 201, JSON.stringify(byEmail.body));
  pools.byEmail = byEmail.body.id;
  await addProvider(pools.byEmail, { email: 'email', email_verified: 'email_verified' });
  clients.byEmail = (await addClient(pools.byEmail)).id;
});
after(async () => {
  await Promise.all([t?.close(), evil?.close()]);
});
let confidentialSecret = '';

describe('forged ID tokens are refused, and no user is made', () => {
  for (const [what, plan] of [
    ['alg none', { alg: 'none' }],
    ['HS256 keyed with the client secret', { alg: 'HS256' }],
    ['a key not in the JWKS', { alg: 'foreign-key' }],
    ['another issuer', { claims: { iss: 'https://accounts.google.com' } }],
    ['another audience', { claims: { aud: 'someone-else' } }],
    ['no nonce', { claims: { nonce: undefined } }],
    ['expired', { claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } }],
    ['a userInfo of another subject', { userinfo: { sub: 'victim-subject', email: 'victim@example.com' } }],
  ] as Array<[string, Plan]>) {
    test(what, async () => {
      const before = await userCount(pools.plain);
      await refused({ ...plan, claims: { sub: `forged-${what}`, ...plan.claims } });
      assert.equal(await userCount(pools.plain), before);
    });
  }
});

describe('the round trip', () => {
  test('a confidential client signs in through a provider; its code is still only exchanged with the secret', async () => {
    const { pc, location } = await signIn({ claims: { sub: 'conf-nosecret' } }, clients.confidential);
    assert.ok(location.startsWith('/oauth2/authorize?'), location);
    const code = new URL((await pc.get(location)).location!).searchParams.get('code')!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clients.confidential,
        code,
        redirect_uri: CALLBACK,
      }).toString(),
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'invalid_client');
    const claims = await accepted(
      { claims: { sub: 'conf-user' } },
      { id: clients.confidential, secret: confidentialSecret },
    );
    assert.equal(claims['cognito:username'], 'Evil_conf-user');
    // The pages' exemption stays on the pages: the wire still wants the secret's hash.
    const wire = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      payload: JSON.stringify({
        ClientId: clients.confidential,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'Evil_conf-user', PASSWORD },
      }),
    });
    assert.equal(wire.statusCode, 400, wire.body);
    assert.match(wire.body, /SECRET_HASH was not received/);
  });

  test('a mapped claim the provider did not send is not read from Object.prototype', async () => {
    await accepted({ claims: { sub: 'proto-user', __proto__: { polluted: 1 } } });
    const user = await t.admin('GET', `/v1/pools/${pools.plain}/users/Evil_proto-user`);
    assert.equal(user.status, 200, JSON.stringify(user.body));
    assert.equal(user.body.attributes['custom:note'], undefined, JSON.stringify(user.body.attributes));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a claim too long for its attribute fails the sign-in, no user', async () => {
    const before = await userCount(pools.plain);
    await refused({ claims: { sub: 'huge', email: `${'a'.repeat(5000)}@example.com` } });
    assert.equal(await userCount(pools.plain), before);
  });

  test('two answers with one state at once: one sign-in, the other the error page', async () => {
    const pc = pageClient(t.app, { headers: { host: 'localhost:4000' }, remoteAddress: nextAddress() });
    const start = await pc.get(
      `/oauth2/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clients.plain,
        redirect_uri: CALLBACK,
        scope: 'openid email',
        identity_provider: 'Evil',
      }).toString()}`,
    );
    const toProvider = new URL(start.location!);
    evil.state.nonce = toProvider.searchParams.get('nonce')!;
    evil.state.plan = { claims: { sub: 'racer' } };
    const answer = `/oauth2/idpresponse?${new URLSearchParams({ code: 'c0de', state: toProvider.searchParams.get('state')! }).toString()}`;
    const both = await Promise.all([pc.get(answer), pc.get(answer)]);
    const places = both.map((res) => asRedirect(res).location ?? '').sort();
    assert.ok(places[0]!.startsWith('/error?'), places[0]);
    assert.ok(places[1]!.startsWith('/oauth2/authorize?'), places[1]);
  });

  test("the provider's error is reflected only as text: escaped in the page, encoded in the app's URL", async () => {
    const { back, location } = await signIn({}, clients.plain, {
      error: 'access_denied',
      error_description: '"><script>alert(1)</script>\r\nSet-Cookie: x=1 ' + 'x'.repeat(5000),
    });
    assert.doesNotMatch(back.body, /<script>/);
    assert.ok(location.startsWith(`${CALLBACK}?`), location);
    const description = new URL(location).searchParams.get('error_description')!;
    assert.ok(description.startsWith('Evil Error - access_denied'), description);
    assert.ok(description.length < 500, String(description.length));
    assert.doesNotMatch(description, /[\r\n]/);
  });

  test('an idp_identifier moved to another provider while the user was away: no sign-in', async () => {
    const update = await t.admin('PATCH', `/v1/pools/${pools.plain}/identity-providers/Evil`, {
      idpIdentifiers: ['evil.test'],
    });
    assert.equal(update.status, 200, JSON.stringify(update.body));
    const pc = pageClient(t.app, { headers: { host: 'localhost:4000' }, remoteAddress: nextAddress() });
    const start = await pc.get(
      `/oauth2/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clients.plain,
        redirect_uri: CALLBACK,
        scope: 'openid email',
        idp_identifier: 'evil.test',
      }).toString()}`,
    );
    assert.equal(start.status, 302, start.body);
    const toProvider = new URL(start.location!);
    await t.admin('PATCH', `/v1/pools/${pools.plain}/identity-providers/Evil`, { idpIdentifiers: [] });
    const other = await t.admin('POST', `/v1/pools/${pools.plain}/identity-providers`, {
      providerName: 'Other',
      providerType: 'OIDC',
      providerDetails: { client_id: FAKE_CLIENT, client_secret: FAKE_SECRET, oidc_issuer: evil.state.base },
      idpIdentifiers: ['evil.test'],
    });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    const client = await t.admin('PATCH', `/v1/pools/${pools.plain}/clients/${clients.plain}`, {
      oauth: { identityProviders: ['COGNITO', 'Other'] },
    });
    assert.equal(client.status, 200, JSON.stringify(client.body));
    try {
      evil.state.nonce = toProvider.searchParams.get('nonce')!;
      evil.state.plan = { claims: { sub: 'moved' } };
      const back = asRedirect(
        await pc.get(
          `/oauth2/idpresponse?${new URLSearchParams({ code: 'c0de', state: toProvider.searchParams.get('state')! }).toString()}`,
        ),
      );
      const url = new URL(back.location!);
      assert.equal(url.origin, new URL(CALLBACK).origin, back.location);
      assert.equal(url.searchParams.get('error'), 'invalid_request');
      assert.equal((await t.admin('GET', `/v1/pools/${pools.plain}/users/Evil_moved`)).status, 404);
    } finally {
      await t.admin('PATCH', `/v1/pools/${pools.plain}/clients/${clients.plain}`, {
        oauth: { identityProviders: ['COGNITO', 'Evil'] },
      });
    }
  });
});

describe('sign-in names: a provider claims none (docs/federation.md, "Security")', () => {
  test('an unconfirmed sign-up with a victim’s email does not lock the victim out of their provider', async () => {
    const squat = await t.call('POST', '/v1/sign-up', {
      clientId: clients.byEmail,
      username: 'victim@example.com',
      password: PASSWORD,
    });
    assert.equal(squat.status, 201, JSON.stringify(squat.body));
    const claims = await accepted(
      { claims: { sub: 'victim', email: 'victim@example.com', email_verified: true } },
      { id: clients.byEmail },
    );
    assert.equal(claims.email, 'victim@example.com');
    assert.equal(claims['cognito:username'], 'Evil_victim');
  });

  test('a provider’s user with an email does not hold it against a native sign-up, nor sign in by it', async () => {
    await accepted(
      { claims: { sub: 'first', email: 'first@example.com', email_verified: true } },
      { id: clients.byEmail },
    );
    // A second sign-in (the mapping applied again) claims nothing either.
    await accepted(
      { claims: { sub: 'first', email: 'first@example.com', email_verified: true } },
      { id: clients.byEmail },
    );
    const native = await t.call('POST', '/v1/sign-up', {
      clientId: clients.byEmail,
      username: 'first@example.com',
      password: PASSWORD,
    });
    assert.equal(native.status, 201, JSON.stringify(native.body));
    const byName = await t.admin('GET', `/v1/pools/${pools.byEmail}/users/first@example.com`);
    assert.equal(byName.status, 200);
    assert.notEqual(byName.body.username, 'Evil_first');
  });
});

describe('the log', () => {
  test('holds no provider code, client secret or token', () => {
    const text = JSON.stringify(t.logs);
    assert.doesNotMatch(text, /c0de/);
    assert.ok(!text.includes(FAKE_SECRET));
    assert.doesNotMatch(text, /eyJ[\w-]+\.eyJ/);
  });
});
