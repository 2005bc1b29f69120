// --kill-targets: property tests of whom a kill plan hits for each option (pure: nodes + seed).
// `all` and `majority` are what expose durability bugs (a write no node made durable is lost);
// `mixed` must stay exactly the old behaviour, so seeds of existing runs pick the same nodes.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../api/rng.ts';
import { pickTargets, pickTargetsBy } from '../fault.ts';
import { KillFault } from '../kill.ts';
import { createNemesis, KILL_TARGETS } from '../index.ts';
import type { KillTargets } from '../../api/fault.ts';
import { fakeContext, until } from './fake-runtime.ts';

const nodesOf = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const arbSeed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const arbN = fc.integer({ min: 1, max: 9 });
const plan = (mode: KillTargets, n: number, seed: number, held = new Set<string>()) =>
  new KillFault(mode).plan({ nodes: nodesOf(n), rng: new Rng(seed), held }).nodes;

test('all = every node, majority = exactly ⌊n/2⌋+1, one = exactly one, minority = 1 … ⌊(n−1)/2⌋', () => {
  fc.assert(fc.property(arbN, arbSeed, (n, seed) => {
    const nodes = nodesOf(n);
    assert.deepEqual(plan('all', n, seed), [...nodes].sort());
    const maj = plan('majority', n, seed);
    assert.equal(maj.length, Math.floor(n / 2) + 1);
    assert.ok(maj.length * 2 > n, 'a strict majority');
    assert.equal(plan('one', n, seed).length, 1);
    const min = plan('minority', n, seed);
    assert.ok(min.length >= 1 && min.length <= Math.max(1, Math.floor((n - 1) / 2)), `${min.length} of ${n}`);
    if (n >= 3) assert.ok(min.length * 2 < n, 'a strict minority');
    for (const mode of KILL_TARGETS) {
      const t = plan(mode, n, seed);
      for (const x of t) assert.ok(nodes.includes(x));
      assert.deepEqual(t, [...new Set(t)].sort(), 'distinct and sorted');
      assert.deepEqual(plan(mode, n, seed), t, 'the same seed gives the same targets');
    }
  }));
});

test('held (paused) nodes are never killed; counts are capped by the free nodes', () => {
  fc.assert(fc.property(arbN, arbSeed, fc.array(fc.nat({ max: 8 })), fc.constantFrom(...KILL_TARGETS), (n, seed, heldIdx, mode) => {
    const nodes = nodesOf(n);
    const held = new Set(heldIdx.filter((i) => i < n).map((i) => nodes[i]!));
    const free = nodes.filter((x) => !held.has(x));
    const t = plan(mode, n, seed, held);
    for (const x of t) assert.ok(!held.has(x), `${x} is held`);
    if (free.length === 0 || mode === 'primaries') assert.ok(free.length > 0 || t.length === 0);
    // primaries with none known hits nobody rather than a bystander
    if (mode === 'primaries') assert.deepEqual(t, []);
    else if (free.length > 0) assert.ok(t.length >= 1);
    if (mode === 'all') assert.deepEqual(t, free);
  }));
});

test('mixed is the old behaviour: the same draws as pickTargets, and both one node and minorities occur', () => {
  const sizes = new Set<number>();
  fc.assert(fc.property(arbN, arbSeed, (n, seed) => {
    assert.deepEqual(pickTargetsBy('mixed', nodesOf(n), new Rng(seed), new Set()), pickTargets(nodesOf(n), new Rng(seed), new Set()));
    assert.deepEqual(new KillFault().plan({ nodes: nodesOf(n), rng: new Rng(seed), held: new Set() }).nodes, pickTargets(nodesOf(n), new Rng(seed), new Set()));
  }));
  for (let seed = 0; seed < 100; seed++) sizes.add(plan('mixed', 7, seed).length);
  assert.deepEqual([...sizes].sort(), [1, 2, 3]);
});

test('the composer passes killTargets on: with "all" every start kills and the stop restarts every node', async () => {
  const nodes = nodesOf(5);
  const ac = new AbortController();
  const nem = createNemesis({ kinds: ['kill'], intervalS: 0.004, partitionShape: 'cycle', clockSkewMs: 1000, killTargets: 'all' });
  const ctx = fakeContext(nodes, 3, () => { if (ctx.ops.filter((o) => o.f === 'stop-kill').length >= 4) ac.abort(); });
  const running = nem.run(ctx, ac.signal);
  await until(() => ac.signal.aborted);
  await running;
  await nem.healAll(ctx);
  const starts = ctx.ops.filter((o) => o.f === 'start-kill');
  assert.ok(starts.length >= 2);
  for (const s of starts) assert.deepEqual((s.value as { nodes: string[] }).nodes, nodes);
  const kills = ctx.runtime.calls.filter((c) => c.m === 'kill').length;
  const restarts = ctx.runtime.calls.filter((c) => c.m === 'restart').length;
  assert.equal(kills, restarts, 'every killed node is restarted');
  assert.equal(kills % 5, 0);
  assert.deepEqual(nem.active(), []);
});

test('primaries: exactly the primaries the system named that are free', () => {
  fc.assert(fc.property(arbN, arbSeed, fc.array(fc.nat({ max: 8 })), fc.array(fc.nat({ max: 8 })), (n, seed, heldIdx, primIdx) => {
    const nodes = nodesOf(n);
    const held = new Set(heldIdx.filter((i) => i < n).map((i) => nodes[i]!));
    const primaries = [...new Set(primIdx.map((i) => `n${i + 1}`))];
    const t = new KillFault('primaries').plan({ nodes, rng: new Rng(seed), held, primaries }).nodes;
    assert.deepEqual(t, primaries.filter((p) => nodes.includes(p) && !held.has(p)).sort());
  }));
});
