import { createTransport } from 'nodemailer';
import type { Channel } from '../courier.ts';

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
      const info = await transport.sendMail({
        from: options.mailFrom,
        // An address object, so a value with a comma cannot become several recipients.
        to: { name: '', address: msg.to },
        subject: msg.subject ?? '',
        text: msg.text,
        ...(msg.html === undefined ? {} : { html: msg.html }),
      });
      if (info.rejected.length > 0) throw new Error(`The SMTP server rejected the recipient: ${info.response}`);
      return { providerMessageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}
