/**
 * The fold: what visible operations mean. Every reducer here is order-independent (LWW is a max,
 * the bank a sum, the history a set ordered on read), so two replicas holding the same set of
 * visible operations answer every read identically — except under the --unsafe-lww-no-tiebreak
 * testing switch, which deliberately lets arrival order decide equal timestamps.
 */
import type { AppendPayload, Op, PutPayload, TransferPayload } from './ops.ts';
import { TxnState, type TxnSnapshot } from './txn.ts';

/** FoldedState as plain data (msgpack- and JSON-able), see toSnapshot() */
export interface StateSnapshot {
  /** [key, value, ts, origin, seq, id] */
  registers: [string, unknown, number, string, number, string][];
  /** [key, entries in applied order: [value, hash, origin, seq, ts, links]] */
  histories: [string, [unknown, string, string, number, number, string[]][]][];
  balances: number[];
  /** [origin, what its transfers moved per account]: per origin, so two snapshots compacted at
   *  different frontiers can be joined (see absorb) */
  bank: [string, number[]][];
  txns: TxnSnapshot;
}

interface RegisterCell { value: unknown; ts: number; origin: string; seq: number; id: string }

export interface HistoryEntry { value: unknown; hash: string; origin: string; seq: number; ts: number; links: string[]; shown: ShownEntry }

/** an entry as a read shows it (GET /history/:key): made once with its entry, handed out by every read */
export interface ShownEntry { value: unknown; hash: string; origin: string; seq: number; links: string[] }

interface HistoryCell {
  entries: Map<string, HistoryEntry>;
  /** entries not linked to by any other entry: what a new append links back to */
  heads: Set<string>;
  referenced: Set<string>;
  /** the causal order (see history()), kept up to date incrementally; null: recompute on read */
  ordered: HistoryEntry[] | null;
  /** `ordered` was handed to a caller: copy it before changing it */
  shared: boolean;
  /** `ordered` holds every entry (no link cycle, possible only with forged ids, held some back) */
  complete: boolean;
  /** what shownHistory() hands out until the next append to the key; null: map it on the next read */
  shown: readonly ShownEntry[] | null;
}

/** the tie-break of the causal order: (ts, origin, seq, hash) */
function historyBefore(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.ts !== b.ts ? a.ts < b.ts : a.origin !== b.origin ? a.origin < b.origin : a.seq !== b.seq ? a.seq < b.seq : a.hash < b.hash;
}

/** (ts, origin, seq, id) total order used by LWW */
function lwwGreater(a: RegisterCell, b: RegisterCell): boolean {
  if (a.ts !== b.ts) return a.ts > b.ts;
  if (a.origin !== b.origin) return a.origin > b.origin;
  if (a.seq !== b.seq) return a.seq > b.seq;
  return a.id > b.id;
}

export class FoldedState {
  private readonly registers = new Map<string, RegisterCell>();
  private readonly histories = new Map<string, HistoryCell>();
  readonly balances: number[];
  /** per origin, the sum its transfers moved per account (balances = initial + Σ of these) */
  private readonly bankByOrigin = new Map<string, number[]>();
  /** the txn namespace (POST /txn): lists and registers of its own, see txn.ts */
  readonly txns: TxnState;

  constructor(accounts: number, initialBalance: number, private readonly lwwNoTiebreak = false, txns = new TxnState()) {
    this.txns = txns;
    this.balances = new Array<number>(accounts).fill(initialBalance);
  }

