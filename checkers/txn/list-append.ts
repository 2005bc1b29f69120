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

/**
 * A writer is a number, not an object (two million appends, two million fewer objects for the GC):
 * its txn's position in `all` times 2, plus 1 when it is the txn's last append to the key.
 */
type Writer = number;

interface KeyInfo {
  writers: Map<string | number, Writer>;
  /** the longest read: the version order as far as observed */
  order: readonly unknown[];
  /** who read it */
  witness: Txn | null;
  /** positions in `order`, built when an explanation needs them */
  pos: Map<string | number, number> | null;
  incompatible: boolean;
  firstBad: number;
}

function listOf(v: unknown): unknown[] | null {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : null;
}

export function inferListAppend(nodes: readonly Txn[], all: readonly Txn[], edges: EdgeBuilder, bag: AnomalyBag): Inference {
  const keys = new Map<Key, KeyInfo>();
  const info = (k: Key): KeyInfo => {
    let ki = keys.get(k);
    if (!ki) { ki = { writers: new Map(), order: [], witness: null, pos: null, incompatible: false, firstBad: Infinity }; keys.set(k, ki); }
    return ki;
  };
  const writerTxn = (ki: KeyInfo | undefined, v: unknown): Txn | undefined => {
    const code = ki?.writers.get(valKey(v));
    return code === undefined ? undefined : all[code >> 1];
  };
  const notes: string[] = [];
  let dupWrites = 0;

  // writers of every (key, value), failed txns included (their values must never be read)
  for (let ti = 0; ti < all.length; ti++) {
    const t = all[ti]!;
    const ops = t.ops;
    for (let i = 0; i < ops.length; i++) {
      const m = ops[i]!;
      if (m[0] !== 'append') continue;
      const k = m[1];
      let last = true;
      for (let j = i + 1; j < ops.length; j++) if (ops[j]![1] === k && ops[j]![0] === 'append') { last = false; break; }
      const ws = info(k).writers;
      const vk = valKey(m[2]);
      if (ws.has(vk)) { dupWrites++; continue; }
      ws.set(vk, ti * 2 + (last ? 1 : 0));
    }
  }
  if (dupWrites) notes.push(`${dupWrites} appends repeated a value already appended to the same key; values must be unique per key, so only the first appender of each is used`);

  // pass 1: internal consistency, the longest read of each key (indexed loops, no per-txn
  // allocation: this runs over every txn of million-txn histories)
  for (let ti = 0; ti < nodes.length; ti++) {
    const t = nodes[ti]!;
    if (t.type !== 'ok') continue;
    const ops = t.ops;
    for (let i = 0; i < ops.length; i++) {
      const m = ops[i]!;
      if (m[0] !== 'r') continue;
      const k = m[1], v = m[2];
      const list = listOf(v);
      if (!list) { bag.add('garbage-read', opAnomaly('garbage-read', t, `read key ${fmt(k)} as ${fmt(v)}, which is not a list`, k, { read: v })); continue; }
      checkInternal(t, i, list, bag);
      const ki = info(k);
      if (list.length > ki.order.length) { ki.order = list; ki.witness = t; }
    }
  }

  // version orders: ww along each key's longest read; firstBad = the first position holding a
  // duplicate, a value nobody appended, or a failed txn's value (reads that are prefixes of the
  // order need a per-element check only when they reach that far)
  for (const ki of keys.values()) {
    const order = ki.order;
    if (order.length === 0) continue;
    let prev: Txn | undefined;
    const seen = new Set<Writer>();
    for (let i = 0; i < order.length; i++) {
      const code = ki.writers.get(valKey(order[i]));
      const w = code === undefined ? undefined : all[code >> 1]!;
      if (ki.firstBad === Infinity && (!w || w.type === 'fail' || seen.has(code!))) ki.firstBad = i;
      if (code !== undefined) seen.add(code);
      if (prev && w && prev !== w) edges.add(prev.id, w.id, WW);
      prev = w;
    }
  }

  // pass 2: every read against the order (incompatible orders, per-element checks, G1b);
  // external reads -> wr and rw
  for (let ti = 0; ti < nodes.length; ti++) {
    const t = nodes[ti]!;
    if (t.type !== 'ok') continue;
    for (let i = 0; i < t.ops.length; i++) {
      const m = t.ops[i]!;
      if (m[0] !== 'r') continue;
      const k = m[1], v = m[2];
      const ki = keys.get(k);
      const list = listOf(v);
      if (!ki || !list) continue;
      const prefix = isPrefix(list, ki.order);
      if (!prefix && !ki.incompatible) {
        ki.incompatible = true;
        bag.add('incompatible-order', opAnomaly('incompatible-order', t, `read key ${fmt(k)} as ${tail(list, 8)}, which is not a prefix of ${tail(ki.order, 8)} read by the txn at op ${ki.witness!.index}: the key has no single order of appends`, k, { read: list, other: ki.order, otherIndex: ki.witness!.index }));
      }
      if (!prefix || list.length > ki.firstBad) checkRead(t, k, list, ki, all, bag);
      if (list.length) {
        const x = list[list.length - 1];
        const code = ki.writers.get(valKey(x));
        const w = code === undefined ? undefined : all[code >> 1]!;
        if (w && w !== t && !(code! & 1) && w.type !== 'fail') {
          bag.add('G1b', opAnomaly('G1b', t, `read key ${fmt(k)} as ${tail(list)}, ending in ${fmt(x)}, an intermediate append of the txn at op ${w.index} (process ${String(w.process)}) which appended more to key ${fmt(k)} after it`, k, { read: list, element: x, writerIndex: w.index }));
        }
      }
    }
    forExternalReads(t, (k, list) => {
      const ki = keys.get(k)!;
      if (list.length > 0) {
        const w = writerTxn(ki, list[list.length - 1]);
        if (w && w !== t) edges.add(w.id, t.id, WR);
      }
      if (list.length < ki.order.length && isPrefix(list, ki.order)) {
        const w = writerTxn(ki, ki.order[list.length]);
        if (w && w !== t) edges.add(t.id, w.id, RW);
      }
    });
  }

  notes.push('list-append: version orders from the longest read of each key; ww between consecutive appenders in it, wr from the appender of a read\'s last element, rw from a reader to the appender of the element after its read');

  return {
    notes,
    explain(a, b, kind, name) {
      if (kind === WW) {
        for (const [f, k, v] of a.ops) {
          if (f !== 'append') continue;
          const ki = keys.get(k);
          if (ki && !ki.pos) {
            ki.pos = new Map();
            for (let j = 0; j < ki.order.length; j++) { const vk = valKey(ki.order[j]); if (!ki.pos.has(vk)) ki.pos.set(vk, j); }
          }
          const i = ki?.pos?.get(valKey(v));
          if (!ki || i === undefined || i + 1 >= ki.order.length) continue;
          const nextV = ki.order[i + 1];
          if (writerTxn(ki, nextV) !== b) continue;
          return { key: k, why: `${name(b)} appended ${fmt(nextV)} to key ${fmt(k)} right after ${name(a)}'s append of ${fmt(v)}, since ${witness(ki, name)} read ${window(ki.order, i - 1, i + 1)}` };
        }
      } else if (kind === WR) {
        let found: { key?: Key; why: string } | null = null;
        forExternalReads(b, (k, list) => {
          if (found || list.length === 0) return;
          const x = list[list.length - 1];
          if (writerTxn(keys.get(k), x) === a) found = { key: k, why: `${name(b)} read key ${fmt(k)} as ${tail(list)}, seeing ${name(a)}'s append of ${fmt(x)}` };
        });
        return found;
      } else if (kind === RW) {
        let found: { key?: Key; why: string } | null = null;
        forExternalReads(a, (k, list) => {
          const ki = keys.get(k)!;
          if (found || list.length >= ki.order.length || !isPrefix(list, ki.order)) return;
          const y = ki.order[list.length];
          if (writerTxn(ki, y) !== b) return;
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
  const ops = t.ops;
  outer: for (let i = 0; i < ops.length; i++) {
    const m = ops[i]!;
    if (m[0] !== 'r') continue;
    for (let j = 0; j < i; j++) if (ops[j]![1] === m[1]) continue outer;
    const list = listOf(m[2]);
    if (list) fn(m[1], list);
  }
}

function isPrefix(list: readonly unknown[], order: readonly unknown[]): boolean {
  if (list.length > order.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== order[i] && valKey(list[i]) !== valKey(order[i])) return false;
  return true;
}

/** the read at ops[i] against the txn's own earlier read of the key and its appends since */
function checkInternal(t: Txn, i: number, list: unknown[], bag: AnomalyBag): void {
  const ops = t.ops;
  const k = ops[i]![1];
  let j = i - 1;
  for (; j >= 0; j--) { const m = ops[j]!; if (m[1] === k && m[0] === 'r') break; }
  let appended: unknown[] | null = null;
  for (let x = j + 1; x < i; x++) { const m = ops[x]!; if (m[1] === k && m[0] === 'append') (appended ??= []).push(m[2]); }
  if (j >= 0) {
    const prior = listOf(ops[j]![2]);
    if (!prior) return;
    const expected = appended ? prior.concat(appended) : prior;
    if (expected.length !== list.length || !isPrefix(expected, list)) {
      bag.add('internal', opAnomaly('internal', t, `read key ${fmt(k)} as ${tail(list, 8)}, but its own earlier read and appends say it must be ${tail(expected, 8)}`, k, { read: list, expected }));
    }
  } else if (appended) {
    const n = appended.length;
    let ok = list.length >= n;
    for (let x = 0; ok && x < n; x++) if (valKey(list[list.length - n + x]) !== valKey(appended[x])) ok = false;
    if (!ok) bag.add('internal', opAnomaly('internal', t, `appended ${appended.map(fmt).join(', ')} to key ${fmt(k)} and then read it as ${tail(list, 8)}, which does not end with its own appends`, k, { read: list, appended }));
  }
}

function checkRead(t: Txn, k: Key, list: unknown[], ki: KeyInfo, all: readonly Txn[], bag: AnomalyBag): void {
  const seen = new Set<string | number>();
  let dupReported = false;
  for (let i = 0; i < list.length; i++) {
    const vk = valKey(list[i]);
    if (seen.has(vk)) {
      if (!dupReported) { dupReported = true; bag.add('duplicate-appends', opAnomaly('duplicate-appends', t, `read key ${fmt(k)} as ${tail(list, 8)}, in which ${fmt(list[i])} appears more than once`, k, { read: list, element: list[i] })); }
      continue;
    }
    seen.add(vk);
    const code = ki.writers.get(vk);
    const w = code === undefined ? undefined : all[code >> 1]!;
    if (!w) bag.add('garbage-read', opAnomaly('garbage-read', t, `read ${fmt(list[i])} in key ${fmt(k)} (${tail(list)}), a value no txn ever appended to it`, k, { read: list, element: list[i] }));
    else if (w.type === 'fail') bag.add('G1a', opAnomaly('G1a', t, `read ${fmt(list[i])} in key ${fmt(k)} (${tail(list)}), appended by the txn at op ${w.index} (process ${String(w.process)}) which failed: an aborted read`, k, { read: list, element: list[i], writerIndex: w.index }));
  }
}
