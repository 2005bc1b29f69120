/**
 * Robustness: a running maep process receives >10,000 random and mutated peer frames (each bad one
 * closes only its own connection) and thousands of random/mutated HTTP requests. Afterwards it must
 * still be running, answer /admin/status with exactly the ops that were legitimately written, never
 * have answered 5xx, and have logged no crash.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../api/rng.ts';
import { encodeMessage } from '../wire/codec.ts';
import { encodeFrame, WIRE_VERSION } from '../wire/frame.ts';
import { makeOp, type Op } from '../core/ops.ts';
import type { Message } from '../core/messages.ts';
import { DIGEST_BYTES } from '../core/merkle.ts';
import { freePorts, http, metric, startMaep, stopMaep } from './procs.ts';
import { rawPeer } from './raw-peer.ts';
import { ClusterKey } from '../shell/auth.ts';

function validOp(rng: Rng, seq: number): Op {
  return makeOp({ origin: 'fz', seq, ts: 1_700_000_000_000 + seq, vv: seq > 1 ? { fz: seq - 1 } : {}, kind: 'put', key: `f${rng.int(0, 9)}`, payload: { value: rng.int(0, 1e6) } });
}

/** messages whose mutations can never create an op (so the op count stays exact) */
function sourceMessage(rng: Rng): Message {
  switch (rng.int(0, 3)) {
    case 0: return { type: 'PING', n: rng.next() * 1e6 };
    case 1: return { type: 'VV', s: rng.int(0, 1e6), holdings: { n1: { max: rng.int(0, 50), holes: [1, 2] }, zz: { max: 3 } } };
    case 2: { const idx = [0, 1, 2].slice(0, rng.int(0, 3)); return { type: 'SYNC', s: rng.int(0, 1e6), r: false, level: rng.int(0, 5), idx, digests: new Uint8Array(DIGEST_BYTES * idx.length) }; }
    default: return { type: 'DELTA_SYNC', s: rng.int(0, 1e6), phase: 2, ops: [], want: ['0123456789abcdef0123456789abcdef'] };
  }
}

function mutate(rng: Rng, frame: Buffer): Buffer {
  const b = Buffer.from(frame);
  switch (rng.int(0, 6)) {
    case 0: { for (let i = rng.int(1, 4); i > 0; i--) { const at = rng.int(0, b.length - 1); b[at] = rng.int(0, 255); } return b; }
    case 1: { const cut = rng.int(6, Math.max(6, b.length - 1)); const t = Buffer.from(b.subarray(0, cut)); t.writeUInt32BE(cut - 6, 2); return t; }
    case 2: { b.writeUInt32BE(rng.pick([0x7fffffff, 0xffffffff, 17 * 1024 * 1024]), 2); return b; }
    case 3: { b[1] = rng.pick([0, 10, 77, 255]); return b; }
    case 4: { b[0] = (WIRE_VERSION + rng.int(1, 255)) & 255; return b; }
    case 5: return encodeFrame(rng.int(1, 9), Buffer.from(Array.from({ length: rng.int(0, 40) }, () => rng.int(0, 255))));
    default: return Buffer.from(Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 255)));
  }
}

/** one fuzz connection: handshake, some valid frames, one mutated frame; resolves when closed */
function fuzzConnection(port: number, frames: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = () => { clearTimeout(timer); s.destroy(); resolve(); };
    const timer = setTimeout(done, 2000);
    s.on('connect', () => { s.write(Buffer.concat(frames)); s.end(); });
    s.on('data', () => {});
    s.on('error', done);
    s.on('close', done);
  });
}

const HTTP_TARGETS: [string, string][] = [['PUT', '/kv/k'], ['POST', '/kv/k/cas'], ['POST', '/history/h'], ['POST', '/bank/transfer'], ['GET', '/kv/%E0%A4%A'], ['DELETE', '/bank'], ['POST', '/nope']];
const VALID_BODIES = ['{"value": 5}', '{"expected": null, "new": 1}', '{"value": "x"}', '{"from": 0, "to": 1, "amount": 1}'];

