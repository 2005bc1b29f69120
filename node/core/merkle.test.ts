import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CompactedDigests, MerkleTree, differingLeaves } from './merkle.ts';

const idArb = fc.stringMatching(/^[0-9a-f]{32}$/);

test('the Merkle walk finds exactly the leaves whose id sets differ', () => {
  fc.assert(fc.property(fc.uniqueArray(idArb, { maxLength: 200 }), fc.array(fc.nat(2)), fc.integer({ min: 1, max: 3 }), (ids, where, depth) => {
    // each id goes to a only (0), b only (1) or both (2)
    const a = new MerkleTree(depth), b = new MerkleTree(depth);
    const inA = new Set<string>(), inB = new Set<string>();
    ids.forEach((id, i) => {
      const w = where[i % Math.max(1, where.length)] ?? 2;
      if (w !== 1) { a.insert(id); inA.add(id); }
      if (w !== 0) { b.insert(id); inB.add(id); }
    });
    const expected = new Set<number>();
    for (const id of ids) if (inA.has(id) !== inB.has(id)) expected.add(a.leafOf(id));
    assert.deepEqual(new Set(differingLeaves(a, b)), expected);
    assert.equal(a.rootHex() === b.rootHex(), expected.size === 0);
  }), { seed: 7, numRuns: 300 });
});

test('digests are independent of insertion order (incremental updates, never a rebuild)', () => {
  fc.assert(fc.property(fc.uniqueArray(idArb, { maxLength: 100 }), (ids) => {
    const a = new MerkleTree(2), b = new MerkleTree(2);
    for (const id of ids) a.insert(id);
    for (const id of [...ids].reverse()) b.insert(id);
    assert.equal(a.rootHex(), b.rootHex());
    assert.equal(a.count(), ids.length);
  }), { seed: 8, numRuns: 100 });
});

test('a bad depth is refused with a clear error', () => {
  assert.throws(() => new MerkleTree(0), /merkle depth must be 1..6/);
});

test('compacting ids keeps every digest: a tree rebuilt from the compacted digests plus the held ids equals the full tree', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(idArb, fc.constantFrom('n1', 'n2', 'n3'), fc.boolean()), { maxLength: 150, selector: ([id]) => id }), fc.integer({ min: 1, max: 3 }), (ops, depth) => {
    const full = new MerkleTree(depth);
    const digests = new CompactedDigests(depth);
    for (const [id, origin, compacted] of ops) { full.insert(id); if (compacted) digests.add(origin, id); }
    const held = new Set(ops.filter(([, , c]) => !c).map(([id]) => id));
    const rebuilt = MerkleTree.fromCompacted(depth, CompactedDigests.fromPacked(depth, digests.packed()).packed());
    for (const id of held) rebuilt.insert(id);
    assert.deepEqual(differingLeaves(full, rebuilt), []);
    assert.equal(rebuilt.rootHex(), full.rootHex());
    // and the full tree, told to forget the compacted ids, lists only the held ones
    full.retainIds((id) => held.has(id));
    for (let leaf = 0; leaf < full.nodesAt(depth); leaf++) assert.deepEqual([...full.leafIds(leaf)].sort(), [...rebuilt.leafIds(leaf)].sort());
  }), { seed: 9, numRuns: 200 });
});

