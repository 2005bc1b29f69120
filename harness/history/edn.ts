import { toEDNString, toKeyword, type EDNVal } from 'edn-data';
import type { Op } from '../../api/history.ts';

/**
 * Jepsen's EDN history format, so Elle, Knossos or elle-cli can read a splitbrain history:
 * one map per line, `{:index 0, :time 12, :type :invoke, :process 0, :f :read, :value nil}`.
 * Map keys become keywords (or integers when they are digits, as Jepsen's bank histories use
 * `{0 10, 1 10}`), strings stay strings, arrays become vectors.
 *
 * Values are converted to edn-data's EDN values (keywords, maps as entry lists) and printed by
 * edn-data; only maps are joined here, with ", " between entries as Jepsen's own files have them.
 * The reader is edn-read.ts.
 */

const SYMBOL = /^[a-zA-Z*!_?<>=][a-zA-Z0-9*+!_?<>=.-]*$|^[+-]([a-zA-Z*!_?<>=.+-][a-zA-Z0-9*+!_?<>=.-]*)?$/;

export function ednString(s: string): string {
  return toEDNString(s);
}

/** `:name` when name is a valid keyword, else the name as a string */
export function keyword(name: string): string {
  return SYMBOL.test(name) ? toEDNString(toKeyword(name)) : ednString(name);
}

/** an EDN map key: integers for digit strings, keywords where valid, else strings */
function keyVal(k: string): EDNVal {
  if (/^-?(0|[1-9]\d{0,14})$/.test(k)) return Number(k);
  return SYMBOL.test(k) ? toKeyword(k) : k;
}

/** a JSON value as edn-data's EDN value (objects become maps with keyword keys) */
export function toEdnVal(v: unknown): EDNVal {
  if (v instanceof EdnRaw) return { sym: v.text };
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(toEdnVal);
  if (typeof v === 'object') return { map: Object.entries(v as Record<string, unknown>).map(([k, x]) => [keyVal(k), toEdnVal(x)] as [EDNVal, EDNVal]) };
  return String(v);
}

/** prints an EDN value: edn-data for everything, maps with Jepsen's ", " between entries */
function print(v: EDNVal): string {
  if (Array.isArray(v)) return '[' + v.map(print).join(' ') + ']';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v).replace('e', 'E');
  if (v && typeof v === 'object' && 'map' in v) return '{' + v.map.map(([k, x]) => `${print(k)} ${print(x)}`).join(', ') + '}';
  return toEDNString(v);
}

export function toEdn(v: unknown): string {
  return print(toEdnVal(v));
}

/** one op as a Jepsen EDN map; type and f are keywords, process "nemesis" is :nemesis */
export function opToEdn(op: Op, value: unknown = op.value, f: string = op.f): string {
  const entries: [EDNVal, EDNVal][] = [
    [toKeyword('index'), op.index],
    [toKeyword('time'), op.time],
    [toKeyword('type'), toKeyword(op.type)],
    [toKeyword('process'), op.process === 'nemesis' ? toKeyword('nemesis') : op.process],
    [toKeyword('f'), SYMBOL.test(f) ? toKeyword(f) : f],
    [toKeyword('value'), toEdnVal(value)],
  ];
  if (op.node !== undefined) entries.push([toKeyword('node'), op.node]);
  if (op.error !== undefined) entries.push([toKeyword('error'), op.error]);
  return print({ map: entries });
}

/**
 * The whole history as EDN text. For the history (append) workload the client ops become Elle's
 * list-append transactions (`:f :txn`, `[[:append k v]]`, `[[:r k [v ...]]]`) so elle-cli's
 * list-append checker can read them; final reads are left out there since they are not
 * transactions. Txn ops (f "txn", from the list-append and rw-register workloads) always get
 * keyword micro-op names (`[:append k v]`, `[:r k nil]`, `[:w k v]`). Other workloads keep
 * Jepsen's independent-key shape as recorded ([k v]).
 */
export function historyToEdn(ops: readonly Op[], workload?: string): string {
  const lines: string[] = [];
  for (const op of ops) {
    if (workload === 'history' && op.process !== 'nemesis') {
      if (op.f === 'final-read') continue;
      const txn = listAppendTxn(op);
      if (txn) { lines.push(opToEdn(op, txn, 'txn')); continue; }
    }
    if (op.f === 'txn' && op.process !== 'nemesis' && Array.isArray(op.value)) { lines.push(opToEdn(op, txnForms(op.value))); continue; }
    lines.push(opToEdn(op));
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** the micro-op vector `[[:append k v]]` or `[[:r k vs]]` for an append-workload op */
function listAppendTxn(op: Op): EdnRaw | null {
  if (!Array.isArray(op.value) || op.value.length !== 2) return null;
  const [k, v] = op.value as [unknown, unknown];
  if (op.f === 'append') return new EdnRaw(`[[:append ${toEdn(k)} ${toEdn(v)}]]`);
  if (op.f === 'read') return new EdnRaw(`[[:r ${toEdn(k)} ${toEdn(v)}]]`);
  return null;
}

/** micro-ops with keyword names: [["append", 1, 2]] -> [[:append 1 2]] */
function txnForms(micro: unknown[]): EdnRaw {
  return new EdnRaw('[' + micro.map((m) => {
    if (Array.isArray(m) && m.length === 3 && typeof m[0] === 'string' && SYMBOL.test(m[0])) return `[:${m[0]} ${toEdn(m[1])} ${toEdn(m[2])}]`;
    return toEdn(m);
  }).join(' ') + ']');
}

/** already-formatted EDN (e.g. keywords inside vectors, which JSON values cannot express) */
export class EdnRaw {
  constructor(readonly text: string) {}
}
