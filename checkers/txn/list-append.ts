import type { Key, Txn } from './types.ts';
import { WW, WR, RW } from './types.ts';
import type { EdgeBuilder } from './graph.ts';
import type { Inference, Namer } from './inference.ts';
import { AnomalyBag, opAnomaly, valKey, tail, window, fmt } from './refs.ts';

/**
 * List-append inference (Elle §4): every read of a key is a prefix of the key's one version
 * order, so the longest read of each key *is* its version order (up to that read). From it:
 * - ww: the appender of element i precedes the appender of element i+1;
 * - wr: a txn that read [... x] depends on the appender of x;
 * - rw: a txn that read the first i elements anti-depends on the appender of element i+1.
 * Only ok txns' reads count (info reads are unknown). A txn's *external* read of a key (its
 * first read of the key, before it appended to it) makes wr/rw edges; every read is checked for
 * G1a, G1b, garbage, duplicates and compatibility with the order. Appends nobody read stay
 * unordered: no edge is guessed for them.
 */

interface Writer { txn: Txn; /** 0-based position among the txn's appends to this key */ nth: number; last: boolean }

interface KeyInfo {
  writers: Map<string | number, Writer>;
  /** the longest read: the version order as far as observed */
  order: readonly unknown[];
  /** who read it */
  witness: Txn | null;
  pos: Map<string | number, number> | null;
  incompatible: boolean;
}

function listOf(v: unknown): unknown[] | null {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : null;
}

