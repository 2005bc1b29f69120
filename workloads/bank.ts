import { z } from 'zod';
import type { Rng } from '../api/rng.ts';
import type { NodeEndpoint } from '../api/runtime.ts';
import { requestSync, httpJson } from './http.ts';
import { readCompletion, writeCompletion } from './outcome.ts';
import { finalReadOf } from './final-read.ts';
import type { CheckSpec, GeneratedOp, Workload, WorkloadClient } from '../api/workload.ts';

/** bank: transfers between accounts and reads of every balance (Jepsen's bank test). */
export const bankParamsSchema = z.strictObject({
  accounts: z.int().min(2).max(1000).default(8),
  'initial-balance': z.int().min(0).default(10),
  'max-transfer': z.int().min(1).default(5),
  'read-fraction': z.number().min(0).max(1).default(0.3),
});
export type BankParams = z.infer<typeof bankParamsSchema>;

// maep's own defaults (node flags --accounts --initial-balance): only differing values are passed
const MAEP_ACCOUNTS = 8;
const MAEP_INITIAL = 10;

export function bankGenerator(p: BankParams, rng: Rng): () => GeneratedOp {
  return () => {
    if (rng.next() < p['read-fraction']) return { f: 'read', value: null };
    const from = rng.int(0, p.accounts - 1);
    let to = rng.int(0, p.accounts - 2);
    if (to >= from) to += 1;
    return { f: 'transfer', value: { from, to, amount: rng.int(1, p['max-transfer']) } };
  };
}

/** {"0": 10, ...} with numeric balances, or an error naming what was wrong */
function balancesOf(body: any): Record<string, number> {
  const b = body?.balances;
  if (!b || typeof b !== 'object') throw new Error('no "balances" object');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) {
    if (typeof v !== 'number') throw new Error(`balance of ${k} is not a number`);
    out[k] = v;
  }
  return out;
}

export function bankWorkload(p: BankParams): Workload {
  const accounts = Array.from({ length: p.accounts }, (_, i) => i);
  const nodeArgs: string[] = [];
  if (p.accounts !== MAEP_ACCOUNTS || p['initial-balance'] !== MAEP_INITIAL) nodeArgs.push('--accounts', String(p.accounts), '--initial-balance', String(p['initial-balance']));
  return {
    name: 'bank',
    params: { accounts, initialBalance: p['initial-balance'], total: p.accounts * p['initial-balance'], maxTransfer: p['max-transfer'], readFraction: p['read-fraction'] },
    nodeArgs,
    generator: (rng) => bankGenerator(p, rng),
    client(ep: NodeEndpoint, { timeoutMs }): WorkloadClient {
      return {
        async invoke(op, signal) {
          if (op.f === 'transfer') return writeCompletion(await httpJson('POST', `${ep.http}/bank/transfer`, op.value, signal, timeoutMs), op.value);
          if (op.f === 'read') return readCompletion(await httpJson('GET', `${ep.http}/bank`, undefined, signal, timeoutMs), op.value, balancesOf);
          return { type: 'fail', value: op.value, error: `bank has no op ${op.f}` };
        },
        sync: (signal) => requestSync(ep.http, signal, timeoutMs),
        finalRead(signal) {
          return finalReadOf(ep.http, signal, timeoutMs, async () => {
            const r = await httpJson('GET', `${ep.http}/bank`, undefined, signal, timeoutMs);
            if (r.kind !== 'ok') return r;
            try { return { ...r, state: { balances: balancesOf(r.body) } }; } catch (e) { return { kind: 'unknown', error: `bad answer: ${(e as Error).message}` }; }
          });
        },
      };
    },
    checks(): CheckSpec[] {
      return [
        { name: 'stats', checker: 'statsChecker', expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' },
        { name: 'bank-total', checker: 'bankTotalChecker', expected: 'valid', why: 'a transfer moves money and never creates or destroys it, so every read sums to the total' },
        { name: 'bank-no-overdraft', checker: 'bankNoOverdraftChecker', expected: 'may-fail', why: "maep approves transfers on each node's local view; concurrent transfers and partitions can overdraw" },
        { name: 'bank-fold', checker: 'bankFoldChecker', expected: 'valid', why: 'every node folds the same log of transfers: final balances are the initial ones plus every ok transfer and some of the unknown (info) ones' },
        { name: 'convergence', checker: 'convergenceChecker', expected: 'valid', why: 'after healing, anti-entropy must bring every node to the same balances and Merkle root' },
      ];
    },
  };
}
