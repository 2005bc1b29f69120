import type { ProcessId } from '../harness/history/op.ts';
import type { CheckResult } from './types.ts';
import type { SyncChecker } from './sync-checker.ts';
import { pairOps } from './op-pairs.ts';
import { lastFinalRounds } from './final-reads.ts';
import { finalLists, parseAppend, parseListRead, type Append, type ListRead } from './history-ops.ts';
import { CappedList, roundS } from './violation-list.ts';

/** Above this many (processes × appends) vector-clock entries the check gives up ("unknown"). */
export const MAX_CLOCK_ENTRIES = 50_000_000;

export interface MissingPredecessor {
  where: 'read' | 'final'; index: number; process: ProcessId | null; node: string | null; timeS: number;
  key: string; value: number; missing: number;
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

  // dense process slots and per-process positions
  const slotOf = new Map<ProcessId, number>();
  const chains: Append[][] = [];
  const posOf = new Map<Append, number>();
  for (const a of appends) {
    let s = slotOf.get(a.pair.process);
    if (s === undefined) { s = chains.length; slotOf.set(a.pair.process, s); chains.push([]); }
    chains[s]!.push(a);
    posOf.set(a, chains[s]!.length);
  }
  const nProcs = chains.length;
  if (nProcs * appends.length > MAX_CLOCK_ENTRIES) {
    return { valid: 'unknown', summary: `too large for the vector-clock budget: ${nProcs} appending processes × ${appends.length} appends` };
  }
  // value lookup per key; a value appended twice keeps its first append
  const byKey = new Map<string, Map<number, Append>>();
  for (const a of appends) {
    const m = byKey.get(a.key) ?? new Map<number, Append>();
    if (!m.has(a.value)) m.set(a.value, a);
    byKey.set(a.key, m);
  }
  const appendOf = (key: string, v: number) => byKey.get(key)?.get(v);

  // visit append invocations and read completions in history order
  type Event = { at: number; append?: Append; read?: ListRead };
  const events: Event[] = [];
  for (const a of appends) events.push({ at: a.pair.invoke.index, append: a });
  for (const r of reads) events.push({ at: r.pair.completion!.index, read: r });
  events.sort((x, y) => x.at - y.at);

  const vcOf = new Map<Append, Int32Array>();
  const lastVc = new Map<ProcessId, Int32Array>();
  const observed = new Map<string, Int32Array>(); // `${process}\u0000${key}` → join of seen vcs
  const futureReads: { read: ListRead; append: Append }[] = [];
  for (const e of events) {
    if (e.append) {
      const a = e.append;
      const vc = new Int32Array(nProcs);
      const prev = lastVc.get(a.pair.process);
      if (prev) joinInto(vc, prev);
      const seen = observed.get(`${a.pair.process}\u0000${a.key}`);
      if (seen) joinInto(vc, seen);
      vc[slotOf.get(a.pair.process)!] = posOf.get(a)!;
      vcOf.set(a, vc);
      lastVc.set(a.pair.process, vc);
      continue;
    }
    const r = e.read!;
    const id = `${r.pair.process}\u0000${r.key}`;
    let seen = observed.get(id);
    for (const v of r.values) {
      const a = appendOf(r.key, v);
      if (!a) continue;
      const vc = vcOf.get(a);
      if (!vc) { futureReads.push({ read: r, append: a }); continue; }
      const q = slotOf.get(a.pair.process)!;
      if (seen && seen[q]! >= posOf.get(a)!) continue; // already covered: chains are monotone
      seen ??= new Int32Array(nProcs);
      joinInto(seen, vc);
    }
    if (seen) observed.set(id, seen);
  }

