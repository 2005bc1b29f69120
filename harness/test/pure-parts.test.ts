import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextSlot, RateLimiter } from '../runner/rate-limiter.ts';
import { Rng } from '../../api/rng.ts';
import { verdictOf } from '../runner/verdict.ts';
import { allAgree } from '../runner/run-test.ts';
import { runTimestamp, testName } from '../runs/run-dir.ts';
import { statusText } from '../terminal/status-line.ts';
import { OpCounts } from '../runner/op-counts.ts';
import type { CheckerOutcome, Expectation, Validity } from '../../api/checker.ts';
import { matches } from '../../api/checker.ts';

test('rate limiter: slots never go back, never before now, and gaps are interval × [0.5, 1.5)', () => {
  fc.assert(fc.property(
    fc.double({ min: 0.1, max: 1000, noNaN: true }),
    fc.array(fc.record({ advance: fc.double({ min: 0, max: 50, noNaN: true }), unit: fc.double({ min: 0, max: 0.999999, noNaN: true }) }), { minLength: 1, maxLength: 100 }),
    (interval, steps) => {
      let now = 0;
      let slot = 0;
      for (const s of steps) {
        now += s.advance;
        const next = nextSlot(slot, now, interval, s.unit);
        assert.ok(next >= now);
        assert.ok(next >= slot + 0.5 * interval - 1e-9);
        if (next > now) assert.ok(next - slot < 1.5 * interval + 1e-9);
        slot = next;
      }
    },
  ));
});

test('rate limiter: with a caller that never falls behind, the mean rate is the asked one', async () => {
  // a fake clock that jumps to each reserved slot: the sleeps are of zero length
  let clock = 0;
  const limiter = new RateLimiter(100, new Rng(7), () => clock);
  const ac = new AbortController();
  const slots: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const before = clock;
    await limiter.acquire(ac.signal);
    slots.push((limiter as any).last);
    clock = Math.max(before, (limiter as any).last);
  }
  const meanGap = (slots.at(-1)! - slots[0]!) / (slots.length - 1);
  assert.ok(Math.abs(meanGap - 10) < 0.5, `mean gap ${meanGap} ms for 100 ops/s`);
});

const outcome = (valid: Validity, expected: Expectation): CheckerOutcome => ({ name: 'x', valid, expected, why: '', matched: matches(valid, expected), result: { valid }, elapsedMs: 0 });

test('verdict: 1 on any unexpected definite result, else 2 on unknown, else 0', () => {
  const arb = fc.array(fc.record({ valid: fc.constantFrom<Validity>(true, false, 'unknown'), expected: fc.constantFrom<Expectation>('valid', 'invalid', 'may-fail') }), { maxLength: 8 });
  fc.assert(fc.property(arb, (rows) => {
    const outs = rows.map((r) => outcome(r.valid, r.expected));
    const v = verdictOf(outs);
    const unexpected = outs.some((o) => o.valid !== 'unknown' && !o.matched);
    const unknown = outs.some((o) => o.valid === 'unknown');
    assert.equal(v.exitCode, unexpected ? 1 : unknown ? 2 : 0);
  }));
  assert.equal(verdictOf([outcome(false, 'may-fail'), outcome(true, 'valid')]).exitCode, 0);
  assert.equal(verdictOf([outcome(true, 'invalid')]).exitCode, 1);
});

test('final reads agree only when every node answered with the same state and root, whatever the key order', () => {
  const a = { type: 'ok' as const, value: { state: { balances: { 0: 1, 1: 2 } }, digest: 'r' } };
  const b = { type: 'ok' as const, value: { state: { balances: { 1: 2, 0: 1 } }, digest: 'r' } };
  assert.ok(allAgree([a, b]));
  assert.ok(!allAgree([a, { ...b, value: { ...b.value, digest: 's' } }]));
  assert.ok(!allAgree([a, { type: 'fail', value: null }]));
  assert.ok(!allAgree([]));
});

test('store naming and status line', () => {
  assert.equal(runTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))), '20260102T030405006');
  assert.equal(testName('bank', []), 'bank-none');
  assert.equal(testName('lww', ['partition', 'kill']), 'lww-partition+kill');
  const c = new OpCounts();
  c.add({ index: 0, time: 0, type: 'invoke', process: 0, f: 'read', value: null });
  c.add({ index: 1, time: 1, type: 'ok', process: 0, f: 'read', value: null });
  c.add({ index: 2, time: 2, type: 'invoke', process: 1, f: 'final-read', value: null });
  assert.equal(statusText({ phase: 'main', elapsedS: 1.25, limitS: 30, counts: c, faults: ['partition halves'] }), 'main 1.3/30 s | 1 ops: 1 ok 0 fail 0 info | faults: partition halves');
});
