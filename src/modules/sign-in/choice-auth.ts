import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import {
  CognitoError,
  forbidden,
  incorrectCredentials,
  invalidParameter,
  passwordResetRequired,
  userNotFound,
} from '../../errors/cognito-error.ts';
import type { UserAttributeState } from '../attributes/index.ts';
import type { CodeDeliveryDetails } from '../courier/index.ts';
import { codeMismatch, comparedName, NO_USER, type HiddenExistence } from '../hidden-existence/hidden-existence.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import { findUserMfa, mfaSettingsOf } from '../mfa/user-mfa.repository.ts';
import { assertAuthFlow, type PoolsService } from '../pools/pools.service.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import type { SignInLockout } from '../rate-limits/sign-in-lockout.ts';
import type { Caller, TokenSet } from '../tokens/sessions.service.ts';
import type { ClientMetadata } from '../triggers/trigger-events.ts';
import { findUserById, findUserBySignInName, loadAttributes, type UserRow } from '../user-store/users.repository.ts';
import { sessionKind, type AuthSessionRow, type AuthSessions } from './auth-sessions.ts';
import type { FirstFactorChallenge, UserAuthFactors, UserAuthSrpChallenge } from './choice-auth.types.ts';
import type { SignInCodes } from './sign-in-codes.ts';
import type { SignInService, SrpProof } from './sign-in.service.ts';
import type { NewPasswordChallenge, StepChallenge } from './sign-in.types.ts';

/**
 * Choice-based sign-in (InitiateAuth USER_AUTH, docs/passwordless.md): the user names a first factor
 * (PREFERRED_CHALLENGE) or chooses one from SELECT_CHALLENGE's AvailableChallenges: the password,
 * SRP, or a one-time code by email (EMAIL_OTP) or SMS (SMS_OTP). Each step lives in a stored,
 * single-use session of kind `user-auth` (auth-sessions.ts). A password first factor goes on to the
 * steps after it (remembered device, MFA); a code is not followed by MFA, as in Cognito.
 */

const invalidSession = () =>
  new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');

/** What the session row keeps between steps; never shown to the client. */
interface UserAuthState extends Record<string, unknown> {
  step: 'SELECT_CHALLENGE' | 'EMAIL_OTP' | 'SMS_OTP' | 'PASSWORD_VERIFIER';
  /** The name as given to InitiateAuth (an alias, another case). */
  name: string;
  /** USERNAME in the challenge parameters: the user's username, or a stable stand-in. */
  shownName: string;
  /** SELECT_CHALLENGE: the choices offered. */
  available?: FirstFactorChallenge[];
  /** The DEVICE_KEY the sign-in began with (docs/devices.md): the device's proof follows the first factor. */
  deviceKey?: string;
  /** EMAIL_OTP, SMS_OTP: what checks the code (none for a stand-in: every code is wrong) and the tries so far. */
  nonce?: string;
  codeHmac?: string | null;
  attempts?: number;
}

/** What each step leads to: tokens, a step after the first factor, the next USER_AUTH step. */
export type UserAuthOutcome = TokenSet | NewPasswordChallenge | StepChallenge | UserAuthSrpChallenge;

const CHOICES: readonly string[] = ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP'];

/** A PREFERRED_CHALLENGE or SELECT_CHALLENGE ANSWER as given: one of Cognito's first factors, or refused naming it. */
export function firstFactorChallenge(value: string, member: string): FirstFactorChallenge {
  if (CHOICES.includes(value)) return value as FirstFactorChallenge;
  if (value === 'WEB_AUTHN') {
    throw invalidParameter(`${member} WEB_AUTHN is not supported by Cognate (yet): passkeys come with a later issue.`);
  }
  throw invalidParameter(
    `${member} ${value.slice(0, 64)} is not a first factor; give PASSWORD, PASSWORD_SRP, EMAIL_OTP or SMS_OTP.`,
  );
}

const attributeOf = (factor: 'EMAIL_OTP' | 'SMS_OTP') => (factor === 'EMAIL_OTP' ? 'email' : 'phone_number');

/**
 * The first factors the pool lets USER_AUTH offer (docs/passwordless.md): PASSWORD (and PASSWORD_SRP
 * where the pool keeps SRP verifiers), then its one-time codes, which a pool that requires MFA does
 * not offer (a code is not followed by MFA, so it would skip what the pool requires).
 */
