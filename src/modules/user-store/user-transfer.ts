import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { signInNames, userAttributes, userStatuses, users, type UserStatus } from '../../db/schema/user-store.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { createSealedBox, type SealedBox } from '../../lib/sealed-box.ts';
import {
  isEmailAddress,
  isPhoneNumber,
  prepareNewUser,
  readAttributes,
  type VerifiableAttribute,
} from '../attributes/index.ts';
import { offeredFactors } from '../mfa/mfa-config.ts';
import { MFA_FACTORS, type MfaFactor } from '../mfa/mfa.types.ts';
import {
  findUsersMfa,
  mfaSettingsOf,
  upsertUserMfa,
  type UserMfaPatch,
  type UserMfaRow,
} from '../mfa/user-mfa.repository.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { Pool } from '../pools/pools.types.ts';
import {
  aliasExists,
  aliasKeyOf,
  insertAttributes,
  nameLockKey,
  newUserIdentity,
  SIGN_IN_NAME_TAKEN,
  usernameKey,
} from './users.repository.ts';
import { HASH_CEILING, hashRefusal, type HashCeiling } from './passwords.ts';
import { attributeChanges, auditRow, recordAudits } from '../audit/audit.ts';
import { IDENTITY_PROVIDER_TYPES, type IdentityProviderType } from '../federation/federation.types.ts';
import {
  identitiesOfUsers,
  insertIdentities as fileIdentities,
  writeIdentitiesAttribute,
} from '../federation/identities.ts';

/** One line of an export, and what an import reads back. */
export interface TransferUser {
  username: string;
  sub: string;
  status: UserStatus;
  enabled: boolean;
  /** As AdminGetUser shows them (verified flags as "true"/"false"), without `sub`. */
  attributes: Record<string, string>;
  /** Keep-original mode: new values of email or phone_number awaiting their code. */
  pendingValues?: Partial<Record<VerifiableAttribute, string>>;
  /** An argon2id PHC string within the hashing ceiling (docs/user-import.md), or null (the user must reset the password). */
  passwordHash: string | null;
  createdAt?: string;
  updatedAt?: string;
  /** The names of the groups the user is in (docs/user-import.md, "Groups"); absent when none. */
  groups?: string[];
  /** The user's second factors (docs/user-import.md, "MFA"); absent when the user has none. */
  mfa?: TransferMfa;
  /**
   * The user's federated identities (docs/user-import.md, "Federated users"): the one it was
   * created from (`primary`, an EXTERNAL_PROVIDER user's) and those linked to it; absent when none.
   */
  identities?: TransferIdentity[];
}

/** One federated identity in a transfer file: which provider's subject signs in as the user. */
export interface TransferIdentity {
  providerName: string;
  providerType: IdentityProviderType;
  subject: string;
  primary: boolean;
  createdAt?: string;
}

/** A user's MFA state in a transfer file (docs/user-import.md, "MFA"). */
export interface TransferMfa {
  enabled: MfaFactor[];
  preferred: MfaFactor | null;
  /**
   * The verified TOTP secret, only in an export made with a transfer key: sealed with that key
   * (never in clear), the user's sub as associated data. Without it a TOTP user is set up again.
   */
  totp?: { secret: string; deviceName: string | null; lastStep: number | null };
}

/**
 * The sealed boxes MFA state needs: `totp` opens and seals the TOTP secrets at rest (the server's
 * key, as src/modules/mfa does), `transfer` those of a file (the key the administrator gives).
 */
export interface TransferBoxes {
  totp?: SealedBox;
  transfer?: SealedBox;
}

/** A key an administrator gives to export TOTP secrets, and to import them again. */
export const TRANSFER_KEY_MIN_LENGTH = 32;
/** Its own HKDF label: a secret sealed for a file can never be taken for one sealed at rest. */
const TRANSFER_LABEL = 'totp transfer v1';

export function transferBox(key: string): SealedBox {
  if (key.length < TRANSFER_KEY_MIN_LENGTH)
    throw invalidParameter(`The transfer key must be at least ${TRANSFER_KEY_MIN_LENGTH} characters.`);
  return createSealedBox(key, TRANSFER_LABEL);
}

/** A group as a line of the file carries it: `{"group": {...}}`, before the users that name it. */
export interface TransferGroup {
  name: string;
  description: string | null;
  precedence: number | null;
  roleArn: string | null;
}

/**
 * What export and import need of groups, given by the composition root (src/services.ts) so that
 * user-store does not depend on the groups module (which depends on user-store).
 */
export interface TransferGroupsPort {
  listGroups(q: Queryable, poolId: string): Promise<TransferGroup[]>;
  membershipsOf(q: Queryable, poolId: string, userIds: string[]): Promise<Map<string, string[]>>;
  existingGroups(q: Queryable, poolId: string, names: string[]): Promise<Set<string>>;
  /** Creates the groups the pool lacks; an existing group of the same name is left as it is. */
  ensureGroups(q: Queryable, poolId: string, groups: TransferGroup[]): Promise<void>;
  addMemberships(
    q: Queryable,
    pool: Pool,
    memberships: Array<{ userId: string; username: string; groups: string[] }>,
  ): Promise<void>;
}

/** A row handed to an import: a candidate user, or why its line could not even be read. */
export type ImportRow =
  { line: number; user: unknown; error?: undefined } | { line: number; error: string; username?: string };

export interface ImportReport {
  imported: number;
  rejectedCount: number;
  /** The first MAX_REPORTED rejections, in line order. */
  rejected: Array<{ line: number; username?: string; reason: string }>;
}

