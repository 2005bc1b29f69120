import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PhiAccrual, defaultPhiOptions } from './phi.ts';

test('phi grows with silence and drops back on a heartbeat', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 150, max: 250 }), { minLength: 5, maxLength: 50 }), (gaps) => {
    const d = new PhiAccrual(defaultPhiOptions(200), 200);
    let t = 0;
    d.heartbeat(t);
    for (const g of gaps) { t += g; d.heartbeat(t); }
    let prev = -1;
    for (let silence = 0; silence <= 5000; silence += 100) {
      const phi = d.phi(t + silence);
      assert.ok(phi >= prev - 1e-9, 'phi never decreases while silent');
      prev = phi;
    }
    assert.ok(d.phi(t + 100) < 1, 'regular heartbeats: low phi');
    assert.ok(d.phi(t + 5000) > 8, '5 s of silence: suspect');
  }), { seed: 3, numRuns: 50 });
});

test('a peer never heard from has phi 0 (unknown, not suspect)', () => {
  const d = new PhiAccrual(defaultPhiOptions(200), 200);
  assert.equal(d.phi(1e6), 0);
  assert.equal(d.heardOf(), false);
});
