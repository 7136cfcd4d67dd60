/**
 * The web sign-in's configuration through the real AWS SDK (docs/web-sign-in.md): a client's OAuth
 * members (CreateUserPoolClient, UpdateUserPoolClient, DescribeUserPoolClient), user-pool domains
 * (CreateUserPoolDomain and the rest, the pool a Host names), resource servers and their scopes,
 * and UI customization (SetUICustomization, GetUICustomization, the logo Cognate serves). Every
 * bad input is a typed error that changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand,
  DeleteResourceServerCommand,
  DeleteUserPoolDomainCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetUICustomizationCommand,
  ListResourceServersCommand,
  ListUserPoolClientsCommand,
  SetUICustomizationCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolDomainCommand,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { createClient, createPool, expectError } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

let counter = 0;
const fresh = (prefix: string) => `${prefix}${++counter}x${process.pid}`;

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0f3e1c2a-1111-2222-3333-444455556666';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

async function clientCount(poolId: string): Promise<number> {
  const listed = await t.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }));
  return listed.UserPoolClients!.length;
}

const newClient = (poolId: string, input: Partial<CreateUserPoolClientCommandInput>) =>
  t.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ...input }));

const codeClient: Partial<CreateUserPoolClientCommandInput> = {
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthFlows: ['code'],
  AllowedOAuthScopes: ['openid', 'email'],
  CallbackURLs: ['https://app.example.com/callback'],
};

describe('a client’s OAuth members', () => {
  let poolId: string;
  before(async () => {
    poolId = await createPool(t);
    await t.sdk.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'https://api.example.com',
        Name: 'API',
        Scopes: [
          { ScopeName: 'read', ScopeDescription: 'Read' },
          { ScopeName: 'write', ScopeDescription: 'Write' },
        ],
      }),
    );
  });

  test('are stored and described as given, and the REST face shows them with requirePkce false', async () => {
    const created = await newClient(poolId, {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code', 'implicit'],
      AllowedOAuthScopes: [
        'openid',
        'email',
        'profile',
        'phone',
        'aws.cognito.signin.user.admin',
        'https://api.example.com/read',
      ],
      CallbackURLs: ['https://app.example.com/callback', 'http://localhost:5173/cb', 'myapp://callback'],
      LogoutURLs: ['https://app.example.com/bye'],
      DefaultRedirectURI: 'http://localhost:5173/cb',
      SupportedIdentityProviders: ['COGNITO'],
    });
    const client = created.UserPoolClient!;
    assert.equal(client.AllowedOAuthFlowsUserPoolClient, true);
    assert.deepEqual(client.AllowedOAuthFlows, ['code', 'implicit']);
    assert.deepEqual(client.CallbackURLs, [
      'https://app.example.com/callback',
      'http://localhost:5173/cb',
      'myapp://callback',
    ]);
    assert.deepEqual(client.LogoutURLs, ['https://app.example.com/bye']);
    assert.equal(client.DefaultRedirectURI, 'http://localhost:5173/cb');
    assert.deepEqual(client.SupportedIdentityProviders, ['COGNITO']);
    const described = await t.sdk.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }),
    );
    assert.deepEqual(described.UserPoolClient, client);
    const rest = await t.admin('GET', `/v1/pools/${poolId}/clients/${client.ClientId}`);
    assert.equal(rest.status, 200);
    assert.equal(rest.body.oauth.requirePkce, false);
    assert.deepEqual(rest.body.oauth.scopes, client.AllowedOAuthScopes);
  });

  test('a client without them describes OAuth off, with no lists', async () => {
    const clientId = await createClient(t, poolId);
    const described = await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    assert.equal(described.UserPoolClient!.AllowedOAuthFlowsUserPoolClient, false);
    for (const member of [
      'AllowedOAuthFlows',
      'AllowedOAuthScopes',
      'CallbackURLs',
      'LogoutURLs',
      'DefaultRedirectURI',
    ])
      assert.equal(member in described.UserPoolClient!, false, member);
  });

  test('client_credentials: a confidential client with custom scopes only', async () => {
    const created = await newClient(poolId, {
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['https://api.example.com/read', 'https://api.example.com/write'],
    });
    assert.deepEqual(created.UserPoolClient!.AllowedOAuthFlows, ['client_credentials']);
    assert.ok(created.UserPoolClient!.ClientSecret);
  });

  const refusals: Array<[string, Partial<CreateUserPoolClientCommandInput>, string, RegExp]> = [
    [
      'http other than localhost',
      { ...codeClient, CallbackURLs: ['http://app.example.com/cb'] },
      'InvalidParameterException',
      /CallbackURLs .*https/,
    ],
    [
      'a fragment',
      { ...codeClient, CallbackURLs: ['https://app.example.com/cb#x'] },
      'InvalidParameterException',
      /fragment/,
    ],
    ['a relative URL', { ...codeClient, CallbackURLs: ['/callback'] }, 'InvalidParameterException', /absolute/],
    [
      'a javascript: URL',
      { ...codeClient, CallbackURLs: ['javascript:alert(1)'] },
      'InvalidParameterException',
      /javascript:/,
    ],
    [
      'http 127.0.0.1',
      { ...codeClient, CallbackURLs: ['http://127.0.0.1:3000/cb'] },
      'InvalidParameterException',
      /localhost/,
    ],
    [
      'a bad logout URL',
      { ...codeClient, LogoutURLs: ['http://evil.example.com/'] },
      'InvalidParameterException',
      /LogoutURLs/,
    ],
    [
      'a default redirect not among the callbacks',
      { ...codeClient, DefaultRedirectURI: 'https://other.example.com/cb' },
      'InvalidParameterException',
      /DefaultRedirectURI must be one of the CallbackURLs/,
    ],
    [
      'flows without AllowedOAuthFlowsUserPoolClient',
      { ...codeClient, AllowedOAuthFlowsUserPoolClient: false },
      'InvalidOAuthFlowException',
      /AllowedOAuthFlowsUserPoolClient true/,
    ],
    [
      'AllowedOAuthFlowsUserPoolClient without flows',
      { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ['openid'] },
      'InvalidOAuthFlowException',
      /required/,
    ],
    [
      'AllowedOAuthFlowsUserPoolClient without scopes',
      { ...codeClient, AllowedOAuthScopes: [] },
      'InvalidOAuthFlowException',
      /required/,
    ],
    [
      'code without callback URLs',
      { ...codeClient, CallbackURLs: [] },
      'InvalidParameterException',
      /CallbackURLs are required/,
    ],
    [
      'client_credentials without a secret',
      {
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['https://api.example.com/read'],
      },
      'InvalidOAuthFlowException',
      /client secret/,
    ],
    [
      'client_credentials with code',
      {
        ...codeClient,
        GenerateSecret: true,
        AllowedOAuthFlows: ['code', 'client_credentials'],
        AllowedOAuthScopes: ['https://api.example.com/read'],
      },
      'InvalidOAuthFlowException',
      /along with code flow/,
    ],
    [
      'client_credentials with openid',
      {
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['openid', 'https://api.example.com/read'],
      },
      'InvalidOAuthFlowException',
      /openid is not supported with client_credentials/,
    ],
    [
      'an unknown custom scope',
      { ...codeClient, AllowedOAuthScopes: ['openid', 'https://api.example.com/delete'] },
      'ScopeDoesNotExistException',
      /Invalid scope requested: https:\/\/api.example.com\/delete/,
    ],
    [
      'Cognito, the old scope name',
      { ...codeClient, AllowedOAuthScopes: ['Cognito'] },
      'ScopeDoesNotExistException',
      /Cognito/,
    ],
    [
      'email without openid',
      { ...codeClient, AllowedOAuthScopes: ['email'] },
      'InvalidParameterException',
      /email needs openid/,
    ],
    [
      'a provider the pool does not have',
      { ...codeClient, SupportedIdentityProviders: ['COGNITO', 'Google'] },
      'InvalidParameterException',
      /The provider Google does not exist for User Pool .*SupportedIdentityProviders/,
    ],
    [
      'an unknown flow',
      { ...codeClient, AllowedOAuthFlows: ['token' as 'code'] },
      'InvalidParameterException',
      /allowedOAuthFlows/,
    ],
    [
      '101 callback URLs',
      { ...codeClient, CallbackURLs: Array.from({ length: 101 }, (_, i) => `https://app.example.com/${i}`) },
      'InvalidParameterException',
      /callbackURLs/,
    ],
  ];
  for (const [what, input, name, message] of refusals) {
    test(`refuses ${what}, making nothing`, async () => {
      const before = await clientCount(poolId);
      await expectError(newClient(poolId, input), name, message);
      assert.equal(await clientCount(poolId), before);
    });
  }

  test('UpdateUserPoolClient replaces them; a refused update changes nothing; left out, OAuth is off again', async () => {
    const clientId = (await newClient(poolId, codeClient)).UserPoolClient!.ClientId!;
    const describe = async () =>
      (await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
    const updated = await t.sdk.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ...codeClient,
        CallbackURLs: ['https://app.example.com/new'],
        AllowedOAuthScopes: ['openid', 'https://api.example.com/write'],
      }),
    );
    assert.deepEqual(updated.UserPoolClient!.CallbackURLs, ['https://app.example.com/new']);
    const kept = await describe();
    await expectError(
      t.sdk.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ...codeClient,
          CallbackURLs: ['https://app.example.com/x#frag'],
        }),
      ),
      'InvalidParameterException',
      /fragment/,
    );
    assert.deepEqual(await describe(), kept);
    await t.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    const off = await describe();
    assert.equal(off.AllowedOAuthFlowsUserPoolClient, false);
    assert.equal(off.CallbackURLs, undefined);
  });

  test('client_credentials on UpdateUserPoolClient needs the client’s secret', async () => {
    const update = (clientId: string) =>
      t.sdk.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: ['https://api.example.com/read'],
        }),
      );
    const publicClient = await createClient(t, poolId);
    await expectError(update(publicClient), 'InvalidOAuthFlowException', /client secret/);
    const confidential = (await newClient(poolId, { GenerateSecret: true })).UserPoolClient!.ClientId!;
    const done = await update(confidential);
    assert.deepEqual(done.UserPoolClient!.AllowedOAuthFlows, ['client_credentials']);
  });
});

describe('resource servers', () => {
  let poolId: string;
  before(async () => {
    poolId = await createPool(t);
  });

  test('Create, Describe, List (in pages), Update, Delete in Cognito’s shapes', async () => {
    const created = await t.sdk.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'orders',
        Name: 'Orders API',
        Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read orders' }],
      }),
    );
    assert.deepEqual(created.ResourceServer, {
      UserPoolId: poolId,
      Identifier: 'orders',
      Name: 'Orders API',
      Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read orders' }],
    });
    const described = await t.sdk.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders' }));
    assert.deepEqual(described.ResourceServer, created.ResourceServer);
    for (const id of ['a-server', 'b-server'])
      await t.sdk.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: id, Name: id }));
    const first = await t.sdk.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 2 }));
    assert.deepEqual(
      first.ResourceServers!.map((s) => s.Identifier),
      ['a-server', 'b-server'],
    );
    assert.equal(first.ResourceServers![0]!.Scopes!.length, 0);
    assert.ok(first.NextToken);
    const second = await t.sdk.send(
      new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 2, NextToken: first.NextToken }),
    );
    assert.deepEqual(
      second.ResourceServers!.map((s) => s.Identifier),
      ['orders'],
    );
    assert.equal(second.NextToken, undefined);
    const updated = await t.sdk.send(
      new UpdateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'orders',
        Name: 'Orders',
        Scopes: [{ ScopeName: 'write', ScopeDescription: 'Write orders' }],
      }),
    );
    assert.deepEqual(updated.ResourceServer!.Scopes, [{ ScopeName: 'write', ScopeDescription: 'Write orders' }]);
    await t.sdk.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'a-server' }));
    await expectError(
      t.sdk.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'a-server' })),
      'ResourceNotFoundException',
    );
  });

  test('a scope that goes leaves every client that allowed it (update and delete)', async () => {
    await t.sdk.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'inventory',
        Name: 'Inventory',
        Scopes: [
          { ScopeName: 'read', ScopeDescription: 'r' },
          { ScopeName: 'write', ScopeDescription: 'w' },
        ],
      }),
    );
    const clientId = (
      await newClient(poolId, {
        ...codeClient,
        AllowedOAuthScopes: ['openid', 'inventory/read', 'inventory/write'],
      })
    ).UserPoolClient!.ClientId!;
    const scopes = async () =>
      (await t.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!
        .AllowedOAuthScopes;
    await t.sdk.send(
      new UpdateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'inventory',
        Name: 'Inventory',
        Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }],
      }),
    );
    assert.deepEqual(await scopes(), ['openid', 'inventory/read']);
    await t.sdk.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'inventory' }));
    assert.deepEqual(await scopes(), ['openid']);
    // Made again, the server's scopes are not granted back silently.
    await t.sdk.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'inventory',
        Name: 'Inventory',
        Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }],
      }),
    );
    assert.deepEqual(await scopes(), ['openid']);
  });

  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      'a scope name with /',
      { Identifier: 'x1', Name: 'x', Scopes: [{ ScopeName: 'a/b', ScopeDescription: 'd' }] },
      'InvalidParameterException',
      /ScopeName/,
    ],
    [
      'a scope twice',
      {
        Identifier: 'x2',
        Name: 'x',
        Scopes: [
          { ScopeName: 'a', ScopeDescription: 'd' },
          { ScopeName: 'a', ScopeDescription: 'e' },
        ],
      },
      'InvalidParameterException',
      /twice/,
    ],
    [
      '101 scopes',
      {
        Identifier: 'x3',
        Name: 'x',
        Scopes: Array.from({ length: 101 }, (_, i) => ({ ScopeName: `s${i}`, ScopeDescription: 'd' })),
      },
      'InvalidParameterException',
      /scopes/,
    ],
    ['a name with a slash', { Identifier: 'x4', Name: 'a/b' }, 'InvalidParameterException', /Name/],
    ['an identifier with a space', { Identifier: 'a b', Name: 'x' }, 'InvalidParameterException', /Identifier/],
    [
      'an empty description',
      { Identifier: 'x5', Name: 'x', Scopes: [{ ScopeName: 'a', ScopeDescription: '' }] },
      'InvalidParameterException',
      /scopeDescription/,
    ],
    ['an identifier taken', { Identifier: 'orders', Name: 'again' }, 'InvalidParameterException', /already exists/],
  ];
  for (const [what, input, name, message] of bad) {
    test(`CreateResourceServer refuses ${what}, making nothing`, async () => {
      const before = (await t.sdk.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 50 })))
        .ResourceServers!;
      await expectError(
        t.sdk.send(new CreateResourceServerCommand({ UserPoolId: poolId, ...input } as never)),
        name,
        message,
      );
      const after = (await t.sdk.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 50 })))
        .ResourceServers!;
      assert.deepEqual(after, before);
    });
  }

  test('an unknown pool and an unknown server are ResourceNotFoundException', async () => {
    await expectError(
      t.sdk.send(new CreateResourceServerCommand({ UserPoolId: 'us-east-1_nope', Identifier: 'a', Name: 'a' })),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'missing', Name: 'a' })),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'missing' })),
      'ResourceNotFoundException',
    );
  });
});

describe('user-pool domains', () => {
  test('a prefix and a custom domain: created, described, in DescribeUserPool, naming their pool by Host', async () => {
    const poolId = await createPool(t);
    const prefix = fresh('shop');
    const created = await t.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
    assert.equal(created.ManagedLoginVersion, 1);
    assert.equal(created.CloudFrontDomain, undefined);
    const described = await t.sdk.send(new DescribeUserPoolDomainCommand({ Domain: prefix }));
    assert.deepEqual(
      { ...described.DomainDescription, Version: 'v' },
      {
        UserPoolId: poolId,
        AWSAccountId: '000000000000',
        Domain: prefix,
        Version: 'v',
        Status: 'ACTIVE',
        ManagedLoginVersion: 1,
      },
    );
    const custom = `${fresh('auth')}.example.com`;
    const made = await t.sdk.send(
      new CreateUserPoolDomainCommand({
        UserPoolId: poolId,
        Domain: custom,
        CustomDomainConfig: { CertificateArn: CERT },
        ManagedLoginVersion: 2,
      }),
    );
    assert.equal(made.CloudFrontDomain, 'cognate.test');
    assert.equal(made.ManagedLoginVersion, 2);
    const customDescribed = (await t.sdk.send(new DescribeUserPoolDomainCommand({ Domain: custom })))
      .DomainDescription!;
    assert.deepEqual(customDescribed.CustomDomainConfig, { CertificateArn: CERT });
    assert.equal(customDescribed.CloudFrontDistribution, 'cognate.test');
    const pool = (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
    assert.equal(pool.Domain, prefix);
    assert.equal(pool.CustomDomain, custom);

    const { poolDomains } = t.services;
    assert.equal(await poolDomains.poolOfHost(prefix), poolId);
    assert.equal(await poolDomains.poolOfHost(`${prefix.toUpperCase()}:8443`), poolId);
    assert.equal(await poolDomains.poolOfHost(`${prefix}.auth.us-east-1.amazoncognito.com`), poolId);
    assert.equal(await poolDomains.poolOfHost(`${custom}:443`), poolId);
    assert.equal(await poolDomains.poolOfHost(`${custom}.`), poolId);
    assert.equal(await poolDomains.poolOfHost(`x.${custom}`), null);
    assert.equal(await poolDomains.poolOfHost(`${prefix}.example.com`), null);
    assert.equal(await poolDomains.poolOfHost(''), null);

    await t.sdk.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix, ManagedLoginVersion: 2 }));
    assert.equal(
      (await t.sdk.send(new DescribeUserPoolDomainCommand({ Domain: prefix }))).DomainDescription!.ManagedLoginVersion,
      2,
    );
    await t.sdk.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
    assert.deepEqual((await t.sdk.send(new DescribeUserPoolDomainCommand({ Domain: prefix }))).DomainDescription, {});
    assert.equal(await poolDomains.poolOfHost(prefix), null);
    assert.equal((await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.Domain, undefined);
  });

  test('bad domains and second domains are refused, changing nothing', async () => {
    const poolId = await createPool(t);
    const other = await createPool(t);
    const prefix = fresh('store');
    await t.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
    const create = (input: Record<string, unknown>) =>
      t.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, ...input } as never));
    await expectError(create({ Domain: fresh('second') }), 'InvalidParameterException', /already has a domain prefix/);
    await expectError(
      t.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: other, Domain: prefix })),
      'InvalidParameterException',
      /another user pool/,
    );
    await expectError(create({ Domain: 'my-cognito-login' }), 'InvalidParameterException', /reserved word: cognito/);
    // PUBLIC_URL is http://cognate.test in the tests: its host names no pool.
    await expectError(
      create({ Domain: 'cognate.test', CustomDomainConfig: { CertificateArn: CERT } }),
      'InvalidParameterException',
      /Cognate's own host/,
    );
    // Two domains of one kind for one pool at once: one is made, the other refused.
    const racer = await createPool(t);
    const raced = await Promise.allSettled(
      [fresh('race'), fresh('race')].map((Domain) =>
        t.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: racer, Domain })),
      ),
    );
    assert.deepEqual(raced.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(
      (raced.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.name,
      'InvalidParameterException',
    );
    await expectError(create({ Domain: 'Upper' }), 'InvalidParameterException', /domain prefix/);
    await expectError(create({ Domain: '-dash' }), 'InvalidParameterException', /domain prefix/);
    await expectError(create({ Domain: 'a.b' }), 'InvalidParameterException', /domain prefix/);
    await expectError(
      create({ Domain: 'single', CustomDomainConfig: { CertificateArn: CERT } }),
      'InvalidParameterException',
      /custom domain/,
    );
    await expectError(
      create({ Domain: 'login.example.org', CustomDomainConfig: { CertificateArn: 'not-an-arn-at-all-really' } }),
      'InvalidParameterException',
      /CertificateArn/,
    );
    await expectError(
      create({
        Domain: 'login.example.org',
        CustomDomainConfig: { CertificateArn: CERT, SecurityPolicy: 'TLSv1.2_2021' },
      }),
      'InvalidParameterException',
      /SecurityPolicy/,
    );
    await expectError(
      create({ Domain: fresh('v'), ManagedLoginVersion: 3 }),
      'InvalidParameterException',
      /ManagedLoginVersion/,
    );
    await expectError(
      t.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: 'us-east-1_missing', Domain: fresh('gone') })),
      'ResourceNotFoundException',
    );
    // Nothing was made: the pool has its one prefix, the other pool none.
    const described = (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
    assert.equal(described.Domain, prefix);
    assert.equal(described.CustomDomain, undefined);
    assert.equal((await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: other }))).UserPool!.Domain, undefined);
    assert.deepEqual(
      (await t.sdk.send(new DescribeUserPoolDomainCommand({ Domain: 'login.example.org' }))).DomainDescription,
      {},
    );

    await expectError(
      t.sdk.send(
        new UpdateUserPoolDomainCommand({
          UserPoolId: poolId,
          Domain: prefix,
          CustomDomainConfig: { CertificateArn: CERT },
        }),
      ),
      'InvalidParameterException',
      /only for a custom domain/,
    );
    await expectError(
      t.sdk.send(new UpdateUserPoolDomainCommand({ UserPoolId: other, Domain: prefix, ManagedLoginVersion: 2 })),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(new DeleteUserPoolDomainCommand({ UserPoolId: other, Domain: prefix })),
      'ResourceNotFoundException',
    );
    assert.equal(await t.services.poolDomains.poolOfHost(prefix), poolId);
  });
});

describe('UI customization', () => {
  let poolId: string;
  let clientId: string;
  before(async () => {
    poolId = await createPool(t);
    clientId = await createClient(t, poolId);
  });

  test('needs a domain, as in Cognito', async () => {
    await expectError(
      t.sdk.send(
        new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.label-customizable { font-weight: 400; }' }),
      ),
      'InvalidParameterException',
      /no domain/,
    );
    await t.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: fresh('brand') }));
  });

  test('ALL and a client’s own: set, read back, the logo served from Cognate, the client’s in place of ALL’s', async () => {
    const css =
      '.submitButton-customizable { background-color: #0a5; color: white; }\n.logo-customizable { max-width: 60%; }';
    const set = await t.sdk.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: css, ImageFile: PNG }));
    const shown = set.UICustomization!;
    assert.equal(shown.ClientId, 'ALL');
    assert.equal(shown.CSS, css);
    assert.ok(shown.CSSVersion);
    assert.ok(shown.ImageUrl!.startsWith(`http://cognate.test/${poolId}/ui-customization/ALL/logo`));
    const got = await t.sdk.send(new GetUICustomizationCommand({ UserPoolId: poolId }));
    assert.deepEqual(got.UICustomization, shown);

    const path = new URL(shown.ImageUrl!).pathname + new URL(shown.ImageUrl!).search;
    const logo = await fetch(`${t.endpoint}${path}`);
    assert.equal(logo.status, 200);
    assert.equal(logo.headers.get('content-type'), 'image/png');
    assert.match(logo.headers.get('content-security-policy')!, /sandbox/);
    assert.equal(logo.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG);

    // A client without its own is shown the pool's.
    const fallback = await t.sdk.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId }));
    assert.equal(fallback.UICustomization!.ClientId, 'ALL');
    assert.deepEqual(await t.services.branding.forClient(poolId, clientId), { css, imageUrl: shown.ImageUrl });

    const own = '.background-customizable { background-color: rgb(250, 250, 250); }';
    await t.sdk.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId, CSS: own }));
    const mine = (await t.sdk.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId })))
      .UICustomization!;
    assert.equal(mine.ClientId, clientId);
    assert.equal(mine.CSS, own);
    assert.equal(mine.ImageUrl, undefined);
    assert.deepEqual(await t.services.branding.forClient(poolId, clientId), { css: own, imageUrl: null });
    const noLogo = await fetch(`${t.endpoint}/${poolId}/ui-customization/${clientId}/logo`);
    assert.equal(noLogo.status, 404);
  });

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'a class Cognito does not have',
      { CSS: '.header { color: red; }' },
      /selector ".header" is not one of Cognito's classes/,
    ],
    [
      'a property the class does not take',
      { CSS: '.label-customizable { color: red; }' },
      /property "color" is not one Cognito lets .label-customizable set/,
    ],
    [
      'markup that would close the style element',
      { CSS: '.label-customizable { font-weight: 400; } </style><script>' },
      /may not contain </,
    ],
    ['an @import', { CSS: '@import "https://evil.example.com/x.css";' }, /@ rules/],
    [
      'markup hidden in a comment',
      { CSS: '/* </style><script>alert(1)</script> */ .label-customizable { font-weight: 400; }' },
      /not even in comments/,
    ],
    [
      'a url() value',
      { CSS: '.background-customizable { background-color: url(https://evil.example.com/) }' },
      /not a plain CSS value/,
    ],
    ['an element selector', { CSS: 'body { background-color: red; }' }, /selector "body"/],
    ['a GIF', { ImageFile: Buffer.from('GIF89a................') }, /PNG, JPEG or SVG/],
    [
      'an SVG with a script',
      { ImageFile: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') },
      /scripts/,
    ],
    [
      'an SVG with a namespaced script',
      {
        ImageFile: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg"><x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script></svg>',
        ),
      },
      /scripts/,
    ],
    [
      'an SVG linking another document',
      {
        ImageFile: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://evil.example.com/x.png"/></svg>',
        ),
      },
      /links to other documents/,
    ],
    [
      'an SVG with an event handler',
      { ImageFile: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>') },
      /event handlers/,
    ],
    ['an image over 100 KB', { ImageFile: Buffer.concat([PNG, Buffer.alloc(100 * 1024)]) }, /100 KB/],
  ];
  for (const [what, input, message] of refusals) {
    test(`SetUICustomization refuses ${what}, changing nothing`, async () => {
      const before = (await t.sdk.send(new GetUICustomizationCommand({ UserPoolId: poolId }))).UICustomization;
      await expectError(
        t.sdk.send(new SetUICustomizationCommand({ UserPoolId: poolId, ...input } as never)),
        'InvalidParameterException',
        message,
      );
      assert.deepEqual(
        (await t.sdk.send(new GetUICustomizationCommand({ UserPoolId: poolId }))).UICustomization,
        before,
      );
    });
  }

  test('a self-contained SVG is taken; an unknown client or pool is ResourceNotFoundException', async () => {
    const svg = Buffer.from(
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#0a5"/></svg>',
    );
    await t.sdk.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientId, ImageFile: svg }));
    const logo = await t.services.branding.logo(poolId, clientId);
    assert.equal(logo!.type, 'image/svg+xml');
    await expectError(
      t.sdk.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: 'nosuchclient1', CSS: '' })),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(new GetUICustomizationCommand({ UserPoolId: 'us-east-1_missing' })),
      'ResourceNotFoundException',
    );
  });
});
