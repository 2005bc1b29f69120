/**
 * Each fault kind of the local runtime, observed from outside on a real 3-node cluster of the
 * conformance suite's probe node (runtimes/test/fixtures/probe-node.ts).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { LocalRuntime } from '../local-runtime.ts';
import { assertAllGone, clock, getKey, health, probeSpec, putKey, tempRunDir, waitFor } from './helpers.ts';
import type { NodeEndpoint } from '../../../api/runtime.ts';

/** every test is bounded: a hang fails with a message instead of stalling the suite */
const BOUND = { timeout: 60_000 };

const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });
const run = tempRunDir('faults');
let eps: Record<string, NodeEndpoint> = {};

beforeAll(async () => {
  const list = await rt.setup(probeSpec(['n1', 'n2', 'n3'], run.dir, 'faults'));
  eps = Object.fromEntries(list.map((e) => [e.id, e]));
}, BOUND.timeout);

afterAll(async () => {
  const { pids, ports } = rt.resources();
  await rt.teardown();
  await assertAllGone(pids, ports);
  run.remove();
}, BOUND.timeout);

const isolateN3 = { n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] };

test('a cut link stops replication and heal restores it', BOUND, async () => {
  await rt.partition(isolateN3);
  await putKey(eps.n1!, 'cut', 'v1');
  // n2 is on n1's side: it gets the write; while it does, n3 must not
  await waitFor('n2 to replicate from n1 during the partition', async () => (await getKey(eps.n2!, 'cut')) === 'v1');
  await new Promise((r) => setTimeout(r, 1500)); // several anti-entropy rounds
  assert.equal(await getKey(eps.n3!, 'cut'), null, 'n3 is cut off, yet it has the write');

  await rt.heal();
  assert.deepEqual(rt.activeFaults().grudge, {});
  await waitFor('n3 to catch up after heal', async () => (await getKey(eps.n3!, 'cut')) === 'v1', 20_000);
});

test('a one-way grudge cuts both directions of that pair only, as DROP does to TCP', BOUND, async () => {
  // n3 drops from n1: n1's connections to n3 and n3's connections to n1 both stall
  await rt.partition({ n3: ['n1'] });
  try {
    assert.equal(rt.linkProxy('n1', 'n3').blackholed, true);
    assert.equal(rt.linkProxy('n3', 'n1').blackholed, true);
    for (const [a, b] of [['n1', 'n2'], ['n2', 'n1'], ['n2', 'n3'], ['n3', 'n2']] as const) {
      assert.equal(rt.linkProxy(a, b).blackholed, false, `${a}→${b} should stay open`);
    }
    // n3 still learns n1's writes, through n2
    await putKey(eps.n1!, 'detour', 'via-n2');
    await waitFor('n3 to get the write by way of n2', async () => (await getKey(eps.n3!, 'detour')) === 'via-n2', 20_000);
  } finally {
    await rt.heal();
  }
});

test('a paused node stops answering and answers again after resume', BOUND, async () => {
  await rt.pause('n2');
  assert.deepEqual(rt.activeFaults().paused, ['n2']);
  await assert.rejects(health(eps.n2!, 700), /timeout/);
  await rt.resume('n2');
  assert.deepEqual(rt.activeFaults().paused, []);
  const st = await waitFor('n2 to answer after resume', () => health(eps.n2!, 2000));
  assert.equal(st.name, 'n2');
});

test('a killed node stops answering and comes back with its data', BOUND, async () => {
  await putKey(eps.n1!, 'durable', 'kept');
  await waitFor('n2 to have the write', async () => (await getKey(eps.n2!, 'durable')) === 'kept');
  await rt.kill('n2');
  await assert.rejects(health(eps.n2!, 1000), /ECONNREFUSED/);
  // n2 restarts cut off from both peers, so whatever it knows comes from its own data dir
  await rt.partition({ n2: ['n1', 'n3'] });
  await rt.restart('n2');
  try {
    assert.equal((await health(eps.n2!)).name, 'n2');
    assert.equal(await getKey(eps.n2!, 'durable'), 'kept', 'the restarted node lost its data');
  } finally {
    await rt.heal();
  }
});

test('a clock offset shows in the node\'s clock', BOUND, async () => {
  for (const offset of [120_000, -45_000, 0]) {
    await rt.setClockOffset('n1', offset);
    // the offset file is read every 100 ms; libfaketime applies at once
    if (rt.info.mechanisms.clock === 'offset-file') await new Promise((r) => setTimeout(r, 200));
    const before = Date.now();
    const now = await clock(eps.n1!);
    const after = Date.now();
    // the node read its clock between our two readings
    assert.ok(now >= before + offset - 50 && now <= after + offset + 50,
      `offset ${offset}: node clock ${now} not within [${before + offset}, ${after + offset}] (${rt.info.mechanisms.clock})`);
  }
  // the other nodes keep real time
  assert.ok(Math.abs((await clock(eps.n3!)) - Date.now()) < 2000);
});

test('link delay shows in the time to replicate', BOUND, async () => {
  // delay every link into n2 so the write cannot reach n2 by another route faster
  await rt.setLinkFault('n1', 'n2', { delayMs: 600 });
  await rt.setLinkFault('n3', 'n2', { delayMs: 600 });
  // bytes from n1 to n2 travel on n1's own connections (proxy n1→n2, forward) and as replies on
  // n2's connections (proxy n2→n1, backward); both carry the fault, the opposite ways do not
  assert.equal(rt.linkProxy('n1', 'n2').fault('forward').delayMs, 600);
  assert.equal(rt.linkProxy('n2', 'n1').fault('backward').delayMs, 600);
  assert.equal(rt.linkProxy('n2', 'n1').fault('forward').delayMs, 0);
  assert.equal(rt.linkProxy('n1', 'n2').fault('backward').delayMs, 0);
  try {
    const t0 = performance.now();
    await putKey(eps.n1!, 'slow', 'late');
    await waitFor('n3 to replicate over an undelayed link', async () => (await getKey(eps.n3!, 'slow')) === 'late', 15_000, 10);
    await waitFor('n2 to replicate over delayed links', async () => (await getKey(eps.n2!, 'slow')) === 'late', 15_000, 10);
    const toN2 = performance.now() - t0;
    assert.ok(toN2 >= 600, `replication to n2 took ${toN2} ms over links delayed by 600 ms`);
  } finally {
    await rt.clearLinkFaults();
  }
  assert.deepEqual(rt.activeFaults().links, {});
});

test('fault calls name unknown nodes clearly', BOUND, async () => {
  await assert.rejects(rt.pause('n9'), /unknown node "n9"/);
  await assert.rejects(rt.partition({ n1: ['nX'] }), /unknown node "nX"/);
  await assert.rejects(rt.setLinkFault('n1', 'n2', { loss: 3 }), /loss must be in 0\.\.1/);
  assert.equal((await health(eps.n1!)).name, 'n1');
});
