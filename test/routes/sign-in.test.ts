import assert from 'node:assert/strict';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { after, before, test } from 'node:test';
import { PASSWORD, createPoolWithClient, decodeJwt, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import {
  assertProblem,
  attributesOf,
  eventually,
  mailsTo,
  newCodeFor,
  otherCode,
  signIn,
  signUp,
  smsTo,
  uniqueEmail,
  uniquePhone,
  updateAttributes,
} from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const emailPool = { autoVerifiedAttributes: ['email'] };
const ISSUER = (poolId: string) => `http://cognate.test/${poolId}`;

/** Verifies an RS256 JWT with node:crypto against the pool's published JWKS; returns its claims. */
async function verifyWithJwks(poolId: string, token: string): Promise<Record<string, any>> {
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  const header = JSON.parse(Buffer.from(headerPart!, 'base64url').toString('utf8'));
  assert.equal(header.alg, 'RS256');
  assert.equal(typeof header.kid, 'string');
  const jwks = await t.call('GET', `/${poolId}/.well-known/jwks.json`);
  assert.equal(jwks.status, 200);
  const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === header.kid);
  assert.ok(jwk, `the JWKS of ${poolId} has the token's kid`);
  assert.equal(jwk.kty, 'RSA');
  assert.equal(jwk.alg, 'RS256');
  assert.equal(jwk.use, 'sig');
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart!, 'base64url'),
  );
  assert.ok(valid, 'the signature verifies with the published key');
  return decodeJwt(token);
}

test('sign-in returns Bearer tokens that verify with the pool’s JWKS and carry Cognito’s claims', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('tok');
  const { userSub } = await signedInUser(t, clientId, 'tok', { email, given_name: 'Tok' });
  const before = Math.floor(Date.now() / 1000);
  const res = await signIn(t, clientId, 'tok');
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body).sort(), ['accessToken', 'expiresIn', 'idToken', 'refreshToken', 'tokenType']);
  assert.equal(res.body.tokenType, 'Bearer');
  assert.equal(res.body.expiresIn, 3600);
  assert.ok(res.body.refreshToken.length >= 32);
  assert.equal(res.body.refreshToken.split('.').length, 1, 'refresh tokens are opaque, not JWTs');

  const id = await verifyWithJwks(poolId, res.body.idToken);
  assert.equal(id.sub, userSub);
  assert.equal(id.aud, clientId);
  assert.equal(id.iss, ISSUER(poolId));
  assert.equal(id.token_use, 'id');
  assert.equal(id['cognito:username'], 'tok');
  assert.equal(id.email, email);
  assert.equal(id.email_verified, true, 'verified flags are JSON booleans in the ID token');
  assert.equal(id.given_name, 'Tok');
  assert.ok(id.auth_time >= before - 5 && id.auth_time <= id.iat);
  assert.equal(id.exp - id.iat, 3600);

  const access = await verifyWithJwks(poolId, res.body.accessToken);
  assert.equal(access.sub, userSub);
  assert.equal(access.client_id, clientId);
  assert.equal(access.username, 'tok');
  assert.equal(access.token_use, 'access');
  assert.equal(access.scope, 'aws.cognito.signin.user.admin');
  assert.equal(access.iss, ISSUER(poolId));
  assert.equal(typeof access.jti, 'string');
  assert.equal(access.origin_jti, id.origin_jti);
  assert.notEqual(access.jti, id.jti);
  assert.equal('aud' in access, false);
  assert.equal('email' in access, false, 'attributes are not in the access token');

  const discovery = await t.call('GET', `/${poolId}/.well-known/openid-configuration`);
  assert.equal(discovery.status, 200);
  assert.equal(discovery.body.issuer, ISSUER(poolId));
  assert.equal(discovery.body.jwks_uri, `${ISSUER(poolId)}/.well-known/jwks.json`);
  assert.equal(discovery.body.userinfo_endpoint, 'http://cognate.test/oauth2/userInfo');
});

