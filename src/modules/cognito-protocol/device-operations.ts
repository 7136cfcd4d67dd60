/**
 * Cognito's remembered-device actions (docs/devices.md): the user's (authorised by an access
 * token) and the administrator's (SigV4-signed), over the devices service, in Cognito's shapes.
 */
import { Type, type Static } from 'typebox';
import { invalidParameter } from '../../errors/cognito-error.ts';
import type { DeviceConfiguration, DeviceView } from '../devices/devices.types.ts';
import {
  AccessToken,
  DeviceConfiguration as DeviceConfigurationInput,
  UserPoolId,
  Username,
} from './operation-inputs.ts';
import * as In from './operation-inputs.ts';
import { adminOperation, userOperation, type Operation, type OperationContext } from './operation.ts';
import { epochSeconds, toAttributeList, toAuthenticationResult } from './wire-shapes.ts';

const object = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const DeviceKey = Type.String({ minLength: 1, maxLength: 55, pattern: '^[\\w-]+_[0-9a-f-]+$' });
const DeviceRememberedStatus = Type.Enum(['remembered', 'not_remembered']);
const Limit = Type.Optional(Type.Integer({ minimum: 0, maximum: 60 }));
const PaginationToken = Type.Optional(Type.String({ minLength: 1, maxLength: 131072, pattern: '^[\\S]+$' }));

const ConfirmDevice = object({
  AccessToken,
  DeviceKey,
  DeviceSecretVerifierConfig: Type.Optional(
    Type.Object(
      {
        PasswordVerifier: Type.Optional(Type.String({ maxLength: 131072 })),
        Salt: Type.Optional(Type.String({ maxLength: 131072 })),
      },
      { additionalProperties: false },
    ),
  ),
  DeviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});
const UserDevice = object({ AccessToken, DeviceKey });
const ForgetDevice = object({ AccessToken: Type.Optional(AccessToken), DeviceKey });
const ListDevices = object({ AccessToken, Limit, PaginationToken });
const UpdateDeviceStatus = object({
  AccessToken,
  DeviceKey,
  DeviceRememberedStatus: Type.Optional(DeviceRememberedStatus),
});
const AdminDevice = object({ UserPoolId, Username, DeviceKey });
const AdminListDevices = object({ UserPoolId, Username, Limit, PaginationToken });
const AdminUpdateDeviceStatus = object({
  UserPoolId,
  Username,
  DeviceKey,
  DeviceRememberedStatus: Type.Optional(DeviceRememberedStatus),
});

/** CreateUserPool's (and UpdateUserPool's) DeviceConfiguration: a member given turns tracking on. */
export function fromDeviceConfiguration(
  input: NonNullable<Static<typeof DeviceConfigurationInput>>,
): DeviceConfiguration | null {
  if (input.ChallengeRequiredOnNewDevice === undefined && input.DeviceOnlyRememberedOnUserPrompt === undefined)
    return null;
  return {
    challengeRequiredOnNewDevice: input.ChallengeRequiredOnNewDevice ?? false,
    deviceOnlyRememberedOnUserPrompt: input.DeviceOnlyRememberedOnUserPrompt ?? false,
  };
}

/** Cognito's DeviceType. */
export function toDeviceType(device: DeviceView) {
  return {
    DeviceKey: device.deviceKey,
    DeviceAttributes: toAttributeList(device.attributes),
    DeviceCreateDate: epochSeconds(device.createdAt),
    DeviceLastModifiedDate: epochSeconds(device.updatedAt),
    ...(device.lastAuthenticatedAt && { DeviceLastAuthenticatedDate: epochSeconds(device.lastAuthenticatedAt) }),
  };
}

const owner = async (context: OperationContext, accessToken: string) => {
  const caller = await context.services.sessions.authenticate(accessToken);
  return { pool: caller.pool, user: caller.user, session: caller.claims.origin_jti };
};

const status = (value: string | undefined) => {
  if (value === undefined) throw invalidParameter('Missing required parameter DeviceRememberedStatus');
  return value as 'remembered' | 'not_remembered';
};

const listed = (result: { devices: DeviceView[]; paginationToken?: string }) => ({
  Devices: result.devices.map(toDeviceType),
  ...(result.paginationToken !== undefined && { PaginationToken: result.paginationToken }),
});

/** A ChallengeResponses entry the device challenge cannot do without. */
function required(map: Record<string, string> | undefined, name: string): string {
  const value = map?.[name];
  if (value === undefined || value === '') throw invalidParameter(`Missing required parameter ${name}`);
  if (value.length > 16384) throw invalidParameter(`${name} is too long.`);
  return value;
}

/**
 * RespondToAuthChallenge DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER (docs/devices.md): the
 * device's SRP exchange, in the sessions the devices step handed out.
 */
