import fc from 'fast-check';
import { HistoryBuilder } from './history-builder.ts';

/**
 * A simulated correct bank: one shared ledger (so every read sums to the total and no balance
 * goes negative, transfers that would overdraw fail). Indeterminate transfers ("info") are
 * applied or not as the step says. Final reads on every node show the ledger.
 */
export const ACCOUNTS = [0, 1, 2, 3];
export const INITIAL = 10;
export const bankCtx = { nodes: ['n1', 'n2'], workload: { accounts: ACCOUNTS, initialBalance: INITIAL, total: ACCOUNTS.length * INITIAL } };

export type BankStep =
  | { kind: 'transfer'; from: number; to: number; amount: number; outcome: 'ok' | 'info-applied' | 'info-lost' }
  | { kind: 'read' };

export const bankSteps = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(3), to: fc.nat(3), amount: fc.integer({ min: 1, max: 8 }),
    outcome: fc.constantFrom('ok', 'ok', 'ok', 'info-applied', 'info-lost') as fc.Arbitrary<'ok' | 'info-applied' | 'info-lost'> }),
  fc.record({ kind: fc.constant('read' as const) }),
), { maxLength: 30 });

export function simulateBank(steps: readonly BankStep[], maxInfo = 8): HistoryBuilder {
  const h = new HistoryBuilder(0.05);
  const ledger = new Map(ACCOUNTS.map((a) => [a, INITIAL]));
  const snapshot = () => Object.fromEntries([...ledger].map(([a, b]) => [String(a), b]));
  let process = 0, infos = 0;
  for (const s of steps) {
    if (s.kind === 'read') { h.op(process, 'read', 'ok', null, snapshot(), 'n1'); continue; }
    const t = { from: s.from, to: s.to, amount: s.amount };
    const info = s.outcome !== 'ok' && infos < maxInfo;
    const apply = !info || s.outcome === 'info-applied';
    if (apply && ledger.get(s.from)! < s.amount) { h.op(process, 'transfer', 'fail', t, t, 'n1'); continue; }
    if (apply) { ledger.set(s.from, ledger.get(s.from)! - s.amount); ledger.set(s.to, ledger.get(s.to)! + s.amount); }
    h.op(process, 'transfer', info ? 'info' : 'ok', t, t, 'n1');
    if (info) { infos++; process += 10; }
  }
  h.nemesis('heal');
  for (const n of bankCtx.nodes) h.finalRead(n, { balances: snapshot() });
  return h;
}
