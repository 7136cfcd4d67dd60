/** Remembered devices' contract (docs/devices.md). */

/** Cognito's DeviceConfiguration; null on a pool that does not track devices. */
export interface DeviceConfiguration {
  /** A new (not yet remembered) device must pass MFA even where the user has it optional. */
  challengeRequiredOnNewDevice: boolean;
  /** Only devices the user chose to remember (UpdateDeviceStatus remembered) skip MFA. */
  deviceOnlyRememberedOnUserPrompt: boolean;
}

/** Cognito's DeviceRememberedStatus. */
export type DeviceRememberedStatus = 'remembered' | 'not_remembered';

/** What AuthenticationResult.NewDeviceMetadata carries to the client for a new device. */
export interface NewDeviceMetadata {
  deviceKey: string;
  deviceGroupKey: string;
}
