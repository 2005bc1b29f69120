import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { GeneratedOp, Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { sessionChecker } from '../checkers/session.ts';
import { convergenceChecker } from '../checkers/convergence.ts';
import { linearizabilityChecker } from '../checkers/linearizability/index.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';

/**
 * lww: reads, writes and compare-and-set on a few registers.
 * Ops: f "read" [key, null] → [key, v|null];  f "write" [key, v] → same;
 * f "cas" [key, [expected, new]] → same (fail when the node's value differed).
 * Final read state: {registers: {key: v|null}}.
 */
export const lwwParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(3),
  'read-fraction': z.number().min(0).max(1).default(0.4),
  'cas-fraction': z.number().min(0).max(1).default(0.2),
  /**
   * ask a system that has them for member-local (serializable) reads, which may be stale (etcd);
   * a system whose reads are always served locally (maep) reads the same way either way
   */
  'serializable-reads': z.boolean().default(false),
});
export type LwwParams = z.infer<typeof lwwParamsSchema>;

/**
 * Written values are unique (a counter), which keeps the linearizability search narrow; a cas
 * expects one of the key's recently generated values so that some succeed and some are refused.
 */
export function lwwGenerator(p: LwwParams, rng: Rng): () => GeneratedOp {
  let next = 1;
  const recent = new Map<number, number[]>();
  return () => {
    const key = rng.int(0, p.keys - 1);
    const u = rng.next();
    if (u < p['read-fraction']) return { f: 'read', value: [key, null] };
    const v = next++;
    const seen = recent.get(key) ?? [];
    recent.set(key, [...seen.slice(-2), v]);
    if (u < p['read-fraction'] + p['cas-fraction'] && seen.length > 0) return { f: 'cas', value: [key, [rng.pick(seen), v]] };
    return { f: 'write', value: [key, v] };
  };
}

export const lww: Workload = {
  name: 'lww',
  description: 'reads, writes and compare-and-set on a few registers; checks linearizability, sessions and convergence',
  paramNames: Object.keys(lwwParamsSchema.shape),
  create(raw): WorkloadInstance {
    const p = parseParams('lww', lwwParamsSchema, raw);
    return {
      name: 'lww',
      params: p,
      checkParams: { keys: Array.from({ length: p.keys }, (_, i) => i), readFraction: p['read-fraction'], casFraction: p['cas-fraction'] },
      generator: (rng) => lwwGenerator(p, rng),
      checks: () => [
        { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
        { name: 'linearizability', check: linearizabilityChecker },
        { name: 'session', check: sessionChecker },
        { name: 'convergence', check: convergenceChecker },
      ],
    };
  },
};
