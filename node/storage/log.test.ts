import { test } from 'node:test';
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

test('parsing keeps exactly the complete records before a torn or corrupt tail', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), fc.nat(), fc.boolean(), (payloads, cutAt, flip) => {
    const recs = payloads.map((p) => encodeRecord(p));
    const all = Buffer.concat(recs);
    const cut = all.length === 0 ? 0 : cutAt % (all.length + 1);
    const buf = Buffer.from(all.subarray(0, cut));
    // optionally corrupt one byte inside the kept part
    let corruptAt = -1;
    if (flip && buf.length > 0) { corruptAt = cutAt % buf.length; buf[corruptAt] ^= 0xff; }
    let complete = 0, off = 0;
    for (const r of recs) {
      if (off + r.length > cut || (corruptAt >= off && corruptAt < off + r.length)) break;
      off += r.length; complete++;
    }
    const parsed = parseRecords(buf);
    assert.equal(parsed.records.length, complete);
    assert.equal(parsed.validBytes, off);
    parsed.records.forEach((r, i) => assert.deepEqual(new Uint8Array(r), payloads[i]));
  }), { seed: 5, numRuns: 500 });
});

test('the log recovers every appended op and truncates a torn tail', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'maep-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
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
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { log } = await OpLog.open(dir, 'unsafe-buffered');
  await log.append([op(1)]);
  // acknowledged, yet nothing is on disk: a SIGKILL now would lose it
  assert.equal(readFileSync(join(dir, 'ops.log')).length, 0);
  await log.close(); // a clean shutdown flushes
  assert.ok(readFileSync(join(dir, 'ops.log')).length > 0);
  writeFileSync(join(dir, 'ops.log'), Buffer.from('garbage that is not a log'));
  const r = await OpLog.open(dir, 'always');
  assert.equal(r.recovery.records, 0);
  assert.equal(r.recovery.droppedBytes, 25);
  await r.log.close();
});
