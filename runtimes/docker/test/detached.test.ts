// `cluster up --runtime docker` leaves a cluster running after the command exits; status sees it;
// down copies the logs and removes every container and the network.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterStatus, stopDetachedCluster } from '../detached.ts';
import { reapOrphans } from '../cleanup.ts';
import type { NodeEndpoint } from '../../../api/runtime.ts';
import { engineOrSkip, leftovers, tempRunDir } from './helpers.ts';
import { testTarget } from './target.ts';

const CHILD = fileURLToPath(new URL('./fixtures/detach-child.ts', import.meta.url));

test('a detached docker cluster outlives its command; status sees it; down removes it', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const dir = tempRunDir(t);
  const stateFile = join(dir, 'cluster', 'state.json');
  const runDir = join(dir, 'cluster', 'run1');
  t.onTestFinished(async () => { await stopDetachedCluster(stateFile); });
  const T = await testTarget();
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, stateFile, runDir, T.systemRef], { encoding: 'utf8' });
  const endpoints = JSON.parse(out.trim().split('\n').pop()!) as NodeEndpoint[];
  assert.deepEqual(endpoints.map((e) => e.id), ['n1', 'n2']);
  // the creating process has exited; neither its exit hook nor a later run's orphan sweep removed it
  await reapOrphans();
  for (const e of endpoints) assert.equal((await T.status(e)).id, e.id);
  const st = await clusterStatus(stateFile);
  assert.equal(st.up, true);
  assert.deepEqual(st.nodes.map((n) => [n.id, n.running, n.answering]), [['n1', true, true], ['n2', true, true]]);
  const runId = JSON.parse(readFileSync(st.stateFile, 'utf8')).runId as string;

  assert.deepEqual(await stopDetachedCluster(stateFile), { stopped: true });
  assert.deepEqual(await leftovers(runId), { containers: [], networks: [] });
  assert.ok(existsSync(join(runDir, 'nodes', 'n1.log')));
  assert.match(readFileSync(join(runDir, 'nodes', 'n1.log'), 'utf8'), T.readyLine('n1'));
  assert.equal((await clusterStatus(stateFile)).up, false);
  assert.deepEqual(await stopDetachedCluster(stateFile), { stopped: false });
});
