// Property tests of the partition shapes: the invariants each shape promises, for n = 1..9 nodes
// and any seed.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../api/rng.ts';
import {
  halves, isolateOne, majoritiesRing, bridge, partitionPlan, majority, visibleFrom, PARTITION_SHAPES,
  describePartition,
} from '../shapes.ts';
import type { Grudge } from '../../api/runtime.ts';

const nodesOf = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const arbCluster = (min = 1, max = 9) =>
  fc.record({ n: fc.integer({ min, max }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });

function assertWellFormed(nodes: string[], g: Grudge) {
  for (const [b, drops] of Object.entries(g)) {
    assert.ok(nodes.includes(b), `grudge key ${b} is a node`);
    assert.ok(!drops.includes(b), `${b} never drops itself`);
    for (const a of drops) assert.ok(nodes.includes(a), `dropped ${a} is a node`);
    assert.equal(new Set(drops).size, drops.length, 'no duplicates');
  }
}
function assertSymmetric(g: Grudge) {
  for (const [b, drops] of Object.entries(g))
    for (const a of drops) assert.ok((g[a] ?? []).includes(b), `${b} drops ${a} but ${a} does not drop ${b}`);
}
/** connected components of the undirected "can talk" graph */
function components(nodes: string[], g: Grudge): string[][] {
  const seen = new Set<string>(); const out: string[][] = [];
  for (const start of nodes) {
    if (seen.has(start)) continue;
    const comp: string[] = []; const stack = [start]; seen.add(start);
    while (stack.length) {
      const x = stack.pop()!; comp.push(x);
      for (const y of visibleFrom(nodes, g, x)) if (!seen.has(y)) { seen.add(y); stack.push(y); }
    }
    out.push(comp.sort());
  }
  return out;
}

test('majority', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(majority), [1, 2, 2, 3, 3, 4, 4, 5, 5]);
});

test('halves: two sides, each fully cut from the other, the smaller has ⌊n/2⌋', () => {
  fc.assert(fc.property(arbCluster(2), ({ n, seed }) => {
    const nodes = nodesOf(n);
    const p = halves(nodes, new Rng(seed));
    assertWellFormed(nodes, p.grudge); assertSymmetric(p.grudge);
    const comps = components(nodes, p.grudge);
    assert.equal(comps.length, 2);
    assert.deepEqual(comps.map((c) => c.length).sort((a, b) => a - b), [Math.floor(n / 2), Math.ceil(n / 2)]);
    for (const b of nodes) assert.equal(p.grudge[b]!.length, n - comps.find((c) => c.includes(b))!.length);
    assert.deepEqual(p.components!.map((c) => c.slice().sort()).sort(), comps.sort());
  }));
});

test('one: exactly one node isolated both ways, the rest fully connected', () => {
  fc.assert(fc.property(arbCluster(2), ({ n, seed }) => {
    const nodes = nodesOf(n);
    const p = isolateOne(nodes, new Rng(seed));
    assertWellFormed(nodes, p.grudge); assertSymmetric(p.grudge);
    const comps = components(nodes, p.grudge).sort((a, b) => a.length - b.length);
    assert.equal(comps.length, 2);
    assert.equal(comps[0]!.length, 1);
    const lone = comps[0]![0]!;
    assert.deepEqual(visibleFrom(nodes, p.grudge, lone), [lone]);
    for (const b of comps[1]!) assert.deepEqual(p.grudge[b], [lone]);
  }));
});

test('majorities-ring: every node sees a majority incl. itself; no two the same (n ≥ 3); symmetric', () => {
  fc.assert(fc.property(arbCluster(1), ({ n, seed }) => {
    const nodes = nodesOf(n);
    const p = majoritiesRing(nodes, new Rng(seed));
    assertWellFormed(nodes, p.grudge); assertSymmetric(p.grudge);
    const views = nodes.map((b) => visibleFrom(nodes, p.grudge, b));
    for (const [i, v] of views.entries()) {
      assert.ok(v.includes(nodes[i]!), 'sees itself');
      assert.ok(v.length >= majority(n), `${nodes[i]} sees ${v.length} < majority ${majority(n)}`);
    }
    if (n >= 3) {
      assert.equal(new Set(views.map((v) => v.join(','))).size, n, 'no two nodes see the same set');
      // and it is a real partition: some link is cut, and no majority is seen by everyone
      assert.ok(Object.keys(p.grudge).length > 0, 'some link is cut');
    }
  }), { numRuns: 300 });
});

