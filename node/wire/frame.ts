/**
 * Framing: every peer message is a 6-byte header — version (1 byte), type (1 byte), payload
 * length (4 bytes, big-endian) — followed by the payload, and, once the decoder is given a
 * FrameMac (after an authenticated handshake), by a 16-byte tag. The decoder is incremental (TCP
 * delivers arbitrary chunks) and rejects, before buffering anything, a frame it will never accept:
 * wrong version, unknown type, or a length above the limit. With a MAC only the length is judged
 * before the tag: a changed version or type byte is then reported as what it is, a changed frame.
 * A rejected stream cannot be resynchronised, so the caller closes that connection.
 */
import { FrameMac, TAG_BYTES } from './frame-mac.ts';

export const WIRE_VERSION = 2;
export const HEADER_BYTES = 6;
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

export const FrameType = { JOIN: 1, ID: 2, ACK_ID: 3, PING: 4, PONG: 5, PUSH: 6, VV: 7, SYNC: 8, DELTA_SYNC: 9, AUTH: 10, SNAPSHOT: 11 } as const;
export type FrameTypeName = keyof typeof FrameType;
const TYPE_NAMES = new Map<number, FrameTypeName>(Object.entries(FrameType).map(([k, v]) => [v, k as FrameTypeName]));

export function frameTypeName(code: number): FrameTypeName | undefined { return TYPE_NAMES.get(code); }

export function encodeFrame(type: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out[0] = WIRE_VERSION;
  out[1] = type;
  out.writeUInt32BE(payload.length, 2);
  out.set(payload, HEADER_BYTES);
  return out;
}

export interface Frame { type: number; payload: Buffer }

/** what made the stream unusable: the caller counts a wrong version or a failed tag apart */
export type FrameFault = 'version' | 'type' | 'size' | 'integrity';

export class FrameError extends Error {
  constructor(readonly fault: FrameFault, message: string) { super(message); }
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: FrameError | null = null;

  /** the largest payload accepted; the caller may raise it (after a handshake) between frames */
  maxPayload: number;

  /** once set (between frames, after the handshake), every frame must carry a valid tag */
  mac: FrameMac | null = null;

  constructor(maxPayload = DEFAULT_MAX_FRAME) { this.maxPayload = maxPayload; }

  /** set once the stream is unusable; the caller closes the connection */
  get error(): FrameError | null { return this.failed; }

  /**
   * Feed bytes; returns the complete frames. Once the stream is unusable `error` is set (frames
   * completed before the bad one are still returned, so they are not lost) and later pushes throw.
   */
  push(chunk: Buffer): Frame[] {
    this.feed(chunk);
    const frames: Frame[] = [];
    for (let f = this.next(); f; f = this.next()) frames.push(f);
    return frames;
  }

  /** add bytes without taking frames out (take them one by one with next()) */
  feed(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** the next complete frame, or null (incomplete, or the stream failed: see `error`) */
  next(): Frame | null {
    if (this.failed || this.buffered < HEADER_BYTES) return null;
    const head = this.peek(HEADER_BYTES);
    const len = head.readUInt32BE(2);
    if (len > this.maxPayload) { this.fail('size', `frame of ${len} bytes exceeds the ${this.maxPayload}-byte limit`); return null; }
    const mac = this.mac;
    if (!mac && !this.headerOk(head)) return null;
    const tagBytes = mac ? TAG_BYTES : 0;
    if (this.buffered < HEADER_BYTES + len + tagBytes) return null;
    const whole = this.take(HEADER_BYTES + len + tagBytes);
    const frame = whole.subarray(0, HEADER_BYTES + len);
    if (mac) {
      const at = mac.frames;
      if (!mac.verify(frame, whole.subarray(HEADER_BYTES + len))) {
        this.fail('integrity', `frame ${at} after the handshake fails its integrity check (changed, injected, replayed or reordered on the way, or one before it was dropped)`);
        return null;
      }
      if (!this.headerOk(frame)) return null;
    }
    return { type: frame[1]!, payload: frame.subarray(HEADER_BYTES) };
  }

  private headerOk(head: Buffer): boolean {
    const version = head[0]!, type = head[1]!;
    if (version !== WIRE_VERSION) this.fail('version', `wire version ${version}, but this node speaks only version ${WIRE_VERSION}`);
    else if (!TYPE_NAMES.has(type)) this.fail('type', `unknown frame type ${type}`);
    return this.failed === null;
  }

  /** bytes held waiting for the rest of a frame */
  pendingBytes(): number { return this.buffered; }

  private fail(fault: FrameFault, reason: string): void {
    this.failed = new FrameError(fault, reason);
    this.chunks = []; this.buffered = 0;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) { first = Buffer.concat(this.chunks); this.chunks = [first]; }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
