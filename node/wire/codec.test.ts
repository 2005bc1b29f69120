import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMessage, encodeMessage } from './codec.ts';
import { FrameDecoder, FrameError, encodeFrame, HEADER_BYTES } from './frame.ts';
import { makeOp } from '../core/ops.ts';
import type { Message } from '../core/messages.ts';

const opArb = fc.record({
  origin: fc.constantFrom('n1', 'n2', 'n3'), seq: fc.integer({ min: 1, max: 1e6 }), ts: fc.integer({ min: 0, max: 2e12 }),
  vv: fc.dictionary(fc.constantFrom('n1', 'n2', 'n3'), fc.nat(1000)),
  kind: fc.constant('put' as const), key: fc.string({ maxLength: 10 }), payload: fc.record({ value: fc.jsonValue({ maxDepth: 3 }) }),
}).map(makeOp);

const msgArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('PUSH' as const), ops: fc.array(opArb, { maxLength: 5 }) }),
  fc.record({ type: fc.constant('PING' as const), n: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
  fc.record({ type: fc.constant('JOIN' as const), members: fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 9 }))), r: fc.boolean() }),
  fc.record({ type: fc.constant('DELTA_SYNC' as const), s: fc.nat(), phase: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>, ops: fc.array(opArb, { maxLength: 3 }) }),
);

test('messages survive encode → arbitrary chunking → decode', () => {
  fc.assert(fc.property(fc.array(msgArb, { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (msgs, cuts) => {
    const bytes = Buffer.concat(msgs.map(encodeMessage));
    const dec = new FrameDecoder();
    const got: Message[] = [];
    let off = 0, i = 0;
    while (off < bytes.length) {
      const n = cuts[i++ % cuts.length]!;
      for (const f of dec.push(bytes.subarray(off, off + n))) {
        const m = decodeMessage(f.type, f.payload);
        assert.notEqual(typeof m, 'string', String(m));
        got.push(m as Message);
      }
      off += n;
    }
    assert.equal(dec.pendingBytes(), 0);
    assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(msgs)));
  }), { seed: 11, numRuns: 200 });
});

test('the decoder rejects bad version, unknown type and oversized frames before buffering them', () => {
  const bad = (buf: Buffer, re: RegExp) => {
    const d = new FrameDecoder(1024);
    const good = encodeFrame(4, Buffer.alloc(3));
    assert.equal(d.push(Buffer.concat([good, buf])).length, 1, 'the frame before the bad one is kept');
    assert.ok(d.error instanceof FrameError && re.test(d.error.message), d.error?.message);
    assert.throws(() => d.push(good), FrameError);
  };
  bad(Buffer.from([1, 4, 0, 0, 0, 0]), /wire version 1, but this node speaks only version 2/);
  bad(Buffer.from([2, 99, 0, 0, 0, 0]), /unknown frame type 99/);
  bad(Buffer.from([2, 4, 0, 0, 8, 0]), /exceeds the 1024-byte limit/);
  const d = new FrameDecoder();
  assert.deepEqual(d.push(encodeFrame(4, Buffer.alloc(10)).subarray(0, HEADER_BYTES + 3)), []);
});

test('decodeMessage never throws on garbage and names the problem', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 64 }), (type, bytes) => {
    const r = decodeMessage(type, bytes);
    if (typeof r === 'string') assert.ok(r.length > 0);
  }), { seed: 12, numRuns: 2000 });
  assert.match(decodeMessage(6, Buffer.from([0x81, 0xa3, 0x6f, 0x70, 0x73, 0x01])) as string, /PUSH: ops is not an array/);
});
