/**
 * The Cognito wire for bench/peers.ts: one call by hand (what the load sends, checked once before
 * it), and the set-up of a pool through the AWS SDK v3, the same calls on Cognate and on
 * cognito-local (docs/performance.md, "Peers: cognito-local").
 */
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export const AMZ_JSON = 'application/x-amz-json-1.1';
export const target = (operation: string) => `AWSCognitoIdentityProviderService.${operation}`;

/** One wire call; throws with the server's `__type` and message unless it answers 2xx. */
export async function wireCall<T = Record<string, unknown>>(
  endpoint: string,
  operation: string,
  body: unknown,
): Promise<T> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': AMZ_JSON, 'x-amz-target': target(operation) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${operation} on ${endpoint}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export function sdkFor(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  // One attempt: a set-up error is reported as it is, not retried into a timeout.
  return new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

export interface BenchPool {
  poolId: string;
  clientId: string;
  usernames: string[];
  /** Access tokens of `usernames` (empty unless signed in). */
  accessTokens: string[];
}

/**
 * A pool with a public client that allows USER_PASSWORD_AUTH, `users` users signed up (SignUp on
 * the wire) and confirmed (AdminConfirmSignUp), and, with `signIn`, their access tokens
 * (InitiateAuth). Eight calls at a time; `label` names the server in errors.
 */
export async function setUpPool(
  label: string,
  endpoint: string,
  sdk: CognitoIdentityProviderClient,
  options: { name: string; users: number; password: string; signIn: boolean },
): Promise<BenchPool> {
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const e = error as Error & { name?: string };
      throw new Error(`${label}: set-up failed at ${what}: ${e.name ?? 'Error'}: ${e.message}`, { cause: error });
    }
  };
  const { UserPool } = await step(`CreateUserPool ${options.name}`, () =>
    sdk.send(
      new CreateUserPoolCommand({
        PoolName: options.name,
        // Plain usernames (cognito-local's own default would make usernames e-mail addresses).
        UsernameAttributes: [],
      }),
    ),
  );
  const poolId = UserPool!.Id!;
  const { UserPoolClient } = await step(`CreateUserPoolClient in ${poolId}`, () =>
    sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'bench',
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    ),
  );
  const clientId = UserPoolClient!.ClientId!;
  const usernames = Array.from({ length: options.users }, (_, i) => `${options.name}-user-${i}`);
  const accessTokens: string[] = [];
  for (let i = 0; i < usernames.length; i += 8) {
    const batch = await Promise.all(
      usernames.slice(i, i + 8).map(async (username) => {
        await step(`SignUp ${username}`, () =>
          sdk.send(
            new SignUpCommand({
              ClientId: clientId,
              Username: username,
              Password: options.password,
              UserAttributes: [{ Name: 'nickname', Value: 'bench' }],
            }),
          ),
        );
        await step(`AdminConfirmSignUp ${username}`, () =>
          sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: username })),
        );
        if (!options.signIn) return undefined;
        const signedIn = await step(`InitiateAuth ${username}`, () =>
          wireCall<{ AuthenticationResult?: { AccessToken?: string }; ChallengeName?: string }>(
            endpoint,
            'InitiateAuth',
            {
              ClientId: clientId,
              AuthFlow: 'USER_PASSWORD_AUTH',
              AuthParameters: { USERNAME: username, PASSWORD: options.password },
            },
          ),
        );
        const token = signedIn.AuthenticationResult?.AccessToken;
        if (!token) throw new Error(`${label}: InitiateAuth ${username} gave no tokens: ${JSON.stringify(signedIn)}`);
        return token;
      }),
    );
    for (const token of batch) if (token) accessTokens.push(token);
  }
  return { poolId, clientId, usernames, accessTokens };
}
