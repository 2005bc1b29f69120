import { closeSync, openSync, writeSync, fsyncSync } from 'node:fs';
import type { Op, OpInput } from '../../api/history.ts';

/**
 * Appends ops to history.jsonl as they happen. The lines recorded during one turn of the event
 * loop go to the file in one write at the end of that turn (and at close, and when the process
 * exits): two writes per op were a tenth of the harness's CPU per op (issue #20). So the file is
 * always a prefix of the recorded ops, in order, each a whole line; a harness killed with kill -9
 * loses at most the last turn's lines, which is the same history as had it been killed a moment
 * earlier (an invoke that did not reach the file is an op never tried, no later op is there that
 * could have seen it). Index and time (ns since the recorder started, monotonic) are assigned here.
 */
export class HistoryRecorder {
  private fd: number | null;
  private nextIndex = 0;
  private startNs: bigint;
  /** lines recorded in this turn of the event loop, not yet written */
  private unwritten = '';
  private flushQueued = false;
  private readonly listeners: ((op: Op) => void)[] = [];
  /** the ops in memory too, for the checkers at the end of the run */
  readonly ops: Op[] = [];

  constructor(readonly path: string, startNs: bigint = process.hrtime.bigint()) {
    this.fd = openSync(path, 'a');
    this.startNs = startNs;
    openRecorders.add(this);
  }

  record(input: OpInput): Op {
    const op: Op = { index: this.nextIndex++, time: Number(process.hrtime.bigint() - this.startNs), ...input };
    this.unwritten += historyLine(op);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(flushLater, this);
    }
    this.ops.push(op);
    for (const l of this.listeners) l(op);
    return op;
  }

  /** writes the lines recorded so far (a no-op when there are none) */
  flush(): void {
    this.flushQueued = false;
    const text = this.unwritten;
    this.unwritten = '';
    // after close the lines have nowhere to go (the ops stay in memory): drop them, do not pile them up
    if (text === '' || this.fd === null) return;
    writeSync(this.fd, text);
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
    this.flush();
    openRecorders.delete(this);
    try { fsyncSync(this.fd); } catch { /* best effort: the lines are already written */ }
    closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * One line of history.jsonl in Jepsen's field order (index, time, type, process, f, value, node,
 * error), the same text as JSON.stringify of those fields, built without a second object per op.
 */
export function historyLine(op: Op): string {
  // type is one of four plain words and process mostly a number: no JSON.stringify needed for them
  const proc = typeof op.process === 'number' ? op.process : JSON.stringify(op.process);
  let line = `{"index":${op.index},"time":${op.time},"type":"${op.type}","process":${proc},"f":${JSON.stringify(op.f)},"value":${JSON.stringify(op.value ?? null) ?? 'null'}`;
  if (op.node !== undefined) line += `,"node":${JSON.stringify(op.node)}`;
  if (op.error !== undefined) line += `,"error":${JSON.stringify(op.error)}`;
  return line + '}\n';
}

function flushLater(r: HistoryRecorder): void {
  r.flush();
}

// a process.exit() (a crash handler, a second Ctrl-C) still writes what was recorded
const openRecorders = new Set<HistoryRecorder>();
process.on('exit', () => { for (const r of openRecorders) r.flush(); });
