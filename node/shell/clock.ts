/**
 * The node's clocks. Wall time is Date.now() (which the harness fakes with libfaketime via
 * LD_PRELOAD) plus an optional offset read from --clock-offset-file — the fallback skew mechanism
 * when libfaketime is not available: the file holds an integer number of ms (absent or empty = 0)
 * and is re-read at most every 100 ms. Monotonic time (performance.now) drives every timer and the
 * failure detector, so skewing the wall clock never breaks liveness.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export class NodeClock {
  private offset = 0;
  private lastRead = -Infinity;
  private warned = false;

  constructor(private readonly offsetFile?: string, private readonly warn: (msg: string) => void = () => {}) {}

  monoNow(): number { return performance.now(); }

  wallNow(): number {
    if (this.offsetFile) {
      const now = performance.now();
      if (now - this.lastRead >= 100) { this.lastRead = now; this.offset = this.readOffset(); }
    }
    return Date.now() + this.offset;
  }

  private readOffset(): number {
    let text: string;
    try { text = readFileSync(this.offsetFile!, 'utf8').trim(); } catch { return 0; }
    if (text === '') return 0;
    const n = Number(text);
    if (!Number.isSafeInteger(n)) {
      if (!this.warned) { this.warned = true; this.warn(`clock offset file ${this.offsetFile} holds ${JSON.stringify(text.slice(0, 40))}, not an integer number of ms; using 0`); }
      return 0;
    }
    this.warned = false;
    return n;
  }
}
