/**
 * File corruption, as Jepsen's: on the nodes --corrupt-targets names (default one), while each is
 * down, damage one of its data files, then start it again. A start kills the targets side by side,
 * damages one file of each, and restarts them side by side; the checkers then show whether the
 * writes those nodes acknowledged survived (on them, or through their peers).
 *
 * Modes (--corrupt-mode): bitflip flips 1–8 bits in a 64-byte window; truncate cuts the file at an
 * offset; zero overwrites one aligned 4 KiB page with zeros; mixed picks one per node. Which file
 * of the node's data folder is the system's knowledge (System.dataFiles: maep's ops.log and its
 * snapshot, not its key file); by default every regular file under the folder. The plan (pure)
 * holds the node, the mode and the fractions that pick file and offset; what was really done (file,
 * size, offset, bytes) is the value of the start's completion op.
 *
 * It needs Runtime.dataPath (a host folder per node). A node whose restart fails (a system that
 * refuses to start on a damaged file) stays held; a stop or the heal starts it again.
 */
import { readdirSync, statSync, openSync, readSync, writeSync, closeSync, truncateSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Runtime } from '../api/runtime.ts';
import type { KillTargets, PlanInput, CorruptMode } from '../api/fault.ts';
import { Rng } from '../api/rng.ts';
import { errorText, pickTargetsBy, sideBySide } from './fault.ts';
import { DownNodesFault } from './down-nodes.ts';

export type DamageMode = Exclude<CorruptMode, 'mixed'>;
const MODES: readonly DamageMode[] = ['bitflip', 'truncate', 'zero'];
export const PAGE_BYTES = 4096;
/** bitflip: bits flipped within this many bytes from the offset */
export const FLIP_WINDOW = 64;

export interface CorruptTarget {
  node: string;
  mode: DamageMode;
  /** [0, 1): which of the node's data files (sorted by path) */
  file: number;
  /** [0, 1): where in it */
  at: number;
  /** seeds the bit choice of a bitflip */
  seed: number;
}
export interface CorruptPlan { nodes: string[]; targets: CorruptTarget[] }

/** what one node's damage was, as recorded */
export interface Damage {
  node: string;
  mode: DamageMode;
  /** path relative to the node's data folder; absent when it had no file to damage */
  file?: string;
  size?: number;
  /** bitflip: first byte touched; truncate: the new length; zero: the page start */
  offset?: number;
  /** bytes changed (bitflip, zero) or cut off (truncate) */
  bytes?: number;
  /** bitflip: the absolute bit positions flipped (byte * 8 + bit) */
  bits?: number[];
  skipped?: string;
  error?: string;
}

/** every regular file under dir, recursively, sorted */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Damages one of `files` (absolute paths, or relative to dataDir) as `t` says; pure but for the
 * file system. Empty and missing files are passed over; with none left, nothing is done.
 */
export function damageFiles(dataDir: string, files: readonly string[], t: CorruptTarget): Damage {
  const sized = [...new Set(files.map((f) => (isAbsolute(f) ? f : join(dataDir, f))))].sort()
    .map((path) => { try { const st = statSync(path); return st.isFile() ? { path, size: st.size } : null; } catch { return null; } })
    .filter((f): f is { path: string; size: number } => f !== null && f.size > 0);
  const base: Damage = { node: t.node, mode: t.mode };
  if (sized.length === 0) return { ...base, skipped: 'no non-empty data file' };
  const { path, size } = sized[Math.min(sized.length - 1, Math.floor(t.file * sized.length))]!;
  const rel = relative(dataDir, path);
  if (t.mode === 'truncate') {
    const offset = Math.min(size - 1, Math.floor(t.at * size));
    truncateSync(path, offset);
    return { ...base, file: rel, size, offset, bytes: size - offset };
  }
  const fd = openSync(path, 'r+');
  try {
    if (t.mode === 'zero') {
      const offset = Math.floor(Math.floor(t.at * size) / PAGE_BYTES) * PAGE_BYTES;
      const bytes = Math.min(PAGE_BYTES, size - offset);
      writeSync(fd, Buffer.alloc(bytes), 0, bytes, offset);
      return { ...base, file: rel, size, offset, bytes };
    }
    // bitflip: 1–8 distinct bits in [offset, offset + window)
    const offset = Math.min(size - 1, Math.floor(t.at * size));
    const window = Math.min(FLIP_WINDOW, size - offset);
    const rng = new Rng(t.seed);
    const count = rng.int(1, 8);
    const bits = new Set<number>();
    while (bits.size < Math.min(count, window * 8)) bits.add(offset * 8 + rng.int(0, window * 8 - 1));
    const sorted = [...bits].sort((a, b) => a - b);
    const buf = Buffer.alloc(window);
    readSync(fd, buf, 0, window, offset);
    for (const b of sorted) buf[Math.floor(b / 8) - offset]! ^= 1 << (b % 8);
    writeSync(fd, buf, 0, window, offset);
    const touched = new Set(sorted.map((b) => Math.floor(b / 8))).size;
    return { ...base, file: rel, size, offset, bytes: touched, bits: sorted };
  } finally {
    closeSync(fd);
  }
}

export class CorruptFault extends DownNodesFault<CorruptPlan> {
  readonly kind = 'corrupt' as const;
  protected readonly labelPrefix = 'corrupt (down)';
  readonly wantsPrimaries: boolean;
  private last: (CorruptPlan & { damage: Damage[] }) | null = null;

  constructor(
    private readonly mode: CorruptMode = 'mixed',
    private readonly targets: KillTargets = 'one',
    private readonly dataFiles: (dataDir: string) => string[] = allFiles,
  ) {
    super();
    this.wantsPrimaries = targets === 'primaries';
  }

  plan({ nodes, rng, held, primaries }: PlanInput): CorruptPlan {
    const chosen = pickTargetsBy(this.targets, nodes, rng, held, primaries);
    const targets = chosen.map((node) => ({
      node,
      mode: this.mode === 'mixed' ? rng.pick(MODES) : this.mode,
      file: rng.next(),
      at: rng.next(),
      seed: rng.int(0, 2 ** 31 - 1),
    }));
    return { nodes: chosen, targets };
  }

  async apply(runtime: Runtime, plan: CorruptPlan): Promise<void> {
    const dataPath = runtime.dataPath?.bind(runtime);
    if (!dataPath) throw new Error(`the ${runtime.info.name} runtime cannot reach a node's data files (no Runtime.dataPath)`);
    this.last = { ...plan, damage: [] };
    for (const n of plan.nodes) this.down.add(n);
    const errors: string[] = [];
    const killed = await sideBySide(plan.nodes.map((n) => [`kill ${n}`, () => runtime.kill(n)]));
    errors.push(...killed);
    for (const t of plan.targets) {
      // a node whose kill failed may still run: it is neither damaged nor restarted (restarting a running node is not safe)
      if (killed.some((e) => e.startsWith(`kill ${t.node}:`))) { this.down.delete(t.node); this.last.damage.push({ node: t.node, mode: t.mode, skipped: 'kill failed' }); continue; }
      try {
        const dir = dataPath(t.node);
        this.last.damage.push(damageFiles(dir, this.dataFiles(dir), t));
      } catch (e) {
        this.last.damage.push({ node: t.node, mode: t.mode, error: errorText(e) });
        errors.push(`corrupt ${t.node}: ${errorText(e)}`);
      }
    }
    errors.push(...await this.restartDown(runtime));
    if (errors.length) throw new Error(errors.join('; '));
  }

  applied(): unknown {
    return this.last;
  }
}

