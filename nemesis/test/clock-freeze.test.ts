// --clock-mode, and the freeze mode in the composer (fake runtime): every node frozen at one
// instant, recorded in the history, reset by the stop; a runtime without freezeClock gets an
// error in the start's completion and the run goes on.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../api/rng.ts';
import { ClockFault } from '../clock.ts';
import { createNemesis } from '../index.ts';
import type { NemesisOptions } from '../../api/fault.ts';
import type { Op } from '../../api/history.ts';
import { fakeContext, until, type Call } from './fake-runtime.ts';

const NODES = ['n1', 'n2', 'n3'];
const AT = Date.UTC(2026, 10, 21, 12, 0, 0, 250);
const opts: NemesisOptions = { kinds: ['clock'], intervalS: 0.004, partitionShape: 'cycle', clockSkewMs: 1000, clockMode: 'freeze' };
const TUNING = { now: () => AT, inflightWaitMs: 10_000 };

/** runs the nemesis until `stopWhen(ops)` holds, then aborts; returns before healAll */
async function runUntil(stopWhen: (ops: Op[]) => boolean, noFreeze = false) {
  const ac = new AbortController();
  const nem = createNemesis(opts, TUNING);
  const ctx = fakeContext(NODES, 7, () => { if (stopWhen(ctx.ops)) ac.abort(); });
  if (noFreeze) ctx.runtime.freezeClock = undefined;
  let label: string[] = [];
  // the status label while a freeze is being applied
  ctx.runtime.hook = (c) => { if (c.m === 'freeze') label = nem.active(); return undefined; };
  await nem.run(ctx, ac.signal).then(() => {}, () => {});
  await until(() => ac.signal.aborted);
  return { ctx, nem, label: () => label };
}

test('clock-mode bump or strobe fixes the mode; mixed gives both; none of them freezes', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
    const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    const input = () => ({ nodes, rng: new Rng(seed), held: new Set<string>() });
    const bump = new ClockFault(1000, undefined, undefined, 'bump').plan(input());
    const strobe = new ClockFault(1000, undefined, undefined, 'strobe').plan(input());
    const mixed = new ClockFault(1000).plan(input());
    assert.equal(bump.mode, 'bump'); assert.equal(strobe.mode, 'strobe');
    assert.notEqual(mixed.mode, 'freeze');
    // the targets and offsets are the ones mixed would draw with the same seed
    assert.deepEqual((bump as { offsets: unknown }).offsets, (mixed as { offsets: unknown }).offsets);
  }));
  const modes = new Set(Array.from({ length: 50 }, (_, seed) => new ClockFault(1000).plan({ nodes: NODES, rng: new Rng(seed), held: new Set() }).mode));
  assert.deepEqual([...modes].sort(), ['bump', 'strobe']);
});

test('freeze: every node frozen at the same instant, recorded; the stop and healAll set offset 0 on every node', async () => {
  const { ctx, nem, label } = await runUntil((ops) => ops.filter((o) => o.f === 'stop-clock').length >= 4);
  const starts = ctx.ops.filter((o) => o.f === 'start-clock');
  assert.ok(starts.length >= 4);
  for (const s of starts) {
    assert.deepEqual(s.value, { mode: 'freeze', nodes: NODES, atMs: AT, at: '2026-11-21T12:00:00.250Z' });
    assert.equal(s.error, undefined);
  }
  for (const s of ctx.ops.filter((o) => o.f === 'stop-clock')) assert.deepEqual(s.value, { mode: 'reset', nodes: NODES });
  // calls: per start, a freeze of each node at AT; per stop, offset 0 for each node
  const calls = ctx.runtime.calls;
  const freezes = calls.filter((c): c is Extract<Call, { m: 'freeze' }> => c.m === 'freeze');
  assert.ok(freezes.length >= 2 * NODES.length, "two starts at least");
  assert.ok(freezes.every((c) => c.atMs === AT));
  const resets = calls.filter((c) => c.m === 'clock');
  assert.ok(resets.every((c) => c.m === 'clock' && c.offsetMs === 0), 'a freeze run sets no offset but 0');
  for (const n of NODES) {
    // every freeze of n is followed by a reset of n before the next freeze
    const seq = calls.filter((c) => 'node' in c && c.node === n).map((c) => c.m).join(' ');
    assert.doesNotMatch(seq, /freeze freeze/, `${n}: ${seq}`);
  }
  assert.match(label().join(' '), /clock freeze n1,n2,n3 at 2026-11-21T12:00:00.250Z/);
  await nem.healAll(ctx);
  assert.deepEqual(nem.active(), []);
  const tail = ctx.runtime.calls.slice(-NODES.length);
  assert.deepEqual(tail, NODES.map((node) => ({ m: 'clock', node, offsetMs: 0 })), 'healAll ends by setting every clock back');
});

test('freeze on a runtime without freezeClock: the start completion carries the error, the run goes on, the stop resets', async () => {
  const { ctx, nem } = await runUntil((ops) => ops.filter((o) => o.f === 'stop-clock').length >= 4, true);
  const completions = ctx.ops.filter((o) => o.f === 'start-clock').filter((_, i) => i % 2 === 1);
  assert.ok(completions.length >= 2, 'the schedule kept going after a failed start');
  for (const c of completions) assert.match(String(c.error), /the sim runtime cannot freeze clocks/);
  assert.ok(ctx.runtime.calls.every((c) => c.m === 'clock' && c.offsetMs === 0));
  await nem.healAll(ctx);
  assert.deepEqual(nem.active(), []);
});
