/**
 * A cluster that outlives the CLI process (`cluster up|status|down`): the LocalRuntime, with its
 * nodes and link proxies, runs in a detached daemon (cluster-daemon.ts) for any system (a name or
 * a path, as --system takes it); a state file records the daemon's pid, node pids and command
 * lines, ports and proxies, so later CLI invocations can inspect and stop it. With kind "netns"
 * the same daemon holds a NetnsRuntime instead (runtimes/netns/detached.ts adds the namespaces'
 * cleanup around these functions).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NodeEndpoint } from '../../api/runtime.ts';
import { readState, type DaemonConfig, type DetachedKind, type DetachedRuntimeOptions, type DetachedState } from './detached-state.ts';
import { detachedSpec } from './detached-spec.ts';
import { REPO_ROOT, tail } from './local-runtime.ts';
import { commandLine, processAlive, signal, sleep, waitUntil } from './processes.ts';
import { createRequire } from 'node:module';

const DAEMON = fileURLToPath(new URL('./cluster-daemon.ts', import.meta.url));

/** where `cluster up` keeps its state unless told otherwise (relative to the working directory) */
export const DEFAULT_STATE_FILE = 'store/cluster/state.json';

export interface DetachedClusterOptions {
  /** a built-in system's name or a path to a module that exports a System (--system) */
  system: string;
  nodes: string[];
  runDir: string;
  /** extra node arguments (--node-args), handed to the system's launch */
  nodeArgs: string[];
  runId: string;
  /** extra environment for every node */
  env?: Record<string, string>;
  /** default store/cluster/state.json */
  stateFile?: string;
  /** which runtime the daemon holds; default local */
  kind?: DetachedKind;
  runtime?: DetachedRuntimeOptions;
  /** how long to wait for the cluster to come up; default 60 s */
  startTimeoutMs?: number;
}

import type { ClusterStatus, DetachedNodeStatus } from '../detached-status.ts';
export type { ClusterStatus, DetachedNodeStatus };

/** the config the CLI writes for the daemon, next to the state file */
export const configPath = (stateFile: string) => `${stateFile}.config.json`;
const daemonLogPath = (runDir: string) => join(runDir, 'cluster-daemon.log');

/** what the daemon's command line holds (its file name); nodes are matched by their whole recorded command line */
const DAEMON_MARKER = 'cluster-daemon';

/** a recorded pid is ours only while its command line is still the recorded one, or holds our marker (pids get reused) */
function ours(pid: number | null | undefined, recorded: string): pid is number {
  if (!pid || !processAlive(pid) || !recorded) return false;
  const now = commandLine(pid);
  return now === recorded || (recorded === DAEMON_MARKER && now.includes(DAEMON_MARKER));
}

/** kill whatever a dead or stuck daemon left behind, and forget the state */
function sweep(stateFile: string, state: DetachedState | null): void {
  if (state) {
    if (ours(state.daemonPid, DAEMON_MARKER)) signal(state.daemonPid, 'SIGKILL');
    if (state.status === 'up') {
      for (const n of state.nodes) {
        if (ours(n.pid, n.command)) { signal(n.pid, 'SIGCONT'); signal(n.pid, 'SIGKILL'); }
        if (ours(n.supervisorPid, n.supervisorCommand)) signal(n.supervisorPid, 'SIGKILL');
      }
    }
  }
  rmSync(stateFile, { force: true });
  rmSync(configPath(stateFile), { force: true });
}

