/**
 * The shape every fault kind shares, so the composer (index.ts) can drive them alike.
 *
 * A start is split in two: `plan` chooses what to do (pure: nodes + Rng → a JSON value that is
 * recorded in the history) and `apply` does it through the Runtime. That way the invoke op can
 * carry the targets before anything happens, and the same seed gives the same targets.
 * Each fault keeps its own active state (set before the first runtime call, so a half-done start
 * is still undone) and knows how to heal its kind defensively, whatever it believes is active.
 */
import type { Runtime } from '../harness/runtime/types.ts';
import type { Rng } from '../harness/random.ts';
import type { FaultKind, KillTargets } from './types.ts';
import { majority } from './shapes.ts';

export interface PlanInput {
  nodes: readonly string[];
  rng: Rng;
  /** nodes another fault holds (paused or killed), which pause/kill should leave alone */
  held: ReadonlySet<string>;
}

export interface Fault<P = unknown> {
  readonly kind: FaultKind;
  /** choose the next start; pure given its input */
  plan(input: PlanInput): P;
  /** carry out a plan; marks it active first; may be cut short by `signal` (clock strobe) */
  apply(runtime: Runtime, plan: P, signal: AbortSignal): Promise<void>;
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

/** run every step even when some fail; collect "what: message" for the failures */
export async function allSteps(steps: [string, () => Promise<unknown>][]): Promise<string[]> {
  const errors: string[] = [];
  for (const [what, step] of steps) {
    try { await step(); } catch (e) { errors.push(`${what}: ${errorText(e)}`); }
  }
  return errors;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** ⌊(n−1)/2⌋, the most nodes that are still fewer than half, but at least one */
function largestMinority(n: number): number { return Math.max(1, Math.floor((n - 1) / 2)); }

/** One node or a random minority (at least one, fewer than half), from those not held. */
export function pickTargets(nodes: readonly string[], rng: Rng, held: ReadonlySet<string>): string[] {
  const free = nodes.filter((n) => !held.has(n));
  if (free.length === 0) return [];
  const count = rng.next() < 0.5 ? 1 : rng.int(1, largestMinority(nodes.length));
  return rng.shuffle(free).slice(0, Math.min(count, free.length)).sort();
}

/**
 * Targets by --kill-targets mode, from the nodes not held. Counts are of the whole cluster
 * (a majority of 5 is 3), capped by how many are free:
 * - one: exactly one node; minority: a random 1 … ⌊(n−1)/2⌋ (at least one);
 * - majority: exactly ⌊n/2⌋+1, a strict majority; all: every node;
 * - mixed: pickTargets (one node or a random minority, equal odds; the same draws as before).
 */
export function pickTargetsBy(mode: KillTargets, nodes: readonly string[], rng: Rng, held: ReadonlySet<string>): string[] {
  if (mode === 'mixed') return pickTargets(nodes, rng, held);
  const free = nodes.filter((n) => !held.has(n));
  if (free.length === 0) return [];
  const n = nodes.length;
  const count = mode === 'one' ? 1
    : mode === 'minority' ? rng.int(1, largestMinority(n))
      : mode === 'majority' ? majority(n)
        : n;
  return rng.shuffle(free).slice(0, Math.min(count, free.length)).sort();
}
