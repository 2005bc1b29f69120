import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ListMarks, ValueIds } from '../value-ids.ts';

test('property: ValueIds.lookup agrees with a plain map, dense table or not', () => {
  const entry = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.oneof(fc.integer({ min: -5, max: 60 }), fc.integer(), fc.double({ noNaN: true })));
  fc.assert(fc.property(fc.array(entry, { maxLength: 40 }), fc.array(entry, { maxLength: 20 }), (added, probes) => {
    const ids = new ValueIds();
    const expected = new Map<string, number>();
    for (const [k, v] of added) {
      const id = ids.add(k, v);
      const prev = expected.get(`${k}|${v}`);
      if (prev !== undefined) assert.equal(id, prev); else expected.set(`${k}|${v}`, id);
    }
    ids.seal();
    for (const [k, v] of [...added, ...probes, ['zz', 1] as [string, number]]) {
      assert.equal(ids.lookup(ids.keyNo(k), v), expected.get(`${k}|${v}`) ?? -1, `${k} ${v}`);
    }
  }), { numRuns: 300 });
});

test('ListMarks forgets the previous list and reports duplicates and positions', () => {
  const m = new ListMarks(4);
  m.begin();
  assert.equal(m.set(2, 0), true);
  assert.equal(m.set(2, 1), false);
  assert.equal(m.position(2), 0);
  m.begin();
  assert.equal(m.has(2), false);
  assert.equal(m.position(2), -1);
});
