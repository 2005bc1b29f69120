/**
 * The fault schedule, pure: which kind starts or stops when. Faults start and stop alternately
 * per kind; with several kinds they interleave, so faults can overlap (a partition during a clock
 * bump). A fault is never left on for long: once a kind has been on for two events it is the next
 * to stop. Waits are the interval jittered uniformly over [0.5, 1.5) × intervalS.
 */
import type { Rng } from '../api/rng.ts';
import type { FaultKind } from '../api/fault.ts';

export interface ScheduleEvent<K extends string = FaultKind> {
  /** ms to wait before this event */
  waitMs: number;
  action: 'start' | 'stop';
  kind: K;
}

/** how many events a fault may stay on before it is forced to stop */
export const MAX_ON_EVENTS = 2;

export function jitteredWaitMs(intervalS: number, rng: Rng): number {
  return Math.round(intervalS * 1000 * (0.5 + rng.next()));
}

/** An endless schedule (nothing when kinds is empty); take as many events as the run needs. */
export function* schedule<K extends string = FaultKind>(kinds: readonly K[], intervalS: number, rng: Rng): Generator<ScheduleEvent<K>> {
  const uniq = [...new Set(kinds)];
  if (uniq.length === 0) return;
  /** kind → events since it started (absent = off) */
  const on = new Map<K, number>();
  while (true) {
    const waitMs = jitteredWaitMs(intervalS, rng);
    // the kind on longest, if it has been on long enough, stops first; else a random kind toggles
    let overdue: K | undefined;
    for (const k of uniq) if ((on.get(k) ?? -1) >= MAX_ON_EVENTS && (overdue === undefined || on.get(k)! > on.get(overdue)!)) overdue = k;
    const kind = overdue ?? rng.pick(uniq);
    const action = on.has(kind) ? 'stop' : 'start';
    for (const k of on.keys()) on.set(k, on.get(k)! + 1);
    if (action === 'start') on.set(kind, 0); else on.delete(kind);
    yield { waitMs, action, kind };
  }
}

/** the first `count` events, for tests and previews */
export function takeEvents<K extends string = FaultKind>(kinds: readonly K[], intervalS: number, rng: Rng, count: number): ScheduleEvent<K>[] {
  const out: ScheduleEvent<K>[] = [];
  if (count <= 0) return out;
  for (const e of schedule(kinds, intervalS, rng)) { out.push(e); if (out.length >= count) break; }
  return out;
}
