/**
 * Aliases and verification codes through the real AWS SDK: sign-in with a verified email alias,
 * AliasExistsException and ForceAliasCreation (docs/cognito-attributes.md §6), GetUserAttributeVerificationCode and
 * VerifyUserAttribute (docs/cognito-attributes.md §5.5).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmSignUpCommand,
  GetUserAttributeVerificationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { mailsTo, newCodeFor, otherCode, uniqueEmail, uniquePhone } from '../support/user-flows.ts';
import {
  CODE_MISMATCH,
  EXPIRED_CODE,
  PASSWORD,
  attributeList,
  attributeMap,
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
  ({ poolId, clientId } = await poolWithClient(t, {
    AliasAttributes: ['email', 'preferred_username'],
    AutoVerifiedAttributes: ['email'],
  }));
});
after(() => t.close());

const ALIAS_TAKEN = 'An account with the email already exists.';
const signUp = (Username: string, attributes: Record<string, string>) =>
  t.sdk.send(
    new SignUpCommand({ ClientId: clientId, Username, Password: PASSWORD, UserAttributes: attributeList(attributes) }),
  );
const confirm = (Username: string, ConfirmationCode: string, ForceAliasCreation?: boolean) =>
  t.sdk.send(
    new ConfirmSignUpCommand({
      ClientId: clientId,
      Username,
      ConfirmationCode,
      ...(ForceAliasCreation !== undefined && { ForceAliasCreation }),
    }),
  );
const sendCode = (AccessToken: string, AttributeName: string) =>
  t.sdk.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName }));
const verify = (AccessToken: string, AttributeName: string, Code: string) =>
  t.sdk.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName, Code }));
const adminAttributes = async (Username: string) =>
  attributeMap((await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username }))).UserAttributes);

test('alias pools: a verified email signs in and the tokens name the real username; an unverified one does not', async () => {
  const email = uniqueEmail('alias');
  await signUp('alias', { email });
  await expectError(signIn(t, clientId, email), 'UserNotFoundException', 'User does not exist.');
  await confirm('alias', await newCodeFor(t, email, 0));
  const tokens = await signIn(t, clientId, email);
  assert.equal(jwtClaims(tokens.AccessToken).username, 'alias');
  assert.equal(jwtClaims(tokens.IdToken)['cognito:username'], 'alias');
  await expectError(
    signIn(t, clientId, email, 'Wr0ng-password!'),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );

  await expectError(
    signUp('jane@example.com', { email: uniqueEmail('jane') }),
    'InvalidParameterException',
    'Username cannot be of email format, since user pool is configured for email alias.',
  );
  // preferred_username is an alias: not at sign-up, only once the user exists.
  await expectError(
    signUp('pref', { email: uniqueEmail('pref'), preferred_username: 'pref' }),
    'InvalidParameterException',
    /preferred_username/,
  );
  await t.sdk.send(
    new UpdateUserAttributesCommand({
      AccessToken: tokens.AccessToken,
      UserAttributes: [{ Name: 'preferred_username', Value: 'TheAlias' }],
    }),
  );
  assert.equal(jwtClaims((await signIn(t, clientId, 'TheAlias')).AccessToken).username, 'alias');
});

test('ConfirmSignUp of an email another user verified: AliasExistsException; ForceAliasCreation moves the alias', async () => {
  const email = uniqueEmail('shared');
  const first = await signedInUser(t, clientId, 'first', { email });
  const second = await signUp('second', { email });
  assert.equal(second.UserConfirmed, false, 'a duplicate email is no error at sign-up in alias pools');
  const code = await newCodeFor(t, email, 1);

  await expectError(confirm('second', code), 'AliasExistsException', ALIAS_TAKEN);
  assert.equal(
    (await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'second' }))).UserStatus,
    'UNCONFIRMED',
  );
  assert.equal((await userAttributes(t, first.accessToken)).email_verified, 'true');
  assert.equal(jwtClaims((await signIn(t, clientId, email)).AccessToken).sub, first.sub);
  await expectError(confirm('second', code, false), 'AliasExistsException', ALIAS_TAKEN);

  await confirm('second', code, true);
  assert.equal(jwtClaims((await signIn(t, clientId, email)).AccessToken).username, 'second');
  assert.equal((await adminAttributes('second')).email_verified, 'true');
  // The previous owner keeps the value, unverified, and still signs in by username.
  assert.deepEqual(await userAttributes(t, first.accessToken), { sub: first.sub, email, email_verified: 'false' });
  assert.equal((await signIn(t, clientId, 'first')).TokenType, 'Bearer');
});

test('VerifyUserAttribute and AdminUpdateUserAttributes on an email another user verified: AliasExistsException', async () => {
  const owned = uniqueEmail('owned');
  const owner = await signedInUser(t, clientId, 'owner', { email: owned });
  const taker = await signedInUser(t, clientId, 'taker', { email: uniqueEmail('taker') });
  await t.sdk.send(
    new UpdateUserAttributesCommand({
      AccessToken: taker.accessToken,
      UserAttributes: [{ Name: 'email', Value: owned }],
    }),
  );
  const code = await newCodeFor(t, owned, 1);
  await expectError(verify(taker.accessToken, 'email', code), 'AliasExistsException', ALIAS_TAKEN);
  assert.equal((await userAttributes(t, taker.accessToken)).email_verified, 'false');
  assert.equal((await userAttributes(t, owner.accessToken)).email_verified, 'true');

  await expectError(
    t.sdk.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: poolId,
        Username: 'taker',
        UserAttributes: attributeList({ email: owned, email_verified: 'true' }),
      }),
    ),
    'AliasExistsException',
    ALIAS_TAKEN,
  );
  await expectError(
    t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'third',
        MessageAction: 'SUPPRESS',
        UserAttributes: attributeList({ email: owned, email_verified: 'true' }),
      }),
    ),
    'AliasExistsException',
    ALIAS_TAKEN,
  );
  assert.equal(jwtClaims((await signIn(t, clientId, owned)).AccessToken).username, 'owner');
  // AdminCreateUser with ForceAliasCreation takes it over.
  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: 'third',
      MessageAction: 'SUPPRESS',
      ForceAliasCreation: true,
      UserAttributes: attributeList({ email: owned, email_verified: 'true' }),
    }),
  );
  assert.equal((await adminAttributes('third')).email_verified, 'true');
  assert.equal((await userAttributes(t, owner.accessToken)).email_verified, 'false');
});

test('AdminCreateUser with ForceAliasCreation never takes a preferred_username (AliasExistsException, the owner keeps it)', async () => {
  const owner = await signedInUser(t, clientId, 'captainowner', { email: uniqueEmail('captainowner') });
  await t.sdk.send(
    new UpdateUserAttributesCommand({
      AccessToken: owner.accessToken,
      UserAttributes: attributeList({ preferred_username: 'skipper' }),
    }),
  );
  await expectError(
    t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'captaintaker',
        MessageAction: 'SUPPRESS',
        ForceAliasCreation: true,
        UserAttributes: attributeList({ preferred_username: 'skipper' }),
      }),
    ),
    'AliasExistsException',
  );
  assert.equal((await userAttributes(t, owner.accessToken)).preferred_username, 'skipper');
  assert.equal(jwtClaims((await signIn(t, clientId, 'skipper')).AccessToken).username, 'captainowner');
});

test('GetUserAttributeVerificationCode / VerifyUserAttribute: only email and phone; a fresh code for a verified email; wrong and reused codes', async () => {
  const email = uniqueEmail('codes');
  const user = await signedInUser(t, clientId, 'codes', { email });
  for (const name of ['given_name', 'email_verified', 'custom:x']) {
    await expectError(
      sendCode(user.accessToken, name),
      'InvalidParameterException',
      'Invalid attribute name. Only phone_number and email can be verified.',
    );
    await expectError(
      verify(user.accessToken, name, '123456'),
      'InvalidParameterException',
      'Invalid attribute name. Only phone_number and email can be verified.',
    );
  }
  await expectError(
    sendCode(user.accessToken, 'phone_number'),
    'InvalidParameterException',
    'User does not have a valid registered phone number',
  );
  await expectError(sendCode('not.a.token', 'email'), 'NotAuthorizedException', 'Invalid Access Token');
  assert.equal(mailsTo(t, email), 1);

  const sent = await sendCode(user.accessToken, 'email');
  assert.deepEqual(sent.CodeDeliveryDetails, {
    Destination: 'c***@e***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  const code = await newCodeFor(t, email, 1);
  await expectError(verify(user.accessToken, 'email', otherCode(code)), 'CodeMismatchException', CODE_MISMATCH);
  assert.equal((await verify(user.accessToken, 'email', code)).$metadata.httpStatusCode, 200);
  await expectError(verify(user.accessToken, 'email', code), 'ExpiredCodeException', EXPIRED_CODE);
  assert.equal((await userAttributes(t, user.accessToken)).email_verified, 'true');

  // A phone number never sent a code: no code matches. Then a code by SMS verifies it.
  const phone = uniquePhone();
  await t.sdk.send(
    new UpdateUserAttributesCommand({
      AccessToken: user.accessToken,
      UserAttributes: [{ Name: 'phone_number', Value: phone }],
    }),
  );
  await expectError(verify(user.accessToken, 'phone_number', '123456'), 'CodeMismatchException', CODE_MISMATCH);
  assert.deepEqual((await sendCode(user.accessToken, 'phone_number')).CodeDeliveryDetails, {
    Destination: `+********${phone.slice(-4)}`,
    DeliveryMedium: 'SMS',
    AttributeName: 'phone_number',
  });
  await verify(user.accessToken, 'phone_number', t.smsCodeFor(phone));
  assert.equal((await userAttributes(t, user.accessToken)).phone_number_verified, 'true');
});

test('a code allows five wrong tries, then TooManyFailedAttemptsException until a new one is sent (docs/api.md decision)', async () => {
  const email = uniqueEmail('tries');
  const user = await signedInUser(t, clientId, 'tries', { email });
  await sendCode(user.accessToken, 'email');
  const code = await newCodeFor(t, email, 1);
  for (let i = 0; i < 5; i++)
    await expectError(verify(user.accessToken, 'email', otherCode(code)), 'CodeMismatchException', CODE_MISMATCH);
  await expectError(
    verify(user.accessToken, 'email', code),
    'TooManyFailedAttemptsException',
    'Too many failed attempts for this code, please request a new code.',
  );
  await sendCode(user.accessToken, 'email');
  await verify(user.accessToken, 'email', await newCodeFor(t, email, 2));
});
