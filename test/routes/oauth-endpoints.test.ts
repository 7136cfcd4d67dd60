import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { PASSWORD, decodeJwt, startTestApp, type TestApp } from '../support/app.ts';
import { LOGIN_SESSION_COOKIE } from '../../src/modules/tokens/login-sessions.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import type { ClientOAuthSettings } from '../../src/modules/oauth/oauth.types.ts';

/**
 * The OAuth 2.0 endpoints over plain HTTP (docs/web-sign-in.md, "Endpoints"): authorize with a
 * login session made through the services (the pages are tested on their own), token, revoke,
 * userInfo, logout and discovery; every grant and every error name.
 */
let t: TestApp;
let poolId: string;
let userId: string;
let cookie: string;
let hook: HookServer;

const CALLBACK = 'https://app.test/cb';
const APP_CALLBACK = 'myapp://cb';
const LOGOUT = 'https://app.test/bye';
const API = 'https://api.test';
const clients: Record<'pub' | 'conf' | 'pkce' | 'm2m' | 'implicitOnly' | 'off', { id: string; secret?: string }> =
  {} as never;

const oauthSettings = (over: Partial<ClientOAuthSettings> = {}): Partial<ClientOAuthSettings> => ({
  enabled: true,
  flows: ['code', 'implicit'],
  scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin', `${API}/read`],
  callbackUrls: [CALLBACK, APP_CALLBACK],
  logoutUrls: [LOGOUT],
  defaultRedirectUri: CALLBACK,
  identityProviders: ['COGNITO'],
  ...over,
});

async function makeClient(name: string, oauth: Partial<ClientOAuthSettings>, secret = false) {
  const client = await t.services.pools.createClient(
    poolId,
    { name, oauth, explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'] },
    secret ? {} : undefined,
  );
  return { id: client.id, ...(client.secret && { secret: client.secret.value }) };
}

async function makeUser(username: string, email: string): Promise<string> {
  const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username,
    temporaryPassword: 'Temp-Passw0rd1',
    messageAction: 'SUPPRESS',
    userAttributes: { email, email_verified: 'true', name: `${username} N`, phone_number: '+15550100000' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const set = await t.admin('POST', `/v1/pools/${poolId}/users/${username}/password`, {
    password: PASSWORD,
    permanent: true,
  });
  assert.equal(set.status, 204);
  return (created.body.attributes?.sub ?? created.body.userSub) as string;
}

interface Answer {
  status: number;
  location: string;
  headers: Record<string, unknown>;
  body: any;
}

async function get(url: string, cookieValue?: string, host?: string): Promise<Answer> {
  const response = await t.app.inject({
    method: 'GET',
    url,
    headers: {
      ...(cookieValue !== undefined && { cookie: `${LOGIN_SESSION_COOKIE}=${cookieValue}` }),
      ...(host !== undefined && { host }),
    },
  });
  return {
    status: response.statusCode,
    location: String(response.headers.location ?? ''),
    headers: response.headers,
    body: response.body ? safeJson(response.body) : undefined,
  };
}

function safeJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const authorizeUrl = (params: Record<string, string>) => `/oauth2/authorize?${new URLSearchParams(params)}`;
/** `cookieValue` null: no login session. */
const authorize = (params: Record<string, string>, cookieValue: string | null = cookie) =>
  get(authorizeUrl(params), cookieValue ?? undefined);

async function post(
  url: string,
  form: Record<string, string>,
  basic?: { id: string; secret: string },
  contentType = 'application/x-www-form-urlencoded',
): Promise<Answer> {
  const response = await t.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': contentType,
      ...(basic && { authorization: `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString('base64')}` }),
    },
    payload: contentType.startsWith('application/json') ? JSON.stringify(form) : new URLSearchParams(form).toString(),
  });
  return {
    status: response.statusCode,
    location: String(response.headers.location ?? ''),
    headers: response.headers,
    body: response.body ? safeJson(response.body) : undefined,
  };
}
const token = (form: Record<string, string>, basic?: { id: string; secret: string }) =>
  post('/oauth2/token', form, basic);

function assertOAuthError(answer: Answer, status: number, error: string) {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.error, error, JSON.stringify(answer.body));
  assert.equal(answer.headers['cache-control'], 'no-store');
}

/** The redirect's query (code flow) or fragment (implicit) as a map. */
function redirected(answer: Answer, base = CALLBACK): Record<string, string> {
  assert.equal(answer.status, 302, JSON.stringify(answer.body));
  assert.ok(answer.location.startsWith(base), answer.location);
  const url = new URL(answer.location);
  const fromHash = new URLSearchParams(url.hash.slice(1));
  return Object.fromEntries([...url.searchParams, ...fromHash]);
}

/** The error page's redirect (never to the client's redirect URI). */
function errorPage(answer: Answer, error: string) {
  assert.equal(answer.status, 302);
  assert.ok(answer.location.startsWith('/error?'), answer.location);
  assert.equal(new URLSearchParams(answer.location.slice('/error?'.length)).get('error'), error);
}

const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

async function codeFor(clientId: string, extra: Record<string, string> = {}, cookieValue = cookie) {
  const answer = await authorize(
    { response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state: 's1', ...extra },
    cookieValue,
  );
  const params = redirected(answer, extra.redirect_uri ?? CALLBACK);
  assert.equal(params.state, 's1');
  assert.ok(params.code, answer.location);
  return params.code!;
}

