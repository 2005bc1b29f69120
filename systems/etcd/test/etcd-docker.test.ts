/** etcd on the docker runtime, through the CLI: an lww run under partitions is linearizable. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { dockerAvailable } from '../../../runtimes/docker/index.ts';
import { etcdProblem } from '../program.ts';
import { runCli, unexpected } from '../../test/run-cli.ts';

const engine = await dockerAvailable().catch((e) => ({ ok: false, why: String(e) }));
const skip = !engine.ok ? `no docker engine: ${engine.why}` : etcdProblem();

describe.skipIf(!!skip)(`etcd on docker${skip ? ` (skipped: ${skip})` : ''}`, () => {
  test('lww with partitions: linearizable, every checker as expected', async () => {
    await runCli(['--system', 'etcd', '--runtime', 'docker', '--workload', 'lww', '--nodes', '3', '--time-limit', '10',
      '--nemesis', 'partition', '--nemesis-interval', '2', '--recovery-time', '20', '--seed', '2'], (run) => {
      assert.deepEqual(unexpected(run), [], run.out.slice(-3000));
      assert.equal(run.code, 0);
      assert.equal(run.test.runtime, 'docker');
      assert.equal(run.checker('linearizability').valid, true);
    });
  }, 600_000);
});