test('each pool signs with its own key; unknown pools have no JWKS', async () => {
  const a = await createPoolWithClient(t, emailPool);
  const b = await createPoolWithClient(t, emailPool);
  const tokens = await signedInUser(t, a.clientId, 'keys', { email: uniqueEmail('keys') });
  const { kid } = JSON.parse(Buffer.from(tokens.idToken.split('.')[0]!, 'base64url').toString('utf8'));
  const jwksB = await t.call('GET', `/${b.poolId}/.well-known/jwks.json`);
  assert.equal(
    jwksB.body.keys.some((k: { kid: string }) => k.kid === kid),
    false,
  );
  assertProblem(
    await t.call('GET', '/local_Zz9Zz9Zz9/.well-known/jwks.json'),
    404,
    'ResourceNotFoundException',
    'User pool local_Zz9Zz9Zz9 does not exist.',
  );
  assertProblem(
    await t.call('GET', '/local_Zz9Zz9Zz9/.well-known/openid-configuration'),
    404,
    'ResourceNotFoundException',
  );
});

test('the ID token carries only what the client may read', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('narrow');
  await signedInUser(t, clientId, 'narrow', { email, given_name: 'Nora', family_name: 'Row' });
  const reader = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'reader',
    readAttributes: ['email', 'given_name'],
  });
  const res = await signIn(t, reader.body.clientId, 'narrow');
  assert.equal(res.status, 200);
  const id = await verifyWithJwks(poolId, res.body.idToken);
  assert.equal(id.email, email);
  assert.equal(id.given_name, 'Nora');
  assert.equal('family_name' in id, false);
  assert.equal('email_verified' in id, false);
  assert.equal(id.aud, reader.body.clientId);
});

test('bad credentials answer 401 NotAuthorizedException, an unconfirmed user 403 only with the right password', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  await signedInUser(t, clientId, 'creds', { email: uniqueEmail('creds') });
  assertProblem(
    await signIn(t, clientId, 'creds', 'Wr0ng-password'),
    401,
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  assertProblem(await signIn(t, clientId, 'nobody'), 401, 'NotAuthorizedException', 'Incorrect username or password.');

  await signUp(t, clientId, 'pending', { email: uniqueEmail('pending') });
  assertProblem(
    await signIn(t, clientId, 'pending', 'Wr0ng-password'),
    401,
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  assertProblem(await signIn(t, clientId, 'pending'), 403, 'UserNotConfirmedException', 'User is not confirmed.');

  assertProblem(await signIn(t, 'b'.repeat(26), 'creds'), 404, 'ResourceNotFoundException');
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'creds' }),
    400,
    'InvalidParameterException',
    "Member 'password'",
  );
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'creds', password: PASSWORD, authFlow: 'x' }),
    400,
    'InvalidParameterException',
    "Unknown member 'authFlow'",
  );
});

test('refresh gives new access and ID tokens of the same session, with fresh attributes', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const tokens = await signedInUser(t, clientId, 'fresh', { email: uniqueEmail('fresh'), given_name: 'Old' });
  assert.equal((await updateAttributes(t, tokens.accessToken, { given_name: 'New' })).status, 200);

  const res = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken });
  assert.equal(res.status, 200);
  assert.equal(res.body.tokenType, 'Bearer');
  assert.equal(res.body.expiresIn, 3600);
  assert.equal('refreshToken' in res.body, false);
  const id = await verifyWithJwks(poolId, res.body.idToken);
  const access = await verifyWithJwks(poolId, res.body.accessToken);
  const first = decodeJwt(tokens.accessToken);
  assert.equal(id.given_name, 'New');
  assert.equal(access.origin_jti, first.origin_jti);
  assert.equal(access.auth_time, first.auth_time);
  assert.notEqual(access.jti, first.jti);
  // The refreshed access token works.
  assert.equal((await t.call('GET', '/v1/me', undefined, res.body.accessToken)).status, 200);
});

test('refresh refuses unknown tokens and tokens of another client with 401', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const tokens = await signedInUser(t, clientId, 'rt', { email: uniqueEmail('rt') });
  const other = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'other' });
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: 'not-a-token' }),
    401,
    'NotAuthorizedException',
    'Invalid Refresh Token',
  );
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId: other.body.clientId, refreshToken: tokens.refreshToken }),
    401,
    'NotAuthorizedException',
    'Invalid Refresh Token',
  );
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.accessToken }),
    401,
    'NotAuthorizedException',
  );
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: '' }),
    400,
    'InvalidParameterException',
  );
  // The failed attempts did not spoil the token.
  assert.equal((await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken })).status, 200);
});

