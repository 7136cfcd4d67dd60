/** What every benchmark script does around its measurements: find a database, keep what it says. */
import { spawn } from 'node:child_process';
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
