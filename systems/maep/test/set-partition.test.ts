/** The set workload on maep with partitions (local runtime): every acknowledged add survives. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { runCli, unexpected } from '../../test/run-cli.ts';

test('set on maep with partitions: set-full valid, every checker as expected', async () => {
  await runCli(['--workload', 'set', '--runtime', 'local', '--nodes', '3', '--time-limit', '8', '--nemesis', 'partition', '--nemesis-interval', '2', '--seed', '5'], (run) => {
    assert.deepEqual(unexpected(run), [], run.out.slice(-3000));
    const sf = run.checker('set-full');
    assert.equal(sf.valid, true, sf.result.summary);
    assert.ok(sf.result.acknowledged > 20, sf.result.summary);
    assert.equal(run.code, 0);
  });
}, 180_000);
