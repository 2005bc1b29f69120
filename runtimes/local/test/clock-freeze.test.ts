/**
 * Clock freeze (Runtime.freezeClock): with libfaketime a real node's wall clock stands still while
 * the node keeps answering and replicating (its timers run on the monotonic clock); an offset
 * unfreezes it. Without libfaketime a freeze is refused with a message saying what is missing.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeClock, libfaketimePath } from '../clock.ts';
import { faketimeFrozenSpec } from '../../faketime.ts';
import { LocalRuntime } from '../local-runtime.ts';
import { assertAllGone, clock, getKey, probeSpec, putKey, reachable, tempRunDir, waitFor } from './helpers.ts';

const BOUND = { timeout: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a freeze is written as an absolute local timestamp with milliseconds (plus half a ms against rounding down)', () => {
  // libfaketime reads it with mktime, i.e. in local time: build the expectation the same way
  const at = new Date(2026, 10, 21, 12, 0, 5, 250).getTime();
  assert.equal(faketimeFrozenSpec(at, { utc: false }), '2026-11-21 12:00:05.2505');
  assert.equal(faketimeFrozenSpec(new Date(2027, 0, 2, 3, 4, 5, 6).getTime(), { utc: false }), '2027-01-02 03:04:05.0065');
  assert.throws(() => faketimeFrozenSpec(Number.NaN, { utc: false }), /finite/);
});

test('the offset-file fallback cannot freeze, and says what it needs', () => {
  const run = tempRunDir('freeze-fallback');
  try {
    const clock = new NodeClock('offset-file', run.dir, 'n1', null);
    assert.throws(() => clock.freeze(Date.now()), /clock freeze needs libfaketime \(apt-get install libfaketime\)/);
  } finally {
    run.remove();
  }
});

test('a frozen node reports the same clock across 300 ms, keeps answering and replicating; offset 0 unfreezes it', { ...BOUND, skip: !!(libfaketimePath() ? false : 'libfaketime not installed') }, async () => {
  const run = tempRunDir('freeze');
  const rt = new LocalRuntime({ clock: 'libfaketime', readyTimeoutMs: 20_000 });
  try {
    const [e1, e2] = await rt.setup(probeSpec(['n1', 'n2'], run.dir, 'freeze'));
    const at = Date.now() - 3_600_000; // an hour ago, so a frozen clock cannot pass for a running one
    await rt.freezeClock('n1', at);
    assert.deepEqual(rt.activeFaults().clockFrozen, { n1: at });
    assert.equal(readFileSync(join(run.dir, 'nodes', 'n1.faketime'), 'utf8'), faketimeFrozenSpec(at, { utc: false }) + '\n');

    const first = await clock(e1!);
    await sleep(300);
    const second = await clock(e1!);
    assert.equal(first, at, 'the node reports the frozen instant');
    assert.equal(second, first, 'the frozen clock moved');
    // the node still works: it takes a write and n2 gets it, so its timers and peer links run
    await putKey(e1!, 'frozen', 'v1');
    await waitFor('n2 to get the write from the frozen n1', async () => (await getKey(e2!, 'frozen')) === 'v1');
    const peers = await reachable(e1!);
    assert.ok(peers.includes('n2'), `n1 still sees n2 alive: ${JSON.stringify(peers)}`);

    await rt.setClockOffset('n1', 0);
    assert.deepEqual(rt.activeFaults().clockFrozen, {});
    const a = await clock(e1!);
    await sleep(300);
    const b = await clock(e1!);
    assert.ok(b > a, `after the reset the clock runs again (${a} → ${b})`);
    assert.ok(Math.abs(b - Date.now()) < 5_000, `and shows real time again (${b - Date.now()} ms off)`);
  } finally {
    const { pids, ports } = rt.resources();
    await rt.teardown();
    await assertAllGone(pids, ports);
    run.remove();
  }
});
