/**
 * Issue 19's web face, attacked (docs/security.md, docs/web-sign-in.md): the OAuth endpoints
 * (open redirects, code and refresh-token binding, PKCE downgrade, scope escalation, machine
 * tokens against the user API, Host tricks, method confusion) and the managed login pages (the
 * login session's cookie and what ends it, CSRF, reflected markup, branding CSS, existence
 * hiding, rate limits). Each test is an attack that must fail.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import type { ClientOAuthSettings } from '../../src/modules/oauth/oauth.types.ts';
import { LOGIN_SESSION_COOKIE } from '../../src/modules/tokens/login-sessions.ts';
import { PASSWORD, decodeJwt, startTestApp, type TestApp } from '../support/app.ts';
import { errorsOf, formsOf, pageClient, unescapeHtml, type PageResponse } from '../support/page-client.ts';
import { makeTestCertificate } from '../support/tls.ts';

let t: TestApp;
let poolA: string;
let poolB: string;
let aliceId: string;
let address = 0;
const nextAddress = () => `10.19.${Math.floor(++address / 250)}.${address % 250}`;

const CALLBACK = 'https://app.test/cb';
const LOGOUT = 'https://app.test/bye';
const API = 'https://api.test';
const ids: Record<'pub' | 'other' | 'conf' | 'm2m' | 'poolB', { id: string; secret?: string }> = {} as never;

const settings = (over: Partial<ClientOAuthSettings> = {}): Partial<ClientOAuthSettings> => ({
  enabled: true,
  flows: ['code', 'implicit'],
  scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin', `${API}/read`],
  callbackUrls: [CALLBACK],
  logoutUrls: [LOGOUT],
  defaultRedirectUri: CALLBACK,
  identityProviders: ['COGNITO'],
  ...over,
});

async function makeClient(pool: string, name: string, oauth: Partial<ClientOAuthSettings>, secret = false) {
  const client = await t.services.pools.createClient(
    pool,
    { name, oauth, explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'] },
    secret ? {} : undefined,
  );
  return { id: client.id, ...(client.secret && { secret: client.secret.value }) };
}

async function makeUser(pool: string, username: string): Promise<string> {
  const created = await t.admin('POST', `/v1/pools/${pool}/users`, {
    username,
    temporaryPassword: 'Temp-Passw0rd1',
    messageAction: 'SUPPRESS',
    userAttributes: { email: `${username}@example.com`, email_verified: 'true' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const set = await t.admin('POST', `/v1/pools/${pool}/users/${username}/password`, {
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
  text: string;
}

const parse = (text: string) => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

async function get(url: string, cookie?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await t.app.inject({
    method: 'GET',
    url,
    headers: { ...(cookie !== undefined && { cookie: `${LOGIN_SESSION_COOKIE}=${cookie}` }), ...headers },
  });
  return {
    status: res.statusCode,
    location: String(res.headers.location ?? ''),
    headers: res.headers,
    body: parse(res.body),
    text: res.body,
  };
}

async function form(
  url: string,
  values: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(values).toString(),
  });
  return {
    status: res.statusCode,
    location: String(res.headers.location ?? ''),
    headers: res.headers,
    body: parse(res.body),
    text: res.body,
  };
}

const basic = (c: { id: string; secret?: string }) => ({
  authorization: `Basic ${Buffer.from(`${c.id}:${c.secret ?? ''}`).toString('base64')}`,
});

async function wire(target: string, body: unknown) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${target}`,
    },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: parse(res.body) };
}

const authorizeUrl = (params: Record<string, string>) => `/oauth2/authorize?${new URLSearchParams(params)}`;

/** A redirect to Cognate's own error page: relative, never to the URI asked. */
function assertErrorPage(answer: Answer, why = '') {
  assert.equal(answer.status, 302, `${why}: ${answer.text}`);
  assert.ok(answer.location.startsWith('/error?'), `${why}: went to ${answer.location}`);
}

const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

async function loginCookie(userId = aliceId, pool = poolA) {
  return t.services.loginSessions.start(pool, userId);
}

async function codeFor(clientId: string, cookie: string, extra: Record<string, string> = {}) {
  const answer = await get(
    authorizeUrl({ response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state: 's', ...extra }),
    cookie,
  );
  assert.equal(answer.status, 302, answer.text);
  const code = new URL(answer.location).searchParams.get('code');
  assert.ok(code, answer.location);
  return code;
}

const exchangePublic = (clientId: string, code: string, extra: Record<string, string> = {}) =>
  form('/oauth2/token', {
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    redirect_uri: CALLBACK,
    ...extra,
  });

before(async () => {
  t = await startTestApp({});
  poolA = (await t.admin('POST', '/v1/pools', { name: 'attacks-19-a' })).body.id;
  poolB = (await t.admin('POST', '/v1/pools', { name: 'attacks-19-b' })).body.id;
  for (const pool of [poolA, poolB])
    await t.services.resourceServers.create(pool, {
      identifier: API,
      name: 'api',
      scopes: [
        { name: 'read', description: 'read' },
        { name: 'write', description: 'write' },
      ],
    });
  ids.pub = await makeClient(poolA, 'pub', settings());
  ids.other = await makeClient(poolA, 'other', settings({ scopes: ['openid'] }));
  ids.conf = await makeClient(poolA, 'conf', settings({ flows: ['code'] }), true);
  ids.m2m = await makeClient(
    poolA,
    'm2m',
    settings({
      flows: ['client_credentials'],
      scopes: [`${API}/read`],
      callbackUrls: [],
      logoutUrls: [],
      defaultRedirectUri: null,
    }),
    true,
  );
  ids.poolB = await makeClient(poolB, 'b', settings());
  aliceId = await makeUser(poolA, 'alice');
});

after(() => t?.close());

// ---- Open redirects -----------------------------------------------------------------------------

