/** Setup and teardown of the local runtime: port collisions, failed starts, repeated calls. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ADDR_IN_USE, LocalRuntime } from '../local-runtime.ts';
import { freePorts, LOOPBACK } from '../ports.ts';
import { assertAllGone, health, probeSpec, processesMentioning, tempRunDir, waitFor } from './helpers.ts';

/** every test is bounded: a hang fails with a message instead of stalling the suite */
const BOUND = { timeout: 60_000 };

test('a port taken between choosing and binding is retried with fresh ports', BOUND, async () => {
  const run = tempRunDir('eaddrinuse');
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(0, LOOPBACK, r));
  const busy = (squatter.address() as net.AddressInfo).port;
  let picks = 0;
  const rt = new LocalRuntime({
    readyTimeoutMs: 20_000,
    // the first pick collides with the squatter, later picks are free
    pickPorts: async (count) => (picks++ === 0 ? Array<number>(count).fill(busy) : freePorts(count)),
  });
  try {
    const [ep] = await rt.setup(probeSpec(['n1'], run.dir, 'eaddrinuse'));
    assert.ok(picks >= 2, 'the collision was not retried');
    assert.notEqual(ep!.ports.api, busy);
    assert.equal((await health(ep!)).name, 'n1');
    assert.match(readFileSync(join(run.dir, 'nodes', 'n1.log'), 'utf8'), ADDR_IN_USE);
  } finally {
    await rt.teardown();
    squatter.close();
    run.remove();
  }
});

test('a node that cannot start fails setup with its log, and setup cleans up', BOUND, async () => {
  const run = tempRunDir('badstart');
  const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });
  try {
    await assert.rejects(rt.setup(probeSpec(['n1', 'n2'], run.dir, 'bad', { entry: join(run.dir, 'missing-main.ts') })),
      /node n\d exited during start[\s\S]*missing-main\.ts/);
    assert.deepEqual(rt.resources(), { pids: [], ports: [] });
  } finally {
    await rt.teardown();
    run.remove();
  }
});

test('teardown is idempotent, frees every port, and the runtime can be set up again', BOUND, async () => {
  const run = tempRunDir('again');
  const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });
  try {
    await rt.setup(probeSpec(['n1', 'n2'], run.dir, 'a'));
    await assert.rejects(rt.setup(probeSpec(['n1'], run.dir, 'b')), /already up/);
    await rt.pause('n1');
    await rt.kill('n2');
    const first = rt.resources();
    assert.equal(first.ports.length, 2 * 2 + 2); // node peer+api ports, proxies n1→n2 and n2→n1
    await Promise.all([rt.teardown(), rt.teardown()]);
    await rt.teardown();
    await assertAllGone(first.pids, first.ports);

    const eps = await rt.setup(probeSpec(['n1', 'n2'], run.dir, 'c'));
    assert.equal((await health(eps[1]!)).name, 'n2');
    const second = rt.resources();
    await rt.teardown();
    await assertAllGone(second.pids, second.ports);
    // the logs stay where logPath says, also after teardown, and hold both runs' output
    assert.equal(rt.logPath('n2'), join(run.dir, 'nodes', 'n2.log'));
    assert.match(readFileSync(rt.logPath('n2'), 'utf8'), /exited[\s\S]*exited/);
  } finally {
    await rt.teardown();
    run.remove();
  }
});

for (const when of ['before any node started', 'while nodes are starting'] as const) {
  test(`teardown during setup (${when}) interrupts it and leaves no process behind`, BOUND, async () => {
    const run = tempRunDir('abort');
    const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });
    try {
      const setup = rt.setup(probeSpec(['n1', 'n2', 'n3'], run.dir, 'abort'));
      setup.catch(() => {});
      if (when === 'while nodes are starting') {
        await waitFor('a node process to exist', () => processesMentioning(run.dir).length > 0, 20_000, 5);
      }
      await rt.teardown();
      await assert.rejects(setup, /interrupted/);
      assert.deepEqual(rt.resources(), { pids: [], ports: [] });
      await waitFor('no process of this run left', () => processesMentioning(run.dir).length === 0, 10_000);
    } finally {
      await rt.teardown();
      run.remove();
    }
  });
}

test('after teardown, healing calls are no-ops and other fault calls say there is no cluster', BOUND, async () => {
  const rt = new LocalRuntime();
  await rt.teardown();
  await rt.heal();
  await rt.resume('n1');
  await rt.clearLinkFaults();
  await rt.setClockOffset('n1', 0);
  await rt.setLinkFault('n1', 'n2', {});
  await assert.rejects(rt.pause('n1'), /no cluster is up/);
  await assert.rejects(rt.setClockOffset('n1', 5), /no cluster is up/);
  await assert.rejects(rt.partition({ n1: ['n2'] }), /no cluster is up/);
});