before(async () => {
  t = await startTestApp({}, { hookPolicy: { timeoutMs: 1000, retryDelayMs: 10 } });
  hook = await startHookServer();
  const pool = await t.admin('POST', '/v1/pools', { name: 'oauth' });
  assert.equal(pool.status, 201);
  poolId = pool.body.id;
  await t.services.resourceServers.create(poolId, {
    identifier: API,
    name: 'api',
    scopes: [
      { name: 'read', description: 'read' },
      { name: 'write', description: 'write' },
    ],
  });
  clients.pub = await makeClient('pub', oauthSettings());
  clients.conf = await makeClient('conf', oauthSettings({ flows: ['code'] }), true);
  clients.pkce = await makeClient('pkce', oauthSettings({ flows: ['code'], requirePkce: true }));
  clients.m2m = await makeClient(
    'm2m',
    oauthSettings({
      flows: ['client_credentials'],
      scopes: [`${API}/read`, `${API}/write`],
      callbackUrls: [],
      logoutUrls: [],
      defaultRedirectUri: null,
    }),
    true,
  );
  clients.implicitOnly = await makeClient('implicit', oauthSettings({ flows: ['implicit'] }));
  clients.off = await makeClient('off', {});
  userId = await makeUser('alice', 'alice@example.com');
  cookie = await t.services.loginSessions.start(poolId, userId, new Date(Date.now() - 60_000));
});

after(async () => {
  await hook?.close();
  await t?.close();
});

