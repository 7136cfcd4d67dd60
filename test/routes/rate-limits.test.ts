import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_RATE_LIMITS, kindEnvName, LIMIT_KINDS } from '../../src/modules/rate-limits/policy.ts';
import { createPoolWithClient, PASSWORD, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

// Low limits, so the tests meet them; a window of 2 s so a test can see it pass.
const LIMITS = {
  RATE_LIMIT_SIGN_IN_PER_IP: '3',
  RATE_LIMIT_SIGN_IN_PER_TARGET: '100',
  RATE_LIMIT_SIGN_IN_WINDOW_SECONDS: '2',
  RATE_LIMIT_SIGN_UP_PER_IP: '100',
  RATE_LIMIT_SIGN_UP_PER_TARGET: '2',
  RATE_LIMIT_CODE_SEND_PER_IP: '100',
  RATE_LIMIT_CODE_SEND_PER_TARGET: '2',
  RATE_LIMIT_CODE_CHECK_PER_IP: '4',
  RATE_LIMIT_CODE_CHECK_PER_TARGET: '100',
  RATE_LIMIT_REFRESH_PER_IP: '2',
};

let t: TestApp;
let clientId: string;
before(async () => {
  t = await startTestApp(LIMITS);
  ({ clientId } = await createPoolWithClient(t, {
    autoVerifiedAttributes: ['email'],
    codePolicy: { sendsPerHour: 100 },
  }));
});
after(() => t.close());

let addresses = 0;
/** A client address of its own for each test, so their per-address counts stay apart. */
const newAddress = () => `198.51.100.${++addresses}`;

async function rest(url: string, body: unknown, from: string, token?: string) {
  const res = await t.app.inject({
    method: 'POST',
    url,
    remoteAddress: from,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
}

async function cognito(action: string, body: unknown, from: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/',
    remoteAddress: from,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

function assertRetryAfter(headers: Record<string, unknown>, max: number) {
  const seconds = Number(headers['retry-after']);
  assert.ok(
    Number.isInteger(seconds) && seconds >= 1 && seconds <= max,
    `Retry-After ${String(headers['retry-after'])}`,
  );
}

test('REST sign-in is limited per client address: 429 TooManyRequestsException with Retry-After; other addresses go on; the window passes', async () => {
  const from = newAddress();
  for (let i = 0; i < 3; i++) {
    assertProblem(
      await rest('/v1/auth/sign-in', { clientId, username: `nobody${i}`, password: PASSWORD }, from),
      401,
      'NotAuthorizedException',
    );
  }
  const limited = await rest('/v1/auth/sign-in', { clientId, username: 'nobody9', password: PASSWORD }, from);
  assertProblem(limited, 429, 'TooManyRequestsException', 'Rate exceeded');
  assertRetryAfter(limited.headers, 2);
  // Another address has its own count.
  assertProblem(
    await rest('/v1/auth/sign-in', { clientId, username: 'nobody9', password: PASSWORD }, newAddress()),
    401,
    'NotAuthorizedException',
  );
  await sleep(Number(limited.headers['retry-after']) * 1000 + 100);
  assertProblem(
    await rest('/v1/auth/sign-in', { clientId, username: 'nobody9', password: PASSWORD }, from),
    401,
    'NotAuthorizedException',
  );
});

test('the Cognito face answers {__type: TooManyRequestsException, message: Rate exceeded} with 429 and Retry-After, in the same count as REST', async () => {
  const from = newAddress();
  const initiate = (username: string) =>
    cognito(
      'InitiateAuth',
      {
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: PASSWORD },
      },
      from,
    );
  assert.equal((await initiate('ghost1')).body.__type, 'NotAuthorizedException');
  assertProblem(
    await rest('/v1/auth/sign-in', { clientId, username: 'ghost2', password: PASSWORD }, from),
    401,
    'NotAuthorizedException',
  );
  assert.equal((await initiate('ghost3')).body.__type, 'NotAuthorizedException');
  const limited = await initiate('ghost4');
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.body, { __type: 'TooManyRequestsException', message: 'Rate exceeded' });
  assert.equal(limited.headers['x-amzn-errortype'], 'TooManyRequestsException');
  assert.equal(limited.headers['content-type'], 'application/x-amz-json-1.1');
  assertRetryAfter(limited.headers, 2);
  // Refreshing is a kind of its own, with its own count.
  const refresh = () => cognito('GetTokensFromRefreshToken', { ClientId: clientId, RefreshToken: 'not-a-token' }, from);
  assert.equal((await refresh()).body.__type, 'NotAuthorizedException');
  assert.equal((await refresh()).body.__type, 'NotAuthorizedException');
  assert.equal((await refresh()).body.__type, 'TooManyRequestsException');
});

test('code sends are limited per target name and client address, for unknown and known users alike', async () => {
  const email = uniqueEmail('target');
  await signedInUser(t, clientId, 'target', { email });
  for (const username of ['target', 'no-such-user']) {
    const from = newAddress();
    assert.equal((await rest('/v1/auth/forgot-password', { clientId, username }, from)).status, 200);
    assert.equal((await cognito('ForgotPassword', { ClientId: clientId, Username: username }, from)).status, 200);
    const limited = await rest('/v1/auth/forgot-password', { clientId, username }, from);
    assertProblem(limited, 429, 'TooManyRequestsException', 'Rate exceeded');
    assertRetryAfter(limited.headers, 3600);
    const wire = await cognito('ForgotPassword', { ClientId: clientId, Username: username }, from);
    assert.deepEqual([wire.status, wire.body.__type], [429, 'TooManyRequestsException']);
    // Another address naming the same user has a count of its own (docs/limits.md).
    assert.equal((await rest('/v1/auth/forgot-password', { clientId, username }, newAddress())).status, 200);
  }
});

test('sign-up counts the username, the email and the phone number given as targets', async () => {
  const email = uniqueEmail('shared');
  const from = newAddress();
  const signUp = (username: string) =>
    rest('/v1/sign-up', { clientId, username, password: PASSWORD, userAttributes: { email } }, from);
  assert.equal((await signUp('first-of-many')).status, 201);
  assert.equal((await signUp('first-of-many')).status, 409);
  // The third sign-up naming that email is refused before it is looked at, whatever the username.
  assertProblem(await signUp('third-of-many'), 429, 'TooManyRequestsException');
  const wire = await cognito(
    'SignUp',
    { ClientId: clientId, Username: 'fourth', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] },
    from,
  );
  assert.deepEqual([wire.status, wire.body.__type], [429, 'TooManyRequestsException']);
});

test('code checks are limited per client address on both faces; a signed-in user is the target of its own code sends', async () => {
  const from = newAddress();
  assertProblem(
    await rest('/v1/sign-up/confirm', { clientId, username: 'x', confirmationCode: '123456' }, from),
    400,
    'CodeMismatchException',
  );
  assert.equal(
    (await cognito('ConfirmSignUp', { ClientId: clientId, Username: 'y', ConfirmationCode: '123456' }, from)).body
      .__type,
    'CodeMismatchException',
  );
  assertProblem(
    await rest(
      '/v1/auth/forgot-password/confirm',
      { clientId, username: 'z', confirmationCode: '123456', password: PASSWORD },
      from,
    ),
    400,
    'CodeMismatchException',
  );
  assert.equal(
    (
      await cognito(
        'ConfirmForgotPassword',
        { ClientId: clientId, Username: 'w', ConfirmationCode: '1', Password: PASSWORD },
        from,
      )
    ).body.__type,
    'CodeMismatchException',
  );
  assertProblem(
    await rest('/v1/sign-up/confirm', { clientId, username: 'v', confirmationCode: '123456' }, from),
    429,
    'TooManyRequestsException',
  );

  const tokens = await signedInUser(t, clientId, 'sender', { email: uniqueEmail('sender') });
  const send = (address: string) =>
    rest('/v1/me/attributes/email/verification-code', undefined, address, tokens.accessToken);
  assert.equal((await send(newAddress())).status, 200);
  const wire = await cognito(
    'GetUserAttributeVerificationCode',
    { AccessToken: tokens.accessToken, AttributeName: 'email' },
    newAddress(),
  );
  assert.equal(wire.status, 200, JSON.stringify(wire.body));
  assertProblem(await send(newAddress()), 429, 'TooManyRequestsException');
  const limited = await cognito(
    'GetUserAttributeVerificationCode',
    { AccessToken: tokens.accessToken, AttributeName: 'email' },
    newAddress(),
  );
  assert.deepEqual([limited.status, limited.body.__type], [429, 'TooManyRequestsException']);
});

test('RATE_LIMITS=off turns every request limit off', async () => {
  const open = await startTestApp({ ...LIMITS, RATE_LIMITS: 'off' });
  try {
    const pool = await createPoolWithClient(open);
    for (let i = 0; i < 5; i++) {
      const res = await open.app.inject({
        method: 'POST',
        url: '/v1/auth/sign-in',
        remoteAddress: '203.0.113.1',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ clientId: pool.clientId, username: `n${i}`, password: PASSWORD }),
      });
      assert.equal(res.statusCode, 401);
    }
  } finally {
    await open.close();
  }
});

