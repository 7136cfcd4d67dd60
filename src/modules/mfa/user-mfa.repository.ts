import { eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { userMfa } from '../../db/schema/mfa.ts';
import type { MfaFactor, UserMfaSettings } from './mfa.types.ts';

/** The user_mfa table (docs/mfa.md): a user's factors. No row: no factor, no TOTP secret. */

export type UserMfaRow = typeof userMfa.$inferSelect;
export type UserMfaPatch = Partial<Omit<UserMfaRow, 'userId' | 'updatedAt'>>;

const NONE: UserMfaSettings = { enabled: [], preferred: null, softwareTokenVerified: false };

/** The public view of a row: factors on (in Cognito's order), the preferred one, whether TOTP is verified. */
export function mfaSettingsOf(row: UserMfaRow | undefined): UserMfaSettings {
  if (!row) return NONE;
  const enabled: MfaFactor[] = [];
  if (row.smsEnabled) enabled.push('SMS_MFA');
  if (row.softwareTokenEnabled) enabled.push('SOFTWARE_TOKEN_MFA');
  if (row.emailEnabled) enabled.push('EMAIL_OTP');
  return { enabled, preferred: row.preferred ?? null, softwareTokenVerified: row.totpSecret !== null };
}

export async function findUserMfa(q: Queryable, userId: string): Promise<UserMfaRow | undefined> {
  const [row] = await q.select().from(userMfa).where(eq(userMfa.userId, userId));
  return row;
}

/** Several users' settings at once (ListUsers, export), keyed by user id. */
export async function findUsersMfa(q: Queryable, userIds: string[]): Promise<Map<string, UserMfaRow>> {
  if (userIds.length === 0) return new Map();
  const rows = await q.select().from(userMfa).where(inArray(userMfa.userId, userIds));
  return new Map(rows.map((row) => [row.userId, row]));
}

/** Writes the given columns, making the row if the user has none; returns the row as written. */
export async function upsertUserMfa(q: Queryable, userId: string, patch: UserMfaPatch): Promise<UserMfaRow> {
  const [row] = await q
    .insert(userMfa)
    .values({ userId, ...patch })
    .onConflictDoUpdate({ target: userMfa.userId, set: { ...patch, updatedAt: sql`now()` } })
    .returning();
  return row!;
}

/**
 * Accepts TOTP time step `step` once (RFC 6238 §5.2): true when it is later than the last one
 * accepted, recorded in the same statement so two requests with one code cannot both pass.
 */
export async function acceptTotpStep(q: Queryable, userId: string, step: number): Promise<boolean> {
  const rows = await q
    .update(userMfa)
    .set({ totpLastStep: step, updatedAt: sql`now()` })
    .where(
      sql`${userMfa.userId} = ${userId} and (${userMfa.totpLastStep} is null or ${userMfa.totpLastStep} < ${step})`,
    )
    .returning({ userId: userMfa.userId });
  return rows.length === 1;
}
