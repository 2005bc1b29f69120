import { test, describe } from 'node:test';
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
