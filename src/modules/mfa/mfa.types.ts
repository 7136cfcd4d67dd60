/**
 * Multi-factor authentication's contract (docs/mfa.md): the pool's setting and factors, a user's
 * factors, and the challenges a sign-in answers with when a second factor is due.
 */

/** Cognito's MfaConfiguration. */
export type MfaConfiguration = 'OFF' | 'ON' | 'OPTIONAL';

/** A second factor, named as Cognito's challenges and PreferredMfaSetting name it. */
export type MfaFactor = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP';
export const MFA_FACTORS: readonly MfaFactor[] = ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'];

/**
 * The factors a pool offers (Cognito's SmsMfaConfiguration, SoftwareTokenMfaConfiguration and
 * EmailMfaConfiguration); a factor not `true` is not offered. Their messages are the pool's
 * AUTHENTICATION message templates (one source for both faces: Cognito's SmsAuthenticationMessage
 * and EmailMfaConfiguration's Message and Subject are written there).
 */
export interface PoolMfaFactors {
  sms?: boolean;
  softwareToken?: boolean;
  email?: boolean;
}

/** A user's second factors (table user_mfa): which are on and which is preferred. */
export interface UserMfaSettings {
  enabled: MfaFactor[];
  preferred: MfaFactor | null;
  /** A TOTP secret is associated and verified (VerifySoftwareToken). */
  softwareTokenVerified: boolean;
}
