/**
 * A detached cluster's ClusterSpec, rebuilt from what `cluster up` was given (the daemon and the
 * status probes run in other processes than the CLI, so the spec cannot be handed over as is).
 * A SystemRun needs a workload: the system's first supported one, with default params.
 */
import type { ClusterSpec } from '../../api/runtime.ts';
import type { System, SystemRun } from '../../api/system.ts';
import { clusterSpec } from '../../harness/system/cluster-spec.ts';
import { loadSystem } from '../../harness/system/load-system.ts';
import { createWorkload } from '../../workloads/index.ts';
import type { DaemonConfig } from './detached-state.ts';

export async function detachedSpec(c: DaemonConfig['cluster']): Promise<{ system: System; spec: ClusterSpec; run: SystemRun }> {
  const system = await loadSystem(c.system);
  const workload = Object.keys(system.workloads)[0]!;
  const run: SystemRun = { nodes: c.nodes, runDir: c.runDir, workload: createWorkload(workload), faultKinds: [], nodeArgs: c.nodeArgs };
  const spec = clusterSpec(system, run, c.runId);
  return { system, spec: c.env ? { ...spec, env: c.env } : spec, run };
}
