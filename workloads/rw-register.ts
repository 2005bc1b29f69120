import { z } from 'zod';
import type { Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { rwRegisterChecker } from '../checkers/txn/index.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';
import { consistencyModelsSchema, txnGenerator } from './list-append.ts';

/**
 * rw-register: Elle's read-write register transactions (issue #16). Each op is one txn, f "txn":
 *   invoke `[["w", k, v], ["r", k, null], ...]` → ok `[["w", k, v], ["r", k, v | null], ...]`
 * (null: the key was never written). Written values are unique per key. Keys rotate after
 * `max-writes-per-key` writes. Checked by checkers/txn (rw-register) against `consistency-models`:
 * registers hide most of the version order, so fewer anomalies can be proven than with
 * list-append (see checkers/txn/rw-register.ts for what is inferred).
 */
export const rwRegisterParamsSchema = z.strictObject({
  keys: z.int().min(1).max(1000).default(8),
  'min-txn-length': z.int().min(1).max(64).default(1),
  'max-txn-length': z.int().min(1).max(64).default(4),
  'read-fraction': z.number().min(0).max(1).default(0.5),
  'max-writes-per-key': z.int().min(1).max(100_000).default(32),
  'consistency-models': consistencyModelsSchema,
});
export type RwRegisterParams = z.infer<typeof rwRegisterParamsSchema>;

export const rwRegister: Workload = {
  name: 'rw-register',
  description: "Elle's read-write register transactions over rotating keys; checks isolation against the chosen consistency models",
  paramNames: Object.keys(rwRegisterParamsSchema.shape),
  create(raw): WorkloadInstance {
    const p = parseParams('rw-register', rwRegisterParamsSchema, raw);
    if (p['min-txn-length'] > p['max-txn-length']) throw new Error(`params.min-txn-length: ${p['min-txn-length']} is more than max-txn-length ${p['max-txn-length']}`);
    return {
      name: 'rw-register',
      params: p,
      checkParams: {
        consistencyModels: p['consistency-models'], keys: p.keys, minTxnLength: p['min-txn-length'], maxTxnLength: p['max-txn-length'],
        readFraction: p['read-fraction'], maxWritesPerKey: p['max-writes-per-key'],
      },
      generator: (rng) => txnGenerator(p, rng, 'w'),
      checks: () => [
        { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
        { name: 'rw-register', check: rwRegisterChecker },
      ],
    };
  },
};
