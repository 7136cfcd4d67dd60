import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { CognitoError, incorrectCredentials, invalidParameter } from '../../errors/cognito-error.ts';
import {
  emptyPlan,
  idTokenAttributeClaims,
  planDelete,
  planUpdate,
  readAttributes,
  type VerifiableAttribute,
} from '../attributes/index.ts';
import { attributeChanges, auditInsertWhen, recordAudit, type AuditActor } from '../audit/audit.ts';
import type { CodeDeliveryDetails } from '../courier/index.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import { checkPassword } from '../pools/pool-settings.ts';
import type { Caller, SessionsService } from '../tokens/sessions.service.ts';
import type { PasswordHasher } from '../user-store/passwords.ts';
import { fastWritable, stateAfter, writeAttributesIfUnchanged } from '../user-store/attribute-fast-write.ts';
import { srpCredentials } from '../user-store/srp-credentials.ts';
import {
  applyPlan,
  deleteUser,
  findUserById,
  lockUserWithAttributes,
  mayForceAlias,
  updateUser,
  assertPendingNamesFree,
} from '../user-store/users.repository.ts';
import { issuePlanCodes, issueUserCode, withDeliveries } from '../verification/user-codes.ts';
import type { VerificationService } from '../verification/verification.service.ts';
import { withClientMetadata, type ClientMetadata } from '../triggers/trigger-events.ts';

/** The signed-in user's own account: attributes, codes, password, sign-out and deletion. */

export interface AttributeUpdateResult {
  isUpdated: boolean;
  nextStep: { updateAttributeStep: 'DONE' | 'CONFIRM_ATTRIBUTE_WITH_CODE'; codeDeliveryDetails?: CodeDeliveryDetails };
}

const VERIFIABLE: readonly VerifiableAttribute[] = ['email', 'phone_number'];

/** Who acts when a signed-in user changes their account: the user, through the token's client. */
const userActor = (caller: Caller): AuditActor => ({ kind: 'user', clientId: caller.client.id });

