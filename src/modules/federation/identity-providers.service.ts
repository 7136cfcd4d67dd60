/**
 * A pool's identity providers (CreateIdentityProvider and the rest; docs/federation.md,
 * "Configuring providers"): their ProviderDetails checked by type, OIDC endpoints discovered at
 * configuration, secrets sealed at rest, AttributeMapping checked against the pool's schema, and
 * IdpIdentifiers with one owner each in a pool.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { identityProviderIdentifiers, identityProviders } from '../../db/schema/federation.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import type { SealedBox } from '../../lib/sealed-box.ts';
import type { PoolAttributeSettings } from '../attributes/index.ts';
import { checkProviderUrl, discoverEndpoints, type DiscoveredEndpoints } from './discovery.ts';
import {
  COGNITO_PROVIDER,
  IDENTITY_PROVIDER_TYPES,
  type IdentityProvider,
  type IdentityProviderType,
  type ProviderEndpoints,
} from './federation.types.ts';
import {
  ENDPOINT_KEYS,
  PROVIDER_TYPES,
  READ_ONLY_KEYS,
  SECRET_KEYS,
  allowedKeys,
  endpointsOf,
  isSocialType,
  parseScopes,
  type SecretKey,
} from './provider-types.ts';

/** Cognito's limits (API reference, CreateIdentityProvider; quotas: 300 identity providers per pool). */
export const MAX_PROVIDERS_PER_POOL = 300;
export const MAX_IDENTIFIERS = 50;
export const MAX_PAGE = 60;
const MAX_SCOPES = 50;
const MAX_DETAIL_LENGTH = 2048;
const MAX_PRIVATE_KEY_LENGTH = 8192;
const MAX_MAPPED_CLAIM_LENGTH = 2048;
/**
 * Cognito's ProviderName for a new provider: 3 to 32 characters, `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`
 * (no `_` but second, which keeps `<ProviderName>_<subject>` usernames readable); control characters refused too.
 */
const PROVIDER_NAME = /^[^_\p{Z}\p{C}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}\p{C}]+$/u;
/** Cognito's `[\w\s+=.@-]{1,40}`, its whitespace narrowed to the space (no line breaks into pages and logs). */
const IDENTIFIER = /^[A-Za-z0-9_ +=.@-]{1,40}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
/** Names a provider can never have: the pool's own users go by COGNITO (SupportedIdentityProviders). */
const RESERVED_NAMES = new Set([COGNITO_PROVIDER, 'Cognito']);

export interface IdentityProviderInput {
  providerName: string;
  providerType: string;
  providerDetails: Record<string, string>;
  attributeMapping?: Record<string, string>;
  idpIdentifiers?: string[];
}

/** Members left out keep their values; each given replaces the whole (secrets left out of ProviderDetails are kept). */
export interface IdentityProviderPatch {
  providerDetails?: Record<string, string>;
  attributeMapping?: Record<string, string>;
  idpIdentifiers?: string[];
}

export interface ProviderSecrets {
  clientSecret?: string;
  privateKey?: string;
}

type ProviderRow = typeof identityProviders.$inferSelect;

const notFound = (name: string) =>
  new CognitoError('ResourceNotFoundException', `Identity provider ${name.slice(0, 32)} does not exist.`);
const duplicateName = (name: string) =>
  new CognitoError('DuplicateProviderException', `A provider with the name ${name} already exists in this user pool.`);
const duplicateIdentifier = (identifier: string) =>
  new CognitoError(
    'DuplicateProviderException',
    `The IdpIdentifier ${identifier} is already used by another provider of this user pool.`,
  );

const aad = (poolId: string, providerName: string, key: SecretKey) => `${poolId}/${providerName}/${key}`;

function checkProviderType(type: string): IdentityProviderType {
  if (type === 'SAML')
    throw invalidParameter(
      'ProviderType SAML is not supported by Cognate: SAML federation is not implemented; use OIDC (docs/federation.md).',
    );
  if (!(IDENTITY_PROVIDER_TYPES as readonly string[]).includes(type))
    throw invalidParameter(
      `ProviderType ${JSON.stringify(type.slice(0, 32))} must be one of ${IDENTITY_PROVIDER_TYPES.join(', ')}.`,
    );
  return type as IdentityProviderType;
}