test('sign-out revokes every session of the user and the access tokens issued from them', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const first = await signedInUser(t, clientId, 'out', { email: uniqueEmail('out') });
  const second = (await signIn(t, clientId, 'out')).body;
  const refreshed = (await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: first.refreshToken })).body;

  const res = await t.call('POST', '/v1/auth/sign-out', undefined, second.accessToken);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {});

  for (const token of [first.accessToken, second.accessToken, refreshed.accessToken]) {
    assertProblem(
      await t.call('GET', '/v1/me', undefined, token),
      401,
      'NotAuthorizedException',
      'Access Token has been revoked',
    );
  }
  for (const refreshToken of [first.refreshToken, second.refreshToken]) {
    assertProblem(
      await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken }),
      401,
      'NotAuthorizedException',
      'Invalid Refresh Token',
    );
  }
  assertProblem(
    await t.call('POST', '/v1/auth/sign-out', undefined, second.accessToken),
    401,
    'NotAuthorizedException',
  );
  // Signing in again starts a new session.
  const again = await signIn(t, clientId, 'out');
  assert.equal(again.status, 200);
  assert.equal((await t.call('GET', '/v1/me', undefined, again.body.accessToken)).status, 200);
});

test('bearer routes refuse missing, malformed, tampered and ID tokens with 401', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const tokens = await signedInUser(t, clientId, 'bearer', { email: uniqueEmail('bearer') });
  const [h, p, s] = tokens.accessToken.split('.');
  const claims = decodeJwt(tokens.accessToken);
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, username: 'admin' })).toString('base64url')}.${s}`;
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;

  assertProblem(await t.call('GET', '/v1/me'), 401, 'NotAuthorizedException', 'Invalid Access Token');
  for (const token of ['garbage', forged, none, tokens.idToken, `${h}.${p}.${s!.slice(0, -4)}AAAA`]) {
    assertProblem(
      await t.call('GET', '/v1/me', undefined, token),
      401,
      'NotAuthorizedException',
      'Invalid Access Token',
    );
  }
  const basic = await t.app.inject({
    method: 'GET',
    url: '/v1/me',
    headers: { authorization: `Basic ${tokens.accessToken}` },
  });
  assert.equal(basic.statusCode, 401);
  for (const [method, url] of [
    ['POST', '/v1/auth/sign-out'],
    ['DELETE', '/v1/me'],
    ['GET', '/v1/me/attributes'],
    ['GET', '/oauth2/userInfo'],
  ] as const) {
    assertProblem(await t.call(method, url, undefined, 'garbage'), 401, 'NotAuthorizedException');
  }
  // The real token still works.
  assert.equal((await t.call('GET', '/v1/me', undefined, tokens.accessToken)).status, 200);
});

test('GET /v1/me describes the user with the attributes the client may read', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('me');
  const tokens = await signedInUser(t, clientId, 'me', { email, given_name: 'Me' });
  const res = await t.call('GET', '/v1/me', undefined, tokens.accessToken);
  assert.equal(res.status, 200);
  assert.equal(res.body.username, 'me');
  assert.equal(res.body.userSub, tokens.userSub);
  assert.equal(res.body.userStatus, 'CONFIRMED');
  assert.equal(res.body.enabled, true);
  assert.deepEqual(res.body.attributes, { sub: tokens.userSub, given_name: 'Me', email, email_verified: 'true' });
  assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
  assert.ok(!Number.isNaN(Date.parse(res.body.updatedAt)));
  assert.equal('passwordHash' in res.body, false);

  const reader = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'reader',
    readAttributes: ['given_name'],
  });
  const narrow = await signIn(t, reader.body.clientId, 'me');
  const me = await t.call('GET', '/v1/me', undefined, narrow.body.accessToken);
  assert.deepEqual(me.body.attributes, { sub: tokens.userSub, given_name: 'Me' });
});

test('/oauth2/userInfo refuses the API’s access tokens: they have no openid scope, as in Cognito', async () => {
  // Its answers to OAuth tokens: test/routes/oauth-endpoints.test.ts (docs/web-sign-in.md, "Tokens and scopes").
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('oidc');
  const tokens = await signedInUser(t, clientId, 'oidc', { email, family_name: 'Id' });
  const res = await t.call('GET', '/oauth2/userInfo', undefined, tokens.accessToken);
  assertProblem(res, 401, 'NotAuthorizedException', 'Access Token does not have required scopes');
});

test('change password: the current one must be proved, the new one must fit the policy', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const tokens = await signedInUser(t, clientId, 'pw', { email: uniqueEmail('pw') });
  const change = (previousPassword: string, proposedPassword: string, token = tokens.accessToken) =>
    t.call('POST', '/v1/me/password', { previousPassword, proposedPassword }, token);

  assertProblem(
    await change('Wr0ng-password', 'N3w-Passw0rd!'),
    401,
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  assertProblem(await change(PASSWORD, 'short'), 400, 'InvalidPasswordException', 'Password not long enough');
  assertProblem(
    await t.call('POST', '/v1/me/password', { previousPassword: PASSWORD }, tokens.accessToken),
    400,
    'InvalidParameterException',
  );
  assertProblem(
    await t.call('POST', '/v1/me/password', { previousPassword: PASSWORD, proposedPassword: 'N3w-Passw0rd!' }),
    401,
    'NotAuthorizedException',
  );
  // Nothing changed so far.
  assert.equal((await signIn(t, clientId, 'pw')).status, 200);

  const ok = await change(PASSWORD, 'N3w-Passw0rd!');
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, {});
  assertProblem(await signIn(t, clientId, 'pw'), 401, 'NotAuthorizedException');
  assert.equal((await signIn(t, clientId, 'pw', 'N3w-Passw0rd!')).status, 200);
});

test('DELETE /v1/me deletes the user: tokens stop working and the username is free again', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('gone');
  const tokens = await signedInUser(t, clientId, 'gone', { email });
  assertProblem(await t.call('DELETE', '/v1/me', undefined, 'garbage'), 401, 'NotAuthorizedException');

  const res = await t.call('DELETE', '/v1/me', undefined, tokens.accessToken);
  assert.equal(res.status, 204);
  assert.equal(res.body, undefined);
  assertProblem(await t.call('GET', '/v1/me', undefined, tokens.accessToken), 401, 'NotAuthorizedException');
  assertProblem(await t.call('DELETE', '/v1/me', undefined, tokens.accessToken), 401, 'NotAuthorizedException');
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: tokens.refreshToken }),
    401,
    'NotAuthorizedException',
  );
  assertProblem(await signIn(t, clientId, 'gone'), 401, 'NotAuthorizedException', 'Incorrect username or password.');

  const again = await signUp(t, clientId, 'gone', { email });
  assert.equal(again.status, 201);
  assert.notEqual(again.body.userSub, tokens.userSub);
});

test('a deleted app client’s tokens stop working', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, emailPool);
  const extra = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'extra' });
  await signedInUser(t, clientId, 'cl', { email: uniqueEmail('cl') });
  const tokens = (await signIn(t, extra.body.clientId, 'cl')).body;
  assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/clients/${extra.body.clientId}`)).status, 204);
  assertProblem(await t.call('GET', '/v1/me', undefined, tokens.accessToken), 401, 'NotAuthorizedException');
  assertProblem(
    await t.call('POST', '/v1/auth/refresh', { clientId: extra.body.clientId, refreshToken: tokens.refreshToken }),
    401,
    'NotAuthorizedException',
  );
});

