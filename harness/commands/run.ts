import { join } from 'node:path';
import { resolveRunConfig, readConfigFile, reproduceCommand, commandLine, allNemesis, type RunConfig } from '../config/run-config.ts';
import { createWorkload } from '../../workloads/index.ts';
import { showPath } from '../terminal/show-path.ts';
import { UsageError } from '../cli/usage-error.ts';
import { selectRuntime } from '../../runtimes/select.ts';
import { createNemesis } from '../../nemesis/index.ts';
import { writeReport } from '../report/index.ts';
import { createRunDir, testName, updateLatest, writeJsonAtomic } from '../runs/run-dir.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { HarnessLog } from '../runner/harness-log.ts';
import { OpCounts } from '../runner/op-counts.ts';
import { runTest, nodeIds, type Phase, type RunTestResult } from '../runner/run-test.ts';
import { runChecks, verdictOf, type Verdict } from '../runner/verdict.ts';
import { onEmergency } from '../runner/emergency.ts';
import { StatusLine, statusText } from '../terminal/status-line.ts';
import { verdictTable, exitLine } from '../terminal/verdict-table.ts';
import { versions } from '../versions.ts';
import { loadSystem } from '../system/load-system.ts';
import { expectedChecks } from '../system/expected-checks.ts';
import type { CheckerOutcome, ExpectedCheck } from '../../api/checker.ts';
import type { Op } from '../../api/history.ts';
import type { Fault, Nemesis, NemesisContext } from '../../api/fault.ts';
import { FAULT_KINDS } from '../../api/fault.ts';
import type { Runtime } from '../../api/runtime.ts';
import type { System } from '../../api/system.ts';
import type { WorkloadInstance } from '../../api/workload.ts';
import { Rng } from '../../api/rng.ts';
import { cutFlags, cutsFromFlags } from '../sim/cuts.ts';

/** what the run command needs from its surroundings (tests pass their own) */
export interface RunIo {
  out: NodeJS.WriteStream;
  /** the argv as given, for the log */
  argv: readonly string[];
}

/** Everything decided before the first node starts. */
interface RunPlan {
  config: RunConfig;
  system: System;
  systemParams: Record<string, unknown>;
  workload: WorkloadInstance;
  checks: ExpectedCheck[];
  nemesis: Nemesis | null;
  runtime: Runtime;
  name: string;
  runDir: string;
  startedAt: Date;
  testJson: Record<string, unknown>;
  log: HarnessLog;
}

/**
 * `run`: prepare (config, system, workload, checks, nemesis, runtime, run folder) → execute (the
 * phases, with healing and teardown whatever happens) → analyze (checkers, results.json) →
 * report (report.html, verdict table). Returns the exit code.
 */
export async function runCommand(flags: Record<string, string | true>, io: RunIo): Promise<number> {
  const plan = await prepare(flags, io);
  // --runtime sim: the same phases on simulated time, in this process (harness/sim/)
  const executed = plan.runtime.info.name === 'sim' ? await (await import('../sim/execute.ts')).executeSim(plan, cutsFromFlags(flags)) : await execute(plan, io);
  if (executed.interrupted) return executed.interrupted === 'SIGINT' ? 130 : 143;
  const { outcomes, verdict } = await analyze(plan, executed.recorder);
  await report(plan, outcomes, verdict, io);
  return verdict.exitCode;
}

