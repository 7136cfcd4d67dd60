/**
 * Cognito's admin user actions through the real AWS SDK: AdminCreateUser, AdminGetUser,
 * AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminConfirmSignUp, AdminDisableUser /
 * AdminEnableUser, AdminDeleteUser, AdminUserGlobalSignOut and ListUsers (docs/cognito-attributes.md §9; test vector 12).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  SignUpCommand,
  type ListUsersCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { mailsTo, newCodeFor, uniqueEmail } from '../support/user-flows.ts';
import {
  PASSWORD,
  attributeList,
  attributeMap,
  expectError,
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
    AutoVerifiedAttributes: ['email'],
    AliasAttributes: ['email'],
    Schema: [
      { Name: 'tenant', AttributeDataType: 'String', Mutable: false },
      { Name: 'plan', AttributeDataType: 'String' },
    ],
  }));
});
after(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NO_USER = 'User does not exist.';
const getUser = (Username: string, UserPoolId = poolId) =>
  t.sdk.send(new AdminGetUserCommand({ UserPoolId, Username }));
const adminAttributes = async (Username: string) => attributeMap((await getUser(Username)).UserAttributes);
const createUser = (Username: string, attributes: Record<string, string> = {}, more: Record<string, unknown> = {}) =>
  t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username,
      TemporaryPassword: 'Temp-passw0rd',
      MessageAction: 'SUPPRESS',
      UserAttributes: attributeList(attributes),
      ...more,
    }),
  );
const adminUpdate = (Username: string, changes: Record<string, string>) =>
  t.sdk.send(
    new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username, UserAttributes: attributeList(changes) }),
  );

test('AdminCreateUser: FORCE_CHANGE_PASSWORD with its Attributes; an invitation unless suppressed; Cognito’s refusals', async () => {
  const email = uniqueEmail('invited');
  const started = Date.now();
  const created = await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: 'invited',
      UserAttributes: attributeList({ email, email_verified: 'true', 'custom:tenant': 'acme' }),
    }),
  );
  const user = created.User!;
  assert.equal(user.Username, 'invited');
  assert.equal(user.UserStatus, 'FORCE_CHANGE_PASSWORD');
  assert.equal(user.Enabled, true);
  assert.ok(user.UserCreateDate instanceof Date && Math.abs(user.UserCreateDate.getTime() - started) < 60_000);
  const attributes = attributeMap(user.Attributes);
  assert.match(attributes.sub!, UUID);
  assert.deepEqual(attributes, { sub: attributes.sub, email, email_verified: 'true', 'custom:tenant': 'acme' });
  // The invitation carries a temporary password that signs in to the NEW_PASSWORD_REQUIRED challenge.
  const mail = await t.smtp.waitFor((m) => m.to.includes(email));
  const temporary = /password is (\S+?)\.?\s/i.exec(mail.text)?.[1] ?? /:\s*(\S+)\s*$/m.exec(mail.text)?.[1];
  assert.ok(temporary, mail.text);
  const challenge = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'invited', PASSWORD: temporary },
    }),
  );
  assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');

  const quiet = uniqueEmail('quiet');
  await createUser('quiet', { email: quiet });
  assert.equal(mailsTo(t, quiet), 0, 'SUPPRESS sends nothing');

  await expectError(createUser('invited'), 'UsernameExistsException', 'User account already exists');
  await expectError(
    createUser('x1', { 'custom:nope': '1' }),
    'InvalidParameterException',
    'Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.',
  );
  await expectError(
    createUser('x2', { phone_number: '555' }),
    'InvalidParameterException',
    'Invalid phone number format.',
  );
  await expectError(
    createUser('x3', {}, { TemporaryPassword: 'weak' }),
    'InvalidPasswordException',
    'Password did not conform with policy: Password not long enough',
  );
  await expectError(
    createUser('x4@example.com'),
    'InvalidParameterException',
    'Username cannot be of email format, since user pool is configured for email alias.',
  );
  await expectError(createUser('x5', {}, { MessageAction: 'RESEND' }), 'UserNotFoundException', NO_USER);
  await expectError(
    createUser('x6', {}, { UserPoolId: 'us-east-1_NoSuchOne' }),
    'ResourceNotFoundException',
    'User pool us-east-1_NoSuchOne does not exist.',
  );
  for (const name of ['x1', 'x2', 'x3', 'x5']) await expectError(getUser(name), 'UserNotFoundException', NO_USER);
});

test('AdminGetUser: UserAttributes (not Attributes), status and dates; by username or verified alias; unknown users and pools', async () => {
  const email = uniqueEmail('getme');
  const sub = (await signedInUser(t, clientId, 'getme', { email, 'custom:plan': 'pro' })).sub;
  const user = await getUser('getme');
  assert.equal(user.Username, 'getme');
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(user.Enabled, true);
  assert.equal('Attributes' in user, false);
  assert.deepEqual(attributeMap(user.UserAttributes), { sub, email, email_verified: 'true', 'custom:plan': 'pro' });
  assert.ok(user.UserLastModifiedDate instanceof Date);
  assert.equal((await getUser(email)).Username, 'getme', 'admin actions accept a verified alias');

  await expectError(getUser('nobody'), 'UserNotFoundException', NO_USER);
  await expectError(getUser('GETME'), 'UserNotFoundException', NO_USER);
  await expectError(
    getUser('getme', 'us-east-1_NoSuchOne'),
    'ResourceNotFoundException',
    'User pool us-east-1_NoSuchOne does not exist.',
  );
});

test('AdminUpdateUserAttributes: value and verified flag in one call sends nothing; a value alone is unverified with a code to it', async () => {
  const user = await signedInUser(t, clientId, 'edited', { email: uniqueEmail('edited') });
  const verifiedAddress = uniqueEmail('verified');
  const res = await adminUpdate('edited', { email: verifiedAddress, email_verified: 'true', given_name: 'Eddie' });
  assert.equal(res.$metadata.httpStatusCode, 200);
  assert.deepEqual(
    Object.keys(res).filter((k) => k !== '$metadata'),
    [],
  );
  assert.equal(mailsTo(t, verifiedAddress), 0, 'no message when the admin verifies the value');
  assert.deepEqual(await adminAttributes('edited'), {
    sub: user.sub,
    email: verifiedAddress,
    email_verified: 'true',
    given_name: 'Eddie',
  });
  assert.equal((await signIn(t, clientId, verifiedAddress)).TokenType, 'Bearer', 'the verified alias signs in at once');

  const plain = uniqueEmail('plain');
  await adminUpdate('edited', { email: plain });
  assert.deepEqual(await adminAttributes('edited'), {
    sub: user.sub,
    email: plain,
    email_verified: 'false',
    given_name: 'Eddie',
  });
  assert.equal((await getUser('edited')).UserStatus, 'CONFIRMED');
  const code = await newCodeFor(t, plain, 0);
  assert.match(code, /^\d{6}$/);

  // Admin writes may set the flags, but obey the schema.
  await adminUpdate('edited', { email_verified: 'true' });
  assert.equal((await adminAttributes('edited')).email_verified, 'true');
  await expectError(
    adminUpdate('edited', { 'custom:tenant': 'evil' }),
    'InvalidParameterException',
    /Attribute cannot be updated/,
  );
  await expectError(
    adminUpdate('edited', { 'custom:ghost': '1' }),
    'InvalidParameterException',
    /custom:ghost: Attribute does not exist in the schema\./,
  );
  await expectError(
    adminUpdate('edited', { sub: '00000000-0000-4000-8000-000000000000' }),
    'InvalidParameterException',
    'Invalid user attributes: user.sub: Attribute cannot be updated.',
  );
  await expectError(adminUpdate('nobody', { given_name: 'x' }), 'UserNotFoundException', NO_USER);
  assert.equal((await adminAttributes('edited')).sub, user.sub);
});

test('AdminDeleteUserAttributes: deletes with the flag; required and immutable stay; unknown users', async () => {
  await createUser('trimmed', {
    email: uniqueEmail('trimmed'),
    email_verified: 'true',
    given_name: 'T',
    'custom:tenant': 'acme',
  });
  const res = await t.sdk.send(
    new AdminDeleteUserAttributesCommand({
      UserPoolId: poolId,
      Username: 'trimmed',
      UserAttributeNames: ['email', 'given_name', 'nickname'],
    }),
  );
  assert.equal(res.$metadata.httpStatusCode, 200);
  const attributes = await adminAttributes('trimmed');
  assert.deepEqual(Object.keys(attributes).sort(), ['custom:tenant', 'sub']);
  await expectError(
    t.sdk.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: poolId,
        Username: 'trimmed',
        UserAttributeNames: ['custom:tenant'],
      }),
    ),
    'InvalidParameterException',
    /Attribute cannot be updated/,
  );
  await expectError(
    t.sdk.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: poolId,
        Username: 'nobody',
        UserAttributeNames: ['given_name'],
      }),
    ),
    'UserNotFoundException',
    NO_USER,
  );
  assert.deepEqual(await adminAttributes('trimmed'), attributes);
});

test('AdminConfirmSignUp confirms without verifying; a second time is refused', async () => {
  const email = uniqueEmail('pending');
  await t.sdk.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: 'pending',
      Password: PASSWORD,
      UserAttributes: attributeList({ email }),
    }),
  );
  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'pending' }));
  const user = await getUser('pending');
  assert.equal(user.UserStatus, 'CONFIRMED');
  assert.equal(attributeMap(user.UserAttributes).email_verified, 'false');
  assert.equal((await signIn(t, clientId, 'pending')).TokenType, 'Bearer');
  await expectError(
    t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'pending' })),
    'NotAuthorizedException',
    'User cannot be confirmed. Current status is CONFIRMED',
  );
  await expectError(
    t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'nobody' })),
    'UserNotFoundException',
    NO_USER,
  );
});

test('AdminDisableUser: sign-in, access and refresh tokens refused while disabled; AdminEnableUser lets the user sign in again', async () => {
  const user = await signedInUser(t, clientId, 'paused', { email: uniqueEmail('paused') });
  await t.sdk.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'paused' }));
  assert.equal((await getUser('paused')).Enabled, false);
  await expectError(signIn(t, clientId, 'paused'), 'NotAuthorizedException', 'User is disabled.');
  // Disabling ends every session, as Cognito's AdminDisableUser revokes the user's tokens.
  await expectError(
    t.sdk.send(new GetUserCommand({ AccessToken: user.accessToken })),
    'NotAuthorizedException',
    'Access Token has been revoked',
  );
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.refreshToken },
      }),
    ),
    'NotAuthorizedException',
    'Invalid Refresh Token',
  );
  const listed = await t.sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "paused"' }));
  assert.deepEqual(
    listed.Users!.map((u) => [u.Username, u.Enabled]),
    [['paused', false]],
    'a disabled user is still listed',
  );

  await t.sdk.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'paused' }));
  assert.equal((await getUser('paused')).Enabled, true);
  const fresh = await signIn(t, clientId, 'paused');
  assert.equal((await t.sdk.send(new GetUserCommand({ AccessToken: fresh.AccessToken }))).Username, 'paused');
  await expectError(
    t.sdk.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'nobody' })),
    'UserNotFoundException',
    NO_USER,
  );
  await expectError(
    t.sdk.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'nobody' })),
    'UserNotFoundException',
    NO_USER,
  );
});

test('AdminDisableUser revokes the tokens issued before it, as Cognito documents: they stay dead after AdminEnableUser', async () => {
  const user = await signedInUser(t, clientId, 'revived', { email: uniqueEmail('revived') });
  await t.sdk.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'revived' }));
  await t.sdk.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'revived' }));
  await expectError(t.sdk.send(new GetUserCommand({ AccessToken: user.accessToken })), 'NotAuthorizedException');
});

test('AdminUserGlobalSignOut and AdminDeleteUser end every session', async () => {
  const out = await signedInUser(t, clientId, 'signedout', { email: uniqueEmail('signedout') });
  await t.sdk.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'signedout' }));
  await expectError(
    t.sdk.send(new GetUserCommand({ AccessToken: out.accessToken })),
    'NotAuthorizedException',
    'Access Token has been revoked',
  );
  await expectError(
    t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: out.refreshToken },
      }),
    ),
    'NotAuthorizedException',
    'Invalid Refresh Token',
  );
  assert.equal((await userAttributes(t, (await signIn(t, clientId, 'signedout')).AccessToken)).sub, out.sub);
  await expectError(
    t.sdk.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'nobody' })),
    'UserNotFoundException',
    NO_USER,
  );

  const gone = await signedInUser(t, clientId, 'deleted', { email: uniqueEmail('deleted') });
  await t.sdk.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'deleted' }));
  await expectError(getUser('deleted'), 'UserNotFoundException', NO_USER);
  await expectError(t.sdk.send(new GetUserCommand({ AccessToken: gone.accessToken })), 'NotAuthorizedException');
  await expectError(signIn(t, clientId, 'deleted'), 'UserNotFoundException', NO_USER);
  await expectError(
    t.sdk.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'deleted' })),
    'UserNotFoundException',
    NO_USER,
  );
});

test('ListUsers: filters, Attributes (not UserAttributes), paging, AttributesToGet and Cognito’s refusals (test vector 12)', async () => {
  const list = (input: Partial<ListUsersCommandInput> = {}) =>
    t.sdk.send(new ListUsersCommand({ UserPoolId: searchPool, ...input }));
  const searchPool = (await poolWithClient(t, { Schema: [{ Name: 'x', AttributeDataType: 'String' }] })).poolId;
  const people: Array<[string, string]> = [
    ['alice', 'ab.alice@list.test'],
    ['abel', 'ab.abel@list.test'],
    ['bob', 'bob@list.test'],
    ['carol', 'AB.carol@list.test'],
  ];
  for (const [Username, email] of people) {
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: searchPool,
        Username,
        MessageAction: 'SUPPRESS',
        UserAttributes: attributeList({ email, given_name: Username, 'custom:x': '1' }),
      }),
    );
  }
  const everyone = await list();
  assert.deepEqual(
    everyone.Users!.map((u) => u.Username),
    ['abel', 'alice', 'bob', 'carol'],
  );
  assert.equal(everyone.PaginationToken, undefined);
  assert.deepEqual(
    (await list({ Filter: '' })).Users!.map((u) => u.Username),
    ['abel', 'alice', 'bob', 'carol'],
    'a blank filter is no filter',
  );
  const alice = everyone.Users![1]!;
  assert.equal('UserAttributes' in alice, false);
  assert.deepEqual(Object.keys(attributeMap(alice.Attributes)).sort(), [
    'custom:x',
    'email',
    'email_verified',
    'given_name',
    'sub',
  ]);
  assert.equal(alice.UserStatus, 'FORCE_CHANGE_PASSWORD');
  assert.equal(alice.Enabled, true);
  assert.ok(alice.UserCreateDate instanceof Date);

  // Prefix search is case-insensitive and sorted by the value.
  const prefixed = await list({ Filter: 'email ^= "ab"' });
  assert.deepEqual(
    prefixed.Users!.map((u) => u.Username),
    ['abel', 'alice', 'carol'],
  );
  assert.deepEqual(
    (await list({ Filter: 'email = "bob@list.test"' })).Users!.map((u) => u.Username),
    ['bob'],
  );
  assert.deepEqual(
    (await list({ Filter: 'username = "Bob"' })).Users,
    [],
    'usernames are matched as the pool compares them',
  );

  const first = await list({ Limit: 2 });
  assert.deepEqual(
    first.Users!.map((u) => u.Username),
    ['abel', 'alice'],
  );
  assert.ok(first.PaginationToken);
  const second = await list({ Limit: 2, PaginationToken: first.PaginationToken });
  assert.deepEqual(
    second.Users!.map((u) => u.Username),
    ['bob', 'carol'],
  );
  assert.equal(second.PaginationToken, undefined);

  const onlyEmail = await list({ Filter: 'email ^= "ab"', AttributesToGet: ['email'] });
  assert.deepEqual(
    onlyEmail.Users!.map((u) => u.Attributes),
    [
      [{ Name: 'email', Value: 'ab.abel@list.test' }],
      [{ Name: 'email', Value: 'ab.alice@list.test' }],
      [{ Name: 'email', Value: 'AB.carol@list.test' }],
    ],
  );

  await expectError(
    list({ Filter: 'custom:x = "1"' }),
    'InvalidParameterException',
    /^Invalid search attribute: custom:x/,
  );
  await expectError(
    list({ Filter: 'shoe_size = "42"' }),
    'InvalidParameterException',
    /^Invalid search attribute: shoe_size/,
  );
  await expectError(list({ Filter: 'email != "x"' }), 'InvalidParameterException', /^Error while parsing filter/);
  await expectError(
    list({ Filter: `email = "${'a'.repeat(260)}"` }),
    'InvalidParameterException',
    /^1 validation error detected: Value '.*' at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256$/,
  );
  await expectError(
    list({ Limit: 61 }),
    'InvalidParameterException',
    "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
  );
  await expectError(list({ PaginationToken: 'forged' }), 'InvalidParameterException', 'Invalid pagination token.');
  await expectError(
    list({ UserPoolId: 'us-east-1_NoSuchOne' }),
    'ResourceNotFoundException',
    'User pool us-east-1_NoSuchOne does not exist.',
  );
});