describe('GET /oauth2/authorize', () => {
  test('without a login session: to /login with the same query', async () => {
    const query = {
      response_type: 'code',
      client_id: clients.pub.id,
      redirect_uri: CALLBACK,
      state: 'x y',
      lang: 'fr',
    };
    const answer = await authorize(query, null);
    assert.equal(answer.status, 302);
    assert.equal(answer.location, `/login?${new URLSearchParams(query)}`);
    // An unknown or forged cookie is no session either.
    assert.equal((await authorize(query, 'forged')).location, `/login?${new URLSearchParams(query)}`);
  });

  test('prompt=login and an old session (max_age) sign in again; prompt=none never shows a page; other prompts are refused', async () => {
    const base = { response_type: 'code', client_id: clients.pub.id, redirect_uri: CALLBACK, state: 'p1' };
    // With the live session, prompt=login still goes to the pages (which drop it once signed in).
    const again = await authorize({ ...base, prompt: 'login' });
    assert.ok(again.location.startsWith('/login?'), again.location);
    assert.equal(new URLSearchParams(again.location.slice('/login?'.length)).get('prompt'), 'login');
    // prompt=none: a code with the session, login_required to the app without it.
    assert.ok(redirected(await authorize({ ...base, prompt: 'none' })).code);
    const none = redirected(await authorize({ ...base, prompt: 'none' }, null));
    assert.equal(none.error, 'login_required');
    assert.equal(none.state, 'p1');
    assert.equal(none.code, undefined);
    // max_age: a session signed in an hour ago is too old for 60 s, young enough for 7200 s.
    const old = await t.services.loginSessions.start(poolId, userId, new Date(Date.now() - 3600_000));
    assert.ok((await authorize({ ...base, max_age: '60' }, old)).location.startsWith('/login?'));
    assert.ok(redirected(await authorize({ ...base, max_age: '7200' }, old)).code);
    assert.equal(redirected(await authorize({ ...base, max_age: '60', prompt: 'none' }, old)).error, 'login_required');
    // What Cognate cannot honour is refused, not ignored.
    for (const [name, value] of [
      ['prompt', 'consent'],
      ['prompt', 'select_account'],
      ['max_age', '-1'],
      ['max_age', 'soon'],
    ] as const) {
      const refused = redirected(await authorize({ ...base, [name]: value }));
      assert.equal(refused.error, 'invalid_request', `${name}=${value}`);
    }
  });

  test('a login session of another pool is no session here', async () => {
    const other = await t.admin('POST', '/v1/pools', { name: 'other' });
    const foreign = await t.services.loginSessions.start(other.body.id, userId).catch(() => undefined);
    if (foreign === undefined) return; // the user belongs to this pool: the other pool cannot hold it
    const answer = await authorize({ response_type: 'code', client_id: clients.pub.id }, foreign);
    assert.ok(answer.location.startsWith('/login?'), answer.location);
  });

  test('an unknown client, a client without OAuth and a bad redirect URI go to the error page, never to the URI', async () => {
    errorPage(await authorize({ response_type: 'code', client_id: 'nope', redirect_uri: CALLBACK }), 'invalid_request');
    errorPage(await authorize({ response_type: 'code', redirect_uri: CALLBACK }), 'invalid_request');
    errorPage(
      await authorize({ response_type: 'code', client_id: clients.off.id, redirect_uri: CALLBACK }),
      'unauthorized_client',
    );
    // Open-redirect attempts: only an exact callback URL is ever redirected to.
    for (const uri of [
      'https://evil.test/cb',
      'https://app.test/cb/',
      'https://app.test/cb/../evil',
      'https://app.test/cb?next=https://evil.test',
      'https://app.test/cb#x',
      'HTTPS://APP.TEST/cb',
      'https://app.test.evil.test/cb',
      'https://app.test@evil.test/cb',
      '//evil.test/cb',
      'javascript:alert(1)',
      '',
    ]) {
      const answer = await authorize({
        response_type: 'code',
        client_id: clients.pub.id,
        redirect_uri: uri,
        state: 's',
      });
      errorPage(answer, 'redirect_mismatch');
      assert.ok(!answer.location.includes('evil'), answer.location);
    }
  });

  test('no redirect_uri: the client’s default one', async () => {
    const params = redirected(await authorize({ response_type: 'code', client_id: clients.pub.id, state: 'd' }));
    assert.equal(params.state, 'd');
    assert.ok(params.code);
  });

  test('other errors go to the redirect URI with error and state', async () => {
    const base = { client_id: clients.pub.id, redirect_uri: CALLBACK, state: 'st' };
    const expect = async (params: Record<string, string>, error: string, client = base.client_id) => {
      const answer = await authorize({ ...base, client_id: client, ...params });
      const got = redirected(answer);
      assert.equal(got.error, error, answer.location);
      assert.equal(got.state, 'st');
      assert.equal(got.code, undefined);
    };
    await expect({}, 'invalid_request');
    await expect({ response_type: 'id_token' }, 'unsupported_response_type');
    await expect({ response_type: 'code', scope: 'openid admin' }, 'invalid_scope');
    await expect({ response_type: 'code', scope: `${API}/write` }, 'invalid_scope');
    await expect({ response_type: 'code', scope: 'email' }, 'invalid_scope');
    await expect(
      { response_type: 'code', code_challenge: pkcePair().challenge, code_challenge_method: 'plain' },
      'invalid_request',
    );
    await expect({ response_type: 'code', code_challenge: pkcePair().challenge }, 'invalid_request');
    await expect({ response_type: 'code', code_challenge_method: 'S256' }, 'invalid_request');
    await expect({ response_type: 'code', code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request');
    await expect({ response_type: 'code', identity_provider: 'Google' }, 'invalid_request');
    await expect({ response_type: 'code', idp_identifier: 'example.com' }, 'invalid_request');
    await expect({ response_type: 'code' }, 'invalid_request', clients.pkce.id);
    await expect({ response_type: 'code' }, 'unauthorized_client', clients.implicitOnly.id);
    await expect({ response_type: 'token' }, 'unauthorized_client', clients.conf.id);
    // identity_provider=COGNITO is the pool's own users: fine.
    assert.ok(redirected(await authorize({ ...base, response_type: 'code', identity_provider: 'COGNITO' })).code);
  });

  test('a parameter sent twice is refused', async () => {
    const answer = await get(
      `/oauth2/authorize?response_type=code&client_id=${clients.pub.id}&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=openid&scope=email`,
      cookie,
    );
    assert.equal(answer.status, 302);
    assert.ok(!answer.location.includes('code='), answer.location);
  });

  test('implicit grant: tokens in the fragment, no refresh token', async () => {
    const answer = await authorize({
      response_type: 'token',
      client_id: clients.pub.id,
      redirect_uri: CALLBACK,
      state: 'imp',
      scope: 'openid email',
      nonce: 'n-imp',
    });
    const url = new URL(answer.location);
    assert.equal(url.search, '', 'tokens never go in the query');
    const params = redirected(answer);
    assert.equal(params.state, 'imp');
    assert.equal(params.token_type, 'Bearer');
    assert.equal(params.refresh_token, undefined);
    assert.equal(decodeJwt(params.access_token!).scope, 'openid email');
    const id = decodeJwt(params.id_token!);
    assert.equal(id.nonce, 'n-imp');
    assert.equal(id.aud, clients.pub.id);
    // Without openid, no ID token.
    const noId = redirected(
      await authorize({ response_type: 'token', client_id: clients.pub.id, scope: `${API}/read` }),
    );
    assert.equal(noId.id_token, undefined);
    assert.ok(noId.access_token);
  });

  test('a disabled user’s login session signs in no one', async () => {
    const bobId = await makeUser('bob', 'bob@example.com');
    const bobCookie = await t.services.loginSessions.start(poolId, bobId);
    const code = await codeFor(clients.pub.id, {}, bobCookie);
    assert.equal((await t.admin('POST', `/v1/pools/${poolId}/users/bob/disable`)).status < 300, true);
    const answer = await authorize({ response_type: 'code', client_id: clients.pub.id }, bobCookie);
    assert.ok(answer.location.startsWith('/login?'), answer.location);
    // A code issued before cannot be exchanged either.
    assertOAuthError(
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code, redirect_uri: CALLBACK }),
      400,
      'invalid_grant',
    );
  });
});