  apply(op: Op): void {
    switch (op.kind) {
      case 'put': case 'cas': {
        const cell: RegisterCell = { value: (op.payload as PutPayload).value ?? null, ts: op.ts, origin: op.origin, seq: op.seq, id: op.id };
        const cur = this.registers.get(op.key);
        // the unsafe switch: an equal timestamp lets whichever op arrived last win
        const wins = !cur || (this.lwwNoTiebreak ? cell.ts >= cur.ts : lwwGreater(cell, cur));
        if (wins) this.registers.set(op.key, cell);
        break;
      }
      case 'append': {
        const p = op.payload as AppendPayload;
        this.addEntry(op.key, { value: p.value ?? null, hash: op.id, origin: op.origin, seq: op.seq, ts: op.ts, links: p.links });
        break;
      }
      case 'transfer': {
        const p = op.payload as TransferPayload;
        // an op naming an account this node does not have (misconfigured peer) is kept in the log
        // but cannot move money here
        if (p.from < this.balances.length && p.to < this.balances.length) {
          this.balances[p.from]! -= p.amount;
          this.balances[p.to]! += p.amount;
          let moved = this.bankByOrigin.get(op.origin);
          if (!moved) { moved = new Array<number>(this.balances.length).fill(0); this.bankByOrigin.set(op.origin, moved); }
          moved[p.from]! -= p.amount;
          moved[p.to]! += p.amount;
        }
        break;
      }
      case 'txn':
        this.txns.apply(op);
        break;
    }
  }

  private addEntry(key: string, fields: Omit<HistoryEntry, 'shown'>): void {
    let h = this.histories.get(key);
    if (!h) { h = { entries: new Map(), heads: new Set(), referenced: new Set(), ordered: [], shared: false, complete: true, shown: null }; this.histories.set(key, h); }
    const { value, hash, origin, seq, ts, links } = fields;
    const e: HistoryEntry = { value, hash, origin, seq, ts, links, shown: { value, hash, origin, seq, links } };
    h.shown = null;
    // the order can be extended in place only for a new entry no visible entry links to (always
    // so under causal delivery); otherwise it is recomputed on the next read
    const fresh = !h.entries.has(e.hash);
    h.entries.set(e.hash, e);
    for (const l of e.links) { h.referenced.add(l); h.heads.delete(l); }
    const sink = !h.referenced.has(e.hash);
    if (sink) h.heads.add(e.hash);
    if (h.ordered && h.complete && fresh && sink) insertSink(h, e); else h.ordered = null;
  }

  /** the whole fold as plain data (compaction's snapshot): applying later ops to fromSnapshot()'s
   *  result answers every read as applying them here would */
  toSnapshot(): StateSnapshot {
    return {
      registers: [...this.registers].map(([k, c]) => [k, c.value, c.ts, c.origin, c.seq, c.id]),
      histories: [...this.histories].map(([k, h]) => [k, [...h.entries.values()].map((e) => [e.value, e.hash, e.origin, e.seq, e.ts, e.links])]),
      balances: [...this.balances],
      bank: [...this.bankByOrigin].map(([o, moved]) => [o, [...moved]]),
      txns: this.txns.toSnapshot(),
    };
  }

  /**
   * Join another snapshot's fold into this one, where each stands for a per-origin prefix of the
   * ops: registers, history entries and txn elements are joins (a max, a set union), so ops both
   * folded count once; the bank is a sum, so per origin the moves of whichever side folded more of
   * that origin's ops (`theirs(origin)`) are kept.
   */
  absorb(s: StateSnapshot, theirs: (origin: string) => boolean): void {
    for (const [k, value, ts, origin, seq, id] of s.registers) {
      const cell: RegisterCell = { value, ts, origin, seq, id };
      const cur = this.registers.get(k);
      if (!cur || lwwGreater(cell, cur)) this.registers.set(k, cell);
    }
    for (const [k, entries] of s.histories) {
      const have = this.histories.get(k)?.entries;
      for (const [value, hash, origin, seq, ts, links] of entries) if (!have?.has(hash)) this.addEntry(k, { value, hash, origin, seq, ts, links });
    }
    for (const [origin, moved] of s.bank) {
      if (!theirs(origin) || moved.length !== this.balances.length) continue;
      const mine = this.bankByOrigin.get(origin) ?? new Array<number>(moved.length).fill(0);
      moved.forEach((m, i) => { this.balances[i]! += m - mine[i]!; });
      this.bankByOrigin.set(origin, [...moved]);
    }
    this.txns.absorb(s.txns);
  }

