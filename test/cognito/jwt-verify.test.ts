/**
 * Tokens issued by Cognate verify with `aws-jwt-verify`, the way its README tells Cognito users
 * with a non-AWS issuer to verify them: the generic RSA verifier with Cognito's field checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { PASSWORD } from '../support/app.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';

let t: CognitoTestApp;

before(async () => {
  t = await startCognitoApp();
});
after(async () => {
  await t?.close();
});

async function signedIn(name: string) {
  const { UserPool } = await t.sdk.send(new CreateUserPoolCommand({ PoolName: name }));
  const poolId = UserPool!.Id!;
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'app',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
    }),
  );
  const clientId = UserPoolClient!.ClientId!;
  await t.sdk.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: 'jwt-user',
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: 'jwt@example.com' }],
    }),
  );
  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'jwt-user' }));
  const { AuthenticationResult } = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'jwt-user', PASSWORD },
    }),
  );
  return { poolId, clientId, accessToken: AuthenticationResult!.AccessToken!, idToken: AuthenticationResult!.IdToken! };
}

/** A verifier for one pool: issuer from its OpenID configuration, keys from its JWKS (fetched over HTTP here). */
async function verifierFor(poolId: string, tokenUse: 'access' | 'id', clientId: string) {
  const discovery = await (await fetch(`${t.endpoint}/${poolId}/.well-known/openid-configuration`)).json();
  assert.equal(discovery.issuer, `${t.config.publicUrl}/${poolId}`);
  const verifier = JwtRsaVerifier.create({
    issuer: discovery.issuer,
    audience: null, // Cognito access tokens carry client_id, not aud: validateCognitoJwtFields checks both kinds.
    jwksUri: discovery.jwks_uri,
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
  });
  // aws-jwt-verify fetches only over https; the test server is plain http, so its JWKS is handed over.
  verifier.cacheJwks(await (await fetch(`${t.endpoint}/${poolId}/.well-known/jwks.json`)).json());
  return verifier;
}

describe('aws-jwt-verify', () => {
  it('verifies access and ID tokens, with Cognito’s claims', async () => {
    const user = await signedIn('jwt');
    const access = await (await verifierFor(user.poolId, 'access', user.clientId)).verify(user.accessToken);
    assert.equal(access.token_use, 'access');
    assert.equal(access.client_id, user.clientId);
    assert.equal(access.username, 'jwt-user');
    assert.equal(access.scope, 'aws.cognito.signin.user.admin');
    const id = await (await verifierFor(user.poolId, 'id', user.clientId)).verify(user.idToken);
    assert.equal(id.token_use, 'id');
    assert.equal(id.aud, user.clientId);
    assert.equal(id['cognito:username'], 'jwt-user');
    assert.equal(id.email, 'jwt@example.com');
    assert.equal(id.email_verified, false);
  });

  it('refuses a token of another kind, of another client, or of another pool', async () => {
    const user = await signedIn('jwt-a');
    const other = await signedIn('jwt-b');
    await assert.rejects(
      (await verifierFor(user.poolId, 'id', user.clientId)).verify(user.accessToken),
      /Token use not allowed: access/,
    );
    await assert.rejects(
      (await verifierFor(user.poolId, 'access', other.clientId)).verify(user.accessToken),
      /[Cc]lient/,
    );
    // verifySync: no fetch; another pool's verifier neither knows the key nor accepts the issuer.
    const otherPool = await verifierFor(other.poolId, 'access', user.clientId);
    assert.throws(() => otherPool.verifySync(user.accessToken), /issuer|JWK/i);
    const forged = `${user.accessToken.slice(0, -4)}AAAA`;
    await assert.rejects((await verifierFor(user.poolId, 'access', user.clientId)).verify(forged), /signature/i);
  });
});
