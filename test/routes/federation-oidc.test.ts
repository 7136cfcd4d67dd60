/**
 * Sign-in through an external OpenID Connect provider (docs/federation.md, "Signing in", "Hooks
 * on these paths", "Security"): a second Cognate in its own process is the provider; the
 * downstream's pages and endpoints are driven over HTTP (inject) with a cookie jar, the
 * upstream's over real HTTP with another. Both databases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { federationRequests } from '../../src/db/schema/federation.ts';
import { decodeJwt, startTestApp, type TestApp } from '../support/app.ts';
import {
  asRedirect,
  createOidcProvider,
  startFakeProvider,
  startUpstream,
  upstreamBrowser,
  type Upstream,
} from '../support/federation-setup.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { pageClient, type PageClient, type PageResponse } from '../support/page-client.ts';

/** The downstream's origin as the browser (inject) names it: a registered callback of the upstream client. */
const ORIGIN = 'http://localhost:4000';
const IDP_RESPONSE = `${ORIGIN}/oauth2/idpresponse`;
const APP_CALLBACK = 'http://localhost:3000/callback';

let t: TestApp;
let upstream: Upstream;
let fake: Awaited<ReturnType<typeof startFakeProvider>>;
let hook: HookServer;
let poolId: string;
let clientId: string;
let adaSub: string;

const browser = () => pageClient(t.app, { headers: { host: 'localhost:4000' } });

const authorizePath = (extra: Record<string, string> = {}, client = clientId) =>
  `/oauth2/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: client,
    redirect_uri: APP_CALLBACK,
    scope: 'openid email profile',
    state: 'app-state',
    nonce: 'app-nonce',
    ...extra,
  }).toString()}`;

/** An answer of /oauth2/idpresponse: a page whose meta refresh is where the browser goes (docs/federation.md, "Security"). */
const viaIdp = async (answer: Promise<PageResponse>): Promise<PageResponse> => {
  const res = await answer;
  assert.equal(res.status, 200, res.body);
  const onward = asRedirect(res);
  assert.ok(onward.location, res.body);
  return onward;
};

/** The downstream path of a URL the upstream sent the browser to. */
const local = (url: string) => {
  const parsed = new URL(url);
  assert.equal(parsed.origin, ORIGIN, url);
  return `${parsed.pathname}${parsed.search}`;
};

/** From the app's authorize request to the provider's authorization URL (the downstream's redirect). */
async function toProvider(pc: PageClient, extra: Record<string, string> = {}, client = clientId) {
  const res = await pc.get(authorizePath({ identity_provider: 'Upstream', ...extra }, client));
  assert.equal(res.status, 302, res.body);
  return res.location!;
}

/** A whole sign-in: downstream → upstream login → idpresponse → authorize → the app's callback URL. */
async function signInThrough(username: string, pc = browser(), client = clientId) {
  const providerUrl = await toProvider(pc, {}, client);
  const back = await upstreamBrowser(upstream).signIn(providerUrl, username);
  const idp = await viaIdp(pc.get(local(back)));
  if (!idp.location!.startsWith('/oauth2/authorize?')) return { pc, callback: new URL(idp.location!) };
  const authorize = await pc.get(idp.location!);
  assert.equal(authorize.status, 302, authorize.body);
  return { pc, callback: new URL(authorize.location!) };
}

async function exchange(code: string, client = clientId) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: client,
      code,
      redirect_uri: APP_CALLBACK,
    }).toString(),
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { id_token: string; access_token: string };
}

