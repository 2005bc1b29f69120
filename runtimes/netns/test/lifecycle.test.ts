import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeEndpoint } from '../../../api/runtime.ts';
import { NetnsRuntime } from '../runtime.ts';
import { runTag } from '../names.ts';
import { PROBE_NEEDS } from '../../test/fixtures/probe-system.ts';
import { clock, getKey, health, putKey, reachable } from '../../test/fixtures/probe-client.ts';
import { probeSpec, tempRunDir, waitFor } from '../../test/helpers.ts';
import { assertNothingLeft, skipReason } from './helpers.ts';

const skip = skipReason();
const inNs = (ns: string, ...argv: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8' });

describe('netns runtime: one cluster, every fault', { skip: !!skip, timeout: 120_000 }, () => {
  const rt = new NetnsRuntime({ log: () => {} });
  const runId = `netns-life-${process.pid}-${Date.now()}`;
  const tag = runTag(runId);
  const tmp = tempRunDir('netns-life');
  let eps: NodeEndpoint[] = [];
  const ep = (id: string) => eps.find((e) => e.id === id)!;
  const sees = (id: string, want: string[]) => waitFor(`${id} to hear exactly ${want}`, async () => JSON.stringify(await reachable(ep(id))) === JSON.stringify(want), 8000);

  beforeAll(async () => { eps = await rt.setup(probeSpec(['n1', 'n2', 'n3'], tmp.dir, runId)); });
  afterAll(async () => { await rt.teardown(); tmp.remove(); });

  test('each node has its own address in its own namespace, and all hear each other', async () => {
    assert.equal(new Set(eps.map((e) => e.host)).size, 3);
    for (const e of eps) {
      assert.match(e.host, /^10\.214\.\d+\.\d+$/);
      assert.match(inNs(`sb-${tag}-${e.id}`, 'ip', '-br', 'addr'), new RegExp(`lo +UNKNOWN[\\s\\S]*eth0@\\S+ +UP +${e.host.replace(/\./g, '\\.')}/24`));
    }
    await sees('n1', ['n2', 'n3']);
    assert.match(rt.info.mechanisms.network!, new RegExp(`sb-${tag}`));
  });

  test('a one-way grudge puts one DROP in the receiver only; heal removes it', async () => {
    await rt.partition({ n2: ['n1'] });
    assert.match(inNs(`sb-${tag}-n2`, 'iptables', '-w', '-S', 'SB_PART'), new RegExp(`-s ${ep('n1').host}/32 -j DROP`));
    assert.doesNotMatch(inNs(`sb-${tag}-n1`, 'iptables', '-w', '-S', 'SB_PART'), /DROP/);
    await sees('n3', ['n1', 'n2']); // n3 is untouched
    await sees('n2', ['n3']); // over TCP the cut stalls n1↔n2 both ways
    await rt.heal();
    await sees('n2', ['n1', 'n3']);
  });

  test('link loss 1.0 cuts a link; delay shapes the sender\'s egress; clear restores', async () => {
    await rt.setLinkFault('n1', 'n3', { loss: 1 });
    await sees('n3', ['n2']);
    await rt.setLinkFault('n3', 'n1', { delayMs: 20 });
    assert.match(inNs(`sb-${tag}-n3`, 'tc', 'qdisc', 'show', 'dev', 'eth0'), /htb|netem/);
    await rt.clearLinkFaults();
    assert.doesNotMatch(inNs(`sb-${tag}-n3`, 'tc', 'qdisc', 'show', 'dev', 'eth0'), /htb|netem/);
    await sees('n3', ['n1', 'n2']);
  });

  test('pause stops the whole process group; resume brings it back', async () => {
    await rt.pause('n3');
    await assert.rejects(health(ep('n3'), 500));
    await rt.resume('n3');
    assert.equal((await health(ep('n3'))).name, 'n3');
  });

  test('kill and restart keep the data dir', async () => {
    await putKey(ep('n2'), 'k', 42);
    await rt.kill('n2');
    await assert.rejects(health(ep('n2'), 500));
    assert.ok(existsSync(join(tmp.dir, 'nodes', 'n2', 'store.json')));
    await rt.partition({ n2: ['n1', 'n3'], n1: ['n2'], n3: ['n2'] }); // only its disk can give it back
    await rt.restart('n2');
    assert.equal(await getKey(ep('n2'), 'k'), 42);
    await rt.heal();
  });

  test('clock offsets and freezes reach the node (libfaketime, or the offset file)', async () => {
    await rt.setClockOffset('n1', 3_600_000);
    const skew = (await clock(ep('n1'))) - Date.now();
    assert.ok(Math.abs(skew - 3_600_000) < 2000, `skew ${skew}`);
    await rt.setClockOffset('n1', 0);
    assert.match(rt.info.mechanisms.clock!, /libfaketime|clock-offset/);
  });

  test('clock faults are refused up front for a system no clock mechanism reaches', () => {
    const none = { ...PROBE_NEEDS, libfaketime: false, clockOffsetFile: false };
    assert.match(rt.cannotServe(none, ['clock'])[0]!, /clock faults cannot reach this system on the netns runtime/);
    assert.deepEqual(rt.cannotServe({ ...none, dialsGivenPeerAddresses: false }, ['partition', 'link']), []);
  });

  test('teardown leaves no namespace, veth, bridge, rule, state file or process', async () => {
    await rt.teardown();
    await rt.teardown(); // idempotent
    await assertNothingLeft(tag, tmp.dir);
    await rt.heal(); // healing calls after teardown do nothing
    await assert.rejects(rt.kill('n1'), /no cluster is up/);
  });
});
