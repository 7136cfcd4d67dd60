/**
 * Unmodified Amplify v6 (`aws-amplify/auth`) against Cognate: the code of the "Manage user
 * attributes" guide, with `Auth.Cognito.userPoolEndpoint` pointed at the test server. The pool and
 * client are made through the AWS SDK, as an Amplify app's backend would have made them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { defaultStorage } from 'aws-amplify/utils';
import { fetchAuthSession, getCurrentUser, signIn, signOut, confirmSignUp } from 'aws-amplify/auth';
import { sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { eventually, mailsTo } from '../support/user-flows.ts';
import * as guide from './amplify-guide/manage-user-attributes.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;

/** What the guide's handlers print (they log their outcome, and log errors instead of throwing). */
const printed: unknown[] = [];
const realLog = console.log;

async function newCode(address: string, seen: number): Promise<string> {
  await eventually(() => mailsTo(t, address) > seen);
  return t.smtp.codeFor(address);
}

before(async () => {
  t = await startCognitoApp();
  const { UserPool } = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'amplify-guide',
      AutoVerifiedAttributes: ['email'],
      // The guide's passwords ('hunter2') need a pool that allows them, in Cognito too.
      Policies: {
        PasswordPolicy: {
          MinimumLength: 6,
          RequireUppercase: false,
          RequireLowercase: false,
          RequireNumbers: false,
          RequireSymbols: false,
        },
      },
      Schema: [
        { Name: 'display_name', AttributeDataType: 'String', Mutable: true },
        { Name: 'my_custom_attribute', AttributeDataType: 'String', Mutable: true },
      ],
    }),
  );
  poolId = UserPool!.Id!;
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      PreventUserExistenceErrors: 'ENABLED',
      // SRP (Amplify's default) and refresh are Cognito's default flows; the guide also signs in with USER_PASSWORD_AUTH.
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  clientId = UserPoolClient!.ClientId!;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.endpoint } },
  });
  console.log = (...args: unknown[]) => {
    printed.push(args.length === 1 ? args[0] : args);
  };
});

after(async () => {
  console.log = realLog;
  await t?.close();
});

/** Runs a guide handler and returns what it printed; an error it swallowed fails the test. */
async function run(handler: () => Promise<void>): Promise<unknown[]> {
  const from = printed.length;
  await handler();
  const out = printed.slice(from);
  for (const line of out)
    if (line instanceof Error) assert.fail(`the guide's handler logged an error: ${line.name}: ${line.message}`);
  return out;
}

