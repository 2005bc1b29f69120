// canonicalJson / flattenState (checkers/canonical.ts) and CappedList (checkers/violation-list.ts):
// the parts the coverage report showed untested (undefined, non-object states, countMore, full).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, flattenState } from '../canonical.ts';
import { CappedList, DEFAULT_LIMIT, roundS } from '../violation-list.ts';

/** the same object with its keys in reverse insertion order, recursively */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse().map(([k, x]) => [k, reversedKeys(x)]));
}

const json = fc.jsonValue({ maxDepth: 3 });

test('property: canonicalJson ignores key order and parses back to the same value', () => {
  fc.assert(fc.property(json, (v) => {
    const s = canonicalJson(v);
    assert.equal(canonicalJson(reversedKeys(v)), s);
    assert.deepEqual(JSON.parse(s), JSON.parse(JSON.stringify(v)));
  }));
});

test('canonicalJson: undefined, functions and symbols have a string too', () => {
  assert.equal(canonicalJson(undefined), 'undefined');
  assert.equal(canonicalJson(() => 1), 'null');
  assert.equal(canonicalJson(Symbol('x')), 'null');
  assert.equal(canonicalJson({ b: [1, { d: 2, c: 3 }], a: null }), '{"a":null,"b":[1,{"c":3,"d":2}]}');
});

test('property: flattenState of {field: {key: value}} has one entry per field.key, values canonical', () => {
  const inner = fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 4 });
  fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), inner, { maxKeys: 4 }), (state) => {
    const flat = flattenState(state);
    const expected = new Map<string, string>();
    for (const [f, m] of Object.entries(state)) for (const [k, v] of Object.entries(m)) expected.set(`${f}.${k}`, canonicalJson(v));
    assert.deepEqual(flat, expected);
  }));
});

test('flattenState: scalars, arrays and null are one "" entry; non-object fields stay whole', () => {
  for (const s of [null, 3, 'x', [1, 2], undefined]) assert.deepEqual(flattenState(s), new Map([['', canonicalJson(s)]]));
  assert.deepEqual(flattenState({ n: 1, list: [2, 1], m: { k: { z: 1, a: 2 } } }), new Map([['n', '1'], ['list', '[2,1]'], ['m.k', '{"a":2,"z":1}']]));
});

test('property: CappedList keeps the first `limit` items and counts all, countMore included', () => {
  fc.assert(fc.property(fc.array(fc.integer()), fc.integer({ min: 0, max: 10 }), fc.nat(100), (xs, limit, more) => {
    const l = new CappedList<number>(limit);
    for (const x of xs) l.push(x);
    assert.deepEqual(l.items, xs.slice(0, limit));
    assert.equal(l.full, xs.length >= limit);
    l.countMore(more);
    assert.equal(l.count, xs.length + more);
    assert.equal(l.items.length, Math.min(limit, xs.length));
  }));
  assert.equal(new CappedList().limit, DEFAULT_LIMIT);
});

test('property: roundS rounds to the millisecond', () => {
  fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (s) => {
    const r = roundS(s);
    assert.ok(Math.abs(r - s) <= 0.0005 + 1e-9);
    assert.equal(roundS(r), r);
  }));
});
