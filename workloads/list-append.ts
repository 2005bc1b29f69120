import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { GeneratedOp, Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { listAppendChecker } from '../checkers/txn/index.ts';
import { MODELS } from '../checkers/txn/models.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';

/**
 * list-append: Elle's list-append transactions (issue #16). Each op is one txn, f "txn", value a
 * list of 1..max-txn-length micro-ops over `keys` keys in rotation:
 *   invoke `[["append", k, v], ["r", k, null], ...]` → ok `[["append", k, v], ["r", k, [v ...]], ...]`
 * (an absent key reads as [] or null). Values are unique per key (1, 2, 3, ... per key). A key
 * retires after `max-writes-per-key` appends and a fresh key takes its place, so reads stay short.
 * Checked by checkers/txn (list-append) against `consistency-models`, and by stats.
 */
export const consistencyModelsSchema = z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.enum(MODELS)).min(1)).default(['strict-serializable']);

export const listAppendParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(8),
  'min-txn-length': z.int().min(1).max(64).default(1),
  'max-txn-length': z.int().min(1).max(64).default(4),
  'read-fraction': z.number().min(0).max(1).default(0.5),
  'max-writes-per-key': z.int().min(1).max(100_000).default(32),
  'consistency-models': consistencyModelsSchema,
});
export type ListAppendParams = z.infer<typeof listAppendParamsSchema>;

/**
 * The micro-op source shared by list-append and rw-register: keys in rotation, unique values per
 * key. `write` is the write micro-op's name ("append" or "w").
 */
export function txnGenerator(p: { keys: number; 'min-txn-length': number; 'max-txn-length': number; 'read-fraction': number; 'max-writes-per-key': number }, rng: Rng, write: 'append' | 'w'): () => GeneratedOp {
  const active = Array.from({ length: p.keys }, (_, i) => i);
  let nextKey = p.keys;
  const written = new Map<number, number>();
  const lo = Math.min(p['min-txn-length'], p['max-txn-length']);
  return () => {
    const len = rng.int(lo, p['max-txn-length']);
    const value: [string, number, number | null][] = [];
    for (let i = 0; i < len; i++) {
      const slot = rng.int(0, active.length - 1);
      const k = active[slot]!;
      if (rng.next() < p['read-fraction']) { value.push(['r', k, null]); continue; }
      const n = (written.get(k) ?? 0) + 1;
      value.push([write, k, n]);
      if (n >= p['max-writes-per-key']) { written.delete(k); active[slot] = nextKey++; } else written.set(k, n);
    }
    return { f: 'txn', value };
  };
}

export const listAppend: Workload = {
  name: 'list-append',
  description: "Elle's list-append transactions over rotating keys; checks isolation (G0, G1, G-single, G2, realtime) against the chosen consistency models",
  paramNames: Object.keys(listAppendParamsSchema.shape),
  create(raw): WorkloadInstance {
    const p = parseParams('list-append', listAppendParamsSchema, raw);
    if (p['min-txn-length'] > p['max-txn-length']) throw new Error(`params.min-txn-length: ${p['min-txn-length']} is more than max-txn-length ${p['max-txn-length']}`);
    return {
      name: 'list-append',
      params: p,
      checkParams: {
        consistencyModels: p['consistency-models'], keys: p.keys, minTxnLength: p['min-txn-length'], maxTxnLength: p['max-txn-length'],
        readFraction: p['read-fraction'], maxWritesPerKey: p['max-writes-per-key'],
      },
      generator: (rng) => txnGenerator(p, rng, 'append'),
      checks: () => [
        { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
        { name: 'list-append', check: listAppendChecker },
      ],
    };
  },
};
