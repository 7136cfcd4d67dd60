import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { CognitoError, invalidParameter, userNotFound } from '../../errors/cognito-error.ts';
import type { SealedBox } from '../../lib/sealed-box.ts';
import type { UserAttributeState } from '../attributes/index.ts';
import { recordAudit, type AuditActor } from '../audit/audit.ts';
import type { MessageTemplates } from '../courier/courier.types.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import type { SignInLockout } from '../rate-limits/sign-in-lockout.ts';
import { sessionKind, type AuthSessionRow, type AuthSessions } from '../sign-in/auth-sessions.ts';
import type { SignInCodes } from '../sign-in/sign-in-codes.ts';
import type { SignInFinish } from '../sign-in/sign-in-finish.ts';
import { passwordStamp, type AfterFirstFactor, type ProvenSignIn } from '../sign-in/sign-in-steps.ts';
import type { StepChallenge } from '../sign-in/sign-in.types.ts';
import type { Caller, TokenSet } from '../tokens/sessions.service.ts';
import type { ClientMetadata } from '../triggers/trigger-events.ts';
import { findUserById, findUserBySignInName, loadAttributes, type UserRow } from '../user-store/users.repository.ts';
import { offeredFactors } from './mfa-config.ts';
import type { MfaConfiguration, MfaFactor, PoolMfaFactors, UserMfaSettings } from './mfa.types.ts';
import { matchTotp, newTotpSecret } from './totp.ts';
import { acceptTotpStep, findUserMfa, mfaSettingsOf, upsertUserMfa, type UserMfaRow } from './user-mfa.repository.ts';

/**
 * Multi-factor authentication (docs/mfa.md): the pool's setting, a user's factors, TOTP
 * (AssociateSoftwareToken, VerifySoftwareToken), and the step after the first factor that asks
 * for the second one (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP) in
 * stored single-use sessions (sign-in/auth-sessions.ts).
 */

const invalidSession = () =>
  new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
const wrongCode = () => new CognitoError('CodeMismatchException', 'Invalid code received for user');

/** The challenges a session of this module stands for, and MFA_SETUP's steps. */
type MfaStep = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP' | 'SELECT_MFA_TYPE' | 'MFA_SETUP';

/** What an MFA session keeps between a challenge and its answer; never shown to the client. */
interface MfaState extends Record<string, unknown> {
  flow: 'mfa';
  step: MfaStep;
  /** The user's password hash (or its absence) when the first factor was proven: a reset meanwhile ends the sign-in. */
  stamp: string;
  /** Wrong answers so far in this sign-in (the pool's codes.maxAttempts). */
  attempts: number;
  /** SMS_MFA and EMAIL_OTP: the code's HMAC and the nonce it is bound to (sign-in-codes.ts). */
  nonce?: string;
  codeHmac?: string;
  /** SELECT_MFA_TYPE: the factors offered. MFA_SETUP: the factors that may be set up. */
  choices?: MfaFactor[];
  /** MFA_SETUP: a TOTP secret was associated with this session, and then verified. */
  totpAssociated?: boolean;
  totpVerified?: boolean;
  /** EMAIL_OTP during MFA_SETUP: a right code turns email MFA on. */
  enableEmail?: boolean;
  clientMetadata?: ClientMetadata;
  deviceKey?: string;
  /** A device that proved itself before this step (docs/devices.md): the tokens carry its key. */
  device?: { deviceKey: string; skipsMfa: boolean };
}

/** Cognito's SMSMfaSettings, SoftwareTokenMfaSettings and EmailMfaSettings; a factor not given is left as it is. */
export interface FactorPreference {
  enabled?: boolean;
  preferredMfa?: boolean;
}
export interface MfaPreferenceInput {
  sms?: FactorPreference;
  softwareToken?: FactorPreference;
  email?: FactorPreference;
}

/** The pool's setting as both faces show it (GetUserPoolMfaConfig, GET …/mfa-config). */
export interface PoolMfaView {
  mfaConfiguration: MfaConfiguration;
  factors: PoolMfaFactors;
  /** The AUTHENTICATION templates' default texts: Cognito's SmsAuthenticationMessage, email Message and Subject. */
  smsAuthenticationMessage?: string;
  emailMessage?: string;
  emailSubject?: string;
  /** AWS plumbing kept as sent (SmsConfiguration), shown and not used. */
  smsConfiguration?: Record<string, unknown>;
}

