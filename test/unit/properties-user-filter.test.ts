/**
 * Property-based tests of ListUsers' filter parser (fast-check, fixed seed): any text parses
 * or fails with a FilterSyntaxError (which user-search turns into InvalidParameterException)
 * pointing inside the text, and the canonical form round-trips.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  FilterSyntaxError,
  MAX_FILTER_LENGTH,
  formatUserFilter,
  parseUserFilter,
  type UserFilter,
} from '../../src/modules/user-store/user-filter.ts';

const RUNS = {
  seed: Number(process.env.PROPERTY_SEED ?? 20261126),
  numRuns: Number(process.env.PROPERTY_RUNS ?? 1000),
} as const;

/** Characters that matter to the grammar, plus whitespace of several kinds and odd code points. */
const tricky = fc.constantFrom(
  '=',
  '^',
  '"',
  '\\',
  ' ',
  '\t',
  '\n',
  '\u00A0',
  '\u2028',
  '\uFEFF',
  '\u0000',
  '\uD800',
  '\uDC00',
  '🙂',
  'é',
  '\u202E',
  'a',
  'Z',
  ':',
  '_',
  '-',
  '0',
);
const anyText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: tricky, maxLength: 40 }),
  fc.string({ unit: tricky, minLength: 250, maxLength: 300 }),
);

/** A name as the grammar allows it: no whitespace, no `=`, `^`, `"` or `\`. */
const nameChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_:-0123456789'.split('')) },
  { weight: 1, arbitrary: fc.constantFrom('é', '🙂', 'ß', '.', '@', '+', '\uD800') },
);
const filterArb: fc.Arbitrary<UserFilter> = fc
  .record({
    name: fc.string({ unit: nameChar, minLength: 1, maxLength: 40 }),
    operator: fc.constantFrom('=', '^=') as fc.Arbitrary<'=' | '^='>,
    value: fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: tricky, maxLength: 80 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      // Near the length limit, where a longer canonical form would no longer parse.
      fc.string({ minLength: 190, maxLength: 250 }),
    ),
  })
  .map((filter) => ({ ...filter }));

/** Spellings of the same filter: any whitespace around the parts, the operator written tight or loose. */
const space = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00A0', '\u3000'), maxLength: 3 });
const spelled = fc.tuple(filterArb, space, space, space, space).map(([filter, a, b, c, d]) => {
  const value = filter.value.replace(/[\\"]/g, (ch) => `\\${ch}`);
  return { filter, text: `${a}${filter.name}${b}${filter.operator}${c}"${value}"${d}` };
});

/** Tight spellings just under the limit (256 characters), where a looser canonical form would not fit. */
const atLimit = fc
  .tuple(filterArb, fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', '"', '\\', 'é'))
  .map(([{ name, operator }, slack, ch]) => {
    const escaped = ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    const room = MAX_FILTER_LENGTH - name.length - operator.length - 2 - slack;
    return `${name}${operator}"${escaped.repeat(Math.max(0, Math.floor(room / escaped.length)))}"`;
  });

function parseOrError(text: string): UserFilter | null | FilterSyntaxError {
  try {
    return parseUserFilter(text);
  } catch (error) {
    assert.ok(error instanceof FilterSyntaxError, `not a FilterSyntaxError: ${String(error)}`);
    return error;
  }
}

test('any text parses to a filter or none, or is a FilterSyntaxError pointing within the text', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const result = parseOrError(text);
      if (result instanceof FilterSyntaxError) {
        const length = Array.from(text).length;
        assert.ok(Number.isInteger(result.position) && result.position >= 1, `position ${result.position}`);
        assert.ok(
          result.position <= Math.max(length, MAX_FILTER_LENGTH) + 1,
          `position ${result.position} of ${length}`,
        );
        assert.match(result.message, /^Error while parsing filter: .+ at position \d+\.$/s);
      } else if (result === null) {
        assert.equal(text.trim(), '', 'only a blank filter means no filter');
      }
    }),
    RUNS,
  );
});

test('format(parse(x)) parses back to the same filter', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyText,
        spelled.map(({ text }) => text),
        atLimit,
      ),
      (text) => {
        const parsed = parseOrError(text);
        if (parsed === null || parsed instanceof FilterSyntaxError) return;
        const canonical = formatUserFilter(parsed);
        assert.deepEqual(parseUserFilter(canonical), parsed, `canonical form ${JSON.stringify(canonical)}`);
        assert.equal(formatUserFilter(parseUserFilter(canonical)!), canonical, 'the canonical form is a fixed point');
      },
    ),
    RUNS,
  );
});

test('a filter spelled with any spacing parses to itself while it fits the length limit', () => {
  fc.assert(
    fc.property(spelled, ({ filter, text }) => {
      const result = parseOrError(text);
      if (text.length > MAX_FILTER_LENGTH) {
        assert.ok(result instanceof FilterSyntaxError);
        assert.equal(result.position, MAX_FILTER_LENGTH + 1);
      } else {
        assert.deepEqual(result, filter);
      }
    }),
    RUNS,
  );
});

test('the canonical form of a filter is never longer than any accepted spelling of it', () => {
  fc.assert(
    fc.property(spelled, ({ filter, text }) => {
      fc.pre(text.length <= MAX_FILTER_LENGTH);
      assert.ok(
        formatUserFilter(filter).length <= text.length,
        `${JSON.stringify(formatUserFilter(filter))} vs ${JSON.stringify(text)}`,
      );
    }),
    RUNS,
  );
});