export async function startDetachedCluster(opts: DetachedClusterOptions): Promise<{ endpoints: NodeEndpoint[]; stateFile: string }> {
  const stateFile = resolve(opts.stateFile ?? DEFAULT_STATE_FILE);
  const old = readState(stateFile);
  if (old && ours(old.daemonPid, DAEMON_MARKER)) {
    throw new Error(`a cluster is already up (daemon pid ${old.daemonPid}, state ${stateFile}); stop it first with "cluster down"`);
  }
  sweep(stateFile, old);

  const runDir = resolve(opts.runDir);
  mkdirSync(runDir, { recursive: true });
  mkdirSync(dirname(stateFile), { recursive: true });
  // a path is made absolute here: the daemon runs in the repo root, not in the caller's folder
  const system = /[/\\]|\.(ts|js|mjs)$/.test(opts.system) ? resolve(opts.system) : opts.system;
  const config: DaemonConfig = {
    ...(opts.kind && opts.kind !== 'local' ? { kind: opts.kind } : {}),
    cluster: { system, nodes: opts.nodes, runDir, nodeArgs: opts.nodeArgs, runId: opts.runId, ...(opts.env ? { env: opts.env } : {}) },
    runtime: opts.runtime ?? {},
  };
  writeFileSync(configPath(stateFile), JSON.stringify(config, null, 2) + '\n');

  const tsx = pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href;
  const logFd = openSync(daemonLogPath(runDir), 'a');
  const daemon = spawn(process.execPath, ['--import', tsx, DAEMON, '--state', stateFile, '--config', configPath(stateFile)], {
    cwd: REPO_ROOT, detached: true, stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  daemon.unref();
  const pid = daemon.pid!;

  const deadline = performance.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    const st = readState(stateFile);
    if (st?.status === 'up' && st.daemonPid === pid) return { endpoints: st.endpoints, stateFile };
    if (st?.status === 'failed' && st.daemonPid === pid) {
      sweep(stateFile, st);
      throw new Error(`cluster failed to start: ${st.error}`);
    }
    if (!processAlive(pid)) {
      sweep(stateFile, null);
      throw new Error(`cluster daemon exited during start; see ${daemonLogPath(runDir)}:\n${tail(daemonLogPath(runDir), 15)}`);
    }
    if (performance.now() > deadline) {
      signal(pid, 'SIGTERM');
      await waitUntil(() => !processAlive(pid), 10_000);
      sweep(stateFile, readState(stateFile) ?? { status: 'failed', daemonPid: pid, error: 'timeout' });
      throw new Error(`cluster did not come up within ${opts.startTimeoutMs ?? 60_000} ms; see ${daemonLogPath(runDir)}`);
    }
    await sleep(100);
  }
}

export async function clusterStatus(stateFile: string = DEFAULT_STATE_FILE): Promise<ClusterStatus> {
  const path = resolve(stateFile);
  const st = readState(path);
  if (!st || st.status !== 'up') return { up: false, stateFile: path, nodes: [] };
  const { spec } = await detachedSpec({ system: st.system, nodes: st.nodes.map((n) => n.id), runDir: st.runDir, nodeArgs: [], runId: 'status' });
  const nodes = await Promise.all(st.nodes.map(async (n): Promise<DetachedNodeStatus> => {
    const running = ours(n.pid, n.command);
    let detail: string | undefined;
    try {
      const r = await spec.probe({ id: n.id, host: n.host, ports: n.ports }, AbortSignal.timeout(1500));
      if (!r.ready) detail = r.detail;
    } catch (e) { detail = (e as Error).message; }
    return { id: n.id, host: n.host, ports: n.ports, pid: n.pid, running, answering: detail === undefined, ...(detail !== undefined ? { detail } : {}) };
  }));
  return {
    up: ours(st.daemonPid, DAEMON_MARKER),
    stateFile: path, kind: st.kind ?? 'local', system: st.system, daemonPid: st.daemonPid, runDir: st.runDir, startedAt: st.startedAt, mechanisms: st.mechanisms, nodes,
  };
}

/** stop the cluster (graceful, then forced); returns whether there was one to stop */
export async function stopDetachedCluster(stateFile: string = DEFAULT_STATE_FILE): Promise<{ stopped: boolean }> {
  const path = resolve(stateFile);
  const st = readState(path);
  if (!st) return { stopped: false };
  if (ours(st.daemonPid, DAEMON_MARKER)) {
    signal(st.daemonPid, 'SIGTERM');
    if (!(await waitUntil(() => !processAlive(st.daemonPid), 15_000))) signal(st.daemonPid, 'SIGKILL');
  }
  sweep(path, st);
  if (st.status === 'up') {
    const pids = st.nodes.flatMap((n) => [n.pid, n.supervisorPid]).filter((p): p is number => !!p);
    await waitUntil(() => pids.every((p) => !processAlive(p)), 5000);
  }
  return { stopped: true };
}
