/**
 * A node's simulated clocks. Wall time starts at a fixed instant (so histories replay byte for
 * byte) and follows simulated time, plus the node's offset (clock bumps and strobes), or stands
 * still while frozen. Monotonic time is simulated time: skewing the wall clock never touches it.
 */
import type { Scheduler } from './scheduler.ts';

/** the simulated epoch: 2027-01-15T08:00:00Z, fixed so that op timestamps replay exactly */
export const SIM_EPOCH_MS = 1_800_000_000_000;

export class SimClock {
  offsetMs = 0;
  frozenAtMs: number | null = null;

  constructor(private readonly sched: Scheduler) {}

  wallNow(): number {
    return this.frozenAtMs ?? Math.floor(SIM_EPOCH_MS + this.sched.now + this.offsetMs);
  }

  monoNow(): number {
    return this.sched.now;
  }

  setOffset(ms: number): void { this.offsetMs = ms; this.frozenAtMs = null; }
  freeze(atMs: number): void { this.frozenAtMs = atMs; }
}
