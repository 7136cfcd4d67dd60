/**
 * The attribute semantics of the spec through the real AWS SDK: GetUser, UpdateUserAttributes
 * (modes A and B), DeleteUserAttributes, client read/write lists, custom and immutable attributes
 * (docs/cognito-attributes.md §2, §4, §5.4; test vectors 6 to 11).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AdminGetUserCommand,
  DeleteUserAttributesCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { mailsTo, newCodeFor, otherCode, smsTo, uniqueEmail, uniquePhone } from '../support/user-flows.ts';
import {
  CODE_MISMATCH,
  EXPIRED_CODE,
  PASSWORD,
  UNAUTHORIZED_WRITE,
  attributeList,
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
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

const update = (AccessToken: string, changes: Record<string, string>) =>
  t.sdk.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: attributeList(changes) }));
const verify = (AccessToken: string, AttributeName: string, Code: string) =>
  t.sdk.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName, Code }));
const deleteAttributes = (AccessToken: string, ...UserAttributeNames: string[]) =>
  t.sdk.send(new DeleteUserAttributesCommand({ AccessToken, UserAttributeNames }));

/** A pool with an auto-verified email, a client and a signed-in user. */
async function setUp(pool: Partial<CreateUserPoolCommandInput> = {}, attributes: Record<string, string> = {}) {
  const { poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'], ...pool });
  const email = uniqueEmail('attr');
  const user = await signedInUser(t, clientId, 'attr', { email, ...attributes });
  return { poolId, clientId, email, ...user, token: user.accessToken };
}

/** A call that must fail and leave the user's attributes, and the outbox, as they were. */
async function refusedWithoutChange(token: string, run: () => Promise<unknown>) {
  const before = await userAttributes(t, token);
  const mails = t.smtp.messages.length;
  await run();
  assert.deepEqual(await userAttributes(t, token), before, 'a refused call changes nothing');
  assert.equal(t.smtp.messages.length, mails, 'a refused call sends nothing');
}

test('GetUser and a plain UpdateUserAttributes: values change at once, the list of deliveries is empty, the next ID token carries them', async () => {
  const u = await setUp(
    { Schema: [{ Name: 'plan', AttributeDataType: 'String' }] },
    { given_name: 'Ada', 'custom:plan': 'free' },
  );
  const me = await t.sdk.send(new GetUserCommand({ AccessToken: u.token }));
  assert.equal(me.Username, 'attr');
  assert.deepEqual(attributeMap(me.UserAttributes), {
    sub: u.sub,
    email: u.email,
    email_verified: 'true',
    given_name: 'Ada',
    'custom:plan': 'free',
  });

  const res = await update(u.token, { given_name: 'Grace', family_name: 'Hopper', 'custom:plan': 'pro' });
  assert.deepEqual(res.CodeDeliveryDetailsList, []);
  assert.deepEqual(await userAttributes(t, u.token), {
    sub: u.sub,
    email: u.email,
    email_verified: 'true',
    given_name: 'Grace',
    family_name: 'Hopper',
    'custom:plan': 'pro',
  });
  const refreshed = await t.sdk.send(
    new InitiateAuthCommand({
      ClientId: u.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: u.refreshToken },
    }),
  );
  const id = jwtClaims(refreshed.AuthenticationResult!.IdToken!);
  assert.equal(id.given_name, 'Grace');
  assert.equal(id['custom:plan'], 'pro');

  // A blank value, or no Value at all, deletes.
  await t.sdk.send(
    new UpdateUserAttributesCommand({
      AccessToken: u.token,
      UserAttributes: [{ Name: 'family_name', Value: '' }, { Name: 'given_name' }],
    }),
  );
  assert.deepEqual(await userAttributes(t, u.token), {
    sub: u.sub,
    email: u.email,
    email_verified: 'true',
    'custom:plan': 'pro',
  });
});

