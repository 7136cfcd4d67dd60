import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../plugins/auth.plugin.ts';
import { Empty, problems, ref } from '../../schemas/common.ts';
import {
  ConfirmDeviceBody,
  ConfirmDeviceResult,
  DeviceList,
  DevicePageQuery,
  DeviceParams,
  DeviceResponse,
  UpdateDeviceStatusBody,
  presentDevice,
  presentDevicePage,
} from '../../schemas/devices.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';

/** The signed-in user's remembered devices (docs/devices.md). */
export async function userDevicesRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { devices } = app.services;
  const security = [{ accessToken: [] }];
  app.addHook('onRequest', app.requireUser);
  const owner = (request: Parameters<typeof callerOf>[0]) => {
    const caller = callerOf(request);
    return { pool: caller.pool, user: caller.user, session: caller.claims.origin_jti };
  };

  app.get(
    '/v1/me/devices',
    {
      schema: {
        operationId: 'ListDevices',
        tags: ['devices'],
        summary: 'The user’s confirmed devices, by key, at most 60 a page',
        security,
        querystring: DevicePageQuery,
        response: { 200: jsonResponse('A page of devices', ref(DeviceList)), ...problems(400, 401, 403) },
      },
    },
    async (request) => presentDevicePage(await devices.listDevices(owner(request), request.query)),
  );

  app.get(
    '/v1/me/devices/:deviceKey',
    {
      schema: {
        operationId: 'GetDevice',
        tags: ['devices'],
        summary: 'One of the user’s confirmed devices',
        security,
        params: DeviceParams,
        response: { 200: jsonResponse('The device', ref(DeviceResponse)), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => presentDevice(await devices.getDevice(owner(request), request.params.deviceKey)),
  );

  app.post(
    '/v1/me/devices/:deviceKey/confirm',
    {
      schema: {
        operationId: 'ConfirmDevice',
        tags: ['devices'],
        summary: 'Confirm a device key given at sign-in, with the device’s SRP verifier',
        security,
        params: DeviceParams,
        body: ref(ConfirmDeviceBody),
        response: {
          200: jsonResponse('The device is confirmed', ref(ConfirmDeviceResult)),
          ...problems(400, 401, 403, 404, 415),
        },
      },
    },
    async (request) =>
      devices.confirmDevice(owner(request), {
        deviceKey: request.params.deviceKey,
        passwordVerifier: request.body.deviceSecretVerifierConfig.passwordVerifier,
        salt: request.body.deviceSecretVerifierConfig.salt,
        ...(request.body.deviceName !== undefined && { deviceName: request.body.deviceName }),
      }),
  );

  app.patch(
    '/v1/me/devices/:deviceKey',
    {
      schema: {
        operationId: 'UpdateDeviceStatus',
        tags: ['devices'],
        summary: 'Remember the device (it may then stand in for MFA) or stop remembering it',
        security,
        params: DeviceParams,
        body: ref(UpdateDeviceStatusBody),
        response: { 200: jsonResponse('The status is set', ref(Empty)), ...problems(400, 401, 403, 404, 415) },
      },
    },
    async (request) => {
      await devices.updateDeviceStatus(owner(request), request.params.deviceKey, request.body.deviceRememberedStatus);
      return {};
    },
  );

  app.delete(
    '/v1/me/devices/:deviceKey',
    {
      schema: {
        operationId: 'ForgetDevice',
        tags: ['devices'],
        summary: 'Forget the device: its key proves nothing any more',
        security,
        params: DeviceParams,
        response: { 204: Type.Null({ description: 'Forgotten' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await devices.forgetDevice(owner(request), request.params.deviceKey);
      return reply.status(204).send(null);
    },
  );
}
