/**
 * `run --runtime sim`'s execute step: the phases on simulated time (run-sim.ts) instead of real
 * hosts, writing the same run folder files (history.jsonl, nodes/<id>.log, test.json) so analyze
 * and report work unchanged. test.json says the times are simulated.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../../api/history.ts';
import type { RunConfig } from '../config/run-config.ts';
import type { System } from '../../api/system.ts';
import type { WorkloadInstance } from '../../api/workload.ts';
import type { HarnessLog } from '../runner/harness-log.ts';
import { writeJsonAtomic } from '../runs/run-dir.ts';
import { runSim, type SimCuts } from './run-sim.ts';

export interface SimPlan {
  config: RunConfig;
  system: System;
  systemParams: Record<string, unknown>;
  workload: WorkloadInstance;
  runDir: string;
  testJson: Record<string, unknown>;
  log: HarnessLog;
}

export const SIMULATED_TIMES = 'simulated: every time in this run (history, report) is simulated time from the seed, not wall-clock time';

export async function executeSim(plan: SimPlan, cuts?: SimCuts): Promise<{ recorder: { ops: Op[] }; interrupted: null }> {
  const { config, log, runDir, testJson } = plan;
  log.info(`simulating ${config.nodes} ${plan.system.name} cores in this process (--runtime sim, seed ${config.seed})`);
  const t0 = performance.now();
  const r = await runSim({ config, system: plan.system, workload: plan.workload, systemParams: plan.systemParams, runDir, cuts, keepLogs: true, log: (l) => log.info(l) });
  const wallMs = performance.now() - t0;
  r.recorder.write(join(runDir, 'history.jsonl'));
  mkdirSync(join(runDir, 'nodes'), { recursive: true });
  for (const ep of r.runtime.endpoints()) writeFileSync(join(runDir, 'nodes', `${ep.id}.log`), r.runtime.logs(ep.id).join('\n') + '\n');
  testJson.endedAt = new Date().toISOString();
  testJson.converged = r.converged;
  testJson.finalReadRounds = r.finalRounds;
  testJson.times = SIMULATED_TIMES;
  testJson.simulation = {
    simulatedS: Math.round(r.simMs) / 1000, wallS: Math.round(wallMs) / 1000, speedup: Math.round(r.simMs / wallMs),
    events: r.runtime.sched.events, messages: r.runtime.net.sent, messagesDropped: r.runtime.net.dropped, faultStarts: r.faultStarts,
    ...(cuts && Object.keys(cuts).length ? { cuts: { ...cuts, only: cuts.only ? [...cuts.only] : undefined } } : {}),
  };
  writeJsonAtomic(join(runDir, 'test.json'), testJson);
  const client = r.recorder.ops.filter((o) => o.process !== 'nemesis' && o.f !== 'final-read' && o.type !== 'invoke');
  log.info(`${r.recorder.ops.filter((o) => o.type === 'invoke' && o.process !== 'nemesis' && o.f !== 'final-read').length} client ops: ${client.filter((o) => o.type === 'ok').length} ok, ${client.filter((o) => o.type === 'fail').length} fail, ${client.filter((o) => o.type === 'info').length} info; ${(r.simMs / 1000).toFixed(1)} simulated s in ${(wallMs / 1000).toFixed(2)} s (${Math.round(r.simMs / wallMs)}x); checking`);
  return { recorder: r.recorder, interrupted: null };
}