describe('POST /oauth2/token: authorization_code', () => {
  test('a code becomes tokens once: the scopes asked, nonce, at_hash, auth_time of the login session', async () => {
    const code = await codeFor(clients.pub.id, { scope: 'openid profile aws.cognito.signin.user.admin', nonce: 'n1' });
    const answer = await token({
      grant_type: 'authorization_code',
      client_id: clients.pub.id,
      code,
      redirect_uri: CALLBACK,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.body.token_type, 'Bearer');
    assert.equal(answer.body.expires_in, 3600);
    assert.ok(answer.body.refresh_token);
    const access = decodeJwt(answer.body.access_token);
    const id = decodeJwt(answer.body.id_token);
    assert.equal(access.scope, 'openid profile aws.cognito.signin.user.admin');
    assert.equal(access.sub, userId);
    assert.equal(access.client_id, clients.pub.id);
    assert.equal(id.nonce, 'n1');
    assert.equal(id.aud, clients.pub.id);
    const expectedAtHash = createHash('sha256')
      .update(answer.body.access_token)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    assert.equal(id.at_hash, expectedAtHash);
    const session = await t.services.loginSessions.find(poolId, cookie);
    assert.equal(id.auth_time, Math.floor(session!.authTime.getTime() / 1000));

    // Replay: invalid_grant, and nothing else (the tokens already issued stay good, as in Cognito).
    const again = await token({
      grant_type: 'authorization_code',
      client_id: clients.pub.id,
      code,
      redirect_uri: CALLBACK,
    });
    assertOAuthError(again, 400, 'invalid_grant');
    assert.equal((await t.call('GET', '/v1/me', undefined, answer.body.access_token)).status, 200);
  });

  test('no openid: no ID token; all the client’s scopes when none are asked', async () => {
    const code = await codeFor(clients.pub.id, { scope: `${API}/read` });
    const answer = await token({
      grant_type: 'authorization_code',
      client_id: clients.pub.id,
      code,
      redirect_uri: CALLBACK,
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.id_token, undefined);
    assert.equal(decodeJwt(answer.body.access_token).scope, `${API}/read`);

    const all = await codeFor(clients.pub.id);
    const allAnswer = await token({
      grant_type: 'authorization_code',
      client_id: clients.pub.id,
      code: all,
      redirect_uri: CALLBACK,
    });
    assert.deepEqual(
      String(decodeJwt(allAnswer.body.access_token).scope).split(' ').sort(),
      ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin', `${API}/read`].sort(),
    );
  });

  test('a code is bound to its redirect URI and client, and spent by any try', async () => {
    const code = await codeFor(clients.pub.id, { redirect_uri: APP_CALLBACK });
    assertOAuthError(
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code, redirect_uri: CALLBACK }),
      400,
      'invalid_grant',
    );
    // Spent by the wrong try: the right one fails too.
    assertOAuthError(
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code, redirect_uri: APP_CALLBACK }),
      400,
      'invalid_grant',
    );
    const other = await codeFor(clients.pub.id);
    assertOAuthError(
      await token(
        { grant_type: 'authorization_code', code: other, redirect_uri: CALLBACK },
        { id: clients.conf.id, secret: clients.conf.secret! },
      ),
      400,
      'invalid_grant',
    );
    assertOAuthError(
      await token({
        grant_type: 'authorization_code',
        client_id: clients.pub.id,
        code: 'made-up',
        redirect_uri: CALLBACK,
      }),
      400,
      'invalid_grant',
    );
  });

  test('an expired code is refused', async () => {
    const code = await codeFor(clients.pub.id);
    await t.database.db.execute(sql`update oauth_codes set expires_at = now() - interval '1 second'`);
    assertOAuthError(
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code, redirect_uri: CALLBACK }),
      400,
      'invalid_grant',
    );
  });

  test('PKCE: the right verifier only; a verifier for a code without challenge is refused', async () => {
    const { verifier, challenge } = pkcePair();
    const exchange = (code: string, extra: Record<string, string>) =>
      token({ grant_type: 'authorization_code', client_id: clients.pkce.id, code, redirect_uri: CALLBACK, ...extra });
    const ask = { code_challenge: challenge, code_challenge_method: 'S256' };
    assertOAuthError(
      await exchange(await codeFor(clients.pkce.id, ask), { code_verifier: pkcePair().verifier }),
      400,
      'invalid_grant',
    );
    assertOAuthError(await exchange(await codeFor(clients.pkce.id, ask), {}), 400, 'invalid_grant');
    assertOAuthError(
      await exchange(await codeFor(clients.pkce.id, ask), { code_verifier: challenge }),
      400,
      'invalid_grant',
    );
    const good = await exchange(await codeFor(clients.pkce.id, ask), { code_verifier: verifier });
    assert.equal(good.status, 200, JSON.stringify(good.body));
    // Optional for a client that does not require it; a verifier for a code asked without a challenge is refused.
    const plain = await codeFor(clients.pub.id);
    assertOAuthError(
      await token({
        grant_type: 'authorization_code',
        client_id: clients.pub.id,
        code: plain,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
      400,
      'invalid_grant',
    );
  });

  test('a code dies with its login session: signed out, or the password set since', async () => {
    const carolId = await makeUser('carol', 'carol@example.com');
    const exchange = (code: string) =>
      token({ grant_type: 'authorization_code', client_id: clients.pub.id, code, redirect_uri: CALLBACK });
    const first = await t.services.loginSessions.start(poolId, carolId);
    const code = await codeFor(clients.pub.id, {}, first);
    await get(`/logout?${new URLSearchParams({ client_id: clients.pub.id, logout_uri: LOGOUT })}`, first);
    assertOAuthError(await exchange(code), 400, 'invalid_grant');

    const second = await t.services.loginSessions.start(poolId, carolId);
    const before = await codeFor(clients.pub.id, {}, second);
    const set = await t.admin('POST', `/v1/pools/${poolId}/users/carol/password`, {
      password: 'An0ther-Passw0rd!',
      permanent: true,
    });
    assert.equal(set.status, 204);
    assertOAuthError(await exchange(before), 400, 'invalid_grant');
    // The login session ended too: back to the login page.
    assert.ok(
      (await authorize({ response_type: 'code', client_id: clients.pub.id }, second)).location.startsWith('/login?'),
    );
  });

  test('missing parameters are invalid_request, and leave the code unspent', async () => {
    const code = await codeFor(clients.pub.id);
    assertOAuthError(
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code }),
      400,
      'invalid_request',
    );
    assertOAuthError(
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, redirect_uri: CALLBACK }),
      400,
      'invalid_request',
    );
    const good = await token({
      grant_type: 'authorization_code',
      client_id: clients.pub.id,
      code,
      redirect_uri: CALLBACK,
    });
    assert.equal(good.status, 200);
  });
});

