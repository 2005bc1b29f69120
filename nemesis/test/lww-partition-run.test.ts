/**
 * The second expectation partitions must show, through the real CLI on a 3-node maep cluster: a
 * seeded lww run with partitions yields non-linearizable reads (maep answers from its local view
 * on both sides), and the nodes still converge after the heal.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { jepsen, latestRun, historyOf, readJson } from '../../harness/test/helpers.ts';

test('lww with partitions: not linearizable, yet converged after the heal', async () => {
  const store = mkdtempSync(join(tmpdir(), 'sb-nemesis-lww-'));
  try {
    const res = await jepsen(['--workload', 'lww', '--nemesis', 'partition', '--partition-shape', 'halves', '--nemesis-interval', '2',
      '--runtime', 'local', '--nodes', '3', '--time-limit', '10', '--seed', '31337', '--store', store]);
    const dir = latestRun(store);
    assert.equal(res.exitCode, 0, res.all);
    const starts = historyOf(dir).filter((o) => o.process === 'nemesis' && o.f === 'start-partition');
    assert.ok(starts.length >= 2, 'at least one partition started');
    assert.ok(starts.every((o) => (o.value as { shape: string }).shape === 'halves'), '--partition-shape halves is obeyed');
    const results = readJson(join(dir, 'results.json'));
    const verdict = (name: string) => results.checkers.find((c: { name: string }) => c.name === name)?.valid;
    assert.equal(verdict('linearizability'), false, 'partitions should make the lww history non-linearizable');
    assert.equal(verdict('convergence'), true);

    // the counterexample a person follows: how far the search got, the state there, and the op
    // (a stale read) that could not go next, with the reason — the report draws exactly this
    const lin = results.checkers.find((c: { name: string }) => c.name === 'linearizability').result;
    const p = lin.partitions[0];
    assert.ok(p.longestLinearization.length > 0, 'a partial linearization is given');
    assert.equal(p.stateBefore, p.longestLinearization.at(-1).stateAfter, 'the state before the failure is where the linearization ended');
    assert.ok(p.couldNotPlace.length > 0);
    for (const op of p.couldNotPlace) {
      assert.equal(typeof op.process, 'number');
      assert.match(op.describe, new RegExp(`^\\[${p.key}\\] `), 'the op names its key');
      assert.match(op.why, /impossible|state/);
    }
    assert.match(p.explanation, new RegExp(`the state is ${p.stateBefore}`));
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
