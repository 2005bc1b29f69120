import { join } from 'node:path';
import { resolveRunConfig, readConfigFile, reproduceCommand, commandLine } from '../config/run-config.ts';
import { createWorkload } from '../../workloads/index.ts';
import { resolveChecks } from '../../workloads/resolve-checks.ts';
import { showPath } from '../terminal/show-path.ts';
import { UsageError } from '../cli/usage-error.ts';
import { importIfBuilt } from '../import-if-built.ts';
import { selectRuntime } from '../../runtimes/select.ts';
import { loadNemesis } from '../runner/load-nemesis.ts';
import { createRunDir, testName, updateLatest, writeJsonAtomic } from '../runs/run-dir.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { HarnessLog } from '../runner/harness-log.ts';
import { OpCounts } from '../runner/op-counts.ts';
import { runTest, nodeIds, type Phase, type RunTestResult } from '../runner/run-test.ts';
import { runChecks, verdictOf } from '../runner/verdict.ts';
import { onEmergency } from '../runner/emergency.ts';
import { StatusLine, statusText } from '../terminal/status-line.ts';
import { verdictTable, exitLine } from '../terminal/verdict-table.ts';
import { versions } from '../versions.ts';
import type { NemesisContext } from '../../api/fault.ts';
import { Rng } from '../../api/rng.ts';

/** what the run command needs from its surroundings (tests pass their own) */
export interface RunIo {
  out: NodeJS.WriteStream;
  /** the argv as given, for the log */
  argv: readonly string[];
}

/**
 * `run`: config → workload, nemesis, runtime → run folder → phases → checks → results.json,
 * report, verdict table. Returns the exit code. Whatever happens, faults are healed and the
 * cluster torn down before it returns or throws.
 */
