/**
 * Every fault kind, started through the nemesis' own code (plan + apply, as the composer does) on
 * a real 3-node cluster of the runtime suite's probe node under the LocalRuntime, and observed from
 * outside over HTTP. Then the whole composer runs all kinds for a few seconds and healAll must
 * leave nothing behind.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { LocalRuntime } from '../../runtimes/local/index.ts';
import { assertAllGone, probeSpec, tempRunDir, waitFor } from '../../runtimes/test/helpers.ts';
import { clock, getKey, health, putKey, syncNow } from '../../runtimes/test/fixtures/probe-client.ts';
import type { NodeEndpoint } from '../../api/runtime.ts';
import type { Op, OpInput } from '../../api/history.ts';
import { Rng } from '../../api/rng.ts';
import { PartitionFault } from '../partition.ts';
import { PauseFault } from '../pause.ts';
import { KillFault } from '../kill.ts';
import { ClockFault, type OffsetClockPlan } from '../clock.ts';
import { LinkFault, type LinkPlan } from '../link.ts';
import { createNemesis, FAULT_KINDS } from '../index.ts';

const NODES = ['n1', 'n2', 'n3'];
const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });
const run = tempRunDir('nemesis');
let eps: Record<string, NodeEndpoint> = {};
const never = new AbortController().signal;
const input = (seed: number, held: string[] = []) => ({ nodes: NODES, rng: new Rng(seed), held: new Set(held) });

beforeAll(async () => {
  const list = await rt.setup(probeSpec(NODES, run.dir, 'nemesis-real'));
  eps = Object.fromEntries(list.map((e) => [e.id, e]));
});

afterAll(async () => {
  const { pids, ports } = rt.resources();
  await rt.teardown();
  await assertAllGone(pids, ports);
  run.remove();
});

/** ask a node to run anti-entropy now; under a partition it may time out, which is fine */
async function syncAttempt(node: string): Promise<void> {
  await syncNow(eps[node]!);
}

test('partition (one): a write on the big side is not seen on the isolated side until heal', async () => {
  const fault = new PartitionFault('one');
  const plan = fault.plan(input(21));
  const lone = plan.components!.find((c) => c.length === 1)![0]!;
  const [a, b] = NODES.filter((n) => n !== lone);
  await fault.apply(rt, plan);
  try {
    assert.deepEqual(rt.activeFaults().grudge[lone], [a, b].sort());
    await putKey(eps[a!]!, 'p1', 'big-side');
    await putKey(eps[lone]!, 'p2', 'lone-side'); // AP: the isolated node still takes writes
    await waitFor(`${b} to see ${a}'s write`, async () => (await getKey(eps[b!]!, 'p1')) === 'big-side');
    await syncAttempt(lone); await syncAttempt(a!);
    assert.equal(await getKey(eps[lone]!, 'p1'), null, `${lone} is isolated, yet it has the write`);
    assert.equal(await getKey(eps[a!]!, 'p2'), null, `${a} sees the isolated node's write`);
    assert.match(fault.label()!, new RegExp(`^partition one ${lone} \\| `));
  } finally {
    await fault.undo(rt);
  }
  assert.deepEqual(rt.activeFaults().grudge, {});
  assert.equal(fault.label(), null);
  await waitFor(`${lone} to catch up after heal`, async () => (await getKey(eps[lone]!, 'p1')) === 'big-side', 20_000);
  await waitFor(`${a} to get the isolated write after heal`, async () => (await getKey(eps[a!]!, 'p2')) === 'lone-side', 20_000);
});

test('pause: the paused node stops answering and answers again after the stop', async () => {
  const fault = new PauseFault();
  const plan = fault.plan(input(5));
  assert.equal(plan.nodes.length, 1, 'a minority of 3 is one node');
  const target = plan.nodes[0]!;
  await fault.apply(rt, plan);
  try {
    assert.deepEqual(rt.activeFaults().paused, [target]);
    await assert.rejects(health(eps[target]!, 700), /timeout/);
    // the others keep answering
    for (const n of NODES.filter((x) => x !== target)) assert.equal((await health(eps[n]!)).name, n);
  } finally {
    await fault.undo(rt);
  }
  assert.deepEqual(rt.activeFaults().paused, []);
  assert.equal((await waitFor(`${target} to answer after resume`, () => health(eps[target]!, 2000))).name, target);
});

test('kill: the node refuses connections, and an acknowledged write survives the restart', async () => {
  const fault = new KillFault();
  const plan = fault.plan(input(8));
  const target = plan.nodes[0]!;
  await putKey(eps[target]!, 'k1', 'acked-before-kill');
  await fault.apply(rt, plan);
  assert.deepEqual(rt.activeFaults().killed, [target]);
  await assert.rejects(health(eps[target]!, 1000), /ECONNREFUSED/);
  // restart it cut off from its peers: what it knows must come from its own data dir
  await rt.partition({ [target]: NODES.filter((n) => n !== target) });
  try {
    await fault.undo(rt);
    assert.deepEqual(rt.activeFaults().killed, []);
    assert.equal((await health(eps[target]!)).name, target);
    assert.equal(await getKey(eps[target]!, 'k1'), 'acked-before-kill', 'the restarted node lost an acknowledged write');
  } finally {
    await rt.heal();
  }
});

