/**
 * Helpers for the AWS SDK tests (test/cognito/sdk-*.test.ts): every step goes through the real
 * `@aws-sdk/client-cognito-identity-provider` against a Cognate listening on a loopback port.
 */
import assert from 'node:assert/strict';
import {
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type AttributeType,
  type AuthenticationResultType,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { PASSWORD } from './app.ts';
import { sdkError, type CognitoTestApp } from './cognito.ts';
import { mailsTo, newCodeFor } from './user-flows.ts';

export { PASSWORD };

export const UNAUTHORIZED_WRITE = 'A client attempted to write unauthorized attribute';
export const CODE_MISMATCH = 'Invalid verification code provided, please try again.';
export const EXPIRED_CODE = 'Invalid code provided, please request a code again.';

/**
 * Awaits a call that must fail and checks what the SDK made of the answer: the exception name,
 * the message (exact string, or a pattern), and HTTP 400 as Cognito answers every client error.
 */
export async function expectError(call: Promise<unknown>, name: string, message?: string | RegExp) {
  const error = await sdkError(call);
  assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
  if (typeof message === 'string') assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
  assert.equal(error.$metadata.httpStatusCode, 400, `${name} must be HTTP 400`);
  return error;
}

/** `[{Name, Value}]` as a plain map, for exact comparisons. */
export const attributeMap = (list: AttributeType[] | undefined): Record<string, string | undefined> =>
  Object.fromEntries((list ?? []).map((a) => [a.Name!, a.Value]));

export const attributeList = (map: Record<string, string>): AttributeType[] =>
  Object.entries(map).map(([Name, Value]) => ({ Name, Value }));

export async function createPool(t: CognitoTestApp, input: Partial<CreateUserPoolCommandInput> = {}): Promise<string> {
  const created = await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'sdk-test', ...input }));
  return created.UserPool!.Id!;
}

export async function createClient(
  t: CognitoTestApp,
  poolId: string,
  input: Partial<CreateUserPoolClientCommandInput> = {},
): Promise<string> {
  // These tests sign in with passwords, so their clients allow it, as a Cognito app doing so must.
  const flows: Partial<CreateUserPoolClientCommandInput> = {
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  };
  const created = await t.sdk.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ...flows, ...input }),
  );
  return created.UserPoolClient!.ClientId!;
}

/** A pool and one client, both made through the SDK. */
export async function poolWithClient(
  t: CognitoTestApp,
  pool: Partial<CreateUserPoolCommandInput> = {},
  client: Partial<CreateUserPoolClientCommandInput> = {},
): Promise<{ poolId: string; clientId: string }> {
  const poolId = await createPool(t, pool);
  return { poolId, clientId: await createClient(t, poolId, client) };
}

/** SignUp, then ConfirmSignUp with the code the user received (mail or SMS); returns the sub. */
export async function signUpConfirmed(
  t: CognitoTestApp,
  clientId: string,
  username: string,
  attributes: Record<string, string>,
  password = PASSWORD,
) {
  const mails = attributes.email ? mailsTo(t, attributes.email) : 0;
  const signedUp = await t.sdk.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: username,
      Password: password,
      UserAttributes: attributeList(attributes),
    }),
  );
  const medium = signedUp.CodeDeliveryDetails?.DeliveryMedium;
  assert.ok(medium, 'sign-up sent a code: use a pool with an auto-verified email or phone');
  const code =
    medium === 'SMS' ? t.smsCodeFor(attributes.phone_number!) : await newCodeFor(t, attributes.email!, mails);
  await t.sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: username, ConfirmationCode: code }));
  return signedUp.UserSub!;
}

/** InitiateAuth USER_PASSWORD_AUTH that must answer tokens. */
export async function signIn(
  t: CognitoTestApp,
  clientId: string,
  username: string,
  password = PASSWORD,
): Promise<Required<AuthenticationResultType>> {
  const result = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  assert.equal(result.ChallengeName, undefined);
  const tokens = result.AuthenticationResult;
  assert.ok(tokens?.AccessToken && tokens.IdToken && tokens.RefreshToken, 'tokens');
  return tokens as Required<AuthenticationResultType>;
}

/** Signs up, confirms and signs in; returns the sub and the tokens. */
export async function signedInUser(
  t: CognitoTestApp,
  clientId: string,
  username: string,
  attributes: Record<string, string>,
) {
  const sub = await signUpConfirmed(t, clientId, username, attributes);
  const tokens = await signIn(t, clientId, username);
  return { sub, accessToken: tokens.AccessToken, idToken: tokens.IdToken, refreshToken: tokens.RefreshToken };
}

/** GetUser's attributes as a map. */
export async function userAttributes(
  t: CognitoTestApp,
  accessToken: string,
): Promise<Record<string, string | undefined>> {
  const me = await t.sdk.send(new GetUserCommand({ AccessToken: accessToken }));
  return attributeMap(me.UserAttributes);
}

export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}
