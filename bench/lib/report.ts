/** What every benchmark script does around its measurements: find a database, keep what it says. */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { TSX } from './processes.ts';

/**
 * Runs `script` again under `wrappers` (scripts/with-postgres.sh starts a throw-away PostgreSQL,
 * scripts/with-pgbouncer.sh puts pgbouncer in front), with this run's arguments, and ends this
 * process with its exit code. Never returns.
 */
export async function rerunUnder(wrappers: string[], script: string): Promise<never> {
  const [first, ...rest] = wrappers;
  const child = spawn(first!, [...rest, process.execPath, ...TSX, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return new Promise<never>(() => {});
}

/** Lines printed as they come and kept for the results file. */
export function createReport() {
  const lines: string[] = [];
  return {
    lines,
    say(line = '') {
      lines.push(line);
      console.log(line);
    },
  };
}

/** One line of a results table: a figure, its target, what was measured, the ratio, pass or not. */
export interface Row {
  figure: string;
  target: string;
  measured: string;
  ratio: string;
  /** undefined: reported, no target. */
  pass: boolean | undefined;
}

/** The 1, 5 and 15 minute load averages, as printed at a run's start and end. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** The results table (markdown), then the load averages, the run's length and the details. */
export function printResults(
  say: (line?: string) => void,
  run: { rows: Row[]; measuredHeader: string; loadBefore: string; startedAt: Date; details: string[] },
) {
  const loadAfter = loadAverage();
  say();
  const headers = ['figure', 'target', run.measuredHeader, 'ratio', 'result'];
  const cells = run.rows.map((r) => [
    r.figure,
    r.target,
    r.measured,
    r.ratio,
    r.pass === undefined ? '—' : r.pass ? 'pass' : 'FAIL',
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  say(line(headers));
  say(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) say(line(c));
  say();
  say(
    `load average: ${run.loadBefore} at start, ${loadAfter} at the end (1, 5, 15 min; other work on this machine competes for its ${os.cpus().length} CPUs)`,
  );
  say(`took ${((Date.now() - run.startedAt.getTime()) / 1000).toFixed(0)} s`);
  say();
  say('Details:');
  for (const d of run.details) say(`- ${d}`);
}