/** the node's wall clock as it reports it, checked against ours ± slack */
async function assertClock(node: string, offsetMs: number, slackMs = 300): Promise<void> {
  const before = Date.now();
  const now = await clock(eps[node]!);
  const after = Date.now();
  assert.ok(now >= before + offsetMs - slackMs && now <= after + offsetMs + slackMs,
    `${node}: clock ${now - after} ms from ours, expected ≈ ${offsetMs} (${rt.info.mechanisms.clock})`);
}

/** the first seed whose plan has the wanted mode (plans are pure, so this is deterministic) */
function clockPlan(fault: ClockFault, mode: OffsetClockPlan['mode']): OffsetClockPlan {
  for (let seed = 1; ; seed++) { const p = fault.plan(input(seed)); if (p.mode === mode) return p as OffsetClockPlan; }
}

test('clock bump: the bumped nodes report their offset; the stop resets them', async () => {
  const fault = new ClockFault(120_000);
  const plan = clockPlan(fault, 'bump');
  await fault.apply(rt, plan, never);
  try {
    for (const n of NODES) await assertClock(n, plan.offsets[n] ?? 0);
    assert.deepEqual(rt.activeFaults().clockOffsets, plan.offsets);
  } finally {
    await fault.undo(rt);
  }
  for (const n of NODES) await assertClock(n, 0);
});

test('clock strobe: ends on the offsets, and the stop resets them', async () => {
  const fault = new ClockFault(90_000, { strobePeriodMs: 100, strobeDurationMs: 800 });
  const plan = clockPlan(fault, 'strobe');
  await fault.apply(rt, plan, never);
  try {
    for (const n of NODES) await assertClock(n, plan.offsets[n] ?? 0);
  } finally {
    await fault.undo(rt);
  }
  assert.deepEqual(rt.activeFaults().clockOffsets, {});
  for (const n of NODES) await assertClock(n, 0);
});

test('link delay: replication into a node whose incoming links are delayed takes at least the delay', async () => {
  const fault = new LinkFault();
  // the first seed whose plan delays every link into some node (so no faster detour exists)
  let plan: LinkPlan | undefined, into = '';
  for (let seed = 1; !plan; seed++) {
    const p = fault.plan(input(seed));
    if (p.fault.delayMs === undefined || p.fault.loss !== undefined) continue;
    const y = NODES.find((n) => NODES.filter((x) => x !== n).every((x) => p.links.some(([f, t]) => f === x && t === n)));
    if (y) { plan = p; into = y; }
  }
  const from = NODES.find((n) => n !== into)!;
  await fault.apply(rt, plan);
  try {
    const t0 = performance.now();
    await putKey(eps[from]!, 'slow', 'late');
    await waitFor(`${into} to replicate over delayed links`, async () => (await getKey(eps[into]!, 'slow', 5000)) === 'late', 20_000, 10);
    const took = performance.now() - t0;
    assert.ok(took >= plan.fault.delayMs!, `replication to ${into} took ${took.toFixed(0)} ms over links delayed ${plan.fault.delayMs} ms`);
  } finally {
    await fault.undo(rt);
  }
  assert.deepEqual(rt.activeFaults().links, {});
});

test('the composer with every kind: faults are recorded, and healAll leaves nothing behind', async () => {
  const ops: Op[] = [];
  const nem = createNemesis(
    { kinds: [...FAULT_KINDS], intervalS: 0.4, partitionShape: 'cycle', clockSkewMs: 30_000 },
    { clock: { strobePeriodMs: 100, strobeDurationMs: 600 } },
  );
  const ac = new AbortController();
  const ctx = {
    runtime: rt, nodes: NODES, rng: new Rng(77), log: () => {},
    record: (op: OpInput) => {
      ops.push({ ...op, index: ops.length, time: ops.length });
      if (ops.length >= 24) ac.abort(); // 12 fault events
    },
  };
  const running = nem.run(ctx, ac.signal);
  await waitFor('twelve fault events', () => ac.signal.aborted, 60_000);
  await running;
  await nem.healAll(ctx);
  const kinds = new Set(ops.filter((o) => o.f.startsWith('start-')).map((o) => o.f.slice(6)));
  assert.ok(kinds.size >= 3, `only ${[...kinds].join(',')} started`);
  assert.deepEqual(ops.filter((o) => o.error !== undefined).map((o) => `${o.f}: ${o.error}`), [], 'no fault op failed');
  assert.deepEqual(nem.active(), []);
  assert.deepEqual(rt.activeFaults(), { grudge: {}, paused: [], killed: [], clockOffsets: {}, clockFrozen: {}, links: {} });
  for (const n of NODES) {
    assert.equal((await waitFor(`${n} to answer after healAll`, () => health(eps[n]!, 2000))).name, n);
    await assertClock(n, 0);
  }
  // and the cluster converges again
  await putKey(eps.n1!, 'after-heal', 'everywhere');
  for (const n of NODES) await waitFor(`${n} to get a write made after the heal`, async () => (await getKey(eps[n]!, 'after-heal')) === 'everywhere', 20_000);
});
