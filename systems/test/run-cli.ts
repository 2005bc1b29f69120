/** Runs the whole harness (the CLI) for a system's tests and reads back what the run stored. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../../api/history.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'harness', 'cli', 'main.ts');

export interface StoredRun {
  code: number | null;
  out: string;
  dir: string;
  test: any;
  results: any;
  ops: Op[];
  /** results.json's checker entry by name */
  checker(name: string): any;
}

/** `npm run jepsen -- …args` in a fresh store; `use` reads the run before the store is removed */
export async function runCli<T>(args: string[], use: (run: StoredRun) => T | Promise<T>): Promise<T> {
  const store = mkdtempSync(join(tmpdir(), 'splitbrain-system-'));
  try {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((res) => {
      const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--store', store], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      p.on('close', (c) => res({ code: c, out }));
    });
    const dir = join(store, readlinkSync(join(store, 'latest')));
    const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const results = read('results.json');
    const ops = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Op);
    return await use({ code, out, dir, test: read('test.json'), results, ops, checker: (name) => results.checkers.find((c: any) => c.name === name) });
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

/** every checker matched its expectation (with the run's output on failure) */
export function unexpected(run: StoredRun): string[] {
  return run.results.checkers.filter((c: any) => !c.matched).map((c: any) => `${c.name}: ${c.valid} (expected ${c.expected}) ${c.result?.summary ?? ''}`);
}
