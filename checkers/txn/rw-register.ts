import type { Key, Txn } from './types.ts';
import { WW, WR, RW } from './types.ts';
import type { EdgeBuilder } from './graph.ts';
import type { Inference } from './inference.ts';
import { AnomalyBag, opAnomaly, valKey, fmt } from './refs.ts';

/**
 * Read-write register inference. Registers keep only the last value, so the version order is
 * mostly hidden; we infer only what is sound for every model this checker judges (Elle §5):
 * - wr: a read of v depends on the txn that wrote v (values are unique per key);
 * - initial state: nil precedes every version, so a txn that read nil anti-depends (rw) on every
 *   committed writer of the key whose version has no other known predecessor (ok writers, and
 *   info writers whose value someone read);
 * - writes follow reads: a txn that read v from k and then wrote u to k installed u after v, so
 *   the writer of v precedes it (ww), and every other reader of v anti-depends on it (rw).
 * Not inferred: version orders from real time or process order (they hold only under per-key
 * linearizability or session guarantees, which the weaker models do not promise); the
 * process and realtime *edges* between txns still catch those cycles as -process / -realtime.
 * Only a txn's external read of a key (before it wrote the key) and its final write to a key
 * make edges.
 */

interface Writer { txn: Txn; final: boolean }
interface Version { k: Key; v: unknown; succ: Txn[] | null }

const NIL_EDGE_CAP = 200_000;

