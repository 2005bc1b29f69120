import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { Op, OpInput } from '../../../api/history.ts';
import { linearizabilityChecker, lwwOpsFromHistory, readHistoryJsonl } from '../index.ts';

/** builds a history the way the recorder would: index = position, time in ns */
function history(entries: OpInput[]): Op[] {
  return entries.map((e, i) => ({ ...e, index: i, time: i * 1_000_000 }));
}

const ctx = { nodes: ['n1', 'n2', 'n3'], workload: {}, options: { linTimeoutMs: 10_000 } };

/**
 * maep under a partition: n1 | n2 n3. Client 0 writes 1 to key "x" on n1 (acknowledged), then
 * client 1, talking to n2 on the other side, reads x and gets the old value null. An AP store
 * does this by design; a linearizable one never would.
 */
const staleReadAfterPartition = history([
  { process: 0, type: 'invoke', f: 'write', value: ['x', 0], node: 'n1' },
  { process: 0, type: 'ok', f: 'write', value: ['x', 0], node: 'n1' },
  { process: 'nemesis', type: 'info', f: 'start-partition', value: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] } },
  { process: 'nemesis', type: 'info', f: 'start-partition', value: 'halves' },
  { process: 0, type: 'invoke', f: 'write', value: ['x', 1], node: 'n1' },
  { process: 0, type: 'ok', f: 'write', value: ['x', 1], node: 'n1' },
  { process: 1, type: 'invoke', f: 'read', value: ['x', null], node: 'n2' },
  { process: 1, type: 'ok', f: 'read', value: ['x', 0], node: 'n2' },
  { process: 2, type: 'invoke', f: 'read', value: ['y', null], node: 'n3' },
  { process: 2, type: 'ok', f: 'read', value: ['y', null], node: 'n3' },
  { process: 'nemesis', type: 'info', f: 'heal', value: null },
  { process: 3, type: 'invoke', f: 'final-read', value: null, node: 'n2' },
  { process: 3, type: 'ok', f: 'final-read', value: { state: { registers: { x: 1 } }, digest: 'ab' }, node: 'n2' },
]);

