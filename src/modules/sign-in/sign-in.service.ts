import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  CognitoError,
  forbidden,
  incorrectCredentials,
  invalidParameter,
  passwordResetRequired,
  userNotFound,
} from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import { planUpdate, readAttributes, type UserAttributeState } from '../attributes/index.ts';
import { attributeChanges, recordAudit } from '../audit/audit.ts';
import { comparedName, NO_USER, type HiddenExistence } from '../hidden-existence/hidden-existence.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import { checkPassword } from '../pools/pool-settings.ts';
import { assertAuthFlow, type PoolsService } from '../pools/pools.service.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import type { LockoutSubject, SignInLockout } from '../rate-limits/sign-in-lockout.ts';
import { checkPasswordClaim, fakeSrpVerifier, startSrp, type createSecretBlocks } from '../srp/index.ts';
import type { SessionsService, TokenSet } from '../tokens/sessions.service.ts';
import type { PasswordHasher } from '../user-store/passwords.ts';
import { srpCredentials } from '../user-store/srp-credentials.ts';
import {
  applyPlan,
  findUserById,
  findUserBySignInName,
  loadAttributes,
  lockUser,
  replacePasswordHash,
  updateUser,
  type UserRow,
} from '../user-store/users.repository.ts';
import { issuePlanCodes, withDeliveries } from '../verification/user-codes.ts';
import type { VerificationService } from '../verification/verification.service.ts';
import { noHooks } from '../hooks/hooks.ts';
import type { Hooks } from '../hooks/hooks.types.ts';
import { eventAttributes, isHookFailure, type ClientMetadata } from '../triggers/trigger-events.ts';
import type { UserMigration } from '../user-migration/user-migration.ts';
import type { ChallengeSessions } from './challenge-sessions.ts';
import type { SignInFinish } from './sign-in-finish.ts';
import { passwordStamp, type AfterFirstFactor, type ProvenSignIn } from './sign-in-steps.ts';
import type { NewPasswordChallenge, SrpChallenge, StepChallenge } from './sign-in.types.ts';

/** Sign-in: USER_PASSWORD_AUTH, USER_SRP_AUTH, the NEW_PASSWORD_REQUIRED challenge and refresh. */

type SecretBlocks = ReturnType<typeof createSecretBlocks>;

/** The second half of an SRP sign-in: what the client sends back with PASSWORD_VERIFIER. */
export interface SrpProof {
  /**
   * The flow whose InitiateAuth sealed the SECRET_BLOCK: a block of CUSTOM_WITH_SRP proves the
   * password only inside its custom-auth session, never as USER_SRP_AUTH (docs/custom-auth.md);
   * one of USER_AUTH's PASSWORD_SRP only inside its choice-based session (docs/passwordless.md).
   */
  flow?: 'CUSTOM_AUTH' | 'USER_AUTH';
  clientId: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
  source: string;
}

/**
 * Whose lockout a sign-in counts against: the user's, or, for a name no user has, the name's when
 * the client hides user existence (elsewhere an unknown user is told so, and nothing is locked).
 */
function lockoutSubject(
  pool: Pool,
  client: AppClient,
  user: UserRow | undefined,
  name: string,
): LockoutSubject | undefined {
  if (user) return { userId: user.id };
  return client.preventUserExistenceErrors ? { poolId: pool.id, unknownName: comparedName(pool, name) } : undefined;
}

/** Required attributes the user has no value for (an admin-created user may lack them). */
function missingRequired(pool: Pool, state: UserAttributeState): string[] {
  return pool.attributeSettings.schema
    .filter((a) => a.required && a.name !== 'sub' && !state[a.name])
    .map((a) => a.name);
}

