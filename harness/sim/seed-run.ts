/**
 * One simulated run checked in memory, for sweeps and the shrinker: no run folder, no report, just
 * the verdict. `prepareSim` does once what every seed shares (config, system, workload, checks);
 * `runSeed` runs one seed (with overrides and cuts) and judges it with the run's checkers.
 */
import type { CheckerOutcome, ExpectedCheck } from '../../api/checker.ts';
import type { System } from '../../api/system.ts';
import type { WorkloadInstance } from '../../api/workload.ts';
import type { Op } from '../../api/history.ts';
import { resolveRunConfig, readConfigFile, type RunConfig } from '../config/run-config.ts';
import { loadSystem } from '../system/load-system.ts';
import { expectedChecks } from '../system/expected-checks.ts';
import { createWorkload } from '../../workloads/index.ts';
import { runChecks, verdictOf } from '../runner/verdict.ts';
import { nodeIds } from '../runner/run-test.ts';
import { UsageError } from '../cli/usage-error.ts';
import { runSim, type SimCuts, type SimRunResult } from './run-sim.ts';

export interface SimBase {
  config: RunConfig;
  system: System;
  workload: WorkloadInstance;
  systemParams: Record<string, unknown>;
}

export interface SeedVerdict {
  seed: number;
  exitCode: 0 | 1 | 2;
  /** checkers that decided against their expectation */
  unexpected: string[];
  /** checkers that could not decide */
  unknown: string[];
  clientOps: number;
  faults: number;
  simMs: number;
}

/** run flags → what every seed of a sweep shares; a system without a pure core is a UsageError */
export async function prepareSim(flags: Record<string, string | true>): Promise<SimBase> {
  const configFile = typeof flags.config === 'string' ? flags.config : undefined;
  const config = resolveRunConfig({ ...flags, runtime: 'sim' }, configFile ? readConfigFile(configFile) : {}, configFile);
  const system = await loadSystem(config.system);
  if (!system.sim) throw new UsageError(`--runtime sim: ${system.name} has no pure core the simulator can drive (a System.sim hook, api/sim.ts); it runs real processes only: use --runtime ${system.runtimes.join(', ')}`);
  try {
    const systemParams = system.parseParams ? system.parseParams(config.systemParams) : {};
    return { config, system, workload: createWorkload(config.workload, config.params), systemParams };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function checksOf(base: SimBase, config: RunConfig): ExpectedCheck[] {
  return expectedChecks(base.system, base.workload, config.nemesis);
}

/** one run of `config` (the base's, with overrides), checked */
export async function runChecked(base: SimBase, config: RunConfig, cuts?: SimCuts): Promise<{ verdict: SeedVerdict; outcomes: CheckerOutcome[]; run: SimRunResult }> {
  const run = await runSim({ config, system: base.system, workload: base.workload, systemParams: base.systemParams, cuts });
  const outcomes = await runChecks(run.recorder.ops, { nodes: nodeIds(config.nodes), workload: base.workload.checkParams, options: { linTimeoutMs: config.linTimeoutS * 1000 } }, checksOf(base, config));
  const v = verdictOf(outcomes);
  return {
    verdict: {
      seed: config.seed, exitCode: v.exitCode,
      unexpected: outcomes.filter((o) => !o.matched && o.valid !== 'unknown').map((o) => o.name),
      unknown: outcomes.filter((o) => o.valid === 'unknown').map((o) => o.name),
      clientOps: countClientOps(run.recorder.ops), faults: countFaults(run.recorder.ops), simMs: run.simMs,
    },
    outcomes, run,
  };
}

export function countClientOps(ops: readonly Op[]): number {
  return ops.filter((o) => o.type === 'invoke' && o.process !== 'nemesis' && o.f !== 'final-read').length;
}

/** fault starts in the history (each start is an invoke/completion pair of info ops) */
export function countFaults(ops: readonly Op[]): number {
  return ops.filter((o) => o.process === 'nemesis' && o.f.startsWith('start-')).length / 2;
}
