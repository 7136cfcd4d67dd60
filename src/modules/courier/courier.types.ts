/** The courier's contracts: what a message is, and what a channel (log, SMTP, Twilio) must do. */

export type DeliveryMedium = 'EMAIL' | 'SMS';

/** AUTHENTICATION: a sign-in code (an MFA code by SMS or email, or a passwordless EMAIL_OTP/SMS_OTP; docs/mfa.md). */
export type Purpose = 'SIGN_UP' | 'VERIFY_ATTRIBUTE' | 'FORGOT_PASSWORD' | 'ADMIN_INVITATION' | 'AUTHENTICATION';

/**
 * Templates use Cognito's placeholders: `{####}` for the code (the temporary
 * password for an invitation) and `{username}`. The HTML template is trusted
 * markup; only the values put into it are escaped.
 */
export interface MessageTemplates {
  emailSubject?: string;
  emailText?: string;
  emailHtml?: string;
  smsText?: string;
}

export interface OutboundMessage {
  medium: DeliveryMedium;
  to: string;
  purpose: Purpose;
  subject?: string;
  text: string;
  html?: string;
  /** Only for the log channel; other channels send the rendered bodies and nothing else. */
  code: string;
  username: string;
}

/** One way out (log, SMTP, later Twilio). */
export interface Channel {
  readonly name: string;
  send(msg: OutboundMessage): Promise<{ providerMessageId?: string }>;
  close?(): Promise<void>;
}