export function inferRwRegister(nodes: readonly Txn[], all: readonly Txn[], edges: EdgeBuilder, bag: AnomalyBag): Inference {
  const writers = new Map<Key, Map<string | number, Writer>>();
  const notes: string[] = [];
  let dupWrites = 0;
  for (const t of all) {
    for (let i = 0; i < t.ops.length; i++) {
      const [f, k, v] = t.ops[i]!;
      if (f !== 'w') continue;
      let ws = writers.get(k);
      if (!ws) { ws = new Map(); writers.set(k, ws); }
      const vk = valKey(v);
      if (ws.has(vk)) { if (ws.get(vk)!.txn !== t) dupWrites++; continue; }
      let final = true;
      for (let j = i + 1; j < t.ops.length; j++) if (t.ops[j]![0] === 'w' && t.ops[j]![1] === k) { final = false; break; }
      ws.set(vk, { txn: t, final });
    }
  }
  if (dupWrites) notes.push(`${dupWrites} writes repeated a value already written to the same key; values must be unique per key, so only the first writer of each is used`);
  const writerOf = (k: Key, v: unknown) => writers.get(k)?.get(valKey(v));

  // versions: key -> value -> successors known by writes-follow-reads; "nil" successors tracked apart
  const versions = new Map<Key, Map<string | number, Version>>();
  const version = (k: Key, v: unknown): Version => {
    let m = versions.get(k);
    if (!m) { m = new Map(); versions.set(k, m); }
    const vk = v === null ? '\u0000nil' : valKey(v);
    let x = m.get(vk);
    if (!x) { x = { k, v, succ: null }; m.set(vk, x); }
    return x;
  };
  // (txn, key) pairs whose final write has a known non-nil predecessor
  const hasPredKey = (t: Txn, k: Key) => `${t.index}\u0000${String(k)}`;
  const predKeys = new Set<string>();
  const observed = new Set<Txn>();
  const nilReaders = new Map<Key, Txn[]>();
  const readersOf = new Map<Version, Txn[]>();

  for (const t of nodes) {
    if (t.type !== 'ok') continue;
    const known = new Map<Key, { v: unknown; own: boolean }>();
    const ext = new Map<Key, unknown>();
    for (const [f, k, v] of t.ops) {
      if (f === 'w') {
        const prior = known.get(k);
        if (prior && !prior.own && ext.has(k)) {
          // writes follow reads
          const r = ext.get(k);
          if (r !== null && r !== undefined) {
            const w = writerOf(k, r);
            if (w && w.txn !== t) edges.add(w.txn.id, t.id, WW);
            predKeys.add(hasPredKey(t, k));
          }
          const ver = version(k, r ?? null);
          (ver.succ ??= []).push(t);
        }
        known.set(k, { v, own: true });
        continue;
      }
      if (f !== 'r') continue;
      const prior = known.get(k);
      if (prior) {
        if (valKey(prior.v ?? null) !== valKey(v ?? null)) {
          bag.add('internal', opAnomaly('internal', t, `read key ${fmt(k)} as ${fmt(v)} after it ${prior.own ? 'wrote' : 'read'} ${fmt(prior.v)} there itself`, k, { read: v ?? null, expected: prior.v ?? null }));
        }
        if (prior.own) continue;
      }
      known.set(k, { v: v ?? null, own: false });
      if (ext.has(k)) continue;
      ext.set(k, v ?? null);
      if (v === null || v === undefined) {
        let l = nilReaders.get(k);
        if (!l) { l = []; nilReaders.set(k, l); }
        l.push(t);
        continue;
      }
      const w = writerOf(k, v);
      if (!w) { bag.add('garbage-read', opAnomaly('garbage-read', t, `read key ${fmt(k)} as ${fmt(v)}, a value no txn ever wrote to it`, k, { read: v })); continue; }
      if (w.txn.type === 'fail') { bag.add('G1a', opAnomaly('G1a', t, `read key ${fmt(k)} as ${fmt(v)}, written by the txn at op ${w.txn.index} (process ${String(w.txn.process)}) which failed: an aborted read`, k, { read: v, writerIndex: w.txn.index })); continue; }
      if (w.txn === t) continue;
      if (!w.final) bag.add('G1b', opAnomaly('G1b', t, `read key ${fmt(k)} as ${fmt(v)}, an intermediate write of the txn at op ${w.txn.index} (process ${String(w.txn.process)}) which wrote key ${fmt(k)} again later`, k, { read: v, writerIndex: w.txn.index }));
      observed.add(w.txn);
      edges.add(w.txn.id, t.id, WR);
      const ver = version(k, v);
      let rs = readersOf.get(ver);
      if (!rs) { rs = []; readersOf.set(ver, rs); }
      rs.push(t);
    }
  }

  // lost update: two committed txns read the same version of a key and both wrote it
  for (const m of versions.values()) for (const ver of m.values()) {
    if (!ver.succ || ver.succ.length < 2) continue;
    const [t1, t2] = ver.succ as [Txn, Txn];
    bag.add('lost-update', opAnomaly('lost-update', t1, `and ${ver.succ.length - 1} other txn(s) (first: op ${t2.index}, process ${String(t2.process)}) all read key ${fmt(ver.k)} as ${fmt(ver.v)} and then wrote it: all but one of those writes were lost`, ver.k, { read: ver.v, txnIndexes: ver.succ.map((t) => t.index) }));
  }
  // rw: readers of v -> txns that overwrote v (writes follow reads)
  for (const [ver, readers] of readersOf) {
    if (!ver.succ) continue;
    for (const r of readers) for (const s of ver.succ) if (s !== r) edges.add(r.id, s.id, RW);
  }
  // rw: readers of nil -> committed writers with no known non-nil predecessor
  let capped = 0;
  for (const [k, readers] of nilReaders) {
    const ws = writers.get(k);
    if (!ws) continue;
    const roots: Txn[] = [];
    for (const w of ws.values()) {
      if (!w.final || w.txn.id < 0) continue;
      if (w.txn.type !== 'ok' && !observed.has(w.txn)) continue;
      if (predKeys.has(hasPredKey(w.txn, k))) continue;
      roots.push(w.txn);
    }
    let n = 0;
    outer: for (const r of readers) for (const w of roots) {
      if (w === r) continue;
      if (++n > NIL_EDGE_CAP) { capped++; break outer; }
      edges.add(r.id, w.id, RW);
    }
  }
  if (capped) notes.push(`${capped} keys had more than ${NIL_EDGE_CAP} nil-read anti-dependencies; the rest were left out (fewer cycles can be found, none is invented)`);
  notes.push('rw-register: wr from unique written values; ww and rw only where sound for every model: the initial nil precedes every version, and a txn that read v and then wrote the key installed its value after v (writes follow reads); no version order from real time or process order');

  return {
    notes,
    explain(a, b, kind, name) {
      const extReads = (t: Txn) => {
        const out = new Map<Key, unknown>();
        const wrote = new Set<Key>();
        for (const [f, k, v] of t.ops) {
          if (f === 'w') wrote.add(k);
          else if (f === 'r' && !wrote.has(k) && !out.has(k)) out.set(k, v ?? null);
        }
        return out;
      };
      const finalWrite = (t: Txn, k: Key) => { let x: unknown = undefined; for (const [f, kk, v] of t.ops) if (f === 'w' && kk === k) x = v; return x; };
      if (kind === WR) {
        for (const [k, v] of extReads(b)) if (v !== null && writerOf(k, v)?.txn === a) return { key: k, why: `${name(b)} read key ${fmt(k)} as ${fmt(v)}, the value ${name(a)} wrote` };
      } else if (kind === WW) {
        for (const [k, v] of extReads(b)) {
          const u = finalWrite(b, k);
          if (u !== undefined && v !== null && writerOf(k, v)?.txn === a) return { key: k, why: `${name(b)} read key ${fmt(k)} as ${fmt(v)}, written by ${name(a)}, and then wrote ${fmt(u)} to it, so its version came after ${name(a)}'s` };
        }
      } else if (kind === RW) {
        for (const [k, v] of extReads(a)) {
          const u = finalWrite(b, k);
          if (u === undefined) continue;
          if (v === null) return { key: k, why: `${name(a)} read key ${fmt(k)} as nil, the initial state, which every write, ${name(b)}'s ${fmt(u)} too, came after` };
          const bRead = extReads(b).get(k);
          if (bRead !== undefined && valKey(bRead) === valKey(v)) return { key: k, why: `${name(a)} read key ${fmt(k)} as ${fmt(v)}, which ${name(b)} overwrote with ${fmt(u)} (it read ${fmt(v)} and then wrote)` };
        }
      }
      return null;
    },
  };
}
