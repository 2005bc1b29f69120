import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, FrameType, HEADER_BYTES } from './frame.ts';
import { FrameMac, TAG_BYTES } from './frame-mac.ts';

const KEY = Buffer.alloc(32, 7);
const CODES = Object.values(FrameType);

/** frames as a sender would write them after the handshake: each one followed by its tag */
const frameArb = fc.tuple(fc.constantFrom(...CODES), fc.uint8Array({ maxLength: 40 })).map(([type, payload]) => encodeFrame(type, payload));
const streamArb = fc.array(frameArb, { minLength: 2, maxLength: 8 });

function seal(frames: Buffer[], key = KEY): Buffer[] {
  const mac = new FrameMac(key);
  return frames.map((f) => mac.seal(f));
}

/** what a receiver makes of `bytes`, fed in chunks of the given sizes */
function receive(bytes: Buffer, cuts: number[] = [bytes.length || 1]): { frames: Buffer[]; fault: string | null; pending: number } {
  const dec = new FrameDecoder(1024);
  dec.mac = new FrameMac(KEY);
  const frames: Buffer[] = [];
  for (let off = 0, i = 0; off < bytes.length && !dec.error; i++) {
    const n = cuts[i % cuts.length]!;
    for (const f of dec.push(bytes.subarray(off, off + n))) frames.push(encodeFrame(f.type, f.payload));
    off += n;
  }
  return { frames, fault: dec.error?.fault ?? null, pending: dec.pendingBytes() };
}

/** the receiver kept exactly the frames before `at`, took nothing from `at` on, and does not wait for more */
function rejectedFrom(got: ReturnType<typeof receive>, frames: Buffer[], at: number): void {
  assert.deepEqual(got.frames, frames.slice(0, at), 'exactly the frames before the bad one are handed on');
  assert.ok(got.fault !== null, 'the stream is refused');
}

test('a clean tagged stream, in any chunking, is accepted whole and in order', () => {
  fc.assert(fc.property(streamArb, fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1 }), (frames, cuts) => {
    const got = receive(Buffer.concat(seal(frames)), cuts);
    assert.deepEqual(got.frames, frames);
    assert.equal(got.fault, null);
    assert.equal(got.pending, 0);
  }), { seed: 181, numRuns: 300 });
});

test('any single bit flipped anywhere in a tagged stream: nothing from that frame on is accepted', () => {
  fc.assert(fc.property(streamArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (frames, where, bit) => {
    const sealed = seal(frames);
    const bytes = Buffer.concat(sealed);
    const at = where % bytes.length;
    bytes[at]! ^= 1 << bit;
    let frame = 0;
    for (let end = sealed[0]!.length; end <= at; end += sealed[++frame]!.length);
    const got = receive(bytes);
    assert.deepEqual(got.frames, frames.slice(0, frame), 'the frames before the flipped one, and nothing after');
    const offset = at - sealed.slice(0, frame).reduce((s, f) => s + f.length, 0);
    // a flip in the length field may announce more bytes than ever come: the frame is never
    // complete (the connection's silence deadline ends it); any other flip fails the tag at once
    if (got.fault === null) assert.ok(offset >= 2 && offset < HEADER_BYTES && got.pending > 0, `flip at byte ${offset} of frame ${frame} neither refused nor pending`);
    else if (offset >= HEADER_BYTES || offset < 2) assert.equal(got.fault, 'integrity');
  }), { seed: 182, numRuns: 2000 });
});

test('a truncated frame (its length fixed up) is refused; a stream cut short hands on no partial frame', () => {
  fc.assert(fc.property(streamArb, fc.nat(), fc.nat(), (frames, which, cut) => {
    const sealed = seal(frames);
    const i = which % frames.length;
    const f = Buffer.from(sealed[i]!);
    const payload = f.length - HEADER_BYTES - TAG_BYTES;
    const keep = payload === 0 ? 0 : cut % payload;
    // drop payload bytes, keep the tag, and make the header announce the shorter payload
    const short = Buffer.concat([f.subarray(0, HEADER_BYTES + keep), f.subarray(f.length - TAG_BYTES)]);
    short.writeUInt32BE(keep, 2);
    if (keep < payload) rejectedFrom(receive(Buffer.concat([...sealed.slice(0, i), short, ...sealed.slice(i + 1)])), frames, i);

    const whole = Buffer.concat(sealed);
    const end = cut % whole.length;
    const got = receive(whole.subarray(0, end));
    const complete = sealed.filter((_, k) => sealed.slice(0, k + 1).reduce((s, x) => s + x.length, 0) <= end).length;
    assert.deepEqual(got.frames, frames.slice(0, complete));
    assert.equal(got.fault, null);
  }), { seed: 183, numRuns: 1000 });
});

test('a replayed, reordered or dropped frame is refused where the stream stops being the sent one', () => {
  fc.assert(fc.property(streamArb, fc.nat(), fc.nat(), (frames, a, b) => {
    const sealed = seal(frames);
    const n = frames.length;
    const i = a % n, j = b % n;
    // replay: a frame already delivered comes again, at a later position
    const replayed = [...sealed.slice(0, j + 1), sealed[Math.min(i, j)]!, ...sealed.slice(j + 1)];
    rejectedFrom(receive(Buffer.concat(replayed)), frames, j + 1);
    // reorder: two frames swapped (identical frames at both places would be no reordering)
    if (i !== j && !frames[i]!.equals(frames[j]!)) {
      const swapped = [...sealed];
      [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
      rejectedFrom(receive(Buffer.concat(swapped)), frames, Math.min(i, j));
    }
    // drop: a frame removed, the stream resumes with the next one
    if (i < n - 1) rejectedFrom(receive(Buffer.concat([...sealed.slice(0, i), ...sealed.slice(i + 1)])), frames, i);
  }), { seed: 184, numRuns: 1000 });
});

test('frames tagged with another key (another connection, the other direction) are refused', () => {
  fc.assert(fc.property(streamArb, fc.uint8Array({ minLength: 32, maxLength: 32 }), (frames, other) => {
    fc.pre(!KEY.equals(other));
    rejectedFrom(receive(Buffer.concat(seal(frames, Buffer.from(other)))), frames, 0);
  }), { seed: 185, numRuns: 200 });
});

test('with a MAC a changed version or type byte is reported as a changed frame; an authentic bad header still fails', () => {
  const good = encodeFrame(FrameType.PING, Buffer.from([0x80]));
  const sealed = seal([good]);
  const flipped = Buffer.from(sealed[0]!); flipped[0] = 1;
  assert.equal(receive(flipped).fault, 'integrity');
  // a member that tags a frame of another version is malformed, not forged
  const v1 = Buffer.from(good); v1[0] = 1;
  assert.equal(receive(Buffer.concat(seal([v1]))).fault, 'version');
});
