import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../api/rng.ts';
import { bankGenerator, bankParamsSchema } from '../bank.ts';
import { lwwGenerator, lwwParamsSchema } from '../lww.ts';
import { historyGenerator, historyParamsSchema } from '../history.ts';
import { createWorkload } from '../index.ts';

const take = <T>(gen: () => T, n: number): T[] => Array.from({ length: n }, gen);

test('bank: transfers between two different existing accounts, amounts in 1..max; same seed, same ops', () => {
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 2, max: 20 }), fc.integer({ min: 1, max: 9 }), (seed, accounts, max) => {
    const p = bankParamsSchema.parse({ accounts, 'max-transfer': max });
    const ops = take(bankGenerator(p, new Rng(seed)), 200);
    for (const op of ops) {
      if (op.f === 'read') { assert.equal(op.value, null); continue; }
      assert.equal(op.f, 'transfer');
      const { from, to, amount } = op.value as { from: number; to: number; amount: number };
      assert.notEqual(from, to);
      assert.ok(from >= 0 && from < accounts && to >= 0 && to < accounts);
      assert.ok(amount >= 1 && amount <= max);
    }
    assert.deepEqual(take(bankGenerator(p, new Rng(seed)), 200), ops);
  }));
});

test('history: appended values are unique across keys; keys in range', () => {
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 10 }), (seed, keys) => {
    const ops = take(historyGenerator(historyParamsSchema.parse({ keys }), new Rng(seed)), 300);
    const appended = ops.filter((o) => o.f === 'append').map((o) => (o.value as [number, number])[1]);
    assert.equal(new Set(appended).size, appended.length);
    for (const o of ops) assert.ok((o.value as [number, unknown])[0] < keys);
    for (const o of ops.filter((x) => x.f === 'read')) assert.equal((o.value as [number, unknown])[1], null);
  }));
});

test('lww: written values unique; a cas expects a value generated earlier for the same key', () => {
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 5 }), (seed, keys) => {
    const ops = take(lwwGenerator(lwwParamsSchema.parse({ keys, 'cas-fraction': 0.4 }), new Rng(seed)), 300);
    const written = new Map<number, Set<unknown>>();
    const newValues: unknown[] = [];
    for (const o of ops) {
      const [k, arg] = o.value as [number, any];
      if (o.f === 'write') { newValues.push(arg); written.set(k, (written.get(k) ?? new Set()).add(arg)); }
      if (o.f === 'cas') {
        assert.ok(written.get(k)?.has(arg[0]), `cas on ${k} expects ${arg[0]}, never generated for that key`);
        newValues.push(arg[1]);
        written.set(k, written.get(k)!.add(arg[1]));
      }
    }
    assert.equal(new Set(newValues).size, newValues.length);
  }));
});

test('workload params: bad values name the field and list what the workload takes', () => {
  assert.throws(() => createWorkload('bank', { accounts: 1 }), /params\.accounts: .*\(the bank workload takes: accounts, initial-balance, max-transfer, read-fraction\)/);
  assert.throws(() => createWorkload('lww', { key: 3 }), /lww workload takes: keys/);
  const bank = createWorkload('bank', { accounts: 4, 'initial-balance': 5 });
  assert.deepEqual(bank.checkParams.accounts, [0, 1, 2, 3]);
  assert.equal(bank.checkParams.total, 20);
  assert.throws(() => createWorkload('nope'), /no workload "nope": expected one of bank, lww, history, set/);
});

test('every workload checks stats and convergence, and every checker is a function that judges an empty history', async () => {
  for (const name of ['bank', 'lww', 'history'] as const) {
    const w = createWorkload(name);
    const checks = w.checks([]);
    assert.ok(checks.some((c) => c.name === 'stats' && c.fallback?.expected === 'valid'));
    assert.ok(checks.some((c) => c.name === 'convergence'));
    for (const c of checks) {
      const r = await c.check([], { nodes: ['n1'], workload: w.checkParams });
      assert.ok(r.valid === true || r.valid === false || r.valid === 'unknown', `${name}/${c.name}: ${JSON.stringify(r)}`);
    }
  }
});
