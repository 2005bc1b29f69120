import type { ExpectedCheck } from '../../api/checker.ts';
import type { System } from '../../api/system.ts';
import type { WorkloadInstance } from '../../api/workload.ts';

/**
 * The workload's checkers, each with what this system is expected to show and why. A checker the
 * system says nothing about takes the workload's fallback; with neither, the run cannot say what a
 * verdict means, so that is an Error naming the checker (raised before anything starts).
 */
export function expectedChecks(system: System, workload: WorkloadInstance, faultKinds: readonly string[]): ExpectedCheck[] {
  const serves = system.workloads[workload.name];
  if (!serves) throw new Error(`${system.name} does not support the ${workload.name} workload (it supports: ${Object.keys(system.workloads).join(', ')})`);
  const expectations = serves.expect({ workload, faultKinds });
  return workload.checks(faultKinds).map((c) => {
    const e = expectations[c.name] ?? c.fallback;
    if (!e) throw new Error(`${system.name} says nothing about what the ${c.name} checker of the ${workload.name} workload should show; its expect() must name it`);
    return { name: c.name, check: c.check, expected: e.expected, why: e.why };
  });
}
