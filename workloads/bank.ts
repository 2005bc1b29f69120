import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { GeneratedOp, Workload, WorkloadInstance } from '../api/workload.ts';
import { statsChecker } from '../checkers/stats.ts';
import { bankTotalChecker } from '../checkers/bank-total.ts';
import { bankNoOverdraftChecker } from '../checkers/bank-overdraft.ts';
import { bankFoldChecker } from '../checkers/bank-fold.ts';
import { convergenceChecker } from '../checkers/convergence.ts';
import { parseParams } from './params.ts';
import { STATS_FALLBACK } from './fallbacks.ts';

/**
 * bank: transfers between accounts and reads of every balance (Jepsen's bank test).
 * Ops: f "transfer" {from, to, amount} → same;  f "read" null → {"0": 10, "1": 10, ...}.
 * Final read state: {balances: {...}}.
 */
export const bankParamsSchema = z.strictObject({
  accounts: z.int().min(2).max(1000).default(8),
  'initial-balance': z.int().min(0).default(10),
  'max-transfer': z.int().min(1).default(5),
  'read-fraction': z.number().min(0).max(1).default(0.3),
});
export type BankParams = z.infer<typeof bankParamsSchema>;

export function bankGenerator(p: BankParams, rng: Rng): () => GeneratedOp {
  return () => {
    if (rng.next() < p['read-fraction']) return { f: 'read', value: null };
    const from = rng.int(0, p.accounts - 1);
    let to = rng.int(0, p.accounts - 2);
    if (to >= from) to += 1;
    return { f: 'transfer', value: { from, to, amount: rng.int(1, p['max-transfer']) } };
  };
}

export const bank: Workload = {
  name: 'bank',
  description: 'transfers between accounts and reads of every balance; checks the total, overdrafts and the fold of transfers',
  paramNames: Object.keys(bankParamsSchema.shape),
  create(raw): WorkloadInstance {
    const p = parseParams('bank', bankParamsSchema, raw);
    return {
      name: 'bank',
      params: p,
      checkParams: {
        accounts: Array.from({ length: p.accounts }, (_, i) => i), initialBalance: p['initial-balance'],
        total: p.accounts * p['initial-balance'], maxTransfer: p['max-transfer'], readFraction: p['read-fraction'],
      },
      generator: (rng) => bankGenerator(p, rng),
      checks: () => [
        { name: 'stats', check: statsChecker, fallback: STATS_FALLBACK },
        { name: 'bank-total', check: bankTotalChecker },
        { name: 'bank-no-overdraft', check: bankNoOverdraftChecker },
        { name: 'bank-fold', check: bankFoldChecker },
        { name: 'convergence', check: convergenceChecker },
      ],
    };
  },
};
