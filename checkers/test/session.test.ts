import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sessionChecker } from '../session.ts';
import { HistoryBuilder } from './history-builder.ts';
import { NODES, simSteps, simulateHistory } from './history-sim.ts';

const ctx = { nodes: NODES, workload: {} };
const run = (h: HistoryBuilder) => sessionChecker(h.ops, ctx) as any;
const only = (r: any, g: string) => {
  assert.equal(r.valid, false, r.summary);
  for (const [name, v] of Object.entries(r.guarantees) as [string, any][]) assert.equal(v.count > 0, name === g, `${name}: ${JSON.stringify(v.violations)}`);
  return r.guarantees[g].violations[0];
};

test('property: histories of a correct causal system keep every session guarantee', () => {
  fc.assert(fc.property(simSteps, (steps) => {
    const r = sessionChecker(simulateHistory(steps).ops, ctx);
    assert.notEqual(r.valid, false, r.summary);
  }), { numRuns: 200 });
});

/** A single correct register store: every read sees the latest write; values are unique. */
const regSteps = fc.array(fc.record({ worker: fc.nat(2), key: fc.constantFrom('x', 'y'), kind: fc.constantFrom('read', 'write', 'cas', 'info-write') }), { maxLength: 40 });
function simulateRegisters(steps: { worker: number; key: string; kind: string }[]): HistoryBuilder {
  const h = new HistoryBuilder(0.01);
  const store = new Map<string, number | null>();
  const proc = [0, 1, 2];
  let next = 1;
  for (const s of steps) {
    const p = proc[s.worker]!, cur = store.get(s.key) ?? null;
    if (s.kind === 'read') h.op(p, 'read', 'ok', [s.key, null], [s.key, cur]);
    else if (s.kind === 'write') { store.set(s.key, next); h.op(p, 'write', 'ok', [s.key, next++]); }
    else if (s.kind === 'cas') {
      const ok = cur !== null && next % 2 === 0;
      if (ok) store.set(s.key, next);
      h.op(p, 'cas', ok ? 'ok' : 'fail', [s.key, [ok ? cur : -1, next++]]);
    } else { if (next % 3 === 0) store.set(s.key, next); h.op(p, 'write', 'info', [s.key, next++]); proc[s.worker] = p + 3; }
  }
  h.finalRead('n1', { registers: Object.fromEntries(store) }).finalRead('n2', { registers: Object.fromEntries(store) });
  return h;
}

test('property: a correct register store keeps every session guarantee', () => {
  fc.assert(fc.property(regSteps, (steps) => {
    const r = sessionChecker(simulateRegisters(steps).ops, ctx);
    assert.notEqual(r.valid, false, r.summary);
  }), { numRuns: 200 });
});

test('history: read-your-writes and monotonic reads', () => {
  const ryw = only(run(new HistoryBuilder().op(1, 'append', 'ok', ['a', 1]).op(1, 'read', 'ok', ['a', null], ['a', []], 'n2')), 'read-your-writes');
  assert.deepEqual([ryw.process, ryw.index, ryw.node, ryw.expected, ryw.becauseOf], [1, 3, 'n2', 1, { index: 0, f: 'append' }]);
  const mr = only(run(new HistoryBuilder().op(2, 'append', 'ok', ['a', 1]).op(1, 'read', 'ok', ['a', null], ['a', [1]]).op(1, 'read', 'ok', ['a', null], ['a', []])), 'monotonic-reads');
  assert.deepEqual([mr.process, mr.index, mr.expected, mr.becauseOf.index], [1, 5, 1, 3]);
});

