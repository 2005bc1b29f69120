import { afterAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { NodeEndpoint } from '../../../api/runtime.ts';
import { NetnsRuntime } from '../runtime.ts';
import { runNames, runTag } from '../names.ts';
import { reapDeadRuns } from '../leftovers.ts';
import { bridgeUp, nodeUp } from '../plan.ts';
import { runSync } from '../shell.ts';
import { writeState } from '../state.ts';
import { parseProcNetRoute, planSubnet } from '../subnet.ts';
import { readFileSync } from 'node:fs';
import { reachable } from '../../test/fixtures/probe-client.ts';
import { probeSpec, tempRunDir, waitFor } from '../../test/helpers.ts';
import { assertNothingLeft, leftoversOf, skipReason } from './helpers.ts';

const skip = skipReason();

describe('netns runtime: two clusters at once', { skip: !!skip, timeout: 120_000 }, () => {
  const runs = ['a', 'b'].map((k) => ({ rt: new NetnsRuntime({ log: () => {} }), runId: `netns-two-${k}-${process.pid}-${Date.now()}`, tmp: tempRunDir(`netns-two-${k}`), eps: [] as NodeEndpoint[] }));
  afterAll(async () => { await Promise.all(runs.map((r) => r.rt.teardown())); for (const r of runs) r.tmp.remove(); });

  test('own subnets and names; a partition in one leaves the other whole; each tears down alone', async () => {
    // the same node ids and ports in both: only the namespaces keep them apart
    await Promise.all(runs.map(async (r) => { r.eps = await r.rt.setup(probeSpec(['n1', 'n2'], r.tmp.dir, r.runId)); }));
    const [a, b] = runs as [typeof runs[0], typeof runs[0]];
    assert.notEqual(a.rt.info.mechanisms.network, b.rt.info.mechanisms.network);
    assert.notEqual(a.eps[0]!.host.split('.').slice(0, 3).join('.'), b.eps[0]!.host.split('.').slice(0, 3).join('.'));
    await a.rt.partition({ n1: ['n2'], n2: ['n1'] });
    await waitFor('a split', async () => (await reachable(a.eps[0]!)).length === 0, 8000);
    await waitFor('b whole', async () => (await reachable(b.eps[0]!)).join() === 'n2', 8000);
    await a.rt.teardown();
    await assertNothingLeft(runTag(a.runId), a.tmp.dir);
    assert.equal((await reachable(b.eps[1]!)).join(), 'n1');
    await b.rt.teardown();
    await assertNothingLeft(runTag(b.runId), b.tmp.dir);
  });
});

describe('netns runtime: a dead run is removed at the next start', { skip: !!skip, timeout: 60_000 }, () => {
  test('its namespaces, veth, bridge, rule and state file go', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
    const runId = `netns-dead-${process.pid}-${Date.now()}`;
    const names = runNames(runId, ['n1']);
    const net = planSubnet(runId, ['n1'], parseProcNetRoute(readFileSync('/proc/net/route', 'utf8')));
    writeState({ runId, names, subnet: net.subnet, owner: { pid: dead, start: '1' }, runDir: '/nonexistent' });
    for (const c of [...bridgeUp(names, net), ...nodeUp(names, net, 'n1')]) assert.equal(runSync(c).code, 0, c.argv.join(' '));
    assert.ok(leftoversOf(names.tag).length >= 3);
    assert.ok(reapDeadRuns() >= 1);
    await assertNothingLeft(names.tag);
  });
});
