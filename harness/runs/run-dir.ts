import { existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** store/<test-name>/<YYYYMMDDTHHMMSSmmm>/ (harness/store-layout.md) */
export function runTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}`;
}

/** "<workload>-<nemesis>", faults joined with "+", e.g. "bank-partition+kill" or "lww-none" */
export function testName(workload: string, nemesis: readonly string[]): string {
  return `${workload}-${nemesis.length ? nemesis.join('+') : 'none'}`;
}

/** creates the run folder (and nodes/); two runs in the same millisecond get a suffix */
export function createRunDir(store: string, name: string, at: Date): string {
  const base = join(resolve(store), name, runTimestamp(at));
  let dir = base;
  for (let i = 1; existsSync(dir); i++) dir = `${base}-${i}`;
  mkdirSync(join(dir, 'nodes'), { recursive: true });
  return dir;
}

/** store/latest → <test-name>/<timestamp>, a relative link replaced atomically */
export function updateLatest(store: string, runDir: string): void {
  const root = resolve(store);
  const link = join(root, 'latest');
  const tmp = join(root, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(relative(root, runDir), tmp);
  renameSync(tmp, link);
}

/** JSON written to a temp file and renamed, so a reader never sees half a file */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

/** a run folder or a history.jsonl path → {dir, history}; dir is where test.json would be */
export function locateHistory(arg: string): { dir: string; history: string } {
  const p = resolve(arg);
  if (existsSync(p) && statSync(p).isDirectory()) return { dir: p, history: join(p, 'history.jsonl') };
  return { dir: resolve(p, '..'), history: p };
}