describe('open redirect', () => {
  const near = [
    'https://app.test/cb/',
    'https://app.test/cbx',
    'https://app.test/CB',
    'https://APP.test/cb',
    'HTTPS://app.test/cb',
    'https://app.test/cb?next=https://evil.test',
    'https://app.test/cb#https://evil.test',
    'https://app.test/%63b',
    'https://app.test%2Fcb',
    'https://app.test/cb/../../evil',
    'https://app.test/cb%2F..%2F..%2Fevil',
    'https://evil.test@app.test/cb',
    'https://app.test@evil.test/cb',
    'https://app.test.evil.test/cb',
    'https://app.test:443/cb',
    'https://app.test:8443/cb',
    '//app.test/cb',
    '/cb',
    ' https://app.test/cb',
    'https://app.test/cb ',
    'https://app.test/cb\n',
    'https://app.test/cb\u0000',
    'https://evil.test',
    'javascript:alert(1)//https://app.test/cb',
  ];

  test('authorize: every near miss of the callback URL goes to the error page, signed in or not', async () => {
    const cookie = await loginCookie();
    for (const uri of near) {
      for (const c of [cookie, undefined]) {
        const answer = await get(
          authorizeUrl({ response_type: 'code', client_id: ids.pub.id, redirect_uri: uri, state: 'x' }),
          c,
        );
        assertErrorPage(answer, uri);
        assert.ok(!answer.location.includes('code='), uri);
      }
    }
  });

  test('authorize: a bad redirect_uri wins over every later error (no error goes to an unchecked URI)', async () => {
    for (const extra of <Record<string, string>[]>[
      { response_type: 'evil' },
      { response_type: 'code', scope: 'not-a-scope' },
      { response_type: 'code', code_challenge: 'short', code_challenge_method: 'plain' },
      { response_type: 'code', identity_provider: 'Google' },
    ]) {
      const answer = await get(authorizeUrl({ client_id: ids.pub.id, redirect_uri: 'https://evil.test/cb', ...extra }));
      assertErrorPage(answer, JSON.stringify(extra));
    }
    // Sent twice, once good and once bad: refused outright.
    const twice = await get(
      `/oauth2/authorize?response_type=code&client_id=${ids.pub.id}&redirect_uri=${encodeURIComponent(CALLBACK)}&redirect_uri=${encodeURIComponent('https://evil.test/cb')}`,
      await loginCookie(),
    );
    assertErrorPage(twice, 'twice');
  });

  test('the login pages show an error page for a bad redirect_uri, never a redirect', async () => {
    for (const path of ['/login', '/signup', '/forgotPassword', '/confirmForgotPassword', '/confirmUser']) {
      for (const uri of ['https://evil.test/cb', 'https://app.test/cb/', 'https://app.test@evil.test/cb']) {
        const q = new URLSearchParams({
          client_id: ids.pub.id,
          response_type: 'code',
          redirect_uri: uri,
          scope: 'bad',
        });
        const answer = await get(`${path}?${q}`);
        assert.equal(answer.status, 400, `${path} ${uri}: ${answer.status}`);
        assert.equal(answer.location, '', `${path} ${uri}`);
        assert.ok(!answer.text.includes('evil.test'), `${path}: the page does not offer the URI as a link`);
      }
    }
  });

  test('the error page takes no destination: redirect_uri, logout_uri and the like are ignored', async () => {
    const answer = await get(
      `/error?${new URLSearchParams({ error: 'x', redirect_uri: 'https://evil.test', logout_uri: 'https://evil.test', client_id: ids.pub.id })}`,
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.location, '');
    assert.ok(!answer.text.includes('evil.test'));
  });

  test('logout: a logout_uri not exactly one of the client’s goes to the error page and ends nothing', async () => {
    const cookie = await loginCookie();
    for (const uri of [
      'https://app.test/bye/',
      'https://app.test/byex',
      'https://APP.test/bye',
      'https://app.test/bye?x=1',
      'https://app.test/bye#x',
      'https://app.test@evil.test/bye',
      'https://evil.test',
      '//evil.test',
    ]) {
      const answer = await get(`/logout?${new URLSearchParams({ client_id: ids.pub.id, logout_uri: uri })}`, cookie);
      assertErrorPage(answer, uri);
    }
    // Still signed in: none of them ended the session.
    const still = await get(
      authorizeUrl({ response_type: 'code', client_id: ids.pub.id, redirect_uri: CALLBACK }),
      cookie,
    );
    assert.ok(still.location.startsWith(`${CALLBACK}?code=`), still.location);
    // Another client's logout URL (even of another pool) is not this client's.
    const poolBLogout = await get(`/logout?${new URLSearchParams({ client_id: ids.poolB.id, logout_uri: LOGOUT })}`);
    assert.equal(poolBLogout.status, 302);
    assert.equal(poolBLogout.location, LOGOUT);
    const otherClient = await makeClient(poolA, 'logout-other', settings({ logoutUrls: ['https://other.test/bye'] }));
    assertErrorPage(await get(`/logout?${new URLSearchParams({ client_id: otherClient.id, logout_uri: LOGOUT })}`));
  });

  test('callback and logout URLs that would redirect anywhere are refused when the client is configured', async () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://evil.test/cb',
      'http://localhost.evil.test/cb',
      'https://user:pass@app.test/cb',
      'https://app.test/cb#frag',
      'https://app.test/c b',
      'vbscript:msgbox(1)',
    ]) {
      await assert.rejects(
        t.services.pools.createClient(poolA, {
          name: 'bad-url',
          oauth: settings({ callbackUrls: [url], defaultRedirectUri: null }),
        }),
        (e: Error) => e.name === 'InvalidParameterException' && /CallbackURLs|callbackUrls/.test(e.message),
        url,
      );
      await assert.rejects(
        t.services.pools.createClient(poolA, { name: 'bad-url', oauth: settings({ logoutUrls: [url] }) }),
        (e: Error) => e.name === 'InvalidParameterException' && /LogoutURLs|logoutUrls/.test(e.message),
        url,
      );
    }
  });
});

// ---- Codes ---------------------------------------------------------------------------------------

describe('authorization codes', () => {
  test('replay: a code spent once is invalid_grant, even by its own client', async () => {
    const code = await codeFor(ids.pub.id, await loginCookie());
    assert.equal((await exchangePublic(ids.pub.id, code)).status, 200);
    const again = await exchangePublic(ids.pub.id, code);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
  });

  test('a code is good only for its client, its pool and its redirect URI (and dies trying)', async () => {
    const cookie = await loginCookie();
    // Another client of the same pool.
    let code = await codeFor(ids.pub.id, cookie);
    assert.equal((await exchangePublic(ids.other.id, code)).body.error, 'invalid_grant');
    assert.equal((await exchangePublic(ids.pub.id, code)).body.error, 'invalid_grant', 'spent by the wrong try');
    // A client of another pool with the same callback URL.
    code = await codeFor(ids.pub.id, cookie);
    assert.equal((await exchangePublic(ids.poolB.id, code)).body.error, 'invalid_grant');
    // Another redirect URI, or none.
    code = await codeFor(ids.pub.id, cookie);
    assert.equal(
      (await exchangePublic(ids.pub.id, code, { redirect_uri: `${CALLBACK}/` })).body.error,
      'invalid_grant',
    );
    code = await codeFor(ids.pub.id, cookie);
    assert.equal(
      (await form('/oauth2/token', { grant_type: 'authorization_code', client_id: ids.pub.id, code })).body.error,
      'invalid_request',
    );
    // A confidential client's code without its secret, or with another client's secret.
    code = await codeFor(ids.conf.id, cookie);
    assert.equal((await exchangePublic(ids.conf.id, code)).body.error, 'invalid_client');
    const wrongSecret = await form(
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
      basic({ id: ids.conf.id, secret: ids.m2m.secret! }),
    );
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, 'invalid_client');
  });

  test('PKCE cannot be downgraded: no verifier, a wrong one, plain, or a verifier on a code without challenge', async () => {
    const cookie = await loginCookie();
    const { verifier, challenge } = pkcePair();
    const withChallenge = { code_challenge: challenge, code_challenge_method: 'S256' };
    let code = await codeFor(ids.pub.id, cookie, withChallenge);
    assert.equal((await exchangePublic(ids.pub.id, code)).body.error, 'invalid_grant', 'no verifier');
    code = await codeFor(ids.pub.id, cookie, withChallenge);
    assert.equal((await exchangePublic(ids.pub.id, code, { code_verifier: challenge })).body.error, 'invalid_grant');
    code = await codeFor(ids.pub.id, cookie, withChallenge);
    assert.equal(
      (await exchangePublic(ids.pub.id, code, { code_verifier: pkcePair().verifier })).body.error,
      'invalid_grant',
    );
    // The challenge as the verifier with method plain: refused at authorize (back to the app).
    const plain = await get(
      authorizeUrl({
        response_type: 'code',
        client_id: ids.pub.id,
        redirect_uri: CALLBACK,
        code_challenge: verifier,
        code_challenge_method: 'plain',
      }),
      cookie,
    );
    assert.equal(new URL(plain.location).searchParams.get('error'), 'invalid_request');
    assert.equal(new URL(plain.location).searchParams.get('code'), null);
    // A challenge without a method is not silently taken as plain.
    const noMethod = await get(
      authorizeUrl({ response_type: 'code', client_id: ids.pub.id, redirect_uri: CALLBACK, code_challenge: verifier }),
      cookie,
    );
    assert.equal(new URL(noMethod.location).searchParams.get('code'), null);
    // The right verifier still works.
    code = await codeFor(ids.pub.id, cookie, withChallenge);
    assert.equal((await exchangePublic(ids.pub.id, code, { code_verifier: verifier })).status, 200);
  });

  test('the token request cannot widen the code’s scopes', async () => {
    const code = await codeFor(ids.pub.id, await loginCookie(), { scope: 'openid' });
    const answer = await exchangePublic(ids.pub.id, code, {
      scope: `openid aws.cognito.signin.user.admin ${API}/read`,
    });
    // Either refused or ignored; never granted.
    if (answer.status === 200) {
      assert.equal(decodeJwt(answer.body.access_token).scope, 'openid');
      assert.equal(
        (await t.call('GET', '/v1/me', undefined, answer.body.access_token)).status,
        401,
        'an openid token is no API token',
      );
    } else assert.equal(answer.status, 400);
  });

  test('authorize cannot ask for scopes beyond the client’s, in any spelling', async () => {
    const cookie = await loginCookie();
    for (const scope of [
      `${API}/write`,
      'OPENID',
      'openid aws.cognito.signin.user.admin',
      'phone openid',
      `${API}/*`,
      API,
    ]) {
      const answer = await get(
        authorizeUrl({ response_type: 'code', client_id: ids.other.id, redirect_uri: CALLBACK, scope, state: 'q' }),
        cookie,
      );
      const params = new URL(answer.location).searchParams;
      assert.equal(params.get('error'), 'invalid_scope', scope);
      assert.equal(params.get('code'), null, scope);
    }
  });
});

