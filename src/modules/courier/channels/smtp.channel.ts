import { createTransport } from 'nodemailer';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import { deliveryAddress } from '../../attributes/index.ts';
import type { Channel } from '../courier.types.ts';
import { DeliveryError } from '../delivery-error.ts';

// Failures to reach the server at all: a retry later can succeed.
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKET',
  'ECONNECTION',
  'EDNS',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SMTP's own split: a 5xx reply is permanent (the address will never be accepted), a 4xx
 * reply and a server we cannot reach are transient. A refused login is a configuration
 * problem of ours, not the recipient's: transient, so the messages go once it is fixed.
 */
export function classifySmtpError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = (error ?? {}) as { message?: string; code?: string; responseCode?: number; response?: string };
  const message = e.message ?? String(error);
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  let permanent = false;
  if (e.code === 'EAUTH') permanent = false;
  else if (responseCode !== undefined) permanent = responseCode >= 500 && responseCode < 600;
  else if (e.code !== undefined && CONNECTION_ERRORS.has(e.code)) permanent = false;
  else if (e.code === 'EENVELOPE') permanent = true;
  return new DeliveryError(
    responseCode === undefined || message.includes(String(responseCode)) ? message : `${responseCode} ${message}`,
    permanent,
    { cause: error },
  );
}

/**
 * The Subject header's value. nodemailer passes a well-formed RFC 2047 encoded-word through
 * as already encoded, so a username like `=?utf-8?B?…?=` in a template would be decoded by the
 * reader into text of the user's choosing. A subject holding `=?` is therefore encoded whole
 * (base64 words), so the reader shows it literally; any other subject is left to nodemailer.
 */
export function subjectHeader(subject: string): string {
  return subject.includes('=?') ? encodeWord(subject, 'B', 52) : subject;
}

export interface SmtpChannelOptions {
  /** smtp:// or smtps://, credentials and nodemailer options (e.g. `?connectionTimeout=`) in the URL. */
  smtpUrl: string;
  mailFrom: string;
}

export function createSmtpChannel(options: SmtpChannelOptions): Channel {
  // nodemailer waits up to 2 minutes to connect; a code is sent while a request
  // waits, so fail sooner. Options in the URL still win over these.
  const transport = createTransport({
    url: options.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    name: 'smtp',
    async send(msg) {
      if (msg.medium !== 'EMAIL') throw new Error(`The SMTP channel cannot send ${msg.medium}`);
      let info;
      try {
        info = await transport.sendMail({
          from: options.mailFrom,
          // An address object, so a value with a comma cannot become several recipients; the
          // domain in IDNA's ASCII form, the address its sign-in key stands for (docs/security.md).
          to: { name: '', address: deliveryAddress(msg.to) },
          subject: subjectHeader(msg.subject ?? ''),
          text: msg.text,
          ...(msg.html === undefined ? {} : { html: msg.html }),
        });
      } catch (error) {
        throw classifySmtpError(error);
      }
      if (info.rejected.length > 0)
        throw new DeliveryError(`The SMTP server rejected the recipient: ${info.response}`, true);
      return { providerMessageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}