/** Validates everything a user can get wrong, so that no run stops halfway for a reason known at the start. */
async function prepare(flags: Record<string, string | true>, io: RunIo): Promise<RunPlan> {
  const configFile = typeof flags.config === 'string' ? flags.config : undefined;
  const config = resolveRunConfig(flags, configFile ? readConfigFile(configFile) : {}, configFile);
  const system = await loadSystem(config.system);
  if (config.runtime === 'sim' && !system.sim) {
    throw new UsageError(`--runtime sim: ${system.name} has no pure core the simulator can drive (a System.sim hook, api/sim.ts); it runs real processes only: use --runtime ${system.runtimes.join(', ')}`);
  }
  let workload: WorkloadInstance;
  let checks: ExpectedCheck[];
  let systemParams: Record<string, unknown>;
  try {
    systemParams = systemParamsOf(system, config.systemParams);
    workload = createWorkload(config.workload, config.params);
    checks = expectedChecks(system, workload, allNemesis(config));
  } catch (e) {
    throw new UsageError(`${configFile ? `--config ${configFile}: ` : ''}${(e as Error).message}`);
  }
  const aims = primaryAims(config);
  if (aims.length && !system.primaries) throw new UsageError(`${aims.join(', ')}: ${system.name} cannot say which node is its primary; choose other targets`);
  const problem = await system.preflight?.();
  if (problem) throw new UsageError(`--system ${config.system}: ${problem}`);
  const own = system.faults ?? {};
  const unknown = config.systemNemesis.filter((k) => !Object.hasOwn(own, k));
  if (unknown.length) {
    const theirs = Object.keys(own);
    throw new UsageError(`--nemesis: unknown fault kind "${unknown[0]}" (built in: ${FAULT_KINDS.join(', ')}; ${system.name}'s own: ${theirs.length ? theirs.join(', ') : 'none'})`);
  }
  if (config.systemNemesis.length && config.runtime === 'sim') throw new UsageError(`--nemesis ${config.systemNemesis.join(',')}: a system's own faults need real nodes; not on --runtime sim`);

  const log = new HarnessLog((line) => io.out.write(line + '\n'));
  const { runtime, why } = await selectRuntime(config.runtime, config.seed);
  const simFlag = ['sim-faults', 'sim-fault-window', 'sim-max-ops'].find((f) => f in flags);
  if (simFlag && runtime.info.name !== 'sim') throw new UsageError(`--${simFlag} applies to --runtime sim only`);
  if (!system.runtimes.includes(runtime.info.name)) {
    throw new UsageError(`--system ${config.system}: ${system.name} cannot run on the ${runtime.info.name} runtime (it runs on: ${system.runtimes.join(', ')}); pick one with --runtime`);
  }
  const wanted = [...config.nemesis, ...(config.nemesis.includes('partition') && config.partitionShape === 'one-way' ? ['partition:one-way'] : [])];
  const cannot = runtime.cannotServe(system.needs, wanted);
  // a runtime without Runtime.dataPath (the simulator) cannot reach a node's files, whatever its cannotServe says
  if (config.nemesis.includes('corrupt') && !runtime.dataPath) cannot.push('corrupt faults need a node\'s data folder on this machine (Runtime.dataPath), which this runtime does not offer');
  if (cannot.length) throw new UsageError(`--nemesis ${allNemesis(config).join(',')} on the ${runtime.info.name} runtime: ${cannot.join('; ')}`);
  log.info(`runtime: ${why}`);

  const startedAt = new Date();
  const name = testName(config.workload, allNemesis(config));
  let runDir: string;
  try { runDir = createRunDir(config.store, name, startedAt); } catch (e) {
    throw new UsageError(`--store ${config.store}: cannot create the run folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pick a writable folder`);
  }
  log.attach(join(runDir, 'harness.log'));
  // a system's own faults are built for this run, so they may use its folder (a key the system makes there)
  const systemFaults: Record<string, Fault> = Object.fromEntries(config.systemNemesis.map((k) => [k, own[k]!.create({ nodes: nodeIds(config.nodes), runDir })]));
  const nemesis = allNemesis(config).length === 0 ? null : createNemesis({
    kinds: config.nemesis, intervalS: config.nemesisIntervalS, partitionShape: config.partitionShape,
    clockSkewMs: config.clockSkewMs, killTargets: config.killTargets, pauseTargets: config.pauseTargets, clockMode: config.clockMode,
    corruptMode: config.corruptMode, corruptTargets: config.corruptTargets, systemFaults,
    ...(system.dataFiles ? { dataFiles: (dir: string) => system.dataFiles!(dir) } : {}),
  });
  log.file(`argv: ${JSON.stringify(io.argv)}`);
  const argv = reproduceCommand(config, runtime.info.name);
  if (runtime.info.name === 'sim') argv.push(...cutFlags(cutsFromFlags(flags)));
  // workload params only exist in the config file: the repeat command needs it too
  if (configFile && Object.keys(config.params).length > 0) argv.push('--config', configFile);
  const testJson: Record<string, unknown> = {
    name, system: system.name, workload: config.workload, nemesis: allNemesis(config).length ? allNemesis(config).join(',') : 'none',
    runtime: runtime.info.name, runtimeWhy: why,
    nodes: nodeIds(config.nodes), concurrency: config.concurrency, timeLimitS: config.timeLimitS, rate: config.rate, seed: config.seed,
    recoveryTimeS: config.recoveryTimeS, opTimeoutS: config.opTimeoutS, nodeArgs: config.nodeArgs,
    nemesisIntervalS: config.nemesisIntervalS, partitionShape: config.partitionShape, clockSkewMs: config.clockSkewMs,
    killTargets: config.killTargets, pauseTargets: config.pauseTargets, clockMode: config.clockMode, corruptMode: config.corruptMode, corruptTargets: config.corruptTargets,
    command: ['npm', 'run', 'jepsen', '--', ...argv], commandLine: commandLine(argv),
    startedAt: startedAt.toISOString(), endedAt: null,
    versions: versions(), mechanisms: runtime.info.mechanisms, workloadParams: workload.checkParams, systemParams, config,
  };
  writeJsonAtomic(join(runDir, 'test.json'), testJson);
  updateLatest(config.store, runDir);
  log.info(`run ${name} on ${system.name}, seed ${config.seed}; folder ${showPath(runDir)}`);
  log.info(`repeat with: ${commandLine(argv)}`);
  return { config, system, systemParams, workload, checks, nemesis, runtime, name, runDir, startedAt, testJson, log };
}

