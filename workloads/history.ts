import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { GeneratedOp, Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { lostWritesChecker } from '../checkers/lost-writes.ts';
import { causalChecker } from '../checkers/causal.ts';
import { sessionChecker } from '../checkers/session.ts';
import { convergenceChecker } from '../checkers/convergence.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';

/**
 * history: appends of unique values to a few keys' lists, and reads.
 * Ops: f "append" [key, v] (v unique integer) → same;  f "read" [key, null] → [key, [v...]]
 * (the node's order of the key's entries). Final read state: {keys: {key: [v...]}}.
 */
export const historyParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(3),
  'read-fraction': z.number().min(0).max(1).default(0.3),
});
export type HistoryParams = z.infer<typeof historyParamsSchema>;

/** appended values are unique across the run (a counter), so lost and phantom values can be told apart */
export function historyGenerator(p: HistoryParams, rng: Rng): () => GeneratedOp {
  let next = 1;
  return () => {
    const key = rng.int(0, p.keys - 1);
    if (rng.next() < p['read-fraction']) return { f: 'read', value: [key, null] };
    return { f: 'append', value: [key, next++] };
  };
}

export const history: Workload = {
  name: 'history',
  description: 'appends of unique values to per-key lists, and reads; checks lost writes, causal order, sessions and convergence',
  paramNames: Object.keys(historyParamsSchema.shape),
  create(raw): WorkloadInstance {
    const p = parseParams('history', historyParamsSchema, raw);
    return {
      name: 'history',
      params: p,
      checkParams: { keys: Array.from({ length: p.keys }, (_, i) => i), readFraction: p['read-fraction'] },
      generator: (rng) => historyGenerator(p, rng),
      checks: () => [
        { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
        { name: 'lost-writes', check: lostWritesChecker },
        { name: 'causal', check: causalChecker },
        { name: 'session', check: sessionChecker },
        { name: 'convergence', check: convergenceChecker },
      ],
    };
  },
};