test('attributes read back after sign-in match what sign-up stored', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('rb');
  const tokens = await signedInUser(t, clientId, 'rb', { email, locale: 'de-CH' });
  assert.deepEqual(await attributesOf(t, tokens.accessToken), {
    sub: tokens.userSub,
    email,
    email_verified: 'true',
    locale: 'de-CH',
  });
});

const forgot = (clientId: string, username: string) =>
  t.call('POST', '/v1/auth/forgot-password', { clientId, username });
const resetWith = (clientId: string, username: string, confirmationCode: string, password = 'R3set-Passw0rd!') =>
  t.call('POST', '/v1/auth/forgot-password/confirm', { clientId, username, confirmationCode, password });

test('forgot password: a code to the verified email resets the password; the code works once', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('reset');
  await signedInUser(t, clientId, 'reset', { email });
  const res = await forgot(clientId, 'reset');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    codeDeliveryDetails: { destination: 'r***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
  });
  const code = await newCodeFor(t, email, 1);
  assert.match(t.smtp.messages.at(-1)!.subject, /password reset/i);

  assertProblem(
    await resetWith(clientId, 'reset', otherCode(code)),
    400,
    'CodeMismatchException',
    'Invalid verification code provided, please try again.',
  );
  assertProblem(
    await resetWith(clientId, 'reset', code, 'weak'),
    400,
    'InvalidPasswordException',
    'Password not long enough',
  );
  assertProblem(
    await t.call('POST', '/v1/auth/forgot-password/confirm', { clientId, username: 'reset', confirmationCode: code }),
    400,
    'InvalidParameterException',
    "Member 'password'",
  );
  assert.equal((await signIn(t, clientId, 'reset')).status, 200, 'nothing changed yet');

  const ok = await resetWith(clientId, 'reset', code);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, {});
  assertProblem(await signIn(t, clientId, 'reset'), 401, 'NotAuthorizedException');
  assert.equal((await signIn(t, clientId, 'reset', 'R3set-Passw0rd!')).status, 200);
  // A used code, where existence is hidden, answers as any wrong code does (LEGACY: ExpiredCodeException).
  assertProblem(await resetWith(clientId, 'reset', code, 'An0ther-Passw0rd!'), 400, 'CodeMismatchException');
  assert.equal((await signIn(t, clientId, 'reset', 'R3set-Passw0rd!')).status, 200);
});

