/**
 * The report of a big history (issue #20: 1M ops in at most 500 MB), built in one streaming pass
 * without keeping the ops. Every client op leaves a few numbers in typed columns, from which
 * throughput, the quantile table, quantiles over time and the latency sample are computed exactly
 * as stats.ts computes them from per-op records (a test compares both on the same history). Only
 * nemesis ops, final reads, each ok bank read's total and lowest balance, and a sample of client
 * ops for the timeline's per-op detail are kept: every fail, info and pending op up to half the
 * budget, ok ops evenly thinned. The page says so.
 */
import type { Op } from '../../api/history.ts';
import { nsToS, type OpPair, type Outcome } from '../../checkers/index.ts';
import { faultIntervals } from '../../checkers/timeline.ts';
import { addBankFinal, bankPoint, bankSeriesFrom, type BankFinal, type BankPoint } from './bank.ts';
import { convergenceView, withCheckerTimes } from './convergence.ts';
import { faultPeriods } from './faults.ts';
import { historyLines, parseOpLine } from './history-stream.ts';
import { lostRows } from './lost.ts';
import { metaOf, type ReportData } from './model.ts';
import { bucketWidth, OUTCOMES, quantile, round, type Done, type LatencySample, type QuantileRow, type QuantilesOverTime, type Throughput } from './stats.ts';
import { timelineData } from './timeline-data.ts';
import type { ResultsJson, TestJson } from './types.ts';

/** client ops from which the report samples the per-op detail */
export const SAMPLE_ABOVE = 200_000;
/** client ops the sampled timeline ships */
export const TIMELINE_SAMPLE = 60_000;

const TYPE: readonly Outcome[] = ['ok', 'fail', 'info', 'pending'];
const PENDING = 3;

