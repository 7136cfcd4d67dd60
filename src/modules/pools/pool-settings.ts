import { CognitoError } from '../../errors/cognito-error.ts';

/** Cognito's default policy: 8 characters, every class required. */
export interface PasswordPolicy {
  minimumLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

/** Code lifetimes and limits (api.md decisions); per pool so a pool can choose ASVS's 10 minutes. */
export interface CodePolicy {
  signUpCodeTtlSeconds: number;
  attributeCodeTtlSeconds: number;
  passwordResetCodeTtlSeconds: number;
  /** Tries a code allows before it is dead. */
  maxAttempts: number;
  /** Code sends per user per hour (ResendConfirmationCode, GetUserAttributeVerificationCode, updates). */
  sendsPerHour: number;
  /** Confirmation attempts per user per hour (ConfirmSignUp, VerifyUserAttribute). */
  confirmsPerHour: number;
}

export interface TokenPolicy {
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** What the audit trail may keep: attribute names and verified states always, values only when allowed. */
export interface AuditPolicy {
  recordValues: boolean;
}

export interface PoolPolicies {
  password: PasswordPolicy;
  codes: CodePolicy;
  tokens: TokenPolicy;
  audit: AuditPolicy;
}

export const defaultPolicies: PoolPolicies = {
  password: { minimumLength: 8, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true },
  codes: {
    signUpCodeTtlSeconds: 24 * 3600,
    attributeCodeTtlSeconds: 24 * 3600,
    passwordResetCodeTtlSeconds: 3600,
    maxAttempts: 5,
    sendsPerHour: 5,
    confirmsPerHour: 15,
  },
  tokens: { accessTokenTtlSeconds: 3600, idTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 30 * 24 * 3600 },
  audit: { recordValues: false },
};

export type PoolPoliciesInput = { [K in keyof PoolPolicies]?: Partial<PoolPolicies[K]> };

export function resolvePolicies(input: PoolPoliciesInput = {}, base: PoolPolicies = defaultPolicies): PoolPolicies {
  const policies: PoolPolicies = {
    password: { ...base.password, ...input.password },
    codes: { ...base.codes, ...input.codes },
    tokens: { ...base.tokens, ...input.tokens },
    audit: { ...defaultPolicies.audit, ...base.audit, ...input.audit },
  };
  const { tokens } = policies;
  // Cognito's own bounds: access/ID tokens 5 minutes to 1 day, refresh tokens up to 10 years.
  for (const [name, value] of [
    ['accessTokenTtlSeconds', tokens.accessTokenTtlSeconds],
    ['idTokenTtlSeconds', tokens.idTokenTtlSeconds],
  ] as const) {
    if (value < 300 || value > 86400) {
      throw new CognitoError('InvalidParameterException', `tokens.${name} must be between 300 and 86400 seconds.`);
    }
  }
  if (tokens.refreshTokenTtlSeconds < 3600 || tokens.refreshTokenTtlSeconds > 10 * 365 * 86400) {
    throw new CognitoError('InvalidParameterException', 'tokens.refreshTokenTtlSeconds must be between 3600 seconds and 10 years.');
  }
  if (policies.password.minimumLength < 6 || policies.password.minimumLength > 99) {
    throw new CognitoError('InvalidParameterException', 'password.minimumLength must be between 6 and 99.');
  }
  return policies;
}

const symbols = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/u;

/** Checks a password against the pool's policy with Cognito's messages. */
export function checkPassword(policy: PasswordPolicy, password: string): void {
  const fail = (why: string) => new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${why}`);
  if (password.length < policy.minimumLength) throw fail('Password not long enough');
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) throw fail('Password must have lowercase characters');
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) throw fail('Password must have uppercase characters');
  if (policy.requireNumbers && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.requireSymbols && !symbols.test(password)) throw fail('Password must have symbol characters');
}
