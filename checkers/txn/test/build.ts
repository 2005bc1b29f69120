import type { Op } from '../../../api/history.ts';

type M = [string, unknown, unknown];

/**
 * Hand-made txn histories: invoke(p, ops) opens a txn on process p; ok(p, ops) / fail(p) / info(p)
 * completes it. Invoke values have reads as null, as a client sends them. txn(p, ops) does both.
 */
export class TxnHistory {
  readonly ops: Op[] = [];
  private readonly open = new Map<number, M[]>();

  invoke(p: number, ops: M[]): this {
    const inv = ops.map(([f, k, v]) => [f, k, f === 'r' ? null : v] as M);
    this.open.set(p, ops);
    return this.push('invoke', p, inv);
  }
  ok(p: number, ops?: M[]): this { const v = ops ?? this.open.get(p)!; this.open.delete(p); return this.push('ok', p, v); }
  fail(p: number): this { const v = this.open.get(p)!.map(([f, k, x]) => [f, k, f === 'r' ? null : x]); this.open.delete(p); return this.push('fail', p, v); }
  info(p: number): this { const v = this.open.get(p)!.map(([f, k, x]) => [f, k, f === 'r' ? null : x]); this.open.delete(p); return this.push('info', p, v); }
  txn(p: number, ops: M[]): this { return this.invoke(p, ops).ok(p); }

  private push(type: Op['type'], process: number, value: unknown): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1000, type, process, f: 'txn', value });
    return this;
  }
}

export const a = (k: unknown, v: unknown): M => ['append', k, v];
export const r = (k: unknown, v: unknown): M => ['r', k, v];
export const w = (k: unknown, v: unknown): M => ['w', k, v];