export const EXPORT_PAGE_SIZE = 1000;
export const IMPORT_BATCH_SIZE = 500;
export const MAX_REPORTED = 1000;

const FIELDS = new Set([
  'username',
  'sub',
  'status',
  'enabled',
  'attributes',
  'pendingValues',
  'passwordHash',
  'createdAt',
  'updatedAt',
  'groups',
  'mfa',
  'identities',
]);
const IDENTITY_FIELDS = new Set(['providerName', 'providerType', 'subject', 'primary', 'createdAt']);
/** Cognito's limit on a user's federated identities (src/modules/federation/provider-links.service.ts). */
const MAX_IDENTITIES_PER_USER = 5;
const MFA_FIELDS = new Set(['enabled', 'preferred', 'totp']);
const TOTP_FIELDS = new Set(['secret', 'deviceName', 'lastStep']);
/** A TOTP secret as the MFA module keeps it: base32, at least 128 bits (src/modules/mfa/totp.ts makes 160). */
const BASE32_SECRET = /^[A-Z2-7]{26,128}$/;
/** The attribute a factor's codes go to. */
const FACTOR_DESTINATION: Partial<Record<MfaFactor, VerifiableAttribute>> = {
  SMS_MFA: 'phone_number',
  EMAIL_OTP: 'email',
};
const GROUP_FIELDS = new Set(['name', 'description', 'precedence', 'roleArn']);
/** Cognito's limit on the groups a user may be in. */
const MAX_GROUPS_PER_USER = 100;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Cognito's username pattern: letters, marks, symbols, numbers, punctuation; no spaces or controls.
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const VERIFIABLE: readonly VerifiableAttribute[] = ['email', 'phone_number'];
/** A provider's name as far as a file goes; whether the pool has the provider is not asked (docs/user-import.md). */
const PROVIDER_NAME = /^[^\p{Z}\p{C}]{1,32}$/u;

/**
 * A user's MFA line: factors and preference always; the TOTP secret only when the export has a
 * transfer key, re-sealed from the server's key to that one. A secret the server's key cannot open
 * (the server secret changed) is left out, and the import then refuses that TOTP user by name.
 */
function mfaLine(row: UserMfaRow | undefined, userId: string, boxes: TransferBoxes): TransferMfa | undefined {
  if (!row) return undefined;
  const { enabled, preferred } = mfaSettingsOf(row);
  let totp: TransferMfa['totp'];
  if (row.totpSecret !== null && boxes.totp && boxes.transfer) {
    try {
      const secret = boxes.transfer.seal(userId, boxes.totp.open(userId, row.totpSecret));
      totp = { secret, deviceName: row.totpDeviceName, lastStep: row.totpLastStep };
    } catch {
      totp = undefined;
    }
  }
  if (enabled.length === 0 && preferred === null && !totp) return undefined;
  return { enabled, preferred, ...(totp && { totp }) };
}

/**
 * The pool's users as JSON Lines, read in keyset pages by id: memory holds one page, whatever the
 * pool's size. Password hashes are exported so users can sign in after a round trip; treat the file as a secret.
 * TOTP secrets leave only with a transfer key (`boxes.transfer`), sealed with it.
 */
export async function* exportUsers(
  db: Db,
  pool: Pool,
  pageSize = EXPORT_PAGE_SIZE,
  groups?: TransferGroupsPort,
  boxes: TransferBoxes = {},
): AsyncGenerator<string> {
  // The pool's groups first, so an import creates them before the users that name them.
  if (groups) {
    const all = await groups.listGroups(db, pool.id);
    if (all.length > 0) yield all.map((group) => `${JSON.stringify({ group })}\n`).join('');
  }
  let after: string | null = null;
  for (;;) {
    const page = await db
      .select()
      .from(users)
      .where(after === null ? eq(users.poolId, pool.id) : and(eq(users.poolId, pool.id), gt(users.id, after)))
      .orderBy(asc(users.id))
      .limit(pageSize);
    if (page.length === 0) return;
    const attributeRows = await db
      .select()
      .from(userAttributes)
      .where(
        inArray(
          userAttributes.userId,
          page.map((u) => u.id),
        ),
      );
    const byUser = new Map<string, typeof attributeRows>();
    for (const row of attributeRows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
    const memberships = groups
      ? await groups.membershipsOf(
          db,
          pool.id,
          page.map((u) => u.id),
        )
      : new Map<string, string[]>();
    const mfaRows = await findUsersMfa(
      db,
      page.map((u) => u.id),
    );
    const identityRows = await identitiesOfUsers(
      db,
      page.map((u) => u.id),
    );
    const identitiesByUser = new Map<string, TransferIdentity[]>();
    for (const row of identityRows) {
      const entry: TransferIdentity = {
        providerName: row.providerName,
        providerType: row.providerType,
        subject: row.subject,
        primary: row.primary,
        createdAt: row.createdAt.toISOString(),
      };
      identitiesByUser.set(row.userId, [...(identitiesByUser.get(row.userId) ?? []), entry]);
    }
    let chunk = '';
    for (const user of page) {
      const state: Parameters<typeof readAttributes>[2] = { sub: { value: user.id } };
      const pendingValues: Record<string, string> = {};
      for (const row of byUser.get(user.id) ?? []) {
        state[row.name] = { value: row.value, ...(row.verified !== null && { verified: row.verified }) };
        if (row.pendingValue !== null) pendingValues[row.name] = row.pendingValue;
      }
      // `identities` is written from the identities below, never imported as an attribute.
      const { sub: _sub, identities: _identities, ...attributes } = readAttributes(pool.attributeSettings, null, state);
      const mfa = mfaLine(mfaRows.get(user.id), user.id, boxes);
      const line: TransferUser = {
        username: user.username,
        sub: user.id,
        status: user.status,
        enabled: user.enabled,
        attributes,
        ...(Object.keys(pendingValues).length > 0 && { pendingValues }),
        passwordHash: user.passwordHash,
        createdAt: user.createdAt.toISOString(),
        updatedAt: user.updatedAt.toISOString(),
        ...(memberships.has(user.id) && { groups: memberships.get(user.id)! }),
        ...(mfa && { mfa }),
        ...(identitiesByUser.has(user.id) && { identities: identitiesByUser.get(user.id)! }),
      };
      chunk += `${JSON.stringify(line)}\n`;
    }
    yield chunk;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}

/** JSON Lines as import rows: one per non-blank line, numbered from 1; a line that is not a JSON object is a rejected row. */
export async function* ndjsonRows(input: Readable): AsyncGenerator<ImportRow> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    let user: unknown;
    try {
      user = JSON.parse(text);
    } catch (error) {
      yield { line, error: `Malformed JSON: ${(error as Error).message}` };
      continue;
    }
    yield { line, user };
  }
}

