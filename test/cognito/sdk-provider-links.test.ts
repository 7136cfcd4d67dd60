/**
 * Federated users and linking through the real AWS SDK (docs/federation.md, "Users and linking"):
 * AdminLinkProviderForUser, AdminDisableProviderForUser, the `identities` attribute and claim, and
 * every password path refused to an EXTERNAL_PROVIDER user. Federated users are made as the sign-in
 * round trip makes them (the repository functions), without an upstream provider.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminDisableProviderForUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminLinkProviderForUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  type ProviderUserIdentifierType,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { identityProviders } from '../../src/db/schema/federation.ts';
import type { IdentityProviderType } from '../../src/modules/federation/federation.types.ts';
import {
  federatedUsername,
  insertIdentity,
  writeIdentitiesAttribute,
} from '../../src/modules/federation/identities.ts';
import { insertAttributes, insertUser, usernameKey } from '../../src/modules/user-store/users.repository.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { uniqueEmail } from '../support/user-flows.ts';
import {
  PASSWORD,
  attributeMap,
  createClient,
  expectError,
  jwtClaims,
  poolWithClient,
  signIn,
  signUpConfirmed,
} from '../support/sdk-flows.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
let legacyClientId: string;
before(async () => {
  t = await startCognitoApp();
  const flows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
  ({ poolId, clientId } = await poolWithClient(
    t,
    {
      AutoVerifiedAttributes: ['email'],
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
    },
    { PreventUserExistenceErrors: 'ENABLED', ExplicitAuthFlows: flows as never },
  ));
  legacyClientId = await createClient(t, poolId, {
    PreventUserExistenceErrors: 'LEGACY',
    ExplicitAuthFlows: [...flows, 'ALLOW_ADMIN_USER_PASSWORD_AUTH'] as never,
  });
  for (const [name, type] of [
    ['Corp', 'OIDC'],
    ['Google', 'Google'],
  ] as const)
    await t.database.db
      .insert(identityProviders)
      .values({ poolId, providerName: name, providerType: type, details: {} });
});
after(() => t.close());

/** An EXTERNAL_PROVIDER user as a first sign-in through the provider creates it. */
async function federatedUser(
  providerName: string,
  subject: string,
  attributes: Record<string, string> = {},
  providerType: IdentityProviderType = 'OIDC',
) {
  const pool = await t.services.pools.getPool(poolId);
  const username = federatedUsername(providerType, providerName, subject);
  const id = randomUUID();
  await t.database.db.transaction(async (tx) => {
    await insertUser(tx, {
      id,
      poolId,
      username,
      usernameKey: usernameKey(pool, username),
      status: 'EXTERNAL_PROVIDER',
    });
    await insertAttributes(tx, pool, id, attributes, attributes.email ? { email: true } : {});
    await insertIdentity(tx, { poolId, providerName, providerType, subject, userId: id, primary: true });
    await writeIdentitiesAttribute(tx, { id, poolId });
  });
  return username;
}

const cognito = (username: string): ProviderUserIdentifierType => ({
  ProviderName: 'Cognito',
  ProviderAttributeValue: username,
});
const subjectOf = (providerName: string, subject: string): ProviderUserIdentifierType => ({
  ProviderName: providerName,
  ProviderAttributeName: 'Cognito_Subject',
  ProviderAttributeValue: subject,
});
const linkCall = (destination: ProviderUserIdentifierType, source: ProviderUserIdentifierType, pool = poolId) =>
  t.sdk.send(
    new AdminLinkProviderForUserCommand({ UserPoolId: pool, DestinationUser: destination, SourceUser: source }),
  );
const attributesOf = async (username: string) =>
  attributeMap((await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }))).UserAttributes);

