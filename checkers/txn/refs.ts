import type { Key, OpAnomaly, Txn, TxnRef } from './types.ts';

/** a txn as reports show it */
export function txnRef(t: Txn, name = 'T'): TxnRef {
  return { name, index: t.index, completeIndex: t.completeIndex, process: t.process, type: t.type, value: t.ops };
}

/** a value as a map key: numbers and strings as they are, anything else by its JSON */
export function valKey(v: unknown): string | number {
  if (typeof v === 'number' || typeof v === 'string') return v;
  try { return 'json:' + JSON.stringify(v); } catch { return String(v); }
}

/** "[... 4 5 6]": the last few elements of a read, enough to check the claim */
export function tail(list: readonly unknown[], n = 4): string {
  const shown = list.slice(Math.max(0, list.length - n)).map(fmt).join(' ');
  return list.length > n ? `[... ${shown}]` : `[${shown}]`;
}

/** the elements around position i of a version order, e.g. "[... 2 3 ...]" */
export function window(list: readonly unknown[], from: number, to: number): string {
  const a = Math.max(0, from), b = Math.min(list.length, to + 1);
  return `[${a > 0 ? '... ' : ''}${list.slice(a, b).map(fmt).join(' ')}${b < list.length ? ' ...' : ''}]`;
}

export function fmt(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try { return JSON.stringify(v); } catch { return String(v); }
}

/** a non-cycle anomaly about one txn */
export function opAnomaly(type: string, t: Txn, why: string, key?: Key, extra: Record<string, unknown> = {}): OpAnomaly {
  const a: OpAnomaly = { type, txn: txnRef(t, 'T1'), why: `T1 (${where(t)}) ${why}`, ...extra };
  if (key !== undefined) a.key = key;
  return a;
}

/** "op 12, process 3" */
export function where(t: Txn): string {
  return `op ${t.index}, process ${String(t.process)}`;
}

/** collects anomalies by type, keeping the first `cap` of each and counting all */
export class AnomalyBag {
  readonly byType = new Map<string, { list: unknown[]; count: number }>();
  constructor(private readonly cap = 20) {}
  add(type: string, a: unknown): void {
    let e = this.byType.get(type);
    if (!e) { e = { list: [], count: 0 }; this.byType.set(type, e); }
    e.count++;
    if (e.list.length < this.cap) e.list.push(a);
  }
  has(type: string): boolean { return this.byType.has(type); }
}
