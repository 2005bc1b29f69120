/**
 * Clock faults: per-node wall-clock offsets through Runtime.setClockOffset (libfaketime locally).
 * - bump: a random non-empty subset of nodes each jumps to a random offset of up to ±clockSkewMs;
 * - strobe: those nodes flip between real time and their offset every periodMs for durationMs,
 *   ending on the offset (so the stop has something to reset);
 * - freeze (only with --clock-mode freeze): every node's wall clock stops at the same instant
 *   (the harness's clock when the start is planned) until the stop, through Runtime.freezeClock;
 * - stop is `reset`: every node this fault touched goes back to offset 0 (which also unfreezes).
 * To maep this looks like timestamps from the future or the past on new writes: last-writer-wins
 * picks a "later" write that really happened earlier, and a strobing node issues timestamps that
 * go backwards. Under a freeze every write carries the same timestamp, so last-writer-wins is
 * decided by its tiebreak alone (a stuck clock: a dead RTC, a VM restored from a snapshot).
 */
import type { Runtime } from '../api/runtime.ts';
import type { Rng } from '../api/rng.ts';
import type { ClockMode } from '../api/fault.ts';
import type { Fault, PlanInput } from '../api/fault.ts';
import { allSteps } from './fault.ts';

/** a bump or a strobe: offsets per node */
export interface OffsetClockPlan {
  mode: 'bump' | 'strobe';
  /** node → offset in ms */
  offsets: Record<string, number>;
  /** strobe only */
  periodMs?: number;
  durationMs?: number;
}

/** a freeze: these nodes' wall clocks stand still at atMs (epoch ms; `at` is the same in ISO form) */
export interface FreezeClockPlan {
  mode: 'freeze';
  nodes: string[];
  atMs: number;
  at: string;
}

export type ClockPlan = OffsetClockPlan | FreezeClockPlan;

export interface ClockTuning {
  strobePeriodMs: number;
  strobeDurationMs: number;
}

export const DEFAULT_CLOCK_TUNING: ClockTuning = { strobePeriodMs: 100, strobeDurationMs: 3000 };

/** a random offset in ±[1, skew] ms (never 0, so a bump is always a change; skew < 1 → 0) */
export function randomOffset(rng: Rng, skewMs: number): number {
  if (skewMs < 1) return 0;
  const mag = rng.int(1, Math.floor(skewMs));
  return rng.next() < 0.5 ? -mag : mag;
}

/** The offsets a strobe sets, step by step: on (offset) and off (0), ending on. Pure. */
export function strobeSteps(plan: OffsetClockPlan): Record<string, number>[] {
  const period = Math.max(1, plan.periodMs ?? 100);
  let count = Math.max(1, Math.round((plan.durationMs ?? 0) / period));
  if (count % 2 === 0) count++; // odd: step 0 is on, so the last step is on too
  const on = plan.offsets;
  const off = Object.fromEntries(Object.keys(on).map((n) => [n, 0]));
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? on : off));
}

export class ClockFault implements Fault<ClockPlan> {
  readonly kind = 'clock' as const;
  /** offsets set and not yet reset, by node */
  private skewed = new Map<string, number>();
  private mode: ClockPlan['mode'] | null = null;
  /** the instant of the active freeze, for the label */
  private frozenAt: string | null = null;

  constructor(
    private readonly skewMs: number,
    private readonly tuning: ClockTuning = DEFAULT_CLOCK_TUNING,
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void> = abortableSleep,
    private readonly clockMode: ClockMode = 'mixed',
    private readonly now: () => number = Date.now,
  ) {}