/**
 * The columns Cognito's user-import CSV may have for this pool, in GetCSVHeader's order: the pool's
 * schema without `sub` (standard attributes, then custom ones), then `cognito:mfa_enabled` and
 * `cognito:username` (docs/user-import.md, "Import jobs"). The CSV import takes exactly these.
 */
export const cognitoCsvColumns = (pool: Pool): string[] => [
  ...pool.attributeSettings.schema.map((d) => d.name).filter((n) => n !== 'sub'),
  'cognito:mfa_enabled',
  'cognito:username',
];

/**
 * Cognito's user-import CSV as import rows. The header is read first: a column the pool does not
 * know refuses the whole file (400) before any row is written. Imported users have no password
 * and start RESET_REQUIRED, as in Cognito: they set one through forgot password.
 * `cognito:mfa_enabled` true is Cognito's per-user SMS MFA: the user gets SMS_MFA, on the row's
 * phone_number (docs/user-import.md, "MFA").
 */
export async function* cognitoCsvRows(input: Readable, pool: Pool): AsyncGenerator<ImportRow> {
  const known = new Set(cognitoCsvColumns(pool));
  // A record the parser cannot read (a stray quote) is skipped and reported; parsing goes on.
  const csv = parseCsv({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: true,
  });
  const unreadable: Array<{ line: number; error: string }> = [];
  csv.on('skip', (error: Error & { lines?: number }) =>
    unreadable.push({ line: error.lines ?? 0, error: `Unreadable CSV: ${error.message}` }),
  );
  // The parser reads ahead: report what it skipped before the record at hand, in line order.
  const skippedUpTo = (line: number) => unreadable.splice(0, unreadable.filter((u) => u.line <= line).length);
  // pipeline, not pipe: an error of the body (too large, client gone) must end the parser's iteration too.
  const parser = pipeline(input, csv, () => {});
  let header: string[] | null = null;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (header === null) {
      header = record.map((name) => name.trim());
      const unknown = header.find((name) => !known.has(name));
      if (unknown !== undefined) throw invalidParameter(`Unknown column in the CSV header: ${unknown}`);
      if (!header.includes('cognito:username'))
        throw invalidParameter('The CSV header has no cognito:username column.');
      const twice = header.find((name, i) => header!.indexOf(name) !== i);
      if (twice !== undefined) throw invalidParameter(`Column named twice in the CSV header: ${twice}`);
      continue;
    }
    const line = info.lines;
    yield* skippedUpTo(line);
    const cells = Object.fromEntries(header.map((name, i) => [name, record[i] ?? '']));
    const username = cells['cognito:username'] || undefined;
    if (record.length !== header.length) {
      yield { line, username, error: `Expected ${header.length} columns, found ${record.length}.` };
      continue;
    }
    const mfa = (cells['cognito:mfa_enabled'] ?? '').toLowerCase();
    if (mfa !== '' && mfa !== 'false' && mfa !== 'true') {
      yield { line, username, error: 'cognito:mfa_enabled must be true or false.' };
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(cells)) {
      if (name.startsWith('cognito:') || value === '') continue;
      attributes[name] = /_verified$/.test(name) ? value.toLowerCase() : value;
    }
    // SMS MFA sends its codes to phone_number (verified or not, as in Cognito): without one it cannot be honoured.
    if (mfa === 'true' && attributes.phone_number === undefined) {
      yield { line, username, error: 'cognito:mfa_enabled is true but phone_number is empty: SMS MFA needs one.' };
      continue;
    }
    const user: TransferUser = {
      username: username ?? '',
      sub: randomUUID(),
      status: 'RESET_REQUIRED',
      enabled: true,
      attributes,
      passwordHash: null,
      ...(mfa === 'true' && { mfa: { enabled: ['SMS_MFA'], preferred: 'SMS_MFA' } }),
    };
    yield { line, user };
  }
  if (header === null && unreadable.length > 0) throw invalidParameter(unreadable[0]!.error);
  yield* skippedUpTo(Infinity);
}

