/**
 * The rule of docs/cognito-settings.md applied to a request: every member is looked up in
 * settings-table.ts before the operation runs, so a refused one leaves nothing half made.
 */
import { Type, type TSchema } from 'typebox';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { inputChecker } from './input-validation.ts';
import { COGNITO_SETTINGS, isNested, type MemberRule, type MemberRules } from './settings-table.ts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A name as the caller wrote it, cut short: it may be anything. */
const shown = (name: string) => (name.length > 64 ? `${name.slice(0, 64)}…` : name);

/** Enum-like values are repeated in the refusal (`MfaConfiguration ON`); anything else, a secret included, never is. */
function valueShown(rule: MemberRule, value: unknown): string {
  if (rule.status !== 'off-only') return '';
  if (typeof value === 'boolean' || typeof value === 'number') return ` ${String(value)}`;
  return typeof value === 'string' && /^[A-Za-z_]{1,32}$/.test(value) ? ` ${value}` : '';
}

/** Shapes of stored and passed-on values, checked with Cognito's messages at their full path. */
const shapeCheckers = new Map<string, (input: unknown) => unknown>();
function checkShape(shape: TSchema, path: string[], value: unknown): void {
  const key = path.join('.');
  let check = shapeCheckers.get(key);
  if (!check) {
    check = inputChecker(path.reduceRight<TSchema>((inner, name) => Type.Object({ [name]: inner }), shape));
    shapeCheckers.set(key, check);
  }
  check(path.reduceRight<unknown>((inner, name) => ({ [name]: inner }), value));
}

function walk(action: string, rules: MemberRules, object: Record<string, unknown>, path: string[]): void {
  for (const [name, value] of Object.entries(object)) {
    const at = [...path, name];
    const member = at.map(shown).join('.');
    const rule = Object.hasOwn(rules, name) ? rules[name]! : undefined;
    if (!rule)
      throw invalidParameter(
        `${member} is not a member of ${action}: Cognate refuses a member Cognito does not define rather than ignore it.`,
      );
    // JSON null is an absent member in AWS's protocols: it asks for nothing.
    if (value === null) continue;
    if (isNested(rule)) {
      if (!isObject(value)) throw new CognitoError('SerializationException', `Expected object at '${member}'.`);
      walk(action, rule.members, value, at);
      continue;
    }
    if (rule.status === 'refused' || (rule.status === 'off-only' && !rule.isOff!(value))) {
      throw invalidParameter(`${member}${valueShown(rule, value)} is not supported by Cognate (yet): ${rule.note}`);
    }
    if (rule.shape) checkShape(rule.shape, at, value);
  }
}

/**
 * Refuses a member Cognito does not define, one the table refuses, and an off-only one set to
 * anything but off, naming it (InvalidParameterException); checks the shape of what is stored or
 * passed on. Honoured members are left to the operation's own input schema.
 */
export function checkMembers(action: string, input: Record<string, unknown>): void {
  const rules = COGNITO_SETTINGS[action];
  // Every action answered has its rules (test/cognito/settings-rule.test.ts): a gap is a bug, not a pass.
  if (!rules) throw new Error(`docs/cognito-settings.md has no rules for ${action}`);
  walk(action, rules, input, []);
}

/** The plumbing members of a request (kept, shown, not used), in the request's own shape; undefined when none. */
export function plumbingOf(action: string, input: Record<string, unknown>): Record<string, unknown> | undefined {
  const pick = (rules: MemberRules, object: Record<string, unknown>): Record<string, unknown> | undefined => {
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(object)) {
      const rule = Object.hasOwn(rules, name) ? rules[name]! : undefined;
      if (!rule || value === null || value === undefined) continue;
      const picked = isNested(rule)
        ? isObject(value)
          ? pick(rule.members, value)
          : undefined
        : rule.status === 'plumbing'
          ? value
          : undefined;
      if (picked !== undefined) kept[name] = picked;
    }
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  return pick(COGNITO_SETTINGS[action] ?? {}, input);
}
