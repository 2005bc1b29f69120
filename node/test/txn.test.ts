/**
 * POST /txn against real maep processes: a txn reads its own writes; concurrent txns on two nodes
 * converge after sync; a txn's writes appear on a peer together or not at all; bad input gets a
 * 4xx; a restarted node recovers its txn ops from the log.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, http } from './procs.ts';

test('txns on 3 maep processes: own writes, convergence, all-or-nothing on a peer, 4xx, recovery', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-txn-'));
  const c = await Cluster.create(dir, 3);
  t.onTestFinished(async () => { await c.stopAll(); rmSync(dir, { recursive: true, force: true }); });
  await c.startAll();
  const txn = (i: number, ops: unknown) => http(c.base(i), 'POST', '/txn', { ops });

  // reads see the node's state plus the txn's own earlier writes
  const a = await txn(0, [['r', 1, null], ['append', 1, 1], ['append', 1, 2], ['r', 1, null], ['w', 'x', 7], ['r', 'x', null]]);
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(a.body.ops, [['r', 1, null], ['append', 1, 1], ['append', 1, 2], ['r', 1, [1, 2]], ['w', 'x', 7], ['r', 'x', 7]]);
  assert.equal(a.body.ok, true);
  assert.match(a.body.id, /^[0-9a-f]{32}$/);
  const ro = await txn(0, [['r', 1, null], ['r', 'x', null], ['r', 'nope', null]]);
  assert.deepEqual(ro.body, { ok: true, ops: [['r', 1, [1, 2]], ['r', 'x', 7], ['r', 'nope', null]] });
  assert.deepEqual((await http(c.base(0), 'GET', '/txn/1')).body, { key: '1', value: [1, 2] });
  // its own namespace: /kv/x and /history/1 know nothing of it
  assert.equal((await http(c.base(0), 'GET', '/kv/x')).body.value, null);
  assert.deepEqual((await http(c.base(0), 'GET', '/history/1')).body.entries, []);

  // bad input: 4xx naming the problem, nothing stored
  const before = (await http(c.base(0), 'GET', '/admin/status')).body.opCount;
  const bad: [unknown, number, RegExp][] = [
    [{ ops: [['incr', 1, 1]] }, 400, /unknown function "incr"/],
    [{ ops: [['append', [1], 1]] }, 400, /key must be a non-empty string or an integer/],
    [{ ops: [['r', 1, 3]] }, 400, /a read is \["r", key, null\]/],
    [{ ops: [] }, 400, /at least one micro-op/],
    [{ nope: 1 }, 400, /missing field "ops"/],
    [{ ops: [['w', 1, 'x'.repeat(1024 * 1024)]] }, 413, /over the|limit/],
    [{ ops: [['w', 1, JSON.parse('{"__proto__": 1}')]] }, 400, /__proto__/],
  ];
  for (const [body, status, re] of bad) {
    const r = await http(c.base(0), 'POST', '/txn', body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)} → ${r.text.slice(0, 200)}`);
    assert.match(String(r.body.error), re);
  }
  assert.equal((await http(c.base(0), 'PUT', '/txn', { ops: [] })).status, 405);
  assert.equal((await http(c.base(0), 'GET', '/admin/status')).body.opCount, before, 'no refused txn took a sequence number');

  // concurrent txns on two nodes that cannot reach each other (each runs alone) converge after sync
  await c.converge();
  await c.stop(0);
  await c.stop(2);
  const b = await txn(1, [['r', 1, null], ['append', 1, 20], ['w', 'x', 20]]);
  assert.deepEqual(b.body.ops, [['r', 1, [1, 2]], ['append', 1, 20], ['w', 'x', 20]]);
  await c.stop(1);
  await c.start(2);
  const d = await txn(2, [['r', 1, null], ['append', 1, 30], ['append', 2, 30], ['w', 'x', 30]]);
  assert.deepEqual(d.body.ops, [['r', 1, [1, 2]], ['append', 1, 30], ['append', 2, 30], ['w', 'x', 30]], "n3 did not see n2's concurrent txn");
  await c.stop(2);
  await c.startAll();
  await c.converge();
  const states = await Promise.all([0, 1, 2].map(async (i) => (await http(c.base(i), 'GET', '/txn')).body));
  for (const s of states) assert.deepEqual(s, states[0]);
  const keys = states[0].keys;
  assert.deepEqual(keys['1'].slice(0, 2), [1, 2]);
  assert.deepEqual([...keys['1'].slice(2)].sort(), [20, 30], 'both concurrent appends, after what both read');
  assert.deepEqual(keys['2'], [30]);
  assert.ok(keys.x === 20 || keys.x === 30);

  // all-or-nothing on a peer: a txn writing many keys is visible there with all of them or none
  const many = Array.from({ length: 40 }, (_, k) => ['append', `m${k}`, 1]);
  const watcher = (async () => {
    const seen = new Set<number>();
    for (let n = 0; n < 400; n++) {
      const s = (await http(c.base(1), 'GET', '/txn')).body.keys as Record<string, unknown>;
      const present = Array.from({ length: 40 }, (_, k) => s[`m${k}`] !== undefined).filter(Boolean).length;
      seen.add(present);
      if (present === 40) break;
    }
    return seen;
  })();
  assert.equal((await txn(0, many)).status, 200);
  const seen = await watcher;
  for (const n of seen) assert.ok(n === 0 || n === 40, `a peer showed ${n} of the txn's 40 writes`);
  assert.ok(seen.has(40), 'the txn reached the peer');

  // restart: txn ops come back from the log (no anti-entropy, so not from peers)
  const root = await c.converge();
  const stateBefore = (await http(c.base(2), 'GET', '/txn')).body;
  await c.stop(2);
  const back = await c.start(2, ['--unsafe-no-anti-entropy']);
  assert.match(back.err.join('') + back.out.join(''), /recovered \d+ records/);
  assert.deepEqual((await http(c.base(2), 'GET', '/txn')).body, stateBefore);
  assert.equal((await http(c.base(2), 'GET', '/admin/status')).body.merkleRoot, root);
});