function httpBody(rng: Rng): string {
  switch (rng.int(0, 7)) {
    case 0: return rng.pick(VALID_BODIES);
    case 1: { const v = rng.pick(VALID_BODIES); return v.slice(0, rng.int(0, v.length)); }
    case 2: { const v = rng.pick(VALID_BODIES).split(''); v[rng.int(0, v.length - 1)] = String.fromCharCode(rng.int(32, 126)); return v.join(''); }
    case 3: return JSON.stringify({ from: rng.pick([-1, 0, 1.5, 99, 2 ** 60, '0', null]), to: rng.pick([1, 7, 8, -0, [1]]), amount: rng.pick([-5, 0, 0.5, 1e300, 3, '3', 2 ** 53 + 2]) });
    case 4: return '['.repeat(rng.int(1, 5000));
    case 5: return Buffer.from(Array.from({ length: rng.int(0, 80) }, () => rng.int(0, 255))).toString('latin1');
    case 6: return JSON.stringify(rng.pick([null, 1, 'str', [1, 2], { value: { a: [1, { b: 2 }] } }, { expected: 1 }, { new: 1 }]));
    default: return '{"value":"' + 'x'.repeat(rng.pick([10, 1024 * 1024 + 10])) + '"}';
  }
}

test('a node survives >10,000 random and mutated frames and HTTP bodies', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-fuzz-'));
  const [peerPort, httpPort] = await freePorts(2);
  const node = await startMaep(['--id', 'n1', '--listen', `127.0.0.1:${peerPort}`, '--http', `127.0.0.1:${httpPort}`, '--data', dir, '--fsync', 'never']);
  t.onTestFinished(async () => { await stopMaep(node); rmSync(dir, { recursive: true, force: true }); });
  const base = `http://127.0.0.1:${httpPort}`;
  const rng = new Rng(20261121);

  // peer side: 3,000 connections × (ID + valid frames + one mutated frame)
  let framesSent = 0, validPushed = 0, opSeq = 0;
  const conns: Buffer[][] = [];
  for (let c = 0; c < 3000; c++) {
    const frames = [encodeMessage({ type: 'ID', id: `fz${c % 7}`, addr: '' })];
    for (let k = rng.int(0, 3); k > 0; k--) {
      if (rng.next() < 0.3) { frames.push(encodeMessage({ type: 'PUSH', ops: [validOp(rng, ++opSeq)] })); validPushed++; }
      else frames.push(encodeMessage(sourceMessage(rng)));
    }
    frames.push(mutate(rng, encodeMessage(sourceMessage(rng))));
    framesSent += frames.length;
    conns.push(frames);
  }
  assert.ok(framesSent >= 10_000, `sent ${framesSent} frames`);
  for (let i = 0; i < conns.length; i += 50) await Promise.all(conns.slice(i, i + 50).map((f) => fuzzConnection(peerPort!, f)));

  // client side: random and mutated HTTP requests
  let writes = 0, requests = 0;
  const statuses = new Map<number, number>();
  const worker = async (w: number) => {
    const r = rng.fork(`http${w}`);
    for (let i = 0; i < 250; i++) {
      const [method, path] = r.pick(HTTP_TARGETS);
      const body = method === 'GET' || method === 'DELETE' ? undefined : httpBody(r);
      let status: number;
      try {
        const res = await fetch(base + path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
        status = res.status;
        const text = await res.text();
        if (status >= 400) assert.match(JSON.parse(text).error, /\S/, `error body for ${method} ${path}`);
      } catch (e) {
        // a 413 closes the connection mid-upload; that is the one place a client may see a reset
        if (body && body.length > 1024 * 1024) continue;
        throw e;
      }
      requests++;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 200 && method !== 'GET') writes++;
    }
  };
  await Promise.all(Array.from({ length: 10 }, (_, w) => worker(w)));
  assert.ok(requests >= 2000, `${requests} HTTP requests answered`);
  for (const s of statuses.keys()) assert.ok(s < 500, `HTTP status ${s} seen: ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(400) ?? 0) > 100 && (statuses.get(413) ?? 0) > 0 && (statuses.get(404) ?? 0) > 0 && (statuses.get(405) ?? 0) > 0);

  // still alive and correct
  assert.equal(node.child.exitCode, null, 'node still running');
  const st = await http(base, 'GET', '/admin/status');
  assert.equal(st.status, 200);
  assert.equal(st.body.id, 'n1');
  assert.equal(st.body.opCount, writes + validPushed, 'exactly the legitimate writes and valid pushed ops are held');
  const metrics = (await http(base, 'GET', '/metrics')).body as string;
  const malformed = Number(/^maep_malformed_frames_total (\d+)/m.exec(metrics)?.[1]);
  assert.ok(malformed > 1500, `malformed frames counted: ${malformed}`);
  const log = node.err.join('');
  assert.doesNotMatch(log, /CRASH|internal error|uncaught/i);
  assert.match(log, /malformed frame from/);
});

test('with a cluster key: strangers, half-open frames, forged ops, a JOIN flood and oversized values leave memory bounded', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-fuzz-auth-'));
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, 'fuzzing cluster key 0123456789abcdef');
  const [peerPort, httpPort] = await freePorts(2);
  const node = await startMaep(['--id', 'n1', '--listen', `127.0.0.1:${peerPort}`, '--http', `127.0.0.1:${httpPort}`, '--data', join(dir, 'd'), '--fsync', 'never', '--cluster-key-file', keyFile, '--max-peers', '16']);
  t.onTestFinished(async () => { await stopMaep(node); rmSync(dir, { recursive: true, force: true }); });
  const base = `http://127.0.0.1:${httpPort}`;
  const rng = new Rng(181818);

  // 60 strangers, each announcing a 16 MiB frame and trickling bytes: refused at the header
  const strangers = Array.from({ length: 60 }, () => new Promise<void>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: peerPort! });
    s.on('connect', () => { const h = Buffer.alloc(6); h[0] = WIRE_VERSION; h[1] = 2; h.writeUInt32BE(16 * 1024 * 1024 - 1, 2); s.write(h); s.write(Buffer.alloc(60_000, 7)); });
    s.on('error', () => {});
    s.on('close', () => resolve());
    setTimeout(() => { s.destroy(); resolve(); }, 5000);
  }));
  await Promise.all(strangers);

  // an authenticated peer: a JOIN naming 2,000 fake members, forged and implausible ops
  const key = new ClusterKey(Buffer.from('fuzzing cluster key 0123456789abcdef'));
  const friend = await rawPeer(peerPort!, 'fz', key);
  friend.send({ type: 'JOIN', members: Array.from({ length: 2000 }, (_, i) => [`fake${i}`, `10.255.${i >> 8}.${i & 255}:9`] as [string, string]), r: false });
  let legit = 0;
  for (let seq = 1; seq <= 50; seq++) { friend.send({ type: 'PUSH', ops: [validOp(rng, seq)] }); legit++; }
  friend.send({ type: 'PUSH', ops: [makeOp({ origin: 'fz', seq: 1e12, ts: 1, vv: { fz: 1e12 - 1 }, kind: 'put', key: 'x', payload: { value: 1 } })] });
  for (let o = 0; o < 400; o++) friend.send({ type: 'PUSH', ops: [makeOp({ origin: `o${o}`, seq: 1, ts: 1, vv: {}, kind: 'put', key: 'x', payload: { value: o } })] });
  const forged = { ...validOp(rng, 51), payload: { value: 'forged' } };
  friend.send({ type: 'PUSH', ops: [forged] });
  await friend.closed;

  // oversized values over HTTP
  for (let i = 0; i < 5; i++) assert.equal((await http(base, 'PUT', '/kv/big', `{"value":${JSON.stringify(new Array(200_000).fill(0.5))}}`)).status, 413);

  const st = (await http(base, 'GET', '/admin/status')).body;
  assert.ok(st.peers.length <= 16, `peers capped: ${st.peers.length}`);
  assert.equal(st.opCount, legit + 255, 'the legitimate ops, plus one op per origin up to the 256-origin cap (fz included)');
  const m = (await http(base, 'GET', '/metrics')).body as string;
  assert.ok(metric(m, 'maep_peer_auth_failures_total', '{reason="oversized"}') + metric(m, 'maep_malformed_frames_total') >= 60, 'strangers refused');
  assert.equal(metric(m, 'maep_ops_rejected_total', '{reason="seq-jump"}'), 1);
  assert.equal(metric(m, 'maep_ops_rejected_total', '{reason="origin-limit"}'), 400 - 255);
  assert.equal(metric(m, 'maep_ops_rejected_total', '{reason="id-mismatch"}'), 1);
  const rss = metric(m, 'maep_process_process_resident_memory_bytes');
  assert.ok(rss > 0 && rss < 250 * 1024 * 1024, `RSS ${Math.round(rss / 1e6)} MB stays under 250 MB`);
  assert.equal(node.child.exitCode, null);
  assert.doesNotMatch(node.err.join(''), /CRASH|internal error|uncaught/i);
});