export function poolChoices(pool: Pool): FirstFactorChallenge[] {
  const allowed = pool.signInPolicy.allowedFirstAuthFactors;
  const choices: FirstFactorChallenge[] = [];
  if (allowed.includes('PASSWORD')) choices.push('PASSWORD', ...(pool.srpEnabled ? (['PASSWORD_SRP'] as const) : []));
  if (pool.mfaConfiguration !== 'ON') {
    if (allowed.includes('EMAIL_OTP')) choices.push('EMAIL_OTP');
    if (allowed.includes('SMS_OTP')) choices.push('SMS_OTP');
  }
  return choices;
}

/** Whether this user can use the factor: a password (and a verifier for SRP), or a verified email or phone. */
function userCan(user: Pick<UserRow, 'passwordHash' | 'srpVerifier'>, state: UserAttributeState, factor: string) {
  switch (factor) {
    case 'PASSWORD':
      return user.passwordHash !== null;
    case 'PASSWORD_SRP':
      return user.passwordHash !== null && user.srpVerifier !== null;
    case 'EMAIL_OTP':
    case 'SMS_OTP': {
      const attribute = state[attributeOf(factor)];
      return attribute !== undefined && attribute.value !== '' && attribute.verified === true;
    }
    default:
      return false;
  }
}

