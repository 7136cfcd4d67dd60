/**
 * Cognito's triggers as signed HTTP hooks (docs/triggers.md): what a pool stores, and the shape of
 * the event a hook receives. Types only: the database schema and other modules' types use them.
 */

/** The triggers Cognate calls. The others of Cognito's LambdaConfig are refused until implemented. */
export type TriggerName =
  | 'PreSignUp'
  | 'PostConfirmation'
  | 'PreAuthentication'
  | 'PostAuthentication'
  | 'PreTokenGeneration'
  | 'CustomMessage'
  | 'UserMigration'
  | 'DefineAuthChallenge'
  | 'CreateAuthChallenge'
  | 'VerifyAuthChallengeResponse';

/** Cognito's PreTokenGenerationConfig.LambdaVersion. */
export type PreTokenGenerationVersion = 'V1_0' | 'V2_0' | 'V3_0';

/**
 * A pool's hooks, stored as configured: Cognito's LambdaConfig members, each an http(s) URL or an
 * ARN that HOOK_ARNS_FILE maps to one (resolved at every call, so the file may change).
 */
export interface PoolLambdaConfig {
  PreSignUp?: string;
  PostConfirmation?: string;
  PreAuthentication?: string;
  PostAuthentication?: string;
  /** Cognito keeps the V1 hook here too; PreTokenGenerationConfig wins when both are set. */
  PreTokenGeneration?: string;
  PreTokenGenerationConfig?: { LambdaVersion: PreTokenGenerationVersion; LambdaArn: string };
  CustomMessage?: string;
  UserMigration?: string;
  /** Custom authentication's three hooks (docs/custom-auth.md). */
  DefineAuthChallenge?: string;
  CreateAuthChallenge?: string;
  VerifyAuthChallengeResponse?: string;
}

/** The event as Cognito gives it to a Lambda function; `response` is what the hook fills in. */
export interface TriggerEvent<Request = Record<string, unknown>, Response = Record<string, unknown>> {
  version: string;
  triggerSource: string;
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
  request: Request;
  response: Response;
}

/** What a flow hands the hooks module; it adds version, region, userPoolId and callerContext. */
export interface HookCall {
  trigger: TriggerName;
  /** Cognito's triggerSource for this path, e.g. `PreSignUp_SignUp`, `TokenGeneration_RefreshTokens`. */
  triggerSource: string;
  userName: string;
  /** The app client; absent where none is involved (`CLIENT_ID_NOT_APPLICABLE`). */
  clientId?: string;
  request: Record<string, unknown>;
  /** The response members Cognito sends pre-filled (mostly nulls); the hook fills them in. */
  response?: Record<string, unknown>;
}

/** The pool fields a hook call needs. */
export interface HookedPool {
  id: string;
  lambdaConfig: PoolLambdaConfig;
}

/**
 * Calls a pool's hooks (src/modules/hooks/hooks.ts implements it). Never called while a transaction
 * or a row lock is held. Failures are thrown as Cognito gives them: UserLambdaValidationException
 * (the hook refused: `<Trigger> failed with error <message>.`), UnexpectedLambdaException (timed
 * out, down or 5xx after the retries), InvalidLambdaResponseException (an answer that is not the event).
 */
export interface Hooks {
  /** Whether the pool has a hook for this trigger (a flow may skip building an event it would not send). */
  has(pool: HookedPool, trigger: TriggerName): boolean;
  /** The hook's `response`, or undefined when the pool has no hook for the trigger. */
  call(pool: HookedPool, call: HookCall): Promise<Record<string, unknown> | undefined>;
  /** The PreTokenGeneration version the pool's hook speaks (V1_0 unless PreTokenGenerationConfig says). */
  preTokenGenerationVersion(pool: HookedPool): PreTokenGenerationVersion | undefined;
}
