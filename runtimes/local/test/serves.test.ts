/** What the local runtime can inject into a system, from its SystemNeeds: refused before anything starts, in one line each. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SystemNeeds } from '../../../api/runtime.ts';
import { LocalRuntime, REPO_ROOT } from '../local-runtime.ts';
import { cannotServeLocally, clockMechanismFor } from '../serves.ts';
import { PROBE_NODE } from '../../test/fixtures/probe-system.ts';
import { clock, health, probeSpec, tempRunDir } from './helpers.ts';

const DIALS: SystemNeeds = { dialsGivenPeerAddresses: true, libfaketime: true, clockOffsetFile: true };
const LIB = '/usr/lib/faketime/libfaketimeMT.so.1';

test('a system that announces its own address cannot be partitioned or delayed by proxies', () => {
  const gossip = { ...DIALS, dialsGivenPeerAddresses: false };
  assert.deepEqual(cannotServeLocally(gossip, ['pause', 'kill'], 'auto', LIB), []);
  const lines = cannotServeLocally(gossip, ['partition', 'link', 'kill'], 'auto', LIB);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^partition faults cannot reach this system on the local runtime: it announces its own address, so per-link proxies cannot cut it; use --runtime netns or docker$/);
  assert.match(lines[1]!, /^link faults cannot reach/);
  assert.deepEqual(cannotServeLocally(DIALS, ['partition', 'link', 'clock'], 'auto', LIB), []);
});

test('the clock: libfaketime where it reaches, else the offset file, else clock faults are refused', () => {
  assert.equal(clockMechanismFor(DIALS, 'auto', LIB), 'libfaketime');
  assert.equal(clockMechanismFor(DIALS, 'auto', null), 'offset-file');
  assert.equal(clockMechanismFor({ ...DIALS, libfaketime: false }, 'auto', LIB), 'offset-file');
  assert.equal(clockMechanismFor(DIALS, 'offset-file', LIB), 'offset-file');
  const staticBinary = { ...DIALS, libfaketime: false, clockOffsetFile: false };
  assert.equal(clockMechanismFor(staticBinary, 'auto', LIB), 'none');
  assert.deepEqual(cannotServeLocally(staticBinary, ['clock'], 'auto', LIB),
    ['clock faults cannot reach this system on the local runtime: libfaketime does not reach its clock, and it reads no clock offset file']);
  assert.match(cannotServeLocally({ ...DIALS, clockOffsetFile: false }, ['clock'], 'auto', null)[0]!, /libfaketime is not installed \(apt-get install libfaketime\)/);
});

test('a system no clock mechanism reaches runs; a clock fault names it, a reset is a no-op', { timeout: 60_000 }, async () => {
  const run = tempRunDir('no-clock');
  const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });
  try {
    const [ep] = await rt.setup(probeSpec(['n1'], run.dir, 'no-clock', { needs: { libfaketime: false, clockOffsetFile: false } }));
    assert.equal(rt.info.mechanisms.clock, 'none');
    await assert.rejects(rt.setClockOffset('n1', 5000), /^Error: clock faults cannot reach probe on the local runtime: libfaketime does not reach its clock, and it reads no clock offset file$/);
    await assert.rejects(rt.freezeClock('n1', Date.now()), /clock faults cannot reach probe on the local runtime/);
    await rt.setClockOffset('n1', 0);
    assert.ok(Math.abs((await clock(ep!)) - Date.now()) < 1000, 'no clock file or preload reached the node');
  } finally {
    await rt.teardown();
    run.remove();
  }
});

test('a binary program runs as it is (here: node itself, with the probe node as its argument)', { timeout: 60_000 }, async () => {
  const run = tempRunDir('binary');
  const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });
  const tsx = createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx');
  const spec = probeSpec(['n1', 'n2'], run.dir, 'binary');
  try {
    const eps = await rt.setup({
      ...spec,
      launch: (host) => {
        const l = spec.launch(host);
        return { ...l, program: { kind: 'binary', name: 'node', path: process.execPath }, args: ['--import', tsx, PROBE_NODE, ...l.args] };
      },
    });
    for (const ep of eps) assert.equal((await health(ep)).name, ep.id);
  } finally {
    await rt.teardown();
    run.remove();
  }
});
