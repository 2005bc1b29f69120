import type { FaultInterval } from './timeline.ts';

/** labels of the faults active at time t (seconds), e.g. ["partition primary-minority n1 | n2,n3", "kill n2"] */
export function faultsAt(faults: readonly FaultInterval[], t: number): string[] {
  return faults.filter((f) => f.start <= t && t <= f.stop).map((f) => faultLabel(f.f, f.value));
}

/** a fault's plan in a few words: partitions by shape and sides, node faults by their nodes */
export function faultLabel(kind: string, value: unknown): string {
  const v = value as { shape?: string; components?: string[][]; from?: string[]; to?: string[]; nodes?: string[] } | null;
  if (v && typeof v === 'object') {
    if (Array.isArray(v.from) && Array.isArray(v.to)) return `${kind} ${v.shape ?? ''} ${v.from.join(',')} -/-> ${v.to.join(',')}`.replace(/\s+/g, ' ');
    if (Array.isArray(v.components)) return `${kind} ${v.shape ?? ''} ${v.components.map((c) => c.join(',')).join(' | ')}`.replace(/\s+/g, ' ');
    if (typeof v.shape === 'string') return `${kind} ${v.shape}`;
    if (Array.isArray(v.nodes)) return `${kind} ${v.nodes.join(',')}`;
  }
  if (value === null || value === undefined) return kind;
  const text = JSON.stringify(value);
  return `${kind} ${text.length > 80 ? text.slice(0, 77) + '...' : text}`;
}
