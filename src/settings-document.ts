import {
  COGNITO_SETTINGS,
  isNested,
  REST_SETTINGS,
  type MemberRule,
  type MemberRules,
} from './modules/cognito-protocol/settings-table.ts';

/** How docs/cognito-settings.md names each status. */
const STATUS: Record<MemberRule['status'], string> = {
  honoured: 'honoured',
  'off-only': 'accepted when off',
  'per-request': 'accepted, per request',
  plumbing: 'stored, not used',
  refused: 'refused',
};

/** Every member a rule covers, nested ones by their dotted path. */
export function flattenRules(rules: MemberRules, prefix = ''): Array<[string, MemberRule]> {
  return Object.entries(rules).flatMap(([name, rule]) =>
    isNested(rule)
      ? flattenRules(rule.members, `${prefix}${name}.`)
      : [[`${prefix}${name}`, rule] as [string, MemberRule]],
  );
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function rows(face: Record<string, MemberRules>): string[] {
  return Object.entries(face).flatMap(([action, rules]) =>
    flattenRules(rules).map(([member, rule]) => {
      const status = rule.status === 'off-only' ? `${STATUS[rule.status]}: \`${rule.accepted}\`` : STATUS[rule.status];
      return `| ${action} | \`${member}\` | ${cell(status)} | ${cell(rule.note ?? '')} | ${rule.since} |`;
    }),
  );
}

/** The table of docs/cognito-settings.md, between its markers; `npm run docs:settings` writes it there. */
export function settingsTableMarkdown(): string {
  return [
    '| Action | Member | Status | What Cognate does | Since |',
    '| --- | --- | --- | --- | --- |',
    ...rows(COGNITO_SETTINGS),
    ...rows(REST_SETTINGS),
  ].join('\n');
}

export const TABLE_START =
  '<!-- settings-table: written by `npm run docs:settings` from src/modules/cognito-protocol/settings-table.ts -->';
export const TABLE_END = '<!-- /settings-table -->';

/** The document with its table section replaced by the current one. */
export function withCurrentTable(document: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('docs/cognito-settings.md has lost its settings-table markers');
  return `${document.slice(0, start + TABLE_START.length)}\n${settingsTableMarkdown()}\n${document.slice(end)}`;
}
