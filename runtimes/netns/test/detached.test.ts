/**
 * `cluster up|status|down --runtime netns`: nodes in namespaces that outlive the command, shown by
 * status through the system's probe, removed by down; a SIGKILLed daemon (and watcher) leaves
 * nothing once `cluster down` or the next `cluster up` has run.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { clusterCommand } from '../../../harness/commands/cluster.ts';
import { loadSystem } from '../../../harness/system/load-system.ts';
import { processAlive } from '../../local/processes.ts';
import { processesMentioning, tempRunDir, waitFor } from '../../test/helpers.ts';
import { runTag } from '../names.ts';
import { statePath } from '../state.ts';
import { assertNothingLeft, leftoversOf, skipReason } from './helpers.ts';

const skip = skipReason();

/** `npm run jepsen -- cluster <action> --runtime netns --store <store> …`, in this process */
async function cluster(store: string, action: string, extra: Record<string, string | true> = {}): Promise<string> {
  let out = '';
  const sink = new Writable({ write(chunk, _enc, done) { out += chunk; done(); } });
  const code = await clusterCommand([action], { runtime: 'netns', store, ...extra }, sink);
  assert.equal(code, 0, out);
  return out;
}

interface Up { tag: string; runDir: string; daemonPid: number; nodePids: number[]; endpoints: { id: string; host: string; ports: Record<string, number> }[] }

/** `cluster up` with maep on 3 nodes; what it started, read from its state files */
async function up(store: string): Promise<Up> {
  const out = await cluster(store, 'up', { system: 'maep', nodes: '3' });
  assert.match(out, /^runtime: netns$/m);
  const lines = out.split('\n').filter((l) => /^n\d /.test(l));
  assert.equal(lines.length, 3, out);
  for (const l of lines) assert.match(l, /^n\d\s+10\.\d+\.\d+\.\d+\s+.*client=\d+/, l);
  const stateFile = join(store, 'cluster', 'state.netns.json');
  const st = JSON.parse(readFileSync(stateFile, 'utf8'));
  const config = JSON.parse(readFileSync(`${stateFile}.config.json`, 'utf8'));
  assert.equal(st.kind, 'netns');
  return { tag: runTag(config.cluster.runId), runDir: st.runDir, daemonPid: st.daemonPid, nodePids: st.nodes.map((n: { pid: number }) => n.pid), endpoints: st.endpoints };
}

/** the run's watcher (its command line holds the run's state file) */
function watcherPids(tag: string): number[] {
  return processesMentioning(statePath(tag));
}

/** right after `cluster down` returned (down waits for its removals; other runs' reaping must not be what passes this) */
async function assertAllRemoved(store: string, u: Up): Promise<void> {
  await assertNothingLeft(u.tag, u.runDir, 1500);
  await waitFor('the daemon and the nodes gone', () => ![u.daemonPid, ...u.nodePids].some(processAlive), 10_000);
  assert.equal(existsSync(join(store, 'cluster', 'state.netns.json')), false, 'state file removed');
  assert.equal(existsSync(join(store, 'cluster', 'state.netns.json.config.json')), false, 'daemon config removed');
  assert.match(await cluster(store, 'status'), /no cluster is up/);
}

