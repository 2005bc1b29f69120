/**
 * Timeline data for the report (not a checker; a pure function of the history).
 *
 * Fields (all times in seconds since test start):
 * - ops: one record per client op (final reads included, nemesis excluded), invocation order:
 *   {index: invoke line index, process, f, type: ok|fail|info|pending, startS, endS (null when
 *   pending), latencyMs (null when pending), node (or null)}
 * - throughput: one bucket per whole second [second, second+1) counting client ops (final reads
 *   excluded) by the second they completed in: {second, ok, fail, info}; every second from 0 to the last completion.
 * - faults: see faultIntervals.
 * - healS: the last heal marker or null;  endS: the last line's time.
 */
import type { Op, ProcessId } from '../api/history.ts';
import { lastTimeS, pairOps, type OpPair } from './op-pairs.ts';

export interface OpRecord {
  index: number; process: ProcessId; f: string; type: OpPair['type'];
  startS: number; endS: number | null; latencyMs: number | null; node: string | null;
}
/** `second`: the bucket's start (a whole second unless another width was asked for) */
export interface ThroughputBucket { second: number; ok: number; fail: number; info: number }
/** `open`: neither a completed stop nor the heal ended it, so it lasts to the end of the history */
export interface FaultInterval { f: string; start: number; stop: number; value: unknown; open: boolean }
export interface Timeline {
  ops: OpRecord[]; throughput: ThroughputBucket[]; faults: FaultInterval[];
  healS: number | null; endS: number;
}

export function timeline(history: readonly Op[]): Timeline {
  return timelineOfPairs(pairOps(history), lastTimeS(history));
}

/** timeline() for pairs already made (pairOps) of a history whose last line is at endS. */
export function timelineOfPairs(pairs: readonly OpPair[], endS: number): Timeline {
  const ops = opRecords(pairs);
  const throughput = throughputBuckets(ops);
  if (throughput.length === 0 && endS > 0) {
    for (let s = 0; s <= Math.floor(endS); s++) throughput.push({ second: s, ok: 0, fail: 0, info: 0 });
  }
  const { faults, healS } = faultIntervals(pairs, endS);
  return { ops, throughput, faults, healS, endS };
}

/** One record per client pair, with its latency in ms (µs precision, from the ns timestamps). */
export function opRecords(pairs: readonly OpPair[]): OpRecord[] {
  const ops: OpRecord[] = [];
  for (const p of pairs) {
    if (p.process === 'nemesis') continue;
    const done = p.type !== 'pending' && p.completion !== undefined;
    ops.push({
      index: p.invoke.index, process: p.process, f: p.f, type: p.type, startS: p.startS,
      endS: done ? p.endS : null,
      latencyMs: done ? Math.round((p.completion!.time - p.invoke.time) / 1e3) / 1e3 : null,
      node: p.node ?? null,
    });
  }
  return ops;
}

/** Ops that count as throughput: completed client ops of the workload, not the final reads. */
export const isThroughputOp = (r: OpRecord): boolean => r.f !== 'final-read';

/**
 * Throughput ops by the bucket of widthS seconds [i·w, (i+1)·w) they completed in; every bucket
 * from 0 to the last completion (none when nothing completed).
 */
export function throughputBuckets(ops: readonly OpRecord[], widthS = 1): ThroughputBucket[] {
  const buckets: ThroughputBucket[] = [];
  for (const r of ops) {
    if (r.endS === null || r.type === 'pending' || !isThroughputOp(r)) continue;
    const i = Math.max(0, Math.floor(r.endS / widthS));
    while (buckets.length <= i) buckets.push({ second: buckets.length * widthS, ok: 0, fail: 0, info: 0 });
    buckets[i]![r.type]++;
  }
  return buckets;
}

/**
 * Fault intervals from the nemesis pairs, in order: {f: fault kind ("partition" for
 * start-partition/stop-partition, or the nemesis f when it has no start-/stop- prefix), start: when
 * the start op began, stop, value: the start op's completion value (else its invocation's), open}.
 * Every start-X opens an interval of its own; a stop-X ends every open X interval when it completes
 * (the nemesis undoes all that is active of a kind); a heal marker ends everything open. What is
 * still open at the end (including one whose stop never completed) lasts until endS.
 */
export function faultIntervals(pairs: readonly OpPair[], endS: number): { faults: FaultInterval[]; healS: number | null } {
  const faults: FaultInterval[] = [];
  const open = new Map<string, FaultInterval[]>();
  const close = (list: readonly FaultInterval[], at: number) => {
    for (const fault of list) { fault.stop = Math.max(fault.start, at); fault.open = false; }
  };
  let healS: number | null = null;
  for (const p of pairs) {
    if (p.process !== 'nemesis') continue;
    const value = p.value ?? p.invoke.value;
    if (p.f === 'heal') {
      healS = p.endS;
      for (const list of open.values()) close(list, healS);
      open.clear();
      continue;
    }
    const m = /^(start|stop)-(.+)$/.exec(p.f);
    if (!m) {
      faults.push({ f: p.f, start: p.startS, stop: p.endS, value, open: p.type === 'pending' });
      continue;
    }
    const kind = m[2]!;
    if (m[1] === 'start') {
      const fault: FaultInterval = { f: kind, start: p.startS, stop: endS, value, open: true };
      faults.push(fault);
      open.set(kind, [...(open.get(kind) ?? []), fault]);
    } else if (p.type !== 'pending') {
      close(open.get(kind) ?? [], p.endS);
      open.delete(kind);
    }
  }
  for (const list of open.values()) for (const fault of list) fault.stop = Math.max(fault.start, endS);
  return { faults, healS };
}
