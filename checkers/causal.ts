import type { ProcessId } from '../api/history.ts';
import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import { pairOps } from './op-pairs.ts';
import { lastFinalRounds } from './final-reads.ts';
import { finalLists, parseAppend, parseListRead, type Append, type ListRead } from './history-ops.ts';
import { CappedList, roundS } from './violation-list.ts';
import { ListMarks, ValueIds } from './value-ids.ts';

/** Above this many (processes × appends) vector-clock entries the check gives up ("unknown"). */
export const MAX_CLOCK_ENTRIES = 25_000_000;

export interface MissingPredecessor {
  where: 'read' | 'final'; index: number; process: ProcessId | null; node: string | null; timeS: number;
  /** the shown value that needs the missing one (null if none could be named) */
  key: string; value: number | null; missing: number;
  /** the append of the missing value: invoke index and process */
  missingAppend: { index: number; process: ProcessId };
}
export interface OrderViolation { node: string; key: string; value: number; position: number; predecessor: number; predecessorPosition: number }
export interface CycleOp { index: number; process: ProcessId; f: string; value: unknown }
export interface Cycle { ops: CycleOp[]; explanation: string }

/**
 * Causal consistency for the history workload, Elle-style, over appends.
 *
 * Happens-before (hb) between appends:
 *  (a) process order: a process's appends, in its own order (any key);
 *  (b) read-before-append: an append on key k by process P comes after every value P had seen
 *      in its ok reads of k before that append.
 * hb is the transitive closure. Checks:
 *  (c) a read of k that shows x shows every append on k that hb-precedes x (missing predecessor);
 *      every node's final list of k holds those predecessors, before x (order violation);
 *  (d) no cycle: a read cannot show a value whose append began after the read ended; when that
 *      value's append even hb-follows the read (via the reader's next append) it is a cycle.
 *
 * How: appends are visited in history order (which every hb edge respects unless (d) is broken)
 * and each gets a vector clock over the appending processes: vc[Q] = the highest position in Q's
 * append sequence that hb-precedes or is the append. Since each process's appends form a chain,
 * an append's hb-past on key k is, per process Q, a prefix of Q's appends on k; only the maximal
 * elements (its frontier) need checking in each list, which keeps reads O(length × frontier).
 * Values with no append on that key (or a failed one) are the lost-writes checker's business.
 */
