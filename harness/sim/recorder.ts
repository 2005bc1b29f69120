/**
 * The history recorder on simulated time: the same lines as harness/history/recorder.ts (Jepsen's
 * field order), with `time` in simulated ns since the main phase began. The lines are kept in
 * memory and written at the end (or not at all: a sweep checks in memory), so a run's history is
 * a pure function of its seed and flags, byte for byte.
 */
import { writeFileSync } from 'node:fs';
import type { Op, OpInput } from '../../api/history.ts';
import { historyLine } from '../history/recorder.ts';

export class SimRecorder {
  readonly ops: Op[] = [];
  private startMs = 0;
  private readonly listeners: ((op: Op) => void)[] = [];

  constructor(private readonly nowMs: () => number) {}

  record(input: OpInput): Op {
    const op: Op = { index: this.ops.length, time: Math.round((this.nowMs() - this.startMs) * 1e6), ...input };
    this.ops.push(op);
    for (const l of this.listeners) l(op);
    return op;
  }

  /** time 0 is the start of the main phase (as on a real run); only before the first op */
  startClock(): void {
    if (this.ops.length === 0) this.startMs = this.nowMs();
  }

  onRecord(listener: (op: Op) => void): void { this.listeners.push(listener); }

  /** history.jsonl, as the real recorder writes it */
  text(): string {
    let out = '';
    for (const op of this.ops) out += historyLine(op);
    return out;
  }

  write(path: string): void { writeFileSync(path, this.text()); }
}
