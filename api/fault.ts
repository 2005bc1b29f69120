/**
 * The fault contracts: the kinds a user selects (--nemesis), a Fault (one kind's plan / apply /
 * undo through the Runtime), and the Nemesis the runner drives (a schedule of faults).
 */
import type { OpInput } from './history.ts';
import type { Runtime } from './runtime.ts';
import type { Rng } from './rng.ts';

/** Fault kinds selectable with --nemesis (comma-separated; "none" for no faults). */
export type FaultKind = 'partition' | 'pause' | 'kill' | 'clock' | 'link' | 'corrupt';
export const FAULT_KINDS: readonly FaultKind[] = ['partition', 'pause', 'kill', 'clock', 'link', 'corrupt'];

/**
 * --corrupt-mode: what the file-corruption fault does to a data file of a node while it is down.
 * bitflip = flip 1–8 random bits of one byte range; truncate = cut the file at a random offset;
 * zero = overwrite one 4 KiB page with zeros; mixed = any of the three (equal odds).
 */
export type CorruptMode = 'bitflip' | 'truncate' | 'zero' | 'mixed';
export const CORRUPT_MODES: readonly CorruptMode[] = ['bitflip', 'truncate', 'zero', 'mixed'];

export type PartitionShape = 'halves' | 'one' | 'majorities-ring' | 'bridge' | 'one-way' | 'primary-minority';
/** every shape --partition-shape takes */
export const PARTITION_SHAPES: readonly PartitionShape[] = ['halves', 'one', 'majorities-ring', 'bridge', 'one-way', 'primary-minority'];
/**
 * the shapes --partition-shape cycle goes through: the symmetric ones every runtime can cut and
 * every system can take (one-way needs a kernel-level runtime, primary-minority a system that
 * names its primary)
 */
export const CYCLE_SHAPES: readonly PartitionShape[] = ['halves', 'one', 'majorities-ring', 'bridge'];

/** --kill-targets: whom a kill hits. mixed = one node or a random minority (equal odds) */
export type KillTargets = 'one' | 'minority' | 'majority' | 'all' | 'mixed' | 'primaries';
/** --kill-targets and --pause-targets values; 'mixed' (one node or a random minority) is the default; 'primaries': the nodes the system says lead now */
export const KILL_TARGETS: readonly KillTargets[] = ['one', 'minority', 'majority', 'all', 'mixed', 'primaries'];

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
  /** --pause-targets; absent = 'mixed' */
  pauseTargets?: KillTargets;
  /** --clock-mode; absent = 'mixed' */
  clockMode?: ClockMode;
  /** --corrupt-mode; absent = 'mixed' */
  corruptMode?: CorruptMode;
  /** --corrupt-targets (the same choices as --kill-targets); absent = 'one' */
  corruptTargets?: KillTargets;
  /**
   * the files of a node's data folder the corrupt fault may damage (System.dataFiles); absent =
   * every regular file under it
   */
  dataFiles?: (dataDir: string) => string[];
  /**
   * faults a system contributes (System.faults), by kind name, already built for this run; every
   * one given here is scheduled next to `kinds`. nemesis/ knows nothing of them beyond the Fault
   * contract.
   */
  systemFaults?: Readonly<Record<string, Fault>>;
}

/**
 * A fault kind a system contributes (System.faults): built once per run, given the run's nodes and
 * folder, e.g. to read a key the system made there. It acts through the Runtime (endpoints()) and
 * whatever the system knows of itself; nemesis/ schedules it like a built-in kind.
 */
export interface SystemFaultFactory {
  /** one line for --help and errors */
  description: string;
  create(run: { nodes: readonly string[]; runDir: string }): Fault;
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
  /** the nodes that lead now, where the system can tell (System.primaries) */
  primaries?(): Promise<string[]>;
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

export interface PlanInput {
  nodes: readonly string[];
  rng: Rng;
  /** nodes another fault holds (paused or killed), which pause/kill should leave alone */
  held: ReadonlySet<string>;
  /** the nodes that lead right now, asked just before planning when a plan aims at them */
  primaries?: readonly string[];
}

/**
 * One fault kind. A start is split in two: `plan` chooses what to do (pure: nodes + Rng → a JSON
 * value recorded in the history) and `apply` does it through the Runtime, so the invoke op carries
 * the targets before anything happens and the same seed gives the same targets. Each fault keeps
 * its own active state (set before the first runtime call, so a half-done start is still undone)
 * and knows how to heal its kind defensively, whatever it believes is active.
 */
export interface Fault<P = unknown> {
  /** a built-in FaultKind, or the name a system gave its own fault (System.faults) */
  readonly kind: FaultKind | (string & {});
  /** true when plan() aims at the primaries (PlanInput.primaries must be asked first) */
  readonly wantsPrimaries?: boolean;
  /** choose the next start; pure given its input */
  plan(input: PlanInput): P;
  /** carry out a plan; marks it active first; may be cut short by `signal` (clock strobe) */
  apply(runtime: Runtime, plan: P, signal: AbortSignal): Promise<void>;
  /**
   * optional: what the start actually did, known only after apply (which file, offset, bytes);
   * recorded as the value of the start's completion op instead of the plan. null = the plan.
   */
  applied?(): unknown;
  /** the value recorded with the stop op, or null when nothing of this kind is active */
  stopValue(): unknown;
  /** undo what is active (a stop); afterwards nothing of this kind is active */
  undo(runtime: Runtime): Promise<void>;
  /** undo this kind on every node, whatever is tracked; returns one message per failed step.
   *  `killed`: nodes the kill fault still holds down, which only a pause heal needs to skip */
  healDefensive(runtime: Runtime, nodes: readonly string[], killed: ReadonlySet<string>): Promise<string[]>;
  /** short label of what is active, for the status line, or null */
  label(): string | null;
  /** nodes this fault holds now (paused or killed) */
  held(): string[];
}
