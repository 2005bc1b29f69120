/**
 * `npm run bench -- lin [--runs N] [--files] [--budget S]`: the published files, then the scaling table
 * below (`lin scaling` for the table alone; `lin etcd` for the per-check fixed cost, current vs baseline). Linearizability check time on the published
 * porcupine histories (../shared/data/porcupine): the 102 non-empty etcd logs (cas-register) and
 * the kv logs (per key; single map for c01/c10), plus synthetic maep-like lww histories (test/maep-like.ts).
 * Parsing is timed apart from checking. Each file
 * is checked N times (default 7) after one warm-up round; the figures are per-file medians of wall
 * time and of process CPU time (steadier when other work shares the machine).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { checkLinearizability, kvModel, kvSingleModel, casRegisterModel, readJepsenEtcdLog, readKvLog } from '../checkers/linearizability/index.ts';
import type { LinOp, Model } from '../checkers/linearizability/index.ts';
import { lwwModel, lwwOpsFromHistory } from '../checkers/linearizability/index.ts';
import { maepLikeHistory } from '../checkers/linearizability/test/maep-like.ts';
import { registerHistory } from '../checkers/linearizability/test/register-history.ts';
import { registerModel } from '../checkers/linearizability/index.ts';
import { filesAtCommit } from './lib/from-git.ts';

/** the checker before issue #20 (commit 4b4f3fe), read from the git history: the baseline of `lin scaling` and `lin etcd` */
const BASELINE_COMMIT = '4b4f3fe';
const BASELINE_FILES = ['check', 'search', 'cache', 'state-table', 'transitions', 'event-order', 'evidence'].map((f) => `checkers/linearizability/${f}.ts`);
async function loadBaseline(): Promise<typeof checkLinearizability> {
  const [check] = filesAtCommit(BASELINE_COMMIT, BASELINE_FILES);
  return (await import(check!)).checkLinearizability;
}

const dataDir = fileURLToPath(new URL('../../shared/data/porcupine/', import.meta.url));

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1).padStart(8);

interface Case { name: string; ops: LinOp[]; model: Model<any, any, any>; parseMs: number; expected: boolean }

function load(path: string, reader: (t: string) => { ops: LinOp[] }, model: Model<any, any, any>, expected: boolean, name: string): Case {
  const text = readFileSync(path, 'utf8');
  const t = performance.now();
  const { ops } = reader(text);
  return { name, ops, model, parseMs: performance.now() - t, expected };
}

/** wall and CPU milliseconds of one check; CPU time is the steadier figure on a shared machine */
function time(c: Case): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const r = checkLinearizability(c.ops, c.model, { timeoutMs: 120_000 });
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  if (r.valid !== c.expected) throw new Error(`${c.name}: expected ${c.expected}, got ${r.valid} (${r.summary})`);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/**
 * `npm run bench -- lin scaling [--budget S] [--runs N]`: the search's growth on generated register
 * histories (test/register-history.ts, seed 1): 1k/10k/100k ops x 5/20/50 clients, linearizable
 * and with one planted bad read, each checked by the current search and by the baseline (the
 * search before issue #20, commit 4b4f3fe, read from git) in the same run. Medians of N runs (default 3; one
 * run for cells past 5 s); both get the same time budget (default 60 s, the checker's default).
 */
async function scaling(args: string[]): Promise<void> {
  const budgetArg = args.indexOf('--budget');
  const budgetMs = (budgetArg >= 0 ? Number(args[budgetArg + 1]) : 60) * 1000;
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
  const baselineCheck = await loadBaseline();
  const cell = (check: typeof checkLinearizability, ops: LinOp[], expected: boolean) => {
    const times: number[] = [];
    let verdict = '';
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const res = check(ops, registerModel, { timeoutMs: budgetMs });
      times.push(performance.now() - t);
      verdict = res.valid === 'unknown' ? 'unknown' : res.valid === expected ? 'decided' : `WRONG (${res.valid})`;
      if (times[0]! > 5000) break;
    }
    return { ms: median(times), verdict };
  };
  const fmt = (c: { ms: number; verdict: string }) => `${(c.ms >= 1000 ? (c.ms / 1000).toFixed(2) + ' s' : c.ms.toFixed(1) + ' ms').padStart(9)} ${c.verdict.padEnd(8)}`;
  console.log(`lin scaling: register histories (seed 1), budget ${budgetMs / 1000} s, median of ${runs} (1 past 5 s), node ${process.version}`);
  console.log('history                  | new: time  verdict  x10 | baseline: time verdict x10 | baseline/new');
  const prev = new Map<string, { n: number; b: number }>();
  registerHistory(1, 1000, 5); registerHistory(1, 1000, 5, { bad: true }); // warm-up
  cell(checkLinearizability, registerHistory(2, 2000, 5), true);
  cell(baselineCheck, registerHistory(2, 2000, 5), true);
  for (const bad of [false, true]) for (const p of [5, 20, 50]) for (const n of [1000, 10_000, 100_000]) {
    const ops = registerHistory(1, n, p, { bad });
    const a = cell(checkLinearizability, ops, !bad);
    const b = cell(baselineCheck, ops, !bad);
    const key = `${p}|${bad}`;
    const last = prev.get(key);
    const growth = (x: number, y: number | undefined) => (y === undefined ? '' : (x / y).toFixed(1) + 'x').padStart(6);
    console.log(`${`${n / 1000}k ops ${p} cl. ${bad ? 'bad ' : 'good'}`.padEnd(24)} | ${fmt(a)}${growth(a.ms, last?.n)} | ${fmt(b)}${growth(b.ms, last?.b)} | ${(b.ms / a.ms).toFixed(1)}x`);
    prev.set(key, { n: a.ms, b: b.ms });
  }
}

