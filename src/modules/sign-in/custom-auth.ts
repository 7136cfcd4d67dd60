import type { Db } from '../../db/client.ts';
import {
  CognitoError,
  forbidden,
  incorrectCredentials,
  passwordResetRequired,
  userNotFound,
} from '../../errors/cognito-error.ts';
import { type HiddenExistence, NO_USER, comparedName } from '../hidden-existence/hidden-existence.ts';
import type { Hooks, TriggerName } from '../hooks/hooks.types.ts';
import { assertAuthFlow, type PoolsService } from '../pools/pools.service.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import type { TokenSet } from '../tokens/sessions.service.ts';
import { eventAttributes, withClientMetadata, type ClientMetadata } from '../triggers/trigger-events.ts';
import { findUserById, findUserBySignInName, loadAttributes, type UserRow } from '../user-store/users.repository.ts';
import type { AuthSessions } from './auth-sessions.ts';
import type { ChallengeResult, CustomChallenge, CustomSrpChallenge } from './custom-auth.types.ts';
import type { SignInService, SrpProof } from './sign-in.service.ts';
import type { NewPasswordChallenge, StepChallenge } from './sign-in.types.ts';

/**
 * Custom authentication (CUSTOM_AUTH, and CUSTOM_WITH_SRP where SRP comes first), driven by the
 * pool's DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse hooks. Every rule
 * taken from Cognito, and where Cognate chose, is in docs/custom-auth.md. No hook is called while a
 * transaction or row lock is held: sessions are single statements.
 */

/** The most challenges one sign-in may go through before it fails (docs/custom-auth.md, "Limits"). */
export const MAX_CHALLENGES = 20;

const invalidSession = () =>
  new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
const notConfigured = () =>
  new CognitoError('InvalidParameterException', 'Custom auth lambda trigger is not configured for the user pool.');
/** Cognito's wording for an answer of the Define hook it cannot act on; what was wrong follows. */
const unrecognizable = (why: string) =>
  new CognitoError('InvalidLambdaResponseException', `Unrecognizable lambda output: ${why}`);

/** What the session row keeps between steps; never shown to the client. */
interface CustomAuthState extends Record<string, unknown> {
  /** The name as given to InitiateAuth (an alias, another case), for the events of an unknown user. */
  name: string;
  /** USERNAME in the challenge parameters: the user's username, or a stable stand-in. */
  shownName: string;
  /** Only where the client hides user existence (the events carry it then). */
  userNotFound?: boolean;
  /** The challenges so far and their results: the events' `session`. */
  session: ChallengeResult[];
  /** What the next answer must be. */
  step: 'PASSWORD_VERIFIER' | 'CUSTOM_CHALLENGE';
  privateChallengeParameters?: Record<string, string>;
  challengeMetadata?: string;
}

/** What each answer leads to: tokens, NEW_PASSWORD_REQUIRED for an invited user, or the next custom challenge. */
export type CustomAuthOutcome = TokenSet | NewPasswordChallenge | CustomChallenge | StepChallenge;

/** Public and private challenge parameters: strings (a number or boolean is written as text). */
function parameterMap(value: unknown, member: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CognitoError(
      'InvalidLambdaResponseException',
      `Invalid CreateAuthChallenge response: ${member} must be a map of strings.`,
    );
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else if (v !== null && v !== undefined) {
      throw new CognitoError(
        'InvalidLambdaResponseException',
        `Invalid CreateAuthChallenge response: ${member}.${key} must be a string.`,
      );
    }
  }
  return out;
}

const optionalBoolean = (value: unknown, member: string): boolean => {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw unrecognizable(`${member} must be true or false.`);
  return value;
};

