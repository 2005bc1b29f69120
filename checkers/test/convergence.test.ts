import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { convergenceChecker } from '../convergence.ts';
import { HistoryBuilder } from './history-builder.ts';

const nodes = ['n1', 'n2', 'n3'];
const ctx = { nodes, workload: {} };

test('converged nodes pass, with per-node match times and time after heal', () => {
  const h = new HistoryBuilder(0.1).op(0, 'write', 'ok', ['a', 1], ['a', 1], 'n1')
    .at(10).nemesis('heal')
    // round 1: n3 still behind; round 2: all agree
    .at(11).finalRead('n1', { registers: { a: 1 } }, 'r1').finalRead('n2', { registers: { a: 1 } }, 'r1').finalRead('n3', { registers: { a: null } }, 'r0')
    .at(12).finalRead('n1', { registers: { a: 1 } }, 'r1').finalRead('n2', { registers: { a: 1 } }, 'r1').finalRead('n3', { registers: { a: 1 } }, 'r1');
  const r = convergenceChecker(h.ops, ctx) as any;
  assert.equal(r.valid, true, r.summary);
  assert.equal(r.healS, 10.1);
  assert.equal(r.convergedAtS.n1, 11.1);
  assert.equal(r.convergedAtS.n3, 12.5);
  assert.equal(r.convergedAfterS, 2.4);
});

test('a node whose final state differs is named with the key, its value and the majority', () => {
  const h = new HistoryBuilder()
    .finalRead('n1', { balances: { 0: 5, 1: 15 } }).finalRead('n2', { balances: { 0: 5, 1: 15 } })
    .finalRead('n3', { balances: { 0: 10, 1: 10 } });
  const r = convergenceChecker(h.ops, ctx) as any;
  assert.equal(r.valid, false);
  assert.deepEqual(r.divergent, [
    { node: 'n3', key: 'balances.0', value: '10', majority: '5' },
    { node: 'n3', key: 'balances.1', value: '10', majority: '15' },
  ]);
  assert.match(r.summary, /n3/);
});

test('equal states with different digests (Merkle roots) are a violation', () => {
  const h = new HistoryBuilder().finalRead('n1', { keys: { a: [1] } }, 'x')
    .finalRead('n2', { keys: { a: [1] } }, 'x').finalRead('n3', { keys: { a: [1] } }, 'y');
  const r = convergenceChecker(h.ops, ctx);
  assert.equal(r.valid, false);
  assert.match(r.summary!, /digests differ/);
  const noRoots = new HistoryBuilder();
  for (const n of nodes) noRoots.op(1000, 'final-read', 'ok', null, { state: { keys: { a: [1] } } }, n);
  assert.equal(convergenceChecker(noRoots.ops, ctx).valid, true);
  const oneMissing = new HistoryBuilder().finalRead('n1', { keys: { a: [1] } }, 'x').finalRead('n2', { keys: { a: [1] } }, 'x')
    .op(1000, 'final-read', 'ok', null, { state: { keys: { a: [1] } } }, 'n3');
  assert.equal(convergenceChecker(oneMissing.ops, ctx).valid, false);
});

test('a node without a final read makes it unknown, or false when the others disagree', () => {
  const agree = new HistoryBuilder().finalRead('n1', { registers: { a: 1 } }).finalRead('n2', { registers: { a: 1 } });
  const r1 = convergenceChecker(agree.ops, ctx) as any;
  assert.equal(r1.valid, 'unknown');
  assert.deepEqual(r1.missingNodes, ['n3']);
  const disagree = new HistoryBuilder().finalRead('n1', { registers: { a: 1 } }).finalRead('n2', { registers: { a: 2 } });
  assert.equal(convergenceChecker(disagree.ops, ctx).valid, false);
  assert.equal(convergenceChecker([], ctx).valid, 'unknown');
});

test('property: identical states pass whatever the key order; changing one key on one node fails naming it', () => {
  const state = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 4 }), { minKeys: 1 });
  fc.assert(fc.property(state, fc.nat(2), fc.integer({ min: 100, max: 200 }), (keys, victim, extra) => {
    const shuffled = Object.fromEntries(Object.entries(keys).reverse());
    const h = new HistoryBuilder().finalRead('n1', { keys }).finalRead('n2', { keys: shuffled }).finalRead('n3', { keys });
    assert.equal(convergenceChecker(h.ops, ctx).valid, true);
    const key = Object.keys(keys)[0]!;
    const states = nodes.map((n, i) => (i === victim ? { keys: { ...keys, [key]: [...keys[key]!, extra] } } : { keys }));
    const bad = new HistoryBuilder();
    nodes.forEach((n, i) => bad.finalRead(n, states[i]));
    const r = convergenceChecker(bad.ops, ctx) as any;
    assert.equal(r.valid, false);
    assert.deepEqual(r.divergent.map((d: any) => [d.node, d.key]), [[nodes[victim], `keys.${key}`]]);
  }), { numRuns: 100 });
});