describe('AdminLinkProviderForUser and AdminDisableProviderForUser', () => {
  test('link, see it in AdminGetUser and the ID token (an array), unlink', async () => {
    await signUpConfirmed(t, clientId, 'sdk-alice', { email: uniqueEmail() });
    assert.deepEqual(
      await linkCall(cognito('sdk-alice'), subjectOf('Corp', 'alice-corp')).then((r) => r.$metadata.httpStatusCode),
      200,
    );
    // ProviderAttributeName left out: Cognito_Subject.
    await linkCall(cognito('sdk-alice'), { ProviderName: 'Google', ProviderAttributeValue: 'alice-google' });

    const identities = JSON.parse((await attributesOf('sdk-alice')).identities!);
    assert.deepEqual(
      identities.map((i: Record<string, unknown>) => [i.providerName, i.providerType, i.userId, i.primary, i.issuer]),
      [
        ['Corp', 'OIDC', 'alice-corp', false, null],
        ['Google', 'Google', 'alice-google', false, null],
      ],
    );
    const tokens = await signIn(t, clientId, 'sdk-alice');
    const claim = jwtClaims(tokens.IdToken).identities as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(claim));
    assert.deepEqual(claim[0], { ...identities[0], primary: 'false', dateCreated: String(identities[0].dateCreated) });
    assert.equal(jwtClaims(tokens.AccessToken).identities, undefined);

    await t.sdk.send(
      new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: subjectOf('Corp', 'alice-corp') }),
    );
    assert.deepEqual(
      JSON.parse((await attributesOf('sdk-alice')).identities!).map((i: Record<string, unknown>) => i.userId),
      ['alice-google'],
    );
    await t.sdk.send(
      new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: subjectOf('Google', 'alice-google') }),
    );
    assert.equal((await attributesOf('sdk-alice')).identities, undefined);
    assert.equal(jwtClaims((await signIn(t, clientId, 'sdk-alice')).IdToken).identities, undefined);
  });

  test('Cognito’s errors, each changing nothing', async () => {
    await signUpConfirmed(t, clientId, 'sdk-bob', { email: uniqueEmail() });
    const owner = await federatedUser('Corp', 'bob-taken');
    await expectError(
      linkCall(cognito('sdk-bob'), subjectOf('Corp', 'bob-taken')),
      'InvalidParameterException',
      /Merging is not currently supported/,
    );
    await expectError(linkCall(cognito('nobody-here'), subjectOf('Corp', 'x')), 'UserNotFoundException');
    await expectError(
      linkCall(cognito('sdk-bob'), subjectOf('Corp', 'x'), 'us-east-1_nopool'),
      'ResourceNotFoundException',
    );
    await expectError(
      linkCall(cognito('sdk-bob'), subjectOf('Nope', 'x')),
      'InvalidParameterException',
      /no identity provider named Nope/,
    );
    await expectError(
      linkCall({ ProviderName: 'Corp', ProviderAttributeValue: 'sdk-bob' }, subjectOf('Corp', 'x')),
      'InvalidParameterException',
      /DestinationUser.ProviderName must be Cognito/,
    );
    await expectError(
      linkCall(cognito('sdk-bob'), cognito('sdk-alice')),
      'InvalidParameterException',
      /not a native user/,
    );
    await expectError(
      linkCall(cognito('sdk-bob'), { ...subjectOf('Corp', 'x'), ProviderAttributeName: 'email' }),
      'InvalidParameterException',
      /ProviderAttributeName email is not supported/,
    );
    await expectError(
      linkCall(cognito('sdk-bob'), { ProviderName: 'Corp' }),
      'InvalidParameterException',
      /ProviderAttributeValue is required/,
    );
    for (const sub of ['1', '2', '3', '4', '5']) await linkCall(cognito('sdk-bob'), subjectOf('Corp', `bob-${sub}`));
    await expectError(linkCall(cognito('sdk-bob'), subjectOf('Corp', 'bob-6')), 'LimitExceededException', /at most 5/);
    assert.equal(JSON.parse((await attributesOf('sdk-bob')).identities!).length, 5);
    assert.equal(JSON.parse((await attributesOf(owner)).identities!).length, 1);

    await expectError(
      t.sdk.send(
        new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: subjectOf('Corp', 'never-linked') }),
      ),
      'UserNotFoundException',
    );
    await expectError(
      t.sdk.send(
        new AdminDisableProviderForUserCommand({
          UserPoolId: poolId,
          User: {
            ProviderName: 'Cognito',
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: 'sdk-bob',
          },
        }),
      ),
      'InvalidParameterException',
      /AdminDisableUser/,
    );
    assert.equal(JSON.parse((await attributesOf('sdk-bob')).identities!).length, 5);
  });

  test('disabling a federated user’s own identity disables the user', async () => {
    const username = await federatedUser('Google', 'own-g', {}, 'Google');
    await t.sdk.send(
      new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: subjectOf('Google', 'own-g') }),
    );
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    assert.equal(user.Enabled, false);
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
  });
});

