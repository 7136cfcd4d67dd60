import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import {
  APPLE_AUDIENCE,
  MAX_APPLE_USER_CHARS,
  SocialProviderError,
  appleFormUser,
  clientSecretFor,
  importApplePrivateKey,
  socialProfile,
} from '../../src/modules/federation/social-profiles.ts';
import { decodeJwt as decodeTokenClaims, startTestApp, type TestApp } from '../support/app.ts';
import { asRedirect } from '../support/federation-setup.ts';
import { formsOf, pageClient } from '../support/page-client.ts';
import {
  startAmazonStandIn,
  startAppleStandIn,
  startFacebookStandIn,
  startGoogleStandIn,
  type AppleStandIn,
  type SocialStandIn,
} from '../support/social-standins.ts';

/** A token request as a client sends it (client_secret_post), straight to a stand-in. */
async function tokenRequest(standIn: SocialStandIn, path: string, form: Record<string, string>) {
  const response = await fetch(`${standIn.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const rejectsWith = (reason: SocialProviderError['reason']) => (error: unknown) => {
  assert.ok(error instanceof SocialProviderError, `expected a SocialProviderError, got ${String(error)}`);
  assert.equal(error.reason, reason, error.message);
  return true;
};

describe('the social providers: their own parts (social-profiles.ts against the stand-ins)', () => {
  let google: SocialStandIn;
  let facebook: SocialStandIn;
  let amazon: SocialStandIn;
  let apple: AppleStandIn;
  before(async () => {
    [google, facebook, amazon, apple] = await Promise.all([
      startGoogleStandIn(),
      startFacebookStandIn(),
      startAmazonStandIn(),
      startAppleStandIn(),
    ]);
  });
  after(async () => {
    await Promise.all([google, facebook, amazon, apple].map((s) => s?.close()));
  });

  const appleProvider = () => ({ providerType: 'SignInWithApple' as const, details: { ...apple.providerDetails } });

  test("Apple's client secret is a short-lived ES256 JWT that Apple's token endpoint accepts", async () => {
    const now = new Date();
    const secret = await clientSecretFor(appleProvider(), { privateKey: apple.privateKeyPem }, now);
    assert.ok(secret);
    assert.deepEqual(decodeProtectedHeader(secret), { alg: 'ES256', kid: apple.keyId });
    const claims = decodeJwt(secret);
    assert.equal(claims.iss, apple.teamId);
    assert.equal(claims.sub, apple.clientId);
    assert.equal(claims.aud, APPLE_AUDIENCE);
    assert.equal(claims.iat, Math.floor(now.getTime() / 1000));
    assert.equal(claims.exp! - claims.iat!, 300);

    const code = apple.issueCode({ redirectUri: 'http://cognate.test/oauth2/idpresponse' });
    const answer = await tokenRequest(apple, '/auth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://cognate.test/oauth2/idpresponse',
      client_id: apple.clientId,
      client_secret: secret,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(typeof answer.body.id_token, 'string');
    assert.equal(apple.clientSecrets.at(-1)?.payload.sub, apple.clientId);
  });

  test('a secret signed with another key, or for another team, is refused by the stand-in', async () => {
    const other = await generateKeyPair('ES256', { extractable: true });
    const wrongKey = await clientSecretFor(appleProvider(), { privateKey: await exportPKCS8(other.privateKey) });
    const wrongTeam = await clientSecretFor(
      { providerType: 'SignInWithApple', details: { ...apple.providerDetails, team_id: 'ZZZZZZZZZZ' } },
      { privateKey: apple.privateKeyPem },
    );
    for (const secret of [wrongKey, wrongTeam]) {
      const code = apple.issueCode();
      const answer = await tokenRequest(apple, '/auth/token', {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://app.test/cb',
        client_id: apple.clientId,
        client_secret: secret!,
      });
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, 'invalid_client');
    }
  });

  test("Apple's secret without its keys, or with a key that is not a .p8, is a configuration error", async () => {
    // InvalidParameterException: the stored settings are the administrator's to fix (the round trip says so).
    const invalid = (member: RegExp) => (error: unknown) => {
      assert.ok(error instanceof CognitoError, String(error));
      assert.equal(error.name, 'InvalidParameterException');
      assert.match(error.message, member);
      return true;
    };
    const { team_id: _gone, ...noTeam } = apple.providerDetails;
    await assert.rejects(
      clientSecretFor({ providerType: 'SignInWithApple', details: noTeam }, { privateKey: apple.privateKeyPem }),
      invalid(/team_id/),
    );
    const { private_key: _key, ...noKey } = apple.providerDetails;
    await assert.rejects(
      clientSecretFor({ providerType: 'SignInWithApple', details: noKey }, {}),
      invalid(/private_key/),
    );
    await assert.rejects(
      clientSecretFor(appleProvider(), {
        privateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
      }),
      invalid(/private_key/),
    );
    // An RSA key is a PKCS#8 key, but not one ES256 can sign with.
    const rsa = await generateKeyPair('RS256', { extractable: true });
    await assert.rejects(
      clientSecretFor(appleProvider(), { privateKey: await exportPKCS8(rsa.privateKey) }),
      invalid(/private_key/),
    );
    await assert.rejects(importApplePrivateKey('nonsense'), invalid(/private_key/));
  });

  test('the other types send their client secret as configured', async () => {
    for (const providerType of ['Google', 'Facebook', 'LoginWithAmazon', 'OIDC'] as const)
      assert.equal(
        await clientSecretFor({ providerType, details: { client_id: 'x' } }, { clientSecret: 's3cret' }),
        's3cret',
      );
  });

  test("Facebook's profile: id is the subject, the mapped fields are asked for, picture is its URL", async () => {
    const accessToken = facebook.issueAccessToken();
    const profile = await socialProfile(
      'Facebook',
      { attributesUrl: facebook.providerDetails.attributes_url, attributesRequestMethod: 'GET' },
      accessToken,
      { mappedFields: ['email', 'first_name', 'picture', 'birthday', 'id'] },
    );
    assert.equal(profile.subject, facebook.user.id);
    assert.equal(profile.claims.email, facebook.user.email);
    assert.equal(profile.claims.first_name, 'Grace');
    assert.equal(profile.claims.birthday, '12/09/1906');
    assert.equal(profile.claims.picture, facebook.user.picture);
    assert.equal(profile.claims.last_name, undefined, 'a field not asked for is not answered');
    const sent = facebook.requestsTo('/v17.0/me').at(-1)!;
    assert.deepEqual(sent.query.fields!.split(',').sort(), ['birthday', 'email', 'first_name', 'id', 'picture']);
    // The token travels in the header, never in the URL that logs keep.
    assert.equal(sent.headers.authorization, `Bearer ${accessToken}`);
    assert.equal(sent.query.access_token, undefined);
  });

  test("Facebook's profile without a mapping asks for id, name, email, first_name and last_name", async () => {
    const profile = await socialProfile(
      'Facebook',
      { attributesUrl: facebook.providerDetails.attributes_url, attributesRequestMethod: 'GET' },
      facebook.issueAccessToken(),
    );
    assert.deepEqual(Object.keys(profile.claims).sort(), ['email', 'first_name', 'id', 'last_name', 'name']);
    // Field names that are not field names are not sent on.
    await socialProfile(
      'Facebook',
      { attributesUrl: facebook.providerDetails.attributes_url, attributesRequestMethod: 'GET' },
      facebook.issueAccessToken(),
      { mappedFields: ['email&access_token=x', 'name'] },
    );
    assert.equal(facebook.requestsTo('/v17.0/me').at(-1)!.query.fields, 'id,name');
  });

  test("Amazon's profile: user_id is the subject; email, name and postal_code come along", async () => {
    const profile = await socialProfile(
      'LoginWithAmazon',
      { attributesUrl: amazon.providerDetails.attributes_url, attributesRequestMethod: 'GET' },
      amazon.issueAccessToken(),
    );
    assert.equal(profile.subject, 'amzn1.account.AFJ3EXAMPLE2WQN7IOGGAI');
    assert.deepEqual(profile.claims, { ...amazon.user });
  });

  test('a provider that is down, slow, failing, or answering something else is a typed error, never a crash', async () => {
    const endpoints = { attributesUrl: amazon.providerDetails.attributes_url, attributesRequestMethod: 'GET' as const };
    const call = (options = {}) => socialProfile('LoginWithAmazon', endpoints, amazon.issueAccessToken(), options);
    try {
      await assert.rejects(
        socialProfile('LoginWithAmazon', endpoints, 'not-a-token'),
        (error: unknown) =>
          rejectsWith('error-status')(error) && /401 OAuthException 190/.test((error as Error).message),
      );
      amazon.profileFault = 'status';
      await assert.rejects(call(), rejectsWith('error-status'));
      amazon.profileFault = 'not-json';
      await assert.rejects(call(), rejectsWith('unreadable'));
      amazon.profileFault = 'too-large';
      await assert.rejects(call(), rejectsWith('unreadable'));
      amazon.profileFault = 'no-subject';
      await assert.rejects(call(), rejectsWith('no-subject'));
      amazon.profileFault = 'slow';
      await assert.rejects(call({ timeoutMs: 200 }), rejectsWith('unreachable'));
      amazon.profileFault = 'none';
      amazon.down = true;
      await assert.rejects(call(), rejectsWith('unreachable'));
    } finally {
      amazon.profileFault = 'none';
      amazon.down = false;
    }
    await assert.rejects(
      socialProfile('Facebook', { attributesRequestMethod: 'GET' }, 'token'),
      rejectsWith('misconfigured'),
    );
    // Nothing listens there: refused at once.
    await assert.rejects(
      socialProfile('Facebook', { attributesUrl: 'http://127.0.0.1:9/me', attributesRequestMethod: 'GET' }, 't'),
      rejectsWith('unreachable'),
    );
  });

  test("Apple's `user` form member: the name as Cognito's firstName, lastName and name; never its email", () => {
    const user = (value: unknown) => appleFormUser({ user: typeof value === 'string' ? value : JSON.stringify(value) });
    assert.deepEqual(user({ name: { firstName: ' Mary ', lastName: 'Jackson' }, email: 'attacker@evil.example' }), {
      firstName: 'Mary',
      lastName: 'Jackson',
      name: 'Mary Jackson',
    });
    assert.deepEqual(user({ name: { firstName: 'Mary' } }), { firstName: 'Mary', name: 'Mary' });
    // Absent (every sign-in after the first), unreadable, or of the wrong shape: nothing, and no failure.
    assert.deepEqual(appleFormUser({}), {});
    assert.deepEqual(appleFormUser({ user: ['a', 'b'] }), {});
    assert.deepEqual(user('{"name":'), {});
    assert.deepEqual(user('"Mary"'), {});
    assert.deepEqual(user({ name: 'Mary Jackson' }), {});
    assert.deepEqual(user({ name: { firstName: 42, lastName: { x: 1 } } }), {});
    assert.deepEqual(user({ name: { firstName: 'Ma\u0000ry', lastName: 'x'.repeat(257) } }), {});
    assert.deepEqual(user({ name: { firstName: 'x'.repeat(MAX_APPLE_USER_CHARS) } }), {});
    const polluting = appleFormUser({ user: '{"__proto__":{"polluted":true},"name":{"__proto__":{"firstName":"x"}}}' });
    assert.deepEqual(polluting, {});
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

/**
 * The round trip through each social type over HTTP: /oauth2/authorize?identity_provider=… → the
 * stand-in → /oauth2/idpresponse (Apple: a form POST) → /oauth2/authorize → the app's callback with
 * a code → /oauth2/token. One app, one pool, the four providers configured through the admin API.
 */
describe('the social providers: signing in through each (the round trip)', () => {
  const CALLBACK = 'https://app.test/cb';
  let t: TestApp;
  let poolId: string;
  let clientId: string;
  let google: SocialStandIn;
  let facebook: SocialStandIn;
  let amazon: SocialStandIn;
  let apple: AppleStandIn;

  before(async () => {
    t = await startTestApp();
    [google, facebook, amazon, apple] = await Promise.all([
      startGoogleStandIn(),
      startFacebookStandIn(),
      startAmazonStandIn(),
      startAppleStandIn(),
    ]);
    const pool = await t.admin('POST', '/v1/pools', {
      name: 'social',
      schema: [{ name: 'postal_code' }, { name: 'birthday' }],
    });
    assert.equal(pool.status, 201, JSON.stringify(pool.body));
    poolId = pool.body.id;
    const providers: Array<[string, SocialStandIn, Record<string, string>]> = [
      [
        'Google',
        google,
        {
          email: 'email',
          email_verified: 'email_verified',
          given_name: 'given_name',
          family_name: 'family_name',
          name: 'name',
          picture: 'picture',
        },
      ],
      [
        'Facebook',
        facebook,
        { email: 'email', name: 'name', given_name: 'first_name', picture: 'picture', 'custom:birthday': 'birthday' },
      ],
      ['LoginWithAmazon', amazon, { email: 'email', name: 'name', 'custom:postal_code': 'postal_code' }],
      [
        'SignInWithApple',
        apple,
        {
          email: 'email',
          email_verified: 'email_verified',
          given_name: 'firstName',
          family_name: 'lastName',
          name: 'name',
        },
      ],
    ];
    for (const [providerName, standIn, attributeMapping] of providers) {
      const created = await t.admin('POST', `/v1/pools/${poolId}/identity-providers`, {
        providerName,
        providerType: providerName,
        providerDetails: standIn.providerDetails,
        attributeMapping,
      });
      assert.equal(created.status, 201, `${providerName}: ${JSON.stringify(created.body)}`);
    }
    const client = await t.services.pools.createClient(poolId, {
      name: 'web',
      oauth: {
        enabled: true,
        flows: ['code'],
        scopes: ['openid', 'email', 'profile'],
        callbackUrls: [CALLBACK],
        logoutUrls: [],
        identityProviders: ['COGNITO', 'Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'],
      },
    });
    clientId = client.id;
  });
  after(async () => {
    await Promise.all([google, facebook, amazon, apple].map((s) => s?.close()));
    await t?.close();
  });

  /** The path and query of an absolute URL of the app (inject takes paths). */
  const pathOf = (url: string) => {
    const parsed = new URL(url, 'http://cognate.test');
    return `${parsed.pathname}${parsed.search}`;
  };

  /**
   * The browser's part up to /oauth2/idpresponse's answer: the app's authorize request, the
   * provider's page (a redirect, or Apple's auto-submitting form), and the way back. `meddle`
   * changes Apple's form before it is posted (an attacker's own browser).
   */
  async function toProviderAndBack(
    providerName: string,
    standIn: SocialStandIn,
    options: { beforeReturn?: () => void; meddle?: (form: Record<string, string>) => void } = {},
  ) {
    // A Host without a port, as browsers send for 80 and 443 (B: a Host with `:80` gives the provider
    // two spellings of redirect_uri, at authorize and at the exchange).
    const browser = pageClient(t.app, { headers: { host: 'cognate.test' } });
    const verifier = randomBytes(32).toString('base64url');
    const start = await browser.get(
      `/oauth2/authorize?${new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: CALLBACK,
        identity_provider: providerName,
        scope: 'openid email profile',
        state: 'app-state',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      })}`,
    );
    assert.equal(start.status, 302, start.body);
    assert.ok(start.location?.startsWith(standIn.url), start.location);
    const atProvider = await fetch(start.location!, { redirect: 'manual' });
    options.beforeReturn?.();
    if (atProvider.status === 302)
      return { browser, verifier, back: asRedirect(await browser.get(pathOf(atProvider.headers.get('location')!))) };
    assert.equal(atProvider.status, 200);
    const [form] = formsOf(await atProvider.text());
    assert.ok(form, 'the provider answered a form');
    options.meddle?.(form.values);
    return { browser, verifier, back: asRedirect(await browser.post(pathOf(form.action), form.values)) };
  }

  /** The whole sign-in: the app's tokens for the code its callback got. */
  async function signIn(
    providerName: string,
    standIn: SocialStandIn,
    options: Parameters<typeof toProviderAndBack>[2] = {},
  ) {
    const { browser, verifier, back } = await toProviderAndBack(providerName, standIn, options);
    assert.equal(back.status, 302, back.body);
    assert.match(back.location!, /^\/oauth2\/authorize\?/, `idpresponse sent the browser to ${back.location}`);
    const issued = await browser.get(back.location!);
    assert.equal(issued.status, 302, issued.body);
    const callback = new URL(issued.location!);
    assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
    assert.equal(callback.searchParams.get('state'), 'app-state');
    const code = callback.searchParams.get('code');
    assert.ok(code, `no code: ${issued.location}`);
    const tokens = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }).toString(),
    });
    assert.equal(tokens.statusCode, 200, tokens.body);
    const body = tokens.json() as { id_token: string; access_token: string };
    return { idToken: decodeTokenClaims(body.id_token), accessToken: decodeTokenClaims(body.access_token) };
  }

  async function userNamed(username: string) {
    const found = await t.admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(username)}`);
    assert.equal(found.status, 200, `${username}: ${JSON.stringify(found.body)}`);
    return found.body;
  }

  /** The app's callback with an error (the provider refused, or could not be used). */
  async function failedSignIn(providerName: string, standIn: SocialStandIn, beforeReturn?: () => void) {
    const { back } = await toProviderAndBack(providerName, standIn, { ...(beforeReturn && { beforeReturn }) });
    assert.equal(back.status, 302, back.body);
    const callback = new URL(back.location!);
    assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK, back.location);
    assert.equal(callback.searchParams.get('state'), 'app-state');
    assert.equal(callback.searchParams.get('code'), null);
    return { error: callback.searchParams.get('error'), description: callback.searchParams.get('error_description') };
  }

  const identitiesOf = (idToken: Record<string, unknown>) => idToken.identities as Array<Record<string, unknown>>;

  test('Google: OIDC with state, nonce and PKCE; google_<sub>, its claims mapped, the identities claim', async () => {
    const { idToken } = await signIn('Google', google);
    const sub = String(google.user.sub);
    assert.equal(idToken['cognito:username'], `google_${sub}`);
    assert.equal(idToken.email, google.user.email);
    assert.equal(idToken.given_name, 'Ada');
    assert.equal(idToken.family_name, 'Lovelace');
    assert.equal(idToken.picture, google.user.picture);
    assert.deepEqual(
      identitiesOf(idToken).map(({ userId, providerName, providerType, primary }) => ({
        userId,
        providerName,
        providerType,
        primary,
      })),
      [{ userId: sub, providerName: 'Google', providerType: 'Google', primary: 'true' }],
    );
    const user = await userNamed(`google_${sub}`);
    assert.equal(user.status ?? user.userStatus, 'EXTERNAL_PROVIDER');

    const authorize = google.requestsTo('/o/oauth2/v2/auth').at(-1)!.query;
    assert.equal(authorize.client_id, google.clientId);
    assert.equal(authorize.redirect_uri, 'http://cognate.test/oauth2/idpresponse');
    assert.equal(authorize.code_challenge_method, 'S256');
    assert.ok(authorize.state && authorize.nonce && authorize.code_challenge);
    assert.deepEqual(authorize.scope!.split(' ').sort(), ['email', 'openid', 'profile']);
    const exchange = google.requestsTo('/token').at(-1)!.form;
    assert.equal(exchange.client_secret, google.clientSecret);
    assert.equal(exchange.redirect_uri, authorize.redirect_uri);
    assert.equal(createHash('sha256').update(exchange.code_verifier!).digest('base64url'), authorize.code_challenge);
    assert.equal(google.requestsTo('/v1/userinfo').length, 1, 'userInfo was asked');
  });

  test('Facebook: OAuth 2.0 with no ID token; facebook_<id>, the Graph fields mapped, picture as its URL', async () => {
    const { idToken } = await signIn('Facebook', facebook);
    const id = String(facebook.user.id);
    assert.equal(idToken['cognito:username'], `facebook_${id}`);
    assert.equal(idToken.email, facebook.user.email);
    assert.equal(idToken.name, 'Grace Hopper');
    assert.equal(idToken.given_name, 'Grace');
    assert.equal(idToken.picture, facebook.user.picture);
    assert.equal(identitiesOf(idToken)[0]!.providerType, 'Facebook');
    assert.equal(identitiesOf(idToken)[0]!.userId, id);
    const user = await userNamed(`facebook_${id}`);
    // Facebook's birthday is MM/DD/YYYY, which birthdate (YYYY-MM-DD) refuses: a custom attribute takes it.
    assert.equal(user.attributes['custom:birthday'], '12/09/1906');
    const me = facebook.requestsTo('/v17.0/me').at(-1)!;
    assert.deepEqual(me.query.fields!.split(',').sort(), ['birthday', 'email', 'first_name', 'id', 'name', 'picture']);
    assert.equal(
      facebook.requestsTo('/v17.0/oauth/access_token').at(-1)!.form.client_secret ??
        facebook.requestsTo('/v17.0/oauth/access_token').at(-1)!.query.client_secret,
      facebook.clientSecret,
    );
    assert.equal(
      facebook.requestsTo('/v17.0/dialog/oauth').at(-1)!.query.nonce,
      undefined,
      'no nonce without an ID token',
    );
  });

  test('Login with Amazon: OAuth 2.0 with no ID token; loginwithamazon_<user_id>, postal_code to a custom attribute', async () => {
    const { idToken } = await signIn('LoginWithAmazon', amazon);
    const userId = String(amazon.user.user_id);
    assert.equal(idToken['cognito:username'], `loginwithamazon_${userId}`);
    assert.equal(idToken.email, amazon.user.email);
    assert.equal(idToken.name, 'Katherine Johnson');
    assert.equal(idToken['custom:postal_code'], '23666');
    assert.equal(identitiesOf(idToken)[0]!.providerName, 'LoginWithAmazon');
    assert.equal(
      amazon.requestsTo('/user/profile').at(-1)!.headers.authorization?.toString().startsWith('Bearer '),
      true,
    );
  });

  test("Sign in with Apple: form_post, the signed client secret, the first sign-in's name, signinwithapple_<sub>", async () => {
    const secretsBefore = apple.clientSecrets.length;
    const { idToken } = await signIn('SignInWithApple', apple);
    const sub = String(apple.user.sub);
    assert.equal(idToken['cognito:username'], `signinwithapple_${sub}`);
    assert.equal(idToken.email, apple.user.email);
    assert.equal(idToken.given_name, 'Mary');
    assert.equal(idToken.family_name, 'Jackson');
    assert.equal(idToken.name, 'Mary Jackson');
    assert.equal(identitiesOf(idToken)[0]!.providerType, 'SignInWithApple');
    assert.equal(apple.requestsTo('/auth/authorize').at(-1)!.query.response_mode, 'form_post');
    // The stand-in verified the secret's signature against the key pair's public key, kid, iss, sub and aud.
    assert.equal(apple.clientSecrets.length, secretsBefore + 1);
    const { header, payload } = apple.clientSecrets.at(-1)!;
    assert.equal(header.kid, apple.keyId);
    assert.equal(payload.iss, apple.teamId);
    assert.equal(payload.sub, apple.clientId);
    assert.ok((payload.exp as number) - (payload.iat as number) <= 300);

    // The next sign-in brings no `user`: the name stays as the first one set it.
    const again = await signIn('SignInWithApple', apple);
    assert.equal(again.idToken['cognito:username'], `signinwithapple_${sub}`);
    assert.equal(again.idToken.email, apple.user.email);
    assert.equal(again.idToken.given_name, 'Mary');
    assert.equal(again.idToken.name, 'Mary Jackson');
  });

  test("Apple's unsigned `user` member cannot set the email: the ID token's counts", async () => {
    apple.user = {
      ...apple.user,
      sub: '009999.aaaabbbbccccddddeeeeffff00001111.0001',
      email: 'june@privaterelay.appleid.example',
    };
    const { idToken } = await signIn('SignInWithApple', apple, {
      meddle(form) {
        form.user = JSON.stringify({ name: { firstName: 'June', lastName: 'Almeida' }, email: 'admin@cognate.test' });
      },
    });
    assert.equal(idToken.email, 'june@privaterelay.appleid.example');
    assert.equal(idToken.given_name, 'June');
  });

  test('an unreadable Apple `user` member is ignored: the sign-in goes through', async () => {
    apple.user = { ...apple.user, sub: '007777.ccccddddeeeeffff0000111122223333.0002' };
    for (const garbage of ['{"name":', 'x'.repeat(10_000), '{"name":{"firstName":"Ev\u0007e"}}']) {
      apple.seen.clear();
      const { idToken } = await signIn('SignInWithApple', apple, {
        meddle(form) {
          form.user = garbage;
        },
      });
      assert.equal(idToken['cognito:username'], `signinwithapple_${String(apple.user.sub)}`, garbage.slice(0, 40));
    }
  });

  test('a provider that refuses sends the app access_denied, named after the provider', async () => {
    google.refuse = true;
    try {
      const { error, description } = await failedSignIn('Google', google);
      assert.equal(error, 'access_denied');
      assert.match(description!, /^Google Error - access_denied/);
    } finally {
      google.refuse = false;
    }
  });

  test('a provider that is down at the code exchange sends the app temporarily_unavailable', async () => {
    for (const [name, standIn] of [
      ['Facebook', facebook],
      ['SignInWithApple', apple],
    ] as const) {
      try {
        const { error, description } = await failedSignIn(name, standIn, () => {
          standIn.down = true;
        });
        assert.equal(error, 'temporarily_unavailable', `${name}: ${description}`);
        assert.match(description!, new RegExp(`^${name} Error - `));
      } finally {
        standIn.down = false;
      }
    }
  });

  test('a profile endpoint that answers garbage fails the sign-in without creating a user', async () => {
    amazon.user = { ...amazon.user, user_id: 'amzn1.account.NEWUSERGARBAGE' };
    amazon.profileFault = 'not-json';
    try {
      const { error } = await failedSignIn('LoginWithAmazon', amazon);
      assert.equal(error, 'invalid_request');
    } finally {
      amazon.profileFault = 'none';
    }
    const missing = await t.admin('GET', `/v1/pools/${poolId}/users/loginwithamazon_amzn1.account.NEWUSERGARBAGE`);
    assert.equal(missing.status, 404);
  });
});
