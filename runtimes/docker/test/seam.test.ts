// The System seam on docker: the clock reaches a system through the offset file when libfaketime
// does not, clock faults on a system neither reaches fail with one clear line, a probe that never
// says ready fails setup with its last detail, and a launch of an undeclared program is refused.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DockerRuntime } from '../runtime.ts';
import type { ClusterSpec, SystemNeeds } from '../../../api/runtime.ts';
import { byId, engineOrSkip, leftovers, tempRunDir, uniqueRunId, waitFor } from './helpers.ts';
import { kvTarget } from './target.ts';

function kvSpec(t: Parameters<typeof tempRunDir>[0], tag: string, over: Partial<ClusterSpec> & { needs?: SystemNeeds } = {}): ClusterSpec {
  return { ...kvTarget.spec({ nodes: ['n1', 'n2'], runDir: tempRunDir(t), runId: uniqueRunId(tag) }), ...over };
}

test('a system libfaketime does not reach gets the offset file; its clock moves with setClockOffset', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const spec = kvSpec(t, 'offset', { needs: { dialsGivenPeerAddresses: true, libfaketime: false, clockOffsetFile: true } });
  let hosts: string[] = [];
  const launch = spec.launch;
  spec.launch = (h) => { hosts.push(h.clockOffsetFile ?? ''); return launch(h); };
  const rt = new DockerRuntime({ log: (l) => console.log(l) });
  t.onTestFinished(() => rt.teardown());
  const eps = byId(await rt.setup(spec));
  assert.deepEqual(hosts, ['/splitbrain/clock-offset', '/splitbrain/clock-offset']);
  assert.match(rt.info.mechanisms.clock!, /clock-offset file/);
  await rt.setClockOffset('n1', 200_000);
  await waitFor('n1 clock ~ +200 s', async () => {
    const skew = (await kvTarget.status(eps.n1!)).clock - Date.now();
    return skew > 190_000 && skew < 210_000;
  });
  assert.ok(Math.abs((await kvTarget.status(eps.n2!)).clock - Date.now()) < 10_000, 'n2 unaffected');
  await assert.rejects(rt.freezeClock('n1', Date.now()), /clock freeze cannot reach kv-fixture on docker: it needs libfaketime/);
  hosts = [];
  await rt.kill('n1');
  await rt.restart('n1');
  assert.deepEqual(hosts, ['/splitbrain/clock-offset'], 'launch is asked again at every restart');
  await rt.teardown();
  assert.deepEqual(await leftovers(spec.runId), { containers: [], networks: [] });
});

test('clock faults on a system no clock way reaches fail with one clear line; the node gets no offset file', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const spec = kvSpec(t, 'noclock', { needs: { dialsGivenPeerAddresses: false, libfaketime: false, clockOffsetFile: false } });
  const files: (string | undefined)[] = [];
  const launch = spec.launch;
  spec.launch = (h) => { files.push(h.clockOffsetFile); return launch(h); };
  const rt = new DockerRuntime({ log: () => {} });
  t.onTestFinished(() => rt.teardown());
  await rt.setup(spec);
  assert.deepEqual(files, [undefined, undefined]);
  assert.match(rt.info.mechanisms.clock!, /^none/);
  await assert.rejects(rt.setClockOffset('n1', 5000), /^Error: clock faults cannot reach kv-fixture on docker: /);
  // partitions still reach it (iptables in its netns)
  await rt.partition({ n1: ['n2'] });
  await rt.heal();
});

test('a node whose probe never says ready fails setup with the probe\'s last detail and the log tail, leaving nothing', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const spec = kvSpec(t, 'notready', { probe: async () => ({ ready: false, detail: 'still electing a leader' }) });
  const rt = new DockerRuntime({ log: () => {}, readyTimeoutMs: 2000 });
  t.onTestFinished(() => rt.teardown());
  await assert.rejects(rt.setup(spec), (e: Error) => {
    assert.match(e.message, /kv-fixture node n\d \(10\.213\.\d+\.\d+\) did not become ready: still electing a leader/);
    assert.match(e.message, /last log lines:\n[^]*kv n\d ready/);
    return true;
  });
  assert.deepEqual(await leftovers(spec.runId), { containers: [], networks: [] });
});

test('a launch of a program the system did not declare is refused, naming it', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const base = kvSpec(t, 'undeclared');
  const spec: ClusterSpec = { ...base, launch: (h) => ({ ...base.launch(h), program: { kind: 'binary', name: 'sh', path: '/bin/sh' } }) };
  const rt = new DockerRuntime({ log: () => {} });
  t.onTestFinished(() => rt.teardown());
  await assert.rejects(rt.setup(spec), /asks for program sh, which the system does not declare/);
  assert.deepEqual(await leftovers(spec.runId), { containers: [], networks: [] });
});

test('a launch that changes at a restart replaces the container (same address and data), and the log keeps both starts', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const spec = kvSpec(t, 'relaunch');
  let starts = 0;
  const launch = spec.launch;
  spec.launch = (h) => ({ ...launch(h), env: { START: String(h.id === 'n1' ? ++starts : 0) } });
  const rt = new DockerRuntime({ log: () => {} });
  t.onTestFinished(() => rt.teardown());
  const eps = byId(await rt.setup(spec));
  await kvTarget.put(eps.n1!, 'k', 'kept');
  await rt.kill('n1');
  await rt.restart('n1');
  const { docker } = await import('../engine.ts');
  const info = await docker().getContainer(`splitbrain-${spec.runId}-n1`).inspect();
  assert.ok(info.Config.Env.includes('START=2'), info.Config.Env.join(' '));
  assert.equal(await kvTarget.get(eps.n1!, 'k'), 'kept');
  await rt.teardown();
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(rt.logPath('n1'), 'utf8').match(/kv n1 ready/g)?.length, 2);
  assert.deepEqual(await leftovers(spec.runId), { containers: [], networks: [] });
});