interface CheckedUser {
  id: string;
  username: string;
  status: UserStatus;
  enabled: boolean;
  passwordHash: string | null;
  values: Record<string, string>;
  verified: Partial<Record<VerifiableAttribute, boolean>>;
  pendingValues: Partial<Record<VerifiableAttribute, string>>;
  createdAt?: Date;
  updatedAt?: Date;
  groups: string[];
  /** The user_mfa row to write (TOTP secret sealed with the server's key), if any. */
  mfa?: UserMfaPatch;
  identities: Array<Omit<TransferIdentity, 'createdAt'> & { createdAt?: Date }>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw invalidParameter(`${field} must be an object of strings.`);
  for (const [name, item] of Object.entries(value))
    if (typeof item !== 'string') throw invalidParameter(`${field}.${name} must be a string.`);
  return value as Record<string, string>;
}

function timestamp(value: unknown, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw invalidParameter(`${field} must be an ISO 8601 time.`);
  return date;
}

const isFactor = (value: unknown): value is MfaFactor => MFA_FACTORS.includes(value as MfaFactor);

/**
 * A row's `mfa`, refused unless the pool can honour all of it: every factor offered by the pool,
 * its destination present, the preferred factor enabled, and TOTP only with its secret (which
 * needs the file's transfer key). Returns the user_mfa row to write, or undefined for no factor.
 */
function checkMfa(
  pool: Pool,
  value: unknown,
  sub: string,
  values: Record<string, string>,
  boxes: TransferBoxes,
): UserMfaPatch | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw invalidParameter('mfa must be an object.');
  const extra = Object.keys(value).find((key) => !MFA_FIELDS.has(key));
  if (extra !== undefined) throw invalidParameter(`Unknown field: mfa.${extra}`);
  const { enabled, preferred = null, totp } = value;
  if (!Array.isArray(enabled) || !enabled.every(isFactor) || new Set(enabled).size !== enabled.length)
    throw invalidParameter(`mfa.enabled must be a list of distinct factors among ${MFA_FACTORS.join(', ')}.`);
  if (preferred !== null && !isFactor(preferred))
    throw invalidParameter(`mfa.preferred must be one of ${MFA_FACTORS.join(', ')}, or null.`);
  if (preferred !== null && !enabled.includes(preferred))
    throw invalidParameter(`mfa.preferred: ${preferred} is not in mfa.enabled.`);
  const offered = offeredFactors(pool);
  for (const factor of enabled) {
    if (!offered.includes(factor))
      throw invalidParameter(
        `mfa.enabled: ${factor} is not offered by this pool (MfaConfiguration ${pool.mfaConfiguration}).`,
      );
    const destination = FACTOR_DESTINATION[factor];
    if (destination !== undefined && values[destination] === undefined)
      throw invalidParameter(`mfa.enabled: ${factor} needs the user's ${destination}.`);
  }
  let secret: Pick<UserMfaPatch, 'totpSecret' | 'totpDeviceName' | 'totpLastStep'> = {};
  if (totp !== undefined) {
    if (!isRecord(totp)) throw invalidParameter('mfa.totp must be an object.');
    const extraTotp = Object.keys(totp).find((key) => !TOTP_FIELDS.has(key));
    if (extraTotp !== undefined) throw invalidParameter(`Unknown field: mfa.totp.${extraTotp}`);
    const { secret: sealed, deviceName = null, lastStep = null } = totp;
    if (typeof sealed !== 'string') throw invalidParameter('mfa.totp.secret must be a string.');
    if (deviceName !== null && (typeof deviceName !== 'string' || deviceName.length > 128))
      throw invalidParameter('mfa.totp.deviceName must be a string of at most 128 characters, or null.');
    if (lastStep !== null && (!Number.isSafeInteger(lastStep) || (lastStep as number) < 0))
      throw invalidParameter('mfa.totp.lastStep must be a non-negative integer, or null.');
    if (!boxes.transfer)
      throw invalidParameter('mfa.totp.secret is sealed with a transfer key: give the export’s key (x-transfer-key).');
    if (!boxes.totp) throw invalidParameter('TOTP secrets cannot be imported here.');
    let plaintext: string;
    try {
      plaintext = boxes.transfer.open(sub, sealed);
    } catch {
      throw invalidParameter('mfa.totp.secret cannot be opened with this transfer key.');
    }
    if (!BASE32_SECRET.test(plaintext)) throw invalidParameter('mfa.totp.secret does not hold a base32 TOTP secret.');
    secret = {
      totpSecret: boxes.totp.seal(sub, plaintext),
      totpDeviceName: deviceName as string | null,
      totpLastStep: lastStep as number | null,
    };
  }
  // Never a TOTP factor without its secret: the user would be asked for codes nothing can check.
  if (enabled.includes('SOFTWARE_TOKEN_MFA') && secret.totpSecret === undefined)
    throw invalidParameter(
      'mfa.enabled: SOFTWARE_TOKEN_MFA needs mfa.totp, which only an export with a transfer key has; or leave SOFTWARE_TOKEN_MFA out and the user sets TOTP up again.',
    );
  if (enabled.length === 0 && secret.totpSecret === undefined) return undefined;
  return {
    smsEnabled: enabled.includes('SMS_MFA'),
    softwareTokenEnabled: enabled.includes('SOFTWARE_TOKEN_MFA'),
    emailEnabled: enabled.includes('EMAIL_OTP'),
    preferred: preferred as MfaFactor | null,
    ...secret,
  };
}

/**
 * A row's federated identities (docs/user-import.md, "Federated users"): an EXTERNAL_PROVIDER user
 * has exactly one primary identity and no password; any other user only linked ones.
 */