async function signInVia(app: TestApp, from: string, forwardedFor?: string, client = clientId) {
  const res = await app.app.inject({
    method: 'POST',
    url: '/v1/auth/sign-in',
    remoteAddress: from,
    headers: { 'content-type': 'application/json', ...(forwardedFor && { 'x-forwarded-for': forwardedFor }) },
    payload: JSON.stringify({ clientId: client, username: 'nobody-here', password: 'Wr0ng-passw0rd!' }),
  });
  return res.statusCode;
}

test('X-Forwarded-For counts only from a trusted proxy: without TRUST_PROXY a client cannot step around its limit by naming other addresses', async () => {
  const from = newAddress();
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push(await signInVia(t, from, `203.0.113.${i + 1}`));
  assert.deepEqual(statuses, [401, 401, 401, 429]);
});

test('behind a trusted proxy (TRUST_PROXY), each forwarded client address has a limit of its own, and the proxy itself none', async () => {
  const proxied = await startTestApp({ ...LIMITS, TRUST_PROXY: '192.0.2.10' });
  try {
    const app = (await createPoolWithClient(proxied, {})).clientId;
    const proxy = '192.0.2.10';
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await signInVia(proxied, proxy, '203.0.113.7', app));
    assert.deepEqual(first, [401, 401, 401, 429]);
    // Another client behind the same proxy is not held back by the first one's count.
    assert.equal(await signInVia(proxied, proxy, '203.0.113.8', app), 401);
    // An untrusted sender's header is still ignored: its own address is what counts.
    const other = newAddress();
    const spoofed = [];
    for (let i = 0; i < 4; i++) spoofed.push(await signInVia(proxied, other, `203.0.113.${20 + i}`, app));
    assert.deepEqual(spoofed, [401, 401, 401, 429]);
  } finally {
    await proxied.close();
  }
});

