/**
 * Integration: three real maep processes on loopback. Writes through one node are read back from
 * all after sync; a node SIGKILLed right after acknowledging writes comes back from its log with
 * every acknowledged write; SIGTERM exits 0; a bad flag exits 2.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, http, runMaep, startMaep, stopMaep, type NodeProc } from './procs.ts';

test('3 maep processes replicate, survive SIGKILL with every acked write, shut down cleanly', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-cluster-'));
  const procs = new Set<NodeProc>();
  t.onTestFinished(async () => {
    for (const p of procs) await stopMaep(p);
    rmSync(dir, { recursive: true, force: true });
  });
  const ids = ['n1', 'n2', 'n3'];
  const ports = await freePorts(6);
  const peerPort = (i: number) => ports[i]!, httpPort = (i: number) => ports[3 + i]!;
  const args = (i: number, extra: string[] = []) => [
    '--id', ids[i]!, '--listen', `127.0.0.1:${peerPort(i)}`, '--http', `127.0.0.1:${httpPort(i)}`,
    '--peers', ids.map((id, j) => `${id}@127.0.0.1:${peerPort(j)}`).filter((_, j) => j !== i).join(','),
    '--data', join(dir, ids[i]!), '--anti-entropy-interval', '300', ...extra,
  ];
  const base = (i: number) => `http://127.0.0.1:${httpPort(i)}`;
  const start = async (i: number, extra: string[] = []) => { const p = await startMaep(args(i, extra)); procs.add(p); return p; };
  const nodes = await Promise.all([0, 1, 2].map((i) => start(i)));

  // writes through n1: registers, a history, bank transfers — all acknowledged
  const acked = new Map<string, number>();
  for (let k = 0; k < 20; k++) {
    const r = await http(base(0), 'PUT', `/kv/k${k}`, { value: k * 10 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    acked.set(`k${k}`, k * 10);
  }
  const hist: number[] = [];
  for (let v = 0; v < 10; v++) { assert.equal((await http(base(0), 'POST', '/history/h', { value: v })).status, 200); hist.push(v); }
  assert.equal((await http(base(0), 'POST', '/bank/transfer', { from: 0, to: 1, amount: 4 })).status, 200);
  const over = await http(base(0), 'POST', '/bank/transfer', { from: 0, to: 1, amount: 7 });
  assert.equal(over.status, 409);
  assert.match(over.body.error, /insufficient funds: account 0 has 6, transfer needs 7/);

  // after anti-entropy every node answers the same
  for (let i = 0; i < 3; i++) assert.equal((await http(base(i), 'POST', '/admin/sync')).status, 200);
  const expectAll = async (i: number) => {
    for (const [k, v] of acked) assert.deepEqual((await http(base(i), 'GET', `/kv/${k}`)).body, { key: k, value: v }, `node ${ids[i]} key ${k}`);
    const h = (await http(base(i), 'GET', '/history/h')).body;
    assert.deepEqual(h.entries.map((e: { value: number }) => e.value), hist, `node ${ids[i]} history`);
    const bank = (await http(base(i), 'GET', '/bank')).body;
    assert.equal(bank.balances['0'], 6); assert.equal(bank.balances['1'], 14); assert.equal(bank.total, 80);
  };
  for (let i = 0; i < 3; i++) await expectAll(i);
  const statuses = await Promise.all([0, 1, 2].map(async (i) => (await http(base(i), 'GET', '/admin/status')).body));
  assert.equal(new Set(statuses.map((s) => s.merkleRoot)).size, 1, 'merkle roots equal');
  assert.equal(statuses[0].opCount, 31);

  // more writes through n1, SIGKILL right after the last ack
  for (let k = 20; k < 40; k++) {
    assert.equal((await http(base(0), 'PUT', `/kv/k${k}`, { value: k * 10 })).status, 200);
    acked.set(`k${k}`, k * 10);
  }
  await stopMaep(nodes[0]!, 'SIGKILL');
  procs.delete(nodes[0]!);
  // restart without anti-entropy: whatever it holds now came from its own log, not from peers
  const back = await start(0, ['--unsafe-no-anti-entropy']);
  assert.match(back.err.join('') + back.out.join(''), /recovered 51 records/);
  for (const [k, v] of acked) assert.deepEqual((await http(base(0), 'GET', `/kv/${k}`)).body, { key: k, value: v }, `after SIGKILL, key ${k}`);

  // SIGTERM exits 0; a normal restart converges with the others again
  assert.equal(await stopMaep(back, 'SIGTERM'), 0);
  procs.delete(back);
  await start(0);
  for (let i = 0; i < 3; i++) assert.equal((await http(base(i), 'POST', '/admin/sync')).status, 200);
  for (let i = 0; i < 3; i++) await expectAll(i);
  for (let i = 0; i < 3; i++) for (const [k, v] of acked) assert.equal((await http(base(i), 'GET', `/kv/${k}`)).body.value, v);
});

test('a bad flag exits 2 with one clear line', { timeout: 30_000 }, async () => {
  const r = await runMaep(['--id', 'n1', '--listen', '127.0.0.1:notaport', '--http', '127.0.0.1:1']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /--listen: "127.0.0.1:notaport" is not a host:port address/);
});
