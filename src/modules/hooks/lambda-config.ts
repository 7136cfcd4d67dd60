import { CognitoError } from '../../errors/cognito-error.ts';
import type { PoolLambdaConfig, PreTokenGenerationVersion } from './hooks.types.ts';

/**
 * Which of Cognito's LambdaConfig members a pool may set, and what a value may be
 * (docs/triggers.md, "Configuring hooks"). Pure: the pools module and the config use it.
 */

/** The triggers Cognate calls, as Cognito names the LambdaConfig members. */
export const HONOURED_TRIGGERS = [
  'PreSignUp',
  'PostConfirmation',
  'PreAuthentication',
  'PostAuthentication',
  'PreTokenGeneration',
  'CustomMessage',
  'UserMigration',
  'DefineAuthChallenge',
  'CreateAuthChallenge',
  'VerifyAuthChallengeResponse',
] as const;

/** Cognito's LambdaConfig members Cognate refuses until a later issue implements them. */
export const LATER_TRIGGERS = ['CustomSMSSender', 'CustomEmailSender', 'InboundFederation'] as const;

export const PRE_TOKEN_GENERATION_VERSIONS: readonly PreTokenGenerationVersion[] = ['V1_0', 'V2_0', 'V3_0'];

/** Cognito's ArnType. */
export const ARN_PATTERN =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;
export const MAX_HOOK_VALUE_LENGTH = 2048;

/** Why `value` cannot be a hook URL, or undefined when it can. */
export function hookUrlProblem(value: string): string | undefined {
  if (value.length > MAX_HOOK_VALUE_LENGTH) return `is longer than ${MAX_HOOK_VALUE_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  // Credentials in a URL end up in logs and in DescribeUserPool; a hook checks the signature instead.
  if (url.username || url.password) return 'must not carry credentials (user:password@)';
  if (url.hash) return 'must not have a #fragment';
  return undefined;
}

export type HookArns = Readonly<Record<string, string>>;

/**
 * Parses HOOK_ARNS_FILE's text: a JSON object mapping Lambda ARNs to hook URLs. Throws an Error
 * saying what is wrong (the server refuses to start with it).
 */
export function parseHookArns(text: string): HookArns {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('must be a JSON object mapping Lambda ARNs to hook URLs, {"arn:aws:lambda:…": "https://…"}');
  }
  const problems: string[] = [];
  const arns: Record<string, string> = {};
  for (const [arn, url] of Object.entries(parsed)) {
    if (!ARN_PATTERN.test(arn) || arn.length > MAX_HOOK_VALUE_LENGTH) problems.push(`"${arn}" is not an ARN`);
    if (typeof url !== 'string') {
      problems.push(`the value of "${arn}" must be a URL string`);
      continue;
    }
    const problem = hookUrlProblem(url);
    if (problem) problems.push(`the value of "${arn}" ${problem}`);
    arns[arn] = url;
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return Object.freeze(arns);
}

function invalid(message: string): CognitoError {
  return new CognitoError('InvalidParameterException', message);
}

function checkHookValue(member: string, value: unknown, arns: HookArns): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`LambdaConfig.${member} must be an http(s) URL or a Lambda ARN mapped in HOOK_ARNS_FILE.`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const problem = hookUrlProblem(value);
    if (problem) throw invalid(`LambdaConfig.${member} ${problem}.`);
    return value;
  }
  if (ARN_PATTERN.test(value) && value.length <= MAX_HOOK_VALUE_LENGTH) {
    if (!Object.hasOwn(arns, value)) {
      throw invalid(
        `LambdaConfig.${member}: the ARN ${value} is not mapped to a URL in HOOK_ARNS_FILE; give an http(s) URL or map the ARN.`,
      );
    }
    return value;
  }
  throw invalid(`LambdaConfig.${member} must be an http(s) URL or a Lambda ARN mapped in HOOK_ARNS_FILE.`);
}

/**
 * Checks a LambdaConfig as Cognito's CreateUserPool takes it and returns what is stored: only the
 * members Cognate honours, each a URL or a mapped ARN. Refuses the later triggers by name and any
 * member Cognito does not have. KMSKeyID is not a trigger: the caller deals with it.
 *
 * PreTokenGeneration and PreTokenGenerationConfig.LambdaArn name the same hook, as in Cognito: when
 * both are given they must be equal; one alone fills the other (PreTokenGeneration alone is V1_0).
 */
export function checkLambdaConfig(input: unknown, arns: HookArns): PoolLambdaConfig {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw invalid('LambdaConfig must be an object.');
  const config: PoolLambdaConfig = {};
  for (const [member, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if ((LATER_TRIGGERS as readonly string[]).includes(member)) {
      throw invalid(
        `LambdaConfig.${member} is not supported yet: Cognate calls ${HONOURED_TRIGGERS.join(', ')}; ${member} comes with a later version.`,
      );
    }
    if (member === 'PreTokenGenerationConfig') {
      config.PreTokenGenerationConfig = checkPreTokenGenerationConfig(value, arns);
      continue;
    }
    if (!(HONOURED_TRIGGERS as readonly string[]).includes(member)) {
      throw invalid(`LambdaConfig.${member} is not a LambdaConfig member Cognate knows.`);
    }
    config[member as (typeof HONOURED_TRIGGERS)[number]] = checkHookValue(member, value, arns);
  }
  const legacy = config.PreTokenGeneration;
  const versioned = config.PreTokenGenerationConfig;
  if (legacy !== undefined && versioned !== undefined && legacy !== versioned.LambdaArn) {
    throw invalid(
      'LambdaConfig.PreTokenGeneration and PreTokenGenerationConfig.LambdaArn name different hooks; give one, or the same value in both.',
    );
  }
  if (versioned) config.PreTokenGeneration = versioned.LambdaArn;
  return config;
}

function checkPreTokenGenerationConfig(value: unknown, arns: HookArns): PoolLambdaConfig['PreTokenGenerationConfig'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('LambdaConfig.PreTokenGenerationConfig must be an object {LambdaVersion, LambdaArn}.');
  }
  const { LambdaVersion, LambdaArn, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw invalid(`LambdaConfig.PreTokenGenerationConfig.${unknown[0]} is not a member Cognate knows.`);
  }
  if (!PRE_TOKEN_GENERATION_VERSIONS.includes(LambdaVersion as PreTokenGenerationVersion)) {
    throw invalid('LambdaConfig.PreTokenGenerationConfig.LambdaVersion must be V1_0, V2_0 or V3_0.');
  }
  return {
    LambdaVersion: LambdaVersion as PreTokenGenerationVersion,
    LambdaArn: checkHookValue('PreTokenGenerationConfig.LambdaArn', LambdaArn, arns),
  };
}