/** the flags of this run that aim faults at the system's primaries */
function primaryAims(c: RunConfig): string[] {
  const aims: string[] = [];
  if (c.nemesis.includes('kill') && c.killTargets === 'primaries') aims.push('--kill-targets primaries');
  if (c.nemesis.includes('pause') && c.pauseTargets === 'primaries') aims.push('--pause-targets primaries');
  if (c.nemesis.includes('partition') && c.partitionShape === 'primary-minority') aims.push('--partition-shape primary-minority');
  return aims;
}

/** --system-params through the system's own validation; a system without params takes none */
function systemParamsOf(system: System, raw: Record<string, unknown>): Record<string, unknown> {
  if (system.parseParams) return system.parseParams(raw);
  if (Object.keys(raw).length) throw new Error(`--system-params: ${system.name} takes no params`);
  return {};
}

/**
 * The phases, under a status line. Whatever happens (a crash, Ctrl-C, SIGTERM), faults are healed
 * and the cluster torn down before this returns or throws.
 */
async function execute(plan: RunPlan, io: RunIo): Promise<{ recorder: HistoryRecorder; interrupted: NodeJS.Signals | null }> {
  const { config, runtime, nemesis, log, runDir, testJson } = plan;
  const recorder = new HistoryRecorder(join(runDir, 'history.jsonl'));
  const counts = new OpCounts();
  recorder.onRecord((op) => counts.add(op));
  let phase: Phase = 'setup';
  const t0 = performance.now();
  let mainStart = t0;
  let phaseStart = t0;
  let status: StatusLine | null = new StatusLine(io.out, () => statusText({
    phase, elapsedS: (performance.now() - (phase === 'setup' ? t0 : phase === 'main' ? mainStart : phaseStart)) / 1000,
    limitS: phase === 'main' ? config.timeLimitS : phase === 'recovery' ? config.recoveryTimeS : undefined, counts, faults: nemesis?.active() ?? [],
  }));
  log.setPrinter((line) => (status ? status.print(line) : io.out.write(line + '\n')));

  const interrupt = new AbortController();
  let signalName: NodeJS.Signals | null = null;
  let clusterGone = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalName) return; // the local runtime's own handler kills at once on a second signal
    signalName = sig;
    if (clusterGone) {
      // only checking is left (the linearizability search can be long): nothing to clean up
      log.info(`${sig}: stopped while checking; the history is complete, check it later with: npm run jepsen -- check ${showPath(runDir)}`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    log.info(`${sig}: stopping, healing faults and tearing the cluster down`);
    interrupt.abort();
  };
  // the handlers stay until the process exits: the local runtime's own signal handler re-raises
  // the signal (killing the process) when, after its teardown, nobody else listens for it
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const nodes = nodeIds(config.nodes);
  const nemesisCtx: NemesisContext = {
    runtime, nodes, rng: new Rng(config.seed).fork('nemesis'),
    record: (op) => recorder.record({ ...op, process: 'nemesis' }),
    log: (line) => log.info(line),
    ...(plan.system.primaries ? { primaries: () => plan.system.primaries!(runtime.endpoints(), interrupt.signal) } : {}),
  };
  let healed = !nemesis;
  const cleanup = async () => {
    if (!healed) { healed = true; try { await nemesis!.healAll(nemesisCtx); } catch (e) { log.file(`healAll failed: ${(e as Error).message}`); } }
    await runtime.teardown();
  };
  const unregister = onEmergency(cleanup);

  let result: RunTestResult;
  status.start();
  try {
    result = await runTest({
      config, runtime, system: plan.system, systemParams: plan.systemParams, workload: plan.workload, nemesis, nemesisCtx, recorder, log, runDir,
      runId: `${plan.name}-${plan.startedAt.getTime()}`, interrupt: interrupt.signal,
      onPhase: (p) => { phase = p; phaseStart = performance.now(); if (p === 'main') mainStart = phaseStart; log.file(`phase ${p}`); },
    });
  } catch (e) {
    // a signal during setup makes setup fail (its nodes are being torn down): that is the interrupt, not a crash
    if (!signalName) {
      log.file(`crashed in phase ${phase}: ${(e as Error).stack ?? e}`);
      testJson.endedAt = new Date().toISOString();
      testJson.crashed = `${phase}: ${(e as Error).message}`;
      try { writeJsonAtomic(join(runDir, 'test.json'), testJson); } catch { /* the crash report matters more */ }
      if (phase === 'setup') throw new ClusterSetupError(`the cluster did not start: ${(e as Error).message}`);
      throw e;
    }
    log.file(`after ${signalName}: ${(e as Error).message}`);
    result = { converged: false, finalRounds: 0 };
  } finally {
    status.stop();
    status = null;
    log.info('tearing the cluster down');
    await cleanup();
    unregister();
    recorder.close();
    clusterGone = true;
  }

  testJson.endedAt = new Date().toISOString();
  testJson.converged = result.converged;
  testJson.finalReadRounds = result.finalRounds;
  if (signalName) testJson.interrupted = signalName;
  writeJsonAtomic(join(runDir, 'test.json'), testJson);
  if (signalName) {
    log.info(`interrupted: history kept in ${showPath(join(runDir, 'history.jsonl'))}; check it with: npm run jepsen -- check ${showPath(runDir)}`);
  } else {
    log.info(`${counts.invoked} client ops: ${counts.ok} ok, ${counts.fail} fail, ${counts.info} info; checking`);
  }
  return { recorder, interrupted: signalName };
}

