/**
 * The nemesis on simulated time: nemesis/index.ts's schedule, fault plans and records, with its
 * waits on the simulated clock. The fault kinds themselves (nemesis/*.ts: plan, apply, undo, heal)
 * are the real ones, acting on the simulated runtime; a clock freeze's instant is the simulated
 * wall clock. `only`, when set, keeps just those fault starts (by their order in the schedule):
 * the shrinker drops faults with it.
 */
import type { FaultKind, Fault, NemesisContext, NemesisOptions } from '../../api/fault.ts';
import { FAULT_KINDS } from '../../api/fault.ts';
import type { Rng } from '../../api/rng.ts';
import type { Scheduler } from '../../runtimes/sim/scheduler.ts';
import { PartitionFault } from '../../nemesis/partition.ts';
import { PauseFault } from '../../nemesis/pause.ts';
import { KillFault } from '../../nemesis/kill.ts';
import { ClockFault, DEFAULT_CLOCK_TUNING } from '../../nemesis/clock.ts';
import { LinkFault } from '../../nemesis/link.ts';
import { schedule } from '../../nemesis/schedule.ts';
import { errorText } from '../../nemesis/fault.ts';

const HEAL_ORDER: readonly FaultKind[] = ['partition', 'link', 'pause', 'kill', 'clock'];

export interface SimNemesisTuning {
  /** keep only these fault starts (0-based order of starts in the schedule); absent = all */
  only?: ReadonlySet<number>;
  /** a fault's window (start → its stop) is at most this many ms; absent = as scheduled */
  maxWindowMs?: number;
}

export class SimNemesis {
  private readonly faults = new Map<FaultKind, Fault>();
  private starts = 0;
  /** index of the start each active kind came from (undefined: skipped by `only`) */
  private activeFrom = new Map<FaultKind, number>();
  /** fault starts the schedule made (whether kept or not), for the shrinker */
  startsSeen = 0;

  constructor(private readonly opts: NemesisOptions, private readonly sched: Scheduler, wallNow: () => number, private readonly tuning: SimNemesisTuning = {}) {
    this.faults.set('partition', new PartitionFault(opts.partitionShape));
    this.faults.set('pause', new PauseFault(opts.pauseTargets ?? 'mixed'));
    this.faults.set('kill', new KillFault(opts.killTargets ?? 'mixed'));
    this.faults.set('clock', new ClockFault(opts.clockSkewMs, DEFAULT_CLOCK_TUNING, (ms, signal) => sched.sleep(ms, signal), opts.clockMode ?? 'mixed', wallNow));
    this.faults.set('link', new LinkFault());
  }

  private readonly cancel = new AbortController();

  async run(ctx: NemesisContext, signal: AbortSignal): Promise<void> {
    const stop = () => this.cancel.abort();
    if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
    const halt = this.cancel.signal;
    const rngs = new Map<FaultKind, Rng>(FAULT_KINDS.map((k) => [k, ctx.rng.fork('nemesis:' + k)]));
    try {
      for (const ev of schedule(this.opts.kinds, this.opts.intervalS, ctx.rng.fork('nemesis:schedule'))) {
        await this.sched.sleep(ev.waitMs, halt);
        if (halt.aborted) break;
        if (ev.action === 'start') await this.start(ctx, ev.kind, rngs.get(ev.kind)!, halt);
        else if (this.activeFrom.has(ev.kind)) { this.activeFrom.delete(ev.kind); await this.stop(ctx, ev.kind, true); }
      }
    } catch (e) {
      ctx.log(`nemesis: schedule stopped: ${errorText(e)}`);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private async start(ctx: NemesisContext, kind: FaultKind, rng: Rng, halt: AbortSignal): Promise<void> {
    const fault = this.faults.get(kind)!;
    const held = new Set([...this.faults.values()].flatMap((f) => f.held()));
    // the plan is drawn whether or not the start is kept, so the kept ones keep their targets
    // a system with no leader (maep) names none: targets that aim at primaries find none, as on a real run
    const plan = fault.plan({ nodes: ctx.nodes, rng, held, primaries: fault.wantsPrimaries ? [] : undefined });
    const n = this.starts++;
    this.startsSeen = this.starts;
    if (this.tuning.only && !this.tuning.only.has(n)) return;
    this.activeFrom.set(kind, n);
    const f = 'start-' + kind;
    ctx.record({ process: 'nemesis', type: 'info', f, value: plan });
    let error: string | undefined;
    try { await fault.apply(ctx.runtime, plan, halt); } catch (e) { error = errorText(e); }
    ctx.record({ process: 'nemesis', type: 'info', f, value: plan, ...(error !== undefined ? { error } : {}) });
    if (this.tuning.maxWindowMs !== undefined) {
      // a shorter window: stop early (the scheduled stop then finds nothing of this start active)
      void this.sched.sleep(this.tuning.maxWindowMs, halt).then(async () => {
        if (halt.aborted || this.activeFrom.get(kind) !== n) return;
        this.activeFrom.delete(kind);
        await this.stop(ctx, kind, true);
      });
    }
  }

  private async stop(ctx: NemesisContext, kind: FaultKind, scheduled = false): Promise<boolean> {
    const fault = this.faults.get(kind)!;
    const value = fault.stopValue();
    if (value === null && !scheduled) return false;
    const f = 'stop-' + kind;
    ctx.record({ process: 'nemesis', type: 'info', f, value });
    let error: string | undefined;
    try { await fault.undo(ctx.runtime); } catch (e) { error = errorText(e); }
    ctx.record({ process: 'nemesis', type: 'info', f, value, ...(error !== undefined ? { error } : {}) });
    return true;
  }

  async healAll(ctx: NemesisContext): Promise<void> {
    this.cancel.abort();
    for (const kind of HEAL_ORDER) await this.stop(ctx, kind);
    const killed = new Set(this.faults.get('kill')!.held());
    for (const kind of HEAL_ORDER) {
      const errs = await this.faults.get(kind)!.healDefensive(ctx.runtime, ctx.nodes, killed);
      for (const e of errs) ctx.log(`nemesis: heal step failed: ${e}`);
    }
  }
}