describe('an EXTERNAL_PROVIDER user', () => {
  test('is shown with its status and identities, and found by status', async () => {
    const email = uniqueEmail();
    const username = await federatedUser('Corp', 'shown-1', { email });
    assert.equal(username, 'Corp_shown-1');
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
    assert.equal(JSON.parse(attributeMap(user.UserAttributes).identities!)[0].primary, true);
    const listed = await t.sdk.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: 'cognito:user_status = "EXTERNAL_PROVIDER"' }),
    );
    assert.ok(listed.Users!.some((u) => u.Username === username && u.UserStatus === 'EXTERNAL_PROVIDER'));
    assert.ok(listed.Users!.every((u) => u.UserStatus === 'EXTERNAL_PROVIDER'));
    const enabled = await t.sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'status = "Enabled"' }));
    assert.ok(enabled.Users!.some((u) => u.Username === username));
  });

  test('signs in with no password flow, answered as a wrong password', async () => {
    const username = await federatedUser('Corp', 'pw-1', { email: uniqueEmail() });
    for (const client of [clientId, legacyClientId]) {
      await expectError(
        t.sdk.send(
          new InitiateAuthCommand({
            ClientId: client,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: username, PASSWORD },
          }),
        ),
        'NotAuthorizedException',
        'Incorrect username or password.',
      );
      // SRP: the hiding client gives a challenge whose proof fails; the other refuses at once, alike.
      const session = createSrpSession(username, PASSWORD, poolId, false);
      const srp = t.sdk.send(
        new InitiateAuthCommand({
          ClientId: client,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { USERNAME: username, SRP_A: session.largeA },
        }),
      );
      if (client === legacyClientId) {
        await expectError(srp, 'NotAuthorizedException', 'Incorrect username or password.');
      } else {
        const challenge = await srp;
        const signed = signSrpSession(session, challenge as never);
        await expectError(
          t.sdk.send(
            new RespondToAuthChallengeCommand({
              ClientId: client,
              ChallengeName: 'PASSWORD_VERIFIER',
              ChallengeResponses: {
                USERNAME: challenge.ChallengeParameters!.USER_ID_FOR_SRP!,
                PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
                TIMESTAMP: signed.timestamp,
                PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
              },
            }),
          ),
          'NotAuthorizedException',
          'Incorrect username or password.',
        );
      }
    }
    await expectError(
      t.sdk.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: legacyClientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      ),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
  });

  test('gets no one-time code: USER_AUTH EMAIL_OTP answers as for an unknown name', async () => {
    const username = await federatedUser('Corp', 'otp-1', { email: uniqueEmail() });
    const mails = t.smtp.messages.length;
    const otp = (client: string) =>
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: client,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
        }),
      );
    await expectError(otp(legacyClientId), 'NotAuthorizedException', 'Incorrect username or password.');
    // The hiding client shows the challenge an unknown name gets; no code is sent.
    assert.equal((await otp(clientId)).ChallengeName, 'EMAIL_OTP');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(t.smtp.messages.length, mails);
  });

  test('gets no password: recovery, the administrator’s password actions and confirmation are refused', async () => {
    const email = uniqueEmail();
    const username = await federatedUser('Corp', 'pw-2', { email });
    const mails = t.smtp.messages.length;
    // The hiding client answers as for an unknown name; nothing is sent.
    const hidden = await t.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username }));
    assert.ok(hidden.CodeDeliveryDetails);
    await expectError(
      t.sdk.send(new ForgotPasswordCommand({ ClientId: legacyClientId, Username: username })),
      'NotAuthorizedException',
      /external identity provider/,
    );
    await expectError(
      t.sdk.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: username,
          Password: 'NewPassw0rd!',
          Permanent: true,
        }),
      ),
      'NotAuthorizedException',
      /external identity provider/,
    );
    await expectError(
      t.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: username })),
      'NotAuthorizedException',
      /external identity provider/,
    );
    await expectError(
      t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: username })),
      'NotAuthorizedException',
      /Current status is EXTERNAL_PROVIDER/,
    );
    await expectError(
      t.sdk.send(new ResendConfirmationCodeCommand({ ClientId: legacyClientId, Username: username })),
      'InvalidParameterException',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(t.smtp.messages.length, mails);
    const user = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
  });

  test('identities is never written by an administrator', async () => {
    const username = await federatedUser('Corp', 'attr-1');
    await expectError(
      t.sdk.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: poolId,
          Username: username,
          UserAttributes: [{ Name: 'identities', Value: '[]' }],
        }),
      ),
      'InvalidParameterException',
      /identities/,
    );
    assert.equal(JSON.parse((await attributesOf(username)).identities!)[0].userId, 'attr-1');
  });
});
