import type { NodeEndpoint, Runtime } from '../../api/runtime.ts';
import type { OpInput } from '../../api/history.ts';
import type { Nemesis, NemesisContext } from '../../api/fault.ts';
import type { WorkloadInstance, Completion } from '../../api/workload.ts';
import type { Client } from '../../api/client.ts';
import type { System, SystemRun } from '../../api/system.ts';
import { Rng } from '../../api/rng.ts';
import { clusterSpec } from '../system/cluster-spec.ts';
import { fanOut } from './fan-out.ts';
import type { HistoryRecorder } from '../history/recorder.ts';
import type { HarnessLog } from './harness-log.ts';
import { ProcessIds } from './process-ids.ts';
import { RateLimiter } from './rate-limiter.ts';
import { sleep } from './sleep.ts';
import type { RunConfig } from '../config/run-config.ts';
import { canonicalJson } from '../../checkers/canonical.ts';

export type Phase = 'setup' | 'main' | 'heal' | 'recovery' | 'done';

export interface RunTestDeps {
  config: RunConfig;
  runtime: Runtime;
  system: System;
  workload: WorkloadInstance;
  /** the system's params, validated by its parseParams */
  systemParams?: Record<string, unknown>;
  nemesis: Nemesis | null;
  /** built by the caller, which also needs it to heal after a crash */
  nemesisCtx: NemesisContext;
  recorder: HistoryRecorder;
  log: HarnessLog;
  runDir: string;
  runId: string;
  /** aborts on Ctrl-C / SIGTERM: stop everything, in-flight ops included */
  interrupt: AbortSignal;
  onPhase?(phase: Phase): void;
}

export interface RunTestResult {
  converged: boolean;
  finalRounds: number;
}

export const nodeIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);

/**
 * One test run's phases: setup the cluster → main (workers and nemesis until the time limit) →
 * heal every fault → recovery (final reads from every node until they agree or the recovery time
 * runs out). Teardown and the nemesis' heal on a crash are the caller's (they must also run when
 * this throws). Ops go to the recorder as they happen.
 */