export function createCustomAuthService(deps: {
  db: Db;
  pools: PoolsService;
  hooks: Hooks;
  hiding: HiddenExistence;
  sessions: AuthSessions;
  /** The password flows' PreAuthentication, SRP steps and token issuing (PostAuthentication, PreTokenGeneration). */
  signIn: Pick<SignInService, 'preAuthentication' | 'completeSignIn' | 'proveSrp' | 'startSrpSignIn'>;
}) {
  const { db, hooks } = deps;

  function requireHook(pool: Pool, trigger: TriggerName) {
    if (!hooks.has(pool, trigger)) throw notConfigured();
  }

  /** The account states that end a sign-in before any challenge, where the client does not hide existence. */
  function checkStatus(user: UserRow) {
    if (!user.enabled) throw forbidden('User is disabled.');
    if (user.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'RESET_REQUIRED') throw passwordResetRequired();
    // A federated user signs in through its provider only (docs/federation.md, "Users and linking").
    if (user.status === 'EXTERNAL_PROVIDER') throw incorrectCredentials();
  }

  async function userAttributes(user: UserRow | undefined): Promise<Record<string, string>> {
    // The same read for a stand-in, so timing does not tell who exists.
    const state = await loadAttributes(db, { id: user?.id ?? NO_USER });
    return user ? eventAttributes(state, user.status) : {};
  }

  /** The Define hook's answer on the challenges so far: a failure is thrown, tokens or a challenge name returned. */
  async function define(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    state: CustomAuthState,
    attributes: Record<string, string>,
    clientMetadata: ClientMetadata | undefined,
  ): Promise<{ issueTokens: true } | { issueTokens: false; challengeName: unknown }> {
    requireHook(pool, 'DefineAuthChallenge');
    const hidden = state.userNotFound !== undefined && { userNotFound: state.userNotFound };
    const defined = await hooks.call(pool, {
      trigger: 'DefineAuthChallenge',
      triggerSource: 'DefineAuthChallenge_Authentication',
      userName: user?.username ?? state.name,
      clientId: client.id,
      request: { userAttributes: attributes, session: state.session, ...withClientMetadata(clientMetadata), ...hidden },
      response: { challengeName: null, issueTokens: null, failAuthentication: null },
    });
    const issueTokens = optionalBoolean(defined?.issueTokens, 'issueTokens');
    const failAuthentication = optionalBoolean(defined?.failAuthentication, 'failAuthentication');
    if (issueTokens && failAuthentication) throw unrecognizable('issueTokens and failAuthentication are both true.');
    if (failAuthentication) throw incorrectCredentials();
    // Never for a stand-in: the hook cannot sign in a user who does not exist.
    if (issueTokens) {
      if (!user) throw incorrectCredentials();
      return { issueTokens: true };
    }
    const challengeName = defined?.challengeName;
    if (challengeName === undefined || challengeName === null) {
      throw unrecognizable(
        'DefineAuthChallenge named no challengeName, and neither issueTokens nor failAuthentication is true.',
      );
    }
    return { issueTokens: false, challengeName };
  }

  const notIssued = (challengeName: unknown, expected: string) =>
    unrecognizable(
      `DefineAuthChallenge named challengeName ${JSON.stringify(challengeName).slice(0, 64)}; Cognate issues ${expected} at this step.`,
    );

  /**
   * Asks the Define hook what follows the challenges so far, and acts on it: tokens, a failure, or
   * the next challenge (built by the Create hook) with a new session.
   */
  async function next(
    pool: Pool,
    client: AppClient,
    user: UserRow | undefined,
    state: CustomAuthState,
    clientMetadata: ClientMetadata | undefined,
    /** InitiateAuth's metadata goes to Define and Create, not to PostAuthentication (as in the password flows). */
    initiating = false,
    /** The answer's DEVICE_KEY: a device the client was given before (docs/devices.md). */
    deviceKey?: string,
  ): Promise<CustomAuthOutcome> {
    const attributes = await userAttributes(user);
    const userName = user?.username ?? state.name;
    const defined = await define(pool, client, user, state, attributes, clientMetadata);
    if (defined.issueTokens) {
      return deps.signIn.completeSignIn(pool, client, user!, {
        ...(!initiating && clientMetadata && { clientMetadata }),
        ...(deviceKey && { deviceKey }),
      });
    }
    const { challengeName } = defined;
    if (challengeName !== 'CUSTOM_CHALLENGE') throw notIssued(challengeName, 'CUSTOM_CHALLENGE');
    // A bound on the rounds of one sign-in (docs/custom-auth.md, "Limits").
    if (state.session.length >= MAX_CHALLENGES) throw incorrectCredentials();
    requireHook(pool, 'CreateAuthChallenge');
    const created = await hooks.call(pool, {
      trigger: 'CreateAuthChallenge',
      triggerSource: 'CreateAuthChallenge_Authentication',
      userName,
      clientId: client.id,
      request: {
        userAttributes: attributes,
        challengeName,
        session: state.session,
        ...withClientMetadata(clientMetadata),
        ...(state.userNotFound !== undefined && { userNotFound: state.userNotFound }),
      },
      response: { publicChallengeParameters: null, privateChallengeParameters: null, challengeMetadata: null },
    });
    const publicParameters = parameterMap(created?.publicChallengeParameters, 'publicChallengeParameters');
    const privateParameters = parameterMap(created?.privateChallengeParameters, 'privateChallengeParameters');
    const metadata = created?.challengeMetadata;
    if (metadata !== undefined && metadata !== null && typeof metadata !== 'string') {
      throw new CognitoError(
        'InvalidLambdaResponseException',
        'Invalid CreateAuthChallenge response: challengeMetadata must be a string.',
      );
    }
    const session = await deps.sessions.issue({
      poolId: pool.id,
      clientId: client.id,
      userId: user?.id ?? null,
      minutes: client.authSessionValidity,
      state: {
        ...state,
        step: 'CUSTOM_CHALLENGE',
        privateChallengeParameters: privateParameters,
        ...(typeof metadata === 'string' ? { challengeMetadata: metadata } : { challengeMetadata: undefined }),
      },
    });
    return {
      challengeName: 'CUSTOM_CHALLENGE',
      session,
      // Cognito adds USERNAME, the name later answers carry (Amplify takes it as the active username).
      challengeParameters: { ...publicParameters, USERNAME: state.shownName },
    };
  }

  /** The session of this client and step, taken (used up) whatever follows. */
  async function take(
    token: string,
    client: AppClient,
    step: CustomAuthState['step'],
  ): Promise<{ state: CustomAuthState; userId: string | null }> {
    const row = await deps.sessions.take<CustomAuthState>(token);
    if (!row || row.clientId !== client.id || row.state.step !== step) throw invalidSession();
    return { state: row.state, userId: row.userId };
  }

  /** ChallengeResponses.USERNAME must name the session's user: the name given, or the username shown. */
  function checkUsername(pool: Pool, state: CustomAuthState, username: string | undefined) {
    // The REST face sends none: the session alone names the user there.
    if (username === undefined) return;
    const given = comparedName(pool, username);
    if (given !== comparedName(pool, state.shownName) && given !== comparedName(pool, state.name)) {
      throw invalidSession();
    }
  }

  return {
    /** InitiateAuth CUSTOM_AUTH: the Define hook is asked at once. */
    async initiate(input: {
      clientId: string;
      username: string;
      source: string;
      clientMetadata?: ClientMetadata;
    }): Promise<CustomAuthOutcome> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      assertAuthFlow(client, 'ALLOW_CUSTOM_AUTH', 'CUSTOM_AUTH');
      requireHook(pool, 'DefineAuthChallenge');
      const hidden = client.preventUserExistenceErrors;
      const found = await findUserBySignInName(db, pool, input.username);
      if (!found && !hidden) throw userNotFound();
      if (found && !hidden) checkStatus(found);
      // Hidden: a federated user goes through the challenges as an unknown name does, and fails as one.
      const user = found?.status === 'EXTERNAL_PROVIDER' ? undefined : found;
      await deps.signIn.preAuthentication(pool, client, user, input.username, input.clientMetadata);
      const state: CustomAuthState = {
        name: input.username,
        shownName: user?.username ?? deps.hiding.fakeSrpUserId(pool, input.username),
        ...(hidden && { userNotFound: !user }),
        session: [],
        step: 'CUSTOM_CHALLENGE',
      };
      return next(pool, client, user, state, input.clientMetadata, true);
    },

    /** InitiateAuth CUSTOM_AUTH with CHALLENGE_NAME SRP_A (CUSTOM_WITH_SRP): SRP's PASSWORD_VERIFIER comes first. */
    async initiateWithSrp(input: {
      clientId: string;
      username: string;
      srpA: string;
      source: string;
      clientMetadata?: ClientMetadata;
    }): Promise<CustomSrpChallenge> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      assertAuthFlow(client, 'ALLOW_CUSTOM_AUTH', 'CUSTOM_AUTH');
      requireHook(pool, 'DefineAuthChallenge');
      const hidden = client.preventUserExistenceErrors;
      {
        // PASSWORD_VERIFIER first (PreAuthentication fires there), then Define sees SRP_A and PASSWORD_VERIFIER.
        const srp = await deps.signIn.startSrpSignIn({
          clientId: input.clientId,
          username: input.username,
          srpA: input.srpA,
          source: input.source,
          flow: 'CUSTOM_AUTH',
          ...(input.clientMetadata && { clientMetadata: input.clientMetadata }),
        });
        const user = await findUserBySignInName(db, pool, input.username);
        const state: CustomAuthState = {
          name: input.username,
          shownName: srp.challengeParameters.USERNAME,
          ...(hidden && { userNotFound: !user }),
          session: [{ challengeName: 'SRP_A', challengeResult: true, challengeMetadata: '' }],
          step: 'PASSWORD_VERIFIER',
        };
        // As in Cognito, Define is asked first with SRP_A alone, and must name PASSWORD_VERIFIER.
        const defined = await define(pool, client, user, state, await userAttributes(user), input.clientMetadata);
        if (defined.issueTokens || defined.challengeName !== 'PASSWORD_VERIFIER') {
          throw notIssued(defined.issueTokens ? 'issueTokens' : defined.challengeName, 'PASSWORD_VERIFIER');
        }
        const session = await deps.sessions.issue({
          poolId: pool.id,
          clientId: client.id,
          userId: user?.id ?? null,
          minutes: client.authSessionValidity,
          state,
        });
        return { ...srp, session };
      }
    },

    /** RespondToAuthChallenge PASSWORD_VERIFIER of CUSTOM_WITH_SRP: the proof, then the Define hook. */
    async answerPasswordVerifier(
      input: SrpProof & { session: string; username: string; clientMetadata?: ClientMetadata; deviceKey?: string },
    ): Promise<CustomAuthOutcome> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const { state, userId } = await take(input.session, client, 'PASSWORD_VERIFIER');
      checkUsername(pool, state, input.username);
      const { user } = await deps.signIn.proveSrp({ ...input, flow: 'CUSTOM_AUTH' });
      if (user.id !== userId) throw invalidSession();
      const proven: CustomAuthState = {
        ...state,
        session: [
          ...state.session,
          { challengeName: 'PASSWORD_VERIFIER', challengeResult: true, challengeMetadata: '' },
        ],
        step: 'CUSTOM_CHALLENGE',
      };
      return next(pool, client, user, proven, input.clientMetadata, false, input.deviceKey);
    },

    /** RespondToAuthChallenge CUSTOM_CHALLENGE: the Verify hook judges ANSWER, then the Define hook decides. */
    async answerCustomChallenge(input: {
      clientId: string;
      session: string;
      /** The wire's ChallengeResponses.USERNAME; the REST face sends none. */
      username?: string;
      answer: string;
      clientMetadata?: ClientMetadata;
      deviceKey?: string;
    }): Promise<CustomAuthOutcome> {
      const { pool, client } = await deps.pools.clientWithPool(input.clientId);
      const { state, userId } = await take(input.session, client, 'CUSTOM_CHALLENGE');
      checkUsername(pool, state, input.username);
      const user = userId ? await findUserById(db, userId) : undefined;
      // The user was deleted meanwhile: nothing is left to sign in.
      if (userId && !user) throw invalidSession();
      requireHook(pool, 'VerifyAuthChallengeResponse');
      const verified = await hooks.call(pool, {
        trigger: 'VerifyAuthChallengeResponse',
        triggerSource: 'VerifyAuthChallengeResponse_Authentication',
        userName: user?.username ?? state.name,
        clientId: client.id,
        request: {
          userAttributes: await userAttributes(user),
          privateChallengeParameters: state.privateChallengeParameters ?? {},
          challengeAnswer: input.answer,
          ...withClientMetadata(input.clientMetadata),
          ...(state.userNotFound !== undefined && { userNotFound: state.userNotFound }),
        },
        response: { answerCorrect: null },
      });
      const answerCorrect = verified?.answerCorrect;
      if (answerCorrect !== undefined && answerCorrect !== null && typeof answerCorrect !== 'boolean') {
        throw new CognitoError(
          'InvalidLambdaResponseException',
          'Invalid VerifyAuthChallengeResponse response: answerCorrect must be true or false.',
        );
      }
      const { privateChallengeParameters: _used, challengeMetadata, ...rest } = state;
      const answered: CustomAuthState = {
        ...rest,
        session: [
          ...state.session,
          {
            challengeName: 'CUSTOM_CHALLENGE',
            challengeResult: answerCorrect === true,
            challengeMetadata: challengeMetadata ?? '',
          },
        ],
      };
      return next(pool, client, user, answered, input.clientMetadata, false, input.deviceKey);
    },
  };
}

export type CustomAuthService = ReturnType<typeof createCustomAuthService>;