function checkIdentities(value: unknown, status: UserStatus, passwordHash: unknown): CheckedUser['identities'] {
  const list = value ?? [];
  if (!Array.isArray(list) || list.length > MAX_IDENTITIES_PER_USER)
    throw invalidParameter(`identities must be a list of at most ${MAX_IDENTITIES_PER_USER} identities.`);
  const seen = new Set<string>();
  const checked = list.map((item: unknown, i) => {
    const at = `identities.${i}`;
    if (!isRecord(item)) throw invalidParameter(`${at} must be an object.`);
    const extra = Object.keys(item).find((key) => !IDENTITY_FIELDS.has(key));
    if (extra !== undefined) throw invalidParameter(`Unknown field: ${at}.${extra}`);
    const { providerName, providerType, subject, primary } = item;
    if (typeof providerName !== 'string' || !PROVIDER_NAME.test(providerName))
      throw invalidParameter(`${at}.providerName must be 1 to 32 characters, no spaces.`);
    if (!IDENTITY_PROVIDER_TYPES.includes(providerType as IdentityProviderType))
      throw invalidParameter(`${at}.providerType must be one of ${IDENTITY_PROVIDER_TYPES.join(', ')}.`);
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 2048)
      throw invalidParameter(`${at}.subject must be a string of 1 to 2048 characters.`);
    if (typeof primary !== 'boolean') throw invalidParameter(`${at}.primary must be true or false.`);
    const key = `${providerName}\n${subject}`;
    if (seen.has(key)) throw invalidParameter(`${at}: the same provider and subject twice.`);
    seen.add(key);
    const createdAt = timestamp(item.createdAt, `${at}.createdAt`);
    return {
      providerName,
      providerType: providerType as IdentityProviderType,
      subject,
      primary,
      ...(createdAt && { createdAt }),
    };
  });
  const primaries = checked.filter((identity) => identity.primary).length;
  if (status === 'EXTERNAL_PROVIDER') {
    if (primaries !== 1) throw invalidParameter('An EXTERNAL_PROVIDER user needs exactly one primary identity.');
    if (passwordHash !== null) throw invalidParameter('An EXTERNAL_PROVIDER user has no passwordHash.');
  } else if (primaries > 0) {
    throw invalidParameter('Only an EXTERNAL_PROVIDER user has a primary identity; linked ones are primary false.');
  }
  return checked;
}

/**
 * Every check a row can fail without the database: shape, username rules, status, hash format and
 * cost (`ceiling`: see docs/user-import.md), the pool's schema, the MFA state (`boxes` for TOTP secrets).
 */
export function checkImportRow(
  pool: Pool,
  row: unknown,
  ceiling: HashCeiling = HASH_CEILING,
  boxes: TransferBoxes = {},
): CheckedUser {
  if (!isRecord(row)) throw invalidParameter('A row must be a JSON object.');
  const extra = Object.keys(row).find((key) => !FIELDS.has(key));
  if (extra !== undefined) throw invalidParameter(`Unknown field: ${extra}`);
  const { username, sub, status, enabled, passwordHash } = row;
  if (typeof username !== 'string' || !USERNAME.test(username))
    throw invalidParameter('username must be 1 to 128 letters, marks, symbols, numbers or punctuation.');
  if (typeof sub !== 'string' || !UUID.test(sub)) throw invalidParameter('sub must be a lower-case UUID.');
  // EXTERNAL_PROVIDER users come with the identity they were created from (checkIdentities).
  if (typeof status !== 'string' || !userStatuses.includes(status as UserStatus))
    throw invalidParameter(`status must be one of ${userStatuses.join(', ')}.`);
  if (typeof enabled !== 'boolean') throw invalidParameter('enabled must be true or false.');
  if (passwordHash !== null) {
    // A hash costing more than the ceiling would let two sign-ins hold every hashing slot for seconds.
    const refusal = hashRefusal(passwordHash, ceiling);
    if (refusal !== undefined) throw invalidParameter(refusal);
  }
  // A user who must sign in with a password needs one; only RESET_REQUIRED users (and federated ones) can do without.
  if (passwordHash === null && status !== 'RESET_REQUIRED' && status !== 'EXTERNAL_PROVIDER')
    throw invalidParameter('A user without passwordHash must have status RESET_REQUIRED.');
  const identities = checkIdentities(row.identities, status as UserStatus, passwordHash);
  const groups = row.groups ?? [];
  if (
    !Array.isArray(groups) ||
    groups.length > MAX_GROUPS_PER_USER ||
    groups.some((g) => typeof g !== 'string' || !GROUP_NAME.test(g))
  )
    throw invalidParameter(`groups must be a list of at most ${MAX_GROUPS_PER_USER} group names.`);
  const given = stringMap(row.attributes, 'attributes');
  const pendingValues = stringMap(row.pendingValues, 'pendingValues') as Partial<Record<VerifiableAttribute, string>>;

  // Exported users of username-attribute pools are named by their sub; anything else is read as a new username is.
  let name = username;
  let attributes = given;
  if (!(pool.attributeSettings.usernameAttributes.length > 0 && username === sub)) {
    const identity = newUserIdentity(pool, username, given);
    attributes = identity.attributes;
    name = identity.usernameFor(sub);
  }
  const prepared = prepareNewUser(pool.attributeSettings, { kind: 'admin' }, attributes, 'admin-create');
  for (const [attribute, value] of Object.entries(pendingValues)) {
    if (!VERIFIABLE.includes(attribute as VerifiableAttribute))
      throw invalidParameter(`pendingValues.${attribute}: only email and phone_number can be pending.`);
    if (prepared.values[attribute] === undefined)
      throw invalidParameter(`pendingValues.${attribute}: the user has no ${attribute}.`);
    const valid = attribute === 'email' ? isEmailAddress(value) : isPhoneNumber(value);
    if (!valid)
      throw invalidParameter(attribute === 'email' ? 'Invalid email address format.' : 'Invalid phone number format.');
  }
  const mfa = checkMfa(pool, row.mfa, sub, prepared.values, boxes);
  return {
    id: sub,
    username: name,
    status: status as UserStatus,
    enabled,
    passwordHash: passwordHash as string | null,
    values: prepared.values,
    verified: prepared.verified,
    pendingValues,
    createdAt: timestamp(row.createdAt, 'createdAt'),
    updatedAt: timestamp(row.updatedAt, 'updatedAt'),
    groups: [...new Set(groups as string[])],
    ...(mfa && { mfa }),
    identities,
  };
}

