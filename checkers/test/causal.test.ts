import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { causalChecker } from '../causal.ts';
import { HistoryBuilder } from './history-builder.ts';
import { NODES, simSteps, simulateHistory } from './history-sim.ts';

const ctx = { nodes: NODES, workload: {} };

test('property: histories of a correct causal system pass', () => {
  fc.assert(fc.property(simSteps, (steps) => {
    const r = causalChecker(simulateHistory(steps).ops, ctx);
    assert.notEqual(r.valid, false, r.summary);
  }), { numRuns: 200 });
});

test('property: swapping two appends of one process in a final list is an order violation naming them', () => {
  fc.assert(fc.property(simSteps, fc.nat(2), (steps, victim) => {
    const h = simulateHistory(steps);
    const acked = h.ops.filter((o) => o.f === 'append' && o.type === 'ok');
    // two consecutive appends of one process on one key, with nothing else between them in its order
    const pair = acked.flatMap((o, i) => {
      const next = acked.slice(i + 1).find((n) => n.process === o.process);
      return next && (next.value as any)[0] === (o.value as any)[0] ? [[o, next]] : [];
    })[0];
    fc.pre(pair !== undefined);
    const [first, second] = pair!.map((o) => (o.value as [string, number]));
    const keys = (h.ops.filter((o) => o.f === 'final-read' && o.node === NODES[victim]).pop()!.value as any).state.keys;
    const list: number[] = keys[first![0]];
    const i = list.indexOf(first![1]), j = list.indexOf(second![1]);
    [list[i], list[j]] = [list[j]!, list[i]!];
    const r = causalChecker(h.ops, ctx) as any;
    assert.equal(r.valid, false);
    assert.ok(r.orderViolations.some((o: any) => o.node === NODES[victim] && o.value === second![1] && o.predecessor === first![1]), JSON.stringify(r.orderViolations));
  }), { numRuns: 200 });
});

test('a read missing a predecessor reached through another key is reported', () => {
  // 1 →(P1 order) 2 →(P2 read b then appended b) 3 →(P2 order) 4, so 1 hb 4 on key a
  const h = new HistoryBuilder()
    .op(1, 'append', 'ok', ['a', 1]).op(1, 'append', 'ok', ['b', 2])
    .op(2, 'read', 'ok', ['b', null], ['b', [2]])
    .op(2, 'append', 'ok', ['b', 3]).op(2, 'append', 'ok', ['a', 4])
    .op(3, 'read', 'ok', ['a', null], ['a', [4]], 'n2');
  const r = causalChecker(h.ops, ctx) as any;
  assert.equal(r.valid, false);
  assert.deepEqual(r.missingPredecessors, [{ where: 'read', index: 11, process: 3, node: 'n2', timeS: 1.1, key: 'a', value: 4, missing: 1, missingAppend: { index: 0, process: 1 } }]);
});

test('writes-follow-reads edge: an append after reading x needs x wherever it shows', () => {
  const ok = new HistoryBuilder()
    .op(1, 'append', 'ok', ['a', 1])
    .op(2, 'read', 'ok', ['a', null], ['a', [1]]).op(2, 'append', 'ok', ['a', 2])
    .finalRead('n1', { keys: { a: [1, 2] } });
  assert.equal(causalChecker(ok.ops, ctx).valid, true);
  const bad = new HistoryBuilder()
    .op(1, 'append', 'ok', ['a', 1])
    .op(2, 'read', 'ok', ['a', null], ['a', [1]]).op(2, 'append', 'ok', ['a', 2])
    .finalRead('n1', { keys: { a: [2] } });
  const r = causalChecker(bad.ops, ctx) as any;
  assert.equal(r.valid, false);
  assert.deepEqual([r.missingPredecessors[0].where, r.missingPredecessors[0].node, r.missingPredecessors[0].missing], ['final', 'n1', 1]);
  // concurrent appends may be listed in any order
  const concurrent = new HistoryBuilder().op(1, 'append', 'ok', ['a', 1]).op(2, 'append', 'ok', ['a', 2])
    .finalRead('n1', { keys: { a: [2, 1] } }).finalRead('n2', { keys: { a: [1, 2] } });
  assert.equal(causalChecker(concurrent.ops, ctx).valid, true);
});

