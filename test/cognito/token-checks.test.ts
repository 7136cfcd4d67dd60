/**
 * What an access token must be for Cognate to take it, on both faces: the REST API (bearer) and
 * Cognito's wire protocol (GetUser through the AWS SDK). Tokens are forged here with the pool's
 * real private key, so each check is proven on its own, not by a bad signature.
 */
import assert from 'node:assert/strict';
import { createHmac, createSign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GetUserCommand, InitiateAuthCommand, RevokeTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema/index.ts';
import { createPoolWithClient, decodeJwt, PASSWORD, signedInUser } from '../support/app.ts';
import { sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
let otherClientId: string;
let otherPoolId: string;
before(async () => {
  t = await startCognitoApp();
  ({ poolId, clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'] }));
  otherClientId = (await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'other' })).body.clientId;
  ({ poolId: otherPoolId } = await createPoolWithClient(t));
});
after(() => t.close());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function rs256(header: Record<string, unknown>, claims: Record<string, unknown>, privateKeyPem: string): string {
  const input = `${b64({ alg: 'RS256', typ: 'JWT', ...header })}.${b64(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKeyPem).toString('base64url')}`;
}

const getUser = (AccessToken: string) => t.sdk.send(new GetUserCommand({ AccessToken }));

async function acceptedOnBothFaces(token: string, username: string) {
  const rest = await t.call('GET', '/v1/me', undefined, token);
  assert.equal(rest.status, 200, JSON.stringify(rest.body));
  assert.equal(rest.body.username, username);
  assert.equal((await getUser(token)).Username, username);
}

async function refusedOnBothFaces(token: string, message = 'Invalid Access Token', status = 401) {
  assertProblem(await t.call('GET', '/v1/me', undefined, token), status, 'NotAuthorizedException', message);
  const error = await sdkError(getUser(token));
  assert.equal(error.name, 'NotAuthorizedException');
  assert.equal(error.message, message);
}

describe('forged and altered access tokens', () => {
  let real: { accessToken: string; idToken: string; refreshToken: string };
  let claims: Record<string, unknown>;
  let key: { kid: string; privateKeyPem: string; publicKeyPem: string };
  let otherKey: { kid: string; privateKeyPem: string };
  before(async () => {
    real = await signedInUser(t, clientId, 'target', { email: uniqueEmail('target') });
    claims = decodeJwt(real.accessToken);
    key = await t.services.signingKeys.currentSigningKey(poolId);
    otherKey = await t.services.signingKeys.currentSigningKey(otherPoolId);
  });
  const resign = (over: Record<string, unknown>, header: Record<string, unknown> = { kid: key.kid }) =>
    rs256(header, { ...claims, ...over }, key.privateKeyPem);

  test('the real token, and the same claims re-signed with the pool’s key, are taken (the forging is sound)', async () => {
    await acceptedOnBothFaces(real.accessToken, 'target');
    await acceptedOnBothFaces(resign({}), 'target');
  });

  test('algorithm pinned to RS256: none, and HS256 keyed with the public key, are refused', async () => {
    const body = b64(claims);
    await refusedOnBothFaces(`${b64({ alg: 'none', typ: 'JWT', kid: key.kid })}.${body}.`);
    await refusedOnBothFaces(
      `${b64({ alg: 'none', typ: 'JWT', kid: key.kid })}.${body}.${real.accessToken.split('.')[2]}`,
    );
    for (const secret of [key.publicKeyPem, key.publicKeyPem.trim()]) {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${body}`;
      await refusedOnBothFaces(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    }
  });

  test('kid required and checked: missing, empty, unknown, another pool’s', async () => {
    await refusedOnBothFaces(resign({}, {}));
    await refusedOnBothFaces(resign({}, { kid: '' }));
    await refusedOnBothFaces(resign({}, { kid: 'no-such-kid' }));
    // Signed by another pool's key, claiming this pool as issuer: the key vouches for its own pool only.
    await refusedOnBothFaces(rs256({ kid: otherKey.kid }, claims, otherKey.privateKeyPem));
    // ... or claiming that pool, for a session of this one.
    await refusedOnBothFaces(
      rs256({ kid: otherKey.kid }, { ...claims, iss: `${t.config.publicUrl}/${otherPoolId}` }, otherKey.privateKeyPem),
      'Access Token has been revoked',
    );
    // This pool's kid over another key's signature.
    await refusedOnBothFaces(rs256({ kid: key.kid }, claims, otherKey.privateKeyPem));
  });

  test('a malformed kid (NUL, control characters, not a string, huge) is an invalid token, not a server error', async () => {
    const errorsBefore = t.logs.filter((e) => e.level >= 50).length;
    for (const kid of [
      `${key.kid}\u0000`,
      '\u0000',
      'a\u0000b',
      'kid\nwith\r\nnewlines',
      '../../etc/passwd',
      'é',
      'k'.repeat(10_000),
      42,
      ['a'],
      { a: 1 },
    ]) {
      await refusedOnBothFaces(resign({}, { kid }));
    }
    assert.deepEqual(t.logs.filter((e) => e.level >= 50).slice(errorsBefore), []);
  });

  test('issuer, client and token_use are checked', async () => {
    await refusedOnBothFaces(resign({ iss: `${t.config.publicUrl}/${otherPoolId}` }));
    await refusedOnBothFaces(resign({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/' + poolId }));
    await refusedOnBothFaces(resign({ iss: undefined }));
    // Another client of the same pool, or none: the session belongs to the client that signed in.
    await refusedOnBothFaces(resign({ client_id: otherClientId }), 'Access Token has been revoked');
    await refusedOnBothFaces(resign({ client_id: undefined }));
    // An ID token is not an access token, nor are access claims relabelled.
    await refusedOnBothFaces(real.idToken);
    await refusedOnBothFaces(resign({ token_use: 'id' }));
    await refusedOnBothFaces(resign({ token_use: undefined }));
    // Another user's sub on this session.
    await refusedOnBothFaces(resign({ sub: '00000000-0000-4000-8000-000000000000' }), 'Access Token has been revoked');
  });

  test('expiry with a 5 s clock tolerance: just inside is taken, just outside refused; iat from the future refused', async () => {
    await acceptedOnBothFaces(resign({ iat: now() - 3600, exp: now() - 2 }), 'target');
    await refusedOnBothFaces(resign({ iat: now() - 3600, exp: now() - 8 }));
    await refusedOnBothFaces(resign({ iat: now() - 7200, exp: now() - 3600 }));
    await acceptedOnBothFaces(resign({ iat: now() + 2, exp: now() + 3600 }), 'target');
    await refusedOnBothFaces(resign({ iat: now() + 60, exp: now() + 3600 }));
    await refusedOnBothFaces(resign({ exp: undefined }));
  });
});

describe('sessions, users and refresh tokens', () => {
  const refreshWire = (token: string) =>
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: token },
      }),
    );

  test('a revoked refresh token is refused on both faces, with the access tokens issued from it', async () => {
    const user = await signedInUser(t, clientId, 'revoked', { email: uniqueEmail('revoked') });
    await t.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: user.refreshToken }));
    assertProblem(
      await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: user.refreshToken }),
      401,
      'NotAuthorizedException',
      'Invalid Refresh Token',
    );
    assert.equal((await sdkError(refreshWire(user.refreshToken))).name, 'NotAuthorizedException');
    await refusedOnBothFaces(user.accessToken, 'Access Token has been revoked');
  });

  test('a disabled user’s tokens are refused at once on both faces, and stay dead after enabling', async () => {
    const user = await signedInUser(t, clientId, 'disabled', { email: uniqueEmail('disabled') });
    await acceptedOnBothFaces(user.accessToken, 'disabled');
    assert.equal((await t.admin('POST', `/v1/pools/${poolId}/users/disabled/disable`)).status, 200);
    await refusedOnBothFaces(user.accessToken, 'Access Token has been revoked');
    assert.equal((await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: user.refreshToken })).status, 401);
    assert.equal((await sdkError(refreshWire(user.refreshToken))).name, 'NotAuthorizedException');
    await t.admin('POST', `/v1/pools/${poolId}/users/disabled/enable`);
    await refusedOnBothFaces(user.accessToken, 'Access Token has been revoked');

    // Disabled behind the sessions' back (no sign-out): the user's state is still checked each request.
    const again = await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'disabled', password: PASSWORD });
    await t.database.db.update(users).set({ enabled: false }).where(eq(users.username, 'disabled'));
    await refusedOnBothFaces(again.body.accessToken, 'User is disabled.', 403);
  });

  test('a deleted user’s tokens are refused on both faces', async () => {
    const user = await signedInUser(t, clientId, 'deleted', { email: uniqueEmail('deleted') });
    assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/users/deleted`)).status, 204);
    await refusedOnBothFaces(user.accessToken, 'Access Token has been revoked');
    assert.equal((await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: user.refreshToken })).status, 401);
    assert.equal((await sdkError(refreshWire(user.refreshToken))).name, 'NotAuthorizedException');
  });
});
