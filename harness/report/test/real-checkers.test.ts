/**
 * The report against the real checkers' output shapes (checkers/linearizability, convergence), so
 * a change on either side shows up here rather than as a blank section in someone's report.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Op } from '../../../api/history.ts';
import { matches, type CheckerOutcome, type CheckResult } from '../../../api/checker.ts';
import { linearizabilityChecker } from '../../../checkers/linearizability/index.ts';
import { convergenceChecker } from '../../../checkers/convergence.ts';
import { renderCounterexamples } from '../counterexample.ts';
import { buildReportData } from '../model.ts';
import { readRun } from '../read-run.ts';
import { bankRun } from './fixtures.ts';

function outcome(name: string, r: CheckResult, expected: CheckerOutcome['expected']): CheckerOutcome {
  return { name, valid: r.valid, expected, why: '', matched: matches(r.valid, expected), result: r, elapsedMs: 1 };
}

test('linearizability counterexample from the real checker is drawn', async () => {
  // p0 writes 1 (done), then p1 reads null: a stale read no order explains
  const ops: Op[] = [
    { index: 0, time: 1e6, type: 'invoke', process: 0, f: 'write', value: ['k', 1], node: 'n1' },
    { index: 1, time: 2e6, type: 'ok', process: 0, f: 'write', value: ['k', 1], node: 'n1' },
    { index: 2, time: 3e6, type: 'invoke', process: 1, f: 'read', value: ['k', null], node: 'n2' },
    { index: 3, time: 4e6, type: 'ok', process: 1, f: 'read', value: ['k', null], node: 'n2' },
  ];
  const r = await linearizabilityChecker(ops, { nodes: ['n1', 'n2'], workload: {} });
  assert.equal(r.valid, false);
  const html = renderCounterexamples([outcome('linearizability', r, 'invalid')]);
  const part = (r.partitions as { longestLinearization: unknown[]; couldNotPlace: { id: number }[] }[])[0];
  assert.match(html, /id="counterexample"/);
  assert.equal((html.match(/class="cx-lin"/g) ?? []).length, part.longestLinearization.length);
  assert.equal((html.match(/class="cx-stuck"/g) ?? []).length, part.couldNotPlace.length);
  assert.match(html, /process 0/);
  assert.match(html, /process 1/);
  assert.doesNotMatch(html, /other fields/, 'every field of the evidence is understood');
  const ok = await linearizabilityChecker(ops.slice(0, 2), { nodes: ['n1'], workload: {} });
  assert.equal(renderCounterexamples([outcome('linearizability', ok, 'invalid')]), '');
});

test('convergence times in the report are the convergence checker\'s', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'report-conv-'));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const b = bankRun(join(dir, 'run'));
  const input = await readRun(b.dir);
  const r = await convergenceChecker(input.ops, { nodes: ['n1', 'n2', 'n3', 'n4', 'n5'], workload: {} });
  assert.equal(r.valid, true);
  writeFileSync(join(b.dir, 'results.json'), JSON.stringify({ valid: true, checkers: [outcome('convergence', r, 'valid')] }));
  const d = buildReportData(await readRun(b.dir));
  const at = r.convergedAtS as Record<string, number>, heal = r.healS as number;
  for (const n of d.convergence!.nodes) assert.ok(Math.abs(n.afterHealS! - (at[n.node] - heal)) < 1e-3, n.node);
});