export async function runTest(d: RunTestDeps): Promise<RunTestResult> {
  const { config: c, runtime, system, workload, recorder, log } = d;
  const nodes = nodeIds(c.nodes);
  const rng = new Rng(c.seed);
  const timeoutMs = c.opTimeoutS * 1000;
  const serves = system.workloads[workload.name];
  if (!serves) throw new Error(`${system.name} does not support the ${workload.name} workload`);

  d.onPhase?.('setup');
  log.info(`starting ${c.nodes} ${system.name} nodes (${runtime.info.name} runtime)`);
  const run: SystemRun = { nodes, runDir: d.runDir, workload, faultKinds: c.nemesis, nodeArgs: c.nodeArgs, systemParams: d.systemParams };
  await system.prepare?.(run);
  const endpoints = await runtime.setup(clusterSpec(system, run, d.runId));
  for (const ep of endpoints) log.info(`  ${describeEndpoint(ep)}`);
  if (d.interrupt.aborted) return { converged: false, finalRounds: 0 };
  await system.clusterReady?.(endpoints, run, d.interrupt);
  if (d.interrupt.aborted) return { converged: false, finalRounds: 0 };

  const pids = new ProcessIds(c.concurrency);
  // one signal per worker (or final reader), all aborted by the one interrupt: a client's
  // per-request listener then sits on its own worker's signal, never many on one signal
  const signals = fanOut(d.interrupt, Math.max(c.concurrency, endpoints.length));
  const clientOf = (ep: NodeEndpoint): Client => serves.client({ node: ep, cluster: endpoints, workload, systemParams: d.systemParams, timeoutMs });
  const clients: Client[] = [];
  const track = (cl: Client) => { clients.push(cl); return cl; };
  try {

  // main phase
  d.onPhase?.('main');
  recorder.startClock();
  const main = new AbortController();
  const stopMain = () => main.abort();
  d.interrupt.addEventListener('abort', stopMain, { once: true });
  const timer = setTimeout(stopMain, c.timeLimitS * 1000);
  const limiter = new RateLimiter(c.rate, rng.fork('rate'));
  const nextOp = workload.generator(rng.fork('ops'));
  const endpointOf = (w: number): NodeEndpoint => endpoints[w % endpoints.length]!;
  // the main phase's end reaches each worker's limiter and the nemesis on a signal of its own
  const mainSignals = fanOut(main.signal, c.concurrency + 1);
  const workers = Array.from({ length: c.concurrency }, (_, w) => worker(w, track(clientOf(endpointOf(w)))));

  async function worker(w: number, client: Client): Promise<void> {
    const node = endpointOf(w).id;
    const mainSignal = mainSignals[w]!, signal = signals[w]!;
    while (!mainSignal.aborted) {
      const go = limiter.acquire(mainSignal);
      if (go !== true && !(await go)) break;
      const op = nextOp();
      const process = pids.of(w);
      recorder.record({ type: 'invoke', process, f: op.f, value: op.value, node });
      // the op itself is not cut by the time limit (only by its timeout or Ctrl-C): Jepsen lets
      // in-flight ops finish, so the end of the main phase does not turn them all into info
      const done = await invokeSafely(client, op, signal);
      const completion: OpInput = { type: done.type, process, f: op.f, value: done.value ?? op.value, node };
      if (done.error) completion.error = done.error;
      recorder.record(completion);
      if (done.type === 'info') pids.retire(w);
    }
  }

  // a failing nemesis ends the main phase early; the workers are let finish before the error goes up
  const nemesisRun = d.nemesis ? d.nemesis.run(d.nemesisCtx, mainSignals[c.concurrency]!).catch((e) => { stopMain(); throw e; }) : Promise.resolve();
  const settled = await Promise.allSettled([...workers, nemesisRun]);
  clearTimeout(timer);
  d.interrupt.removeEventListener('abort', stopMain);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  // heal
  d.onPhase?.('heal');
  if (d.nemesis) {
    log.info('healing every fault');
    await d.nemesis.healAll(d.nemesisCtx);
  }
  recorder.record({ type: 'info', process: 'nemesis', f: 'heal', value: null });
  if (d.interrupt.aborted) return { converged: false, finalRounds: 0 };

  // recovery: final reads until every node agrees or the recovery time runs out
  d.onPhase?.('recovery');
  const deadline = performance.now() + c.recoveryTimeS * 1000;
  const readers = endpoints.map((ep, j) => ({ ep, worker: j % c.concurrency, signal: signals[j]!, client: track(clientOf(ep)) }));
  // readers sharing a worker (concurrency < nodes) read one after another: one op per process at a time
  const byWorker = new Map<number, typeof readers>();
  for (const r of readers) byWorker.set(r.worker, [...(byWorker.get(r.worker) ?? []), r]);
  let rounds = 0;
  let converged = false;
  while (!d.interrupt.aborted) {
    rounds++;
    await Promise.all(readers.map((r) => r.client.sync?.(r.signal).catch(() => {})));
    const results = new Map<string, Completion>();
    await Promise.all([...byWorker.values()].map(async (group) => {
      for (const r of group) {
        const process = pids.of(r.worker);
        recorder.record({ type: 'invoke', process, f: 'final-read', value: null, node: r.ep.id });
        const done = await finalReadSafely(r.client, r.signal);
        recorder.record({ type: done.type, process, f: 'final-read', value: done.type === 'ok' ? done.value : null, node: r.ep.id, ...(done.error ? { error: done.error } : {}) });
        if (done.type === 'info') pids.retire(r.worker);
        results.set(r.ep.id, done);
      }
    }));
    converged = allAgree([...results.values()]);
    if (converged) break;
    if (performance.now() >= deadline) break;
    await sleep(Math.min(500, Math.max(0, deadline - performance.now())), d.interrupt);
  }
  log.info(converged ? `nodes converged after ${rounds} final-read round(s)` : `nodes did not converge within --recovery-time ${c.recoveryTimeS} s (${rounds} rounds)`);
  d.onPhase?.('done');
  return { converged, finalRounds: rounds };
  } finally {
    await Promise.all(clients.map((cl) => cl.close?.().catch(() => {})));
  }
}

/** "n1 127.0.0.1 client=8001 peer=7001" */
export function describeEndpoint(ep: NodeEndpoint): string {
  return `${ep.id} ${ep.host} ${Object.entries(ep.ports).map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

/** every node answered, with equal state and digest */
export function allAgree(results: readonly Completion[]): boolean {
  if (results.length === 0 || results.some((r) => r.type !== 'ok')) return false;
  const key = (r: Completion) => canonicalJson(r.value);
  const first = key(results[0]!);
  return results.every((r) => key(r) === first);
}

/** a client bug must not kill the worker: an exception is an unknown outcome */
async function invokeSafely(client: Client, op: { f: string; value: unknown }, signal: AbortSignal): Promise<Completion> {
  try { return await client.invoke(op, signal); } catch (e) { return { type: 'info', value: op.value, error: `client error: ${(e as Error).message}` }; }
}

async function finalReadSafely(client: Client, signal: AbortSignal): Promise<Completion> {
  try { return await client.finalRead(signal); } catch (e) { return { type: 'fail', value: null, error: `client error: ${(e as Error).message}` }; }
}
