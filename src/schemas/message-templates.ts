import { Type } from 'typebox';
import { ref } from './common.ts';
import { LOCALE_PATTERN, TEMPLATE_LIMITS } from '../modules/pools/message-templates.ts';

const body = (field: 'emailText' | 'emailHtml' | 'smsText', description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: TEMPLATE_LIMITS[field], description }));

export const MessageTemplates = Type.Object(
  {
    emailSubject: Type.Optional(Type.String({ minLength: 1, maxLength: TEMPLATE_LIMITS.emailSubject })),
    emailText: body('emailText', 'Plain-text email body; must contain `{####}`.'),
    emailHtml: body(
      'emailHtml',
      'HTML email body; must contain `{####}`. Trusted markup: only the values put into it are escaped. Without it, a given `emailText` is sent as HTML too.',
    ),
    smsText: body('smsText', 'SMS body; must contain `{####}`.'),
  },
  {
    $id: 'MessageTemplates',
    additionalProperties: false,
    description:
      'Placeholders: `{####}` (the code, or the temporary password of an invitation) and `{username}`. A member left out takes the purpose’s default, then Cognate’s built-in message.',
  },
);

export const PurposeTemplates = Type.Object(
  {
    default: Type.Optional(ref(MessageTemplates)),
    locales: Type.Optional(
      Type.Record(Type.String({ pattern: LOCALE_PATTERN }), ref(MessageTemplates), {
        additionalProperties: false,
        maxProperties: 100,
        description:
          'Translations by BCP 47 language tag (`fr`, `pt-BR`). The user’s `locale` attribute chooses one: the exact tag, then its language (`pt-BR` → `pt`), then the default.',
      }),
    ),
  },
  {
    $id: 'PurposeMessageTemplates',
    additionalProperties: false,
    description: 'The templates of one purpose: a default and its translations.',
  },
);

export const PoolMessageTemplates = Type.Object(
  {
    SIGN_UP: Type.Optional(ref(PurposeTemplates)),
    VERIFY_ATTRIBUTE: Type.Optional(ref(PurposeTemplates)),
    FORGOT_PASSWORD: Type.Optional(ref(PurposeTemplates)),
    ADMIN_INVITATION: Type.Optional(
      ref(PurposeTemplates, {
        description:
          'Every body of an invitation must contain `{username}` as well as `{####}` (the temporary password), as Cognito’s invite template does.',
      }),
    ),
    AUTHENTICATION: Type.Optional(
      ref(PurposeTemplates, {
        description:
          'Sign-in codes: MFA codes by SMS or email and passwordless EMAIL_OTP / SMS_OTP codes (Cognito’s SmsAuthenticationMessage and EmailMfaConfiguration; docs/mfa.md).',
      }),
    ),
  },
  {
    $id: 'PoolMessageTemplates',
    additionalProperties: false,
    description: 'Message templates by purpose; a purpose left out uses Cognate’s built-in messages.',
  },
);
