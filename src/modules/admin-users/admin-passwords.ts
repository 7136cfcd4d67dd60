import { sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import {
  CognitoError,
  federatedNoPassword,
  forbidden,
  invalidParameter,
  userNotFound,
} from '../../errors/cognito-error.ts';
import { recordAudit, type AuditActor } from '../audit/audit.ts';
import type { CodeDeliveryDetails } from '../courier/index.ts';
import { adminOnlyRecovery, checkPassword, recoveryChannel } from '../pools/pool-settings.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { SessionsService } from '../tokens/sessions.service.ts';
import { withClientMetadata, type ClientMetadata } from '../triggers/trigger-events.ts';
import type { PasswordHasher } from '../user-store/passwords.ts';
import { srpCredentials } from '../user-store/srp-credentials.ts';
import { findUserBySignInName, loadAttributes, lockUser, updateUser } from '../user-store/users.repository.ts';
import { issueUserCode, withDeliveries } from '../verification/user-codes.ts';
import type { VerificationService } from '../verification/verification.service.ts';

/**
 * The administrator's password actions (docs/admin-auth.md): AdminSetUserPassword and
 * AdminResetUserPassword. Both end everything the user had open: refresh tokens (and the access
 * tokens issued from them) and pending sign-ins (custom, MFA, device, USER_AUTH sessions; a
 * NEW_PASSWORD_REQUIRED session dies with the password it proved, sign-in.service.ts).
 */

const admin: AuditActor = { kind: 'admin' };

export function createAdminPasswordsService(deps: {
  db: Db;
  pools: Pick<PoolsService, 'getPool'>;
  passwords: PasswordHasher;
  sessions: Pick<SessionsService, 'revokeAll'>;
  verification: VerificationService;
  /** Ends the user's pending sign-in sessions, in the caller's transaction (sign-in's auth sessions). */
  endSignIns: (q: Queryable, userId: string) => Promise<void>;
}) {
  const { db } = deps;

  /** The pool and the user an admin call names (the username or a sign-in alias, as Cognito's admin actions take). */
  async function target(poolId: string, username: string) {
    const pool = await deps.pools.getPool(poolId);
    const user = await findUserBySignInName(db, pool, username);
    if (!user) throw userNotFound();
    // A password would make a federated user a native one, outside its provider (docs/federation.md, "Users and linking").
    if (user.status === 'EXTERNAL_PROVIDER') throw federatedNoPassword();
    return { pool, user };
  }

  /** Refresh tokens and pending sign-ins, in the transaction of the change. */
  async function endEverything(tx: Queryable, userId: string) {
    await deps.sessions.revokeAll(tx, userId);
    await deps.endSignIns(tx, userId);
  }

  return {
    /**
     * AdminSetUserPassword: permanent, the user is CONFIRMED with it (whatever the status was,
     * UNCONFIRMED included, as Cognito documents: "works on any user"); temporary, the user is
     * FORCE_CHANGE_PASSWORD and must choose a password at the next sign-in (NEW_PASSWORD_REQUIRED).
     */
    async setUserPassword(poolId: string, username: string, input: { password: string; permanent: boolean }) {
      const { pool, user } = await target(poolId, username);
      checkPassword(pool.policies.password, input.password);
      const passwordHash = await deps.passwords.hash(input.password);
      const status = input.permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
      await db.transaction(async (tx) => {
        const locked = await lockUser(tx, user.id);
        if (!locked) throw userNotFound();
        await updateUser(tx, locked.id, {
          passwordHash,
          ...srpCredentials(pool, locked.username, input.password),
          status,
          updatedAt: sql`now()`,
        });
        await endEverything(tx, locked.id);
        await recordAudit(tx, {
          pool,
          user: locked,
          actor: admin,
          action: 'ADMIN_SET_USER_PASSWORD',
          details: {
            password: 'set',
            ...(locked.status !== status && { status: { from: locked.status, to: status } }),
          },
        });
      });
    },

    /**
     * AdminResetUserPassword: the user becomes RESET_REQUIRED (the password still proves who they
     * are, and sign-in answers PasswordResetRequiredException), a code goes out as ForgotPassword's
     * does, and ConfirmForgotPassword with it sets the new password. Refused, changing nothing,
     * where the pool's recovery is admin_only or the user has no verified channel of it.
     */
    async resetUserPassword(
      poolId: string,
      username: string,
      clientMetadata?: ClientMetadata,
    ): Promise<{ codeDeliveryDetails: CodeDeliveryDetails }> {
      const { pool, user } = await target(poolId, username);
      if (adminOnlyRecovery(pool.policies))
        throw invalidParameter(
          'AdminResetUserPassword needs self-service account recovery, and this pool’s AccountRecoverySetting is admin_only; use AdminSetUserPassword.',
        );
      if (!user.enabled) throw forbidden('User is disabled.');
      const delivery = await withDeliveries(deps.verification, async (deliveries) => {
        await db.transaction(async (tx) => {
          const locked = await lockUser(tx, user.id);
          if (!locked) throw userNotFound();
          const state = await loadAttributes(tx, locked);
          const channel = recoveryChannel(pool, state);
          if (!channel)
            throw invalidParameter(
              'Cannot reset password for the user as there is no registered/verified email or phone_number',
            );
          deliveries.push(
            await issueUserCode(
              deps.verification,
              tx,
              pool,
              locked,
              'FORGOT_PASSWORD',
              channel,
              state[channel]!.value,
              undefined,
              { triggerSource: 'CustomMessage_ForgotPassword', ...withClientMetadata(clientMetadata) },
            ),
          );
          await updateUser(tx, locked.id, { status: 'RESET_REQUIRED', updatedAt: sql`now()` });
          await endEverything(tx, locked.id);
          await recordAudit(tx, {
            pool,
            user: locked,
            actor: admin,
            action: 'ADMIN_RESET_USER_PASSWORD',
            details: {
              password: 'reset',
              ...(locked.status !== 'RESET_REQUIRED' && { status: { from: locked.status, to: 'RESET_REQUIRED' } }),
            },
          });
        });
        return deliveries[0];
      });
      if (!delivery) throw new CognitoError('InternalErrorException', 'The reset code was not queued.');
      return { codeDeliveryDetails: delivery.details };
    },
  };
}

export type AdminPasswordsService = ReturnType<typeof createAdminPasswordsService>;