export async function runCommand(flags: Record<string, string | true>, io: RunIo): Promise<number> {
  const file = typeof flags.config === 'string' ? readConfigFile(flags.config) : {};
  const config = resolveRunConfig(flags, file, typeof flags.config === 'string' ? flags.config : undefined);
  let workload;
  try { workload = createWorkload(config.workload, config.params); } catch (e) {
    throw new UsageError(`${typeof flags.config === 'string' ? `--config ${flags.config}: ` : ''}${(e as Error).message}`);
  }
  const nemesis = await loadNemesis({ kinds: config.nemesis, intervalS: config.nemesisIntervalS, partitionShape: config.partitionShape, clockSkewMs: config.clockSkewMs, killTargets: config.killTargets, clockMode: config.clockMode });

  let status: StatusLine | null = null;
  const print = (line: string) => (status ? status.print(line) : io.out.write(line + '\n'));
  const log = new HarnessLog(print);
  const { runtime, why } = await selectRuntime(config.runtime, config.seed);
  log.info(`runtime: ${why}`);

  const startedAt = new Date();
  const name = testName(config.workload, config.nemesis);
  let runDir: string;
  try { runDir = createRunDir(config.store, name, startedAt); } catch (e) {
    throw new UsageError(`--store ${config.store}: cannot create the run folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pick a writable folder`);
  }
  log.attach(join(runDir, 'harness.log'));
  log.file(`argv: ${JSON.stringify(io.argv)}`);
  const argv = reproduceCommand(config, runtime.info.name);
  // workload params only exist in the config file: the repeat command needs it too
  if (typeof flags.config === 'string' && Object.keys(config.params).length > 0) argv.push('--config', flags.config);
  const nodes = nodeIds(config.nodes);
  const testJson: Record<string, unknown> = {
    name, workload: config.workload, nemesis: config.nemesis.length ? config.nemesis.join(',') : 'none', runtime: runtime.info.name, runtimeWhy: why,
    nodes, concurrency: config.concurrency, timeLimitS: config.timeLimitS, rate: config.rate, seed: config.seed,
    recoveryTimeS: config.recoveryTimeS, opTimeoutS: config.opTimeoutS, nodeArgs: [...workload.nodeArgs, ...config.nodeArgs],
    nemesisIntervalS: config.nemesisIntervalS, partitionShape: config.partitionShape, clockSkewMs: config.clockSkewMs,
    killTargets: config.killTargets, clockMode: config.clockMode,
    command: ['npm', 'run', 'jepsen', '--', ...argv], commandLine: commandLine(argv),
    startedAt: startedAt.toISOString(), endedAt: null,
    versions: versions(), mechanisms: runtime.info.mechanisms, workloadParams: workload.params, config,
  };
  writeJsonAtomic(join(runDir, 'test.json'), testJson);
  updateLatest(config.store, runDir);
  log.info(`run ${name}, seed ${config.seed}; folder ${showPath(runDir)}`);
  log.info(`repeat with: ${commandLine(argv)}`);

  const recorder = new HistoryRecorder(join(runDir, 'history.jsonl'));
  const counts = new OpCounts();
  recorder.onRecord((op) => counts.add(op));
  let phase: Phase = 'setup';
  const t0 = performance.now();
  let mainStart = t0;
  let phaseStart = t0;
  status = new StatusLine(io.out, () => statusText({
    phase, elapsedS: (performance.now() - (phase === 'setup' ? t0 : phase === 'main' ? mainStart : phaseStart)) / 1000,
    limitS: phase === 'main' ? config.timeLimitS : phase === 'recovery' ? config.recoveryTimeS : undefined, counts, faults: nemesis?.active() ?? [],
  }));

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
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  const nemesisCtx: NemesisContext = {
    runtime, nodes, rng: new Rng(config.seed).fork('nemesis'),
    record: (op) => recorder.record({ ...op, process: 'nemesis' }),
    log: (line) => log.info(line),
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
      config, runtime, workload, nemesis, nemesisCtx, recorder, log, runDir, runId: `${name}-${startedAt.getTime()}`, interrupt: interrupt.signal,
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
    // the handlers stay until the process exits: the local runtime's own signal handler re-raises
    // the signal (killing the process) when, after its teardown, nobody else listens for it
  }

  testJson.endedAt = new Date().toISOString();
  testJson.converged = result.converged;
  testJson.finalReadRounds = result.finalRounds;
  if (signalName) {
    testJson.interrupted = signalName;
    writeJsonAtomic(join(runDir, 'test.json'), testJson);
    log.info(`interrupted: history kept in ${showPath(join(runDir, 'history.jsonl'))}; check it with: npm run jepsen -- check ${showPath(runDir)}`);
    return signalName === 'SIGINT' ? 130 : 143;
  }
  writeJsonAtomic(join(runDir, 'test.json'), testJson);
  log.info(`${counts.invoked} client ops: ${counts.ok} ok, ${counts.fail} fail, ${counts.info} info; checking`);

  const checks = await resolveChecks(workload.checks(config.nemesis));
  const outcomes = await runChecks(recorder.ops, { nodes, workload: workload.params }, checks);
  const verdict = verdictOf(outcomes);
  writeJsonAtomic(join(runDir, 'results.json'), { valid: verdict.valid, exitCode: verdict.exitCode, checkers: outcomes });
  for (const o of outcomes) log.file(`checker ${o.name}: valid=${o.valid} expected=${o.expected} matched=${o.matched} ${o.result.summary ?? ''}`);

  const report = await writeReportSafely(runDir, log);
  io.out.write('\n' + verdictTable(outcomes) + '\n\n');
  io.out.write(`run folder: ${showPath(runDir)}\n`);
  if (report) io.out.write(`report:     ${showPath(report)}\n`);
  io.out.write(exitLine(verdict.exitCode) + '\n');
  log.file(`exit ${verdict.exitCode}`);
  return verdict.exitCode;
}

/** the HTML report is a bonus: its failure is logged and never changes the verdict */
async function writeReportSafely(runDir: string, log: HarnessLog): Promise<string | null> {
  try {
    const mod = await importIfBuilt(new URL('../report/index.ts', import.meta.url));
    if (!mod) { log.file('report: harness/report/index.ts not built yet'); return null; }
    if (typeof mod.writeReport !== 'function') return null;
    return await mod.writeReport(runDir);
  } catch (e) {
    log.info(`report: could not write report.html: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

/** the nodes could not be started: reported without a stack trace (the node's log says why) */
export class ClusterSetupError extends Error {
  override name = 'ClusterSetupError';
}
