import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NightlySummary } from '../summary.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

// A tiny matrix on real local clusters: 2 workloads × 2 nemeses, plus one cell with a maep bug
// switch that must fail unexpectedly, be rerun with the same seed, and reproduce.
const MATRIX = `
workloads: [bank, lww]
nemeses: [none, partition]
runtimes: [local]
seeds: [3]
timeLimitS: 3
nodes: 3
budgetMinutes: 20
args: [--recovery-time, "3", --nemesis-interval, "1", --rate, "40"]
extraCells:
  # pushes are lost only when a partition outlasts the failure detector (shorter cuts are delivered
  # late, as TCP would), so the bug cell runs 8 s, long enough for several such partitions
  - { name: bug-no-anti-entropy, workload: history, nemesis: partition, nodeArgs: "--unsafe-no-anti-entropy", timeLimitS: 8 }
`;

test('npm run nightly: runs the matrix, reruns the planted failure, writes a summary with links and trend', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-nightly-'));
  try {
    const matrixFile = join(dir, 'matrix.yaml');
    writeFileSync(matrixFile, MATRIX);
    const store = join(dir, 'store');
    // the previous nightly, where the bug cell had passed: the trend must flag it as a new failure
    const prevDir = join(store, 'nightly', '2000-01-01');
    mkdirSync(prevDir, { recursive: true });
    const prev: NightlySummary = {
      id: '2000-01-01', startedAt: 'x', endedAt: 'y', matrixFile: 'm', skippedRuntimes: [], budgetSkipped: [],
      cells: [{
        cell: { id: 'bug-no-anti-entropy-local-s3', workload: 'history', nemesis: 'partition', runtime: 'local', seed: 3, fresh: false, args: [] },
        status: 'passed', run: { exitCode: 0, durationS: 1, checkers: [] },
      }],
    };
    writeFileSync(join(prevDir, 'summary.json'), JSON.stringify(prev));

    const res = await execa(process.execPath, ['--import', 'tsx', 'nightly/main.ts', '--matrix', matrixFile, '--store', store, '--id', '2026-11-21'], {
      cwd: repoRoot, reject: false, all: true,
    });
    assert.equal(res.exitCode, 1, `an unexpected failure makes the nightly exit 1\n${res.all}`);

    const outDir = join(store, 'nightly', '2026-11-21');
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as NightlySummary;
    assert.equal(summary.cells.length, 5);
    const byId = new Map(summary.cells.map((c) => [c.cell.id, c]));
    for (const w of ['bank', 'lww']) {
      for (const n of ['none', 'partition']) {
        const c = byId.get(`${w}-${n}-local-s3`);
        assert.ok(c, `cell ${w}-${n} ran`);
        assert.equal(c!.status, 'passed', `${w}-${n}: ${JSON.stringify(c!.run)}`);
        assert.equal(c!.rerun, undefined, 'passing cells are not rerun');
        assert.ok(c!.run.checkers.length >= 2, 'verdicts were read from results.json');
        assert.ok(existsSync(join(outDir, c!.run.runDir!, 'report.html')), 'the linked report exists');
      }
    }
    const bug = byId.get('bug-no-anti-entropy-local-s3')!;
    assert.equal(bug.status, 'unexpected');
    assert.ok(bug.run.checkers.some((c) => !c.matched && c.valid === false), 'a checker caught the bug');
    assert.ok(bug.rerun, 'the unexpected failure was rerun');
    assert.equal(bug.rerun!.reproduced, true, `and it reproduced with the same seed: ${JSON.stringify(bug.rerun)}`);

    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    assert.equal((html.match(/<tr class="st-/g) ?? []).length, 5, 'one row per cell');
    assert.ok(html.indexOf('data-cell="bug-no-anti-entropy-local-s3"') < html.indexOf('data-cell="bank-none-local-s3"'), 'the new failure is listed first');
    assert.match(html, /NEW FAILURE/);
    assert.match(html, /<strong>reproduced<\/strong>/);
    for (const c of summary.cells) assert.ok(html.includes(`href="${c.run.runDir}/report.html"`), `links ${c.cell.id}'s report`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run nightly: a bad matrix is one clear line and exit 254', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-nightly-'));
  try {
    writeFileSync(join(dir, 'm.yaml'), 'workloads: [bank]\nnemeses: []\n');
    const res = await execa(process.execPath, ['--import', 'tsx', 'nightly/main.ts', '--matrix', join(dir, 'm.yaml'), '--store', join(dir, 's')], { cwd: repoRoot, reject: false });
    assert.equal(res.exitCode, 254);
    assert.match(res.stderr, /^nightly: .*m\.yaml: field "nemeses"/);
    assert.equal(res.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