test('cycles: reading one\'s own future append, and a read whose value hb-follows the reader\'s next append', () => {
  const own = new HistoryBuilder().op(1, 'read', 'ok', ['a', null], ['a', [5]]).op(1, 'append', 'ok', ['a', 5]);
  const r1 = causalChecker(own.ops, ctx) as any;
  assert.equal(r1.valid, false);
  assert.deepEqual(r1.smallestCycle.ops.map((o: any) => o.index), [1, 2]);
  const three = new HistoryBuilder()
    .op(1, 'read', 'ok', ['a', null], ['a', [7]])   // 0,1
    .op(1, 'append', 'ok', ['b', 6])                // 2,3
    .op(2, 'read', 'ok', ['b', null], ['b', [6]])   // 4,5
    .op(2, 'append', 'ok', ['b', 8])                // 6,7
    .op(2, 'append', 'ok', ['a', 7]);               // 8,9
  const r3 = causalChecker(three.ops, ctx) as any;
  assert.equal(r3.valid, false);
  assert.deepEqual(r3.smallestCycle.ops.map((o: any) => o.index), [1, 2, 8]);
  const unrelated = new HistoryBuilder().op(1, 'read', 'ok', ['a', null], ['a', [9]]).op(2, 'append', 'ok', ['a', 9]);
  const r4 = causalChecker(unrelated.ops, ctx) as any;
  assert.equal(r4.valid, false);
  assert.equal(r4.cycleCount, 0);
  assert.deepEqual([r4.futureReads[0].read.index, r4.futureReads[0].append.index], [1, 2]);
});

test('no reads and no final reads is unknown; garbage never throws', () => {
  assert.equal(causalChecker(new HistoryBuilder().op(1, 'append', 'ok', ['a', 1]).ops, ctx).valid, 'unknown');
  assert.equal(causalChecker([undefined, { process: 1, f: 'read', type: 'ok', time: 0, value: [1] }] as any, ctx).valid, 'unknown');
});

test('a read that shows a future value and lacks a predecessor reports both', () => {
  const h = new HistoryBuilder()
    .op(1, 'append', 'ok', ['a', 1]).op(1, 'append', 'ok', ['a', 2])
    .op(3, 'read', 'ok', ['a', null], ['a', [2, 9]])
    .op(1, 'append', 'ok', ['a', 9]);
  const r = causalChecker(h.ops, ctx) as any;
  assert.equal(r.valid, false);
  assert.deepEqual(r.missingPredecessors.map((m: any) => [m.index, m.missing]), [[5, 1]]);
  assert.equal(r.cycleCount + r.futureReadCount, 1);
});

test('property: removing from a read a value that the same process appended earlier than a shown one is reported for that read', () => {
  fc.assert(fc.property(simSteps, fc.nat(), (steps, pick) => {
    const h = simulateHistory(steps);
    const appender = new Map<number, number>(); // value → process
    const okAppends = h.ops.filter((o) => o.f === 'append' && o.type === 'ok');
    for (const o of okAppends) appender.set((o.value as [string, number])[1], o.process as number);
    // candidates: (read op, x, y) with x appended before y by the same process, both shown
    const candidates = h.ops.filter((o) => o.f === 'read' && o.type === 'ok').flatMap((o) => {
      const list = (o.value as [string, number[]])[1];
      return list.flatMap((y, j) => list.slice(0, j).filter((x) => appender.get(x) !== undefined && appender.get(x) === appender.get(y)).map((x) => ({ o, x, y })));
    });
    fc.pre(candidates.length > 0);
    const { o, x } = candidates[pick % candidates.length]!;
    const [key, list] = o.value as [string, number[]];
    o.value = [key, list.filter((v) => v !== x)];
    const r = causalChecker(h.ops, ctx) as any;
    assert.equal(r.valid, false);
    assert.ok(r.missingPredecessors.some((m: any) => m.index === o.index && m.missing === x), JSON.stringify(r.missingPredecessors));
  }), { numRuns: 60, maxSkipsPerRun: 1000 });
});
