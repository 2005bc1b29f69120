import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HistoryBuilder } from './history-builder.ts';
import { setFullChecker } from '../set-full.ts';
import { lostRows } from '../../harness/report/lost.ts';

const ctx = { nodes: ['n1', 'n2'], workload: {} };

/** a run of adds with the given outcomes, a partition around the middle, and final reads holding `present` */
function run(outcomes: readonly ('ok' | 'fail' | 'info')[], present: (v: number) => boolean) {
  const h = new HistoryBuilder();
  outcomes.forEach((type, i) => {
    if (i === Math.floor(outcomes.length / 2)) h.nemesis('start-partition', [['n1'], ['n2']]);
    h.op(i % 3, 'add', type, i + 1, i + 1, 'n1');
  });
  h.nemesis('stop-partition').line('info', 'nemesis', 'heal', null);
  const elements = outcomes.map((_, i) => i + 1).filter((v) => outcomes[v - 1] !== 'fail' && present(v));
  return h.finalRead('n1', { elements }).finalRead('n2', { elements }).ops;
}

test('set-full: valid when every acknowledged add survives, whatever happened to unknown ones', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom('ok' as const, 'fail' as const, 'info' as const), { minLength: 1, maxLength: 40 }), fc.integer(), (outcomes, salt) => {
    const r = setFullChecker(run(outcomes, (v) => outcomes[v - 1] === 'ok' || (v + salt) % 2 === 0), ctx);
    assert.equal(r.valid, true, String(r.summary));
    assert.equal(r.lostCount, 0);
  }));
});

test('set-full: a planted lost add is found, with its ack time, node, process and the fault active then', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom('ok' as const, 'fail' as const, 'info' as const), { minLength: 2, maxLength: 40 }), fc.nat(), (outcomes, pick) => {
    const oks = outcomes.map((t, i) => (t === 'ok' ? i + 1 : 0)).filter(Boolean);
    fc.pre(oks.length > 0);
    const lostValue = oks[pick % oks.length]!;
    const r = setFullChecker(run(outcomes, (v) => v !== lostValue), ctx);
    assert.equal(r.valid, false);
    assert.equal(r.lostCount, 1);
    const l = (r.lost as any[])[0];
    assert.equal(l.value, lostValue);
    assert.equal(l.node, 'n1');
    assert.equal(l.process, (lostValue - 1) % 3);
    assert.deepEqual(l.missingOn, ['n1', 'n2']);
    const duringPartition = lostValue - 1 >= Math.floor(outcomes.length / 2);
    assert.equal(l.faults.length > 0, duringPartition, JSON.stringify(l.faults));
  }));
});

test('set-full: an element nobody added, or whose add failed, is unexpected; no final read is unknown', () => {
  const h = new HistoryBuilder().op(0, 'add', 'ok', 1).op(0, 'add', 'fail', 2);
  const bad = h.finalRead('n1', { elements: [1, 2, 99] }).finalRead('n2', { elements: [1] }).ops;
  const r = setFullChecker(bad, ctx);
  assert.equal(r.valid, false);
  assert.deepEqual((r.unexpected as any[]).map((u) => [u.value, u.reason]).sort(), [[2, 'add failed'], [99, 'never added']]);
  assert.equal(setFullChecker(new HistoryBuilder().op(0, 'add', 'ok', 1).ops, ctx).valid, 'unknown');
});

test('the report lists the lost writes of set-full and lost-writes alike', () => {
  const results = { valid: false, exitCode: 1, checkers: [
    { name: 'set-full', valid: false, expected: 'may-fail', why: '', matched: true, elapsedMs: 1, result: { valid: false, lostCount: 3, lost: [{ value: 7, process: 2, node: 'n1', ackS: 1.5, faults: ['partition'], missingOn: ['n2'] }] } },
    { name: 'lost-writes', valid: false, expected: 'may-fail', why: '', matched: true, elapsedMs: 1, result: { valid: false, lost: [{ key: '0', value: 9, process: 1, node: null, ackS: 2, faults: [], missingOn: ['n1'] }] } },
    { name: 'stats', valid: true, expected: 'valid', why: '', matched: true, elapsedMs: 1, result: { valid: true } },
  ] } as any;
  const { rows, total } = lostRows(results);
  assert.equal(total, 4);
  assert.deepEqual(rows.map((r) => [r.checker, r.key, r.value, r.node, r.faults]), [['set-full', null, 7, 'n1', ['partition']], ['lost-writes', '0', 9, null, []]]);
});

test('fault labels say what and whom in a few words', async () => {
  const { faultLabel } = await import('../faults-at.ts');
  assert.equal(faultLabel('partition', { shape: 'primary-minority', grudge: {}, components: [['n1'], ['n2', 'n3']] }), 'partition primary-minority n1 | n2,n3');
  assert.equal(faultLabel('partition', { shape: 'one-way', grudge: {}, from: ['n1'], to: ['n2', 'n3'] }), 'partition one-way n1 -/-> n2,n3');
  assert.equal(faultLabel('kill', { nodes: ['n2'] }), 'kill n2');
  assert.equal(faultLabel('heal', null), 'heal');
  assert.ok(faultLabel('clock', { offsets: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, i * 1000])) }).length <= 86);
});
