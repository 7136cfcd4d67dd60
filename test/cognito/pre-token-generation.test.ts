/**
 * The PreTokenGeneration trigger as a real HTTP hook, configured through the wire's LambdaConfig
 * and driven by the AWS SDK: V1_0 and V2_0 events and answers, the trigger sources of sign-in,
 * new-password challenge and refresh, reserved claims, refusals and bad answers (docs/groups.md).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CreateGroupCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { uniqueEmail } from '../support/user-flows.ts';
import { PASSWORD, expectError, jwtClaims, poolWithClient, signIn, signedInUser } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
before(async () => {
  t = await startCognitoApp({}, { hookPolicy: { timeoutMs: 1000, retryDelayMs: 10 } });
  hook = await startHookServer();
});
after(async () => {
  await hook.close();
  await t.close();
});
beforeEach(() => hook.reset());

const ROLE = 'arn:aws:iam::123456789012:role/Admins';
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/Other';
let counter = 0;
const fresh = (prefix: string) => `${prefix}${++counter}`;

async function hookedPool(version: 'V1_0' | 'V2_0' | 'V3_0') {
  return poolWithClient(t, {
    AutoVerifiedAttributes: ['email'],
    LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: version, LambdaArn: hook.url } },
  });
}

const tokenCalls = () => hook.requests.filter((r) => r.body?.triggerSource?.startsWith('TokenGeneration_'));

describe('PreTokenGeneration V1_0', () => {
  test('the event; claims added and suppressed in the ID token; groups overridden; reserved claims kept', async () => {
    const { poolId, clientId } = await hookedPool('V1_0');
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Precedence: 1, RoleArn: ROLE }));
    const username = fresh('v1user');
    const email = uniqueEmail(username);
    const { sub } = await signedInUser(t, clientId, username, { email });
    await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: 'staff' }));

    hook.respondWith({
      claimsOverrideDetails: {
        claimsToAddOrOverride: { tier: 'gold', sub: 'forged', 'cognito:username': 'forged', aud: 'forged' },
        claimsToSuppress: ['email', 'token_use'],
        groupOverrideDetails: {
          groupsToOverride: ['vip'],
          iamRolesToOverride: [OTHER_ROLE],
          preferredRole: OTHER_ROLE,
        },
      },
    });
    hook.requests.length = 0;
    const tokens = await signIn(t, clientId, username);
    const [call] = tokenCalls();
    assert.ok(call, 'the hook was called');
    const event = call.body;
    assert.equal(event.triggerSource, 'TokenGeneration_Authentication');
    assert.equal(event.userPoolId, poolId);
    assert.equal(event.userName, username);
    assert.equal(event.callerContext.clientId, clientId);
    assert.equal(event.request.userAttributes.email, email);
    assert.equal(event.request.userAttributes.sub, sub);
    assert.equal(event.request.userAttributes['cognito:user_status'], 'CONFIRMED');
    assert.deepEqual(event.request.groupConfiguration, {
      groupsToOverride: ['staff'],
      iamRolesToOverride: [ROLE],
      preferredRole: ROLE,
    });
    assert.deepEqual(event.request.clientMetadata, {});
    assert.equal(event.request.scopes, undefined, 'V1_0 has no scopes');
    assert.deepEqual(event.response, { claimsOverrideDetails: null });

    const id = jwtClaims(tokens.IdToken);
    assert.equal(id.tier, 'gold');
    assert.equal(id.email, undefined);
    assert.equal(id.sub, sub);
    assert.equal(id['cognito:username'], username);
    assert.equal(id.aud, clientId);
    assert.equal(id.token_use, 'id');
    assert.deepEqual(id['cognito:groups'], ['vip']);
    assert.deepEqual(id['cognito:roles'], [OTHER_ROLE]);
    assert.equal(id['cognito:preferred_role'], OTHER_ROLE);
    const access = jwtClaims(tokens.AccessToken);
    assert.equal(access.tier, undefined, 'V1_0 changes only the ID token claims');
    assert.deepEqual(access['cognito:groups'], ['vip']);

    // Refresh has its own trigger source, and the override holds there too.
    hook.requests.length = 0;
    const refreshed = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
      }),
    );
    assert.equal(tokenCalls()[0]!.body.triggerSource, 'TokenGeneration_RefreshTokens');
    assert.equal(jwtClaims(refreshed.AuthenticationResult!.IdToken!).tier, 'gold');
  });

  test('ClientMetadata of InitiateAuth does not reach it (Cognito passes it to PreSignUp, PreAuthentication only)', async () => {
    const { clientId } = await hookedPool('V1_0');
    const username = fresh('meta');
    await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
    hook.requests.length = 0;
    await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD },
        ClientMetadata: { origin: 'test' },
      }),
    );
    assert.deepEqual(tokenCalls()[0]!.body.request.clientMetadata, {});
  });

  test('a non-string claim is an invalid answer in V1_0', async () => {
    const { clientId } = await hookedPool('V1_0');
    const username = fresh('badv1');
    hook.respondWith({});
    await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
    hook.respondWith({ claimsOverrideDetails: { claimsToAddOrOverride: { n: 5 } } });
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      ),
      'InvalidLambdaResponseException',
    );
  });
});

describe('PreTokenGeneration V2_0', () => {
  test('the event has scopes; ID and access token claims, scopes, groups', async () => {
    const { poolId, clientId } = await hookedPool('V2_0');
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'team' }));
    const username = fresh('v2user');
    await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
    await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: 'team' }));
    hook.respondWith({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { roles: ['a', 'b'], profile: { level: 3 } } },
        accessTokenGeneration: {
          claimsToAddOrOverride: { tenant: 't-1', client_id: 'forged', username: 'forged' },
          claimsToSuppress: ['scope'],
          scopesToAdd: ['photos/read'],
        },
        groupOverrideDetails: { groupsToOverride: ['team', 'extra'] },
      },
    });
    hook.requests.length = 0;
    const tokens = await signIn(t, clientId, username);
    const event = tokenCalls()[0]!.body;
    assert.deepEqual(event.request.scopes, ['aws.cognito.signin.user.admin']);
    assert.deepEqual(event.request.groupConfiguration.groupsToOverride, ['team']);
    assert.deepEqual(event.response, { claimsAndScopeOverrideDetails: null });

    const id = jwtClaims(tokens.IdToken);
    assert.deepEqual(id.roles, ['a', 'b']);
    assert.deepEqual(id.profile, { level: 3 });
    assert.deepEqual(id['cognito:groups'], ['team', 'extra']);
    const access = jwtClaims(tokens.AccessToken);
    assert.equal(access.tenant, 't-1');
    assert.equal(access.client_id, clientId);
    assert.equal(access.username, username);
    assert.equal(access.scope, 'aws.cognito.signin.user.admin photos/read');
    assert.deepEqual(access['cognito:groups'], ['team', 'extra']);
    // The access token still works: reserved claims were not touched.
    const me = await fetch(t.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser',
      },
      body: JSON.stringify({ AccessToken: tokens.AccessToken }),
    });
    assert.equal(me.status, 200);
  });

  test('security review: dev: claims, the token’s own ids and complex verified flags cannot be forged; the token stays revocable', async () => {
    const { clientId } = await hookedPool('V2_0');
    const username = fresh('v2forge');
    await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
    const forged = {
      'dev:custom:clearance': 'top',
      jti: 'forged',
      origin_jti: 'forged',
      event_id: 'forged',
      scope: 'admin',
      'cognito:groups': ['root'],
    };
    hook.respondWith({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: forged, claimsToSuppress: ['jti', 'origin_jti'] },
        accessTokenGeneration: { claimsToAddOrOverride: forged, claimsToSuppress: ['jti', 'origin_jti', 'exp'] },
      },
    });
    const tokens = await signIn(t, clientId, username);
    for (const token of [tokens.IdToken, tokens.AccessToken]) {
      const claims = jwtClaims(token);
      assert.equal(claims['dev:custom:clearance'], undefined, 'dev: claims are Cognito’s excluded claims');
      assert.notEqual(claims.jti, 'forged');
      assert.notEqual(claims.origin_jti, 'forged');
      assert.notEqual(claims.event_id, 'forged');
      assert.equal(claims['cognito:groups'], undefined);
    }
    assert.equal(jwtClaims(tokens.AccessToken).scope, 'aws.cognito.signin.user.admin');
    const getUser = (accessToken: string) =>
      fetch(t.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser',
        },
        body: JSON.stringify({ AccessToken: accessToken }),
      });
    assert.equal((await getUser(tokens.AccessToken!)).status, 200);
    // Revoking the session still ends the access token the hook touched.
    const signedOut = await fetch(t.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.GlobalSignOut',
      },
      body: JSON.stringify({ AccessToken: tokens.AccessToken }),
    });
    assert.equal(signedOut.status, 200);
    assert.equal((await getUser(tokens.AccessToken!)).status, 400);

    // Cognito takes no complex value for email_verified, phone_number_verified, updated_at or address.
    hook.respondWith({
      claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { email_verified: { yes: 1 } } } },
    });
    await expectError(signIn(t, clientId, username), 'InvalidLambdaResponseException', /email_verified/);
  });

  test('security review: roles taken away by the hook take the preferred role with them', async () => {
    const { poolId, clientId } = await hookedPool('V1_0');
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Precedence: 1, RoleArn: ROLE }));
    const username = fresh('v1roles');
    await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
    await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: 'admins' }));
    hook.respondWith({ claimsOverrideDetails: { groupOverrideDetails: { iamRolesToOverride: [OTHER_ROLE] } } });
    const id = jwtClaims((await signIn(t, clientId, username)).IdToken);
    assert.deepEqual(id['cognito:roles'], [OTHER_ROLE]);
    assert.equal(id['cognito:preferred_role'], undefined, 'the Admins role is no longer the user’s');
    // A preferred role still among the roles the hook leaves stays.
    hook.respondWith({ claimsOverrideDetails: { groupOverrideDetails: { iamRolesToOverride: [ROLE, OTHER_ROLE] } } });
    assert.equal(jwtClaims((await signIn(t, clientId, username)).IdToken)['cognito:preferred_role'], ROLE);
  });

  test('V3_0 answers as V2_0 for user tokens', async () => {
    const { clientId } = await hookedPool('V3_0');
    const username = fresh('v3user');
    hook.respondWith({
      claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { v: 'three' } } },
    });
    const { accessToken } = await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
    assert.equal(jwtClaims(accessToken).v, 'three');
    assert.ok(tokenCalls().some((r) => r.body.request.scopes));
  });
});

describe('refusals and failures', () => {
  test('a refusing hook: UserLambdaValidationException, no tokens', async () => {
    const { clientId } = await hookedPool('V1_0');
    const username = fresh('refused');
    const { refreshToken } = await signedInUser(t, clientId, username, { email: uniqueEmail(username) });
    hook.answer(400, { errorMessage: 'not today' });
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      ),
      'UserLambdaValidationException',
      'PreTokenGeneration failed with error not today.',
    );
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      ),
      'UserLambdaValidationException',
      'PreTokenGeneration failed with error not today.',
    );
  });

  test('NEW_PASSWORD_REQUIRED answered: TokenGeneration_NewPasswordChallenge', async () => {
    const { poolId, clientId } = await hookedPool('V1_0');
    const username = fresh('invited');
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        TemporaryPassword: 'Temp0rary!pw',
        MessageAction: 'SUPPRESS',
      }),
    );
    const started = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: 'Temp0rary!pw' },
      }),
    );
    assert.equal(started.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    hook.requests.length = 0;
    hook.respondWith({ claimsOverrideDetails: { claimsToAddOrOverride: { first: 'yes' } } });
    const answered = await t.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: started.Session!,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: PASSWORD },
        ClientMetadata: { step: 'new-password' },
      }),
    );
    assert.equal(tokenCalls()[0]!.body.triggerSource, 'TokenGeneration_NewPasswordChallenge');
    // RespondToAuthChallenge's ClientMetadata is passed on, as Cognito does.
    assert.deepEqual(tokenCalls()[0]!.body.request.clientMetadata, { step: 'new-password' });
    assert.equal(jwtClaims(answered.AuthenticationResult!.IdToken!).first, 'yes');
  });
});

describe('the REST face', () => {
  test('REST sign-in and refresh call the same hook, with their trigger sources', async () => {
    const created = await t.admin('POST', '/v1/pools', {
      name: 'rest-hooked',
      autoVerifiedAttributes: ['email'],
      hooks: { preTokenGeneration: hook.url, preTokenGenerationVersion: 'V2_0' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const poolId = created.body.id as string;
    const client = await t.admin('POST', `/v1/pools/${poolId}/clients`, { name: 'app' });
    const clientId = client.body.clientId as string;
    await t.admin('POST', `/v1/pools/${poolId}/groups`, { groupName: 'crew' });
    await t.admin('POST', `/v1/pools/${poolId}/users`, {
      username: 'resty',
      messageAction: 'SUPPRESS',
      temporaryPassword: 'Temp0rary!pw',
    });
    await t.admin('PUT', `/v1/pools/${poolId}/users/resty/groups/crew`);
    hook.respondWith({
      claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { via: 'rest' } } },
    });
    const started = await t.call('POST', '/v1/auth/sign-in', {
      clientId,
      username: 'resty',
      password: 'Temp0rary!pw',
    });
    assert.equal(started.body.challengeName, 'NEW_PASSWORD_REQUIRED', JSON.stringify(started.body));
    hook.requests.length = 0;
    const answered = await t.call('POST', '/v1/auth/respond-to-challenge', {
      clientId,
      challengeName: 'NEW_PASSWORD_REQUIRED',
      session: started.body.session,
      newPassword: PASSWORD,
    });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.equal(tokenCalls()[0]!.body.triggerSource, 'TokenGeneration_NewPasswordChallenge');
    assert.deepEqual(tokenCalls()[0]!.body.request.groupConfiguration.groupsToOverride, ['crew']);
    assert.equal(jwtClaims(answered.body.accessToken).via, 'rest');
    assert.deepEqual(jwtClaims(answered.body.accessToken)['cognito:groups'], ['crew']);

    hook.requests.length = 0;
    const signedIn = await t.call('POST', '/v1/auth/sign-in', { clientId, username: 'resty', password: PASSWORD });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(tokenCalls()[0]!.body.triggerSource, 'TokenGeneration_Authentication');

    hook.requests.length = 0;
    hook.answer(400, { errorMessage: 'refresh refused' });
    const refused = await t.call('POST', '/v1/auth/refresh', { clientId, refreshToken: signedIn.body.refreshToken });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'UserLambdaValidationException');
    assert.equal(refused.body.detail, 'PreTokenGeneration failed with error refresh refused.');
    assert.equal(tokenCalls()[0]!.body.triggerSource, 'TokenGeneration_RefreshTokens');
  });
});
