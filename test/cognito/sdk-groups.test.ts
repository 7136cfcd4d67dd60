/**
 * Cognito's group actions through the real AWS SDK: CreateGroup, GetGroup, ListGroups, UpdateGroup,
 * DeleteGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
 * ListUsersInGroup, their errors and pages, and the groups in tokens (docs/groups.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AWS_KEY, sdkError, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { uniqueEmail } from '../support/user-flows.ts';
import { expectError, jwtClaims, poolWithClient, signedInUser } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;
before(async () => {
  t = await startCognitoApp();
  ({ poolId, clientId } = await poolWithClient(t, { AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'] }));
});
after(() => t.close());

const ROLE = 'arn:aws:iam::123456789012:role/Admins';
const ROLE2 = 'arn:aws:iam::123456789012:role/Readers';
let counter = 0;
const fresh = (prefix: string) => `${prefix}-${++counter}`;

describe('group actions', () => {
  test('CreateGroup, GetGroup, UpdateGroup, DeleteGroup in Cognito’s shapes', async () => {
    const name = fresh('admins');
    const before = Math.floor(Date.now() / 1000) - 1;
    const created = await t.sdk.send(
      new CreateGroupCommand({ UserPoolId: poolId, GroupName: name, Description: 'd', Precedence: 0, RoleArn: ROLE }),
    );
    const group = created.Group!;
    assert.equal(group.GroupName, name);
    assert.equal(group.UserPoolId, poolId);
    assert.equal(group.Description, 'd');
    assert.equal(group.Precedence, 0);
    assert.equal(group.RoleArn, ROLE);
    // The SDK turns epoch seconds into Dates.
    assert.ok(group.CreationDate instanceof Date);
    assert.ok(group.CreationDate.getTime() / 1000 >= before);
    assert.ok(group.LastModifiedDate instanceof Date);

    const got = await t.sdk.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: name }));
    assert.deepEqual(got.Group, group);

    // Members left out keep their values.
    const updated = await t.sdk.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: name, Precedence: 7 }));
    assert.equal(updated.Group!.Precedence, 7);
    assert.equal(updated.Group!.Description, 'd');
    assert.equal(updated.Group!.RoleArn, ROLE);

    const bare = await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: fresh('bare') }));
    assert.equal(bare.Group!.Description, undefined);
    assert.equal(bare.Group!.Precedence, undefined);
    assert.equal(bare.Group!.RoleArn, undefined);

    await t.sdk.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: name }));
    await expectError(
      t.sdk.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: name })),
      'ResourceNotFoundException',
      'Group not found.',
    );
    await expectError(
      t.sdk.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: name })),
      'ResourceNotFoundException',
    );
    await expectError(
      t.sdk.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: name, Description: 'x' })),
      'ResourceNotFoundException',
    );
  });

  test('errors: taken name, bad name, precedence, role ARN, unknown member, unknown pool, unsigned', async () => {
    const name = fresh('taken');
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: name }));
    await expectError(
      t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: name })),
      'GroupExistsException',
      new RegExp(name),
    );
    await expectError(
      t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'with space' })),
      'InvalidParameterException',
      /groupName/,
    );
    await expectError(
      t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'x'.repeat(129) })),
      'InvalidParameterException',
      /length less than or equal to 128/,
    );
    await expectError(
      t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: fresh('p'), Precedence: -1 })),
      'InvalidParameterException',
      /precedence/,
    );
    await expectError(
      t.sdk.send(
        new CreateGroupCommand({ UserPoolId: poolId, GroupName: fresh('r'), RoleArn: 'role/Admins-not-an-arn' }),
      ),
      'InvalidParameterException',
      /roleArn/,
    );
    await expectError(
      t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: fresh('d'), Description: 'd'.repeat(2049) })),
      'InvalidParameterException',
      /description/,
    );
    // An unsigned call is refused before anything is read.
    const odd = await fetch(t.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.GetGroup',
      },
      body: JSON.stringify({ UserPoolId: poolId, GroupName: name }),
    });
    assert.equal(odd.status, 400);
    await expectError(
      t.sdk.send(new CreateGroupCommand({ UserPoolId: 'us-east-1_Unknown', GroupName: fresh('u') })),
      'ResourceNotFoundException',
    );
    const stranger = t.sdkWith({ accessKeyId: 'AKIAOTHER00000000000', secretAccessKey: AWS_KEY.secretAccessKey });
    const error = await sdkError(stranger.send(new ListGroupsCommand({ UserPoolId: poolId })));
    assert.equal(error.name, 'UnrecognizedClientException');
  });

  test('ListGroups pages with Limit and NextToken; a bad token is refused', async () => {
    const { poolId: own } = await poolWithClient(t);
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const GroupName of names) await t.sdk.send(new CreateGroupCommand({ UserPoolId: own, GroupName }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await t.sdk.send(
        new ListGroupsCommand({ UserPoolId: own, Limit: 2, ...(NextToken && { NextToken }) }),
      );
      assert.ok(page.Groups!.length <= 2);
      seen.push(...page.Groups!.map((g) => g.GroupName!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(seen, names);
    // Limit 0: Cognito's default page.
    assert.equal((await t.sdk.send(new ListGroupsCommand({ UserPoolId: own, Limit: 0 }))).Groups!.length, 5);
    await expectError(
      t.sdk.send(new ListGroupsCommand({ UserPoolId: own, NextToken: 'bm9wZQ' })),
      'InvalidParameterException',
      'Invalid NextToken.',
    );
    await expectError(t.sdk.send(new ListGroupsCommand({ UserPoolId: own, Limit: 61 })), 'InvalidParameterException');
  });

  test('security review: another pool’s tokens, users, aliases and groups reach nothing; odd names', async () => {
    const a = await poolWithClient(t, { AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'] });
    const b = await poolWithClient(t, { AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'] });
    for (const GroupName of ['x1', 'x2', 'x3'])
      await t.sdk.send(new CreateGroupCommand({ UserPoolId: a.poolId, GroupName }));
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: b.poolId, GroupName: 'x9' }));
    const email = uniqueEmail('cross');
    await signedInUser(t, a.clientId, 'cross-user', { email });
    await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: a.poolId, Username: 'cross-user', GroupName: 'x1' }));
    // A page token of pool A's listing, used on pool B: B's groups after the key, never A's.
    const page = await t.sdk.send(new ListGroupsCommand({ UserPoolId: a.poolId, Limit: 1 }));
    const onB = await t.sdk.send(new ListGroupsCommand({ UserPoolId: b.poolId, NextToken: page.NextToken }));
    assert.deepEqual(
      onB.Groups!.map((g) => g.GroupName),
      ['x9'],
    );
    // A group-listing token is no member-listing token, and a forged member key is refused.
    await expectError(
      t.sdk.send(new ListUsersInGroupCommand({ UserPoolId: a.poolId, GroupName: 'x1', NextToken: page.NextToken })),
      'InvalidParameterException',
    );
    const forged = Buffer.from(JSON.stringify({ u: "' or 1=1 --" })).toString('base64url');
    await expectError(
      t.sdk.send(new ListUsersInGroupCommand({ UserPoolId: a.poolId, GroupName: 'x1', NextToken: forged })),
      'InvalidParameterException',
    );
    // Pool A's user, by username or alias, is unknown in pool B; pool A's group unknown there.
    for (const Username of ['cross-user', email]) {
      await expectError(
        t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: b.poolId, Username, GroupName: 'x9' })),
        'UserNotFoundException',
      );
      await expectError(
        t.sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: b.poolId, Username })),
        'UserNotFoundException',
      );
    }
    await expectError(
      t.sdk.send(new ListUsersInGroupCommand({ UserPoolId: b.poolId, GroupName: 'x1' })),
      'ResourceNotFoundException',
    );
    // Names: NUL, spaces and controls refused; case and Unicode forms are distinct names, as in Cognito.
    for (const GroupName of ['a\u0000b', 'a b', 'tab\t', '']) {
      await expectError(
        t.sdk.send(new CreateGroupCommand({ UserPoolId: b.poolId, GroupName })),
        'InvalidParameterException',
      );
    }
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: b.poolId, GroupName: 'X9' }));
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: b.poolId, GroupName: 'caf\u00e9' }));
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: b.poolId, GroupName: 'cafe\u0301' }));
    const names = (await t.sdk.send(new ListGroupsCommand({ UserPoolId: b.poolId }))).Groups!.map((g) => g.GroupName);
    assert.equal(names.length, 4);
  });

  test('memberships: add, list both ways with pages, remove; errors', async () => {
    const g1 = fresh('m-admins');
    const g2 = fresh('m-readers');
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: g1, Precedence: 1, RoleArn: ROLE }));
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: g2, Precedence: 2, RoleArn: ROLE2 }));
    const username = fresh('member');
    const email = uniqueEmail(username);
    const tokens = await signedInUser(t, clientId, username, { email });
    assert.equal(jwtClaims(tokens.idToken)['cognito:groups'], undefined);

    await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: g1 }));
    // By the verified email alias, as Cognito's admin actions accept.
    await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: email, GroupName: g2 }));
    await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: g2 }));

    const first = await t.sdk.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: username, Limit: 1 }),
    );
    assert.deepEqual(
      first.Groups!.map((g) => g.GroupName),
      [g1],
    );
    assert.ok(first.NextToken);
    const second = await t.sdk.send(
      new AdminListGroupsForUserCommand({
        UserPoolId: poolId,
        Username: username,
        Limit: 1,
        NextToken: first.NextToken,
      }),
    );
    assert.deepEqual(
      second.Groups!.map((g) => [g.GroupName, g.RoleArn, g.Precedence]),
      [[g2, ROLE2, 2]],
    );
    assert.equal(second.NextToken, undefined);

    const members = await t.sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: g1 }));
    assert.equal(members.Users!.length, 1);
    assert.equal(members.Users![0]!.Username, username);
    assert.equal(members.Users![0]!.UserStatus, 'CONFIRMED');
    assert.equal(members.Users![0]!.Attributes!.find((a) => a.Name === 'email')!.Value, email);

    // The next tokens carry the groups: refresh.
    const refreshed = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
      }),
    );
    const id = jwtClaims(refreshed.AuthenticationResult!.IdToken!);
    assert.deepEqual(id['cognito:groups'], [g1, g2]);
    assert.deepEqual(id['cognito:roles'], [ROLE, ROLE2]);
    assert.equal(id['cognito:preferred_role'], ROLE);
    assert.deepEqual(jwtClaims(refreshed.AuthenticationResult!.AccessToken!)['cognito:groups'], [g1, g2]);

    await t.sdk.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: username, GroupName: g1 }));
    const left = await t.sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: username }));
    assert.deepEqual(
      left.Groups!.map((g) => g.GroupName),
      [g2],
    );

    await expectError(
      t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'nobody-here', GroupName: g1 })),
      'UserNotFoundException',
      'User does not exist.',
    );
    await expectError(
      t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: 'no-such' })),
      'ResourceNotFoundException',
      'Group not found.',
    );
    await expectError(
      t.sdk.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'nobody-here', GroupName: g1 })),
      'UserNotFoundException',
    );
    await expectError(
      t.sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'nobody-here' })),
      'UserNotFoundException',
    );
    await expectError(
      t.sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'no-such' })),
      'ResourceNotFoundException',
    );
  });

  test('ListUsersInGroup pages; deleting the user or the group removes the memberships', async () => {
    const group = fresh('crowd');
    await t.sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
    const names = [fresh('c'), fresh('c'), fresh('c')];
    for (const Username of names) {
      await t.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }));
      await t.sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName: group }));
    }
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await t.sdk.send(
        new ListUsersInGroupCommand({
          UserPoolId: poolId,
          GroupName: group,
          Limit: 2,
          ...(NextToken && { NextToken }),
        }),
      );
      seen.push(...page.Users!.map((u) => u.Username!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(seen.sort(), [...names].sort());

    await t.sdk.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: names[0]! }));
    const after = await t.sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: group }));
    assert.deepEqual(after.Users!.map((u) => u.Username).sort(), names.slice(1).sort());

    await t.sdk.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: group }));
    const none = await t.sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: names[1]! }));
    assert.deepEqual(none.Groups, []);
  });
});
