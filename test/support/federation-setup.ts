/**
 * Federation's test parts (docs/federation.md): a second Cognate, in its own process with its own
 * database, as the upstream OpenID Connect provider; a browser for its pages driven over HTTP;
 * a fake provider that answers wrongly on purpose; and the downstream's provider set-up through
 * the admin API.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import type { Database } from '../../src/db/client.ts';
import { ADMIN_KEY, GENEROUS_RATE_LIMITS, PASSWORD, type TestApp } from './app.ts';
import { onPostgres, openScratchPostgres, seededDataDir } from './database.ts';
import { formsOf } from './page-client.ts';
import { databaseUrl, freePort, startServerProcess, type ServerProcess } from './server-process.ts';

export const UPSTREAM_CLIENT_SECRET = 'UpstreamSecret_0123456789abcdef';

export interface Upstream {
  server: ServerProcess;
  /** http://127.0.0.1:<port>: its PUBLIC_URL, so its issuer is reachable as it names itself. */
  base: string;
  poolId: string;
  clientId: string;
  /** The issuer of its pool: `<base>/<poolId>`, where discovery starts. */
  issuer: string;
  admin(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A CONFIRMED user with PASSWORD and these attributes; returns its sub. */
  createUser(username: string, attributes: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

/** A Cognate process with one pool and one confidential OAuth client whose callbacks are `callbackUrls`. */
export async function startUpstream(callbackUrls: string[]): Promise<Upstream> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let database: Database | undefined;
  let dataDir: string | undefined;
  // Its own database: a scratch one on the PostgreSQL server, else an embedded one in a scratch folder.
  if (onPostgres) {
    database = await openScratchPostgres('cognate_upstream', 4);
    await database.migrate();
  } else dataDir = await seededDataDir('cognate-upstream-');
  const server = await startServerProcess(
    {
      ...GENEROUS_RATE_LIMITS,
      ...(database ? { DATABASE_URL: databaseUrl(database) } : { DATA_DIR: dataDir! }),
      PORT: String(port),
      PUBLIC_URL: base,
      ADMIN_API_KEY: ADMIN_KEY,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    },
    60_000,
  );
  const admin = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const pool = await admin('POST', '/v1/pools', { name: 'upstream' });
  if (pool.status !== 201) throw new Error(`upstream pool: ${JSON.stringify(pool.body)}`);
  const poolId = pool.body.id as string;
  const client = await admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'downstream',
    clientSecret: UPSTREAM_CLIENT_SECRET,
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email', 'profile'],
      callbackUrls,
      identityProviders: ['COGNITO'],
    },
  });
  if (client.status !== 201) throw new Error(`upstream client: ${JSON.stringify(client.body)}`);
  return {
    server,
    base,
    poolId,
    clientId: client.body.clientId,
    issuer: `${base}/${poolId}`,
    admin,
    async createUser(username, attributes) {
      const created = await admin('POST', `/v1/pools/${poolId}/users`, {
        username,
        userAttributes: attributes,
        messageAction: 'SUPPRESS',
        temporaryPassword: PASSWORD,
      });
      if (created.status !== 201) throw new Error(`upstream user: ${JSON.stringify(created.body)}`);
      const set = await admin('POST', `/v1/pools/${poolId}/users/${encodeURIComponent(username)}/password`, {
        password: PASSWORD,
        permanent: true,
      });
      if (set.status >= 300) throw new Error(`upstream password: ${JSON.stringify(set.body)}`);
      const got = await admin('GET', `/v1/pools/${poolId}/users/${encodeURIComponent(username)}`);
      return (got.body.attributes?.sub ?? got.body.userAttributes?.sub ?? got.body.sub) as string;
    },
    async close() {
      await server.kill();
      await database?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A browser for the upstream's pages over real HTTP (its own cookie jar): from the provider's
 * authorization URL through its login page to the redirect that leaves it (the downstream's
 * /oauth2/idpresponse with code and state).
 */
export function upstreamBrowser(upstream: Pick<Upstream, 'base'> & { server?: ServerProcess }) {
  const jar = new Map<string, string>();
  async function request(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie && { cookie }),
        ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(form && { body: new URLSearchParams(form).toString() }),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1).trim();
      if (/max-age=0\b/i.test(line) || value === '') jar.delete(pair.slice(0, at).trim());
      else jar.set(pair.slice(0, at).trim(), value);
    }
    const location = res.headers.get('location');
    return {
      status: res.status,
      body: await res.text(),
      location: location ? new URL(location, url).toString() : undefined,
    };
  }
  /** Follows redirects within the upstream; answers the page it stops on or the URL that leaves it. */
  async function follow(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    let res = await request(method, url, form);
    let current = url;
    while (res.location && res.location.startsWith(upstream.base)) {
      current = res.location;
      res = await request('GET', current);
    }
    return { ...res, url: current };
  }
  return {
    jar,
    /** Signs in on the upstream's login page when it shows one; returns where the upstream sends the browser. */
    async signIn(authorizeUrl: string, username: string, password = PASSWORD): Promise<string> {
      let res = await follow('GET', authorizeUrl);
      if (res.status === 200) {
        const form = formsOf(res.body).find((f) => f.id === 'sign-in');
        if (!form) throw new Error(`no sign-in form at ${res.url}: ${res.body.slice(0, 500)}`);
        res = await follow('POST', new URL(form.action, res.url).toString(), { ...form.values, username, password });
      }
      if (!res.location)
        throw new Error(
          `the upstream did not send the browser back (${res.status}) from ${res.url}: ${res.body.slice(0, 300)}\n${upstream.server?.output().slice(-3000) ?? ''}`,
        );
      return res.location;
    },
  };
}

