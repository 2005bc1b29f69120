import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bankRun, lwwRun } from './fixtures.ts';
import { readRun, NotARunError } from '../read-run.ts';
import { buildReportData, commandLine } from '../model.ts';
import { renderReport } from '../render.ts';
import { bucketWidth, quantile, latencySample } from '../stats.ts';
import { pairOps, timeline } from '../../../checkers/index.ts';
import { describeFault, faultPeriods } from '../faults.ts';
import { timelineData } from '../timeline-data.ts';
import { orderCheckers } from '../verdict.ts';
import type { Op } from '../../../api/history.ts';

function tmp(t: { onTestFinished: (f: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'report-model-'));
  t.onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('bank run: counts, faults, bank series and convergence come out of the history', async (t) => {
  const b = bankRun(join(tmp(t), 'run'));
  const d = buildReportData(await readRun(b.dir));
  // throughput is the workload's: final reads (all ok here) are not in it
  assert.deepEqual(d.throughput.totals, { ok: b.counts.ok - b.counts.finalReads, fail: b.counts.fail, info: b.counts.info, pending: b.counts.pending });
  assert.equal(d.timeline.total, b.counts.clientOps);
  assert.equal(d.faults.periods.length, 1);
  assert.equal(d.faults.periods[0].label, 'halves: n1 n2 | n3 n4 n5');
  assert.ok(d.faults.healAt !== null && d.faults.healAt > d.faults.periods[0].end);
  assert.ok(d.bank && d.bank.reads > 0);
  assert.ok(d.bank!.total.every((x) => x === 50), 'every read sums to the initial total');
  assert.equal(d.bank!.finals.length, 5);
  assert.ok(d.convergence!.agreed);
  const n3 = d.convergence!.nodes.find((n) => n.node === 'n3')!;
  const n1 = d.convergence!.nodes.find((n) => n.node === 'n1')!;
  assert.ok(n3.afterHealS! > n1.afterHealS!, 'n3 caught up one round later');
  // throughput buckets add back up to the totals
  const w = (i: number) => Math.min(d.throughput.bucketS, d.spanS - d.throughput.t[i]); // last bucket is partial
  const sum = (a: number[]) => Math.round(a.reduce((x, y, i) => x + y * w(i), 0));
  assert.equal(sum(d.throughput.ok), b.counts.ok - b.counts.finalReads);
  assert.equal(sum(d.throughput.fail), b.counts.fail);
});

test('a truncated last line is dropped and flagged; a crashed run has no results', async (t) => {
  const b = bankRun(join(tmp(t), 'run'), { truncate: true, results: false });
  const input = await readRun(b.dir);
  assert.equal(input.truncatedTail, true);
  assert.equal(input.skippedLines, 1);
  assert.equal(input.results, null);
  const html = renderReport(buildReportData(input));
  assert.match(html, /no results: the run did not finish/);
  assert.match(html, /last line of history\.jsonl was cut off/);
});

test('a folder that is not a run gives one clear error', async (t) => {
  const d = tmp(t);
  await assert.rejects(readRun(join(d, 'nope')), (e: Error) => e instanceof NotARunError && /does not exist/.test(e.message));
  mkdirSync(join(d, 'empty'));
  await assert.rejects(readRun(join(d, 'empty')), /has no test\.json/);
  writeFileSync(join(d, 'empty', 'test.json'), '{not json');
  await assert.rejects(readRun(join(d, 'empty')), /not valid JSON/);
});

test('counterexample section appears only for an invalid linearizability result', async (t) => {
  const root = tmp(t);
  const bad = renderReport(buildReportData(await readRun(lwwRun(join(root, 'bad')).dir)));
  const good = renderReport(buildReportData(await readRun(lwwRun(join(root, 'good'), { valid: true }).dir)));
  assert.match(bad, /id="counterexample"/);
  assert.match(bad, /class="cx-stuck" data-op="1"/);
  assert.match(bad, /searchStats/, 'unknown fields are shown as JSON');
  assert.doesNotMatch(good, /id="counterexample"/);
});

test('the page is self-contained and script-safe', async (t) => {
  const b = lwwRun(join(tmp(t), 'run'));
  const input = await readRun(b.dir);
  input.test.name = 'evil</script><script>alert(1)</script>';
  const html = renderReport(buildReportData(input));
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link[^>]+href="http/i);
  assert.doesNotMatch(html, /<script>alert\(1\)/);
});

test('helpers', () => {
  assert.equal(commandLine(['npm', 'run', 'jepsen', '--', '--node-args', '--a b', "it's"]), `npm run jepsen -- --node-args '--a b' 'it'\\''s'`);
  assert.equal(bucketWidth(20), 0.1);
  assert.equal(bucketWidth(600), 5);
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
  assert.equal(quantile([1, 2, 3, 4], 1), 4);
  assert.equal(describeFault({ nodes: ['n2'] }), 'n2');
  assert.equal(describeFault('n1 paused'), 'n1 paused');
  const order = orderCheckers([
    { name: 'a', valid: true, expected: 'valid', why: '', matched: true, result: { valid: true }, elapsedMs: 1 },
    { name: 'b', valid: 'unknown', expected: 'valid', why: '', matched: false, result: { valid: 'unknown' }, elapsedMs: 1 },
    { name: 'c', valid: false, expected: 'valid', why: '', matched: false, result: { valid: false }, elapsedMs: 1 },
  ]).map((c) => c.name);
  assert.deepEqual(order, ['c', 'b', 'a']);
});

test('latency sample keeps every fail/info and stays within budget', () => {
  const ops: Op[] = [];
  for (let i = 0; i < 3000; i++) {
    ops.push({ index: ops.length, time: i * 1e6, type: 'invoke', process: i % 4, f: 'read', value: null });
    ops.push({ index: ops.length, time: i * 1e6 + 5e5, type: i % 100 === 0 ? 'fail' : 'ok', process: i % 4, f: 'read', value: null });
  }
  const s = latencySample(timeline(ops).ops, 500);
  assert.equal(s.t.length, 500);
  assert.equal(s.type.filter((x) => x === 1).length, 30);
  assert.equal(s.total, 3000);
  assert.ok(s.sampled);
});

test('timeline lanes: per process, or per worker once retired processes pile up', () => {
  const ops: Op[] = [];
  // 3 workers; every op ends info, so each worker's process id grows by 3 each time
  for (let i = 0; i < 60; i++) {
    const w = i % 3, p = w + 3 * Math.floor(i / 3);
    ops.push({ index: ops.length, time: i * 1e7, type: 'invoke', process: p, f: 'write', value: [0, i] });
    ops.push({ index: ops.length, time: i * 1e7 + 5e6, type: 'info', process: p, f: 'write', value: [0, i], error: 'timeout' });
  }
  const few = timelineData(pairOps(ops.slice(0, 40)), 1, 3);
  assert.equal(few.laneBy, 'process');
  assert.equal(few.lanes.length, 20);
  const many = timelineData(pairOps(ops), 1, 3);
  assert.equal(many.laneBy, 'worker');
  assert.deepEqual(many.lanes, ['w0', 'w1', 'w2']);
  assert.equal(many.proc.length, 60);
  assert.equal(many.lane[many.proc.indexOf(59)], 59 % 3);
});

test('bank series: a large run is bucketed and still shows a single overdraft', async (t) => {
  const b = bankRun(join(tmp(t), 'run'), { ops: 12000, durationS: 60, overdraft: true });
  const d = buildReportData(await readRun(b.dir));
  const bank = d.bank!;
  assert.ok(bank.reads > 2000);
  assert.ok(bank.bucketS !== null && bank.t.length < bank.reads);
  assert.equal(bank.lowest, -3);
  assert.equal(Math.min(...bank.min), -3, 'the dip survives bucketing');
  assert.ok(bank.totalHigh!.every((hi, i) => hi >= bank.total[i]));
});

test('fault periods from the nemesis info/info pairs (and from invoke/info), closed by stop or the heal marker', () => {
  const comp = { shape: 'halves', components: [['n1', 'n2'], ['n3']] };
  const mk = (first: 'info' | 'invoke'): Op[] => [
    { index: 0, time: 1e9, type: first, process: 'nemesis', f: 'start-partition', value: comp },
    { index: 1, time: 1.1e9, type: 'info', process: 'nemesis', f: 'start-partition', value: comp },
    { index: 2, time: 3e9, type: first, process: 'nemesis', f: 'start-pause', value: { nodes: ['n3'] } },
    { index: 3, time: 3.1e9, type: 'info', process: 'nemesis', f: 'start-pause', value: { nodes: ['n3'] } },
    { index: 4, time: 4e9, type: first, process: 'nemesis', f: 'stop-partition', value: null },
    { index: 5, time: 4.2e9, type: 'info', process: 'nemesis', f: 'stop-partition', value: null },
    // the harness records the heal as one line (harness/runner/run-test.ts)
    { index: 6, time: 6e9, type: 'info', process: 'nemesis', f: 'heal', value: null },
    { index: 7, time: 6.5e9, type: first, process: 'nemesis', f: 'start-kill', value: { nodes: ['n1'] } },
  ];
  for (const first of ['info', 'invoke'] as const) {
    const f = faultPeriods(timeline(mk(first)));
    assert.deepEqual(f.periods.map((p) => [p.kind, p.start, p.end, p.label, p.open]), [
      ['partition', 1, 4.2, 'halves: n1 n2 | n3', false],
      ['pause', 3, 6, 'n3', false],
      ['kill', 6.5, 6.5, 'n1', true],
    ], first);
    assert.equal(f.healAt, 6);
  }
});