test('forgot password goes only to a verified channel: a verified phone when the email is not; none → 400', async () => {
  const { poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email', 'phone_number'] });
  const email = uniqueEmail('chan');
  const phone = uniquePhone();
  await signedInUser(t, clientId, 'chan', { email, phone_number: phone });
  // Sign-up verified the phone (§5.2), not the email.
  const res = await forgot(clientId, 'chan');
  assert.deepEqual(res.body.codeDeliveryDetails, {
    destination: `+********${phone.slice(-4)}`,
    deliveryMedium: 'SMS',
    attributeName: 'phone_number',
  });
  // The code is written and sent after the answer (so timing hides who exists): wait for the SMS.
  await eventually(() => smsTo(t, phone) === 2);
  assert.equal(mailsTo(t, email), 0);
  assert.equal((await resetWith(clientId, 'chan', t.smsCodeFor(phone))).status, 200);

  const legacy = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'legacy',
    preventUserExistenceErrors: false,
  });
  const plain = await createPoolWithClient(t, {}, { preventUserExistenceErrors: false });
  await signUp(t, plain.clientId, 'novalue', { email: uniqueEmail('novalue') });
  assertProblem(
    await forgot(plain.clientId, 'novalue'),
    400,
    'InvalidParameterException',
    'no registered/verified email or phone_number',
  );
  assertProblem(await forgot(legacy.body.clientId, 'ghost'), 404, 'UserNotFoundException', 'User does not exist.');
  assertProblem(await resetWith(legacy.body.clientId, 'ghost', '123456'), 404, 'UserNotFoundException');
});

test('forgot password hides unknown users by default and sends nothing for them', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const mails = t.smtp.messages.length;
  const res = await forgot(clientId, 'ghost@nowhere.test');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    codeDeliveryDetails: { destination: 'g***@n***', deliveryMedium: 'EMAIL', attributeName: 'email' },
  });
  assert.equal(t.smtp.messages.length, mails);
  assertProblem(await resetWith(clientId, 'ghost@nowhere.test', '123456'), 400, 'CodeMismatchException');
  // A real user who never asked for a code: the unknown user's answer, to the letter.
  await signedInUser(t, clientId, 'never', { email: uniqueEmail('never') });
  const never = await resetWith(clientId, 'never', '123456');
  assertProblem(never, 400, 'CodeMismatchException');
  assert.deepEqual(never.body, (await resetWith(clientId, 'ghost@nowhere.test', '123456')).body);
  assert.equal((await signIn(t, clientId, 'never')).status, 200);
});

