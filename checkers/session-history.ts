import type { ProcessId } from '../api/history.ts';
import type { OpPair } from './op-pairs.ts';
import { lastFinalRounds } from './final-reads.ts';
import { finalLists, parseAppend, parseListRead, type Append, type ListRead } from './history-ops.ts';
import { roundS } from './violation-list.ts';
import { ListMarks, ValueIds } from './value-ids.ts';
import type { SessionFindings } from './session-types.ts';

/** Element comparisons for the full writes-follow-reads check; beyond, only the newest value is checked (partial). */
export const WFR_BUDGET = 5_000_000;

/**
 * Session guarantees for the history workload (lists per key; a process is one session):
 * - read-your-writes: after the session's ok append of x to k, its next ok read of k shows x;
 * - monotonic reads: each ok read of k by the session shows every value its previous ok read of
 *   k showed (each drop is reported once, at the read where it happened);
 * - monotonic writes: if the session appended x then y to k (both ok), any read by anyone and any
 *   node's final list that shows y shows x, and final lists put x before y;
 * - writes-follow-reads: if the session read k (ok) and then appended y to k, any read or final
 *   list that shows y shows every value of the session's last read of k before y (before y in
 *   final lists). Past WFR_BUDGET comparisons only that read's newest value is required.
 * Values nobody appended are the lost-writes checker's business and are ignored here.
 */