/** A `{"group": {...}}` line: a group to create before the users that name it. */
export function checkGroupLine(row: unknown): TransferGroup | undefined {
  if (!isRecord(row) || !('group' in row)) return undefined;
  if (Object.keys(row).length !== 1) throw invalidParameter('A group line has only the member group.');
  const group = row.group;
  if (!isRecord(group)) throw invalidParameter('group must be an object.');
  const extra = Object.keys(group).find((key) => !GROUP_FIELDS.has(key));
  if (extra !== undefined) throw invalidParameter(`Unknown field: group.${extra}`);
  const { name, description = null, precedence = null, roleArn = null } = group;
  if (typeof name !== 'string' || !GROUP_NAME.test(name))
    throw invalidParameter('group.name must be 1 to 128 letters, marks, symbols, numbers or punctuation.');
  if (description !== null && (typeof description !== 'string' || description.length > 2048))
    throw invalidParameter('group.description must be a string of at most 2048 characters, or null.');
  if (
    precedence !== null &&
    (!Number.isInteger(precedence) || (precedence as number) < 0 || (precedence as number) > 2 ** 31 - 1)
  )
    throw invalidParameter('group.precedence must be an integer from 0 to 2147483647, or null.');
  if (roleArn !== null && typeof roleArn !== 'string')
    throw invalidParameter('group.roleArn must be a string or null.');
  return { name, description, precedence, roleArn } as TransferGroup;
}

/** The users row of an imported user: sub, status, flags and hash as exported. */
function userRow(pool: Pool, user: CheckedUser): typeof users.$inferInsert {
  return {
    id: user.id,
    poolId: pool.id,
    username: user.username,
    usernameKey: usernameKey(pool, user.username),
    status: user.status,
    enabled: user.enabled,
    passwordHash: user.passwordHash,
    ...(user.createdAt && { createdAt: user.createdAt }),
    ...(user.updatedAt && { updatedAt: user.updatedAt }),
  };
}

/** An imported user enters the audit trail as created by an administrator's import. */
function importAudit(pool: Pool, user: CheckedUser) {
  const state = Object.fromEntries(
    Object.entries(user.values).map(([name, value]) => [
      name,
      { value, ...(name in user.verified && { verified: user.verified[name as VerifiableAttribute] }) },
    ]),
  );
  return auditRow({
    pool,
    user,
    actor: { kind: 'admin' },
    action: 'IMPORT_USER',
    details: {
      status: { from: null, to: user.status },
      ...(user.passwordHash && { password: 'set' as const }),
      attributes: attributeChanges(pool, {}, state),
    },
  });
}

/** The memberships of imported users, in their own transaction (groups checked to exist before). */
async function insertMemberships(
  tx: Queryable,
  pool: Pool,
  users: CheckedUser[],
  groups: TransferGroupsPort | undefined,
): Promise<void> {
  const memberships = users
    .filter((user) => user.groups.length > 0)
    .map((user) => ({ userId: user.id, username: user.username, groups: user.groups }));
  if (groups && memberships.length > 0) await groups.addMemberships(tx, pool, memberships);
}

/**
 * The federated identities of imported users, after their users rows, and the `identities`
 * attribute written from them. A subject already filed in the pool fails the insert
 * (federated_identities_pkey): the row is refused, never re-pointed (rejection()).
 */
async function insertIdentities(tx: Queryable, pool: Pool, batch: CheckedUser[]): Promise<void> {
  const rows = batch.flatMap((user) =>
    user.identities.map(({ createdAt, ...identity }) => ({
      poolId: pool.id,
      userId: user.id,
      ...identity,
      ...(createdAt && { createdAt }),
    })),
  );
  if (rows.length === 0) return;
  await fileIdentities(tx, rows);
  for (const user of batch)
    if (user.identities.length > 0) await writeIdentitiesAttribute(tx, { id: user.id, poolId: pool.id });
}

/** The user_mfa rows of imported users, after their users rows (its foreign key). */
async function insertMfa(tx: Queryable, batch: CheckedUser[]): Promise<void> {
  for (const user of batch) if (user.mfa) await upsertUserMfa(tx, user.id, user.mfa);
}

async function insertUser(tx: Queryable, pool: Pool, user: CheckedUser): Promise<void> {
  await tx.insert(users).values(userRow(pool, user));
  await insertAttributes(tx, pool, user.id, user.values, user.verified);
  for (const [name, pendingValue] of Object.entries(user.pendingValues)) {
    await tx
      .update(userAttributes)
      .set({ pendingValue })
      .where(and(eq(userAttributes.userId, user.id), eq(userAttributes.name, name)));
  }
  await insertMfa(tx, [user]);
  await insertIdentities(tx, pool, [user]);
  await recordAudits(tx, [importAudit(pool, user)]);
}

