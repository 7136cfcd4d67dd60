import { createHmac, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { users, type CodePurpose } from '../../db/schema/index.ts';
import { CognitoError, forbidden, invalidParameter } from '../../errors/cognito-error.ts';
import {
  emptyPlan,
  emailKey,
  idTokenAttributeClaims,
  isEmailAddress,
  isPhoneNumber,
  planDelete,
  planUpdate,
  prepareNewUser,
  readAttributes,
  type UserAttributeState,
  type VerifiableAttribute,
} from '../attributes/index.ts';
import { codeDeliveryDetails, type CodeDeliveryDetails } from '../courier/index.ts';
import { assertAuthFlow, type AppClient, type Pool, type PoolsService } from '../pools/pools.service.ts';
import { checkPasswordClaim, fakeSrpVerifier, startSrp, type createSecretBlocks } from '../srp/index.ts';

type SecretBlocks = ReturnType<typeof createSecretBlocks>;
import { adminOnlyRecovery, checkPassword, recoveryChannel, recoveryChannels } from '../pools/pool-settings.ts';
import type { Caller, SessionsService, TokenSet } from '../tokens/sessions.service.ts';
import type { PendingDelivery, VerificationService } from '../verification/verification.service.ts';
import type { Logger } from '../../lib/logger.ts';
import { attributeChanges, recordAudit, type AuditActor } from '../audit/audit.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import type { LockoutSubject, SignInLockout } from '../rate-limits/sign-in-lockout.ts';
import type { ChallengeSessions } from './challenge-sessions.ts';
import { createLatencyCover } from './latency-cover.ts';
import type { PasswordHasher } from './passwords.ts';
import { srpCredentials } from './srp-credentials.ts';
import { issueUserCode } from './user-codes.ts';
import {
  aliasExists,
  aliasHeldByOther,
  applyPlan,
  findUserBySignInName,
  insertAttributes,
  loadAttributes,
  lockUser,
  lockUserWithAttributes,
  newUserIdentity,
  setAttribute,
  newUserRow,
  SIGN_IN_NAME_TAKEN,
  usernameKey,
  type UserRow,
} from './users.repository.ts';

export interface NewPasswordChallenge {
  challengeName: 'NEW_PASSWORD_REQUIRED';
  session: string;
  challengeParameters: { requiredAttributes: string[]; userAttributes: Record<string, string> };
}

export interface SrpChallenge {
  challengeName: 'PASSWORD_VERIFIER';
  challengeParameters: { SALT: string; SRP_B: string; SECRET_BLOCK: string; USER_ID_FOR_SRP: string; USERNAME: string };
}

export interface AttributeUpdateResult {
  isUpdated: boolean;
  nextStep: { updateAttributeStep: 'DONE' | 'CONFIRM_ATTRIBUTE_WITH_CODE'; codeDeliveryDetails?: CodeDeliveryDetails };
}

const VERIFIABLE: readonly VerifiableAttribute[] = ['email', 'phone_number'];
/** The user id a simulated SRP challenge carries: no user has it. */
const NO_USER = '00000000-0000-0000-0000-000000000000';
const USERNAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const incorrectCredentials = () => new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
const codeMismatch = () => new CognitoError('CodeMismatchException');
/** The ways a code check fails; where existence is hidden, all of them answer as a wrong code. */
const CODE_FAILURES = new Set(['CodeMismatchException', 'ExpiredCodeException', 'TooManyFailedAttemptsException', 'LimitExceededException']);
const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');

/**
 * Whose lockout a sign-in counts against: the user's, or, for a name no user has, the name's when
 * the client hides user existence (elsewhere an unknown user is told so, and nothing is locked).
 */
function lockoutSubject(pool: Pool, client: AppClient, user: UserRow | undefined, name: string): LockoutSubject | undefined {
  if (user) return { userId: user.id };
  return client.preventUserExistenceErrors ? { poolId: pool.id, unknownName: comparedName(pool, name) } : undefined;
}

/** A name as the pool compares it, so spellings of one name get one stand-in (fake SRP salt, id). */
const comparedName = (pool: Pool, name: string) => (isEmailAddress(name) ? emailKey(name) : usernameKey(pool, name));

/** Who acts when a signed-in user changes their account: the user, through the token's client. */
const userActor = (caller: Caller): AuditActor => ({ kind: 'user', clientId: caller.client.id });

/** Required attributes the user has no value for (an admin-created user may lack them). */
function missingRequired(pool: Pool, state: UserAttributeState): string[] {
  return pool.attributeSettings.schema.filter((a) => a.required && a.name !== 'sub' && !state[a.name]).map((a) => a.name);
}

/** The attributes sign-up codes go to, in order: the phone when both are auto-verified. */
const signUpChannels = (pool: Pool) => (['phone_number', 'email'] as const).filter((name) => pool.attributeSettings.autoVerifiedAttributes.includes(name));

/** The attribute a sign-up code goes to: the first of signUpChannels the user has a value for. */
function signUpCodeTarget(pool: Pool, state: UserAttributeState): VerifiableAttribute | undefined {
  return signUpChannels(pool).find((name) => state[name]);
}

/**
 * forceAliasCreation moves an alias (§6), but in username-attribute pools the email or phone is
 * another user's sign-in name, unique outright: taking it would lock that user out of their account.
 */
function mayForceAlias(pool: Pool, attributeName: VerifiableAttribute, requested: boolean | undefined): boolean {
  return requested === true && !pool.attributeSettings.usernameAttributes.includes(attributeName);
}

export function createUsersService(deps: {
  db: Db;
  pools: PoolsService;
  sessions: SessionsService;
  verification: VerificationService;
  passwords: PasswordHasher;
  challenges: ChallengeSessions;
  /** Seals the SRP server state into the challenge's SECRET_BLOCK. */
  srpSecretBlocks: SecretBlocks;
  /** Server secret: stable fake SRP salts for unknown users. */
  secret: string;
  logger: Logger;
  metrics?: AuthMetrics;
  /** Sign-in lockout per user and source address. */
  lockout: SignInLockout;
}) {
  const { db, verification } = deps;
  const metrics = deps.metrics ?? noAuthMetrics;
  /** With existence hidden, answers for unknown users take as long as a real user's (resend, confirm). */
  const hiddenTimes = createLatencyCover();

  /**
   * Checks a code given with a user's name. Where the client hides existence, every way a code can
   * fail (wrong, expired, used up, the hourly limit) answers CodeMismatchException, as an unknown
   * user's does, and takes as long: any other answer would say the user exists (docs/security.md).
   */
  async function checkCode(hidden: boolean, pool: Pool, startedAt: number, scope: Parameters<VerificationService['check']>[0]) {
    if (!hidden) return verification.check(scope);
    try {
      return await verification.check(scope);
    } catch (error) {
      if (!(error instanceof CognitoError) || !CODE_FAILURES.has(error.name)) throw error;
      hiddenTimes.record(`confirm:${pool.id}`, startedAt);
      throw codeMismatch();
    }
  }

  /**
   * USER_ID_FOR_SRP for a name no user has (docs/security.md, "SRP"): the name itself where it
   * could be a username of this pool, as a real username comes back; otherwise (an email or phone
   * in an alias pool, any name where usernames are subs) a sub-like id from a keyed hash of the
   * name, as a real alias comes back as its user's username.
   */
  function fakeSrpUserId(pool: Pool, name: string): string {
    const { aliasAttributes, usernameAttributes } = pool.attributeSettings;
    const aliasShaped = (aliasAttributes.includes('email') && isEmailAddress(name)) || (aliasAttributes.includes('phone_number') && isPhoneNumber(name));
    if (usernameAttributes.length === 0 && !aliasShaped) return name;
    const hex = createHmac('sha256', deps.secret).update(`cognate fake srp user\0${pool.id}\0${comparedName(pool, name)}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Number.parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /**
   * What a hidden user (unknown, or one whose state must not show) is told: a destination on the
   * flow's first channel (`channels`, in the order a real user's code takes them), masked as a real
   * one is. A name that is itself an address on one of them is masked as that address; any other
   * name gets letters from a keyed hash of it, stable across calls (asking twice shows nothing) and
   * showing nothing of the name's spelling (docs/security.md).
   */
  function simulatedDelivery(pool: Pool, name: string, channels: readonly VerifiableAttribute[]): CodeDeliveryDetails {
    if (channels.includes('phone_number') && isPhoneNumber(name)) return codeDeliveryDetails('phone_number', name);
    if (channels.includes('email') && isEmailAddress(name)) return codeDeliveryDetails('email', name);
    const digest = createHmac('sha256', deps.secret).update(`cognate simulated delivery\0${pool.id}\0${comparedName(pool, name)}`).digest();
    if (channels[0] === 'phone_number') return codeDeliveryDetails('phone_number', `+1${String(digest.readUInt32BE(1) % 10_000).padStart(4, '0')}`);
    const letter = (byte: number) => 'abcdefghijklmnopqrstuvwxyz'[byte % 26]!;
    return codeDeliveryDetails('email', `${letter(digest[5]!)}@${letter(digest[6]!)}`);
  }

  /** Runs a write, then hands its codes to the courier once it has committed. */
  async function withDeliveries<T>(work: (deliveries: PendingDelivery[]) => Promise<T>): Promise<T> {
    const deliveries: PendingDelivery[] = [];
    const result = await work(deliveries);
    await verification.deliver(deliveries);
    return result;
  }

  const issueCode = (
    tx: Queryable,
    pool: Pool,
    user: UserRow,
    purpose: CodePurpose,
    attributeName: VerifiableAttribute,
    destination: string,
    locale?: string | null,
  ) => issueUserCode(verification, tx, pool, user, purpose, attributeName, destination, locale);

  /** After the password is proven (by hash or by SRP): the account's state decides what follows. */
  async function completeSignIn(pool: Pool, client: AppClient, user: UserRow): Promise<TokenSet | NewPasswordChallenge> {
    if (!user.enabled) throw forbidden('User is disabled.');
    if (user.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'RESET_REQUIRED') throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
    const state = await loadAttributes(db, user);
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      metrics.signIn('challenge');
      // An invited user proves the temporary password, then must choose their own (and give any required attribute).
      return {
        challengeName: 'NEW_PASSWORD_REQUIRED' as const,
        session: deps.challenges.issue(user.id, client.id, 'NEW_PASSWORD_REQUIRED'),
        challengeParameters: {
          requiredAttributes: missingRequired(pool, state),
          userAttributes: readAttributes(pool.attributeSettings, client, state),
        },
      };
    }
    const tokens = await deps.sessions.start(pool, client, user, state);
    metrics.signIn('success');
    return tokens;
  }

  return {
    async signUp(input: { clientId: string; username: string; password: string; userAttributes: Record<string, string> }) {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      if (!USERNAME_PATTERN.test(input.username)) throw invalidParameter('Username must be 1 to 128 letters, digits, marks, symbols or punctuation.');
      const { kind, attributes, usernameFor } = newUserIdentity(pool, input.username, input.userAttributes);
      const prepared = prepareNewUser(pool.attributeSettings, { kind: 'user', client }, attributes, 'sign-up');
      checkPassword(pool.policies.password, input.password);
      const passwordHash = await deps.passwords.hash(input.password);
      const sub = randomUUID();
      const username = usernameFor(sub);

      return withDeliveries(async (deliveries) => {
        try {
          await db.transaction(async (tx) => {
            const [user] = await tx
              .insert(users)
              .values(newUserRow(pool, { id: sub, username, status: 'UNCONFIRMED', passwordHash, password: input.password }))
              .returning();
            const state = await insertAttributes(tx, pool, sub, prepared.values, {});
            await recordAudit(tx, {
              pool,
              user: user!,
              actor: { kind: 'user', clientId: client.id },
              action: 'SIGN_UP',
              details: { status: { from: null, to: 'UNCONFIRMED' }, password: 'set', attributes: attributeChanges(pool, {}, state) },
            });
            const target = signUpCodeTarget(pool, state);
            if (target) deliveries.push(await issueCode(tx, pool, user!, 'SIGN_UP', target, prepared.values[target]!, state.locale?.value ?? null));
          });
        } catch (error) {
          const constraint = uniqueViolation(error);
          // The username is taken, as a username or as another user's alias (one namespace, docs/security.md).
          if (constraint === 'users_pool_username_key' || constraint === SIGN_IN_NAME_TAKEN) throw new CognitoError('UsernameExistsException', 'User already exists');
          if (error instanceof CognitoError && error.name === 'AliasExistsException') {
            throw new CognitoError('UsernameExistsException', `An account with the given ${kind === 'phone_number' ? 'phone_number' : 'email'} already exists.`);
          }
          throw error;
        }
        const delivery = deliveries[0];
        return { userSub: sub, userConfirmed: false, ...(delivery && { codeDeliveryDetails: delivery.details }) };
      });
    },

    async confirmSignUp(input: { clientId: string; username: string; confirmationCode: string; forceAliasCreation?: boolean }) {
      const startedAt = performance.now();
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const hidden = client.preventUserExistenceErrors;
      const user = await findUserBySignInName(db, pool, input.username);
      // Hidden existence: an unknown or already confirmed user gets what a wrong code gets, in as much time.
      if (!user || user.status !== 'UNCONFIRMED') {
        if (!hidden) throw user ? forbidden(`User cannot be confirmed. Current status is ${user.status}`) : userNotFound();
        await hiddenTimes.imitate(`confirm:${pool.id}`, startedAt);
        throw codeMismatch();
      }
      const target = signUpCodeTarget(pool, await loadAttributes(db, user));
      const scope = { userId: user.id, purpose: 'SIGN_UP' as const, attributeName: target ?? 'email' };
      const checked = await checkCode(hidden, pool, startedAt, { ...scope, code: input.confirmationCode, policy: pool.policies.codes });
      await db.transaction(async (tx) => {
        await lockUser(tx, user.id);
        await verification.consume(tx, scope, checked.codeHmac);
        await tx.update(users).set({ status: 'CONFIRMED', updatedAt: sql`now()` }).where(eq(users.id, user.id));
        // The code proves the value it was sent to, and only that value.
        const state = await loadAttributes(tx, user);
        const attribute = state[scope.attributeName];
        if (attribute && attribute.value === checked.destination) {
          await setAttribute(tx, pool, user.id, scope.attributeName, { value: attribute.value, verified: true, pendingValue: attribute.pendingValue ?? null }, {
            forceAlias: mayForceAlias(pool, scope.attributeName, input.forceAliasCreation),
          });
        }
        await recordAudit(tx, {
          pool,
          user,
          actor: { kind: 'user', clientId: client.id },
          action: 'CONFIRM_SIGN_UP',
          details: { status: { from: user.status, to: 'CONFIRMED' }, attributes: attributeChanges(pool, state, await loadAttributes(tx, user)) },
        });
      });
      metrics.codeVerified(scope.purpose);
    },

    async resendConfirmationCode(input: { clientId: string; username: string }) {
      const startedAt = performance.now();
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const user = await findUserBySignInName(db, pool, input.username);
      const noAutoVerification = () => invalidParameter('Cannot resend codes. Auto verification not turned on.');
      // A pool that sends no sign-up codes says so to every caller alike.
      if (client.preventUserExistenceErrors && pool.attributeSettings.autoVerifiedAttributes.length === 0) throw noAutoVerification();
      if (!user || user.status !== 'UNCONFIRMED') {
        if (!client.preventUserExistenceErrors) throw user ? invalidParameter('User is already confirmed.') : userNotFound();
        // Unknown and confirmed users are answered as an unconfirmed one would be, in as much
        // time, so neither the response nor its timing tells them apart (docs/security.md).
        const codeDeliveryDetails = simulatedDelivery(pool, input.username, signUpChannels(pool));
        await hiddenTimes.imitate(`resend:${pool.id}`, startedAt);
        return { codeDeliveryDetails };
      }
      const resend = () =>
        withDeliveries(async (deliveries) => {
          await db.transaction(async (tx) => {
            const { user: locked, state } = (await lockUserWithAttributes(tx, user.id))!;
            const target = signUpCodeTarget(pool, state);
            if (!target) throw noAutoVerification();
            deliveries.push(await issueCode(tx, pool, locked, 'SIGN_UP', target, state[target]!.value));
          });
          return { codeDeliveryDetails: deliveries[0]!.details };
        });
      if (!client.preventUserExistenceErrors) return resend();
      const answer = await resend().catch(async (error: unknown) => {
        if (!(error instanceof CognitoError)) throw error;
        // Over the pool's hourly sends, nothing goes out and the user is told what any name is
        // told (a limit only real users can meet would say who exists); with nowhere to send,
        // likewise (docs/security.md, "Limits and lockout").
        if (error.name === 'LimitExceededException') {
          const state = await loadAttributes(db, user);
          const target = signUpCodeTarget(pool, state)!;
          return { codeDeliveryDetails: codeDeliveryDetails(target, state[target]!.value) };
        }
        if (error.name === 'InvalidParameterException') return { codeDeliveryDetails: simulatedDelivery(pool, input.username, signUpChannels(pool)) };
        throw error;
      });
      hiddenTimes.record(`resend:${pool.id}`, startedAt);
      return answer;
    },

    /** `source`: the caller's address; lockouts are kept per user and source. */
    async signIn(input: { clientId: string; username: string; password: string; source: string }): Promise<TokenSet | NewPasswordChallenge> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      assertAuthFlow(client, 'ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH');
      const user = await findUserBySignInName(db, pool, input.username);
      // Unknown names are locked out like users when existence is hidden, or the lock would tell who exists.
      const subject = lockoutSubject(pool, client, user, input.username);
      const lock = subject ? await deps.lockout.check(subject, input.source) : undefined;
      if (!user || !user.passwordHash) {
        // Same work as a real check, so timing does not reveal whether the user exists.
        await deps.passwords.verifyDummy(input.password);
        metrics.signIn('failure');
        if (client.preventUserExistenceErrors) {
          if (subject) await deps.lockout.recordFailure(subject, input.source);
          throw incorrectCredentials();
        }
        // Imported without a password (Cognito's CSV): the account exists and must be reset first;
        // hidden-existence clients get the generic answer instead, as in Cognito (§8.3).
        if (user?.status === 'RESET_REQUIRED') throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
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
          await db.update(users).set({ passwordHash }).where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)));
        } catch (error) {
          deps.logger.warn({ err: error, userId: user.id }, 'password not re-hashed with the current parameters');
        }
      }
      // SRP turned on after this user chose their password: the password is at hand now.
      if (pool.srpEnabled && !user.srpVerifier) {
        await db.update(users).set(srpCredentials(pool, user.username, input.password)).where(eq(users.id, user.id));
      }
      return completeSignIn(pool, client, user);
    },

    /**
     * USER_SRP_AUTH, first half: the PASSWORD_VERIFIER challenge. Unknown users, and users with
     * no verifier yet, get a challenge built on a stable fake verifier when the client hides
     * user existence, so the answer looks the same; the proof then fails as a wrong password.
     */
    async startSrpSignIn(input: { clientId: string; username: string; srpA: string; source: string }): Promise<SrpChallenge> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      if (!pool.srpEnabled) throw invalidParameter('USER_SRP_AUTH is not enabled for this user pool.');
      assertAuthFlow(client, 'ALLOW_USER_SRP_AUTH', 'USER_SRP_AUTH');
      const user = await findUserBySignInName(db, pool, input.username);
      // A locked source gets no challenge either: the lock is checked again when it is answered.
      const subject = lockoutSubject(pool, client, user, input.username);
      if (subject) await deps.lockout.check(subject, input.source);
      const known = user?.srpSalt && user.srpVerifier ? { salt: user.srpSalt, verifier: user.srpVerifier } : undefined;
      if (!known && !client.preventUserExistenceErrors) {
        if (!user) throw userNotFound();
        if (user.status === 'RESET_REQUIRED') throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
        throw incorrectCredentials();
      }
      // A real user's stored username, which the proof is computed over (an alias or another
      // case of it shows that username, as in Cognito); for anyone else a stable stand-in.
      const userIdForSrp = user?.username ?? fakeSrpUserId(pool, input.username);
      const verifier = known ?? fakeSrpVerifier(deps.secret, pool.id, comparedName(pool, input.username));
      const { srpB, b } = startSrp(verifier, input.srpA);
      const secretBlock = deps.srpSecretBlocks.seal({
        u: known ? user!.id : NO_USER,
        n: userIdForSrp,
        c: client.id,
        a: input.srpA,
        B: srpB,
        b,
        s: verifier.salt,
        v: verifier.verifier,
      });
      return {
        challengeName: 'PASSWORD_VERIFIER',
        challengeParameters: { SALT: verifier.salt, SRP_B: srpB, SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: userIdForSrp, USERNAME: userIdForSrp },
      };
    },

    /** USER_SRP_AUTH, second half: the PASSWORD_CLAIM_SIGNATURE proves the password without sending it. */
    async answerSrpChallenge(input: { clientId: string; secretBlock: string; timestamp: string; signature: string; source: string }): Promise<TokenSet | NewPasswordChallenge> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const state = deps.srpSecretBlocks.open(input.secretBlock);
      if (state.c !== client.id) throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      // The lock is checked before the proof, with one lookup for known and unknown users alike.
      const [user] = await db.select().from(users).where(eq(users.id, state.u!));
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
      return completeSignIn(pool, client, user);
    },

    /** RespondToAuthChallenge NEW_PASSWORD_REQUIRED: the new password and any missing required attribute. */
    async respondToNewPasswordChallenge(input: { clientId: string; session: string; newPassword: string; userAttributes?: Record<string, string> }): Promise<TokenSet> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const userId = deps.challenges.open(input.session, client.id, 'NEW_PASSWORD_REQUIRED');
      checkPassword(pool.policies.password, input.newPassword);
      const passwordHash = await deps.passwords.hash(input.newPassword);
      const user = await withDeliveries(async (deliveries) =>
        db.transaction(async (tx) => {
          const locked = await lockUser(tx, userId);
          // Answered already, or the user is gone: the session has nothing left to prove.
          if (!locked || locked.status !== 'FORCE_CHANGE_PASSWORD') {
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
            details: { status: { from: locked.status, to: 'CONFIRMED' }, password: 'changed', attributes: attributeChanges(pool, state, after) },
          });
          const missing = missingRequired(pool, after);
          if (missing.length > 0) throw invalidParameter(`Invalid attributes given, ${missing.join(', ')} is missing`);
          for (const name of plan.codesFor) {
            deliveries.push(await issueCode(tx, pool, locked, 'VERIFY_ATTRIBUTE', name, plan.pending[name] ?? plan.set[name]!));
          }
          const [updated] = await tx
            .update(users)
            .set({ passwordHash, ...srpCredentials(pool, locked.username, input.newPassword), status: 'CONFIRMED', updatedAt: sql`now()` })
            .where(eq(users.id, locked.id))
            .returning();
          return updated!;
        }),
      );
      return deps.sessions.start(pool, client, user, await loadAttributes(db, user));
    },

    /**
     * ForgotPassword: a code to a verified email, else a verified phone (email first, as Cognito's
     * recommended recovery setting). With keep-original on, the current verified value gets it,
     * never a pending one: an unproven address must not be able to take the account.
     */
    async forgotPassword(input: { clientId: string; username: string }) {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      // admin_only (docs/cognito-settings.md): refused before any lookup, alike for every name, so it tells no one who exists.
      if (adminOnlyRecovery(pool.policies)) throw forbidden('Contact administrator to reset password.');
      const user = await findUserBySignInName(db, pool, input.username);
      // Hidden users (unknown, disabled, or with nowhere to send) get a plausible answer and no message:
      // on the pool's only recovery channel when it has one, as every real answer there is.
      // The recovery channels the pool verifies first: where real users' codes mostly go.
      const recovery = recoveryChannels(pool.policies);
      const verifiedFirst = [...recovery.filter((name) => pool.attributeSettings.autoVerifiedAttributes.includes(name)), ...recovery];
      const hide = () => ({ codeDeliveryDetails: simulatedDelivery(pool, input.username, verifiedFirst) });
      if (!user || !user.enabled) {
        if (!client.preventUserExistenceErrors) throw user ? forbidden('User is disabled.') : userNotFound();
        // The same read as a real user's answer below, so the time taken tells nothing either.
        await loadAttributes(db, { id: user?.id ?? NO_USER });
        return hide();
      }
      const send = () =>
        withDeliveries(async (deliveries) => {
          await db.transaction(async (tx) => {
            const locked = await lockUser(tx, user.id);
            const state = await loadAttributes(tx, locked!);
            const channel = recoveryChannel(pool, state);
            if (channel) deliveries.push(await issueCode(tx, pool, locked!, 'FORGOT_PASSWORD', channel, state[channel]!.value));
          });
          return deliveries[0];
        });
      if (!client.preventUserExistenceErrors) {
        const delivery = await send();
        if (delivery) return { codeDeliveryDetails: delivery.details };
        throw invalidParameter('Cannot reset password for the user as there is no registered/verified email or phone_number');
      }
      // Hidden existence: answer from a read no costlier than the unknown user's lookup, and write and
      // send the code after answering, so neither the SMTP round trip nor a limit tells who exists.
      const state = await loadAttributes(db, user);
      const channel = recoveryChannel(pool, state);
      // Begun a moment later, not inline: inline, its queries would run before this answer has gone out and slow it.
      setTimeout(() => void send().catch((error: unknown) => deps.logger.warn({ err: error, purpose: 'FORGOT_PASSWORD' }, 'password reset code not sent')), 50);
      return channel ? { codeDeliveryDetails: codeDeliveryDetails(channel, state[channel]!.value) } : hide();
    },

    async confirmForgotPassword(input: { clientId: string; username: string; confirmationCode: string; password: string }) {
      const startedAt = performance.now();
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const hidden = client.preventUserExistenceErrors;
      const user = await findUserBySignInName(db, pool, input.username);
      // The code's row says which channel it went to; none means no reset was asked for.
      const issuedTo = user?.enabled ? await verification.issuedTo(user.id, 'FORGOT_PASSWORD') : undefined;
      if (!user || !user.enabled || !issuedTo) {
        if (!hidden) throw !user ? userNotFound() : !user.enabled ? forbidden('User is disabled.') : new CognitoError('ExpiredCodeException');
        await hiddenTimes.imitate(`confirm:${pool.id}`, startedAt);
        throw codeMismatch();
      }
      // The code first, then the password policy: a policy answer before the code would tell a
      // real user from an unknown one (docs/security.md).
      const scope = { userId: user.id, purpose: 'FORGOT_PASSWORD' as const, attributeName: issuedTo };
      const checked = await checkCode(hidden, pool, startedAt, { ...scope, code: input.confirmationCode, policy: pool.policies.codes });
      checkPassword(pool.policies.password, input.password);
      const passwordHash = await deps.passwords.hash(input.password);
      await db.transaction(async (tx) => {
        const locked = await lockUser(tx, user.id);
        await verification.consume(tx, scope, checked.codeHmac);
        // A reset required by an administrator is what this completes.
        const status = locked!.status === 'RESET_REQUIRED' ? 'CONFIRMED' : locked!.status;
        await tx
          .update(users)
          .set({ passwordHash, ...srpCredentials(pool, locked!.username, input.password), status, updatedAt: sql`now()` })
          .where(eq(users.id, user.id));
        // A recovery ends every session: one of them may be why the password was reset.
        await deps.sessions.revokeAll(tx, user.id);
        await recordAudit(tx, {
          pool,
          user: locked!,
          actor: { kind: 'user', clientId: client.id },
          action: 'RESET_PASSWORD',
          details: { password: 'reset', ...(status !== locked!.status && { status: { from: locked!.status, to: status } }) },
        });
      });
      metrics.codeVerified(scope.purpose);
    },

    refresh: (input: { clientId: string; refreshToken: string }) => deps.sessions.refresh(input.clientId, input.refreshToken),

    signOut: (caller: Caller) => deps.sessions.revokeAll(db, caller.user.id),

    async changePassword(caller: Caller, input: { previousPassword: string; proposedPassword: string }) {
      const [stored] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, caller.user.id));
      if (!stored?.passwordHash || !(await deps.passwords.verify(stored.passwordHash, input.previousPassword))) {
        throw incorrectCredentials();
      }
      checkPassword(caller.pool.policies.password, input.proposedPassword);
      const passwordHash = await deps.passwords.hash(input.proposedPassword);
      await db.transaction(async (tx) => {
        await tx
          .update(users)
          .set({ passwordHash, ...srpCredentials(caller.pool, caller.user.username, input.proposedPassword), updatedAt: sql`now()` })
          .where(eq(users.id, caller.user.id));
        // Whoever else holds a session (a thief's included) is signed out; this one stays.
        await deps.sessions.revokeAll(tx, caller.user.id, caller.claims.origin_jti);
        await recordAudit(tx, { pool: caller.pool, user: caller.user, actor: userActor(caller), action: 'CHANGE_PASSWORD', details: { password: 'changed' } });
      });
    },

    async deleteSelf(caller: Caller) {
      await db.transaction(async (tx) => {
        await tx.delete(users).where(eq(users.id, caller.user.id));
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
      return { ...idTokenAttributeClaims(caller.pool.attributeSettings, caller.client, state), sub: caller.user.id, username: caller.user.username };
    },

    async getAttributes(caller: Caller) {
      return readAttributes(caller.pool.attributeSettings, caller.client, caller.attributes);
    },

    async updateAttributes(caller: Caller, changes: Record<string, string>): Promise<Record<string, AttributeUpdateResult>> {
      const { pool, client } = caller;
      return withDeliveries(async (deliveries) => {
        await db.transaction(async (tx) => {
          const { user: locked, state } = (await lockUserWithAttributes(tx, caller.user.id))!;
          const plan = planUpdate(pool.attributeSettings, { kind: 'user', client }, state, changes);
          // A pending value in a username-attribute pool could never be verified if another user
          // signs in with it; say so now, as an immediate change would, not after a code went out.
          for (const [name, value] of Object.entries(plan.pending)) {
            if (!pool.attributeSettings.usernameAttributes.includes(name as VerifiableAttribute)) continue;
            if (await aliasHeldByOther(tx, pool, name, value, locked.id)) throw aliasExists(name);
          }
          const changed = attributeChanges(pool, state, await applyPlan(tx, pool, locked.id, state, plan));
          if (changed.length > 0) {
            await recordAudit(tx, { pool, user: locked, actor: userActor(caller), action: 'UPDATE_ATTRIBUTES', details: { attributes: changed } });
          }
          for (const name of plan.codesFor) {
            deliveries.push(await issueCode(tx, pool, locked, 'VERIFY_ATTRIBUTE', name, plan.pending[name] ?? plan.set[name]!));
          }
        });
        // Amplify's shape: each attribute awaiting a code says so; every other one is done.
        const results: Record<string, AttributeUpdateResult> = {};
        for (const name of Object.keys(changes)) results[name] = { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } };
        for (const delivery of deliveries) {
          results[delivery.attributeName] = {
            isUpdated: false,
            nextStep: { updateAttributeStep: 'CONFIRM_ATTRIBUTE_WITH_CODE', codeDeliveryDetails: delivery.details },
          };
        }
        return results;
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

    async sendAttributeCode(caller: Caller, name: string) {
      const attributeName = verifiableName(name);
      return withDeliveries(async (deliveries) => {
        await db.transaction(async (tx) => {
          const { user: locked, state } = (await lockUserWithAttributes(tx, caller.user.id))!;
          const stored = state[attributeName];
          // A pending value is what awaits proof; otherwise the current value is re-verified.
          const destination = stored?.pendingValue ?? stored?.value;
          if (!destination) {
            throw invalidParameter(`User does not have a valid registered ${attributeName === 'email' ? 'email address' : 'phone number'}`);
          }
          deliveries.push(await issueCode(tx, caller.pool, locked, 'VERIFY_ATTRIBUTE', attributeName, destination));
        });
        return { codeDeliveryDetails: deliveries[0]!.details };
      });
    },

    async verifyAttribute(caller: Caller, name: string, input: { confirmationCode: string; forceAliasCreation?: boolean }) {
      const attributeName = verifiableName(name);
      const scope = { userId: caller.user.id, purpose: 'VERIFY_ATTRIBUTE' as const, attributeName };
      const checked = await verification.check({ ...scope, code: input.confirmationCode, policy: caller.pool.policies.codes });
      await db.transaction(async (tx) => {
        const { user: locked, state: before } = (await lockUserWithAttributes(tx, caller.user.id))!;
        const stored = before[attributeName];
        await verification.consume(tx, scope, checked.codeHmac);
        // The code proves the value it was sent to: the pending value (promoted now) or the current one.
        if (stored?.pendingValue === checked.destination || stored?.value === checked.destination) {
          const plan = { ...emptyPlan(), set: { [attributeName]: checked.destination }, verified: { [attributeName]: true } };
          const after = await applyPlan(tx, caller.pool, locked.id, before, plan, { forceAlias: mayForceAlias(caller.pool, attributeName, input.forceAliasCreation) });
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

function verifiableName(name: string): VerifiableAttribute {
  if (!VERIFIABLE.includes(name as VerifiableAttribute)) {
    throw invalidParameter('Invalid attribute name. Only phone_number and email can be verified.');
  }
  return name as VerifiableAttribute;
}

export type UsersService = ReturnType<typeof createUsersService>;
