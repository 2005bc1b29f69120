import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Cell } from '../matrix.ts';
import { nightlyExitCode, renderSummaryHtml, statusFromExit, trendRows, type CellOutcome, type CellStatus, type NightlySummary } from '../summary.ts';

const cell = (id: string, fresh = false): Cell => ({ id, workload: 'bank', nemesis: 'none', runtime: 'local', seed: 1, fresh, args: [] });
const outcome = (id: string, status: CellStatus, fresh = false): CellOutcome => ({
  cell: cell(id, fresh),
  status,
  run: { exitCode: status === 'passed' ? 0 : status === 'unexpected' ? 1 : status === 'unknown' ? 2 : 255, durationS: 1, checkers: [] },
});
const summary = (id: string, cells: CellOutcome[]): NightlySummary => ({
  id, startedAt: 's', endedAt: 'e', matrixFile: 'm.yaml', cells, skippedRuntimes: [], budgetSkipped: [],
});
const statusArb = fc.constantFrom<CellStatus>('passed', 'unexpected', 'unknown', 'error');

test('exit codes follow the harness: 0 → passed, 1 → unexpected, 2 → unknown, anything else → error', () => {
  assert.equal(statusFromExit(0), 'passed');
  assert.equal(statusFromExit(1), 'unexpected');
  assert.equal(statusFromExit(2), 'unknown');
  assert.equal(statusFromExit(254), 'error');
  assert.equal(statusFromExit(null), 'error');
});

test('nightly exit: 1 if any cell failed unexpectedly or crashed, else 2 if any unknown, else 0', () => {
  fc.assert(fc.property(fc.array(statusArb), (sts) => {
    const code = nightlyExitCode(summary('d', sts.map((s, i) => outcome(`c${i}`, s))));
    const expected = sts.some((s) => s === 'unexpected' || s === 'error') ? 1 : sts.includes('unknown') ? 2 : 0;
    assert.equal(code, expected);
  }));
});

test('trend: new unexpected failures come first and changes are flagged against the previous nightly', () => {
  fc.assert(fc.property(fc.array(fc.tuple(statusArb, fc.option(statusArb)), { minLength: 1, maxLength: 12 }), (pairs) => {
    const cur = summary('d2', pairs.map(([s], i) => outcome(`c${i}`, s)));
    const prev = summary('d1', pairs.flatMap(([, p], i) => (p === null ? [] : [outcome(`c${i}`, p)])));
    const rows = trendRows(cur, prev);
    assert.equal(rows.length, pairs.length);
    const firstOld = rows.findIndex((r) => !r.newFailure);
    if (firstOld >= 0) assert.ok(rows.slice(firstOld).every((r) => !r.newFailure), 'new failures are a prefix');
    for (const r of rows) {
      const i = Number(r.cell.id.slice(1));
      const [now, before] = pairs[i]!;
      assert.equal(r.previous, before ?? undefined);
      assert.equal(r.changed, before !== null && before !== now);
      const bad = (s: CellStatus | null) => s === 'unexpected' || s === 'error';
      assert.equal(r.newFailure, bad(now) && !bad(before));
    }
  }));
});

test('fresh-seed cells are never compared with the previous night', () => {
  const rows = trendRows(summary('d2', [outcome('x', 'unexpected', true)]), summary('d1', [outcome('x', 'unexpected', true)]));
  assert.equal(rows[0]!.previous, undefined);
  assert.equal(rows[0]!.newFailure, true);
});

test('the summary page labels each status in words, links reports and says whether a rerun reproduced', () => {
  const failing = outcome('bank-none-local-s1', 'unexpected');
  failing.run.runDir = 'cells/bank-none-local-s1/bank-none/20260101T000000000';
  failing.rerun = { exitCode: 1, durationS: 2, checkers: [], reproduced: true };
  const html = renderSummaryHtml(summary('d2', [outcome('lww-none-local-s1', 'passed'), failing]), summary('d1', [outcome('bank-none-local-s1', 'passed')]));
  assert.match(html, /✘ UNEXPECTED/);
  assert.match(html, /✔ as expected/);
  assert.match(html, /href="cells\/bank-none-local-s1\/bank-none\/20260101T000000000\/report.html"/);
  assert.match(html, /<strong>reproduced<\/strong>/);
  assert.match(html, /changed<\/strong>: passed → unexpected/);
  // the new failure is the first row
  assert.ok(html.indexOf('data-cell="bank-none-local-s1"') < html.indexOf('data-cell="lww-none-local-s1"'));
});
