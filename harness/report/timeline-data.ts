/**
 * Columnar op timeline for the page: one lane per client process, bars sorted by invoke time, with
 * a short detail string per op (shown on tap/hover). The page draws only the visible window, so
 * this is the one place every op is shipped; values are truncated to keep 100k ops a few MB.
 */
import type { OpPair, Outcome } from '../../checkers/index.ts';
import { short } from './faults.ts';
import { round } from './stats.ts';

export const TYPE_CODES: readonly Outcome[] = ['ok', 'fail', 'info', 'pending'];

export interface TimelineData {
  /** lane labels: "p3", or "w3" when lanes are workers */
  lanes: string[];
  /** one lane per process, or per worker (process mod concurrency) when retired processes would
   * make too many lanes: a worker's processes never overlap in time, so nothing is hidden */
  laneBy: 'process' | 'worker';
  /** the op's process id */
  proc: number[];
  fs: string[];
  /** invoke time, s */
  start: number[];
  /** completion time, s; -1 while pending */
  end: number[];
  lane: number[];
  /** index into TYPE_CODES */
  type: number[];
  f: number[];
  detail: string[];
  /** client ops in the history; more than shipped when capped */
  total: number;
  /**
   * set when the history was too big to ship every op (harness/report/stream-model.ts): the
   * timeline holds `shown` of `total` client ops, every `okEvery`-th ok op and every
   * `otherEvery`-th fail/info/pending op
   */
  sampled?: { shown: number; total: number; okEvery: number; otherEvery: number };
  /** longest bar, s (pending bars run to the end), for window queries */
  maxDur: number;
  endS: number;
}

export const MAX_PROCESS_LANES = 40;

export function timelineData(pairs: readonly OpPair[], endS: number, concurrency?: number, cap = 300000): TimelineData {
  let client = pairs.filter((p) => p.process !== 'nemesis');
  const total = client.length;
  if (client.length > cap) client = client.slice(0, cap); // the page says how many were left out
  client = client.slice().sort((a, b) => a.startS - b.startS);
  const processes = [...new Set(client.map((p) => p.process as number))].sort((a, b) => a - b);
  const byWorker = processes.length > MAX_PROCESS_LANES && typeof concurrency === 'number' && concurrency > 0;
  const key = (p: number) => (byWorker ? p % concurrency! : p);
  const keys = [...new Set(processes.map(key))].sort((a, b) => a - b);
  const laneIdx = new Map(keys.map((k, i) => [k, i]));
  const fs = [...new Set(client.map((p) => p.f))].sort();
  const fIdx = new Map(fs.map((f, i) => [f, i]));
  const d: TimelineData = { lanes: keys.map((k) => (byWorker ? `w${k}` : `p${k}`)), laneBy: byWorker ? 'worker' : 'process', proc: [], fs, start: [], end: [], lane: [], type: [], f: [], detail: [], total, maxDur: 0, endS: round(endS, 6) };
  for (const p of client) {
    const s = round(p.startS, 5);
    const e = p.type === 'pending' ? -1 : round(p.endS, 5);
    d.start.push(s); d.end.push(e);
    d.lane.push(laneIdx.get(key(p.process as number))!);
    d.proc.push(p.process as number);
    d.type.push(TYPE_CODES.indexOf(p.type));
    d.f.push(fIdx.get(p.f)!);
    d.maxDur = Math.max(d.maxDur, (e < 0 ? endS : e) - s);
    d.detail.push(detail(p));
  }
  d.maxDur = round(d.maxDur, 5) + 1e-5;
  return d;
}

function detail(p: OpPair): string {
  const inv = short(p.invoke.value, 40);
  const parts = [inv];
  if (p.type !== 'pending') {
    // most completions echo their invoke value (writes, transfers): say so instead of repeating it
    const out = short(p.value, 60);
    parts.push(out === inv && inv !== 'null' ? '→ (same)' : `→ ${out}`);
  }
  if (p.node) parts.push(`@${p.node}`);
  const error = p.completion?.error;
  if (error) parts.push(`error: ${short(error, 60)}`);
  return parts.join(' ');
}
