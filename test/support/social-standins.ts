import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';

/**
 * Local stand-ins of Google, Facebook, Login with Amazon and Sign in with Apple: real HTTP servers
 * on 127.0.0.1 that speak the part of each provider's protocol a Cognito-style sign-in uses, sign
 * in one configured user without a page, and record every request so tests can check what was sent
 * (client secret, PKCE, state, nonce, redirect_uri).
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The form body (token requests, Apple's). */
  form: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

/** What the authorize endpoint was asked, for the code it gave. */
interface Grant {
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  user: Record<string, unknown>;
}

export type ProfileFault = 'none' | 'status' | 'not-json' | 'too-large' | 'slow' | 'no-subject';

export interface SocialStandIn {
  type: 'Google' | 'Facebook' | 'LoginWithAmazon' | 'SignInWithApple';
  /** `http://127.0.0.1:<port>` */
  url: string;
  clientId: string;
  /** Google, Facebook, Amazon: the secret the token endpoint wants. Apple: none (a signed JWT instead). */
  clientSecret: string;
  /** The user the next authorization signs in (the provider's own attribute names). */
  user: Record<string, unknown>;
  /** ProviderDetails that point a provider of this type at the stand-in (client id and secret included). */
  providerDetails: Record<string, string>;
  requests: RecordedRequest[];
  /** The requests to one path (e.g. '/token'). */
  requestsTo(path: string): RecordedRequest[];
  /** The authorize endpoint answers error=access_denied (the user said no). */
  refuse: boolean;
  /** Every connection is dropped at once (the provider is down). */
  down: boolean;
  /** How the profile / userinfo endpoint misbehaves. */
  profileFault: ProfileFault;
  /** Issues a code for `user` as the authorize endpoint would (for tests that skip the browser). */
  issueCode(grant?: Partial<Grant>): string;
  /** An access token the profile endpoint takes, for `user`. */
  issueAccessToken(user?: Record<string, unknown>): string;
  close(): Promise<void>;
}

export interface AppleStandIn extends SocialStandIn {
  teamId: string;
  keyId: string;
  /** The PKCS#8 PEM (.p8 text) of the key the client secret must be signed with. */
  privateKeyPem: string;
  /** Verified client secrets, decoded (header and payload), oldest first. */
  clientSecrets: { header: Record<string, unknown>; payload: Record<string, unknown> }[];
  /** Subjects that signed in already: Apple posts `user` the first time only. */
  seen: Set<string>;
}

const token = (bytes = 24) => randomBytes(bytes).toString('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The client's credentials from Basic auth or the form (client_secret_basic / client_secret_post). */
function clientCredentials(req: RecordedRequest) {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    return {
      clientId: decodeURIComponent(decoded.slice(0, at)),
      clientSecret: decodeURIComponent(decoded.slice(at + 1)),
      method: 'basic' as const,
    };
  }
  return {
    clientId: req.form.client_id ?? req.query.client_id,
    clientSecret: req.form.client_secret ?? req.query.client_secret,
    method: 'post' as const,
  };
}

function bearer(req: RecordedRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer /i.test(auth)) return auth.slice(7);
  return req.query.access_token;
}

interface Behaviour {
  type: SocialStandIn['type'];
  paths: { authorize: string; token: string; profile: string; jwks?: string };
  /** Apple: answer the authorization with an auto-submitting form (response_mode=form_post). */
  formPost?: boolean;
  /** The token endpoint's answer for a grant (an ID token for OIDC types). */
  tokenAnswer(grant: Grant, accessToken: string): Promise<Record<string, unknown>>;
  /** Checks the client's credentials at the token endpoint; an error description when wrong. */
  checkClient(req: RecordedRequest, grant: Grant): Promise<string | undefined>;
  /** The profile endpoint's answer for the token's user. */
  profile(user: Record<string, unknown>, req: RecordedRequest): Record<string, unknown>;
  subjectOf(user: Record<string, unknown>): string;
  /** Extra routes (discovery). */
  extra?(req: RecordedRequest, res: ServerResponse): boolean;
}

