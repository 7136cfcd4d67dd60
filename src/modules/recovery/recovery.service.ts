import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  CognitoError,
  federatedNoPassword,
  forbidden,
  invalidParameter,
  userNotFound,
} from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import { recordAudit } from '../audit/audit.ts';
import { codeDeliveryDetails } from '../courier/index.ts';
import { codeMismatch, NO_USER, type HiddenExistence } from '../hidden-existence/hidden-existence.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import { adminOnlyRecovery, checkPassword, recoveryChannel, recoveryChannels } from '../pools/pool-settings.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { SessionsService } from '../tokens/sessions.service.ts';
import type { PasswordHasher } from '../user-store/passwords.ts';
import { srpCredentials } from '../user-store/srp-credentials.ts';
import {
  findUserBySignInName,
  loadAttributes,
  lockUser,
  updateUser,
  type UserRow,
} from '../user-store/users.repository.ts';
import { issueUserCode, withDeliveries } from '../verification/user-codes.ts';
import type { VerificationService } from '../verification/verification.service.ts';
import { noHooks } from '../hooks/hooks.ts';
import type { Hooks } from '../hooks/hooks.types.ts';
import { eventAttributes, isHookFailure, withClientMetadata, type ClientMetadata } from '../triggers/trigger-events.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import type { UserMigration } from '../user-migration/user-migration.ts';

