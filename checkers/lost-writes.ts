import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import type { ProcessId } from '../api/history.ts';
import { lastTimeS, pairOps } from './op-pairs.ts';
import { faultIntervals } from './timeline.ts';
import { faultsAt } from './faults-at.ts';
import { allNodes, lastFinalRounds } from './final-reads.ts';
import { finalLists, parseAppend, parseListRead, type Append } from './history-ops.ts';
import { CappedList, roundS } from './violation-list.ts';
import { ListMarks, ValueIds } from './value-ids.ts';

/** Where a value was seen: a read op or a node's final read. */
export interface Sighting { where: 'read' | 'final'; index: number; process: ProcessId | null; node: string | null; timeS: number }
export interface LostWrite {
  key: string; value: number; appendIndex: number; process: ProcessId; ackS: number;
  /** the node that acknowledged it */
  node: string | null;
  /** the faults active when it was acknowledged */
  faults: string[];
  /** nodes whose final read lacks the value */
  missingOn: string[];
  /** the latest ok read that still showed the value (Jepsen set-full's "last seen"), or null */
  lastSeen: Sighting | null;
}
export interface RecoveredWrite { key: string; value: number; appendIndex: number; process: ProcessId; type: string; presentOn: string[] }
export interface UnexpectedValue { key: string; value: number; reason: 'never appended' | 'append failed' | 'appended to another key'; firstSeen: Sighting; occurrences: number }
export interface DuplicatedValue { key: string; value: number; times: number; seen: Sighting }

/**
 * Lost writes for the history workload, in the style of Jepsen's set-full:
 * - lost: an acknowledged (ok) append missing from some node's final read (nodes named, plus
 *   the last read that still saw it);
 * - recovered: an indeterminate (info/pending) append that appears in a final read — fine;
 * - unexpected: a value in a read or final read that nobody appended on that key, or whose append
 *   failed (fail means it certainly did not happen);
 * - duplicated: a value listed twice in one read or final read.
 */
