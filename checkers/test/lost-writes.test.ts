import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lostWritesChecker } from '../lost-writes.ts';
import { HistoryBuilder } from './history-builder.ts';
import { NODES, simSteps, simulateHistory } from './history-sim.ts';

const ctx = { nodes: NODES, workload: {} };
const finalState = (h: HistoryBuilder, node: string) =>
  (h.ops.filter((o) => o.f === 'final-read' && o.node === node && o.type === 'ok').pop()!.value as any).state.keys;

test('property: histories of a correct causal system lose nothing', () => {
  fc.assert(fc.property(simSteps, (steps) => {
    const r = lostWritesChecker(simulateHistory(steps).ops, ctx);
    assert.notEqual(r.valid, false, r.summary);
  }), { numRuns: 200 });
});

test('property: dropping one acknowledged value from one node is reported as lost on that node', () => {
  fc.assert(fc.property(simSteps, fc.nat(2), fc.nat(), (steps, victim, pick) => {
    const h = simulateHistory(steps);
    const acked = h.ops.filter((o) => o.f === 'append' && o.type === 'ok').map((o) => o.value as [string, number]);
    fc.pre(acked.length > 0);
    const [key, value] = acked[pick % acked.length]!;
    const keys = finalState(h, NODES[victim]!);
    keys[key] = keys[key].filter((v: number) => v !== value);
    const r = lostWritesChecker(h.ops, ctx) as any;
    assert.equal(r.valid, false);
    assert.equal(r.lostCount, 1);
    assert.deepEqual([r.lost[0].key, r.lost[0].value, r.lost[0].missingOn], [key, value, [NODES[victim]]]);
  }), { numRuns: 200 });
});

test('lost write names its last sighting; recovered, unexpected and duplicated values are reported', () => {
  const h = new HistoryBuilder(0.5)
    .op(0, 'append', 'ok', ['k', 1], ['k', 1], 'n1')
    .op(1, 'append', 'info', ['k', 2], ['k', 2], 'n2')
    .op(2, 'append', 'fail', ['k', 3], ['k', 3], 'n3')
    .op(3, 'read', 'ok', ['k', null], ['k', [1, 2]], 'n1')
    .op(3, 'read', 'ok', ['k', null], ['k', [1, 2, 2]], 'n2')
    .finalRead('n1', { keys: { k: [1, 2, 3] } })
    .finalRead('n2', { keys: { k: [2, 9] } });
  const r = lostWritesChecker(h.ops, { nodes: ['n1', 'n2'], workload: {} }) as any;
  assert.equal(r.valid, false);
  assert.deepEqual(r.lost, [{ key: 'k', value: 1, appendIndex: 0, process: 0, ackS: 0.5, node: 'n1', faults: [], missingOn: ['n2'],
    lastSeen: { where: 'read', index: 9, process: 3, node: 'n2', timeS: 4.5 } }]);
  assert.deepEqual(r.recovered, [{ key: 'k', value: 2, appendIndex: 2, process: 1, type: 'info', presentOn: ['n1', 'n2'] }]);
  assert.deepEqual(r.unexpected.map((u: any) => [u.value, u.reason, u.firstSeen.node]), [[3, 'append failed', 'n1'], [9, 'never appended', 'n2']]);
  assert.deepEqual(r.duplicated.map((d: any) => [d.value, d.times, d.seen.where, d.seen.index]), [[2, 2, 'read', 9]]);
});

test('no final read is unknown; garbage never throws', () => {
  const h = new HistoryBuilder().op(0, 'append', 'ok', ['k', 1]);
  assert.equal(lostWritesChecker(h.ops, ctx).valid, 'unknown');
  assert.equal(lostWritesChecker([{ f: 'final-read', value: { state: 5 } }, null] as any, ctx).valid, 'unknown');
});
