/**
 * Compaction on real processes (issue #18, finding 9): a node that compacts writes snapshot.bin,
 * cuts its log, and after a SIGKILL restarts from snapshot + tail with every acknowledged write; a
 * peer that was down while the others compacted past it takes their snapshot and catches up.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, http, metric } from './procs.ts';

type Acked = Map<string, number>;

/** `n` puts over `keys` keys through the given nodes, one worker per key so a key's writes are
 *  sequential and its last acknowledged value is its final one */
async function writeMany(c: Cluster, nodes: number[], n: number, keys: number, tag: number, acked: Acked): Promise<void> {
  await Promise.all(Array.from({ length: keys }, async (_, w) => {
    for (let i = w; i < n; i += keys) {
      const key = `k${w}`, value = tag * 1_000_000 + i;
      const r = await http(c.base(nodes[i % nodes.length]!), 'PUT', `/kv/${key}`, { value });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      acked.set(key, value);
    }
  }));
}

async function status(c: Cluster, i: number) { return (await http(c.base(i), 'GET', '/admin/status')).body; }

async function until(what: string, cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectAcked(c: Cluster, i: number, acked: Acked): Promise<void> {
  for (const [k, v] of acked) assert.deepEqual((await http(c.base(i), 'GET', `/kv/${k}`)).body, { key: k, value: v }, `node ${c.ids[i]} key ${k}`);
  const bank = (await http(c.base(i), 'GET', '/bank')).body;
  assert.equal(bank.total, 80);
}

test('a node compacts, cuts its log, and after SIGKILL restarts from snapshot + tail with every acknowledged write', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-compact-'));
  const c = await Cluster.create(dir, 3);
  t.onTestFinished(async () => { await c.stopAll(); rmSync(dir, { recursive: true, force: true }); });
  // first without compaction: the whole history on disk
  await Promise.all(c.ids.map((_, i) => c.start(i, ['--compact-after', '0'])));
  const acked: Acked = new Map();
  await writeMany(c, [0], 1500, 8, 1, acked);
  assert.equal((await http(c.base(0), 'POST', '/bank/transfer', { from: 0, to: 1, amount: 4 })).status, 200);
  await c.converge();
  const logPath = join(dir, 'n1', 'ops.log');
  const before = statSync(logPath).size;
  assert.equal((await status(c, 0)).compactedOpCount, 0);

  // n1 restarted with compaction on: once its peers report holding the ops it folds them away
  await c.stop(0);
  await c.start(0, ['--compact-after', '100']);
  await until('n1 to compact', async () => { await http(c.base(0), 'POST', '/admin/sync'); return (await status(c, 0)).compactedOpCount >= 1500; });
  const st = await status(c, 0);
  assert.ok(st.opCount < 100, `n1 holds only the ops above its frontier (${st.opCount})`);
  assert.ok(st.snapshotBytes > 0);
  assert.deepEqual(Object.keys(st.compactedFrontier).sort(), ['n1']);
  const m = (await http(c.base(0), 'GET', '/metrics')).text;
  assert.equal(metric(m, 'maep_compacted_op_count'), st.compactedOpCount);
  assert.equal(metric(m, 'maep_compacted_frontier', '{origin="n1"}'), st.compactedFrontier.n1);
  assert.equal(metric(m, 'maep_snapshot_bytes'), statSync(join(dir, 'n1', 'snapshot.bin')).size);
  const after = statSync(logPath).size;
  assert.ok(after < before / 10, `the log shrank from ${before} to ${after} bytes`);

  // more writes, then SIGKILL right after the last ack, and back from snapshot + tail
  await writeMany(c, [0], 300, 8, 2, acked);
  await c.stop(0, 'SIGKILL');
  const p = await c.start(0, ['--compact-after', '100']);
  assert.match(p.err.join(''), /loaded a snapshot of \d+ ops from .*snapshot\.bin/);
  await expectAcked(c, 0, acked);
  const again = await status(c, 0);
  assert.equal(again.compactedOpCount + again.opCount, 1801, 'every op is compacted or held');
  await c.converge();
  for (let i = 0; i < 3; i++) await expectAcked(c, i, acked);
});

test('a peer down while the others compact past it takes their snapshot and catches up', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-compact-down-'));
  // a peer not alive for 2 s stops holding the frontier back
  const c = await Cluster.create(dir, 3, () => ['--compact-after', '50', '--forget-peer-after', '2000']);
  t.onTestFinished(async () => { await c.stopAll(); rmSync(dir, { recursive: true, force: true }); });
  await c.startAll();
  const acked: Acked = new Map();
  await writeMany(c, [0, 1], 40, 8, 1, acked);
  await c.converge();
  await c.stop(2, 'SIGKILL');
  await writeMany(c, [0, 1], 600, 8, 2, acked);
  assert.equal((await http(c.base(1), 'POST', '/bank/transfer', { from: 2, to: 3, amount: 5 })).status, 200);
  await until('n1 and n2 to compact past n3', async () => {
    await http(c.base(0), 'POST', '/admin/sync'); await http(c.base(1), 'POST', '/admin/sync');
    const [a, b] = [await status(c, 0), await status(c, 1)];
    return a.compactedOpCount > 400 && b.compactedOpCount > 400;
  });
  const p = await c.start(2);
  await c.converge();
  assert.match(p.err.join(''), /installed a snapshot from n[12] of \d+ ops/);
  const st = await status(c, 2);
  assert.ok(st.compactedOpCount > 400, 'n3 holds the others\' snapshot');
  assert.ok(existsSync(join(dir, 'n3', 'snapshot.bin')), 'and made it durable');
  for (let i = 0; i < 3; i++) await expectAcked(c, i, acked);
  const bank = (await http(c.base(2), 'GET', '/bank')).body;
  assert.equal(bank.balances['3'], 15);
  // and n3 restarts from what it installed
  await c.stop(2, 'SIGKILL');
  await c.start(2);
  await expectAcked(c, 2, acked);
});
