import { Type } from 'typebox';
import type { DeviceView } from '../modules/devices/devices.types.ts';
import { StringEnum, ref } from './common.ts';

/** Remembered devices on the REST face (docs/devices.md): the pool's setting and the users' devices. */

export const DeviceConfiguration = Type.Object(
  {
    challengeRequiredOnNewDevice: Type.Boolean({
      description: 'A remembered device stands in for the second factor: only new devices are asked for MFA.',
    }),
    deviceOnlyRememberedOnUserPrompt: Type.Boolean({
      description: 'Confirmed devices are remembered only when the user says so (PATCH …/devices/{deviceKey}).',
    }),
  },
  {
    $id: 'DeviceConfiguration',
    additionalProperties: false,
    description:
      'Cognito’s DeviceConfiguration: set, the pool tracks devices (a device key with each sign-in not from a known device); null, it does not.',
  },
);

export const NewDeviceMetadata = Type.Object(
  {
    deviceKey: Type.String({ description: 'Confirm it at POST /v1/me/devices/{deviceKey}/confirm.' }),
    deviceGroupKey: Type.String({ description: 'Mixed into the device’s SRP verifier and proofs, with the key.' }),
  },
  {
    $id: 'NewDeviceMetadata',
    additionalProperties: false,
    description:
      'A new device key, given with the tokens of a sign-in not from a known device where the pool tracks devices.',
  },
);

const DeviceKey = Type.String({
  minLength: 1,
  maxLength: 55,
  pattern: '^[\\w-]+_[0-9a-f-]+$',
  description: 'Cognito’s device key, `<region>_<uuid>`.',
});

export const DeviceParams = Type.Object({ deviceKey: DeviceKey }, { additionalProperties: false });
export const AdminDeviceParams = Type.Object(
  {
    poolId: Type.String({ maxLength: 64 }),
    username: Type.String({ minLength: 1, maxLength: 128 }),
    deviceKey: DeviceKey,
  },
  { additionalProperties: false },
);

export const DevicePageQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 60, default: 60, description: 'Devices per page, at most 60 (Cognito’s).' }),
    ),
    paginationToken: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'From the previous page of the same listing.' }),
    ),
  },
  { additionalProperties: false },
);

export const DeviceResponse = Type.Object(
  {
    deviceKey: Type.String(),
    attributes: Type.Record(Type.String(), Type.String(), {
      description: 'device_name, device_status, dev:device_remembered_status, last_ip_used.',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    lastAuthenticatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When the device last proved itself at sign-in.',
    }),
  },
  { $id: 'Device', additionalProperties: false },
);

export const DeviceList = Type.Object(
  {
    devices: Type.Array(ref(DeviceResponse)),
    paginationToken: Type.Optional(
      Type.String({ description: 'Present while more may follow: pass it to get the next page.' }),
    ),
  },
  { $id: 'DevicePage', additionalProperties: false },
);

export const ConfirmDeviceBody = Type.Object(
  {
    deviceSecretVerifierConfig: Type.Object(
      {
        passwordVerifier: Type.String({
          minLength: 1,
          maxLength: 1024,
          description: 'The device’s SRP verifier: base64 of the number’s bytes, as Amplify makes it.',
        }),
        salt: Type.String({ minLength: 1, maxLength: 256, description: 'Its salt, base64.' }),
      },
      { additionalProperties: false },
    ),
    deviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { $id: 'ConfirmDeviceRequest', additionalProperties: false },
);

export const ConfirmDeviceResult = Type.Object(
  {
    userConfirmationNecessary: Type.Boolean({
      description: 'The pool remembers devices only when the user says so: ask, then PATCH the device.',
    }),
  },
  { $id: 'ConfirmDeviceResult', additionalProperties: false },
);

export const UpdateDeviceStatusBody = Type.Object(
  { deviceRememberedStatus: StringEnum(['remembered', 'not_remembered']) },
  { $id: 'UpdateDeviceStatusRequest', additionalProperties: false },
);

export function presentDevice(device: DeviceView) {
  return {
    deviceKey: device.deviceKey,
    attributes: device.attributes,
    createdAt: device.createdAt.toISOString(),
    updatedAt: device.updatedAt.toISOString(),
    lastAuthenticatedAt: device.lastAuthenticatedAt?.toISOString() ?? null,
  };
}

export const presentDevicePage = (page: { devices: DeviceView[]; paginationToken?: string }) => ({
  devices: page.devices.map(presentDevice),
  ...(page.paginationToken !== undefined && { paginationToken: page.paginationToken }),
});

// ---- The device's proof at sign-in (POST /v1/auth/respond-to-challenge) ---------------------------

const ClientId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\w+]+$' });
const Session = Type.String({ minLength: 1, maxLength: 2048 });
const ChallengeUsername = Type.String({ minLength: 1, maxLength: 128, description: 'The USERNAME of the challenge.' });
const Hex = (description: string) =>
  Type.String({ minLength: 1, maxLength: 1024, pattern: '^[0-9a-fA-F]+$', description });

export const DeviceSrpAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('DEVICE_SRP_AUTH'),
    session: Session,
    username: ChallengeUsername,
    deviceKey: DeviceKey,
    srpA: Hex('The device’s SRP A, hex.'),
  },
  {
    $id: 'DeviceSrpAnswer',
    additionalProperties: false,
    description:
      'DEVICE_SRP_AUTH: the remembered device starts its SRP proof (answered with DEVICE_PASSWORD_VERIFIER).',
  },
);

export const DevicePasswordVerifierAnswer = Type.Object(
  {
    clientId: ClientId,
    challengeName: Type.Literal('DEVICE_PASSWORD_VERIFIER'),
    session: Session,
    username: ChallengeUsername,
    deviceKey: DeviceKey,
    passwordClaimSecretBlock: Type.String({ minLength: 1, maxLength: 4096, description: 'The SECRET_BLOCK given.' }),
    timestamp: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'As Amplify writes it: `Thu Dec 3 09:05:03 UTC 2026`.',
    }),
    passwordClaimSignature: Type.String({ minLength: 1, maxLength: 256, description: 'The device’s proof, base64.' }),
    clientMetadata: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  {
    $id: 'DevicePasswordVerifierAnswer',
    additionalProperties: false,
    description: 'DEVICE_PASSWORD_VERIFIER: the remembered device’s proof, made with its DeviceGroupKey and DeviceKey.',
  },
);
