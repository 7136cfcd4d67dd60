import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { CognitoError, errorCatalog, type CognitoErrorName } from '../../src/errors/cognito-error.ts';
import {
  createSigV4Verifier,
  type AwsCredentials,
  type IncomingSignedRequest,
} from '../../src/modules/aws-auth/index.ts';

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIACOGNATETEST00001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY',
};
const SIGNED_AT = new Date('2026-11-26T08:25:00Z');
const BODY = JSON.stringify({ UserPoolId: 'eu-west-1_AbCdEf123', Limit: 10, Filter: 'email ^= "ana"' });

type SignOptions = {
  body?: string;
  target?: string;
  credentials?: AwsCredentials & { sessionToken?: string };
  region?: string;
  service?: string;
  signingDate?: Date;
  applyChecksum?: boolean;
  extraHeaders?: Record<string, string>;
  query?: Record<string, string | string[]>;
  signableHeaders?: Set<string>;
  unsignableHeaders?: Set<string>;
};

/** Signs a request with SignatureV4 exactly as the AWS SDK v3 for cognito-idp builds and signs it. */
async function signRequest(
  options: SignOptions = {},
): Promise<IncomingSignedRequest & { headers: Record<string, string> }> {
  const body = options.body ?? BODY;
  const signer = new SignatureV4({
    credentials: options.credentials ?? CREDENTIALS,
    region: options.region ?? 'eu-west-1',
    service: options.service ?? 'cognito-idp',
    sha256: Hash.bind(null, 'sha256'),
    ...(options.applyChecksum === undefined ? {} : { applyChecksum: options.applyChecksum }),
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3000,
      path: '/',
      query: options.query ?? {},
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': options.target ?? 'AWSCognitoIdentityProviderService.ListUsers',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-user-agent': 'aws-sdk-js/3.1168.0',
        'user-agent':
          'aws-sdk-js/3.1168.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/cognito-identity-provider#3.1168.0',
        host: '127.0.0.1:3000',
        'amz-sdk-invocation-id': '0b4a4cb8-5a3f-4ed2-9a1f-3c0a8a3c9b11',
        'amz-sdk-request': 'attempt=1; max=3',
        ...options.extraHeaders,
      },
      body,
    },
    {
      signingDate: options.signingDate ?? SIGNED_AT,
      ...(options.signableHeaders ? { signableHeaders: options.signableHeaders } : {}),
      ...(options.unsignableHeaders ? { unsignableHeaders: options.unsignableHeaders } : {}),
    },
  );
  return {
    method: signed.method,
    path: signed.path,
    ...(options.query ? { query: options.query } : {}),
    headers: { ...signed.headers },
    body,
  };
}

function signatureOf(request: IncomingSignedRequest): string {
  const match = /Signature=([0-9a-f]{64})$/.exec(String(request.headers['authorization']));
  assert.ok(match, 'signed request has a signature');
  return match[1]!;
}

/** The promise rejects with a CognitoError of that name (and message); no error ever carries the secret. */
async function rejects(
  promise: Promise<unknown>,
  name: CognitoErrorName,
  message?: string | RegExp,
): Promise<CognitoError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CognitoError, `expected a CognitoError ${name}, got ${String(caught)}`);
  assert.equal(caught.name, name, caught.message);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  assert.ok(!caught.message.includes(CREDENTIALS.secretAccessKey), 'the secret never appears in an error');
  return caught;
}

const verifier = createSigV4Verifier(CREDENTIALS);
const MISMATCH = errorCatalog.InvalidSignatureException.message;

