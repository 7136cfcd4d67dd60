import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { DeviceRememberedStatus } from '../../modules/devices/devices.types.ts';
import { pools } from './pools.ts';
import { users } from './user-store.ts';

/**
 * Remembered devices (docs/devices.md): one row per device key handed out as NewDeviceMetadata.
 * The device proves itself by SRP with its own verifier (ConfirmDevice), so the table holds no
 * secret a client could sign in with.
 */
export const devices = pgTable(
  'devices',
  {
    /** Cognito's DeviceKey: `<region>_<uuid>`. */
    deviceKey: text('device_key').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Cognito's DeviceGroupKey: the SRP identity's group, with the device key. */
    deviceGroupKey: text('device_group_key').notNull(),
    /** The device's SRP salt and verifier (hex), set by ConfirmDevice; null until confirmed. */
    srpSalt: text('srp_salt'),
    srpVerifier: text('srp_verifier'),
    /** Null until the user says (UpdateDeviceStatus, or ConfirmDevice where the pool remembers without asking). */
    rememberedStatus: text('remembered_status').$type<DeviceRememberedStatus>(),
    /** Cognito's device attributes: device_name, last_ip_used, … */
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastAuthenticatedAt: timestamp('last_authenticated_at', { withTimezone: true }),
  },
  (t) => [
    index('devices_user_idx').on(t.userId, t.createdAt),
    check('devices_srp_pair', sql`(${t.srpSalt} is null) = (${t.srpVerifier} is null)`),
    check(
      'devices_remembered_status_valid',
      sql`${t.rememberedStatus} is null or ${t.rememberedStatus} in ('remembered', 'not_remembered')`,
    ),
  ],
);
