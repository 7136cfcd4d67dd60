import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { CognitoError, forbidden, invalidParameter } from '../../errors/cognito-error.ts';
import { planDelete, planUpdate, prepareNewUser, type UserAttributeState } from '../attributes/index.ts';
import type { Pool, PoolsService } from '../pools/pools.service.ts';
import { checkPassword } from '../pools/pool-settings.ts';
import type { SessionsService } from '../tokens/sessions.service.ts';
import type { PendingDelivery, VerificationService } from '../verification/verification.service.ts';
import type { Outbox } from '../courier/index.ts';
import { generateTemporaryPassword, type PasswordHasher } from '../user-store/passwords.ts';
import { presentUser } from '../user-store/present-user.ts';
import { srpCredentials } from '../user-store/srp-credentials.ts';
import { issuePlanCodes } from '../verification/user-codes.ts';
import {
  applyPlan,
  findUserBySignInName,
  findUserByUsername,
  insertAttributes,
  loadAttributes,
  lockUser,
  newUserIdentity,
  newUserRow,
  SIGN_IN_NAME_TAKEN,
  deleteAttributeRows,
  deleteUser,
  findUserById,
  insertUser,
  updateUser,
  type UserRow,
  assertPendingNamesFree,
} from '../user-store/users.repository.ts';
import { attributeChanges, listAudit, recordAudit, type AuditActor } from '../audit/audit.ts';
import { noHooks } from '../hooks/hooks.ts';
import type { Hooks } from '../hooks/hooks.types.ts';
import {
  eventAttributes,
  readPreSignUpAnswer,
  withClientMetadata,
  type ClientMetadata,
} from '../triggers/trigger-events.ts';

/** Every write here is an administrator's. */
const admin: AuditActor = { kind: 'admin' };

/** The part of the outbox an invitation needs (the temporary password travels as its secret). */
export interface InvitationOutbox {
  enqueue(
    tx: Queryable,
    message: {
      poolId: string;
      userId: string;
      username: string;
      medium: 'EMAIL' | 'SMS';
      destination: string;
      purpose: 'ADMIN_INVITATION';
      secret: string;
      locale?: string | null;
      /** For the CustomMessage trigger (CustomMessage_AdminCreateUser). */
      context?: { triggerSource?: string; clientMetadata?: ClientMetadata };
    },
  ): Promise<unknown>;
  sendNow(queued: unknown[]): Promise<void>;
  history: Outbox['history'];
}

export interface AdminCreateUserInput {
  username: string;
  temporaryPassword?: string;
  userAttributes?: Record<string, string>;
  forceAliasCreation?: boolean;
  /** SUPPRESS: no invitation. RESEND: a new invitation (and temporary password) to a user not yet signed in. */
  messageAction?: 'SUPPRESS' | 'RESEND';
  desiredDeliveryMediums?: Array<'EMAIL' | 'SMS'>;
  /** For the PreSignUp trigger only (Cognito's ValidationData); never stored. */
  validationData?: Record<string, string>;
  clientMetadata?: ClientMetadata;
}

