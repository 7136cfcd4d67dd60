import type { Logger } from '../../../lib/logger.ts';
import type { Channel } from '../courier.types.ts';

/**
 * Development default: nothing leaves the machine. Warn level and a plain
 * marker, so nobody mistakes a logged code for a delivered one; the code is
 * its own field so developers and tests can read it from JSON logs.
 */
export function createLogChannel(logger: Logger): Channel {
  return {
    name: 'log',
    async send(msg) {
      logger.warn(
        {
          channel: 'log',
          medium: msg.medium,
          to: msg.to,
          purpose: msg.purpose,
          username: msg.username,
          code: msg.code,
          subject: msg.subject,
          text: msg.text,
        },
        `NOT DELIVERED: development log channel (${msg.medium} to ${msg.to}, ${msg.purpose})`,
      );
      return {};
    },
  };
}
