/**
 * Consistency models and the anomalies each prohibits, after Adya's isolation levels as Elle uses
 * them. `strict-serializable` also prohibits the -process and -realtime variants (a process's
 * txns never overlap, so process order is part of real-time order). Anomalies that mean the
 * history itself is broken (internal inconsistency, duplicate appends, incompatible orders,
 * garbage reads) are prohibited by every model. lost-update (rw-register: two committed txns read
 * the same version and both wrote it) is prohibited from repeatable-read and snapshot isolation up.
 */
export const MODELS = ['strict-serializable', 'serializable', 'snapshot-isolation', 'repeatable-read', 'read-committed', 'read-uncommitted'] as const;
export type Model = (typeof MODELS)[number];

const BROKEN = ['internal', 'duplicate-appends', 'incompatible-order', 'garbage-read'];
const G1 = ['G1a', 'G1b', 'G1c'];
const CYCLES = ['G0', 'G1c', 'G-single', 'G2-item'];

export const PROHIBITED: Record<Model, readonly string[]> = {
  'read-uncommitted': [...BROKEN, 'G0'],
  'read-committed': [...BROKEN, 'G0', ...G1],
  'repeatable-read': [...BROKEN, 'G0', ...G1, 'G-single', 'G2-item', 'lost-update'],
  'snapshot-isolation': [...BROKEN, 'G0', ...G1, 'G-single', 'lost-update'],
  serializable: [...BROKEN, 'G0', ...G1, 'G-single', 'G2-item', 'lost-update'],
  'strict-serializable': [...BROKEN, 'G0', ...G1, 'G-single', 'G2-item', 'lost-update', ...CYCLES.map((c) => c + '-process'), ...CYCLES.map((c) => c + '-realtime')],
};

export function isModel(x: unknown): x is Model {
  return typeof x === 'string' && (MODELS as readonly string[]).includes(x);
}

/** the anomalies prohibited by any of the models */
export function prohibitedBy(models: readonly Model[]): Set<string> {
  const out = new Set<string>();
  for (const m of models) for (const a of PROHIBITED[m]) out.add(a);
  return out;
}
