/**
 * `cluster up|status|down --runtime docker`: containers outlive the CLI process by themselves, so
 * unlike the local runtime no daemon is needed. The engine is the source of truth (containers
 * labelled with the run id and owner "<host>:detached", which reapOrphans leaves alone); a small
 * state file next to the local runtime's (<state>.docker.json) remembers the run id and folder.
 * The system (a built-in name or a module path) is loaded again for `status`, whose probe says
 * whether each node answers. Same function shapes as runtimes/local's detached cluster.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NodeEndpoint } from '../../api/runtime.ts';
import type { System, SystemRun } from '../../api/system.ts';
import { writeJsonAtomic } from '../../harness/runs/run-dir.ts';
import { clusterSpec } from '../../harness/system/cluster-spec.ts';
import { loadSystem } from '../../harness/system/load-system.ts';
import { createWorkload } from '../../workloads/index.ts';
import { removeRun } from './cleanup.ts';
import { docker, NODE_LABEL, RUN_LABEL } from './engine.ts';
import { demux, DockerRuntime, type DockerRuntimeOptions } from './runtime.ts';

export const DEFAULT_STATE_FILE = 'store/cluster/state.json';

export interface DetachedClusterOptions {
  /** the system under test: a built-in name, or a path to a module that exports a System */
  system: string;
  nodes: string[];
  runDir: string;
  /** extra node arguments (--node-args), handed to the system's launch */
  nodeArgs: string[];
  runId: string;
  stateFile?: string;
  /** extra environment for every node process */
  env?: Record<string, string>;
  runtime?: DockerRuntimeOptions;
}

interface DockerState {
  runtime: 'docker';
  /** what loads the system again: a built-in name or an absolute module path */
  system: string;
  runId: string;
  runDir: string;
  startedAt: string;
  mechanisms: Record<string, string>;
  endpoints: NodeEndpoint[];
}

import type { ClusterStatus, DetachedNodeStatus } from '../detached-status.ts';
export type { ClusterStatus, DetachedNodeStatus };

const dockerStatePath = (stateFile: string) => resolve(stateFile).replace(/\.json$/, '') + '.docker.json';

/** a path (kept absolute, so status works from another folder) or a built-in name, as loadSystem tells them apart */
function systemRef(nameOrPath: string): string {
  return /[/\\]|\.(ts|js|mjs)$/.test(nameOrPath) ? resolve(nameOrPath) : nameOrPath;
}

function readState(stateFile: string): DockerState | null {
  try { return JSON.parse(readFileSync(dockerStatePath(stateFile), 'utf8')) as DockerState; } catch { return null; }
}

async function containersOf(runId: string) {
  return docker().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
}

/** the run a detached cluster stands for: the system's first workload with default params, no faults */
function detachedRun(system: System, opts: DetachedClusterOptions): SystemRun {
  const workload = Object.keys(system.workloads)[0];
  if (!workload) throw new Error(`system ${system.name} supports no workload`);
  return { nodes: [...opts.nodes], runDir: resolve(opts.runDir), workload: createWorkload(workload), faultKinds: [], nodeArgs: [...opts.nodeArgs] };
}

export async function startDetachedCluster(opts: DetachedClusterOptions): Promise<{ endpoints: NodeEndpoint[]; stateFile: string }> {
  if (!opts.system) throw new Error('docker cluster up: no system given (a built-in name or a module path)');
  const stateFile = opts.stateFile ?? DEFAULT_STATE_FILE;
  const old = readState(stateFile);
  if (old && (await containersOf(old.runId)).length > 0) {
    throw new Error(`a docker cluster is already up (run ${old.runId}, state ${dockerStatePath(stateFile)}); stop it first with "cluster down"`);
  }
  const system = await loadSystem(opts.system);
  if (!system.runtimes.includes('docker')) throw new Error(`system ${system.name} does not run on docker (it runs on: ${system.runtimes.join(', ')})`);
  const problem = await system.preflight?.();
  if (problem) throw new Error(`system ${system.name}: ${problem}`);
  const runId = `${opts.runId}-${Date.now().toString(36)}`; // a fresh label even if an old state was lost
  const run = detachedRun(system, opts);
  await system.prepare?.(run);
  const spec = { ...clusterSpec(system, run, runId), ...(opts.env ? { env: opts.env } : {}) };
  const rt = new DockerRuntime({ ...opts.runtime, detached: true });
  const endpoints = await rt.setup(spec);
  const state: DockerState = {
    runtime: 'docker', system: systemRef(opts.system), runId, runDir: resolve(opts.runDir),
    startedAt: new Date().toISOString(), mechanisms: rt.info.mechanisms, endpoints,
  };
  const path = dockerStatePath(stateFile);
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomic(path, state);
  return { endpoints, stateFile: path };
}

export async function clusterStatus(stateFile: string = DEFAULT_STATE_FILE): Promise<ClusterStatus> {
  const st = readState(stateFile);
  if (!st) return { up: false, stateFile: dockerStatePath(stateFile), nodes: [] };
  const cs = await containersOf(st.runId);
  let system: System | undefined;
  let loadError = '';
  try { system = await loadSystem(st.system); } catch (e) { loadError = `cannot load system ${st.system}: ${(e as Error).message}`; }
  const nodes = await Promise.all(st.endpoints.map(async (ep): Promise<DetachedNodeStatus> => {
    const c = cs.find((x) => x.Labels[NODE_LABEL] === ep.id);
    const running = c?.State === 'running';
    let answering = false;
    let detail = loadError;
    if (system && running) {
      try {
        const r = await system.probe(ep, AbortSignal.timeout(1500));
        answering = r.ready;
        if (!r.ready) detail = r.detail;
      } catch (e) { detail = (e as Error).message; }
    } else if (!running) detail = c ? `container ${c.State}` : 'no container';
    return { id: ep.id, host: ep.host, ports: ep.ports, pid: null, running, answering, ...(answering ? {} : { detail }) };
  }));
  return { up: cs.length > 0, stateFile: dockerStatePath(stateFile), system: st.system, runDir: st.runDir, startedAt: st.startedAt, mechanisms: st.mechanisms, nodes };
}

/** copy the nodes' logs into the run folder, remove containers and network; false when none was up */
export async function stopDetachedCluster(stateFile: string = DEFAULT_STATE_FILE): Promise<{ stopped: boolean }> {
  const st = readState(stateFile);
  if (!st) return { stopped: false };
  const cs = await containersOf(st.runId);
  mkdirSync(join(st.runDir, 'nodes'), { recursive: true });
  for (const c of cs) {
    const id = c.Labels[NODE_LABEL];
    if (!id) continue;
    const buf = (await docker().getContainer(c.Id).logs({ stdout: true, stderr: true, follow: false }).catch(() => Buffer.alloc(0))) as unknown as Buffer;
    writeFileSync(join(st.runDir, 'nodes', `${id}.log`), demux(buf));
  }
  await removeRun(st.runId);
  rmSync(dockerStatePath(stateFile), { force: true });
  return { stopped: true };
}

