import { invalidParameter } from '../../errors/cognito-error.ts';
import type { AttributeDefinition } from './attributes.types.ts';

/** Cognito's pattern for attribute and schema names (letters, marks, symbols, digits, punctuation). */
export const NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
export const NAME_PATTERN_TEXT = '[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+';
export const MAX_VALUE_LENGTH = 2048;

/** Lengths count code points, so an emoji is one character as a person would count it. */
export const charCount = (text: string): number => [...text].length;

/** AttributeType.Name: 1-32 characters of the name pattern. */
export function checkAttributeName(name: string): void {
  const length = charCount(name);
  if (length < 1 || length > 32 || !NAME_PATTERN.test(name)) {
    throw invalidParameter(
      `Invalid attribute name '${name}': it must be 1 to 32 characters matching ${NAME_PATTERN_TEXT}.`,
    );
  }
}

/** AttributeType.Value: at most 2048 characters, whatever the attribute's own constraints. */
export function checkValueLength(name: string, value: string): void {
  if (charCount(value) > MAX_VALUE_LENGTH) {
    throw invalidParameter(`${name}: The value must be at most ${MAX_VALUE_LENGTH} characters.`);
  }
}

/** `+`, the country code and the number: digits only, E.164's 15 at most; no country code starts with 0. */
export function isPhoneNumber(value: string): boolean {
  return /^\+[1-9]\d{0,14}$/.test(value);
}

// atext (letters, digits, !#$%&'*+/=?^_`{|}~-) or UTF-8; labels: letters, digits, hyphens or UTF-8.
const MAILBOX =
  // eslint-disable-next-line no-control-regex -- \x00-\x7F is the ASCII range the UTF-8 alternative excludes.
  /^(?:[\w!#$%&'*+/=?^`{|}~-]|[^\x00-\x7F\s\p{Cc}])+(?:\.(?:[\w!#$%&'*+/=?^`{|}~-]|[^\x00-\x7F\s\p{Cc}])+)*@(?:[A-Za-z0-9-]|[^\x00-\x7F\s\p{Cc}])+(?:\.(?:[A-Za-z0-9-]|[^\x00-\x7F\s\p{Cc}])+)*$/u;

/**
 * RFC 5321's Mailbox, as mail servers parse it (with RFC 6531's UTF-8): a local part of
 * dot-separated atoms of atext, and a domain of dot-separated labels of letters, digits and
 * hyphens (a dotless host is valid). Anything else, `a<b@c` or `me@exa_mple.com` say, no server
 * takes in RCPT TO, so taking it here would only fail later, at delivery, as a 502 instead of a
 * format error now. Deliverability beyond syntax is the verification code's job, not ours.
 */
export function isEmailAddress(value: string): boolean {
  if (!MAILBOX.test(value)) return false;
  // RFC 5321's size limits (octets): no mail server accepts a longer address, so taking one
  // would only fail later, at delivery, as a 502 instead of a format error now.
  const [local, domain] = value.split('@') as [string, string];
  return octets(value) <= 254 && octets(local) <= 64 && domain.split('.').every((label) => octets(label) <= 63);
}

const encoder = new TextEncoder();
const octets = (text: string): number => encoder.encode(text).length;

/** `true`/`false` in any case; anything else is not a Boolean value. */
export function parseBoolean(name: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw invalidParameter(`${name}: The value must be "true" or "false".`);
  return lower === 'true';
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Date.parse alone rolls 2023-02-30 over to March, so the calendar date is checked separately.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;

function isDate(value: string, pattern: RegExp): boolean {
  const match = pattern.exec(value);
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * Checks a non-blank value against its definition and returns the value to store.
 * Decision: Number means integer (as Cognito's console offers it); values are stored in
 * canonical form (`007` → `7`) and compared with BigInt so large integers stay exact.
 */
export function normaliseValue(definition: AttributeDefinition, value: string): string {
  const { name } = definition;
  checkValueLength(name, value);
  if (name === 'phone_number' && !isPhoneNumber(value)) throw invalidParameter('Invalid phone number format.');
  if (name === 'email' && !isEmailAddress(value)) throw invalidParameter('Invalid email address format.');
  if (name === 'birthdate' && !isDate(value, DATE)) {
    throw invalidParameter(`${name}: The value must be a calendar date in the form YYYY-MM-DD.`);
  }

  switch (definition.attributeDataType) {
    case 'Boolean':
      return String(parseBoolean(name, value));
    case 'DateTime':
      if (!isDate(value, DATE_TIME) || Number.isNaN(Date.parse(value))) {
        throw invalidParameter(`${name}: The value must be an ISO 8601 date-time, such as 2024-01-31T12:00:00Z.`);
      }
      return value;
    case 'Number':
      return checkInteger(definition, value);
    case 'String':
      return checkStringLength(definition, value);
  }
}

function checkInteger({ name, numberConstraints }: AttributeDefinition, value: string): string {
  if (!/^-?\d+$/.test(value)) throw invalidParameter(`${name}: The value must be an integer.`);
  const number = BigInt(value);
  const { minValue, maxValue } = numberConstraints ?? {};
  if (minValue !== undefined && number < BigInt(minValue)) {
    throw invalidParameter(`${name}: The value must be at least ${minValue}.`);
  }
  if (maxValue !== undefined && number > BigInt(maxValue)) {
    throw invalidParameter(`${name}: The value must be at most ${maxValue}.`);
  }
  return number.toString();
}

function checkStringLength({ name, stringConstraints }: AttributeDefinition, value: string): string {
  const { minLength = 0, maxLength = MAX_VALUE_LENGTH } = stringConstraints ?? {};
  const length = charCount(value);
  if (length < minLength || length > maxLength) {
    const range = minLength === maxLength ? `exactly ${minLength}` : `${minLength} to ${maxLength}`;
    throw invalidParameter(`${name}: The value must be ${range} characters long.`);
  }
  return value;
}