export async function respondToDeviceChallenge(
  input: Static<typeof In.RespondToAuthChallenge>,
  { services, source }: OperationContext,
) {
  if (!input.Session) throw invalidParameter('Missing required parameter Session');
  const answers = input.ChallengeResponses;
  if (input.ChallengeName === 'DEVICE_SRP_AUTH') {
    const challenge = await services.devices.answerDeviceSrpAuth({
      clientId: input.ClientId,
      session: input.Session,
      username: required(answers, 'USERNAME'),
      deviceKey: required(answers, 'DEVICE_KEY'),
      srpA: required(answers, 'SRP_A'),
    });
    return {
      ChallengeName: challenge.challengeName,
      Session: challenge.session,
      ChallengeParameters: challenge.challengeParameters,
    };
  }
  const result = await services.devices.answerDevicePasswordVerifier({
    clientId: input.ClientId,
    session: input.Session,
    username: required(answers, 'USERNAME'),
    deviceKey: required(answers, 'DEVICE_KEY'),
    secretBlock: required(answers, 'PASSWORD_CLAIM_SECRET_BLOCK'),
    timestamp: required(answers, 'TIMESTAMP'),
    signature: required(answers, 'PASSWORD_CLAIM_SIGNATURE'),
    source,
    ...(input.ClientMetadata && { clientMetadata: input.ClientMetadata }),
  });
  if ('accessToken' in result) return { ChallengeParameters: {}, AuthenticationResult: toAuthenticationResult(result) };
  // The second factor follows where this device does not stand in for it (docs/mfa.md).
  return {
    ChallengeName: result.challengeName,
    ...(result.session !== undefined && { Session: result.session }),
    ChallengeParameters: result.challengeParameters,
    ...(result.availableChallenges && { AvailableChallenges: result.availableChallenges }),
  };
}

export const deviceOperations: Record<string, Operation> = {
  ConfirmDevice: userOperation(ConfirmDevice, async (input, context) => {
    const result = await context.services.devices.confirmDevice(await owner(context, input.AccessToken), {
      deviceKey: input.DeviceKey,
      ...(input.DeviceSecretVerifierConfig?.PasswordVerifier !== undefined && {
        passwordVerifier: input.DeviceSecretVerifierConfig.PasswordVerifier,
      }),
      ...(input.DeviceSecretVerifierConfig?.Salt !== undefined && { salt: input.DeviceSecretVerifierConfig.Salt }),
      ...(input.DeviceName !== undefined && { deviceName: input.DeviceName }),
    });
    return { UserConfirmationNecessary: result.userConfirmationNecessary };
  }),

  GetDevice: userOperation(UserDevice, async (input, context) => ({
    Device: toDeviceType(
      await context.services.devices.getDevice(await owner(context, input.AccessToken), input.DeviceKey),
    ),
  })),

  ListDevices: userOperation(ListDevices, async (input, context) =>
    listed(
      await context.services.devices.listDevices(await owner(context, input.AccessToken), {
        ...(input.Limit !== undefined && { limit: input.Limit }),
        ...(input.PaginationToken !== undefined && { paginationToken: input.PaginationToken }),
      }),
    ),
  ),

  UpdateDeviceStatus: userOperation(UpdateDeviceStatus, async (input, context) => {
    await context.services.devices.updateDeviceStatus(
      await owner(context, input.AccessToken),
      input.DeviceKey,
      status(input.DeviceRememberedStatus),
    );
    return {};
  }),

  ForgetDevice: userOperation(ForgetDevice, async (input, context) => {
    if (input.AccessToken === undefined) throw invalidParameter('Missing required parameter AccessToken');
    await context.services.devices.forgetDevice(await owner(context, input.AccessToken), input.DeviceKey);
    return {};
  }),

  AdminGetDevice: adminOperation(AdminDevice, async (input, { services }) => ({
    Device: toDeviceType(
      await services.devices.getDevice(
        await services.devices.adminOwner(input.UserPoolId, input.Username),
        input.DeviceKey,
      ),
    ),
  })),

  AdminListDevices: adminOperation(AdminListDevices, async (input, { services }) =>
    listed(
      await services.devices.listDevices(await services.devices.adminOwner(input.UserPoolId, input.Username), {
        ...(input.Limit !== undefined && { limit: input.Limit }),
        ...(input.PaginationToken !== undefined && { paginationToken: input.PaginationToken }),
      }),
    ),
  ),

  AdminUpdateDeviceStatus: adminOperation(AdminUpdateDeviceStatus, async (input, { services }) => {
    await services.devices.updateDeviceStatus(
      await services.devices.adminOwner(input.UserPoolId, input.Username),
      input.DeviceKey,
      status(input.DeviceRememberedStatus),
    );
    return {};
  }),

  AdminForgetDevice: adminOperation(AdminDevice, async (input, { services }) => {
    await services.devices.forgetDevice(
      await services.devices.adminOwner(input.UserPoolId, input.Username),
      input.DeviceKey,
    );
    return {};
  }),
};
