/**
 * A pool's lifecycle after creation (docs/pools.md): its settings replaced as a whole (Cognito's
 * UpdateUserPool) or changed member by member (the REST PATCH), its tags, and its deletion. Each
 * change is one transaction on the locked pool row: every member is checked before anything is
 * written, so a refused one changes nothing.
 */
import { eq } from 'drizzle-orm';
import { pools } from '../../db/schema/pools.ts';
import type { Db, Queryable } from '../../db/client.ts';
import { invalidParameter } from '../../errors/cognito-error.ts';
import { buildPoolAttributeSettings, type VerifiableAttribute } from '../attributes/index.ts';
import { checkLambdaConfig, type HookArns } from '../hooks/lambda-config.ts';
import { checkPoolMfa } from '../mfa/mfa-config.ts';
import type { MfaConfiguration } from '../mfa/mfa.types.ts';
import type { DeviceConfiguration } from '../devices/devices.types.ts';
import type { SignInPolicy } from '../sign-in/sign-in-policy.types.ts';
import { validateMessageTemplates } from './message-templates.ts';
import { defaultPolicies, resolvePolicies, type AccountRecoverySetting, type PasswordPolicy } from './pool-settings.ts';
import type { Pool, PoolMessageTemplates } from './pools.types.ts';

/**
 * Everything Cognito's UpdateUserPool sets, already at Cognito's defaults where the request left a
 * member out (the protocol face decides the defaults). Name and MFA setting absent: kept.
 */
export interface PoolReplacement {
  name?: string;
  /** Members absent: Cognito's default policy (8 characters, every class). */
  password: Partial<PasswordPolicy>;
  signInPolicy: SignInPolicy;
  /** Absent: kept (docs/pools.md: a reset never lifts a protection silently). */
  deletionProtection?: boolean;
  /** The hooks as Cognito's LambdaConfig names them; `{}` removes them all. */
  lambdaConfig: unknown;
  autoVerifiedAttributes: VerifiableAttribute[];
  keepOriginalAttributes: VerifiableAttribute[];
  /** Absent: kept. ON or OPTIONAL with no factor on turns SMS on, as CreateUserPool does. */
  mfaConfiguration?: MfaConfiguration;
  /** The AUTHENTICATION template's SMS text; absent: the built-in one. */
  smsAuthenticationMessage?: string;
  deviceConfiguration: DeviceConfiguration | null;
  /** Absent: the default (verified email, then verified phone). */
  accountRecovery?: AccountRecoverySetting;
  /** Absent: kept (tags change with TagResource and UntagResource; docs/pools.md). */
  tags?: Record<string, string>;
  /** The AWS plumbing kept and shown (docs/cognito-settings.md), replacing what was kept. */
  awsPlumbing?: Record<string, unknown>;
}

/** The REST PATCH: only the members given change. */
export interface PoolPatch {
  name?: string;
  password?: Partial<PasswordPolicy>;
  deletionProtection?: boolean;
  /** Replaces the whole set of tags. */
  tags?: Record<string, string>;
}

// ---- Tags (Cognito's limits, docs/pools.md) --------------------------------------------------------

export const MAX_TAGS = 50;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function checkTagKey(key: string): void {
  const shown = JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  if (key.length < 1 || key.length > 128) throw invalidParameter(`Tag key ${shown} must be 1 to 128 characters.`);
  if (!TAG_KEY.test(key))
    throw invalidParameter(
      `Tag key ${shown} may contain only letters, digits, spaces and _ . : / = + - @ (Cognito's TagKeysType).`,
    );
  if (key.toLowerCase().startsWith('aws:')) throw invalidParameter(`Tag key ${shown}: the aws: prefix is reserved.`);
}

/** Checks a set of tags against Cognito's limits: 50 tags, keys 1–128 characters, values up to 256, no aws: keys. */
export function checkTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw invalidParameter(`A user pool can have at most ${MAX_TAGS} tags.`);
  for (const [key, value] of entries) {
    checkTagKey(key);
    if (typeof value !== 'string' || value.length > 256 || !TAG_KEY.test(value))
      throw invalidParameter(
        `The value of tag ${JSON.stringify(key)} must be at most 256 letters, digits, spaces and _ . : / = + - @.`,
      );
  }
  return Object.fromEntries(entries);
}

const deletionProtected = () =>
  invalidParameter(
    'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
  );

/** The AUTHENTICATION template with its default SMS text set, or removed (the built-in text). */
function withAuthenticationSms(templates: PoolMessageTemplates, smsText: string | undefined): PoolMessageTemplates {
  const entry = templates.AUTHENTICATION ?? {};
  const { smsText: _old, ...rest } = entry.default ?? {};
  const byDefault = smsText === undefined ? rest : { ...rest, smsText };
  const { default: _default, ...others } = entry;
  const next = { ...others, ...(Object.keys(byDefault).length > 0 && { default: byDefault }) };
  const { AUTHENTICATION: _auth, ...purposes } = templates;
  return validateMessageTemplates({ ...purposes, ...(Object.keys(next).length > 0 && { AUTHENTICATION: next }) });
}

