/**
 * ListUsers' filter syntax (docs/cognito-attributes.md §9): one condition `name op "value"`, op `=` (exact) or `^=`
 * (prefix), whitespace optional around the operator, `\"` and `\\` the only escapes in the value.
 * Pure syntax: which names may be searched is the pool's business (user-search.ts).
 */

export const MAX_FILTER_LENGTH = 256;

export type FilterOperator = '=' | '^=';

export interface UserFilter {
  name: string;
  operator: FilterOperator;
  value: string;
}

export class FilterSyntaxError extends Error {
  constructor(
    readonly reason: string,
    /** 1-based character position of the problem; the length + 1 means "at the end". */
    readonly position: number,
  ) {
    super(`Error while parsing filter: ${reason} at position ${position}.`);
    this.name = 'FilterSyntaxError';
  }
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
/** Anything that cannot start an operator or a value belongs to the name (custom names allow punctuation). */
const isNameChar = (c: string | undefined) =>
  c !== undefined && !isSpace(c) && c !== '=' && c !== '^' && c !== '"' && c !== '\\';

/** Parses a filter; an empty or blank one means "no filter" (null). Throws FilterSyntaxError. */
export function parseUserFilter(text: string): UserFilter | null {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new FilterSyntaxError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH + 1);
  }
  // Positions count characters (code points), not UTF-16 units, as people read them.
  const chars = Array.from(text);
  let i = 0;
  const skipSpaces = () => {
    while (isSpace(chars[i])) i++;
  };
  const at = () => i + 1;

  skipSpaces();
  if (i === chars.length) return null;

  const nameStart = i;
  while (isNameChar(chars[i])) i++;
  if (i === nameStart) throw new FilterSyntaxError('expected an attribute name', at());
  const name = chars.slice(nameStart, i).join('');

  skipSpaces();
  let operator: FilterOperator;
  if (chars[i] === '=') {
    operator = '=';
    i += 1;
  } else if (chars[i] === '^' && chars[i + 1] === '=') {
    operator = '^=';
    i += 2;
  } else {
    throw new FilterSyntaxError(`expected '=' or '^=' after '${name}'`, at());
  }

  skipSpaces();
  if (chars[i] !== '"') throw new FilterSyntaxError(`expected a value in double quotes after '${operator}'`, at());
  const open = at();
  i += 1;
  let value = '';
  for (;;) {
    const c = chars[i];
    if (c === undefined) throw new FilterSyntaxError(`missing the closing '"' of the value that starts`, open);
    if (c === '"') break;
    if (c === '\\') {
      const next = chars[i + 1];
      if (next !== '"' && next !== '\\') {
        throw new FilterSyntaxError(
          next === undefined
            ? `'\\' at the end of the value`
            : `invalid escape '\\${next}' (only \\" and \\\\ are allowed)`,
          at(),
        );
      }
      value += next;
      i += 2;
      continue;
    }
    value += c;
    i += 1;
  }
  i += 1;

  skipSpaces();
  if (i < chars.length)
    throw new FilterSyntaxError('expected the end of the filter after the value (one condition only)', at());
  return { name, operator, value };
}

/**
 * Writes a filter back in canonical form (the inverse of parseUserFilter). Tight, with no
 * spaces: never longer than any spelling the parser accepted, so it always fits the limit too.
 */
export function formatUserFilter(filter: UserFilter): string {
  return `${filter.name}${filter.operator}"${filter.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
