/** Run folder contents → everything the page shows, aggregated. Pure: data in, data out. */
import { bankSeries, type BankSeries } from './bank.ts';
import { convergenceView, withCheckerTimes, type ConvergenceView } from './convergence.ts';
import { lastTimeS, pairOps, timelineOfPairs, type OpPair } from '../../checkers/index.ts';
import { faultPeriods, type Faults } from './faults.ts';
import { latencySample, quantilesOverTime, quantileTable, throughput, type LatencySample, type QuantileRow, type QuantilesOverTime, type Throughput } from './stats.ts';
import { timelineData, type TimelineData } from './timeline-data.ts';
import { lostRows, type LostRow } from './lost.ts';
import type { ResultsJson, RunInput, TestJson } from './types.ts';

export interface ReportMeta {
  name: string;
  workload: string;
  nemesis: string;
  runtime: string;
  seed: string;
  startedAt: string | null;
  endedAt: string | null;
  /** wall-clock duration from test.json, else the history's span */
  durationS: number | null;
  command: string;
  /** test.json minus the fields shown on their own */
  config: Record<string, unknown>;
  files: string[];
  ops: number;
  skippedLines: number;
  truncatedTail: boolean;
}

export interface ReportData {
  meta: ReportMeta;
  results: ResultsJson | null;
  faults: Faults;
  timeline: TimelineData;
  latency: LatencySample;
  quantiles: QuantileRow[];
  quantilesOverTime: QuantilesOverTime;
  throughput: Throughput;
  bank: BankSeries | null;
  convergence: ConvergenceView | null;
  /** acknowledged writes the checkers found lost (shown as a table and as marks on the timeline) */
  lost: { rows: LostRow[]; total: number };
  /** history span, s */
  spanS: number;
}

export function buildReportData(input: RunInput): ReportData {
  const pairs = pairOps(input.ops);
  const spanS = lastTimeS(input.ops);
  const tl = timelineOfPairs(pairs, spanS);
  const faults = faultPeriods(tl);
  const t = input.test;
  const isBank = t.workload === 'bank' || (t.workload === undefined && pairs.some((p) => p.f === 'transfer'));
  return {
    meta: metaOf(t, { ops: input.ops.length, skippedLines: input.skippedLines, truncatedTail: input.truncatedTail, files: input.files }, spanS),
    results: input.results,
    faults,
    timeline: timelineData(pairs, spanS, typeof t.concurrency === 'number' ? t.concurrency : undefined),
    latency: latencySample(tl.ops),
    quantiles: quantileTable(tl.ops),
    quantilesOverTime: quantilesOverTime(tl.ops, spanS),
    throughput: throughput(tl.ops, spanS),
    bank: isBank ? bankSeries(pairs, t.workloadParams) : null,
    convergence: convergence(pairs, faults.healAt, input.results),
    lost: lostRows(input.results),
    spanS,
  };
}

function convergence(pairs: readonly OpPair[], healAt: number | null, results: ResultsJson | null): ConvergenceView | null {
  const v = convergenceView(pairs, healAt);
  const chk = results?.checkers.find((c) => /converg/i.test(c.name));
  return v && chk ? withCheckerTimes(v, chk.result) : v;
}

const SHOWN = new Set(['name', 'workload', 'nemesis', 'runtime', 'seed', 'startedAt', 'endedAt', 'command', 'commandLine']);

/** what the header says about the run; `h` is what reading history.jsonl found */
export function metaOf(t: TestJson, h: { ops: number; skippedLines: number; truncatedTail: boolean; files: string[] }, spanS: number): ReportMeta {
  const started = typeof t.startedAt === 'string' ? t.startedAt : null;
  const ended = typeof t.endedAt === 'string' ? t.endedAt : null;
  const wall = started && ended ? (Date.parse(ended) - Date.parse(started)) / 1000 : NaN;
  return {
    name: String(t.name ?? `${t.workload ?? '?'}-${t.nemesis ?? '?'}`),
    workload: String(t.workload ?? 'unknown'),
    nemesis: String(t.nemesis ?? 'unknown'),
    runtime: String(t.runtime ?? 'unknown'),
    seed: t.seed === undefined ? 'unknown' : String(t.seed),
    startedAt: started,
    endedAt: ended,
    durationS: Number.isFinite(wall) ? wall : h.ops ? spanS : null,
    command: typeof t.commandLine === 'string' ? t.commandLine : commandLine(t.command),
    config: Object.fromEntries(Object.entries(t).filter(([k]) => !SHOWN.has(k))),
    files: h.files,
    ops: h.ops,
    skippedLines: h.skippedLines,
    truncatedTail: h.truncatedTail,
  };
}

/** argv → one line a person can paste into a POSIX shell. */
export function commandLine(cmd: unknown): string {
  if (typeof cmd === 'string') return cmd;
  if (!Array.isArray(cmd) || cmd.length === 0) return '(not recorded)';
  return cmd.map((a) => shellQuote(String(a))).join(' ');
}

export function shellQuote(a: string): string {
  if (a !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(a)) return a;
  return `'${a.replace(/'/g, `'\\''`)}'`;
}
