/**
 * Transactions (POST /txn, issue #16): a list of micro-ops — `["append", k, v]` (list-append),
 * `["w", k, v]` (rw-register), `["r", k, null]` — executed in one step of the single-threaded
 * replica, so atomically at the node that receives them. Reads see the node's visible state at
 * that moment plus the txn's own earlier writes; the writes become ONE op of kind `txn` (payload
 * `{writes: [[f, k, v], ...]}`, key ""), so every replica makes all of them visible or none.
 *
 * Txn keys live in their own namespace (`TxnState`), apart from /kv/ registers and /history/
 * histories. A key is a non-empty string (at most 1024 characters) or a safe integer, named by its
 * string form: 1 and "1" are the same key. Per key there is a list (appends) and a register (w);
 * a read returns the list if the key has ever been appended to, else the register's value, else
 * null (never written).
 *
 * Order. Every replica orders the txn ops it holds by (Σvv, ts, origin, seq, id), and within one
 * op by position. Σvv — how many ops the origin had seen when it made the op — is a linear
 * extension of happens-before: with causal delivery, an op made after seeing op a has a vv that
 * dominates a's and counts a itself, so a strictly larger sum. So (unlike a pure timestamp order)
 * an append always lands after everything its txn read, and a `w` always overwrites the value it
 * was written over on every replica, whatever the nodes' clocks say; a txn's own writes, being
 * the newest op at its node, are last — exactly what its reads showed. Concurrent ops (neither saw
 * the other) are ordered by the rest of the tuple, deterministically, so replicas holding the same
 * set of txn ops agree. Lists append per key in that order; a register holds the last `w` in it.
 * Order-independent: the fold is a sorted insert, so the arrival order of ops does not matter.
 */
import type { Op } from './ops.ts';

export type TxnFn = 'append' | 'w' | 'r';
/** a micro-op as the client sends it (the key as given: string or integer) */
export type TxnMicro = [TxnFn, string | number, unknown];
/** a write micro-op as stored in a txn op: the key in its string form */
export type TxnWrite = ['append' | 'w', string, unknown];
export interface TxnPayload { writes: TxnWrite[] }

/** the op key of every txn op (a txn names its keys in its payload) */
export const TXN_OP_KEY = '';
export const MAX_TXN_MICRO_OPS = 1024;
export const MAX_TXN_KEY = 1024;

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 80);

/** a key's identity (its string form), or why it is not a key */
export function txnKeyName(k: unknown): string | { problem: string } {
  if (typeof k === 'number') {
    if (Number.isSafeInteger(k)) return String(k);
    return { problem: `key must be a non-empty string or an integer, got the number ${show(k)}` };
  }
  if (typeof k !== 'string') return { problem: `key must be a non-empty string or an integer, got ${show(k)}` };
  if (k.length === 0) return { problem: 'key is empty' };
  if (k.length > MAX_TXN_KEY) return { problem: `key is ${k.length} characters long; the limit is ${MAX_TXN_KEY}` };
  if (LONE.test(k)) return { problem: 'key holds a lone UTF-16 surrogate, which is not valid Unicode and cannot be stored' };
  // GET /txn answers an object of keys; this one would set its prototype instead
  if (k === '__proto__') return { problem: 'key "__proto__" is reserved' };
  return k;
}

/** check a client's micro-op list: the list itself, or a sentence naming what is wrong (→ 400) */
export function parseTxnOps(v: unknown): TxnMicro[] | string {
  const example = '{"ops": [["append", 1, 5], ["r", 2, null], ["w", 3, 7]]}';
  if (!Array.isArray(v)) return `"ops" must be a list of micro-ops, e.g. ${example}`;
  if (v.length === 0) return 'a txn needs at least one micro-op';
  if (v.length > MAX_TXN_MICRO_OPS) return `a txn has at most ${MAX_TXN_MICRO_OPS} micro-ops; this one has ${v.length}`;
  const out: TxnMicro[] = [];
  for (let i = 0; i < v.length; i++) {
    const m = v[i] as unknown;
    if (!Array.isArray(m) || m.length !== 3) return `micro-op ${i} must be a 3-element list [f, key, value], got ${show(m)}`;
    const [f, k, x] = m as [unknown, unknown, unknown];
    if (f !== 'append' && f !== 'w' && f !== 'r') return `micro-op ${i}: unknown function ${show(f)}; use "append", "w" or "r"`;
    const name = txnKeyName(k);
    if (typeof name !== 'string') return `micro-op ${i}: ${name.problem}`;
    if (f === 'r' && x !== null) return `micro-op ${i}: a read is ["r", key, null], got the value ${show(x)}`;
    out.push([f, k as string | number, x]);
  }
  return out;
}

/** a received txn op's payload: null if well formed, else what is wrong */
export function txnPayloadProblem(p: Record<string, unknown>): string | null {
  const w = p.writes;
  if (!Array.isArray(w) || w.length === 0 || w.length > MAX_TXN_MICRO_OPS) return `txn payload needs a writes array of 1..${MAX_TXN_MICRO_OPS} micro-ops`;
  for (const m of w) {
    if (!Array.isArray(m) || m.length !== 3 || (m[0] !== 'append' && m[0] !== 'w') || typeof m[1] !== 'string' || typeof txnKeyName(m[1]) !== 'string') {
      return 'txn payload writes must be ["append" | "w", key, value]';
    }
  }
  return null;
}