export function inferListAppend(nodes: readonly Txn[], all: readonly Txn[], edges: EdgeBuilder, bag: AnomalyBag): Inference {
  const keys = new Map<Key, KeyInfo>();
  const info = (k: Key): KeyInfo => {
    let ki = keys.get(k);
    if (!ki) { ki = { writers: new Map(), order: [], witness: null, pos: null, incompatible: false }; keys.set(k, ki); }
    return ki;
  };
  const notes: string[] = [];
  let dupWrites = 0;

  // writers of every (key, value), failed txns included (their values must never be read)
  for (const t of all) {
    let counts: Map<Key, number> | null = null;
    for (const [f, k, v] of t.ops) {
      if (f !== 'append') continue;
      counts ??= new Map();
      const nth = counts.get(k) ?? 0;
      counts.set(k, nth + 1);
      const ws = info(k).writers;
      const vk = valKey(v);
      if (ws.has(vk)) { dupWrites++; continue; }
      ws.set(vk, { txn: t, nth, last: false });
    }
    if (counts) for (const [k, n] of counts) {
      // mark the txn's final append to each key
      for (let i = t.ops.length - 1; i >= 0; i--) {
        const m = t.ops[i]!;
        if (m[0] === 'append' && m[1] === k) { const w = keys.get(k)!.writers.get(valKey(m[2])); if (w && w.txn === t && w.nth === n - 1) w.last = true; break; }
      }
    }
  }
  if (dupWrites) notes.push(`${dupWrites} appends repeated a value already appended to the same key; values must be unique per key, so only the first appender of each is used`);

  // pass 1: internal consistency, per-read checks, the longest read of each key
  for (const t of nodes) {
    if (t.type !== 'ok') continue;
    let mine: Map<Key, { read: unknown[] | null; appended: unknown[] }> | null = null;
    for (const [f, k, v] of t.ops) {
      mine ??= new Map();
      let st = mine.get(k);
      if (!st) { st = { read: null, appended: [] }; mine.set(k, st); }
      if (f === 'append') { st.appended.push(v); continue; }
      if (f !== 'r') continue;
      const list = listOf(v);
      if (!list) { bag.add('garbage-read', opAnomaly('garbage-read', t, `read key ${fmt(k)} as ${fmt(v)}, which is not a list`, k, { read: v })); continue; }
      checkInternal(t, k, st, list, bag);
      st.read = list; st.appended = [];
      checkRead(t, k, list, info(k), bag);
      const ki = info(k);
      if (list.length > ki.order.length) { ki.order = list; ki.witness = t; }
    }
  }

  // version orders: positions of each element in the longest read
  for (const ki of keys.values()) {
    if (ki.order.length === 0) continue;
    const pos = new Map<string | number, number>();
    for (let i = 0; i < ki.order.length; i++) { const vk = valKey(ki.order[i]); if (!pos.has(vk)) pos.set(vk, i); }
    ki.pos = pos;
    // ww along the order
    let prev: Writer | undefined = ki.writers.get(valKey(ki.order[0]));
    for (let i = 1; i < ki.order.length; i++) {
      const w = ki.writers.get(valKey(ki.order[i]));
      if (prev && w && prev.txn !== w.txn) edges.add(prev.txn.id, w.txn.id, WW);
      prev = w;
    }
  }

  // pass 2: external reads -> wr and rw; incompatible orders
  for (const t of nodes) {
    if (t.type !== 'ok') continue;
    forExternalReads(t, (k, list) => {
      const ki = keys.get(k)!;
      if (list.length > 0) {
        const w = ki.writers.get(valKey(list[list.length - 1]));
        if (w && w.txn !== t) edges.add(w.txn.id, t.id, WR);
      }
      if (!isPrefix(list, ki.order)) {
        if (!ki.incompatible) {
          ki.incompatible = true;
          bag.add('incompatible-order', opAnomaly('incompatible-order', t, `read key ${fmt(k)} as ${tail(list, 8)}, which is not a prefix of ${tail(ki.order, 8)} read by the txn at op ${ki.witness!.index}: the key has no single order of appends`, k, { read: list, other: ki.order, otherIndex: ki.witness!.index }));
        }
        return;
      }
      if (list.length < ki.order.length) {
        const w = ki.writers.get(valKey(ki.order[list.length]));
        if (w && w.txn !== t) edges.add(t.id, w.txn.id, RW);
      }
    });
    // non-external reads must also fit the order
    for (const [f, k, v] of t.ops) {
      if (f !== 'r') continue;
      const ki = keys.get(k);
      const list = listOf(v);
      if (!ki || !list || ki.incompatible || isPrefix(list, ki.order)) continue;
      ki.incompatible = true;
      bag.add('incompatible-order', opAnomaly('incompatible-order', t, `read key ${fmt(k)} as ${tail(list, 8)}, which is not a prefix of ${tail(ki.order, 8)} read by the txn at op ${ki.witness!.index}`, k, { read: list, other: ki.order, otherIndex: ki.witness!.index }));
    }
  }

  notes.push('list-append: version orders from the longest read of each key; ww between consecutive appenders in it, wr from the appender of a read\'s last element, rw from a reader to the appender of the element after its read');

  return {
    notes,
    explain(a, b, kind, name) {
      if (kind === WW) {
        for (const [f, k, v] of a.ops) {
          if (f !== 'append') continue;
          const ki = keys.get(k);
          const i = ki?.pos?.get(valKey(v));
          if (!ki || i === undefined || i + 1 >= ki.order.length) continue;
          const nextV = ki.order[i + 1];
          if (ki.writers.get(valKey(nextV))?.txn !== b) continue;
          return { key: k, why: `${name(b)} appended ${fmt(nextV)} to key ${fmt(k)} right after ${name(a)}'s append of ${fmt(v)}, since ${witness(ki, name)} read ${window(ki.order, i - 1, i + 1)}` };
        }
      } else if (kind === WR) {
        let found: { key?: Key; why: string } | null = null;
        forExternalReads(b, (k, list) => {
          if (found || list.length === 0) return;
          const x = list[list.length - 1];
          if (keys.get(k)?.writers.get(valKey(x))?.txn === a) found = { key: k, why: `${name(b)} read key ${fmt(k)} as ${tail(list)}, seeing ${name(a)}'s append of ${fmt(x)}` };
        });
        return found;
      } else if (kind === RW) {
        let found: { key?: Key; why: string } | null = null;
        forExternalReads(a, (k, list) => {
          const ki = keys.get(k)!;
          if (found || list.length >= ki.order.length || !isPrefix(list, ki.order)) return;
          const y = ki.order[list.length];
          if (ki.writers.get(valKey(y))?.txn !== b) return;
          const seen = list.length === 0 ? `read key ${fmt(k)} as empty` : `read key ${fmt(k)} as ${tail(list)}`;
          found = { key: k, why: `${name(a)} ${seen}, missing ${name(b)}'s append of ${fmt(y)}, which came right after${list.length ? ' ' + fmt(list[list.length - 1]) : ' the empty list'}, since ${witness(ki, name)} read ${window(ki.order, list.length - 1, list.length)}` };
        });
        return found;
      }
      return null;
    },
  };
}