export const lostWritesChecker: SyncChecker = (history, ctx): CheckResult => {
  const pairs = pairOps(history);
  const appends = new Map<string, Map<number, Append>>();
  const keyOfValue = new Map<number, string>();
  let acknowledged = 0, indeterminate = 0, failed = 0;
  for (const p of pairs) {
    const a = parseAppend(p);
    if (!a) continue;
    if (p.type === 'ok') acknowledged++; else if (p.type === 'fail') failed++; else indeterminate++;
    const perKey = appends.get(a.key) ?? new Map<number, Append>();
    // a value appended twice breaks the workload's uniqueness; keep the strongest outcome
    const prev = perKey.get(a.value);
    if (!prev || rank(p.type) > rank(prev.pair.type)) perKey.set(a.value, a);
    appends.set(a.key, perKey);
    keyOfValue.set(a.value, a.key);
  }

  const finals = new Map<string, { lists: Map<string, number[]>; index: number; timeS: number }>();
  for (const [node, r] of lastFinalRounds(pairs)) {
    const lists = finalLists(r.state);
    if (lists) finals.set(node, { lists, index: r.index, timeS: r.timeS });
  }
  const nodes = allNodes(ctx.nodes, finals.keys());
  const missingNodes = nodes.filter((n) => !finals.has(n));
  if (finals.size === 0) {
    return { valid: 'unknown', summary: 'no node has an ok final read of the history state', missingNodes, acknowledged, indeterminate, failed };
  }

  const { faults } = faultIntervals(pairs, lastTimeS(history));
  const ids = new ValueIds();
  const byId: Append[] = [];
  for (const [key, perKey] of appends) for (const [value, a] of perKey) { ids.add(key, value); byId.push(a); }
  ids.seal();
  const marks = new ListMarks(ids.size);

  const unexpected = new Map<string, UnexpectedValue>();
  const duplicated = new CappedList<DuplicatedValue>();
  const noteUnexpected = (key: string, v: number, reason: UnexpectedValue['reason'], seen: Sighting) => {
    const id = `${key}\u0000${v}`;
    const u = unexpected.get(id);
    if (u) u.occurrences++; else unexpected.set(id, { key, value: v, reason, firstSeen: seen, occurrences: 1 });
  };
  const inspect = (key: string, values: readonly number[], seen: Sighting) => {
    const kn = ids.keyNo(key);
    marks.begin();
    let extra: Map<number, number> | undefined; // values seen more than once, or not appended here
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const id = ids.lookup(kn, v);
      if (id >= 0 && marks.set(id, i)) {
        if (byId[id]!.pair.type === 'fail') noteUnexpected(key, v, 'append failed', seen);
        continue;
      }
      extra ??= new Map();
      const n = (extra.get(v) ?? (id >= 0 ? 1 : 0)) + 1;
      extra.set(v, n);
      if (id < 0 && n === 1) noteUnexpected(key, v, keyOfValue.has(v) ? 'appended to another key' : 'never appended', seen);
    }
    for (const [v, n] of extra ?? []) if (n > 1) duplicated.push({ key, value: v, times: n, seen });
  };

  const reads = pairs.map(parseListRead).filter((r) => r !== undefined);
  for (const r of reads) {
    inspect(r.key, r.values, { where: 'read', index: r.pair.completion!.index, process: r.pair.process, node: r.pair.node ?? null, timeS: roundS(r.pair.endS) });
  }
  const present = new Map<string, Uint8Array>(); // node → present[id]
  for (const [node, f] of finals) {
    const here = new Uint8Array(ids.size);
    for (const [key, list] of f.lists) {
      inspect(key, list, { where: 'final', index: f.index, process: null, node, timeS: roundS(f.timeS) });
      const kn = ids.keyNo(key);
      for (const v of list) { const id = ids.lookup(kn, v); if (id >= 0) here[id] = 1; }
    }
    present.set(node, here);
  }

  const lost: LostWrite[] = [];
  const lostIds = new Map<number, LostWrite>();
  const recovered = new CappedList<RecoveredWrite>();
  byId.forEach((a, id) => {
    const presentOn: string[] = [], missingOn: string[] = [];
    for (const [node, here] of present) (here[id] ? presentOn : missingOn).push(node);
    if (a.pair.type === 'ok') {
      if (missingOn.length > 0) {
        const l: LostWrite = { key: a.key, value: a.value, appendIndex: a.pair.invoke.index, process: a.pair.process, ackS: roundS(a.pair.endS), node: a.pair.node ?? null, faults: faultsAt(faults, a.pair.endS), missingOn: missingOn.sort(), lastSeen: null };
        lost.push(l); lostIds.set(id, l);
      }
    } else if (a.pair.type !== 'fail' && presentOn.length > 0) {
      recovered.push({ key: a.key, value: a.value, appendIndex: a.pair.invoke.index, process: a.pair.process, type: a.pair.type, presentOn: presentOn.sort() });
    }
  });
  lost.sort((x, y) => x.appendIndex - y.appendIndex);

  // last seen: the latest read showing each lost value (one pass over the reads)
  if (lostIds.size) {
    for (const r of reads) {
      const kn = ids.keyNo(r.key);
      for (const v of r.values) {
        const l = lostIds.get(ids.lookup(kn, v));
        if (l && (!l.lastSeen || l.lastSeen.timeS <= r.pair.endS)) {
          l.lastSeen = { where: 'read', index: r.pair.completion!.index, process: r.pair.process, node: r.pair.node ?? null, timeS: roundS(r.pair.endS) };
        }
      }
    }
  }

  const unexpectedList = [...unexpected.values()];
  const details = {
    acknowledged, indeterminate, failed, missingNodes,
    lost: lost.slice(0, 20), lostCount: lost.length,
    recovered: recovered.items, recoveredCount: recovered.count,
    unexpected: unexpectedList.slice(0, 20), unexpectedCount: unexpectedList.length,
    duplicated: duplicated.items, duplicatedCount: duplicated.count,
  };
  const problems: string[] = [];
  if (lost.length) {
    const l = lost[0]!;
    problems.push(`${lost.length} acknowledged appends lost (first: ${l.key}=${l.value} by process ${l.process}, missing on ${l.missingOn.join(', ')})`);
  }
  if (unexpectedList.length) problems.push(`${unexpectedList.length} unexpected values (first: ${unexpectedList[0]!.key}=${unexpectedList[0]!.value}, ${unexpectedList[0]!.reason})`);
  if (duplicated.count) problems.push(`${duplicated.count} duplicated values`);
  if (problems.length) return { valid: false, summary: problems.join('; '), ...details };
  if (acknowledged === 0) return { valid: 'unknown', summary: 'no acknowledged append to look for', ...details };
  if (missingNodes.length) {
    return { valid: 'unknown', summary: `nothing lost on ${finals.size} nodes, but ${missingNodes.join(', ')} gave no final read`, ...details };
  }
  return { valid: true, summary: `all ${acknowledged} acknowledged appends on all ${finals.size} nodes; ${recovered.count} of ${indeterminate} indeterminate appends recovered`, ...details };
};

const rank = (t: string): number => (t === 'ok' ? 3 : t === 'info' || t === 'pending' ? 2 : 1);
