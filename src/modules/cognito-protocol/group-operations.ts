/**
 * Cognito's group actions (IAM-authorised, SigV4-signed) over the groups service, in Cognito's
 * shapes, limits and errors (docs/groups.md).
 */
import type { Group } from '../groups/groups.types.ts';
import * as In from './operation-inputs.ts';
import { adminOperation, type Operation } from './operation.ts';
import { epochSeconds, toUserType } from './wire-shapes.ts';

/** Cognito's GroupType: members without a value are left out, dates in epoch seconds. */
export function toGroupType(group: Group) {
  return {
    GroupName: group.name,
    UserPoolId: group.poolId,
    ...(group.description !== null && { Description: group.description }),
    ...(group.roleArn !== null && { RoleArn: group.roleArn }),
    ...(group.precedence !== null && { Precedence: group.precedence }),
    LastModifiedDate: epochSeconds(group.updatedAt),
    CreationDate: epochSeconds(group.createdAt),
  };
}

const page = (input: { Limit?: number; NextToken?: string }) => ({
  ...(input.Limit !== undefined && { limit: input.Limit }),
  ...(input.NextToken !== undefined && { nextToken: input.NextToken }),
});

export const groupOperations: Record<string, Operation> = {
  CreateGroup: adminOperation(In.CreateGroup, async (input, { services }) => {
    const group = await services.groups.createGroup(input.UserPoolId, {
      name: input.GroupName,
      ...(input.Description !== undefined && { description: input.Description }),
      ...(input.Precedence !== undefined && { precedence: input.Precedence }),
      ...(input.RoleArn !== undefined && { roleArn: input.RoleArn }),
    });
    return { Group: toGroupType(group) };
  }),

  GetGroup: adminOperation(In.OneGroup, async (input, { services }) => ({
    Group: toGroupType(await services.groups.getGroup(input.UserPoolId, input.GroupName)),
  })),

  ListGroups: adminOperation(In.ListGroups, async (input, { services }) => {
    const result = await services.groups.listGroups(input.UserPoolId, page(input));
    return { Groups: result.groups.map(toGroupType), ...(result.nextToken && { NextToken: result.nextToken }) };
  }),

  /** Members left out keep their values (docs/groups.md, "UpdateGroup"). */
  UpdateGroup: adminOperation(In.CreateGroup, async (input, { services }) => {
    const group = await services.groups.updateGroup(input.UserPoolId, input.GroupName, {
      ...(input.Description !== undefined && { description: input.Description }),
      ...(input.Precedence !== undefined && { precedence: input.Precedence }),
      ...(input.RoleArn !== undefined && { roleArn: input.RoleArn }),
    });
    return { Group: toGroupType(group) };
  }),

  DeleteGroup: adminOperation(In.OneGroup, async (input, { services }) => {
    await services.groups.deleteGroup(input.UserPoolId, input.GroupName);
    return {};
  }),

  AdminAddUserToGroup: adminOperation(In.Membership, async (input, { services }) => {
    await services.groups.addUserToGroup(input.UserPoolId, input.Username, input.GroupName);
    return {};
  }),

  AdminRemoveUserFromGroup: adminOperation(In.Membership, async (input, { services }) => {
    await services.groups.removeUserFromGroup(input.UserPoolId, input.Username, input.GroupName);
    return {};
  }),

  AdminListGroupsForUser: adminOperation(In.GroupsForUser, async (input, { services }) => {
    const result = await services.groups.listGroupsForUser(input.UserPoolId, input.Username, page(input));
    return { Groups: result.groups.map(toGroupType), ...(result.nextToken && { NextToken: result.nextToken }) };
  }),

  ListUsersInGroup: adminOperation(In.UsersInGroup, async (input, { services }) => {
    const result = await services.groups.listUsersInGroup(input.UserPoolId, input.GroupName, page(input));
    return { Users: result.users.map(toUserType), ...(result.nextToken && { NextToken: result.nextToken }) };
  }),
};
