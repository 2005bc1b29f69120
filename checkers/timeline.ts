/**
 * Timeline data for the report (not a checker; a pure function of the history).
 *
 * Fields (all times in seconds since test start):
 * - ops: one record per client op (final reads included, nemesis excluded), invocation order:
 *   {index: invoke line index, process, f, type: ok|fail|info|pending, startS, endS (null when
 *   pending), latencyMs (null when pending), node (or null)}
 * - throughput: one bucket per whole second [second, second+1) counting client ops (final reads
 *   excluded) by the second they completed in: {second, ok, fail, info}; every second from 0 to the last completion.
 * - faults: {f: fault kind ("partition" for start-partition/stop-partition, or the nemesis f
 *   when it has no start-/stop- prefix), start: when the start op began, stop: when the matching
 *   stop-X completed (an unpaired start lasts until the heal op, else the end of the history),
 *   value: the start op's completion value (which nodes, which shape)}
 * - healS: the heal moment or null;  endS: the last line's time.
 */
import type { Op, ProcessId } from '../harness/history/op.ts';
import { pairOps } from './op-pairs.ts';
import { healTimeS } from './final-reads.ts';

export interface OpRecord {
  index: number; process: ProcessId; f: string; type: string;
  startS: number; endS: number | null; latencyMs: number | null; node: string | null;
}
export interface ThroughputBucket { second: number; ok: number; fail: number; info: number }
export interface FaultInterval { f: string; start: number; stop: number; value: unknown }
export interface Timeline {
  ops: OpRecord[]; throughput: ThroughputBucket[]; faults: FaultInterval[];
  healS: number | null; endS: number;
}

export function timeline(history: readonly Op[]): Timeline {
  const pairs = pairOps(history);
  let endS = 0;
  for (const op of history) if (op && typeof op.time === 'number' && op.time / 1e9 > endS) endS = op.time / 1e9;
  const healS = healTimeS(history) ?? null;

  const ops: OpRecord[] = [];
  const buckets: ThroughputBucket[] = [];
  const bucket = (s: number) => {
    const i = Math.max(0, Math.floor(s));
    while (buckets.length <= i) buckets.push({ second: buckets.length, ok: 0, fail: 0, info: 0 });
    return buckets[i]!;
  };
  const faults: FaultInterval[] = [];
  const openFaults = new Map<string, FaultInterval>();

  for (const p of pairs) {
    if (p.process === 'nemesis') {
      const m = /^(start|stop)-(.+)$/.exec(p.f);
      if (!m) {
        if (p.f !== 'heal') faults.push({ f: p.f, start: p.startS, stop: p.endS, value: p.value });
        continue;
      }
      const kind = m[2]!;
      if (m[1] === 'start') {
        if (openFaults.has(kind)) continue; // a repeated start extends the open interval
        const fault = { f: kind, start: p.startS, stop: Number.NaN, value: p.value };
        faults.push(fault); openFaults.set(kind, fault);
      } else {
        const fault = openFaults.get(kind);
        if (fault) { fault.stop = p.endS; openFaults.delete(kind); }
      }
      continue;
    }
    const done = p.type !== 'pending';
    ops.push({
      index: p.invoke.index, process: p.process, f: p.f, type: p.type, startS: p.startS,
      endS: done ? p.endS : null,
      latencyMs: done ? Math.round((p.endS - p.startS) * 1e6) / 1e3 : null,
      node: p.node ?? null,
    });
    if (done && p.f !== 'final-read') bucket(p.endS)[p.type as 'ok' | 'fail' | 'info']++;
  }
  for (const fault of openFaults.values()) {
    fault.stop = healS !== null && healS >= fault.start ? healS : endS;
  }
  if (buckets.length === 0 && endS > 0) bucket(endS);
  return { ops, throughput: buckets, faults, healS, endS };
}
