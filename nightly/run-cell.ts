/**
 * Runs one matrix cell as a real harness process (`node --import tsx harness/cli/main.ts …`) with
 * its own store folder, and reads back what it stored. The harness is a separate process so a cell
 * that crashes or hangs cannot take the nightly down with it.
 */
import { execa } from 'execa';
import { existsSync, readFileSync, realpathSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CellRun, CheckerVerdict } from './summary.ts';

export interface CellRunOptions {
  repoRoot: string;
  argv: string[];
  /** the cell's own store folder (the harness's --store) */
  cellStore: string;
  /** the summary's folder, so run folders are linked relatively */
  summaryDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function runCell(o: CellRunOptions): Promise<CellRun> {
  mkdirSync(o.cellStore, { recursive: true });
  const started = performance.now();
  const res = await execa(process.execPath, ['--import', 'tsx', join(o.repoRoot, 'harness/cli/main.ts'), ...o.argv], {
    cwd: o.repoRoot,
    reject: false,
    all: true,
    timeout: o.timeoutMs,
    // the harness tears its cluster down on SIGTERM; SIGKILL only if it does not finish
    killSignal: 'SIGTERM',
    forceKillAfterDelay: 15_000,
    cancelSignal: o.signal,
    env: { FORCE_COLOR: '0' },
  });
  const durationS = (performance.now() - started) / 1000;
  writeFileSync(join(o.cellStore, 'harness-output.txt'), res.all ?? '');

  const exitCode = res.timedOut || res.isCanceled ? null : (res.exitCode ?? null);
  const runDir = latestRunDir(o.cellStore);
  const checkers = runDir ? readVerdicts(runDir) : [];
  const run: CellRun = { exitCode, durationS, checkers };
  if (runDir) run.runDir = relative(o.summaryDir, runDir);
  if (exitCode === null || exitCode >= 254) {
    const why = res.timedOut ? `timed out after ${(o.timeoutMs / 1000).toFixed(0)} s` : res.isCanceled ? 'interrupted' : `exit ${exitCode}`;
    run.error = `${why}\n${tail(res.all ?? '', 15)}`;
  }
  return run;
}

function latestRunDir(store: string): string | undefined {
  const link = join(store, 'latest');
  try {
    return existsSync(link) ? realpathSync(link) : undefined;
  } catch {
    return undefined;
  }
}

function readVerdicts(runDir: string): CheckerVerdict[] {
  try {
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
      checkers?: { name: string; valid: true | false | 'unknown'; expected: string; matched: boolean }[];
    };
    return (results.checkers ?? []).map(({ name, valid, expected, matched }) => ({ name, valid, expected, matched }));
  } catch {
    return [];
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
