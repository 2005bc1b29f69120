// Property tests of each fault kind's plan (the pure half of a start): targets, ranges, seeds.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../api/rng.ts';
import { pickTargets } from '../fault.ts';
import { PauseFault } from '../pause.ts';
import { KillFault } from '../kill.ts';
import { ClockFault, strobeSteps, randomOffset } from '../clock.ts';
import { LinkFault } from '../link.ts';
import { PartitionFault } from '../partition.ts';
import { CYCLE_SHAPES } from '../shapes.ts';

const nodesOf = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const arbSeed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const arbN = fc.integer({ min: 1, max: 9 });

test('pause/kill targets: one node or a minority, never a held node, sorted, from the seed', () => {
  fc.assert(fc.property(arbN, arbSeed, fc.array(fc.nat({ max: 8 })), (n, seed, heldIdx) => {
    const nodes = nodesOf(n);
    const held = new Set(heldIdx.filter((i) => i < n).map((i) => nodes[i]!));
    const t = pickTargets(nodes, new Rng(seed), held);
    const free = nodes.filter((x) => !held.has(x));
    if (free.length === 0) { assert.deepEqual(t, []); return; }
    assert.ok(t.length >= 1, 'at least one target');
    assert.ok(t.length <= Math.max(1, Math.floor((n - 1) / 2)), `${t.length} targets of ${n} is not a minority`);
    for (const x of t) assert.ok(free.includes(x), `${x} is held or unknown`);
    assert.deepEqual(t, [...new Set(t)].sort());
    assert.deepEqual(pickTargets(nodes, new Rng(seed), held), t);
  }));
});

test('pause and kill plans use pickTargets and both sizes occur', () => {
  const sizes = new Set<number>();
  for (let seed = 0; seed < 200; seed++) {
    const p = new PauseFault().plan({ nodes: nodesOf(7), rng: new Rng(seed), held: new Set() });
    const k = new KillFault().plan({ nodes: nodesOf(7), rng: new Rng(seed), held: new Set() });
    sizes.add(p.nodes.length); sizes.add(k.nodes.length);
  }
  assert.deepEqual([...sizes].sort(), [1, 2, 3], 'of 7 nodes, 1 to 3 are targeted');
});

test('clock plans: a non-empty subset, offsets within ±skew and never 0, strobe with its timing', () => {
  fc.assert(fc.property(arbN, arbSeed, fc.integer({ min: 1, max: 600_000 }), (n, seed, skew) => {
    const plan = new ClockFault(skew, { strobePeriodMs: 100, strobeDurationMs: 3000 }).plan({ nodes: nodesOf(n), rng: new Rng(seed), held: new Set() });
    assert.ok(plan.mode !== 'freeze', 'mixed never freezes');
    const entries = Object.entries(plan.offsets);
    assert.ok(entries.length >= 1, 'at least one node');
    for (const [node, off] of entries) {
      assert.ok(nodesOf(n).includes(node), node);
      assert.ok(off !== 0 && Math.abs(off) <= skew && Number.isInteger(off), `offset ${off} for skew ${skew}`);
    }
    if (plan.mode === 'strobe') { assert.equal(plan.periodMs, 100); assert.equal(plan.durationMs, 3000); }
    else assert.equal(plan.periodMs, undefined);
  }));
  assert.equal(randomOffset(new Rng(1), 0), 0, 'skew 0 sets no offset');
});

test('strobe steps: alternate on/off, start and end on the offsets, about duration/period of them', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 10_000 }), (periodMs, durationMs) => {
    const offsets = { n1: 500, n3: -20 };
    const steps = strobeSteps({ mode: 'strobe', offsets, periodMs, durationMs });
    assert.equal(steps.length % 2, 1);
    assert.ok(Math.abs(steps.length - durationMs / periodMs) <= 1.5 || steps.length === 1, `${steps.length} steps`);
    steps.forEach((s, i) => assert.deepEqual(s, i % 2 === 0 ? offsets : { n1: 0, n3: 0 }));
  }));
});

test('link plans: a non-empty set of real directed links, faults within their ranges', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 9 }), arbSeed, (n, seed) => {
    const nodes = nodesOf(n);
    const p = new LinkFault().plan({ nodes, rng: new Rng(seed), held: new Set() });
    assert.ok(p.links.length >= 1, 'at least one link');
    assert.equal(new Set(p.links.map((l) => l.join('>'))).size, p.links.length, 'no duplicate link');
    for (const [a, b] of p.links) assert.ok(a !== b && nodes.includes(a) && nodes.includes(b), `${a}→${b}`);
    const f = p.fault;
    assert.equal(f.delayMs !== undefined, p.mode !== 'loss');
    assert.equal(f.loss !== undefined, p.mode !== 'delay');
    if (f.delayMs !== undefined) {
      assert.ok(f.delayMs >= 50 && f.delayMs <= 300, `delay ${f.delayMs}`);
      assert.ok(f.jitterMs! >= 0 && f.jitterMs! <= f.delayMs / 2, `jitter ${f.jitterMs}`);
    }
    if (f.loss !== undefined) assert.ok(f.loss >= 0.1 && f.loss <= 0.3, `loss ${f.loss}`);
  }));
});

test('partition "cycle" walks the four symmetric shapes in order; a fixed shape sticks', () => {
  const cyc = new PartitionFault('cycle');
  const input = { nodes: nodesOf(5), rng: new Rng(3), held: new Set<string>() };
  assert.deepEqual(Array.from({ length: 8 }, () => cyc.plan(input).shape), [...CYCLE_SHAPES, ...CYCLE_SHAPES]);
  const fixed = new PartitionFault('bridge');
  assert.deepEqual(Array.from({ length: 3 }, () => fixed.plan(input).shape), ['bridge', 'bridge', 'bridge']);
});
