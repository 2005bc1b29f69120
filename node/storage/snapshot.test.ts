/**
 * The snapshot file and the compacted log on a real disk: a snapshot reads back exactly and any
 * damaged byte is named, never passed over; the log rewritten by compaction holds the base record
 * and only the ops above it, also with appends racing the rewrite; at start a damaged or missing
 * snapshot refuses the node unless the log alone still holds everything.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemNet } from '../core/memnet.ts';
import { makeOp, type Op } from '../core/ops.ts';
import { OpLog } from './log.ts';
import { decodeSnapshot, encodeSnapshot, readSnapshot, writeSnapshot, SNAPSHOT_FILE } from './snapshot-file.ts';
import { openData } from './open-data.ts';

const op = (seq: number): Op => makeOp({ origin: 'n1', seq, ts: 1000 + seq, vv: seq > 1 ? { n1: seq - 1 } : {}, kind: 'put', key: `k${seq % 3}`, payload: { value: seq } });

/** a snapshot of real content: registers, a history, transfers and a txn, compacted in the core */
function compactedNode() {
  const net = MemNet.cluster(['n1'], { compactAfterOps: 1 });
  for (let i = 0; i < 5; i++) net.client('n1', { t: 'put', key: `k${i}`, value: { i } });
  net.client('n1', { t: 'append', key: 'h', value: 1 });
  net.client('n1', { t: 'transfer', from: 0, to: 1, amount: 3 });
  net.client('n1', { t: 'txn', ops: [['append', 'l', 7], ['w', 'r', 'v']] });
  net.tickAll(10);
  return net.node('n1');
}

function tmp(): string { return mkdtempSync(join(tmpdir(), 'maep-snap-')); }

test('a snapshot reads back as written; every flipped byte and every cut is named as damage', () => {
  const snap = compactedNode().snapshot();
  assert.equal(Object.values(snap.frontier)[0], 8);
  const bytes = encodeSnapshot(snap);
  assert.deepEqual(decodeSnapshot(bytes), snap);
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, x, cut) => {
    const bad = Buffer.from(bytes);
    const damaged = cut ? bad.subarray(0, at % bad.length) : (bad[at % bad.length] ^= x, bad);
    assert.equal(typeof decodeSnapshot(damaged), 'string');
  }), { seed: 11, numRuns: 300 });
});

test('the log rewritten by compaction holds the base and the ops above it; appends racing the rewrite are kept', async () => {
  for (const policy of ['always', 'interval', 'never'] as const) {
    const dir = tmp();
    try {
      const { log } = await OpLog.open(dir, policy);
      await log.append(Array.from({ length: 100 }, (_, i) => op(i + 1)));
      const before = statSync(join(dir, 'ops.log')).size;
      // 10 more are queued, not yet written, when the rewrite starts: ops 96..110 are the tail
      const queued = log.append(Array.from({ length: 10 }, (_, i) => op(101 + i)));
      const replaced = log.replaceWith({ n1: 95 }, Array.from({ length: 15 }, (_, i) => op(96 + i)));
      const after = log.append([op(111), op(112)]);
      await Promise.all([queued, replaced, after]);
      await log.close();
      assert.ok(statSync(join(dir, 'ops.log')).size < before / 4, `${policy}: the compacted prefix left the disk`);
      const { log: again, recovery } = await OpLog.open(dir, policy);
      await again.close();
      assert.deepEqual(recovery.base, { n1: 95 });
      assert.deepEqual(recovery.ops.map((o) => o.seq), Array.from({ length: 17 }, (_, i) => 96 + i), `${policy}: tail and later appends, once each`);
      assert.equal(recovery.corruption, null);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }
});

test('two rewrites in a row land in order: the later one wins, appends between them are kept once', async () => {
  const dir = tmp();
  try {
    const { log } = await OpLog.open(dir, 'always');
    await log.append(Array.from({ length: 20 }, (_, i) => op(i + 1)));
    const first = log.replaceWith({ n1: 10 }, Array.from({ length: 10 }, (_, i) => op(11 + i)));
    const between = log.append([op(21), op(22)]);
    const second = log.replaceWith({ n1: 18 }, [op(19), op(20), op(21), op(22)]);
    const after = log.append([op(23)]);
    await Promise.all([first, between, second, after]);
    await log.close();
    const { log: again, recovery } = await OpLog.open(dir, 'always');
    await again.close();
    assert.deepEqual(recovery.base, { n1: 18 });
    assert.deepEqual(recovery.ops.map((o) => o.seq), [19, 20, 21, 22, 23]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('at start: a damaged snapshot refuses the node once the log was compacted, and is moved aside (loudly) while the log still holds everything', async () => {
  const dir = tmp();
  try {
    const node = compactedNode();
    const snap = node.snapshot();
    writeSnapshot(dir, snap);
    const path = join(dir, SNAPSHOT_FILE);
    const good = readFileSync(path);
    // the log still whole (a crash between snapshot and rewrite): a damaged snapshot is moved aside
    const { log } = await OpLog.open(dir, 'always');
    await log.append([op(1)]);
    await log.close();
    const bad = Buffer.from(good); bad[bad.length - 3] ^= 0x40;
    writeFileSync(path, bad);
    const whole = await openData(dir, 'always', false);
    await whole.log.close();
    assert.equal(whole.snapshot, null);
    assert.match(whole.warnings[0]!, /SNAPSHOT DAMAGED: .*snapshot\.bin is damaged: its checksum or length does not match .*starts from the log alone; the damaged file was moved to .*snapshot\.bin\.corrupt-/);
    assert.ok(readdirSync(dir).some((f) => f.startsWith('snapshot.bin.corrupt-')), 'the damaged file is kept');
    // now a compacted log: the snapshot is the only copy of the compacted ops
    writeFileSync(path, good);
    const opened = await openData(dir, 'always', false);
    await opened.log.replaceWith(snap.frontier, []);
    await opened.log.close();
    assert.deepEqual((await openData(dir, 'always', false).then(async (o) => { await o.log.close(); return o.snapshot?.snapshot.frontier; })), snap.frontier);
    writeFileSync(path, bad);
    await assert.rejects(openData(dir, 'always', false), /snapshot\.bin is damaged: its checksum or length does not match \(damaged or cut short\); ops\.log holds only the ops above it, so starting would lose acknowledged writes\. Restore .* from a backup, or move .* away/);
    unlinkSync(path);
    await assert.rejects(openData(dir, 'always', false), /snapshot\.bin is missing but ops\.log was compacted/);
    assert.ok(!existsSync(path));
    assert.equal(readSnapshot(dir), null);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