async function makeClient(pool: string, providers: string[]) {
  const res = await t.admin('POST', `/v1/pools/${pool}/clients`, {
    name: 'web',
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email', 'profile'],
      callbackUrls: [APP_CALLBACK],
      identityProviders: providers,
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.clientId as string;
}

before(async () => {
  [t, upstream, hook] = await Promise.all([
    startTestApp({}, { hookPolicy: { timeoutMs: 2000, retryDelayMs: 10 } }),
    startUpstream([IDP_RESPONSE]),
    startHookServer(),
  ]);
  fake = await startFakeProvider('fake-client');
  const pool = await t.admin('POST', '/v1/pools', { name: 'federated' });
  assert.equal(pool.status, 201, JSON.stringify(pool.body));
  poolId = pool.body.id;
  await createOidcProvider(t, poolId, {
    providerName: 'Upstream',
    issuer: upstream.issuer,
    clientId: upstream.clientId,
    attributeMapping: { email: 'email', name: 'name', email_verified: 'email_verified' },
    idpIdentifiers: ['example.com'],
  });
  await createOidcProvider(t, poolId, { providerName: 'Fake', issuer: fake.base, clientId: 'fake-client' });
  clientId = await makeClient(poolId, ['COGNITO', 'Upstream', 'Fake']);
  adaSub = await upstream.createUser('ada', { email: 'ada@example.com', name: 'Ada Lovelace' });
});
after(async () => {
  await Promise.all([t?.close(), upstream?.close(), fake?.close(), hook?.close()]);
});

describe('the round trip through an OIDC provider', () => {
  it('creates an EXTERNAL_PROVIDER user, and the app gets a code whose ID token names the identity', async () => {
    const pc = browser();
    const providerUrl = new URL(await toProvider(pc));
    // To the provider with OIDC's and PKCE's members, and back to this origin's /oauth2/idpresponse.
    assert.equal(providerUrl.origin, upstream.base);
    assert.equal(providerUrl.pathname, '/oauth2/authorize');
    const sent = providerUrl.searchParams;
    assert.equal(sent.get('response_type'), 'code');
    assert.equal(sent.get('client_id'), upstream.clientId);
    assert.equal(sent.get('redirect_uri'), IDP_RESPONSE);
    assert.equal(sent.get('scope'), 'openid email profile');
    assert.equal(sent.get('code_challenge_method'), 'S256');
    assert.match(sent.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok(sent.get('nonce'));
    // The binding cookie: HttpOnly, SameSite=Lax, only for /oauth2/idpresponse.
    const cookie = pc.setCookies().find((line) => line.startsWith('cognate-federation='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\/oauth2\/idpresponse/i);
    // Only a hash of the state is kept.
    const [row] = await t.database.db.select().from(federationRequests);
    assert.ok(row);
    assert.notEqual(row.stateHash, sent.get('state'));

    const back = await upstreamBrowser(upstream).signIn(providerUrl.toString(), 'ada');
    const idp = await viaIdp(pc.get(local(back)));
    // A page that sends the browser on, not a redirect: no script, no referrer, never cached.
    assert.equal(idp.headers['referrer-policy'], 'no-referrer');
    assert.equal(idp.headers['cache-control'], 'no-store');
    assert.match(String(idp.headers['content-security-policy']), /default-src 'none'/);
    assert.ok(idp.location!.startsWith('/oauth2/authorize?'), idp.location);
    assert.ok(!idp.location!.includes('prompt='));
    const authorize = await pc.get(idp.location!);
    const callback = new URL(authorize.location!);
    assert.equal(`${callback.origin}${callback.pathname}`, APP_CALLBACK);
    assert.equal(callback.searchParams.get('state'), 'app-state');
    const tokens = await exchange(callback.searchParams.get('code')!);
    const claims = decodeJwt(tokens.id_token);
    assert.equal(claims['cognito:username'], `Upstream_${adaSub}`);
    assert.equal(claims.email, 'ada@example.com');
    assert.equal(claims.name, 'Ada Lovelace');
    assert.equal(claims.nonce, 'app-nonce');
    const identities = claims.identities as Array<Record<string, unknown>>;
    assert.equal(identities.length, 1);
    assert.deepEqual(
      {
        userId: identities[0]!.userId,
        providerName: identities[0]!.providerName,
        providerType: identities[0]!.providerType,
        primary: identities[0]!.primary,
      },
      { userId: adaSub, providerName: 'Upstream', providerType: 'OIDC', primary: 'true' },
    );
    assert.deepEqual(claims['cognito:groups'], [`${poolId}_Upstream`]);

    const user = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(`Upstream_${adaSub}`)}`);
    assert.equal(user.status, 200, JSON.stringify(user.body));
    assert.equal(user.body.userStatus, 'EXTERNAL_PROVIDER');
    // Cognito: email_verified only as the provider maps it; the upstream's user is unverified.
    assert.notEqual(user.body.attributes.email_verified, 'true');

    // The request is spent: the same answer again is refused, nothing issued.
    const replay = await viaIdp(pc.get(local(back)));
    assert.ok(replay.location!.startsWith('/error?'), replay.location);

    // With the login session, a new request naming the provider gets its code without the provider.
    const again = await pc.get(authorizePath({ identity_provider: 'Upstream' }));
    assert.ok(again.location!.startsWith(APP_CALLBACK), again.location);
    // prompt=login asks the provider again; prompt=none without a session is login_required.
    const relogin = await pc.get(authorizePath({ identity_provider: 'Upstream', prompt: 'login' }));
    assert.ok(relogin.location!.startsWith(`${upstream.base}/oauth2/authorize?`), relogin.location);
    const silent = await browser().get(authorizePath({ identity_provider: 'Upstream', prompt: 'none' }));
    assert.equal(new URL(silent.location!).searchParams.get('error'), 'login_required');
  });
});

describe('later sign-ins', () => {
  it('a second sign-in is the same user, the mapping applied again', async () => {
    const changed = await upstream.admin('PATCH', `/v1/pools/${upstream.poolId}/users/ada/attributes`, {
      userAttributes: { name: 'Ada King' },
    });
    assert.ok(changed.status < 300, JSON.stringify(changed.body));
    const { callback } = await signInThrough('ada');
    const claims = decodeJwt((await exchange(callback.searchParams.get('code')!)).id_token);
    assert.equal(claims['cognito:username'], `Upstream_${adaSub}`);
    assert.equal(claims.name, 'Ada King');
    const listed = await t.admin(
      'GET',
      `/v1/pools/${poolId}/users?filter=${encodeURIComponent('username ^= "Upstream_"')}`,
    );
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.users.length, 1);
  });

  it('a disabled user is refused: access_denied to the app, no code', async () => {
    const username = encodeURIComponent(`Upstream_${adaSub}`);
    assert.equal((await t.admin('POST', `/v1/pools/${poolId}/users/${username}/disable`)).status < 300, true);
    try {
      const { callback } = await signInThrough('ada');
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.equal(callback.searchParams.get('state'), 'app-state');
      assert.equal(callback.searchParams.get('code'), null);
    } finally {
      await t.admin('POST', `/v1/pools/${poolId}/users/${username}/enable`);
    }
  });

  it('idp_identifier picks the provider; the login page offers a button per provider', async () => {
    const pc = browser();
    const res = await pc.get(authorizePath({ idp_identifier: 'example.com' }));
    assert.equal(res.status, 302);
    assert.ok(res.location!.startsWith(`${upstream.base}/oauth2/authorize?`), res.location);
    const unknown = await pc.get(authorizePath({ idp_identifier: 'nowhere.example' }));
    assert.equal(new URL(unknown.location!).searchParams.get('error'), 'invalid_request');
    const both = await pc.get(authorizePath({ idp_identifier: 'example.com', identity_provider: 'Upstream' }));
    assert.equal(new URL(both.location!).searchParams.get('error'), 'invalid_request');

    const login = await pc.get(`/login?${new URL(authorizePath(), ORIGIN).searchParams.toString()}`);
    assert.equal(login.status, 200);
    const button = /<a class="idpButton-customizable" href="([^"]+)" id="idp-Upstream">Sign in with Upstream<\/a>/.exec(
      login.body,
    );
    assert.ok(button, login.body);
    const href = new URL(button[1]!.replace(/&amp;/g, '&'), ORIGIN);
    assert.equal(href.pathname, '/oauth2/authorize');
    assert.equal(href.searchParams.get('identity_provider'), 'Upstream');
    assert.equal(href.searchParams.get('state'), 'app-state');
    const de = await pc.get(`/login?${new URL(authorizePath({ lang: 'de' }), ORIGIN).searchParams.toString()}`);
    assert.match(de.body, /Anmelden mit Upstream/);
  });

  it('a client with external providers only: the login page has buttons and no password form', async () => {
    const only = await makeClient(poolId, ['Upstream']);
    const pc = browser();
    const page = await pc.get(`/login?${new URL(authorizePath({}, only), ORIGIN).searchParams.toString()}`);
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /id="idp-Upstream"/);
    assert.doesNotMatch(page.body, /name="password"/);
    // Its password sign-in is refused, as its sign-up would be.
    const signup = await pc.get(`/signup?${new URL(authorizePath({}, only), ORIGIN).searchParams.toString()}`);
    assert.equal(signup.status, 400);
    // identity_provider=COGNITO is not among its providers.
    const cognito = await pc.get(authorizePath({ identity_provider: 'COGNITO' }, only));
    assert.equal(new URL(cognito.location!).searchParams.get('error'), 'invalid_request');
  });
});

describe('what the round trip refuses (docs/federation.md, "Security")', () => {
  /** A started sign-in: the browser, the provider URL's state and nonce. */
  async function started(pc = browser(), provider = 'Upstream') {
    const url = new URL(await toProvider(pc, { identity_provider: provider }));
    return { pc, state: url.searchParams.get('state')!, nonce: url.searchParams.get('nonce')!, url };
  }
  const errorOf = (location: string | undefined) => {
    assert.ok(location, 'a redirect');
    return new URL(location, ORIGIN);
  };

  it('an answer delivered to another browser: the error page, the request spent', async () => {
    const { pc, url } = await started();
    const back = await upstreamBrowser(upstream).signIn(url.toString(), 'ada');
    const other = browser();
    const res = await viaIdp(other.get(local(back)));
    assert.ok(res.location!.startsWith('/error?'), res.location);
    assert.match(res.location!, /another\+browser/);
    // Spent: not even the browser that started it can use it now.
    assert.match((await viaIdp(pc.get(local(back)))).location!, /^\/error\?.*already\+used/);
  });

  it('an unknown state, no state, an expired request: the error page, nothing issued', async () => {
    const pc = browser();
    assert.ok((await viaIdp(pc.get('/oauth2/idpresponse?code=x&state=nope'))).location!.startsWith('/error?'));
    assert.ok((await viaIdp(pc.get('/oauth2/idpresponse?code=x'))).location!.startsWith('/error?'));
    const { pc: late, url } = await started();
    await t.database.db.update(federationRequests).set({ expiresAt: sql`now() - interval '1 second'` });
    const back = await upstreamBrowser(upstream).signIn(url.toString(), 'ada');
    const res = await viaIdp(late.get(local(back)));
    assert.match(res.location!, /^\/error\?.*too\+long/);
  });

  it("the provider's error goes back to the app with Cognito's shape and the app's state", async () => {
    const { pc, state } = await started();
    const res = await viaIdp(
      pc.get(`/oauth2/idpresponse?error=access_denied&error_description=The+user+declined&state=${state}`),
    );
    const back = errorOf(res.location);
    assert.equal(`${back.origin}${back.pathname}`, APP_CALLBACK);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('error_description'), 'Upstream Error - access_denied The user declined');
    assert.equal(back.searchParams.get('state'), 'app-state');
  });

  it('the same answer by form POST (form_post) is taken as well', async () => {
    const { pc, state } = await started();
    const res = await viaIdp(pc.post('/oauth2/idpresponse', { error: 'server_error', state }));
    assert.equal(errorOf(res.location).searchParams.get('error'), 'server_error');
  });

  for (const [mode, expected] of [
    ['bad-signature', 'invalid_request'],
    ['wrong-nonce', 'invalid_request'],
    ['wrong-audience', 'invalid_request'],
    ['cut', 'temporarily_unavailable'],
    ['refuse', 'invalid_grant'],
  ] as const) {
    it(`a provider that answers ${mode}: ${expected} to the app, no user`, async () => {
      const { pc, state, nonce } = await started(browser(), 'Fake');
      fake.state.mode = mode;
      fake.state.nonce = nonce;
      const calls = fake.state.tokenCalls;
      const res = await viaIdp(pc.get(`/oauth2/idpresponse?code=some-code&state=${state}`));
      const back = errorOf(res.location);
      assert.equal(`${back.origin}${back.pathname}`, APP_CALLBACK, res.location);
      // invalid_grant is not an authorize error: Cognito's invalid_request, the provider's words kept.
      assert.equal(back.searchParams.get('error'), expected === 'invalid_grant' ? 'invalid_request' : expected);
      if (expected === 'invalid_grant')
        assert.match(back.searchParams.get('error_description')!, /Fake Error - 400 invalid_grant/);
      assert.equal(fake.state.tokenCalls, calls + 1);
      const users = await t.admin(
        'GET',
        `/v1/pools/${poolId}/users?filter=${encodeURIComponent('username ^= "Fake_"')}`,
      );
      assert.equal(users.body.users.length, 0);
    });
  }

  it('a well-behaved fake provider signs in (the checks above are what failed)', async () => {
    const { pc, state, nonce } = await started(browser(), 'Fake');
    fake.state.mode = 'ok';
    fake.state.nonce = nonce;
    const res = await viaIdp(pc.get(`/oauth2/idpresponse?code=some-code&state=${state}`));
    assert.ok(res.location!.startsWith('/oauth2/authorize?'), res.location);
  });

  it('two first sign-ins of the same subject at once end in one user', async () => {
    // A subject the fake has not signed in before: the user is made by one of the two.
    await t.database.db.execute(sql`delete from users where username like 'Fake\_%'`);
    const [a, b] = await Promise.all([started(browser(), 'Fake'), started(browser(), 'Fake')]);
    fake.state.mode = 'ok';
    fake.state.nonces.set('code-a', a.nonce).set('code-b', b.nonce);
    const answers = await Promise.all([
      viaIdp(a.pc.get(`/oauth2/idpresponse?code=code-a&state=${a.state}`)),
      viaIdp(b.pc.get(`/oauth2/idpresponse?code=code-b&state=${b.state}`)),
    ]);
    for (const answer of answers) assert.ok(answer.location!.startsWith('/oauth2/authorize?'), answer.location);
    const users = await t.admin('GET', `/v1/pools/${poolId}/users?filter=${encodeURIComponent('username ^= "Fake_"')}`);
    assert.equal(users.body.users.length, 1);
  });
});

describe('hooks on the federated paths', () => {
  it("PreSignUp_ExternalProvider refusing: no user, the app gets the hook's words", async () => {
    const pool = await t.admin('POST', '/v1/pools', {
      name: 'hooked',
      hooks: {
        preSignUp: hook.url,
        postConfirmation: hook.url,
        preAuthentication: hook.url,
        postAuthentication: hook.url,
      },
    });
    assert.equal(pool.status, 201, JSON.stringify(pool.body));
    await createOidcProvider(t, pool.body.id, {
      providerName: 'Upstream',
      issuer: upstream.issuer,
      clientId: upstream.clientId,
    });
    const hooked = await makeClient(pool.body.id, ['Upstream']);
    hook.answer(400, { errorMessage: 'Not from this provider', errorType: 'Error' });
    const refused = await signInThrough('ada', browser(), hooked);
    assert.equal(refused.callback.searchParams.get('error'), 'invalid_request');
    assert.equal(
      refused.callback.searchParams.get('error_description'),
      'PreSignUp failed with error Not from this provider.',
    );
    const event = hook.last().body as Record<string, any>;
    assert.equal(event.triggerSource, 'PreSignUp_ExternalProvider');
    assert.equal(event.userName, `Upstream_${adaSub}`);
    assert.equal(event.request.userAttributes.email, 'ada@example.com');
    const none = await t.admin('GET', `/v1/pools/${pool.body.id}/users/${encodeURIComponent(`Upstream_${adaSub}`)}`);
    assert.equal(none.status, 404);

    // Agreeing: PreSignUp, PostConfirmation at the first sign-in, then PreAuthentication and PostAuthentication.
    hook.reset();
    hook.requests.length = 0;
    const { callback } = await signInThrough('ada', browser(), hooked);
    assert.ok(callback.searchParams.get('code'), callback.toString());
    assert.deepEqual(
      hook.requests.map((r) => (r.body as Record<string, unknown>).triggerSource),
      [
        'PreSignUp_ExternalProvider',
        'PostConfirmation_ConfirmSignUp',
        'PreAuthentication_Authentication',
        'PostAuthentication_Authentication',
      ],
    );
    hook.requests.length = 0;
    await signInThrough('ada', browser(), hooked);
    assert.deepEqual(
      hook.requests.map((r) => (r.body as Record<string, unknown>).triggerSource),
      ['PreAuthentication_Authentication', 'PostAuthentication_Authentication'],
    );
  });
});

describe('linking from PreSignUp', () => {
  it('a PreSignUp hook that links the subject to an existing user signs in as that user', async () => {
    const linkHook = await startHookServer();
    try {
      const pool = await t.admin('POST', '/v1/pools', { name: 'linking', hooks: { preSignUp: linkHook.url } });
      assert.equal(pool.status, 201, JSON.stringify(pool.body));
      const linkPool = pool.body.id as string;
      await createOidcProvider(t, linkPool, {
        providerName: 'Upstream',
        issuer: upstream.issuer,
        clientId: upstream.clientId,
      });
      const linkClient = await makeClient(linkPool, ['COGNITO', 'Upstream']);
      const native = await t.admin('POST', `/v1/pools/${linkPool}/users`, {
        username: 'grace-native',
        messageAction: 'SUPPRESS',
      });
      assert.equal(native.status, 201, JSON.stringify(native.body));
      const graceSub = await upstream.createUser('grace', { email: 'grace@example.com', name: 'Grace Hopper' });
      // The common Cognito pattern: the hook calls AdminLinkProviderForUser, then lets the sign-up go on.
      linkHook.handle(async (request) => {
        const event = request.body as Record<string, any>;
        const linked = await t.admin('POST', `/v1/pools/${linkPool}/users/grace-native/identities`, {
          providerName: 'Upstream',
          subject: graceSub,
        });
        assert.equal(linked.status < 300, true, JSON.stringify(linked.body));
        return { status: 200, body: event };
      });
      const { callback } = await signInThrough('grace', browser(), linkClient);
      const claims = decodeJwt((await exchange(callback.searchParams.get('code')!, linkClient)).id_token);
      assert.equal(claims['cognito:username'], 'grace-native');
      const identities = claims.identities as Array<Record<string, unknown>>;
      assert.equal(identities[0]!.userId, graceSub);
      assert.equal(identities[0]!.primary, 'false');
      // The mapping applies to the linked user too, as in Cognito.
      assert.equal(claims.email, 'grace@example.com');
      const none = await t.admin('GET', `/v1/pools/${linkPool}/users/${encodeURIComponent(`Upstream_${graceSub}`)}`);
      assert.equal(none.status, 404);
      // A later sign-in is the linked user's without asking PreSignUp again.
      const calls = linkHook.requests.length;
      const later = await signInThrough('grace', browser(), linkClient);
      assert.ok(later.callback.searchParams.get('code'));
      assert.equal(linkHook.requests.length, calls);
    } finally {
      await linkHook.close();
    }
  });
});

describe('the log', () => {
  it('no request of this file failed unexpectedly (every refusal above was a typed one)', () => {
    const failures = t.logs.filter((entry) => Number(entry.level) >= 50);
    assert.deepEqual(
      failures.map((entry) => entry.msg),
      [],
    );
    // The refusals were logged as warnings with their reason, and no token or code is in them.
    const warnings = t.logs.filter((entry) => /identity provider sign-in failed/.test(String(entry.msg)));
    assert.ok(warnings.length >= 5);
    assert.doesNotMatch(JSON.stringify(warnings), /some-code|eyJ/);
  });
});
