/**
 * Opens generated reports in headless Chromium over file:// and checks what a reader would:
 * no console errors, no network, the verdict rows, each plot drawn with the right counts, the
 * counterexample present only when linearizability failed. Screenshots go into the run folder.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bankRun, lwwRun } from './fixtures.ts';
import { writeReport } from '../index.ts';
import { chromiumMissing, withPage } from './browser.ts';

const skip = chromiumMissing();
const KEEP = process.env.REPORT_TEST_KEEP; // set to a folder to keep the runs for a look

function tmp(t: { onTestFinished: (f: () => void) => void }): string {
  if (KEEP) return KEEP;
  const d = mkdtempSync(join(tmpdir(), 'report-browser-'));
  t.onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('bank report with a partition opens cleanly with every plot', { skip: !!skip }, async (t) => {
  const b = bankRun(join(tmp(t), 'bank'));
  const path = await writeReport(b.dir);
  await withPage(async ({ page, errors, requests }) => {
    await page.goto(pathToFileURL(path).href);
    await page.waitForFunction(() => window.__report?.ready === true);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), [], 'no network');

    assert.equal(await page.textContent('#test-name'), 'bank-partition');
    assert.match(await page.textContent('#repro') ?? '', /npm run jepsen -- --workload bank --nemesis partition --seed 7/);
    assert.equal(await page.getAttribute('#verdict .banner', 'data-verdict'), 'expected');
    const rows = await page.$$eval('#verdict tbody tr', (trs) => trs.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-matched')]));
    assert.deepEqual(rows, [['bank', 'expected'], ['convergence', 'expected']]);
    assert.equal(await page.$('#counterexample'), null);

    for (const id of ['plot-latency', 'plot-quantiles', 'plot-throughput', 'plot-bank', 'plot-convergence']) {
      assert.ok(await page.$(`#${id} canvas`), `${id} has a canvas`);
    }
    // the throughput chart's buckets add back up to the generated counts
    const sums = await page.evaluate(() => {
      const u = window.__report.charts.throughput;
      const span = JSON.parse(document.getElementById('report-data')!.textContent!).spanS as number;
      const t = u.data[0] as number[];
      // the last bucket is partial (no named inner functions here: tsx would inject __name)
      return [1, 2, 3].map((i) => Math.round((u.data[i] as number[]).reduce((a, x, k) => a + x * Math.min(t[1] - t[0], span - t[k]), 0)));
    });
    assert.deepEqual(sums, [b.counts.ok - b.counts.finalReads, b.counts.fail, b.counts.info], 'final reads are not throughput');
    // latency scatter holds every completed op (small run: no sampling)
    const points = await page.evaluate(() => window.__report.charts.latency.data.slice(1).reduce((a, s) => a + (s as (number | null)[]).filter((v) => v != null).length, 0));
    assert.equal(points, b.counts.ok + b.counts.fail + b.counts.info);
    assert.equal(await page.$$eval('#fault-table tbody tr', (r) => r.length), b.faults);
    assert.equal(await page.$$eval('#convergence-table tbody tr', (r) => r.length), 5);

    // timeline: whole run visible by default, every client op drawn; a tap shows details
    const tl = await page.evaluate(() => window.__report.timeline);
    assert.equal(tl.drawn, b.counts.clientOps);
    assert.match(await page.textContent('#tl-count') ?? '', new RegExp(`showing ${b.counts.clientOps} of ${b.counts.clientOps}`));
    const box = (await page.$('#timeline canvas'))!;
    await box.scrollIntoViewIfNeeded();
    const bb = (await box.boundingBox())!;
    // scan the first lane for a bar and tap it
    let shown = '';
    for (let x = 70; x < bb.width && !shown.startsWith('process'); x += 3) {
      await page.mouse.click(bb.x + x, bb.y + 10);
      shown = await page.textContent('#tl-detail') ?? '';
    }
    assert.match(shown, /^process 0 · (read|transfer) · /);
    // a narrower window draws fewer ops
    await page.selectOption('#tl-width', '1');
    const narrow = await page.evaluate(() => window.__report.timeline.drawn);
    assert.ok(narrow > 0 && narrow < b.counts.clientOps, `window of 1 s draws ${narrow}`);
    await page.selectOption('#tl-width', { index: (await page.$$('#tl-width option')).length - 1 });

    await page.screenshot({ path: join(b.dir, 'report.png'), fullPage: true });
    assert.ok(statSync(join(b.dir, 'report.png')).size > 10000);
  });
});

test('lww report shows the counterexample, unexpected results first', { skip: !!skip }, async (t) => {
  const root = tmp(t);
  const bad = lwwRun(join(root, 'lww-bad'));
  const good = lwwRun(join(root, 'lww-good'), { valid: true });
  const crashed = bankRun(join(root, 'crashed'), { results: false, truncate: true });
  for (const b of [bad, good, crashed]) await writeReport(b.dir);
  const empty = join(root, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'test.json'), JSON.stringify({ name: 'bank-kill', workload: 'bank', nemesis: 'kill', startedAt: '2026-11-20T10:00:00.000Z' }));
  await withPage(async ({ page, errors }) => {
    await page.goto(pathToFileURL(join(bad.dir, 'report.html')).href);
    await page.waitForFunction(() => window.__report?.ready === true);
    assert.equal(await page.getAttribute('#verdict .banner', 'data-verdict'), 'unknown', 'convergence unknown, linearizability failed as expected');
    assert.ok(await page.$('#counterexample svg.cx-svg'));
    assert.equal(await page.$$eval('#counterexample .cx-lin', (e) => e.length), 2);
    assert.equal(await page.$$eval('#counterexample .cx-stuck', (e) => e.length), 1);
    assert.match(await page.textContent('#counterexample .stuck') ?? '', /read → 3.*impossible when the state is 5/s);
    assert.ok(await page.$('#plot-latency canvas'));
    assert.equal(await page.$('#plot-bank'), null);
    await page.locator('#counterexample').screenshot({ path: join(bad.dir, 'counterexample.png') });
    await page.screenshot({ path: join(bad.dir, 'report.png'), fullPage: true });

    await page.goto(pathToFileURL(join(good.dir, 'report.html')).href);
    await page.waitForFunction(() => window.__report?.ready === true);
    assert.equal(await page.$('#counterexample'), null);
    assert.equal(await page.getAttribute('#verdict .banner', 'data-verdict'), 'unexpected');
    assert.match(await page.textContent('#verdict .banner') ?? '', /1 UNEXPECTED result/);
    const first = await page.$eval('#verdict tbody tr', (r) => [r.getAttribute('data-check'), r.querySelector('.matched')!.textContent]);
    assert.deepEqual(first, ['linearizability', '✗ UNEXPECTED']);
    await page.screenshot({ path: join(good.dir, 'report.png'), fullPage: true });

    await page.goto(pathToFileURL(join(crashed.dir, 'report.html')).href);
    await page.waitForFunction(() => window.__report?.ready === true);
    assert.match(await page.textContent('#verdict .banner') ?? '', /no results: the run did not finish/);
    assert.ok(await page.$('#plot-throughput canvas'));
    // a run killed before its first op: only test.json
    await page.goto(pathToFileURL(await writeReport(empty)).href);
    await page.waitForFunction(() => window.__report?.ready === true);
    assert.match(await page.textContent('#plot-latency') ?? '', /no completed client operations/);
    assert.deepEqual(errors, []);
    assert.ok(existsSync(join(bad.dir, 'counterexample.png')));
  });
});