describe('POST /oauth2/token: client authentication and grant errors', () => {
  const exchange = async (auth: { basic?: { id: string; secret: string }; form?: Record<string, string> }) => {
    const code = await codeFor(clients.conf.id);
    return token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, ...auth.form }, auth.basic);
  };

  test('a confidential client: HTTP Basic or client_secret in the form', async () => {
    const basic = await exchange({ basic: { id: clients.conf.id, secret: clients.conf.secret! } });
    assert.equal(basic.status, 200, JSON.stringify(basic.body));
    const form = await exchange({ form: { client_id: clients.conf.id, client_secret: clients.conf.secret! } });
    assert.equal(form.status, 200, JSON.stringify(form.body));
  });

  test('a wrong, missing or doubled secret is invalid_client (401 with Basic)', async () => {
    const wrongBasic = await exchange({ basic: { id: clients.conf.id, secret: 'wrong' } });
    assertOAuthError(wrongBasic, 401, 'invalid_client');
    assert.match(String(wrongBasic.headers['www-authenticate']), /^Basic/);
    assertOAuthError(
      await exchange({ form: { client_id: clients.conf.id, client_secret: 'wrong' } }),
      400,
      'invalid_client',
    );
    assertOAuthError(await exchange({ form: { client_id: clients.conf.id } }), 400, 'invalid_client');
    assertOAuthError(await exchange({}), 400, 'invalid_client');
    assertOAuthError(await exchange({ basic: { id: 'unknown', secret: 'x' } }), 401, 'invalid_client');
    assertOAuthError(
      await exchange({
        basic: { id: clients.conf.id, secret: clients.conf.secret! },
        form: { client_secret: clients.conf.secret! },
      }),
      400,
      'invalid_request',
    );
    assertOAuthError(
      await exchange({
        basic: { id: clients.conf.id, secret: clients.conf.secret! },
        form: { client_id: clients.pub.id },
      }),
      401,
      'invalid_client',
    );
    // A public client that sends a secret.
    const code = await codeFor(clients.pub.id);
    assertOAuthError(
      await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: clients.pub.id,
        client_secret: 'x'.repeat(30),
      }),
      400,
      'invalid_client',
    );
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic !!!' },
      payload: 'grant_type=client_credentials',
    });
    assert.equal(malformed.statusCode, 401);
    assert.equal(JSON.parse(malformed.body).error, 'invalid_client');
  });

  test('grant errors: unsupported_grant_type, unauthorized_client, invalid_request', async () => {
    assertOAuthError(await token({ client_id: clients.pub.id }), 400, 'invalid_request');
    assertOAuthError(await token({ grant_type: 'password', client_id: clients.pub.id }), 400, 'unsupported_grant_type');
    assertOAuthError(
      await token({ grant_type: 'client_credentials', client_id: clients.pub.id }),
      400,
      'unauthorized_client',
    );
    assertOAuthError(
      await token(
        { grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK },
        { id: clients.m2m.id, secret: clients.m2m.secret! },
      ),
      400,
      'unauthorized_client',
    );
    assertOAuthError(
      await token({ grant_type: 'authorization_code', client_id: clients.off.id, code: 'x', redirect_uri: CALLBACK }),
      400,
      'unauthorized_client',
    );
    assertOAuthError(await token({ grant_type: 'refresh_token', client_id: clients.pub.id }), 400, 'invalid_request');
    // Forms only.
    assertOAuthError(
      await post(
        '/oauth2/token',
        { grant_type: 'client_credentials', client_id: clients.pub.id },
        undefined,
        'application/json',
      ),
      400,
      'invalid_request',
    );
    // A parameter sent twice.
    const twice = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=refresh_token&grant_type=client_credentials&client_id=${clients.pub.id}`,
    });
    assert.equal(twice.statusCode, 400);
    assert.equal(JSON.parse(twice.body).error, 'invalid_request');
  });
});

describe('refresh tokens', () => {
  test('a hosted refresh token keeps its scopes, and works with the API too (and vice versa)', async () => {
    const code = await codeFor(clients.pub.id, { scope: 'openid email' });
    const first = await token({
      grant_type: 'authorization_code',
      client_id: clients.pub.id,
      code,
      redirect_uri: CALLBACK,
    });
    const refreshed = await token({
      grant_type: 'refresh_token',
      client_id: clients.pub.id,
      refresh_token: first.body.refresh_token,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(refreshed.body.refresh_token, undefined);
    assert.equal(decodeJwt(refreshed.body.access_token).scope, 'openid email');
    assert.ok(refreshed.body.id_token);
    assert.equal(decodeJwt(refreshed.body.id_token).origin_jti, decodeJwt(first.body.id_token).origin_jti);
    // The API's refresh of the same session keeps the scopes too.
    const api = await t.call('POST', '/v1/auth/refresh', {
      clientId: clients.pub.id,
      refreshToken: first.body.refresh_token,
    });
    assert.equal(api.status, 200, JSON.stringify(api.body));
    assert.equal(decodeJwt(api.body.accessToken).scope, 'openid email');
    // Another client's refresh token.
    assertOAuthError(
      await token(
        { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
        { id: clients.conf.id, secret: clients.conf.secret! },
      ),
      400,
      'invalid_grant',
    );
    assertOAuthError(
      await token({ grant_type: 'refresh_token', client_id: clients.pub.id, refresh_token: 'nope' }),
      400,
      'invalid_grant',
    );

    // An API sign-in's refresh token at the token endpoint: aws.cognito.signin.user.admin, an ID token.
    const signIn = await t.call('POST', '/v1/auth/sign-in', {
      clientId: clients.pub.id,
      username: 'alice',
      password: PASSWORD,
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    const fromApi = await token({
      grant_type: 'refresh_token',
      client_id: clients.pub.id,
      refresh_token: signIn.body.refreshToken,
    });
    assert.equal(fromApi.status, 200);
    assert.equal(decodeJwt(fromApi.body.access_token).scope, 'aws.cognito.signin.user.admin');
    assert.ok(fromApi.body.id_token);
  });

  test('a confidential client proves its secret to refresh', async () => {
    const code = await codeFor(clients.conf.id);
    const basic = { id: clients.conf.id, secret: clients.conf.secret! };
    const first = await token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, basic);
    assert.equal(first.status, 200);
    const ok = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, basic);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assertOAuthError(
      await token({ grant_type: 'refresh_token', client_id: clients.conf.id, refresh_token: first.body.refresh_token }),
      400,
      'invalid_client',
    );
  });
});

describe('scopes and the user-pool API', () => {
  test('an access token without aws.cognito.signin.user.admin is refused by the API; userInfo needs openid', async () => {
    const code = await codeFor(clients.pub.id, { scope: 'openid email' });
    const tokens = (
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code, redirect_uri: CALLBACK })
    ).body;
    const me = await t.call('GET', '/v1/me', undefined, tokens.access_token);
    assert.equal(me.status, 401);
    assert.match(me.body.detail, /required scopes/);
    const info = await t.call('GET', '/oauth2/userInfo', undefined, tokens.access_token);
    assert.equal(info.status, 200);
    // openid email: sub, username, email and email_verified only.
    assert.deepEqual(Object.keys(info.body).sort(), ['email', 'email_verified', 'sub', 'username']);
    assert.equal(info.body.sub, userId);

    // The Cognito wire face refuses it as well (GetUser).
    const wire = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser',
      },
      payload: JSON.stringify({ AccessToken: tokens.access_token }),
    });
    assert.equal(wire.statusCode, 400, wire.body);
    assert.equal(JSON.parse(wire.body).__type, 'NotAuthorizedException');

    const admin = await codeFor(clients.pub.id, { scope: 'openid aws.cognito.signin.user.admin' });
    const adminTokens = (
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code: admin, redirect_uri: CALLBACK })
    ).body;
    assert.equal((await t.call('GET', '/v1/me', undefined, adminTokens.access_token)).status, 200);
    // openid alone: every attribute the client reads.
    const all = await t.call('GET', '/oauth2/userInfo', undefined, adminTokens.access_token);
    assert.equal(all.body.name, 'alice N');
    assert.equal(all.body.phone_number, '+15550100000');

    // The API's own tokens have no openid scope: userInfo refuses them, as Cognito.
    const signIn = await t.call('POST', '/v1/auth/sign-in', {
      clientId: clients.pub.id,
      username: 'alice',
      password: PASSWORD,
    });
    const refused = await t.call('GET', '/oauth2/userInfo', undefined, signIn.body.accessToken);
    assert.equal(refused.status, 401);
  });
});

describe('client_credentials', () => {
  const m2mBasic = () => ({ id: clients.m2m.id, secret: clients.m2m.secret! });

  test('a machine-to-machine access token with the client’s custom scopes', async () => {
    const answer = await token({ grant_type: 'client_credentials' }, m2mBasic());
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.refresh_token, undefined);
    assert.equal(answer.body.id_token, undefined);
    const claims = decodeJwt(answer.body.access_token);
    assert.equal(claims.sub, clients.m2m.id);
    assert.equal(claims.client_id, clients.m2m.id);
    assert.equal(claims.token_use, 'access');
    assert.equal(claims.iss, `http://cognate.test/${poolId}`);
    assert.equal(claims.username, undefined);
    assert.deepEqual(String(claims.scope).split(' ').sort(), [`${API}/read`, `${API}/write`]);
    const narrow = await token({ grant_type: 'client_credentials', scope: `${API}/read` }, m2mBasic());
    assert.equal(decodeJwt(narrow.body.access_token).scope, `${API}/read`);
    const viaForm = await token({
      grant_type: 'client_credentials',
      client_id: clients.m2m.id,
      client_secret: clients.m2m.secret!,
    });
    assert.equal(viaForm.status, 200);
    // Not a user's token: the user-pool API and userInfo refuse it.
    assert.equal((await t.call('GET', '/v1/me', undefined, answer.body.access_token)).status, 401);
    assert.equal((await t.call('GET', '/oauth2/userInfo', undefined, answer.body.access_token)).status, 401);
  });

  test('scopes the client does not have, or standard ones, are invalid_scope', async () => {
    assertOAuthError(
      await token({ grant_type: 'client_credentials', scope: 'openid' }, m2mBasic()),
      400,
      'invalid_scope',
    );
    assertOAuthError(
      await token({ grant_type: 'client_credentials', scope: `${API}/admin` }, m2mBasic()),
      400,
      'invalid_scope',
    );
    assertOAuthError(
      await token({ grant_type: 'client_credentials' }, { id: clients.m2m.id, secret: 'bad' }),
      401,
      'invalid_client',
    );
  });
});