// ---- Refresh tokens, client credentials ----------------------------------------------------------

describe('refresh tokens and client credentials', () => {
  test('a refresh token of one client is invalid_grant for another; a refresh never widens scopes', async () => {
    const code = await codeFor(ids.pub.id, await loginCookie(), { scope: 'openid email' });
    const tokens = (await exchangePublic(ids.pub.id, code)).body;
    assert.ok(tokens.refresh_token);
    for (const client of [ids.other.id, ids.poolB.id]) {
      const stolen = await form('/oauth2/token', {
        grant_type: 'refresh_token',
        client_id: client,
        refresh_token: tokens.refresh_token,
      });
      assert.equal(stolen.body.error, 'invalid_grant', client);
    }
    const m2mUse = await form(
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basic(ids.m2m),
    );
    assert.equal(m2mUse.status, 400);
    const wider = await form('/oauth2/token', {
      grant_type: 'refresh_token',
      client_id: ids.pub.id,
      refresh_token: tokens.refresh_token,
      scope: `openid email aws.cognito.signin.user.admin ${API}/read`,
    });
    if (wider.status === 200) assert.equal(decodeJwt(wider.body.access_token).scope, 'openid email');
    // The API's refresh of the same token keeps the scopes too.
    const viaApi = await wire('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: ids.pub.id,
      AuthParameters: { REFRESH_TOKEN: tokens.refresh_token },
    });
    assert.equal(viaApi.status, 200, JSON.stringify(viaApi.body));
    assert.equal(decodeJwt(viaApi.body.AuthenticationResult.AccessToken).scope, 'openid email');
  });

  test('client_credentials: refused to a public client, to a client whose secret was deleted, and for user scopes', async () => {
    const publicTry = await form('/oauth2/token', { grant_type: 'client_credentials', client_id: ids.pub.id });
    assert.equal(publicTry.status, 400);
    assert.equal(publicTry.body.access_token, undefined);
    const noSecret = await form('/oauth2/token', { grant_type: 'client_credentials', client_id: ids.m2m.id });
    assert.equal(noSecret.body.error, 'invalid_client');
    for (const scope of ['openid', 'aws.cognito.signin.user.admin', `${API}/write`, 'email']) {
      const answer = await form('/oauth2/token', { grant_type: 'client_credentials', scope }, basic(ids.m2m));
      assert.equal(answer.body.error, 'invalid_scope', scope);
    }
    // Its secret deleted, the machine client is public: it may not mint tokens with its id alone.
    const m2m = await makeClient(
      poolA,
      'm2m-orphan',
      settings({
        flows: ['client_credentials'],
        scopes: [`${API}/read`],
        callbackUrls: [],
        logoutUrls: [],
        defaultRedirectUri: null,
      }),
      true,
    );
    const secrets = await t.services.pools.clientSecrets.list(poolA, m2m.id);
    for (const s of secrets) await t.services.pools.clientSecrets.delete(poolA, m2m.id, s.id).catch(() => undefined);
    const orphan = await form('/oauth2/token', { grant_type: 'client_credentials', client_id: m2m.id });
    assert.equal(orphan.body.access_token, undefined, JSON.stringify(orphan.body));
  });

  test('a machine token is refused by the user API (REST and wire), userInfo and revoke', async () => {
    const answer = await form('/oauth2/token', { grant_type: 'client_credentials' }, basic(ids.m2m));
    assert.equal(answer.status, 200, answer.text);
    const token = answer.body.access_token as string;
    assert.equal((await t.call('GET', '/v1/me', undefined, token)).status, 401);
    assert.equal((await t.call('DELETE', '/v1/me', undefined, token)).status, 401);
    assert.equal((await get('/oauth2/userInfo', undefined, { authorization: `Bearer ${token}` })).status, 401);
    for (const target of ['GetUser', 'GlobalSignOut', 'DeleteUser', 'AssociateSoftwareToken', 'ListDevices']) {
      const res = await wire(target, { AccessToken: token });
      assert.equal(res.body.__type, 'NotAuthorizedException', `${target}: ${JSON.stringify(res.body)}`);
    }
    const revoke = await form('/oauth2/revoke', { token }, basic(ids.m2m));
    assert.ok(revoke.status === 200 || revoke.status === 400);
  });

  test('an access token without aws.cognito.signin.user.admin does nothing on the wire or REST', async () => {
    const code = await codeFor(ids.pub.id, await loginCookie(), { scope: 'openid email profile' });
    const token = (await exchangePublic(ids.pub.id, code)).body.access_token as string;
    for (const target of [
      'GetUser',
      'UpdateUserAttributes',
      'DeleteUser',
      'ChangePassword',
      'GlobalSignOut',
      'AssociateSoftwareToken',
      'SetUserMFAPreference',
      'ListDevices',
      'GetUserAuthFactors',
      'GetUserAttributeVerificationCode',
    ]) {
      const extra: Record<string, unknown> = {
        UpdateUserAttributes: { UserAttributes: [{ Name: 'name', Value: 'x' }] },
        ChangePassword: { PreviousPassword: PASSWORD, ProposedPassword: 'New-Passw0rd!' },
        GetUserAttributeVerificationCode: { AttributeName: 'email' },
        SetUserMFAPreference: { SoftwareTokenMfaSettings: { Enabled: true } },
      };
      const res = await wire(target, { AccessToken: token, ...(extra[target] as object) });
      assert.equal(res.body.__type, 'NotAuthorizedException', `${target}: ${JSON.stringify(res.body)}`);
    }
    for (const [method, url] of [
      ['GET', '/v1/me'],
      ['DELETE', '/v1/me'],
      ['GET', '/v1/me/devices'],
      ['GET', '/v1/me/mfa'],
    ] as const)
      assert.equal((await t.call(method, url, undefined, token)).status, 401, url);
    // The user still exists and signs in.
    assert.equal((await t.admin('GET', `/v1/pools/${poolA}/users/alice`)).status, 200);
  });
});

