import type { Op, OpType, ProcessId } from '../../api/history.ts';

/**
 * Builds small hand-made histories for tests: each line gets the next index and a time that
 * advances by `stepS` seconds, unless `at(seconds)` moves the clock.
 */
export class HistoryBuilder {
  readonly ops: Op[] = [];
  private nowNs = 0;
  constructor(private readonly stepS = 0.1) {}

  at(seconds: number): this { this.nowNs = Math.round(seconds * 1e9); return this; }

  line(type: OpType, process: ProcessId, f: string, value: unknown, node?: string): this {
    const op: Op = { index: this.ops.length, time: this.nowNs, type, process, f, value };
    if (node !== undefined) op.node = node;
    this.ops.push(op);
    this.nowNs += Math.round(this.stepS * 1e9);
    return this;
  }

  /** invoke immediately followed by its completion */
  op(process: ProcessId, f: string, type: Exclude<OpType, 'invoke'>, invokeValue: unknown, completionValue: unknown = invokeValue, node?: string): this {
    return this.line('invoke', process, f, invokeValue, node).line(type, process, f, completionValue, node);
  }

  finalRead(node: string, state: unknown, digest = 'root', process: ProcessId = 1000): this {
    return this.op(process, 'final-read', 'ok', null, { state, digest }, node);
  }

  nemesis(f: string, value: unknown = null): this {
    return this.line('info', 'nemesis', f, null).line('info', 'nemesis', f, value);
  }
}
