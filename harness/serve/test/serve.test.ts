/** The run browser: listRuns order and verdicts, the HTTP routes, and the index in Chromium. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { bankRun, lwwRun } from '../../report/test/fixtures.ts';
import { chromiumMissing, withPage } from '../../report/test/browser.ts';
import { listRuns, serve } from '../index.ts';

/** A store with four runs, each started an hour after the previous one. */
function makeStore(t: { onTestFinished: (f: () => void) => void }) {
  const store = mkdtempSync(join(tmpdir(), 'serve-store-'));
  t.onTestFinished(() => rmSync(store, { recursive: true, force: true }));
  bankRun(join(store, 'bank-partition', '20261120T100000000'), { startedAt: '2026-11-20T10:00:00.000Z' });
  lwwRun(join(store, 'lww-partition', '20261120T110000000'), { startedAt: '2026-11-20T11:00:00.000Z' });
  lwwRun(join(store, 'lww-partition', '20261120T120000000'), { startedAt: '2026-11-20T12:00:00.000Z', valid: true });
  bankRun(join(store, 'bank-partition', '20261120T130000000'), { startedAt: '2026-11-20T13:00:00.000Z', results: false, truncate: true });
  mkdirSync(join(store, 'bank-partition', 'not-a-run'));
  symlinkSync('bank-partition/20261120T130000000', join(store, 'latest'));
  return store;
}

const ORDER = ['bank-partition/20261120T130000000', 'lww-partition/20261120T120000000', 'lww-partition/20261120T110000000', 'bank-partition/20261120T100000000'];

test('listRuns: newest first, verdicts from results.json, non-runs skipped', (t) => {
  const store = makeStore(t);
  const runs = listRuns(store);
  assert.deepEqual(runs.map((r) => r.id), ORDER);
  assert.deepEqual(runs.map((r) => r.verdict), ['no-results', 'unexpected', 'unknown', 'expected']);
  assert.equal(runs[3].workload, 'bank');
  assert.equal(runs[3].durationS, 24);
  assert.deepEqual(listRuns(join(store, 'missing')), []);
});

function get(url: string): Promise<{ status: number; type: string; body: string; location?: string }> {
  return new Promise((ok, fail) => {
    // raw path (no URL normalisation) so traversal attempts reach the server as sent
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: url.slice(u.origin.length), method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode!, type: String(res.headers['content-type']), body, location: res.headers.location }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('HTTP routes: index, report on demand, run files, nothing outside the store', async (t) => {
  const store = makeStore(t);
  const s = await serve({ store, port: 0 });
  t.onTestFinished(() => s.close());
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const index = await get(s.url);
  assert.equal(index.status, 200);
  assert.match(index.body, /4 of 4 runs/);
  const filtered = await get(`${s.url}?workload=lww&verdict=unexpected`);
  assert.match(filtered.body, /1 of 4 runs/);

  const run = 'runs/bank-partition/20261120T100000000';
  assert.equal(existsSync(join(store, 'bank-partition', '20261120T100000000', 'report.html')), false);
  const rep = await get(`${s.url}${run}/report.html`);
  assert.equal(rep.status, 200);
  assert.match(rep.type, /text\/html/);
  assert.match(rep.body, /id="verdict"/);
  assert.ok(existsSync(join(store, 'bank-partition', '20261120T100000000', 'report.html')), 'generated on demand');
  assert.equal((await get(`${s.url}${run}/`)).location, `/${run}/report.html`);
  const hist = await get(`${s.url}${run}/history.jsonl`);
  assert.equal(hist.status, 200);
  assert.match(hist.body.split('\n')[0], /"index":0/);
  assert.equal((await get(`${s.url}${run}/nodes/n1.log`)).body, 'n1 up\n');

  for (const bad of [`${run}/../../../etc/passwd`, `${run}/%2e%2e/%2e%2e/x`, 'runs/..%2f..%2f/etc/passwd', 'runs/bank-partition/nope/report.html', 'etc/passwd']) {
    const r = await get(`${s.url}${bad}`);
    assert.ok(r.status === 404 || r.status === 400, `${bad} → ${r.status}`);
  }
});

test('a port in use gives one clear error', async (t) => {
  const store = makeStore(t);
  const a = await serve({ store, port: 0 });
  t.onTestFinished(() => a.close());
  const port = Number(new URL(a.url).port);
  await assert.rejects(serve({ store, port }), /port \d+ on 127\.0\.0\.1 is already in use; pick another with --port/);
});

test('index in Chromium: newest first, filters, opening a report', { skip: !!(chromiumMissing()) }, async (t) => {
  const store = makeStore(t);
  const s = await serve({ store, port: 0 });
  t.onTestFinished(() => s.close());
  await withPage(async ({ page, errors, requests }) => {
    await page.goto(s.url);
    const ids = () => page.$$eval('#runs tbody tr', (trs) => trs.map((r) => r.getAttribute('data-id')));
    assert.deepEqual(await ids(), ORDER);
    assert.deepEqual(await page.$$eval('#runs tbody tr td.verdict', (tds) => tds.map((td) => td.textContent!.trim())),
      ['■ no results: the run did not finish', '✗ 1 UNEXPECTED result of 2 checks', '? 1 of 2 checks could not decide (unknown)', '✓ all 2 checks as expected']);
    await page.screenshot({ path: join(store, 'index.png'), fullPage: true });

    await Promise.all([page.waitForURL(/workload=lww/), page.selectOption('#f-workload', 'lww')]);
    assert.deepEqual(await ids(), [ORDER[1], ORDER[2]]);
    await Promise.all([page.waitForURL(/verdict=unknown/), page.selectOption('#f-verdict', 'unknown')]);
    assert.deepEqual(await ids(), [ORDER[2]]);
    await Promise.all([page.waitForURL(/workload=&/), page.selectOption('#f-workload', '')]);
    assert.deepEqual(await ids(), [ORDER[2]], 'verdict filter alone');

    await Promise.all([page.waitForURL(/report\.html$/), page.click(`#runs tbody tr[data-id="${ORDER[2]}"] a`)]);
    await page.waitForFunction(() => window.__report?.ready === true);
    assert.ok(await page.$('#counterexample svg'));
    assert.ok(await page.$('#plot-latency canvas'));
    // the report's relative links resolve inside the run
    await Promise.all([page.waitForURL(/results\.json$/), page.click('#files a[href="./results.json"]')]);
    assert.match(await page.textContent('body') ?? '', /"checkers"/);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith(s.url)), [], 'only the local server');
  });
});
