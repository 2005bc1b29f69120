/**
 * etcd on the netns runtime, through the CLI: the checkers pass a linearizable system under
 * partitions, pauses and kills (zero false alarms over fixed seeds), and catch the stale reads of
 * its serializable reads (the negative control), drawing the counterexample.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipReason, assertNothingLeft } from '../../../runtimes/netns/test/helpers.ts';
import { runTag } from '../../../runtimes/netns/names.ts';
import { etcdProblem } from '../program.ts';
import { runCli, unexpected } from '../../test/run-cli.ts';

const skip = skipReason() || etcdProblem();
const SEEDS = [1, 2, 3];
const base = ['--system', 'etcd', '--runtime', 'netns', '--nodes', '3', '--time-limit', '20', '--nemesis', 'partition,pause,kill', '--nemesis-interval', '3', '--recovery-time', '20'];

describe.skipIf(!!skip)(`etcd on netns${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const workload of ['lww', 'bank', 'history']) {
    test(`${workload} with partition,pause,kill: every checker as expected on seeds ${SEEDS.join(', ')}`, async () => {
      const faults = new Set<string>();
      // the seeds run side by side (each its own namespaces and subnet), a few hundred ms apart so
      // their run ids (test name + start time) differ: a third of the wall time, and etcd under load
      await Promise.all(SEEDS.map(async (seed, i) => {
        await new Promise((r) => setTimeout(r, i * 400));
        await runCli([...base, '--workload', workload, '--seed', String(seed)], async (run) => {
          assert.deepEqual(unexpected(run), [], `seed ${seed}:\n${run.out.slice(-3000)}`);
          assert.equal(run.code, 0, run.out.slice(-3000));
          assert.equal(run.results.valid, true);
          // a linearizable store: nothing may-fail here, every checker must hold
          for (const c of run.results.checkers) assert.equal(c.valid, true, `seed ${seed}: ${c.name} ${c.result?.summary}`);
          for (const o of run.ops) if (o.process === 'nemesis' && o.f.startsWith('start-')) faults.add(o.f.slice(6));
          await assertNothingLeft(runTag(`${run.test.name}-${Date.parse(run.test.startedAt)}`), run.dir);
        });
      }));
      // the seeds between them put etcd through every kind asked for
      assert.deepEqual([...faults].sort(), ['kill', 'partition', 'pause']);
    }, 600_000);
  }

  test('list-append and rw-register transactions under partition,kill: strict serializable, no anomaly', async () => {
    await Promise.all(['list-append', 'rw-register'].map(async (workload, i) => {
      await new Promise((r) => setTimeout(r, i * 400));
      await runCli(['--system', 'etcd', '--runtime', 'netns', '--nodes', '3', '--time-limit', '12', '--nemesis', 'partition,kill', '--nemesis-interval', '3',
        '--recovery-time', '20', '--workload', workload, '--seed', '3'], (run) => {
        assert.deepEqual(unexpected(run), [], run.out.slice(-3000));
        const txn = run.checker(workload);
        assert.equal(txn.valid, true, txn.result.summary);
        assert.ok(txn.result.txns > 50 || /\d{2,} ok/.test(txn.result.summary), txn.result.summary);
      });
    }));
  }, 300_000);

  test('serializable reads under partitions are judged not linearizable, with a counterexample (seed 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-ser-'));
    try {
      const config = join(dir, 'serializable.yaml');
      writeFileSync(config, 'params:\n  serializable-reads: true\n');
      await runCli(['--system', 'etcd', '--runtime', 'netns', '--nodes', '3', '--time-limit', '12', '--nemesis', 'partition', '--nemesis-interval', '2',
        '--workload', 'lww', '--seed', '1', '--config', config], (run) => {
        const lin = run.checker('linearizability');
        assert.equal(lin.expected, 'invalid');
        assert.equal(lin.valid, false, run.out.slice(-3000));
        assert.equal(run.code, 0, 'the anomaly was expected, so the run is as expected');
        // the counterexample the report draws: the ops of the key, the longest linearizable prefix and the op that cannot follow it
        assert.match(lin.result.summary, /^not linearizable: key \d+/);
        const cx = lin.result.partitions[0];
        assert.ok(cx.ops.length > 0 && Array.isArray(cx.longestLinearization) && cx.couldNotPlace.length > 0, JSON.stringify(Object.keys(cx)));
        assert.match(cx.explanation, /\S/);
      });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 300_000);
});