/** The downstream's OIDC provider through the admin API (A's CreateIdentityProvider). */
export async function createOidcProvider(
  t: TestApp,
  poolId: string,
  input: {
    providerName: string;
    issuer: string;
    clientId: string;
    clientSecret?: string;
    attributeMapping?: Record<string, string>;
    idpIdentifiers?: string[];
    details?: Record<string, string>;
  },
) {
  const res = await t.admin('POST', `/v1/pools/${poolId}/identity-providers`, {
    providerName: input.providerName,
    providerType: 'OIDC',
    providerDetails: {
      client_id: input.clientId,
      client_secret: input.clientSecret ?? UPSTREAM_CLIENT_SECRET,
      oidc_issuer: input.issuer,
      authorize_scopes: 'openid email profile',
      attributes_request_method: 'GET',
      ...input.details,
    },
    attributeMapping: input.attributeMapping ?? { email: 'email', name: 'name' },
    ...(input.idpIdentifiers && { idpIdentifiers: input.idpIdentifiers }),
  });
  if (res.status !== 201) throw new Error(`identity provider: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export type FakeMode = 'ok' | 'bad-signature' | 'wrong-nonce' | 'wrong-audience' | 'cut' | 'refuse';

/**
 * An OIDC provider that answers wrongly on purpose, for the checks a real one never fails:
 * an ID token signed with a key not in its JWKS, of another nonce or audience, a token endpoint
 * that cuts the connection or answers invalid_grant. `nonce` is the one the test saw sent.
 */
export async function startFakeProvider(clientId: string) {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  /** `nonces`: the nonce to sign for a code (concurrent sign-ins), else `nonce`. */
  const state = { mode: 'ok' as FakeMode, nonce: '', nonces: new Map<string, string>(), tokenCalls: 0 };
  const formOf = async (req: http.IncomingMessage) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    return new URLSearchParams(body);
  };
  let base = '';
  const sign = (claims: Record<string, unknown>, signer: KeyObject) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(signer);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration')
      return json(200, {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        userinfo_endpoint: `${base}/userinfo`,
        jwks_uri: `${base}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/userinfo') return json(200, { sub: 'fake-subject', email: 'fake@example.com' });
    if (url.pathname === '/token') {
      state.tokenCalls++;
      const code = (await formOf(req)).get('code') ?? '';
      if (state.mode === 'cut') return req.socket.destroy();
      if (state.mode === 'refuse')
        return json(400, { error: 'invalid_grant', error_description: 'The code is not valid.' });
      const idToken = await sign(
        {
          iss: base,
          sub: 'fake-subject',
          aud: state.mode === 'wrong-audience' ? 'someone-else' : clientId,
          nonce: state.mode === 'wrong-nonce' ? 'not-the-nonce' : (state.nonces.get(code) ?? state.nonce),
          email: 'fake@example.com',
        },
        state.mode === 'bad-signature' ? other.privateKey : key.privateKey,
      );
      return json(200, {
        access_token: randomBytes(16).toString('hex'),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken,
      });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * /oauth2/idpresponse's answer read as the redirect it stands for: it answers 200 with a page that
 * sends the browser on (docs/federation.md, "Security"), whose meta refresh becomes `location`
 * and the status 302. Anything else is returned as it is.
 */
export function asRedirect<T extends { status: number; body: string; location?: string | undefined }>(res: T): T {
  const match = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(res.body);
  if (res.status !== 200 || !match) return res;
  const location = match[1]!.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (e) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" })[e]!,
  );
  return { ...res, status: 302, location };
}
