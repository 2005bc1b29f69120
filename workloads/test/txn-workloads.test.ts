import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import type { Op } from '../../api/history.ts';
import { Rng } from '../../api/rng.ts';
import { listAppend } from '../list-append.ts';
import { rwRegister } from '../rw-register.ts';

type M = [string, number, unknown];

/** runs generated txns one at a time against an in-memory store, two processes interleaved */
function run(instance: ReturnType<typeof listAppend.create>, n: number, seed: number, staleAt = -1): Op[] {
  const next = instance.generator(new Rng(seed));
  const state = new Map<number, unknown>();
  const ops: Op[] = [];
  const push = (type: Op['type'], process: number, value: unknown) => ops.push({ index: ops.length, time: ops.length, type, process, f: 'txn', value });
  for (let i = 0; i < n; i++) {
    const g = next();
    assert.equal(g.f, 'txn');
    const micro = g.value as M[];
    push('invoke', i % 2, micro);
    const done = micro.map(([f, k, v]): M => {
      if (f === 'r') {
        const cur = state.get(k);
        // the planted bug: one read returns the state before the latest write
        if (i === staleAt) return ['r', k, Array.isArray(cur) ? cur.slice(0, -1) : null];
        return ['r', k, Array.isArray(cur) ? cur.slice() : (cur ?? null)];
      }
      if (f === 'append') state.set(k, [...((state.get(k) as number[]) ?? []), v]);
      else state.set(k, v);
      return [f, k, v];
    });
    push('ok', i % 2, done);
  }
  return ops;
}

async function verdicts(instance: ReturnType<typeof listAppend.create>, ops: Op[]) {
  const out: Record<string, any> = {};
  for (const c of instance.checks([])) out[c.name] = await c.check(ops, { nodes: [], workload: instance.checkParams });
  return out;
}

describe('list-append and rw-register workloads', () => {
  test('params: defaults, one model as a string, bad fields named', () => {
    const i = listAppend.create({});
    assert.deepEqual(i.params, { keys: 8, 'min-txn-length': 1, 'max-txn-length': 4, 'read-fraction': 0.5, 'max-writes-per-key': 32, 'consistency-models': ['strict-serializable'] });
    assert.deepEqual(i.checkParams.consistencyModels, ['strict-serializable']);
    assert.deepEqual(rwRegister.create({ 'consistency-models': 'snapshot-isolation' }).checkParams.consistencyModels, ['snapshot-isolation']);
    assert.throws(() => listAppend.create({ keys: 0 }), /params\.keys: .*the list-append workload takes: keys, min-txn-length/);
    assert.throws(() => rwRegister.create({ 'consistency-models': ['linearizable'] }), /params\.consistency-models/);
    assert.throws(() => listAppend.create({ 'min-txn-length': 5, 'max-txn-length': 2 }), /params\.min-txn-length/);
    assert.throws(() => listAppend.create({ bogus: 1 }), /bogus|params/);
    assert.ok(listAppend.paramNames.includes('max-writes-per-key'));
  });

  test('generator: same seed same ops; lengths in range; unique values per key; keys rotate', () => {
    const i = listAppend.create({ keys: 3, 'max-txn-length': 5, 'max-writes-per-key': 4, 'read-fraction': 0.3 });
    const a = i.generator(new Rng(7)), b = i.generator(new Rng(7));
    const seen = new Set<string>();
    const keys = new Set<number>();
    for (let n = 0; n < 500; n++) {
      const x = a(), y = b();
      assert.deepEqual(x, y);
      const micro = x.value as M[];
      assert.ok(micro.length >= 1 && micro.length <= 5);
      for (const [f, k, v] of micro) {
        keys.add(k);
        if (f === 'r') { assert.equal(v, null); continue; }
        assert.equal(f, 'append');
        const id = `${k}:${String(v)}`;
        assert.ok(!seen.has(id), `value ${id} written twice`);
        seen.add(id);
      }
    }
    assert.ok(keys.size > 3, 'keys rotate');
    const w = rwRegister.create({}).generator(new Rng(1))();
    assert.ok((w.value as M[]).every(([f]) => f === 'w' || f === 'r'));
  });

  test('checks: stats (with a fallback) and the txn checker; a serial run is valid and a planted stale read is caught', async () => {
    for (const wl of [listAppend, rwRegister]) {
      const inst = wl.create({ keys: 3, 'read-fraction': 0.5 });
      const checks = inst.checks([]);
      assert.deepEqual(checks.map((c) => c.name), ['stats', wl.name]);
      assert.equal(checks[0]!.fallback?.expected, 'valid');
      const ok = await verdicts(inst, run(inst, 300, 3));
      assert.equal(ok.stats.valid, true);
      assert.equal(ok[wl.name].valid, true, ok[wl.name].summary);
    }
    // the planted bug: a read that misses the latest append, after it completed
    const inst = listAppend.create({ keys: 2, 'read-fraction': 0.5 });
    const ops = run(inst, 300, 3);
    const firstStale = ops.findIndex((o, i) => o.type === 'ok' && i > 100 && (o.value as M[]).some(([f, , v]) => f === 'r' && Array.isArray(v) && v.length > 1));
    const bad = await verdicts(inst, run(inst, 300, 3, (firstStale - 1) / 2));
    assert.equal(bad['list-append'].valid, false, bad['list-append'].summary);
    assert.match(bad['list-append'].summary, /realtime|G-single|internal/);
  });
});
