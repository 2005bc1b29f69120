import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { bankRun, lwwRun } from './fixtures.ts';
import { buildReportData, readRun, renderReport } from '../index.ts';
import { reportData } from '../index.ts';
import { readRunInfo } from '../read-run.ts';
import { buildReportDataStreaming } from '../stream-model.ts';

/**
 * Issue #20: a big history's report is built in one streaming pass (stream-model.ts) without
 * keeping its ops. Its aggregates must be the in-memory ones, and a sampled timeline must say so.
 */
function withDir(f: (dir: string) => Promise<void>) {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-stream-report-'));
    try { await f(root); } finally { rmSync(root, { recursive: true, force: true }); }
  };
}

test('streamed = in memory, field for field, when nothing needs sampling (bank with a torn tail, lww)', withDir(async (root) => {
  for (const [i, build] of [(d: string) => bankRun(d, { ops: 3000, seed: 5, truncate: true }), (d: string) => lwwRun(d)].entries()) {
    const dir = join(root, `run${i}`);
    build(dir);
    const whole = buildReportData(await readRun(dir));
    const streamed = await buildReportDataStreaming(await readRunInfo(dir), { chunkBytes: 4096 });
    assert.deepEqual(streamed, whole);
    assert.equal(streamed.timeline.sampled, undefined);
    // writeReport's choice: above the size the streamed path is taken, below the whole one
    assert.deepEqual(await reportData(dir, { sampleAbove: 0 }), whole);
    assert.deepEqual(await reportData(dir), whole);
  }
}));

test('a sampled history keeps exact aggregates, keeps every fail/info/pending op within budget, and the page says it is sampled', withDir(async (root) => {
  const b = bankRun(join(root, 'run'), { ops: 6000, seed: 9 });
  const whole = buildReportData(await readRun(b.dir));
  const s = await buildReportDataStreaming(await readRunInfo(b.dir), { timelineSample: 1500 });
  for (const k of ['meta', 'faults', 'latency', 'quantiles', 'quantilesOverTime', 'throughput', 'bank', 'convergence', 'lost', 'spanS'] as const) {
    assert.deepEqual(s[k], whole[k], k);
  }
  const tl = s.timeline;
  assert.ok(tl.sampled, 'the timeline is marked sampled');
  assert.equal(tl.total, b.counts.clientOps);
  assert.equal(tl.sampled!.total, b.counts.clientOps);
  assert.equal(tl.sampled!.shown, tl.start.length);
  assert.ok(tl.start.length <= 1500 && tl.start.length >= 700, `${tl.start.length} ops shipped`);
  const notOk = b.counts.fail + b.counts.info + b.counts.pending;
  assert.ok(notOk <= 750, 'the fixture has fewer non-ok ops than their half of the budget');
  assert.equal(tl.type.filter((t) => t !== 0).length, notOk, 'every fail, info and pending op is on the timeline');
  assert.ok(tl.sampled!.okEvery > 1 && tl.sampled!.otherEvery === 1);
  const html = renderReport(s);
  assert.ok(html.includes(`id="timeline-sampled">Sampled: this history has ${b.counts.clientOps} client ops`), 'the timeline says it is a sample');
  assert.match(html, /per-op detail sampled/);
  assert.doesNotMatch(renderReport(whole), /timeline-sampled/);
}));
