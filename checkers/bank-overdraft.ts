import type { CheckResult } from '../api/checker.ts';
import type { SyncChecker } from './sync-checker.ts';
import { balanceViews } from './bank-ops.ts';
import { CappedList } from './violation-list.ts';

export interface Overdraft { where: 'read' | 'final'; index: number; process: unknown; node: string | null; timeS: number; account: string; balance: number }

/**
 * No overdraft: no ok read and no final-read round shows a negative balance. Reports the worst
 * overdraft (most negative balance, which account, when, on which node) and the first one.
 */
export const bankNoOverdraftChecker: SyncChecker = (history): CheckResult => {
  const { views } = balanceViews(history);
  if (views.length === 0) return { valid: 'unknown', summary: 'no ok read of the balances' };
  const overdrafts = new CappedList<Overdraft>();
  let worst: Overdraft | null = null;
  const accounts = new Set<string>();
  for (const v of views) {
    for (const [account, balance] of v.balances) {
      if (balance >= 0) continue;
      const o: Overdraft = { where: v.where, index: v.index, process: v.process, node: v.node, timeS: v.timeS, account, balance };
      overdrafts.push(o);
      accounts.add(account);
      if (!worst || balance < worst.balance) worst = o;
    }
  }
  const details = { readsChecked: views.length, overdrafts: overdrafts.items, overdraftCount: overdrafts.count, worst, accountsOverdrawn: [...accounts].sort() };
  if (worst) {
    return { valid: false, summary: `${overdrafts.count} negative balances, worst ${worst.balance} on account ${worst.account} at ${worst.timeS} s (${worst.where} on ${worst.node ?? '?'})`, ...details };
  }
  return { valid: true, summary: `no negative balance in ${views.length} reads`, ...details };
};