export const causalChecker: SyncChecker = (history): CheckResult => {
  const pairs = pairOps(history);
  const appends: Append[] = [];
  const reads: ListRead[] = [];
  for (const p of pairs) {
    const a = parseAppend(p);
    if (a && p.type !== 'fail' && typeof p.process === 'number') appends.push(a);
    const r = parseListRead(p);
    if (r) reads.push(r);
  }
  const finals = new Map<string, Map<string, number[]>>();
  for (const [node, round] of lastFinalRounds(pairs)) {
    const lists = finalLists(round.state);
    if (lists) finals.set(node, lists);
  }
  if (reads.length === 0 && finals.size === 0) return { valid: 'unknown', summary: 'no ok read and no final read of the history state' };

  // dense ids: appends in history order, process slots, positions in each process's chain
  const ids = new ValueIds();
  const byId: Append[] = [];
  for (const a of appends) {
    if (ids.has(a.key, a.value)) continue; // a value appended twice keeps its first append
    ids.add(a.key, a.value);
    byId.push(a);
  }
  const n = byId.length;
  const slotOf = new Map<ProcessId, number>();
  const chains: number[][] = [];
  const slot = new Int32Array(n), pos = new Int32Array(n);
  byId.forEach((a, id) => {
    let s = slotOf.get(a.pair.process);
    if (s === undefined) { s = chains.length; slotOf.set(a.pair.process, s); chains.push([]); }
    chains[s]!.push(id);
    slot[id] = s; pos[id] = chains[s]!.length;
  });
  const nProcs = chains.length;
  if (nProcs * n > MAX_CLOCK_ENTRIES) {
    return { valid: 'unknown', summary: `too large for the vector-clock budget: ${nProcs} appending processes × ${n} appends` };
  }
  ids.seal();

  // visit append invocations and read completions in history order
  type Event = { at: number; append: number; read?: ListRead };
  const events: Event[] = [];
  byId.forEach((a, id) => events.push({ at: a.pair.invoke.index, append: id }));
  for (const r of reads) events.push({ at: r.pair.completion!.index, append: -1, read: r });
  events.sort((x, y) => x.at - y.at);

  // vc of append id: clocks[id*nProcs .. +nProcs]; vc[q] = highest position of q's chain in its past
  const clocks = new Int32Array(n * nProcs);
  const ready = new Uint8Array(n);
  const vcOf = (id: number) => clocks.subarray(id * nProcs, (id + 1) * nProcs);
  const lastOfProcess = new Map<ProcessId, number>();
  const observed = new Map<string, Int32Array>(); // `${process}\u0000${key}` → join of seen vcs
  const futureReads: { read: ListRead; append: number }[] = [];
  for (const e of events) {
    if (e.read === undefined) {
      const id = e.append, a = byId[id]!;
      const vc = vcOf(id);
      const prev = lastOfProcess.get(a.pair.process);
      if (prev !== undefined) joinInto(vc, vcOf(prev));
      const seen = observed.get(`${a.pair.process}\u0000${a.key}`);
      if (seen) joinInto(vc, seen);
      vc[slot[id]!] = pos[id]!;
      ready[id] = 1;
      lastOfProcess.set(a.pair.process, id);
      continue;
    }
    const r = e.read;
    const key = `${r.pair.process}\u0000${r.key}`;
    let seen = observed.get(key);
    const kn = ids.keyNo(r.key);
    if (kn < 0) continue;
    // newest first: a later value's clock usually covers the earlier ones, saving joins
    for (let i = r.values.length - 1; i >= 0; i--) {
      const id = ids.lookup(kn, r.values[i]!);
      if (id < 0) continue;
      if (!ready[id]) { futureReads.push({ read: r, append: id }); continue; }
      if (seen && seen[slot[id]!]! >= pos[id]!) continue; // already covered: chains are monotone
      seen ??= new Int32Array(nProcs);
      joinInto(seen, vcOf(id));
    }
    if (seen) observed.set(key, seen);
  }

  // per key, per process slot: that process's appends on the key, ascending positions
  const keyChains = new Map<string, (number[] | undefined)[]>();
  chains.forEach((chain, s) => {
    for (const id of chain) {
      const k = byId[id]!.key;
      let perSlot = keyChains.get(k);
      if (!perSlot) { perSlot = new Array(nProcs); keyChains.set(k, perSlot); }
      (perSlot[s] ??= []).push(id);
    }
  });
  const frontiers: (Int32Array | undefined)[] = new Array(n);
  const frontier = (x: number): Int32Array => {
    const cached = frontiers[x];
    if (cached) return cached;
    const vc = vcOf(x);
    const perSlot = keyChains.get(byId[x]!.key)!;
    const candidates: number[] = [];
    for (let q = 0; q < nProcs; q++) {
      const limit = vc[q]!;
      const chain = perSlot[q];
      if (limit === 0 || !chain) continue;
      const y = lastAtOrBefore(chain, limit, pos, x);
      if (y >= 0) candidates.push(y);
    }
    // keep the maximal ones: latest first, drop any already in a kept one's past
    candidates.sort((p, q) => q - p); // ids follow history order
    const kept: number[] = [];
    for (const y of candidates) if (!kept.some((k) => clocks[k * nProcs + slot[y]!]! >= pos[y]!)) kept.push(y);
    return (frontiers[x] = Int32Array.from(kept));
  };

  const missing = new CappedList<MissingPredecessor>();
  const order = new CappedList<OrderViolation>();
  const marks = new ListMarks(n);
  const checkList = (key: string, values: readonly number[], at: Omit<MissingPredecessor, 'key' | 'value' | 'missing' | 'missingAppend'>, node?: string) => {
    const kn = ids.keyNo(key);
    if (kn < 0) return;
    marks.begin();
    const listIds = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const id = ids.lookup(kn, values[i]!);
      listIds[i] = id;
      if (id >= 0) marks.set(id, i);
    }
    for (let i = 0; i < values.length; i++) {
      const x = listIds[i]!;
      if (x < 0 || !ready[x]) continue;
      for (const f of frontier(x)) {
        const fp = marks.position(f);
        if (fp < 0) {
          const fa = byId[f]!;
          missing.push({ ...at, key, value: values[i]!, missing: fa.value, missingAppend: { index: fa.pair.invoke.index, process: fa.pair.process } });
        } else if (node !== undefined && fp > i) {
          order.push({ node, key, value: values[i]!, position: i, predecessor: byId[f]!.value, predecessorPosition: fp });
        }
      }
    }
  };
  // reads: L is downward-closed iff, with V the join of its clocks, L holds for every process q
  // all of q's appends on the key up to position V[q]; counted per q, details only when listed
  const V = new Int32Array(nProcs), counts = new Int32Array(nProcs);
  for (const r of reads) {
    const kn = ids.keyNo(r.key);
    if (kn < 0) continue;
    const at = { where: 'read' as const, index: r.pair.completion!.index, process: r.pair.process, node: r.pair.node ?? null, timeS: roundS(r.pair.endS) };
    marks.begin(); V.fill(0); counts.fill(0);
    const listIds: number[] = [];
    for (let i = r.values.length - 1; i >= 0; i--) { // newest first: fewer joins
      const id = ids.lookup(kn, r.values[i]!);
      if (id < 0 || !marks.set(id, i)) continue;
      listIds.push(id);
      if (ready[id] && V[slot[id]!]! < pos[id]!) joinInto(V, vcOf(id));
    }
    // count only what lies within V: a value read from the future (not joined) must not mask a gap
    for (const id of listIds) if (pos[id]! <= V[slot[id]!]!) counts[slot[id]!]!++;
    const perSlot = keyChains.get(r.key)!;
    for (let q = 0; q < nProcs; q++) {
      if (V[q] === 0) continue;
      const chain = perSlot[q];
      const need = chain ? rankAtOrBelow(chain, V[q]!, pos) : 0;
      if (counts[q]! >= need) continue;
      if (missing.full) { missing.countMore(need - counts[q]!); continue; }
      for (let j = 0; j < need; j++) {
        const m = chain![j]!;
        if (marks.has(m)) continue;
        const x = listIds.find((id) => pos[id]! <= V[slot[id]!]! && clocks[id * nProcs + q]! >= pos[m]!);
        const ma = byId[m]!;
        missing.push({ ...at, key: r.key, value: x === undefined ? null : byId[x]!.value, missing: ma.value, missingAppend: { index: ma.pair.invoke.index, process: ma.pair.process } });
      }
    }
  }
  for (const [node, lists] of finals) {
    for (const [key, values] of lists) checkList(key, values, { where: 'final', index: -1, process: null, node, timeS: -1 }, node);
  }

  // (d) future reads, and the cycles among them
  const cycles: Cycle[] = [];
  const impossible = new CappedList<{ read: CycleOp; value: number; append: CycleOp }>();
  const asOp = (p: { invoke: { index: number }; process: ProcessId; f: string; value: unknown }, index = p.invoke.index): CycleOp => ({ index, process: p.process, f: p.f, value: p.value });
  for (const { read, append: appendId } of futureReads) {
    const append = byId[appendId]!;
    const r = read.pair, rEnd = r.completion!.index;
    const s = slotOf.get(r.process);
    const nextId = s === undefined ? undefined : chains[s]!.find((id) => byId[id]!.pair.invoke.index > rEnd);
    const next = nextId === undefined ? undefined : byId[nextId];
    const readOp = asOp(r, rEnd);
    if (next && next === append) {
      cycles.push({ ops: [readOp, asOp(append.pair)], explanation: `process ${r.process} read ${append.key}=${append.value} before appending it itself` });
    } else if (next && vcOf(appendId)[s!]! >= pos[nextId!]!) {
      cycles.push({ ops: [readOp, asOp(next.pair), asOp(append.pair)],
        explanation: `read by process ${r.process} showed ${append.key}=${append.value}, whose append hb-follows that process's next append ${next.key}=${next.value}` });
    } else {
      impossible.push({ read: readOp, value: append.value, append: asOp(append.pair) });
    }
  }
  cycles.sort((a, b) => a.ops.length - b.ops.length || a.ops[0]!.index - b.ops[0]!.index);

  const details = {
    appends: n, readsChecked: reads.length, finalNodes: [...finals.keys()].sort(),
    missingPredecessors: missing.items, missingPredecessorCount: missing.count,
    orderViolations: order.items, orderViolationCount: order.count,
    cycles: cycles.slice(0, 5), cycleCount: cycles.length, smallestCycle: cycles[0] ?? null,
    futureReads: impossible.items, futureReadCount: impossible.count,
  };
  const problems: string[] = [];
  if (missing.count) {
    const m = missing.items[0]!;
    problems.push(`${missing.count} missing predecessors (first: ${m.where} ${m.where === 'read' ? `index ${m.index} by process ${m.process}` : `on ${m.node}`} shows ${m.key}=${m.value} without ${m.missing})`);
  }
  if (order.count) {
    const o = order.items[0]!;
    problems.push(`${order.count} final-order violations (first: ${o.node} lists ${o.key}=${o.predecessor} after ${o.value})`);
  }
  if (cycles.length) problems.push(`${cycles.length} cycles (smallest: ${cycles[0]!.explanation})`);
  if (impossible.count) problems.push(`${impossible.count} reads showed a value before its append began`);
  if (problems.length) return { valid: false, summary: problems.join('; '), ...details };
  return { valid: true, summary: `causal: ${reads.length} reads and ${finals.size} final orders respect happens-before over ${n} appends`, ...details };
};

/** How many appends of `chain` (ascending positions) have position ≤ limit. */
function rankAtOrBelow(chain: number[], limit: number, pos: Int32Array): number {
  let lo = 0, hi = chain.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pos[chain[mid]!]! <= limit) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function joinInto(into: Int32Array, from: Int32Array): void {
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}

/** The last id in `chain` (ascending positions) with position ≤ limit, other than `self`; -1 if none. */
function lastAtOrBefore(chain: number[], limit: number, pos: Int32Array, self: number): number {
  let lo = 0, hi = chain.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pos[chain[mid]!]! <= limit) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found >= 0 && chain[found] === self) found--;
  return found >= 0 ? chain[found]! : -1;
}
