/**
 * End-to-end runs against real local maep nodes (3 nodes, a few seconds each): what the harness
 * stores must be complete and consistent, whatever the checkers conclude.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { jepsen, latestRun, readJson, historyOf, completionProblems, processesMentioning, loggedEndpoints, portClosed } from './helpers.ts';
import { processModelViolations } from '../history/process-model.ts';
import { verdictOf } from '../runner/verdict.ts';

const TEST_JSON_FIELDS = ['name', 'workload', 'nemesis', 'runtime', 'nodes', 'concurrency', 'timeLimitS', 'rate', 'seed', 'recoveryTimeS', 'nodeArgs', 'command', 'startedAt', 'endedAt', 'versions', 'mechanisms', 'workloadParams'];

async function runAndInspect(workload: string, extra: string[] = []) {
  const store = mkdtempSync(join(tmpdir(), `sb-int-${workload}-`));
  try {
    const res = await jepsen(['run', '--workload', workload, '--nemesis', 'none', '--runtime', 'local', '--nodes', '3', '--time-limit', '3', '--rate', '40', '--seed', '42', '--recovery-time', '5', '--store', store, ...extra]);
    const dir = latestRun(store);
    assert.ok(dir.startsWith(join(store, `${workload}-none`)), `latest points into the test's folder: ${dir}`);

    const testJson = readJson(join(dir, 'test.json'));
    for (const f of TEST_JSON_FIELDS) assert.ok(testJson[f] !== undefined && testJson[f] !== null, `test.json has ${f}`);
    assert.equal(testJson.seed, 42);
    assert.equal(testJson.runtime, 'local');
    assert.deepEqual(testJson.nodes, ['n1', 'n2', 'n3']);
    assert.equal(testJson.concurrency, 6);
    assert.ok(testJson.command.join(' ').includes('--seed 42'));

    const results = readJson(join(dir, 'results.json'));
    assert.ok(Array.isArray(results.checkers) && results.checkers.length > 0);
    for (const c of results.checkers) {
      for (const f of ['name', 'valid', 'expected', 'why', 'matched', 'result']) assert.ok(f in c, `checker ${c.name} has ${f}`);
    }
    const verdict = verdictOf(results.checkers);
    assert.equal(results.exitCode, verdict.exitCode);
    assert.equal(res.exitCode, verdict.exitCode, res.all);
    for (const c of results.checkers) assert.ok(res.all!.includes(c.name), `the verdict table names ${c.name}`);

    const ops = historyOf(dir);
    assert.deepEqual(completionProblems(ops), []);
    assert.deepEqual(processModelViolations(ops, 6), []);
    assert.ok(ops.some((o) => o.f !== 'final-read' && o.type === 'ok'), 'some client op succeeded');
    ops.forEach((o, i) => assert.equal(o.index, i));
    for (let i = 1; i < ops.length; i++) assert.ok(ops[i]!.time >= ops[i - 1]!.time, 'times are monotonic');
    const heal = ops.findIndex((o) => o.process === 'nemesis' && o.f === 'heal');
    assert.ok(heal > 0, 'the heal marker is recorded');
    for (const n of ['n1', 'n2', 'n3']) {
      assert.ok(ops.some((o, i) => i > heal && o.f === 'final-read' && o.type === 'ok' && o.node === n), `a final read of ${n} after the heal`);
      assert.ok(existsSync(join(dir, 'nodes', `${n}.log`)), `nodes/${n}.log`);
    }
    assert.ok(existsSync(join(dir, 'harness.log')));

    // nothing left behind
    assert.deepEqual(processesMentioning(dir), []);
    for (const ep of loggedEndpoints(dir)) assert.ok(await portClosed(ep.port), `port ${ep.port} of ${ep.id} is closed`);
    return { dir, ops, results, testJson };
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

test('bank: a 3 s run stores a complete, consistent run', async () => {
  const { ops } = await runAndInspect('bank');
  const reads = ops.filter((o) => o.f === 'read' && o.type === 'ok');
  assert.ok(reads.length > 0);
  for (const r of reads) assert.equal(Object.keys(r.value as object).length, 8, 'a read returns every account');
});

test('lww: a 3 s run stores a complete, consistent run', async () => {
  const { ops, testJson } = await runAndInspect('lww');
  assert.ok(ops.some((o) => o.f === 'write' && o.type === 'ok'));
  assert.deepEqual(testJson.workloadParams.keys, [0, 1, 2]);
});

test('history: a 3 s run with fewer workers than nodes stores a complete, consistent run', async () => {
  const store = mkdtempSync(join(tmpdir(), 'sb-int-history-'));
  try {
    const res = await jepsen(['--workload', 'history', '--runtime', 'local', '--nodes', '3', '--concurrency', '2', '--time-limit', '3', '--recovery-time', '5', '--store', store]);
    const dir = latestRun(store);
    const ops = historyOf(dir);
    assert.deepEqual(completionProblems(ops), []);
    assert.deepEqual(processModelViolations(ops, 2), []);
    const finals = ops.filter((o) => o.f === 'final-read' && o.type === 'ok');
    assert.deepEqual([...new Set(finals.map((o) => o.node))].sort(), ['n1', 'n2', 'n3']);
    assert.equal(res.exitCode, readJson(join(dir, 'results.json')).exitCode);
    assert.equal(readdirSync(join(store)).filter((f) => f !== 'latest').length, 1);
  } finally { rmSync(store, { recursive: true, force: true }); }
});