describe('POST /oauth2/revoke', () => {
  test('a refresh token and its access tokens end; unknown tokens are fine; another client’s are not its to end', async () => {
    const code = await codeFor(clients.pub.id, { scope: 'openid aws.cognito.signin.user.admin' });
    const tokens = (
      await token({ grant_type: 'authorization_code', client_id: clients.pub.id, code, redirect_uri: CALLBACK })
    ).body;
    const foreign = await post(
      '/oauth2/revoke',
      { token: tokens.refresh_token },
      { id: clients.conf.id, secret: clients.conf.secret! },
    );
    assertOAuthError(foreign, 400, 'unsupported_token_type');
    assert.equal((await t.call('GET', '/v1/me', undefined, tokens.access_token)).status, 200);

    const revoked = await post('/oauth2/revoke', { token: tokens.refresh_token, client_id: clients.pub.id });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal((await t.call('GET', '/v1/me', undefined, tokens.access_token)).status, 401);
    assertOAuthError(
      await token({ grant_type: 'refresh_token', client_id: clients.pub.id, refresh_token: tokens.refresh_token }),
      400,
      'invalid_grant',
    );
    assert.equal((await post('/oauth2/revoke', { token: 'unknown', client_id: clients.pub.id })).status, 200);
    assertOAuthError(await post('/oauth2/revoke', { client_id: clients.pub.id }), 400, 'invalid_request');
    assertOAuthError(await post('/oauth2/revoke', { token: 'x' }), 400, 'invalid_client');
    assertOAuthError(
      await post('/oauth2/revoke', { token: 'x' }, { id: clients.conf.id, secret: 'no' }),
      401,
      'invalid_client',
    );
  });
});