function witness(ki: KeyInfo, name: Namer): string {
  return name(ki.witness!);
}

/** calls fn(k, list) for each key the txn read before appending to it (its first such read) */
function forExternalReads(t: Txn, fn: (k: Key, list: unknown[]) => void): void {
  let touched: Set<Key> | null = null;
  for (const [f, k, v] of t.ops) {
    touched ??= new Set();
    if (touched.has(k)) continue;
    touched.add(k);
    if (f !== 'r') continue;
    const list = listOf(v);
    if (list) fn(k, list);
  }
}

function isPrefix(list: readonly unknown[], order: readonly unknown[]): boolean {
  if (list.length > order.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== order[i] && valKey(list[i]) !== valKey(order[i])) return false;
  return true;
}

function checkInternal(t: Txn, k: Key, st: { read: unknown[] | null; appended: unknown[] }, list: unknown[], bag: AnomalyBag): void {
  if (st.read) {
    const expected = st.read.concat(st.appended);
    if (expected.length !== list.length || !isPrefix(expected, list)) {
      bag.add('internal', opAnomaly('internal', t, `read key ${fmt(k)} as ${tail(list, 8)}, but its own earlier read and appends say it must be ${tail(expected, 8)}`, k, { read: list, expected }));
    }
  } else if (st.appended.length) {
    const n = st.appended.length;
    let ok = list.length >= n;
    for (let i = 0; ok && i < n; i++) if (valKey(list[list.length - n + i]) !== valKey(st.appended[i])) ok = false;
    if (!ok) bag.add('internal', opAnomaly('internal', t, `appended ${st.appended.map(fmt).join(', ')} to key ${fmt(k)} and then read it as ${tail(list, 8)}, which does not end with its own appends`, k, { read: list, appended: st.appended }));
  }
}

function checkRead(t: Txn, k: Key, list: unknown[], ki: KeyInfo, bag: AnomalyBag): void {
  const seen = new Set<string | number>();
  let dupReported = false;
  for (let i = 0; i < list.length; i++) {
    const vk = valKey(list[i]);
    if (seen.has(vk)) {
      if (!dupReported) { dupReported = true; bag.add('duplicate-appends', opAnomaly('duplicate-appends', t, `read key ${fmt(k)} as ${tail(list, 8)}, in which ${fmt(list[i])} appears more than once`, k, { read: list, element: list[i] })); }
      continue;
    }
    seen.add(vk);
    const w = ki.writers.get(vk);
    if (!w) bag.add('garbage-read', opAnomaly('garbage-read', t, `read ${fmt(list[i])} in key ${fmt(k)} (${tail(list)}), a value no txn ever appended to it`, k, { read: list, element: list[i] }));
    else if (w.txn.type === 'fail') bag.add('G1a', opAnomaly('G1a', t, `read ${fmt(list[i])} in key ${fmt(k)} (${tail(list)}), appended by the txn at op ${w.txn.index} (process ${String(w.txn.process)}) which failed: an aborted read`, k, { read: list, element: list[i], writerIndex: w.txn.index }));
  }
  if (list.length) {
    const x = list[list.length - 1];
    const w = ki.writers.get(valKey(x));
    if (w && w.txn !== t && !w.last && w.txn.type !== 'fail') {
      bag.add('G1b', opAnomaly('G1b', t, `read key ${fmt(k)} as ${tail(list)}, ending in ${fmt(x)}, an intermediate append of the txn at op ${w.txn.index} (process ${String(w.txn.process)}) which appended more to key ${fmt(k)} after it`, k, { read: list, element: x, writerIndex: w.txn.index }));
    }
  }
}