function rejection(error: unknown): string {
  const constraint = uniqueViolation(error);
  if (constraint === 'users_pool_username_key' || constraint === SIGN_IN_NAME_TAKEN)
    return 'User account already exists';
  if (constraint === 'users_pkey') return 'A user with this sub already exists.';
  if (constraint === 'federated_identities_pkey')
    return 'A federated identity of this user (provider and subject) already belongs to a user of the pool.';
  if (error instanceof CognitoError) return error.message;
  throw error;
}

type Candidate = { line: number; user: CheckedUser };

function attributeRows(pool: Pool, user: CheckedUser) {
  return Object.entries(user.values).map(([name, value]) => {
    const verified = VERIFIABLE.includes(name as VerifiableAttribute)
      ? (user.verified[name as VerifiableAttribute] ?? false)
      : null;
    const pendingValue = user.pendingValues[name as VerifiableAttribute] ?? null;
    return {
      userId: user.id,
      poolId: pool.id,
      name,
      value,
      verified,
      pendingValue,
      aliasKey: aliasKeyOf(pool, name, value, verified ?? false),
    };
  });
}

/**
 * Why each candidate would be refused by the database (a sub, or a name of the pool's one
 * sign-in namespace, already taken, or taken by an earlier row of the batch, or claimed twice by
 * the row itself), found with two queries instead of a failed insert per row.
 */
async function conflicts(tx: Queryable, pool: Pool, batch: Candidate[]): Promise<Map<Candidate, string>> {
  const refused = new Map<Candidate, string>();
  const keys = batch.map((c) => usernameKey(pool, c.user.username));
  const aliases = batch.map((c) => attributeRows(pool, c.user).filter((row) => row.aliasKey !== null));
  const names = [...keys, ...aliases.flat().map((row) => row.aliasKey!)];
  const takenNames = new Set(
    (
      await tx
        .select({ key: signInNames.nameKey })
        .from(signInNames)
        .where(and(eq(signInNames.poolId, pool.id), inArray(signInNames.nameKey, names)))
    ).map((r) => r.key),
  );
  const takenSubs = new Set(
    (
      await tx
        .select({ id: users.id })
        .from(users)
        .where(
          inArray(
            users.id,
            batch.map((c) => c.user.id),
          ),
        )
    ).map((r) => r.id),
  );
  batch.forEach((candidate, i) => {
    const own = new Set([keys[i]!]);
    let clash: (typeof aliases)[number][number] | undefined;
    for (const row of aliases[i]!) {
      if (takenNames.has(row.aliasKey!) || own.has(row.aliasKey!)) {
        clash = row;
        break;
      }
      own.add(row.aliasKey!);
    }
    if (takenSubs.has(candidate.user.id)) refused.set(candidate, 'A user with this sub already exists.');
    else if (takenNames.has(keys[i]!)) refused.set(candidate, 'User account already exists');
    else if (clash) refused.set(candidate, aliasExists(clash.name).message);
    if (refused.has(candidate)) return;
    // Accepted: what it claims is taken for the rows after it.
    takenSubs.add(candidate.user.id);
    for (const name of own) takenNames.add(name);
  });
  return refused;
}

