/**
 * `npm run bench -- txn [sizes...] [--repeats N]`: the transactional checker (checkers/txn) on
 * list-append histories from the seeded serializable executor, 10k / 100k / 1M txns by default,
 * clean and with one of each planted anomaly. Prints medians and the 1M / 100k ratio, and per trial
 * the full (mark-compact) collections that ended during the check, with their pause in ms.
 */
import { loadavg } from 'node:os';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { checkTxns } from '../checkers/txn/index.ts';
import { serializableHistory, injectAnomaly, INJECTABLE } from '../checkers/txn/test/executor.ts';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export async function main(args: string[]): Promise<void> {
  let repeats = 3;
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--repeats') repeats = Number(args[++i]);
    else sizes.push(Number(args[i]));
  }
  if (sizes.length === 0) sizes.push(10_000, 100_000, 1_000_000);
  const medians = new Map<number, number>(), cpuMedians = new Map<number, number>();
  // full (mark-compact) collections while a check runs: with a 1 GB history live, each costs ~1 s
  let majorGcs = 0, majorGcMs = 0;
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as any).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) { majorGcs++; majorGcMs += e.duration; }
  });
  gcObs.observe({ entryTypes: ['gc'] });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  console.log(`txn checker, list-append, strict-serializable; medians of ${repeats}; executor: concurrency 10, 10 keys, 1-4 micro-ops, read fraction 0.5, 32 appends per key, 2% fail, 1% info`);
  console.log('wall = elapsed ms; cpu = this process\'s user+system ms (GC threads included), less disturbed by a shared machine');
  for (const n of sizes) {
    const g0 = performance.now();
    const base = serializableHistory({ seed: 42, txns: n, concurrency: 10, keys: 10, maxTxnLength: 4, appendsPerKey: 32 });
    const genMs = performance.now() - g0;
    // every anomaly planted once, each on its own pair of keys
    let withAnomalies = base.ops;
    INJECTABLE.forEach((kind, i) => { withAnomalies = injectAnomaly({ ...base, ops: withAnomalies, nextProcess: base.nextProcess + i * 10 }, kind, i * 2); });
    for (const [label, ops] of [['clean', base.ops], ['planted', withAnomalies]] as const) {
      const times: number[] = [], cpus: number[] = [], gcs: string[] = [];
      let last: any;
      for (let r = 0; r < repeats; r++) {
        await settle();
        majorGcs = 0; majorGcMs = 0;
        const t0 = performance.now(), c0 = process.cpuUsage();
        last = checkTxns(ops, { models: ['strict-serializable'] });
        times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1000);
        await settle(); // gc entries arrive asynchronously
        gcs.push(`${majorGcs}/${majorGcMs.toFixed(0)}`);
      }
      const m = median(times), mc = median(cpus);
      if (label === 'clean') { medians.set(n, m); cpuMedians.set(n, mc); }
      console.log(`${String(n).padStart(9)} txns ${label.padEnd(7)} ${ops.length} ops: wall median ${m.toFixed(0)} ms [${times.map((t) => t.toFixed(0)).join(' · ')}], cpu median ${mc.toFixed(0)} ms [${cpus.map((t) => t.toFixed(0)).join(' · ')}], full GCs/ms ${gcs.join(' · ')}; valid=${last.valid} anomalies=${last.anomalyTypes.join(',') || '-'} edges=${last.graph.edges} phases=${JSON.stringify(last.elapsedMs)} (generate ${genMs.toFixed(0)} ms, load ${loadavg()[0]!.toFixed(1)})`);
    }
  }
  const a = medians.get(100_000), b = medians.get(1_000_000);
  if (a && b) console.log(`ratio 1M / 100k: wall ${(b / a).toFixed(2)}, cpu ${(cpuMedians.get(1_000_000)! / cpuMedians.get(100_000)!).toFixed(2)} (aim < 15; 100k aim < 5000 ms)`);
  gcObs.disconnect();
}
