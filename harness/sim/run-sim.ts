/**
 * One run's phases on simulated time (harness/runner/run-test.ts's, driven by the simulator's
 * event queue instead of timers): setup → main (workers at the rate limit, the nemesis) → heal →
 * recovery (sync + final reads until the nodes agree). Same process ids, rate limiter slots,
 * op generator and nemesis streams as a real run of the seed. No wall clock, no I/O: the result is
 * a pure function of its input, which is what makes replay, sweeps and shrinking exact.
 */
import type { Client } from '../../api/client.ts';
import type { NodeEndpoint } from '../../api/runtime.ts';
import type { System, SystemRun } from '../../api/system.ts';
import type { Completion, GeneratedOp, WorkloadInstance } from '../../api/workload.ts';
import type { NemesisContext } from '../../api/fault.ts';
import { setMaxListeners } from 'node:events';
import { Rng } from '../../api/rng.ts';
import type { RunConfig } from '../config/run-config.ts';
import { SimRuntime } from '../../runtimes/sim/runtime.ts';
import { clusterSpec } from '../system/cluster-spec.ts';
import { ProcessIds } from '../runner/process-ids.ts';
import { nextSlot } from '../runner/rate-limiter.ts';
import { allAgree, nodeIds } from '../runner/run-test.ts';
import { SimRecorder } from './recorder.ts';
import { SimNemesis, type SimNemesisTuning } from './nemesis.ts';

/** what the shrinker may cut besides the config (fewer faults, shorter windows, fewer ops) */
export interface SimCuts extends SimNemesisTuning {
  /** client ops invoked at most (then the workers stop) */
  maxOps?: number;
}

export interface SimRunInput {
  config: RunConfig;
  system: System;
  workload: WorkloadInstance;
  systemParams?: Record<string, unknown>;
  runDir?: string;
  cuts?: SimCuts;
  keepLogs?: boolean;
  log?: (line: string) => void;
}

export interface SimRunResult {
  recorder: SimRecorder;
  runtime: SimRuntime;
  converged: boolean;
  finalRounds: number;
  /** simulated ms from setup to the end of recovery */
  simMs: number;
  /** fault starts the schedule made in the main phase (kept or not) */
  faultStarts: number;
}

/** simulated ms the nodes get after start before the main phase (a real run's readiness probing) */
const SETTLE_MS = 1000;

