import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { freePort } from '../support/ports.ts';
import { LOGIN_SESSION_COOKIE } from '../../src/modules/tokens/login-sessions.ts';

/**
 * openid-client v6, an OIDC relying party that checks what it is given (issuer, signatures,
 * nonce, state, PKCE, at_hash), against Cognate over real HTTP: discovery, the authorization code
 * grant with PKCE (the authorize step driven with a login session made through the services),
 * refresh, userInfo, revocation and client_credentials (docs/web-sign-in.md).
 */
let t: TestApp;
let base: string;
let poolId: string;
let userId: string;
const CALLBACK = 'https://rp.test/callback';
const API = 'https://api.test';

let publicClientId: string;
let m2m: { id: string; secret: string };

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await startTestApp({ PUBLIC_URL: base });
  await t.app.listen({ port, host: '127.0.0.1' });
  const pool = await t.admin('POST', '/v1/pools', { name: 'rp' });
  poolId = pool.body.id;
  await t.services.resourceServers.create(poolId, {
    identifier: API,
    name: 'api',
    scopes: [{ name: 'read', description: 'read' }],
  });
  const pub = await t.services.pools.createClient(poolId, {
    name: 'rp',
    explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      callbackUrls: [CALLBACK],
      identityProviders: ['COGNITO'],
      requirePkce: true,
    },
  });
  publicClientId = pub.id;
  const machine = await t.services.pools.createClient(
    poolId,
    {
      name: 'machine',
      oauth: { enabled: true, flows: ['client_credentials'], scopes: [`${API}/read`], identityProviders: [] },
    },
    {},
  );
  m2m = { id: machine.id, secret: machine.secret!.value };
  const created = await t.admin('POST', `/v1/pools/${poolId}/users`, {
    username: 'rita',
    temporaryPassword: 'Temp-Passw0rd1',
    messageAction: 'SUPPRESS',
    userAttributes: { email: 'rita@example.com', email_verified: 'true' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await t.admin('POST', `/v1/pools/${poolId}/users/rita/password`, { password: PASSWORD, permanent: true });
  userId = (created.body.attributes?.sub ?? created.body.userSub) as string;
});

after(async () => {
  await t?.close();
});

const discover = (clientId: string, auth?: client.ClientAuth, secret?: string) =>
  client.discovery(new URL(`${base}/${poolId}`), clientId, secret, auth, {
    execute: [client.allowInsecureRequests],
  });

/** The browser's part: /oauth2/authorize with the login session's cookie, up to the callback URL. */
async function browse(url: URL, cookie: string): Promise<URL> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: `${LOGIN_SESSION_COOKIE}=${cookie}` } });
  assert.equal(response.status, 302, await response.text());
  const location = response.headers.get('location')!;
  assert.ok(location.startsWith(CALLBACK), location);
  return new URL(location);
}

test('discovery, code + PKCE, ID token checks, userInfo, refresh and revocation with openid-client', async () => {
  const config = await discover(publicClientId, client.None());
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, `${base}/${poolId}`);
  assert.equal(meta.authorization_endpoint, `${base}/oauth2/authorize`);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);

  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email aws.cognito.signin.user.admin',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  });
  const cookie = await t.services.loginSessions.start(poolId, userId);
  const callback = await browse(url, cookie);

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  const claims = tokens.claims()!;
  assert.equal(claims.sub, userId);
  assert.equal(claims.email, 'rita@example.com');
  assert.equal(tokens.scope, undefined);
  assert.ok(tokens.refresh_token);

  const info = await client.fetchUserInfo(config, tokens.access_token, userId);
  assert.equal(info.email, 'rita@example.com');

  // A wrong verifier: the library sees the server's invalid_grant.
  const again = await browse(
    client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state,
    }),
    cookie,
  );
  await assert.rejects(
    client.authorizationCodeGrant(config, again, { pkceCodeVerifier: verifier, expectedState: state }),
    (error: { error?: string }) => error.error === 'invalid_grant',
  );

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
  assert.equal(refreshed.claims()!.sub, userId);
  assert.ok(refreshed.access_token);

  await client.tokenRevocation(config, tokens.refresh_token!);
  await assert.rejects(
    client.refreshTokenGrant(config, tokens.refresh_token!),
    (error: { error?: string }) => error.error === 'invalid_grant',
  );
  // The API still signs in the same user (sanity: revocation ended one session only).
  const signIn = await t.call('POST', '/v1/auth/sign-in', {
    clientId: publicClientId,
    username: 'rita',
    password: PASSWORD,
  });
  assert.equal(signIn.status, 200);
});

test('client_credentials with client_secret_basic and client_secret_post', async () => {
  for (const auth of [client.ClientSecretBasic(m2m.secret), client.ClientSecretPost(m2m.secret)]) {
    const config = await discover(m2m.id, auth);
    const tokens = await client.clientCredentialsGrant(config, { scope: `${API}/read` });
    assert.equal(tokens.token_type, 'bearer');
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString('utf8'));
    assert.equal(payload.sub, m2m.id);
    assert.equal(payload.scope, `${API}/read`);
  }
  // A wrong secret: 401 invalid_client with a Basic challenge (RFC 6749, 5.2), which the library surfaces as such.
  const wrong = await discover(m2m.id, client.ClientSecretBasic('not-the-secret'));
  const error = await client.clientCredentialsGrant(wrong).then(
    () => assert.fail('a wrong secret was taken'),
    (caught: { status?: number; response?: Response; cause?: Array<{ scheme: string }> }) => caught,
  );
  assert.equal(error.status, 401);
  assert.equal(error.cause?.[0]?.scheme, 'basic');
  assert.equal(((await error.response!.json()) as { error: string }).error, 'invalid_client');
});
