import { closeSync, openSync, writeSync, fsyncSync } from 'node:fs';
import type { Op, OpInput } from '../../api/history.ts';

/**
 * Appends ops to history.jsonl as they happen. Each op is one synchronous write, so whatever
 * happens to the harness afterwards (kill -9 included), every op recorded so far is in the file
 * as a whole line. Index and time (ns since the recorder started, monotonic) are assigned here.
 */
export class HistoryRecorder {
  private fd: number | null;
  private nextIndex = 0;
  private startNs: bigint;
  private readonly listeners: ((op: Op) => void)[] = [];
  /** the ops in memory too, for the checkers at the end of the run */
  readonly ops: Op[] = [];

  constructor(readonly path: string, startNs: bigint = process.hrtime.bigint()) {
    this.fd = openSync(path, 'a');
    this.startNs = startNs;
  }

  record(input: OpInput): Op {
    const op: Op = { index: this.nextIndex++, time: Number(process.hrtime.bigint() - this.startNs), ...input };
    // keep Jepsen's field order in the file: index, time, type, process, f, value, node, error
    const line = JSON.stringify({ index: op.index, time: op.time, type: op.type, process: op.process, f: op.f, value: op.value ?? null, node: op.node, error: op.error });
    if (this.fd !== null) writeSync(this.fd, line + '\n');
    this.ops.push(op);
    for (const l of this.listeners) l(op);
    return op;
  }

  /**
   * Time 0 becomes now, as Jepsen's times count from the start of the workload, not of the
   * cluster setup. Only before the first op, so times stay monotonic.
   */
  startClock(): void {
    if (this.nextIndex === 0) this.startNs = process.hrtime.bigint();
  }

  onRecord(listener: (op: Op) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    if (this.fd === null) return;
    try { fsyncSync(this.fd); } catch { /* best effort: the lines are already written */ }
    closeSync(this.fd);
    this.fd = null;
  }
}