export function createPoolUpdates(deps: {
  db: Db;
  hookArns?: HookArns;
  poolNotFound: (poolId: string) => Error;
  /** A change that may affect cached client data (the CORS allow-list). */
  invalidate: () => void;
}) {
  const { db } = deps;

  async function locked(tx: Queryable, poolId: string): Promise<Pool> {
    const [pool] = await tx.select().from(pools).where(eq(pools.id, poolId)).for('update');
    if (!pool) throw deps.poolNotFound(poolId);
    return pool;
  }

  async function write(tx: Queryable, poolId: string, set: Partial<typeof pools.$inferInsert>): Promise<Pool> {
    const [pool] = await tx
      .update(pools)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(pools.id, poolId))
      .returning();
    return pool!;
  }

  return {
    checkTags,

    /**
     * Cognito's UpdateUserPool: the settings it names replaced as a whole (docs/pools.md). The
     * schema, sign-in names, case sensitivity, SRP, lifetimes and code limits are not its to change.
     */
    async replaceSettings(poolId: string, input: PoolReplacement): Promise<Pool> {
      const lambdaConfig = checkLambdaConfig(input.lambdaConfig, deps.hookArns ?? {});
      const lists = buildPoolAttributeSettings({
        autoVerifiedAttributes: input.autoVerifiedAttributes,
        keepOriginalAttributes: input.keepOriginalAttributes,
      });
      const tags = input.tags && checkTags(input.tags);
      return db.transaction(async (tx) => {
        const current = await locked(tx, poolId);
        const { awsPlumbing: _replaced, ...kept } = current.policies;
        const policies = resolvePolicies(
          {
            password: { ...defaultPolicies.password, ...input.password },
            deletionProtection: input.deletionProtection ?? current.policies.deletionProtection ?? false,
            ...(input.accountRecovery && { accountRecovery: input.accountRecovery }),
            ...(input.awsPlumbing && { awsPlumbing: input.awsPlumbing }),
          },
          { ...kept, accountRecovery: input.accountRecovery ?? defaultPolicies.accountRecovery! },
        );
        const mode = input.mfaConfiguration ?? current.mfaConfiguration;
        const anyFactor = Object.values(current.mfaFactors).some(Boolean);
        const mfa = checkPoolMfa(
          mode,
          mode !== 'OFF' && !anyFactor ? { ...current.mfaFactors, sms: true } : current.mfaFactors,
        );
        return write(tx, poolId, {
          ...(input.name !== undefined && { name: input.name }),
          attributeSettings: {
            ...current.attributeSettings,
            autoVerifiedAttributes: lists.autoVerifiedAttributes,
            keepOriginalAttributes: lists.keepOriginalAttributes,
          },
          policies,
          lambdaConfig,
          signInPolicy: input.signInPolicy,
          mfaConfiguration: mfa.mode,
          mfaFactors: mfa.factors,
          messageTemplates: withAuthenticationSms(current.messageTemplates, input.smsAuthenticationMessage),
          deviceConfiguration: input.deviceConfiguration,
          ...(tags && { tags }),
        });
      });
    },

    /** The REST PATCH: the members given change, the others stay (docs/api.md). */
    async patchSettings(poolId: string, patch: PoolPatch): Promise<Pool> {
      const tags = patch.tags && checkTags(patch.tags);
      return db.transaction(async (tx) => {
        const current = await locked(tx, poolId);
        const policies = resolvePolicies(
          {
            ...(patch.password && { password: patch.password }),
            ...(patch.deletionProtection !== undefined && { deletionProtection: patch.deletionProtection }),
          },
          current.policies,
        );
        return write(tx, poolId, {
          ...(patch.name !== undefined && { name: patch.name }),
          policies,
          ...(tags && { tags }),
        });
      });
    },

    /** TagResource: adds or overwrites these tags; at most 50 in all. */
    async tagPool(poolId: string, tags: Record<string, string>): Promise<Pool> {
      checkTags(tags);
      return db.transaction(async (tx) => {
        const current = await locked(tx, poolId);
        return write(tx, poolId, { tags: checkTags({ ...current.tags, ...tags }) });
      });
    },

    /** UntagResource: removes these keys; a key the pool does not have is no error. */
    async untagPool(poolId: string, keys: string[]): Promise<Pool> {
      keys.forEach(checkTagKey);
      return db.transaction(async (tx) => {
        const current = await locked(tx, poolId);
        const tags = Object.fromEntries(Object.entries(current.tags).filter(([key]) => !keys.includes(key)));
        return write(tx, poolId, { tags });
      });
    },

    /**
     * Deletes the pool and everything of it (every table's rows cascade from the pool): users,
     * clients, sessions, codes, signing keys, hook secrets, groups, devices, queued messages, the
     * audit trail. Refused while deletion protection is on. Its tokens stop working at once: an
     * access token is checked against its session, which is gone.
     */
    async deletePool(poolId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const current = await locked(tx, poolId);
        if (current.policies.deletionProtection) throw deletionProtected();
        await tx.delete(pools).where(eq(pools.id, poolId));
      });
      deps.invalidate();
    },
  };
}