/** The checkers on the recorded history → results.json and the verdict. */
async function analyze(plan: RunPlan, recorder: { ops: readonly Op[] }): Promise<{ outcomes: CheckerOutcome[]; verdict: Verdict }> {
  const { config, workload, checks, runDir, log } = plan;
  const outcomes = await runChecks(recorder.ops, {
    nodes: nodeIds(config.nodes), workload: workload.checkParams, options: { linTimeoutMs: config.linTimeoutS * 1000 },
  }, checks);
  const verdict = verdictOf(outcomes);
  writeJsonAtomic(join(runDir, 'results.json'), { valid: verdict.valid, exitCode: verdict.exitCode, checkers: outcomes });
  for (const o of outcomes) log.file(`checker ${o.name}: valid=${o.valid} expected=${o.expected} matched=${o.matched} ${o.result.summary ?? ''}`);
  return { outcomes, verdict };
}

/** report.html (a bonus: its failure is logged and never changes the verdict) and the verdict table */
async function report(plan: RunPlan, outcomes: CheckerOutcome[], verdict: Verdict, io: RunIo): Promise<void> {
  const { runDir, log } = plan;
  let page: string | null = null;
  try { page = await writeReport(runDir); } catch (e) {
    log.info(`report: could not write report.html: ${(e as Error).message.split('\n')[0]}`);
  }
  io.out.write('\n' + verdictTable(outcomes) + '\n\n');
  io.out.write(`run folder: ${showPath(runDir)}\n`);
  if (page) io.out.write(`report:     ${showPath(page)}\n`);
  io.out.write(exitLine(verdict.exitCode) + '\n');
  log.file(`exit ${verdict.exitCode}`);
}

/** the nodes could not be started: reported without a stack trace (the node's log says why) */
export class ClusterSetupError extends Error {
  override name = 'ClusterSetupError';
}