export function checkHistorySessions(pairs: readonly OpPair[], found: SessionFindings): void {
  const appends: Append[] = [];
  const reads: ListRead[] = [];
  for (const p of pairs) {
    if (typeof p.process !== 'number') continue;
    const a = parseAppend(p);
    if (a && p.type !== 'fail') appends.push(a);
    const r = parseListRead(p);
    if (r) reads.push(r);
  }
  const ids = new ValueIds();
  const byId: Append[] = [];
  for (const a of appends) if (!ids.has(a.key, a.value)) { ids.add(a.key, a.value); byId.push(a); }
  ids.seal();
  const n = byId.length;
  const marks = new ListMarks(n);
  const toIds = (key: string, values: readonly number[]) => {
    const kn = ids.keyNo(key);
    const out: number[] = [];
    for (const v of values) { const id = ids.lookup(kn, v); if (id >= 0) out.push(id); }
    return out;
  };

  // own view (RYW, MR), in each process's order
  type Session = { prev?: { ids: number[]; index: number }; own: { id: number; index: number }[]; lastAppend: number; lastRead?: number };
  const sessions = new Map<string, Session>();
  const mwPred = new Int32Array(n).fill(-1);
  const wfrSource = new Int32Array(n).fill(-1);
  const sourceReads: { ids: number[]; read: ListRead }[] = [];
  for (const p of pairs) {
    if (typeof p.process !== 'number' || (p.f !== 'append' && p.f !== 'read')) continue;
    const a = p.f === 'append' && p.type === 'ok' ? parseAppend(p) : undefined;
    const r = a ? undefined : parseListRead(p);
    if (!a && !r) continue;
    const key = (a ?? r)!.key;
    const sid = `${p.process}\u0000${key}`;
    const s = sessions.get(sid) ?? { own: [], lastAppend: -1 };
    sessions.set(sid, s);
    if (a) {
      const id = ids.lookup(ids.keyNo(key), a.value);
      if (id < 0 || byId[id]!.pair !== p) continue;
      s.own.push({ id, index: p.invoke.index });
      if (s.lastAppend >= 0) mwPred[id] = s.lastAppend;
      s.lastAppend = id;
      if (s.lastRead !== undefined) wfrSource[id] = s.lastRead;
      continue;
    }
    const listIds = toIds(key, r!.values);
    marks.begin();
    listIds.forEach((id, i) => marks.set(id, i));
    const at = { process: p.process, key, where: 'read' as const, index: p.completion!.index, reader: p.process, node: p.node ?? null, timeS: roundS(p.endS) };
    if (s.own.length) found.applied.add('read-your-writes');
    for (const o of s.own) {
      if (marks.has(o.id)) continue;
      found.add({ guarantee: 'read-your-writes', ...at, value: null, expected: byId[o.id]!.value, becauseOf: { index: o.index, f: 'append' },
        explanation: `process ${p.process} appended ${key}=${byId[o.id]!.value} but its next read lacks it` });
    }
    if (s.prev) {
      found.applied.add('monotonic-reads');
      for (const id of s.prev.ids) {
        if (marks.has(id)) continue;
        found.add({ guarantee: 'monotonic-reads', ...at, value: null, expected: byId[id]!.value, becauseOf: { index: s.prev.index, f: 'read' },
          explanation: `process ${p.process} saw ${key}=${byId[id]!.value} at index ${s.prev.index} but its next read lacks it` });
      }
    }
    s.prev = { ids: listIds, index: p.completion!.index };
    s.own = [];
    if (listIds.length) { s.lastRead = sourceReads.length; sourceReads.push({ ids: listIds, read: r! }); } else s.lastRead = undefined;
  }

  // others' view (MW, WFR): every read and every node's final list
  if (mwPred.some((x) => x >= 0)) found.applied.add('monotonic-writes');
  if (wfrSource.some((x) => x >= 0)) found.applied.add('writes-follow-reads');
  let budget = WFR_BUDGET;
  let partial = false;
  const srcStamp = new Int32Array(sourceReads.length);
  let listNo = 0;
  const checkList = (key: string, values: readonly number[], at: { where: 'read' | 'final'; index: number; reader: ProcessId | null; node: string | null; timeS: number }) => {
    const listIds = toIds(key, values);
    if (!listIds.length) return;
    marks.begin();
    listIds.forEach((id, i) => marks.set(id, i));
    listNo++;
    const final = at.where === 'final';
    for (let i = 0; i < listIds.length; i++) {
      const y = listIds[i]!, ya = byId[y]!;
      const x = mwPred[y]!;
      if (x >= 0) {
        const xp = marks.position(x);
        if (xp < 0 || (final && xp > i)) {
          const xa = byId[x]!;
          found.add({ guarantee: 'monotonic-writes', process: ya.pair.process, key, ...at, value: ya.value, expected: xa.value,
            becauseOf: { index: xa.pair.invoke.index, f: 'append' },
            explanation: xp < 0 ? `shows ${key}=${ya.value} without ${xa.value}, appended before it by process ${ya.pair.process}` : `lists ${key}=${xa.value} after ${ya.value}, though process ${ya.pair.process} appended it first` });
        }
      }
      const src = wfrSource[y]!;
      if (src < 0 || srcStamp[src] === listNo) continue;
      srcStamp[src] = listNo;
      const source = sourceReads[src]!;
      const all = source.ids;
      let from = 0;
      if (budget >= all.length) budget -= all.length;
      else { partial = true; from = all.length - 1; }
      for (let j = from; j < all.length; j++) {
        const w = all[j]!;
        const wp = marks.position(w);
        if (wp >= 0 && !(final && wp > i)) continue;
        const wa = byId[w]!;
        found.add({ guarantee: 'writes-follow-reads', process: source.read.pair.process, key, ...at, value: ya.value, expected: wa.value,
          becauseOf: { index: source.read.pair.completion!.index, f: 'read' },
          explanation: wp < 0 ? `shows ${key}=${ya.value} without ${wa.value}, which process ${ya.pair.process} had read before appending it` : `lists ${key}=${wa.value} after ${ya.value}, though process ${ya.pair.process} had read ${wa.value} before appending ${ya.value}` });
      }
    }
  };
  for (const r of reads) checkList(r.key, r.values, { where: 'read', index: r.pair.completion!.index, reader: r.pair.process, node: r.pair.node ?? null, timeS: roundS(r.pair.endS) });
  for (const [node, round] of lastFinalRounds(pairs)) {
    for (const [key, values] of finalLists(round.state) ?? []) checkList(key, values, { where: 'final', index: -1, reader: null, node, timeS: -1 });
  }
  if (partial) found.partial.add('writes-follow-reads');
}
