import type { Op } from '../../api/history.ts';

/**
 * Jepsen's EDN history format, so Elle, Knossos or elle-cli can read a splitbrain history:
 * one map per line, `{:index 0, :time 12, :type :invoke, :process 0, :f :read, :value nil}`.
 * Map keys become keywords (or integers when they are digits, as Jepsen's bank histories use
 * `{0 10, 1 10}`), strings stay strings, arrays become vectors.
 */

const SYMBOL = /^[a-zA-Z*+!_?<>=-][a-zA-Z0-9*+!_?<>=.-]*$/;

export function ednString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
}

export function keyword(name: string): string {
  return SYMBOL.test(name) ? ':' + name : ednString(name);
}

function ednKey(k: string): string {
  if (/^-?(0|[1-9]\d{0,14})$/.test(k)) return k;
  return keyword(k);
}

export function toEdn(v: unknown): string {
  if (v instanceof EdnRaw) return v.text;
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'nil';
    return Number.isInteger(v) ? String(v) : String(v).replace('e', 'E');
  }
  if (typeof v === 'bigint') return v.toString() + 'N';
  if (typeof v === 'string') return ednString(v);
  if (Array.isArray(v)) return '[' + v.map(toEdn).join(' ') + ']';
  if (typeof v === 'object') {
    return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => `${ednKey(k)} ${toEdn(x)}`).join(', ') + '}';
  }
  return ednString(String(v));
}

/** one op as a Jepsen EDN map; type and f are keywords, process "nemesis" is :nemesis */
export function opToEdn(op: Op, value: unknown = op.value, f: string = op.f): string {
  const parts = [
    `:index ${op.index}`,
    `:time ${op.time}`,
    `:type :${op.type}`,
    `:process ${op.process === 'nemesis' ? ':nemesis' : op.process}`,
    `:f ${keyword(f)}`,
    `:value ${toEdn(value)}`,
  ];
  if (op.node !== undefined) parts.push(`:node ${ednString(op.node)}`);
  if (op.error !== undefined) parts.push(`:error ${ednString(op.error)}`);
  return '{' + parts.join(', ') + '}';
}

/**
 * The whole history as EDN text. For the history (append) workload the client ops become Elle's
 * list-append transactions (`:f :txn`, `[[:append k v]]`, `[[:r k [v ...]]]`) so elle-cli's
 * list-append checker can read them; final reads are left out there since they are not
 * transactions. Other workloads keep Jepsen's independent-key shape as recorded ([k v]).
 */
export function historyToEdn(ops: readonly Op[], workload?: string): string {
  const lines: string[] = [];
  for (const op of ops) {
    if (workload === 'history' && op.process !== 'nemesis') {
      if (op.f === 'final-read') continue;
      const txn = listAppendTxn(op);
      if (txn) { lines.push(opToEdn(op, txn.value, 'txn')); continue; }
    }
    lines.push(opToEdn(op));
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** the micro-op vector `[[:append k v]]` or `[[:r k vs]]` for an append-workload op */
function listAppendTxn(op: Op): { value: EdnRaw } | null {
  if (!Array.isArray(op.value) || op.value.length !== 2) return null;
  const [k, v] = op.value as [unknown, unknown];
  if (op.f === 'append') return { value: new EdnRaw(`[[:append ${toEdn(k)} ${toEdn(v)}]]`) };
  if (op.f === 'read') return { value: new EdnRaw(`[[:r ${toEdn(k)} ${toEdn(v)}]]`) };
  return null;
}

/** already-formatted EDN (e.g. keywords inside vectors, which JSON values cannot express) */
export class EdnRaw {
  constructor(readonly text: string) {}
}
