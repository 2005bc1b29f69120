/**
 * The nemesis: composes the fault kinds with the schedule, records every fault as process
 * "nemesis" ops, and heals everything at the end.
 *
 * History shape (Jepsen's): each start or stop is an `info` op before the runtime call and an
 * `info` completion after it, with the same `f` ("start-partition", "stop-pause", …) and `value`
 * (the plan: targets, grudge, offsets, link faults), plus `error` when the runtime call failed.
 * The runner records the `heal` op (start of recovery) itself, after healAll resolves.
 *
 * Concurrency: at most one fault action runs at a time (the run loop awaits each). healAll stops
 * the loop, cuts a running clock strobe short, waits for the action in flight (bounded, so a hung
 * runtime call cannot block teardown), then stops what is active and heals every kind
 * defensively, each step on its own so one failure does not skip the others.
 */
import type { Nemesis, NemesisContext, NemesisOptions, FaultKind, PartitionShape, KillTargets, ClockMode } from '../api/fault.ts';
import type { Rng } from '../api/rng.ts';
import type { Fault } from '../api/fault.ts';
import { errorText } from './fault.ts';
import { PartitionFault } from './partition.ts';
import { PauseFault } from './pause.ts';
import { KillFault } from './kill.ts';
import { ClockFault, type ClockTuning, DEFAULT_CLOCK_TUNING, abortableSleep } from './clock.ts';
import { LinkFault } from './link.ts';
import { CorruptFault, allFiles } from './corrupt.ts';
import { schedule } from './schedule.ts';
import { PARTITION_SHAPES } from './shapes.ts';

export type { Nemesis, NemesisContext, NemesisOptions, FaultKind, PartitionShape, KillTargets, ClockMode } from '../api/fault.ts';
export { PARTITION_SHAPES, partitionPlan, type PartitionPlan } from './shapes.ts';
export { schedule, takeEvents, type ScheduleEvent } from './schedule.ts';

import { FAULT_KINDS } from '../api/fault.ts';
export { FAULT_KINDS, KILL_TARGETS, CLOCK_MODES, CORRUPT_MODES } from '../api/fault.ts';
export { CorruptFault, damageFiles, allFiles, type CorruptPlan, type Damage } from './corrupt.ts';

/**
 * the order faults are stopped in by healAll: a system's own faults first (an attacker goes away),
 * then the network, so restarted nodes rejoin a whole cluster
 */
const HEAL_ORDER: readonly FaultKind[] = ['partition', 'link', 'pause', 'kill', 'corrupt', 'clock'];
/** kinds whose held nodes are down (not running), which a pause heal must leave alone */
const DOWN_KINDS: readonly string[] = ['kill', 'corrupt'];

export const DEFAULT_NEMESIS_OPTIONS: NemesisOptions = {
  kinds: [], intervalS: 5, partitionShape: 'cycle', clockSkewMs: 60_000,
};

/**
 * --nemesis: a comma list of kinds; "none" → no faults. Throws an Error naming
 * the bad kind and listing the valid ones (the CLI turns it into exit 254).
 */
export function parseNemesisKinds(text: string): FaultKind[] {
  const items = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  const valid = `valid: ${FAULT_KINDS.join(', ')}, or "none"`;
  if (items.length === 0) throw new Error(`--nemesis: no fault kind given (${valid})`);
  if (items.length === 1 && items[0] === 'none') return [];
  const out: FaultKind[] = [];
  for (const item of items) {
    if (item === 'none') throw new Error(`--nemesis: "${item}" cannot be combined with other kinds (${valid})`);
    if (!(FAULT_KINDS as readonly string[]).includes(item)) throw new Error(`--nemesis: unknown fault kind "${item}" (${valid})`);
    if (!out.includes(item as FaultKind)) out.push(item as FaultKind);
  }
  return out;
}

