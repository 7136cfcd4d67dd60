/**
 * Sign-in and tokens through the real AWS SDK: InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH,
 * REFRESH_TOKEN), RespondToAuthChallenge NEW_PASSWORD_REQUIRED, GetTokensFromRefreshToken,
 * ChangePassword, ForgotPassword / ConfirmForgotPassword, GlobalSignOut, RevokeToken, DeleteUser.
 * (USER_SRP_AUTH is covered by the SRP tests.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  DeleteUserCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { mailsTo, newCodeFor, otherCode, uniqueEmail } from '../support/user-flows.ts';
import {
  CODE_MISMATCH,
  EXPIRED_CODE,
  PASSWORD,
  attributeMap,
  createClient,
  expectError,
  jwtClaims,
  poolWithClient,
  signIn,
  signedInUser,
  userAttributes,
} from '../support/sdk-flows.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
before(async () => {
  t = await startCognitoApp();
  ({ poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] }));
});
after(() => t.close());

const initiate = (ClientId: string, AuthFlow: string, AuthParameters: Record<string, string>) =>
  t.sdk.send(new InitiateAuthCommand({ ClientId, AuthFlow: AuthFlow as 'USER_PASSWORD_AUTH', AuthParameters }));
const refresh = (ClientId: string, REFRESH_TOKEN: string, flow = 'REFRESH_TOKEN_AUTH') =>
  initiate(ClientId, flow, { REFRESH_TOKEN });
const getUser = (AccessToken: string) => t.sdk.send(new GetUserCommand({ AccessToken }));
const REVOKED = 'Access Token has been revoked';
const BAD_REFRESH = 'Invalid Refresh Token';

test('InitiateAuth USER_PASSWORD_AUTH: Cognito’s token set, with the claims Cognito puts in each token', async () => {
  const email = uniqueEmail('tok');
  const user = await signedInUser(t, clientId, 'tok', { email, given_name: 'Toki' });
  const result = await initiate(clientId, 'USER_PASSWORD_AUTH', { USERNAME: 'tok', PASSWORD });
  assert.deepEqual(result.ChallengeParameters, {});
  assert.equal(result.ChallengeName, undefined);
  const tokens = result.AuthenticationResult!;
  assert.deepEqual(Object.keys(tokens).sort(), ['AccessToken', 'ExpiresIn', 'IdToken', 'RefreshToken', 'TokenType']);
  assert.equal(tokens.ExpiresIn, 3600);
  assert.equal(tokens.TokenType, 'Bearer');

  const id = jwtClaims(tokens.IdToken!);
  assert.equal(id.token_use, 'id');
  assert.equal(id.aud, clientId);
  assert.equal(id.sub, user.sub);
  assert.equal(id.iss, `http://cognate.test/${poolId}`);
  assert.equal(id['cognito:username'], 'tok');
  assert.equal(id.email, email);
  assert.equal(id.email_verified, true, 'verified flags are JSON booleans in the ID token');
  assert.equal(id.given_name, 'Toki');
  const access = jwtClaims(tokens.AccessToken!);
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, clientId);
  assert.equal(access.username, 'tok');
  assert.equal(access.sub, user.sub);

  const me = await getUser(tokens.AccessToken!);
  assert.equal(me.Username, 'tok');
  assert.deepEqual(attributeMap(me.UserAttributes), {
    sub: user.sub,
    email,
    email_verified: 'true',
    given_name: 'Toki',
  });
});

test('InitiateAuth refusals', async () => {
  await signedInUser(t, clientId, 'refuse', { email: uniqueEmail('refuse') });
  await expectError(
    initiate(clientId, 'USER_PASSWORD_AUTH', { USERNAME: 'refuse', PASSWORD: 'Wr0ng-password' }),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  await expectError(
    initiate(clientId, 'USER_PASSWORD_AUTH', { USERNAME: 'nobody', PASSWORD }),
    'UserNotFoundException',
    'User does not exist.',
  );
  await expectError(
    initiate(clientId, 'USER_PASSWORD_AUTH', { USERNAME: 'refuse' }),
    'InvalidParameterException',
    'Missing required parameter PASSWORD',
  );
  await expectError(
    initiate(clientId, 'USER_PASSWORD_AUTH', { PASSWORD }),
    'InvalidParameterException',
    'Missing required parameter USERNAME',
  );
  await expectError(
    initiate(clientId, 'REFRESH_TOKEN_AUTH', {}),
    'InvalidParameterException',
    'Missing required parameter REFRESH_TOKEN',
  );
  await expectError(
    initiate(clientId, 'CUSTOM_AUTH', { USERNAME: 'refuse' }),
    'InvalidParameterException',
    'CUSTOM_AUTH flow not enabled for this client',
  );
  await expectError(
    initiate('nosuchclient', 'USER_PASSWORD_AUTH', { USERNAME: 'refuse', PASSWORD }),
    'ResourceNotFoundException',
    'User pool client nosuchclient does not exist.',
  );
  const hidden = await createClient(t, poolId, { PreventUserExistenceErrors: 'ENABLED' });
  await expectError(
    initiate(hidden, 'USER_PASSWORD_AUTH', { USERNAME: 'nobody', PASSWORD }),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
});

test('REFRESH_TOKEN_AUTH, REFRESH_TOKEN and GetTokensFromRefreshToken: new access and ID tokens, no new refresh token', async () => {
  const user = await signedInUser(t, clientId, 'fresh', { email: uniqueEmail('fresh') });
  for (const flow of ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']) {
    const result = await refresh(clientId, user.refreshToken, flow);
    const tokens = result.AuthenticationResult!;
    assert.deepEqual(Object.keys(tokens).sort(), ['AccessToken', 'ExpiresIn', 'IdToken', 'TokenType'], flow);
    assert.equal(jwtClaims(tokens.IdToken!).sub, user.sub);
    assert.equal(jwtClaims(tokens.AccessToken!).origin_jti, jwtClaims(user.accessToken).origin_jti, 'same session');
    assert.equal((await getUser(tokens.AccessToken!)).Username, 'fresh');
  }
  const fromAction = await t.sdk.send(
    new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: user.refreshToken }),
  );
  assert.equal(fromAction.$metadata.httpStatusCode, 200);
  assert.equal(jwtClaims(fromAction.AuthenticationResult!.IdToken!)['cognito:username'], 'fresh');
  assert.equal((await getUser(fromAction.AuthenticationResult!.AccessToken!)).Username, 'fresh');

  await expectError(refresh(clientId, 'not-a-refresh-token'), 'NotAuthorizedException', BAD_REFRESH);
  await expectError(
    t.sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: 'garbage' })),
    'NotAuthorizedException',
    BAD_REFRESH,
  );
  // Another client's refresh token is as good as none.
  const other = await createClient(t, poolId);
  await expectError(refresh(other, user.refreshToken), 'NotAuthorizedException', BAD_REFRESH);
});

test('RespondToAuthChallenge NEW_PASSWORD_REQUIRED: a missing required attribute is named, then given as userAttributes.<name>', async () => {
  const pool = await poolWithClient(t, {
    Schema: [{ Name: 'family_name', AttributeDataType: 'String', Required: true, Mutable: true }],
  });
  const email = uniqueEmail('invite');
  const created = await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.poolId,
      Username: 'invite',
      TemporaryPassword: 'Temp-passw0rd',
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  assert.equal(created.User!.UserStatus, 'FORCE_CHANGE_PASSWORD');
  assert.equal(mailsTo(t, email), 0);

  const challenge = await initiate(pool.clientId, 'USER_PASSWORD_AUTH', {
    USERNAME: 'invite',
    PASSWORD: 'Temp-passw0rd',
  });
  assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  assert.equal(challenge.AuthenticationResult, undefined);
  assert.ok(challenge.Session && challenge.Session.length >= 20);
  assert.deepEqual(JSON.parse(challenge.ChallengeParameters!.requiredAttributes!), ['userAttributes.family_name']);
  const shown = JSON.parse(challenge.ChallengeParameters!.userAttributes!);
  assert.equal(shown.email, email);
  assert.equal(shown.family_name, undefined);

  const respond = (ChallengeResponses: Record<string, string>, Session = challenge.Session) =>
    t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session,
        ChallengeResponses,
      }),
    );
  await expectError(
    respond({ USERNAME: 'invite', NEW_PASSWORD: 'Chosen-passw0rd' }),
    'InvalidParameterException',
    'Invalid attributes given, family_name is missing',
  );
  await expectError(
    respond({ USERNAME: 'invite', NEW_PASSWORD: 'short', 'userAttributes.family_name': 'Nu' }),
    'InvalidPasswordException',
    'Password did not conform with policy: Password not long enough',
  );
  await expectError(
    respond({ USERNAME: 'invite' }),
    'InvalidParameterException',
    'Missing required parameter NEW_PASSWORD',
  );
  await expectError(
    respond(
      { USERNAME: 'invite', NEW_PASSWORD: 'Chosen-passw0rd', 'userAttributes.family_name': 'Nu' },
      'x'.repeat(40),
    ),
    'NotAuthorizedException',
    'Invalid session for the user, session is expired.',
  );
  assert.equal(
    (await t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'invite' }))).UserStatus,
    'FORCE_CHANGE_PASSWORD',
    'refusals change nothing',
  );

  const answered = await respond({
    USERNAME: 'invite',
    NEW_PASSWORD: 'Chosen-passw0rd',
    'userAttributes.family_name': 'Nu',
  });
  assert.equal(answered.ChallengeName, undefined);
  const id = jwtClaims(answered.AuthenticationResult!.IdToken!);
  assert.equal(id['cognito:username'], 'invite');
  assert.equal(id.family_name, 'Nu');
  const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'invite' }));
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(attributeMap(user.UserAttributes).family_name, 'Nu');

  // The session served once; the temporary password is gone.
  await expectError(
    respond({ USERNAME: 'invite', NEW_PASSWORD: 'Another-passw0rd', 'userAttributes.family_name': 'Nu' }),
    'NotAuthorizedException',
    'Invalid session for the user, session is expired.',
  );
  await expectError(
    initiate(pool.clientId, 'USER_PASSWORD_AUTH', { USERNAME: 'invite', PASSWORD: 'Temp-passw0rd' }),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  assert.equal((await signIn(t, pool.clientId, 'invite', 'Chosen-passw0rd')).TokenType, 'Bearer');
});

test('ChangePassword: the previous password is checked, the policy holds, the new one signs in', async () => {
  const user = await signedInUser(t, clientId, 'changer', { email: uniqueEmail('changer') });
  const change = (PreviousPassword: string, ProposedPassword: string, AccessToken = user.accessToken) =>
    t.sdk.send(new ChangePasswordCommand({ AccessToken, PreviousPassword, ProposedPassword }));
  await expectError(
    change('Wr0ng-password!', 'Next-passw0rd'),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  await expectError(
    change(PASSWORD, 'next-passw0rd'),
    'InvalidPasswordException',
    'Password did not conform with policy: Password must have uppercase characters',
  );
  await expectError(change(PASSWORD, 'Next-passw0rd', 'not.a.token'), 'NotAuthorizedException', 'Invalid Access Token');
  assert.equal((await signIn(t, clientId, 'changer')).TokenType, 'Bearer', 'refusals kept the old password');

  const changed = await change(PASSWORD, 'Next-passw0rd');
  assert.equal(changed.$metadata.httpStatusCode, 200);
  await expectError(signIn(t, clientId, 'changer'), 'NotAuthorizedException', 'Incorrect username or password.');
  assert.equal((await signIn(t, clientId, 'changer', 'Next-passw0rd')).TokenType, 'Bearer');
});

test('ForgotPassword / ConfirmForgotPassword: a code by mail, wrong and reused codes refused', async () => {
  const email = uniqueEmail('forgot', 'mail.org');
  await signedInUser(t, clientId, 'forgot', { email });
  const forgot = await t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'forgot' }));
  assert.deepEqual(forgot.CodeDeliveryDetails, {
    Destination: 'f***@m***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  const code = await newCodeFor(t, email, 1);
  const reset = (ConfirmationCode: string, Password: string, Username = 'forgot') =>
    t.sdk.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username, ConfirmationCode, Password }));

  await expectError(reset(otherCode(code), 'Reset-passw0rd'), 'CodeMismatchException', CODE_MISMATCH);
  await expectError(
    reset(code, 'weak'),
    'InvalidPasswordException',
    'Password did not conform with policy: Password not long enough',
  );
  assert.equal((await signIn(t, clientId, 'forgot')).TokenType, 'Bearer', 'the old password holds until the reset');
  assert.equal((await reset(code, 'Reset-passw0rd')).$metadata.httpStatusCode, 200);
  await expectError(reset(code, 'Again-passw0rd'), 'ExpiredCodeException', EXPIRED_CODE);
  await expectError(signIn(t, clientId, 'forgot'), 'NotAuthorizedException', 'Incorrect username or password.');
  assert.equal((await signIn(t, clientId, 'forgot', 'Reset-passw0rd')).TokenType, 'Bearer');

  await expectError(
    t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'nobody' })),
    'UserNotFoundException',
    'User does not exist.',
  );
  await expectError(reset('123456', 'Reset-passw0rd', 'nobody'), 'UserNotFoundException', 'User does not exist.');

  // No reset asked for: nothing to confirm. No verified address: nowhere to send a code.
  await signedInUser(t, clientId, 'norequest', { email: uniqueEmail('norequest') });
  await expectError(reset('123456', 'Reset-passw0rd', 'norequest'), 'ExpiredCodeException', EXPIRED_CODE);
  await t.sdk.send(new SignUpCommand({ ClientId: clientId, Username: 'nowhere', Password: PASSWORD }));
  await expectError(
    t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'nowhere' })),
    'InvalidParameterException',
    'Cannot reset password for the user as there is no registered/verified email or phone_number',
  );
});

test('GlobalSignOut: every session of the user ends; its access and refresh tokens are refused', async () => {
  const user = await signedInUser(t, clientId, 'leaver', { email: uniqueEmail('leaver') });
  const second = await signIn(t, clientId, 'leaver');
  const bystander = await signedInUser(t, clientId, 'stayer', { email: uniqueEmail('stayer') });

  assert.equal(
    (await t.sdk.send(new GlobalSignOutCommand({ AccessToken: user.accessToken }))).$metadata.httpStatusCode,
    200,
  );
  for (const token of [user.accessToken, second.AccessToken])
    await expectError(getUser(token), 'NotAuthorizedException', REVOKED);
  for (const token of [user.refreshToken, second.RefreshToken])
    await expectError(refresh(clientId, token), 'NotAuthorizedException', BAD_REFRESH);
  await expectError(
    t.sdk.send(new GlobalSignOutCommand({ AccessToken: user.accessToken })),
    'NotAuthorizedException',
    REVOKED,
  );
  assert.equal((await getUser(bystander.accessToken)).Username, 'stayer', 'other users keep their sessions');
  // Signing in again starts afresh.
  assert.equal((await getUser((await signIn(t, clientId, 'leaver')).AccessToken)).Username, 'leaver');
});

test('RevokeToken: that refresh token and the access tokens issued from it are refused; other sessions live on', async () => {
  const user = await signedInUser(t, clientId, 'revoker', { email: uniqueEmail('revoker') });
  const fromRefresh = (await refresh(clientId, user.refreshToken)).AuthenticationResult!.AccessToken!;
  const other = await signIn(t, clientId, 'revoker');

  const otherClient = await createClient(t, poolId);
  await expectError(
    t.sdk.send(new RevokeTokenCommand({ ClientId: otherClient, Token: user.refreshToken })),
    'NotAuthorizedException',
    'The token was not issued to this client.',
  );
  assert.equal((await getUser(user.accessToken)).Username, 'revoker', 'a refused revocation ends nothing');

  assert.equal(
    (await t.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: user.refreshToken }))).$metadata
      .httpStatusCode,
    200,
  );
  await expectError(refresh(clientId, user.refreshToken), 'NotAuthorizedException', BAD_REFRESH);
  await expectError(getUser(user.accessToken), 'NotAuthorizedException', REVOKED);
  await expectError(getUser(fromRefresh), 'NotAuthorizedException', REVOKED);
  assert.equal((await getUser(other.AccessToken)).Username, 'revoker');
  assert.ok((await refresh(clientId, other.RefreshToken)).AuthenticationResult?.AccessToken);
  // Revoking again, or a token nobody issued, has nothing left to do.
  assert.equal(
    (await t.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: user.refreshToken }))).$metadata
      .httpStatusCode,
    200,
  );
  assert.equal(
    (await t.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: 'never-issued' }))).$metadata.httpStatusCode,
    200,
  );
  // Only refresh tokens are revoked: an access token is named as Cognito names it, and stays valid.
  await expectError(
    t.sdk.send(new RevokeTokenCommand({ ClientId: clientId, Token: other.AccessToken! })),
    'UnsupportedTokenTypeException',
    'Unsupported token type',
  );
  assert.equal((await getUser(other.AccessToken)).Username, 'revoker');
});

test('DeleteUser: the user is gone, the token with it, and the username is free again', async () => {
  const user = await signedInUser(t, clientId, 'goner', { email: uniqueEmail('goner') });
  assert.equal(
    (await t.sdk.send(new DeleteUserCommand({ AccessToken: user.accessToken }))).$metadata.httpStatusCode,
    200,
  );
  await expectError(getUser(user.accessToken), 'NotAuthorizedException', REVOKED);
  await expectError(signIn(t, clientId, 'goner'), 'UserNotFoundException', 'User does not exist.');
  await expectError(
    t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'goner' })),
    'UserNotFoundException',
    'User does not exist.',
  );
  await expectError(
    t.sdk.send(new DeleteUserCommand({ AccessToken: user.accessToken })),
    'NotAuthorizedException',
    REVOKED,
  );
  await expectError(getUser('not.a.token'), 'NotAuthorizedException', 'Invalid Access Token');
  const again = await signedInUser(t, clientId, 'goner', { email: uniqueEmail('goner2') });
  assert.notEqual(again.sub, user.sub);
  assert.deepEqual(Object.keys(await userAttributes(t, again.accessToken)).sort(), ['email', 'email_verified', 'sub']);
});
