import type { OpInput } from '../harness/history/op.ts';
import type { Runtime } from '../harness/runtime/types.ts';
import type { Rng } from '../harness/random.ts';

/** Fault kinds selectable with --nemesis (comma-separated; "none" for no faults). */
export type FaultKind = 'partition' | 'pause' | 'kill' | 'clock' | 'link';
export const FAULT_KINDS: readonly FaultKind[] = ['partition', 'pause', 'kill', 'clock', 'link'];

export type PartitionShape = 'halves' | 'one' | 'majorities-ring' | 'bridge';
export const PARTITION_SHAPES: readonly PartitionShape[] = ['halves', 'one', 'majorities-ring', 'bridge'];

/** --kill-targets: whom a kill hits. mixed = one node or a random minority (equal odds) */
export type KillTargets = 'one' | 'minority' | 'majority' | 'all' | 'mixed';
/** --kill-targets values; 'mixed' (one node or a random minority) is the default */
export const KILL_TARGETS: readonly KillTargets[] = ['one', 'minority', 'majority', 'all', 'mixed'];

/** --clock-mode: what a clock start does. mixed = bump or strobe; freeze only when asked */
export type ClockMode = 'bump' | 'strobe' | 'freeze' | 'mixed';
/** --clock-mode values; 'mixed' (bump or strobe) is the default, 'freeze' only when asked */
export const CLOCK_MODES: readonly ClockMode[] = ['bump', 'strobe', 'freeze', 'mixed'];

export interface NemesisOptions {
  kinds: FaultKind[];
  /** seconds between fault start/stop events (jittered), --nemesis-interval, default 5 */
  intervalS: number;
  /** --partition-shape: one shape, or "cycle" through all */
  partitionShape: PartitionShape | 'cycle';
  /** --clock-skew: max |offset| in ms for clock bumps, default 60000 */
  clockSkewMs: number;
  /** --kill-targets; absent = 'mixed' */
  killTargets?: KillTargets;
  /** --clock-mode; absent = 'mixed' */
  clockMode?: ClockMode;
}

/** What the runner hands a nemesis. */
export interface NemesisContext {
  runtime: Runtime;
  nodes: string[];
  rng: Rng;
  /** append a history op as process "nemesis" (the recorder assigns index and time) */
  record(op: OpInput): void;
  /** one line in harness.log / terminal */
  log(line: string): void;
}

export interface Nemesis {
  /** run the fault schedule until `signal` aborts; resolves soon after the abort */
  run(ctx: NemesisContext, signal: AbortSignal): Promise<void>;
  /** undo every fault of every kind (reconnect, resume, restart, clock reset, clear link faults);
   *  records stop-* ops for what was active; safe to call more than once and after a crash */
  healAll(ctx: NemesisContext): Promise<void>;
  /** short labels of the faults active now, for the status line, e.g. ["partition halves", "pause n3"] */
  active(): string[];
}
