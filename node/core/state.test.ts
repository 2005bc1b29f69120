/**
 * The history fold keeps its causal order up to date incrementally (state.ts insertSink); these
 * properties hold it to the full topological sort it replaced, kept here as the reference.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FoldedState, type HistoryEntry, type ShownEntry } from './state.ts';
import type { Op } from './ops.ts';

/** the order as state.ts computed it before it was incremental: a full sort of the visible set */
function referenceOrder(entries: Map<string, HistoryEntry>): HistoryEntry[] {
  const before = (a: HistoryEntry, b: HistoryEntry) =>
    a.ts !== b.ts ? a.ts < b.ts : a.origin !== b.origin ? a.origin < b.origin : a.seq !== b.seq ? a.seq < b.seq : a.hash < b.hash;
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const e of entries.values()) {
    let d = 0;
    for (const l of new Set(e.links)) {
      if (!entries.has(l)) continue;
      d++;
      let c = children.get(l);
      if (!c) { c = []; children.set(l, c); }
      c.push(e.hash);
    }
    indegree.set(e.hash, d);
  }
  // a plain selection of the least available entry: the same order as the old heap, obviously so
  const ready: HistoryEntry[] = [];
  for (const e of entries.values()) if (indegree.get(e.hash) === 0) ready.push(e);
  const out: HistoryEntry[] = [];
  while (ready.length > 0) {
    let m = 0;
    for (let i = 1; i < ready.length; i++) if (before(ready[i]!, ready[m]!)) m = i;
    const e = ready.splice(m, 1)[0]!;
    out.push(e);
    for (const c of children.get(e.hash) ?? []) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) ready.push(entries.get(c)!);
    }
  }
  return out;
}

const ORIGINS = ['n1', 'n2', 'n3', 'n4'];

interface Spec { origin: number; ts: number; seq: number; value: number; links: number[]; dangling: boolean }

/**
 * A random set of appends made by concurrent origins: each links back to some earlier entries (the
 * heads it saw); ts and seq are drawn from small ranges so that every tie-break is exercised. With
 * `forged`, links may also point forward or at the entry itself (not possible with real content
 * hashes, but the fold must still answer as before).
 */
function historyArb(forged: boolean) {
  return fc.integer({ min: 1, max: 40 }).chain((n) => fc.record({
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { minLength: n, maxLength: n }),
    specs: fc.array(fc.record({
      origin: fc.nat(ORIGINS.length - 1),
      ts: fc.integer({ min: 0, max: 6 }),
      seq: fc.integer({ min: 1, max: 4 }),
      value: fc.nat(100),
      links: fc.array(fc.nat(), { maxLength: 3 }),
      dangling: fc.boolean(),
    }), { minLength: n, maxLength: n }),
  })).map(({ ids, specs }) => {
    const id = (i: number) => ids[i]!.toString(16).padStart(4, '0');
    return specs.map((s: Spec, i): Op => {
      const links: string[] = [];
      for (const l of s.links) {
        if (forged) links.push(id(l % specs.length));
        else if (i > 0) links.push(id(l % i));
      }
      if (s.dangling && s.links.length > 0) links.push('zz' + (s.links[0]! % 5)); // never visible
      return { id: id(i), origin: ORIGINS[s.origin]!, seq: s.seq, ts: s.ts, vv: {}, kind: 'append', key: 'k', payload: { value: s.value, links } };
    });
  });
}

/** applies `ops` in `order` (indices; repeats are redelivered ops), reading after the steps in `reads` */
function check(ops: Op[], order: number[], reads: boolean[]): void {
  const state = new FoldedState(1, 0);
  const ref = new Map<string, HistoryEntry>();
  const handedOut: [HistoryEntry[], HistoryEntry[]][] = [];
  const shownOut: [readonly ShownEntry[], ShownEntry[]][] = [];
  order.forEach((i, step) => {
    const op = ops[i]!;
    state.apply(op);
    ref.set(op.id, entryOf(op));
    if (reads[step % reads.length] || step === order.length - 1) {
      const got = state.history('k');
      assert.deepEqual(got.map((e) => e.hash), referenceOrder(ref).map((e) => e.hash), `after step ${step}`);
      assert.deepEqual(got, referenceOrder(ref));
      handedOut.push([got, got.slice()]);
      const shown = state.shownHistory('k');
      assert.deepEqual(shown, referenceOrder(ref).map(({ value, hash, origin, seq, links }) => ({ value, hash, origin, seq, links })), `shown after step ${step}`);
      shownOut.push([shown, structuredClone(shown)]);
    }
  });
  // an order handed out earlier is never changed by later appends, nor what a read showed
  for (const [arr, copy] of handedOut) assert.deepEqual(arr, copy);
  for (const [arr, copy] of shownOut) assert.deepEqual(arr, copy);
}

