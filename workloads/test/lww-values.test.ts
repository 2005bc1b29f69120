/** lww's `values` param: large, wide, deep, unicode and mixed values (issue #18) */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Rng } from '../../api/rng.ts';
import { canonicalJson } from '../../checkers/canonical.ts';
import { lwwGenerator, lwwParamsSchema, MAX_VALUE_BYTES, UNICODE_PIECES, type LwwValues } from '../lww.ts';
import { createWorkload } from '../index.ts';

const MODES: LwwValues[] = ['int', 'large', 'wide', 'deep', 'unicode', 'mixed'];

function written(values: LwwValues, n: number, extra: Record<string, unknown> = {}, seed = 3): { ops: { f: string; value: unknown }[]; vals: unknown[] } {
  const gen = lwwGenerator(lwwParamsSchema.parse({ values, 'cas-fraction': 0.3, ...extra }), new Rng(seed));
  const ops = Array.from({ length: n }, () => gen());
  const vals = ops.flatMap((o) => (o.f === 'write' ? [(o.value as [number, unknown])[1]] : o.f === 'cas' ? [((o.value as [number, unknown[]])[1])[1]] : []));
  return { ops, vals };
}

/** no lone surrogate (String.prototype.isWellFormed, which this TypeScript lib does not declare) */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(v as object).map(depth));
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); strings(x, out); }
  return out;
}

test('every mode: written values are unique by canonical JSON, valid UTF-16, never arrays at the top', () => {
  for (const mode of MODES) {
    const { vals } = written(mode, 400);
    assert.ok(vals.length > 100);
    const ids = vals.map(canonicalJson);
    assert.equal(new Set(ids).size, ids.length, `${mode}: unique`);
    for (const v of vals) {
      assert.ok(!Array.isArray(v), `${mode}: not an array at the top`);
      for (const s of strings(v)) assert.ok(wellFormed(s), `${mode}: well-formed UTF-16: ${JSON.stringify(s)}`);
      // what a JSON client sends reads back the same
      assert.equal(canonicalJson(JSON.parse(JSON.stringify(v))), canonicalJson(v));
    }
  }
});

test('the ops (keys, kinds, cas targets by position) are the same whatever the values', () => {
  const shape = (m: LwwValues) => written(m, 300).ops.map((o) => `${o.f}:${(o.value as unknown[])[0]}`).join(' ');
  for (const m of MODES) assert.equal(shape(m), shape('int'), m);
});

test('large, wide and deep follow their size params; a cas expects an earlier value of its key', () => {
  for (const v of written('large', 50, { 'value-bytes': MAX_VALUE_BYTES }).vals) {
    assert.equal(typeof v, 'string');
    assert.equal((v as string).length, MAX_VALUE_BYTES);
    // the whole request body stays under maep's 1 MiB
    assert.ok(Buffer.byteLength(JSON.stringify({ value: v })) < 1024 * 1024);
  }
  for (const v of written('wide', 50, { 'wide-keys': 1000 }).vals) assert.equal(Object.keys(v as object).length, 1000);
  for (const v of written('deep', 50, { 'deep-depth': 40 }).vals) assert.equal(depth(v), 40);
  for (const v of written('mixed', 300, { 'value-bytes': 5000 }).vals) {
    if (typeof v === 'string' && v.startsWith('L')) assert.ok(v.length <= 5000);
    assert.ok(depth(v) <= 32);
  }
  const { ops } = written('mixed', 400);
  const seen = new Map<number, Set<string>>();
  for (const o of ops) {
    const [k, arg] = o.value as [number, unknown];
    if (o.f === 'cas') assert.ok(seen.get(k)?.has(canonicalJson((arg as unknown[])[0])), 'cas expects a value written before to that key');
    if (o.f === 'write') seen.set(k, (seen.get(k) ?? new Set()).add(canonicalJson(arg)));
    if (o.f === 'cas') seen.set(k, (seen.get(k) ?? new Set()).add(canonicalJson((arg as unknown[])[1])));
  }
});

test('unicode values draw on astral, combining, right-to-left and joiner pieces', () => {
  const text = written('unicode', 600).vals.flatMap((v) => strings(v)).join('');
  for (const piece of ['\u{1F600}', 'e\u0301', '\u05E9\u05DC\u05D5\u05DD', '\u202Eevil\u202C', '\u200D']) assert.ok(text.includes(piece), JSON.stringify(piece));
  for (const p of UNICODE_PIECES) assert.ok(wellFormed(p));
});

test('params are validated: the size caps and an unknown mode are refused', () => {
  assert.throws(() => createWorkload('lww', { values: 'huge' }), /values/);
  assert.throws(() => createWorkload('lww', { 'value-bytes': MAX_VALUE_BYTES + 1 }), /value-bytes/);
  assert.throws(() => createWorkload('lww', { 'deep-depth': 61 }), /deep-depth/);
  assert.equal(createWorkload('lww', { values: 'mixed' }).params.values, 'mixed');
});
