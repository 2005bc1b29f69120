// The `docker exec` way of injecting network faults (what a remote DOCKER_HOST uses, where nsenter
// cannot reach the container): the image's own iptables, and rules that cannot be applied while a
// container is paused are applied when it resumes.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DockerRuntime } from '../runtime.ts';
import { docker } from '../engine.ts';
import { runInNetns } from '../netexec.ts';
import { byId, engineOrSkip, tempRunDir, uniqueRunId, waitFor } from './helpers.ts';
import { testTarget } from './target.ts';

test('docker exec mode: partition with the image\'s iptables; a heal during pause lands on resume', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const runId = uniqueRunId('exec');
  const T = await testTarget();
  const { get: getKey, put: putKey } = T;
  const rt = new DockerRuntime({ netExec: 'docker exec', log: (l) => console.log(l) });
  t.onTestFinished(() => rt.teardown());
  const eps = await rt.setup(T.spec({ nodes: ['n1', 'n2', 'n3'], runDir: tempRunDir(t), runId }));
  assert.equal(rt.info.mechanisms.netExec, 'docker exec');
  const http = byId(eps);
  const n3 = docker().getContainer(`splitbrain-${runId}-n3`);

  await rt.partition({ n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] });
  const rules = await runInNetns('docker exec', n3, 0, { argv: ['iptables', '-S', 'SB_PART'] });
  assert.equal(rules.code, 0, rules.out);
  assert.equal(rules.out.split('\n').filter((l) => l.includes('-j DROP')).length, 2);
  await putKey(http.n1!, 'x', 1);
  await waitFor('x on n2', async () => (await getKey(http.n2!, 'x')) === 1);
  await putKey(http.n2!, 'y', 1);
  await waitFor('y on n1', async () => (await getKey(http.n1!, 'y')) === 1);
  assert.equal(await getKey(http.n3!, 'x'), undefined);

  await rt.pause('n3');
  await rt.heal(); // n3 is frozen: docker exec cannot run there now
  await rt.resume('n3');
  const after = await runInNetns('docker exec', n3, 0, { argv: ['iptables', '-S', 'SB_PART'] });
  assert.ok(!after.out.includes('-j DROP'), `rules left after resume: ${after.out}`);
  await waitFor('n3 catches up after resume', async () => (await getKey(http.n3!, 'x')) === 1 && (await getKey(http.n3!, 'y')) === 1, 30_000);
});