export function createAccountService(deps: {
  db: Db;
  sessions: SessionsService;
  verification: VerificationService;
  passwords: PasswordHasher;
  metrics?: AuthMetrics;
}) {
  const { db, verification } = deps;
  const metrics = deps.metrics ?? noAuthMetrics;

  return {
    signOut: (caller: Caller) => deps.sessions.revokeAll(db, caller.user.id),
    async changePassword(caller: Caller, input: { previousPassword: string; proposedPassword: string }) {
      const stored = await findUserById(db, caller.user.id);
      if (!stored?.passwordHash || !(await deps.passwords.verify(stored.passwordHash, input.previousPassword))) {
        throw incorrectCredentials();
      }
      checkPassword(caller.pool.policies.password, input.proposedPassword);
      const passwordHash = await deps.passwords.hash(input.proposedPassword);
      await db.transaction(async (tx) => {
        await updateUser(tx, caller.user.id, {
          passwordHash,
          ...srpCredentials(caller.pool, caller.user.username, input.proposedPassword),
          updatedAt: sql`now()`,
        });
        // Whoever else holds a session (a thief's included) is signed out; this one stays.
        await deps.sessions.revokeAll(tx, caller.user.id, caller.claims.origin_jti);
        await recordAudit(tx, {
          pool: caller.pool,
          user: caller.user,
          actor: userActor(caller),
          action: 'CHANGE_PASSWORD',
          details: { password: 'changed' },
        });
      });
    },
    async deleteSelf(caller: Caller) {
      await db.transaction(async (tx) => {
        await deleteUser(tx, caller.user.id);
        await recordAudit(tx, {
          pool: caller.pool,
          user: caller.user,
          actor: userActor(caller),
          action: 'DELETE_USER',
          details: { status: { from: caller.user.status, to: null } },
        });
      });
    },
    async getMe(caller: Caller) {
      const state = caller.attributes;
      return {
        username: caller.user.username,
        userSub: caller.user.id,
        userStatus: caller.user.status,
        enabled: caller.user.enabled,
        attributes: readAttributes(caller.pool.attributeSettings, caller.client, state),
        createdAt: caller.user.createdAt.toISOString(),
        updatedAt: caller.user.updatedAt.toISOString(),
      };
    },
    /** OIDC userInfo: the ID token's attribute claims, fresh. */
    async userInfo(caller: Caller) {
      const state = caller.attributes;
      return {
        ...idTokenAttributeClaims(caller.pool.attributeSettings, caller.client, state),
        sub: caller.user.id,
        username: caller.user.username,
      };
    },
    async getAttributes(caller: Caller) {
      return readAttributes(caller.pool.attributeSettings, caller.client, caller.attributes);
    },
    async updateAttributes(
      caller: Caller,
      changes: Record<string, string>,
      /** For the CustomMessage trigger of the codes sent (CustomMessage_UpdateUserAttribute). */
      clientMetadata?: ClientMetadata,
    ): Promise<Record<string, AttributeUpdateResult>> {
      const { pool, client } = caller;
      // docs/performance.md, "PATCH": the common update (plain values, no email or phone) is planned
      // from the attributes read with the session and written in one statement, if they still hold
      // under the lock; otherwise the locked transaction below plans it again. The engine's errors
      // for a user depend on the request alone, never on the stored state, so they are the same.
      const fast = planUpdate(pool.attributeSettings, { kind: 'user', client }, caller.attributes, changes);
      if (fastWritable(pool, changes, fast)) {
        const before = caller.attributes;
        const changed = attributeChanges(pool, before, stateAfter(before, fast));
        const applied = await writeAttributesIfUnchanged(db, {
          pool,
          userId: caller.user.id,
          state: before,
          names: Object.keys(changes),
          plan: fast,
          audit:
            changed.length > 0
              ? (when) =>
                  auditInsertWhen(
                    {
                      pool,
                      user: caller.user,
                      actor: userActor(caller),
                      action: 'UPDATE_ATTRIBUTES',
                      details: { attributes: changed },
                    },
                    when,
                  )
              : undefined,
        });
        if (applied) return updateResults(changes, []);
      }
      return withDeliveries(verification, async (deliveries) => {
        await db.transaction(async (tx) => {
          const { user: locked, state } = (await lockUserWithAttributes(tx, caller.user.id))!;
          const plan = planUpdate(pool.attributeSettings, { kind: 'user', client }, state, changes);
          await assertPendingNamesFree(tx, pool, plan, locked.id);
          const changed = attributeChanges(pool, state, await applyPlan(tx, pool, locked.id, state, plan));
          if (changed.length > 0) {
            await recordAudit(tx, {
              pool,
              user: locked,
              actor: userActor(caller),
              action: 'UPDATE_ATTRIBUTES',
              details: { attributes: changed },
            });
          }
          deliveries.push(
            ...(await issuePlanCodes(verification, tx, pool, locked, plan, {
              triggerSource: 'CustomMessage_UpdateUserAttribute',
              clientId: client.id,
              ...withClientMetadata(clientMetadata),
            })),
          );
        });
        return updateResults(changes, deliveries);
      });
    },
    async deleteAttributes(caller: Caller, names: string[]) {
      await db.transaction(async (tx) => {
        const { user: locked, state } = (await lockUserWithAttributes(tx, caller.user.id))!;
        const doomed = planDelete(caller.pool.attributeSettings, { kind: 'user', client: caller.client }, state, names);
        if (doomed.length === 0) return;
        const after = await applyPlan(tx, caller.pool, locked.id, state, { ...emptyPlan(), delete: doomed });
        await recordAudit(tx, {
          pool: caller.pool,
          user: locked,
          actor: userActor(caller),
          action: 'DELETE_ATTRIBUTES',
          details: { attributes: attributeChanges(caller.pool, state, after) },
        });
      });
    },
    async sendAttributeCode(caller: Caller, name: string, clientMetadata?: ClientMetadata) {
      const attributeName = verifiableName(name);
      return withDeliveries(verification, async (deliveries) => {
        await db.transaction(async (tx) => {
          const { user: locked, state } = (await lockUserWithAttributes(tx, caller.user.id))!;
          const stored = state[attributeName];
          // A pending value is what awaits proof; otherwise the current value is re-verified.
          const destination = stored?.pendingValue ?? stored?.value;
          if (!destination) {
            throw invalidParameter(
              `User does not have a valid registered ${attributeName === 'email' ? 'email address' : 'phone number'}`,
            );
          }
          deliveries.push(
            await issueUserCode(
              verification,
              tx,
              caller.pool,
              locked,
              'VERIFY_ATTRIBUTE',
              attributeName,
              destination,
              undefined,
              {
                triggerSource: 'CustomMessage_VerifyUserAttribute',
                clientId: caller.client.id,
                ...withClientMetadata(clientMetadata),
              },
            ),
          );
        });
        return { codeDeliveryDetails: deliveries[0]!.details };
      });
    },
    async verifyAttribute(
      caller: Caller,
      name: string,
      input: { confirmationCode: string; forceAliasCreation?: boolean },
    ) {
      const attributeName = verifiableName(name);
      const scope = { userId: caller.user.id, purpose: 'VERIFY_ATTRIBUTE' as const, attributeName };
      const checked = await verification.check({
        ...scope,
        code: input.confirmationCode,
        policy: caller.pool.policies.codes,
      });
      await db.transaction(async (tx) => {
        const { user: locked, state: before } = (await lockUserWithAttributes(tx, caller.user.id))!;
        const stored = before[attributeName];
        await verification.consume(tx, scope, checked.codeHmac);
        // The code proves the value it was sent to: the pending value (promoted now) or the current one.
        if (stored?.pendingValue === checked.destination || stored?.value === checked.destination) {
          const plan = {
            ...emptyPlan(),
            set: { [attributeName]: checked.destination },
            verified: { [attributeName]: true },
          };
          const after = await applyPlan(tx, caller.pool, locked.id, before, plan, {
            forceAlias: mayForceAlias(caller.pool, attributeName, input.forceAliasCreation),
          });
          await recordAudit(tx, {
            pool: caller.pool,
            user: locked,
            actor: userActor(caller),
            action: 'VERIFY_ATTRIBUTE',
            details: { attributes: attributeChanges(caller.pool, before, after) },
          });
        } else {
          throw new CognitoError('CodeMismatchException');
        }
      });
      metrics.codeVerified(scope.purpose);
    },
  };
}

/** Amplify's shape: each attribute awaiting a code says so; every other one is done. */
function updateResults(
  changes: Record<string, string>,
  deliveries: ReadonlyArray<{ attributeName: string; details: CodeDeliveryDetails }>,
): Record<string, AttributeUpdateResult> {
  const results: Record<string, AttributeUpdateResult> = {};
  for (const name of Object.keys(changes))
    results[name] = { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } };
  for (const delivery of deliveries) {
    results[delivery.attributeName] = {
      isUpdated: false,
      nextStep: { updateAttributeStep: 'CONFIRM_ATTRIBUTE_WITH_CODE', codeDeliveryDetails: delivery.details },
    };
  }
  return results;
}

function verifiableName(name: string): VerifiableAttribute {
  if (!VERIFIABLE.includes(name as VerifiableAttribute)) {
    throw invalidParameter('Invalid attribute name. Only phone_number and email can be verified.');
  }
  return name as VerifiableAttribute;
}

export type AccountService = ReturnType<typeof createAccountService>;
