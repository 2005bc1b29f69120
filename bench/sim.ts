/**
 * `npm run bench -- sim [seeds]`: how far ahead of real time the simulator runs.
 * 1. a 5-node maep history run at 50 ops/s with partitions, 60 simulated s (after a warm-up run):
 *    simulated seconds per wall second, for the simulation alone (also per CPU second of this
 *    process: steadier than wall time on a shared machine) and with the checkers;
 * 2. a sweep of 10-second runs (default 200 seeds, history + partition) on every core:
 *    seeds per second and per minute, and what 1,000 seeds would take.
 */
import { availableParallelism, loadavg } from 'node:os';
import { prepareSim, runChecked } from '../harness/sim/seed-run.ts';
import { runSim } from '../harness/sim/run-sim.ts';
import { sweepSeeds } from '../harness/sim/pool.ts';

export async function main(args: string[]): Promise<void> {
  const seeds = Number(args[0] ?? 200);
  console.log(`machine: ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
  const base = await prepareSim({ workload: 'history', nemesis: 'partition', 'time-limit': '60', rate: '50', nodes: '5' });
  for (let i = 0; i < 3; i++) await runSim({ config: { ...base.config, seed: 100 + i }, system: base.system, workload: base.workload });
  let simMs = 0, wallMs = 0, cpuMs = 0, checkedWall = 0, events = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await runSim({ config: { ...base.config, seed: i + 1 }, system: base.system, workload: base.workload });
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    cpuMs += (c1.user + c1.system) / 1000;
    await runChecked(base, { ...base.config, seed: i + 1 });
    checkedWall += performance.now() - t1;
    simMs += r.simMs; wallMs += t1 - t0; events += r.runtime.sched.events;
  }
  console.log(`5-node history, 50 ops/s, partitions, 60 s runs (x3): ${(simMs / wallMs).toFixed(0)} simulated s per wall s (simulation alone; ${Math.round(events / (wallMs / 1000))} events/s; ${(simMs / cpuMs).toFixed(0)} per CPU s, which a loaded machine moves less), ${(simMs / checkedWall).toFixed(0)} with the checkers`);

  const flags = { workload: 'history', nemesis: 'partition', 'time-limit': '10', rate: '50', nodes: '5' };
  const t0 = performance.now();
  const r = await sweepSeeds({ flags, seeds: Array.from({ length: seeds }, (_, i) => i + 1), workers: availableParallelism(), keepGoing: true });
  const s = (performance.now() - t0) / 1000;
  const bad = r.verdicts.filter((v) => v.exitCode !== 0).length;
  console.log(`sweep of ${seeds} ten-second seeds on ${availableParallelism()} workers: ${s.toFixed(1)} s, ${(seeds / s).toFixed(1)} seeds/s = ${Math.round((seeds / s) * 60)} seeds/min (1,000 seeds ≈ ${(1000 / (seeds / s)).toFixed(0)} s); ${bad} not as expected`);
}