describe('cluster up --runtime netns', { skip: !!skip, timeout: 120_000 }, () => {
  test('up, status answering, a working node, down: nothing left behind', async () => {
    const tmp = tempRunDir('netns-detached');
    const store = join(tmp.dir, 'store');
    let u: Up | undefined;
    try {
      u = await up(store);
      // the nodes outlive the command: namespaces, daemon, watcher and nodes are there after it returned
      assert.ok(leftoversOf(u.tag).some((l) => l.startsWith('netns')), 'namespaces exist');
      assert.ok(processAlive(u.daemonPid) && u.nodePids.every(processAlive));
      assert.equal(watcherPids(u.tag).length, 1, 'one watcher');

      await assert.rejects(clusterCommand(['up'], { runtime: 'netns', store, system: 'maep', nodes: '1' }, new Writable({ write(_c, _e, d) { d(); } })), /already up/);

      const status = await cluster(store, 'status');
      assert.match(status, /^netns cluster of maep/m);
      assert.equal(status.split('\n').filter((l) => /^n\d .*answering {2}pid \d+$/.test(l) && !/not answering/.test(l)).length, 3, status);

      // each node serves at its namespace's address, as the system's probe sees it
      const maep = await loadSystem('maep');
      for (const ep of u.endpoints) {
        const r = await maep.probe(ep, AbortSignal.timeout(3000));
        assert.ok(r.ready, `${ep.id}: ${JSON.stringify(r)}`);
      }

      assert.match(await cluster(store, 'down'), /netns cluster removed/);
      await assertAllRemoved(store, u);
      assert.match(await cluster(store, 'down'), /no cluster was up/);
    } finally {
      await clusterCommand(['down'], { runtime: 'netns', store }, new Writable({ write(_c, _e, d) { d(); } })).catch(() => {});
      if (u) await assertNothingLeft(u.tag, u.runDir).catch(() => {});
      tmp.remove();
    }
  });

  test('a SIGKILLed daemon: its watcher removes the run, status says so, down removes the rest', async () => {
    const tmp = tempRunDir('netns-detached-kill');
    const store = join(tmp.dir, 'store');
    let u: Up | undefined;
    try {
      u = await up(store);
      process.kill(u.daemonPid, 'SIGKILL');
      await assertNothingLeft(u.tag, u.runDir, 15_000);
      const status = await cluster(store, 'status');
      assert.match(status, /only partly there/);
      assert.equal(status.split('\n').filter((l) => /DOWN/.test(l)).length, 3, status);
      assert.match(await cluster(store, 'down'), /netns cluster removed/);
      await assertAllRemoved(store, u);
    } finally {
      await clusterCommand(['down'], { runtime: 'netns', store }, new Writable({ write(_c, _e, d) { d(); } })).catch(() => {});
      tmp.remove();
    }
  });

  test('daemon and watcher both SIGKILLed: the next up removes the old run, down removes the new one', async () => {
    const tmp = tempRunDir('netns-detached-kill2');
    const store = join(tmp.dir, 'store');
    let first: Up | undefined;
    let second: Up | undefined;
    try {
      first = await up(store);
      const watchers = watcherPids(first.tag);
      assert.equal(watchers.length, 1);
      for (const pid of watchers) process.kill(pid, 'SIGKILL');
      process.kill(first.daemonPid, 'SIGKILL');
      await waitFor('daemon and watcher dead', () => ![first!.daemonPid, ...watchers].some(processAlive));
      // nothing cleans up after them: the nodes and namespaces are still there
      assert.ok(leftoversOf(first.tag, first.runDir).some((l) => l.startsWith('netns')), 'the orphaned namespaces remain');

      second = await up(store);
      assert.notEqual(second.tag, first.tag);
      await assertNothingLeft(first.tag, first.runDir, 15_000);
      assert.match(await cluster(store, 'status'), /answering {2}pid/);

      // and the same for down: kill daemon and watcher of the second, down removes everything
      for (const pid of watcherPids(second.tag)) process.kill(pid, 'SIGKILL');
      process.kill(second.daemonPid, 'SIGKILL');
      await waitFor('daemon dead', () => !processAlive(second!.daemonPid));
      assert.ok(leftoversOf(second.tag, second.runDir).some((l) => l.startsWith('netns')), 'the orphaned namespaces remain');
      assert.match(await cluster(store, 'down'), /netns cluster removed/);
      await assertAllRemoved(store, second);
    } finally {
      await clusterCommand(['down'], { runtime: 'netns', store }, new Writable({ write(_c, _e, d) { d(); } })).catch(() => {});
      for (const u of [first, second]) if (u) await assertNothingLeft(u.tag, u.runDir).catch(() => {});
      tmp.remove();
    }
  });
});
