/**
 * Cognito's hosted UI (classic) CSS: rules for a fixed list of classes, each with a fixed list of
 * properties (Cognito's developer guide, "Customizing hosted UI (classic) branding"). Anything
 * else is refused, naming it (docs/web-sign-in.md, "Branding"): the CSS is put in the managed login
 * pages as it is, so nothing may reach outside a declaration's value.
 */
import { invalidParameter } from '../../errors/cognito-error.ts';

const COLOUR = ['color', 'background-color'];
/** Each class Cognito lets a pool style, and the properties it documents for it. */
export const CSS_CLASSES: Readonly<Record<string, readonly string[]>> = {
  'background-customizable': ['background-color'],
  'banner-customizable': ['padding', 'background-color'],
  'errorMessage-customizable': [
    'margin',
    'padding',
    'font-size',
    'width',
    'background',
    'border',
    'color',
    'box-sizing',
  ],
  'idpButton-customizable': [
    'height',
    'width',
    'text-align',
    'margin-bottom',
    'color',
    'background-color',
    'border-color',
  ],
  'idpButton-customizable:hover': COLOUR,
  'idpDescription-customizable': ['padding-top', 'padding-bottom', 'display', 'font-size'],
  'inputField-customizable': ['width', 'height', 'color', 'background-color', 'border'],
  'inputField-customizable:focus': ['border-color', 'outline'],
  'label-customizable': ['font-weight'],
  'legalText-customizable': ['color', 'font-size'],
  'logo-customizable': ['max-width', 'max-height'],
  'passwordCheck-notValid-customizable': ['color'],
  'passwordCheck-valid-customizable': ['color'],
  'redirect-customizable': ['color'],
  'socialButton-customizable': ['height', 'text-align', 'width', 'margin-bottom'],
  'submitButton-customizable': ['font-size', 'font-weight', 'margin', 'width', 'height', 'color', 'background-color'],
  'submitButton-customizable:hover': COLOUR,
  'textDescription-customizable': ['padding-top', 'padding-bottom', 'display', 'font-size'],
};

/** Cognito's CSS member is a string; Cognate keeps at most this much (the guide advises 3 KB). */
export const MAX_CSS_LENGTH = 32 * 1024;

/** A value: words, numbers, colours, percentages, commas, spaces; no quotes, escapes, URLs or markup. */
const VALUE = /^[-\w#%.,() ]+$/;
const FORBIDDEN_IN_VALUE = /(url|expression|image-set|attr|var|env)\s*\(|javascript:|!important/i;

/** Checks CSS against the allow-list; answers it as given. */
export function checkCss(css: string): string {
  if (css.length > MAX_CSS_LENGTH) throw invalidParameter(`CSS must be at most ${MAX_CSS_LENGTH} characters.`);
  const refuse = (why: string) => invalidParameter(`CSS ${why}`);
  // Checked on the CSS as stored, comments included: the pages embed it as it is.
  if (/[<>@\\"'`]/.test(css))
    throw refuse(
      'may not contain <, >, @ rules (@import, @media, …), backslash escapes or quotes, not even in comments.',
    );
  // Comments are dropped before reading; anything unterminated is refused.
  const text = css.replace(/\/\*[\s\S]*?\*\//g, ' ');
  if (text.includes('/*')) throw refuse('has an unterminated comment.');
  const rule = /\s*([^{}]+?)\s*\{([^{}]*)\}\s*/y;
  let at = 0;
  while (at < text.length) {
    if (text.slice(at).trim() === '') break;
    rule.lastIndex = at;
    const match = rule.exec(text);
    if (!match) throw refuse(`could not be read near ${JSON.stringify(text.slice(at, at + 40).trim())}.`);
    at = rule.lastIndex;
    const selectors = match[1]!.split(',').map((selector) => selector.trim());
    const allowed = new Set<string>();
    for (const selector of selectors) {
      const name = /^\.([A-Za-z-]+(?::hover|:focus)?)$/.exec(selector)?.[1];
      if (name === undefined || !Object.hasOwn(CSS_CLASSES, name))
        throw refuse(
          `selector ${JSON.stringify(selector.slice(0, 64))} is not one of Cognito's classes (${Object.keys(CSS_CLASSES).join(', ')}).`,
        );
      for (const property of CSS_CLASSES[name]!) allowed.add(`${name} ${property}`);
    }
    for (const declaration of match[2]!.split(';')) {
      if (declaration.trim() === '') continue;
      const colon = declaration.indexOf(':');
      if (colon === -1) throw refuse(`declaration ${JSON.stringify(declaration.trim().slice(0, 64))} has no value.`);
      const property = declaration.slice(0, colon).trim().toLowerCase();
      const value = declaration.slice(colon + 1).trim();
      for (const selector of selectors) {
        const name = selector.slice(1);
        if (!allowed.has(`${name} ${property}`))
          throw refuse(
            `property ${JSON.stringify(property.slice(0, 64))} is not one Cognito lets .${name} set (${CSS_CLASSES[name]!.join(', ')}).`,
          );
      }
      if (value === '' || !VALUE.test(value) || FORBIDDEN_IN_VALUE.test(value))
        throw refuse(`value of ${property} ${JSON.stringify(value.slice(0, 64))} is not a plain CSS value.`);
    }
  }
  return css;
}
