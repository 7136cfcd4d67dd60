import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { CognitoError, forbidden, invalidParameter, userNotFound } from '../../errors/cognito-error.ts';
import { prepareNewUser, type UserAttributeState, type VerifiableAttribute } from '../attributes/index.ts';
import { attributeChanges, recordAudit } from '../audit/audit.ts';
import { codeDeliveryDetails } from '../courier/index.ts';
import { codeMismatch, type HiddenExistence } from '../hidden-existence/hidden-existence.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import { checkPassword } from '../pools/pool-settings.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { Pool } from '../pools/pools.types.ts';
import type { PasswordHasher } from '../user-store/passwords.ts';
import {
  findUserBySignInName,
  insertAttributes,
  insertUser,
  loadAttributes,
  lockUser,
  lockUserWithAttributes,
  mayForceAlias,
  newUserIdentity,
  newUserRow,
  setAttribute,
  SIGN_IN_NAME_TAKEN,
  updateUser,
} from '../user-store/users.repository.ts';
import { issueUserCode, withDeliveries } from '../verification/user-codes.ts';
import type { VerificationService } from '../verification/verification.service.ts';
import { noHooks } from '../hooks/hooks.ts';
import type { Hooks } from '../hooks/hooks.types.ts';
import {
  eventAttributes,
  isHookFailure,
  readPreSignUpAnswer,
  withClientMetadata,
  type ClientMetadata,
} from '../triggers/trigger-events.ts';

/** Registration: SignUp, ConfirmSignUp and ResendConfirmationCode. */

const USERNAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** The attributes sign-up codes go to, in order: the phone when both are auto-verified. */
const signUpChannels = (pool: Pool) =>
  (['phone_number', 'email'] as const).filter((name) => pool.attributeSettings.autoVerifiedAttributes.includes(name));

/** The attribute a sign-up code goes to: the first of signUpChannels the user has a value for. */
function signUpCodeTarget(pool: Pool, state: UserAttributeState): VerifiableAttribute | undefined {
  return signUpChannels(pool).find((name) => state[name]);
}

