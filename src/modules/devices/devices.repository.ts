import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { devices } from '../../db/schema/devices.ts';
import type { DeviceRememberedStatus } from './devices.types.ts';

/** The devices table (docs/devices.md): one row per device key handed out as NewDeviceMetadata. */

export type DeviceRow = typeof devices.$inferSelect;

export async function insertDevice(
  q: Queryable,
  row: Pick<DeviceRow, 'deviceKey' | 'poolId' | 'userId' | 'deviceGroupKey' | 'attributes'>,
): Promise<void> {
  await q.insert(devices).values(row);
}

/** The user's device of that key; another user's device is no device at all. */
export async function findUserDevice(q: Queryable, userId: string, deviceKey: string): Promise<DeviceRow | undefined> {
  const [row] = await q
    .select()
    .from(devices)
    .where(and(eq(devices.userId, userId), eq(devices.deviceKey, deviceKey)));
  return row;
}

/** The user's devices by key, after `afterKey` (a page's last key), at most `limit`. */
export async function listUserDevices(
  q: Queryable,
  userId: string,
  page: { limit: number; afterKey?: string },
): Promise<DeviceRow[]> {
  return q
    .select()
    .from(devices)
    .where(
      and(eq(devices.userId, userId), page.afterKey === undefined ? undefined : gt(devices.deviceKey, page.afterKey)),
    )
    .orderBy(asc(devices.deviceKey))
    .limit(page.limit);
}

/**
 * ConfirmDevice: the device's SRP salt and verifier, its name and status. Only a device not yet
 * confirmed: a confirmed device's verifier is never replaced (docs/devices.md).
 */
export async function confirmUserDevice(
  q: Queryable,
  userId: string,
  deviceKey: string,
  patch: { srpSalt: string; srpVerifier: string; rememberedStatus: DeviceRememberedStatus | null; deviceName?: string },
): Promise<DeviceRow | undefined> {
  const [row] = await q
    .update(devices)
    .set({
      srpSalt: patch.srpSalt,
      srpVerifier: patch.srpVerifier,
      rememberedStatus: patch.rememberedStatus,
      ...(patch.deviceName !== undefined && {
        attributes: sql`${devices.attributes} || jsonb_build_object('device_name', ${patch.deviceName}::text)`,
      }),
      updatedAt: sql`now()`,
    })
    .where(and(eq(devices.userId, userId), eq(devices.deviceKey, deviceKey), sql`${devices.srpVerifier} is null`))
    .returning();
  return row;
}

export async function setRememberedStatus(
  q: Queryable,
  userId: string,
  deviceKey: string,
  status: DeviceRememberedStatus,
): Promise<DeviceRow | undefined> {
  const [row] = await q
    .update(devices)
    .set({ rememberedStatus: status, updatedAt: sql`now()` })
    .where(and(eq(devices.userId, userId), eq(devices.deviceKey, deviceKey)))
    .returning();
  return row;
}

/** A device proved itself at sign-in: when, and from where. */
export async function markAuthenticated(q: Queryable, deviceKey: string, sourceIp: string | undefined): Promise<void> {
  await q
    .update(devices)
    .set({
      lastAuthenticatedAt: sql`now()`,
      ...(sourceIp !== undefined && {
        attributes: sql`${devices.attributes} || jsonb_build_object('last_ip_used', ${sourceIp}::text)`,
      }),
    })
    .where(eq(devices.deviceKey, deviceKey));
}

export async function deleteUserDevice(q: Queryable, userId: string, deviceKey: string): Promise<boolean> {
  const rows = await q
    .delete(devices)
    .where(and(eq(devices.userId, userId), eq(devices.deviceKey, deviceKey)))
    .returning({ deviceKey: devices.deviceKey });
  return rows.length > 0;
}
