import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import type { AccountRecoverySetting, PasswordPolicy, PoolPolicies, PoolPoliciesInput } from './pools.types.ts';

export type {
  AccountRecoverySetting,
  AuditPolicy,
  CodePolicy,
  PasswordPolicy,
  PoolPolicies,
  PoolPoliciesInput,
  RecoveryMechanism,
  RecoveryMechanismName,
  TokenPolicy,
} from './pools.types.ts';

/**
 * Cognate's default: a verified email, else a verified phone. Cognito's default without the setting
 * is the other order (SMS first); Cognate keeps email first, as it always has, because SMS costs
 * money per message and is the weaker channel (SIM swap), and Cognito's order is one setting away.
 */
export const DEFAULT_ACCOUNT_RECOVERY: AccountRecoverySetting = {
  recoveryMechanisms: [
    { name: 'verified_email', priority: 1 },
    { name: 'verified_phone_number', priority: 2 },
  ],
};

export const defaultPolicies: PoolPolicies = {
  password: {
    minimumLength: 8,
    requireUppercase: true,
    requireLowercase: true,
    requireNumbers: true,
    requireSymbols: true,
  },
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
  accountRecovery: DEFAULT_ACCOUNT_RECOVERY,
  deletionProtection: false,
};

export function resolvePolicies(input: PoolPoliciesInput = {}, base: PoolPolicies = defaultPolicies): PoolPolicies {
  const policies: PoolPolicies = {
    password: { ...base.password, ...input.password },
    codes: { ...base.codes, ...input.codes },
    tokens: { ...base.tokens, ...input.tokens },
    audit: { ...defaultPolicies.audit, ...base.audit, ...input.audit },
    accountRecovery: checkAccountRecovery(
      input.accountRecovery?.recoveryMechanisms ? input.accountRecovery : accountRecoveryOf(base),
    ),
    deletionProtection: input.deletionProtection ?? base.deletionProtection ?? false,
    ...((input.awsPlumbing ?? base.awsPlumbing) && { awsPlumbing: { ...base.awsPlumbing, ...input.awsPlumbing } }),
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
    throw new CognitoError(
      'InvalidParameterException',
      'tokens.refreshTokenTtlSeconds must be between 3600 seconds and 10 years.',
    );
  }
  if (policies.password.minimumLength < 6 || policies.password.minimumLength > 99) {
    throw new CognitoError('InvalidParameterException', 'password.minimumLength must be between 6 and 99.');
  }
  return policies;
}

const symbols = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/u;

/** Checks a password against the pool's policy with Cognito's messages. */
export function checkPassword(policy: PasswordPolicy, password: string): void {
  const fail = (why: string) =>
    new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${why}`);
  if (password.length < policy.minimumLength) throw fail('Password not long enough');
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) throw fail('Password must have lowercase characters');
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) throw fail('Password must have uppercase characters');
  if (policy.requireNumbers && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.requireSymbols && !symbols.test(password)) throw fail('Password must have symbol characters');
}

// ---- Account recovery (docs/cognito-settings.md) ---------------------------------------------------

const CHANNELS = { verified_email: 'email', verified_phone_number: 'phone_number' } as const;
type RecoveryChannel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** Cognito's rules for RecoveryMechanisms: one or two, priorities 1 and 2, each name once, admin_only alone. */
export function checkAccountRecovery(setting: Partial<AccountRecoverySetting>): AccountRecoverySetting {
  const mechanisms = setting.recoveryMechanisms ?? DEFAULT_ACCOUNT_RECOVERY.recoveryMechanisms;
  const fail = (why: string) => invalidParameter(`AccountRecoverySetting: ${why}`);
  if (!Array.isArray(mechanisms) || mechanisms.length < 1 || mechanisms.length > 2)
    throw fail('RecoveryMechanisms must list one or two mechanisms.');
  for (const { name, priority } of mechanisms) {
    if (name !== 'admin_only' && !Object.hasOwn(CHANNELS, name))
      throw fail('a mechanism Name must be verified_email, verified_phone_number or admin_only.');
    if (!Number.isInteger(priority) || priority < 1 || priority > 2) throw fail('a mechanism Priority must be 1 or 2.');
  }
  if (new Set(mechanisms.map((m) => m.name)).size !== mechanisms.length)
    throw fail('each mechanism may be named once.');
  if (new Set(mechanisms.map((m) => m.priority)).size !== mechanisms.length)
    throw fail('two mechanisms cannot have the same Priority.');
  if (mechanisms.length > 1 && mechanisms.some((m) => m.name === 'admin_only'))
    throw fail('admin_only cannot be combined with another recovery mechanism.');
  return {
    recoveryMechanisms: [...mechanisms]
      .sort((a, b) => a.priority - b.priority)
      .map(({ name, priority }) => ({ name, priority })),
  };
}

export const accountRecoveryOf = (policies: Pick<PoolPolicies, 'accountRecovery'>): AccountRecoverySetting =>
  policies.accountRecovery ?? DEFAULT_ACCOUNT_RECOVERY;

/** admin_only: only an administrator resets passwords; ForgotPassword refuses everyone alike. */
export const adminOnlyRecovery = (policies: Pick<PoolPolicies, 'accountRecovery'>): boolean =>
  accountRecoveryOf(policies).recoveryMechanisms.some((m) => m.name === 'admin_only');

/** The attributes ForgotPassword may send to, in the pool's order (none for admin_only). */
export const recoveryChannels = (policies: Pick<PoolPolicies, 'accountRecovery'>): RecoveryChannel[] =>
  accountRecoveryOf(policies).recoveryMechanisms.flatMap((m) => (m.name === 'admin_only' ? [] : [CHANNELS[m.name]]));

/** Where a user's reset code goes: the pool's first recovery channel the user has verified. */
export function recoveryChannel(
  pool: { policies: Pick<PoolPolicies, 'accountRecovery'> },
  state: Partial<Record<RecoveryChannel, { verified?: boolean }>>,
): RecoveryChannel | undefined {
  return recoveryChannels(pool.policies).find((name) => state[name]?.verified === true);
}
