import { sql } from 'drizzle-orm';
import { bigserial, check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';

/** What changed in an audit event; never a password or a code, values only where the pool allows. */
export interface AuditDetails {
  attributes?: Array<{
    name: string;
    change: 'set' | 'deleted' | 'pending' | 'pending_cleared' | 'verified';
    verified?: { from: boolean | null; to: boolean | null };
    value?: { from: string | null; to: string | null };
  }>;
  status?: { from: string | null; to: string | null };
  enabled?: { from: boolean; to: boolean };
  password?: 'set' | 'changed' | 'reset';
  /** A group membership added or ended (docs/groups.md). */
  group?: { name: string; change: 'added' | 'removed' };
  /** Second factors turned on or off, the preferred one, a TOTP secret set up (docs/mfa.md); never a secret. */
  mfa?: {
    enabled?: { from: string[]; to: string[] };
    preferred?: { from: string | null; to: string | null };
    softwareToken?: 'set_up';
  };
  /** A provider's identity linked to the user or unlinked (docs/federation.md, "Users and linking"). */
  identity?: { providerName: string; change: 'linked' | 'unlinked' };
}

/**
 * Every change to a user's attributes, status, password or verified flags, written in the
 * transaction of the change. No foreign key to users: the trail outlives a deleted user.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order: exact keyset pagination (timestamps repeat within a transaction). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    username: text('username').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorKind: text('actor_kind').$type<'user' | 'admin' | 'system'>().notNull(),
    /** The app client a user acted through. */
    clientId: text('client_id'),
    action: text('action').notNull(),
    details: jsonb('details').$type<AuditDetails>().notNull(),
  },
  (t) => [
    index('audit_events_user_seq_idx').on(t.poolId, t.userId, t.seq),
    check('audit_events_actor_valid', sql`${t.actorKind} in ('user', 'admin', 'system')`),
  ],
);