  /** pure given its input, except that a freeze's instant is the harness's clock now */
  plan({ nodes, rng }: PlanInput): ClockPlan {
    if (this.clockMode === 'freeze') {
      const atMs = Math.round(this.now());
      return { mode: 'freeze', nodes: nodes.slice().sort(), atMs, at: new Date(atMs).toISOString() };
    }
    // mixed draws first either way, so a fixed mode picks the same targets as mixed would
    const drawn = rng.next() < 0.6 ? 'bump' : 'strobe';
    const mode = this.clockMode === 'mixed' ? drawn : this.clockMode;
    // each node joins with probability ½; at least one
    let targets = nodes.filter(() => rng.next() < 0.5);
    if (targets.length === 0 && nodes.length > 0) targets = [rng.pick(nodes)];
    const offsets: Record<string, number> = {};
    for (const n of targets.slice().sort()) offsets[n] = randomOffset(rng, this.skewMs);
    return mode === 'bump'
      ? { mode, offsets }
      : { mode, offsets, periodMs: this.tuning.strobePeriodMs, durationMs: this.tuning.strobeDurationMs };
  }

  async apply(runtime: Runtime, plan: ClockPlan, signal: AbortSignal): Promise<void> {
    this.mode = plan.mode;
    if (plan.mode === 'freeze') return this.freeze(runtime, plan);
    for (const [n, off] of Object.entries(plan.offsets)) this.skewed.set(n, off);
    const set = async (offsets: Record<string, number>) => {
      const errors = await allSteps(Object.entries(offsets).map(([n, off]) => [`clock ${n} ${off}ms`, () => runtime.setClockOffset(n, off)]));
      if (errors.length) throw new Error(errors.join('; '));
    };
    if (plan.mode === 'bump') return set(plan.offsets);
    const steps = strobeSteps(plan);
    for (let i = 0; i < steps.length; i++) {
      // cut short by healAll or the end of the run: the stop resets whatever is set
      if (signal.aborted) return;
      await set(steps[i]!);
      if (i < steps.length - 1) await this.sleep(plan.periodMs ?? 100, signal);
    }
  }

  /** every node of the plan stops at atMs; tracked first, so even a failed freeze is reset by the stop */
  private async freeze(runtime: Runtime, plan: FreezeClockPlan): Promise<void> {
    for (const n of plan.nodes) this.skewed.set(n, 0);
    this.frozenAt = plan.at;
    if (!runtime.freezeClock) throw new Error(`the ${runtime.info.name} runtime cannot freeze clocks (no Runtime.freezeClock)`);
    const freeze = runtime.freezeClock.bind(runtime);
    const errors = await allSteps(plan.nodes.map((n) => [`clock ${n} freeze`, () => freeze(n, plan.atMs)]));
    if (errors.length) throw new Error(errors.join('; '));
  }

  stopValue(): unknown {
    return this.skewed.size ? { mode: 'reset', nodes: [...this.skewed.keys()].sort() } : null;
  }

  async undo(runtime: Runtime): Promise<void> {
    const nodes = [...this.skewed.keys()].sort();
    const errors = await allSteps(nodes.map((n) => [`clock ${n} reset`, async () => { await runtime.setClockOffset(n, 0); this.skewed.delete(n); }]));
    if (errors.length === 0) { this.mode = null; this.frozenAt = null; }
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** every node back to offset 0 */
  async healDefensive(runtime: Runtime, nodes: readonly string[]): Promise<string[]> {
    const errors = await allSteps(nodes.map((n) => [`clock ${n} reset`, () => runtime.setClockOffset(n, 0)]));
    this.skewed.clear(); this.mode = null; this.frozenAt = null;
    return errors;
  }

  label(): string | null {
    if (!this.skewed.size) return null;
    if (this.mode === 'freeze') return `clock freeze ${[...this.skewed.keys()].sort().join(',')} at ${this.frozenAt}`;
    return `clock ${this.mode ?? 'bump'} ` + [...this.skewed].sort().map(([n, o]) => `${n}${o >= 0 ? '+' : ''}${o}ms`).join(' ');
  }

  held(): string[] {
    return [];
  }
}

/** resolves after ms, or at once when the signal aborts */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}