function checkProviderName(name: string, type: IdentityProviderType): void {
  if (RESERVED_NAMES.has(name)) throw invalidParameter(`ProviderName ${name} is reserved for the pool's own users.`);
  if (isSocialType(type)) {
    // Cognito's rule: a social provider is named as its type, so a pool has at most one of each.
    if (name !== type) throw invalidParameter(`A ${type} provider must be named ${type} (ProviderName).`);
    return;
  }
  if ([...name].length > 32 || !PROVIDER_NAME.test(name))
    throw invalidParameter(
      'ProviderName must be 3 to 32 characters: letters, marks, symbols, digits or punctuation, no spaces, and no _ but as the second character.',
    );
  if ((IDENTITY_PROVIDER_TYPES as readonly string[]).includes(name) && name !== 'OIDC')
    throw invalidParameter(
      `ProviderName ${name} is the name of a social provider type; an OIDC provider needs another.`,
    );
}

/** An ES256 key for Sign in with Apple's client secret: PEM, or the .p8 file's base64 body. */
function checkApplePrivateKey(value: string): string {
  const pem = value.includes('-----BEGIN')
    ? value
    : `-----BEGIN PRIVATE KEY-----\n${value.replace(/\s+/g, '')}\n-----END PRIVATE KEY-----\n`;
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw invalidParameter(
      'ProviderDetails private_key must be the private key Apple issued (the .p8 file, PEM or its base64 body).',
    );
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw invalidParameter(
      'ProviderDetails private_key must be an EC P-256 key, as Apple issues for Sign in with Apple.',
    );
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function checkScopes(type: IdentityProviderType, value: string): void {
  const rules = PROVIDER_TYPES[type];
  const scopes = parseScopes(value);
  if (scopes.length === 0) throw invalidParameter('ProviderDetails authorize_scopes must name at least one scope.');
  if (scopes.length > MAX_SCOPES)
    throw invalidParameter(`ProviderDetails authorize_scopes may name at most ${MAX_SCOPES} scopes.`);
  for (const scope of scopes) {
    if (!SCOPE.test(scope))
      throw invalidParameter(
        `ProviderDetails authorize_scopes ${JSON.stringify(scope.slice(0, 64))} is not a scope (printable characters without spaces, " or \\).`,
      );
    if (rules.allowedScopes && !rules.allowedScopes.includes(scope))
      throw invalidParameter(
        `ProviderDetails authorize_scopes ${scope} is not one ${type} offers: only ${rules.allowedScopes.join(' and ')}.`,
      );
  }
  for (const needed of rules.requiredScopes)
    if (!scopes.includes(needed))
      throw invalidParameter(
        `ProviderDetails authorize_scopes must include ${needed}: Cognate signs in with ${type} through OpenID Connect, which needs its ID token.`,
      );
}

/**
 * ProviderDetails checked and resolved: every key one the type takes, secrets apart, endpoints
 * given, else discovered (OIDC), else the type's. `kept`: the stored secrets, which an update that
 * leaves them out keeps.
 */
async function resolveDetails(
  type: IdentityProviderType,
  given: Record<string, string>,
  kept: Partial<Record<SecretKey, string>>,
  discover: typeof discoverEndpoints,
): Promise<{ details: Record<string, string>; secrets: Partial<Record<SecretKey, string>> }> {
  const rules = PROVIDER_TYPES[type];
  const allowed = allowedKeys(type);
  const details: Record<string, string> = {};
  const secrets: Partial<Record<SecretKey, string>> = {};
  for (const [key, value] of Object.entries(given)) {
    if (!allowed.has(key))
      throw invalidParameter(
        `ProviderDetails ${JSON.stringify(key.slice(0, 64))} is not a key of ProviderType ${type}; it takes ${[...allowed].join(', ')}.`,
      );
    if (typeof value !== 'string') throw invalidParameter(`ProviderDetails ${key} must be a string.`);
    const max = key === 'private_key' ? MAX_PRIVATE_KEY_LENGTH : MAX_DETAIL_LENGTH;
    if (value.length === 0 || value.length > max)
      throw invalidParameter(`ProviderDetails ${key} must be 1 to ${max} characters.`);
    if ((SECRET_KEYS as readonly string[]).includes(key)) secrets[key as SecretKey] = value;
    else details[key] = value;
  }
  for (const key of rules.secrets) if (secrets[key] === undefined && kept[key] !== undefined) secrets[key] = kept[key];
  for (const key of rules.required)
    if (details[key] === undefined && secrets[key as SecretKey] === undefined)
      throw invalidParameter(`ProviderDetails ${key} is required for ProviderType ${type}.`);
  if (type === 'OIDC' && details.oidc_issuer === undefined)
    throw invalidParameter('ProviderDetails oidc_issuer is required for ProviderType OIDC.');

  if (details.authorize_scopes !== undefined) checkScopes(type, details.authorize_scopes);
  if (details.attributes_request_method !== undefined && !['GET', 'POST'].includes(details.attributes_request_method))
    throw invalidParameter('ProviderDetails attributes_request_method must be GET or POST.');
  if (details.api_version !== undefined && !/^v\d{1,3}\.\d{1,3}$/.test(details.api_version))
    throw invalidParameter('ProviderDetails api_version must be a Graph API version such as v17.0.');
  for (const key of ['team_id', 'key_id'])
    if (details[key] !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(details[key]!))
      throw invalidParameter(`ProviderDetails ${key} must be letters and digits, as Apple shows it.`);
  if (details.client_id !== undefined && /[\p{C}]/u.test(details.client_id))
    throw invalidParameter('ProviderDetails client_id must not contain control characters.');
  if (secrets.private_key !== undefined) secrets.private_key = checkApplePrivateKey(secrets.private_key);
  for (const key of ENDPOINT_KEYS) if (details[key] !== undefined) checkProviderUrl(details[key]!, key);

  // Cognito sets these itself; given back (as Terraform does), they must say what Cognate would set.
  const readOnly: Record<string, string> = {};
  for (const key of READ_ONLY_KEYS)
    if (details[key] !== undefined) {
      readOnly[key] = details[key]!;
      delete details[key];
    }

  const resolved: Record<string, string> = { ...rules.defaults(details), ...details };
  if (type === 'OIDC') {
    const wanted = ['authorize_url', 'token_url', 'attributes_url', 'jwks_uri'] as const;
    if (wanted.some((key) => resolved[key] === undefined)) {
      let discovered: DiscoveredEndpoints = {};
      try {
        discovered = await discover(resolved.oidc_issuer!);
      } catch (error) {
        // Explicit endpoints win (docs/federation.md): with the three needed ones given, an issuer that cannot be read is no bar.
        const essentials = ['authorize_url', 'token_url', 'jwks_uri'].every((key) => resolved[key] !== undefined);
        if (!essentials) throw error;
      }
      for (const key of wanted) if (resolved[key] === undefined && discovered[key]) resolved[key] = discovered[key];
    }
    const missing = ['authorize_url', 'token_url', 'jwks_uri'].filter((key) => resolved[key] === undefined);
    if (missing.length > 0)
      throw invalidParameter(
        `The discovery document of oidc_issuer ${resolved.oidc_issuer} names no ${missing.join(', ')}; give them in ProviderDetails.`,
      );
  }
  if (resolved.authorize_scopes === undefined) resolved.authorize_scopes = rules.defaultScopes;
  for (const [key, value] of Object.entries(readOnly))
    if (resolved[key] !== value)
      throw invalidParameter(
        `ProviderDetails ${key} is set by Cognito${resolved[key] === undefined ? ' and not used by this type' : ` (here ${resolved[key]})`}; leave it out.`,
      );
  const sorted = Object.fromEntries(Object.entries(resolved).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { details: sorted, secrets };
}

/**
 * AttributeMapping: user pool attribute → the provider's claim. Keys are the pool's attributes
 * (standard or custom:), mutable, since each sign-in writes them (Cognito fails those sign-ins;
 * Cognate refuses the mapping), or `username`, the claim that is the user's id there.
 */
function checkMapping(
  settings: PoolAttributeSettings,
  type: IdentityProviderType,
  mapping: Record<string, string>,
): Record<string, string> {
  const subject = PROVIDER_TYPES[type].subject;
  const byName = new Map(settings.schema.map((definition) => [definition.name, definition]));
  for (const [key, value] of Object.entries(mapping)) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_MAPPED_CLAIM_LENGTH)
      throw invalidParameter(
        `AttributeMapping ${key.slice(0, 32)} must name a claim of 1 to ${MAX_MAPPED_CLAIM_LENGTH} characters.`,
      );
    if (key === 'username') {
      // The user's id at a social provider is fixed by its API; an OIDC provider may name another stable claim (oid, …).
      if (isSocialType(type) && value !== subject)
        throw invalidParameter(
          `AttributeMapping username must be ${subject} for ${type}: that is the user's id there.`,
        );
      continue;
    }
    const definition = byName.get(key);
    if (!definition)
      throw invalidParameter(
        `AttributeMapping ${JSON.stringify(key.slice(0, 32))} is not an attribute of this user pool (a standard attribute or custom:<name> it defines).`,
      );
    if (!definition.mutable)
      throw invalidParameter(
        `AttributeMapping ${key} maps onto an immutable attribute; every sign-in through the provider writes mapped attributes, so they must be mutable.`,
      );
    if (definition.developerOnly)
      throw invalidParameter(`AttributeMapping ${key} is a developer-only attribute; only administrators write those.`);
  }
  return { ...mapping, username: mapping.username ?? subject };
}

