import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLinearizability, registerModel, type LinOp } from '../index.ts';
import { PartitionSearch } from '../search.ts';
import { bruteForce } from './helpers.ts';
import { registerHistory } from './register-history.ts';

// the retired-states pruning (retired.ts) fires when a value is written once and read later:
// histories with few values, reads of them, and pending writes exercise it
const opArb = fc.record({
  write: fc.boolean(),
  value: fc.option(fc.integer({ min: 0, max: 3 })),
  call: fc.integer({ min: 0, max: 20 }),
  length: fc.integer({ min: 0, max: 10 }),
  pending: fc.boolean(),
});

function history(raw: { write: boolean; value: number | null; call: number; length: number; pending: boolean }[]): LinOp[] {
  return raw.map((r, i) => {
    const pending = r.write && r.pending && i % 3 === 0;
    return {
      process: i,
      input: r.write ? { f: 'write', value: r.value } : { f: 'read' },
      output: pending ? undefined : r.write ? true : r.value,
      call: r.call,
      ret: pending ? Infinity : r.call + r.length,
    };
  });
}

test('property: the search with retired-states pruning agrees with brute force and with itself unpruned', () => {
  let valid = 0, invalid = 0;
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 8 }), (raw) => {
      const ops = history(raw);
      const expected = bruteForce(ops, registerModel);
      assert.equal(checkLinearizability(ops, registerModel).valid, expected);
      const pruned = new PartitionSearch(ops, registerModel).run(Infinity, Infinity);
      const plain = new PartitionSearch(ops, registerModel, { prune: false }).run(Infinity, Infinity);
      assert.equal(pruned?.kind, expected ? 'linearizable' : 'illegal');
      assert.equal(plain?.kind, pruned?.kind);
      if (expected) valid++; else invalid++;
    }),
    { numRuns: 2000 },
  );
  assert.ok(valid > 200 && invalid > 200, `valid ${valid}, invalid ${invalid}`);
});

test('property: small generated scaling histories are linearizable, and with the planted read not', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 4 }), (seed, n, processes) => {
      const ops = registerHistory(seed, n, processes);
      assert.equal(bruteForce(ops, registerModel), true);
      assert.equal(checkLinearizability(ops, registerModel).valid, true);
      const bad = registerHistory(seed, n, processes, { bad: true });
      assert.equal(checkLinearizability(bad, registerModel).valid, bruteForce(bad, registerModel));
    }),
    { numRuns: 300 },
  );
});

test('a long history with 20 clients is decided both ways, and the evidence names the planted read', () => {
  assert.equal(checkLinearizability(registerHistory(1, 5000, 20), registerModel).valid, true);
  const r = checkLinearizability(registerHistory(1, 3000, 20, { bad: true }), registerModel);
  assert.equal(r.valid, false);
  assert.ok(r.partitions![0]!.couldNotPlace.some((c) => c.describe === 'read → -1'), r.partitions![0]!.explanation);
});
