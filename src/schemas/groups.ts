import { Type } from 'typebox';
import type { Group } from '../modules/groups/groups.types.ts';
import { UserResponse } from './admin-users.ts';
import { ref } from './common.ts';

// Cognito's limits (docs/groups.md).
const GroupNameSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+$',
  description: 'Unique in the pool, case-sensitive, never renamed: letters, marks, symbols, numbers, punctuation.',
});
const Description = Type.String({ maxLength: 2048 });
const Precedence = Type.Integer({
  minimum: 0,
  maximum: 2147483647,
  description: 'Lower wins for cognito:preferred_role; absent or null ranks after every number.',
});
const RoleArn = Type.String({
  minLength: 20,
  maxLength: 2048,
  pattern: '^arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?$',
  description: 'An IAM role ARN, carried into cognito:roles and cognito:preferred_role.',
});
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const GroupParams = Type.Object(
  { poolId: Type.String({ maxLength: 64 }), groupName: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export const MembershipParams = Type.Object(
  {
    poolId: Type.String({ maxLength: 64 }),
    username: Type.String({ minLength: 1, maxLength: 128 }),
    groupName: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const CreateGroupBody = Type.Object(
  {
    groupName: GroupNameSchema,
    description: Type.Optional(Description),
    precedence: Type.Optional(Precedence),
    roleArn: Type.Optional(RoleArn),
  },
  { $id: 'CreateGroupBody', additionalProperties: false },
);

export const UpdateGroupBody = Type.Object(
  {
    description: Type.Optional(Nullable(Description)),
    precedence: Type.Optional(Nullable(Precedence)),
    roleArn: Type.Optional(Nullable(RoleArn)),
  },
  {
    $id: 'UpdateGroupBody',
    additionalProperties: false,
    description: 'A member left out keeps its value; null clears it.',
  },
);

export const GroupResponse = Type.Object(
  {
    groupName: Type.String(),
    poolId: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    precedence: Type.Union([Type.Integer(), Type.Null()]),
    roleArn: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Group', additionalProperties: false },
);

export const GroupPageQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 60, default: 60, description: 'Items per page, at most 60 (Cognito’s).' }),
    ),
    nextToken: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2048, description: 'From the previous page of the same listing.' }),
    ),
  },
  { additionalProperties: false },
);

const nextToken = Type.Optional(
  Type.String({ description: 'Present while more may follow: pass it to get the next page.' }),
);

export const GroupList = Type.Object(
  { groups: Type.Array(ref(GroupResponse)), nextToken },
  { $id: 'GroupPage', additionalProperties: false },
);

export const GroupMembers = Type.Object(
  { users: Type.Array(ref(UserResponse)), nextToken },
  { $id: 'GroupMemberPage', additionalProperties: false },
);

export const presentGroup = (group: Group) => ({
  groupName: group.name,
  poolId: group.poolId,
  description: group.description,
  precedence: group.precedence,
  roleArn: group.roleArn,
  createdAt: group.createdAt.toISOString(),
  updatedAt: group.updatedAt.toISOString(),
});
