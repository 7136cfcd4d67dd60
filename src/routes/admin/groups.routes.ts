import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { UserParams } from '../../schemas/admin-users.ts';
import { problems, ref } from '../../schemas/common.ts';
import {
  CreateGroupBody,
  GroupList,
  GroupMembers,
  GroupPageQuery,
  GroupParams,
  GroupResponse,
  MembershipParams,
  UpdateGroupBody,
  presentGroup,
} from '../../schemas/groups.ts';
import { PoolParams } from '../../schemas/pools.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];
const NoContent = Type.Null({ description: 'Done' });

const page = (query: { limit?: number; nextToken?: string }) => ({
  ...(query.limit !== undefined && { limit: query.limit }),
  ...(query.nextToken !== undefined && { nextToken: query.nextToken }),
});

/** Admin: groups of a pool and their members (CreateGroup, AdminAddUserToGroup and kin; docs/groups.md). */
export async function groupsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { groups } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    '/v1/pools/:poolId/groups',
    {
      schema: {
        operationId: 'CreateGroup',
        tags: ['groups'],
        summary: 'Create a group with a description, a precedence and an IAM role ARN',
        security,
        params: PoolParams,
        body: ref(CreateGroupBody),
        response: { 201: jsonResponse('The group created', ref(GroupResponse)), ...problems(400, 401, 404, 409, 415) },
      },
    },
    async (request, reply) => {
      const { groupName, ...settings } = request.body;
      const group = await groups.createGroup(request.params.poolId, { name: groupName, ...settings });
      return reply.status(201).send(presentGroup(group));
    },
  );

  app.get(
    '/v1/pools/:poolId/groups',
    {
      schema: {
        operationId: 'ListGroups',
        tags: ['groups'],
        summary: 'The pool’s groups by name, at most 60 a page',
        security,
        params: PoolParams,
        querystring: GroupPageQuery,
        response: { 200: jsonResponse('One page of groups', ref(GroupList)), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const result = await groups.listGroups(request.params.poolId, page(request.query));
      return { groups: result.groups.map(presentGroup), ...(result.nextToken && { nextToken: result.nextToken }) };
    },
  );

  app.get(
    '/v1/pools/:poolId/groups/:groupName',
    {
      schema: {
        operationId: 'GetGroup',
        tags: ['groups'],
        summary: 'One group',
        security,
        params: GroupParams,
        response: { 200: jsonResponse('The group', ref(GroupResponse)), ...problems(400, 401, 404) },
      },
    },
    async (request) => presentGroup(await groups.getGroup(request.params.poolId, request.params.groupName)),
  );

  app.patch(
    '/v1/pools/:poolId/groups/:groupName',
    {
      schema: {
        operationId: 'UpdateGroup',
        tags: ['groups'],
        summary: 'Change a group’s description, precedence or role: a member left out keeps its value, null clears it',
        security,
        params: GroupParams,
        body: ref(UpdateGroupBody),
        response: { 200: jsonResponse('The group as updated', ref(GroupResponse)), ...problems(400, 401, 404, 415) },
      },
    },
    async (request) =>
      presentGroup(await groups.updateGroup(request.params.poolId, request.params.groupName, request.body)),
  );

  app.delete(
    '/v1/pools/:poolId/groups/:groupName',
    {
      schema: {
        operationId: 'DeleteGroup',
        tags: ['groups'],
        summary: 'Delete a group; its members leave it (recorded on each one’s audit trail)',
        security,
        params: GroupParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await groups.deleteGroup(request.params.poolId, request.params.groupName);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/pools/:poolId/groups/:groupName/users',
    {
      schema: {
        operationId: 'ListUsersInGroup',
        tags: ['groups'],
        summary: 'The group’s members, at most 60 a page',
        security,
        params: GroupParams,
        querystring: GroupPageQuery,
        response: { 200: jsonResponse('One page of members', ref(GroupMembers)), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const result = await groups.listUsersInGroup(
        request.params.poolId,
        request.params.groupName,
        page(request.query),
      );
      return { users: result.users, ...(result.nextToken && { nextToken: result.nextToken }) };
    },
  );

  app.get(
    '/v1/pools/:poolId/users/:username/groups',
    {
      schema: {
        operationId: 'AdminListGroupsForUser',
        tags: ['groups'],
        summary: 'The groups a user is in, by name, at most 60 a page',
        security,
        params: UserParams,
        querystring: GroupPageQuery,
        response: { 200: jsonResponse('One page of the user’s groups', ref(GroupList)), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const result = await groups.listGroupsForUser(
        request.params.poolId,
        request.params.username,
        page(request.query),
      );
      return { groups: result.groups.map(presentGroup), ...(result.nextToken && { nextToken: result.nextToken }) };
    },
  );

  app.put(
    '/v1/pools/:poolId/users/:username/groups/:groupName',
    {
      schema: {
        operationId: 'AdminAddUserToGroup',
        tags: ['groups'],
        summary: 'Add the user to the group (already a member: nothing changes); it shows in the next tokens',
        security,
        params: MembershipParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { poolId, username, groupName } = request.params;
      await groups.addUserToGroup(poolId, username, groupName);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/v1/pools/:poolId/users/:username/groups/:groupName',
    {
      schema: {
        operationId: 'AdminRemoveUserFromGroup',
        tags: ['groups'],
        summary: 'Remove the user from the group (not a member: nothing changes); it shows in the next tokens',
        security,
        params: MembershipParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { poolId, username, groupName } = request.params;
      await groups.removeUserFromGroup(poolId, username, groupName);
      return reply.status(204).send(null);
    },
  );
}