/** Recovery: ForgotPassword and ConfirmForgotPassword. */
export function createRecoveryService(deps: {
  db: Db;
  pools: PoolsService;
  sessions: SessionsService;
  verification: VerificationService;
  passwords: PasswordHasher;
  /** Stand-in answers where the client hides whether a user exists. */
  hiding: HiddenExistence;
  logger: Logger;
  metrics?: AuthMetrics;
  /** The pool's triggers: PostConfirmation_ConfirmForgotPassword after a reset (docs/trigger-events.md). */
  hooks?: Hooks;
  /** UserMigration_ForgotPassword: a name no user has asks the pool's hook (docs/trigger-events.md). */
  migration?: UserMigration;
}) {
  const { db, verification, hiding } = deps;
  const metrics = deps.metrics ?? noAuthMetrics;
  const hooks = deps.hooks ?? noHooks;

  /**
   * UserMigration_ForgotPassword: the user the hook's answer created (RESET_REQUIRED, no password),
   * who then gets a code as any user. Where the client hides user existence, a failure leaves the
   * name unknown and is answered as an unknown user's (a refusal would tell the name is unknown here).
   */
  async function migrate(
    pool: Pool,
    client: AppClient,
    input: { username: string; clientMetadata?: ClientMetadata },
  ): Promise<UserRow | undefined> {
    try {
      return await deps.migration!.migrate(pool, client, {
        source: 'UserMigration_ForgotPassword',
        name: input.username,
        clientMetadata: input.clientMetadata,
      });
    } catch (error) {
      const expected = isHookFailure(error) || (error instanceof CognitoError && error.name === 'AliasExistsException');
      if (!client.preventUserExistenceErrors || !expected) throw error;
      deps.logger.info({ poolId: pool.id, err: error }, 'user migration failed; answered as for an unknown user');
      return undefined;
    }
  }

  return {
    /**
     * ForgotPassword: a code to a verified email, else a verified phone (email first, as Cognito's
     * recommended recovery setting). With keep-original on, the current verified value gets it,
     * never a pending one: an unproven address must not be able to take the account.
     */
    async forgotPassword(input: { clientId: string; username: string; clientMetadata?: ClientMetadata }) {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      // admin_only (docs/cognito-settings.md): refused before any lookup, alike for every name, so it tells no one who exists.
      if (adminOnlyRecovery(pool.policies)) throw forbidden('Contact administrator to reset password.');
      let user = await findUserBySignInName(db, pool, input.username);
      if (!user && deps.migration?.enabled(pool)) user = await migrate(pool, client, input);
      // Hidden users (unknown, disabled, or with nowhere to send) get a plausible answer and no message:
      // on the pool's only recovery channel when it has one, as every real answer there is.
      // The recovery channels the pool verifies first: where real users' codes mostly go.
      const recovery = recoveryChannels(pool.policies);
      const verifiedFirst = [
        ...recovery.filter((name) => pool.attributeSettings.autoVerifiedAttributes.includes(name)),
        ...recovery,
      ];
      const hide = () => ({ codeDeliveryDetails: hiding.simulatedDelivery(pool, input.username, verifiedFirst) });
      // A federated user has no password here to reset (docs/federation.md, "Users and linking").
      const federated = user?.status === 'EXTERNAL_PROVIDER';
      if (!user || !user.enabled || federated) {
        if (!client.preventUserExistenceErrors)
          throw !user ? userNotFound() : federated ? federatedNoPassword() : forbidden('User is disabled.');
        // The same read as a real user's answer below, so the time taken tells nothing either.
        await loadAttributes(db, { id: user?.id ?? NO_USER });
        return hide();
      }
      const send = () =>
        withDeliveries(verification, async (deliveries) => {
          await db.transaction(async (tx) => {
            const locked = await lockUser(tx, user.id);
            const state = await loadAttributes(tx, locked!);
            const channel = recoveryChannel(pool, state);
            if (channel)
              deliveries.push(
                await issueUserCode(
                  verification,
                  tx,
                  pool,
                  locked!,
                  'FORGOT_PASSWORD',
                  channel,
                  state[channel]!.value,
                  undefined,
                  {
                    triggerSource: 'CustomMessage_ForgotPassword',
                    clientId: client.id,
                    ...withClientMetadata(input.clientMetadata),
                  },
                ),
              );
          });
          return deliveries[0];
        });
      if (!client.preventUserExistenceErrors) {
        const delivery = await send();
        if (delivery) return { codeDeliveryDetails: delivery.details };
        throw invalidParameter(
          'Cannot reset password for the user as there is no registered/verified email or phone_number',
        );
      }
      // Hidden existence: answer from a read no costlier than the unknown user's lookup, and write and
      // send the code after answering, so neither the SMTP round trip nor a limit tells who exists.
      const state = await loadAttributes(db, user);
      const channel = recoveryChannel(pool, state);
      // Begun a moment later, not inline: inline, its queries would run before this answer has gone out and slow it.
      setTimeout(
        () =>
          void send().catch((error: unknown) =>
            deps.logger.warn({ err: error, purpose: 'FORGOT_PASSWORD' }, 'password reset code not sent'),
          ),
        50,
      );
      return channel ? { codeDeliveryDetails: codeDeliveryDetails(channel, state[channel]!.value) } : hide();
    },
    async confirmForgotPassword(input: {
      clientId: string;
      username: string;
      confirmationCode: string;
      password: string;
      clientMetadata?: ClientMetadata;
    }) {
      const startedAt = performance.now();
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const hidden = client.preventUserExistenceErrors;
      const user = await findUserBySignInName(db, pool, input.username);
      // The code's row says which channel it went to; none means no reset was asked for.
      const issuedTo = user?.enabled ? await verification.issuedTo(user.id, 'FORGOT_PASSWORD') : undefined;
      if (!user || !user.enabled || !issuedTo || user.status === 'EXTERNAL_PROVIDER') {
        if (!hidden)
          throw !user
            ? userNotFound()
            : !user.enabled
              ? forbidden('User is disabled.')
              : new CognitoError('ExpiredCodeException');
        await hiding.times.imitate(`confirm:${pool.id}`, startedAt);
        throw codeMismatch();
      }
      // The code first, then the password policy: a policy answer before the code would tell a
      // real user from an unknown one (docs/security.md).
      const scope = { userId: user.id, purpose: 'FORGOT_PASSWORD' as const, attributeName: issuedTo };
      const checked = await hiding.checkCode(hidden, pool, startedAt, {
        ...scope,
        code: input.confirmationCode,
        policy: pool.policies.codes,
      });
      checkPassword(pool.policies.password, input.password);
      const passwordHash = await deps.passwords.hash(input.password);
      const status = await db.transaction(async (tx) => {
        const locked = await lockUser(tx, user.id);
        await verification.consume(tx, scope, checked.codeHmac);
        // A reset required by an administrator is what this completes.
        const status = locked!.status === 'RESET_REQUIRED' ? 'CONFIRMED' : locked!.status;
        await updateUser(tx, user.id, {
          passwordHash,
          ...srpCredentials(pool, locked!.username, input.password),
          status,
          updatedAt: sql`now()`,
        });
        // A recovery ends every session: one of them may be why the password was reset.
        await deps.sessions.revokeAll(tx, user.id);
        await recordAudit(tx, {
          pool,
          user: locked!,
          actor: { kind: 'user', clientId: client.id },
          action: 'RESET_PASSWORD',
          details: {
            password: 'reset',
            ...(status !== locked!.status && { status: { from: locked!.status, to: status } }),
          },
        });
        return status;
      });
      metrics.codeVerified(scope.purpose);
      // After the commit: a failing hook is answered, and the new password stays set (docs/trigger-events.md).
      if (hooks.has(pool, 'PostConfirmation')) {
        await hooks.call(pool, {
          trigger: 'PostConfirmation',
          triggerSource: 'PostConfirmation_ConfirmForgotPassword',
          userName: user.username,
          clientId: client.id,
          request: {
            userAttributes: eventAttributes(await loadAttributes(db, user), status),
            ...withClientMetadata(input.clientMetadata),
          },
          response: {},
        });
      }
    },
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