export function createSignInService(deps: {
  db: Db;
  pools: PoolsService;
  sessions: SessionsService;
  verification: VerificationService;
  passwords: PasswordHasher;
  challenges: ChallengeSessions;
  /** Seals the SRP server state into the challenge's SECRET_BLOCK. */
  srpSecretBlocks: SecretBlocks;
  /** Server secret: stable fake SRP verifiers for unknown users. */
  secret: string;
  /** Stand-in answers where the client hides whether a user exists. */
  hiding: HiddenExistence;
  logger: Logger;
  metrics?: AuthMetrics;
  /** Sign-in lockout per user and source address. */
  lockout: SignInLockout;
  /** The pool's triggers: PreAuthentication and PostAuthentication (docs/trigger-events.md). */
  hooks?: Hooks;
  /** UserMigration: an unknown name's USER_PASSWORD_AUTH sign-in asks the pool's hook (docs/trigger-events.md). */
  migration?: UserMigration;
  /** PostAuthentication and the tokens, shared with the steps after the first factor. */
  finish: SignInFinish;
  /** Remembered devices, then MFA (docs/mfa.md, "Order"); none: the tokens follow the first factor. */
  afterFirstFactor?: AfterFirstFactor[];
}) {
  const { db, verification, hiding, finish } = deps;
  const metrics = deps.metrics ?? noAuthMetrics;
  const hooks = deps.hooks ?? noHooks;

  /**
   * PreAuthentication, before the password is checked: a refusal ends the sign-in with nothing
   * counted. Where the client hides user existence it is called for unknown names too, with
   * `userNotFound`, after the same attribute read, so neither the call nor its timing tells who
   * exists; elsewhere an unknown user is told so without a call, as in Cognito.
   */
  async function preAuthentication(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    name: string,
    clientMetadata: ClientMetadata | undefined,
  ) {
    if (!hooks.has(pool, 'PreAuthentication')) return;
    const hidden = client.preventUserExistenceErrors;
    if (!user && !hidden) return;
    const state = await loadAttributes(db, { id: user?.id ?? NO_USER });
    await hooks.call(pool, {
      trigger: 'PreAuthentication',
      triggerSource: 'PreAuthentication_Authentication',
      userName: user?.username ?? name,
      clientId: client.id,
      request: {
        userAttributes: user ? eventAttributes(state, user.status) : {},
        // Cognito hands InitiateAuth's ClientMetadata to this trigger as validationData.
        validationData: clientMetadata ?? {},
        ...(hidden && { userNotFound: !user }),
      },
      response: {},
    });
  }

  /** The steps after the first factor, in order, then the tokens (docs/mfa.md, "Order"). */
  async function afterFirstFactor(
    signIn: ProvenSignIn,
    finishing?: Parameters<SignInFinish['finish']>[1],
  ): Promise<TokenSet | StepChallenge> {
    for (const step of deps.afterFirstFactor ?? []) {
      const challenge = await step(signIn);
      if (challenge) {
        metrics.signIn('challenge');
        return challenge;
      }
    }
    return finish.finish(signIn, finishing);
  }

  /** After the first factor is proven (by hash, by SRP, by custom challenges): the account's state decides what follows. */
  async function completeSignIn(
    pool: Pool,
    client: AppClient,
    user: UserRow,
    options: Pick<ProvenSignIn, 'clientMetadata' | 'deviceKey' | 'source' | 'firstFactor'> = {},
  ): Promise<TokenSet | NewPasswordChallenge | StepChallenge> {
    if (!user.enabled) throw forbidden('User is disabled.');
    if (user.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'RESET_REQUIRED') throw passwordResetRequired();
    const state = await loadAttributes(db, user);
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      metrics.signIn('challenge');
      // The stored hash now (a sign-in may have just re-hashed it): a password set after this challenge ends it.
      const current = (await findUserById(db, user.id)) ?? user;
      // An invited user proves the temporary password, then must choose their own (and give any required attribute).
      return {
        challengeName: 'NEW_PASSWORD_REQUIRED' as const,
        session: deps.challenges.issue(user.id, client.id, 'NEW_PASSWORD_REQUIRED', passwordStamp(current)),
        challengeParameters: {
          requiredAttributes: missingRequired(pool, state),
          userAttributes: readAttributes(pool.attributeSettings, client, state),
        },
      };
    }
    return afterFirstFactor({ pool, client, user, state, ...options });
  }

  /**
   * The PASSWORD_CLAIM_SIGNATURE of an SRP sign-in, checked with the lockout: the proven user, or
   * NotAuthorizedException. USER_SRP_AUTH and custom authentication's SRP_A step share it.
   */
  async function proveSrp(input: SrpProof): Promise<{ pool: Pool; client: AppClient; user: UserRow }> {
    const { pool, client } = await deps.pools.clientWithPool(input.clientId);
    const state = deps.srpSecretBlocks.open(input.secretBlock);
    if (state.c !== client.id || state.f !== input.flow)
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    // The lock is checked before the proof, with one lookup for known and unknown users alike.
    const user = await findUserById(db, state.u!);
    const named = user ?? (await findUserBySignInName(db, pool, state.n!));
    const subject = lockoutSubject(pool, client, named, state.n!);
    const lock = subject ? await deps.lockout.check(subject, input.source) : undefined;
    // The proof is checked against the verifier the challenge was built on, a fake one included,
    // so an unknown user costs the same work as a known one with a wrong password.
    const claimed = checkPasswordClaim({
      poolId: pool.id,
      userIdForSrp: state.n!,
      verifier: { salt: state.s!, verifier: state.v! },
      srpA: state.a!,
      srpB: state.B!,
      b: state.b!,
      secretBlock: input.secretBlock,
      timestamp: input.timestamp,
      signature: input.signature,
    });
    // That verifier must still be the user's: a password changed since the challenge ends it.
    const proven = claimed && user !== undefined && user.srpVerifier === state.v;
    if (!proven || !user) {
      metrics.signIn('failure');
      if (subject) await deps.lockout.recordFailure(subject, input.source);
      throw incorrectCredentials();
    }
    if (subject && lock) await deps.lockout.reset(subject, input.source, lock);
    return { pool, client, user };
  }

  /**
   * UserMigration_Authentication for a name no user has (docs/trigger-events.md, "UserMigration"):
   * the user the hook's answer created, or, where the client hides user existence, a failure
   * answered as an unknown user's wrong password (a refusal counted against the name's lockout),
   * since a refusal, an unusable answer or a taken alias would each tell that the name is unknown here.
   */
  async function migrateAtSignIn(
    pool: Pool,
    client: AppClient,
    input: { username: string; password: string; source: string; clientMetadata?: ClientMetadata },
    subject: LockoutSubject | undefined,
  ): Promise<UserRow> {
    let user: UserRow;
    try {
      user = await deps.migration!.migrate(pool, client, {
        source: 'UserMigration_Authentication',
        name: input.username,
        password: input.password,
        validationData: input.clientMetadata,
      });
    } catch (error) {
      metrics.signIn('failure');
      // A refusal is a wrong password for the old pool: counted against the name, as any failed sign-in.
      if (subject && error instanceof CognitoError && error.name === 'UserLambdaValidationException') {
        await deps.lockout.recordFailure(subject, input.source);
      }
      const expected = isHookFailure(error) || (error instanceof CognitoError && error.name === 'AliasExistsException');
      if (!client.preventUserExistenceErrors || !expected) throw error;
      deps.logger.info({ poolId: pool.id, err: error }, 'user migration failed; answered as a wrong password');
      throw incorrectCredentials();
    }
    // The hook said the password must be reset: the app is told so (it has just proven the password).
    if (user.status === 'RESET_REQUIRED' && !user.passwordHash) throw passwordResetRequired();
    return user;
  }

  /**
   * The password checked as USER_PASSWORD_AUTH checks it, after the lockout was checked (`subject`,
   * `lock`): PreAuthentication, the same work for a user without a password, the failure counted,
   * the lock cleared, an older hash replaced and SRP's verifier kept where missing. USER_AUTH's
   * PASSWORD factor shares it (choice-auth.ts). The proven user, or the error to answer.
   */
  async function provePassword(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    input: { name: string; password: string; source: string; clientMetadata?: ClientMetadata | undefined },
    subject: LockoutSubject | undefined,
    lock: Awaited<ReturnType<SignInLockout['check']>> | undefined,
  ): Promise<UserRow> {
    await preAuthentication(pool, client, user, input.name, input.clientMetadata);
    if (!user || !user.passwordHash) {
      // Same work as a real check, so timing does not reveal whether the user exists.
      await deps.passwords.verifyDummy(input.password);
      metrics.signIn('failure');
      if (client.preventUserExistenceErrors) {
        if (subject) await deps.lockout.recordFailure(subject, input.source);
        throw incorrectCredentials();
      }
      // Imported without a password (Cognito's CSV): the account exists and must be reset first;
      // hidden-existence clients get the generic answer instead, as in Cognito (docs/cognito-attributes.md §8.3).
      if (user?.status === 'RESET_REQUIRED') throw passwordResetRequired();
      throw user ? incorrectCredentials() : userNotFound();
    }
    if (!(await deps.passwords.verify(user.passwordHash, input.password))) {
      metrics.signIn('failure');
      await deps.lockout.recordFailure(subject!, input.source);
      throw incorrectCredentials();
    }
    await deps.lockout.reset(subject!, input.source, lock!);
    // An imported or older hash is replaced by one of the current parameters (docs/user-import.md);
    // only if unchanged meanwhile, and a failure costs the user nothing but a later retry.
    if (deps.passwords.needsRehash(user.passwordHash)) {
      try {
        const passwordHash = await deps.passwords.hash(input.password);
        await replacePasswordHash(db, user.id, user.passwordHash, passwordHash);
        // The sign-in goes on with the hash now stored: its stamp must match at the end (sign-in-finish.ts).
        user = { ...user, passwordHash };
      } catch (error) {
        deps.logger.warn({ err: error, userId: user.id }, 'password not re-hashed with the current parameters');
      }
    }
    // SRP turned on after this user chose their password: the password is at hand now.
    if (pool.srpEnabled && !user.srpVerifier) {
      await updateUser(db, user.id, srpCredentials(pool, user.username, input.password));
    }
    return user;
  }

  return {
    /** `source`: the caller's address; lockouts are kept per user and source. */
    async signIn(input: {
      clientId: string;
      username: string;
      password: string;
      source: string;
      /** InitiateAuth's ClientMetadata: PreAuthentication's validationData. */
      clientMetadata?: ClientMetadata;
      /** DEVICE_KEY: a device the client was given before (docs/devices.md). */
      deviceKey?: string;
      /**
       * AdminInitiateAuth's password flow: the client must allow it instead (docs/admin-auth.md).
       * MANAGED_LOGIN: the managed login pages, which the client's OAuth settings allow, not its
       * ExplicitAuthFlows (docs/web-sign-in.md, "Managed login pages").
       */
      flow?: 'ADMIN_USER_PASSWORD_AUTH' | 'MANAGED_LOGIN';
    }): Promise<TokenSet | NewPasswordChallenge | StepChallenge> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      if (input.flow === 'ADMIN_USER_PASSWORD_AUTH')
        assertAuthFlow(client, 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH');
      else if (input.flow !== 'MANAGED_LOGIN') assertAuthFlow(client, 'ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH');
      let user = await findUserBySignInName(db, pool, input.username);
      // Unknown names are locked out like users when existence is hidden, or the lock would tell who exists.
      let subject = lockoutSubject(pool, client, user, input.username);
      let lock = subject ? await deps.lockout.check(subject, input.source) : undefined;
      // A name no user has may be migrated (after the lock check: a locked name never reaches the hook),
      // then signs in as any user, its password checked against the row just written.
      if (!user && deps.migration?.enabled(pool)) {
        // The hook answers whether a password is right in the old pool: its refusals lock the name out
        // even where the client tells existence, or Cognate would be an oracle on the old pool at the
        // rate limit's pace (docs/security.md, "User migration").
        const named = subject ?? { poolId: pool.id, unknownName: comparedName(pool, input.username) };
        if (!subject) await deps.lockout.check(named, input.source);
        user = await migrateAtSignIn(pool, client, input, named);
        subject = { userId: user.id };
        lock = await deps.lockout.check(subject, input.source);
      }
      const proven = await provePassword(
        pool,
        client,
        user,
        { name: input.username, password: input.password, source: input.source, clientMetadata: input.clientMetadata },
        subject,
        lock,
      );
      return completeSignIn(pool, client, proven, {
        source: input.source,
        ...(input.deviceKey && { deviceKey: input.deviceKey }),
      });
    },
    /**
     * USER_SRP_AUTH, first half: the PASSWORD_VERIFIER challenge. Unknown users, and users with
     * no verifier yet, get a challenge built on a stable fake verifier when the client hides
     * user existence, so the answer looks the same; the proof then fails as a wrong password.
     */
    async startSrpSignIn(input: {
      clientId: string;
      username: string;
      srpA: string;
      source: string;
      /** InitiateAuth's ClientMetadata: PreAuthentication's validationData. */
      clientMetadata?: ClientMetadata;
      /**
       * CUSTOM_AUTH with CHALLENGE_NAME SRP_A (docs/custom-auth.md), or USER_AUTH's PASSWORD_SRP
       * (docs/passwordless.md): the client must allow that flow instead.
       */
      flow?: 'CUSTOM_AUTH' | 'USER_AUTH';
    }): Promise<SrpChallenge> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      if (!pool.srpEnabled) throw invalidParameter('USER_SRP_AUTH is not enabled for this user pool.');
      if (input.flow === 'CUSTOM_AUTH') assertAuthFlow(client, 'ALLOW_CUSTOM_AUTH', 'CUSTOM_AUTH');
      else if (input.flow === 'USER_AUTH') assertAuthFlow(client, 'ALLOW_USER_AUTH', 'USER_AUTH');
      else assertAuthFlow(client, 'ALLOW_USER_SRP_AUTH', 'USER_SRP_AUTH');
      const user = await findUserBySignInName(db, pool, input.username);
      // A locked source gets no challenge either: the lock is checked again when it is answered.
      const subject = lockoutSubject(pool, client, user, input.username);
      if (subject) await deps.lockout.check(subject, input.source);
      // PreAuthentication runs on InitiateAuth, the first half; PostAuthentication on the second.
      await preAuthentication(pool, client, user, input.username, input.clientMetadata);
      const known = user?.srpSalt && user.srpVerifier ? { salt: user.srpSalt, verifier: user.srpVerifier } : undefined;
      if (!known && !client.preventUserExistenceErrors) {
        if (!user) throw userNotFound();
        if (user.status === 'RESET_REQUIRED') throw passwordResetRequired();
        throw incorrectCredentials();
      }
      // A real user's stored username, which the proof is computed over (an alias or another
      // case of it shows that username, as in Cognito); for anyone else a stable stand-in.
      const userIdForSrp = user?.username ?? hiding.fakeSrpUserId(pool, input.username);
      const verifier = known ?? fakeSrpVerifier(deps.secret, pool.id, comparedName(pool, input.username));
      const { srpB, b } = startSrp(verifier, input.srpA);
      const secretBlock = deps.srpSecretBlocks.seal({
        u: known ? user!.id : NO_USER,
        n: userIdForSrp,
        c: client.id,
        ...(input.flow && { f: input.flow }),
        a: input.srpA,
        B: srpB,
        b,
        s: verifier.salt,
        v: verifier.verifier,
      });
      return {
        challengeName: 'PASSWORD_VERIFIER',
        challengeParameters: {
          SALT: verifier.salt,
          SRP_B: srpB,
          SECRET_BLOCK: secretBlock,
          USER_ID_FOR_SRP: userIdForSrp,
          USERNAME: userIdForSrp,
        },
      };
    },
    /** USER_SRP_AUTH, second half: the PASSWORD_CLAIM_SIGNATURE proves the password without sending it. */
    async answerSrpChallenge(input: {
      clientId: string;
      secretBlock: string;
      timestamp: string;
      signature: string;
      source: string;
      clientMetadata?: ClientMetadata;
      /** DEVICE_KEY: a device the client was given before (docs/devices.md). */
      deviceKey?: string;
    }): Promise<TokenSet | NewPasswordChallenge | StepChallenge> {
      const { pool, client, user } = await proveSrp(input);
      return completeSignIn(pool, client, user, {
        source: input.source,
        ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
        ...(input.deviceKey && { deviceKey: input.deviceKey }),
      });
    },
    /** Custom authentication (custom-auth.ts) reuses these steps of the password flows. */
    proveSrp: (input: SrpProof) => proveSrp(input),
    preAuthentication,
    provePassword,
    lockoutSubject,
    completeSignIn,
    afterFirstFactor,
    /** RespondToAuthChallenge NEW_PASSWORD_REQUIRED: the new password and any missing required attribute. */
    async respondToNewPasswordChallenge(input: {
      clientId: string;
      session: string;
      newPassword: string;
      userAttributes?: Record<string, string>;
      clientMetadata?: ClientMetadata;
      deviceKey?: string;
      source?: string;
    }): Promise<TokenSet | StepChallenge> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const { userId, stamp } = deps.challenges.opened(input.session, client.id, 'NEW_PASSWORD_REQUIRED');
      checkPassword(pool.policies.password, input.newPassword);
      const passwordHash = await deps.passwords.hash(input.newPassword);
      const user = await withDeliveries(verification, async (deliveries) =>
        db.transaction(async (tx) => {
          const locked = await lockUser(tx, userId);
          // Answered already, the user gone, or a password set since (AdminSetUserPassword): the session has nothing left to prove.
          if (
            !locked ||
            locked.status !== 'FORCE_CHANGE_PASSWORD' ||
            (stamp !== undefined && passwordStamp(locked) !== stamp)
          ) {
            throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
          }
          const state = await loadAttributes(tx, locked);
          const plan = planUpdate(pool.attributeSettings, { kind: 'user', client }, state, input.userAttributes ?? {});
          const after = await applyPlan(tx, pool, locked.id, state, plan);
          await recordAudit(tx, {
            pool,
            user: locked,
            actor: { kind: 'user', clientId: client.id },
            action: 'SET_NEW_PASSWORD',
            details: {
              status: { from: locked.status, to: 'CONFIRMED' },
              password: 'changed',
              attributes: attributeChanges(pool, state, after),
            },
          });
          const missing = missingRequired(pool, after);
          if (missing.length > 0) throw invalidParameter(`Invalid attributes given, ${missing.join(', ')} is missing`);
          deliveries.push(...(await issuePlanCodes(verification, tx, pool, locked, plan)));
          const updated = await updateUser(tx, locked.id, {
            passwordHash,
            ...srpCredentials(pool, locked.username, input.newPassword),
            status: 'CONFIRMED',
            updatedAt: sql`now()`,
          });
          return updated!;
        }),
      );
      // The new password is committed; PostAuthentication may still refuse the tokens (docs/trigger-events.md).
      const state = await loadAttributes(db, user);
      return afterFirstFactor(
        {
          pool,
          client,
          user,
          state,
          ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
          ...(input.deviceKey && { deviceKey: input.deviceKey }),
          ...(input.source && { source: input.source }),
        },
        { triggerSource: 'TokenGeneration_NewPasswordChallenge' },
      );
    },
    /** `deviceKey`: DEVICE_KEY, which a session started on a device must name (docs/devices.md). */
    refresh: (input: { clientId: string; refreshToken: string; deviceKey?: string }) =>
      deps.sessions.refresh(input.clientId, input.refreshToken, input.deviceKey),
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