describe("limits per name and address (docs/limits.md): no one can spend a user's limits from elsewhere", () => {
  // The shipped numbers, and a proxy whose X-Forwarded-For names the client, so requests come from many addresses.
  const PROXY = '192.0.2.10';
  const DEFAULTS = Object.fromEntries(
    LIMIT_KINDS.flatMap((kind) => {
      const { perIp, perTarget, windowSeconds } = DEFAULT_RATE_LIMITS.kinds[kind];
      const name = `RATE_LIMIT_${kindEnvName(kind)}`;
      return [
        [`${name}_PER_IP`, String(perIp)],
        [`${name}_PER_TARGET`, String(perTarget)],
        [`${name}_WINDOW_SECONDS`, String(windowSeconds)],
      ];
    }),
  );
  let spread: TestApp;
  let client: string;
  before(async () => {
    spread = await startTestApp({ ...DEFAULTS, TRUST_PROXY: PROXY });
    ({ clientId: client } = await createPoolWithClient(spread, {
      autoVerifiedAttributes: ['email'],
      codePolicy: { sendsPerHour: 1000 },
    }));
  });
  after(() => spread.close());

  let hosts = 0;
  const fresh = () => `203.0.113.${++hosts}`;
  const headers = (from: string, contentType: string) => ({ 'content-type': contentType, 'x-forwarded-for': from });
  async function restFrom(from: string, url: string, body: unknown) {
    const res = await spread.app.inject({
      method: 'POST',
      url,
      remoteAddress: PROXY,
      headers: headers(from, 'application/json'),
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
  }
  async function wireFrom(from: string, action: string, body: unknown) {
    const res = await spread.app.inject({
      method: 'POST',
      url: '/',
      remoteAddress: PROXY,
      headers: {
        ...headers(from, 'application/x-amz-json-1.1'),
        'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
  }
  const restSignIn = (from: string, username: string, password: string) =>
    restFrom(from, '/v1/auth/sign-in', { clientId: client, username, password });
  const wireSignIn = (from: string, username: string, password: string) =>
    wireFrom(from, 'InitiateAuth', {
      ClientId: client,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });
  const WRONG = 'Wr0ng-passw0rd!';
  const { signIn, signUp, codeSend } = DEFAULT_RATE_LIMITS.kinds;

  test("REST: more wrong sign-ins for a user than the per-target limit, from many addresses, leave the user's correct sign-in from a new address alone", async () => {
    await signedInUser(spread, client, 'besieged-rest', { email: uniqueEmail('besieged-rest') });
    // 7 addresses x 5 failures: over the limit in all, each address locked, none over its own limits.
    const attackers = Array.from({ length: Math.ceil((signIn.perTarget + 1) / 5) }, fresh);
    for (const from of attackers) {
      for (let i = 0; i < 5; i++)
        assertProblem(
          await restSignIn(from, 'besieged-rest', WRONG),
          401,
          'NotAuthorizedException',
          'Incorrect username or password.',
        );
    }
    const own = await restSignIn(fresh(), 'besieged-rest', PASSWORD);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.ok(own.body.accessToken);
  });

  test('wire: the same for InitiateAuth', async () => {
    await signedInUser(spread, client, 'besieged-wire', { email: uniqueEmail('besieged-wire') });
    const attackers = Array.from({ length: Math.ceil((signIn.perTarget + 1) / 5) }, fresh);
    for (const from of attackers) {
      for (let i = 0; i < 5; i++) {
        assert.deepEqual((await wireSignIn(from, 'besieged-wire', WRONG)).body, {
          __type: 'NotAuthorizedException',
          message: 'Incorrect username or password.',
        });
      }
    }
    const own = await wireSignIn(fresh(), 'besieged-wire', PASSWORD);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.ok(own.body.AuthenticationResult.AccessToken);
  });

  for (const face of ['rest', 'wire'] as const) {
    test(`${face === 'rest' ? 'REST' : 'wire: SignUp'}: sign-ups naming an email from many addresses do not stop its owner's sign-up from a new address`, async () => {
      const email = uniqueEmail(`claimed-${face}`);
      const register = (from: string, username: string) =>
        face === 'rest'
          ? restFrom(from, '/v1/sign-up', { clientId: client, username, password: PASSWORD, userAttributes: { email } })
          : wireFrom(from, 'SignUp', {
              ClientId: client,
              Username: username,
              Password: PASSWORD,
              UserAttributes: [{ Name: 'email', Value: email }],
            });
      for (let i = 0; i <= signUp.perTarget; i++) {
        const squat = await register(fresh(), `squatter-${face}-${i}`);
        assert.equal(squat.status, face === 'rest' ? 201 : 200, JSON.stringify(squat.body));
      }
      const own = await register(fresh(), `owner-${face}`);
      assert.equal(own.status, face === 'rest' ? 201 : 200, JSON.stringify(own.body));
    });
  }

  for (const face of ['rest', 'wire'] as const) {
    test(`${face === 'rest' ? 'REST' : 'wire: ForgotPassword'}: forgot-password requests for a user from many addresses do not stop the user's own from a new address`, async () => {
      const username = `forgetful-${face}`;
      await signedInUser(spread, client, username, { email: uniqueEmail(username) });
      const forgot = (from: string) =>
        face === 'rest'
          ? restFrom(from, '/v1/auth/forgot-password', { clientId: client, username })
          : wireFrom(from, 'ForgotPassword', { ClientId: client, Username: username });
      for (let i = 0; i <= codeSend.perTarget; i++) assert.equal((await forgot(fresh())).status, 200);
      const own = await forgot(fresh());
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.ok(face === 'rest' ? own.body.codeDeliveryDetails.destination : own.body.CodeDeliveryDetails.Destination);
    });
  }

  test('the limits still bite: one name from one address over its per-target limit, on both faces, in one count', async () => {
    const from = fresh();
    for (let i = 0; i < signIn.perTarget; i++) assert.equal((await restSignIn(from, 'one-target', WRONG)).status, 401);
    const limited = await restSignIn(from, 'one-target', WRONG);
    assertProblem(limited, 429, 'TooManyRequestsException', 'Rate exceeded');
    assertRetryAfter(limited.headers, signIn.windowSeconds);
    const wire = await wireSignIn(from, 'one-target', WRONG);
    assert.equal(wire.status, 429);
    assert.deepEqual(wire.body, { __type: 'TooManyRequestsException', message: 'Rate exceeded' });
    assert.equal(wire.headers['x-amzn-errortype'], 'TooManyRequestsException');
    // The same name from another address, and another name from this one, are counted apart.
    assert.equal((await restSignIn(fresh(), 'one-target', WRONG)).status, 401);
    assert.equal((await wireSignIn(from, 'another-target', WRONG)).status, 400);

    const email = uniqueEmail('one-target');
    const register = (username: string) =>
      restFrom(from, '/v1/sign-up', { clientId: client, username, password: PASSWORD, userAttributes: { email } });
    for (let i = 0; i < signUp.perTarget; i++) assert.equal((await register(`one-target-${i}`)).status, 201);
    assertProblem(await register('one-target-over'), 429, 'TooManyRequestsException');
    const wireSignUp = await wireFrom(from, 'SignUp', {
      ClientId: client,
      Username: 'one-target-wire',
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }],
    });
    assert.deepEqual([wireSignUp.status, wireSignUp.body.__type], [429, 'TooManyRequestsException']);

    // An IPv6 client is its /64: two addresses in one /64 share a count, another /64 has its own.
    const forgot = (address: string) =>
      wireFrom(address, 'ForgotPassword', { ClientId: client, Username: 'one-target' });
    for (let i = 0; i < codeSend.perTarget; i++)
      assert.equal((await forgot(`2001:db8:1:2::${(i % 2) + 1}`)).status, 200);
    assert.deepEqual((await forgot('2001:db8:1:2::ff')).body.__type, 'TooManyRequestsException');
    assertProblem(
      await restFrom('2001:db8:1:2::1', '/v1/auth/forgot-password', { clientId: client, username: 'one-target' }),
      429,
      'TooManyRequestsException',
    );
    assert.equal((await forgot('2001:db8:1:3::1')).status, 200);
  });

  test('the limits still bite: one address over its per-address limit, whatever names it uses', async () => {
    const from = fresh();
    for (let i = 0; i < codeSend.perIp; i++) {
      assert.equal(
        (await restFrom(from, '/v1/auth/forgot-password', { clientId: client, username: `name-${i}` })).status,
        200,
      );
    }
    assertProblem(
      await restFrom(from, '/v1/auth/forgot-password', { clientId: client, username: 'name-over' }),
      429,
      'TooManyRequestsException',
    );
    const wire = await wireFrom(from, 'ForgotPassword', { ClientId: client, Username: 'name-over-wire' });
    assert.deepEqual([wire.status, wire.body.__type], [429, 'TooManyRequestsException']);
    assert.equal(
      (await restFrom(fresh(), '/v1/auth/forgot-password', { clientId: client, username: 'name-over' })).status,
      200,
    );
  });
});
