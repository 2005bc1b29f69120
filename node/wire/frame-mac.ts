/**
 * Integrity of the frames after the handshake (wire version 2). Each direction of a connection has
 * its own session key (derived in shell/auth.ts), and every frame it carries is followed by a tag:
 * HMAC-SHA256(key, counter ‖ frame) cut to 16 bytes, where counter is the frame's position in that
 * direction (0, 1, 2, …, a 64-bit big-endian number that is never sent). Changed bytes change the
 * MAC input; an injected, replayed, reordered or dropped frame shifts the position the receiver
 * expects: either way the tag fails, and a failed stream is never trusted again.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** 128 bits: a guess succeeds with probability 2^-128 and a wrong guess costs the connection */
export const TAG_BYTES = 16;

export class FrameMac {
  private position = 0;
  private readonly counter = Buffer.alloc(8);

  constructor(private readonly key: Uint8Array) {}

  /** frames tagged (sender) or verified (receiver) so far: the position of the next one */
  get frames(): number { return this.position; }

  /** the tag of the next frame this direction sends */
  tag(frame: Uint8Array): Buffer {
    const t = this.compute(frame);
    this.position++;
    return t;
  }

  /** the next frame followed by its tag, in one buffer (peers.ts writes the two apart instead, not to copy large frames) */
  seal(frame: Uint8Array): Buffer { return Buffer.concat([frame, this.tag(frame)]); }

  /** whether `tag` is the tag of `frame` at the next position (which advances only on success) */
  verify(frame: Uint8Array, tag: Uint8Array): boolean {
    const ok = tag.length === TAG_BYTES && timingSafeEqual(tag, this.compute(frame));
    if (ok) this.position++;
    return ok;
  }

  private compute(frame: Uint8Array): Buffer {
    // a Number counts exactly to 2^53 frames: centuries at a million frames a second
    this.counter.writeUInt32BE(Math.floor(this.position / 2 ** 32), 0);
    this.counter.writeUInt32BE(this.position >>> 0, 4);
    return createHmac('sha256', this.key).update(this.counter).update(frame).digest().subarray(0, TAG_BYTES);
  }
}
