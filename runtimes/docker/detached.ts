/**
 * `cluster up|status|down --runtime docker`: containers outlive the CLI process by themselves, so
 * unlike the local runtime no daemon is needed. The engine is the source of truth (containers
 * labelled with the run id and owner "<host>:detached", which reapOrphans leaves alone); a small
 * state file next to the local runtime's (<state>.docker.json) remembers the run id and folder.
 * Same function shapes as harness/local's detached cluster.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ClusterOptions, NodeEndpoint } from '../../api/runtime.ts';
import { writeJsonAtomic } from '../../harness/runs/run-dir.ts';
import { removeRun } from './cleanup.ts';
import { docker, NODE_LABEL, RUN_LABEL } from './engine.ts';
import { demux, DockerRuntime, type DockerRuntimeOptions } from './runtime.ts';

export const DEFAULT_STATE_FILE = 'store/cluster/state.json';

export interface DetachedClusterOptions extends ClusterOptions {
  stateFile?: string;
  runtime?: DockerRuntimeOptions;
}

interface DockerState { runtime: 'docker'; runId: string; runDir: string; startedAt: string; mechanisms: Record<string, string>; endpoints: NodeEndpoint[] }

export interface DetachedNodeStatus { id: string; http: string; pid: number | null; running: boolean; answering: boolean; status?: unknown }
export interface ClusterStatus { up: boolean; stateFile: string; runDir?: string; startedAt?: string; mechanisms?: Record<string, string>; nodes: DetachedNodeStatus[] }

const dockerStatePath = (stateFile: string) => resolve(stateFile).replace(/\.json$/, '') + '.docker.json';

function readState(stateFile: string): DockerState | null {
  try { return JSON.parse(readFileSync(dockerStatePath(stateFile), 'utf8')) as DockerState; } catch { return null; }
}

async function containersOf(runId: string) {
  return docker().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
}

export async function startDetachedCluster(opts: DetachedClusterOptions): Promise<{ endpoints: NodeEndpoint[]; stateFile: string }> {
  const stateFile = opts.stateFile ?? DEFAULT_STATE_FILE;
  const old = readState(stateFile);
  if (old && (await containersOf(old.runId)).length > 0) {
    throw new Error(`a docker cluster is already up (run ${old.runId}, state ${dockerStatePath(stateFile)}); stop it first with "cluster down"`);
  }
  const runId = `${opts.runId}-${Date.now().toString(36)}`; // a fresh label even if an old state was lost
  const rt = new DockerRuntime({ ...opts.runtime, detached: true });
  const endpoints = await rt.setup({ ...opts, runId });
  const state: DockerState = { runtime: 'docker', runId, runDir: resolve(opts.runDir), startedAt: new Date().toISOString(), mechanisms: rt.info.mechanisms, endpoints };
  const path = dockerStatePath(stateFile);
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomic(path, state);
  return { endpoints, stateFile: path };
}

export async function clusterStatus(stateFile: string = DEFAULT_STATE_FILE): Promise<ClusterStatus> {
  const st = readState(stateFile);
  if (!st) return { up: false, stateFile: dockerStatePath(stateFile), nodes: [] };
  const cs = await containersOf(st.runId);
  const nodes = await Promise.all(st.endpoints.map(async (ep): Promise<DetachedNodeStatus> => {
    const c = cs.find((x) => x.Labels[NODE_LABEL] === ep.id);
    let status: unknown;
    try {
      const r = await fetch(`${ep.http}/admin/status`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) status = await r.json();
    } catch { /* not answering */ }
    return { id: ep.id, http: ep.http, pid: null, running: c?.State === 'running', answering: status !== undefined, ...(status !== undefined ? { status } : {}) };
  }));
  return { up: cs.length > 0, stateFile: dockerStatePath(stateFile), runDir: st.runDir, startedAt: st.startedAt, mechanisms: st.mechanisms, nodes };
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

