// Property tests of the fault schedule: per-kind alternation, bounded fault length, jitter range,
// and seed determinism.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../api/rng.ts';
import { takeEvents, MAX_ON_EVENTS, type ScheduleEvent } from '../schedule.ts';
import type { FaultKind } from '../../api/fault.ts';

const ALL: FaultKind[] = ['partition', 'pause', 'kill', 'clock', 'link'];
const arbKinds = fc.uniqueArray(fc.constantFrom(...ALL), { minLength: 1, maxLength: 5 });
const arbSeed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const arbInterval = fc.double({ min: 0.05, max: 30, noNaN: true });

test('per kind, starts and stops alternate, beginning with a start', () => {
  fc.assert(fc.property(arbKinds, arbSeed, fc.integer({ min: 1, max: 200 }), (kinds, seed, count) => {
    const events = takeEvents(kinds, 5, new Rng(seed), count);
    assert.equal(events.length, count);
    const on = new Set<FaultKind>();
    for (const e of events) {
      assert.ok(kinds.includes(e.kind), `unexpected kind ${e.kind}`);
      if (e.action === 'start') { assert.ok(!on.has(e.kind), `${e.kind} started twice`); on.add(e.kind); }
      else { assert.ok(on.has(e.kind), `${e.kind} stopped while off`); on.delete(e.kind); }
    }
  }));
});

test('no fault stays on for more than MAX_ON_EVENTS + 1 events', () => {
  fc.assert(fc.property(arbKinds, arbSeed, (kinds, seed) => {
    const events = takeEvents(kinds, 5, new Rng(seed), 300);
    const since = new Map<FaultKind, number>();
    events.forEach((e, i) => {
      if (e.action === 'start') since.set(e.kind, i);
      else { assert.ok(i - since.get(e.kind)! <= MAX_ON_EVENTS + 1, `${e.kind} on from ${since.get(e.kind)} to ${i}`); since.delete(e.kind); }
    });
  }));
});

test('waits are the interval jittered over [0.5, 1.5)', () => {
  fc.assert(fc.property(arbKinds, arbSeed, arbInterval, (kinds, seed, intervalS) => {
    for (const e of takeEvents(kinds, intervalS, new Rng(seed), 50)) {
      assert.ok(e.waitMs >= Math.round(intervalS * 500) && e.waitMs <= Math.round(intervalS * 1500), `${e.waitMs} for ${intervalS}s`);
    }
  }));
});

test('every kind gets used, and the waits really vary', () => {
  fc.assert(fc.property(arbKinds, arbSeed, (kinds, seed) => {
    const events = takeEvents(kinds, 5, new Rng(seed), 400);
    assert.deepEqual(new Set(events.map((e) => e.kind)), new Set(kinds));
    assert.ok(new Set(events.map((e) => e.waitMs)).size > 10, 'waits vary');
  }));
});

test('the same seed gives the same schedule; another seed a different one', () => {
  fc.assert(fc.property(arbKinds, arbSeed, arbInterval, (kinds, seed, intervalS) => {
    const a = takeEvents(kinds, intervalS, new Rng(seed), 60);
    const b = takeEvents(kinds, intervalS, new Rng(seed), 60);
    assert.deepEqual(a, b);
    const c: ScheduleEvent[] = takeEvents(kinds, intervalS, new Rng(seed + 1), 60);
    assert.notDeepEqual(a.map((e) => e.waitMs), c.map((e) => e.waitMs));
  }));
});

test('one kind: start, stop, start, stop …', () => {
  const events = takeEvents(['partition'], 1, new Rng(3), 6);
  assert.deepEqual(events.map((e) => e.action), ['start', 'stop', 'start', 'stop', 'start', 'stop']);
});

test('no kinds, no events', () => {
  assert.deepEqual(takeEvents([], 5, new Rng(1), 10), []);
});
