import type { Rng } from '../../api/rng.ts';
import { sleep } from './sleep.ts';

/**
 * The next start time for an op under a total rate limit with jitter (pure core).
 * Gaps are interval × [0.5, 1.5) so the mean rate is the asked one but starts do not line up in
 * lockstep (lockstep hides races). A limiter that fell behind (slow clients) does not burst to
 * catch up: the next slot is never before `now`.
 */
export function nextSlot(prevSlotMs: number, nowMs: number, intervalMs: number, unit: number): number {
  return Math.max(nowMs, prevSlotMs + intervalMs * (0.5 + unit));
}

/** Shared by all workers: `acquire` reserves the next slot and sleeps until it. */
export class RateLimiter {
  private last = -Infinity;
  private readonly intervalMs: number;

  constructor(opsPerSecond: number, private readonly rng: Rng, private readonly now: () => number = () => performance.now()) {
    if (!(opsPerSecond > 0)) throw new Error(`rate must be > 0, got ${opsPerSecond}`);
    this.intervalMs = 1000 / opsPerSecond;
  }

  /**
   * true when the reserved slot is now, else a promise that resolves at it; false when `signal`
   * aborted first. (No promise when there is nothing to wait for: at high rates that is most ops.)
   */
  acquire(signal: AbortSignal): boolean | Promise<boolean> {
    const now = this.now();
    const slot = this.last === -Infinity ? now : nextSlot(this.last, now, this.intervalMs, this.rng.next());
    this.last = slot;
    if (slot <= now) return !signal.aborted;
    return sleep(slot - now, signal).then(() => !signal.aborted);
  }
}
