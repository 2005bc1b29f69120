/**
 * Issue #18, finding 3, on three real maep processes: op ids are checked against content, and an op
 * whose seq is far beyond its origin's frontier is refused with a counted, logged reason.
 */
import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeOp } from '../core/ops.ts';
import { Cluster, http, metric } from './procs.ts';
import { rawPeer } from './raw-peer.ts';

const dir = mkdtempSync(join(tmpdir(), 'maep-forged-'));
let c: Cluster | undefined;
afterAll(async () => { await c?.stopAll(); rmSync(dir, { recursive: true, force: true }); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('finding 3: forged seqs and ids are refused, counted and logged; the cluster stays consistent', { timeout: 90_000 }, async () => {
  c = await Cluster.create(dir, 3);
  await c.startAll();

  // a far-future seq for n2, correctly hashed: n1 must not accept it (n2's later ops would wait for 1e15 - 1 others)
  const far = makeOp({ origin: 'n2', seq: 1e15, ts: Date.now(), vv: { n2: 1e15 - 1 }, kind: 'put', key: 'x', payload: { value: 'forged' } });
  const evil = await rawPeer(c.peerPort(0), 'evil');
  evil.send({ type: 'PUSH', ops: [far] });
  // n2 itself must not adopt it either (it would continue at seq 1e15 + 1)
  const evil2 = await rawPeer(c.peerPort(1), 'evil');
  evil2.send({ type: 'PUSH', ops: [far] });
  await sleep(300);

  // one id, two contents: the genuine op to n1, the same id with another value to n3
  const genuine = makeOp({ origin: 'ev', seq: 1, ts: Date.now(), vv: {}, kind: 'put', key: 'twin', payload: { value: 'A' } });
  const twin = { ...genuine, payload: { value: 'B' } };
  evil.send({ type: 'PUSH', ops: [genuine] });
  const evil3 = await rawPeer(c.peerPort(2), 'evil');
  evil3.send({ type: 'PUSH', ops: [twin] });
  await evil3.closed; // a frame with a forged op closes its connection

  for (let k = 0; k < 3; k++) assert.equal((await http(c.base(1), 'PUT', '/kv/x', { value: `real${k}` })).status, 200);
  await c.converge();
  for (let i = 0; i < 3; i++) {
    assert.deepEqual((await http(c.base(i), 'GET', '/kv/x')).body, { key: 'x', value: 'real2' }, `n${i + 1} sees n2's writes`);
    assert.deepEqual((await http(c.base(i), 'GET', '/kv/twin')).body, { key: 'twin', value: 'A' }, `n${i + 1} twin`);
  }
  assert.equal((await http(c.base(1), 'GET', '/admin/status')).body.versionVector.n2, 3);

  const m1 = (await http(c.base(0), 'GET', '/metrics')).body as string;
  const m3 = (await http(c.base(2), 'GET', '/metrics')).body as string;
  assert.equal(metric(m1, 'maep_ops_rejected_total', '{reason="seq-jump"}'), 1);
  assert.equal(metric(m3, 'maep_ops_rejected_total', '{reason="id-mismatch"}'), 1);
  assert.match(c.procs.get(0)!.err.join(''), /rejected op [0-9a-f]{32} \(n2#1000000000000000\): seq is more than 1000000 beyond/);
  assert.match(c.procs.get(2)!.err.join(''), /operation id does not match its content/);
  evil.close(); evil2.close();
});