test('mode A: the new email at once, flag "false", CodeDeliveryDetailsList names it; wrong and reused codes refused (test vector 6)', async () => {
  const u = await setUp();
  const next = uniqueEmail('zed', 'new.org');
  const res = await update(u.token, { email: next, nickname: 'z' });
  assert.deepEqual(res.CodeDeliveryDetailsList, [
    { Destination: 'z***@n***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  ]);
  assert.deepEqual(await userAttributes(t, u.token), {
    sub: u.sub,
    email: next,
    email_verified: 'false',
    nickname: 'z',
  });
  assert.equal(mailsTo(t, next), 1, 'the code goes to the new address');
  assert.equal(mailsTo(t, u.email), 1, 'only the sign-up code went to the old one');
  const code = await newCodeFor(t, next, 0);

  await expectError(verify(u.token, 'email', otherCode(code)), 'CodeMismatchException', CODE_MISMATCH);
  assert.equal((await userAttributes(t, u.token)).email_verified, 'false');
  assert.equal((await verify(u.token, 'email', code)).$metadata.httpStatusCode, 200);
  assert.equal((await userAttributes(t, u.token)).email_verified, 'true');
  await expectError(verify(u.token, 'email', code), 'ExpiredCodeException', EXPIRED_CODE);
  assert.equal((await userAttributes(t, u.token)).email_verified, 'true');
});

test('mode A with email and phone both auto-verified: one list entry per attribute that awaits a code', async () => {
  const u = await setUp({ AutoVerifiedAttributes: ['email', 'phone_number'] }, { phone_number: uniquePhone() });
  const email = uniqueEmail('two');
  const phone = uniquePhone();
  const res = await update(u.token, { email, phone_number: phone });
  const byName = Object.fromEntries(res.CodeDeliveryDetailsList!.map((d) => [d.AttributeName, d]));
  assert.equal(res.CodeDeliveryDetailsList!.length, 2);
  assert.deepEqual(byName.email, { Destination: 't***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
  assert.deepEqual(byName.phone_number, {
    Destination: `+********${phone.slice(-4)}`,
    DeliveryMedium: 'SMS',
    AttributeName: 'phone_number',
  });
  assert.equal(mailsTo(t, email), 1);
  assert.equal(smsTo(t, phone), 1);
  await verify(u.token, 'phone_number', t.smsCodeFor(phone));
  const after = await userAttributes(t, u.token);
  assert.equal(after.phone_number_verified, 'true');
  assert.equal(after.email_verified, 'false');
});

test('mode B (keep original): old value and flag kept, code to the new address, VerifyUserAttribute promotes (test vector 7)', async () => {
  const u = await setUp({
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    AliasAttributes: ['email'],
  });
  const next = uniqueEmail('pend', 'new.org');
  const res = await update(u.token, { email: next, given_name: 'Kept' });
  assert.deepEqual(res.CodeDeliveryDetailsList, [
    { Destination: 'p***@n***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  ]);
  assert.deepEqual(await userAttributes(t, u.token), {
    sub: u.sub,
    email: u.email,
    email_verified: 'true',
    given_name: 'Kept',
  });
  const admin = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: u.poolId, Username: 'attr' }));
  assert.equal(attributeMap(admin.UserAttributes).email, u.email);
  assert.equal(JSON.stringify(admin).includes(next), false, 'no API shows the pending value');
  assert.equal(mailsTo(t, next), 1);
  // The old address still signs in; the pending one does not.
  assert.equal((await signIn(t, u.clientId, u.email)).TokenType, 'Bearer');
  await expectError(signIn(t, u.clientId, next), 'UserNotFoundException', 'User does not exist.');

  const code = await newCodeFor(t, next, 0);
  await expectError(verify(u.token, 'email', otherCode(code)), 'CodeMismatchException', CODE_MISMATCH);
  assert.equal((await userAttributes(t, u.token)).email, u.email);
  await verify(u.token, 'email', code);
  assert.deepEqual(await userAttributes(t, u.token), {
    sub: u.sub,
    email: next,
    email_verified: 'true',
    given_name: 'Kept',
  });
  assert.equal(jwtClaims((await signIn(t, u.clientId, next)).IdToken)['cognito:username'], 'attr');
  await expectError(verify(u.token, 'email', code), 'ExpiredCodeException', EXPIRED_CODE);
});

test('a user can never write email_verified, phone_number_verified or sub: NotAuthorizedException, nothing persisted (test vector 8)', async () => {
  const u = await setUp({}, { phone_number: uniquePhone(), given_name: 'Before' });
  await refusedWithoutChange(u.token, async () => {
    const attempts: Record<string, string>[] = [
      { email_verified: 'false' },
      { phone_number_verified: 'true' },
      { email_verified: 'true', given_name: 'After' },
      { email: uniqueEmail('sneaky'), email_verified: 'true' },
      { sub: '00000000-0000-4000-8000-000000000000' },
    ];
    for (const changes of attempts) {
      await expectError(update(u.token, changes), 'NotAuthorizedException', UNAUTHORIZED_WRITE);
    }
    await expectError(deleteAttributes(u.token, 'email_verified'), 'NotAuthorizedException', UNAUTHORIZED_WRITE);
    await expectError(deleteAttributes(u.token, 'sub'), 'NotAuthorizedException', UNAUTHORIZED_WRITE);
  });
});

test('custom attributes: unknown names refused, immutable ones given at sign-up and never updated (test vectors 3, 9)', async () => {
  const u = await setUp(
    {
      Schema: [
        { Name: 'tenant', AttributeDataType: 'String', Mutable: false },
        { Name: 'region', AttributeDataType: 'String', Mutable: false },
        { Name: 'age', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '0', MaxValue: '150' } },
      ],
    },
    { 'custom:tenant': 'acme' },
  );
  assert.equal((await userAttributes(t, u.token))['custom:tenant'], 'acme');
  await refusedWithoutChange(u.token, async () => {
    await expectError(
      update(u.token, { 'custom:tenant': 'evil' }),
      'InvalidParameterException',
      /Attribute cannot be updated/,
    );
    await expectError(
      update(u.token, { 'custom:region': 'eu' }),
      'InvalidParameterException',
      /Attribute cannot be updated/,
    );
    await expectError(
      update(u.token, { 'custom:tenant': '' }),
      'InvalidParameterException',
      /Attribute cannot be updated/,
    );
    await expectError(
      deleteAttributes(u.token, 'custom:tenant'),
      'InvalidParameterException',
      /Attribute cannot be updated/,
    );
    await expectError(
      update(u.token, { 'custom:ghost': '1', given_name: 'G' }),
      'InvalidParameterException',
      'user.custom:ghost: Attribute does not exist in the schema.',
    );
    await expectError(
      update(u.token, { 'custom:age': 'old' }),
      'InvalidParameterException',
      'custom:age: The value must be an integer.',
    );
    await expectError(
      update(u.token, { address: 'a'.repeat(2049) }),
      'InvalidParameterException',
      /^1 validation error detected: Value '.*' at 'userAttributes\.1\.member\.value' failed to satisfy constraint: Member must have length less than or equal to 2048$/,
    );
    await expectError(update(u.token, { email: 'nope' }), 'InvalidParameterException', 'Invalid email address format.');
  });
  await expectError(
    t.sdk.send(
      new SignUpCommand({
        ClientId: u.clientId,
        Username: 'other',
        Password: PASSWORD,
        UserAttributes: [
          { Name: 'email', Value: uniqueEmail('o') },
          { Name: 'custom:plan', Value: 'x' },
        ],
      }),
    ),
    'InvalidParameterException',
    'Attributes did not conform to the schema: Type for attribute {custom:plan} could not be determined',
  );
  await update(u.token, { 'custom:age': '042' });
  assert.equal((await userAttributes(t, u.token))['custom:age'], '42');
});

test('WriteAttributes: writing outside the list is NotAuthorizedException, at SignUp and at UpdateUserAttributes (test vector 10)', async () => {
  const { clientId } = await poolWithClient(
    t,
    { AutoVerifiedAttributes: ['email'] },
    { WriteAttributes: ['email', 'nickname'] },
  );
  await expectError(
    t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'w',
        Password: PASSWORD,
        UserAttributes: attributeList({ email: uniqueEmail('w'), given_name: 'G' }),
      }),
    ),
    'NotAuthorizedException',
    UNAUTHORIZED_WRITE,
  );
  const user = await signedInUser(t, clientId, 'writer', { email: uniqueEmail('writer') });
  await refusedWithoutChange(user.accessToken, async () => {
    await expectError(update(user.accessToken, { given_name: 'G' }), 'NotAuthorizedException', UNAUTHORIZED_WRITE);
    await expectError(
      update(user.accessToken, { nickname: 'n', given_name: 'G' }),
      'NotAuthorizedException',
      UNAUTHORIZED_WRITE,
    );
    await expectError(deleteAttributes(user.accessToken, 'given_name'), 'NotAuthorizedException', UNAUTHORIZED_WRITE);
  });
  assert.deepEqual((await update(user.accessToken, { nickname: 'n' })).CodeDeliveryDetailsList, []);
  assert.equal((await userAttributes(t, user.accessToken)).nickname, 'n');
});

test('ReadAttributes: GetUser and the ID token hold only what the client may read, silently (test vector 11)', async () => {
  const { poolId, clientId } = await poolWithClient(t, {
    AutoVerifiedAttributes: ['email'],
    Schema: [{ Name: 'plan', AttributeDataType: 'String' }],
  });
  const email = uniqueEmail('read');
  const user = await signedInUser(t, clientId, 'reader', { email, given_name: 'R', 'custom:plan': 'pro' });
  // No list: everything, custom attributes included (docs/api.md decision).
  assert.deepEqual(await userAttributes(t, user.accessToken), {
    sub: user.sub,
    email,
    email_verified: 'true',
    given_name: 'R',
    'custom:plan': 'pro',
  });

  const narrow = await createClient(t, poolId, { ClientName: 'narrow', ReadAttributes: ['email'] });
  const tokens = await signIn(t, narrow, 'reader');
  assert.deepEqual(await userAttributes(t, tokens.AccessToken), { sub: user.sub, email });
  const id = jwtClaims(tokens.IdToken);
  assert.equal(id.email, email);
  assert.equal(id.sub, user.sub);
  for (const hidden of ['given_name', 'custom:plan', 'email_verified'])
    assert.equal(hidden in id, false, `${hidden} is not in the ID token`);

  const withFlag = await createClient(t, poolId, {
    ClientName: 'flag',
    ReadAttributes: ['email', 'email_verified', 'custom:plan'],
  });
  const flagTokens = await signIn(t, withFlag, 'reader');
  assert.deepEqual(await userAttributes(t, flagTokens.AccessToken), {
    sub: user.sub,
    email,
    email_verified: 'true',
    'custom:plan': 'pro',
  });
  assert.equal(jwtClaims(flagTokens.IdToken).email_verified, true);
  assert.equal(jwtClaims(flagTokens.IdToken)['custom:plan'], 'pro');
});

test('DeleteUserAttributes: deletes, takes the flag along, accepts absent names; required attributes stay', async () => {
  const u = await setUp(
    { Schema: [{ Name: 'name', AttributeDataType: 'String', Required: true, Mutable: true }] },
    { name: 'Req', given_name: 'G', phone_number: uniquePhone() },
  );
  const res = await deleteAttributes(u.token, 'given_name', 'middle_name', 'phone_number', 'email');
  assert.equal(res.$metadata.httpStatusCode, 200);
  assert.deepEqual(await userAttributes(t, u.token), { sub: u.sub, name: 'Req' });
  await refusedWithoutChange(u.token, async () => {
    await expectError(deleteAttributes(u.token, 'name'), 'InvalidParameterException', /The attribute is required/);
    await expectError(
      update(u.token, { name: '' }),
      'InvalidParameterException',
      'user.name: The attribute is required and cannot be deleted.',
    );
    await expectError(
      deleteAttributes(u.token, 'shoe_size'),
      'InvalidParameterException',
      'user.shoe_size: Attribute does not exist in the schema.',
    );
    await expectError(deleteAttributes('not.a.token', 'given_name'), 'NotAuthorizedException', 'Invalid Access Token');
  });
  assert.equal((await deleteAttributes(u.token)).$metadata.httpStatusCode, 200, 'an empty list is fine');
});
