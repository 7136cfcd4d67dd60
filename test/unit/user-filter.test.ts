import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterSyntaxError, formatUserFilter, parseUserFilter } from '../../src/modules/user-store/user-filter.ts';

const good: Array<[string, { name: string; operator: '=' | '^='; value: string } | null]> = [
  ['', null],
  ['   ', null],
  ['email = "jo@example.com"', { name: 'email', operator: '=', value: 'jo@example.com' }],
  ['email ^= "jo"', { name: 'email', operator: '^=', value: 'jo' }],
  ['email="jo"', { name: 'email', operator: '=', value: 'jo' }],
  ['email^="jo"', { name: 'email', operator: '^=', value: 'jo' }],
  ['  given_name\t^=\n"Jo"  ', { name: 'given_name', operator: '^=', value: 'Jo' }],
  ['name = ""', { name: 'name', operator: '=', value: '' }],
  ['name ^= ""', { name: 'name', operator: '^=', value: '' }],
  ['cognito:user_status = "confirmed"', { name: 'cognito:user_status', operator: '=', value: 'confirmed' }],
  ['custom:plan-tier = "gold"', { name: 'custom:plan-tier', operator: '=', value: 'gold' }],
  ['name = "say \\"hi\\""', { name: 'name', operator: '=', value: 'say "hi"' }],
  ['name = "back\\\\slash"', { name: 'name', operator: '=', value: 'back\\slash' }],
  ['name = "\\\\"', { name: 'name', operator: '=', value: '\\' }],
  ['name = "a = b ^= c"', { name: 'name', operator: '=', value: 'a = b ^= c' }],
  ['name = "Zoë 🙂"', { name: 'name', operator: '=', value: 'Zoë 🙂' }],
];

const bad: Array<[string, string]> = [
  ['email', "expected '=' or '^=' after 'email' at position 6."],
  ['email "jo"', "expected '=' or '^=' after 'email' at position 7."],
  ['email != "jo"', "expected '=' or '^=' after 'email' at position 7."],
  ['email ^ "jo"', "expected '=' or '^=' after 'email' at position 7."],
  ['email == "jo"', "expected a value in double quotes after '=' at position 8."],
  ['email =^ "jo"', "expected a value in double quotes after '=' at position 8."],
  ['email = jo', "expected a value in double quotes after '=' at position 9."],
  ["email = 'jo'", "expected a value in double quotes after '=' at position 9."],
  ['email ^=', "expected a value in double quotes after '^=' at position 9."],
  ['= "jo"', 'expected an attribute name at position 1.'],
  ['  ^= "jo"', 'expected an attribute name at position 3.'],
  ['"email" = "jo"', 'expected an attribute name at position 1.'],
  ['email = "jo', `missing the closing '"' of the value that starts at position 9.`],
  ['email = "jo\\"', `missing the closing '"' of the value that starts at position 9.`],
  ['email = "j\\o"', `invalid escape '\\o' (only \\" and \\\\ are allowed) at position 11.`],
  ['email = "jo\\', `'\\' at the end of the value at position 12.`],
  ['email = "a" and name = "b"', 'expected the end of the filter after the value (one condition only) at position 13.'],
  ['email = "a""b"', 'expected the end of the filter after the value (one condition only) at position 12.'],
  ['em\\ail = "a"', "expected '=' or '^=' after 'em' at position 3."],
  [`name = "${'x'.repeat(250)}"`, 'the filter is longer than 256 characters at position 257.'],
];

for (const [input, expected] of good) {
  test(`parses ${JSON.stringify(input)}`, () => {
    const parsed = parseUserFilter(input);
    assert.deepEqual(parsed, expected);
    // The canonical form parses back to the same condition.
    if (parsed) assert.deepEqual(parseUserFilter(formatUserFilter(parsed)), parsed);
  });
}

for (const [input, message] of bad) {
  test(`refuses ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parseUserFilter(input),
      (error: unknown) =>
        error instanceof FilterSyntaxError && error.message === `Error while parsing filter: ${message}`,
    );
  });
}

test('a filter of exactly 256 characters is accepted', () => {
  const input = `name = "${'x'.repeat(247)}"`;
  assert.equal(input.length, 256);
  assert.equal(parseUserFilter(input)?.value.length, 247);
});

test('the canonical form of a tight filter of 256 characters still parses (it used to gain two spaces)', () => {
  const input = `name="${'x'.repeat(249)}"`;
  assert.equal(input.length, 256);
  const parsed = parseUserFilter(input)!;
  assert.equal(formatUserFilter(parsed), input);
  assert.deepEqual(parseUserFilter(formatUserFilter(parsed)), parsed);
});
