/** The state file of a detached cluster (e.g. store/cluster/state.json), shared by CLI and daemon. */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NodeEndpoint } from '../../api/runtime.ts';
import { writeJsonAtomic } from '../../harness/runs/run-dir.ts';
import type { LocalRuntimeOptions } from './local-runtime.ts';
import type { NetnsRuntimeOptions } from '../netns/runtime.ts';

/** which runtime the daemon holds: local processes and proxies, or network namespaces (runtimes/netns/detached.ts) */
export type DetachedKind = 'local' | 'netns';

/** the runtime's options as the daemon gets them (JSON: no functions) */
export type DetachedRuntimeOptions = Omit<LocalRuntimeOptions, 'pickPorts'> | Omit<NetnsRuntimeOptions, 'log'>;

/** what the daemon needs to rebuild the cluster's ClusterSpec in its own process */
export interface DaemonConfig {
  /** default local */
  kind?: DetachedKind;
  cluster: {
    /** a built-in system's name, or an absolute path to a module that exports a System */
    system: string;
    nodes: string[];
    runDir: string;
    nodeArgs: string[];
    runId: string;
    env?: Record<string, string>;
  };
  runtime: DetachedRuntimeOptions;
}

export interface DetachedNode {
  id: string;
  host: string;
  ports: Record<string, number>;
  pid: number | null;
  supervisorPid: number | null;
  logPath: string;
  dataDir: string;
  /** the command lines at start: a pid is still ours only while its command line is the same */
  command: string;
  supervisorCommand: string;
}

export type DetachedState =
  | {
      status: 'up';
      daemonPid: number;
      /** absent in state files from before netns clusters: local */
      kind?: DetachedKind;
      /** the system as given to `cluster up` (name or absolute path), for status probes */
      system: string;
      startedAt: string;
      runDir: string;
      endpoints: NodeEndpoint[];
      nodes: DetachedNode[];
      proxies: Array<{ from: string; to: string; portName: string; port: number }>;
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
  // a file that is not ours (or half-written by hand, or of an older layout) is treated as no state at all
  if (!st || typeof st.daemonPid !== 'number') return null;
  if (st.status === 'failed') return st as DetachedState;
  if (st.status === 'up' && Array.isArray(st.nodes) && typeof st.system === 'string') return st as DetachedState;
  return null;
}
