import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bankTotalChecker } from '../bank-total.ts';
import { bankNoOverdraftChecker } from '../bank-overdraft.ts';
import { bankFoldChecker } from '../bank-fold.ts';
import { HistoryBuilder } from './history-builder.ts';
import { bankCtx, bankSteps, simulateBank } from './bank-sim.ts';

const finalBalances = (h: HistoryBuilder, node: string) =>
  (h.ops.filter((o) => o.f === 'final-read' && o.node === node).pop()!.value as any).state.balances;

test('property: a correct bank passes total, no-overdraft and fold', () => {
  fc.assert(fc.property(bankSteps, (steps) => {
    const h = simulateBank(steps);
    for (const c of [bankTotalChecker, bankNoOverdraftChecker, bankFoldChecker]) {
      const r = c(h.ops, bankCtx);
      assert.equal(r.valid, true, r.summary);
    }
  }), { numRuns: 150 });
});

test('property: moving money in one final read breaks total; changing both sides keeps total but breaks fold', () => {
  fc.assert(fc.property(bankSteps, fc.constantFrom('n1', 'n2'), fc.integer({ min: 1, max: 5 }), (steps, node, by) => {
    const h = simulateBank(steps, 0);
    const b = finalBalances(h, node);
    b['2'] += by;
    const total = bankTotalChecker(h.ops, bankCtx) as any;
    assert.equal(total.valid, false);
    assert.deepEqual([total.wrong[0].node, total.wrong[0].sum], [node, 40 + by]);
    b['3'] -= by;
    assert.equal(bankTotalChecker(h.ops, bankCtx).valid, true);
    const fold = bankFoldChecker(h.ops, bankCtx) as any;
    assert.equal(fold.valid, false);
    assert.deepEqual(fold.mismatches[0].nodes, [node]);
    assert.deepEqual(fold.mismatches[0].accounts.map((a: any) => a.account), ['2', '3']);
  }), { numRuns: 100 });
});

test('overdraft: the worst negative balance is named with account, time and node', () => {
  const h = new HistoryBuilder(1)
    .op(0, 'read', 'ok', null, { 0: -3, 1: 23 }, 'n1')
    .op(1, 'read', 'ok', null, { 0: 5, 1: -7 }, 'n2')
    .finalRead('n1', { balances: { 0: 10, 1: 10 } });
  const r = bankNoOverdraftChecker(h.ops, { nodes: ['n1'], workload: {} }) as any;
  assert.equal(r.valid, false);
  assert.equal(r.overdraftCount, 2);
  assert.deepEqual(r.worst, { where: 'read', index: 3, process: 1, node: 'n2', timeS: 3, account: '1', balance: -7 });
  assert.match(r.summary, /worst -7 on account 1 at 3 s/);
});

test('total: a read missing an account is reported even when the sum happens to match', () => {
  const h = new HistoryBuilder().op(0, 'read', 'ok', null, { 0: 20, 1: 20 }, 'n1');
  const r = bankTotalChecker(h.ops, { nodes: ['n1'], workload: { accounts: [0, 1, 2], initialBalance: 40 / 3, total: 40 } }) as any;
  assert.equal(r.valid, false);
  assert.deepEqual(r.wrong[0].missingAccounts, ['2']);
});

test('fold: an indeterminate transfer may count or not; the explaining subset is reported', () => {
  const ctx = { nodes: ['n1'], workload: { accounts: [0, 1], initialBalance: 10, total: 20 } };
  const base = () => new HistoryBuilder()
    .op(0, 'transfer', 'ok', { from: 0, to: 1, amount: 2 })
    .op(1, 'transfer', 'info', { from: 1, to: 0, amount: 5 })
    .op(2, 'transfer', 'fail', { from: 0, to: 1, amount: 4 });
  const without = bankFoldChecker(base().finalRead('n1', { balances: { 0: 8, 1: 12 } }).ops, ctx) as any;
  assert.equal(without.valid, true, without.summary);
  assert.deepEqual(without.explainedBy, { n1: [] });
  const withIt = bankFoldChecker(base().finalRead('n1', { balances: { 0: 13, 1: 7 } }).ops, ctx) as any;
  assert.deepEqual(withIt.explainedBy, { n1: [2] });
  const failedCounted = bankFoldChecker(base().finalRead('n1', { balances: { 0: 4, 1: 16 } }).ops, ctx) as any;
  assert.equal(failedCounted.valid, false);
  assert.deepEqual(failedCounted.mismatches[0].accounts, [{ account: '0', final: 4, foldOfOk: 8 }, { account: '1', final: 16, foldOfOk: 12 }]);
});

test('fold: beyond the exact limit, bounds and a pruned search decide', () => {
  const ctx = { nodes: ['n1'], workload: { accounts: [0, 1], initialBalance: 30 } };
  const many = (final: Record<string, number>, amount = 1) => {
    const h = new HistoryBuilder();
    for (let i = 0; i < 20; i++) h.op(i, 'transfer', 'info', { from: 0, to: 1, amount });
    return bankFoldChecker(h.finalRead('n1', { balances: final }).ops, ctx) as any;
  };
  assert.equal(bankFoldChecker(new HistoryBuilder().op(0, 'read', 'ok', null, {}).ops, ctx).valid, 'unknown');
  const found = many({ 0: 17, 1: 43 });
  assert.equal(found.valid, true, found.summary);
  assert.deepEqual([found.exact, found.method.n1, found.explainedBy.n1.length], [true, 'searched', 13]);
  const outOfBounds = many({ 0: 5, 1: 55 });
  assert.equal(outOfBounds.valid, false);
  assert.deepEqual(outOfBounds.mismatches[0].accounts[0], { account: '0', final: 5, foldOfOk: 30, min: 10, max: 30 });
  // within bounds, but amounts of 2 can never move an odd sum
  const parity = many({ 0: 29, 1: 31 }, 2);
  assert.equal(parity.valid, false, parity.summary);
  assert.equal(parity.method.n1, 'searched');
});

test('bank checkers say unknown without data and never throw on garbage', () => {
  for (const c of [bankTotalChecker, bankNoOverdraftChecker, bankFoldChecker]) {
    assert.equal(c([null, { f: 'read', type: 'ok', value: 'x' }] as any, bankCtx).valid, 'unknown');
  }
});
