import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkTxns } from '../index.ts';
import { serializableHistory, injectAnomaly, INJECTABLE } from './executor.ts';

const base = (seed: number, kind: 'list-append' | 'rw-register' = 'list-append') =>
  serializableHistory({ seed, txns: 150, kind, concurrency: 4, keys: 4, maxTxnLength: 4, appendsPerKey: 12 });

describe('seeded serializable executor', () => {
  test('its list-append histories are valid under strict serializability', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const res = checkTxns(base(seed).ops, { models: ['strict-serializable'] }) as any;
      assert.equal(res.valid, true, `${res.summary} ${JSON.stringify(res.anomalies).slice(0, 2000)}`);
    }), { numRuns: 60 });
  });

  test('its rw-register histories are valid under strict serializability', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const res = checkTxns(base(seed, 'rw-register').ops, { models: ['strict-serializable'], kind: 'rw-register' }) as any;
      assert.equal(res.valid, true, `${res.summary} ${JSON.stringify(res.anomalies).slice(0, 2000)}`);
    }), { numRuns: 60 });
  });

  for (const kind of INJECTABLE) {
    test(`one planted ${kind} is reported as ${kind}, and the same run without it is valid`, () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat(50), (seed, keyPick) => {
        const b = base(seed);
        const clean = checkTxns(b.ops, { models: ['strict-serializable'] }) as any;
        assert.equal(clean.valid, true, clean.summary);
        const res = checkTxns(injectAnomaly(b, kind, keyPick), { models: ['strict-serializable'] }) as any;
        assert.equal(res.valid, false, res.summary);
        assert.ok(res.anomalyTypes.includes(kind), `${kind} not in ${res.anomalyTypes}`);
        const stray = res.anomalyTypes.filter((t: string) => !t.endsWith('-realtime') && !t.endsWith('-process') && t !== kind);
        const expectedExtra: Record<string, string[]> = { G0: [], 'G-single-realtime': [], G1b: [] };
        assert.deepEqual(stray.filter((t: string) => !(expectedExtra[kind] ?? []).includes(t)), [], `planted ${kind}, also found ${stray}`);
      }), { numRuns: 15 });
    });
  }
});

describe('rw-register: planted anomalies on top of executor histories', () => {
  const K1 = 1_000_001, K2 = 1_000_002;
  const plant = (ops: any[], kind: 'G-single' | 'lost-update' | 'G1a') => {
    const out = ops.slice();
    const push = (type: string, process: number, value: unknown) => out.push({ index: out.length, time: out.length * 1000, type, process, f: 'txn', value });
    if (kind === 'G-single') {
      // T1 writes both fresh keys; T2 sees its K2 but the initial nil of K1
      push('invoke', 901, [['w', K1, -1], ['w', K2, -2]]); push('invoke', 902, [['r', K1, null], ['r', K2, null]]);
      push('ok', 901, [['w', K1, -1], ['w', K2, -2]]); push('ok', 902, [['r', K1, null], ['r', K2, -2]]);
    } else if (kind === 'lost-update') {
      push('invoke', 901, [['w', K1, -1]]); push('ok', 901, [['w', K1, -1]]);
      push('invoke', 902, [['r', K1, null], ['w', K1, -2]]); push('invoke', 903, [['r', K1, null], ['w', K1, -3]]);
      push('ok', 902, [['r', K1, -1], ['w', K1, -2]]); push('ok', 903, [['r', K1, -1], ['w', K1, -3]]);
    } else {
      push('invoke', 901, [['w', K1, -1]]); push('fail', 901, [['w', K1, -1]]);
      push('invoke', 902, [['r', K1, null]]); push('ok', 902, [['r', K1, -1]]);
    }
    return out;
  };
  for (const kind of ['G-single', 'lost-update', 'G1a'] as const) {
    test(`a planted ${kind} is reported, the same run without it is valid`, () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const b = base(seed, 'rw-register');
        assert.equal((checkTxns(b.ops, { kind: 'rw-register', models: ['serializable'] }) as any).valid, true);
        const res = checkTxns(plant(b.ops, kind), { kind: 'rw-register', models: ['serializable'] }) as any;
        assert.equal(res.valid, false, res.summary);
        assert.ok(res.anomalyTypes.includes(kind), `${kind} not in ${res.anomalyTypes}`);
      }), { numRuns: 15 });
    });
  }
});
