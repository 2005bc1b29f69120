/** Redis with Sentinel on the docker runtime, through the CLI: kills of the primary, every checker as expected. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { dockerAvailable } from '../../../runtimes/docker/index.ts';
import { redisProblem } from '../launch.ts';
import { runCli, unexpected } from '../../test/run-cli.ts';

const engine = await dockerAvailable().catch((e) => ({ ok: false, why: String(e) }));
const skip = !engine.ok ? `no docker engine: ${engine.why}` : redisProblem();

describe.skipIf(!!skip)(`redis with Sentinel on docker${skip ? ` (skipped: ${skip})` : ''}`, () => {
  test('set with kills of the primary: the primary moves, every checker as expected, the nodes converge', async () => {
    await runCli(['--system', 'redis', '--runtime', 'docker', '--workload', 'set', '--nodes', '3', '--time-limit', '12',
      '--nemesis', 'kill', '--kill-targets', 'primaries', '--nemesis-interval', '4', '--recovery-time', '40', '--seed', '2'], (run) => {
      assert.deepEqual(unexpected(run), [], run.out.slice(-3000));
      assert.equal(run.code, 0);
      assert.equal(run.test.runtime, 'docker');
      assert.equal(run.checker('convergence').valid, true);
      const kills = run.ops.filter((o) => o.process === 'nemesis' && o.f === 'start-kill' && o.type === 'info');
      assert.ok(kills.some((o) => (o.value as { nodes: string[] }).nodes.length === 1), 'the primary was asked for and killed');
    });
  }, 600_000);
});