const MEDIUM_ATTRIBUTE = { EMAIL: 'email', SMS: 'phone_number' } as const;
const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export function createAdminUsersService(deps: {
  db: Db;
  /** The audit trail is read here (the read replica, if any): it may lag a little. */
  reader?: Db;
  pools: PoolsService;
  passwords: PasswordHasher;
  outbox: InvitationOutbox;
  verification: VerificationService;
  sessions: SessionsService;
  /** The pool's triggers: PreSignUp_AdminCreateUser and AdminConfirmSignUp's PostConfirmation (docs/trigger-events.md). */
  hooks?: Hooks;
}) {
  const { db } = deps;
  const hooks = deps.hooks ?? noHooks;

  /**
   * The pool and the user an admin call names: the username, or (as Cognito's admin actions
   * accept) a sign-in alias such as a verified email, or the email or phone of a username-attribute pool.
   */
  async function target(poolId: string, username: string): Promise<{ pool: Pool; user: UserRow }> {
    const pool = await deps.pools.getPool(poolId);
    const user = await findUserBySignInName(db, pool, username);
    if (!user) throw userNotFound();
    return { pool, user };
  }

  /** Runs a write on the locked user row; a user deleted meanwhile is a user not found. */
  async function lockedWrite<T>(
    poolId: string,
    username: string,
    work: (tx: Tx, pool: Pool, user: UserRow) => Promise<T>,
  ): Promise<T> {
    const { pool, user } = await target(poolId, username);
    return db.transaction(async (tx) => {
      const locked = await lockUser(tx, user.id);
      if (!locked) throw userNotFound();
      return work(tx, pool, locked);
    });
  }

  async function present(q: Queryable, pool: Pool, userId: string) {
    const user = (await findUserById(q, userId))!;
    return presentUser(pool, user, await loadAttributes(q, user));
  }

  /** Queues the invitation on each medium asked for (by default: email if the user has one, else SMS). */
  async function queueInvitations(
    tx: Queryable,
    pool: Pool,
    user: UserRow,
    state: UserAttributeState,
    password: string,
    input: AdminCreateUserInput,
  ) {
    const mediums = input.desiredDeliveryMediums ?? [state.email ? 'EMAIL' : 'SMS'];
    const queued: unknown[] = [];
    for (const medium of new Set(mediums)) {
      const destination = state[MEDIUM_ATTRIBUTE[medium]]?.value;
      if (!destination) {
        // Asked for explicitly, a missing channel is the caller's mistake; by default, no channel means no message.
        if (input.desiredDeliveryMediums)
          throw invalidParameter(
            `Cannot send the invitation by ${medium}: the user has no ${MEDIUM_ATTRIBUTE[medium]}.`,
          );
        continue;
      }
      queued.push(
        await deps.outbox.enqueue(tx, {
          poolId: pool.id,
          userId: user.id,
          username: user.username,
          medium,
          destination,
          purpose: 'ADMIN_INVITATION',
          secret: password,
          locale: state.locale?.value ?? null,
          context: { triggerSource: 'CustomMessage_AdminCreateUser', ...withClientMetadata(input.clientMetadata) },
        }),
      );
    }
    return queued;
  }

  async function resendInvitation(pool: Pool, input: AdminCreateUserInput) {
    const existing = await findUserByUsername(db, pool, input.username);
    if (!existing) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    if (existing.status !== 'FORCE_CHANGE_PASSWORD') {
      throw new CognitoError(
        'UnsupportedUserStateException',
        `Resend not possible. ${existing.username} status is not FORCE_CHANGE_PASSWORD.`,
      );
    }
    const password = input.temporaryPassword ?? generateTemporaryPassword(pool.policies.password);
    checkPassword(pool.policies.password, password);
    const passwordHash = await deps.passwords.hash(password);
    let queued: unknown[] = [];
    const result = await db.transaction(async (tx) => {
      const user = (await lockUser(tx, existing.id))!;
      await updateUser(tx, user.id, {
        passwordHash,
        ...srpCredentials(pool, user.username, password),
        updatedAt: sql`now()`,
      });
      await recordAudit(tx, {
        pool,
        user,
        actor: admin,
        action: 'ADMIN_RESEND_INVITATION',
        details: { password: 'reset' },
      });
      const state = await loadAttributes(tx, user);
      queued = await queueInvitations(tx, pool, user, state, password, input);
      return presentUser(pool, user, state);
    });
    await deps.outbox.sendNow(queued);
    return result;
  }

  return {
    /** The user's audit trail, newest first: who changed what and when (never passwords or codes). */
    async auditTrail(poolId: string, username: string, page: { limit: number; paginationToken?: string }) {
      const { pool, user } = await target(poolId, username);
      return listAudit(deps.reader ?? db, pool, user.id, page);
    },

    /** AdminGetUser: every attribute, no client filter (never a pending value). */
    async getUser(poolId: string, username: string) {
      const { pool, user } = await target(poolId, username);
      return presentUser(pool, user, await loadAttributes(db, user));
    },

    /**
     * AdminUpdateUserAttributes: the schema still holds (types, immutability, required), client
     * lists do not. A verified flag "true" with a new email or phone applies it at once with no
     * message; without it, an auto-verified attribute gets a code (keep-original holds it pending),
     * as Cognito sends one for admin updates too. Answers the updated user.
     */
    async updateAttributes(
      poolId: string,
      username: string,
      changes: Record<string, string>,
      clientMetadata?: ClientMetadata,
    ) {
      const deliveries: PendingDelivery[] = [];
      const result = await lockedWrite(poolId, username, async (tx, pool, user) => {
        const state = await loadAttributes(tx, user);
        const plan = planUpdate(pool.attributeSettings, { kind: 'admin' }, state, changes);
        // As for users: a pending value another user signs in with could never be verified.
        await assertPendingNamesFree(tx, pool, plan, user.id);
        const changed = attributeChanges(pool, state, await applyPlan(tx, pool, user.id, state, plan));
        if (changed.length > 0)
          await recordAudit(tx, {
            pool,
            user,
            actor: admin,
            action: 'ADMIN_UPDATE_ATTRIBUTES',
            details: { attributes: changed },
          });
        deliveries.push(
          ...(await issuePlanCodes(deps.verification, tx, pool, user, plan, {
            triggerSource: 'CustomMessage_UpdateUserAttribute',
            ...withClientMetadata(clientMetadata),
          })),
        );
        return present(tx, pool, user.id);
      });
      await deps.verification.deliver(deliveries);
      return result;
    },

    /** AdminDeleteUserAttributes: the rules of a blank value on update (required and immutable stay). */
    async deleteAttributes(poolId: string, username: string, names: string[]) {
      await lockedWrite(poolId, username, async (tx, pool, user) => {
        const state = await loadAttributes(tx, user);
        const doomed = planDelete(pool.attributeSettings, { kind: 'admin' }, state, names);
        if (doomed.length === 0) return;
        await deleteAttributeRows(tx, user.id, doomed);
        await updateUser(tx, user.id, { updatedAt: sql`now()` });
        const attributes = attributeChanges(pool, state, await loadAttributes(tx, user));
        await recordAudit(tx, { pool, user, actor: admin, action: 'ADMIN_DELETE_ATTRIBUTES', details: { attributes } });
      });
    },

    /**
     * AdminConfirmSignUp: UNCONFIRMED becomes CONFIRMED; email and phone stay as verified as they were.
     * PostConfirmation runs after the commit: its failure is answered, and the user stays confirmed.
     */
    async confirmSignUp(poolId: string, username: string, clientMetadata?: ClientMetadata) {
      const confirmed = await lockedWrite(poolId, username, async (tx, pool, user) => {
        if (user.status !== 'UNCONFIRMED')
          throw forbidden(`User cannot be confirmed. Current status is ${user.status}`);
        await updateUser(tx, user.id, { status: 'CONFIRMED', updatedAt: sql`now()` });
        await recordAudit(tx, {
          pool,
          user,
          actor: admin,
          action: 'ADMIN_CONFIRM_SIGN_UP',
          details: { status: { from: user.status, to: 'CONFIRMED' } },
        });
        return { pool, user, presented: await present(tx, pool, user.id) };
      });
      const { pool, user, presented } = confirmed;
      if (hooks.has(pool, 'PostConfirmation')) {
        await hooks.call(pool, {
          trigger: 'PostConfirmation',
          triggerSource: 'PostConfirmation_ConfirmSignUp',
          userName: user.username,
          request: {
            userAttributes: eventAttributes(await loadAttributes(db, user), 'CONFIRMED'),
            ...withClientMetadata(clientMetadata),
          },
          response: {},
        });
      }
      return presented;
    },

    /**
     * AdminDisableUser / AdminEnableUser. Sessions are kept, as in Cognito, but every sign-in,
     * refresh and access-token check reads `enabled`, so a disabled user's tokens stop at once.
     */
    async setEnabled(poolId: string, username: string, enabled: boolean) {
      return lockedWrite(poolId, username, async (tx, pool, user) => {
        if (user.enabled !== enabled) {
          await updateUser(tx, user.id, { enabled, updatedAt: sql`now()` });
          // As Cognito's AdminDisableUser: every session ends, so enabling again needs a new sign-in.
          if (!enabled) await deps.sessions.revokeAll(tx, user.id);
          const action = enabled ? 'ADMIN_ENABLE_USER' : 'ADMIN_DISABLE_USER';
          await recordAudit(tx, {
            pool,
            user,
            actor: admin,
            action,
            details: { enabled: { from: user.enabled, to: enabled } },
          });
        }
        return present(tx, pool, user.id);
      });
    },

    /** AdminUserGlobalSignOut: every refresh token, and the access tokens issued from them. */
    async globalSignOut(poolId: string, username: string) {
      const { user } = await target(poolId, username);
      await deps.sessions.revokeAll(db, user.id);
    },

    /** AdminDeleteUser: attributes, codes and sessions go with the row; the username is free again. */
    async deleteUser(poolId: string, username: string) {
      const { pool, user } = await target(poolId, username);
      await db.transaction(async (tx) => {
        if (!(await deleteUser(tx, user.id))) throw userNotFound();
        await recordAudit(tx, {
          pool,
          user,
          actor: admin,
          action: 'ADMIN_DELETE_USER',
          details: { status: { from: user.status, to: null } },
        });
      });
    },

    /**
     * What was sent to a user, newest first, with every try: for operators chasing a lost code.
     * The payload (code or temporary password) is never read here.
     */
    async recentMessages(poolId: string, username: string, limit: number) {
      const pool = await deps.pools.getPool(poolId);
      const user = await findUserByUsername(db, pool, username);
      if (!user) throw new CognitoError('UserNotFoundException', 'User does not exist.');
      return deps.outbox.history(user.id, limit);
    },

    /**
     * AdminCreateUser: status FORCE_CHANGE_PASSWORD with a temporary password (given, or made
     * here) sent in an invitation; admin writes ignore client lists but obey the schema, may
     * set verified flags, and may omit required attributes (asked for at first sign-in).
     */
    async createUser(poolId: string, input: AdminCreateUserInput) {
      const pool = await deps.pools.getPool(poolId);
      if (input.messageAction === 'RESEND') return resendInvitation(pool, input);

      const { kind, attributes, usernameFor } = newUserIdentity(pool, input.username, input.userAttributes);
      const prepared = prepareNewUser(pool.attributeSettings, { kind: 'admin' }, attributes, 'admin-create');
      const password = input.temporaryPassword ?? generateTemporaryPassword(pool.policies.password);
      checkPassword(pool.policies.password, password);
      const passwordHash = await deps.passwords.hash(password);
      const sub = randomUUID();
      const username = usernameFor(sub);
      // PreSignUp decides before anything is written: a refusal leaves no user and sends no invitation.
      const verified = { ...prepared.verified };
      if (hooks.has(pool, 'PreSignUp')) {
        if (await findUserBySignInName(db, pool, input.username))
          throw new CognitoError('UsernameExistsException', 'User account already exists');
        const auto = readPreSignUpAnswer(
          await hooks.call(pool, {
            trigger: 'PreSignUp',
            triggerSource: 'PreSignUp_AdminCreateUser',
            userName: username,
            request: {
              userAttributes: { ...prepared.values },
              validationData: input.validationData ?? null,
              ...withClientMetadata(input.clientMetadata),
            },
            response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
          }),
          prepared.values,
        );
        // An invited user is created FORCE_CHANGE_PASSWORD whatever autoConfirmUser says (docs/trigger-events.md).
        if (auto.autoVerifyEmail) verified.email = true;
        if (auto.autoVerifyPhone) verified.phone_number = true;
      }
      // Built before the transaction: its SRP verifier is milliseconds of CPU that must not hold a connection.
      const row = newUserRow(pool, { id: sub, username, status: 'FORCE_CHANGE_PASSWORD', passwordHash, password });

      let queued: unknown[] = [];
      let result;
      try {
        result = await db.transaction(async (tx) => {
          const user = await insertUser(tx, row);
          await insertAttributes(tx, pool, sub, prepared.values, verified, {
            forceAlias: input.forceAliasCreation === true,
          });
          const state = await loadAttributes(tx, user);
          await recordAudit(tx, {
            pool,
            user: user,
            actor: admin,
            action: 'ADMIN_CREATE_USER',
            details: {
              status: { from: null, to: 'FORCE_CHANGE_PASSWORD' },
              password: 'set',
              attributes: attributeChanges(pool, {}, state),
            },
          });
          if (input.messageAction !== 'SUPPRESS')
            queued = await queueInvitations(tx, pool, user, state, password, input);
          return presentUser(pool, user, state);
        });
      } catch (error) {
        const constraint = uniqueViolation(error);
        if (constraint === 'users_pool_username_key' || constraint === SIGN_IN_NAME_TAKEN)
          throw new CognitoError('UsernameExistsException', 'User account already exists');
        if (kind !== 'username' && error instanceof CognitoError && error.name === 'AliasExistsException') {
          throw new CognitoError('UsernameExistsException', `An account with the given ${kind} already exists.`);
        }
        throw error;
      }
      await deps.outbox.sendNow(queued);
      return result;
    },
  };
}

export type AdminUsersService = ReturnType<typeof createAdminUsersService>;
