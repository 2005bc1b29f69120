import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import { balanceViews, bankParams } from './bank-ops.ts';
import { CappedList } from './violation-list.ts';

export interface WrongTotal {
  where: 'read' | 'final'; index: number; process: unknown; node: string | null; timeS: number;
  sum: number; expected: number; missingAccounts: string[]; unknownAccounts: string[]; garbled: string[];
}

/**
 * Bank total: every ok read and every ok final-read round shows every account, and the
 * balances sum to the bank's total (transfers move money, they never create or destroy it).
 * Needs workload {accounts, initialBalance, total} (total defaults to accounts × initialBalance).
 */
export const bankTotalChecker: SyncChecker = (history, ctx): CheckResult => {
  const { accounts, total } = bankParams(ctx.workload);
  if (total === undefined) return { valid: 'unknown', summary: 'workload gives no total (nor accounts and initialBalance)' };
  const { views } = balanceViews(history);
  if (views.length === 0) return { valid: 'unknown', summary: 'no ok read of the balances', total };
  const known = new Set(accounts);
  const wrong = new CappedList<WrongTotal>();
  for (const v of views) {
    let sum = 0;
    for (const b of v.balances.values()) sum += b;
    const missingAccounts = accounts.filter((a) => !v.balances.has(a) && !v.garbled.includes(a));
    const unknownAccounts = known.size ? [...v.balances.keys()].filter((a) => !known.has(a)) : [];
    if (sum === total && missingAccounts.length === 0 && unknownAccounts.length === 0 && v.garbled.length === 0) continue;
    wrong.push({ where: v.where, index: v.index, process: v.process, node: v.node, timeS: v.timeS, sum, expected: total, missingAccounts, unknownAccounts, garbled: v.garbled });
  }
  const reads = views.filter((v) => v.where === 'read').length;
  const details = { total, readsChecked: reads, finalReadsChecked: views.length - reads, wrong: wrong.items, wrongCount: wrong.count };
  if (wrong.count > 0) {
    const w = wrong.items[0]!;
    return { valid: false, summary: `${wrong.count} of ${views.length} reads do not sum to ${total}; first: ${w.where} index ${w.index} on ${w.node ?? '?'} at ${w.timeS} s sums to ${w.sum}`, ...details };
  }
  return { valid: true, summary: `all ${views.length} reads sum to ${total}`, ...details };
};
