/** The state file of a detached cluster (e.g. store/cluster/state.json), shared by CLI and daemon. */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ClusterOptions, NodeEndpoint } from '../../api/runtime.ts';
import { writeJsonAtomic } from '../../harness/runs/run-dir.ts';
import type { LocalRuntimeOptions } from './local-runtime.ts';

export interface DaemonConfig {
  cluster: ClusterOptions;
  runtime: LocalRuntimeOptions;
}

export interface DetachedNode {
  id: string;
  http: string;
  peerPort: number;
  pid: number | null;
  supervisorPid: number | null;
  logPath: string;
  dataDir: string;
}

export type DetachedState =
  | {
      status: 'up';
      daemonPid: number;
      startedAt: string;
      runDir: string;
      endpoints: NodeEndpoint[];
      nodes: DetachedNode[];
      proxies: Array<{ from: string; to: string; port: number }>;
      mechanisms: Record<string, string>;
    }
  | { status: 'failed'; daemonPid: number; error: string };

export function writeState(path: string, state: DetachedState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomic(path, state);
}

/** the state, or null when there is no (readable) state file */
export function readState(path: string): DetachedState | null {
  let st: Partial<DetachedState> & { nodes?: unknown };
  try {
    st = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  // a file that is not ours (or half-written by hand) is treated as no state at all
  if (!st || typeof st.daemonPid !== 'number') return null;
  if (st.status === 'failed') return st as DetachedState;
  if (st.status === 'up' && Array.isArray(st.nodes)) return st as DetachedState;
  return null;
}
