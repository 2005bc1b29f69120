import chalk from 'chalk';
import type { CheckerOutcome } from '../../api/checker.ts';

const show = (v: unknown) => (v === true ? 'valid' : v === false ? 'invalid' : 'unknown');

/** the end-of-run table: one row per checker with valid / expected / matched, and its summary */
export function verdictTable(outcomes: readonly CheckerOutcome[]): string {
  const rows = outcomes.map((o) => ({
    name: o.name,
    valid: show(o.valid),
    expected: o.expected,
    matched: o.valid === 'unknown' ? 'unknown' : o.matched ? 'yes' : 'NO',
    summary: typeof o.result.summary === 'string' ? o.result.summary : '',
    o,
  }));
  const w = (k: 'name' | 'valid' | 'expected' | 'matched', title: string) => Math.max(title.length, ...rows.map((r) => r[k].length));
  const wn = w('name', 'checker'), wv = w('valid', 'valid'), we = w('expected', 'expected'), wm = w('matched', 'as expected');
  const lines = [chalk.bold(`${'checker'.padEnd(wn)}  ${'valid'.padEnd(wv)}  ${'expected'.padEnd(we)}  ${'as expected'.padEnd(wm)}  summary`)];
  for (const r of rows) {
    const color = r.matched === 'yes' ? chalk.green : r.matched === 'NO' ? chalk.red : chalk.yellow;
    const validCol = r.o.valid === true ? chalk.green(r.valid.padEnd(wv)) : r.o.valid === false ? (r.o.matched ? chalk.yellow(r.valid.padEnd(wv)) : chalk.red(r.valid.padEnd(wv))) : chalk.yellow(r.valid.padEnd(wv));
    lines.push(`${r.name.padEnd(wn)}  ${validCol}  ${r.expected.padEnd(we)}  ${color(r.matched.padEnd(wm))}  ${r.summary}`);
    if (r.o.valid === false) lines.push(chalk.dim(`${''.padEnd(wn)}  why expected ${r.o.expected}: ${r.o.why}`));
  }
  return lines.join('\n');
}

export function exitLine(exitCode: number): string {
  if (exitCode === 0) return chalk.green('everything as expected (exit 0)');
  if (exitCode === 1) return chalk.red('a checker found an unexpected result (exit 1)');
  if (exitCode === 2) return chalk.yellow('some checkers could not decide (exit 2)');
  return `exit ${exitCode}`;
}