function checkIdentifiers(identifiers: string[]): string[] {
  if (identifiers.length > MAX_IDENTIFIERS)
    throw invalidParameter(`IdpIdentifiers may list at most ${MAX_IDENTIFIERS}.`);
  const seen = new Set<string>();
  for (const identifier of identifiers) {
    if (typeof identifier !== 'string' || !IDENTIFIER.test(identifier))
      throw invalidParameter(
        `IdpIdentifiers ${JSON.stringify(String(identifier).slice(0, 40))} must be 1 to 40 letters, digits, spaces and _ + = . @ -.`,
      );
    if (seen.has(identifier)) throw invalidParameter(`IdpIdentifiers lists ${identifier} twice.`);
    seen.add(identifier);
  }
  return identifiers;
}

/** Opaque page tokens: the last provider name shown. */
const pageToken = {
  issue: (name: string) => Buffer.from(JSON.stringify({ p: name })).toString('base64url'),
  read(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof parsed.p === 'string' && parsed.p !== '' && Object.keys(parsed).length === 1) return parsed.p;
    } catch {
      // fall through
    }
    throw invalidParameter('Invalid NextToken.');
  },
};

export interface ProviderSummary {
  providerName: string;
  providerType: IdentityProviderType;
  createdAt: Date;
  updatedAt: Date;
}

