/**
 * Simulated time: an event queue keyed by (time, insertion order). Nothing here waits on the wall
 * clock: `run` pops the earliest event, sets `now` to its time and runs it. Ties run in the order
 * they were scheduled, so a run is a pure function of its inputs and seed.
 *
 * Async code (the runner's workers, clients, the nemesis) sleeps with `sleep`, whose promise is
 * resolved by an event; after such an event `run` lets every microtask settle before the next event, so the promise
 * chains it woke run at that simulated instant, in a deterministic order. (A process.nextTick
 * callback runs only once V8 has drained the whole microtask queue, so it is a cheap barrier.)
 */
/** an event's function returns true when it resolved promises that async code awaits */
type EventFn = () => boolean | void;
interface Event { t: number; seq: number; fn: EventFn }

export class Scheduler {
  /** simulated ms since the start of the simulation */
  now = 0;
  private heap: Event[] = [];
  private seq = 0;
  events = 0;

  /** run fn at now + ms (ms ≥ 0); fn returns true when it woke async code (resolved a promise) */
  after(ms: number, fn: EventFn): void {
    this.push({ t: this.now + Math.max(0, ms), seq: this.seq++, fn });
  }

  /** resolves after ms of simulated time, or at once when signal aborts */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const waiter = new Waiter<void>(resolve, signal, nothing);
      this.after(ms, () => waiter.fire());
    });
  }

  /**
   * Drives events until `body` settles; returns what it returned. `limitMs` bounds simulated time
   * (a body that never ends is a bug: it throws rather than spin forever).
   */
  async run<T>(body: () => Promise<T>, limitMs: number): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    body().then((v) => { settled = true; value = v; }, (e) => { settled = true; failed = true; error = e; });
    await settle();
    while (!settled) {
      const ev = this.pop();
      if (!ev) throw new Error('simulation stalled: nothing is scheduled and the run has not ended');
      if (ev.t > limitMs) throw new Error(`simulation passed its bound of ${limitMs} ms of simulated time`);
      this.now = ev.t;
      this.events++;
      if (ev.fn() === true) await settle();
    }
    if (failed) throw error;
    return value as T;
  }

  // sift with a hole rather than swapping pairs: the same heap, and no [a, b] = [b, a] array per step
  private push(e: Event): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = -1;
        let best = last;
        if (l < n && before(h[l]!, best)) { m = l; best = h[l]!; }
        if (r < n && before(h[r]!, best)) m = r;
        if (m < 0) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

/**
 * A promise's resolve, used once: by an event (`fire` returns true the first time, as an event
 * function does when it woke async code) or by the abort of `signal` (which calls handleEvent, and
 * resolves with `onAbort()`). An object rather than named closures per wait: tsx wraps every named
 * closure it creates in a naming helper, and the simulator waits several times per op.
 */
export class Waiter<T> {
  private done = false;
  constructor(private readonly resolve: (v: T) => void, private readonly signal: AbortSignal | undefined, private readonly onAbort: () => T) {
    signal?.addEventListener('abort', this, { once: true });
  }

  fire(v: T): boolean {
    if (this.done) return false;
    this.done = true;
    this.signal?.removeEventListener('abort', this);
    this.resolve(v);
    return true;
  }

  handleEvent(): void { this.fire(this.onAbort()); }
}

function nothing(): void {}

function before(a: Event, b: Event): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** every pending microtask (and what it chains) has run once this resolves */
function settle(): Promise<void> {
  return new Promise((r) => process.nextTick(r));
}