describe('SigV4 verification: requests that must pass', () => {
  test('a request signed as the AWS SDK v3 signs cognito-idp calls verifies, and the scope is returned', async () => {
    const request = await signRequest();
    assert.match(
      String(request.headers['authorization']),
      /SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent,/,
    );
    const scope = await verifier.verify(request, SIGNED_AT);
    assert.deepEqual(scope, { accessKeyId: CREDENTIALS.accessKeyId, region: 'eu-west-1', service: 'cognito-idp' });
  });

  test('region and service come from the credential scope; x-amz-content-sha256 may be left unsigned (applyChecksum off)', async () => {
    const request = await signRequest({ region: 'us-east-2', service: 'cognito-idp', applyChecksum: false });
    assert.doesNotMatch(String(request.headers['authorization']), /x-amz-content-sha256/);
    assert.deepEqual(await verifier.verify(request, SIGNED_AT), {
      accessKeyId: CREDENTIALS.accessKeyId,
      region: 'us-east-2',
      service: 'cognito-idp',
    });
  });

  test('headers added after signing (proxies, load balancers) do not break verification', async () => {
    const request = await signRequest();
    request.headers['x-forwarded-for'] = '203.0.113.7';
    request.headers['via'] = '1.1 proxy';
    request.headers['x-amzn-trace-id'] = 'Root=1-67891233-abcdef012345678912345678';
    request.headers['user-agent'] = 'rewritten by a proxy';
    request.headers['accept-encoding'] = 'gzip';
    await verifier.verify(request, SIGNED_AT);
  });

  test('an unsigned x-amz-content-sha256 is not used as the payload hash', async () => {
    const request = await signRequest({ applyChecksum: false });
    request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    await verifier.verify(request, SIGNED_AT);
  });

  test('whatever headers the client chose to sign are re-signed, even normally unsignable ones', async () => {
    const request = await signRequest({
      signableHeaders: new Set(['user-agent']),
      extraHeaders: { 'x-custom': 'a  b\t c ' },
    });
    assert.match(
      String(request.headers['authorization']),
      /;user-agent;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent;x-custom,/,
    );
    await verifier.verify(request, SIGNED_AT);

    request.headers['user-agent'] = 'someone else';
    await rejects(verifier.verify(request, SIGNED_AT), 'InvalidSignatureException', MISMATCH);
  });

  test('signed query parameters are part of the signature', async () => {
    const query = { b: 'two words', a: ['2', '1'] };
    const request = await signRequest({ query });
    await verifier.verify(request, SIGNED_AT);
    await rejects(
      verifier.verify({ ...request, query: { ...query, b: 'other' } }, SIGNED_AT),
      'InvalidSignatureException',
      MISMATCH,
    );
    await rejects(
      verifier.verify({ ...request, query: { b: 'two words' } }, SIGNED_AT),
      'InvalidSignatureException',
      MISMATCH,
    );
  });

  test('clock skew: exactly at the limit passes, on both sides', async () => {
    const request = await signRequest();
    await verifier.verify(request, new Date(SIGNED_AT.getTime() + 300_000));
    await verifier.verify(request, new Date(SIGNED_AT.getTime() - 300_000));
  });
});

