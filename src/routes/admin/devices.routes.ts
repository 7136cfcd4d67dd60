import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { UserParams } from '../../schemas/admin-users.ts';
import { Empty, problems, ref } from '../../schemas/common.ts';
import {
  AdminDeviceParams,
  DeviceList,
  DevicePageQuery,
  DeviceResponse,
  UpdateDeviceStatusBody,
  presentDevice,
  presentDevicePage,
} from '../../schemas/devices.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

const security = [{ adminKey: [] }];

/** Admin: a user's remembered devices (AdminListDevices and kin; docs/devices.md). */
export async function adminDevicesRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { devices } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/users/:username/devices',
    {
      schema: {
        operationId: 'AdminListDevices',
        tags: ['devices'],
        summary: 'The user’s confirmed devices, by key, at most 60 a page',
        security,
        params: UserParams,
        querystring: DevicePageQuery,
        response: { 200: jsonResponse('A page of devices', ref(DeviceList)), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const owner = await devices.adminOwner(request.params.poolId, request.params.username);
      return presentDevicePage(await devices.listDevices(owner, request.query));
    },
  );

  app.get(
    '/v1/pools/:poolId/users/:username/devices/:deviceKey',
    {
      schema: {
        operationId: 'AdminGetDevice',
        tags: ['devices'],
        summary: 'One of the user’s confirmed devices',
        security,
        params: AdminDeviceParams,
        response: { 200: jsonResponse('The device', ref(DeviceResponse)), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const { poolId, username, deviceKey } = request.params;
      return presentDevice(await devices.getDevice(await devices.adminOwner(poolId, username), deviceKey));
    },
  );

  app.patch(
    '/v1/pools/:poolId/users/:username/devices/:deviceKey',
    {
      schema: {
        operationId: 'AdminUpdateDeviceStatus',
        tags: ['devices'],
        summary: 'Remember the user’s device or stop remembering it',
        security,
        params: AdminDeviceParams,
        body: ref(UpdateDeviceStatusBody),
        response: { 200: jsonResponse('The status is set', ref(Empty)), ...problems(400, 401, 404, 415) },
      },
    },
    async (request) => {
      const { poolId, username, deviceKey } = request.params;
      const owner = await devices.adminOwner(poolId, username);
      await devices.updateDeviceStatus(owner, deviceKey, request.body.deviceRememberedStatus);
      return {};
    },
  );

  app.delete(
    '/v1/pools/:poolId/users/:username/devices/:deviceKey',
    {
      schema: {
        operationId: 'AdminForgetDevice',
        tags: ['devices'],
        summary: 'Forget the user’s device: its key proves nothing any more',
        security,
        params: AdminDeviceParams,
        response: { 204: Type.Null({ description: 'Forgotten' }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { poolId, username, deviceKey } = request.params;
      await devices.forgetDevice(await devices.adminOwner(poolId, username), deviceKey);
      return reply.status(204).send(null);
    },
  );
}
