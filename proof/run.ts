/**
 * One seeded harness run as a real process, for the checker proofs: returns the exit code and the
 * verdict of each checker from the stored results.json.
 */
import { execa } from 'execa';
import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface ProofRun {
  exitCode: number | undefined;
  runDir: string;
  durationS: number;
  verdicts: Record<string, { valid: true | false | 'unknown'; summary?: string }>;
  output: string;
}

export async function runHarness(args: string[], store: string): Promise<ProofRun> {
  const started = performance.now();
  const res = await execa(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness/cli/main.ts'), 'run', ...args, '--store', store], {
    cwd: repoRoot, reject: false, all: true, timeout: 240_000, env: { FORCE_COLOR: '0' },
  });
  const runDir = realpathSync(join(store, 'latest'));
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    checkers: { name: string; valid: true | false | 'unknown'; result: { summary?: string } }[];
  };
  const verdicts = Object.fromEntries(results.checkers.map((c) => [c.name, { valid: c.valid, summary: c.result.summary }]));
  return { exitCode: res.exitCode, runDir, durationS: (performance.now() - started) / 1000, verdicts, output: res.all ?? '' };
}
