/**
 * `cluster up|status|down --runtime netns`: a netns cluster that outlives the CLI process. Namespaces
 * outlive any process, but the run's watcher (watcher.ts) removes them once the run's owner is gone,
 * so the owner must outlive the CLI: the local runtime's detached daemon (runtimes/local/
 * cluster-daemon.ts) holds a NetnsRuntime here (kind "netns"), and is the run's owner. Its state
 * file is <state>.netns.json next to the local and docker ones (<store>/cluster/state.netns.json).
 *
 * What this file adds around the daemon's functions: a run whose daemon and watcher were both
 * SIGKILLed (nothing left to clean up after it) is removed by `cluster down` and by the next
 * `cluster up`, by its state file in /run/splitbrain-netns (the run id is in the daemon's config).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NodeEndpoint } from '../../api/runtime.ts';
import * as daemon from '../local/detached-cluster.ts';
import type { DaemonConfig } from '../local/detached-state.ts';
import { removeRun } from './leftovers.ts';
import { runTag } from './names.ts';
import type { NetnsRuntimeOptions } from './runtime.ts';
import { ownerAlive, readState, statePath } from './state.ts';

export const DEFAULT_STATE_FILE = 'store/cluster/state.json';

export type DetachedClusterOptions = Omit<daemon.DetachedClusterOptions, 'kind' | 'runtime'> & { runtime?: Omit<NetnsRuntimeOptions, 'log'> };
export type { ClusterStatus } from '../local/detached-cluster.ts';

/** where a netns cluster's state goes, given the cluster state file (store/cluster/state.json) */
export const netnsStatePath = (stateFile: string) => resolve(stateFile).replace(/\.json$/, '') + '.netns.json';

/** the tag (names.ts) of the run recorded at this state path, from the config the CLI wrote for its daemon */
function recordedTag(path: string): string | null {
  try {
    return runTag((JSON.parse(readFileSync(daemon.configPath(path), 'utf8')) as DaemonConfig).cluster.runId);
  } catch {
    return null;
  }
}

/** remove the run with this tag if its owner (the daemon) is gone and its watcher did not remove it; whether there was one */
function removeOrphan(tag: string | null): boolean {
  if (!tag) return false;
  const st = readState(statePath(tag));
  if (!st || ownerAlive(st.owner)) return false;
  removeRun(st);
  return true;
}

export async function startDetachedCluster(opts: DetachedClusterOptions): Promise<{ endpoints: NodeEndpoint[]; stateFile: string }> {
  const path = netnsStatePath(opts.stateFile ?? DEFAULT_STATE_FILE);
  removeOrphan(recordedTag(path)); // a live cluster's owner is alive: left alone, and the daemon's start says "already up"
  try {
    return await daemon.startDetachedCluster({ ...opts, stateFile: path, kind: 'netns' });
  } catch (e) {
    removeOrphan(runTag(opts.runId)); // the daemon removes its run when setup fails; this covers a daemon that died
    throw e;
  }
}

export async function clusterStatus(stateFile: string = DEFAULT_STATE_FILE): Promise<daemon.ClusterStatus> {
  return daemon.clusterStatus(netnsStatePath(stateFile));
}

/** stop the daemon (it tears the run down), then remove whatever a dead daemon left; false when there was nothing */
export async function stopDetachedCluster(stateFile: string = DEFAULT_STATE_FILE): Promise<{ stopped: boolean }> {
  const path = netnsStatePath(stateFile);
  const tag = recordedTag(path);
  const { stopped } = await daemon.stopDetachedCluster(path);
  const orphan = removeOrphan(tag);
  if (!existsSync(path)) rmSync(daemon.configPath(path), { force: true });
  return { stopped: stopped || orphan };
}