  static fromSnapshot(s: StateSnapshot, lwwNoTiebreak = false): FoldedState {
    const st = new FoldedState(s.balances.length, 0, lwwNoTiebreak, TxnState.fromSnapshot(s.txns));
    s.balances.forEach((b, i) => { st.balances[i] = b; });
    for (const [o, moved] of s.bank) st.bankByOrigin.set(o, [...moved]);
    for (const [k, value, ts, origin, seq, id] of s.registers) st.registers.set(k, { value, ts, origin, seq, id });
    // entries in the order they were applied, so heads and links come out as they were
    for (const [k, entries] of s.histories) for (const [value, hash, origin, seq, ts, links] of entries) st.addEntry(k, { value, hash, origin, seq, ts, links });
    return st;
  }

  read(key: string): unknown { return this.registers.has(key) ? this.registers.get(key)!.value : null; }

  registerKeys(): string[] { return [...this.registers.keys()]; }

  historyHeads(key: string): string[] { return [...(this.histories.get(key)?.heads ?? [])].sort(); }

  historyKeys(): string[] { return [...this.histories.keys()]; }

  /**
   * history(key) as reads show it. One array per change of the key, not one object per entry and
   * read: a key's history grows with the run, and reads of it are a good part of every workload
   * that appends. Shared by every read until the next append: callers must not change it.
   */
  shownHistory(key: string): readonly ShownEntry[] {
    const h = this.histories.get(key);
    if (!h) return [];
    return (h.shown ??= this.history(key).map((e) => e.shown));
  }

  /**
   * Entries in a deterministic causal order: a topological order of the link graph (an entry comes
   * after everything it links to), ties broken by (ts, origin, seq, hash). Links to entries not
   * (yet) visible are ignored, so the order is defined even without causal delivery.
   */
  history(key: string): HistoryEntry[] {
    const h = this.histories.get(key);
    if (!h) return [];
    if (h.ordered) { h.shared = true; return h.ordered; }
    const before = historyBefore;
    const indegree = new Map<string, number>();
    const children = new Map<string, string[]>();
    for (const e of h.entries.values()) {
      let d = 0;
      for (const l of new Set(e.links)) {
        if (!h.entries.has(l)) continue;
        d++;
        let c = children.get(l);
        if (!c) { c = []; children.set(l, c); }
        c.push(e.hash);
      }
      indegree.set(e.hash, d);
    }
    const heap = new MinHeap<HistoryEntry>(before);
    for (const e of h.entries.values()) if (indegree.get(e.hash) === 0) heap.push(e);
    const out: HistoryEntry[] = [];
    while (heap.size > 0) {
      const e = heap.pop()!;
      out.push(e);
      for (const c of children.get(e.hash) ?? []) {
        const d = indegree.get(c)! - 1;
        indegree.set(c, d);
        if (d === 0) heap.push(h.entries.get(c)!);
      }
    }
    h.ordered = out;
    h.shared = true;
    h.complete = out.length === h.entries.size;
    return out;
  }
}

/**
 * Puts a new entry `e` that no entry links to into `h.ordered`, exactly where history()'s full
 * topological sort would put it. That sort pops the least available entry each step; `e` becomes
 * available once the last of its visible links is out (position p in the old order), releases
 * nothing when popped, and is popped at the first step k ≥ p whose old pick o[k] it precedes (or
 * last). Everything else keeps its place. Scanning back from the end costs the distance to e's
 * newest link, so the usual append (after the current heads, with the latest ts) is O(1).
 */
function insertSink(h: HistoryCell, e: HistoryEntry): void {
  if (h.shared) { h.ordered = h.ordered!.slice(); h.shared = false; }
  const o = h.ordered!;
  const links = e.links.length === 0 ? null : e.links.length === 1 ? null : new Set(e.links);
  const only = e.links.length === 1 ? e.links[0] : undefined;
  let pos = o.length;
  for (let k = o.length - 1; k >= 0; k--) {
    const x = o[k]!;
    if (x.hash === only || (links !== null && links.has(x.hash))) break;
    if (historyBefore(e, x)) pos = k;
  }
  if (pos === o.length) o.push(e); else o.splice(pos, 0, e);
}

class MinHeap<T> {
  private readonly a: T[] = [];
  constructor(private readonly less: (x: T, y: T) => boolean) {}
  get size(): number { return this.a.length; }
  push(x: T): void {
    const a = this.a; a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!]; i = p;
    }
  }
  pop(): T | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]; const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!]; i = m;
      }
    }
    return top;
  }
}
