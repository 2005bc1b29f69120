import type { FaultInterval } from './timeline.ts';

/** labels of the faults active at time t (seconds), e.g. ["partition [[\"n1\"],[\"n2\",\"n3\"]]"] */
export function faultsAt(faults: readonly FaultInterval[], t: number): string[] {
  return faults.filter((f) => f.start <= t && t <= f.stop).map((f) => (f.value === null || f.value === undefined ? f.f : `${f.f} ${JSON.stringify(f.value)}`));
}