async function startStandIn(
  behaviour: Behaviour,
  init: { clientId: string; clientSecret: string; user: Record<string, unknown> },
): Promise<{ standIn: SocialStandIn; grants: Map<string, Grant> }> {
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, Record<string, unknown>>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: String(error) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (standIn.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', standIn.url);
    const body = await readBody(req);
    const isForm = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form: isForm ? Object.fromEntries(new URLSearchParams(body)) : {},
      headers: req.headers,
    };
    standIn.requests.push(recorded);
    if (behaviour.extra?.(recorded, res)) return;
    const { paths } = behaviour;
    if (url.pathname === paths.authorize && req.method === 'GET') return authorize(recorded, res);
    if (url.pathname === paths.token) return exchange(recorded, res);
    if (url.pathname === paths.profile) return profile(recorded, res);
    json(res, 404, { error: 'not_found' });
  }

  function authorize(req: RecordedRequest, res: ServerResponse) {
    const q = req.query;
    if (q.client_id !== standIn.clientId || !q.redirect_uri || q.response_type !== 'code') {
      json(res, 400, { error: 'invalid_request', error_description: 'client_id, redirect_uri and response_type=code' });
      return;
    }
    const members: Record<string, string> = standIn.refuse
      ? { error: 'access_denied', error_description: 'The user denied the request.' }
      : {
          code: standIn.issueCode({
            clientId: q.client_id,
            redirectUri: q.redirect_uri,
            scope: q.scope ?? '',
            nonce: q.nonce,
            codeChallenge: q.code_challenge,
            codeChallengeMethod: q.code_challenge_method,
          }),
        };
    if (q.state !== undefined) members.state = q.state;
    if (behaviour.formPost && q.response_mode === 'form_post') {
      const subject = behaviour.subjectOf(standIn.user);
      const apple = standIn as AppleStandIn;
      // Apple posts the user's name and email once, on the first authorization, when asked for them.
      if (!standIn.refuse && !apple.seen.has(subject) && /\b(name|email)\b/.test(q.scope ?? '')) {
        apple.seen.add(subject);
        const name = standIn.user.name as { firstName?: string; lastName?: string } | undefined;
        members.user = JSON.stringify({ ...(name && { name }), email: standIn.user.email });
      }
      const inputs = Object.entries(members)
        .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
        .join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html><body onload="document.forms[0].submit()"><form id="apple" method="post" action="${escapeHtml(q.redirect_uri)}">${inputs}</form></body></html>`,
      );
      return;
    }
    const target = new URL(q.redirect_uri);
    for (const [k, v] of Object.entries(members)) target.searchParams.set(k, v);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  async function exchange(req: RecordedRequest, res: ServerResponse) {
    const params = { ...req.query, ...req.form };
    if (params.grant_type !== 'authorization_code' && behaviour.type !== 'Facebook') {
      json(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    const grant = params.code ? grants.get(params.code) : undefined;
    if (!grant) {
      json(res, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
      return;
    }
    grants.delete(params.code!); // single use
    if (params.redirect_uri !== grant.redirectUri) {
      json(res, 400, {
        error: 'invalid_grant',
        error_description: `redirect_uri differs from the authorization (${params.redirect_uri} vs ${grant.redirectUri})`,
      });
      return;
    }
    const problem = await behaviour.checkClient(req, grant);
    if (problem) {
      json(res, 401, { error: 'invalid_client', error_description: problem });
      return;
    }
    if (grant.codeChallenge) {
      const verifier = params.code_verifier ?? '';
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (grant.codeChallengeMethod !== 'S256' || computed !== grant.codeChallenge) {
        json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        return;
      }
    }
    const accessToken = standIn.issueAccessToken(grant.user);
    json(res, 200, await behaviour.tokenAnswer(grant, accessToken), { 'cache-control': 'no-store' });
  }

  async function profile(req: RecordedRequest, res: ServerResponse) {
    const user = tokens.get(bearer(req) ?? '');
    const fault = standIn.profileFault;
    if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, 3_000));
    if (!user || fault === 'status') {
      json(res, fault === 'status' ? 500 : 401, {
        error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 },
      });
      return;
    }
    if (fault === 'not-json') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
      return;
    }
    if (fault === 'too-large') {
      json(res, 200, { ...behaviour.profile(user, req), padding: 'x'.repeat(200_000) });
      return;
    }
    const answer = behaviour.profile(user, req);
    if (fault === 'no-subject') {
      delete answer.id;
      delete answer.user_id;
      delete answer.sub;
    }
    json(res, 200, answer);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const standIn: SocialStandIn = {
    type: behaviour.type,
    url: `http://127.0.0.1:${port}`,
    clientId: init.clientId,
    clientSecret: init.clientSecret,
    user: init.user,
    providerDetails: {},
    requests: [],
    requestsTo: (path) => standIn.requests.filter((r) => r.path === path),
    refuse: false,
    down: false,
    profileFault: 'none',
    issueCode(grant = {}) {
      const code = token();
      grants.set(code, {
        clientId: standIn.clientId,
        redirectUri: 'http://app.test/cb',
        scope: '',
        nonce: undefined,
        codeChallenge: undefined,
        codeChallengeMethod: undefined,
        user: structuredClone(standIn.user),
        ...grant,
      });
      return code;
    },
    issueAccessToken(user = standIn.user) {
      const accessToken = token();
      tokens.set(accessToken, structuredClone(user));
      return accessToken;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return { standIn, grants };
}

/** An RS256 key pair and its JWKS, as Google and Apple sign ID tokens. */
async function idTokenSigner() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = token(8);
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    sign: (claims: Record<string, unknown>, issuer: string, audience: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
  };
}

function discovery(standIn: SocialStandIn, issuer: string, paths: Behaviour['paths']) {
  return {
    issuer,
    authorization_endpoint: `${standIn.url}${paths.authorize}`,
    token_endpoint: `${standIn.url}${paths.token}`,
    userinfo_endpoint: `${standIn.url}${paths.profile}`,
    jwks_uri: `${standIn.url}${paths.jwks}`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
  };
}

const checkSecret = async (standIn: SocialStandIn, req: RecordedRequest, grant: Grant) => {
  const { clientId, clientSecret } = clientCredentials(req);
  if (clientId !== grant.clientId) return 'client_id differs from the authorization';
  if (clientSecret !== standIn.clientSecret) return 'wrong client secret';
  return undefined;
};

/**
 * Google: OIDC with discovery at the stand-in's URL (its issuer), an RS256 ID token (sub, email,
 * email_verified, name, given_name, family_name, picture, nonce) and the OIDC userinfo endpoint.
 */
export async function startGoogleStandIn(user: Record<string, unknown> = {}): Promise<SocialStandIn> {
  const signer = await idTokenSigner();
  const paths = { authorize: '/o/oauth2/v2/auth', token: '/token', profile: '/v1/userinfo', jwks: '/oauth2/v3/certs' };
  const { standIn } = await startStandIn(
    {
      type: 'Google',
      paths,
      checkClient: (req, grant) => checkSecret(standIn, req, grant),
      subjectOf: (u) => String(u.sub),
      async tokenAnswer(grant, accessToken) {
        const { sub, email, email_verified, name, given_name, family_name, picture } = grant.user;
        const idToken = await signer.sign(
          {
            sub,
            email,
            email_verified,
            name,
            given_name,
            family_name,
            picture,
            ...(grant.nonce && { nonce: grant.nonce }),
          },
          standIn.url,
          grant.clientId,
        );
        return {
          access_token: accessToken,
          expires_in: 3599,
          token_type: 'Bearer',
          scope: grant.scope,
          id_token: idToken,
        };
      },
      profile: (u) => ({ ...u }),
      extra(req, res) {
        if (req.path === '/.well-known/openid-configuration') json(res, 200, discovery(standIn, standIn.url, paths));
        else if (req.path === paths.jwks) json(res, 200, signer.jwks);
        else return false;
        return true;
      },
    },
    {
      clientId: `${token(6)}.apps.googleusercontent.com`,
      clientSecret: token(),
      user: {
        sub: '110169484474386276334',
        email: 'ada@gmail.example',
        email_verified: true,
        name: 'Ada Lovelace',
        given_name: 'Ada',
        family_name: 'Lovelace',
        picture: 'https://lh3.googleusercontent.example/a/ada',
        ...user,
      },
    },
  );
  standIn.providerDetails = {
    client_id: standIn.clientId,
    client_secret: standIn.clientSecret,
    authorize_scopes: 'openid email profile',
    oidc_issuer: standIn.url,
    authorize_url: `${standIn.url}${paths.authorize}`,
    token_url: `${standIn.url}${paths.token}`,
    attributes_url: `${standIn.url}${paths.profile}`,
    jwks_uri: `${standIn.url}${paths.jwks}`,
  };
  return standIn;
}

/**
 * Facebook: OAuth 2.0 without an ID token. dialog/oauth → code; oauth/access_token (GET or POST,
 * the secret in the query or form) → an access token; Graph `me?fields=…` answers exactly the fields
 * asked for, `picture` as Graph nests it ({data: {url}}).
 */
export async function startFacebookStandIn(user: Record<string, unknown> = {}): Promise<SocialStandIn> {
  const version = 'v17.0';
  const paths = {
    authorize: `/${version}/dialog/oauth`,
    token: `/${version}/oauth/access_token`,
    profile: `/${version}/me`,
  };
  const { standIn } = await startStandIn(
    {
      type: 'Facebook',
      paths,
      checkClient: (req, grant) => checkSecret(standIn, req, grant),
      subjectOf: (u) => String(u.id),
      tokenAnswer: async (_grant, accessToken) => ({
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: 5183944,
      }),
      profile(u, req) {
        const fields = (req.query.fields ?? 'id,name').split(',').filter(Boolean);
        const answer: Record<string, unknown> = {};
        for (const field of fields) {
          if (field === 'picture' && typeof u.picture === 'string')
            answer.picture = { data: { height: 50, is_silhouette: false, url: u.picture, width: 50 } };
          else if (field in u) answer[field] = u[field];
        }
        return answer;
      },
    },
    {
      clientId: String(100000000000000 + Math.floor(Math.random() * 1e9)),
      clientSecret: token(16),
      user: {
        id: '10224537838273659',
        name: 'Grace Hopper',
        first_name: 'Grace',
        last_name: 'Hopper',
        email: 'grace@facebook.example',
        picture: 'https://platform-lookaside.fbsbx.example/platform/profilepic/?asid=10224537838273659',
        birthday: '12/09/1906',
        ...user,
      },
    },
  );
  standIn.providerDetails = {
    client_id: standIn.clientId,
    client_secret: standIn.clientSecret,
    authorize_scopes: 'public_profile,email',
    api_version: version,
    authorize_url: `${standIn.url}${paths.authorize}`,
    token_url: `${standIn.url}${paths.token}`,
    attributes_url: `${standIn.url}${paths.profile}?fields=`,
  };
  return standIn;
}

/** Login with Amazon: OAuth 2.0 without an ID token. ap/oa → code; auth/o2/token; user/profile. */
export async function startAmazonStandIn(user: Record<string, unknown> = {}): Promise<SocialStandIn> {
  const paths = { authorize: '/ap/oa', token: '/auth/o2/token', profile: '/user/profile' };
  const { standIn } = await startStandIn(
    {
      type: 'LoginWithAmazon',
      paths,
      checkClient: (req, grant) => checkSecret(standIn, req, grant),
      subjectOf: (u) => String(u.user_id),
      tokenAnswer: async (_grant, accessToken) => ({
        access_token: accessToken,
        refresh_token: `Atzr|${token()}`,
        token_type: 'bearer',
        expires_in: 3600,
      }),
      profile: (u) => ({ ...u }),
    },
    {
      clientId: `amzn1.application-oa2-client.${token(8)}`,
      clientSecret: token(),
      user: {
        user_id: 'amzn1.account.AFJ3EXAMPLE2WQN7IOGGAI',
        name: 'Katherine Johnson',
        email: 'katherine@amazon.example',
        postal_code: '23666',
        ...user,
      },
    },
  );
  standIn.providerDetails = {
    client_id: standIn.clientId,
    client_secret: standIn.clientSecret,
    authorize_scopes: 'profile postal_code',
    authorize_url: `${standIn.url}${paths.authorize}`,
    token_url: `${standIn.url}${paths.token}`,
    attributes_url: `${standIn.url}${paths.profile}`,
  };
  return standIn;
}

/**
 * Sign in with Apple: auth/authorize with response_mode=form_post answers an auto-submitting form
 * that posts code, state and (first time only) `user` to redirect_uri; auth/token takes only a
 * client secret that is an ES256 JWT signed with the team's key (kid, iss = team id, sub = the
 * Services ID, aud = https://appleid.apple.com, short-lived) and answers an RS256 ID token (sub,
 * email, email_verified, is_private_email, nonce); auth/keys is the JWKS. No userinfo endpoint.
 */
export async function startAppleStandIn(user: Record<string, unknown> = {}): Promise<AppleStandIn> {
  const signer = await idTokenSigner();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const privateKeyPem = await exportPKCS8(privateKey);
  const paths = { authorize: '/auth/authorize', token: '/auth/token', profile: '/no-userinfo', jwks: '/auth/keys' };
  const teamId = 'A1B2C3D4E5';
  const keyId = 'K9Y8X7W6V5';
  const clientSecrets: AppleStandIn['clientSecrets'] = [];
  const { standIn } = await startStandIn(
    {
      type: 'SignInWithApple',
      paths,
      formPost: true,
      subjectOf: (u) => String(u.sub),
      async checkClient(req, grant) {
        const { clientId, clientSecret } = clientCredentials(req);
        if (clientId !== grant.clientId) return 'client_id differs from the authorization';
        return verifyClientSecret(clientSecret ?? '', publicKey, { teamId, keyId, clientId }, clientSecrets);
      },
      async tokenAnswer(grant, accessToken) {
        const { sub, email, email_verified, is_private_email } = grant.user;
        const idToken = await signer.sign(
          {
            sub,
            email,
            email_verified,
            is_private_email,
            auth_time: Math.floor(Date.now() / 1000),
            nonce_supported: true,
            ...(grant.nonce && { nonce: grant.nonce }),
          },
          apple.issuer,
          grant.clientId,
        );
        return {
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: token(),
          id_token: idToken,
        };
      },
      profile: () => ({}),
      extra(req, res) {
        if (req.path === '/.well-known/openid-configuration') {
          const { userinfo_endpoint: _none, ...rest } = discovery(standIn, apple.issuer, paths);
          json(res, 200, { ...rest, response_modes_supported: ['query', 'fragment', 'form_post'] });
        } else if (req.path === paths.jwks) json(res, 200, signer.jwks);
        else if (req.path === paths.profile) json(res, 404, { error: 'not_found' });
        else return false;
        return true;
      },
    },
    {
      clientId: 'com.example.cognate.signin',
      clientSecret: '',
      user: {
        sub: '001234.0f1e2d3c4b5a69788796a5b4c3d2e1f0.1234',
        email: 'mary@privaterelay.appleid.example',
        email_verified: 'true',
        is_private_email: 'true',
        name: { firstName: 'Mary', lastName: 'Jackson' },
        ...user,
      },
    },
  );
  const apple = Object.assign(standIn, {
    teamId,
    keyId,
    privateKeyPem,
    clientSecrets,
    seen: new Set<string>(),
    /** The ID tokens' issuer: the stand-in's URL, so discovery at oidc_issuer finds it. */
    issuer: standIn.url,
  }) as AppleStandIn & { issuer: string };
  apple.providerDetails = {
    client_id: apple.clientId,
    team_id: teamId,
    key_id: keyId,
    private_key: privateKeyPem,
    authorize_scopes: 'email name',
    oidc_issuer: apple.url,
    authorize_url: `${apple.url}${paths.authorize}`,
    token_url: `${apple.url}${paths.token}`,
    jwks_uri: `${apple.url}${paths.jwks}`,
  };
  return apple;
}

/** Apple's checks of a client secret; a description of the first failure, undefined when it is good. */
async function verifyClientSecret(
  secret: string,
  publicKey: CryptoKey,
  expected: { teamId: string; keyId: string; clientId: string },
  seen: AppleStandIn['clientSecrets'],
): Promise<string | undefined> {
  try {
    const { payload, protectedHeader } = await jwtVerify(secret, publicKey, {
      algorithms: ['ES256'],
      issuer: expected.teamId,
      subject: expected.clientId,
      audience: 'https://appleid.apple.com',
      requiredClaims: ['iat', 'exp'],
    });
    if (protectedHeader.kid !== expected.keyId) return 'kid is not the key id';
    if (payload.exp! - payload.iat! > 15_777_000) return 'the secret lives longer than six months';
    seen.push({ header: { ...protectedHeader }, payload: { ...payload } });
    return undefined;
  } catch (error) {
    return `client secret refused: ${(error as Error).message}`;
  }
}
