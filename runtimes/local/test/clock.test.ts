/** Clock offsets: libfaketime moves a real, unmodified process's wall clock; the fallback file works with the node. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeClock, libfaketimePath } from '../clock.ts';
import { faketimeSpec } from '../../faketime.ts';
import { LocalRuntime } from '../local-runtime.ts';
import { clock as nodeClock, probeSpec, tempRunDir, waitFor } from './helpers.ts';

test('offsets are written in libfaketime relative syntax', () => {
  assert.equal(faketimeSpec(5000), '+5.000s');
  assert.equal(faketimeSpec(-2500), '-2.500s');
  assert.equal(faketimeSpec(0), '+0.000s');
  assert.equal(faketimeSpec(1), '+0.001s');
  assert.throws(() => faketimeSpec(Number.NaN), /finite/);
});

test('libfaketime shifts Date.now() of a plain process, and a rewrite applies while it runs', { skip: !libfaketimePath() }, async () => {
  const run = tempRunDir('faketime');
  try {
    const clock = new NodeClock('libfaketime', run.dir, 'p1');
    clock.set(90_000);
    // prints (its Date.now() - the real time we send it) whenever we send a real time
    const child = spawn(process.execPath, ['-e', `
      process.stdin.on('data', (b) => { for (const l of b.toString().trim().split('\\n')) console.log(Date.now() - Number(l)); });
    `], { env: { ...process.env, ...clock.env() }, stdio: ['pipe', 'pipe', 'inherit'] });
    const answers: number[] = [];
    child.stdout.on('data', (b: Buffer) => answers.push(...b.toString().trim().split('\n').map(Number)));
    const ask = async () => {
      const n = answers.length;
      child.stdin.write(`${Date.now()}\n`);
      return waitFor('the child to report its clock', () => answers.length > n && answers[n], 10_000, 10);
    };
    try {
      const first = await ask();
      assert.ok(Math.abs(first - 90_000) < 1000, `expected about +90000 ms, got ${first}`);
      clock.set(-30_000);
      const second = await ask();
      assert.ok(Math.abs(second + 30_000) < 1000, `expected about -30000 ms, got ${second}`);
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    run.remove();
  }
});

test('the offset-file fallback: the node reads the file given as NodeHost.clockOffsetFile', async () => {
  const run = tempRunDir('offset-file');
  const rt = new LocalRuntime({ clock: 'offset-file', readyTimeoutMs: 20_000 });
  try {
    assert.equal(rt.info.mechanisms.clock, 'offset-file');
    const [ep] = await rt.setup(probeSpec(['n1'], run.dir, 'offset-file'));
    const file = join(run.dir, 'nodes', 'n1.clock-offset');
    assert.equal(readFileSync(file, 'utf8'), '0\n');
    await rt.setClockOffset('n1', -600_000);
    assert.equal(readFileSync(file, 'utf8'), '-600000\n');
    await waitFor('the node clock to move back 10 minutes', async () => {
      const skew = (await nodeClock(ep!)) - Date.now();
      return Math.abs(skew + 600_000) < 2000;
    }, 10_000);
  } finally {
    await rt.teardown();
    run.remove();
  }
});
