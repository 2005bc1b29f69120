/**
 * Issue #18, finding 2, on real maep processes: with --cluster-key-file, peers prove the key both
 * ways before anything they send is processed; strangers and wrong keys are refused, logged and
 * counted; without a key a node warns once at start; --client-token guards the HTTP API.
 */
import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeOp } from '../core/ops.ts';
import { ClusterKey } from '../shell/auth.ts';
import { Cluster, http, metric } from './procs.ts';
import { rawPeer } from './raw-peer.ts';

const dir = mkdtempSync(join(tmpdir(), 'maep-auth-'));
const clusters: Cluster[] = [];
afterAll(async () => { for (const c of clusters) await c.stopAll(); rmSync(dir, { recursive: true, force: true }); });

const KEY = 'correct horse battery staple 0123456789';
const keyFile = join(dir, 'cluster.key');
writeFileSync(keyFile, KEY + '\n');
const wrongFile = join(dir, 'wrong.key');
writeFileSync(wrongFile, 'another cluster entirely, 987654321\n');
const auth = { authorization: 'Bearer s3cret-token' };

test('finding 2: authenticated peers replicate; unauthenticated or wrong-key peers are refused before any message', { timeout: 90_000 }, async () => {
  const c = await Cluster.create(join(dir, 'c1'), 3, (i) => ['--cluster-key-file', i === 2 ? wrongFile : keyFile, '--client-token', 's3cret-token']);
  clusters.push(c);
  await c.startAll();
  assert.doesNotMatch(c.procs.get(0)!.err.join(''), /UNAUTHENTICATED/);

  // client token: 401 without or with a wrong one, /metrics open
  const no = await http(c.base(0), 'PUT', '/kv/a', { value: 1 });
  assert.equal(no.status, 401);
  assert.match(no.body.error, /Bearer/);
  assert.equal((await http(c.base(0), 'GET', '/kv/a', undefined, { authorization: 'Bearer nope' })).status, 401);
  assert.equal((await http(c.base(0), 'GET', '/metrics')).status, 200);

  assert.equal((await http(c.base(0), 'PUT', '/kv/a', { value: 1 }, auth)).status, 200);
  // n1 and n2 share the key and converge; n3 has another key and gets nothing
  const until = Date.now() + 10_000;
  while ((await http(c.base(1), 'GET', '/kv/a', undefined, auth)).body.value !== 1) {
    assert.ok(Date.now() < until, 'n2 got the write');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await http(c.base(2), 'GET', '/kv/a', undefined, auth)).body.value, null, 'n3 (wrong key) got nothing');

  // a stranger without the key: its PUSH is never processed
  const op = makeOp({ origin: 'evil', seq: 1, ts: Date.now(), vv: {}, kind: 'put', key: 'b', payload: { value: 'injected' } });
  const stranger = await rawPeer(c.peerPort(0), 'evil').catch((e: Error) => e);
  assert.ok(stranger instanceof Error, 'no ACK_ID for a peer without a key proof');
  const wrong = await rawPeer(c.peerPort(0), 'evil', new ClusterKey(Buffer.from('not the key at all, no')));
  wrong.send({ type: 'PUSH', ops: [op] });
  await wrong.closed;
  // a peer with the key is accepted and can write
  const good = await rawPeer(c.peerPort(0), 'friend', new ClusterKey(Buffer.from(KEY)));
  good.send({ type: 'PUSH', ops: [makeOp({ origin: 'friend', seq: 1, ts: Date.now(), vv: {}, kind: 'put', key: 'c', payload: { value: 'welcome' } })] });
  await new Promise((r) => setTimeout(r, 300));
  good.close();
  assert.equal((await http(c.base(0), 'GET', '/kv/b', undefined, auth)).body.value, null);
  assert.equal((await http(c.base(0), 'GET', '/kv/c', undefined, auth)).body.value, 'welcome');

  const m = (await http(c.base(0), 'GET', '/metrics')).body as string;
  assert.ok(metric(m, 'maep_peer_auth_failures_total', '{reason="no-proof"}') >= 1, m.split('\n').filter((l) => l.includes('auth')).join('\n'));
  assert.ok(metric(m, 'maep_peer_auth_failures_total', '{reason="bad-proof"}') >= 2, 'the wrong-key peer and n3');
  assert.match(c.procs.get(0)!.err.join(''), /refused peer connection evil .*no cluster key handshake/);
  assert.match(c.procs.get(0)!.err.join(''), /refused peer connection .*cluster key proof is wrong/);
});

test('finding 2: without --cluster-key-file a node warns once, loudly, and keeps working', { timeout: 30_000 }, async () => {
  const c = await Cluster.create(join(dir, 'c2'), 1);
  clusters.push(c);
  const p = await c.start(0, ['--log-level', 'error']);
  assert.equal((p.err.join('').match(/WARNING: no --cluster-key-file: peer links are UNAUTHENTICATED/g) ?? []).length, 1);
  assert.equal((await http(c.base(0), 'PUT', '/kv/a', { value: 1 })).status, 200);
});
