import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { HookedPool, Hooks } from '../hooks/hooks.types.ts';
import { answerText, eventAttributes, withClientMetadata } from '../triggers/trigger-events.ts';
import { findUserById, loadAttributes } from '../user-store/users.repository.ts';
import type { MessageTemplates, Purpose } from './messages.ts';
import type { CustomMessageHook, QueuedMessage } from './outbox.ts';

/**
 * The CustomMessage trigger (docs/trigger-events.md, "CustomMessage"): asked by the outbox before
 * each try at a message, after the change that made it has committed. The hook gets Cognito's
 * placeholders, never the code; Cognate puts the code and username in afterwards, as in its own templates.
 */

const CODE = '{####}';
const USERNAME = '{username}';

/**
 * The longest answer members used: the limits of Cognito's own message templates
 * (MessageTemplateType). A longer member, or a subject with a line break or another control
 * character, is not used: the pool's own text goes out instead (docs/trigger-events.md, "CustomMessage").
 */
const MAX_LENGTH = { emailMessage: 20_000, emailSubject: 140, smsMessage: 140 } as const;
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The trigger source when the flow gave no finer one. */
const DEFAULT_SOURCES: Record<Purpose, string> = {
  SIGN_UP: 'CustomMessage_SignUp',
  VERIFY_ATTRIBUTE: 'CustomMessage_UpdateUserAttribute',
  FORGOT_PASSWORD: 'CustomMessage_ForgotPassword',
  ADMIN_INVITATION: 'CustomMessage_AdminCreateUser',
  AUTHENTICATION: 'CustomMessage_Authentication',
};

/** A plain-text part for an HTML body the hook wrote. */
const textOf = (html: string) =>
  html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '');

export function createCustomMessages(deps: {
  db: Db;
  hooks: Hooks;
  /** The pool's hooks, by id. */
  pool: (poolId: string) => Promise<HookedPool>;
  logger: Logger;
}): CustomMessageHook {
  const { db, hooks, logger } = deps;

  return async (message: QueuedMessage): Promise<MessageTemplates | undefined> => {
    if (!message.userId) return undefined;
    const pool = await deps.pool(message.poolId);
    if (!hooks.has(pool, 'CustomMessage')) return undefined;
    const user = await findUserById(db, message.userId);
    if (!user) return undefined;
    const invitation = message.purpose === 'ADMIN_INVITATION';
    const triggerSource = message.context?.triggerSource ?? DEFAULT_SOURCES[message.purpose];
    const response = await hooks.call(pool, {
      trigger: 'CustomMessage',
      triggerSource,
      userName: message.username,
      ...(message.context?.clientId && { clientId: message.context.clientId }),
      request: {
        userAttributes: eventAttributes(await loadAttributes(db, user), user.status),
        codeParameter: CODE,
        // Only an invitation must carry the username (Cognito sets it for AdminCreateUser alone).
        usernameParameter: invitation ? USERNAME : null,
        ...withClientMetadata(message.context?.clientMetadata),
      },
      response: { smsMessage: null, emailMessage: null, emailSubject: null },
    });
    /** An over-long member (or a subject with control characters) is not used: the pool's own is sent. */
    const bounded = (member: keyof typeof MAX_LENGTH) => {
      const value = answerText('CustomMessage', response, member);
      if (value === undefined) return undefined;
      const tooLong = Array.from(value).length > MAX_LENGTH[member];
      if (!tooLong && !(member === 'emailSubject' && CONTROL.test(value))) return value;
      logger.warn(
        { poolId: pool.id, triggerSource, member, problem: tooLong ? 'too long' : 'control characters' },
        'CustomMessage answer member not used: the pool’s own text is sent instead',
      );
      return undefined;
    };
    const sms = bounded('smsMessage');
    const email = bounded('emailMessage');
    const subject = bounded('emailSubject');

    /** A body without the code (or an invitation without the username) is not used: the pool's own is sent. */
    const usable = (body: string | undefined, member: string) => {
      if (body === undefined) return undefined;
      const missing = [CODE, ...(invitation ? [USERNAME] : [])].filter((p) => !body.includes(p));
      if (missing.length === 0) return body;
      logger.warn(
        { poolId: pool.id, triggerSource, member, missing },
        'CustomMessage answer lacks a placeholder: the pool’s own message is sent instead',
      );
      return undefined;
    };
    if (message.medium === 'SMS') {
      const smsText = usable(sms, 'smsMessage');
      return smsText === undefined ? undefined : { smsText };
    }
    const body = usable(email, 'emailMessage');
    const templates: MessageTemplates = {
      ...(subject !== undefined && subject.trim() !== '' && { emailSubject: subject }),
      ...(body !== undefined && { emailHtml: body, emailText: textOf(body) }),
    };
    return Object.keys(templates).length > 0 ? templates : undefined;
  };
}
