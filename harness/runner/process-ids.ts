/**
 * Jepsen's process model: worker w starts as process w; when one of its ops completes with `info`
 * (outcome unknown, the op may still be in flight inside the system) that process is retired and
 * the worker continues as process + concurrency. So process p always belongs to worker
 * p mod concurrency, and a process never has two ops open at once.
 */
export class ProcessIds {
  private readonly current: number[];

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
    this.current = Array.from({ length: concurrency }, (_, w) => w);
  }

  of(worker: number): number {
    const p = this.current[worker];
    if (p === undefined) throw new Error(`no worker ${worker} (concurrency ${this.concurrency})`);
    return p;
  }

  /** retire the worker's process after an `info` completion; returns the new process id */
  retire(worker: number): number {
    const next = this.of(worker) + this.concurrency;
    this.current[worker] = next;
    return next;
  }

  static workerOf(process: number, concurrency: number): number {
    return process % concurrency;
  }
}
