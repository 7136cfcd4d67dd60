/**
 * SignUp, ConfirmSignUp and ResendConfirmationCode through the real AWS SDK (docs/cognito-attributes.md §3, §5.2,
 * §8.3; test vectors 2 to 5).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { mailsTo, newCodeFor, otherCode, smsTo, uniqueEmail, uniquePhone } from '../support/user-flows.ts';
import {
  CODE_MISMATCH,
  PASSWORD,
  UNAUTHORIZED_WRITE,
  attributeList,
  attributeMap,
  expectError,
  poolWithClient,
  signIn,
  signUpConfirmed,
  userAttributes,
} from '../support/sdk-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const signUp = (clientId: string, Username: string, attributes: Record<string, string>, Password = PASSWORD) =>
  t.sdk.send(new SignUpCommand({ ClientId: clientId, Username, Password, UserAttributes: attributeList(attributes) }));
const confirm = (clientId: string, Username: string, ConfirmationCode: string) =>
  t.sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username, ConfirmationCode }));
const resend = (clientId: string, Username: string) =>
  t.sdk.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username }));
const adminUser = (UserPoolId: string, Username: string) =>
  t.sdk.send(new AdminGetUserCommand({ UserPoolId, Username }));

test('SignUp with an auto-verified email: a masked delivery, the code by mail; ConfirmSignUp confirms and verifies', async () => {
  const { poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] });
  const email = uniqueEmail('zoe', 'beta.org');
  const signedUp = await signUp(clientId, 'zoe', { email, given_name: 'Zoe' });
  assert.equal(signedUp.$metadata.httpStatusCode, 200);
  assert.equal(signedUp.UserConfirmed, false);
  assert.match(signedUp.UserSub!, UUID);
  assert.deepEqual(signedUp.CodeDeliveryDetails, {
    Destination: 'z***@b***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  assert.equal(mailsTo(t, email), 1);
  const code = await newCodeFor(t, email, 0);

  const before = await adminUser(poolId, 'zoe');
  assert.equal(before.UserStatus, 'UNCONFIRMED');
  assert.deepEqual(attributeMap(before.UserAttributes), {
    sub: signedUp.UserSub,
    email,
    email_verified: 'false',
    given_name: 'Zoe',
  });
  await expectError(signIn(t, clientId, 'zoe'), 'UserNotConfirmedException', 'User is not confirmed.');

  // A wrong code changes nothing; a code with whitespace is no code at all.
  await expectError(confirm(clientId, 'zoe', otherCode(code)), 'CodeMismatchException', CODE_MISMATCH);
  await expectError(
    confirm(clientId, 'zoe', '12 456'),
    'InvalidParameterException',
    /^1 validation error detected: Value.* at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\S\]\+$/,
  );
  assert.equal((await adminUser(poolId, 'zoe')).UserStatus, 'UNCONFIRMED');

  const confirmed = await confirm(clientId, 'zoe', code);
  assert.equal(confirmed.$metadata.httpStatusCode, 200);
  const after = await adminUser(poolId, 'zoe');
  assert.equal(after.UserStatus, 'CONFIRMED');
  assert.equal(attributeMap(after.UserAttributes).email_verified, 'true');

  // Confirmed users cannot be confirmed again, nor be sent another code.
  await expectError(
    confirm(clientId, 'zoe', code),
    'NotAuthorizedException',
    'User cannot be confirmed. Current status is CONFIRMED',
  );
  await expectError(resend(clientId, 'zoe'), 'InvalidParameterException', 'User is already confirmed.');
  assert.equal(mailsTo(t, email), 1, 'no message for a confirmed user');
  const tokens = await signIn(t, clientId, 'zoe');
  assert.equal(tokens.TokenType, 'Bearer');
});

test('ResendConfirmationCode: a new code by mail that supersedes the old one', async () => {
  const { poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] });
  const email = uniqueEmail('again');
  await signUp(clientId, 'again', { email });
  const first = await newCodeFor(t, email, 0);
  const resent = await resend(clientId, 'again');
  assert.deepEqual(resent.CodeDeliveryDetails, {
    Destination: 'a***@e***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  const second = await newCodeFor(t, email, 1);
  assert.equal(mailsTo(t, email), 2);
  if (first !== second) await expectError(confirm(clientId, 'again', first), 'CodeMismatchException', CODE_MISMATCH);
  await confirm(clientId, 'again', second);
  assert.equal((await adminUser(poolId, 'again')).UserStatus, 'CONFIRMED');
});

test('SignUp refusals: taken username, weak password, missing required attribute, unknown custom attribute, unknown client (test vectors 2, 3)', async () => {
  const { poolId, clientId } = await poolWithClient(t, {
    AutoVerifiedAttributes: ['email'],
    Schema: [
      { Name: 'name', AttributeDataType: 'String', Required: true, Mutable: true },
      { Name: 'given_name', AttributeDataType: 'String', Required: true, Mutable: true },
    ],
  });
  const email = uniqueEmail('req');
  await expectError(
    signUp(clientId, 'req', { email }),
    'InvalidParameterException',
    'Attributes did not conform to the schema: name: The attribute is required\ngiven_name: The attribute is required',
  );
  await expectError(
    signUp(clientId, 'req', { email, given_name: 'G' }),
    'InvalidParameterException',
    'Attributes did not conform to the schema: name: The attribute is required',
  );
  await expectError(
    signUp(clientId, 'req', { email, name: 'N', given_name: 'G', 'custom:plan': 'pro' }),
    'InvalidParameterException',
    'Attributes did not conform to the schema: Type for attribute {custom:plan} could not be determined',
  );
  await expectError(
    signUp(clientId, 'req', { email, name: 'N', given_name: 'G' }, 'short'),
    'InvalidPasswordException',
    'Password did not conform with policy: Password not long enough',
  );
  await expectError(
    signUp(clientId, 'req', { email, name: 'N', given_name: 'G' }, 'longenough1!'),
    'InvalidPasswordException',
    'Password did not conform with policy: Password must have uppercase characters',
  );
  await expectError(
    signUp(clientId, 'req', { email, name: 'N', given_name: 'G', phone_number: '555-0100' }),
    'InvalidParameterException',
    'Invalid phone number format.',
  );
  // E.164: a country code never starts with 0.
  await expectError(
    signUp(clientId, 'req', { email, name: 'N', given_name: 'G', phone_number: '+014155550100' }),
    'InvalidParameterException',
    'Invalid phone number format.',
  );
  await expectError(
    signUp(clientId, 'req', { email, name: 'N', given_name: 'G', sub: '00000000-0000-4000-8000-000000000000' }),
    'NotAuthorizedException',
    UNAUTHORIZED_WRITE,
  );
  assert.equal(mailsTo(t, email), 0, 'refused sign-ups send nothing');
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'req', PASSWORD },
      }),
    ),
    'UserNotFoundException',
    'User does not exist.',
  );

  await signUp(clientId, 'req', { email, name: 'N', given_name: 'G' });
  // Taken, even while unconfirmed: no second code either (docs/cognito-attributes.md §5.2 point 7).
  await expectError(
    signUp(clientId, 'req', { email, name: 'N', given_name: 'G' }),
    'UsernameExistsException',
    'User already exists',
  );
  assert.equal(mailsTo(t, email), 1);
  assert.equal((await adminUser(poolId, 'req')).UserStatus, 'UNCONFIRMED');

  await expectError(
    signUp('nosuchclient', 'x', {}),
    'ResourceNotFoundException',
    'User pool client nosuchclient does not exist.',
  );
  await expectError(
    confirm('nosuchclient', 'x', '123456'),
    'ResourceNotFoundException',
    'User pool client nosuchclient does not exist.',
  );
});

test('usernames are case-sensitive in SDK-made pools unless the pool says otherwise', async () => {
  const sensitive = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] });
  const upper = await signUpConfirmed(t, sensitive.clientId, 'Casey', { email: uniqueEmail('c1') });
  const lower = await signUpConfirmed(t, sensitive.clientId, 'casey', { email: uniqueEmail('c2') });
  assert.notEqual(upper, lower);
  assert.equal(attributeMap((await adminUser(sensitive.poolId, 'Casey')).UserAttributes).sub, upper);
  assert.equal(attributeMap((await adminUser(sensitive.poolId, 'casey')).UserAttributes).sub, lower);
  await expectError(signIn(t, sensitive.clientId, 'CASEY'), 'UserNotFoundException', 'User does not exist.');

  const insensitive = await poolWithClient(t, {
    AutoVerifiedAttributes: ['email'],
    UsernameConfiguration: { CaseSensitive: false },
  });
  await signUpConfirmed(t, insensitive.clientId, 'Casey', { email: uniqueEmail('c3') });
  await expectError(
    signUp(insensitive.clientId, 'CASEY', { email: uniqueEmail('c4') }),
    'UsernameExistsException',
    'User already exists',
  );
  assert.equal((await signIn(t, insensitive.clientId, 'casey')).TokenType, 'Bearer');
});

test('email and phone both auto-verified: the code goes by SMS; confirming verifies the phone only (test vectors 4, 5)', async () => {
  const { poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email', 'phone_number'] });
  const email = uniqueEmail('both');
  const phone = uniquePhone();
  const signedUp = await signUp(clientId, 'both', { email, phone_number: phone });
  assert.deepEqual(signedUp.CodeDeliveryDetails, {
    Destination: `+********${phone.slice(-4)}`,
    DeliveryMedium: 'SMS',
    AttributeName: 'phone_number',
  });
  assert.equal(smsTo(t, phone), 1);
  assert.equal(mailsTo(t, email), 0, 'no mail: the SMS is the one code');
  const code = t.smsCodeFor(phone);

  await expectError(confirm(clientId, 'both', otherCode(code)), 'CodeMismatchException', CODE_MISMATCH);
  await confirm(clientId, 'both', code);
  const user = await adminUser(poolId, 'both');
  assert.equal(user.UserStatus, 'CONFIRMED');
  const attributes = attributeMap(user.UserAttributes);
  assert.equal(attributes.phone_number_verified, 'true');
  assert.equal(attributes.email_verified, 'false');

  // The email is verified later, by the attribute-verification actions.
  const tokens = await signIn(t, clientId, 'both');
  const sent = await t.sdk.send(
    new GetUserAttributeVerificationCodeCommand({ AccessToken: tokens.AccessToken, AttributeName: 'email' }),
  );
  assert.deepEqual(sent.CodeDeliveryDetails, {
    Destination: 'b***@e***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  await t.sdk.send(
    new VerifyUserAttributeCommand({
      AccessToken: tokens.AccessToken,
      AttributeName: 'email',
      Code: await newCodeFor(t, email, 0),
    }),
  );
  const verified = await userAttributes(t, tokens.AccessToken);
  assert.equal(verified.email_verified, 'true');
  assert.equal(verified.phone_number_verified, 'true');
});

test('nothing auto-verified: no code, no resend; AdminConfirmSignUp confirms without verifying', async () => {
  const { poolId, clientId } = await poolWithClient(t);
  const email = uniqueEmail('manual');
  const signedUp = await signUp(clientId, 'manual', { email });
  assert.equal(signedUp.UserConfirmed, false);
  assert.equal(signedUp.CodeDeliveryDetails, undefined);
  assert.equal(mailsTo(t, email), 0);
  await expectError(
    resend(clientId, 'manual'),
    'InvalidParameterException',
    'Cannot resend codes. Auto verification not turned on.',
  );
  await expectError(signIn(t, clientId, 'manual'), 'UserNotConfirmedException', 'User is not confirmed.');

  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'manual' }));
  const user = await adminUser(poolId, 'manual');
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(attributeMap(user.UserAttributes).email_verified, 'false');
  assert.equal((await signIn(t, clientId, 'manual')).TokenType, 'Bearer');
});

test('unknown users: LEGACY clients say UserNotFoundException; ENABLED clients hide it', async () => {
  const { clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'] });
  await expectError(confirm(clientId, 'nobody', '123456'), 'UserNotFoundException', 'User does not exist.');
  await expectError(resend(clientId, 'nobody'), 'UserNotFoundException', 'User does not exist.');

  const hidden = (
    await poolWithClient(t, { AutoVerifiedAttributes: ['email'] }, { PreventUserExistenceErrors: 'ENABLED' })
  ).clientId;
  await expectError(confirm(hidden, 'nobody', '123456'), 'CodeMismatchException', CODE_MISMATCH);
  const simulated = await resend(hidden, 'nobody');
  assert.equal(simulated.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
  assert.equal(simulated.CodeDeliveryDetails?.AttributeName, 'email');
  assert.match(simulated.CodeDeliveryDetails!.Destination!, /^.\*\*\*@.\*\*\*$/);
  await expectError(signIn(t, hidden, 'nobody'), 'NotAuthorizedException', 'Incorrect username or password.');
  const forgot = await t.sdk.send(new ForgotPasswordCommand({ ClientId: hidden, Username: 'nobody' }));
  assert.equal(forgot.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
  await expectError(
    t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: hidden,
        Username: 'nobody',
        ConfirmationCode: '123456',
        Password: 'Reset-passw0rd',
      }),
    ),
    'CodeMismatchException',
    CODE_MISMATCH,
  );
});

test('username-attribute pools: the email is the sign-in name, the username is the sub', async () => {
  const { poolId, clientId } = await poolWithClient(t, {
    UsernameAttributes: ['email'],
    AutoVerifiedAttributes: ['email'],
  });
  const email = uniqueEmail('named');
  const signedUp = await t.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: PASSWORD }));
  assert.deepEqual(signedUp.CodeDeliveryDetails, {
    Destination: 'n***@e***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  await confirm(clientId, email, await newCodeFor(t, email, 0));
  const tokens = await signIn(t, clientId, email);
  const me = await t.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
  assert.equal(me.Username, signedUp.UserSub);
  assert.deepEqual(attributeMap(me.UserAttributes), { sub: signedUp.UserSub, email, email_verified: 'true' });
  assert.equal((await adminUser(poolId, email)).Username, signedUp.UserSub, 'admin actions take the email too');

  await expectError(signUp(clientId, 'not-an-email', {}), 'InvalidParameterException', 'Username should be an email.');
  await expectError(
    signUp(clientId, email, {}),
    'UsernameExistsException',
    'An account with the given email already exists.',
  );
});