test('majorities-ring: exhaustive over n = 3..9 for a range of seeds', () => {
  for (let n = 3; n <= 9; n++) {
    const nodes = nodesOf(n);
    for (let seed = 0; seed < 50; seed++) {
      const g = majoritiesRing(nodes, new Rng(seed)).grudge;
      const views = nodes.map((b) => visibleFrom(nodes, g, b).join(','));
      assert.equal(new Set(views).size, n, `n=${n} seed=${seed}`);
      for (const b of nodes) assert.ok(visibleFrom(nodes, g, b).length >= majority(n), `n=${n} seed=${seed} ${b}`);
    }
  }
});

test('bridge: two sides cut from each other, one bridge node sees everyone', () => {
  fc.assert(fc.property(arbCluster(3), ({ n, seed }) => {
    const nodes = nodesOf(n);
    const p = bridge(nodes, new Rng(seed));
    assertWellFormed(nodes, p.grudge); assertSymmetric(p.grudge);
    const via = p.bridge!;
    assert.ok(nodes.includes(via), `bridge ${via}`);
    assert.deepEqual(visibleFrom(nodes, p.grudge, via), nodes, 'the bridge sees all');
    assert.equal(p.grudge[via], undefined);
    // without the bridge the rest falls into exactly two components, sizes ⌊n/2⌋ and ⌈n/2⌉-1
    const rest = nodes.filter((x) => x !== via);
    const restGrudge: Grudge = {};
    for (const b of rest) restGrudge[b] = p.grudge[b] ?? [];
    const comps = components(rest, restGrudge);
    assert.equal(comps.length, 2);
    assert.deepEqual(comps.map((c) => c.length).sort((a, b) => a - b), [Math.floor(n / 2), Math.ceil(n / 2) - 1].sort((a, b) => a - b));
    // and with the bridge everything is still connected
    assert.equal(components(nodes, p.grudge).length, 1);
  }));
});

test('shapes with too few nodes cut nothing instead of throwing', () => {
  for (const shape of PARTITION_SHAPES) {
    assert.deepEqual(partitionPlan(shape, [], new Rng(1)).grudge, {});
    assert.deepEqual(partitionPlan(shape, ['n1'], new Rng(1)).grudge, {});
  }
  assert.deepEqual(bridge(['n1', 'n2'], new Rng(3)).grudge, {});
});

test('same seed, same grudge; shapes are a function of (nodes, seed)', () => {
  fc.assert(fc.property(arbCluster(3), fc.constantFrom(...PARTITION_SHAPES), ({ n, seed }, shape) => {
    const nodes = nodesOf(n);
    assert.deepEqual(partitionPlan(shape, nodes, new Rng(seed)), partitionPlan(shape, nodes, new Rng(seed)));
  }));
});

test('different seeds pick different splits (targets really come from the seed)', () => {
  const nodes = nodesOf(5);
  const seen = new Set<string>();
  for (let seed = 0; seed < 40; seed++) seen.add(JSON.stringify(halves(nodes, new Rng(seed)).grudge));
  assert.ok(seen.size > 5, `only ${seen.size} distinct splits over 40 seeds`);
});

test('describePartition names the shape and the sides', () => {
  const p = isolateOne(nodesOf(3), new Rng(7));
  const lone = p.components![0]![0]!;
  assert.match(describePartition(p), new RegExp(`^one ${lone} \\| `));
  assert.match(describePartition(bridge(nodesOf(5), new Rng(2))), /^bridge via n\d: /);
  assert.match(describePartition(majoritiesRing(nodesOf(5), new Rng(2))), /^majorities-ring \(5 links cut\)$/);
});

test('primary-minority: the primary sits on the minority side, cut both ways from a majority', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 9 }), fc.nat(), fc.nat(), (n, seed, pick) => {
    const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    const primary = nodes[pick % n]!;
    const p = partitionPlan('primary-minority', nodes, new Rng(seed), [primary]);
    const [minority, rest] = p.components!;
    assert.ok(minority!.includes(primary));
    assert.ok(minority!.length < n / 2 || n === 2, `minority ${minority} of ${n}`);
    assert.deepEqual([...minority!, ...rest!].sort(), nodes.slice().sort());
    for (const a of minority!) for (const b of rest!) {
      assert.ok(p.grudge[a]!.includes(b) && p.grudge[b]!.includes(a), `${a} and ${b} cut both ways`);
    }
  }));
});
