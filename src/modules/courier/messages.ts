import type { MessageTemplates, Purpose } from './courier.types.ts';
import type { DeliveryMedium } from './mask.ts';

export type { MessageTemplates, Purpose } from './courier.types.ts';

export interface RenderedMessage {
  subject?: string;
  text: string;
  html?: string;
}

export interface MessageValues {
  code: string;
  username: string;
}

function emailHtml(...paragraphs: string[]): string {
  return paragraphs.map((p) => `<p>${p}</p>`).join('\n');
}

// The code comes first in every default, so a reader (or a test) finds it before the username.
export const defaultTemplates: Record<Purpose, Required<MessageTemplates>> = {
  SIGN_UP: {
    emailSubject: 'Your verification code',
    emailText: 'Your verification code is {####}.\n\nEnter it to confirm the account {username}.\n',
    emailHtml: emailHtml(
      'Your verification code is <strong>{####}</strong>.',
      'Enter it to confirm the account {username}.',
    ),
    smsText: 'Your verification code is {####}.',
  },
  VERIFY_ATTRIBUTE: {
    emailSubject: 'Your verification code',
    emailText: 'Your verification code is {####}.\n\nEnter it to verify this address for the account {username}.\n',
    emailHtml: emailHtml(
      'Your verification code is <strong>{####}</strong>.',
      'Enter it to verify this address for the account {username}.',
    ),
    smsText: 'Your verification code is {####}.',
  },
  FORGOT_PASSWORD: {
    emailSubject: 'Your password reset code',
    emailText:
      'Your password reset code is {####}.\n\nEnter it to choose a new password for the account {username}. ' +
      'If you did not ask for this, you can ignore this message.\n',
    emailHtml: emailHtml(
      'Your password reset code is <strong>{####}</strong>.',
      'Enter it to choose a new password for the account {username}. If you did not ask for this, you can ignore this message.',
    ),
    smsText: 'Your password reset code is {####}.',
  },
  ADMIN_INVITATION: {
    emailSubject: 'Your temporary password',
    emailText:
      'Your temporary password is {####}.\n\nYour username is {username}. You will choose a new password when you first sign in.\n',
    emailHtml: emailHtml(
      'Your temporary password is <strong>{####}</strong>.',
      'Your username is {username}. You will choose a new password when you first sign in.',
    ),
    smsText: 'Your temporary password is {####}. Your username is {username}.',
  },
  AUTHENTICATION: {
    emailSubject: 'Your sign-in code',
    emailText:
      'Your sign-in code is {####}.\n\nEnter it to finish signing in to the account {username}. ' +
      'If you are not signing in, someone else knows how to start: change your password.\n',
    emailHtml: emailHtml(
      'Your sign-in code is <strong>{####}</strong>.',
      'Enter it to finish signing in to the account {username}. If you are not signing in, someone else knows how to start: change your password.',
    ),
    smsText: 'Your sign-in code is {####}.',
  },
};

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// One pass, so a username that contains `{####}` is not itself substituted.
function fill(template: string, values: MessageValues, escape: (s: string) => string = (s) => s): string {
  return template.replace(/\{####\}|\{username\}/g, (token) =>
    escape(token === '{####}' ? values.code : values.username),
  );
}

export function renderMessage(
  purpose: Purpose,
  medium: DeliveryMedium,
  values: MessageValues,
  templates: MessageTemplates = {},
): RenderedMessage {
  const t = { ...defaultTemplates[purpose], ...templates };
  if (medium === 'SMS') return { text: fill(t.smsText, values) };
  const text = fill(t.emailText, values);
  // A custom text without a custom HTML must not be paired with the default HTML.
  const html =
    templates.emailText !== undefined && templates.emailHtml === undefined
      ? `<p>${escapeHtml(text).replace(/\n/g, '<br>\n')}</p>`
      : fill(t.emailHtml, values, escapeHtml);
  return { subject: fill(t.emailSubject, values), text, html };
}
