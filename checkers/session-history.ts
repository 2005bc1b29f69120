import type { OpPair } from './op-pairs.ts';
import { lastFinalRounds } from './final-reads.ts';
import { finalLists, parseAppend, parseListRead, type ListRead } from './history-ops.ts';
import { roundS } from './violation-list.ts';
import type { SessionFindings } from './session-types.ts';

/** Above this many element comparisons the writes-follow-reads check stops (marked partial). */
export const WFR_BUDGET = 20_000_000;

/**
 * Session guarantees for the history workload (lists per key; a process is one session):
 * - read-your-writes: after the session's ok append of x to k, its later ok reads of k show x;
 * - monotonic reads: a later ok read of k by the session shows every value its earlier reads of
 *   k showed;
 * - monotonic writes: if the session appended x then y to k (both ok), any read by anyone and any
 *   node's final list that shows y shows x, and final lists put x before y;
 * - writes-follow-reads: if the session read k (ok) and then appended y to k, any read or final
 *   list that shows y shows every value of the session's last read of k before y (before y in
 *   final lists). Only the last read is used; earlier ones are covered when monotonic reads hold.
 */
export function checkHistorySessions(pairs: readonly OpPair[], found: SessionFindings): void {
  // own-view guarantees (RYW, MR), in each process's order
  const required = new Map<string, Map<number, { index: number; f: string }>>();
  const lastRead = new Map<string, ListRead>();
  const mwPred = new Map<string, { value: number; index: number; process: number }>(); // `${key}\u0000${y}` → x
  const wfrSource = new Map<string, ListRead>(); // `${key}\u0000${y}` → the read before y
  const reads: ListRead[] = [];
  const lastAppend = new Map<string, { value: number; index: number; process: number }>();

  for (const p of pairs) {
    if (typeof p.process !== 'number') continue;
    const a = parseAppend(p);
    if (a && p.type === 'ok') {
      const id = `${p.process}\u0000${a.key}`;
      const req = required.get(id) ?? new Map();
      req.set(a.value, { index: p.invoke.index, f: 'append' });
      required.set(id, req);
      const vk = `${a.key}\u0000${a.value}`;
      const prev = lastAppend.get(id);
      if (prev) mwPred.set(vk, prev);
      lastAppend.set(id, { value: a.value, index: p.invoke.index, process: p.process });
      const r = lastRead.get(id);
      if (r && r.values.length) wfrSource.set(vk, r);
      found.applied.add('read-your-writes');
      continue;
    }
    const r = parseListRead(p);
    if (!r) continue;
    reads.push(r);
    const id = `${p.process}\u0000${r.key}`;
    const seen = new Set(r.values);
    const req = required.get(id) ?? new Map<number, { index: number; f: string }>();
    if (req.size) { found.applied.add('monotonic-reads'); }
    for (const [v, why] of req) {
      if (seen.has(v)) continue;
      const guarantee = why.f === 'append' ? 'read-your-writes' : 'monotonic-reads';
      found.add({ guarantee, process: p.process, key: r.key, where: 'read', index: p.completion!.index, reader: p.process, node: p.node ?? null,
        timeS: roundS(p.endS), value: null, expected: v, becauseOf: why,
        explanation: why.f === 'append' ? `process ${p.process} appended ${r.key}=${v} but its later read lacks it`
          : `process ${p.process} saw ${r.key}=${v} at index ${why.index} but its later read lacks it` });
    }
    for (const v of r.values) if (!req.has(v)) req.set(v, { index: p.completion!.index, f: 'read' });
    required.set(id, req);
    lastRead.set(id, r);
  }

  // others' view (MW, WFR): every read and final list
  const finals: { node: string; key: string; values: number[] }[] = [];
  for (const [node, round] of lastFinalRounds(pairs)) {
    for (const [key, values] of finalLists(round.state) ?? []) finals.push({ node, key, values });
  }
  if (mwPred.size) found.applied.add('monotonic-writes');
  if (wfrSource.size) found.applied.add('writes-follow-reads');
  let budget = WFR_BUDGET;
  const checkList = (key: string, values: readonly number[], at: { where: 'read' | 'final'; index: number; reader: number | null; node: string | null; timeS: number }) => {
    const pos = new Map<number, number>();
    values.forEach((v, i) => { if (!pos.has(v)) pos.set(v, i); });
    const sourcesDone = new Set<ListRead>();
    values.forEach((y, i) => {
      const vk = `${key}\u0000${y}`;
      const x = mwPred.get(vk);
      if (x) {
        const xp = pos.get(x.value);
        if (xp === undefined || (at.where === 'final' && xp > i)) {
          found.add({ guarantee: 'monotonic-writes', process: x.process, key, ...at, value: y, expected: x.value,
            becauseOf: { index: x.index, f: 'append' },
            explanation: xp === undefined ? `shows ${key}=${y} without ${x.value}, appended before it by the same process` : `lists ${key}=${x.value} after ${y}, appended after it by the same process` });
        }
      }
      const src = wfrSource.get(vk);
      if (!src || sourcesDone.has(src)) return;
      sourcesDone.add(src);
      if (budget < src.values.length) { found.partial.add('writes-follow-reads'); return; }
      budget -= src.values.length;
      for (const w of src.values) {
        const wp = pos.get(w);
        if (wp !== undefined && !(at.where === 'final' && wp > i)) continue;
        found.add({ guarantee: 'writes-follow-reads', process: src.pair.process, key, ...at, value: y, expected: w,
          becauseOf: { index: src.pair.completion!.index, f: 'read' },
          explanation: wp === undefined ? `shows ${key}=${y} without ${w}, which its appender had read before appending` : `lists ${key}=${w} after ${y}, though ${y}'s appender had read ${w} first` });
      }
    });
  };
  for (const r of reads) checkList(r.key, r.values, { where: 'read', index: r.pair.completion!.index, reader: r.pair.process as number, node: r.pair.node ?? null, timeS: roundS(r.pair.endS) });
  for (const f of finals) checkList(f.key, f.values, { where: 'final', index: -1, reader: null, node: f.node, timeS: -1 });
}
