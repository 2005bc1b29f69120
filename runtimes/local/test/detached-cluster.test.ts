/** `cluster up|status|down`: a cluster that outlives the process that started it. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterStatus, startDetachedCluster, stopDetachedCluster } from '../detached-cluster.ts';
import { fileURLToPath } from 'node:url';
import { processAlive } from '../processes.ts';
import { assertAllGone, getKey, putKey, tempRunDir, waitFor } from './helpers.ts';

const PROBE_SYSTEM = fileURLToPath(new URL('../../test/fixtures/probe-system.ts', import.meta.url));
const BROKEN_SYSTEM = fileURLToPath(new URL('../../test/fixtures/broken-system.ts', import.meta.url));

/** every test is bounded: a hang fails with a message instead of stalling the suite */
const BOUND = { timeout: 60_000 };

test('up, status, a working cluster, down: nothing left behind', BOUND, async () => {
  const run = tempRunDir('detached');
  const stateFile = join(run.dir, 'cluster', 'state.json');
  try {
    const { endpoints } = await startDetachedCluster({
      system: PROBE_SYSTEM, nodes: ['n1', 'n2'], runDir: join(run.dir, 'run'), nodeArgs: [], runId: 'detached', stateFile,
      runtime: { readyTimeoutMs: 20_000 },
    });
    assert.deepEqual(endpoints.map((e) => e.id), ['n1', 'n2']);

    await assert.rejects(startDetachedCluster({ system: PROBE_SYSTEM, nodes: ['n1'], runDir: join(run.dir, 'run2'), nodeArgs: [], runId: 'x', stateFile }), /already up/);

    const st = await clusterStatus(stateFile);
    assert.equal(st.up, true);
    assert.ok(st.nodes.every((n) => n.running && n.answering), JSON.stringify(st.nodes));
    assert.equal(st.mechanisms?.partition, 'proxy-blackhole');

    // the nodes replicate through the daemon's proxies
    await putKey(endpoints[0]!, 'k', 'v');
    await waitFor('n2 to replicate through the detached proxies', async () => (await getKey(endpoints[1]!, 'k')) === 'v');

    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const pids: number[] = [state.daemonPid, ...state.nodes.flatMap((n: { pid: number; supervisorPid: number }) => [n.pid, n.supervisorPid])];
    const ports: number[] = [...state.proxies.map((p: { port: number }) => p.port), ...state.nodes.flatMap((n: { ports: Record<string, number> }) => Object.values(n.ports))];
    assert.ok(pids.every(processAlive));

    assert.deepEqual(await stopDetachedCluster(stateFile), { stopped: true });
    await assertAllGone(pids, ports);
    assert.equal(existsSync(stateFile), false);
    assert.deepEqual(await clusterStatus(stateFile), { up: false, stateFile, nodes: [] });
    assert.deepEqual(await stopDetachedCluster(stateFile), { stopped: false });
  } finally {
    await stopDetachedCluster(stateFile);
    run.remove();
  }
});

test('a node that cannot start makes "up" fail with its log, and leaves nothing', BOUND, async () => {
  const run = tempRunDir('detached-fail');
  const stateFile = join(run.dir, 'state.json');
  try {
    await assert.rejects(startDetachedCluster({
      system: BROKEN_SYSTEM, nodes: ['n1'], runDir: join(run.dir, 'run'), nodeArgs: [], runId: 'fail', stateFile,
      runtime: { readyTimeoutMs: 10_000 },
    }), /cluster failed to start: node n1 exited during start[\s\S]*no-such-node/);
    assert.equal(existsSync(stateFile), false);
  } finally {
    await stopDetachedCluster(stateFile);
    run.remove();
  }
});
