import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';

/** EXTERNAL_PROVIDER: a user an external identity provider created (docs/federation.md); no password. */
export const userStatuses = [
  'UNCONFIRMED',
  'CONFIRMED',
  'FORCE_CHANGE_PASSWORD',
  'RESET_REQUIRED',
  'EXTERNAL_PROVIDER',
] as const;
export type UserStatus = (typeof userStatuses)[number];

export const users = pgTable(
  'users',
  {
    /** The user's `sub`. */
    id: uuid('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    username: text('username').notNull(),
    /** The username as compared: lower-cased unless the pool is case-sensitive. */
    usernameKey: text('username_key').notNull(),
    status: text('status').$type<UserStatus>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    passwordHash: text('password_hash'),
    /** SRP salt and verifier (hex), only while the pool has SRP on; see modules/srp. */
    srpSalt: text('srp_salt'),
    srpVerifier: text('srp_verifier'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_pool_username_key').on(t.poolId, t.usernameKey),
    // ListUsers (user-search.ts): keyset pages by username, by status and by enabled; "C" makes
    // a username prefix LIKE a range scan whatever the database locale.
    index('users_pool_username_search_idx').on(t.poolId, sql`(${t.usernameKey} collate "C")`, t.id),
    index('users_pool_status_idx').on(t.poolId, sql`(${t.status} collate "C")`, t.id),
    index('users_pool_enabled_idx').on(t.poolId, t.enabled, t.id),
    // The target of user_attributes' (user_id, pool_id) key.
    unique('users_id_pool_key').on(t.id, t.poolId),
    check('users_srp_pair', sql`(${t.srpSalt} is null) = (${t.srpVerifier} is null)`),
    check(
      'users_status_valid',
      sql`${t.status} in ('UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED', 'EXTERNAL_PROVIDER')`,
    ),
  ],
);

export const userAttributes = pgTable(
  'user_attributes',
  {
    userId: uuid('user_id').notNull(),
    /** Denormalised from users so the alias index can be per pool; user_attributes_user_fk keeps it the user's. */
    poolId: text('pool_id').notNull(),
    name: text('name').notNull(),
    value: text('value').notNull(),
    /** Only for email and phone_number. */
    verified: boolean('verified'),
    /** Keep-original mode: the new value awaiting its code. */
    pendingValue: text('pending_value'),
    /**
     * Set while this value is a sign-in alias of the user (a verified email or phone in an
     * alias pool, the email or phone of a username-attribute pool, preferred_username where it
     * is an alias): normalised for lookup. A trigger files it in sign_in_names, whose key is
     * what makes "one owner per name" hold under races (docs/security.md, "One sign-in namespace").
     */
    aliasKey: text('alias_key'),
  },
  (t) => [
    primaryKey({ name: 'user_attributes_pkey', columns: [t.userId, t.name] }),
    // (user, pool) rather than user alone: an attribute filed under another pool would escape
    // that pool's alias index and let two users share one verified alias.
    foreignKey({
      name: 'user_attributes_user_fk',
      columns: [t.userId, t.poolId],
      foreignColumns: [users.id, users.poolId],
    }).onDelete('cascade'),
    foreignKey({ name: 'user_attributes_pool_fk', columns: [t.poolId], foreignColumns: [pools.id] }).onDelete(
      'cascade',
    ),
    check('user_attributes_value_length', sql`char_length(${t.value}) <= 2048`),
    // ListUsers filters (user-search.ts ATTRIBUTE_KEY, the same expression): prefix searches are
    // range scans in sort order. Cut to 256 characters so an entry always fits a btree page.
    index('user_attributes_search_idx').on(t.poolId, t.name, sql`(left(lower(${t.value}), 256) collate "C")`, t.userId),
  ],
);

/**
 * Every name a user signs in with, in one namespace per pool: the username and each alias
 * (user_attributes.alias_key). Written only by the triggers of migration 0005 from those two
 * columns, never by the code, so no writer can skip it; its primary key is what lets a name
 * resolve to at most one user (docs/security.md, "One sign-in namespace").
 */
export const signInNames = pgTable(
  'sign_in_names',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    nameKey: text('name_key').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `username`, or the attribute the alias is: email, phone_number, preferred_username. */
    source: text('source').notNull(),
  },
  (t) => [
    primaryKey({ name: 'sign_in_names_pkey', columns: [t.poolId, t.nameKey] }),
    index('sign_in_names_user_idx').on(t.userId),
    check(
      'sign_in_names_source_valid',
      sql`${t.source} in ('username', 'email', 'phone_number', 'preferred_username')`,
    ),
  ],
);
