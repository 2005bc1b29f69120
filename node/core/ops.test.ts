// Op ids: canonical JSON and the content hash every replica recomputes (ops.ts).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { canonicalJson, jsonDepthExceeds, makeOp, opFromWire, opShapeFromWire, opToWire, valueProblem, type OpFields } from './ops.ts';

/** canonicalJson as it was written first (map/join); ids made by older nodes depend on its output */
function referenceCanonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(referenceCanonical).join(',') + ']';
  const obj = value as Record<string, unknown>;
  return '{' + Object.keys(obj).sort().map((k) => JSON.stringify(k) + ':' + referenceCanonical(obj[k])).join(',') + '}';
}

const anyValue = fc.anything({ withSparseArray: true, maxDepth: 4 }).filter((v) => {
  try { referenceCanonical(v); return true; } catch { return false; } // BigInt: neither can say it
});

test('property: canonicalJson writes exactly what the map/join version wrote (holes, undefined, -0 included)', () => {
  fc.assert(fc.property(anyValue, (v) => assert.equal(canonicalJson(v), referenceCanonical(v))), { seed: 21, numRuns: 2000 });
  assert.equal(canonicalJson([1, , undefined, -0, { b: undefined, a: NaN }]), '[1,,null,0,{"a":null,"b":null}]'); // eslint-disable-line no-sparse-arrays
});

test('an op id is the same as before: a fixed op has a fixed id', () => {
  // computed by the tree before canonicalJson and the hash call were rewritten (commit 1e1e924)
  const op = makeOp({ origin: 'n1', seq: 3, ts: 1700000000123, vv: { n2: 4, n1: 2 }, kind: 'append', key: 'k\u00e9"', payload: { value: [1, 'two', { b: null, a: -0.5 }], links: ['0123456789abcdef0123456789abcdef'] } });
  assert.equal(op.id, '8eb1f57f949f6a17a9c5b2783f5bc617');
});

const fieldsArb: fc.Arbitrary<OpFields> = fc.record({
  origin: fc.constantFrom('n1', 'n2', 'n3'), seq: fc.integer({ min: 1, max: 1e6 }), ts: fc.integer({ min: 0, max: 2e12 }),
  vv: fc.dictionary(fc.constantFrom('n1', 'n2', 'n3'), fc.nat(1000)),
  kind: fc.constantFrom('put' as const, 'cas' as const), key: fc.string({ maxLength: 10 }), payload: fc.record({ value: fc.jsonValue({ maxDepth: 3 }) }),
});

test('property: an op id is the sha256 of the canonical JSON of its other fields, as an array', () => {
  fc.assert(fc.property(fieldsArb, (f) => {
    const text = referenceCanonical([f.origin, f.seq, f.ts, f.vv, f.kind, f.key, f.payload]);
    assert.equal(makeOp(f).id, createHash('sha256').update(text).digest('hex').slice(0, 32));
  }), { seed: 23, numRuns: 500 });
});

test('property: opFromWire takes an op back; changed content under the same id is refused, which only opShapeFromWire lets through', () => {
  fc.assert(fc.property(fieldsArb, fc.integer({ min: 1, max: 7 }), (f, field) => {
    const op = makeOp(f);
    assert.deepEqual(opFromWire(opToWire(op)), op);
    const forged = opToWire(op);
    if (field === 2) forged[2] = op.seq + 1;
    else if (field === 3) forged[3] = op.ts + 1;
    else if (field === 4) forged[4] = { ...op.vv, n9: 1 };
    else if (field === 5) forged[5] = op.kind === 'put' ? 'cas' : 'put';
    else if (field === 6) forged[6] = op.key + 'x';
    else if (field === 7) forged[7] = { value: [op.payload] };
    else forged[1] = op.origin === 'n1' ? 'n2' : 'n1';
    assert.equal(opFromWire(forged), 'operation id does not match its content');
    assert.notEqual(typeof opShapeFromWire(forged), 'string');
  }), { seed: 22, numRuns: 500 });
});

test('jsonDepthExceeds: 64 levels of nesting pass, 65 do not, arrays and objects alike', () => {
  const nest = (n: number, obj: boolean): unknown => { let v: unknown = 1; for (let i = 0; i < n; i++) v = obj ? { k: v } : [0, v]; return v; };
  for (const obj of [false, true]) {
    assert.equal(jsonDepthExceeds(nest(64, obj)), false);
    assert.equal(jsonDepthExceeds(nest(65, obj)), true);
  }
  assert.equal(jsonDepthExceeds(nest(3, true), 2), true);
});

test('valueProblem names the place of the first bad part of a value', () => {
  assert.equal(valueProblem({ a: [1, 2, { b: 'x' }] }), null);
  assert.equal(valueProblem({ a: [1, 2, { b: 'x\ud800' }] }), 'the string at value."a"[2]."b" holds a lone UTF-16 surrogate, which is not valid Unicode and cannot be stored');
  assert.equal(valueProblem([0, Infinity]), 'the number at value[1] is not finite');
  assert.equal(valueProblem(JSON.parse('{"x":{"__proto__":1}}')), 'the object at value."x" has a "__proto__" key, which cannot be stored');
});
