import { test } from 'vitest';
import assert from 'node:assert/strict';
import { statsChecker } from '../stats.ts';
import { timeline } from '../timeline.ts';
import { pairOps } from '../op-pairs.ts';
import { HistoryBuilder } from './history-builder.ts';

const ctx = { nodes: ['n1'], workload: {} };

test('stats counts outcomes per f and is valid when a client op succeeded', () => {
  const h = new HistoryBuilder()
    .op(0, 'write', 'ok', ['a', 1]).op(1, 'write', 'fail', ['a', 2]).op(2, 'read', 'info', ['a', null])
    .line('invoke', 3, 'read', ['a', null])
    .nemesis('start-partition').finalRead('n1', {});
  const r = statsChecker(h.ops, ctx) as any;
  assert.equal(r.valid, true);
  assert.deepEqual(r.byF.write, { ok: 1, fail: 1, info: 0, pending: 0, total: 2 });
  assert.deepEqual(r.byF.read, { ok: 0, fail: 0, info: 1, pending: 1, total: 2 });
  assert.equal(r.byF['start-partition'].info, 1);
  assert.equal(r.client.total, 4);
});

test('stats is invalid when no client op succeeded, even if final reads did', () => {
  const h = new HistoryBuilder().op(0, 'write', 'fail', ['a', 1]).op(1, 'read', 'info', ['a', null]).finalRead('n1', {});
  const r = statsChecker(h.ops, ctx);
  assert.equal(r.valid, false);
  assert.match(r.summary!, /none of 2/);
  assert.equal(statsChecker([], ctx).valid, false);
});

test('stats never throws on garbage lines', () => {
  const r = statsChecker([null, 3, { f: 1 }, { process: 0, type: 'ok', f: 'x', time: 1 }] as any, ctx);
  assert.equal(r.valid, false);
});

test('timeline gives latencies, per-second throughput and paired fault intervals', () => {
  const h = new HistoryBuilder(0.25)
    .at(0).line('invoke', 0, 'write', ['a', 1]).at(0.5).line('ok', 0, 'write', ['a', 1], 'n1')
    .at(1.0).line('info', 'nemesis', 'start-partition', null).line('info', 'nemesis', 'start-partition', 'halves')
    .at(1.2).line('invoke', 1, 'read', ['a', null]).at(1.7).line('info', 1, 'read', ['a', null])
    .at(2.0).line('info', 'nemesis', 'stop-partition', null).at(2.1).line('info', 'nemesis', 'stop-partition', null)
    .at(2.5).line('info', 'nemesis', 'start-pause', null).line('info', 'nemesis', 'start-pause', ['n2'])
    .at(3.0).line('info', 'nemesis', 'heal', null)
    .at(3.4).line('invoke', 2, 'read', ['a', null]);
  const t = timeline(h.ops);
  assert.equal(t.ops.length, 3);
  assert.deepEqual(t.ops[0], { index: 0, process: 0, f: 'write', type: 'ok', startS: 0, endS: 0.5, latencyMs: 500, node: 'n1' });
  assert.equal(t.ops[2]!.type, 'pending');
  assert.equal(t.ops[2]!.latencyMs, null);
  assert.deepEqual(t.throughput, [{ second: 0, ok: 1, fail: 0, info: 0 }, { second: 1, ok: 0, fail: 0, info: 1 }]);
  assert.equal(t.healS, 3.0);
  assert.deepEqual(t.faults, [
    { f: 'partition', start: 1.0, stop: 2.1, value: 'halves', open: false },
    { f: 'pause', start: 2.5, stop: 3.0, value: ['n2'], open: false },
  ]);
});

test('timeline: an unpaired start lasts until the end when there is no heal; final reads are not throughput', () => {
  const h = new HistoryBuilder(0.5)
    .at(0.2).line('info', 'nemesis', 'start-clock', null).line('info', 'nemesis', 'start-clock', { n1: 5 })
    .at(1.5).op(0, 'write', 'ok', ['a', 1])
    .at(4).finalRead('n1', {});
  const t = timeline(h.ops);
  assert.equal(t.healS, null);
  assert.deepEqual(t.faults, [{ f: 'clock', start: 0.2, stop: 4.5, value: { n1: 5 }, open: true }]);
  assert.deepEqual(t.throughput.map((b) => b.ok), [0, 0, 1]);
  assert.equal(t.ops.length, 2);
});

test('pairing: the heal marker is one line; a completion with nothing open and garbled lines are no pairs; a nemesis invoke opens', () => {
  const h = new HistoryBuilder(0.5)
    .line('ok', 0, 'write', ['a', 1]) // completion without invoke (the report once drew it as an instant op)
    .line('invoke', 'nemesis', 'start-pause', ['n1']).line('invoke', 'nemesis', 'start-pause', ['n2']) // invoke while open: a new op
    .line('info', 'nemesis', 'start-pause', ['n2'])
    .line('info', 'nemesis', 'heal', null)
    .line('invoke', 1, 'read', ['a', null]);
  const pairs = pairOps([...h.ops, null, { process: 2, type: 'ok', time: 9e9 }] as any);
  assert.deepEqual(pairs.map((p) => [p.process, p.f, p.type, p.startS, p.endS]), [
    ['nemesis', 'start-pause', 'pending', 0.5, 2.5],
    ['nemesis', 'start-pause', 'info', 1.0, 1.5],
    ['nemesis', 'heal', 'info', 2.0, 2.0],
    [1, 'read', 'pending', 2.5, 2.5],
  ]);
  const stats = statsChecker(h.ops, ctx) as any;
  assert.deepEqual(stats.byF.heal, { ok: 0, fail: 0, info: 1, pending: 0, total: 1 }, 'the heal is done, not pending');
});

test('faults: each start is an interval, a stop ends every open one of its kind, a stop that never completed leaves it open', () => {
  const h = new HistoryBuilder(0.5)
    .at(1).nemesis('start-kill', ['n1']).at(2).nemesis('start-kill', ['n2'])
    .at(3).nemesis('stop-kill', null)
    .at(4).nemesis('start-partition', 'halves')
    .at(5).line('info', 'nemesis', 'stop-partition', null) // the history ends during the stop
    .at(6).line('invoke', 0, 'read', ['a', null]);
  assert.deepEqual(timeline(h.ops).faults, [
    { f: 'kill', start: 1, stop: 3.5, value: ['n1'], open: false },
    { f: 'kill', start: 2, stop: 3.5, value: ['n2'], open: false },
    { f: 'partition', start: 4, stop: 6, value: 'halves', open: true },
  ]);
});
