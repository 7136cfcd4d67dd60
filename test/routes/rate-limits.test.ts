import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
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
  ({ clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'], codePolicy: { sendsPerHour: 100 } }));
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
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

function assertRetryAfter(headers: Record<string, unknown>, max: number) {
  const seconds = Number(headers['retry-after']);
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= max, `Retry-After ${String(headers['retry-after'])}`);
}

test('REST sign-in is limited per client address: 429 TooManyRequestsException with Retry-After; other addresses go on; the window passes', async () => {
  const from = newAddress();
  for (let i = 0; i < 3; i++) {
    assertProblem(await rest('/v1/auth/sign-in', { clientId, username: `nobody${i}`, password: PASSWORD }, from), 401, 'NotAuthorizedException');
  }
  const limited = await rest('/v1/auth/sign-in', { clientId, username: 'nobody9', password: PASSWORD }, from);
  assertProblem(limited, 429, 'TooManyRequestsException', 'Rate exceeded');
  assertRetryAfter(limited.headers, 2);
  // Another address has its own count.
  assertProblem(await rest('/v1/auth/sign-in', { clientId, username: 'nobody9', password: PASSWORD }, newAddress()), 401, 'NotAuthorizedException');
  await sleep(Number(limited.headers['retry-after']) * 1000 + 100);
  assertProblem(await rest('/v1/auth/sign-in', { clientId, username: 'nobody9', password: PASSWORD }, from), 401, 'NotAuthorizedException');
});

test('the Cognito face answers {__type: TooManyRequestsException, message: Rate exceeded} with 429 and Retry-After, in the same count as REST', async () => {
  const from = newAddress();
  const initiate = (username: string) =>
    cognito('InitiateAuth', { ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: PASSWORD } }, from);
  assert.equal((await initiate('ghost1')).body.__type, 'NotAuthorizedException');
  assertProblem(await rest('/v1/auth/sign-in', { clientId, username: 'ghost2', password: PASSWORD }, from), 401, 'NotAuthorizedException');
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

test('code sends are limited per target address whatever the client address, for unknown and known users alike', async () => {
  const email = uniqueEmail('target');
  await signedInUser(t, clientId, 'target', { email });
  for (const username of ['target', 'no-such-user']) {
    assert.equal((await rest('/v1/auth/forgot-password', { clientId, username }, newAddress())).status, 200);
    assert.equal((await cognito('ForgotPassword', { ClientId: clientId, Username: username }, newAddress())).status, 200);
    const limited = await rest('/v1/auth/forgot-password', { clientId, username }, newAddress());
    assertProblem(limited, 429, 'TooManyRequestsException', 'Rate exceeded');
    assertRetryAfter(limited.headers, 3600);
    const wire = await cognito('ForgotPassword', { ClientId: clientId, Username: username }, newAddress());
    assert.deepEqual([wire.status, wire.body.__type], [429, 'TooManyRequestsException']);
  }
  // Another name is another target; the count is kept per app client too.
  assert.equal((await rest('/v1/auth/forgot-password', { clientId, username: 'someone-else' }, newAddress())).status, 200);
});

test('sign-up counts the username, the email and the phone number given as targets', async () => {
  const email = uniqueEmail('shared');
  const signUp = (username: string) => rest('/v1/sign-up', { clientId, username, password: PASSWORD, userAttributes: { email } }, newAddress());
  assert.equal((await signUp('first-of-many')).status, 201);
  assert.equal((await signUp('first-of-many')).status, 409);
  // The third sign-up naming that email is refused before it is looked at, whatever the username.
  assertProblem(await signUp('third-of-many'), 429, 'TooManyRequestsException');
  const wire = await cognito('SignUp', { ClientId: clientId, Username: 'fourth', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }, newAddress());
  assert.deepEqual([wire.status, wire.body.__type], [429, 'TooManyRequestsException']);
});

test('code checks are limited per client address on both faces; a signed-in user is the target of its own code sends', async () => {
  const from = newAddress();
  assertProblem(await rest('/v1/sign-up/confirm', { clientId, username: 'x', confirmationCode: '123456' }, from), 400, 'CodeMismatchException');
  assert.equal((await cognito('ConfirmSignUp', { ClientId: clientId, Username: 'y', ConfirmationCode: '123456' }, from)).body.__type, 'CodeMismatchException');
  assertProblem(await rest('/v1/auth/forgot-password/confirm', { clientId, username: 'z', confirmationCode: '123456', password: PASSWORD }, from), 400, 'CodeMismatchException');
  assert.equal((await cognito('ConfirmForgotPassword', { ClientId: clientId, Username: 'w', ConfirmationCode: '1', Password: PASSWORD }, from)).body.__type, 'CodeMismatchException');
  assertProblem(await rest('/v1/sign-up/confirm', { clientId, username: 'v', confirmationCode: '123456' }, from), 429, 'TooManyRequestsException');

  const tokens = await signedInUser(t, clientId, 'sender', { email: uniqueEmail('sender') });
  const send = (address: string) => rest('/v1/me/attributes/email/verification-code', undefined, address, tokens.accessToken);
  assert.equal((await send(newAddress())).status, 200);
  const wire = await cognito('GetUserAttributeVerificationCode', { AccessToken: tokens.accessToken, AttributeName: 'email' }, newAddress());
  assert.equal(wire.status, 200, JSON.stringify(wire.body));
  assertProblem(await send(newAddress()), 429, 'TooManyRequestsException');
  const limited = await cognito('GetUserAttributeVerificationCode', { AccessToken: tokens.accessToken, AttributeName: 'email' }, newAddress());
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
