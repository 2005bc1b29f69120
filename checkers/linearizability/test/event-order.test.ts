import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eventOrder } from '../event-order.ts';
import type { LinOp } from '../model.ts';

/** the rule as one comparator over all 2n events (how eventOrder was first written) */
function byComparator(ops: readonly LinOp[]): number[] {
  const order = Array.from({ length: 2 * ops.length }, (_, i) => i);
  const time = (ev: number) => (ev & 1 ? ops[ev >> 1]!.ret : ops[ev >> 1]!.call);
  return order.sort((a, b) => {
    const ta = time(a), tb = time(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    if ((a & 1) !== (b & 1)) return (a & 1) - (b & 1);
    return a - b;
  });
}

test('property: the merged event order equals the one-comparator sort (ties, pending ops, unsorted calls)', () => {
  const time = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.double({ min: 0, max: 6, noNaN: true }));
  fc.assert(
    // up to 40 ops mostly takes the insertion sort, up to 300 its fallback (a full sort)
    fc.property(fc.oneof(fc.array(fc.tuple(time, time, fc.boolean()), { maxLength: 40 }), fc.array(fc.tuple(time, time, fc.boolean()), { maxLength: 300 })), (xs) => {
      const ops: LinOp[] = xs.map(([a, b, pending], i) => ({
        process: i, input: null, output: null, call: Math.min(a, b), ret: pending ? Infinity : Math.max(a, b),
      }));
      assert.deepEqual(eventOrder(ops), byComparator(ops));
    }),
    { numRuns: 5000 },
  );
});
