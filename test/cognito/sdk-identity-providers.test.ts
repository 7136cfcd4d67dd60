/**
 * A pool's identity providers through the real AWS SDK (docs/federation.md, "Configuring
 * providers"): CreateIdentityProvider with OIDC discovery from a real HTTP server this file
 * starts, DescribeIdentityProvider's shape, UpdateIdentityProvider, ListIdentityProviders' pages,
 * GetIdentityProviderByIdentifier, DeleteIdentityProvider, and a client's
 * SupportedIdentityProviders. Every bad input is a typed error that changes nothing.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  DeleteIdentityProviderCommand,
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  GetIdentityProviderByIdentifierCommand,
  ListIdentityProvidersCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
  type CreateIdentityProviderCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { createPool, expectError } from '../support/sdk-flows.ts';

let idp: Server;
let issuer: string;
let t: CognitoTestApp;
before(async () => {
  // An OIDC provider's discovery document; /wrong states another issuer.
  idp = createServer((request, response) => {
    const own = `${issuer}${request.url?.startsWith('/wrong') ? '/wrong' : ''}`;
    const body = {
      issuer: request.url?.startsWith('/wrong') ? 'https://elsewhere.example.com' : own,
      authorization_endpoint: `${own}/authorize`,
      token_endpoint: `${own}/token`,
      userinfo_endpoint: `${own}/userinfo`,
      jwks_uri: `${own}/jwks`,
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  t = await startCognitoApp();
});
after(async () => {
  await t.close();
  idp.closeAllConnections();
  await new Promise((resolve) => idp.close(resolve));
});

const oidc = (poolId: string, input: Partial<CreateIdentityProviderCommandInput> = {}) =>
  new CreateIdentityProviderCommand({
    UserPoolId: poolId,
    ProviderName: 'Corp',
    ProviderType: 'OIDC',
    ProviderDetails: { client_id: 'cognate', client_secret: 'upstream-secret', oidc_issuer: issuer },
    ...input,
  });

async function names(poolId: string): Promise<string[]> {
  const listed = await t.sdk.send(new ListIdentityProvidersCommand({ UserPoolId: poolId }));
  return listed.Providers!.map((provider) => provider.ProviderName!);
}

describe('identity providers on the wire', () => {
  test('CreateIdentityProvider and DescribeIdentityProvider: Cognito’s IdentityProviderType', async () => {
    const poolId = await createPool(t, {
      Schema: [{ Name: 'plan', AttributeDataType: 'String', Mutable: true }],
    });
    const created = await t.sdk.send(
      oidc(poolId, {
        AttributeMapping: { email: 'email', 'custom:plan': 'plan' },
        IdpIdentifiers: ['corp.example.com'],
      }),
    );
    const provider = created.IdentityProvider!;
    assert.equal(provider.UserPoolId, poolId);
    assert.equal(provider.ProviderName, 'Corp');
    assert.equal(provider.ProviderType, 'OIDC');
    assert.deepEqual(provider.ProviderDetails, {
      attributes_request_method: 'GET',
      attributes_url: `${issuer}/userinfo`,
      attributes_url_add_attributes: 'false',
      authorize_scopes: 'openid',
      authorize_url: `${issuer}/authorize`,
      client_id: 'cognate',
      client_secret: 'upstream-secret',
      jwks_uri: `${issuer}/jwks`,
      oidc_issuer: issuer,
      token_url: `${issuer}/token`,
    });
    assert.deepEqual(provider.AttributeMapping, { email: 'email', 'custom:plan': 'plan', username: 'sub' });
    assert.deepEqual(provider.IdpIdentifiers, ['corp.example.com']);
    assert.ok(provider.CreationDate instanceof Date, 'a date');
    assert.ok(provider.LastModifiedDate instanceof Date, 'a date');

    const described = await t.sdk.send(
      new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp' }),
    );
    assert.deepEqual(described.IdentityProvider, provider);
    const byIdentifier = await t.sdk.send(
      new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'corp.example.com' }),
    );
    assert.deepEqual(byIdentifier.IdentityProvider, provider);

    // The REST face shows the same provider.
    const rest = await t.admin('GET', `/v1/pools/${poolId}/identity-providers/Corp`);
    assert.deepEqual(rest.body.providerDetails, provider.ProviderDetails);
  });

  test('refusals are typed, name what is wrong, and change nothing', async () => {
    const poolId = await createPool(t);
    await expectError(
      t.sdk.send(
        oidc(poolId, { ProviderDetails: { client_id: 'c', client_secret: 's', oidc_issuer: `${issuer}/wrong` } }),
      ),
      'InvalidParameterException',
      /names another issuer/,
    );
    await expectError(
      t.sdk.send(
        oidc(poolId, {
          ProviderDetails: { client_id: 'c', client_secret: 's', oidc_issuer: 'http://idp.example.com' },
        }),
      ),
      'InvalidParameterException',
      /oidc_issuer .* must use https/,
    );
    await expectError(
      t.sdk.send(
        oidc(poolId, { ProviderDetails: { client_id: 'c', client_secret: 's', oidc_issuer: 'http://127.0.0.1:1' } }),
      ),
      'InvalidParameterException',
      /oidc_issuer "http:\/\/127.0.0.1:1" could not be read/,
    );
    await expectError(
      t.sdk.send(
        oidc(poolId, {
          ProviderDetails: { client_id: 'c', client_secret: 's', oidc_issuer: issuer, MetadataURL: 'x' },
        }),
      ),
      'InvalidParameterException',
      /ProviderDetails "MetadataURL" is not a key of ProviderType OIDC/,
    );
    await expectError(
      t.sdk.send(oidc(poolId, { ProviderType: 'SAML', ProviderDetails: { MetadataURL: 'https://x.example.com' } })),
      'InvalidParameterException',
      /SAML is not supported by Cognate/,
    );
    await expectError(
      t.sdk.send(oidc(poolId, { AcrMapping: { Level1: 'urn:acr:1' } })),
      'InvalidParameterException',
      /AcrMapping is not supported by Cognate/,
    );
    await expectError(
      t.sdk.send(oidc(poolId, { AttributeMapping: { sub: 'sub' } })),
      'InvalidParameterException',
      /immutable/,
    );
    await expectError(
      t.sdk.send(oidc(poolId, { ProviderName: 'Google', ProviderType: 'Facebook' })),
      'InvalidParameterException',
      /A Facebook provider must be named Facebook/,
    );
    await expectError(
      t.sdk.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp' })),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'nothing' })),
      'ResourceNotFoundException',
    );
    await expectError(t.sdk.send(oidc('us-east-1_nosuchpool')), 'ResourceNotFoundException');
    assert.deepEqual(await names(poolId), []);

    await t.sdk.send(oidc(poolId, { IdpIdentifiers: ['corp.example.com'] }));
    await expectError(t.sdk.send(oidc(poolId)), 'DuplicateProviderException');
    await expectError(
      t.sdk.send(oidc(poolId, { ProviderName: 'Other', IdpIdentifiers: ['corp.example.com'] })),
      'DuplicateProviderException',
    );
    assert.deepEqual(await names(poolId), ['Corp']);
    // Unsigned callers are refused.
    await expectError(
      t
        .sdkWith({ accessKeyId: 'AKIDNOTCOGNATE', secretAccessKey: 'wrong-secret' })
        .send(new ListIdentityProvidersCommand({ UserPoolId: poolId })),
      'UnrecognizedClientException',
    );
  });

  test('UpdateIdentityProvider, ListIdentityProviders pages, DeleteIdentityProvider', async () => {
    const poolId = await createPool(t);
    for (const name of ['Alpha', 'Bravo', 'Charlie']) await t.sdk.send(oidc(poolId, { ProviderName: name }));
    await t.sdk.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Google',
        ProviderType: 'Google',
        ProviderDetails: { client_id: 'g', client_secret: 'gs', authorize_scopes: 'openid email' },
      }),
    );
    const updated = await t.sdk.send(
      new UpdateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Google',
        AttributeMapping: { email: 'email' },
        IdpIdentifiers: ['gmail.com'],
      }),
    );
    assert.deepEqual(updated.IdentityProvider!.AttributeMapping, { email: 'email', username: 'sub' });
    assert.equal(updated.IdentityProvider!.ProviderDetails!.client_secret, 'gs');
    assert.equal(updated.IdentityProvider!.ProviderDetails!.authorize_scopes, 'openid email');
    await expectError(
      t.sdk.send(
        new UpdateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Google',
          ProviderDetails: { client_id: 'g', authorize_scopes: 'email' },
        }),
      ),
      'InvalidParameterException',
      /must include openid/,
    );

    const first = await t.sdk.send(new ListIdentityProvidersCommand({ UserPoolId: poolId, MaxResults: 3 }));
    assert.deepEqual(
      first.Providers!.map((p) => [p.ProviderName, p.ProviderType]),
      [
        ['Alpha', 'OIDC'],
        ['Bravo', 'OIDC'],
        ['Charlie', 'OIDC'],
      ],
    );
    assert.ok(first.Providers![0]!.CreationDate instanceof Date, 'dates');
    assert.ok(first.NextToken, 'a next page');
    const second = await t.sdk.send(
      new ListIdentityProvidersCommand({ UserPoolId: poolId, MaxResults: 3, NextToken: first.NextToken }),
    );
    assert.deepEqual(
      second.Providers!.map((p) => p.ProviderName),
      ['Google'],
    );
    assert.equal(second.NextToken, undefined);
    await expectError(
      t.sdk.send(new ListIdentityProvidersCommand({ UserPoolId: poolId, MaxResults: 61 })),
      'InvalidParameterException',
    );

    // Clients name providers exactly; a deleted provider leaves them.
    const client = await t.sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'web',
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'],
        CallbackURLs: ['https://app.example.com/cb'],
        SupportedIdentityProviders: ['COGNITO', 'Google', 'Alpha'],
      }),
    );
    const clientId = client.UserPoolClient!.ClientId!;
    await expectError(
      t.sdk.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid'],
          CallbackURLs: ['https://app.example.com/cb'],
          SupportedIdentityProviders: ['alpha'],
        }),
      ),
      'InvalidParameterException',
      new RegExp(`The provider alpha does not exist for User Pool ${poolId}`),
    );
    await t.sdk.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Alpha' }));
    const described = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    assert.deepEqual(described.UserPoolClient!.SupportedIdentityProviders, ['COGNITO', 'Google']);
    await expectError(
      t.sdk.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Alpha' })),
      'ResourceNotFoundException',
    );
    assert.deepEqual(await names(poolId), ['Bravo', 'Charlie', 'Google']);
  });
});