  // per process and key: positions of that process's appends on the key, ascending
  const keyChains = new Map<string, Append[]>(); // `${slot}\u0000${key}`
  chains.forEach((chain, s) => {
    for (const a of chain) {
      const id = `${s}\u0000${a.key}`;
      const list = keyChains.get(id) ?? [];
      list.push(a);
      keyChains.set(id, list);
    }
  });
  const frontierCache = new Map<Append, Append[]>();
  const frontier = (x: Append): Append[] => {
    const cached = frontierCache.get(x);
    if (cached) return cached;
    const vc = vcOf.get(x)!;
    const candidates: Append[] = [];
    for (let q = 0; q < nProcs; q++) {
      const limit = vc[q]!;
      if (limit === 0) continue;
      const chain = keyChains.get(`${q}\u0000${x.key}`);
      if (!chain) continue;
      const y = lastAtOrBefore(chain, limit, posOf, x);
      if (y) candidates.push(y);
    }
    // keep the maximal ones: latest first, drop any already in a kept one's past
    candidates.sort((p, q) => q.pair.invoke.index - p.pair.invoke.index);
    const kept: Append[] = [];
    for (const y of candidates) {
      const q = slotOf.get(y.pair.process)!, pos = posOf.get(y)!;
      if (!kept.some((k) => vcOf.get(k)![q]! >= pos)) kept.push(y);
    }
    frontierCache.set(x, kept);
    return kept;
  };

  const missing = new CappedList<MissingPredecessor>();
  const order = new CappedList<OrderViolation>();
  const checkList = (key: string, values: readonly number[], at: Omit<MissingPredecessor, 'key' | 'value' | 'missing' | 'missingAppend'>, node?: string) => {
    const position = new Map<number, number>();
    values.forEach((v, i) => { if (!position.has(v)) position.set(v, i); });
    values.forEach((v, i) => {
      const x = appendOf(key, v);
      if (!x || !vcOf.has(x)) return;
      for (const f of frontier(x)) {
        const fp = position.get(f.value);
        if (fp === undefined) {
          missing.push({ ...at, key, value: v, missing: f.value, missingAppend: { index: f.pair.invoke.index, process: f.pair.process } });
        } else if (node !== undefined && fp > i) {
          order.push({ node, key, value: v, position: i, predecessor: f.value, predecessorPosition: fp });
        }
      }
    });
  };
  for (const r of reads) {
    checkList(r.key, r.values, { where: 'read', index: r.pair.completion!.index, process: r.pair.process, node: r.pair.node ?? null, timeS: roundS(r.pair.endS) });
  }
  for (const [node, lists] of finals) {
    for (const [key, values] of lists) checkList(key, values, { where: 'final', index: -1, process: null, node, timeS: -1 }, node);
  }

  // (d) future reads, and the cycles among them
  const cycles: Cycle[] = [];
  const impossible = new CappedList<{ read: CycleOp; value: number; append: CycleOp }>();
  const asOp = (p: { invoke: { index: number }; process: ProcessId; f: string; value: unknown }, index = p.invoke.index): CycleOp => ({ index, process: p.process, f: p.f, value: p.value });
  for (const { read, append } of futureReads) {
    const r = read.pair, rEnd = r.completion!.index;
    const s = slotOf.get(r.process);
    const next = s === undefined ? undefined : chains[s]!.find((a) => a.pair.invoke.index > rEnd);
    const readOp = asOp(r, rEnd);
    if (next && next === append) {
      cycles.push({ ops: [readOp, asOp(append.pair)], explanation: `process ${r.process} read ${append.key}=${append.value} before appending it itself` });
    } else if (next && vcOf.get(append)![s!]! >= posOf.get(next)!) {
      cycles.push({ ops: [readOp, asOp(next.pair), asOp(append.pair)],
        explanation: `read by process ${r.process} showed ${append.key}=${append.value}, whose append hb-follows that process's next append ${next.key}=${next.value}` });
    } else {
      impossible.push({ read: readOp, value: append.value, append: asOp(append.pair) });
    }
  }
  cycles.sort((a, b) => a.ops.length - b.ops.length || a.ops[0]!.index - b.ops[0]!.index);

  const details = {
    appends: appends.length, readsChecked: reads.length, finalNodes: [...finals.keys()].sort(),
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
  return { valid: true, summary: `causal: ${reads.length} reads and ${finals.size} final orders respect happens-before over ${appends.length} appends`, ...details };
};

function joinInto(into: Int32Array, from: Int32Array): void {
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}

/** The last append in `chain` (ascending positions) with position ≤ limit, other than `self`. */
function lastAtOrBefore(chain: Append[], limit: number, posOf: Map<Append, number>, self: Append): Append | undefined {
  let lo = 0, hi = chain.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (posOf.get(chain[mid]!)! <= limit) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found >= 0 && chain[found] === self) found--;
  return found >= 0 ? chain[found] : undefined;
}