/** --partition-shape: one of the shapes or "cycle"; throws naming the valid ones */
export function parsePartitionShape(text: string): PartitionShape | 'cycle' {
  const s = text.trim().toLowerCase();
  if (s === 'cycle' || (PARTITION_SHAPES as readonly string[]).includes(s)) return s as PartitionShape | 'cycle';
  throw new Error(`--partition-shape: unknown shape "${text}" (valid: ${PARTITION_SHAPES.join(', ')}, or "cycle")`);
}

/** Knobs for tests; the defaults are what a real run uses. */
export interface NemesisTuning {
  clock?: ClockTuning;
  /** how long healAll waits for a fault action in flight before healing anyway */
  inflightWaitMs?: number;
  /** the harness's wall clock, read when a clock freeze is planned (its instant); default Date.now */
  now?: () => number;
}

export function createNemesis(opts: NemesisOptions, tuning: NemesisTuning = {}): Nemesis {
  return new ComposedNemesis(opts, tuning);
}

class ComposedNemesis implements Nemesis {
  /** by kind: the built-in ones, then the system's own */
  private readonly faults = new Map<string, Fault>();
  /** what the schedule toggles: opts.kinds, then the system's kinds */
  private readonly scheduled: string[];
  private readonly healOrder: string[];
  /** aborted by healAll or the run's signal: no new faults, strobes stop */
  private readonly cancel = new AbortController();
  private inflight: Promise<void> | null = null;
  private healedOnce = false;

  constructor(private readonly opts: NemesisOptions, private readonly tuning: NemesisTuning) {
    // every kind exists (so healAll can heal all of them); only opts.kinds are scheduled
    this.faults.set('partition', new PartitionFault(opts.partitionShape));
    this.faults.set('pause', new PauseFault(opts.pauseTargets ?? 'mixed'));
    this.faults.set('kill', new KillFault(opts.killTargets ?? 'mixed'));
    this.faults.set('clock', new ClockFault(opts.clockSkewMs, tuning.clock ?? DEFAULT_CLOCK_TUNING, undefined, opts.clockMode ?? 'mixed', tuning.now));
    this.faults.set('link', new LinkFault());
    this.faults.set('corrupt', new CorruptFault(opts.corruptMode ?? 'mixed', opts.corruptTargets ?? 'one', opts.dataFiles ?? allFiles));
    const own = Object.entries(opts.systemFaults ?? {});
    for (const [name, fault] of own) {
      if (this.faults.has(name)) throw new Error(`a system fault may not shadow the built-in kind "${name}"`);
      this.faults.set(name, fault);
    }
    this.scheduled = [...opts.kinds, ...own.map(([name]) => name)];
    this.healOrder = [...own.map(([name]) => name), ...HEAL_ORDER];
  }

