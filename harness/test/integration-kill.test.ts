/**
 * The harness killed mid-run: the history it leaves is readable, and no node process or port
 * survives it (SIGTERM and Ctrl-C tear down gracefully; SIGKILL relies on the local runtime's
 * supervisors noticing their parent is gone).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { jepsen, latestRun, readJson, historyOf, processesMentioning, loggedEndpoints, portClosed, eventually, completionProblems } from './helpers.ts';
import { readHistoryFile } from '../history/reader.ts';

async function killMidRun(sig: 'SIGINT' | 'SIGTERM' | 'SIGKILL') {
  const store = mkdtempSync(join(tmpdir(), `sb-kill-${sig}-`));
  try {
    const child = jepsen(['--workload', 'bank', '--runtime', 'local', '--nodes', '3', '--time-limit', '60', '--store', store]);
    // wait until the main phase is under way: the history has client ops in it
    const started = await eventually(() => {
      if (!existsSync(join(store, 'latest'))) return false;
      const h = join(latestRun(store), 'history.jsonl');
      // count parsed ops, as the assertion after the kill does (split('\n') counts one piece too many)
      return existsSync(h) && readHistoryFile(h).ops.length > 20;
    }, 60_000);
    assert.ok(started, 'the run got going');
    const dir = latestRun(store);
    child.kill(sig);
    const res = await child;
    if (sig === 'SIGKILL') assert.equal(res.signal, 'SIGKILL');
    else assert.equal(res.exitCode, sig === 'SIGINT' ? 130 : 143, res.all);

    const { ops } = readHistoryFile(join(dir, 'history.jsonl'));
    assert.ok(ops.length > 20);
    assert.deepEqual(completionProblems(ops), []);
    if (sig !== 'SIGKILL') {
      assert.equal(readJson(join(dir, 'test.json')).interrupted, sig);
      assert.ok(ops.some((o) => o.process === 'nemesis' && o.f === 'heal'));
    }
    const gone = await eventually(() => processesMentioning(dir).length === 0, 30_000);
    assert.ok(gone, `node processes left: ${processesMentioning(dir).join(', ')}`);
    const eps = loggedEndpoints(dir);
    assert.equal(eps.length, 3);
    for (const ep of eps) assert.ok(await eventually(() => portClosed(ep.port), 10_000), `port ${ep.port} of ${ep.id} is closed`);
    return { dir, ops };
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

test('SIGTERM mid-run: exit 143, history readable with the heal marker, nothing left', async () => {
  await killMidRun('SIGTERM');
});

test('Ctrl-C (SIGINT) mid-run: exit 130, nothing left', async () => {
  await killMidRun('SIGINT');
});

test('SIGKILL mid-run: the history is still readable and the nodes die with the harness', async () => {
  const { ops } = await killMidRun('SIGKILL');
  assert.ok(ops.every((o, i) => o.index === i));
});

test('process.exit() in the turn that recorded ops (a crash handler) still writes them to the history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-exit-'));
  try {
    const path = join(dir, 'history.jsonl');
    const recorder = new URL('../history/recorder.ts', import.meta.url).href;
    const script = `import { HistoryRecorder } from ${JSON.stringify(recorder)};
      const rec = new HistoryRecorder(${JSON.stringify(path)});
      for (let i = 0; i < 3; i++) rec.record({ type: 'invoke', process: i, f: 'read', value: null });
      process.exit(3);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(readHistoryFile(path).ops.map((o) => o.process), [0, 1, 2]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('nodes that cannot start: exit 255 with the node log lines, crash noted in test.json, nothing left', async () => {
  const store = mkdtempSync(join(tmpdir(), 'sb-crash-'));
  try {
    const res = await jepsen(['--workload', 'bank', '--runtime', 'local', '--nodes', '2', '--time-limit', '2', '--node-args', '--no-such-maep-flag', '--store', store]);
    assert.equal(res.exitCode, 255, res.all);
    assert.match(String(res.stderr), /^splitbrain: the cluster did not start: .*no-such-maep-flag/s);
    assert.doesNotMatch(String(res.stderr), /\n\s+at /);
    const dir = latestRun(store);
    assert.match(readJson(join(dir, 'test.json')).crashed, /^setup: /);
    assert.ok(await eventually(() => processesMentioning(dir).length === 0, 20_000));
  } finally { rmSync(store, { recursive: true, force: true }); }
});