describe('Amplify v6 "Manage user attributes" guide against Cognate', () => {
  it('signs up with standard attributes; the code arrives by mail and confirmSignUp takes it', async () => {
    const result = await guide.signUpWithStandardAttributes();
    assert.equal(result.isSignUpComplete, false);
    assert.equal(result.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    assert.match(result.userId!, /^[0-9a-f-]{36}$/);
    if (result.nextStep.signUpStep !== 'CONFIRM_SIGN_UP') return;
    assert.deepEqual(result.nextStep.codeDeliveryDetails, {
      destination: 'm***@d***',
      deliveryMedium: 'EMAIL',
      attributeName: 'email',
    });

    const confirmed = await confirmSignUp({
      username: 'jdoe',
      confirmationCode: await t.smtp.codeFor('me@domain.com'),
    });
    assert.deepEqual(confirmed, { isSignUpComplete: true, nextStep: { signUpStep: 'DONE' } });
  });

  it('signs up with custom:display_name (no verifiable attribute, so no code), stored as given', async () => {
    const result = await guide.signUpWithCustomAttribute();
    assert.equal(result.isSignUpComplete, false);
    assert.equal(result.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'john.doe@example.com' }));
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'john.doe@example.com' }));
    assert.equal(user.UserAttributes!.find((a) => a.Name === 'custom:display_name')?.Value, 'john_doe123');
    assert.equal(user.UserStatus, 'CONFIRMED');
  });

  it('signs in with the default flow (USER_SRP_AUTH) and with USER_PASSWORD_AUTH', async () => {
    const srp = await signIn({ username: 'john.doe@example.com', password: 'hunter2' });
    assert.deepEqual(srp, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const current = await getCurrentUser();
    assert.equal(current.username, 'john.doe@example.com');
    await signOut();

    const wrong = await sdkError(signIn({ username: 'john.doe@example.com', password: 'hunter3' }));
    assert.equal(wrong.name, 'NotAuthorizedException');
    assert.equal(wrong.message, 'Incorrect username or password.');
    const unknown = await sdkError(signIn({ username: 'nobody', password: 'hunter2' }));
    assert.equal(unknown.name, 'NotAuthorizedException');

    const plain = await signIn({
      username: 'jdoe',
      password: 'mysecurerandompassword#123',
      options: { authFlowType: 'USER_PASSWORD_AUTH' },
    });
    assert.deepEqual(plain, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const session = await fetchAuthSession();
    assert.equal(session.tokens?.idToken?.payload['cognito:username'], 'jdoe');
    assert.equal(session.tokens?.idToken?.payload.email, 'me@domain.com');
  });

  it('fetchUserAttributes returns the flat map of strings', async () => {
    const attributes = await guide.retrieveUserAttributes();
    assert.match(attributes.sub!, /^[0-9a-f-]{36}$/);
    const { sub: _sub, ...rest } = attributes;
    assert.deepEqual(rest, {
      email: 'me@domain.com',
      email_verified: 'true',
      phone_number: '+12128601234',
      phone_number_verified: 'false',
      given_name: 'Jane',
      family_name: 'Doe',
      nickname: 'Jane',
    });
  });

  it('updateUserAttribute: CONFIRM_ATTRIBUTE_WITH_CODE for an email, DONE for a nickname', async () => {
    const seen = mailsTo(t, 'jane@new.example');
    assert.deepEqual(await run(() => guide.handleUpdateUserAttribute('email', 'jane@new.example')), [
      'Confirmation code was sent to EMAIL.',
    ]);
    assert.deepEqual(await run(() => guide.handleUpdateUserAttribute('nickname', 'JD')), [
      'attribute was successfully updated.',
    ]);
    const attributes = await guide.retrieveUserAttributes();
    // No keep-original setting: the new address is stored at once, unverified (docs/cognito-attributes.md §5.4 mode A).
    assert.equal(attributes.email, 'jane@new.example');
    assert.equal(attributes.email_verified, 'false');
    assert.equal(attributes.nickname, 'JD');

    const code = await newCode('jane@new.example', seen);
    assert.deepEqual(
      await run(() => guide.handleConfirmUserAttribute({ userAttributeKey: 'email', confirmationCode: code })),
      [],
    );
    assert.equal((await guide.retrieveUserAttributes()).email_verified, 'true');
  });

  it('updateUserAttributes returns both next steps; confirmUserAttribute takes the mailed code', async () => {
    const seen = mailsTo(t, 'me@domain.com');
    const output = await guide.updateEmailAndName();
    assert.equal(output.email?.isUpdated, false);
    assert.equal(output.email?.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
    assert.deepEqual(output.email?.nextStep.codeDeliveryDetails, {
      attributeName: 'email',
      deliveryMedium: 'EMAIL',
      destination: 'm***@d***',
    });
    assert.deepEqual(output.name, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });

    const code = await newCode('me@domain.com', seen);
    assert.deepEqual(
      await run(() => guide.handleConfirmUserAttribute({ userAttributeKey: 'email', confirmationCode: code })),
      [],
    );
    const attributes = await guide.retrieveUserAttributes();
    assert.equal(attributes.email, 'me@domain.com');
    assert.equal(attributes.email_verified, 'true');
    assert.equal(attributes.name, 'Jon Doe');
  });

  it('sendUserAttributeVerificationCode sends a fresh code that confirmUserAttribute accepts', async () => {
    const seen = mailsTo(t, 'me@domain.com');
    assert.deepEqual(await run(() => guide.handleSendUserAttributeVerificationCode('email')), []);
    const code = await newCode('me@domain.com', seen);
    assert.deepEqual(
      await run(() => guide.handleConfirmUserAttribute({ userAttributeKey: 'email', confirmationCode: code })),
      [],
    );
  });

  it('deleteUserAttributes removes them (custom:my_custom_attribute need not be set)', async () => {
    assert.deepEqual(await run(() => guide.handleDeleteUserAttributes(['nickname', 'family_name'])), []);
    const attributes = await guide.retrieveUserAttributes();
    assert.equal(attributes.nickname, undefined);
    assert.equal(attributes.family_name, undefined);
    assert.equal(attributes.given_name, 'Jane');
  });

  it("the guide's handlers print Cognito's errors as Amplify names them", async () => {
    await run(() => guide.handleSendUserAttributeVerificationCode('email'));
    const out = printed.length;
    await guide.handleConfirmUserAttribute({ userAttributeKey: 'email', confirmationCode: '123' });
    const error = printed[out] as Error;
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'CodeMismatchException');
    assert.equal(error.message, 'Invalid verification code provided, please try again.');
  });

  it('signOut revokes the session: its refresh token no longer works', async () => {
    const username = (await getCurrentUser()).username;
    // Where Amplify keeps the session (its in-memory store under Node), under Cognito's key names.
    const refreshToken = await defaultStorage.getItem(
      `CognitoIdentityServiceProvider.${clientId}.${username}.refreshToken`,
    );
    assert.ok(refreshToken);
    const refreshed = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    );
    assert.ok(refreshed.AuthenticationResult?.AccessToken);

    await signOut();
    assert.equal((await fetchAuthSession()).tokens, undefined);
    const failed = await sdkError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      ),
    );
    assert.equal(failed.name, 'NotAuthorizedException');
    assert.equal(failed.message, 'Invalid Refresh Token');
  });
});