test('history: monotonic writes and writes-follow-reads, seen by other readers and in final order', () => {
  const mw = run(new HistoryBuilder().op(1, 'append', 'ok', ['a', 1]).op(1, 'append', 'ok', ['a', 2])
    .op(2, 'read', 'ok', ['a', null], ['a', [2]]).finalRead('n1', { keys: { a: [2, 1] } }));
  only(mw, 'monotonic-writes');
  assert.deepEqual(mw.guarantees['monotonic-writes'].violations.map((v: any) => [v.where, v.reader, v.node, v.value, v.expected]),
    [['read', 2, null, 2, 1], ['final', null, 'n1', 2, 1]]);
  const wfr = only(run(new HistoryBuilder().op(1, 'append', 'ok', ['a', 1]).op(2, 'read', 'ok', ['a', null], ['a', [1]])
    .op(2, 'append', 'ok', ['a', 2]).op(3, 'read', 'ok', ['a', null], ['a', [2]])), 'writes-follow-reads');
  assert.deepEqual([wfr.process, wfr.reader, wfr.value, wfr.expected, wfr.becauseOf.index], [2, 3, 2, 1, 3]);
});

test('registers: read-your-writes (null after own write, own older value) and monotonic reads (A B A)', () => {
  const nullRead = only(run(new HistoryBuilder().op(1, 'write', 'ok', ['x', 1]).op(1, 'read', 'ok', ['x', null], ['x', null])), 'read-your-writes');
  assert.deepEqual([nullRead.index, nullRead.value, nullRead.expected], [3, null, 1]);
  const older = only(run(new HistoryBuilder().op(1, 'write', 'ok', ['x', 1]).op(1, 'write', 'ok', ['x', 2]).op(1, 'read', 'ok', ['x', null], ['x', 1])), 'read-your-writes');
  assert.deepEqual([older.value, older.expected], [1, 2]);
  const aba = only(run(new HistoryBuilder().op(2, 'write', 'ok', ['x', 1]).op(3, 'write', 'ok', ['x', 2])
    .op(1, 'read', 'ok', ['x', null], ['x', 1]).op(1, 'read', 'ok', ['x', null], ['x', 2]).op(1, 'read', 'ok', ['x', null], ['x', 1])), 'monotonic-reads');
  assert.deepEqual([aba.process, aba.index, aba.value, aba.expected], [1, 9, 1, 2]);
});

test('registers: an ambiguous value written twice is not used as evidence', () => {
  const r = run(new HistoryBuilder().op(2, 'write', 'ok', ['x', 1]).op(3, 'write', 'ok', ['x', 2]).op(4, 'write', 'ok', ['x', 1])
    .op(1, 'read', 'ok', ['x', null], ['x', 1]).op(1, 'read', 'ok', ['x', null], ['x', 2]).op(1, 'read', 'ok', ['x', null], ['x', 1]));
  assert.notEqual(r.valid, false, r.summary);
});

test('registers: monotonic writes and writes-follow-reads against the final winners', () => {
  const mw = only(run(new HistoryBuilder().op(1, 'write', 'ok', ['x', 1]).op(1, 'write', 'ok', ['x', 2])
    .finalRead('n1', { registers: { x: 2 } }).finalRead('n2', { registers: { x: 1 } })), 'monotonic-writes');
  assert.deepEqual([mw.node, mw.value, mw.expected], ['n2', 1, 2]);
  const wfr = only(run(new HistoryBuilder().op(2, 'write', 'ok', ['x', 5]).op(1, 'read', 'ok', ['x', null], ['x', 5]).op(1, 'write', 'ok', ['x', 6])
    .finalRead('n1', { registers: { x: 5 } })), 'writes-follow-reads');
  assert.deepEqual([wfr.process, wfr.node, wfr.value, wfr.expected], [1, 'n1', 5, 6]);
});

test('nothing to check is unknown; garbage never throws', () => {
  assert.equal(sessionChecker(new HistoryBuilder().op(1, 'write', 'ok', ['x', 1]).ops, ctx).valid, 'unknown');
  assert.equal(sessionChecker([null, { process: 1, f: 'cas', type: 'ok', time: 0, value: 3 }, { process: 1, f: 'read', type: 'invoke', time: 1, value: ['x'] }] as any, ctx).valid, 'unknown');
});