describe('SigV4 verification: requests produced by the real AWS SDK', () => {
  /** A cognito-idp client whose request handler captures the signed request and answers `{}` with 200. */
  function capturingClient(credentials: AwsCredentials) {
    const captured: IncomingSignedRequest[] = [];
    const client = new CognitoIdentityProviderClient({
      region: 'eu-central-1',
      endpoint: 'http://127.0.0.1:3000',
      credentials,
      maxAttempts: 1,
      requestHandler: {
        async handle(request: {
          method: string;
          path: string;
          query?: Record<string, string | string[] | null>;
          headers: Record<string, string>;
          body?: unknown;
        }) {
          const body = request.body;
          captured.push({
            method: request.method,
            path: request.path,
            headers: { ...request.headers },
            body:
              typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '',
          });
          return {
            response: {
              statusCode: 200,
              headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'test-request' },
              body: Readable.from([Buffer.from('{}')]),
            },
          };
        },
      },
    });
    return { client, captured };
  }

  test('ListUsers and AdminGetUser as signed by @aws-sdk/client-cognito-identity-provider verify', async () => {
    const { client, captured } = capturingClient(CREDENTIALS);
    await client.send(new ListUsersCommand({ UserPoolId: 'eu-central-1_AbCdEf123', Filter: 'email ^= "ana"' }));
    await client.send(new AdminGetUserCommand({ UserPoolId: 'eu-central-1_AbCdEf123', Username: 'ana' }));
    assert.equal(captured.length, 2);

    for (const request of captured) {
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/');
      assert.equal(request.headers['host'], '127.0.0.1:3000');
      const signedHeaders = /SignedHeaders=([^,]+),/.exec(String(request.headers['authorization']))?.[1];
      assert.equal(
        signedHeaders,
        'amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent',
      );
      assert.ok(request.headers['user-agent'], 'the SDK sends user-agent, unsigned');
      const scope = await verifier.verify(request, new Date());
      assert.deepEqual(scope, { accessKeyId: CREDENTIALS.accessKeyId, region: 'eu-central-1', service: 'cognito-idp' });
    }
    assert.equal(captured[0]!.headers['x-amz-target'], 'AWSCognitoIdentityProviderService.ListUsers');
    assert.deepEqual(JSON.parse(captured[1]!.body), { UserPoolId: 'eu-central-1_AbCdEf123', Username: 'ana' });
  });

  test('the real SDK request fails once tampered with, or when signed with another key', async () => {
    const { client, captured } = capturingClient(CREDENTIALS);
    await client.send(new AdminGetUserCommand({ UserPoolId: 'eu-central-1_AbCdEf123', Username: 'ana' }));
    const [request] = captured;
    assert.ok(request);
    await rejects(
      verifier.verify(
        {
          ...request,
          headers: { ...request.headers, 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminDeleteUser' },
        },
        new Date(),
      ),
      'InvalidSignatureException',
      MISMATCH,
    );
    await rejects(
      verifier.verify({ ...request, body: request.body.replace('"ana"', '"bob"') }, new Date()),
      'InvalidSignatureException',
      /x-amz-content-sha256/,
    );

    const other = capturingClient({ accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' });
    await other.client.send(new AdminGetUserCommand({ UserPoolId: 'eu-central-1_AbCdEf123', Username: 'ana' }));
    await rejects(verifier.verify(other.captured[0]!, new Date()), 'InvalidSignatureException', MISMATCH);
  });
});

describe('SigV4 verification: requests that must fail', () => {
  test('tampered body: caught by the signed x-amz-content-sha256, or by the signature when that is resent to match', async () => {
    const request = await signRequest();
    const body = BODY.replace('ana', 'bob');
    assert.notEqual(body, BODY);
    await rejects(
      verifier.verify({ ...request, body }, SIGNED_AT),
      'InvalidSignatureException',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
    const forgedHash = (await signRequest({ body }))['headers']['x-amz-content-sha256'];
    assert.ok(forgedHash);
    await rejects(
      verifier.verify(
        { ...request, body, headers: { ...request.headers, 'x-amz-content-sha256': forgedHash } },
        SIGNED_AT,
      ),
      'InvalidSignatureException',
      MISMATCH,
    );
  });

  test('tampered body without x-amz-content-sha256: signature mismatch', async () => {
    const request = await signRequest({ applyChecksum: false });
    await rejects(verifier.verify({ ...request, body: BODY + ' ' }, SIGNED_AT), 'InvalidSignatureException', MISMATCH);
  });

  test('a signed UNSIGNED-PAYLOAD does not leave the body unauthenticated', async () => {
    const request = await signRequest({ extraHeaders: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.match(String(request.headers['authorization']), /x-amz-content-sha256/);
    await rejects(verifier.verify(request, SIGNED_AT), 'InvalidSignatureException', /x-amz-content-sha256/);
  });

  test('tampered x-amz-target, or any other signed header changed: signature mismatch', async () => {
    const request = await signRequest();
    for (const [name, value] of [
      ['x-amz-target', 'AWSCognitoIdentityProviderService.AdminDeleteUser'],
      ['amz-sdk-request', 'attempt=2; max=3'],
      ['content-type', 'application/json'],
      ['host', 'cognate.example.com'],
      ['x-amz-user-agent', 'aws-sdk-js/3.0.0'],
    ] as const) {
      await rejects(
        verifier.verify({ ...request, headers: { ...request.headers, [name]: value } }, SIGNED_AT),
        'InvalidSignatureException',
        MISMATCH,
      );
    }
    await rejects(verifier.verify({ ...request, method: 'PUT' }, SIGNED_AT), 'InvalidSignatureException', MISMATCH);
    await rejects(verifier.verify({ ...request, path: '/other' }, SIGNED_AT), 'InvalidSignatureException', MISMATCH);
  });

  test('a signed header missing from the request', async () => {
    const request = await signRequest();
    const headers = { ...request.headers };
    delete headers['amz-sdk-request'];
    await rejects(
      verifier.verify({ ...request, headers }, SIGNED_AT),
      'InvalidSignatureException',
      "Signed header 'amz-sdk-request' is missing from the request.",
    );
  });

  test('wrong secret: the catalog message, without the secret or the expected signature', async () => {
    const good = await signRequest();
    const bad = await signRequest({
      credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    const error = await rejects(verifier.verify(bad, SIGNED_AT), 'InvalidSignatureException', MISMATCH);
    assert.ok(!error.message.includes(signatureOf(good)));
    assert.ok(!JSON.stringify(error).includes(signatureOf(good)));
  });

  test('unknown access key id', async () => {
    const request = await signRequest({
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: CREDENTIALS.secretAccessKey },
    });
    await rejects(
      verifier.verify(request, SIGNED_AT),
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  });

  test('no credentials configured: every signed request is from an unrecognized client', async () => {
    const unconfigured = createSigV4Verifier(undefined);
    await rejects(
      unconfigured.verify(await signRequest(), SIGNED_AT),
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
    await rejects(
      unconfigured.verify({ method: 'POST', path: '/', headers: { host: 'h' }, body: '' }, SIGNED_AT),
      'MissingAuthenticationTokenException',
    );
  });

  test('temporary credentials (x-amz-security-token) are not known here', async () => {
    const request = await signRequest({
      credentials: { ...CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEJr//////////session' },
    });
    assert.ok(request.headers['x-amz-security-token']);
    await rejects(
      verifier.verify(request, SIGNED_AT),
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  });

  test('no Authorization header', async () => {
    const request = await signRequest();
    const headers = { ...request.headers };
    delete headers['authorization'];
    await rejects(
      verifier.verify({ ...request, headers }, SIGNED_AT),
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    );
  });

  test('presigned query-string authentication is refused, alone or alongside the header', async () => {
    const request = await signRequest();
    const headers = { ...request.headers };
    delete headers['authorization'];
    const query = { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Signature': 'ab'.repeat(32) };
    await rejects(verifier.verify({ ...request, headers, query }, SIGNED_AT), 'InvalidSignatureException', /presigned/);
    await rejects(
      verifier.verify({ ...request, query }, SIGNED_AT),
      'InvalidSignatureException',
      /Only one auth mechanism allowed/,
    );
  });

  test('garbage or incomplete Authorization headers say what is wrong', async () => {
    const request = await signRequest();
    const authorization = String(request.headers['authorization']);
    const credential = `Credential=${CREDENTIALS.accessKeyId}/20261126/eu-west-1/cognito-idp/aws4_request`;
    const signedHeaders = 'SignedHeaders=host;x-amz-date';
    const signature = `Signature=${'0'.repeat(64)}`;
    const cases: Array<[string, RegExp]> = [
      ['garbage', /Unsupported Authorization type 'garbage'/],
      ['Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig', /Unsupported Authorization type 'Bearer'/],
      [authorization.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'), /only AWS4-HMAC-SHA256 is accepted/],
      [
        'AWS4-HMAC-SHA256',
        /requires 'Credential' parameter\. .*requires 'SignedHeaders' parameter\. .*requires 'Signature' parameter\./,
      ],
      [`AWS4-HMAC-SHA256 ${signedHeaders}, ${signature}`, /^Authorization header requires 'Credential' parameter\.$/],
      [`AWS4-HMAC-SHA256 ${credential}, ${signedHeaders}`, /^Authorization header requires 'Signature' parameter\.$/],
      [`AWS4-HMAC-SHA256 ${credential}, ${signature}`, /^Authorization header requires 'SignedHeaders' parameter\.$/],
      [`AWS4-HMAC-SHA256 ${credential} ${signedHeaders} ${signature}`, /./],
      [`AWS4-HMAC-SHA256 ${credential}, ${credential}, ${signedHeaders}, ${signature}`, /more than once/],
      [`AWS4-HMAC-SHA256 ${credential}, ${signedHeaders}, ${signature}, Extra=1`, /unknown parameter/],
      [
        `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20261126/eu-west-1, ${signedHeaders}, ${signature}`,
        /must have the form/,
      ],
      [
        `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/2026-11-26/eu-west-1/cognito-idp/aws4_request, ${signedHeaders}, ${signature}`,
        /must have the form/,
      ],
      [
        `AWS4-HMAC-SHA256 ${credential.replace('aws4_request', 'aws5_request')}, ${signedHeaders}, ${signature}`,
        /valid terminator: 'aws4_request'/,
      ],
      [`AWS4-HMAC-SHA256 ${credential}, SignedHeaders=Host;X-Amz-Date, ${signature}`, /lower-case header names/],
      [`AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host;;x-amz-date, ${signature}`, /lower-case header names/],
      [`AWS4-HMAC-SHA256 ${credential}, ${signedHeaders}, Signature=xyz`, /64 lower-case hexadecimal/],
      [
        `AWS4-HMAC-SHA256 ${credential}, SignedHeaders=date;host;x-amz-date, ${signature}`,
        /'Date' header is not supported/,
      ],
    ];
    for (const [value, message] of cases) {
      await rejects(
        verifier.verify({ ...request, headers: { ...request.headers, authorization: value } }, SIGNED_AT),
        'InvalidSignatureException',
        message,
      );
    }
  });

  test('host and x-amz-date must be signed', async () => {
    const noHost = await signRequest({ unsignableHeaders: new Set(['host']) });
    assert.doesNotMatch(String(noHost.headers['authorization']), /;host;/);
    await rejects(verifier.verify(noHost, SIGNED_AT), 'InvalidSignatureException', /'Host' must be a 'SignedHeader'/);

    const noDate = await signRequest({ unsignableHeaders: new Set(['x-amz-date']) });
    assert.doesNotMatch(String(noDate.headers['authorization']), /x-amz-date/);
    await rejects(
      verifier.verify(noDate, SIGNED_AT),
      'InvalidSignatureException',
      /'X-Amz-Date' must be a 'SignedHeader'/,
    );
  });

  test('x-amz-target must be signed: a signature without it cannot be replayed under another action', async () => {
    const noTarget = await signRequest({
      target: 'AWSCognitoIdentityProviderService.AdminGetUser',
      unsignableHeaders: new Set(['x-amz-target']),
    });
    assert.doesNotMatch(String(noTarget.headers['authorization']), /x-amz-target/);
    const message = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.";
    await rejects(verifier.verify(noTarget, SIGNED_AT), 'InvalidSignatureException', message);
    const replayed = {
      ...noTarget,
      headers: { ...noTarget.headers, 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminDisableUser' },
    };
    await rejects(verifier.verify(replayed, SIGNED_AT), 'InvalidSignatureException', message);
  });

  test('content-type must be signed when the request carries one', async () => {
    const noType = await signRequest({ unsignableHeaders: new Set(['content-type']) });
    assert.doesNotMatch(String(noType.headers['authorization']), /content-type/);
    await rejects(
      verifier.verify(noType, SIGNED_AT),
      'InvalidSignatureException',
      "'Content-Type' must be a 'SignedHeader' in the AWS Authorization.",
    );
    // A request without a Content-Type has nothing to sign there.
    const headers = { ...noType.headers };
    delete headers['content-type'];
    await verifier.verify({ ...noType, headers }, SIGNED_AT);
  });

  test('the credential scope must name cognito-idp, in AWS words', async () => {
    for (const service of ['s3', 'cognito-identity', 'sts', 'execute-api']) {
      // Correctly signed for that service, with our key: still not a Cognito signature.
      await rejects(
        verifier.verify(await signRequest({ service }), SIGNED_AT),
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'cognito-idp'. ",
      );
    }
  });

  test('x-amz-date missing or malformed', async () => {
    const request = await signRequest();
    const headers = { ...request.headers };
    delete headers['x-amz-date'];
    await rejects(
      verifier.verify({ ...request, headers }, SIGNED_AT),
      'InvalidSignatureException',
      /requires existence of an 'X-Amz-Date' header/,
    );
    for (const bad of [
      '2026-11-26T08:25:00Z',
      '20261126T082500',
      '20261332T082500Z',
      'Thu, 26 Nov 2026 08:25:00 GMT',
    ]) {
      await rejects(
        verifier.verify({ ...request, headers: { ...request.headers, 'x-amz-date': bad } }, SIGNED_AT),
        'InvalidSignatureException',
        /ISO-8601 basic format/,
      );
    }
  });

  test('expired and not yet current signatures, with the window in the message', async () => {
    const request = await signRequest();
    await rejects(
      verifier.verify(request, new Date(SIGNED_AT.getTime() + 301_000)),
      'InvalidSignatureException',
      'Signature expired: 20261126T082500Z is now earlier than 20261126T082501Z (20261126T083001Z - 5 min.)',
    );
    await rejects(
      verifier.verify(request, new Date(SIGNED_AT.getTime() - 301_000)),
      'InvalidSignatureException',
      'Signature not yet current: 20261126T082500Z is still later than 20261126T082459Z (20261126T081959Z + 5 min.)',
    );
    const strict = createSigV4Verifier(CREDENTIALS, { clockSkewSeconds: 60 });
    await strict.verify(request, new Date(SIGNED_AT.getTime() + 60_000));
    await rejects(
      strict.verify(request, new Date(SIGNED_AT.getTime() + 61_000)),
      'InvalidSignatureException',
      /^Signature expired: .* - 1 min\.\)$/,
    );
  });

  test('a changed x-amz-date fails: against the scope date, or against the signature', async () => {
    const request = await signRequest();
    const nextDay = { ...request, headers: { ...request.headers, 'x-amz-date': '20261127T082500Z' } };
    await rejects(
      verifier.verify(nextDay, new Date('2026-11-27T08:25:00Z')),
      'InvalidSignatureException',
      /^Date in Credential scope does not match .*'20261126' != '20261127'/,
    );
    const sameDay = { ...request, headers: { ...request.headers, 'x-amz-date': '20261126T082600Z' } };
    await rejects(verifier.verify(sameDay, SIGNED_AT), 'InvalidSignatureException', MISMATCH);
  });

  test('credential scope date not the x-amz-date day', async () => {
    const request = await signRequest();
    const authorization = String(request.headers['authorization']).replace('/20261126/', '/20261125/');
    await rejects(
      verifier.verify({ ...request, headers: { ...request.headers, authorization } }, SIGNED_AT),
      'InvalidSignatureException',
      /'20261125' != '20261126'/,
    );
  });

  test('a changed credential scope region fails the signature; another service is refused by name', async () => {
    const request = await signRequest();
    const region = String(request.headers['authorization']).replace('/eu-west-1/', '/us-east-1/');
    await rejects(
      verifier.verify({ ...request, headers: { ...request.headers, authorization: region } }, SIGNED_AT),
      'InvalidSignatureException',
      MISMATCH,
    );
    const service = String(request.headers['authorization']).replace('/cognito-idp/', '/cognito-identity/');
    await rejects(
      verifier.verify({ ...request, headers: { ...request.headers, authorization: service } }, SIGNED_AT),
      'InvalidSignatureException',
      "Credential should be scoped to correct service: 'cognito-idp'. ",
    );
  });

  test('a reordered SignedHeaders list does not verify', async () => {
    const request = await signRequest();
    const authorization = String(request.headers['authorization']).replace(
      'SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;',
      'SignedHeaders=amz-sdk-request;amz-sdk-invocation-id;',
    );
    await rejects(
      verifier.verify({ ...request, headers: { ...request.headers, authorization } }, SIGNED_AT),
      'InvalidSignatureException',
      MISMATCH,
    );
  });

  test('misconfiguration is refused when the verifier is built', () => {
    assert.throws(() => createSigV4Verifier({ accessKeyId: '', secretAccessKey: 'x' }), TypeError);
    assert.throws(() => createSigV4Verifier({ accessKeyId: 'x', secretAccessKey: '' }), TypeError);
    assert.throws(() => createSigV4Verifier(CREDENTIALS, { clockSkewSeconds: -1 }), TypeError);
  });
});
