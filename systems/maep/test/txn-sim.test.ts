/** list-append and rw-register on maep in the simulator: the txn mapping of sim-client.ts runs and ends as expected. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { prepareSim, runChecked } from '../../../harness/sim/seed-run.ts';

for (const workload of ['list-append', 'rw-register']) {
  test(`${workload} on maep in the simulator with partitions: as expected, reads filled in`, async () => {
    const base = await prepareSim({ workload, nemesis: 'partition', 'nemesis-interval': '1', 'time-limit': '6', 'recovery-time': '5', seed: '3' });
    const { verdict, outcomes, run } = await runChecked(base, base.config);
    assert.equal(verdict.exitCode, 0, JSON.stringify(outcomes.map((o) => [o.name, o.valid, o.matched])));
    const oks = run.recorder.ops.filter((o) => o.f === 'txn' && o.type === 'ok');
    assert.ok(oks.length > 50, `${oks.length} ok txns`);
    const reads = oks.flatMap((o) => (o.value as [string, unknown, unknown][]).filter((m) => m[0] === 'r'));
    assert.ok(reads.some((m) => m[2] !== null), 'some read saw a write');
    if (workload === 'list-append') assert.ok(reads.every((m) => m[2] === null || Array.isArray(m[2])));
    const final = run.recorder.ops.filter((o) => o.f === 'final-read' && o.type === 'ok');
    assert.ok(final.length >= 3 && final.every((o) => typeof (o.value as any).state.keys === 'object'));
  }, 120_000);
}
