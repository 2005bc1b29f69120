import type { Op } from '../../api/history.ts';
import type { Key, MicroOp, Txn } from './types.ts';

/** The txns of a history plus what could not be read as one. */
export interface ParsedTxns {
  /** every txn in invoke order */
  txns: Txn[];
  /** the ok and info txns: the graph's nodes, `nodes[t.id] === t` */
  nodes: Txn[];
  /** problems with the input, one line each (capped) */
  notes: string[];
  /** how many txn ops were malformed and skipped */
  malformed: number;
}

const MAX_NOTES = 20;

/** a key as a Map key: numbers and strings as they are, anything else by its JSON */
export function keyOf(k: unknown): Key | null {
  if (typeof k === 'number' || typeof k === 'string') return k;
  if (k === null || k === undefined) return null;
  try { return JSON.stringify(k); } catch { return null; }
}

/** the micro-ops of a txn value, or a reason they are not */
export function microOps(value: unknown): MicroOp[] | string {
  if (!Array.isArray(value)) return `value is not an array of micro-ops: ${short(value)}`;
  let copy = false;
  for (let i = 0; i < value.length; i++) {
    const m = value[i];
    if (!Array.isArray(m) || m.length !== 3) return `micro-op ${i} is not [f k v]: ${short(m)}`;
    const f = m[0];
    if (f !== 'append' && f !== 'r' && f !== 'w') return `micro-op ${i} has f ${short(f)}, expected "append", "r" or "w"`;
    const k = m[1];
    if (typeof k !== 'number' && typeof k !== 'string') { if (keyOf(k) === null) return `micro-op ${i} has no key: ${short(m)}`; copy = true; }
  }
  // the history's own arrays when every key is already a number or string
  if (!copy) return value as MicroOp[];
  return value.map((m: MicroOp) => [m[0], keyOf(m[1])!, m[2]] as MicroOp);
}

export function short(v: unknown): string {
  let s: string;
  try { s = JSON.stringify(v) ?? String(v); } catch { s = String(v); }
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/**
 * Pairs each `f: "txn"` invoke with the next completion of the same process. Other ops (nemesis,
 * final reads, other fs) are ignored. An invoke without a completion is an info txn. Never throws:
 * malformed ops are skipped and noted.
 */
export function parseTxns(history: readonly Op[]): ParsedTxns {
  const txns: Txn[] = [];
  const notes: string[] = [];
  let malformed = 0;
  const note = (s: string) => { malformed++; if (notes.length < MAX_NOTES) notes.push(s); };
  const open = new Map<unknown, Txn | null>();
  if (!Array.isArray(history)) return { txns, nodes: [], notes: ['the history is not an array of ops'], malformed: 1 };
  for (let i = 0; i < history.length; i++) {
    const op = history[i] as Op | undefined;
    if (!op || typeof op !== 'object' || op.f !== 'txn' || op.process === 'nemesis') continue;
    const index = typeof op.index === 'number' ? op.index : i;
    if (op.type === 'invoke') {
      if (open.has(op.process)) note(`op ${index}: process ${String(op.process)} invoked a txn while another was open`);
      const ops = microOps(op.value);
      let txn: Txn | null = null;
      if (typeof ops === 'string') note(`op ${index}: ${ops}`);
      else {
        txn = { id: -1, index, completeIndex: -1, process: op.process, type: 'info', ops };
        txns.push(txn);
      }
      open.set(op.process, txn);
      continue;
    }
    if (op.type !== 'ok' && op.type !== 'fail' && op.type !== 'info') { note(`op ${index}: unknown type ${short(op.type)}`); continue; }
    const txn = open.get(op.process);
    if (txn === undefined) { note(`op ${index}: ${op.type} completion without an invoke on process ${String(op.process)}`); continue; }
    open.delete(op.process);
    if (!txn) continue;
    txn.type = op.type;
    txn.completeIndex = index;
    if (op.type === 'ok') {
      const ops = microOps(op.value);
      if (typeof ops === 'string') { note(`op ${index}: ok completion ${ops}; the txn is treated as info`); txn.type = 'info'; }
      else if (ops.length !== txn.ops.length) { note(`op ${index}: ok completion has ${ops.length} micro-ops, its invoke ${txn.ops.length}; treated as info`); txn.type = 'info'; }
      else txn.ops = ops;
    }
  }
  const nodes: Txn[] = [];
  for (const t of txns) if (t.type !== 'fail') { t.id = nodes.length; nodes.push(t); }
  return { txns, nodes, notes, malformed };
}