/** A batch already checked for conflicts, in two inserts. */
async function insertBatch(tx: Queryable, pool: Pool, batch: Candidate[]): Promise<void> {
  if (batch.length === 0) return;
  const claims = batch.flatMap((c) =>
    attributeRows(pool, c.user).flatMap((row) => (row.aliasKey === null ? [] : [nameLockKey(pool, row.aliasKey)])),
  );
  // The alias locks users.repository takes (same key), in one sorted statement: a concurrent
  // forceAliasCreation waits for this batch instead of missing its claims.
  if (claims.length > 0) {
    const keys = sql.join(
      [...new Set(claims)].sort().map((key) => sql`${key}`),
      sql`, `,
    );
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from (select k from unnest(array[${keys}]::text[]) as k order by k) as claims`,
    );
  }
  await tx.insert(users).values(batch.map(({ user }) => userRow(pool, user)));
  const rows = batch.flatMap(({ user }) => attributeRows(pool, user));
  if (rows.length > 0) await tx.insert(userAttributes).values(rows);
  await insertMfa(
    tx,
    batch.map((c) => c.user),
  );
  await insertIdentities(
    tx,
    pool,
    batch.map((c) => c.user),
  );
  await recordAudits(
    tx,
    batch.map(({ user }) => importAudit(pool, user)),
  );
}

/** `passwordHashCeiling`: what an imported hash may cost, the hasher's `ceiling` (HASH_CEILING unless given). */
export function createUserTransferService(deps: {
  db: Db;
  /** Export reads here (the read replica, if any): a file of many pages may lag a little. */
  reader?: Db;
  pools: PoolsService;
  passwordHashCeiling?: HashCeiling;
  /** Groups and memberships travel with the users when given (docs/user-import.md, "Groups"). */
  groups?: TransferGroupsPort;
  /** The box TOTP secrets are sealed in at rest (src/modules/mfa's): without it, no TOTP secret moves. */
  totpBox?: SealedBox;
}) {
  const { db } = deps;
  /** The boxes for a request: a transfer key given (docs/user-import.md, "MFA") is checked before anything else. */
  const boxesFor = (transferKey: string | undefined): TransferBoxes => {
    if (transferKey === undefined) return { totp: deps.totpBox };
    const transfer = transferBox(transferKey);
    if (!deps.totpBox) throw invalidParameter('TOTP secrets cannot be transferred here.');
    return { totp: deps.totpBox, transfer };
  };

  return {
    /**
     * Looks the pool up first, so a missing pool is a 404 before the stream starts. With
     * `transferKey`, verified TOTP secrets are in the file, sealed with that key.
     */
    async exportUsers(poolId: string, options: { transferKey?: string } = {}): Promise<AsyncGenerator<string>> {
      const boxes = boxesFor(options.transferKey);
      const pool = await deps.pools.getPool(poolId);
      return exportUsers(deps.reader ?? db, pool, EXPORT_PAGE_SIZE, deps.groups, boxes);
    },

    /**
     * Imports rows in transactions of IMPORT_BATCH_SIZE. Each row is checked before it touches the
     * database, then the batch is checked for taken usernames, subs and verified aliases and the
     * rest written in two inserts. Should a concurrent writer take one meanwhile, the batch falls
     * back to one savepoint per row: no row is ever half-imported.
     */
    async importUsers(
      poolId: string,
      rows: AsyncIterable<ImportRow> | ((pool: Pool) => AsyncIterable<ImportRow>),
      options: {
        transferKey?: string;
        /**
         * Called after each batch is written, with the report so far (import jobs keep their
         * counts and notice a stop here; docs/user-import.md, "Import jobs").
         */
        afterBatch?: (report: ImportReport) => Promise<void>;
        /** Every refused row, past the report's first MAX_REPORTED too. */
        onReject?: (rejection: { line: number; username?: string; reason: string }) => void;
      } = {},
    ): Promise<ImportReport> {
      const boxes = boxesFor(options.transferKey);
      const pool = await deps.pools.getPool(poolId);
      const report: ImportReport = { imported: 0, rejectedCount: 0, rejected: [] };
      const reject = (line: number, reason: string, username?: string) => {
        report.rejectedCount += 1;
        options.onReject?.({ line, ...(username !== undefined && { username }), reason });
        if (report.rejected.length < MAX_REPORTED)
          report.rejected.push({ line, ...(username !== undefined && { username }), reason });
      };
      // Rows refused by the checks wait in the batch too, so the report keeps file order.
      let batch: Array<{ line: number; user: CheckedUser } | { line: number; reason: string; username?: string }> = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const pending = batch;
        batch = [];
        const named = pending.filter((item): item is Candidate => 'user' in item);
        const outcome = new Map<Candidate, string | null>();
        if (named.length > 0) {
          await db.transaction(async (tx) => {
            // A user naming a group the pool lacks (and the file did not define) is refused whole.
            let candidates = named;
            const groupNames = [...new Set(named.flatMap((c) => c.user.groups))];
            if (groupNames.length > 0) {
              const existing = deps.groups
                ? await deps.groups.existingGroups(tx, pool.id, groupNames)
                : new Set<string>();
              candidates = named.filter((c) => {
                const missing = c.user.groups.find((name) => !existing.has(name));
                if (missing !== undefined) outcome.set(c, `Group not found: ${missing}.`);
                return missing === undefined;
              });
            }
            const refused = await conflicts(tx, pool, candidates);
            const clean = candidates.filter((c) => !refused.has(c));
            for (const [candidate, reason] of refused) outcome.set(candidate, reason);
            try {
              await tx.transaction(async (savepoint) => {
                await insertBatch(savepoint, pool, clean);
                await insertMemberships(
                  savepoint,
                  pool,
                  clean.map((c) => c.user),
                  deps.groups,
                );
              });
              for (const candidate of clean) outcome.set(candidate, null);
            } catch (error) {
              if (uniqueViolation(error) === undefined) throw error;
              // Someone else took a name or alias since the check: row by row, each in its savepoint.
              for (const candidate of clean) {
                try {
                  await tx.transaction(async (savepoint) => {
                    await insertUser(savepoint, pool, candidate.user);
                    await insertMemberships(savepoint, pool, [candidate.user], deps.groups);
                  });
                  outcome.set(candidate, null);
                } catch (rowError) {
                  outcome.set(candidate, rejection(rowError));
                }
              }
            }
          });
        }
        for (const item of pending) {
          if (!('user' in item)) reject(item.line, item.reason, item.username);
          else if (outcome.get(item) === null) report.imported += 1;
          else reject(item.line, outcome.get(item)!, item.user.username);
        }
        await options.afterBatch?.(report);
      };
      for await (const row of typeof rows === 'function' ? rows(pool) : rows) {
        if (row.error === undefined && isRecord(row.user) && 'group' in row.user) {
          // A group line: the users before it are written first, then the group is made.
          try {
            const group = checkGroupLine(row.user)!;
            if (!deps.groups) throw invalidParameter('Groups cannot be imported here.');
            await flush();
            await deps.groups.ensureGroups(db, pool.id, [group]);
          } catch (error) {
            if (!(error instanceof CognitoError)) throw error;
            batch.push({ line: row.line, reason: error.message });
          }
          continue;
        }
        if (row.error !== undefined) {
          batch.push({
            line: row.line,
            reason: row.error,
            ...(row.username !== undefined && { username: row.username }),
          });
        } else {
          const username = isRecord(row.user) && typeof row.user.username === 'string' ? row.user.username : undefined;
          try {
            batch.push({ line: row.line, user: checkImportRow(pool, row.user, deps.passwordHashCeiling, boxes) });
          } catch (error) {
            if (!(error instanceof CognitoError)) throw error;
            batch.push({ line: row.line, reason: error.message, ...(username !== undefined && { username }) });
          }
        }
        if (batch.length >= IMPORT_BATCH_SIZE) await flush();
      }
      await flush();
      return report;
    },
  };
}

export type UserTransferService = ReturnType<typeof createUserTransferService>;