describe('GET /logout', () => {
  test('logout_uri: the session ends, the cookie is cleared, back to the allowed URI', async () => {
    const own = await t.services.loginSessions.start(poolId, userId);
    const answer = await get(`/logout?${new URLSearchParams({ client_id: clients.pub.id, logout_uri: LOGOUT })}`, own);
    assert.equal(answer.status, 302);
    assert.equal(answer.location, LOGOUT);
    assert.match(String(answer.headers['set-cookie']), new RegExp(`^${LOGIN_SESSION_COOKIE}=;`));
    assert.equal(await t.services.loginSessions.find(poolId, own), null);
    const after = await authorize({ response_type: 'code', client_id: clients.pub.id }, own);
    assert.ok(after.location.startsWith('/login?'));
  });

  test('a logout_uri not in the list goes to the error page and ends nothing', async () => {
    const own = await t.services.loginSessions.start(poolId, userId);
    for (const uri of ['https://evil.test/bye', `${LOGOUT}/`, `${LOGOUT}?x=1`, CALLBACK]) {
      const answer = await get(`/logout?${new URLSearchParams({ client_id: clients.pub.id, logout_uri: uri })}`, own);
      errorPage(answer, 'redirect_mismatch');
    }
    errorPage(await get(`/logout?${new URLSearchParams({ logout_uri: LOGOUT })}`, own), 'invalid_request');
    errorPage(await get(`/logout?${new URLSearchParams({ client_id: clients.pub.id })}`, own), 'invalid_request');
    assert.notEqual(await t.services.loginSessions.find(poolId, own), null);
  });

  test('redirect_uri and response_type: signed out, then to the login page to sign in again', async () => {
    const own = await t.services.loginSessions.start(poolId, userId);
    const query = new URLSearchParams({
      client_id: clients.pub.id,
      redirect_uri: CALLBACK,
      response_type: 'code',
      state: 'again',
    });
    const answer = await get(`/logout?${query}`, own);
    assert.equal(answer.status, 302);
    assert.equal(answer.location, `/login?${query}`);
    assert.equal(await t.services.loginSessions.find(poolId, own), null);
    // A redirect_uri that is not a callback URL is not followed.
    const bad = new URLSearchParams({
      client_id: clients.pub.id,
      redirect_uri: 'https://evil.test',
      response_type: 'code',
    });
    errorPage(await get(`/logout?${bad}`, own), 'redirect_mismatch');
  });
});

