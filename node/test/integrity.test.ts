/**
 * Issue #18, wire version 2, on real maep processes: every frame after the handshake carries a tag,
 * so a man in the middle between two nodes that holds no key can neither change a frame nor replay
 * one. The receiving node closes the link, counts and logs it, applies nothing of the frame, and
 * once the relay stops meddling the nodes reconnect and converge. A peer of wire version 1 is
 * refused at its first frame with a message that says so.
 */
import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage } from '../wire/codec.ts';
import { Cluster, http, metric } from './procs.ts';
import { MitmRelay } from './mitm-relay.ts';

const dir = mkdtempSync(join(tmpdir(), 'maep-integrity-'));
const keyFile = join(dir, 'cluster.key');
writeFileSync(keyFile, 'correct horse battery staple 0123456789\n');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => { for (const f of cleanup) await f(); rmSync(dir, { recursive: true, force: true }); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await sleep(100);
  }
}

const metrics = async (c: Cluster, i: number) => (await http(c.base(i), 'GET', '/metrics')).body as string;
const status = async (c: Cluster, i: number) => (await http(c.base(i), 'GET', '/admin/status')).body;

/** n1 and n2 with one cluster key; n1's dialled link to n2 (its pushes) runs through the relay */
async function relayedPair(name: string): Promise<{ c: Cluster; relay: MitmRelay }> {
  let c: Cluster | undefined;
  const relay = await MitmRelay.start(() => c!.peerPort(1));
  c = await Cluster.create(join(dir, name), 2, () => ['--cluster-key-file', keyFile], (from, to) => (from === 0 && to === 1 ? relay.port : undefined));
  cleanup.push(async () => { await c!.stopAll(); await relay.close(); });
  await c.startAll();
  await until('n1 linked to n2 through the relay', async () => relay.framesSeen > 0);
  // n1 pushes a new op only to a peer it considers alive
  await until('n1 seeing n2 alive', async () => (await status(c!, 0)).peers.some((p: { id: string; alive: boolean }) => p.id === 'n2' && p.alive));
  return { c, relay };
}


test('a byte flipped in a frame after the handshake: the link is closed and counted, the op never applied, and the nodes converge after', { timeout: 90_000 }, async () => {
  const { c, relay } = await relayedPair('flip');
  let flipped = 0;
  relay.tap = (frame) => {
    const at = frame.indexOf('tamper-me');
    // the PUSH of the write (or, if a sync came first, the DELTA_SYNC carrying it)
    if (at >= 0 && flipped++ === 0) frame[at + 8]! ^= 1; // 'tamper-me' → 'tamper-md', once
    return [frame];
  };
  assert.equal((await http(c.base(0), 'PUT', '/kv/t', { value: 'tamper-me' })).status, 200);

  await until('n2 refusing the changed frame', async () => metric(await metrics(c, 1), 'maep_peer_auth_failures_total', '{reason="bad-tag"}') === 1);
  assert.equal(flipped, 1, 'the relay changed one frame');
  const m = await metrics(c, 1);
  assert.equal(metric(m, 'maep_ops_rejected_total', '{reason="id-mismatch"}'), 0, 'the tag caught it before the op was even decoded');
  assert.equal(metric(m, 'maep_malformed_frames_total'), 0);
  assert.deepEqual((await status(c, 1)).peerRefusals, { 'bad-tag': 1 });
  assert.match(c.procs.get(1)!.err.join(''), /refused peer connection n1: frame \d+ after the handshake fails its integrity check .*nothing of it was processed/);

  // the genuine write still arrives (n1 redials through the relay, which no longer meddles); the
  // changed one never shows
  const seen = new Set<unknown>();
  await until('n2 holding the genuine write', async () => { const v = (await http(c.base(1), 'GET', '/kv/t')).body.value; seen.add(v); return v === 'tamper-me'; });
  assert.ok(!seen.has('tamper-md'), `n2 served ${JSON.stringify([...seen])}`);
  const framesBefore = relay.framesSeen;
  assert.equal((await http(c.base(0), 'PUT', '/kv/u', { value: 'after' })).status, 200);
  await until('a later push over the reconnected link', async () => (await http(c.base(1), 'GET', '/kv/u')).body.value === 'after');
  assert.ok(relay.framesSeen > framesBefore, 'n1 reconnected through the relay');
  await c.converge();
  for (const i of [0, 1]) assert.equal((await status(c, i)).opCount, 2, `n${i + 1} holds the two genuine ops and nothing else`);
  assert.equal(metric(await metrics(c, 1), 'maep_peer_auth_failures_total', '{reason="bad-tag"}'), 1, 'the clean stream after it passes');
});

test('a captured frame replayed later on the same link: refused, counted, and the op is applied once', { timeout: 90_000 }, async () => {
  const { c, relay } = await relayedPair('replay');
  let captured: Buffer | null = null;
  let replays = 0;
  relay.tap = (frame) => {
    if (captured && replays === 0) { replays++; return [captured, frame]; } // the copy goes in before the next frame
    if (frame.includes('replay-me') && !captured) captured = Buffer.from(frame);
    return [frame];
  };
  assert.equal((await http(c.base(0), 'PUT', '/kv/r', { value: 'replay-me' })).status, 200);
  await until('n2 refusing the replay', async () => metric(await metrics(c, 1), 'maep_peer_auth_failures_total', '{reason="bad-tag"}') === 1);
  assert.equal(replays, 1);
  assert.match(c.procs.get(1)!.err.join(''), /refused peer connection n1: frame \d+ after the handshake fails its integrity check/);
  assert.equal((await http(c.base(0), 'PUT', '/kv/r2', { value: 'next' })).status, 200);
  await until('n2 served by the reconnected link', async () => (await http(c.base(1), 'GET', '/kv/r2')).body.value === 'next');
  await c.converge();
  const st = await status(c, 1);
  assert.equal(st.opCount, 2);
  assert.equal(st.versionVector.n1, 2);
  assert.equal((await http(c.base(1), 'GET', '/kv/r')).body.value, 'replay-me');
});

test('a peer speaking wire version 1 is refused at its first frame, counted, with a message naming both versions', { timeout: 60_000 }, async () => {
  const c = await Cluster.create(join(dir, 'v1'), 1, () => ['--cluster-key-file', keyFile]);
  cleanup.push(() => c.stopAll());
  await c.startAll();
  const id = encodeMessage({ type: 'ID', id: 'old', addr: '', challenge: Buffer.alloc(32, 1) });
  id[0] = 1; // a v1 node's ID frame: byte for byte what v2 sends, but the version
  const s = net.connect({ host: '127.0.0.1', port: c.peerPort(0) });
  s.on('error', () => {});
  const got: Buffer[] = [];
  s.on('data', (b: Buffer) => got.push(b));
  s.on('connect', () => s.write(id));
  await new Promise((r) => s.on('close', r));
  assert.equal(Buffer.concat(got).length, 0, 'no ACK_ID for a v1 peer');
  assert.equal(metric(await metrics(c, 0), 'maep_peer_auth_failures_total', '{reason="wire-version"}'), 1);
  assert.deepEqual((await status(c, 0)).peerRefusals, { 'wire-version': 1 });
  assert.match(c.procs.get(0)!.err.join(''), /refused peer connection 127\.0\.0\.1:\d+: wire version 1, but this node speaks only version 2 and never downgrades/);
});