/** growable typed column */
class Col<T extends Float64Array | Int32Array | Uint8Array | Uint16Array> {
  a: T;
  constructor(private readonly make: (n: number) => T) { this.a = make(1024); }
  set(i: number, v: number): void {
    if (i >= this.a.length) { const b = this.make(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[i] = v;
  }
}

interface Open { slot: number; invoke: Op }
interface Kept { slot: number; invoke: Op; completion?: Op; type: Outcome }

/** the pairs kept whole (nemesis, final reads, the timeline sample), made OpPair once the end is known */
function toPair(k: { invoke: Op; completion?: Op; type: Outcome }, endS: number): OpPair {
  const c = k.completion;
  return {
    process: k.invoke.process, f: k.invoke.f, type: k.type, invoke: k.invoke, completion: c,
    value: c ? c.value : k.invoke.value, node: c?.node ?? k.invoke.node,
    startS: nsToS(k.invoke.time), endS: c ? nsToS(c.time) : endS,
  };
}

export interface StreamInput {
  test: TestJson;
  results: ResultsJson | null;
  files: string[];
  historyPath: string | null;
}

/**
 * Streams history.jsonl once. Pairing follows checkers/op-pairs.ts: per process for clients, per f
 * for the nemesis, a heal line is a pair of its own, a second invoke leaves the first pending.
 */
export async function buildReportDataStreaming(input: StreamInput, opts: { sampleAbove?: number; timelineSample?: number; chunkBytes?: number } = {}): Promise<ReportData> {
  const timelineSample = opts.timelineSample ?? TIMELINE_SAMPLE;
  const fIds = new Map<string, number>();
  const fNames: string[] = [];
  const fId = (f: string) => { let i = fIds.get(f); if (i === undefined) { i = fNames.length; fIds.set(f, i); fNames.push(f); } return i; };
  // one row per client pair, in invocation order
  const start = new Col((n) => new Float64Array(n)), end = new Col((n) => new Float64Array(n));
  const lat = new Col((n) => new Float64Array(n)), type = new Col((n) => new Uint8Array(n)), fcol = new Col((n) => new Uint16Array(n));
  let rows = 0;
  const openClient = new Map<number, Open>();
  const openNemesis = new Map<string, Kept>();
  const nemesis: Kept[] = [];
  const finals: Kept[] = [];
  const bankPts: { slot: number; pt: BankPoint }[] = [];
  let sawTransfer = false;
  // the timeline sample: ok rows whose ok-number is a multiple of `okStride`, non-ok rows likewise
  const okCap = Math.ceil(timelineSample / 2), badCap = Math.floor(timelineSample / 2);
  let okStride = 1, badStride = 1, okSeen = 0, badSeen = 0;
  let okKept: (Kept & { seq: number })[] = [], badKept: (Kept & { seq: number })[] = [];
  const keep = (k: Kept) => {
    if (k.type === 'ok') {
      const seq = okSeen++;
      if (seq % okStride !== 0) return;
      okKept.push({ ...k, seq });
      if (okKept.length > okCap) { okStride *= 2; okKept = okKept.filter((x) => x.seq % okStride === 0); }
    } else {
      const seq = badSeen++;
      if (seq % badStride !== 0) return;
      badKept.push({ ...k, seq });
      if (badKept.length > badCap) { badStride *= 2; badKept = badKept.filter((x) => x.seq % badStride === 0); }
    }
  };
  const pendingRows: Open[] = [];

  let ops = 0, skippedLines = 0, lastBad = false, lastTime = 0;
  if (input.historyPath) {
    for await (const line of historyLines(input.historyPath, opts.chunkBytes)) {
      if (line.trim() === '') continue;
      const op = parseOpLine(line);
      if (!op) { skippedLines++; lastBad = true; continue; }
      if (typeof op.index !== 'number') op.index = ops;
      ops++;
      lastBad = false;
      if (!Number.isFinite(op.time)) continue; // not an op to pair (checkers/op-pairs.ts isOp)
      if (op.time > lastTime) lastTime = op.time;
      if (op.process === 'nemesis') {
        if (op.f === 'heal') { nemesis.push({ slot: -1, invoke: op, completion: op, type: op.type === 'invoke' ? 'info' : op.type }); continue; }
        const cur = openNemesis.get(op.f);
        if (op.type === 'invoke' || !cur) { const k: Kept = { slot: -1, invoke: op, type: 'pending' }; nemesis.push(k); openNemesis.set(op.f, k); continue; }
        if (op.type !== 'ok' && op.type !== 'fail' && op.type !== 'info') continue;
        cur.type = op.type; cur.completion = op; openNemesis.delete(op.f);
        continue;
      }
      const proc = op.process as number;
      const cur = openClient.get(proc);
      if (op.type === 'invoke') {
        if (cur) pendingRows.push(cur); // never completed
        const slot = rows++;
        start.set(slot, nsToS(op.time)); end.set(slot, NaN); lat.set(slot, NaN); type.set(slot, PENDING); fcol.set(slot, fId(op.f));
        openClient.set(proc, { slot, invoke: op });
        if (op.f === 'transfer') sawTransfer = true;
        continue;
      }
      if (!cur || (op.type !== 'ok' && op.type !== 'fail' && op.type !== 'info')) continue;
      openClient.delete(proc);
      const t = TYPE.indexOf(op.type);
      end.set(cur.slot, nsToS(op.time)); type.set(cur.slot, t);
      lat.set(cur.slot, Math.round((op.time - cur.invoke.time) / 1e3) / 1e3);
      const k: Kept = { slot: cur.slot, invoke: cur.invoke, completion: op, type: op.type };
      if (cur.invoke.f === 'final-read') finals.push(k);
      else if (cur.invoke.f === 'read' && op.type === 'ok') { const pt = bankPoint(op.value, nsToS(op.time)); if (pt) bankPts.push({ slot: cur.slot, pt }); }
      keep(k);
    }
  }
  for (const o of openClient.values()) pendingRows.push(o);
  const spanS = nsToS(lastTime);
  pendingRows.sort((a, b) => a.slot - b.slot);
  for (const o of pendingRows) {
    const k: Kept = { slot: o.slot, invoke: o.invoke, type: 'pending' };
    if (o.invoke.f === 'final-read') finals.push(k);
    keep(k);
  }

  const fin = new Map<string, BankFinal>();
  const finalPairs = finals.sort((a, b) => a.slot - b.slot).map((k) => toPair(k, spanS));
  const sample = [...okKept, ...badKept].sort((a, b) => a.slot - b.slot).map((k) => toPair(k, spanS));
  const sampled = sample.length < rows;
  const t = input.test;
  const isBank = t.workload === 'bank' || (t.workload === undefined && sawTransfer);
  if (isBank) for (const p of finalPairs) if (p.type === 'ok' && p.node) addBankFinal(fin, p);
  const nemesisPairs = nemesis.map((k) => toPair(k, spanS));
  const faults = faultPeriods(faultIntervals(nemesisPairs, spanS));
  const tl = timelineData(sample, spanS, typeof t.concurrency === 'number' ? t.concurrency : undefined, Infinity);
  tl.total = rows;
  if (sampled) tl.sampled = { shown: sample.length, total: rows, okEvery: okStride, otherEvery: badStride };
  const cols = { start: start.a, end: end.a, lat: lat.a, type: type.a, f: fcol.a, n: rows, fs: fNames };
  const conv = convergenceView(finalPairs, faults.healAt);
  const chk = input.results?.checkers.find((c) => /converg/i.test(c.name));
  return {
    meta: metaOf(t, { ops, skippedLines, truncatedTail: lastBad, files: input.files }, spanS),
    results: input.results,
    faults,
    timeline: tl,
    latency: latencySampleCols(cols),
    quantiles: quantileTableCols(cols),
    quantilesOverTime: quantilesOverTimeCols(cols, spanS),
    throughput: throughputCols(cols, spanS),
    bank: isBank ? bankSeriesFrom(bankPts.sort((a, b) => a.slot - b.slot).map((x) => x.pt), fin, t.workloadParams) : null,
    convergence: conv && chk ? withCheckerTimes(conv, chk.result) : conv,
    lost: lostRows(input.results),
    spanS,
  };
}

/** client pairs as columns: invoke time (s), completion time (s, NaN pending), latency (ms, NaN pending), type (TYPE), f */
export interface OpColumns { start: Float64Array; end: Float64Array; lat: Float64Array; type: Uint8Array; f: Uint16Array; n: number; fs: string[] }

const isFinalRead = (c: OpColumns, i: number) => c.fs[c.f[i]!] === 'final-read';

/** stats.ts throughput, from columns */
export function throughputCols(c: OpColumns, durationS: number): Throughput {
  const bucketS = bucketWidth(durationS);
  const n = Math.max(1, Math.ceil(durationS / bucketS + 1e-9));
  const counts = { ok: new Array<number>(n).fill(0), fail: new Array<number>(n).fill(0), info: new Array<number>(n).fill(0) };
  const totals = { ok: 0, fail: 0, info: 0, pending: 0 };
  for (let i = 0; i < c.n; i++) {
    if (isFinalRead(c, i)) continue;
    const ty = c.type[i]!;
    if (ty === PENDING) { totals.pending++; continue; }
    const k = OUTCOMES[ty]!;
    counts[k][Math.min(n - 1, Math.max(0, Math.floor(c.end[i]! / bucketS)))]++;
    totals[k]++;
  }
  const widthOf = (i: number) => Math.max(Math.min(bucketS, durationS - i * bucketS), bucketS / 100);
  const rate = (a: number[]) => a.map((x, i) => round(x / widthOf(i), 3));
  return { bucketS, t: Array.from({ length: n }, (_, i) => round(i * bucketS, 6)), ok: rate(counts.ok), fail: rate(counts.fail), info: rate(counts.info), totals };
}

/** stats.ts latencySample, from columns: the same points in the same order */
export function latencySampleCols(c: OpColumns, max = 20000): LatencySample {
  const ok: number[] = [], bad: number[] = [];
  const fset = new Set<string>();
  for (let i = 0; i < c.n; i++) {
    if (c.type[i] === PENDING) continue;
    fset.add(c.fs[c.f[i]!]!);
    (c.type[i] === 0 ? ok : bad).push(i);
  }
  const fs = [...fset].sort();
  const fIdx = new Map(fs.map((f, i) => [f, i]));
  const keepBad = bad.length <= max ? bad : stride(bad, max);
  const okBudget = max - keepBad.length;
  const keepOk = ok.length <= okBudget ? ok : stride(ok, okBudget);
  const keep = [...keepOk, ...keepBad].sort((a, b) => c.start[a]! - c.start[b]!);
  return {
    fs,
    t: keep.map((i) => round(c.start[i]!, 6)),
    ms: keep.map((i) => Math.max(0.001, c.lat[i]!)),
    f: keep.map((i) => fIdx.get(c.fs[c.f[i]!]!)!),
    type: keep.map((i) => OUTCOMES.indexOf(TYPE[c.type[i]!] as Done)),
    total: ok.length + bad.length,
    sampled: keep.length < ok.length + bad.length,
  };
}

function stride<T>(a: readonly T[], n: number): T[] {
  if (n <= 0) return [];
  const step = a.length / n;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(a[Math.floor(i * step)]!);
  return out;
}

/** stats.ts quantileTable, from columns */
export function quantileTableCols(c: OpColumns): QuantileRow[] {
  const by = new Map<string, { lat: number[]; ok: number; fail: number; info: number; pending: number }>();
  for (let i = 0; i < c.n; i++) {
    const f = c.fs[c.f[i]!]!;
    let r = by.get(f);
    if (!r) { r = { lat: [], ok: 0, fail: 0, info: 0, pending: 0 }; by.set(f, r); }
    const ty = TYPE[c.type[i]!]!;
    r[ty]++;
    if (ty === 'ok') r.lat.push(c.lat[i]!);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([f, r]) => {
    const s = Float64Array.from(r.lat).sort();
    const q = (x: number) => round(quantile(s as unknown as number[], x), 3);
    return { f, ok: r.ok, fail: r.fail, info: r.info, pending: r.pending, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: q(1) };
  });
}

/** stats.ts quantilesOverTime, from columns */
export function quantilesOverTimeCols(c: OpColumns, durationS: number): QuantilesOverTime {
  const bucketS = bucketWidth(durationS, 100);
  const n = Math.max(1, Math.ceil(durationS / bucketS + 1e-9));
  const b: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < c.n; i++) {
    if (c.type[i] !== 0) continue;
    b[Math.min(n - 1, Math.floor(c.start[i]! / bucketS))]!.push(c.lat[i]!);
  }
  const out: QuantilesOverTime = { bucketS, t: [], p50: [], p95: [], p99: [], max: [] };
  b.forEach((l, i) => {
    const s = Float64Array.from(l).sort() as unknown as number[];
    out.t.push(round(i * bucketS, 6));
    const q = (x: number) => (s.length ? Math.max(0.001, round(quantile(s, x), 3)) : null);
    out.p50.push(q(0.5)); out.p95.push(q(0.95)); out.p99.push(q(0.99)); out.max.push(q(1));
  });
  return out;
}
