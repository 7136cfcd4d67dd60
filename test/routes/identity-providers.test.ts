/**
 * A pool's identity providers on the REST face (docs/federation.md, "Configuring providers"):
 * /v1/pools/{poolId}/identity-providers, OIDC discovery against a real HTTP server this file
 * starts, each type's details and defaults, secrets sealed at rest, AttributeMapping and
 * IdpIdentifiers rules, a client's SupportedIdentityProviders, deletion. Every refusal is a
 * problem+json that changes nothing.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { federatedIdentities, identityProviders } from '../../src/db/schema/federation.ts';
import { users } from '../../src/db/schema/user-store.ts';
import { discoverEndpoints } from '../../src/modules/federation/discovery.ts';
import { createPoolWithClient, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/user-flows.ts';

/** An OIDC provider's discovery documents, one issuer per path: /good, /mismatch, /redirect, … */
let idp: Server;
let base: string;
const hung = new Set<import('node:http').ServerResponse>();
function startDiscoveryServer(): Promise<void> {
  idp = createServer((request, response) => {
    const path = request.url ?? '';
    const issuerPath = path.replace(/\/\.well-known\/openid-configuration$/, '');
    const issuer = `${base}${issuerPath}`;
    const document = (extra: Record<string, unknown> = {}) => ({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      ...extra,
    });
    const json = (body: unknown, status = 200) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (!path.endsWith('/.well-known/openid-configuration')) return json({ error: 'not_found' }, 404);
    switch (issuerPath) {
      case '/good':
      case '/other':
        return json(document());
      case '/mismatch':
        return json(document({ issuer: 'https://evil.example.com' }));
      case '/plain-http':
        return json(document({ token_endpoint: 'http://idp.example.com/token' }));
      case '/no-jwks':
        return json(document({ jwks_uri: undefined }));
      case '/redirect':
        response.writeHead(302, { location: `${base}/good/.well-known/openid-configuration` });
        return response.end();
      case '/huge':
        return json(document({ padding: 'x'.repeat(300 * 1024) }));
      case '/not-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end('<html>');
      case '/slow':
        hung.add(response);
        return;
      default:
        return json({ error: 'not_found' }, 404);
    }
  });
  return new Promise((resolve) =>
    idp.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

let t: TestApp;
before(async () => {
  await startDiscoveryServer();
  t = await startTestApp();
});
after(async () => {
  await t.close();
  for (const response of hung) response.destroy();
  idp.closeAllConnections();
  await new Promise((resolve) => idp.close(resolve));
});

const SECRET = 'upstream-client-secret-1234567890';
const oidc = (issuerPath: string, details: Record<string, string> = {}, name = 'Corp') => ({
  providerName: name,
  providerType: 'OIDC',
  providerDetails: { client_id: 'cognate', client_secret: SECRET, oidc_issuer: `${base}${issuerPath}`, ...details },
});

async function newPool(schema: unknown[] = []) {
  const { poolId } = await createPoolWithClient(t, {
    schema: [{ name: 'plan', attributeDataType: 'String', mutable: true }, { name: 'tier', mutable: false }, ...schema],
  });
  return poolId as string;
}

const url = (poolId: string, rest = '') => `/v1/pools/${poolId}/identity-providers${rest}`;

async function providerNames(poolId: string): Promise<string[]> {
  const listed = await t.admin('GET', url(poolId));
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  return listed.body.identityProviders.map((p: { providerName: string }) => p.providerName);
}

async function storedRow(poolId: string, name: string) {
  const [row] = await t.database.db
    .select()
    .from(identityProviders)
    .where(and(eq(identityProviders.poolId, poolId), eq(identityProviders.providerName, name)));
  return row;
}

describe('OIDC providers and discovery', () => {
  test('created from oidc_issuer: discovered endpoints, Cognito’s defaults, client_secret shown and sealed at rest', async () => {
    const poolId = await newPool();
    const created = await t.admin('POST', url(poolId), {
      ...oidc('/good'),
      attributeMapping: { email: 'email', 'custom:plan': 'plan' },
      idpIdentifiers: ['corp.example.com', 'Corp Login'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const issuer = `${base}/good`;
    assert.deepEqual(created.body.providerDetails, {
      attributes_request_method: 'GET',
      attributes_url: `${issuer}/userinfo`,
      attributes_url_add_attributes: 'false',
      authorize_scopes: 'openid',
      authorize_url: `${issuer}/authorize`,
      client_id: 'cognate',
      client_secret: SECRET,
      jwks_uri: `${issuer}/jwks`,
      oidc_issuer: issuer,
      token_url: `${issuer}/token`,
    });
    assert.deepEqual(created.body.attributeMapping, { email: 'email', 'custom:plan': 'plan', username: 'sub' });
    assert.deepEqual(created.body.idpIdentifiers, ['corp.example.com', 'Corp Login']);
    assert.equal(created.body.providerType, 'OIDC');

    const described = await t.admin('GET', url(poolId, '/Corp'));
    assert.deepEqual(described.body, created.body);

    // At rest: no plaintext secret anywhere in the row.
    const row = await storedRow(poolId, 'Corp');
    assert.ok(row, 'the row exists');
    assert.equal(row.details.client_secret, undefined);
    assert.ok(!JSON.stringify(row).includes(SECRET), 'the secret is stored sealed');
    assert.match(row.sealedSecrets.client_secret!, /^v1\./);

    // What the sign-in round trip gets.
    const forSignIn = await t.services.identityProviders.forSignIn(poolId, 'Corp');
    assert.ok(forSignIn, 'found for sign-in');
    assert.deepEqual(forSignIn.secrets, { clientSecret: SECRET });
    assert.deepEqual(forSignIn.endpoints, {
      authorizeUrl: `${issuer}/authorize`,
      tokenUrl: `${issuer}/token`,
      attributesUrl: `${issuer}/userinfo`,
      attributesRequestMethod: 'GET',
      issuer,
      jwksUri: `${issuer}/jwks`,
      scopes: ['openid'],
    });
    assert.equal(await t.services.identityProviders.forSignIn(poolId, 'Nobody'), null);
  });

  test('a sealed secret cannot be moved to another provider’s row', async () => {
    const poolId = await newPool();
    assert.equal((await t.admin('POST', url(poolId), oidc('/good', {}, 'First'))).status, 201);
    assert.equal(
      (await t.admin('POST', url(poolId), oidc('/good', { client_secret: 'another-secret' }, 'Second'))).status,
      201,
    );
    const first = await storedRow(poolId, 'First');
    await t.database.db
      .update(identityProviders)
      .set({ sealedSecrets: first!.sealedSecrets })
      .where(and(eq(identityProviders.poolId, poolId), eq(identityProviders.providerName, 'Second')));
    await assert.rejects(t.services.identityProviders.forSignIn(poolId, 'Second'));
  });

  test('explicit endpoints win over discovery, and make an unreachable issuer no bar', async () => {
    const poolId = await newPool();
    const mixed = await t.admin(
      'POST',
      url(poolId),
      oidc('/good', { authorize_url: 'https://login.example.com/auth' }),
    );
    assert.equal(mixed.status, 201, JSON.stringify(mixed.body));
    assert.equal(mixed.body.providerDetails.authorize_url, 'https://login.example.com/auth');
    assert.equal(mixed.body.providerDetails.token_url, `${base}/good/token`);

    const explicit = await t.admin('POST', url(poolId), {
      ...oidc('/nothing-here', {}, 'Offline'),
      providerDetails: {
        client_id: 'c',
        client_secret: 's',
        oidc_issuer: 'http://127.0.0.1:1/down',
        authorize_url: 'https://login.example.com/auth',
        token_url: 'https://login.example.com/token',
        jwks_uri: 'https://login.example.com/jwks',
        attributes_request_method: 'POST',
        authorize_scopes: 'openid email profile',
      },
    });
    assert.equal(explicit.status, 201, JSON.stringify(explicit.body));
    assert.equal(explicit.body.providerDetails.attributes_url, undefined);
    const endpoints = (await t.services.identityProviders.forSignIn(poolId, 'Offline'))!.endpoints;
    assert.equal(endpoints.attributesUrl, undefined);
    assert.equal(endpoints.attributesRequestMethod, 'POST');
    assert.deepEqual(endpoints.scopes, ['openid', 'email', 'profile']);
  });

  test('discovery refusals name the issuer and change nothing', async () => {
    const poolId = await newPool();
    const cases: Array<[Record<string, unknown>, string]> = [
      [oidc('/mismatch'), 'names another issuer'],
      [oidc('/nowhere'), 'HTTP 404'],
      [
        { ...oidc(''), providerDetails: { ...oidc('').providerDetails, oidc_issuer: 'http://127.0.0.1:1/down' } },
        'unreachable',
      ],
      [
        { ...oidc(''), providerDetails: { ...oidc('').providerDetails, oidc_issuer: 'http://idp.example.com' } },
        'must use https',
      ],
      [oidc('/plain-http'), 'token_url (discovered as token_endpoint)'],
      [oidc('/redirect'), 'HTTP 302'],
      [oidc('/huge'), 'larger than'],
      [oidc('/not-json'), 'not JSON'],
      [oidc('/no-jwks'), 'names no jwks_uri'],
      [oidc('/good', { authorize_url: 'http://login.example.com/auth' }), 'authorize_url'],
      [oidc('/good', { jwks_uri: 'https://user:pw@login.example.com/jwks' }), 'user name or password'],
      [oidc('/good', { token_url: 'https://login.example.com/token#x' }), 'fragment'],
    ];
    for (const [body, detail] of cases) {
      const refused = await t.admin('POST', url(poolId), body);
      assertProblem(refused, 400, 'InvalidParameterException', detail);
    }
    assert.deepEqual(await providerNames(poolId), []);
  });

  test('a discovery that does not answer in time is given up', async () => {
    const started = Date.now();
    await assert.rejects(discoverEndpoints(`${base}/slow`, { timeoutMs: 300 }), /no answer within 300 ms/);
    assert.ok(Date.now() - started < 3000, 'given up in time');
  });

  test('ProviderDetails: unknown keys, missing ones, bad values and read-only keys', async () => {
    const poolId = await newPool();
    const details = (extra: Record<string, string>, drop: string[] = []) => {
      const body = oidc('/good', extra);
      for (const key of drop) delete (body.providerDetails as Record<string, string>)[key];
      return body;
    };
    const cases: Array<[Record<string, unknown>, string]> = [
      [details({ MetadataURL: 'https://x.example.com' }), '"MetadataURL" is not a key of ProviderType OIDC'],
      [details({ api_version: 'v17.0' }), '"api_version" is not a key of ProviderType OIDC'],
      [details({}, ['client_secret']), 'client_secret is required'],
      [details({}, ['oidc_issuer']), 'oidc_issuer is required'],
      [details({ attributes_request_method: 'PUT' }), 'GET or POST'],
      [details({ authorize_scopes: 'email profile' }), 'must include openid'],
      [details({ authorize_scopes: 'openid "bad"' }), 'is not a scope'],
      [details({ attributes_url_add_attributes: 'true' }), 'attributes_url_add_attributes is set by Cognito'],
      [details({ token_request_method: 'POST' }), 'token_request_method is set by Cognito'],
      [details({ client_id: '' }), 'client_id must be 1 to'],
    ];
    for (const [body, detail] of cases)
      assertProblem(await t.admin('POST', url(poolId), body), 400, 'InvalidParameterException', detail);
    // Given back as Describe shows it (Terraform does), a read-only key is accepted.
    const echoed = await t.admin('POST', url(poolId), details({ attributes_url_add_attributes: 'false' }));
    assert.equal(echoed.status, 201, JSON.stringify(echoed.body));
    assert.deepEqual(await providerNames(poolId), ['Corp']);
  });
});

describe('the social types', () => {
  test('Google, Facebook and Login with Amazon: Cognito’s endpoints and scopes, overridable', async () => {
    const poolId = await newPool();
    const google = await t.admin('POST', url(poolId), {
      providerName: 'Google',
      providerType: 'Google',
      providerDetails: { client_id: 'g.apps.googleusercontent.com', client_secret: SECRET },
      attributeMapping: { email: 'email', email_verified: 'email_verified' },
    });
    assert.equal(google.status, 201, JSON.stringify(google.body));
    assert.deepEqual(google.body.providerDetails, {
      attributes_url: 'https://openidconnect.googleapis.com/v1/userinfo',
      attributes_url_add_attributes: 'false',
      authorize_scopes: 'openid email profile',
      authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
      client_id: 'g.apps.googleusercontent.com',
      client_secret: SECRET,
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      oidc_issuer: 'https://accounts.google.com',
      token_request_method: 'POST',
      token_url: 'https://oauth2.googleapis.com/token',
    });
    assert.equal(google.body.attributeMapping.username, 'sub');

    const facebook = await t.admin('POST', url(poolId), {
      providerName: 'Facebook',
      providerType: 'Facebook',
      providerDetails: {
        client_id: '1234',
        client_secret: SECRET,
        api_version: 'v19.0',
        authorize_scopes: 'public_profile, email',
      },
    });
    assert.equal(facebook.status, 201, JSON.stringify(facebook.body));
    assert.equal(facebook.body.providerDetails.authorize_url, 'https://www.facebook.com/v19.0/dialog/oauth');
    assert.equal(facebook.body.providerDetails.token_url, 'https://graph.facebook.com/v19.0/oauth/access_token');
    assert.equal(facebook.body.providerDetails.attributes_url, 'https://graph.facebook.com/v19.0/me?fields=');
    assert.equal(facebook.body.providerDetails.token_request_method, 'GET');
    assert.equal(facebook.body.attributeMapping.username, 'id');
    assert.deepEqual((await t.services.identityProviders.forSignIn(poolId, 'Facebook'))!.endpoints.scopes, [
      'public_profile',
      'email',
    ]);

    // A local stand-in: every endpoint overridden (http to a loopback host only).
    const amazon = await t.admin('POST', url(poolId), {
      providerName: 'LoginWithAmazon',
      providerType: 'LoginWithAmazon',
      providerDetails: {
        client_id: 'amzn1.application-oa2-client.1',
        client_secret: SECRET,
        authorize_url: 'http://localhost:9/ap/oa',
        token_url: 'http://[::1]:9/auth/o2/token',
        attributes_url: 'http://127.0.0.1:9/user/profile',
      },
    });
    assert.equal(amazon.status, 201, JSON.stringify(amazon.body));
    assert.equal(amazon.body.attributeMapping.username, 'user_id');
    assert.equal(amazon.body.providerDetails.authorize_scopes, 'profile');
    assert.deepEqual((await t.services.identityProviders.forSignIn(poolId, 'LoginWithAmazon'))!.endpoints, {
      authorizeUrl: 'http://localhost:9/ap/oa',
      tokenUrl: 'http://[::1]:9/auth/o2/token',
      attributesUrl: 'http://127.0.0.1:9/user/profile',
      attributesRequestMethod: 'GET',
      scopes: ['profile'],
    });
    assert.deepEqual(await providerNames(poolId), ['Facebook', 'Google', 'LoginWithAmazon']);
  });

  test('Sign in with Apple: its key checked and sealed, never shown', async () => {
    const poolId = await newPool();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const body = pem.replace(/-----[A-Z ]+-----|\s/g, '');
    const apple = await t.admin('POST', url(poolId), {
      providerName: 'SignInWithApple',
      providerType: 'SignInWithApple',
      providerDetails: { client_id: 'com.example.web', team_id: 'TEAM123456', key_id: 'KEY1234567', private_key: body },
    });
    assert.equal(apple.status, 201, JSON.stringify(apple.body));
    assert.equal(apple.body.providerDetails.private_key, undefined);
    assert.equal(apple.body.providerDetails.oidc_issuer, 'https://appleid.apple.com');
    assert.equal(apple.body.providerDetails.authorize_scopes, 'email name');
    assert.equal(apple.body.providerDetails.attributes_url, undefined);
    const row = await storedRow(poolId, 'SignInWithApple');
    assert.ok(!JSON.stringify(row).includes(body.slice(20, 60)), 'the key is sealed');
    const secrets = (await t.services.identityProviders.forSignIn(poolId, 'SignInWithApple'))!.secrets;
    assert.equal(secrets.privateKey, pem);

    // Updated without private_key: the key is kept.
    const updated = await t.admin('PATCH', url(poolId, '/SignInWithApple'), {
      providerDetails: { client_id: 'com.example.web2', team_id: 'TEAM123456', key_id: 'KEY7654321' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.providerDetails.key_id, 'KEY7654321');
    assert.equal((await t.services.identityProviders.forSignIn(poolId, 'SignInWithApple'))!.secrets.privateKey, pem);

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const bad: Array<[Record<string, string>, string]> = [
      [{ private_key: 'not a key' }, 'private_key must be the private key Apple issued'],
      [{ private_key: rsa.toString() }, 'EC P-256'],
      [{ authorize_scopes: 'email openid' }, 'openid is not one SignInWithApple offers'],
      [{ team_id: 'bad team' }, 'team_id must be letters and digits'],
    ];
    for (const [change, detail] of bad)
      assertProblem(
        await t.admin('PATCH', url(poolId, '/SignInWithApple'), {
          providerDetails: { client_id: 'x', team_id: 'T', key_id: 'K', ...change },
        }),
        400,
        'InvalidParameterException',
        detail,
      );
    assert.equal(
      (await t.admin('GET', url(poolId, '/SignInWithApple'))).body.providerDetails.client_id,
      'com.example.web2',
    );
  });

  test('names, types and scopes each type takes', async () => {
    const poolId = await newPool();
    const social = (name: string, type: string, details: Record<string, string> = {}) => ({
      providerName: name,
      providerType: type,
      providerDetails: { client_id: 'c', client_secret: 's', ...details },
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [social('MyGoogle', 'Google'), 'A Google provider must be named Google'],
      [social('google', 'Google'), 'must be named Google'],
      [social('Google', 'Google', { authorize_scopes: 'email profile' }), 'must include openid'],
      [social('Facebook', 'Facebook', { api_version: '17' }), 'api_version'],
      [social('Google', 'SAML'), 'SAML is not supported by Cognate'],
      [social('Corp', 'Okta'), 'ProviderType "Okta" must be one of'],
      [{ ...oidc('/good'), providerName: 'COGNITO' }, 'reserved'],
      [{ ...oidc('/good'), providerName: 'Cognito' }, 'reserved'],
      [{ ...oidc('/good'), providerName: 'Google' }, 'social provider type'],
      [{ ...oidc('/good'), providerName: 'ab' }, 'ProviderName must be 3 to 32'],
      [{ ...oidc('/good'), providerName: 'My_IdP' }, 'ProviderName must be 3 to 32'],
      [{ ...oidc('/good'), providerName: 'My IdP' }, 'ProviderName must be 3 to 32'],
      [{ ...oidc('/good'), providerName: '_MyIdP' }, 'ProviderName must be 3 to 32'],
    ];
    for (const [body, detail] of cases)
      assertProblem(await t.admin('POST', url(poolId), body), 400, 'InvalidParameterException', detail);
    assert.deepEqual(await providerNames(poolId), []);
    // Cognito's pattern allows _ as the second character.
    assert.equal((await t.admin('POST', url(poolId), { ...oidc('/good'), providerName: 'a_IdP' })).status, 201);
    assertProblem(await t.admin('POST', url('no-such-pool'), oidc('/good')), 404, 'ResourceNotFoundException');
  });
});

describe('mapping, identifiers, names taken', () => {
  test('AttributeMapping keys: the pool’s mutable attributes or username', async () => {
    const poolId = await newPool();
    const cases: Array<[Record<string, string>, string]> = [
      [{ nickname2: 'nick' }, '"nickname2" is not an attribute of this user pool'],
      [{ 'custom:unknown': 'x' }, 'is not an attribute of this user pool'],
      [{ 'custom:tier': 'tier' }, 'custom:tier maps onto an immutable attribute'],
      [{ sub: 'sub' }, 'sub maps onto an immutable attribute'],
      [{ identities: 'x' }, 'is not an attribute'],
      [{ email: '' }, 'must name a claim'],
    ];
    for (const [mapping, detail] of cases)
      assertProblem(
        await t.admin('POST', url(poolId), { ...oidc('/good'), attributeMapping: mapping }),
        400,
        'InvalidParameterException',
        detail,
      );
    assertProblem(
      await t.admin('POST', url(poolId), {
        providerName: 'Facebook',
        providerType: 'Facebook',
        providerDetails: { client_id: 'c', client_secret: 's' },
        attributeMapping: { username: 'email' },
      }),
      400,
      'InvalidParameterException',
      'username must be id for Facebook',
    );
    // An OIDC provider may take the user's id from another stable claim.
    const created = await t.admin('POST', url(poolId), {
      ...oidc('/good'),
      attributeMapping: { username: 'oid', given_name: 'given_name', email_verified: 'email_verified' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.attributeMapping.username, 'oid');
  });

  test('names and IdpIdentifiers have one owner in a pool (DuplicateProviderException), also under races', async () => {
    const poolId = await newPool();
    assert.equal(
      (await t.admin('POST', url(poolId), { ...oidc('/good'), idpIdentifiers: ['corp.example.com'] })).status,
      201,
    );
    assertProblem(await t.admin('POST', url(poolId), oidc('/other')), 409, 'DuplicateProviderException', 'Corp');
    assertProblem(
      await t.admin('POST', url(poolId), { ...oidc('/other', {}, 'Other'), idpIdentifiers: ['corp.example.com'] }),
      409,
      'DuplicateProviderException',
      'corp.example.com',
    );
    const badIdentifiers: Array<[unknown[], string]> = [
      [['a\nb'], 'must be 1 to 40'],
      [['x'.repeat(41)], 'more than 40 characters'],
      [['<script>'], 'must be 1 to 40'],
      [['same', 'same'], 'lists same twice'],
      [Array.from({ length: 51 }, (_, i) => `id${i}`), 'more than 50 items'],
    ];
    for (const [identifiers, detail] of badIdentifiers)
      assertProblem(
        await t.admin('POST', url(poolId), { ...oidc('/other', {}, 'Other'), idpIdentifiers: identifiers }),
        400,
        'InvalidParameterException',
        detail,
      );
    assert.deepEqual(await providerNames(poolId), ['Corp']);
    // A pool of its own may use the same name and identifiers.
    const other = await newPool();
    assert.equal(
      (await t.admin('POST', url(other), { ...oidc('/good'), idpIdentifiers: ['corp.example.com'] })).status,
      201,
    );

    // Races: the same name, and the same identifier under two names; one wins, the others get the typed error.
    const racePool = await newPool();
    const sameName = await Promise.all([1, 2, 3].map(() => t.admin('POST', url(racePool), oidc('/good', {}, 'Racer'))));
    assert.deepEqual(sameName.map((r) => r.status).sort(), [201, 409, 409]);
    for (const r of sameName.filter((r) => r.status === 409)) assert.equal(r.body.code, 'DuplicateProviderException');
    const sameIdentifier = await Promise.all(
      ['RaceA', 'RaceB', 'RaceC'].map((name) =>
        t.admin('POST', url(racePool), { ...oidc('/good', {}, name), idpIdentifiers: ['race.example.com'] }),
      ),
    );
    assert.deepEqual(sameIdentifier.map((r) => r.status).sort(), [201, 409, 409]);
    for (const r of sameIdentifier.filter((r) => r.status === 409))
      assert.equal(r.body.code, 'DuplicateProviderException');
    assert.equal((await providerNames(racePool)).length, 2);
  });

  test('lookup by identifier, list pages', async () => {
    const poolId = await newPool();
    for (const name of ['Alpha', 'Bravo', 'Charlie'])
      assert.equal(
        (
          await t.admin('POST', url(poolId), {
            ...oidc('/good', {}, name),
            idpIdentifiers: [`${name.toLowerCase()}.example.com`],
          })
        ).status,
        201,
      );
    const found = await t.admin('GET', url(poolId, '/by-identifier/bravo.example.com'));
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal(found.body.providerName, 'Bravo');
    assertProblem(
      await t.admin('GET', url(poolId, '/by-identifier/Bravo.example.com')),
      404,
      'ResourceNotFoundException',
    );
    assertProblem(await t.admin('GET', url(poolId, '/Nobody')), 404, 'ResourceNotFoundException');

    const first = await t.admin('GET', url(poolId, '?limit=2'));
    assert.deepEqual(
      first.body.identityProviders.map((p: { providerName: string }) => p.providerName),
      ['Alpha', 'Bravo'],
    );
    assert.ok(first.body.nextToken, 'a next page');
    assert.ok(first.body.identityProviders[0].createdAt, 'dates shown');
    const second = await t.admin('GET', url(poolId, `?limit=2&nextToken=${encodeURIComponent(first.body.nextToken)}`));
    assert.deepEqual(
      second.body.identityProviders.map((p: { providerName: string }) => p.providerName),
      ['Charlie'],
    );
    assert.equal(second.body.nextToken, undefined);
    assertProblem(await t.admin('GET', url(poolId, '?nextToken=bogus')), 400, 'InvalidParameterException', 'NextToken');
    assert.equal((await t.admin('GET', url(poolId, '?limit=61'))).status, 400);
  });

  test('update replaces each member given, keeps the rest; a bad update changes nothing', async () => {
    const poolId = await newPool();
    const created = await t.admin('POST', url(poolId), {
      ...oidc('/good'),
      attributeMapping: { email: 'email' },
      idpIdentifiers: ['a.example.com'],
    });
    assert.equal(created.status, 201);
    const renewed = await t.admin('PATCH', url(poolId, '/Corp'), {
      providerDetails: { client_id: 'cognate2', oidc_issuer: `${base}/other`, authorize_scopes: 'openid email' },
    });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.equal(renewed.body.providerDetails.client_secret, SECRET, 'a secret left out is kept');
    assert.equal(renewed.body.providerDetails.token_url, `${base}/other/token`);
    assert.deepEqual(renewed.body.attributeMapping, { email: 'email', username: 'sub' });
    assert.deepEqual(renewed.body.idpIdentifiers, ['a.example.com']);

    const remapped = await t.admin('PATCH', url(poolId, '/Corp'), {
      attributeMapping: { name: 'name' },
      idpIdentifiers: ['b.example.com'],
    });
    assert.deepEqual(remapped.body.attributeMapping, { name: 'name', username: 'sub' });
    assert.deepEqual(remapped.body.idpIdentifiers, ['b.example.com']);
    assert.equal(remapped.body.providerDetails.client_id, 'cognate2');
    // The identifier given up is free again.
    assert.equal(
      (await t.admin('POST', url(poolId), { ...oidc('/good', {}, 'Other'), idpIdentifiers: ['a.example.com'] })).status,
      201,
    );

    const before = (await t.admin('GET', url(poolId, '/Corp'))).body;
    const bad: Array<[Record<string, unknown>, number, string]> = [
      [{ providerDetails: { client_id: 'x', oidc_issuer: `${base}/mismatch` } }, 400, 'names another issuer'],
      [{ attributeMapping: { 'custom:tier': 'tier' } }, 400, 'immutable'],
      [{ idpIdentifiers: ['a.example.com'] }, 409, 'a.example.com'],
      [{ providerDetails: { client_id: 'x', oidc_issuer: `${base}/good`, private_key: 'k' } }, 400, 'private_key'],
      [{ providerName: 'Renamed' }, 400, ''],
    ];
    for (const [patch, status, detail] of bad) {
      const refused = await t.admin('PATCH', url(poolId, '/Corp'), patch);
      assert.equal(refused.status, status, JSON.stringify(refused.body));
      assert.ok(String(refused.body.detail).includes(detail), JSON.stringify(refused.body));
    }
    assert.deepEqual((await t.admin('GET', url(poolId, '/Corp'))).body, before);
    assertProblem(
      await t.admin('PATCH', url(poolId, '/Nobody'), { attributeMapping: {} }),
      404,
      'ResourceNotFoundException',
    );
  });
});

describe('clients and deletion', () => {
  test('SupportedIdentityProviders: COGNITO and the pool’s providers by exact name', async () => {
    const poolId = await newPool();
    assert.equal((await t.admin('POST', url(poolId), oidc('/good'))).status, 201);
    const oauth = (identityProviders: string[]) => ({
      oauth: {
        enabled: true,
        flows: ['code'],
        scopes: ['openid'],
        callbackUrls: ['https://app.example.com/cb'],
        identityProviders,
      },
    });
    const client = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'web', ...oauth(['COGNITO', 'Corp']) });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    assert.deepEqual(client.body.oauth.identityProviders, ['COGNITO', 'Corp']);
    const clientId = client.body.clientId as string;
    for (const name of ['corp', 'Google', 'Cognito'])
      assertProblem(
        await t.admin('PATCH', `/v1/pools/${poolId}/clients/${clientId}`, oauth([name])),
        400,
        'InvalidParameterException',
        `The provider ${name} does not exist for User Pool ${poolId}`,
      );
    // Another pool's provider is not this pool's.
    const other = await newPool();
    assertProblem(
      await t.admin('POST', `/v1/pools/${other}/clients`, { name: 'web', ...oauth(['Corp']) }),
      400,
      'InvalidParameterException',
      'The provider Corp does not exist',
    );
    assert.deepEqual((await t.admin('GET', `/v1/pools/${poolId}/clients/${clientId}`)).body.oauth.identityProviders, [
      'COGNITO',
      'Corp',
    ]);
  });

  test('deleting a provider: it leaves every client; its users and their identities stay', async () => {
    const poolId = await newPool();
    assert.equal(
      (await t.admin('POST', url(poolId), { ...oidc('/good'), idpIdentifiers: ['corp.example.com'] })).status,
      201,
    );
    assert.equal((await t.admin('POST', url(poolId), oidc('/good', {}, 'Keep'))).status, 201);
    const client = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
      name: 'web',
      oauth: {
        enabled: true,
        flows: ['code'],
        scopes: ['openid'],
        callbackUrls: ['https://app.example.com/cb'],
        identityProviders: ['Corp', 'Keep', 'COGNITO'],
      },
    });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    const user = await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'alice',
      temporaryPassword: 'Passw0rd!',
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const [alice] = await t.database.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.poolId, poolId), eq(users.username, 'alice')));
    const userId = alice!.id;
    await t.database.db.insert(federatedIdentities).values({
      poolId,
      providerName: 'Corp',
      subject: 'upstream-1',
      providerType: 'OIDC',
      userId,
      primary: false,
    });

    const deleted = await t.admin('DELETE', url(poolId, '/Corp'));
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    assert.deepEqual(
      (await t.admin('GET', `/v1/pools/${poolId}/clients/${client.body.clientId}`)).body.oauth.identityProviders,
      ['Keep', 'COGNITO'],
    );
    assert.deepEqual(await providerNames(poolId), ['Keep']);
    assertProblem(
      await t.admin('GET', url(poolId, '/by-identifier/corp.example.com')),
      404,
      'ResourceNotFoundException',
    );
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/alice`)).status, 200);
    const identities = await t.database.db
      .select()
      .from(federatedIdentities)
      .where(eq(federatedIdentities.poolId, poolId));
    assert.equal(identities.length, 1);
    assertProblem(await t.admin('DELETE', url(poolId, '/Corp')), 404, 'ResourceNotFoundException');
    // Made again, it is a new provider; the identifier is free.
    assert.equal(
      (await t.admin('POST', url(poolId), { ...oidc('/good'), idpIdentifiers: ['corp.example.com'] })).status,
      201,
    );
  });

  test('the admin key is needed', async () => {
    const poolId = await newPool();
    assert.equal((await t.call('GET', url(poolId))).status, 401);
    assert.equal((await t.call('POST', url(poolId), oidc('/good'))).status, 401);
    assert.deepEqual(await providerNames(poolId), []);
  });
});
