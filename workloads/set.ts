import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { GeneratedOp, Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { setFullChecker } from '../checkers/set-full.ts';
import { convergenceChecker } from '../checkers/convergence.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';

/**
 * set: adds of unique integers to one set, and reads of the whole set (Jepsen's set-full).
 * Ops: f "add" v → same;  f "read" null → [v...]. Final read state: {elements: [v...]}.
 */
export const setParamsSchema = z.strictObject({
  'read-fraction': z.number().min(0).max(1).default(0.1),
});
export type SetParams = z.infer<typeof setParamsSchema>;

export function setGenerator(p: SetParams, rng: Rng): () => GeneratedOp {
  let next = 1;
  return () => (rng.next() < p['read-fraction'] ? { f: 'read', value: null } : { f: 'add', value: next++ });
}

export const set: Workload = {
  name: 'set',
  description: 'adds of unique elements to one set and reads of it; checks that every acknowledged add survives (set-full)',
  paramNames: Object.keys(setParamsSchema.shape),
  create(raw): WorkloadInstance {
    const p = parseParams('set', setParamsSchema, raw);
    return {
      name: 'set',
      params: p,
      checkParams: { readFraction: p['read-fraction'] },
      generator: (rng) => setGenerator(p, rng),
      checks: () => [
        { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
        { name: 'set-full', check: setFullChecker },
        { name: 'convergence', check: convergenceChecker },
      ],
    };
  },
};
