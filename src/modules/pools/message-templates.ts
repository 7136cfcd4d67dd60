import { invalidParameter } from '../../errors/cognito-error.ts';
import type { MessageTemplates, Purpose } from '../courier/courier.types.ts';
import type { PoolMessageTemplates, PurposeTemplates } from './pools.types.ts';

export type { PoolMessageTemplates, PurposeTemplates } from './pools.types.ts';

export const PURPOSES: readonly Purpose[] = [
  'SIGN_UP',
  'VERIFY_ATTRIBUTE',
  'FORGOT_PASSWORD',
  'ADMIN_INVITATION',
  'AUTHENTICATION',
];
export const TEMPLATE_FIELDS = ['emailSubject', 'emailText', 'emailHtml', 'smsText'] as const;

/** Cognito's own limits (EmailSubject, EmailMessage, SMSMessage). */
export const TEMPLATE_LIMITS: Record<(typeof TEMPLATE_FIELDS)[number], number> = {
  emailSubject: 140,
  emailText: 20_000,
  emailHtml: 20_000,
  smsText: 140,
};
export const LOCALE_PATTERN = '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$';
const localeRe = new RegExp(LOCALE_PATTERN);

function validateTemplates(purpose: Purpose, templates: MessageTemplates, at: string): void {
  for (const field of Object.keys(templates)) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field))
      throw invalidParameter(`Unknown member '${field}' at '${at}'.`);
  }
  for (const field of TEMPLATE_FIELDS) {
    const value = templates[field];
    if (value === undefined) continue;
    const where = `${at}.${field}`;
    if (typeof value !== 'string' || value.length === 0) throw invalidParameter(`${where} must be a non-empty string.`);
    if (value.length > TEMPLATE_LIMITS[field]) {
      throw invalidParameter(
        `${where} is ${value.length} characters long; at most ${TEMPLATE_LIMITS[field]} are allowed.`,
      );
    }
    if (field === 'emailSubject') continue;
    // A message without the code is useless (and Cognito refuses it); an invitation without the username cannot be used to sign in.
    if (!value.includes('{####}')) throw invalidParameter(`${where} must contain the placeholder {####}.`);
    if (purpose === 'ADMIN_INVITATION' && !value.includes('{username}')) {
      throw invalidParameter(`${where} must contain the placeholder {username}: an invitation tells the user both.`);
    }
  }
}

/**
 * Checks a whole set as given by an admin; throws InvalidParameterException naming the field.
 * The route schemas check the shape first; this is the rule for every caller (CLI, pools file).
 */
export function validateMessageTemplates(input: PoolMessageTemplates, at = 'messageTemplates'): PoolMessageTemplates {
  for (const [purpose, entry] of Object.entries(input) as Array<[string, PurposeTemplates | undefined]>) {
    if (!(PURPOSES as readonly string[]).includes(purpose))
      throw invalidParameter(`Unknown purpose '${purpose}' at '${at}'.`);
    if (entry === undefined) continue;
    const p = purpose as Purpose;
    if (entry.default) validateTemplates(p, entry.default, `${at}.${p}.default`);
    const seen = new Map<string, string>();
    for (const [locale, templates] of Object.entries(entry.locales ?? {})) {
      if (!localeRe.test(locale)) {
        throw invalidParameter(`${at}.${p}.locales: '${locale}' is not a language tag such as 'fr' or 'pt-BR'.`);
      }
      // Tags match case-insensitively (BCP 47), so `pt-BR` and `pt-br` would be the same key.
      const other = seen.get(locale.toLowerCase());
      if (other) throw invalidParameter(`${at}.${p}.locales: '${locale}' and '${other}' are the same language tag.`);
      seen.set(locale.toLowerCase(), locale);
      validateTemplates(p, templates, `${at}.${p}.locales.${locale}`);
    }
  }
  return input;
}

/** Drops members that are undefined: renderMessage spreads its templates over the built-in ones. */
function defined(templates: MessageTemplates): MessageTemplates {
  return Object.fromEntries(Object.entries(templates).filter(([, v]) => v !== undefined)) as MessageTemplates;
}

/**
 * The translation for `locale` by RFC 4647 lookup: the exact tag, then shorter and shorter
 * prefixes (`pt-BR` → `pt`), case-insensitively. The user's `locale` attribute is free text,
 * so `pt_BR` is read as `pt-BR`.
 */
function lookupLocale(locales: Record<string, MessageTemplates>, locale: string): MessageTemplates | undefined {
  const byTag = new Map(Object.entries(locales).map(([tag, t]) => [tag.toLowerCase(), t]));
  const subtags = locale.trim().replace(/_/g, '-').toLowerCase().split('-');
  for (let n = subtags.length; n > 0; n--) {
    const found = byTag.get(subtags.slice(0, n).join('-'));
    if (found) return found;
  }
  return undefined;
}

/**
 * The templates for one message: the translation's fields over the purpose's default, the
 * built-in messages filling whatever is still missing (renderMessage does that per field).
 * Undefined when the pool has nothing for this purpose.
 */
export function chooseTemplates(
  set: PoolMessageTemplates,
  purpose: Purpose,
  locale?: string | null,
): MessageTemplates | undefined {
  const entry = set[purpose];
  if (!entry) return undefined;
  const base = defined(entry.default ?? {});
  const translation = locale && entry.locales ? lookupLocale(entry.locales, locale) : undefined;
  if (!translation) return Object.keys(base).length > 0 ? base : undefined;
  const chosen = { ...base, ...defined(translation) };
  // A translated text must not be paired with the default's HTML in another language: without
  // a translated HTML, renderMessage builds the HTML from the translated text.
  if (translation.emailText !== undefined && translation.emailHtml === undefined) delete chosen.emailHtml;
  return chosen;
}
