/** Helpers every fault kind shares: running heal steps, choosing targets. */
import type { Rng } from '../api/rng.ts';
import type { KillTargets } from '../api/fault.ts';
import type { Runtime } from '../api/runtime.ts';
import { majority } from './shapes.ts';

/** run every step even when some fail; collect "what: message" for the failures */
export async function allSteps(steps: [string, () => Promise<unknown>][]): Promise<string[]> {
  const errors: string[] = [];
  for (const [what, step] of steps) {
    try { await step(); } catch (e) { errors.push(`${what}: ${errorText(e)}`); }
  }
  return errors;
}

/** like allSteps, but the steps run concurrently; "what: message" per failure, in step order */
export async function sideBySide(steps: [string, () => Promise<unknown>][]): Promise<string[]> {
  const results = await Promise.allSettled(steps.map(([, step]) => step()));
  return results.flatMap((r, i) => (r.status === 'rejected' ? [`${steps[i]![0]}: ${errorText(r.reason)}`] : []));
}

/**
 * Restarts the nodes a fault took down, side by side. A node stays in `down` until its restart
 * succeeds, so a later healAll tries it again; restarting a running node is not safe, so only
 * tracked ones are restarted.
 */
export function restartDown(runtime: Runtime, down: Set<string>): Promise<string[]> {
  const nodes = [...down].sort();
  return sideBySide(nodes.map((n) => [`restart ${n}`, async () => { await runtime.restart(n); down.delete(n); }]));
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
 * - mixed: pickTargets (one node or a random minority, equal odds; the same draws as before);
 * - primaries: the nodes the system says lead now (System.primaries).
 */
export function pickTargetsBy(mode: KillTargets, nodes: readonly string[], rng: Rng, held: ReadonlySet<string>, primaries: readonly string[] = []): string[] {
  if (mode === 'mixed') return pickTargets(nodes, rng, held);
  // the system's primaries, when free; none known (or all held) hits nobody rather than a bystander
  if (mode === 'primaries') return primaries.filter((p) => nodes.includes(p) && !held.has(p)).sort();
  const free = nodes.filter((n) => !held.has(n));
  if (free.length === 0) return [];
  const n = nodes.length;
  const count = mode === 'one' ? 1
    : mode === 'minority' ? rng.int(1, largestMinority(n))
      : mode === 'majority' ? majority(n)
        : n;
  return rng.shuffle(free).slice(0, Math.min(count, free.length)).sort();
}
