import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { startTestApp, type TestApp } from './app.ts';

/** The key Cognito-protocol admin calls are signed with in tests (COGNITO_ACCESS_KEY_ID/SECRET). */
export const AWS_KEY = { accessKeyId: 'AKIACOGNATETEST00001', secretAccessKey: 'cognate-test-secret-access-key-0123' };

export interface CognitoTestApp extends TestApp {
  /** http://127.0.0.1:<port>: the endpoint SDKs and Amplify are pointed at. */
  endpoint: string;
  /** An SDK client signing with Cognate's configured key: admin and user actions. */
  sdk: CognitoIdentityProviderClient;
  /** An SDK client for the endpoint with other credentials (or none valid for admin actions). */
  sdkWith(
    credentials: { accessKeyId: string; secretAccessKey: string },
    region?: string,
  ): CognitoIdentityProviderClient;
}

/** The test app listening on a loopback port, with the AWS SDK pointed at it. */
export async function startCognitoApp(
  env: Record<string, string> = {},
  options: Parameters<typeof startTestApp>[1] = {},
): Promise<CognitoTestApp> {
  const t = await startTestApp(
    {
      COGNITO_ACCESS_KEY_ID: AWS_KEY.accessKeyId,
      COGNITO_SECRET_ACCESS_KEY: AWS_KEY.secretAccessKey,
      ...env,
    },
    options,
  );
  const endpoint = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const clients: CognitoIdentityProviderClient[] = [];
  const sdkWith = (credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1') => {
    // No retries: a test sees the first answer, not a back-off.
    const client = new CognitoIdentityProviderClient({ endpoint, region, credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const sdk = sdkWith(AWS_KEY);
  return {
    ...t,
    endpoint,
    sdk,
    sdkWith,
    async close() {
      for (const client of clients) client.destroy();
      await t.close();
    },
  };
}

/** Awaits a rejected SDK call and returns the error, failing the test if the call succeeded. */
export async function sdkError(
  call: Promise<unknown>,
): Promise<Error & { name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail, and it succeeded');
}