/** the entry history() should hold for an append op */
function entryOf(op: Op): HistoryEntry {
  const { value, links } = op.payload as { value: unknown; links: string[] };
  return { value, hash: op.id, origin: op.origin, seq: op.seq, ts: op.ts, links, shown: { value, hash: op.id, origin: op.origin, seq: op.seq, links } };
}

/** a delivery order that respects the links (each entry after those it links to): causal delivery */
function causalOrder(ops: Op[], keys: number[]): number[] {
  const pos = new Map(ops.map((o, i) => [o.id, i]));
  const rank = ops.map((_, i) => keys[i % keys.length]!); // a random priority per op
  const done = new Set<number>();
  const out: number[] = [];
  while (out.length < ops.length) {
    let pick = -1;
    for (let i = 0; i < ops.length; i++) {
      if (done.has(i)) continue;
      const ready = (ops[i]!.payload as { links: string[] }).links.every((l) => !pos.has(l) || done.has(pos.get(l)!));
      if (ready && (pick < 0 || rank[i]! < rank[pick]!)) pick = i;
    }
    done.add(pick); out.push(pick);
  }
  return out;
}

test('causal delivery: the incremental order equals the full sort at every read', () => {
  fc.assert(fc.property(historyArb(false), fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
    (ops, keys, reads) => check(ops, causalOrder(ops, keys), reads)), { numRuns: 400 });
});

test('any delivery order, redeliveries: the incremental order equals the full sort at every read', () => {
  fc.assert(fc.property(historyArb(false).chain((ops) => fc.record({
    ops: fc.constant(ops),
    order: fc.tuple(fc.shuffledSubarray(ops.map((_, i) => i), { minLength: ops.length, maxLength: ops.length }), fc.array(fc.nat(ops.length - 1), { maxLength: 4 }))
      .map(([perm, again]) => { const o = [...perm]; for (const a of again) o.splice(a % (o.length + 1), 0, a); return o; }),
    reads: fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
  })), ({ ops, order, reads }) => check(ops, order, reads)), { numRuns: 400 });
});

test('forged links (forward, to itself, cycles): still the same order as the full sort', () => {
  fc.assert(fc.property(historyArb(true).chain((ops) => fc.record({
    ops: fc.constant(ops),
    order: fc.shuffledSubarray(ops.map((_, i) => i), { minLength: ops.length, maxLength: ops.length }),
    reads: fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
  })), ({ ops, order, reads }) => check(ops, order, reads)), { numRuns: 400 });
});

test('a long run of concurrent appends, read after every write, matches the full sort', () => {
  // five origins appending to one key, each linking to the heads it sees; delivery lags by origin
  const state = new FoldedState(1, 0);
  const ref = new Map<string, HistoryEntry>();
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const seqs = [0, 0, 0, 0, 0];
  for (let i = 0; i < 600; i++) {
    const o = rnd(5);
    const links = state.historyHeads('k').filter(() => rnd(4) !== 0);
    const op: Op = { id: (i * 7919 % 65536).toString(16).padStart(4, '0') + i, origin: `n${o}`, seq: ++seqs[o]!, ts: 1000 + Math.floor(i / 3) - rnd(4), vv: {}, kind: 'append', key: 'k', payload: { value: i, links } };
    state.apply(op);
    ref.set(op.id, entryOf(op));
    if (rnd(3) === 0 || i === 599) assert.deepEqual(state.history('k'), referenceOrder(ref), `after write ${i}`);
  }
});
