/**
 * Bank: the total and the lowest balance seen by each ok read over time, and each node's final
 * balances. An AP bank may overdraw under partitions; this is where a reader sees when. Pure.
 */
import type { OpPair } from './pairs.ts';
import { round } from './stats.ts';

export interface BankSeries {
  /** completion time of each ok read, s */
  t: number[];
  total: number[];
  min: number[];
  /** reads in the history (the series may be thinned) */
  reads: number;
  expectedTotal: number | null;
  lowest: number | null;
  finals: { node: string; total: number; min: number }[];
}

function balances(v: unknown): number[] | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const vals = Object.values(v as Record<string, unknown>);
  if (vals.length === 0 || !vals.every((x) => typeof x === 'number')) return null;
  return vals as number[];
}

export function bankSeries(pairs: readonly OpPair[], params: Record<string, unknown> | undefined, max = 20000): BankSeries | null {
  const pts: { t: number; total: number; min: number }[] = [];
  const finals = new Map<string, { total: number; min: number; t: number }>();
  for (const p of pairs) {
    if (p.type !== 'ok' || p.end === null || p.process === 'nemesis') continue;
    if (p.f === 'read') {
      const b = balances(p.value);
      if (b) pts.push({ t: p.end / 1e9, total: b.reduce((a, x) => a + x, 0), min: Math.min(...b) });
    } else if (p.f === 'final-read' && p.node) {
      const st = (p.value as { state?: { balances?: unknown } } | null)?.state;
      const b = balances(st?.balances);
      const prev = finals.get(p.node);
      if (b && (!prev || prev.t <= p.end)) finals.set(p.node, { total: b.reduce((a, x) => a + x, 0), min: Math.min(...b), t: p.end });
    }
  }
  if (pts.length === 0 && finals.size === 0) return null;
  pts.sort((a, b) => a.t - b.t);
  const exp = typeof params?.total === 'number' ? params.total : null;
  // thin evenly, but keep every read that shows an anomaly (wrong total or a negative balance)
  const step = pts.length > max ? pts.length / max : 1;
  const keep = step === 1 ? pts : pts.filter((x, i) => Math.floor(i / step) !== Math.floor((i - 1) / step) || x.min < 0 || (exp !== null && x.total !== exp));
  return {
    t: keep.map((x) => round(x.t, 6)),
    total: keep.map((x) => x.total),
    min: keep.map((x) => x.min),
    reads: pts.length,
    expectedTotal: exp,
    lowest: pts.length ? Math.min(...pts.map((x) => x.min)) : null,
    finals: [...finals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([node, v]) => ({ node, total: v.total, min: v.min })),
  };
}
