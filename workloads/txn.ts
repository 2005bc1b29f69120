import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { Checker } from '../api/checker.ts';
import type { GeneratedOp, Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { MODELS } from '../checkers/txn/models.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';

/**
 * What Elle's transactional workloads (list-append, rw-register) share: their params, the micro-op
 * source (keys in rotation, unique values per key) and the workload shell. They differ in the
 * write micro-op's name and the checker that infers the version order.
 */
export const consistencyModelsSchema = z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.enum(MODELS)).min(1)).default(['strict-serializable']);

export const txnParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(8),
  'min-txn-length': z.int().min(1).max(64).default(1),
  'max-txn-length': z.int().min(1).max(64).default(4),
  'read-fraction': z.number().min(0).max(1).default(0.5),
  'max-writes-per-key': z.int().min(1).max(100_000).default(32),
  'consistency-models': consistencyModelsSchema,
});
export type TxnParams = z.infer<typeof txnParamsSchema>;

/** one txn per call: 1..max-txn-length micro-ops; `write` is the write micro-op's name */
export function txnGenerator(p: TxnParams, rng: Rng, write: 'append' | 'w'): () => GeneratedOp {
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

/** a transactional workload: the shared params and generator, this workload's write and checker */
export function txnWorkload(w: { name: string; description: string; write: 'append' | 'w'; checker: Checker }): Workload {
  return {
    name: w.name,
    description: w.description,
    paramNames: Object.keys(txnParamsSchema.shape),
    create(raw): WorkloadInstance {
      const p = parseParams(w.name, txnParamsSchema, raw);
      if (p['min-txn-length'] > p['max-txn-length']) throw new Error(`params.min-txn-length: ${p['min-txn-length']} is more than max-txn-length ${p['max-txn-length']}`);
      return {
        name: w.name,
        params: p,
        checkParams: {
          consistencyModels: p['consistency-models'], keys: p.keys, minTxnLength: p['min-txn-length'], maxTxnLength: p['max-txn-length'],
          readFraction: p['read-fraction'], maxWritesPerKey: p['max-writes-per-key'],
        },
        generator: (rng) => txnGenerator(p, rng, w.write),
        checks: () => [
          { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
          { name: w.name, check: w.checker },
        ],
      };
    },
  };
}
