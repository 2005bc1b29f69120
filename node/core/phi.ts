/**
 * Phi-accrual failure detector (Hayashibara et al., as in Akka/Cassandra). It keeps a window of
 * heartbeat inter-arrival times and reports phi = -log10(P(a heartbeat is still to come this late)),
 * assuming normally distributed intervals. Times are monotonic milliseconds, never wall clock, so
 * clock skew cannot make a peer look dead.
 */
export interface PhiOptions {
  /** phi above this means suspect (8 ≈ one false positive in 10^8 under the model) */
  threshold: number;
  /** how many inter-arrival samples to keep */
  windowSize: number;
  /** floor on the standard deviation, so a very regular heartbeat does not make phi jumpy */
  minStdDevMs: number;
  /** extra silence tolerated before phi starts rising (GC pauses, loaded machine) */
  acceptablePauseMs: number;
}

export function defaultPhiOptions(heartbeatMs = 200): PhiOptions {
  return { threshold: 8, windowSize: 100, minStdDevMs: Math.max(50, heartbeatMs / 2), acceptablePauseMs: heartbeatMs * 2 };
}

export class PhiAccrual {
  private readonly intervals: number[] = [];
  private sum = 0;
  private sumSq = 0;
  private last: number | undefined;

  constructor(private readonly opts: PhiOptions, private readonly firstIntervalMs: number) {}

  heartbeat(nowMs: number): void {
    if (this.last === undefined) {
      // seed with the expected interval so phi is meaningful after the first beat
      this.push(this.firstIntervalMs);
    } else {
      this.push(nowMs - this.last);
    }
    this.last = nowMs;
  }

  private push(x: number): void {
    this.intervals.push(x); this.sum += x; this.sumSq += x * x;
    if (this.intervals.length > this.opts.windowSize) {
      const old = this.intervals.shift()!;
      this.sum -= old; this.sumSq -= old * old;
    }
  }

  /** 0 before any heartbeat arrived: a peer never heard from is not "suspect", merely unknown */
  phi(nowMs: number): number {
    if (this.last === undefined) return 0;
    const n = this.intervals.length;
    const mean = this.sum / n + this.opts.acceptablePauseMs;
    const variance = Math.max(0, this.sumSq / n - (this.sum / n) ** 2);
    const std = Math.max(Math.sqrt(variance), this.opts.minStdDevMs);
    const y = (nowMs - this.last - mean) / std;
    // logistic approximation of the normal CDF tail (Akka), stable for large y
    const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
    const p = nowMs - this.last > mean ? e / (1 + e) : 1 - 1 / (1 + e);
    return -Math.log10(Math.max(p, 1e-300));
  }

  heardOf(): boolean { return this.last !== undefined; }
}