/** The account states that end a sign-in before any code is sent (where the client does not hide existence). */
function checkStatus(user: UserRow) {
  if (!user.enabled) throw forbidden('User is disabled.');
  if (user.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') throw passwordResetRequired();
  // A federated user signs in through its provider only (docs/federation.md, "Users and linking").
  if (user.status === 'EXTERNAL_PROVIDER') throw incorrectCredentials();
}
const statusAllowsCode = (user: UserRow) =>
  user.enabled &&
  user.status !== 'UNCONFIRMED' &&
  user.status !== 'RESET_REQUIRED' &&
  user.status !== 'EXTERNAL_PROVIDER';

/** PASSWORD and SRP_A are read only with the factor they belong to: never taken and ignored (docs/cognito-settings.md). */
function refuseUnread(
  input: { password?: string; srpA?: string },
  factor: FirstFactorChallenge | undefined,
  member: 'PREFERRED_CHALLENGE' | 'ANSWER',
): void {
  if (input.password !== undefined && factor !== 'PASSWORD')
    throw invalidParameter(`PASSWORD is read only with ${member} PASSWORD.`);
  if (input.srpA !== undefined && factor !== 'PASSWORD_SRP')
    throw invalidParameter(`SRP_A is read only with ${member} PASSWORD_SRP.`);
}

export function createChoiceAuthService(deps: {
  db: Db;
  pools: PoolsService;
  sessions: AuthSessions;
  codes: SignInCodes;
  hiding: HiddenExistence;
  lockout: SignInLockout;
  metrics?: AuthMetrics;
  /** PreAuthentication, the password and SRP checks, and what follows a proven first factor (sign-in.service.ts). */
  signIn: Pick<
    SignInService,
    'preAuthentication' | 'provePassword' | 'lockoutSubject' | 'completeSignIn' | 'startSrpSignIn' | 'proveSrp'
  >;
}) {
  const { db, hiding } = deps;
  const metrics = deps.metrics ?? noAuthMetrics;

  /** As the password flows: the user's lockout, or for a name no user has the name's where existence is hidden. */
  // Whose lockout a failure counts against: the password flows' rule (sign-in.service.ts).
  const { lockoutSubject } = deps.signIn;

  const issue = (pool: Pool, client: AppClient, userId: string | null, state: UserAuthState) =>
    deps.sessions.issue({
      poolId: pool.id,
      clientId: client.id,
      userId,
      minutes: client.authSessionValidity,
      state,
      kind: 'user-auth',
    });

  /** The session of this client and step, taken (used up) whatever follows. */
  async function take(token: string, client: AppClient, steps: UserAuthState['step'][]) {
    const row = await deps.sessions.take<UserAuthState>(token);
    if (!row || row.clientId !== client.id || !steps.includes(row.state.step)) throw invalidSession();
    return row;
  }

  /** ChallengeResponses.USERNAME must name the session's user: the name given, or the username shown. */
  function checkUsername(pool: Pool, state: UserAuthState, username: string | undefined) {
    if (username === undefined) return;
    const given = comparedName(pool, username);
    if (given !== comparedName(pool, state.shownName) && given !== comparedName(pool, state.name))
      throw invalidSession();
  }

  /** A factor the pool does not offer is refused naming it: that is the pool's setting, no secret of the user's. */
  function assertOffered(pool: Pool, factor: FirstFactorChallenge) {
    if (poolChoices(pool).includes(factor)) return;
    if (factor === 'PASSWORD_SRP')
      throw invalidParameter('PASSWORD_SRP is not available: SRP is off for this user pool.');
    if (pool.mfaConfiguration === 'ON' && pool.signInPolicy.allowedFirstAuthFactors.includes(factor)) {
      throw invalidParameter(`${factor} is not available: this user pool requires MFA (docs/passwordless.md).`);
    }
    throw invalidParameter(`${factor} is not an allowed first auth factor of this user pool.`);
  }

  /** The choices shown to this user: where existence is hidden, the pool's, whoever asks; elsewhere those the user can use. */
  async function choicesFor(pool: Pool, client: AppClient, user: UserRow | undefined): Promise<FirstFactorChallenge[]> {
    const offered = poolChoices(pool);
    if (client.preventUserExistenceErrors || !user) return offered;
    const state = await loadAttributes(db, user);
    return offered.filter((factor) => userCan(user, state, factor));
  }

  /** SELECT_CHALLENGE with the choices, in a new session. */
  async function selectChallenge(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    name: string,
    shownName: string,
    deviceKey?: string,
  ): Promise<StepChallenge> {
    const available = await choicesFor(pool, client, user);
    const session = await issue(pool, client, user?.id ?? null, {
      step: 'SELECT_CHALLENGE',
      name,
      shownName,
      available,
      ...(deviceKey && { deviceKey }),
    });
    metrics.signIn('challenge');
    return {
      challengeName: 'SELECT_CHALLENGE',
      session,
      challengeParameters: { USERNAME: shownName },
      availableChallenges: available,
    };
  }

  /**
   * The password as first factor: checked as USER_PASSWORD_AUTH checks it (lockout per user and
   * source, the same work for a user without one), then the steps after it.
   */
  async function passwordFactor(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    input: {
      name: string;
      password: string;
      source: string;
      preAuthMetadata?: ClientMetadata;
      clientMetadata?: ClientMetadata;
      deviceKey?: string;
    },
  ) {
    const subject = lockoutSubject(pool, client, user, input.name);
    const lock = subject ? await deps.lockout.check(subject, input.source) : undefined;
    const proven = await deps.signIn.provePassword(
      pool,
      client,
      user,
      { name: input.name, password: input.password, source: input.source, clientMetadata: input.preAuthMetadata },
      subject,
      lock,
    );
    return deps.signIn.completeSignIn(pool, client, proven, {
      source: input.source,
      ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
      ...(input.deviceKey && { deviceKey: input.deviceKey }),
    });
  }

  /** PASSWORD_SRP: SRP's PASSWORD_VERIFIER, sealed for USER_AUTH, in a session that its answer must carry. */
  async function srpFactor(
    pool: Pool,
    client: AppClient,
    input: { name: string; srpA: string; source: string; clientMetadata?: ClientMetadata; deviceKey?: string },
  ): Promise<UserAuthSrpChallenge> {
    const srp = await deps.signIn.startSrpSignIn({
      clientId: client.id,
      username: input.name,
      srpA: input.srpA,
      source: input.source,
      flow: 'USER_AUTH',
      ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
    });
    const user = await findUserBySignInName(db, pool, input.name);
    const session = await issue(pool, client, user?.id ?? null, {
      step: 'PASSWORD_VERIFIER',
      name: input.name,
      shownName: srp.challengeParameters.USERNAME,
      ...(input.deviceKey && { deviceKey: input.deviceKey }),
    });
    return { ...srp, session };
  }

  /**
   * EMAIL_OTP or SMS_OTP: a code to the user's verified address, in a new session. Where the client
   * hides existence, a user who cannot use the factor (unknown, no verified address, disabled) gets a
   * stand-in: the same answer, as long in coming, and no code, so every answer is a wrong code.
   */
  async function codeFactor(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    factor: 'EMAIL_OTP' | 'SMS_OTP',
    input: { name: string; shownName: string; source: string; clientMetadata?: ClientMetadata; deviceKey?: string },
  ): Promise<StepChallenge> {
    const startedAt = performance.now();
    const hidden = client.preventUserExistenceErrors;
    const attribute = attributeOf(factor);
    // The same read for a stand-in, so timing does not tell who exists.
    const state = await loadAttributes(db, { id: user?.id ?? NO_USER });
    if (!hidden) {
      if (!user) throw userNotFound();
      checkStatus(user);
    }
    const usable = user !== undefined && statusAllowsCode(user) && userCan(user, state, factor);
    const subject = lockoutSubject(pool, client, user, input.name);
    if (subject) await deps.lockout.check(subject, input.source);
    await deps.signIn.preAuthentication(pool, client, user, input.name, input.clientMetadata);
    // The pool's hourly cap on codes per user (per name for anyone else, so a stand-in meets it as a
    // user does) and source address; and a wider cap per user from all addresses together, which
    // bounds a flood of one inbox or phone while one address alone cannot use up the user's codes
    // (docs/passwordless.md, "Limits").
    await deps.codes.allowSend({
      pool,
      flow: 'user-auth',
      whose: user?.id ?? `name:${comparedName(pool, input.name)}`,
      source: input.source,
    });
    const nonce = randomBytes(18).toString('base64url');
    let delivery: CodeDeliveryDetails;
    let codeHmac: string | null = null;
    const kind = `user-auth-code:${pool.id}:${factor}`;
    if (usable) {
      const sent = await deps.codes.send({
        pool,
        user,
        attribute,
        destination: state[attribute]!.value,
        nonce,
        locale: state.locale?.value ?? null,
        context: { clientId: client.id, ...(input.clientMetadata && { clientMetadata: input.clientMetadata }) },
      });
      codeHmac = sent.codeHmac;
      delivery = sent.delivery;
    } else {
      delivery = hiding.simulatedDelivery(pool, input.name, [attribute]);
    }
    const session = await issue(pool, client, usable ? user.id : null, {
      step: factor,
      name: input.name,
      shownName: input.shownName,
      nonce,
      codeHmac,
      attempts: 0,
      ...(input.deviceKey && { deviceKey: input.deviceKey }),
    });
    if (usable) hiding.times.record(kind, startedAt);
    else await hiding.times.imitate(kind, startedAt);
    metrics.signIn('challenge');
    return {
      challengeName: factor,
      session,
      challengeParameters: {
        CODE_DELIVERY_DELIVERY_MEDIUM: delivery.deliveryMedium,
        CODE_DELIVERY_DESTINATION: delivery.destination,
        USERNAME: input.shownName,
      },
    };
  }

  /** The chosen factor, started: a password proven at once, SRP's verifier step, or a code sent. */
  async function start(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    factor: FirstFactorChallenge,
    input: {
      name: string;
      shownName: string;
      password?: string;
      srpA?: string;
      source: string;
      /** PreAuthentication's validationData: the metadata of the call that starts the factor. */
      clientMetadata?: ClientMetadata;
      /** PostAuthentication's: RespondToAuthChallenge's only, as in the password flows. */
      finishMetadata?: ClientMetadata;
      deviceKey?: string;
    },
    member: string,
  ): Promise<UserAuthOutcome> {
    switch (factor) {
      case 'PASSWORD':
        if (input.password === undefined)
          throw invalidParameter(`Missing required parameter PASSWORD with ${member} PASSWORD`);
        return passwordFactor(pool, client, user, {
          name: input.name,
          password: input.password,
          source: input.source,
          ...(input.clientMetadata && { preAuthMetadata: input.clientMetadata }),
          ...(input.finishMetadata && { clientMetadata: input.finishMetadata }),
          ...(input.deviceKey && { deviceKey: input.deviceKey }),
        });
      case 'PASSWORD_SRP':
        if (input.srpA === undefined)
          throw invalidParameter(`Missing required parameter SRP_A with ${member} PASSWORD_SRP`);
        return srpFactor(pool, client, {
          name: input.name,
          srpA: input.srpA,
          source: input.source,
          ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
          ...(input.deviceKey && { deviceKey: input.deviceKey }),
        });
      default:
        return codeFactor(pool, client, user, factor, input);
    }
  }

  return {
    /** Whether a session token belongs to a USER_AUTH sign-in (the REST face routes its answers by it). */
    ownsSession: (token: string) => sessionKind(token) === 'user-auth',

    /**
     * InitiateAuth USER_AUTH: with PREFERRED_CHALLENGE, that factor at once (with PASSWORD or SRP_A
     * for the password ones); without, SELECT_CHALLENGE. A preferred code this user cannot use is
     * answered with SELECT_CHALLENGE, where the client tells existence; where it hides it, as any user's.
     */
    async initiate(input: {
      clientId: string;
      username: string;
      preferredChallenge?: string;
      password?: string;
      srpA?: string;
      source: string;
      clientMetadata?: ClientMetadata;
      /** A remembered device's key (docs/devices.md). */
      deviceKey?: string;
    }): Promise<UserAuthOutcome> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      assertAuthFlow(client, 'ALLOW_USER_AUTH', 'USER_AUTH');
      const preferred =
        input.preferredChallenge === undefined
          ? undefined
          : firstFactorChallenge(input.preferredChallenge, 'PREFERRED_CHALLENGE');
      if (preferred) assertOffered(pool, preferred);
      // Read only with the factor they belong to: never taken and ignored (docs/cognito-settings.md).
      refuseUnread(input, preferred, 'PREFERRED_CHALLENGE');
      if (preferred === 'PASSWORD_SRP') {
        if (input.srpA === undefined)
          throw invalidParameter('Missing required parameter SRP_A with PREFERRED_CHALLENGE PASSWORD_SRP');
        return srpFactor(pool, client, {
          name: input.username,
          srpA: input.srpA,
          source: input.source,
          ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
          ...(input.deviceKey && { deviceKey: input.deviceKey }),
        });
      }
      const user = await findUserBySignInName(db, pool, input.username);
      if (!user && !client.preventUserExistenceErrors) throw userNotFound();
      const shownName = user?.username ?? hiding.fakeSrpUserId(pool, input.username);
      if (preferred === undefined)
        return selectChallenge(pool, client, user, input.username, shownName, input.deviceKey);
      if ((preferred === 'EMAIL_OTP' || preferred === 'SMS_OTP') && !client.preventUserExistenceErrors) {
        const state = await loadAttributes(db, user!);
        if (!userCan(user!, state, preferred))
          return selectChallenge(pool, client, user, input.username, shownName, input.deviceKey);
      }
      return start(
        pool,
        client,
        user,
        preferred,
        {
          name: input.username,
          shownName,
          ...(input.password !== undefined && { password: input.password }),
          source: input.source,
          ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
          ...(input.deviceKey && { deviceKey: input.deviceKey }),
        },
        'PREFERRED_CHALLENGE',
      );
    },

    /** RespondToAuthChallenge SELECT_CHALLENGE: ANSWER names one of the choices offered (with PASSWORD or SRP_A for those). */
    async answerSelectChallenge(input: {
      clientId: string;
      session: string;
      username?: string;
      answer: string;
      password?: string;
      srpA?: string;
      source: string;
      clientMetadata?: ClientMetadata;
      deviceKey?: string;
    }): Promise<UserAuthOutcome> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const factor = firstFactorChallenge(input.answer, 'ANSWER');
      refuseUnread(input, factor, 'ANSWER');
      const row = await take(input.session, client, ['SELECT_CHALLENGE']);
      const { state } = row;
      checkUsername(pool, state, input.username);
      if (!state.available?.includes(factor)) {
        throw invalidParameter(
          `ANSWER ${factor} is not one of the available challenges: ${(state.available ?? []).join(', ')}.`,
        );
      }
      // The pool's policy may have changed since the choice was offered.
      assertOffered(pool, factor);
      const user = row.userId ? await findUserById(db, row.userId) : undefined;
      if (row.userId && !user) throw invalidSession();
      return start(
        pool,
        client,
        user,
        factor,
        {
          name: state.name,
          shownName: state.shownName,
          ...(input.password !== undefined && { password: input.password }),
          ...(input.srpA !== undefined && { srpA: input.srpA }),
          source: input.source,
          ...(input.clientMetadata && { clientMetadata: input.clientMetadata, finishMetadata: input.clientMetadata }),
          ...((input.deviceKey ?? state.deviceKey) && { deviceKey: (input.deviceKey ?? state.deviceKey)! }),
        },
        'ANSWER',
      );
    },

    /**
     * RespondToAuthChallenge EMAIL_OTP or SMS_OTP: the code. A wrong one counts against the session
     * (the pool's codes.maxAttempts, then the session is gone) and the user's lockout for this source;
     * the same session may be answered again until then (docs/passwordless.md).
     */
    async answerCode(input: {
      clientId: string;
      challengeName: 'EMAIL_OTP' | 'SMS_OTP';
      session: string;
      username?: string;
      code: string;
      source: string;
      clientMetadata?: ClientMetadata;
      deviceKey?: string;
    }): Promise<UserAuthOutcome> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const row = await take(input.session, client, [input.challengeName]);
      const { state } = row;
      checkUsername(pool, state, input.username);
      const user = row.userId ? await findUserById(db, row.userId) : undefined;
      if (row.userId && !user) throw invalidSession();
      const subject = lockoutSubject(pool, client, user, state.name);
      const lock = subject ? await deps.lockout.check(subject, input.source) : undefined;
      const right =
        user !== undefined &&
        typeof state.codeHmac === 'string' &&
        deps.codes.matches({ userId: user.id, nonce: state.nonce!, codeHmac: state.codeHmac, given: input.code });
      if (!right) {
        metrics.signIn('failure');
        if (subject) await deps.lockout.recordFailure(subject, input.source);
        const attempts = (state.attempts ?? 0) + 1;
        if (attempts < pool.policies.codes.maxAttempts) {
          await deps.sessions.restore(input.session, {
            ...row,
            state: { ...state, attempts },
          } satisfies AuthSessionRow<UserAuthState>);
        }
        throw codeMismatch();
      }
      if (subject && lock) await deps.lockout.reset(subject, input.source, lock);
      const deviceKey = input.deviceKey ?? state.deviceKey;
      return deps.signIn.completeSignIn(pool, client, user, {
        source: input.source,
        firstFactor: input.challengeName,
        ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
        ...(deviceKey && { deviceKey }),
      });
    },

    /** RespondToAuthChallenge PASSWORD_VERIFIER with a USER_AUTH session: the SRP proof, then the steps after it. */
    async answerPasswordVerifier(
      input: SrpProof & { session: string; username?: string; clientMetadata?: ClientMetadata; deviceKey?: string },
    ): Promise<UserAuthOutcome> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const row = await take(input.session, client, ['PASSWORD_VERIFIER']);
      checkUsername(pool, row.state, input.username);
      const { user } = await deps.signIn.proveSrp({ ...input, flow: 'USER_AUTH' });
      if (user.id !== row.userId) throw invalidSession();
      const deviceKey = input.deviceKey ?? row.state.deviceKey;
      return deps.signIn.completeSignIn(pool, client, user, {
        source: input.source,
        ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
        ...(deviceKey && { deviceKey }),
      });
    },

    /**
     * GetUserAuthFactors: the user's MFA settings (as GetUser shows them) and the first factors
     * USER_AUTH would offer them now (docs/passwordless.md).
     */
    async authFactors(caller: Caller): Promise<UserAuthFactors> {
      const [row, mfa] = await Promise.all([findUserById(db, caller.user.id), findUserMfa(db, caller.user.id)]);
      const settings = mfaSettingsOf(mfa);
      const configured = row
        ? poolChoices(caller.pool).filter(
            (factor): factor is 'PASSWORD' | 'EMAIL_OTP' | 'SMS_OTP' =>
              factor !== 'PASSWORD_SRP' && userCan(row, caller.attributes, factor),
          )
        : [];
      return {
        username: caller.user.username,
        preferredMfaSetting: settings.preferred,
        userMfaSettingList: settings.enabled,
        configuredUserAuthFactors: configured,
      };
    },
  };
}

export type ChoiceAuthService = ReturnType<typeof createChoiceAuthService>;