/** the position of one written element in the order of txn ops (see the file comment) */
export interface Pos { n: number; ts: number; origin: string; seq: number; id: string; i: number }

function before(a: Pos, b: Pos): boolean {
  if (a.n !== b.n) return a.n < b.n;
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.origin !== b.origin) return a.origin < b.origin;
  if (a.seq !== b.seq) return a.seq < b.seq;
  if (a.id !== b.id) return a.id < b.id;
  return a.i < b.i;
}

interface Elem { pos: Pos; value: unknown }

export interface TxnSnapshot { lists: [string, [Pos, unknown][]][]; regs: [string, [Pos, unknown]][] }

/** one key's state as a txn sees it: its list and its register */
interface Cell { list: unknown[]; reg: { value: unknown } | null }

function readCell(c: Cell | undefined): unknown {
  if (!c) return null;
  if (c.list.length > 0) return [...c.list];
  return c.reg ? c.reg.value : null;
}

/** the txn namespace's fold: per key a list and a register, each in the order of txn ops */
export class TxnState {
  private readonly lists = new Map<string, Elem[]>();
  private readonly regs = new Map<string, Elem>();

  apply(op: Op): void {
    const writes = (op.payload as TxnPayload).writes;
    let n = 0;
    for (const k in op.vv) n += op.vv[k]!;
    writes.forEach(([f, k, value], i) => {
      const pos: Pos = { n, ts: op.ts, origin: op.origin, seq: op.seq, id: op.id, i };
      const e: Elem = { pos, value: value ?? null };
      if (f === 'w') this.write(k, e); else this.insert(k, e);
    });
  }

  private write(k: string, e: Elem): void {
    const cur = this.regs.get(k);
    if (!cur || before(cur.pos, e.pos)) this.regs.set(k, e);
  }

  /** into the list in (pos) order; an element already there (same op and place) is not added twice */
  private insert(k: string, e: Elem): void {
    let list = this.lists.get(k);
    if (!list) { list = []; this.lists.set(k, list); }
    // the usual case: the newest op goes last
    if (list.length === 0 || before(list[list.length - 1]!.pos, e.pos)) { list.push(e); return; }
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (before(list[mid]!.pos, e.pos)) lo = mid + 1; else hi = mid; }
    const at = list[lo];
    if (at && at.pos.id === e.pos.id && at.pos.i === e.pos.i) return;
    list.splice(lo, 0, e);
  }

  /** add another snapshot's elements (a join: what is here already stays, nothing counts twice) */
  absorb(s: TxnSnapshot): void {
    for (const [k, l] of s.lists) for (const [pos, value] of l) this.insert(k, { pos, value });
    for (const [k, [pos, value]] of s.regs) this.write(k, { pos, value });
  }

  /**
   * The whole namespace as plain JSON-able data, for a snapshot of the fold (compaction): every
   * element keeps its position, so ops applied after `fromSnapshot` still sort in among them.
   */
  toSnapshot(): TxnSnapshot {
    return { lists: [...this.lists].map(([k, l]) => [k, l.map((e) => [e.pos, e.value])]), regs: [...this.regs].map(([k, e]) => [k, [e.pos, e.value]]) };
  }

  static fromSnapshot(s: TxnSnapshot): TxnState {
    const t = new TxnState();
    for (const [k, l] of s.lists) t.lists.set(k, l.map(([pos, value]) => ({ pos, value })));
    for (const [k, [pos, value]] of s.regs) t.regs.set(k, { pos, value });
    return t;
  }

  private cell(k: string): Cell | undefined {
    const l = this.lists.get(k), r = this.regs.get(k);
    if (!l && !r) return undefined;
    return { list: l ? l.map((e) => e.value) : [], reg: r ? { value: r.value } : null };
  }

  /** what `["r", k, null]` reads: the list if k was appended to, else the register, else null */
  read(k: string): unknown { return readCell(this.cell(k)); }

  /** every key ever written, sorted */
  keys(): string[] { return [...new Set([...this.lists.keys(), ...this.regs.keys()])].sort(); }

  /**
   * Run validated micro-ops against this state: the completed micro-ops (reads filled in, keys as
   * the client gave them) and the writes to store as one op (keys in string form). Reads see the
   * txn's own earlier writes.
   */
  execute(ops: readonly TxnMicro[]): { results: TxnMicro[]; writes: TxnWrite[] } {
    const local = new Map<string, Cell>();
    const get = (k: string): Cell => {
      let c = local.get(k);
      if (!c) { const s = this.cell(k); c = s ?? { list: [], reg: null }; local.set(k, c); }
      return c;
    };
    const results: TxnMicro[] = [];
    const writes: TxnWrite[] = [];
    for (const [f, k, v] of ops) {
      const name = String(k);
      if (f === 'r') { results.push(['r', k, readCell(local.has(name) ? local.get(name) : this.cell(name))]); continue; }
      const c = get(name);
      if (f === 'append') c.list.push(v); else c.reg = { value: v };
      writes.push([f, name, v]);
      results.push([f, k, v]);
    }
    return { results, writes };
  }
}
