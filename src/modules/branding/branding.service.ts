/**
 * Cognito's UI customization (SetUICustomization, GetUICustomization): CSS from an allow-list and
 * a logo for the managed login pages, for the whole pool (`ALL`) or one client, the client's own
 * taking the place of the pool's (docs/web-sign-in.md, "Branding").
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { uiCustomizations } from '../../db/schema/branding.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { checkCss } from './branding-css.ts';

export const ALL_CLIENTS = 'ALL';
/** Cognito's logo limit. */
export const MAX_IMAGE_BYTES = 100 * 1024;

export type ImageType = 'image/png' | 'image/jpeg' | 'image/svg+xml';

export interface UiCustomization {
  poolId: string;
  /** A client id, or ALL. */
  clientId: string;
  css: string | null;
  imageType: ImageType | null;
  /** Where the logo is served (null without one). */
  imageUrl: string | null;
  /** Changes with every SetUICustomization: Cognito's CSSVersion, and the logo URL's cache key. */
  version: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface UiCustomizationInput {
  css?: string;
  /** The logo's bytes. */
  image?: Uint8Array;
}

/** What the managed login pages apply: the client's own customization, else the pool's. */
export interface Branding {
  css: string | null;
  imageUrl: string | null;
}

/** The logo's type, read from its bytes: PNG, JPEG or SVG; SVG without scripts or event handlers. */
export function imageTypeOf(bytes: Uint8Array): ImageType {
  if (bytes.length === 0) throw invalidParameter('ImageFile is empty.');
  if (bytes.length > MAX_IMAGE_BYTES) throw invalidParameter(`ImageFile must be at most ${MAX_IMAGE_BYTES / 1024} KB.`);
  const starts = (...magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  const head = text
    .replace(/^\s*(<\?xml[^>]*\?>)?\s*/, '')
    .replace(/^(<!--[\s\S]*?-->\s*)*/, '')
    .replace(/^<!DOCTYPE svg[^>]*>\s*/i, '');
  if (/^<svg[\s>]/i.test(head)) {
    // Served from Cognate's own origin: nothing in it may run (the logo route also forbids it by CSP).
    // Element names may carry a namespace prefix (`<x:script>`); so may href (`xlink:href`, `x:href`).
    const active = /<([\w.-]+:)?(script|foreignObject|iframe|embed|object|handler|listener)\b/i;
    const outside =
      /javascript:|data:|[\s:]on[a-z]+\s*=|<!ENTITY|[\s:]href\s*=\s*["']?(?!#)|@import|url\(\s*["']?(?!#)/i;
    if (active.test(text) || outside.test(text))
      throw invalidParameter(
        'ImageFile is an SVG with scripts, event handlers, entities or links to other documents: Cognate serves only self-contained SVG.',
      );
    return 'image/svg+xml';
  }
  throw invalidParameter('ImageFile must be a PNG, JPEG or SVG image.');
}

export function createBranding(deps: {
  db: Db;
  /** Throws ResourceNotFoundException for an unknown pool. */
  assertPool: (poolId: string) => Promise<unknown>;
  /** Throws ResourceNotFoundException for a client not in the pool. */
  assertClient: (poolId: string, clientId: string) => Promise<unknown>;
  /** Cognito needs a domain before customization: whether the pool has one. */
  hasDomain: (poolId: string) => Promise<boolean>;
  /** PUBLIC_URL: the logo is served at `<publicUrl>/<pool id>/ui-customization/<client id or ALL>/logo`. */
  publicUrl: string;
}) {
  const { db } = deps;

  const logoUrl = (poolId: string, clientId: string, version: string) =>
    `${deps.publicUrl}/${encodeURIComponent(poolId)}/ui-customization/${encodeURIComponent(clientId)}/logo?v=${version}`;

  const present = (row: typeof uiCustomizations.$inferSelect): UiCustomization => {
    const version = String(row.updatedAt.getTime());
    return {
      poolId: row.poolId,
      clientId: row.clientId,
      css: row.css,
      imageType: row.imageType as ImageType | null,
      imageUrl: row.imageBase64 === null ? null : logoUrl(row.poolId, row.clientId, version),
      version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  };

  async function checkTarget(poolId: string, clientId: string): Promise<void> {
    await deps.assertPool(poolId);
    if (clientId !== ALL_CLIENTS) await deps.assertClient(poolId, clientId);
  }

  /** The client's own row, else the pool's (ALL); undefined when neither is set. */
  async function effective(poolId: string, clientId: string) {
    const rows = await db
      .select()
      .from(uiCustomizations)
      .where(
        and(
          eq(uiCustomizations.poolId, poolId),
          inArray(uiCustomizations.clientId, clientId === ALL_CLIENTS ? [ALL_CLIENTS] : [clientId, ALL_CLIENTS]),
        ),
      );
    return rows.find((row) => row.clientId === clientId) ?? rows.find((row) => row.clientId === ALL_CLIENTS);
  }

  return {
    /**
     * SetUICustomization: CSS and logo together, as Cognito sets them (a member left out is
     * removed). A client's customization, once set, takes the place of the pool's.
     */
    async set(poolId: string, clientId: string, input: UiCustomizationInput): Promise<UiCustomization> {
      const css = input.css === undefined ? null : checkCss(input.css);
      const imageType = input.image === undefined ? null : imageTypeOf(input.image);
      await checkTarget(poolId, clientId);
      if (!(await deps.hasDomain(poolId)))
        throw invalidParameter(
          'The user pool has no domain: create one (CreateUserPoolDomain) before customizing its UI.',
        );
      const now = new Date();
      const values = {
        css,
        imageBase64: input.image === undefined ? null : Buffer.from(input.image).toString('base64'),
        imageType,
        updatedAt: now,
      };
      const [row] = await db
        .insert(uiCustomizations)
        .values({ poolId, clientId, ...values, createdAt: now })
        .onConflictDoUpdate({ target: [uiCustomizations.poolId, uiCustomizations.clientId], set: values })
        .returning();
      return present(row!);
    },

    /** GetUICustomization: the customization in effect for the client (its own, else ALL's), or null. */
    async get(poolId: string, clientId: string): Promise<UiCustomization | null> {
      await checkTarget(poolId, clientId);
      const row = await effective(poolId, clientId);
      return row ? present(row) : null;
    },

    /** The client falls back to the pool's customization again (REST only: Cognito has no such action). */
    async remove(poolId: string, clientId: string): Promise<void> {
      await checkTarget(poolId, clientId);
      const deleted = await db
        .delete(uiCustomizations)
        .where(and(eq(uiCustomizations.poolId, poolId), eq(uiCustomizations.clientId, clientId)))
        .returning({ clientId: uiCustomizations.clientId });
      if (deleted.length === 0)
        throw new CognitoError('ResourceNotFoundException', `No UI customization is set for ${clientId}.`);
    },

    /** The client is deleted (pools' deleteClient, in its transaction): its customization goes too. */
    async forgetClient(q: Queryable, poolId: string, clientId: string): Promise<void> {
      await q
        .delete(uiCustomizations)
        .where(and(eq(uiCustomizations.poolId, poolId), eq(uiCustomizations.clientId, clientId)));
    },

    /** For the managed login pages: the CSS and logo URL in effect; nothing set, both null. */
    async forClient(poolId: string, clientId: string): Promise<Branding> {
      const row = await effective(poolId, clientId);
      if (!row) return { css: null, imageUrl: null };
      const shown = present(row);
      return { css: shown.css, imageUrl: shown.imageUrl };
    },

    /** The logo's bytes, for GET /{poolId}/ui-customization/{clientId}/logo; null when there is none. */
    async logo(poolId: string, clientId: string): Promise<{ type: ImageType; bytes: Buffer } | null> {
      const [row] = await db
        .select({ imageBase64: uiCustomizations.imageBase64, imageType: uiCustomizations.imageType })
        .from(uiCustomizations)
        .where(and(eq(uiCustomizations.poolId, poolId), eq(uiCustomizations.clientId, clientId)));
      if (!row?.imageBase64 || !row.imageType) return null;
      return { type: row.imageType as ImageType, bytes: Buffer.from(row.imageBase64, 'base64') };
    },
  };
}

export type BrandingService = ReturnType<typeof createBranding>;
