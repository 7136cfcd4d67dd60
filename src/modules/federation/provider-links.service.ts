/**
 * AdminLinkProviderForUser and AdminDisableProviderForUser (docs/federation.md, "Users and
 * linking"): which user a provider's subject signs in as, changed by an administrator. The
 * federated_identities rows decide; the `identities` attribute is rewritten from them in the
 * same transaction (identities.ts).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { identityProviders } from '../../db/schema/federation.ts';
import { CognitoError, invalidParameter, userNotFound } from '../../errors/cognito-error.ts';
import { recordAudit } from '../audit/audit.ts';
import type { Pool, PoolsService } from '../pools/pools.service.ts';
import type { SessionsService } from '../tokens/sessions.service.ts';
import {
  findUserBySignInName,
  lockUserWithAttributes,
  updateUser,
  type UserRow,
} from '../user-store/users.repository.ts';
import type { IdentityProviderType } from './federation.types.ts';
import {
  findIdentity,
  identitiesOfUser,
  identityEntries,
  insertIdentity,
  removeIdentity,
  writeIdentitiesAttribute,
} from './identities.ts';

/** Cognito's ProviderUserIdentifierType. */
export interface ProviderUser {
  ProviderName?: string | undefined;
  ProviderAttributeName?: string | undefined;
  ProviderAttributeValue?: string | undefined;
}

/** The ProviderName of a pool's own users in these two actions (not COGNITO, as in SupportedIdentityProviders). */
const COGNITO_NAME = 'Cognito';
/** The one ProviderAttributeName Cognate links by: the provider's own user id. */
export const COGNITO_SUBJECT = 'Cognito_Subject';
/** Cognito's limit: at most five federated identities on one user. */
export const MAX_IDENTITIES_PER_USER = 5;

const admin = { kind: 'admin' } as const;

