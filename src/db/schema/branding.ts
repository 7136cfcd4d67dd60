import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { pools } from './pools.ts';

/**
 * Cognito's UI customization (SetUICustomization): CSS and a logo for the managed login pages, for
 * the whole pool (`ALL`) or one client (docs/web-sign-in.md, "Branding").
 */
export const uiCustomizations = pgTable(
  'ui_customizations',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    /** A client id, or `ALL` for the pool's default. */
    clientId: text('client_id').notNull(),
    /** Cognito's CSS: only its documented classes, checked when set. */
    css: text('css'),
    /** The logo (PNG, JPEG or SVG), base64, at most 100 KB decoded, and its media type. */
    imageBase64: text('image_base64'),
    imageType: text('image_type'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.clientId] })],
);
