import { test } from 'vitest';
import assert from 'node:assert/strict';
import { EdgeBuilder, buildGraph, stronglyConnected } from '../graph.ts';
import { findCycles } from '../cycles.ts';
import { WW, WR, RW } from '../types.ts';

test('Tarjan without recursion: a 1,000,000-txn ring and a 1,000,000-txn chain', () => {
  const n = 1_000_000;
  const ring = new EdgeBuilder();
  for (let i = 0; i < n; i++) ring.add(i, (i + 1) % n, WW);
  const c = stronglyConnected(buildGraph(n, ring));
  assert.equal(c.sccs.length, 1);
  assert.equal(c.sccs[0]!.length, n);
  const chain = new EdgeBuilder();
  for (let i = 0; i + 1 < n; i++) chain.add(i, i + 1, WW);
  assert.equal(stronglyConnected(buildGraph(n, chain)).sccs.length, 0);
});

test('components and shortest cycles: the 2-cycle wins over the 4-cycle in the same component', () => {
  const e = new EdgeBuilder();
  // 0 -ww-> 1 -ww-> 2 -ww-> 3 -ww-> 0, and 1 -wr-> 0 ; separately 5 -rw-> 6 -rw-> 5
  e.add(0, 1, WW); e.add(1, 2, WW); e.add(2, 3, WW); e.add(3, 0, WW); e.add(1, 0, WR);
  e.add(5, 6, RW); e.add(6, 5, RW);
  const g = buildGraph(7, e);
  const comps = stronglyConnected(g);
  assert.equal(comps.sccs.length, 2);
  const { cycles, unclassified } = findCycles(g, comps);
  const byType = Object.fromEntries(cycles.map((c) => [c.spec, c]));
  assert.deepEqual(byType.G0!.nodes.length, 4);
  assert.deepEqual(byType.G1c!.nodes.slice().sort(), [0, 1]);
  assert.deepEqual(byType['G2-item']!.kinds, [RW, RW]);
  assert.equal(byType['G-single'], undefined);
  assert.deepEqual(unclassified, []);
  // no spec searched: each component is reported as holding an unclassified cycle
  assert.deepEqual(findCycles(g, comps, { specs: [] }).unclassified.sort(), [2, 4]);
});