describe('discovery', () => {
  test('the pool’s openid-configuration names every endpoint at the public URL’s root', async () => {
    const answer = await get(`/${poolId}/.well-known/openid-configuration`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const doc = answer.body;
    assert.equal(doc.issuer, `http://cognate.test/${poolId}`);
    assert.equal(doc.authorization_endpoint, 'http://cognate.test/oauth2/authorize');
    assert.equal(doc.token_endpoint, 'http://cognate.test/oauth2/token');
    assert.equal(doc.revocation_endpoint, 'http://cognate.test/oauth2/revoke');
    assert.equal(doc.userinfo_endpoint, 'http://cognate.test/oauth2/userInfo');
    assert.equal(doc.jwks_uri, `http://cognate.test/${poolId}/.well-known/jwks.json`);
    assert.deepEqual(doc.response_types_supported, ['code', 'token']);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    assert.ok(doc.grant_types_supported.includes('client_credentials'));
    assert.ok(doc.scopes_supported.includes('openid'));
  });
});

describe('PreTokenGeneration', () => {
  /** A pool of its own with the hook at `version`, a code client and a machine client. */
  async function hookedPool(version: 'V2_0' | 'V3_0') {
    const pool = await t.admin('POST', '/v1/pools', { name: `hooked-${version}` });
    const id = pool.body.id as string;
    await t.services.pools.setLambdaConfig(id, {
      PreTokenGenerationConfig: { LambdaVersion: version, LambdaArn: hook.url },
    });
    await t.services.resourceServers.create(id, {
      identifier: API,
      name: 'api',
      scopes: [{ name: 'read', description: 'r' }],
    });
    const web = await t.services.pools.createClient(id, {
      name: 'web',
      oauth: oauthSettings({ scopes: ['openid', `${API}/read`] }),
    });
    const machine = await t.services.pools.createClient(
      id,
      { name: 'machine', oauth: { enabled: true, flows: ['client_credentials'], scopes: [`${API}/read`] } },
      {},
    );
    return { id, web: web.id, machine: { id: machine.id, secret: machine.secret!.value } };
  }
  const calls = () => hook.requests.filter((r) => String(r.body?.triggerSource).startsWith('TokenGeneration_'));

  test('V3: client_credentials asks the hook (TokenGeneration_ClientCredentials) and takes its claims and scopes', async () => {
    const pool = await hookedPool('V3_0');
    hook.reset();
    hook.requests.length = 0;
    hook.respondWith({
      claimsAndScopeOverrideDetails: {
        accessTokenGeneration: {
          claimsToAddOrOverride: { tenant: 't1', sub: 'forged' },
          scopesToAdd: [`${API}/extra`],
        },
      },
    });
    const answer = await token({ grant_type: 'client_credentials' }, pool.machine);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const [call] = calls();
    assert.ok(call, 'the hook was called');
    assert.equal(call.body.triggerSource, 'TokenGeneration_ClientCredentials');
    assert.equal(call.body.callerContext.clientId, pool.machine.id);
    assert.deepEqual(call.body.request.scopes, [`${API}/read`]);
    const claims = decodeJwt(answer.body.access_token);
    assert.equal(claims.tenant, 't1');
    assert.equal(claims.sub, pool.machine.id, 'a reserved claim is not the hook’s');
    assert.equal(claims.scope, `${API}/read ${API}/extra`);

    // A hosted sign-in: TokenGeneration_HostedAuth with the granted scopes.
    const aliceHere = await t.admin('POST', `/v1/pools/${pool.id}/users`, {
      username: 'hosted',
      temporaryPassword: 'Temp-Passw0rd1',
      messageAction: 'SUPPRESS',
    });
    const sub = (aliceHere.body.attributes?.sub ?? aliceHere.body.userSub) as string;
    const session = await t.services.loginSessions.start(pool.id, sub);
    hook.reset();
    hook.requests.length = 0;
    hook.respondWith({});
    const code = await codeFor(pool.web, { scope: 'openid' }, session);
    const tokens = await token({ grant_type: 'authorization_code', client_id: pool.web, code, redirect_uri: CALLBACK });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const [hosted] = calls();
    assert.equal(hosted?.body.triggerSource, 'TokenGeneration_HostedAuth');
    assert.deepEqual(hosted?.body.request.scopes, ['openid']);
  });

  test('a V3 refusal is no token; a V2 hook is not asked for machine tokens', async () => {
    const v3 = await hookedPool('V3_0');
    hook.reset();
    hook.requests.length = 0;
    hook.answer(400, { errorMessage: 'no machines today' });
    const refused = await token({ grant_type: 'client_credentials' }, v3.machine);
    assert.ok(refused.status >= 400, JSON.stringify(refused.body));
    assert.equal(refused.body.access_token, undefined);

    const v2 = await hookedPool('V2_0');
    hook.reset();
    hook.requests.length = 0;
    const answer = await token({ grant_type: 'client_credentials' }, v2.machine);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(calls().length, 0);
  });
});

describe('domains and browsers', () => {
  test('on a pool’s domain, only that pool’s clients are known', async () => {
    const other = await t.admin('POST', '/v1/pools', { name: 'domain-other' });
    const otherId = other.body.id as string;
    const custom = `auth-${Date.now()}.example.com`;
    await t.services.poolDomains.create(poolId, {
      domain: custom,
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    });
    const url = authorizeUrl({ response_type: 'code', client_id: clients.pub.id, redirect_uri: CALLBACK, state: 'h' });
    // The client's own pool's domain: fine.
    assert.ok(redirected(await get(url, cookie, custom)).code);
    // Cognate's own host (PUBLIC_URL): any pool's client.
    assert.ok(redirected(await get(url, cookie, 'cognate.test')).code);
    // Another pool's domain: the client is unknown there.
    const otherDomain = (await t.services.poolDomains.create(otherId, { domain: `x${Date.now()}` })).domain;
    const prefixHost = `${otherDomain}.auth.us-east-1.amazoncognito.com`;
    errorPage(await get(url, cookie, prefixHost), 'invalid_request');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { host: prefixHost, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: clients.pub.id,
        refresh_token: 'x',
      }).toString(),
    });
    assert.equal(refused.statusCode, 400);
    assert.equal(JSON.parse(refused.body).error, 'invalid_client');
  });

  test('a browser app on a callback URL’s origin may call the token endpoint (CORS)', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/oauth2/token',
      headers: { origin: 'https://app.test', 'access-control-request-method': 'POST' },
    });
    assert.ok(preflight.statusCode < 300, String(preflight.statusCode));
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.test');
    const code = await codeFor(clients.pub.id);
    const answer = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { origin: 'https://app.test', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clients.pub.id,
        code,
        redirect_uri: CALLBACK,
      }).toString(),
    });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['access-control-allow-origin'], 'https://app.test');
    const stranger = await t.app.inject({
      method: 'OPTIONS',
      url: '/oauth2/token',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
    });
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
  });
});
