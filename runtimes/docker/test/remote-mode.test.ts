// What the runtime does with a remote engine (DOCKER_HOST=tcp://… or ssh://…), exercised on the
// local engine with `remote: true`: data on labelled named volumes (no bind mounts), faults via
// docker exec (no nsenter), the clock file written by the container's own node.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DockerRuntime } from '../runtime.ts';
import { docker, RUN_LABEL } from '../engine.ts';
import { byId, engineOrSkip, leftovers, tempRunDir, uniqueRunId, waitFor } from './helpers.ts';
import { testTarget } from './target.ts';

test('remote mode: volumes keep data across kill/restart, clock via exec, teardown removes the volumes', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const runId = uniqueRunId('remote');
  const runDir = tempRunDir(t);
  const T = await testTarget();
  const { get: getKey, put: putKey, status } = T;
  const rt = new DockerRuntime({ remote: true, log: (l) => console.log(l) });
  t.onTestFinished(() => rt.teardown());
  const eps = await rt.setup(T.spec({ nodes: ['n1', 'n2'], runDir, runId }));
  const http = byId(eps);
  assert.equal(rt.info.mechanisms.netExec, 'docker exec');
  const volumes = async () => ((await docker().listVolumes({ filters: { label: [`${RUN_LABEL}=${runId}`] } })).Volumes ?? []).map((v) => v.Name);
  assert.equal((await volumes()).length, 2);
  assert.equal(existsSync(join(runDir, 'nodes', 'n1')), false, 'no bind mount into the run folder');

  await putKey(http.n1!, 'k', 'v');
  await rt.partition({ n1: ['n2'], n2: ['n1'] });
  await rt.kill('n1');
  await rt.restart('n1');
  assert.equal(await getKey(http.n1!, 'k'), 'v', 'the data came back from the volume');

  await rt.setClockOffset('n2', 300_000);
  await waitFor('n2 clock ~ +300 s', async () => {
    const skew = (await status(http.n2!)).clock - Date.now();
    return skew > 290_000 && skew < 310_000;
  });

  await rt.teardown();
  assert.deepEqual(await leftovers(runId), { containers: [], networks: [] });
  assert.deepEqual(await volumes(), []);
});
