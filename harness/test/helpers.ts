/** Shared by the controller's integration tests: run the real CLI, inspect a run folder. */
import { execa, type ResultPromise } from 'execa';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readHistoryFile } from '../history/reader.ts';
import type { Op } from '../../api/history.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPO, 'harness/cli/main.ts');

/** the CLI as a child process (no npm in between, so signals reach the harness itself) */
export function jepsen(args: string[], opts: { cwd?: string } = {}): ResultPromise<{ reject: false; all: true; env: Record<string, string> }> {
  return execa(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: opts.cwd ?? REPO, reject: false, all: true, env: { FORCE_COLOR: '0' } }) as any;
}

export function latestRun(store: string): string {
  return realpathSync(join(store, 'latest'));
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function historyOf(runDir: string): Op[] {
  return readHistoryFile(join(runDir, 'history.jsonl')).ops;
}

/** pids of live processes whose command line mentions `needle` (e.g. a run folder) */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // zombies have an empty cmdline: they hold no port and are not "left running"
      if (cmd.includes(needle)) out.push(Number(d));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** node endpoints as the harness logged them ("  n1 127.0.0.1 peer=PORT client=PORT"): the client port */
export function loggedEndpoints(runDir: string): { id: string; port: number }[] {
  const log = existsSync(join(runDir, 'harness.log')) ? readFileSync(join(runDir, 'harness.log'), 'utf8') : '';
  return [...log.matchAll(/ (n\d+) 127\.0\.0\.1 .*?\bclient=(\d+)/g)].map((m) => ({ id: m[1]!, port: Number(m[2]) }));
}

/** true when nothing accepts connections on the loopback port */
export function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

/** polls until `cond` holds or `ms` passed; returns whether it held (no timing is asserted) */
export async function eventually(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The history's structural promises: every client invoke has exactly one completion of the same
 * f, or stays pending at the end; completions never come without an invoke.
 */
export function completionProblems(ops: readonly Op[]): string[] {
  const problems: string[] = [];
  const open = new Map<number, Op>();
  for (const op of ops) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      if (open.has(op.process)) problems.push(`op ${op.index}: second invoke of process ${op.process}`);
      open.set(op.process, op);
    } else {
      const inv = open.get(op.process);
      if (!inv) problems.push(`op ${op.index}: ${op.type} without invoke`);
      else if (inv.f !== op.f) problems.push(`op ${op.index}: f ${op.f} completes ${inv.f}`);
      open.delete(op.process);
    }
  }
  return problems;
}