export interface PoolMfaInput {
  /** Left as it is when not given. */
  mfaConfiguration?: MfaConfiguration;
  /** The whole set: a factor not `true` is off afterwards. */
  factors: PoolMfaFactors;
  smsAuthenticationMessage?: string;
  emailMessage?: string;
  emailSubject?: string;
  smsConfiguration?: Record<string, unknown>;
}

const FACTOR_KEY: Record<MfaFactor, keyof MfaPreferenceInput> = {
  SMS_MFA: 'sms',
  SOFTWARE_TOKEN_MFA: 'softwareToken',
  EMAIL_OTP: 'email',
};
const FACTOR_NAME: Record<MfaFactor, string> = {
  SMS_MFA: 'SMS',
  SOFTWARE_TOKEN_MFA: 'Software token',
  EMAIL_OTP: 'Email',
};

const valueOf = (state: UserAttributeState, name: string) => state[name]?.value || undefined;

/** A user's credential as it stood: the session dies when the password changes (docs/mfa.md, "Security"). */

export function createMfaService(deps: {
  db: Db;
  pools: PoolsService;
  sessions: AuthSessions;
  codes: SignInCodes;
  /** TOTP secrets at rest (label 'totp secret v1', the user id as associated data). */
  totpBox: SealedBox;
  lockout: SignInLockout;
  finish: SignInFinish;
  now?: () => Date;
}) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  /** The factors this user can be asked for now: on for the user, offered by the pool, with somewhere to send a code. */
  function usableFactors(pool: Pool, row: UserMfaRow | undefined, state: UserAttributeState): MfaFactor[] {
    const offered = offeredFactors(pool);
    const settings = mfaSettingsOf(row);
    return settings.enabled.filter((factor) => {
      if (!offered.includes(factor)) return false;
      if (factor === 'SMS_MFA') return valueOf(state, 'phone_number') !== undefined;
      if (factor === 'EMAIL_OTP') return valueOf(state, 'email') !== undefined;
      return settings.softwareTokenVerified;
    });
  }

  async function issue(
    pool: Pool,
    client: AppClient,
    userId: string,
    state: MfaState,
    expiresAt?: Date,
  ): Promise<string> {
    const minutes = expiresAt
      ? Math.max((expiresAt.getTime() - now().getTime()) / 60_000, 0)
      : client.authSessionValidity;
    return deps.sessions.issue({ poolId: pool.id, clientId: client.id, userId, state, minutes, kind: 'mfa' });
  }

  /** Sends a code (SMS_MFA, EMAIL_OTP) or asks for the TOTP (SOFTWARE_TOKEN_MFA), with a new session. */
  async function askFor(
    signIn: Pick<ProvenSignIn, 'pool' | 'client' | 'user' | 'state' | 'clientMetadata' | 'source'>,
    factor: MfaFactor,
    base: MfaState,
    row: UserMfaRow | undefined,
    expiresAt?: Date,
  ): Promise<StepChallenge> {
    const { pool, client, user, state } = signIn;
    if (factor === 'SOFTWARE_TOKEN_MFA') {
      const session = await issue(pool, client, user.id, { ...base, step: factor }, expiresAt);
      return {
        challengeName: factor,
        session,
        challengeParameters: row?.totpDeviceName ? { FRIENDLY_DEVICE_NAME: row.totpDeviceName } : {},
      };
    }
    const attribute = factor === 'SMS_MFA' ? 'phone_number' : 'email';
    // The same hourly cap as every sign-in code: whoever knows the password cannot send without end.
    await deps.codes.allowSend({
      pool,
      flow: 'mfa',
      whose: user.id,
      ...(signIn.source !== undefined && { source: signIn.source }),
    });
    const nonce = randomBytes(16).toString('base64url');
    const sent = await deps.codes.send({
      pool,
      user,
      attribute,
      destination: valueOf(state, attribute)!,
      nonce,
      locale: valueOf(state, 'locale') ?? null,
      context: { clientId: client.id, ...(signIn.clientMetadata && { clientMetadata: signIn.clientMetadata }) },
    });
    const session = await issue(
      pool,
      client,
      user.id,
      { ...base, step: factor, nonce, codeHmac: sent.codeHmac },
      expiresAt,
    );
    return {
      challengeName: factor,
      session,
      challengeParameters: {
        CODE_DELIVERY_DELIVERY_MEDIUM: sent.delivery.deliveryMedium,
        CODE_DELIVERY_DESTINATION: sent.delivery.destination,
      },
    };
  }

  /** The factors MFA_SETUP offers: what the pool has, SMS included as Cognito lists it (docs/mfa.md, "MFA_SETUP"). */
  const setupChoices = (pool: Pool): MfaFactor[] => offeredFactors(pool);

  /** The second-factor step of every sign-in (sign-in.service.ts `afterFirstFactor`). */
  const step: AfterFirstFactor = async (signIn) => {
    const { pool, user, state } = signIn;
    if (pool.mfaConfiguration === 'OFF') return undefined;
    // A remembered device the pool lets stand in for MFA (docs/devices.md); a passwordless code
    // as the first factor (docs/passwordless.md): no second factor, as in Cognito.
    if (signIn.device?.skipsMfa || signIn.firstFactor !== undefined) return undefined;
    // A source locked out of codes gets no new challenge (no SMS sent on its behalf).
    if (signIn.source !== undefined) await deps.lockout.check(codeSubject(pool, user.id), signIn.source);
    const row = await findUserMfa(db, user.id);
    const usable = usableFactors(pool, row, state);
    // Read again: a sign-in may have just re-hashed the password (the stamp must be what answers will find).
    const fresh = (await findUserById(db, user.id)) ?? user;
    const base: MfaState = {
      flow: 'mfa',
      step: 'MFA_SETUP',
      stamp: passwordStamp(fresh),
      attempts: 0,
      ...(signIn.clientMetadata && { clientMetadata: signIn.clientMetadata }),
      ...(signIn.deviceKey && { deviceKey: signIn.deviceKey }),
      ...(signIn.device && { device: signIn.device }),
    };
    if (usable.length === 0) {
      // A user who turned a factor on keeps a second factor even when it can no longer reach them
      // (phone number deleted, the pool's factor switched off): fail closed, as ON (docs/mfa.md).
      if (pool.mfaConfiguration === 'OPTIONAL' && mfaSettingsOf(row).enabled.length === 0) return undefined;
      // Required, and nothing on: SMS to the user's phone number where the pool offers SMS, as
      // Cognito does; otherwise the user sets a factor up before signing in.
      if (pool.mfaFactors.sms && valueOf(state, 'phone_number')) return askFor(signIn, 'SMS_MFA', base, row);
      const choices = setupChoices(pool);
      const session = await issue(pool, signIn.client, user.id, { ...base, step: 'MFA_SETUP', choices });
      return { challengeName: 'MFA_SETUP', session, challengeParameters: { MFAS_CAN_SETUP: JSON.stringify(choices) } };
    }
    const preferred = row?.preferred ?? undefined;
    if (preferred && usable.includes(preferred)) return askFor(signIn, preferred, base, row);
    if (usable.length === 1) return askFor(signIn, usable[0]!, base, row);
    const session = await issue(pool, signIn.client, user.id, { ...base, step: 'SELECT_MFA_TYPE', choices: usable });
    return {
      challengeName: 'SELECT_MFA_TYPE',
      session,
      challengeParameters: { MFAS_CAN_CHOOSE: JSON.stringify(usable) },
    };
  };

  /** The MFA session a token names, taken (used up), with its pool, client and user as they are now. */
  async function takeSession(token: string, clientId?: string) {
    // Another flow's session is not taken (used up) by an answer meant for this one.
    if (sessionKind(token) !== 'mfa') throw invalidSession();
    const row = await deps.sessions.take<MfaState>(token);
    if (!row || row.state?.flow !== 'mfa' || !row.userId) throw invalidSession();
    if (clientId !== undefined && row.clientId !== clientId) throw invalidSession();
    const pool = await deps.pools.getPool(row.poolId);
    const client = await deps.pools.getClient(row.poolId, row.clientId);
    const user = await findUserById(db, row.userId);
    // Deleted, disabled or with another password since the first factor: nothing left to finish.
    if (!user || !user.enabled || passwordStamp(user) !== row.state.stamp) throw invalidSession();
    return { row, pool, client, user };
  }

  /**
   * Wrong codes are counted twice per user and source (docs/mfa.md, "Attempts"): in the sign-in
   * lockout, and under a key of their own that a right password does not clear, or whoever knows
   * the password could sign in again after every few guesses and guess on for ever. (Spaces: no
   * sign-in name has one, so this key is never a real name's.)
   */
  const codeSubject = (pool: Pool, userId: string) => ({ poolId: pool.id, unknownName: `mfa codes of ${userId}` });

  /** A wrong answer: counted in the session (another try with the same Session until the limit) and in the lockout. */
  async function wrongAnswer(
    token: string,
    row: AuthSessionRow<MfaState>,
    pool: Pool,
    userId: string,
    source: string | undefined,
    error: CognitoError,
  ): Promise<never> {
    if (source !== undefined) {
      await deps.lockout.recordFailure({ userId }, source);
      await deps.lockout.recordFailure(codeSubject(pool, userId), source);
    }
    const attempts = row.state.attempts + 1;
    if (attempts < pool.policies.codes.maxAttempts) {
      await deps.sessions.restore(token, { ...row, state: { ...row.state, attempts } });
    }
    throw error;
  }

  /** Checks a TOTP code against the user's verified secret (or the pending one), accepting its step once. */
  async function checkTotp(userId: string, code: string, which: 'verified' | 'pending'): Promise<boolean> {
    const row = await findUserMfa(db, userId);
    const sealed = which === 'verified' ? row?.totpSecret : row?.totpPendingSecret;
    if (!sealed) return false;
    const step = matchTotp(deps.totpBox.open(userId, sealed), code, now());
    if (step === undefined) return false;
    return acceptTotpStep(db, userId, step);
  }

  async function proven(pool: Pool, client: AppClient, user: UserRow, state: MfaState): Promise<ProvenSignIn> {
    return {
      pool,
      client,
      user,
      state: await loadAttributes(db, user),
      ...(state.clientMetadata && { clientMetadata: state.clientMetadata }),
      ...(state.deviceKey && { deviceKey: state.deviceKey }),
      ...(state.device && { device: state.device }),
    };
  }

  /** AssociateSoftwareToken's and VerifySoftwareToken's access-token and session forms. */
  type Who = { caller: Caller } | { session: string };

  function assertTotpOffered(pool: Pool) {
    if (!offeredFactors(pool).includes('SOFTWARE_TOKEN_MFA')) {
      throw new CognitoError(
        'SoftwareTokenMFANotFoundException',
        'Software Token MFA is not enabled for the user pool.',
      );
    }
  }

  /** Applies SetUserMFAPreference's rules to a user (docs/mfa.md, "A user's factors"). */
  async function setPreference(
    pool: Pool,
    user: { id: string; username: string },
    state: UserAttributeState,
    input: MfaPreferenceInput,
    actor: AuditActor,
  ): Promise<UserMfaSettings> {
    const row = await findUserMfa(db, user.id);
    const current = mfaSettingsOf(row);
    const offered = offeredFactors(pool);
    const enabled = new Set(current.enabled);
    let preferred = current.preferred;
    const preferredNow = (Object.keys(FACTOR_KEY) as MfaFactor[]).filter((f) => input[FACTOR_KEY[f]]?.preferredMfa);
    if (preferredNow.length > 1) throw invalidParameter('Only one MFA factor can be preferred (PreferredMfa true).');
    for (const factor of Object.keys(FACTOR_KEY) as MfaFactor[]) {
      const given = input[FACTOR_KEY[factor]];
      if (!given) continue;
      if (given.enabled === true) {
        if (!offered.includes(factor)) {
          throw invalidParameter(`${FACTOR_NAME[factor]} MFA is not enabled for this user pool.`);
        }
        if (factor === 'SOFTWARE_TOKEN_MFA' && !current.softwareTokenVerified) {
          throw invalidParameter('User has not verified software token mfa');
        }
        if (factor === 'SMS_MFA' && !valueOf(state, 'phone_number')) {
          throw invalidParameter('SMS MFA needs a phone_number attribute, and the user has none.');
        }
        if (factor === 'EMAIL_OTP' && !valueOf(state, 'email')) {
          throw invalidParameter('Email MFA needs an email attribute, and the user has none.');
        }
        enabled.add(factor);
      } else if (given.enabled === false) {
        if (given.preferredMfa)
          throw invalidParameter(`${FACTOR_NAME[factor]} MFA cannot be preferred and not enabled.`);
        enabled.delete(factor);
      }
      if (given.preferredMfa === true) {
        if (!enabled.has(factor))
          throw invalidParameter(`${FACTOR_NAME[factor]} MFA cannot be preferred and not enabled.`);
        preferred = factor;
      } else if (given.preferredMfa === false && preferred === factor) {
        preferred = null;
      }
    }
    if (preferred && !enabled.has(preferred)) preferred = null;
    return db.transaction(async (tx) => {
      const written = mfaSettingsOf(
        await upsertUserMfa(tx, user.id, {
          smsEnabled: enabled.has('SMS_MFA'),
          softwareTokenEnabled: enabled.has('SOFTWARE_TOKEN_MFA'),
          emailEnabled: enabled.has('EMAIL_OTP'),
          preferred,
        }),
      );
      const changed = {
        ...(written.enabled.join() !== current.enabled.join() && {
          enabled: { from: current.enabled, to: written.enabled },
        }),
        ...(written.preferred !== current.preferred && {
          preferred: { from: current.preferred, to: written.preferred },
        }),
      };
      // Who turned a factor off is a question asked after an account is taken over: on the trail.
      if (Object.keys(changed).length > 0) {
        await recordAudit(tx, {
          pool,
          user,
          actor,
          action: actor.kind === 'admin' ? 'ADMIN_SET_MFA_PREFERENCE' : 'SET_MFA_PREFERENCE',
          details: { mfa: changed },
        });
      }
      return written;
    });
  }

  return {
    step,
    /** Whether a Session token is one of this module's (RespondToAuthChallenge routes EMAIL_OTP by it). */
    ownsSession: (token: string) => sessionKind(token) === 'mfa',

    // ---- The pool's setting ------------------------------------------------------------------

    /** GetUserPoolMfaConfig. */
    async poolConfig(poolId: string): Promise<PoolMfaView> {
      return viewOf(await deps.pools.getPool(poolId));
    },

    /** SetUserPoolMfaConfig: the setting (kept when not given) and the whole set of factors. */
    async setPoolConfig(poolId: string, input: PoolMfaInput): Promise<PoolMfaView> {
      const pool = await deps.pools.getPool(poolId);
      const templates: Partial<MessageTemplates> = {
        ...(input.smsAuthenticationMessage !== undefined && { smsText: input.smsAuthenticationMessage }),
        ...(input.emailMessage !== undefined && { emailText: input.emailMessage }),
        ...(input.emailSubject !== undefined && { emailSubject: input.emailSubject }),
      };
      const updated = await deps.pools.setMfaConfig(poolId, {
        mfaConfiguration: input.mfaConfiguration ?? pool.mfaConfiguration,
        mfaFactors: input.factors,
        authenticationTemplates: templates,
        ...(input.smsConfiguration && { smsConfiguration: input.smsConfiguration }),
      });
      return viewOf(updated);
    },

    // ---- A user's factors --------------------------------------------------------------------

    /** GetUser's and AdminGetUser's PreferredMfaSetting and UserMFASettingList. */
    async settingsOf(userId: string): Promise<UserMfaSettings> {
      return mfaSettingsOf(await findUserMfa(db, userId));
    },

    /** SetUserMFAPreference. */
    setMyPreference: (caller: Caller, input: MfaPreferenceInput) =>
      setPreference(caller.pool, caller.user, caller.attributes, input, { kind: 'user', clientId: caller.client.id }),

    /** AdminSetUserMFAPreference. */
    async adminSetPreference(poolId: string, username: string, input: MfaPreferenceInput): Promise<UserMfaSettings> {
      const pool = await deps.pools.getPool(poolId);
      const user = await findUserBySignInName(db, pool, username);
      if (!user) throw userNotFound();
      return setPreference(pool, user, await loadAttributes(db, user), input, { kind: 'admin' });
    },

    /** AdminGetUser's MFA members, by the name an administrator gives. */
    async adminSettingsOf(poolId: string, username: string): Promise<UserMfaSettings> {
      const pool = await deps.pools.getPool(poolId);
      const user = await findUserBySignInName(db, pool, username);
      if (!user) throw userNotFound();
      return mfaSettingsOf(await findUserMfa(db, user.id));
    },

    // ---- TOTP ---------------------------------------------------------------------------------

    /**
     * AssociateSoftwareToken: a new secret for the user, pending until VerifySoftwareToken proves
     * it (the verified one, if any, stays in use until then). With the Session of an MFA_SETUP
     * challenge, a new Session comes back for VerifySoftwareToken.
     */
    async associateSoftwareToken(who: Who): Promise<{ secretCode: string; session?: string }> {
      const secretCode = newTotpSecret();
      if ('caller' in who) {
        assertTotpOffered(who.caller.pool);
        const userId = who.caller.user.id;
        await upsertUserMfa(db, userId, { totpPendingSecret: deps.totpBox.seal(userId, secretCode) });
        return { secretCode };
      }
      const { row, pool, client, user } = await takeSession(who.session);
      if (row.state.step !== 'MFA_SETUP' || !row.state.choices?.includes('SOFTWARE_TOKEN_MFA')) throw invalidSession();
      assertTotpOffered(pool);
      await upsertUserMfa(db, user.id, { totpPendingSecret: deps.totpBox.seal(user.id, secretCode) });
      const session = await issue(
        pool,
        client,
        user.id,
        { ...row.state, totpAssociated: true, totpVerified: false },
        row.expiresAt,
      );
      return { secretCode, session };
    },

    /**
     * VerifySoftwareToken: the first code from the app proves the pending secret, which becomes the
     * user's; its time step is used up. In MFA_SETUP, TOTP is turned on and preferred at once, and
     * a new Session comes back for RespondToAuthChallenge MFA_SETUP.
     */
    async verifySoftwareToken(
      who: Who,
      input: { userCode: string; friendlyDeviceName?: string; source?: string },
    ): Promise<{ status: 'SUCCESS'; session?: string }> {
      const mismatch = () =>
        new CognitoError('EnableSoftwareTokenMFAException', 'Code mismatch and fail enable Software Token MFA');
      const promote = async (pool: Pool, user: { id: string; username: string }, clientId: string, enable: boolean) => {
        const row = await findUserMfa(db, user.id);
        const before = mfaSettingsOf(row);
        await db.transaction(async (tx) => {
          const after = mfaSettingsOf(
            await upsertUserMfa(tx, user.id, {
              totpSecret: row!.totpPendingSecret,
              totpPendingSecret: null,
              totpDeviceName: input.friendlyDeviceName || null,
              ...(enable && { softwareTokenEnabled: true, preferred: 'SOFTWARE_TOKEN_MFA' as const }),
            }),
          );
          await recordAudit(tx, {
            pool,
            user,
            actor: { kind: 'user', clientId },
            action: 'SET_UP_SOFTWARE_TOKEN',
            details: {
              mfa: {
                softwareToken: 'set_up',
                ...(enable && {
                  enabled: { from: before.enabled, to: after.enabled },
                  preferred: { from: before.preferred, to: after.preferred },
                }),
              },
            },
          });
        });
      };
      if ('caller' in who) {
        assertTotpOffered(who.caller.pool);
        const userId = who.caller.user.id;
        const row = await findUserMfa(db, userId);
        if (!row?.totpPendingSecret) {
          throw invalidParameter('No software token is being associated: call AssociateSoftwareToken first.');
        }
        if (!(await checkTotp(userId, input.userCode, 'pending'))) throw mismatch();
        await promote(who.caller.pool, who.caller.user, who.caller.client.id, false);
        return { status: 'SUCCESS' };
      }
      const { row, pool, client, user } = await takeSession(who.session);
      if (row.state.step !== 'MFA_SETUP' || !row.state.totpAssociated) throw invalidSession();
      if (!(await checkTotp(user.id, input.userCode, 'pending'))) {
        // A wrong first code guesses nothing (the client holds the secret): counted in the session only.
        await wrongAnswer(who.session, row, pool, user.id, undefined, mismatch());
      }
      await promote(pool, user, client.id, true);
      const session = await issue(pool, client, user.id, { ...row.state, totpVerified: true }, row.expiresAt);
      return { status: 'SUCCESS', session };
    },

    // ---- The challenges' answers ----------------------------------------------------------------

    /**
     * RespondToAuthChallenge for SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP (an MFA session),
     * SELECT_MFA_TYPE and MFA_SETUP: the tokens, or the next challenge.
     */
    async respond(input: {
      clientId: string;
      challengeName: string;
      session: string;
      /** The code of SMS_MFA_CODE, SOFTWARE_TOKEN_MFA_CODE or EMAIL_OTP_CODE. */
      code?: string;
      /** SELECT_MFA_TYPE's ANSWER. */
      answer?: string;
      /** MFA_SETUP's EMAIL: set up email MFA. */
      email?: string;
      /** The wire's ChallengeResponses.USERNAME; the REST face sends none. */
      username?: string;
      source: string;
      clientMetadata?: ClientMetadata;
    }): Promise<TokenSet | StepChallenge> {
      const { row, pool, client, user } = await takeSession(input.session, input.clientId);
      const state = row.state;
      if (state.step !== input.challengeName) {
        await deps.sessions.restore(input.session, row);
        throw invalidParameter(
          `This session waits for ${state.step}, not ${input.challengeName.slice(0, 64)}: answer the challenge it was given for.`,
        );
      }
      if (input.username !== undefined) {
        const named = await findUserBySignInName(db, pool, input.username);
        if (named?.id !== user.id) throw invalidSession();
      }
      const metadata = input.clientMetadata ?? state.clientMetadata;
      const signIn = {
        ...(await proven(pool, client, user, { ...state, ...(metadata && { clientMetadata: metadata }) })),
        source: input.source,
      };

      if (state.step === 'SELECT_MFA_TYPE') {
        const choice = input.answer as MfaFactor | undefined;
        if (!choice || !state.choices?.includes(choice)) {
          await deps.sessions.restore(input.session, row);
          throw invalidParameter(`ANSWER must name one of the factors offered: ${(state.choices ?? []).join(', ')}.`);
        }
        const row2 = await findUserMfa(db, user.id);
        return askFor(signIn, choice, { ...state, choices: undefined, attempts: 0 }, row2, row.expiresAt);
      }

      if (state.step === 'MFA_SETUP') {
        if (input.email !== undefined) {
          if (!state.choices?.includes('EMAIL_OTP')) {
            await deps.sessions.restore(input.session, row);
            throw invalidParameter('Email MFA is not enabled for this user pool.');
          }
          const own = valueOf(signIn.state, 'email');
          if (!own || own.toLowerCase() !== input.email.toLowerCase()) {
            await deps.sessions.restore(input.session, row);
            throw invalidParameter(
              'Cognate sets up email MFA for the user’s own email address only: EMAIL must be the email attribute the user has (docs/mfa.md, "MFA_SETUP").',
            );
          }
          return askFor(signIn, 'EMAIL_OTP', { ...state, enableEmail: true, attempts: 0 }, undefined, row.expiresAt);
        }
        if (!state.totpVerified) {
          await deps.sessions.restore(input.session, row);
          throw invalidParameter(
            'Set a factor up first: AssociateSoftwareToken and VerifySoftwareToken with this Session, or answer with EMAIL.',
          );
        }
        return deps.finish.finish(signIn);
      }

      // SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA: a code, checked with the lockout per user and source.
      const code = input.code ?? '';
      const lock = await Promise.all([
        deps.lockout.check({ userId: user.id }, input.source),
        deps.lockout.check(codeSubject(pool, user.id), input.source),
      ])
        .then(([userLock]) => userLock)
        .catch(async (error: unknown) => {
          await deps.sessions.restore(input.session, row);
          throw error;
        });
      const right =
        state.step === 'SOFTWARE_TOKEN_MFA'
          ? await checkTotp(user.id, code, 'verified')
          : deps.codes.matches({ userId: user.id, nonce: state.nonce!, codeHmac: state.codeHmac!, given: code });
      if (!right) await wrongAnswer(input.session, row, pool, user.id, input.source, wrongCode());
      await deps.lockout.reset({ userId: user.id }, input.source, lock);
      if (state.enableEmail) {
        const current = await findUserMfa(db, user.id);
        await upsertUserMfa(db, user.id, {
          emailEnabled: true,
          ...(!current?.preferred && { preferred: 'EMAIL_OTP' as const }),
        });
      }
      return deps.finish.finish(signIn);
    },
  };
}

/** The pool's setting, its AUTHENTICATION texts and the SMS plumbing, as GetUserPoolMfaConfig shows them. */
function viewOf(pool: Pool): PoolMfaView {
  const texts = pool.messageTemplates.AUTHENTICATION?.default ?? {};
  const sms = pool.policies.awsPlumbing?.SmsConfiguration as Record<string, unknown> | undefined;
  return {
    mfaConfiguration: pool.mfaConfiguration,
    factors: pool.mfaFactors,
    ...(texts.smsText !== undefined && { smsAuthenticationMessage: texts.smsText }),
    ...(texts.emailText !== undefined && { emailMessage: texts.emailText }),
    ...(texts.emailSubject !== undefined && { emailSubject: texts.emailSubject }),
    ...(sms && { smsConfiguration: sms }),
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
