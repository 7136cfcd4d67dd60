/** Remembered devices' contract (docs/devices.md). */

/** Cognito's DeviceConfiguration; null on a pool that does not track devices. */
export interface DeviceConfiguration {
  /**
   * Cognito's ChallengeRequiredOnNewDevice, as its API reference defines it: a remembered device
   * (confirmed, and remembered) stands in for the second factor, so only new devices are asked
   * for MFA. False: devices are tracked and proven, and MFA is asked on every sign-in.
   */
  challengeRequiredOnNewDevice: boolean;
  /**
   * Only devices the user chose to remember (UpdateDeviceStatus remembered) skip MFA; false:
   * ConfirmDevice remembers the device at once.
   */
  deviceOnlyRememberedOnUserPrompt: boolean;
}

/** Cognito's DeviceRememberedStatus. */
export type DeviceRememberedStatus = 'remembered' | 'not_remembered';

/** What AuthenticationResult.NewDeviceMetadata carries to the client for a new device. */
export interface NewDeviceMetadata {
  deviceKey: string;
  deviceGroupKey: string;
}

/** A device as GetDevice and ListDevices show it (Cognito's DeviceType). */
export interface DeviceView {
  deviceKey: string;
  /** device_name, device_status, dev:device_remembered_status, last_ip_used, … */
  attributes: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  lastAuthenticatedAt: Date | null;
}