export function createIdentityProviders(deps: {
  db: Db;
  /** The pool (ResourceNotFoundException when unknown): its attribute schema checks AttributeMapping. */
  getPool: (poolId: string) => Promise<{ attributeSettings: PoolAttributeSettings }>;
  /** Seals client_secret and private_key at rest. */
  box: SealedBox;
  /** A deleted provider leaves every client's SupportedIdentityProviders, in the same transaction. */
  removeClientProvider: (q: Queryable, poolId: string, providerName: string) => Promise<void>;
  /** Tests may shorten the discovery timeout; nothing else changes it. */
  discover?: typeof discoverEndpoints;
}) {
  const { db, box } = deps;
  const discover = deps.discover ?? discoverEndpoints;

  const openSecrets = (row: ProviderRow): Partial<Record<SecretKey, string>> =>
    Object.fromEntries(
      Object.entries(row.sealedSecrets).map(([key, sealed]) => [
        key,
        box.open(aad(row.poolId, row.providerName, key as SecretKey), sealed),
      ]),
    );

  const sealSecrets = (poolId: string, name: string, secrets: Partial<Record<SecretKey, string>>) =>
    Object.fromEntries(
      Object.entries(secrets).map(([key, value]) => [key, box.seal(aad(poolId, name, key as SecretKey), value!)]),
    );

  async function identifiersOf(q: Queryable, poolId: string, name: string): Promise<string[]> {
    const rows = await q
      .select({ identifier: identityProviderIdentifiers.identifier })
      .from(identityProviderIdentifiers)
      .where(and(eq(identityProviderIdentifiers.poolId, poolId), eq(identityProviderIdentifiers.providerName, name)))
      .orderBy(asc(identityProviderIdentifiers.position));
    return rows.map((row) => row.identifier);
  }

  /** As the admin faces show it: the secrets Cognito shows opened into the details. */
  function present(row: ProviderRow, identifiers: string[]): IdentityProvider {
    const secrets = openSecrets(row);
    const shown: Record<string, string> = { ...row.details };
    for (const key of PROVIDER_TYPES[row.providerType].shownSecrets)
      if (secrets[key] !== undefined) shown[key] = secrets[key];
    return {
      poolId: row.poolId,
      providerName: row.providerName,
      providerType: row.providerType,
      details: Object.fromEntries(Object.entries(shown).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      attributeMapping: row.attributeMapping,
      idpIdentifiers: identifiers,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  async function findRow(q: Queryable, poolId: string, name: string, lock = false): Promise<ProviderRow | undefined> {
    const query = q
      .select()
      .from(identityProviders)
      .where(and(eq(identityProviders.poolId, poolId), eq(identityProviders.providerName, name)));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  /** Identifiers held by another provider of the pool: DuplicateProviderException, as Cognito. */
  async function assertIdentifiersFree(q: Queryable, poolId: string, name: string, identifiers: string[]) {
    if (identifiers.length === 0) return;
    const [taken] = await q
      .select({ identifier: identityProviderIdentifiers.identifier, owner: identityProviderIdentifiers.providerName })
      .from(identityProviderIdentifiers)
      .where(
        and(
          eq(identityProviderIdentifiers.poolId, poolId),
          inArray(identityProviderIdentifiers.identifier, identifiers),
        ),
      );
    if (taken && taken.owner !== name) throw duplicateIdentifier(taken.identifier);
  }

  async function writeIdentifiers(q: Queryable, poolId: string, name: string, identifiers: string[]) {
    await q
      .delete(identityProviderIdentifiers)
      .where(and(eq(identityProviderIdentifiers.poolId, poolId), eq(identityProviderIdentifiers.providerName, name)));
    if (identifiers.length > 0)
      await q
        .insert(identityProviderIdentifiers)
        .values(identifiers.map((identifier, position) => ({ poolId, identifier, providerName: name, position })));
  }

  /** A race lost to another writer ends in the typed error a check would have given. */
  function mapViolation(error: unknown, name: string, identifiers: string[]): never {
    const constraint = uniqueViolation(error);
    if (constraint === 'identity_providers_pkey') throw duplicateName(name);
    if (constraint === 'identity_provider_identifiers_pkey')
      throw new CognitoError(
        'DuplicateProviderException',
        `One of the IdpIdentifiers (${identifiers.join(', ').slice(0, 200)}) is already used by another provider of this user pool.`,
      );
    throw error;
  }

  async function describeIn(q: Queryable, poolId: string, name: string): Promise<IdentityProvider> {
    const row = await findRow(q, poolId, name);
    if (!row) throw notFound(name);
    return present(row, await identifiersOf(q, poolId, name));
  }

  return {
    async create(poolId: string, input: IdentityProviderInput): Promise<IdentityProvider> {
      const type = checkProviderType(input.providerType);
      checkProviderName(input.providerName, type);
      const pool = await deps.getPool(poolId);
      const mapping = checkMapping(pool.attributeSettings, type, input.attributeMapping ?? {});
      const identifiers = checkIdentifiers(input.idpIdentifiers ?? []);
      // Discovery reads the network: before the transaction, which then only writes.
      const { details, secrets } = await resolveDetails(type, input.providerDetails, {}, discover);
      const name = input.providerName;
      try {
        return await db.transaction(async (tx) => {
          const existing = await tx
            .select({ name: identityProviders.providerName })
            .from(identityProviders)
            .where(eq(identityProviders.poolId, poolId));
          if (existing.some((row) => row.name === name)) throw duplicateName(name);
          if (existing.length >= MAX_PROVIDERS_PER_POOL)
            throw new CognitoError(
              'LimitExceededException',
              `A user pool has at most ${MAX_PROVIDERS_PER_POOL} identity providers.`,
            );
          await assertIdentifiersFree(tx, poolId, name, identifiers);
          const [row] = await tx
            .insert(identityProviders)
            .values({
              poolId,
              providerName: name,
              providerType: type,
              details,
              sealedSecrets: sealSecrets(poolId, name, secrets),
              attributeMapping: mapping,
            })
            .returning();
          await writeIdentifiers(tx, poolId, name, identifiers);
          return present(row!, identifiers);
        });
      } catch (error) {
        mapViolation(error, name, identifiers);
      }
    },

    async describe(poolId: string, name: string): Promise<IdentityProvider> {
      await deps.getPool(poolId);
      return describeIn(db, poolId, name);
    },

    async update(poolId: string, name: string, patch: IdentityProviderPatch): Promise<IdentityProvider> {
      const pool = await deps.getPool(poolId);
      const current = await findRow(db, poolId, name);
      if (!current) throw notFound(name);
      const type = current.providerType;
      const mapping =
        patch.attributeMapping === undefined
          ? undefined
          : checkMapping(pool.attributeSettings, type, patch.attributeMapping);
      const identifiers = patch.idpIdentifiers === undefined ? undefined : checkIdentifiers(patch.idpIdentifiers);
      const resolved =
        patch.providerDetails === undefined
          ? undefined
          : await resolveDetails(type, patch.providerDetails, openSecrets(current), discover);
      try {
        return await db.transaction(async (tx) => {
          const locked = await findRow(tx, poolId, name, true);
          if (!locked) throw notFound(name);
          if (identifiers) {
            await assertIdentifiersFree(tx, poolId, name, identifiers);
            await writeIdentifiers(tx, poolId, name, identifiers);
          }
          const [row] = await tx
            .update(identityProviders)
            .set({
              ...(resolved && {
                details: resolved.details,
                sealedSecrets: sealSecrets(poolId, name, resolved.secrets),
              }),
              ...(mapping && { attributeMapping: mapping }),
              updatedAt: new Date(),
            })
            .where(and(eq(identityProviders.poolId, poolId), eq(identityProviders.providerName, name)))
            .returning();
          return present(row!, identifiers ?? (await identifiersOf(tx, poolId, name)));
        });
      } catch (error) {
        mapViolation(error, name, identifiers ?? []);
      }
    },

    /**
     * Its users stay, and so do their federated identities (a provider made again under the same
     * name finds them); it leaves every client's SupportedIdentityProviders (docs/federation.md).
     */
    async delete(poolId: string, name: string): Promise<void> {
      await deps.getPool(poolId);
      await db.transaction(async (tx) => {
        const row = await findRow(tx, poolId, name, true);
        if (!row) throw notFound(name);
        await tx
          .delete(identityProviders)
          .where(and(eq(identityProviders.poolId, poolId), eq(identityProviders.providerName, name)));
        await deps.removeClientProvider(tx, poolId, name);
      });
    },

    async list(
      poolId: string,
      page: { limit?: number; nextToken?: string } = {},
    ): Promise<{ providers: ProviderSummary[]; nextToken?: string }> {
      const limit = page.limit ?? MAX_PAGE;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
        throw invalidParameter(`MaxResults must be an integer from 1 to ${MAX_PAGE}.`);
      const after = pageToken.read(page.nextToken);
      await deps.getPool(poolId);
      const rows = await db
        .select({
          providerName: identityProviders.providerName,
          providerType: identityProviders.providerType,
          createdAt: identityProviders.createdAt,
          updatedAt: identityProviders.updatedAt,
        })
        .from(identityProviders)
        .where(
          and(
            eq(identityProviders.poolId, poolId),
            after === undefined ? undefined : gt(identityProviders.providerName, after),
          ),
        )
        .orderBy(asc(identityProviders.providerName))
        .limit(limit + 1);
      const providers = rows.slice(0, limit);
      return {
        providers,
        ...(rows.length > limit && { nextToken: pageToken.issue(providers.at(-1)!.providerName) }),
      };
    },

    /** GetIdentityProviderByIdentifier: the provider an IdpIdentifier names (exact match). */
    async byIdentifier(poolId: string, identifier: string): Promise<IdentityProvider> {
      await deps.getPool(poolId);
      const [owner] = await db
        .select({ name: identityProviderIdentifiers.providerName })
        .from(identityProviderIdentifiers)
        .where(
          and(eq(identityProviderIdentifiers.poolId, poolId), eq(identityProviderIdentifiers.identifier, identifier)),
        );
      if (!owner)
        throw new CognitoError(
          'ResourceNotFoundException',
          `No identity provider of this user pool has the identifier ${identifier.slice(0, 40)}.`,
        );
      return describeIn(db, poolId, owner.name);
    },

    /** For the sign-in round trip: the provider, its secrets opened, its endpoints resolved; null when none. */
    async forSignIn(
      poolId: string,
      name: string,
    ): Promise<{ provider: IdentityProvider; secrets: ProviderSecrets; endpoints: ProviderEndpoints } | null> {
      const row = await findRow(db, poolId, name);
      if (!row) return null;
      const opened = openSecrets(row);
      const provider = present(row, await identifiersOf(db, poolId, name));
      return {
        provider,
        secrets: {
          ...(opened.client_secret !== undefined && { clientSecret: opened.client_secret }),
          ...(opened.private_key !== undefined && { privateKey: opened.private_key }),
        },
        endpoints: endpointsOf(row),
      };
    },

    /** The pool's provider names: what a client's SupportedIdentityProviders may list besides COGNITO. */
    async namesOf(poolId: string): Promise<ReadonlySet<string>> {
      const rows = await db
        .select({ name: identityProviders.providerName })
        .from(identityProviders)
        .where(eq(identityProviders.poolId, poolId));
      return new Set(rows.map((row) => row.name));
    },
  };
}

export type IdentityProvidersService = ReturnType<typeof createIdentityProviders>;