test('lww: a stale read on the far side of a partition is not linearizable, with a counterexample a person can follow', async () => {
  const r = await linearizabilityChecker(staleReadAfterPartition, ctx);
  assert.equal(r.valid, false);
  const [ev] = r.partitions as any[];
  assert.equal(ev.key, 'x');
  assert.equal(ev.stateBefore, '1');
  assert.deepEqual(ev.longestLinearization.map((s: any) => s.describe), ['[x] write 0', '[x] write 1']);
  assert.deepEqual(ev.couldNotPlace.map((c: any) => [c.process, c.describe]), [[1, '[x] read → 0']]);
  assert.match(ev.explanation, /state is 1/);
  assert.match(ev.explanation, /\[x\] read → 0 \(process 1\) is impossible/);
  // ops carry what the report draws: process, real times (ns) and history indices
  const readView = ev.ops.find((o: any) => o.process === 1);
  assert.deepEqual([readView.invoke, readView.complete, readView.historyIndex], [6_000_000, 7_000_000, 6]);
  assert.equal(typeof r.summary, 'string');
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

test('lww: failed ops are non-events, info ops may or may not have happened, timed-out reads constrain nothing', async () => {
  const h = history([
    { process: 0, type: 'invoke', f: 'write', value: ['x', 5] },
    { process: 0, type: 'fail', f: 'write', value: ['x', 5], error: 'refused' },
    { process: 1, type: 'invoke', f: 'read', value: ['x', null] },
    { process: 1, type: 'ok', f: 'read', value: ['x', null] },
    { process: 2, type: 'invoke', f: 'write', value: ['x', 7] },
    { process: 2, type: 'info', f: 'write', value: ['x', 7], error: 'timeout' },
    { process: 3, type: 'invoke', f: 'read', value: ['x', null] },
    { process: 3, type: 'info', f: 'read', value: ['x', null], error: 'timeout' },
    { process: 4, type: 'invoke', f: 'read', value: ['x', null] },
    { process: 4, type: 'ok', f: 'read', value: ['x', 7] },
    { process: 5, type: 'invoke', f: 'cas', value: ['x', [7, 8]] },
    { process: 5, type: 'fail', f: 'cas', value: ['x', [7, 8]] },
    { process: 6, type: 'invoke', f: 'read', value: ['x', null] },
    { process: 6, type: 'ok', f: 'read', value: ['x', 7] },
  ]);
  const { ops, problems } = lwwOpsFromHistory(h);
  assert.deepEqual(problems, []);
  assert.equal(ops.length, 4); // the failed write, the timed-out read and the failed cas are gone
  assert.equal(ops.filter((o) => o.ret === Infinity).length, 1);
  assert.equal((await linearizabilityChecker(h, ctx)).valid, true);
  // a read of 5 is impossible: the write of 5 failed, so it never happened
  const withPhantom = [...h, ...history([
    { process: 7, type: 'invoke', f: 'read', value: ['x', null] },
    { process: 7, type: 'ok', f: 'read', value: ['x', 5] },
  ]).map((o) => ({ ...o, index: o.index + h.length }))];
  assert.equal((await linearizabilityChecker(withPhantom, ctx)).valid, false);
});

test('lww: cas that took effect moves the register; objects as values compare by content', async () => {
  const h = history([
    { process: 0, type: 'invoke', f: 'write', value: [1, { a: 1 }] },
    { process: 0, type: 'ok', f: 'write', value: [1, { a: 1 }] },
    { process: 1, type: 'invoke', f: 'cas', value: [1, [{ a: 1 }, 2]] },
    { process: 1, type: 'ok', f: 'cas', value: [1, [{ a: 1 }, 2]] },
    { process: 2, type: 'invoke', f: 'read', value: [1, null] },
    { process: 2, type: 'ok', f: 'read', value: [1, 2] },
  ]);
  assert.equal((await linearizabilityChecker(h, ctx)).valid, true);
});

test('lww: a malformed op gives "unknown" with the reason instead of a guess or a throw', async () => {
  const h = history([
    { process: 0, type: 'invoke', f: 'write', value: 'x=1' },
    { process: 0, type: 'ok', f: 'write', value: 'x=1' },
  ]);
  const r = await linearizabilityChecker(h, ctx);
  assert.equal(r.valid, 'unknown');
  assert.match(String(r.reason), /not \[key, v\]/);
});

test('history.jsonl reader: same ops as from the parsed history; a torn last line is tolerated', () => {
  const text = staleReadAfterPartition.map((o) => JSON.stringify(o)).join('\n') + '\n{"index":13,"ti';
  const fromText = readHistoryJsonl(text);
  assert.deepEqual(fromText.problems, []);
  assert.deepEqual(fromText.ops, lwwOpsFromHistory(staleReadAfterPartition).ops);
  const torn = readHistoryJsonl('{"bad\n' + text);
  assert.equal(torn.problems.length, 1);
});

test('lww: long maep-like histories with a partition, timeouts and stale reads are decided invalid, never left unknown', async () => {
  const { maepLikeHistory } = await import('./maep-like.ts');
  for (const seed of [1, 2, 3]) {
    const h = maepLikeHistory(seed, 3000);
    const r = await linearizabilityChecker(h, { ...ctx, options: { linTimeoutMs: 30_000 } });
    assert.equal(r.valid, false, `seed ${seed}: ${r.summary}`);
    assert.ok((r.partitions as any[])[0].couldNotPlace.length > 0);
  }
});

test('lww: the same kind of history against a single replica (timeouts included) is linearizable', async () => {
  const { maepLikeHistory } = await import('./maep-like.ts');
  for (const seed of [4, 5]) {
    const h = maepLikeHistory(seed, 3000, { replicas: 1 });
    assert.ok(h.some((o) => o.type === 'info'), 'the history has timeouts');
    const r = await linearizabilityChecker(h, { ...ctx, options: { linTimeoutMs: 30_000 } });
    assert.equal(r.valid, true, `seed ${seed}: ${r.summary}`);
  }
});