/**
 * `npm run bench -- lin etcd [--runs N] [--files]`: the 102 published etcd histories checked by the
 * current checker and by the baseline (the checker before issue #20, commit 4b4f3fe, read from git) in the
 * same run, interleaved file by file (the order of the two alternates between rounds), N rounds
 * (default 21) after a warm-up round. The files are split by the work they take, not by their
 * timing: "large" are the 11 with the most memo-table configurations in the baseline's search
 * (the ones whose time is search), "small" the other 91 (whose time is mostly the fixed cost of a
 * check). Per group: summed and median per-file medians, wall and process CPU time, and the
 * ratio baseline / current (> 1: the current checker is faster).
 */
async function etcdFixedCost(args: string[]): Promise<void> {
  const baselineCheck = await loadBaseline();
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 21;
  const expected = new Map<string, boolean>();
  for (const line of readFileSync(dataDir + 'expected.tsv', 'utf8').trim().split('\n').slice(1)) {
    const [file, model, verdict] = line.split('\t') as [string, string, string];
    if (model === 'etcd-cas-register' && !verdict.startsWith('no-test')) expected.set(file.replace('jepsen/', ''), verdict === 'linearizable');
  }
  const files = readdirSync(dataDir + 'jepsen').sort().filter((f) => expected.has(f));
  const checkers = { current: checkLinearizability, baseline: baselineCheck } as const;
  type Which = keyof typeof checkers;
  const cases = files.map((f) => ({
    name: f,
    ops: readJepsenEtcdLog(readFileSync(dataDir + 'jepsen/' + f, 'utf8')).ops,
    expected: expected.get(f)!,
    baselineEntries: 0,
    wall: { current: [] as number[], baseline: [] as number[] },
    cpu: { current: [] as number[], baseline: [] as number[] },
  }));
  type C = (typeof cases)[number];
  const once = (c: C, which: Which) => {
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const r = checkers[which](c.ops, casRegisterModel, { timeoutMs: 120_000 });
    const wall = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    if (r.valid !== c.expected) throw new Error(`${c.name} (${which}): expected ${c.expected}, got ${r.valid} (${r.summary})`);
    if (which === 'baseline') c.baselineEntries = r.cacheEntries;
    return { wall, cpu: (cpu.user + cpu.system) / 1000 };
  };
  for (const c of cases) { once(c, 'current'); once(c, 'baseline'); } // warm-up: JIT, verdicts, memo sizes
  for (let r = 0; r < runs; r++) {
    for (const c of cases) {
      for (const which of (r % 2 ? ['baseline', 'current'] : ['current', 'baseline']) as Which[]) {
        const { wall, cpu } = once(c, which);
        c.wall[which].push(wall);
        c.cpu[which].push(cpu);
      }
    }
  }
  const byWork = cases.slice().sort((a, b) => b.baselineEntries - a.baselineEntries || (a.name < b.name ? -1 : 1));
  const large = byWork.slice(0, 11).sort((a, b) => (a.name < b.name ? -1 : 1));
  const small = byWork.slice(11).sort((a, b) => (a.name < b.name ? -1 : 1));
  const w = (c: C, which: Which) => median(c.wall[which]);
  const u = (c: C, which: Which) => median(c.cpu[which]);
  const sum = (cs: C[], f: (c: C) => number) => cs.reduce((s, c) => s + f(c), 0);
  const f2 = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1)).padStart(7);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`lin etcd: current vs baseline (commit 4b4f3fe, before #20), ${runs} interleaved rounds after a warm-up; per-file medians in ms (node ${process.version}, load average ${load})`);
  if (args.includes('--files')) {
    for (const c of cases) console.log(`  ${c.name.padEnd(14)} ${large.includes(c) ? 'large' : 'small'}  wall ${f2(w(c, 'current'))} vs ${f2(w(c, 'baseline'))}   cpu ${f2(u(c, 'current'))} vs ${f2(u(c, 'baseline'))}   baseline memo ${c.baselineEntries}`);
  }
  console.log('group                  |   wall: current  baseline  base/cur |    cpu: current  baseline  base/cur');
  for (const [label, group] of [[`small (${small.length} files)`, small], [`large (${large.length} files)`, large], [`all (${cases.length} files)`, cases]] as const) {
    for (const [stat, agg] of [['sum', (g: C[], f: (c: C) => number) => sum(g, f)], ['median', (g: C[], f: (c: C) => number) => median(g.map(f))]] as const) {
      const wc = agg(group, (c) => w(c, 'current')), wb = agg(group, (c) => w(c, 'baseline'));
      const uc = agg(group, (c) => u(c, 'current')), ub = agg(group, (c) => u(c, 'baseline'));
      console.log(`${`${label} ${stat}`.padEnd(22)} | ${f2(wc)}  ${f2(wb)}  ${(wb / wc).toFixed(2).padStart(6)}x | ${f2(uc)}  ${f2(ub)}  ${(ub / uc).toFixed(2).padStart(6)}x`);
    }
  }
  console.log(`large: ${large.map((c) => c.name.replace(/\.log$/, '')).join(' ')}`);
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === 'scaling') return scaling(args.slice(1));
  if (args[0] === 'etcd') return etcdFixedCost(args.slice(1));
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 7;
  const showFiles = args.includes('--files');
  const expected = new Map<string, boolean>();
  for (const line of readFileSync(dataDir + 'expected.tsv', 'utf8').trim().split('\n').slice(1)) {
    const [file, model, verdict] = line.split('\t') as [string, string, string];
    if (verdict.startsWith('no-test')) continue;
    expected.set(`${file}|${model}`, verdict === 'linearizable');
  }

  const etcd: Case[] = readdirSync(dataDir + 'jepsen').sort()
    .filter((f) => expected.has(`jepsen/${f}|etcd-cas-register`))
    .map((f) => load(dataDir + 'jepsen/' + f, readJepsenEtcdLog, casRegisterModel, expected.get(`jepsen/${f}|etcd-cas-register`)!, f));
  const kv: Case[] = [];
  for (const f of ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad', 'c50-ok', 'c50-bad']) {
    kv.push(load(`${dataDir}kv/${f}.txt`, readKvLog, kvModel, expected.get(`kv/${f}.txt|kv-partitioned-by-key`)!, `${f} per key`));
  }
  for (const f of ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad']) {
    kv.push(load(`${dataDir}kv/${f}.txt`, readKvLog, kvSingleModel, expected.get(`kv/${f}.txt|kv-no-partition (single map state)`)!, `${f} single map`));
  }

  // synthetic maep-like lww histories (two replicas, a partition, timeouts): big partitions
  for (const [seed, n, replicas] of [[2, 10_000, 2], [6, 30_000, 1], [7, 30_000, 2]] as const) {
    const t = performance.now();
    const { ops } = lwwOpsFromHistory(maepLikeHistory(seed, n, { replicas }));
    kv.push({ name: `lww ${n / 1000}k ops, ${replicas} repl.`, ops, model: lwwModel, parseMs: performance.now() - t, expected: replicas === 1 });
  }

  for (const c of [...etcd, ...kv]) time(c); // warm-up: JIT and verdicts
  const samples = new Map<Case, { wall: number[]; cpu: number[] }>();
  for (const c of [...etcd, ...kv]) samples.set(c, { wall: [], cpu: [] });
  for (let r = 0; r < runs; r++) {
    for (const c of [...etcd, ...kv]) {
      const { wall, cpu } = time(c);
      samples.get(c)!.wall.push(wall);
      samples.get(c)!.cpu.push(cpu);
    }
  }
  const wall = (c: Case) => median(samples.get(c)!.wall);
  const cpu = (c: Case) => median(samples.get(c)!.cpu);
  const sum = (cs: Case[], f: (c: Case) => number) => cs.reduce((s, c) => s + f(c), 0);

  console.log(`lin bench: ${runs} runs after a warm-up; per-file medians in ms, wall and CPU (node ${process.version})`);
  if (showFiles) for (const c of etcd) console.log(`  ${c.name.padEnd(16)} wall ${ms(wall(c))}  cpu ${ms(cpu(c))}  ${c.ops.length} ops`);
  const slowest = etcd.slice().sort((a, b) => wall(b) - wall(a)).slice(0, 4);
  console.log(`etcd: ${etcd.length} histories, summed: wall ${ms(sum(etcd, wall))}  cpu ${ms(sum(etcd, cpu))}   (parsing all: ${sum(etcd, (c) => c.parseMs).toFixed(1)} ms, cold)`);
  console.log(`  slowest (wall): ${slowest.map((c) => `${c.name} ${wall(c).toFixed(1)}`).join(', ')}`);
  console.log('kv and lww:');
  for (const c of kv) {
    console.log(`  ${c.name.padEnd(20)} wall ${ms(wall(c))}  cpu ${ms(cpu(c))}   (${c.ops.length} ops, ${c.expected ? 'linearizable' : 'not linearizable'})`);
  }
  console.log();
  await scaling(args.filter((a, i) => a !== '--runs' && args[i - 1] !== '--runs'));
}
