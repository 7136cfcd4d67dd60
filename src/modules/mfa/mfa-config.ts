import { invalidParameter } from '../../errors/cognito-error.ts';
import type { MfaConfiguration, MfaFactor, PoolMfaFactors } from './mfa.types.ts';

/**
 * The pool's MFA setting, as pure rules (docs/mfa.md, "The pool's setting"): shared by the pools
 * module, which stores it, and the MFA module, which acts on it.
 */

const MODES: readonly MfaConfiguration[] = ['OFF', 'ON', 'OPTIONAL'];

/** Checks a pool's setting and factors before they are stored; throws InvalidParameterException naming what is wrong. */
export function checkPoolMfa(
  mode: MfaConfiguration,
  factors: PoolMfaFactors,
): { mode: MfaConfiguration; factors: PoolMfaFactors } {
  if (!MODES.includes(mode))
    throw invalidParameter(`MfaConfiguration must be OFF, ON or OPTIONAL; ${String(mode).slice(0, 32)} was given.`);
  const kept: PoolMfaFactors = {
    ...(factors.sms && { sms: true }),
    ...(factors.softwareToken && { softwareToken: true }),
    ...(factors.email && { email: true }),
  };
  if (mode !== 'OFF' && Object.keys(kept).length === 0) {
    throw invalidParameter(
      `MfaConfiguration ${mode} needs at least one factor on: SMS (SmsMfaConfiguration), TOTP (SoftwareTokenMfaConfiguration Enabled) or email (EmailMfaConfiguration).`,
    );
  }
  return { mode, factors: kept };
}

/** The factors a pool offers its users now: none while MFA is OFF. */
export function offeredFactors(pool: { mfaConfiguration: MfaConfiguration; mfaFactors: PoolMfaFactors }): MfaFactor[] {
  if (pool.mfaConfiguration === 'OFF') return [];
  const f = pool.mfaFactors;
  return [
    ...(f.sms ? (['SMS_MFA'] as const) : []),
    ...(f.softwareToken ? (['SOFTWARE_TOKEN_MFA'] as const) : []),
    ...(f.email ? (['EMAIL_OTP'] as const) : []),
  ];
}