  async run(ctx: NemesisContext, signal: AbortSignal): Promise<void> {
    const stop = () => this.cancel.abort();
    if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
    const halt = this.cancel.signal;
    // independent streams per purpose: the schedule and each kind's targets depend only on the seed
    const rngs = new Map<string, Rng>([...FAULT_KINDS, ...this.faults.keys()].map((k) => [k, ctx.rng.fork('nemesis:' + k)]));
    try {
      for (const ev of schedule(this.scheduled, this.opts.intervalS, ctx.rng.fork('nemesis:schedule'))) {
        await abortableSleep(ev.waitMs, halt);
        if (halt.aborted) break;
        this.inflight = ev.action === 'start' ? this.start(ctx, ev.kind, rngs.get(ev.kind)!) : this.stop(ctx, ev.kind, true).then(() => {});
        await this.inflight;
        this.inflight = null;
      }
      // no kinds: nothing to do but wait for the end of the main phase
      if (!halt.aborted) await abortableSleep(2 ** 31 - 1, halt);
    } catch (e) {
      ctx.log(`nemesis: schedule stopped: ${errorText(e)}`);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private async start(ctx: NemesisContext, kind: string, rng: Rng): Promise<void> {
    const fault = this.faults.get(kind)!;
    const held = new Set([...this.faults.values()].flatMap((f) => f.held()));
    // asked just before planning: a failover since the last fault moves the target
    const primaries = fault.wantsPrimaries ? await this.primaries(ctx) : undefined;
    const plan = fault.plan({ nodes: ctx.nodes, rng, held, primaries });
    const f = 'start-' + kind;
    ctx.record({ process: 'nemesis', type: 'info', f, value: plan });
    let error: string | undefined;
    try { await fault.apply(ctx.runtime, plan, this.cancel.signal); } catch (e) { error = errorText(e); }
    const done = fault.applied?.() ?? plan;
    ctx.record({ process: 'nemesis', type: 'info', f, value: done, ...(error !== undefined ? { error } : {}) });
    ctx.log(`nemesis: start ${fault.label() ?? kind}${error !== undefined ? ` (error: ${error})` : ''}`);
  }

  private async primaries(ctx: NemesisContext): Promise<string[]> {
    try { return (await ctx.primaries?.()) ?? []; } catch (e) { ctx.log(`nemesis: could not ask for the primaries: ${errorText(e)}`); return []; }
  }

  /**
   * Records and undoes what is active of this kind. When nothing is (a start that had no free
   * target), a scheduled stop is still recorded, so each start in the history has its stop; healAll
   * records only real stops.
   */
  private async stop(ctx: NemesisContext, kind: string, scheduled = false): Promise<boolean> {
    const fault = this.faults.get(kind)!;
    const value = fault.stopValue();
    if (value === null && !scheduled) return false;
    const label = fault.label() ?? kind;
    const f = 'stop-' + kind;
    ctx.record({ process: 'nemesis', type: 'info', f, value });
    let error: string | undefined;
    try { await fault.undo(ctx.runtime); } catch (e) { error = errorText(e); }
    ctx.record({ process: 'nemesis', type: 'info', f, value, ...(error !== undefined ? { error } : {}) });
    ctx.log(`nemesis: stop ${label}${error !== undefined ? ` (error: ${error})` : ''}`);
    return true;
  }

  async healAll(ctx: NemesisContext): Promise<void> {
    this.cancel.abort();
    if (this.inflight) {
      const waitMs = this.tuning.inflightWaitMs ?? 20_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.inflight.then(() => false, () => false),
        new Promise<boolean>((r) => { timer = setTimeout(() => r(true), waitMs); }),
      ]);
      clearTimeout(timer);
      if (timedOut) ctx.log(`nemesis: a fault action still runs after ${waitMs} ms; healing anyway`);
    }
    let stopped = 0;
    for (const kind of this.healOrder) {
      try { if (await this.stop(ctx, kind)) stopped++; } catch (e) { ctx.log(`nemesis: stop ${kind} failed: ${errorText(e)}`); }
    }
    // defensively, whatever we believe is active: reconnect, clear links, resume, restart, reset clocks.
    // A kind this run never scheduled was never applied, and its heal may fail only because the
    // runtime cannot do that kind for this system (clock on etcd): those failures are not news
    const killed = new Set(DOWN_KINDS.flatMap((k) => this.faults.get(k)!.held()));
    let failed = 0;
    for (const kind of this.healOrder) {
      const fault = this.faults.get(kind)!;
      const scheduled = this.scheduled.includes(kind);
      let errs: string[];
      try {
        errs = await fault.healDefensive(ctx.runtime, ctx.nodes, killed);
      } catch (e) { errs = [`${kind}: ${errorText(e)}`]; }
      if (!scheduled) continue;
      for (const e of errs) ctx.log(`nemesis: heal step failed: ${e}`);
      failed += errs.length;
    }
    if (!this.healedOnce || stopped > 0 || failed > 0) {
      ctx.log(`nemesis: healed all faults${failed ? ` (${failed} step(s) failed, see above)` : ''}`);
    }
    this.healedOnce = true;
  }

  active(): string[] {
    return this.healOrder.map((k) => this.faults.get(k)!.label()).filter((l): l is string => l !== null);
  }
}
