/**
 * A run's state file, /run/splitbrain-netns/<tag>.json: written before the run creates anything
 * and removed after everything is gone, so whatever a run leaves (harness SIGKILLed, machine
 * trouble) can be found again, and only that: cleanup never targets a name it did not record.
 * The owner is the harness's pid plus its start time (a recycled pid is not the owner).
 */
import { mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RunNames } from './names.ts';

export const STATE_DIR = process.env.SPLITBRAIN_NETNS_STATE_DIR ?? '/run/splitbrain-netns';

export interface Owner { pid: number; start: string }

export interface RunState {
  runId: string;
  names: RunNames;
  subnet: string;
  owner: Owner;
  runDir: string;
}

/** the process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), '' if gone */
export function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function ownerOf(pid = process.pid): Owner {
  return { pid, start: startTime(pid) };
}

/** the recorded process still runs (not a zombie, not a recycled pid) */
export function ownerAlive(o: Owner): boolean {
  const s = startTime(o.pid);
  if (!s || s !== o.start) return false;
  try {
    const stat = readFileSync(`/proc/${o.pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

export const statePath = (tag: string) => join(STATE_DIR, `${tag}.json`);

export function writeState(s: RunState): string {
  mkdirSync(STATE_DIR, { recursive: true });
  const p = statePath(s.names.tag);
  writeFileSync(`${p}.tmp`, JSON.stringify(s, null, 1) + '\n');
  renameSync(`${p}.tmp`, p);
  return p;
}

export function readState(path: string): RunState | null {
  try { return JSON.parse(readFileSync(path, 'utf8')) as RunState; } catch { return null; }
}

export function listStates(): { path: string; state: RunState }[] {
  let files: string[];
  try { files = readdirSync(STATE_DIR).filter((f) => /^[0-9a-f]{8}\.json$/.test(f)); } catch { return []; }
  return files.map((f) => ({ path: join(STATE_DIR, f), state: readState(join(STATE_DIR, f)) }))
    .filter((x): x is { path: string; state: RunState } => x.state !== null);
}

export function removeState(tag: string): void {
  rmSync(statePath(tag), { force: true });
}

/**
 * A machine-wide lock around subnet choice and bridge creation, so two runs starting together
 * cannot take the same subnet. A lock whose holder is gone is taken over.
 */
export async function withLock<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  mkdirSync(STATE_DIR, { recursive: true });
  const lock = join(STATE_DIR, 'subnet.lock');
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, JSON.stringify(ownerOf()));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: Owner | null = null;
      try { holder = JSON.parse(readFileSync(lock, 'utf8')) as Owner; } catch { /* being written */ }
      if (holder && !ownerAlive(holder)) { rmSync(lock, { force: true }); continue; }
      if (Date.now() > end) throw new Error(`netns runtime: ${lock} is held by pid ${holder?.pid ?? '?'} for over ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  try { return await fn(); } finally { rmSync(lock, { force: true }); }
}
