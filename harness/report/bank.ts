/**
 * Bank: the total and the lowest balance seen by each ok read over time, and each node's final
 * balances. An AP bank may overdraw under partitions; this is where a reader sees when. Pure.
 */
import type { OpPair } from '../../checkers/index.ts';
import { bucketWidth, round } from './stats.ts';

export interface BankSeries {
  /** completion time of each ok read, s; or bucket start when bucketed */
  t: number[];
  /** each read's total; when bucketed, the lowest total in the bucket */
  total: number[];
  /** when bucketed, the highest total in the bucket (null: not bucketed) */
  totalHigh: number[] | null;
  /** each read's lowest balance; when bucketed, the lowest in the bucket */
  min: number[];
  /** bucket width, s; null when every read is its own point */
  bucketS: number | null;
  /** reads in the history */
  reads: number;
  expectedTotal: number | null;
  lowest: number | null;
  finals: { node: string; total: number; min: number }[];
}

export function balances(v: unknown): number[] | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const vals = Object.values(v as Record<string, unknown>);
  if (vals.length === 0 || !vals.every((x) => typeof x === 'number')) return null;
  return vals as number[];
}

/** Above `maxRaw` reads the series is bucketed (low/high total, lowest balance per bucket): a
 * line through 30k zig-zagging points hides the one dip a reader looks for; a bucket min shows it. */
export function bankSeries(pairs: readonly OpPair[], params: Record<string, unknown> | undefined, maxRaw = 2000): BankSeries | null {
  const pts: BankPoint[] = [];
  const finals = new Map<string, BankFinal>();
  for (const p of pairs) {
    if (p.type !== 'ok' || p.process === 'nemesis') continue;
    if (p.f === 'read') {
      const pt = bankPoint(p.value, p.endS);
      if (pt) pts.push(pt);
    } else if (p.f === 'final-read' && p.node) addBankFinal(finals, p);
  }
  return bankSeriesFrom(pts, finals, params, maxRaw);
}

export interface BankPoint { t: number; total: number; min: number }
export type BankFinal = { total: number; min: number; t: number };

/** an ok read's point, or null when its value is not a balance map */
export function bankPoint(value: unknown, t: number): BankPoint | null {
  const b = balances(value);
  return b ? { t, total: b.reduce((a, x) => a + x, 0), min: Math.min(...b) } : null;
}

/** an ok final read: the node's latest balances win */
export function addBankFinal(finals: Map<string, BankFinal>, p: OpPair): void {
  const st = (p.value as { state?: { balances?: unknown } } | null)?.state;
  const b = balances(st?.balances);
  const prev = finals.get(p.node!);
  if (b && (!prev || prev.t <= p.endS)) finals.set(p.node!, { total: b.reduce((a, x) => a + x, 0), min: Math.min(...b), t: p.endS });
}

/** the series from every ok read's point (in history order) and the nodes' final balances */
export function bankSeriesFrom(pts: BankPoint[], finals: Map<string, BankFinal>, params: Record<string, unknown> | undefined, maxRaw = 2000): BankSeries | null {
  if (pts.length === 0 && finals.size === 0) return null;
  pts.sort((a, b) => a.t - b.t);
  const exp = typeof params?.total === 'number' ? params.total : null;
  const lowest = pts.length ? pts.reduce((m, x) => Math.min(m, x.min), Infinity) : null;
  const base = { reads: pts.length, expectedTotal: exp, lowest, finals: [...finals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([node, v]) => ({ node, total: v.total, min: v.min })) };
  if (pts.length <= maxRaw) {
    return { ...base, t: pts.map((x) => round(x.t, 6)), total: pts.map((x) => x.total), totalHigh: null, min: pts.map((x) => x.min), bucketS: null };
  }
  const w = bucketWidth(pts[pts.length - 1].t, 400);
  const t: number[] = [], lo: number[] = [], hi: number[] = [], mn: number[] = [];
  for (const x of pts) {
    const b = round(Math.floor(x.t / w) * w, 6);
    const k = t.length - 1;
    if (k >= 0 && t[k] === b) { lo[k] = Math.min(lo[k], x.total); hi[k] = Math.max(hi[k], x.total); mn[k] = Math.min(mn[k], x.min); }
    else { t.push(b); lo.push(x.total); hi.push(x.total); mn.push(x.min); }
  }
  return { ...base, t, total: lo, totalHigh: hi, min: mn, bucketS: w };
}
