// Teardown also happens when the harness does not end normally: uncaught exception,
// process.exit, Ctrl-C / SIGTERM. After a SIGKILL nothing can run, so the next run's start
// (reapOrphans) and `cluster down --all` (removeAllLeftovers) remove what is left.
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reapOrphans, removeAllLeftovers } from '../cleanup.ts';
import { DockerRuntime } from '../runtime.ts';
import { engineOrSkip, leftovers, tempRunDir, uniqueRunId, waitFor } from './helpers.ts';
import { testTarget } from './target.ts';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));

/** start the child, wait for "UP", act, and resolve with its exit code/signal */
async function runChild(mode: string, runId: string, runDir: string, act: (pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, runId, runDir, (await testTarget()).name], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((res) => p.on('exit', (code, signal) => res({ code, signal, err })));
  await new Promise<void>((res, rej) => {
    let out = '';
    p.stdout.on('data', (d) => { out += d; if (out.includes('UP')) res(); });
    p.on('exit', () => rej(new Error(`child ended before UP: ${err}`)));
  });
  assert.notDeepEqual(await leftovers(runId), { containers: [], networks: [] }, 'the child had a cluster up');
  act(p.pid!);
  return exited;
}

const ENDINGS = [
  ['throw', 'an uncaught exception', () => {}],
  ['exit', 'process.exit without teardown', () => {}],
  ['wait', 'SIGINT (Ctrl-C)', (pid: number) => process.kill(pid, 'SIGINT')],
  ['wait', 'SIGTERM', (pid: number) => process.kill(pid, 'SIGTERM')],
  ['controller', 'SIGINT handled by a controller that exits without teardown', (pid: number) => process.kill(pid, 'SIGINT')],
] as const;

// the five endings run side by side (each child has its own run id), to keep the suite short
describe.concurrent('a harness that ends without a normal teardown leaves no container or network behind', () => {
  for (const [i, [mode, how, act]] of ENDINGS.entries()) {
    test(`ending by ${how}`, async (t) => {
      if (!(await engineOrSkip(t))) return;
      // the index too: two endings share a mode and may start in the same millisecond
      const runId = uniqueRunId(`crash-${mode}${i}`);
      const r = await runChild(mode, runId, tempRunDir(t), act);
      assert.ok(r.code !== 0 || r.signal, `child should not exit cleanly: ${JSON.stringify(r)}`);
      assert.deepEqual(await leftovers(runId), { containers: [], networks: [] });
    });
  }
});

test('after SIGKILL, the next run start (reapOrphans) removes the dead harness\'s cluster', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const runId = uniqueRunId('crash-kill');
  const r = await runChild('wait', runId, tempRunDir(t), (pid) => process.kill(pid, 'SIGKILL'));
  assert.equal(r.signal, 'SIGKILL');
  const left = await leftovers(runId);
  assert.equal(left.containers.length, 2, 'SIGKILL leaves the containers');
  assert.equal(left.networks.length, 1);
  assert.ok((await reapOrphans()) >= 3);
  assert.deepEqual(await leftovers(runId), { containers: [], networks: [] });
});

test('cluster down --all (removeAllLeftovers) removes a killed harness\'s cluster, not a live one\'s', async (t) => {
  if (!(await engineOrSkip(t))) return;
  // the live one first: a run's start reaps dead runs itself (reapOrphans)
  const liveRun = uniqueRunId('crash-all-live');
  let livePid = 0;
  const liveChild = runChild('wait', liveRun, tempRunDir(t), (pid) => { livePid = pid; });
  t.onTestFinished(() => { try { process.kill(livePid, 'SIGTERM'); } catch { /* already gone */ } });
  await waitFor('the live child to be up', async () => livePid > 0 && (await leftovers(liveRun)).containers.length === 2);
  const deadRun = uniqueRunId('crash-all-dead');
  await runChild('wait', deadRun, tempRunDir(t), (pid) => process.kill(pid, 'SIGKILL'));
  assert.equal((await leftovers(deadRun)).containers.length, 2);

  assert.ok((await removeAllLeftovers()) >= 3);
  assert.deepEqual(await leftovers(deadRun), { containers: [], networks: [] });
  assert.equal((await leftovers(liveRun)).containers.length, 2, 'a run in progress is not a leftover');
  process.kill(livePid, 'SIGTERM');
  await liveChild;
  assert.deepEqual(await leftovers(liveRun), { containers: [], networks: [] });
});

test('a teardown during setup (Ctrl-C while nodes start) stops it and leaves nothing', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const runId = uniqueRunId('crash-midsetup');
  const rt = new DockerRuntime({ log: () => {} });
  const setup = rt.setup((await testTarget()).spec({ nodes: ['n1', 'n2', 'n3', 'n4', 'n5'], runDir: tempRunDir(t), runId }));
  setup.catch(() => {}); // asserted below
  await waitFor('the run network to exist', async () => (await leftovers(runId)).networks.length === 1);
  await Promise.all([rt.teardown(), rt.teardown()]);
  await assert.rejects(setup, /torn down during setup/);
  assert.deepEqual(await leftovers(runId), { containers: [], networks: [] });
});
