/**
 * However the harness ends (Ctrl-C, crash, SIGKILL), no node process and no listening port of the
 * cluster survives it. Each test runs a harness-like parent (harness-child.ts) with a cluster under
 * a partition, a paused node, a slow link and a clock offset, then ends it.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../local-runtime.ts';
import { assertAllGone, tempRunDir, waitFor } from './helpers.ts';

/** every test is bounded: a hang fails with a message instead of stalling the suite */
const BOUND = { timeout: 60_000 };

const CHILD = fileURLToPath(new URL('./harness-child.ts', import.meta.url));

interface Started {
  child: ChildProcess;
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  resources: { pids: number[]; ports: number[]; faults: { paused: string[]; grudge: object } };
}

async function startHarness(runDir: string, mode: string, nodes: number): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, runDir, mode, String(nodes)], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
  });
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let exited = false;
  void exit.then(() => { exited = true; });
  await waitFor('the harness child to bring its cluster up', () => {
    if (exited) throw new Error(`harness child exited early: ${stderr}`);
    return lines.length > 0;
  }, 25_000);
  const resources = JSON.parse(lines[0]!);
  assert.equal(resources.faults.paused.length, 1, 'faults were applied');
  return { child, lines, exit, resources };
}

test('Ctrl-C with a controller handler: teardown heals every fault and frees everything', BOUND, async () => {
  const run = tempRunDir('sigint');
  try {
    const h = await startHarness(run.dir, 'own-handler', 3);
    h.child.kill('SIGINT');
    const { code } = await h.exit;
    assert.equal(code, 130);
    const after = JSON.parse(h.lines[1]!);
    assert.deepEqual(after.faults, { grudge: {}, paused: [], killed: [], clockOffsets: {}, clockFrozen: {}, links: {} });
    assert.deepEqual(after.resources, { pids: [], ports: [] });
    await assertAllGone(h.resources.pids, h.resources.ports);
  } finally {
    run.remove();
  }
});

test('SIGTERM without a handler: the runtime tears down, then the signal ends the process', BOUND, async () => {
  const run = tempRunDir('sigterm');
  try {
    const h = await startHarness(run.dir, 'default', 2);
    h.child.kill('SIGTERM');
    const { signal } = await h.exit;
    assert.equal(signal, 'SIGTERM');
    await assertAllGone(h.resources.pids, h.resources.ports);
  } finally {
    run.remove();
  }
});

test('an uncaught exception in the harness leaves no node behind', BOUND, async () => {
  const run = tempRunDir('crash');
  try {
    const h = await startHarness(run.dir, 'crash', 2);
    h.child.kill('SIGUSR2');
    const { code } = await h.exit;
    assert.notEqual(code, 0);
    await assertAllGone(h.resources.pids, h.resources.ports);
  } finally {
    run.remove();
  }
});

test('SIGKILL of the harness: the supervisors take their nodes down, even a paused one', BOUND, async () => {
  const run = tempRunDir('sigkill');
  try {
    const h = await startHarness(run.dir, 'default', 3);
    h.child.kill('SIGKILL');
    await h.exit;
    await assertAllGone(h.resources.pids, h.resources.ports);
  } finally {
    run.remove();
  }
});
