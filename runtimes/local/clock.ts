/**
 * Per-node wall-clock offsets.
 *
 * Preferred mechanism, "libfaketime": the node runs with LD_PRELOAD=libfaketime and
 * FAKETIME_TIMESTAMP_FILE=<runDir>/nodes/<id>.faketime; the harness rewrites that file with a
 * relative offset in libfaketime's syntax ("+5.000s", "-2.500s"). FAKETIME_NO_CACHE=1 makes the
 * library re-read the file on every clock call, so a change applies at once, and
 * FAKETIME_DONT_FAKE_MONOTONIC=1 keeps CLOCK_MONOTONIC real, so timers keep their real spacing and
 * only the wall clock (Date.now()) moves. NO_FAKE_STAT=1 keeps file timestamps real. The node
 * process needs no change at all. We prefer libfaketimeMT (the thread-safe build), since Node is
 * multi-threaded.
 *
 * A freeze (Runtime.freezeClock) writes an absolute timestamp without '@' instead, in local time
 * with milliseconds ("2026-11-21 12:00:00.2505", see runtimes/faketime.ts): libfaketime then reports that instant on every
 * wall-clock read, so Date.now() stands still, while CLOCK_MONOTONIC (kept real) and so every
 * timer keeps running. Writing an offset again ("+0.000s") unfreezes it. Freezing needs
 * libfaketime: the offset-file fallback has no way to stop a node's clock.
 *
 * Fallback, "offset-file" (no libfaketime, or a system libfaketime does not reach): the offset in
 * integer milliseconds, one line, in <runDir>/nodes/<id>.clock-offset, handed to the system as
 * NodeHost.clockOffsetFile (only systems that declare needs.clockOffsetFile read one); the node
 * adds it to its wall clock. Both files are replaced atomically (write + rename), so a reader never
 * sees half a value.
 *
 * "none": neither reaches the system's clock; clock faults are refused (cannotServe says so first).
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { faketimeFrozenSpec, faketimeSpec } from '../faketime.ts';

export type ClockMechanism = 'libfaketime' | 'offset-file' | 'none';

const CANDIDATE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/faketime',
  '/usr/lib/aarch64-linux-gnu/faketime',
  '/usr/lib/faketime',
  '/usr/lib64/faketime',
  '/usr/local/lib/faketime',
];

let cached: string | null | undefined;

/** absolute path of the libfaketime preload library, or null when it is not installed */
export function libfaketimePath(): string | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const dir of CANDIDATE_DIRS) {
    for (const lib of ['libfaketimeMT.so.1', 'libfaketime.so.1']) {
      const p = join(dir, lib);
      if (existsSync(p)) return (cached = p);
    }
  }
  try {
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /=>\s*(\S*libfaketime(?:MT)?\.so\.1)\s*$/m.exec(out);
    if (m) cached = m[1]!;
  } catch { /* no ldconfig */ }
  return cached;
}

export const FREEZE_NEEDS_LIBFAKETIME = 'clock freeze needs libfaketime (apt-get install libfaketime)';

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** the clock control of one node: files, environment and flags for its process */
export class NodeClock {
  readonly path: string;

  constructor(readonly mechanism: Exclude<ClockMechanism, 'none'>, nodesDir: string, readonly id: string, private readonly lib: string | null = libfaketimePath()) {
    if (mechanism === 'libfaketime' && !lib) throw new Error('libfaketime is not installed (apt-get install libfaketime)');
    this.path = join(nodesDir, mechanism === 'libfaketime' ? `${id}.faketime` : `${id}.clock-offset`);
  }

  /** write the offset; the running node picks it up on its next clock read */
  set(offsetMs: number): void {
    if (this.mechanism === 'libfaketime') writeAtomic(this.path, faketimeSpec(offsetMs) + '\n');
    else {
      if (!Number.isFinite(offsetMs)) throw new Error(`clock offset must be a finite number of ms, got ${offsetMs}`);
      writeAtomic(this.path, `${Math.round(offsetMs)}\n`);
    }
  }

  /** stop the wall clock at atMs until the next set(); libfaketime only */
  freeze(atMs: number): void {
    if (this.mechanism !== 'libfaketime') throw new Error(FREEZE_NEEDS_LIBFAKETIME);
    writeAtomic(this.path, faketimeFrozenSpec(atMs, { utc: false }) + '\n');
  }

  env(): Record<string, string> {
    if (this.mechanism !== 'libfaketime') return {};
    return {
      LD_PRELOAD: this.lib!,
      FAKETIME_TIMESTAMP_FILE: this.path,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      NO_FAKE_STAT: '1',
    };
  }

  /** the file the system is told about (NodeHost.clockOffsetFile), with the offset-file mechanism */
  offsetFile(): string | undefined {
    return this.mechanism === 'offset-file' ? this.path : undefined;
  }
}