export async function runSim(input: SimRunInput): Promise<SimRunResult> {
  const { config: c, system, workload } = input;
  const sim = system.sim;
  if (!sim) throw new Error(`${system.name} has no pure core for the simulator (System.sim)`);
  const serves = system.workloads[workload.name];
  if (!serves) throw new Error(`${system.name} does not support the ${workload.name} workload`);
  const log = input.log ?? (() => {});
  const nodes = nodeIds(c.nodes);
  const rt = new SimRuntime({ seed: c.seed, keepLogs: input.keepLogs });
  const sched = rt.sched;
  const run: SystemRun = { nodes, runDir: input.runDir ?? '', workload, faultKinds: c.nemesis, nodeArgs: c.nodeArgs, systemParams: input.systemParams };
  rt.attach(sim, run);
  const recorder = new SimRecorder(() => sched.now);
  const rng = new Rng(c.seed);
  const timeoutMs = c.opTimeoutS * 1000;
  const cuts = input.cuts ?? {};
  const nemesis = c.nemesis.length ? new SimNemesis({
    kinds: c.nemesis, intervalS: c.nemesisIntervalS, partitionShape: c.partitionShape,
    clockSkewMs: c.clockSkewMs, killTargets: c.killTargets, clockMode: c.clockMode, pauseTargets: c.pauseTargets,
  }, sched, () => Math.round(rt.wallNow()), cuts) : null;
  const nemesisCtx: NemesisContext = {
    runtime: rt, nodes, rng: rng.fork('nemesis'),
    record: (op) => recorder.record({ ...op, process: 'nemesis' }),
    log,
  };
  const boundMs = (SETTLE_MS / 1000 + c.timeLimitS + c.recoveryTimeS + 4 * c.opTimeoutS + 60) * 1000 * 2;

  const phases = async (): Promise<{ converged: boolean; finalRounds: number }> => {
    const endpoints = await rt.setup(clusterSpec(system, run, `sim-${c.seed}`));
    await sched.sleep(SETTLE_MS);
    const pids = new ProcessIds(c.concurrency);
    const clientOf = (ep: NodeEndpoint): Client => sim.client(workload.name, (req, signal) => rt.call(ep.id, req, timeoutMs, signal),
      { node: ep, cluster: endpoints, workload, systemParams: input.systemParams, timeoutMs });
    const never = new AbortController().signal;

    // main phase
    recorder.startClock();
    const main = new AbortController();
    setMaxListeners(0, main.signal);
    sched.after(c.timeLimitS * 1000, () => { main.abort(); return true; });
    const limiterRng = rng.fork('rate');
    const intervalMs = 1000 / c.rate;
    let last = -Infinity;
    const acquire = async (): Promise<boolean> => {
      const now = sched.now;
      const slot = last === -Infinity ? now : nextSlot(last, now, intervalMs, limiterRng.next());
      last = slot;
      if (slot > now) await sched.sleep(slot - now, main.signal);
      return !main.signal.aborted;
    };
    const nextOp = workload.generator(rng.fork('ops'));
    let invoked = 0;
    const endpointOf = (w: number) => endpoints[w % endpoints.length]!;
    const worker = async (w: number, client: Client): Promise<void> => {
      const node = endpointOf(w).id;
      while (!main.signal.aborted) {
        if (!(await acquire())) break;
        if (cuts.maxOps !== undefined && invoked >= cuts.maxOps) break;
        invoked++;
        const op = nextOp();
        const process = pids.of(w);
        recorder.record({ type: 'invoke', process, f: op.f, value: op.value, node });
        const done = await invokeSafely(client, op, never);
        recorder.record({ type: done.type, process, f: op.f, value: done.value ?? op.value, node, ...(done.error ? { error: done.error } : {}) });
        if (done.type === 'info') pids.retire(w);
      }
    };
    const workers = Array.from({ length: c.concurrency }, (_, w) => worker(w, clientOf(endpointOf(w))));
    await Promise.all([...workers, nemesis ? nemesis.run(nemesisCtx, main.signal) : Promise.resolve()]);

    // heal
    if (nemesis) await nemesis.healAll(nemesisCtx);
    recorder.record({ type: 'info', process: 'nemesis', f: 'heal', value: null });

    // recovery
    const deadline = sched.now + c.recoveryTimeS * 1000;
    const readers = endpoints.map((ep, j) => ({ ep, worker: j % c.concurrency, client: clientOf(ep) }));
    const byWorker = new Map<number, typeof readers>();
    for (const r of readers) byWorker.set(r.worker, [...(byWorker.get(r.worker) ?? []), r]);
    let rounds = 0;
    let converged = false;
    for (;;) {
      rounds++;
      await Promise.all(readers.map((r) => r.client.sync?.(never).catch(() => {})));
      const results = new Map<string, Completion>();
      await Promise.all([...byWorker.values()].map(async (group) => {
        for (const r of group) {
          const process = pids.of(r.worker);
          recorder.record({ type: 'invoke', process, f: 'final-read', value: null, node: r.ep.id });
          let done: Completion;
          try { done = await r.client.finalRead(never); } catch (e) { done = { type: 'fail', value: null, error: `client error: ${(e as Error).message}` }; }
          recorder.record({ type: done.type, process, f: 'final-read', value: done.type === 'ok' ? done.value : null, node: r.ep.id, ...(done.error ? { error: done.error } : {}) });
          if (done.type === 'info') pids.retire(r.worker);
          results.set(r.ep.id, done);
        }
      }));
      converged = allAgree([...results.values()]);
      if (converged || sched.now >= deadline) break;
      await sched.sleep(Math.min(500, Math.max(0, deadline - sched.now)));
    }
    log(converged ? `nodes converged after ${rounds} final-read round(s)` : `nodes did not converge within --recovery-time ${c.recoveryTimeS} s (${rounds} rounds)`);
    await rt.teardown();
    return { converged, finalRounds: rounds };
  };

  const out = await sched.run(phases, boundMs);
  return { recorder, runtime: rt, ...out, simMs: sched.now, faultStarts: nemesis?.startsSeen ?? 0 };
}

/** a client bug must not kill the worker: an exception is an unknown outcome */
async function invokeSafely(client: Client, op: GeneratedOp, signal: AbortSignal): Promise<Completion> {
  try { return await client.invoke(op, signal); } catch (e) { return { type: 'info', value: op.value, error: `client error: ${(e as Error).message}` }; }
}