export function createRegistrationService(deps: {
  db: Db;
  pools: PoolsService;
  verification: VerificationService;
  passwords: PasswordHasher;
  /** Stand-in answers where the client hides whether a user exists. */
  hiding: HiddenExistence;
  metrics?: AuthMetrics;
  /** The pool's triggers: PreSignUp before the user is written, PostConfirmation after (docs/trigger-events.md). */
  hooks?: Hooks;
}) {
  const { db, verification, hiding } = deps;
  const metrics = deps.metrics ?? noAuthMetrics;
  const hooks = deps.hooks ?? noHooks;

  /** PostConfirmation after a confirmation has committed: a failure is answered, the confirmation stays. */
  async function postConfirmation(
    pool: Pool,
    user: { id: string; username: string },
    clientId: string | undefined,
    clientMetadata: ClientMetadata | undefined,
  ) {
    if (!hooks.has(pool, 'PostConfirmation')) return;
    const state = await loadAttributes(db, user);
    await hooks.call(pool, {
      trigger: 'PostConfirmation',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: user.username,
      ...(clientId && { clientId }),
      request: { userAttributes: eventAttributes(state, 'CONFIRMED'), ...withClientMetadata(clientMetadata) },
      response: {},
    });
  }

  return {
    async signUp(input: {
      clientId: string;
      username: string;
      password: string;
      userAttributes: Record<string, string>;
      /** For the PreSignUp trigger only (Cognito's ValidationData); never stored. */
      validationData?: Record<string, string>;
      clientMetadata?: ClientMetadata;
    }) {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      if (!USERNAME_PATTERN.test(input.username))
        throw invalidParameter('Username must be 1 to 128 letters, digits, marks, symbols or punctuation.');
      const { kind, attributes, usernameFor } = newUserIdentity(pool, input.username, input.userAttributes);
      const prepared = prepareNewUser(pool.attributeSettings, { kind: 'user', client }, attributes, 'sign-up');
      checkPassword(pool.policies.password, input.password);
      const passwordHash = await deps.passwords.hash(input.password);
      const sub = randomUUID();
      const username = usernameFor(sub);
      // PreSignUp decides before anything is written (docs/trigger-events.md): a refusal leaves no user and sends no code.
      let auto = { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };
      if (hooks.has(pool, 'PreSignUp')) {
        // A name already taken is told so without asking the hook (SignUp tells it to anyone alike).
        if (await findUserBySignInName(db, pool, input.username))
          throw new CognitoError('UsernameExistsException', 'User already exists');
        const response = await hooks.call(pool, {
          trigger: 'PreSignUp',
          triggerSource: 'PreSignUp_SignUp',
          userName: username,
          clientId: client.id,
          request: {
            userAttributes: { ...prepared.values },
            validationData: input.validationData ?? null,
            ...withClientMetadata(input.clientMetadata),
          },
          response: { ...auto },
        });
        auto = readPreSignUpAnswer(response, prepared.values);
      }
      const status = auto.autoConfirmUser ? 'CONFIRMED' : 'UNCONFIRMED';
      const verified = { email: auto.autoVerifyEmail, phone_number: auto.autoVerifyPhone };
      // Cognito moves an auto-verified alias to the new user, as ForceAliasCreation would.
      const forceAlias =
        mayForceAlias(pool, 'email', auto.autoVerifyEmail) || mayForceAlias(pool, 'phone_number', auto.autoVerifyPhone);
      // Built before the transaction: its SRP verifier is milliseconds of CPU that must not hold a connection.
      const row = newUserRow(pool, {
        id: sub,
        username,
        status,
        passwordHash,
        password: input.password,
      });

      return withDeliveries(verification, async (deliveries) => {
        try {
          await db.transaction(async (tx) => {
            const user = await insertUser(tx, row);
            const state = await insertAttributes(tx, pool, sub, prepared.values, verified, { forceAlias });
            await recordAudit(tx, {
              pool,
              user: user,
              actor: { kind: 'user', clientId: client.id },
              action: 'SIGN_UP',
              details: {
                status: { from: null, to: status },
                password: 'set',
                attributes: attributeChanges(pool, {}, state),
              },
            });
            // An auto-confirmed user has nothing to confirm: no code is sent.
            const target = auto.autoConfirmUser ? undefined : signUpCodeTarget(pool, state);
            if (target)
              deliveries.push(
                await issueUserCode(
                  verification,
                  tx,
                  pool,
                  user,
                  'SIGN_UP',
                  target,
                  prepared.values[target]!,
                  state.locale?.value ?? null,
                  {
                    triggerSource: 'CustomMessage_SignUp',
                    clientId: client.id,
                    ...withClientMetadata(input.clientMetadata),
                  },
                ),
              );
          });
        } catch (error) {
          const constraint = uniqueViolation(error);
          // The username is taken, as a username or as another user's alias (one namespace, docs/security.md).
          if (constraint === 'users_pool_username_key' || constraint === SIGN_IN_NAME_TAKEN)
            throw new CognitoError('UsernameExistsException', 'User already exists');
          if (error instanceof CognitoError && error.name === 'AliasExistsException') {
            throw new CognitoError(
              'UsernameExistsException',
              `An account with the given ${kind === 'phone_number' ? 'phone_number' : 'email'} already exists.`,
            );
          }
          throw error;
        }
        const delivery = deliveries[0];
        return {
          userSub: sub,
          userConfirmed: auto.autoConfirmUser,
          ...(delivery && { codeDeliveryDetails: delivery.details }),
        };
      });
    },
    async confirmSignUp(input: {
      clientId: string;
      username: string;
      confirmationCode: string;
      forceAliasCreation?: boolean;
      clientMetadata?: ClientMetadata;
    }) {
      const startedAt = performance.now();
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const hidden = client.preventUserExistenceErrors;
      const user = await findUserBySignInName(db, pool, input.username);
      // Hidden existence: an unknown or already confirmed user gets what a wrong code gets, in as much time.
      if (!user || user.status !== 'UNCONFIRMED') {
        if (!hidden)
          throw user ? forbidden(`User cannot be confirmed. Current status is ${user.status}`) : userNotFound();
        await hiding.times.imitate(`confirm:${pool.id}`, startedAt);
        throw codeMismatch();
      }
      const target = signUpCodeTarget(pool, await loadAttributes(db, user));
      const scope = { userId: user.id, purpose: 'SIGN_UP' as const, attributeName: target ?? 'email' };
      const checked = await hiding.checkCode(hidden, pool, startedAt, {
        ...scope,
        code: input.confirmationCode,
        policy: pool.policies.codes,
      });
      await db.transaction(async (tx) => {
        await lockUser(tx, user.id);
        await verification.consume(tx, scope, checked.codeHmac);
        await updateUser(tx, user.id, { status: 'CONFIRMED', updatedAt: sql`now()` });
        // The code proves the value it was sent to, and only that value.
        const state = await loadAttributes(tx, user);
        const attribute = state[scope.attributeName];
        if (attribute && attribute.value === checked.destination) {
          await setAttribute(
            tx,
            pool,
            user.id,
            scope.attributeName,
            { value: attribute.value, verified: true, pendingValue: attribute.pendingValue ?? null },
            {
              forceAlias: mayForceAlias(pool, scope.attributeName, input.forceAliasCreation),
            },
          );
        }
        await recordAudit(tx, {
          pool,
          user,
          actor: { kind: 'user', clientId: client.id },
          action: 'CONFIRM_SIGN_UP',
          details: {
            status: { from: user.status, to: 'CONFIRMED' },
            attributes: attributeChanges(pool, state, await loadAttributes(tx, user)),
          },
        });
      });
      metrics.codeVerified(scope.purpose);
      await postConfirmation(pool, user, client.id, input.clientMetadata);
    },
    async resendConfirmationCode(input: { clientId: string; username: string; clientMetadata?: ClientMetadata }) {
      const startedAt = performance.now();
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const user = await findUserBySignInName(db, pool, input.username);
      const noAutoVerification = () => invalidParameter('Cannot resend codes. Auto verification not turned on.');
      // A pool that sends no sign-up codes says so to every caller alike.
      if (client.preventUserExistenceErrors && pool.attributeSettings.autoVerifiedAttributes.length === 0)
        throw noAutoVerification();
      if (!user || user.status !== 'UNCONFIRMED') {
        if (!client.preventUserExistenceErrors)
          throw user ? invalidParameter('User is already confirmed.') : userNotFound();
        // Unknown and confirmed users are answered as an unconfirmed one would be, in as much
        // time, so neither the response nor its timing tells them apart (docs/security.md).
        const codeDeliveryDetails = hiding.simulatedDelivery(pool, input.username, signUpChannels(pool));
        await hiding.times.imitate(`resend:${pool.id}`, startedAt);
        return { codeDeliveryDetails };
      }
      const resend = () =>
        withDeliveries(verification, async (deliveries) => {
          await db.transaction(async (tx) => {
            const { user: locked, state } = (await lockUserWithAttributes(tx, user.id))!;
            const target = signUpCodeTarget(pool, state);
            if (!target) throw noAutoVerification();
            deliveries.push(
              await issueUserCode(verification, tx, pool, locked, 'SIGN_UP', target, state[target]!.value, undefined, {
                triggerSource: 'CustomMessage_ResendCode',
                clientId: client.id,
                ...withClientMetadata(input.clientMetadata),
              }),
            );
          });
          return { codeDeliveryDetails: deliveries[0]!.details };
        });
      if (!client.preventUserExistenceErrors) return resend();
      const answer = await resend().catch(async (error: unknown) => {
        if (!(error instanceof CognitoError)) throw error;
        // Over the pool's hourly sends, nothing goes out and the user is told what any name is
        // told (a limit only real users can meet would say who exists); with nowhere to send,
        // likewise (docs/security.md, "Limits and lockout").
        // A failing CustomMessage hook likewise: the code is written, nothing is sent, and the
        // answer is what it would have been (docs/trigger-events.md, "CustomMessage").
        if (error.name === 'LimitExceededException' || isHookFailure(error)) {
          const state = await loadAttributes(db, user);
          const target = signUpCodeTarget(pool, state)!;
          return { codeDeliveryDetails: codeDeliveryDetails(target, state[target]!.value) };
        }
        if (error.name === 'InvalidParameterException')
          return { codeDeliveryDetails: hiding.simulatedDelivery(pool, input.username, signUpChannels(pool)) };
        throw error;
      });
      hiding.times.record(`resend:${pool.id}`, startedAt);
      return answer;
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
