// Admission's round trip (admission.ts): a client value is admitted only if its op comes back from
// msgpack with the same fields, so every receiver computes the same id. The fields are compared
// (sameValue) instead of hashing the op again; these properties hold that to the hash.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { makeAdmit, sameValue } from './admission.ts';
import { defaultAdmit } from '../core/replica.ts';
import { makeOp, opFromWire, opToWire, type Op } from '../core/ops.ts';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });
const admit = makeAdmit(1024 * 1024);

/** the check as it was: the op unpacked must pass opFromWire (id rehashed) and show the same payload JSON */
function referenceAdmit(op: Op): boolean {
  if (defaultAdmit(op)) return false;
  const back = opFromWire(packr.unpack(packr.pack(opToWire(op))));
  return typeof back !== 'string' && JSON.stringify(back.payload) === JSON.stringify(op.payload);
}

const putOf = (value: unknown) => makeOp({ origin: 'n1', seq: 2, ts: 1_700_000_000_000, vv: { n1: 1, n2: 7 }, kind: 'put', key: 'k', payload: { value } });

test('property: for JSON values (and arrays with holes) admission decides as the rehashing check did', () => {
  const value = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.sparseArray(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }));
  fc.assert(fc.property(value, (v) => {
    const op = putOf(v);
    assert.equal(admit(op) === null, referenceAdmit(op));
  }), { seed: 31, numRuns: 2000 });
});

test('property: whatever is admitted comes back from msgpack as an op with the same id', () => {
  fc.assert(fc.property(fc.anything({ withSparseArray: true, withBigInt: false, maxDepth: 4 }), (v) => {
    const op = putOf(v);
    if (admit(op) !== null) return;
    const back = opFromWire(packr.unpack(packr.pack(opToWire(op))));
    assert.notEqual(typeof back, 'string', String(back));
  }), { seed: 32, numRuns: 2000 });
});

test('a value msgpack would change is refused with a 400 naming it', () => {
  // msgpack writes a hole as undefined, and canonical JSON tells the two apart: receivers would
  // compute another id and refuse the op forever
  assert.deepEqual(admit(putOf([1, , 2])), { status: 400, error: 'value does not survive encoding unchanged (msgpack would alter it)' }); // eslint-disable-line no-sparse-arrays
  assert.equal(admit(putOf([1, undefined, 2])), null);
  assert.equal(admit(putOf({ b: [1, { c: 'x' }], a: null })), null);
});

test('property: sameValue is equality of JSON text, for JSON values', () => {
  const small = fc.jsonValue({ maxDepth: 2 }).map((v) => (typeof v === 'string' ? v.slice(0, 1) : v));
  fc.assert(fc.property(small, small, (a, b) => {
    assert.equal(sameValue(a, b), JSON.stringify(a) === JSON.stringify(b));
    assert.ok(sameValue(a, structuredClone(a)));
  }), { seed: 33, numRuns: 3000 });
  assert.equal(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 }), false, 'key order counts');
  assert.equal(sameValue({ a: undefined }, {}), false, 'an undefined member counts');
});

test('property: a 413 exactly when the value alone packs to more than the cap (a put, and the writes of a txn)', () => {
  const value = fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 30 }), fc.jsonValue({ maxDepth: 2 }));
  fc.assert(fc.property(value, fc.integer({ min: 1, max: 400 }), (v, cap) => {
    const capped = makeAdmit(cap);
    const put = putOf(v);
    assert.equal(capped(put)?.status === 413, packr.pack(v).length > cap, 'put');
    const txn = makeOp({ origin: 'n1', seq: 2, ts: 1, vv: { n1: 1 }, kind: 'txn', key: '', payload: { writes: [['append', 'k', v], ['w', 2, 7]] } });
    assert.equal(capped(txn)?.status === 413, packr.pack([v, 7]).length > cap, 'txn');
  }), { seed: 34, numRuns: 1000 });
});