export function createProviderLinks(deps: {
  db: Db;
  pools: Pick<PoolsService, 'getPool'>;
  sessions: Pick<SessionsService, 'revokeAll'>;
  /** The type of a pool's provider, or null when the pool has none of that name (A's service, or the table). */
  providerType?: (poolId: string, providerName: string) => Promise<IdentityProviderType | null>;
}) {
  const { db } = deps;
  const providerType =
    deps.providerType ??
    (async (poolId: string, providerName: string) => {
      const [row] = await db
        .select({ providerType: identityProviders.providerType })
        .from(identityProviders)
        .where(and(eq(identityProviders.poolId, poolId), eq(identityProviders.providerName, providerName)));
      return row?.providerType ?? null;
    });

  /** A provider's identity named as Cognito names it: an existing provider of the pool and its subject. */
  async function externalIdentity(pool: Pool, member: string, user: ProviderUser) {
    const name = user.ProviderName;
    if (!name) throw invalidParameter(`${member}.ProviderName is required.`);
    if (name.toLowerCase() === COGNITO_NAME.toLowerCase()) {
      throw invalidParameter(
        member === 'SourceUser'
          ? 'SourceUser must be a user of an external identity provider, not a native user.'
          : `${member}.ProviderName ${COGNITO_NAME}: disabling a native user's password sign-in is not supported by Cognate; AdminDisableUser stops every sign-in (docs/federation.md, "Users and linking").`,
      );
    }
    const attribute = user.ProviderAttributeName ?? COGNITO_SUBJECT;
    if (attribute !== COGNITO_SUBJECT) {
      throw invalidParameter(
        `${member}.ProviderAttributeName ${attribute.slice(0, 64)} is not supported by Cognate: identities are linked by ${COGNITO_SUBJECT}, the provider's own user id (docs/federation.md, "Users and linking").`,
      );
    }
    const subject = user.ProviderAttributeValue;
    if (!subject)
      throw invalidParameter(`${member}.ProviderAttributeValue is required: the user's subject at ${name}.`);
    const type = await providerType(pool.id, name);
    if (!type) throw invalidParameter(`${member}.ProviderName: the pool has no identity provider named ${name}.`);
    return { providerName: name, providerType: type, subject };
  }

  /** The destination named by username (or a sign-in alias, as other admin actions take). */
  async function destinationUser(pool: Pool, user: ProviderUser): Promise<UserRow> {
    if (user.ProviderName !== COGNITO_NAME) {
      throw invalidParameter(
        `DestinationUser.ProviderName must be ${COGNITO_NAME}: the destination is a user of the pool, named by its username.`,
      );
    }
    if (!user.ProviderAttributeValue)
      throw invalidParameter('DestinationUser.ProviderAttributeValue is required: the username.');
    const found = await findUserBySignInName(db, pool, user.ProviderAttributeValue);
    if (!found) throw userNotFound();
    return found;
  }

  /** The subject's row taken by someone (a race): told as the check before would have told it. */
  const alreadyFiled = () =>
    invalidParameter(
      'Merging is not currently supported, provide a SourceUser that has not been signed up or linked in order to link.',
    );

  return {
    /**
     * AdminLinkProviderForUser: the source subject signs in as the destination from now on. Only a
     * subject no user holds yet may be linked (a subject that signed up or is linked elsewhere is
     * refused), so a link never moves a subject off the account it signs in to.
     */
    async link(poolId: string, destination: ProviderUser, source: ProviderUser): Promise<void> {
      const pool = await deps.pools.getPool(poolId);
      const identity = await externalIdentity(pool, 'SourceUser', source);
      const target = await destinationUser(pool, destination);
      try {
        await db.transaction(async (tx) => {
          const locked = await lockUserWithAttributes(tx, target.id);
          if (!locked) throw userNotFound();
          // Cognito's rule: a linked sign-in writes mapped attributes, so none may be immutable.
          const immutable = pool.attributeSettings.schema.find(
            (d) => !d.mutable && d.name !== 'sub' && Object.hasOwn(locked.state, d.name),
          );
          if (immutable) {
            throw invalidParameter(
              `DestinationUser has the immutable attribute ${immutable.name}: a linked user's attributes must all be mutable.`,
            );
          }
          const filed = await findIdentity(tx, pool.id, identity.providerName, identity.subject);
          if (filed) {
            // Asked twice: already done.
            if (filed.userId === target.id && !filed.primary) return;
            throw alreadyFiled();
          }
          const held = await identitiesOfUser(tx, target.id);
          if (held.length >= MAX_IDENTITIES_PER_USER) {
            throw new CognitoError(
              'LimitExceededException',
              `A user may have at most ${MAX_IDENTITIES_PER_USER} federated identities; AdminDisableProviderForUser removes one.`,
            );
          }
          await insertIdentity(tx, { poolId: pool.id, ...identity, userId: target.id, primary: false });
          await writeIdentitiesAttribute(tx, target);
          await recordAudit(tx, {
            pool,
            user: target,
            actor: admin,
            action: 'ADMIN_LINK_PROVIDER_FOR_USER',
            details: { identity: { providerName: identity.providerName, change: 'linked' } },
          });
        });
      } catch (error) {
        // The same subject linked or signed up at the same moment: the primary key decided.
        if (uniqueViolation(error) === 'federated_identities_pkey') throw alreadyFiled();
        throw error;
      }
    },

    /**
     * AdminDisableProviderForUser: a linked subject is unlinked (its next sign-in makes a new
     * user); a federated user's own subject cannot be unlinked from it, so that user is disabled
     * instead and its sessions end (AdminEnableUser lets it back in).
     */
    async disableProvider(
      poolId: string,
      user: ProviderUser,
      /** The REST face names the user too: an identity of anyone else is not found. */
      options: { username?: string } = {},
    ): Promise<void> {
      const pool = await deps.pools.getPool(poolId);
      const identity = await externalIdentity(pool, 'User', user);
      const named = options.username === undefined ? undefined : await findUserBySignInName(db, pool, options.username);
      if (options.username !== undefined && !named) throw userNotFound();
      await db.transaction(async (tx) => {
        const filed = await findIdentity(tx, pool.id, identity.providerName, identity.subject);
        if (!filed || (named && filed.userId !== named.id)) throw userNotFound();
        const locked = await lockUserWithAttributes(tx, filed.userId);
        if (!locked) throw userNotFound();
        if (filed.primary) {
          if (!locked.user.enabled) return;
          await updateUser(tx, locked.user.id, { enabled: false, updatedAt: sql`now()` });
          await deps.sessions.revokeAll(tx, locked.user.id);
          await recordAudit(tx, {
            pool,
            user: locked.user,
            actor: admin,
            action: 'ADMIN_DISABLE_PROVIDER_FOR_USER',
            details: { enabled: { from: true, to: false } },
          });
          return;
        }
        // Gone meanwhile (a concurrent unlink): nothing left to do.
        if (!(await removeIdentity(tx, pool.id, identity.providerName, identity.subject))) throw userNotFound();
        await writeIdentitiesAttribute(tx, locked.user);
        await recordAudit(tx, {
          pool,
          user: locked.user,
          actor: admin,
          action: 'ADMIN_DISABLE_PROVIDER_FOR_USER',
          details: { identity: { providerName: identity.providerName, change: 'unlinked' } },
        });
      });
    },

    /** A user's federated identities, oldest first (the REST face's listing). */
    async identitiesOf(poolId: string, username: string) {
      const pool = await deps.pools.getPool(poolId);
      const user = await findUserBySignInName(db, pool, username);
      if (!user) throw userNotFound();
      return identityEntries(await identitiesOfUser(db, user.id));
    },
  };
}

export type ProviderLinksService = ReturnType<typeof createProviderLinks>;