// ---- The login session ---------------------------------------------------------------------------

describe('the login session', () => {
  const signedIn = async (cookie: string) =>
    (
      await get(authorizeUrl({ response_type: 'code', client_id: ids.pub.id, redirect_uri: CALLBACK }), cookie)
    ).location.startsWith(`${CALLBACK}?code=`);

  async function apiTokens(username: string) {
    const res = await wire('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: ids.pub.id,
      AuthParameters: { USERNAME: username, PASSWORD },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.AuthenticationResult as { AccessToken: string };
  }

  test('ends with GlobalSignOut, AdminUserGlobalSignOut, disabling, a password set, changed or reset, and deletion', async () => {
    const bobId = await makeUser(poolA, 'bob');
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['GlobalSignOut', async () => wire('GlobalSignOut', { AccessToken: (await apiTokens('bob')).AccessToken })],
      ['AdminUserGlobalSignOut', async () => t.admin('POST', `/v1/pools/${poolA}/users/bob/sign-out`)],
      [
        'AdminDisableUser then AdminEnableUser',
        async () => {
          await t.admin('POST', `/v1/pools/${poolA}/users/bob/disable`);
          await t.admin('POST', `/v1/pools/${poolA}/users/bob/enable`);
        },
      ],
      [
        'AdminSetUserPassword',
        async () => t.admin('POST', `/v1/pools/${poolA}/users/bob/password`, { password: PASSWORD, permanent: true }),
      ],
      [
        'ChangePassword',
        async () => {
          const token = (await apiTokens('bob')).AccessToken;
          const res = await wire('ChangePassword', {
            AccessToken: token,
            PreviousPassword: PASSWORD,
            ProposedPassword: 'Other-Passw0rd!',
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          await t.admin('POST', `/v1/pools/${poolA}/users/bob/password`, { password: PASSWORD, permanent: true });
        },
      ],
      [
        'ConfirmForgotPassword',
        async () => {
          const sent = await wire('ForgotPassword', { ClientId: ids.pub.id, Username: 'bob' });
          assert.equal(sent.status, 200, JSON.stringify(sent.body));
          const code = await t.smtp.codeFor('bob@example.com');
          const res = await wire('ConfirmForgotPassword', {
            ClientId: ids.pub.id,
            Username: 'bob',
            ConfirmationCode: code,
            Password: PASSWORD,
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
        },
      ],
    ];
    for (const [name, act] of cases) {
      const cookie = await loginCookie(bobId);
      assert.ok(await signedIn(cookie), `${name}: signed in before`);
      // A code made before also dies.
      const code = await codeFor(ids.pub.id, cookie);
      await act();
      assert.equal(await signedIn(cookie), false, `${name}: the cookie still signs in`);
      assert.equal(
        (await exchangePublic(ids.pub.id, code)).body.error,
        'invalid_grant',
        `${name}: the code still works`,
      );
    }
    const cookie = await loginCookie(bobId);
    assert.equal((await t.admin('DELETE', `/v1/pools/${poolA}/users/bob`)).status, 204);
    // A new user of the same name is another user: the old cookie is nobody's.
    await makeUser(poolA, 'bob');
    assert.equal(await signedIn(cookie), false, 'deleted');
  });

  test('is bound to its pool: a cookie of pool A signs no one in through pool B’s client', async () => {
    const cookie = await loginCookie();
    const answer = await get(
      authorizeUrl({ response_type: 'code', client_id: ids.poolB.id, redirect_uri: CALLBACK }),
      cookie,
    );
    assert.ok(answer.location.startsWith('/login?'), answer.location);
    // A session row naming pool B with pool A's user is nobody there either.
    const forged = await t.services.loginSessions.start(poolB, aliceId);
    const viaB = await get(
      authorizeUrl({ response_type: 'code', client_id: ids.poolB.id, redirect_uri: CALLBACK }),
      forged,
    );
    assert.ok(viaB.location.startsWith('/login?'), viaB.location);
  });

  test('fixation: a cookie the browser had before sign-in is never the session it gets', async () => {
    await makeUser(poolA, 'carol');
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const planted = 'attacker-chosen-value-0123456789abcdefghijklmnop';
    browser.jar.set(LOGIN_SESSION_COOKIE, planted);
    const q = new URLSearchParams({ client_id: ids.pub.id, response_type: 'code', redirect_uri: CALLBACK }).toString();
    const done = await browser.submit(await browser.get(`/login?${q}`), 'sign-in', {
      username: 'carol',
      password: PASSWORD,
    });
    assert.equal(done.status, 302, errorsOf(done.body).join('|'));
    const set = browser.setCookies().find((c) => c.startsWith(`${LOGIN_SESSION_COOKIE}=`))!;
    assert.ok(set, 'a cookie is set');
    assert.match(set, /HttpOnly/i);
    assert.match(set, /SameSite=Lax/i);
    assert.match(set, /Path=\//i);
    const value = browser.jar.get(LOGIN_SESSION_COOKIE)!;
    assert.notEqual(value, planted);
    assert.equal(await signedIn(planted), false);
    // An attacker's own session planted in the victim's browser is replaced when the victim signs in.
    const first = value;
    const again = await browser.submit(await browser.get(`/login?${q}`), 'sign-in', {
      username: 'carol',
      password: PASSWORD,
    });
    assert.equal(again.status, 302);
    assert.notEqual(browser.jar.get(LOGIN_SESSION_COOKIE), first);
  });

  test('the pages’ tokens are not left behind: signing in on the pages leaves no live API session', async () => {
    const daveId = await makeUser(poolA, 'dave');
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const q = new URLSearchParams({ client_id: ids.pub.id, response_type: 'code', redirect_uri: CALLBACK }).toString();
    const done = await browser.submit(await browser.get(`/login?${q}`), 'sign-in', {
      username: 'dave',
      password: PASSWORD,
    });
    assert.equal(done.status, 302);
    const { rows } = (await t.database.db.execute(
      sql`select count(*)::int as n from refresh_tokens where user_id = ${daveId} and revoked_at is null`,
    )) as unknown as { rows: Array<{ n: number }> };
    assert.equal(rows[0]!.n, 0);
  });
});

// ---- Host header tricks, method confusion, caching --------------------------------------------------

describe('hosts, methods and caches', () => {
  test('a client of pool A is not reached through pool B’s domain, in any spelling of the host', async () => {
    const domain = `b-${Date.now()}.auth.example.com`;
    await t.services.poolDomains.create(poolB, {
      domain,
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    });
    const url = authorizeUrl({ response_type: 'code', client_id: ids.pub.id, redirect_uri: CALLBACK });
    const cookie = await loginCookie();
    for (const host of [domain, domain.toUpperCase(), `${domain}:443`, `${domain}.`]) {
      const answer = await get(url, cookie, { host });
      assertErrorPage(answer, host);
      const page = await get(`/login?${url.split('?')[1]}`, undefined, { host });
      assert.equal(page.status, 400, `${host}: the login page`);
    }
    // X-Forwarded-Host is not believed without TRUST_PROXY, either way.
    assertErrorPage(await get(url, cookie, { host: domain, 'x-forwarded-host': 'cognate.test' }), 'x-forwarded-host');
    const token = await form(
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      { ...basic(ids.m2m), host: domain, 'x-forwarded-host': 'cognate.test' },
    );
    assert.equal(token.body.error, 'invalid_client');
  });

  test('the token endpoint takes no GET and no credentials or codes from the query string', async () => {
    const q = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: ids.m2m.id,
      client_secret: ids.m2m.secret!,
    }).toString();
    const viaGet = await get(`/oauth2/token?${q}`);
    assert.ok(viaGet.status === 404 || viaGet.status === 405, String(viaGet.status));
    assert.equal(viaGet.body?.access_token, undefined);
    const viaQuery = await t.app.inject({
      method: 'POST',
      url: `/oauth2/token?${q}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    assert.equal(viaQuery.statusCode, 400, viaQuery.body);
    assert.equal(parse(viaQuery.body).access_token, undefined);
    const json = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: ids.m2m.id,
        client_secret: ids.m2m.secret,
      }),
    });
    assert.equal(json.statusCode, 400);
    assert.equal(parse(json.body).access_token, undefined);
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      const res = await t.app.inject({ method, url: '/oauth2/token' });
      assert.ok(res.statusCode === 404 || res.statusCode === 405, `${method}: ${res.statusCode}`);
    }
    const postAuthorize = await t.app.inject({
      method: 'POST',
      url: `/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: ids.pub.id, redirect_uri: CALLBACK })}`,
      headers: { cookie: `${LOGIN_SESSION_COOKIE}=${await loginCookie()}` },
    });
    assert.ok(!String(postAuthorize.headers.location ?? '').includes('code='));
  });

  test('an app-scheme callback does not open CORS to the opaque origin null (sandboxed frames, data: pages)', async () => {
    await makeClient(poolA, 'app-scheme', settings({ callbackUrls: ['myapp://cb'], defaultRedirectUri: null }));
    for (const url of ['/oauth2/token', '/']) {
      const preflight = await t.app.inject({
        method: 'OPTIONS',
        url,
        headers: { origin: 'null', 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.headers['access-control-allow-origin'], undefined, url);
    }
  });

  test('tokens, codes and pages are never cached', async () => {
    const cookie = await loginCookie();
    const authorize = await get(
      authorizeUrl({ response_type: 'code', client_id: ids.pub.id, redirect_uri: CALLBACK }),
      cookie,
    );
    assert.equal(authorize.headers['cache-control'], 'no-store');
    const implicit = await get(
      authorizeUrl({ response_type: 'token', client_id: ids.pub.id, redirect_uri: CALLBACK }),
      cookie,
    );
    assert.equal(implicit.headers['cache-control'], 'no-store');
    const code = new URL(authorize.location).searchParams.get('code')!;
    const tokens = await exchangePublic(ids.pub.id, code);
    assert.equal(tokens.headers['cache-control'], 'no-store');
    assert.equal(tokens.headers.pragma, 'no-cache');
    const failed = await exchangePublic(ids.pub.id, code);
    assert.equal(failed.headers['cache-control'], 'no-store');
    const q = new URLSearchParams({ client_id: ids.pub.id, response_type: 'code', redirect_uri: CALLBACK }).toString();
    for (const path of ['/login', '/signup', '/forgotPassword', '/error'])
      assert.equal((await get(`${path}?${q}`)).headers['cache-control'], 'no-store', path);
    const userInfo = await get('/oauth2/userInfo', undefined, { authorization: `Bearer ${tokens.body.access_token}` });
    assert.equal(userInfo.status, 200);
    assert.equal(userInfo.headers['cache-control'], 'no-store');
  });
});

// ---- The pages: CSRF, framing, markup ----------------------------------------------------------

describe('the managed login pages', () => {
  const q = () =>
    new URLSearchParams({
      client_id: ids.pub.id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
    }).toString();

  test('every POST without a CSRF token, with a forged one or another browser’s, is 403 and does nothing', async () => {
    await makeUser(poolA, 'erin');
    const victim = pageClient(t.app, { remoteAddress: nextAddress() });
    const attacker = pageClient(t.app, { remoteAddress: nextAddress() });
    const theirs = formsOf((await attacker.get(`/login?${q()}`)).body)[0]!.values._csrf!;
    await victim.get(`/login?${q()}`);
    for (const path of [
      '/login',
      '/login/new-password',
      '/login/mfa',
      '/login/select-mfa',
      '/login/mfa-setup',
      '/signup',
      '/confirm',
      '/resendcode',
      '/forgotPassword',
      '/confirmForgotPassword',
    ]) {
      const values = { username: 'erin', password: PASSWORD, code: '123456', email: 'erin2@example.com' };
      // A cross-site form post: no cookie at all (SameSite=Lax keeps it home).
      const blind = await form(`${path}?${q()}`, values);
      assert.equal(blind.status, 403, `${path} without cookie: ${blind.status}`);
      for (const token of ['', 'forged', theirs]) {
        const answer = await victim.post(`${path}?${q()}`, { ...values, _csrf: token });
        assert.equal(answer.status, 403, `${path} with ${token || 'no token'}: ${answer.status}`);
        assert.equal(answer.location, undefined);
        assert.ok(!victim.setCookies().some((c) => c.startsWith(`${LOGIN_SESSION_COOKIE}=`)), path);
      }
    }
    // Nothing happened: no sign-up, no reset code sent.
    assert.equal((await t.admin('GET', `/v1/pools/${poolA}/users/erin2@example.com`)).status, 404);
  });

  test('every page, its errors included, forbids framing and is not cached', async () => {
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const pages: PageResponse[] = [
      await browser.get(`/login?${q()}`),
      await browser.get('/error'),
      await browser.get(`/login?client_id=nope&response_type=code`),
      await browser.post(`/login?${q()}`, { username: 'x', password: 'y' }),
    ];
    for (const page of pages) {
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/, String(page.status));
      assert.equal(page.headers['x-frame-options'], 'DENY', String(page.status));
      assert.equal(page.headers['cache-control'], 'no-store');
    }
  });

  test('no query parameter, username or error text reaches a page as markup', async () => {
    const payloads = [
      '"><script>alert(1)</script>',
      "'><img src=x onerror=alert(1)>",
      '</style><script>alert(1)</script>',
      'javascript:alert(1)',
    ];
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    // Markup that would run: a tag of the payloads, or a link or form target that is a script.
    const raw = (body: string) =>
      /<script|<img\b|<\/style>[\s\S]*<\/style>/i.test(body) || /\s(href|src|action)="\s*javascript:/i.test(body);
    for (const payload of payloads) {
      for (const name of [
        'state',
        'lang',
        'nonce',
        'username',
        'user_name',
        'error',
        'error_description',
        'idp_identifier',
      ]) {
        for (const path of [
          '/login',
          '/signup',
          '/confirmUser',
          '/confirmForgotPassword',
          '/forgotPassword',
          '/error',
        ]) {
          const page = await browser.get(`${path}?${q()}&${name}=${encodeURIComponent(payload)}`);
          assert.ok(!raw(page.body), `${path} ${name}: ${page.body.slice(0, 400)}`);
        }
      }
      // Scope and client_id come back in error texts.
      for (const extra of [
        `&scope=${encodeURIComponent(payload)}`,
        `&identity_provider=${encodeURIComponent(payload)}`,
      ]) {
        const page = await browser.get(`/login?${q().replace(/&scope=openid/, '')}${extra}`);
        assert.ok(!raw(page.body), page.body.slice(0, 400));
      }
      const bad = await browser.get(`/login?client_id=${encodeURIComponent(payload)}&response_type=code`);
      assert.ok(!raw(bad.body), bad.body.slice(0, 400));
      // The username echoed after a failed sign-in.
      const login = await browser.get(`/login?${q()}`);
      const failed = await browser.submit(login, 'sign-in', { username: payload, password: 'Wr0ng-passw0rd!' });
      assert.ok(!raw(failed.body), failed.body.slice(0, 400));
      const signUp = await browser.submit(await browser.get(`/signup?${q()}`), 'sign-up', {
        username: payload,
        password: 'x',
        email: payload,
      });
      assert.ok(!raw(signUp.body), signUp.body.slice(0, 400));
    }
  });

  test('a password or code sent is never written back into a page', async () => {
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const password = 'Never-Echo-Passw0rd!';
    const code = '918273';
    const pages = [
      await browser.submit(await browser.get(`/login?${q()}`), 'sign-in', { username: 'alice', password }),
      await browser.submit(await browser.get(`/signup?${q()}`), 'sign-up', {
        username: 'x',
        password,
        email: 'not-an-email',
      }),
      await browser.submit(await browser.get(`/confirmForgotPassword?${q()}`), 'reset-password', {
        username: 'alice',
        code,
        password,
      }),
      await browser.submit(await browser.get(`/confirmUser?${q()}`), 'confirm', { username: 'alice', code }),
    ];
    for (const page of pages) {
      assert.ok(![403, 500].includes(page.status), `${page.status}: ${errorsOf(page.body).join('|')}`);
      assert.ok(!page.body.includes(password), 'the password is on the page');
      assert.ok(!page.body.includes(code), 'the code is on the page');
    }
  });

  test('no sign-in through a client the pages do not serve (machine client, OAuth off, another pool)', async () => {
    const off = await t.services.pools.createClient(poolA, { name: 'no-oauth' });
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const token = formsOf((await browser.get(`/login?${q()}`)).body)[0]!.values._csrf!;
    for (const clientId of [ids.m2m.id, off.id, ids.poolB.id]) {
      const query = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK });
      const answer = await browser.post(`/login?${query}`, { _csrf: token, username: 'alice', password: PASSWORD });
      assert.notEqual(answer.status, 302, clientId);
      assert.ok(!browser.jar.has(LOGIN_SESSION_COOKIE), clientId);
    }
  });

  test('a client name with markup is shown as text', async () => {
    const client = await t.services.pools
      .createClient(poolA, { name: 'x<script>alert(1)</script>', oauth: settings() })
      .catch(() => undefined);
    if (!client) return; // names with markup are refused outright: nothing to show
    const page = await get(
      `/login?${new URLSearchParams({ client_id: client.id, response_type: 'code', redirect_uri: CALLBACK })}`,
    );
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('<script>alert(1)'));
  });

  test('branding CSS cannot end its <style> or load anything: SetUICustomization refuses it', async () => {
    await t.services.poolDomains.create(poolA, { domain: `attacks-a-${Date.now()}` });
    // The control: plain CSS is taken (so the refusals below are about the CSS, not the pool).
    await t.services.branding.set(poolA, ids.pub.id, { css: '.label-customizable{font-weight:400}' });
    for (const css of [
      '.label-customizable{font-weight:400}</style><script>alert(1)</script>',
      '.label-customizable{font-weight:400}</st</styleyle><script>alert(1)</script>',
      '.background-customizable{background-color:url(javascript:alert(1))}',
      '.errorMessage-customizable{background:url(https://evil.test/x.png)}',
      '.errorMessage-customizable{background:u\\72l(https://evil.test/x.png)}',
      '@import "https://evil.test/x.css";',
      '.background-customizable{background-color:red;}body{background:red}',
      '.background-customizable{background-color:expression(alert(1))}',
      '.errorMessage-customizable{background:image-set(a 1x)}',
      '.errorMessage-customizable{background:-webkit-image-set(a 1x)}',
    ]) {
      await assert.rejects(
        t.services.branding.set(poolA, ids.pub.id, { css }),
        (e: Error) => /^CSS /.test(e.message),
        css,
      );
    }
    const page = await get(`/login?${q()}`);
    assert.ok(page.text.includes('.label-customizable{font-weight:400}'), 'the pool CSS is on the page');
    assert.ok(!/<script/i.test(page.text));
  });

  test('CSS that got past the allow-list (a row written by hand) still cannot end the <style>', async () => {
    const client = await makeClient(poolA, 'css-row', settings());
    for (const css of [
      '.label-customizable{font-weight:400}</style><script>alert(1)</script>',
      '.label-customizable{font-weight:400}</st</styleyle><script>alert(1)</script>',
      '.label-customizable{font-weight:400}<</style/style><img src=x onerror=alert(1)>',
    ]) {
      await t.database.db.execute(
        sql`insert into ui_customizations (pool_id, client_id, css) values (${poolA}, ${client.id}, ${css})
            on conflict (pool_id, client_id) do update set css = excluded.css, updated_at = now()`,
      );
      const page = await get(
        `/login?${new URLSearchParams({ client_id: client.id, response_type: 'code', redirect_uri: CALLBACK })}`,
      );
      assert.equal(page.status, 200);
      // One style element, and nothing of the CSS after it as markup.
      assert.equal((page.text.match(/<\/style/gi) ?? []).length, 1, css);
      const after = page.text.slice(page.text.search(/<\/style/i));
      assert.ok(!/<script|<img/i.test(after), css);
    }
  });

  test('a logo cannot run script: scripted SVG is refused, and the logo is served sandboxed', async () => {
    for (const svg of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://evil.test"/></foreignObject></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/2000/svg"><x:script>alert(1)</x:script></svg>',
      '<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]><svg>&e;</svg>',
      '<html><script>alert(1)</script></html>',
    ]) {
      await assert.rejects(
        t.services.branding.set(poolA, ids.other.id, { image: new TextEncoder().encode(svg) }),
        (e: Error) => /ImageFile/.test(e.message),
        svg,
      );
    }
    await t.services.branding.set(poolA, ids.other.id, {
      image: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'),
    });
    const logo = await get(`/${poolA}/ui-customization/${ids.other.id}/logo`);
    assert.equal(logo.status, 200);
    assert.match(String(logo.headers['content-type']), /^image\/svg\+xml/);
    assert.match(String(logo.headers['content-security-policy']), /sandbox/);
    assert.match(String(logo.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(logo.headers['x-content-type-options'], 'nosniff');
  });

  test('the pages tell no more about users than the API: confirm, resend and reset look alike for unknown names', async () => {
    await makeUser(poolA, 'frank');
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const comparable = (page: PageResponse) =>
      page.body
        .replace(/name="_csrf" value="[^"]*"/g, '')
        .replace(/nonce="[^"]*"/g, '')
        .replace(/frank|nobody-[a-z0-9]+/g, 'NAME');
    const unknown = `nobody-${Date.now().toString(36)}`;
    for (const [path, id, extra] of [
      ['/confirmUser', 'confirm', { code: '123456' }],
      ['/confirmForgotPassword', 'reset-password', { code: '123456', password: 'New-Passw0rd!' }],
      ['/forgotPassword', 'forgot-password', {}],
    ] as const) {
      const known = await browser.submit(await browser.get(`${path}?${q()}`), id, { username: 'frank', ...extra });
      const stranger = await browser.submit(await browser.get(`${path}?${q()}`), id, { username: unknown, ...extra });
      assert.ok(![403, 429, 500].includes(known.status), `${path}: ${known.status} ${errorsOf(known.body).join('|')}`);
      assert.equal(known.status, stranger.status, path);
      assert.deepEqual(errorsOf(known.body), errorsOf(stranger.body), path);
      assert.equal(comparable(known).length > 0, true);
    }
  });
});

// ---- MFA on the pages ------------------------------------------------------------------------------

describe('MFA on the pages', () => {
  test('the second factor cannot be skipped, swapped, moved to another client or pool, or guessed', async () => {
    const mfaPool = (await t.admin('POST', '/v1/pools', { name: 'attacks-19-mfa' })).body.id as string;
    const set = await t.admin('PUT', `/v1/pools/${mfaPool}/mfa-config`, {
      mfaConfiguration: 'ON',
      factors: { softwareToken: true },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const web = await makeClient(mfaPool, 'mfa-web', settings({ scopes: ['openid'] }));
    const sibling = await makeClient(mfaPool, 'mfa-sibling', settings({ scopes: ['openid'] }));
    await makeUser(mfaPool, 'mallory');
    const qOf = (id: string) =>
      new URLSearchParams({ client_id: id, response_type: 'code', redirect_uri: CALLBACK }).toString();
    const q = qOf(web.id);
    const browser = pageClient(t.app, { remoteAddress: nextAddress() });
    const noLogin = () => !browser.jar.has(LOGIN_SESSION_COOKIE);
    // MFA_SETUP: the page with the key; skipping it, or answering it as a sign-in code, signs in no one.
    let page = await browser.submit(await browser.get(`/login?${q}`), 'sign-in', {
      username: 'mallory',
      password: PASSWORD,
    });
    const setup = formsOf(page.body).find((f) => f.id === 'mfa-setup');
    assert.ok(setup, errorsOf(page.body).join('|'));
    for (const [path, values] of [
      ['/login/mfa', { challenge: 'SOFTWARE_TOKEN_MFA', code: '123456' }],
      ['/login/mfa', { challenge: 'EMAIL_OTP', code: '123456' }],
      ['/login/mfa-setup', { code: '' }],
      ['/login/new-password', { password: 'Other-Passw0rd!' }],
      ['/login/select-mfa', { answer: 'SOFTWARE_TOKEN_MFA' }],
    ] as const) {
      const answer = await browser.post(`${path}?${q}`, { ...setup.values, ...values });
      assert.notEqual(answer.status, 302, `${path}: ${answer.location}`);
      assert.ok(noLogin(), path);
    }
    // Set it up for real (a new sign-in: the session may have been spent above).
    page = await browser.submit(await browser.get(`/login?${q}`), 'sign-in', {
      username: 'mallory',
      password: PASSWORD,
    });
    const secret = unescapeHtml(/<code class="secret" id="totp-secret"[^>]*>([^<]+)<\/code>/.exec(page.body)![1]!);
    const totp = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), digits: 6, period: 30 });
    const done = await browser.submit(page, 'mfa-setup', { code: totp.generate() });
    assert.equal(done.status, 302, errorsOf(done.body).join('|'));
    browser.jar.delete(LOGIN_SESSION_COOKIE);

    /** A new sign-in from a browser of its own (lockout and limits count per address): its MFA form. */
    const challenge = async (from = pageClient(t.app, { remoteAddress: nextAddress() })) => {
      const p = await from.submit(await from.get(`/login?${q}`), 'sign-in', {
        username: 'mallory',
        password: PASSWORD,
      });
      const f = formsOf(p.body).find((x) => x.id === 'mfa');
      assert.ok(f, errorsOf(p.body).join('|'));
      return { from, form: f };
    };
    const wrong = (code: string) => (code === '000000' ? '111111' : '000000');
    // The code of the next period: not spent by the set-up above (a TOTP code is taken once).
    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    // Guessing: after the pool's attempts (5), even the right code is refused on that session.
    const guess = await challenge();
    for (let i = 0; i < 5; i++) await guess.from.post(`/login/mfa?${q}`, { ...guess.form.values, code: wrong(next) });
    const late = await guess.from.post(`/login/mfa?${q}`, { ...guess.form.values, code: next });
    assert.notEqual(late.status, 302, 'the right code after five wrong ones');
    assert.ok(!guess.from.jar.has(LOGIN_SESSION_COOKIE));
    // Another challenge type with the right session and code, another client, another pool: no sign-in.
    for (const [url, values] of [
      [`/login/mfa?${q}`, { challenge: 'EMAIL_OTP', code: next }],
      [`/login/mfa?${q}`, { challenge: 'SMS_MFA', code: next }],
      [`/login/mfa?${qOf(sibling.id)}`, { code: next }],
      [`/login/mfa?${qOf(ids.poolB.id)}`, { code: next }],
    ] as const) {
      const { from, form: mfa } = await challenge();
      const answer = await from.post(url, { ...mfa.values, ...values });
      assert.notEqual(answer.status, 302, `signed in through ${url} ${JSON.stringify(values)}`);
      assert.ok(!from.jar.has(LOGIN_SESSION_COOKIE), url);
    }
    // The control: the same code, unspent by every refusal above, signs in on a fresh session of the right client.
    const control = await challenge();
    const ok = await control.from.post(`/login/mfa?${q}`, { ...control.form.values, code: next });
    assert.equal(ok.status, 302, errorsOf(ok.body).join('|'));
    assert.equal(ok.location, `/oauth2/authorize?${q}`);
  });
});

// ---- Rate limits on the pages ----------------------------------------------------------------------

describe('rate limits on the pages', () => {
  test('page POSTs count against the same limits as the API, and X-Forwarded-For is not believed', async () => {
    const limited = await startTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '3', RATE_LIMIT_SIGN_IN_PER_TARGET: '3' });
    try {
      const pool = (await limited.admin('POST', '/v1/pools', { name: 'limits-19' })).body.id as string;
      const client = await limited.services.pools.createClient(pool, {
        name: 'web',
        oauth: settings({ scopes: ['openid'] }),
      });
      const query = new URLSearchParams({
        client_id: client.id,
        response_type: 'code',
        redirect_uri: CALLBACK,
      }).toString();
      const browser = pageClient(limited.app, { remoteAddress: '10.99.0.1' });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const page = await browser.get(`/login?${query}`);
        const res = await limited.app.inject({
          method: 'POST',
          url: `/login?${query}`,
          remoteAddress: '10.99.0.1',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': `10.0.0.${i}`,
            cookie: [...browser.jar].map(([k, v]) => `${k}=${v}`).join('; '),
          },
          payload: new URLSearchParams({
            ...formsOf(page.body)[0]!.values,
            username: `u${i}`,
            password: 'Wr0ng-passw0rd!',
          }).toString(),
        });
        statuses.push(res.statusCode);
      }
      assert.ok(statuses.includes(429), statuses.join(','));
    } finally {
      await limited.close();
    }
  });
});

describe('rate limits on the OAuth endpoints', () => {
  test('authorize and token are limited per address as the API’s refresh is: no unmetered minting of sessions', async () => {
    const limited = await startTestApp({ RATE_LIMIT_REFRESH_PER_IP: '5' });
    try {
      const pool = (await limited.admin('POST', '/v1/pools', { name: 'limits-oauth-19' })).body.id as string;
      const client = await limited.services.pools.createClient(pool, {
        name: 'web',
        oauth: settings({ scopes: ['openid'] }),
      });
      const created = await limited.admin('POST', `/v1/pools/${pool}/users`, {
        username: 'mint',
        temporaryPassword: 'Temp-Passw0rd1',
        messageAction: 'SUPPRESS',
      });
      await limited.admin('POST', `/v1/pools/${pool}/users/mint/password`, { password: PASSWORD, permanent: true });
      const sub = (created.body.attributes?.sub ?? created.body.userSub) as string;
      const cookie = await limited.services.loginSessions.start(pool, sub);
      // Each implicit authorize with a live login session starts a session (a refresh_tokens row).
      const url = `/oauth2/authorize?${new URLSearchParams({ response_type: 'token', client_id: client.id, redirect_uri: CALLBACK })}`;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await limited.app.inject({
          method: 'GET',
          url,
          remoteAddress: '10.98.0.1',
          headers: { cookie: `${LOGIN_SESSION_COOKIE}=${cookie}` },
        });
        statuses.push(
          String(res.headers.location ?? '').includes('access_token=')
            ? 200
            : res.statusCode === 302
              ? 302
              : res.statusCode,
        );
      }
      assert.ok(statuses.filter((s) => s === 200).length <= 5, `sessions minted: ${statuses.join(',')}`);
      const tokenStatuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/oauth2/token',
          remoteAddress: '10.98.0.2',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: client.id,
            refresh_token: `guess-${i}`,
          }).toString(),
        });
        tokenStatuses.push(res.statusCode);
        if (res.statusCode === 429) assert.ok(res.headers['retry-after'], 'retry-after');
      }
      assert.ok(tokenStatuses.includes(429), tokenStatuses.join(','));
    } finally {
      await limited.close();
    }
  });
});

// ---- Cookies over https -----------------------------------------------------------------------------

describe('cookies over https', () => {
  test('served over TLS, the CSRF and login session cookies are Secure, HttpOnly and SameSite=Lax', async () => {
    const cert = makeTestCertificate();
    const tls = await startTestApp({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile });
    try {
      const base = await tls.app.listen({ port: 0, host: '127.0.0.1' });
      const pool = (await tls.admin('POST', '/v1/pools', { name: 'tls-19' })).body.id as string;
      const client = await tls.services.pools.createClient(pool, {
        name: 'web',
        oauth: settings({ scopes: ['openid'] }),
      });
      await tls.admin('POST', `/v1/pools/${pool}/users`, {
        username: 'tess',
        temporaryPassword: 'Temp-Passw0rd1',
        messageAction: 'SUPPRESS',
      });
      await tls.admin('POST', `/v1/pools/${pool}/users/tess/password`, { password: PASSWORD, permanent: true });
      const query = new URLSearchParams({
        client_id: client.id,
        response_type: 'code',
        redirect_uri: CALLBACK,
      }).toString();
      const page = await httpsRequest(`${base}/login?${query}`, cert.cert);
      assert.equal(page.status, 200);
      const csrf = page.cookies.find((c) => c.startsWith('cognate-csrf='))!;
      assert.ok(csrf, page.cookies.join(' | '));
      for (const flag of [/;\s*Secure/i, /HttpOnly/i, /SameSite=Lax/i]) assert.match(csrf, flag);
      const values = { ...formsOf(page.body)[0]!.values, username: 'tess', password: PASSWORD };
      const done = await httpsRequest(`${base}/login?${query}`, cert.cert, {
        cookie: csrf.split(';')[0]!,
        form: values,
      });
      assert.equal(done.status, 302, done.body.slice(0, 300));
      const login = done.cookies.find((c) => c.startsWith(`${LOGIN_SESSION_COOKIE}=`))!;
      assert.ok(login);
      for (const flag of [/;\s*Secure/i, /HttpOnly/i, /SameSite=Lax/i]) assert.match(login, flag);
    } finally {
      await tls.close();
      cert.remove();
    }
  });
});

function httpsRequest(
  url: string,
  ca: string,
  options: { cookie?: string; form?: Record<string, string> } = {},
): Promise<{ status: number; body: string; cookies: string[] }> {
  const payload = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: payload ? 'POST' : 'GET',
        ca,
        headers: {
          ...(options.cookie && { cookie: options.cookie }),
          ...(payload && { 'content-type': 'application/x-www-form-urlencoded' }),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookies: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// ---- Logs --------------------------------------------------------------------------------------------

describe('logs', () => {
  test('no code, token or client secret reaches the log, from a Location or from a misplaced query string', async () => {
    const cookie = await loginCookie();
    const implicit = await get(
      authorizeUrl({ response_type: 'token', client_id: ids.pub.id, redirect_uri: CALLBACK }),
      cookie,
    );
    const accessToken = new URLSearchParams(new URL(implicit.location).hash.slice(1)).get('access_token')!;
    assert.ok(accessToken);
    const code = await codeFor(ids.pub.id, cookie);
    const tokens = (await exchangePublic(ids.pub.id, code)).body;
    // A client that puts its secret and a refresh token in the URL by mistake.
    const leaked = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: ids.conf.id,
      client_secret: ids.conf.secret!,
      refresh_token: tokens.refresh_token,
      code_verifier: 'v'.repeat(43),
    }).toString();
    await t.app.inject({
      method: 'POST',
      url: `/oauth2/token?${leaked}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    await t.app.inject({ method: 'GET', url: `/oauth2/token?${leaked}` });
    const text = JSON.stringify(t.logs);
    for (const [name, secret] of [
      ['implicit access token', accessToken],
      ['code', code],
      ['client secret', ids.conf.secret!],
      ['refresh token', tokens.refresh_token],
    ] as const)
      assert.ok(!text.includes(secret), `${name} is in the log`);
  });
});
