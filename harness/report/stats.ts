/**
 * Throughput buckets, latency samples and quantiles: aggregation done in Node so a 100k-op history
 * ships a few thousand numbers to the page instead of every op. Pure and deterministic. Works on the
 * checkers' per-op records (checkers/timeline.ts: client ops, latency in ms); what is added here
 * is the report's part: bucket widths that suit the run's length, rates, sampling, quantiles.
 */
import { isThroughputOp, throughputBuckets, type OpRecord } from '../../checkers/index.ts';

export const OUTCOMES = ['ok', 'fail', 'info'] as const;
export type Done = (typeof OUTCOMES)[number];

/** A "nice" bucket width giving roughly `target` buckets over `durationS`. */
export function bucketWidth(durationS: number, target = 200): number {
  const raw = Math.max(durationS, 1e-3) / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export interface Throughput {
  bucketS: number;
  /** bucket start times, s */
  t: number[];
  /** completions per second in each bucket, by outcome (final reads are not throughput) */
  ok: number[];
  fail: number[];
  info: number[];
  totals: { ok: number; fail: number; info: number; pending: number };
}

export function throughput(ops: readonly OpRecord[], durationS: number): Throughput {
  const bucketS = bucketWidth(durationS);
  const n = Math.max(1, Math.ceil(durationS / bucketS + 1e-9));
  const counts = { ok: new Array<number>(n).fill(0), fail: new Array<number>(n).fill(0), info: new Array<number>(n).fill(0) };
  const totals = { ok: 0, fail: 0, info: 0, pending: ops.filter((r) => r.type === 'pending' && isThroughputOp(r)).length };
  throughputBuckets(ops, bucketS).forEach((b, i) => {
    for (const k of OUTCOMES) { counts[k][Math.min(n - 1, i)] += b[k]; totals[k] += b[k]; }
  });
  // the last bucket is usually cut short by the end of the history: divide by what it covers
  const widthOf = (i: number) => Math.max(Math.min(bucketS, durationS - i * bucketS), bucketS / 100);
  const rate = (a: number[]) => a.map((c, i) => round(c / widthOf(i), 3));
  return { bucketS, t: Array.from({ length: n }, (_, i) => round(i * bucketS, 6)), ok: rate(counts.ok), fail: rate(counts.fail), info: rate(counts.info), totals };
}

export interface LatencySample {
  fs: string[];
  /** invoke time, s */
  t: number[];
  /** latency, ms */
  ms: number[];
  /** index into fs */
  f: number[];
  /** 0 ok, 1 fail, 2 info */
  type: number[];
  /** completed client ops in the history (the sample may hold fewer) */
  total: number;
  sampled: boolean;
}

/**
 * At most `max` points: every fail and info is kept (they are what a reader looks for, up to the
 * budget), ok ops are thinned with an even stride so density stays truthful.
 */
export function latencySample(ops: readonly OpRecord[], max = 20000): LatencySample {
  const done = ops.filter((p) => p.latencyMs !== null);
  const fs = [...new Set(done.map((p) => p.f))].sort();
  const fIdx = new Map(fs.map((f, i) => [f, i]));
  const bad = done.filter((p) => p.type !== 'ok');
  const ok = done.filter((p) => p.type === 'ok');
  const keepBad = bad.length <= max ? bad : stride(bad, max);
  const okBudget = max - keepBad.length;
  const keepOk = ok.length <= okBudget ? ok : stride(ok, okBudget);
  const keep = [...keepOk, ...keepBad].sort((a, b) => a.startS - b.startS);
  return {
    fs,
    t: keep.map((p) => round(p.startS, 6)),
    ms: keep.map((p) => Math.max(0.001, p.latencyMs!)),
    f: keep.map((p) => fIdx.get(p.f)!),
    type: keep.map((p) => OUTCOMES.indexOf(p.type as Done)),
    total: done.length,
    sampled: keep.length < done.length,
  };
}

function stride<T>(a: readonly T[], n: number): T[] {
  if (n <= 0) return [];
  const step = a.length / n;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(a[Math.floor(i * step)]);
  return out;
}

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export interface QuantileRow { f: string; ok: number; fail: number; info: number; pending: number; p50: number; p90: number; p99: number; p999: number; max: number }

/** Per f: counts by outcome, and latency quantiles (ms) of its ok ops over the whole history. */
export function quantileTable(ops: readonly OpRecord[]): QuantileRow[] {
  const by = new Map<string, { lat: number[]; ok: number; fail: number; info: number; pending: number }>();
  for (const p of ops) {
    let r = by.get(p.f);
    if (!r) { r = { lat: [], ok: 0, fail: 0, info: 0, pending: 0 }; by.set(p.f, r); }
    r[p.type]++;
    if (p.type === 'ok' && p.latencyMs !== null) r.lat.push(p.latencyMs);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([f, r]) => {
    const s = r.lat.sort((a, b) => a - b);
    const q = (x: number) => round(quantile(s, x), 3);
    return { f, ok: r.ok, fail: r.fail, info: r.info, pending: r.pending, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: q(1) };
  });
}

export interface QuantilesOverTime { bucketS: number; t: number[]; p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[]; max: (number | null)[] }

/** Latency quantiles (ms, ok ops of every f) per time bucket, by invoke time. */
export function quantilesOverTime(ops: readonly OpRecord[], durationS: number): QuantilesOverTime {
  const bucketS = bucketWidth(durationS, 100);
  const n = Math.max(1, Math.ceil(durationS / bucketS + 1e-9));
  const b: number[][] = Array.from({ length: n }, () => []);
  for (const p of ops) {
    if (p.type !== 'ok' || p.latencyMs === null) continue;
    b[Math.min(n - 1, Math.floor(p.startS / bucketS))].push(p.latencyMs);
  }
  const out: QuantilesOverTime = { bucketS, t: [], p50: [], p95: [], p99: [], max: [] };
  b.forEach((l, i) => {
    l.sort((x, y) => x - y);
    out.t.push(round(i * bucketS, 6));
    const q = (x: number) => (l.length ? Math.max(0.001, round(quantile(l, x), 3)) : null);
    out.p50.push(q(0.5)); out.p95.push(q(0.95)); out.p99.push(q(0.99)); out.max.push(q(1));
  });
  return out;
}

export function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}
