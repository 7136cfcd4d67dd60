/**
 * The protocol's edges through the real AWS SDK and raw HTTP: who may call admin actions (SigV4
 * with Cognate's key), what user actions need (no signature), and how unreadable requests are
 * answered — always `{__type, message}` as application/x-amz-json-1.1 with HTTP 400.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AWS_KEY, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { uniqueEmail } from '../support/user-flows.ts';
import { PASSWORD, expectError, poolWithClient, signedInUser } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
before(async () => {
  t = await startCognitoApp();
  ({ poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] }));
});
after(() => t.close());

const TARGET = 'AWSCognitoIdentityProviderService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

interface RawAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A POST / as any HTTP client would send it. */
async function raw(body: string, headers: Record<string, string>): Promise<RawAnswer> {
  const res = await fetch(`${t.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': CONTENT_TYPE, ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
const call = (action: string, body: string | object) =>
  raw(typeof body === 'string' ? body : JSON.stringify(body), { 'x-amz-target': `${TARGET}${action}` });

/** The media type of an answer (Fastify appends `; charset=utf-8`, which AWS does not send). */
const mediaType = (res: RawAnswer) => res.headers.get('content-type')?.split(';')[0];

/** Cognito's error answer on the wire, exactly. */
function assertWireError(res: RawAnswer, type: string, message?: string | RegExp) {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(mediaType(res), CONTENT_TYPE);
  assert.equal(res.headers.get('x-amzn-errortype'), type);
  assert.deepEqual(Object.keys(res.body).sort(), ['__type', 'message']);
  assert.equal(res.body.__type, type);
  if (typeof message === 'string') assert.equal(res.body.message, message);
  else if (message) assert.match(String(res.body.message), message);
}

/** Signs a request as the SDK would (SigV4 with @smithy/signature-v4), so a test can tamper with it afterwards. */
async function signedHeaders(
  action: string,
  body: string,
  applyChecksum = true,
  signingDate = new Date(),
  { service = 'cognito-idp', unsignableHeaders }: { service?: string; unsignableHeaders?: Set<string> } = {},
): Promise<Record<string, string>> {
  const url = new URL(t.endpoint);
  const signer = new SignatureV4({
    credentials: AWS_KEY,
    region: 'us-east-1',
    service,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': CONTENT_TYPE, 'x-amz-target': `${TARGET}${action}` },
      body,
    },
    { signingDate, ...(unsignableHeaders && { unsignableHeaders }) },
  );
  const { host: _host, ...headers } = signed.headers;
  return headers;
}

test('admin actions need Cognate’s key: another key id is UnrecognizedClientException, a wrong secret InvalidSignatureException', async () => {
  const stranger = t.sdkWith({ accessKeyId: 'AKIAOTHERKEY00000001', secretAccessKey: AWS_KEY.secretAccessKey });
  await expectError(
    stranger.send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
  );
  await expectError(
    stranger.send(new ListUsersCommand({ UserPoolId: poolId })),
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
  );

  const wrongSecret = t.sdkWith({ accessKeyId: AWS_KEY.accessKeyId, secretAccessKey: 'not-the-secret' });
  await expectError(
    wrongSecret.send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
    'InvalidSignatureException',
    BAD_SIGNATURE,
  );
  await expectError(
    wrongSecret.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'x' })),
    'InvalidSignatureException',
    BAD_SIGNATURE,
  );

  // Temporary (session) credentials are not Cognate's long-term key.
  const session = new CognitoIdentityProviderClient({
    endpoint: t.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { ...AWS_KEY, sessionToken: 'token' },
  });
  try {
    await expectError(session.send(new DescribeUserPoolCommand({ UserPoolId: poolId })), 'UnrecognizedClientException');
  } finally {
    session.destroy();
  }
  // Any region signs, with the right key.
  const described = await t
    .sdkWith(AWS_KEY, 'ap-southeast-2')
    .send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.equal(described.UserPool!.Id, poolId);
});

test('user actions need no signature: they work from a client with arbitrary credentials, and unsigned', async () => {
  const anyone = t.sdkWith({ accessKeyId: 'AKIAANYONE0000000001', secretAccessKey: 'whatever' });
  const email = uniqueEmail('anyone');
  const signedUp = await anyone.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: 'anyone',
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  assert.equal(signedUp.UserConfirmed, false);
  const user = await signedInUser(t, clientId, 'anyone2', { email: uniqueEmail('anyone2') });
  const auth = await anyone.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'anyone2', PASSWORD },
    }),
  );
  assert.ok(auth.AuthenticationResult?.AccessToken);
  assert.equal((await anyone.send(new GetUserCommand({ AccessToken: user.accessToken }))).Username, 'anyone2');

  const unsigned = await call('GetUser', { AccessToken: user.accessToken });
  assert.equal(unsigned.status, 200);
  assert.equal(mediaType(unsigned), CONTENT_TYPE);
  assert.equal(unsigned.body.Username, 'anyone2');
  // A user action with a bad token is still a NotAuthorizedException, signed or not.
  assertWireError(
    await call('GetUser', { AccessToken: 'not.a.token' }),
    'NotAuthorizedException',
    'Invalid Access Token',
  );
});

test('an unsigned admin action is MissingAuthenticationTokenException, whatever its body', async () => {
  for (const body of [JSON.stringify({ UserPoolId: poolId }), '{broken', '']) {
    assertWireError(
      await call('DescribeUserPool', body),
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    );
  }
  assertWireError(
    await call('AdminCreateUser', { UserPoolId: poolId, Username: 'sneaky' }),
    'MissingAuthenticationTokenException',
    'Missing Authentication Token',
  );
  await expectError(
    t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'sneaky' })),
    'UserNotFoundException',
    'User does not exist.',
  );
});

test('a signed request is accepted as sent, and refused once its body or target is changed', async () => {
  const body = JSON.stringify({ UserPoolId: poolId });
  const headers = await signedHeaders('DescribeUserPool', body);
  const ok = await raw(body, headers);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((ok.body.UserPool as { Id: string }).Id, poolId);

  const tampered = JSON.stringify({ UserPoolId: 'us-east-1_Tampered1' });
  // The SDK signs the payload hash too (x-amz-content-sha256); without it, the signature itself covers the body.
  assertWireError(
    await raw(tampered, headers),
    'InvalidSignatureException',
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
  );
  const bare = await signedHeaders('DescribeUserPool', body, false);
  assert.equal('x-amz-content-sha256' in bare, false);
  assert.equal((await raw(body, bare)).status, 200);
  assertWireError(await raw(tampered, bare), 'InvalidSignatureException', BAD_SIGNATURE);
  assertWireError(
    await raw(body, { ...headers, 'x-amz-target': `${TARGET}ListUserPools` }),
    'InvalidSignatureException',
    BAD_SIGNATURE,
  );
  const moved = await signedHeaders('DescribeUserPool', body);
  assertWireError(
    await raw(body, { ...moved, 'x-amz-date': '20200101T000000Z' }),
    'InvalidSignatureException',
    /^Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP/,
  );
  // A signature more than 5 minutes old (or ahead) is refused, as AWS refuses it.
  const stale = await signedHeaders('DescribeUserPool', body, true, new Date(Date.now() - 10 * 60_000));
  assertWireError(await raw(body, stale), 'InvalidSignatureException', / is now earlier than .* - 5 min\.\)$/);
  const early = await signedHeaders('DescribeUserPool', body, true, new Date(Date.now() + 10 * 60_000));
  assertWireError(await raw(body, early), 'InvalidSignatureException', /^Signature not yet current: /);
});

test('a signature leaving out X-Amz-Target or Content-Type, or scoped to another service, is refused: a replayed AdminGetUser disables no one', async () => {
  await t.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'replayed', MessageAction: 'SUPPRESS' }));
  const body = JSON.stringify({ UserPoolId: poolId, Username: 'replayed' });
  const unsignedTarget = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.";

  // A signed AdminGetUser whose signature does not cover the target, replayed as AdminDisableUser.
  const getUser = await signedHeaders('AdminGetUser', body, true, new Date(), {
    unsignableHeaders: new Set(['x-amz-target']),
  });
  assert.doesNotMatch(getUser.authorization!, /x-amz-target/);
  assertWireError(await raw(body, getUser), 'InvalidSignatureException', unsignedTarget);
  assertWireError(
    await raw(body, { ...getUser, 'x-amz-target': `${TARGET}AdminDisableUser` }),
    'InvalidSignatureException',
    unsignedTarget,
  );

  const noType = await signedHeaders('AdminDisableUser', body, true, new Date(), {
    unsignableHeaders: new Set(['content-type']),
  });
  assertWireError(
    await raw(body, noType),
    'InvalidSignatureException',
    "'Content-Type' must be a 'SignedHeader' in the AWS Authorization.",
  );

  // Our key, a sound signature, but for S3: not a Cognito signature.
  for (const service of ['s3', 'cognito-identity']) {
    const elsewhere = await signedHeaders('AdminDisableUser', body, true, new Date(), { service });
    assertWireError(
      await raw(body, elsewhere),
      'InvalidSignatureException',
      "Credential should be scoped to correct service: 'cognito-idp'. ",
    );
  }

  assert.equal((await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'replayed' }))).Enabled, true);
});

test('unknown actions, unreadable bodies and wrong member types: UnknownOperationException and SerializationException', async () => {
  assertWireError(await call('MakeCoffee', {}), 'UnknownOperationException');
  assertWireError(await raw('{}', { 'x-amz-target': 'SomeOtherService.SignUp' }), 'UnknownOperationException');
  assertWireError(await raw('{}', {}), 'UnknownOperationException');
  assertWireError(await call('toString', {}), 'UnknownOperationException');

  assertWireError(await call('SignUp', '{"ClientId": '), 'SerializationException');
  assertWireError(await call('SignUp', '[]'), 'SerializationException');
  assertWireError(await call('SignUp', '"a string"'), 'SerializationException');
  assertWireError(
    await call('SignUp', { ClientId: clientId, Username: 5, Password: PASSWORD }),
    'SerializationException',
  );
  assertWireError(
    await call('SignUp', { ClientId: clientId, Username: 'typed', Password: PASSWORD, UserAttributes: { email: 'x' } }),
    'SerializationException',
  );
  assertWireError(
    await call('UpdateUserAttributes', { AccessToken: 'a.b.c', UserAttributes: [{ Name: 'given_name', Value: 7 }] }),
    'SerializationException',
  );
  // None of these created anything.
  await expectError(
    t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'typed' })),
    'UserNotFoundException',
    'User does not exist.',
  );
});

test('member constraints: Cognito’s "1 validation error detected" texts, secrets never echoed', async () => {
  const long = 'u'.repeat(129);
  assertWireError(
    await call('SignUp', { ClientId: clientId, Username: long, Password: PASSWORD }),
    'InvalidParameterException',
    `1 validation error detected: Value '${long}' at 'username' failed to satisfy constraint: Member must have length less than or equal to 128`,
  );
  const noUser = await call('SignUp', { ClientId: clientId, Password: PASSWORD });
  assertWireError(
    noUser,
    'InvalidParameterException',
    "1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null",
  );
  const two = await call('SignUp', { ClientId: clientId, Username: long, Password: '' });
  assertWireError(two, 'InvalidParameterException', /^2 validation errors detected: /);
  assert.ok(
    String(two.body.message).includes(
      "Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ),
    String(two.body.message),
  );

  // Through the SDK too: a 129-character username never reaches the services.
  await expectError(
    t.sdk.send(new SignUpCommand({ ClientId: clientId, Username: long, Password: PASSWORD })),
    'InvalidParameterException',
    `1 validation error detected: Value '${long}' at 'username' failed to satisfy constraint: Member must have length less than or equal to 128`,
  );
  await expectError(
    t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'attr',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'x'.repeat(33), Value: '1' }],
      }),
    ),
    'InvalidParameterException',
    `1 validation error detected: Value '${'x'.repeat(33)}' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32`,
  );
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'x', PASSWORD: 'p'.repeat(20000) },
      }),
    ),
    'InvalidParameterException',
    'PASSWORD is too long for USER_PASSWORD_AUTH.',
  );
  // Text PostgreSQL cannot store is refused up front, named as Cognito names members.
  const unstorable = 'failed to satisfy constraint: Member must not contain NUL characters or unpaired surrogates';
  assertWireError(
    await call('SignUp', { ClientId: clientId, Username: 'nul\u0000name', Password: PASSWORD }),
    'InvalidParameterException',
    `1 validation error detected: Value at 'username' ${unstorable}`,
  );
  assertWireError(
    await call('SignUp', {
      ClientId: clientId,
      Username: 'lone',
      Password: PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: uniqueEmail('lone') },
        { Name: 'given_name', Value: 'x\ud800' },
      ],
    }),
    'InvalidParameterException',
    `1 validation error detected: Value at 'userAttributes.2.member.value' ${unstorable}`,
  );
  assertWireError(
    await call('SignUp', { ClientId: 'bad id!', Username: 'x', Password: PASSWORD }),
    'InvalidParameterException',
    /^1 validation error detected: Value 'bad id!' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  );
});

test('every error body is {__type, message} with the errortype header, and successes name a request id', async () => {
  const failures = [
    await call('SignUp', { ClientId: 'nosuchclient', Username: 'x', Password: PASSWORD }),
    await call('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'nobody', PASSWORD },
    }),
    await call('ConfirmSignUp', { ClientId: clientId, Username: 'nobody', ConfirmationCode: '123456' }),
  ];
  assertWireError(failures[0]!, 'ResourceNotFoundException', 'User pool client nosuchclient does not exist.');
  assertWireError(failures[1]!, 'UserNotFoundException', 'User does not exist.');
  assertWireError(failures[2]!, 'UserNotFoundException', 'User does not exist.');

  const ok = await call('SignUp', {
    ClientId: clientId,
    Username: 'rawuser',
    Password: PASSWORD,
    UserAttributes: [{ Name: 'email', Value: uniqueEmail('raw') }],
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(mediaType(ok), CONTENT_TYPE);
  assert.equal(ok.body.UserConfirmed, false);
  assert.ok(ok.headers.get('x-amzn-requestid'));
  assert.equal(ok.headers.get('x-amzn-errortype'), null);
});
