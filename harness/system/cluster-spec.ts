import type { ClusterSpec } from '../../api/runtime.ts';
import type { System, SystemRun } from '../../api/system.ts';

/** What a runtime is asked to start for one run of a system: the system's hosting needs, closed over the run. */
export function clusterSpec(system: System, run: SystemRun, runId: string): ClusterSpec {
  return {
    nodes: [...run.nodes],
    runDir: run.runDir,
    runId,
    system: system.name,
    programs: system.programs,
    ports: system.ports,
    needs: system.needs,
    launch: (host) => system.launch(host, run),
    probe: (node, signal) => system.probe(node, signal),
  };
}
