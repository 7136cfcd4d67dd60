import { CognitoError } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import { createLogChannel } from './channels/log.channel.ts';
import type { TwilioChannelOptions } from './channels/twilio.channel.ts';
import { DeliveryError } from './delivery-error.ts';
import type { Channel, DeliveryMedium } from './courier.types.ts';
import { maskDestination } from './mask.ts';
import { renderMessage } from './messages.ts';
import type { MessageTemplates, Purpose } from './courier.types.ts';

export type { Channel, OutboundMessage } from './courier.types.ts';

export interface DeliveryRequest {
  medium: DeliveryMedium;
  to: string;
  purpose: Purpose;
  code: string;
  username: string;
  /** The pool's own message templates, if it has any. */
  templates?: MessageTemplates;
}

export interface DeliveryResult {
  channel: string;
  providerMessageId?: string;
}

export interface Courier {
  deliver(input: DeliveryRequest): Promise<DeliveryResult>;
  /** The channel a medium goes out through, to record a failed try against. */
  channelName?(medium: DeliveryMedium): string;
  close(): Promise<void>;
}

export function createCourier(deps: { email: Channel; sms: Channel; logger: Logger }): Courier {
  const { logger } = deps;
  return {
    async deliver({ medium, to, purpose, code, username, templates }) {
      const channel = medium === 'EMAIL' ? deps.email : deps.sms;
      const rendered = renderMessage(purpose, medium, { code, username }, templates);
      // Operational logs carry the masked destination and never the code.
      const context = {
        channel: channel.name,
        medium,
        purpose,
        destination: maskDestination(medium === 'EMAIL' ? 'email' : 'phone_number', to),
      };
      try {
        const { providerMessageId } = await channel.send({ medium, to, purpose, code, username, ...rendered });
        logger.info({ ...context, providerMessageId }, 'code message sent');
        return providerMessageId === undefined
          ? { channel: channel.name }
          : { channel: channel.name, providerMessageId };
      } catch (err) {
        logger.error({ ...context, err }, 'code message could not be delivered');
        throw new CognitoError('CodeDeliveryFailureException', undefined, { cause: err });
      }
    },
    channelName: (medium) => (medium === 'EMAIL' ? deps.email : deps.sms).name,
    async close() {
      const channels = new Set([deps.email, deps.sms]);
      await Promise.all([...channels].map((c) => c.close?.()));
    },
  };
}

/**
 * The channels' libraries (nodemailer, twilio) are loaded only when configured: a server that
 * writes codes to its log (the embedded default on a developer's machine) never holds them in
 * memory (docs/performance.md, "The embedded database").
 */
export async function createCourierFromConfig(config: {
  smtpUrl?: string;
  mailFrom: string;
  twilio?: TwilioChannelOptions;
  /** False in production without ALLOW_LOG_DELIVERY: SMS codes are then refused, not logged. */
  allowLogDelivery?: boolean;
  logger: Logger;
}): Promise<Courier> {
  const { logger } = config;
  const log = createLogChannel(logger);
  if (!config.smtpUrl) {
    logger.warn({ channel: 'log' }, 'SMTP_URL is not set: emails with codes are written to the log, not delivered');
  }
  const email = config.smtpUrl
    ? (await import('./channels/smtp.channel.ts')).createSmtpChannel({
        smtpUrl: config.smtpUrl,
        mailFrom: config.mailFrom,
      })
    : log;
  if (config.twilio) {
    const { createTwilioChannel } = await import('./channels/twilio.channel.ts');
    return createCourier({ email, sms: createTwilioChannel(config.twilio), logger });
  }
  if (config.allowLogDelivery === false) {
    // A code in a production log lets whoever reads the logs verify a phone or reset a password.
    logger.warn(
      { channel: 'none' },
      'TWILIO_ACCOUNT_SID is not set: SMS with codes are refused (CodeDeliveryFailureException); set ALLOW_LOG_DELIVERY=true to log them',
    );
    const refuse: Channel = {
      name: 'none',
      async send() {
        throw new DeliveryError(
          'SMS delivery is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM',
          true,
        );
      },
    };
    return createCourier({ email, sms: refuse, logger });
  }
  logger.warn(
    { channel: 'log' },
    'TWILIO_ACCOUNT_SID is not set: SMS with codes are written to the log, not delivered',
  );
  return createCourier({ email, sms: log, logger });
}