test('forgot password, existence hidden: a weak new password with a wrong code says only that the code is wrong, for real and unknown users alike', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('policy');
  await signedInUser(t, clientId, 'policy', { email });
  await forgot(clientId, 'policy');
  const code = await newCodeFor(t, email, 1);
  // The finding: the policy was checked before the code, so a weak password told a real user (400
  // InvalidPasswordException) from an unknown one (CodeMismatchException).
  const real = await resetWith(clientId, 'policy', otherCode(code), 'weak');
  const unknown = await resetWith(clientId, 'nobody-at-all', otherCode(code), 'weak');
  assertProblem(real, 400, 'CodeMismatchException');
  assert.deepEqual(real.body, unknown.body);
  // Once the code is right, the policy speaks; the code still works after.
  assertProblem(await resetWith(clientId, 'policy', code, 'weak'), 400, 'InvalidPasswordException');
  assert.equal((await resetWith(clientId, 'policy', code)).status, 200);
});

test('forgot password, LEGACY clients: the revealing answers (used code → ExpiredCodeException, dead code → 429)', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool, { preventUserExistenceErrors: false });
  const email = uniqueEmail('legacy');
  await signedInUser(t, clientId, 'legacy', { email });
  assertProblem(await resetWith(clientId, 'legacy', '123456'), 400, 'ExpiredCodeException');
  await forgot(clientId, 'legacy');
  const code = await newCodeFor(t, email, 1);
  for (let i = 0; i < 5; i++)
    assertProblem(await resetWith(clientId, 'legacy', otherCode(code)), 400, 'CodeMismatchException');
  assertProblem(await resetWith(clientId, 'legacy', code), 429, 'TooManyFailedAttemptsException');
  await forgot(clientId, 'legacy');
  const fresh = await newCodeFor(t, email, 2);
  assert.equal((await resetWith(clientId, 'legacy', fresh)).status, 200);
  assertProblem(await resetWith(clientId, 'legacy', fresh, 'An0ther-Passw0rd!'), 400, 'ExpiredCodeException');
});

test('forgot password with keep-original: the code goes to the current verified address, not the pending one', async () => {
  const { clientId } = await createPoolWithClient(t, {
    ...emailPool,
    keepOriginalAttributes: ['email'],
    aliasAttributes: ['email'],
  });
  const email = uniqueEmail('orig');
  const tokens = await signedInUser(t, clientId, 'orig', { email });
  const pending = uniqueEmail('pending');
  await updateAttributes(t, tokens.accessToken, { email: pending });
  const res = await forgot(clientId, email);
  assert.equal(res.body.codeDeliveryDetails.destination, 'o***@e***');
  await eventually(() => mailsTo(t, email) === 2);
  assert.equal(mailsTo(t, pending), 1);
  assert.equal((await resetWith(clientId, email, await newCodeFor(t, email, 1))).status, 200);
  // The reset ended the old session; the pending change still awaits its own code.
  assertProblem(await t.call('GET', '/v1/me/attributes', undefined, tokens.accessToken), 401, 'NotAuthorizedException');
  const fresh = await signIn(t, clientId, email, 'R3set-Passw0rd!');
  assert.equal((await attributesOf(t, fresh.body.accessToken)).email, email);
});

test('forgot password: 5 wrong codes kill the code (even the right one then fails, as a wrong code where existence is hidden), a new code works', async () => {
  const { clientId } = await createPoolWithClient(t, emailPool);
  const email = uniqueEmail('dead');
  await signedInUser(t, clientId, 'dead', { email });
  await forgot(clientId, 'dead');
  const code = await newCodeFor(t, email, 1);
  for (let i = 0; i < 5; i++)
    assertProblem(await resetWith(clientId, 'dead', otherCode(code)), 400, 'CodeMismatchException');
  assertProblem(await resetWith(clientId, 'dead', code), 400, 'CodeMismatchException');
  await forgot(clientId, 'dead');
  assert.equal((await resetWith(clientId, 'dead', await newCodeFor(t, email, 2))).status, 200);
});
