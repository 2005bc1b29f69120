import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, statSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpLog } from './log.ts';
import { crc32 } from './crc32.ts';
import { encodeRecord, parseRecords } from './records.ts';
import { makeOp, type Op } from '../core/ops.ts';

const op = (seq: number): Op => makeOp({ origin: 'n1', seq, ts: 1000 + seq, vv: seq > 1 ? { n1: seq - 1 } : {}, kind: 'put', key: `k${seq}`, payload: { value: 'x'.repeat(seq % 7) } });

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('parsing skips a damaged record and keeps every record after it; only an incomplete last record is a torn tail', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 20 }), fc.nat(), fc.boolean(), (payloads, cutAt, flip) => {
    const recs = payloads.map((p) => encodeRecord(p));
    const all = Buffer.concat(recs);
    const cut = all.length === 0 ? 0 : cutAt % (all.length + 1);
    const buf = Buffer.from(all.subarray(0, cut));
    // optionally corrupt one byte inside the kept part
    let corruptAt = -1;
    if (flip && buf.length > 0) { corruptAt = cutAt % buf.length; buf[corruptAt] ^= 0xff; }
    const expected: number[] = [];
    let off = 0;
    recs.forEach((r, i) => {
      if (off + r.length <= cut && !(corruptAt >= off && corruptAt < off + r.length)) expected.push(i);
      off += r.length;
    });
    const parsed = parseRecords(buf);
    assert.deepEqual(parsed.records.map((r) => Buffer.from(r).toString('hex')), expected.map((i) => Buffer.from(payloads[i]!).toString('hex')));
    const badBytes = parsed.corrupt.reduce((a, r) => a + r.bytes, 0) + parsed.tornTail;
    assert.equal(badBytes + parsed.records.reduce((a, r) => a + r.length + 8, 0), buf.length, 'every byte is a record, damage or the torn tail');
  }), { seed: 5, numRuns: 500 });
});

test('a flipped byte, a zeroed page or a bad first length lose only the records they hit', () => {
  const recs = Array.from({ length: 1000 }, (_, i) => OpLog.encode(op(i + 1)));
  const all = Buffer.concat(recs);
  const offsetOf = (i: number) => recs.slice(0, i).reduce((a, r) => a + r.length, 0);
  const flipped = Buffer.from(all); flipped[offsetOf(500) + 20]! ^= 0x01;
  assert.equal(parseRecords(flipped).records.length, 999);
  const zeroed = Buffer.from(all); zeroed.fill(0, 4096 * 3, 4096 * 4);
  const z = parseRecords(zeroed);
  assert.ok(z.records.length >= 1000 - 4096 / 40 && z.records.length < 1000, `${z.records.length} kept`);
  assert.equal(z.tornTail, 0);
  const badLen = Buffer.from(all); badLen.writeUInt32BE(0x00ffffff, 0);
  const b = parseRecords(badLen);
  assert.equal(b.records.length, 999);
  assert.deepEqual(b.corrupt, [{ offset: 0, bytes: recs[0]!.length }]);
  assert.equal(b.validBytes, 0);
  const torn = parseRecords(all.subarray(0, all.length - 3));
  assert.equal(torn.records.length, 999);
  assert.equal(torn.tornTail, recs[999]!.length - 3);
  assert.deepEqual(torn.corrupt, []);
});

test('recovery keeps records after damage, copies the damaged file and rewrites the log; the unsafe switch truncates', async () => {
  for (const unsafe of [false, true]) {
    const dir = mkdtempSync(join(tmpdir(), 'maep-log-'));
    try {
      const recs = Array.from({ length: 100 }, (_, i) => OpLog.encode(op(i + 1)));
      const all = Buffer.concat(recs);
      all[recs.slice(0, 50).reduce((a, r) => a + r.length, 0) + 12]! ^= 0x40;
      writeFileSync(join(dir, 'ops.log'), all);
      const { log, recovery } = await OpLog.open(dir, 'always', unsafe);
      await log.close();
      if (unsafe) {
        assert.equal(recovery.records, 50);
        assert.equal(recovery.corruption, null);
        continue;
      }
      assert.equal(recovery.records, 99);
      assert.equal(recovery.corruption?.regions, 1);
      assert.equal(recovery.corruption?.keptAfter, 49);
      assert.deepEqual(readFileSync(recovery.corruption!.copy), all, 'the damaged file is kept as it was');
      const again = await OpLog.open(dir, 'always');
      assert.equal(again.recovery.records, 99);
      assert.equal(again.recovery.corruption, null, 'the rewritten log is clean');
      await again.log.close();
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }
});

test('the log recovers every appended op and truncates a torn tail', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-log-'));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const { log } = await OpLog.open(dir, 'always');
  const ops = Array.from({ length: 50 }, (_, i) => op(i + 1));
  await Promise.all(ops.map((o) => log.append([o])));
  await log.close();
  const path = join(dir, 'ops.log');
  const size = statSync(path).size;
  appendFileSync(path, OpLog.encode(op(51)).subarray(0, 13)); // a crash mid-write
  const { log: again, recovery } = await OpLog.open(dir, 'always');
  assert.equal(recovery.records, 50);
  assert.equal(recovery.droppedBytes, 13);
  assert.deepEqual(recovery.ops.map((o) => o.id), ops.map((o) => o.id));
  assert.equal(statSync(path).size, size, 'torn tail truncated');
  await again.append([op(51)]);
  await again.close();
  const third = await OpLog.open(dir, 'never');
  assert.equal(third.recovery.records, 51);
  await third.log.close();
});

test('--unsafe-no-fsync really holds acknowledged writes in memory (lost by a crash)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-log-'));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const { log } = await OpLog.open(dir, 'unsafe-buffered');
  await log.append([op(1)]);
  // acknowledged, yet nothing is on disk: a SIGKILL now would lose it
  assert.equal(readFileSync(join(dir, 'ops.log')).length, 0);
  await log.close(); // a clean shutdown flushes
  assert.ok(readFileSync(join(dir, 'ops.log')).length > 0);
  writeFileSync(join(dir, 'ops.log'), Buffer.from('garbage that is not a log'));
  const r = await OpLog.open(dir, 'always');
  assert.equal(r.recovery.records, 0);
  assert.equal(r.recovery.corruption?.bytes, 25, 'garbage is damage, reported, not a torn tail');
  await r.log.close();
});
