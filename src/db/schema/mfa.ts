import { sql } from 'drizzle-orm';
import { bigint, boolean, check, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { MfaFactor } from '../../modules/mfa/mfa.types.ts';
import { users } from './user-store.ts';

/**
 * A user's second factors (docs/mfa.md): one row once the user has any MFA setting or a TOTP
 * secret; no row is "no factor". TOTP secrets are sealed with a key derived from the server
 * secret (src/lib/sealed-box.ts), the user id as associated data.
 */
export const userMfa = pgTable(
  'user_mfa',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    smsEnabled: boolean('sms_enabled').notNull().default(false),
    softwareTokenEnabled: boolean('software_token_enabled').notNull().default(false),
    emailEnabled: boolean('email_enabled').notNull().default(false),
    preferred: text('preferred').$type<MfaFactor>(),
    /** The verified TOTP secret (VerifySoftwareToken), sealed. */
    totpSecret: text('totp_secret'),
    /** A secret AssociateSoftwareToken gave out and no VerifySoftwareToken has proven yet, sealed. */
    totpPendingSecret: text('totp_pending_secret'),
    /** The friendly name given at VerifySoftwareToken. */
    totpDeviceName: text('totp_device_name'),
    /** The last TOTP time step accepted: a code is good once (RFC 6238 §5.2). */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'user_mfa_preferred_valid',
      sql`${t.preferred} is null or ${t.preferred} in ('SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP')`,
    ),
  ],
);
